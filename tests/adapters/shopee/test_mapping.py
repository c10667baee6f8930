"""Mapping over the official response samples, and round trips over generated payloads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.shopee import mapping
from syncer.adapter import PayloadError
from syncer.domain import ListingStatus
from tests.adapters.shopee.samples import response_sample


def test_official_model_list_sample_lacks_the_required_model_id() -> None:
    """The sample omits ``model_id`` although the field table marks it required: quarantine."""
    item = response_sample("v2.product.get_item_base_info")["response"]["item_list"][0]
    models = response_sample("v2.product.get_model_list")["response"]
    with pytest.raises(PayloadError, match="model_id"):
        mapping.model_listings(item, models)


def test_official_model_list_sample_maps_to_one_listing_per_model() -> None:
    item = response_sample("v2.product.get_item_base_info")["response"]["item_list"][0]
    models = response_sample("v2.product.get_model_list")["response"]
    models["model"][0] |= {"model_id": 2000123, "tier_index": [0]}  # both absent in the sample
    [listing] = mapping.model_listings(item, models)
    assert listing.external_variant_id == "2000123"
    assert listing.external_item_id == "34002"  # ids become strings
    assert listing.seller_sku == "blue bag"
    assert listing.title == "seller discount"
    assert listing.variant_name == "testsku1"
    assert listing.price == 100
    assert listing.stock == 0
    assert listing.status is ListingStatus.OUT_OF_STOCK  # NORMAL item, no seller stock
    assert listing.raw_status == "NORMAL/MODEL_NORMAL"
    assert listing.remote_updated_at == datetime.fromtimestamp(1600572640, UTC)


def test_official_base_info_sample_with_fractional_price_is_refused() -> None:
    """The sample is an SGD shop (122.02); an Indonesian listing must be whole rupiah."""
    item = dict(response_sample("v2.product.get_item_base_info")["response"]["item_list"][0])
    item["stock_info_v2"] = {"seller_stock": [{"stock": 5}]}
    with pytest.raises(PayloadError, match="fraction"):
        mapping.item_listing(item)


def test_official_item_list_sample_ids_and_statuses() -> None:
    body = response_sample("v2.product.get_item_list")["response"]
    assert [str(entry["item_id"]) for entry in body["item"]] == ["2500139861"]
    assert body["item"][0]["item_status"] in mapping.ITEM_STATUSES
    assert (body["has_next_page"], body["next_offset"]) == (True, 10)


@pytest.mark.parametrize(
    ("item_status", "model_status", "stock", "expected"),
    [
        ("NORMAL", "MODEL_NORMAL", 3, ListingStatus.ACTIVE),
        ("NORMAL", "MODEL_NORMAL", 0, ListingStatus.OUT_OF_STOCK),
        ("NORMAL", "MODEL_UNAVAILABLE", 3, ListingStatus.INACTIVE),
        ("UNLIST", "MODEL_NORMAL", 3, ListingStatus.INACTIVE),
        ("BANNED", "MODEL_NORMAL", 3, ListingStatus.BANNED),
        ("REVIEWING", "", 3, ListingStatus.UNDER_REVIEW),
        ("SELLER_DELETE", "", 3, ListingStatus.DELETED),
        ("SHOPEE_DELETE", "", 0, ListingStatus.DELETED),
        ("SOMETHING_NEW", "", 3, ListingStatus.INACTIVE),
    ],
)
def test_status_mapping_keeps_a_reason(
    item_status: str, model_status: str, stock: int, expected: ListingStatus
) -> None:
    status, reason = mapping.normalize_status(item_status, model_status, stock)
    assert status is expected
    if expected is not ListingStatus.ACTIVE:
        assert reason


def _item(item_id: int, price: int, stock: int, sku: str, name: str) -> dict[str, object]:
    return {
        "item_id": item_id,
        "item_name": name,
        "item_sku": sku,
        "item_status": "NORMAL",
        "update_time": 1_700_000_000,
        "has_model": False,
        "price_info": [{"currency": "IDR", "original_price": float(price), "current_price": price}],
        "stock_info_v2": {"seller_stock": [{"location_id": "IDZ", "stock": stock}]},
    }


@given(
    item_id=st.integers(min_value=1, max_value=2**63 - 1),
    price=st.integers(min_value=100, max_value=100_000_000),
    stock=st.integers(min_value=0, max_value=999_999),
    sku=st.text(max_size=40),
    name=st.text(min_size=1, max_size=120),
)
def test_item_round_trip_keeps_ids_money_and_stock(
    item_id: int, price: int, stock: int, sku: str, name: str
) -> None:
    """What the payload says is what the Listing holds: int64 ids as text, whole rupiah."""
    listing = mapping.item_listing(_item(item_id, price, stock, sku, name))
    assert (listing.external_item_id, listing.external_variant_id) == (str(item_id), "")
    assert (listing.price, listing.stock, listing.seller_sku, listing.title) == (
        price,
        stock,
        sku,
        name,
    )
    assert isinstance(listing.price, int)
    assert mapping.model_id_of(listing.external_variant_id) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("item_name", None, "item_name"),
        ("price_info", [{"original_price": "abc"}], "original_price"),
        ("price_info", [], "price_info"),
        ("stock_info_v2", None, "stock_info_v2"),
        ("item_id", None, "item_id"),
    ],
)
def test_malformed_items_name_the_bad_field(field: str, value: object, message: str) -> None:
    item = _item(1, 1000, 1, "S", "N")
    item[field] = value
    with pytest.raises(PayloadError, match=message):
        mapping.item_listing(item)


@given(st.lists(st.integers(min_value=1, max_value=2**40), min_size=1, max_size=3, unique=True))
def test_variant_ids_round_trip_to_model_ids(model_ids: list[int]) -> None:
    for model_id in model_ids:
        assert mapping.model_id_of(mapping.variant_id_of(model_id)) == model_id
