"""``update_price``, ``update_stock``, ``unlist_item``, ``delete_item``: per-row results with the
official failed_reason strings, batch limits, and read-back through the read APIs."""

from __future__ import annotations

from typing import Any

from tests.sandbox.shopee_raw import (
    BASE_INFO,
    DELETE_ITEM,
    ITEM_LIST,
    MODEL_LIST,
    UNLIST_ITEM,
    UPDATE_PRICE,
    UPDATE_STOCK,
    RawShopee,
    pick_item,
)

LOCATION_MISMATCH = (
    "The location_id input is not matched the shop's location_id(more/wrong). Please double check."
)


def item_info(shopee: RawShopee, item_id: int) -> dict[str, Any]:
    return dict(shopee.ok(BASE_INFO, {"item_id_list": item_id})["item_list"][0])


def models(shopee: RawShopee, item_id: int) -> dict[int, dict[str, Any]]:
    return {m["model_id"]: m for m in shopee.ok(MODEL_LIST, {"item_id": item_id})["model"]}


def test_price_of_an_item_without_models_is_read_back(shopee: RawShopee) -> None:
    """model_id 0 (or absent) for an item without models; update_time moves to now."""
    item_id, _ = pick_item(shopee, models=False)
    shopee.advance(60)
    response = shopee.ok(
        UPDATE_PRICE, body={"item_id": item_id, "price_list": [{"original_price": 123_500}]}
    )
    assert response == {
        "success_list": [{"model_id": 0, "original_price": 123_500}],
        "failure_list": [],
    }
    item = item_info(shopee, item_id)
    assert item["price_info"][0]["original_price"] == 123_500
    assert abs(item["update_time"] - shopee.now()) <= 2


def test_prices_of_several_models_in_one_call(shopee: RawShopee) -> None:
    """One item per call, many models; get_model_list shows the new prices."""
    item_id, rows = pick_item(shopee, models=True)
    prices = [
        {"model_id": int(row["model_id"]), "original_price": 50_000 + i * 1_000}
        for i, row in enumerate(rows)
    ]
    response = shopee.ok(UPDATE_PRICE, body={"item_id": item_id, "price_list": prices})
    assert response["failure_list"] == []
    assert len(response["success_list"]) == len(rows)
    current = models(shopee, item_id)
    for row in prices:
        assert current[row["model_id"]]["price_info"][0]["original_price"] == row["original_price"]


def test_price_rows_fail_one_by_one_with_official_reasons(shopee: RawShopee) -> None:
    """Wrong model, item-level price on a model item, fractions and bounds fail per row."""
    item_id, rows = pick_item(shopee, models=True)
    good = int(rows[0]["model_id"])
    body = {
        "item_id": item_id,
        "price_list": [
            {"model_id": good, "original_price": 77_000},
            {"model_id": 999, "original_price": 10_000},
            {"model_id": 0, "original_price": 10_000},
            {"model_id": int(rows[1]["model_id"]), "original_price": 10_000.5},
        ],
    }
    response = shopee.ok(UPDATE_PRICE, body=body)
    assert response["success_list"] == [{"model_id": good, "original_price": 77_000}]
    assert response["failure_list"] == [
        {"model_id": 999, "failed_reason": "Wrong model_id."},
        {"model_id": 0, "failed_reason": "Can't edit item price directly while item has models."},
        {
            "model_id": int(rows[1]["model_id"]),
            "failed_reason": "Invalid price, please use the correct format",
        },
    ]
    low = shopee.ok(
        UPDATE_PRICE,
        body={"item_id": item_id, "price_list": [{"model_id": good, "original_price": 1}]},
    )
    assert low["failure_list"][0]["failed_reason"] == "Original_price is less than min price limit."


def test_price_cannot_change_under_promotion(shopee: RawShopee) -> None:
    """ "Original_price cannot be edited when item is under promotion." (model: its own string)."""
    item_id, _ = pick_item(shopee, models=False, promoted=True)
    response = shopee.ok(
        UPDATE_PRICE,
        body={"item_id": item_id, "price_list": [{"model_id": 0, "original_price": 99_000}]},
    )
    assert response["failure_list"] == [
        {
            "model_id": 0,
            "failed_reason": "Original_price cannot be edited when item is under promotion.",
        }
    ]
    item_id, rows = pick_item(shopee, models=True)
    model_id = int(rows[0]["model_id"])
    shopee.mutate("promote", item_id=item_id, model_id=model_id)
    body = {"item_id": item_id, "price_list": [{"model_id": model_id, "original_price": 99_000}]}
    reason = shopee.ok(UPDATE_PRICE, body=body)["failure_list"][0]["failed_reason"]
    assert reason == "Price cannot be changed when model is under promotion."


def test_batch_limits_and_repeats_are_refused_whole(shopee: RawShopee) -> None:
    """price_list/stock_list 1..50; a repeated model_id is "Repeat model_id."."""
    item_id, _ = pick_item(shopee, models=False)
    too_many = [{"model_id": i, "original_price": 1000} for i in range(51)]
    body = shopee.post(UPDATE_PRICE, {"item_id": item_id, "price_list": too_many}).json()
    assert body["error"] == "error_param"
    body = shopee.post(UPDATE_PRICE, {"item_id": item_id, "price_list": []}).json()
    assert body["message"] == "invalid field PriceList: value must  Not Null"
    repeat = [{"model_id": 0, "original_price": 1000}] * 2
    body = shopee.post(UPDATE_PRICE, {"item_id": item_id, "price_list": repeat}).json()
    assert (body["error"], body["message"]) == ("error_param", "Repeat model_id.")
    body = shopee.post(UPDATE_STOCK, {"stock_list": [{"seller_stock": [{"stock": 1}]}]}).json()
    assert body["message"] == "invalid field ItemId: value must  Not Null"
    body = shopee.post(
        UPDATE_PRICE, {"item_id": 1, "price_list": [{"original_price": 1000}]}
    ).json()
    assert (body["error"], body["message"]) == ("error_item_not_found", "Item_id is not found.")


def test_stock_is_read_back_and_reserved_stock_is_a_floor(shopee: RawShopee) -> None:
    """seller_stock is absolute; stock below reserved (promotion) stock fails that row."""
    item_id, rows = pick_item(shopee, models=False, promoted=True)
    reserved = rows[0]["reserved_stock"]
    ok = shopee.ok(
        UPDATE_STOCK,
        body={"item_id": item_id, "stock_list": [{"seller_stock": [{"stock": reserved + 40}]}]},
    )
    assert ok["success_list"] == [{"model_id": 0, "location_id": "IDZ", "stock": reserved + 40}]
    assert item_info(shopee, item_id)["stock_info_v2"]["seller_stock"][0]["stock"] == reserved + 40
    body = shopee.post(
        UPDATE_STOCK,
        {
            "item_id": item_id,
            "stock_list": [{"model_id": 0, "seller_stock": [{"stock": reserved - 1}]}],
        },
    ).json()
    assert (body["error"], body["message"]) == (
        "error_busi_update_stock_failed",
        "Update stock failed, please check failure_list for detailed reason",
    )
    assert body["response"]["failure_list"] == [
        {"model_id": 0, "failed_reason": "Can not update item with stock less than reserved stock"}
    ]


def test_stock_rows_fail_one_by_one(shopee: RawShopee) -> None:
    """Item-level stock on a model item, a foreign location and wrong models fail per row."""
    item_id, rows = pick_item(shopee, models=True)
    good = int(rows[0]["model_id"])
    body = {
        "item_id": item_id,
        "stock_list": [
            {"model_id": good, "seller_stock": [{"location_id": "IDZ", "stock": 17}]},
            {"model_id": 0, "seller_stock": [{"stock": 5}]},
            {
                "model_id": int(rows[1]["model_id"]),
                "seller_stock": [{"location_id": "SGZ", "stock": 5}],
            },
            {"model_id": 31337, "seller_stock": [{"stock": 5}]},
        ],
    }
    response = shopee.ok(UPDATE_STOCK, body=body)
    assert response["success_list"] == [{"model_id": good, "location_id": "IDZ", "stock": 17}]
    assert [row["failed_reason"] for row in response["failure_list"]] == [
        "Can't to edit item stock directly while item has models.",
        LOCATION_MISMATCH,
        "Wrong model_id.",
    ]
    assert models(shopee, item_id)[good]["stock_info_v2"]["seller_stock"][0]["stock"] == 17


def test_unlist_and_relist_per_row(shopee: RawShopee) -> None:
    """unlist true/false moves NORMAL <-> UNLIST; banned items fail with the official reason."""
    listed, _ = pick_item(shopee, models=False)
    banned, _ = pick_item(shopee, models=False, status="BANNED")
    body = {"item_list": [{"item_id": listed, "unlist": True}, {"item_id": banned, "unlist": True}]}
    response = shopee.ok(UNLIST_ITEM, body=body)
    assert response["success_list"] == [{"item_id": listed, "unlist": True}]
    assert response["failure_list"] == [
        {"item_id": banned, "failed_reason": "Banned and Reviewing Products cannot be delisted"}
    ]
    assert item_info(shopee, listed)["item_status"] == "UNLIST"
    shopee.ok(UNLIST_ITEM, body={"item_list": [{"item_id": listed, "unlist": False}]})
    assert item_info(shopee, listed)["item_status"] == "NORMAL"


def test_unlist_refuses_promoted_items_and_reports_all_failed(shopee: RawShopee) -> None:
    """Every row failed: error_unlist_item_all_failed, with the lists still in response."""
    promoted, _ = pick_item(shopee, models=False, promoted=True)
    body = shopee.post(UNLIST_ITEM, {"item_list": [{"item_id": promoted, "unlist": True}]}).json()
    assert (body["error"], body["message"]) == (
        "error_unlist_item_all_failed",
        "Unlist item all failed.",
    )
    assert (
        body["response"]["failure_list"][0]["failed_reason"]
        == "Can't unlist item when item is under promotion"
    )
    too_many = [{"item_id": promoted, "unlist": True}] * 51
    assert shopee.post(UNLIST_ITEM, {"item_list": too_many}).json()["error"] == "error_param"


def test_delete_marks_seller_delete_and_freezes_the_item(shopee: RawShopee) -> None:
    """Deleted items stay readable (90 days) as SELLER_DELETE and refuse edits."""
    item_id, _ = pick_item(shopee, models=False)
    body = shopee.post(DELETE_ITEM, {"item_id": item_id}).json()
    assert body["error"] == ""
    assert "response" not in body
    assert item_info(shopee, item_id)["item_status"] == "SELLER_DELETE"
    deleted = shopee.ok(ITEM_LIST, {"offset": 0, "page_size": 100, "item_status": "SELLER_DELETE"})
    assert item_id in [item["item_id"] for item in deleted["item"]]
    refused = shopee.post(
        UPDATE_STOCK, {"item_id": item_id, "stock_list": [{"seller_stock": [{"stock": 1}]}]}
    ).json()
    assert refused["error"] == "error_item_uneditable"
    again = shopee.post(DELETE_ITEM, {"item_id": item_id}).json()
    assert (again["error"], again["message"]) == ("error_item_not_found", "Item_id is not found.")
    truth = [r for r in shopee.truth() if r["item_id"] == str(item_id)]
    assert truth[0]["item_status"] == "SELLER_DELETE"


def test_a_partly_failed_batch_says_so_in_the_warning(shopee: RawShopee) -> None:
    """The guide: "some batch requests fail ... will be reflected in" ``warning``; [I] wording."""
    item_id, rows = pick_item(shopee, models=True)
    good = int(rows[0]["model_id"])
    mixed = {
        "item_id": item_id,
        "price_list": [
            {"model_id": good, "original_price": 66_000},
            {"model_id": 999, "original_price": 66_000},
        ],
    }
    assert "failure_list" in shopee.post(UPDATE_PRICE, mixed).json()["warning"]
    clean = {"item_id": item_id, "price_list": [{"model_id": good, "original_price": 67_000}]}
    assert shopee.post(UPDATE_PRICE, clean).json()["warning"] == ""
