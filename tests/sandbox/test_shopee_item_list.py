"""``v2.product.get_item_list``: offset paging, status and update-time filters, order, limits."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from adapters.shopee.sandbox import ShopeeSandbox, ShopeeSandboxSettings
from syncer.sandbox import SandboxServer
from tests.sandbox.shopee_raw import ALL_STATUSES, ITEM_LIST, RawShopee


def walk(shopee: RawShopee, page_size: int = 100, **filters: Any) -> list[dict[str, Any]]:
    """Every item through offset/next_offset until has_next_page is false."""
    items: list[dict[str, Any]] = []
    offset = 0
    while True:
        params = {"offset": offset, "page_size": page_size, **filters}
        response = shopee.ok(ITEM_LIST, params)
        assert len(response["item"]) <= page_size
        items += response["item"]
        if not response["has_next_page"]:
            assert response["total_count"] == len(items)
            return items
        assert response["next_offset"] == offset + page_size
        offset = response["next_offset"]


def truth_items(shopee: RawShopee, statuses: set[str]) -> dict[int, dict[str, Any]]:
    return {int(r["item_id"]): r for r in shopee.truth() if r["item_status"] in statuses}


def test_paging_returns_every_item_once_newest_first(shopee: RawShopee) -> None:
    """All statuses, pages of 37: each item once, update_time desc then item_id desc."""
    items = walk(shopee, 37, item_status=ALL_STATUSES)
    ids = [item["item_id"] for item in items]
    assert len(ids) == len(set(ids))
    expected = truth_items(shopee, set(ALL_STATUSES))
    assert set(ids) == set(expected)
    keys = [(item["update_time"], item["item_id"]) for item in items]
    assert keys == sorted(keys, reverse=True)
    for item in items:
        assert item["update_time"] == expected[item["item_id"]]["update_time"]
        assert item["item_status"] == expected[item["item_id"]]["item_status"]
        assert item["tag"] == {"kit": False}


@pytest.mark.parametrize(
    "statuses", [["NORMAL"], ["UNLIST", "BANNED"], ["NORMAL", "REVIEWING", "SELLER_DELETE"]]
)
def test_status_filter_keeps_only_those_statuses(shopee: RawShopee, statuses: list[str]) -> None:
    """item_status is a list; only items in one of those statuses come back."""
    items = walk(shopee, 25, item_status=statuses)
    assert {item["item_id"] for item in items} == set(truth_items(shopee, set(statuses)))


def test_array_params_accept_repeated_comma_and_bracket_forms(shopee: RawShopee) -> None:
    """``item_status=A&item_status=B``, ``A,B`` and ``[A,B]`` mean the same."""
    base = {"offset": 0, "page_size": 100}
    repeated = shopee.ok(ITEM_LIST, {**base, "item_status": ["NORMAL", "UNLIST"]})
    comma = shopee.ok(ITEM_LIST, {**base, "item_status": "NORMAL,UNLIST"})
    bracket = shopee.ok(ITEM_LIST, {**base, "item_status": "[NORMAL,UNLIST]"})
    assert repeated["total_count"] == comma["total_count"] == bracket["total_count"]
    assert repeated["item"] == comma["item"] == bracket["item"]


def test_update_time_filters_are_inclusive(shopee: RawShopee) -> None:
    """Items with update_time_from <= update_time <= update_time_to."""
    items = walk(shopee, item_status=ALL_STATUSES)
    times = sorted(item["update_time"] for item in items)
    low, high = times[len(times) // 4], times[len(times) // 2]
    window = walk(shopee, item_status=ALL_STATUSES, update_time_from=low, update_time_to=high)
    expected = {item["item_id"] for item in items if low <= item["update_time"] <= high}
    assert {item["item_id"] for item in window} == expected
    only_from = walk(shopee, item_status=ALL_STATUSES, update_time_from=high)
    assert {i["item_id"] for i in only_from} == {
        i["item_id"] for i in items if i["update_time"] >= high
    }
    same = walk(shopee, item_status=ALL_STATUSES, update_time_from=low, update_time_to=low)
    assert {i["update_time"] for i in same} == {low}


def test_update_time_to_before_from_is_refused(shopee: RawShopee) -> None:
    """error_update_time_range with the official message."""
    params = {"offset": 0, "page_size": 10, "item_status": "NORMAL"}
    body = shopee.get(ITEM_LIST, {**params, "update_time_from": 200, "update_time_to": 100}).json()
    assert (body["error"], body["message"]) == (
        "error_update_time_range",
        "Update_time_to should be later than update_time_from.",
    )


@pytest.mark.parametrize("page_size", [0, 101, -1])
def test_page_size_must_be_1_to_100(shopee: RawShopee, page_size: int) -> None:
    """page_size limits [1,100]."""
    body = shopee.get(
        ITEM_LIST, {"offset": 0, "page_size": page_size, "item_status": "NORMAL"}
    ).json()
    assert body["error"] == "error_param"
    assert body["message"].startswith("Wrong parameters, detail: ")


def test_page_size_100_is_allowed_and_offsets_past_the_end_are_empty(shopee: RawShopee) -> None:
    """The maximum page size works; an offset beyond total_count gives no items."""
    first = shopee.ok(ITEM_LIST, {"offset": 0, "page_size": 100, "item_status": ALL_STATUSES})
    assert len(first["item"]) == 100
    total = first["total_count"]
    beyond = shopee.ok(
        ITEM_LIST, {"offset": total + 5, "page_size": 100, "item_status": ALL_STATUSES}
    )
    assert beyond["item"] == []
    assert beyond["has_next_page"] is False
    assert beyond["total_count"] == total


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page_size": 10, "item_status": "NORMAL"}, "invalid field Offset: value must  Not Null"),
        ({"offset": 0, "item_status": "NORMAL"}, "invalid field PageSize: value must  Not Null"),
        ({"offset": 0, "page_size": 10}, "invalid field ItemStatus: value must  Not Null"),
    ],
)
def test_required_params_are_named_when_missing(
    shopee: RawShopee, params: dict[str, Any], message: str
) -> None:
    """offset, page_size and item_status are required."""
    body = shopee.get(ITEM_LIST, params).json()
    assert (body["error"], body["message"]) == ("product.error_param", message)


def test_unknown_item_status_is_refused(shopee: RawShopee) -> None:
    """error_param_item_status / "Item status error."."""
    body = shopee.get(ITEM_LIST, {"offset": 0, "page_size": 10, "item_status": "LIVE"}).json()
    assert (body["error"], body["message"]) == ("error_param_item_status", "Item status error.")


def test_a_changed_item_moves_to_the_front(shopee: RawShopee) -> None:
    """A mutation bumps update_time to the sandbox clock, so the item is first in the list."""
    oldest = walk(shopee, item_status=["NORMAL"])[-1]["item_id"]
    row = next(row for row in shopee.truth() if row["item_id"] == str(oldest))
    shopee.mutate("set_stock", item_id=oldest, model_id=int(row["model_id"] or 0), stock=3)
    first = shopee.ok(ITEM_LIST, {"offset": 0, "page_size": 1, "item_status": "NORMAL"})["item"][0]
    assert first["item_id"] == oldest
    assert abs(first["update_time"] - shopee.now()) <= 2


def test_order_and_offset_cap_are_settings() -> None:
    """Oldest-first order and an offset cap ("offset over limit") can be configured."""
    settings = ShopeeSandboxSettings(item_list_order="update_time_asc", max_item_list_offset=200)
    sandbox = ShopeeSandbox(seed=4, listings=300, settings=settings)
    with SandboxServer(sandbox.app) as server, httpx.Client(base_url=server.base_url) as client:
        shopee = RawShopee(client, sandbox.credentials())
        page = shopee.ok(ITEM_LIST, {"offset": 0, "page_size": 100, "item_status": ALL_STATUSES})
        keys = [(item["update_time"], item["item_id"]) for item in page["item"]]
        assert keys == sorted(keys)
        body = shopee.get(
            ITEM_LIST, {"offset": 150, "page_size": 100, "item_status": "NORMAL"}
        ).json()
        assert body["message"] == "get items offset over limit, please use the next field"
