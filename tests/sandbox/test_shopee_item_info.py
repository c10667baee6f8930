"""``get_item_base_info``, ``get_model_list``, ``search_item``, ``get_item_limit``: payloads
as the API reference describes them, ID region (IDR, whole rupiah, weight in kg)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.shopee_raw import (
    BASE_INFO,
    ITEM_LIMIT,
    MODEL_LIST,
    SEARCH_ITEM,
    RawShopee,
    pick_item,
)


def base_info(shopee: RawShopee, *ids: int) -> list[dict[str, Any]]:
    return list(shopee.ok(BASE_INFO, {"item_id_list": ",".join(map(str, ids))})["item_list"])


def test_item_without_models_carries_price_and_stock(shopee: RawShopee) -> None:
    """price_info (IDR, whole rupiah) and stock_info_v2 are in base info for no-model items."""
    item_id, rows = pick_item(shopee, models=False)
    (item,) = base_info(shopee, item_id)
    assert item["item_id"] == item_id
    assert item["has_model"] is False
    assert item["item_name"] == rows[0]["title"]
    assert item["item_sku"] == rows[0]["sku"]
    assert item["item_status"] == "NORMAL"
    assert item["update_time"] == rows[0]["update_time"]
    (price,) = item["price_info"]
    assert price["currency"] == "IDR"
    assert price["original_price"] == price["current_price"] == rows[0]["price"]
    assert isinstance(price["original_price"], int)
    stock = item["stock_info_v2"]
    assert stock["seller_stock"] == [
        {"location_id": "IDZ", "stock": rows[0]["stock"], "if_saleable": True}
    ]
    assert stock["summary_info"]["total_reserved_stock"] == 0
    assert stock["summary_info"]["total_available_stock"] == rows[0]["stock"]
    assert isinstance(item["weight"], str)
    assert float(item["weight"]) > 0


def test_item_with_models_has_no_price_in_base_info(shopee: RawShopee) -> None:
    """ "If the item has models, price_info will not be returned" (read get_model_list)."""
    item_id, _ = pick_item(shopee, models=True)
    (item,) = base_info(shopee, item_id)
    assert item["has_model"] is True
    assert "price_info" not in item
    assert "stock_info_v2" not in item


def test_model_list_matches_tiers_and_truth(shopee: RawShopee) -> None:
    """tier_variation options, tier_index per model, model_sku, prices and stock."""
    item_id, rows = pick_item(shopee, models=True)
    response = shopee.ok(MODEL_LIST, {"item_id": item_id})
    tiers = response["tier_variation"]
    assert 1 <= len(tiers) <= 2
    by_id = {int(row["model_id"]): row for row in rows}
    assert {model["model_id"] for model in response["model"]} == set(by_id)
    for model in response["model"]:
        row = by_id[model["model_id"]]
        names = [tiers[t]["option_list"][i]["option"] for t, i in enumerate(model["tier_index"])]
        assert " / ".join(names) == row["variant_name"]
        assert model["model_sku"] == row["sku"]
        assert model["model_status"] in {"MODEL_NORMAL", "MODEL_UNAVAILABLE"}
        assert model["price_info"][0]["original_price"] == row["price"]
        assert model["price_info"][0]["currency"] == "IDR"
        assert model["stock_info_v2"]["seller_stock"][0]["stock"] == row["stock"]
        assert model["has_promotion"] is False


def test_promoted_units_show_promotion_price_and_reserved_stock(shopee: RawShopee) -> None:
    """current_price is the promotion price; reserved stock is reported in summary_info."""
    item_id, rows = pick_item(shopee, models=False, promoted=True)
    (item,) = base_info(shopee, item_id)
    assert item["has_promotion"] is True
    assert item["promotion_id"] > 0
    price = item["price_info"][0]
    assert price["original_price"] == rows[0]["price"]
    assert price["current_price"] < price["original_price"]
    summary = item["stock_info_v2"]["summary_info"]
    assert summary["total_reserved_stock"] == rows[0]["reserved_stock"] > 0


def test_base_info_takes_1_to_50_ids_in_any_documented_form(shopee: RawShopee) -> None:
    """Comma list, bracketed list and repeated keys; more than 50 ids is refused."""
    ids = sorted({int(row["item_id"]) for row in shopee.truth()})[:50]
    comma = shopee.ok(BASE_INFO, {"item_id_list": ",".join(map(str, ids))})["item_list"]
    bracket = shopee.ok(BASE_INFO, {"item_id_list": "[" + ",".join(map(str, ids)) + "]"})[
        "item_list"
    ]
    repeated = shopee.ok(BASE_INFO, {"item_id_list": ids})["item_list"]
    assert (
        [i["item_id"] for i in comma]
        == [i["item_id"] for i in bracket]
        == [i["item_id"] for i in repeated]
        == ids
    )
    body = shopee.get(BASE_INFO, {"item_id_list": ",".join(map(str, [*ids, ids[0] + 1]))}).json()
    assert body["error"] == "error_param"
    body = shopee.get(BASE_INFO, {}).json()
    assert body["message"] == "invalid field ItemIdList: value must  Not Null"


def test_unknown_ids_are_left_out_of_base_info_and_named_in_the_warning(
    shopee: RawShopee,
) -> None:
    """[I] Unknown ids are absent; the guide says what is not returned shows in ``warning``."""
    item_id, _ = pick_item(shopee, models=False)
    body = shopee.get(BASE_INFO, {"item_id_list": f"12345,{item_id},67890"}).json()
    assert [item["item_id"] for item in body["response"]["item_list"]] == [item_id]
    assert body["error"] == ""
    assert "12345" in body["warning"]
    assert "67890" in body["warning"]
    assert shopee.get(BASE_INFO, {"item_id_list": str(item_id)}).json()["warning"] == ""


def test_unknown_paths_and_wrong_methods_answer_in_the_envelope(shopee: RawShopee) -> None:
    """The guide: ``request_id`` is always returned; [I] the code and message."""
    missing = shopee.get("/api/v2/product/no_such_api")
    assert missing.status_code == 404
    assert set(missing.json()) >= {"request_id", "error", "message"}
    wrong = shopee.post(BASE_INFO, {})
    assert wrong.status_code == 405
    assert wrong.json()["error"] == "error_param"


def test_model_list_of_an_unknown_item_is_not_found(shopee: RawShopee) -> None:
    """error_item_not_found / "Item_id is not found."."""
    body = shopee.get(MODEL_LIST, {"item_id": 42}).json()
    assert (body["error"], body["message"]) == ("error_item_not_found", "Item_id is not found.")


def test_search_finds_items_by_sku_and_name_with_an_opaque_cursor(shopee: RawShopee) -> None:
    """item_sku wins over item_name; next_offset is a string cursor, "" on the last page."""
    item_id, rows = pick_item(shopee, models=True)
    by_sku = shopee.ok(
        SEARCH_ITEM, {"page_size": 10, "item_sku": rows[0]["sku"], "item_name": "zzz"}
    )
    assert by_sku["item_id_list"] == [item_id]
    assert by_sku["next_offset"] == ""
    word = "Kopi"
    first = shopee.ok(SEARCH_ITEM, {"page_size": 5, "item_name": word})
    expected = {int(r["item_id"]) for r in shopee.truth() if word.lower() in r["title"].lower()}
    assert first["total_count"] >= len(first["item_id_list"])
    seen = list(first["item_id_list"])
    cursor = first["next_offset"]
    while cursor:
        assert isinstance(cursor, str)
        page = shopee.ok(SEARCH_ITEM, {"page_size": 5, "item_name": word, "offset": cursor})
        seen += page["item_id_list"]
        cursor = page["next_offset"]
    assert len(seen) == first["total_count"]
    assert set(seen) <= expected


def test_search_needs_a_keyword(shopee: RawShopee) -> None:
    """ "request must set one of [item_name,attribute_status]"."""
    body = shopee.get(SEARCH_ITEM, {"page_size": 10}).json()
    assert body["message"] == "request must set one of [item_name,attribute_status]"


def test_item_limit_reports_price_and_stock_bounds(shopee: RawShopee) -> None:
    """Clients read the price_limit and stock_limit before updating (stock-price guide)."""
    limits = shopee.ok(ITEM_LIMIT)
    assert limits["price_limit"]["min_limit"] < limits["price_limit"]["max_limit"]
    assert limits["stock_limit"]["max_limit"] > 0


@pytest.mark.parametrize(
    "kind", ["fractional_price", "string_price", "missing_name", "negative_stock"]
)
def test_malformed_items_break_the_schema_for_that_item_only(shopee: RawShopee, kind: str) -> None:
    """The control API's ``malform`` corrupts one item's payload; its neighbours stay valid."""
    bad, _ = pick_item(shopee, models=False)
    good = next(
        int(r["item_id"])
        for r in shopee.truth()
        if r["model_id"] == "" and int(r["item_id"]) != bad
    )
    shopee.mutate("malform", item_id=bad, kind=kind)
    items = {item["item_id"]: item for item in base_info(shopee, bad, good)}
    broken, fine = items[bad], items[good]
    assert isinstance(fine["price_info"][0]["original_price"], int)
    assert "item_name" in fine
    if kind == "fractional_price":
        assert broken["price_info"][0]["original_price"] % 1 == 0.5
    elif kind == "string_price":
        assert isinstance(broken["price_info"][0]["original_price"], str)
    elif kind == "missing_name":
        assert "item_name" not in broken
    else:
        assert broken["stock_info_v2"]["seller_stock"][0]["stock"] < 0
    assert shopee.control("GET", "truth")["malformed"] == [str(bad)]
