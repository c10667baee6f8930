"""The Shopee sandbox's control API: truth, every mutate action, and stats that prove what a
client fetched. Truth must equal what a full pull through the official API reads."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from adapters.shopee.sandbox import ShopeeSandbox
from syncer.sandbox import SandboxServer
from tests.sandbox.shopee_raw import (
    ALL_STATUSES,
    BASE_INFO,
    ITEM_LIST,
    MODEL_LIST,
    RawShopee,
    pick_item,
)


def pull(shopee: RawShopee, **filters: Any) -> list[dict[str, Any]]:
    """A full pull through the API, flattened to truth-shaped rows."""
    ids, offset = [], 0
    while True:
        params = {"offset": offset, "page_size": 100, "item_status": ALL_STATUSES, **filters}
        page = shopee.ok(ITEM_LIST, params)
        ids += [item["item_id"] for item in page["item"]]
        if not page["has_next_page"]:
            break
        offset = page["next_offset"]
    rows = []
    for start in range(0, len(ids), 50):
        batch = ",".join(map(str, ids[start : start + 50]))
        for item in shopee.ok(BASE_INFO, {"item_id_list": batch})["item_list"]:
            rows += _rows(shopee, item)
    return sorted(rows, key=lambda row: (int(row["item_id"]), row["model_id"]))


def _rows(shopee: RawShopee, item: dict[str, Any]) -> list[dict[str, Any]]:
    common = {
        "item_id": str(item["item_id"]),
        "title": item["item_name"],
        "item_status": item["item_status"],
    }
    common["update_time"] = item["update_time"]
    if not item["has_model"]:
        stock = item["stock_info_v2"]
        return [
            {
                **common,
                **_unit(item["item_sku"], item["price_info"], stock),
                "model_id": "",
                "variant_name": "",
                "model_status": "",
            }
        ]
    response = shopee.ok(MODEL_LIST, {"item_id": item["item_id"]})
    options = [
        [option["option"] for option in tier["option_list"]] for tier in response["tier_variation"]
    ]
    return [
        {
            **common,
            **_unit(model["model_sku"], model["price_info"], model["stock_info_v2"]),
            "model_id": str(model["model_id"]),
            "variant_name": " / ".join(options[t][i] for t, i in enumerate(model["tier_index"])),
            "model_status": model["model_status"],
        }
        for model in response["model"]
    ]


def _unit(sku: str, price_info: list[dict[str, Any]], stock: dict[str, Any]) -> dict[str, Any]:
    return {
        "sku": sku,
        "price": price_info[0]["original_price"],
        "stock": sum(entry["stock"] for entry in stock["seller_stock"]),
        "reserved_stock": stock["summary_info"]["total_reserved_stock"],
    }


def test_truth_equals_a_full_pull_through_the_api(shopee: RawShopee) -> None:
    """One truth row per model (or item without models), same values the API serves."""
    truth = shopee.truth()
    assert pull(shopee) == sorted(truth, key=lambda row: (int(row["item_id"]), row["model_id"]))
    assert len(truth) == 600


def test_truth_still_matches_after_random_mutations(shopee: RawShopee) -> None:
    """``random`` mixes sales, edits and status changes; the API keeps agreeing with truth."""
    result = shopee.mutate("random", count=60, seed=5)
    assert result["count"] == len(result["changes"]) > 40
    actions = {change["action"] for change in result["changes"]}
    assert {"sell", "set_price", "set_stock"} <= actions
    assert len(actions) >= 5
    truth = shopee.truth()
    assert pull(shopee) == sorted(truth, key=lambda row: (int(row["item_id"]), row["model_id"]))


def test_random_mutations_are_reproducible_for_a_seed() -> None:
    """Same catalog seed and mutation seed: same changes."""
    results = []
    for _ in range(2):
        sandbox = ShopeeSandbox(seed=9, listings=200)
        with SandboxServer(sandbox.app) as server, httpx.Client(base_url=server.base_url) as client:
            result = RawShopee(client, sandbox.credentials()).mutate("random", count=30, seed=1)
        results.append([(c["action"], c["item_id"], c["model_id"]) for c in result["changes"]])
    assert results[0] == results[1]


def row_of(result: dict[str, Any], model_id: str = "") -> dict[str, Any]:
    return next(row for row in result["listings"] if row["model_id"] == model_id)


def test_sell_set_price_and_set_stock(shopee: RawShopee) -> None:
    """Each changes the unit and bumps update_time to the sandbox clock."""
    item_id, rows = pick_item(shopee, models=True)
    model_id = rows[0]["model_id"]
    shopee.advance(120)
    stock = rows[0]["stock"]
    sold = row_of(
        shopee.mutate("sell", item_id=item_id, model_id=int(model_id), quantity=1), model_id
    )
    assert sold["stock"] == stock - 1 if stock else True
    assert abs(sold["update_time"] - shopee.now()) <= 2
    priced = row_of(
        shopee.mutate("set_price", item_id=item_id, model_id=int(model_id), price=88_800), model_id
    )
    assert priced["price"] == 88_800
    stocked = row_of(
        shopee.mutate("set_stock", item_id=item_id, model_id=int(model_id), stock=42), model_id
    )
    assert stocked["stock"] == 42


@pytest.mark.parametrize(
    ("action", "status"),
    [("ban", "BANNED"), ("unlist", "UNLIST"), ("review", "REVIEWING"), ("delete", "SELLER_DELETE")],
)
def test_status_actions(shopee: RawShopee, action: str, status: str) -> None:
    """ban, unlist, review, delete set the item status; relist brings it back to NORMAL."""
    item_id, _ = pick_item(shopee, models=False)
    assert row_of(shopee.mutate(action, item_id=item_id))["item_status"] == status
    listed = shopee.ok(ITEM_LIST, {"offset": 0, "page_size": 1, "item_status": status})["item"][0]
    assert listed["item_id"] == item_id
    assert row_of(shopee.mutate("relist", item_id=item_id))["item_status"] == "NORMAL"


def test_purge_removes_the_item_entirely(shopee: RawShopee) -> None:
    """Gone from truth, item lists, base info (absent) and model list (not found)."""
    item_id, _ = pick_item(shopee, models=True)
    assert shopee.mutate("purge", item_id=item_id)["listings"] == []
    assert str(item_id) not in {row["item_id"] for row in shopee.truth()}
    assert shopee.ok(BASE_INFO, {"item_id_list": item_id})["item_list"] == []
    assert shopee.get(MODEL_LIST, {"item_id": item_id}).json()["error"] == "error_item_not_found"


def test_promote_and_unpromote(shopee: RawShopee) -> None:
    """A promotion sets current_price below original_price and reserves stock."""
    item_id, rows = pick_item(shopee, models=False)
    shopee.mutate("set_stock", item_id=item_id, stock=50)
    promoted = row_of(
        shopee.mutate("promote", item_id=item_id, promo_price=10_000, reserved_stock=7)
    )
    assert promoted["reserved_stock"] == 7
    item = shopee.ok(BASE_INFO, {"item_id_list": item_id})["item_list"][0]
    assert item["has_promotion"] is True
    assert item["price_info"][0]["current_price"] == 10_000
    assert item["price_info"][0]["original_price"] == rows[0]["price"]
    plain = row_of(shopee.mutate("unpromote", item_id=item_id))
    assert plain["reserved_stock"] == 0
    item = shopee.ok(BASE_INFO, {"item_id_list": item_id})["item_list"][0]
    assert item["has_promotion"] is False
    assert item["price_info"][0]["current_price"] == item["price_info"][0]["original_price"]


def test_mutate_refuses_unknown_actions_items_and_models(shopee: RawShopee) -> None:
    """400 for an unknown action, 404 for an unknown item or model."""
    assert (
        shopee.client.post("/_sandbox/mutate", json={"action": "explode", "item_id": 1}).status_code
        == 400
    )
    assert (
        shopee.client.post("/_sandbox/mutate", json={"action": "ban", "item_id": 1}).status_code
        == 404
    )
    item_id, _ = pick_item(shopee, models=True)
    body = {"action": "set_stock", "item_id": item_id, "model_id": 5, "stock": 1}
    assert shopee.client.post("/_sandbox/mutate", json=body).status_code == 404


def test_stats_show_which_items_an_incremental_pull_fetched(shopee: RawShopee) -> None:
    """Only items changed since the cursor are fetched by an update_time_from pull."""
    shopee.advance(3600)
    since = shopee.now()
    changed_a, _ = pick_item(shopee, models=False)
    changed_b, rows_b = pick_item(shopee, models=True)
    shopee.mutate("set_price", item_id=changed_a, price=31_000)
    shopee.mutate(
        "sell", item_id=changed_b, model_id=int(rows_b[0]["model_id"]), quantity=0 + 1
    ) if rows_b[0]["stock"] else shopee.mutate(
        "set_stock", item_id=changed_b, model_id=int(rows_b[0]["model_id"]), stock=9
    )
    shopee.control("POST", "reset_stats")
    rows = pull(shopee, update_time_from=since)
    assert {int(row["item_id"]) for row in rows} == {changed_a, changed_b}
    stats = shopee.control("GET", "stats")
    assert sorted(stats["base_info_item_ids"]) == sorted([changed_a, changed_b])
    assert stats["model_list_item_ids"] == [changed_b]
    assert stats["requests"][ITEM_LIST] == 1
    assert stats["statuses"] == {"200": stats["total_requests"]}


def test_same_seed_same_shopee_catalog_and_credentials() -> None:
    """A sandbox is reproducible from its seed: ids, listings, keys and first tokens."""
    first, second = ShopeeSandbox(seed=12, listings=150), ShopeeSandbox(seed=12, listings=150)
    assert first.store.truth() == second.store.truth()
    keys = ("partner_id", "partner_key", "shop_id", "access_token", "refresh_token")
    assert [first.credentials()[k] for k in keys] == [second.credentials()[k] for k in keys]
    assert first.store.truth() != ShopeeSandbox(seed=13, listings=150).store.truth()
