"""Pure mapping: Blibli products and SKUs to Listings, statuses, money, and push verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.blibli import mapping
from adapters.blibli.mapping import Verdict
from syncer.adapter import JsonObject, PayloadError
from syncer.domain import ListingKey, ListingStatus

FIXTURES = Path(__file__).parents[2] / "fixtures" / "blibli"


def _load(name: str) -> JsonObject:
    data: JsonObject = json.loads((FIXTURES / name).read_text())
    return data


def _summary() -> JsonObject:
    content = _load("product_list.json")["content"]
    assert isinstance(content, list)
    first: JsonObject = content[0]
    return first


def _variants() -> list[JsonObject]:
    content = _load("variants.json")["content"]
    assert isinstance(content, list)
    return content


def test_one_listing_per_sku_with_the_products_title_and_image() -> None:
    listings = mapping.listings(_summary(), _variants())
    first, second = listings
    assert [x.key for x in listings] == [
        ListingKey("TOQ-60526-00001", "TOQ-60526-00001-00001"),
        ListingKey("TOQ-60526-00001", "TOQ-60526-00001-00002"),
    ]
    assert (first.title, first.seller_sku, first.variant_name) == (
        "Kopi Gayo Arabika 250 g",
        "KOPI-GAYO-250",
        "250 g",
    )
    assert first.image_url == "https://www.static-src.com/1.jpg"
    assert (first.price, first.stock, first.status) == (85_000, 34, ListingStatus.ACTIVE)
    assert first.remote_updated_at is not None
    assert int(first.remote_updated_at.timestamp() * 1000) == 1_700_000_000_123
    assert (second.price, second.stock, second.status) == (160_000, 0, ListingStatus.OUT_OF_STOCK)
    assert second.status_reason == "No stock left"
    assert second.raw["state"] == "ACTIVE"


@pytest.mark.parametrize(
    ("state", "buyable", "stock", "status", "reason_part"),
    [
        ("ACTIVE", True, 5, ListingStatus.ACTIVE, ""),
        ("ACTIVE", True, 0, ListingStatus.OUT_OF_STOCK, "No stock"),
        ("ACTIVE", False, 5, ListingStatus.INACTIVE, "not buyable"),
        ("OOS", True, 0, ListingStatus.OUT_OF_STOCK, "No stock"),
        ("ARCHIVED", True, 5, ListingStatus.INACTIVE, "Archived"),
        ("SUSPENDED", True, 5, ListingStatus.BANNED, "Suspended"),
        ("NEED_CORRECTION", True, 5, ListingStatus.REJECTED, "corrections"),
        ("IN_PROGRESS", True, 5, ListingStatus.UNDER_REVIEW, "reviewed"),
        ("PRE_LIVE", True, 5, ListingStatus.UNDER_REVIEW, "not live yet"),
        ("MYSTERY", True, 5, ListingStatus.INACTIVE, "Unrecognized Blibli state MYSTERY"),
    ],
)
def test_states_are_normalized_with_a_readable_reason(
    state: str, buyable: bool, stock: int, status: ListingStatus, reason_part: str
) -> None:
    normalized, reason, raw = mapping.normalize_status(state, buyable=buyable, stock=stock)
    assert normalized is status
    assert reason_part in reason
    assert raw == (state if buyable else f"{state}/buyable=false")


def test_stock_sums_pickup_points_and_buyable_is_any() -> None:
    variant = _variants()[1]
    assert mapping.variant_figures(variant) == (160_000, 0, True)


@pytest.mark.parametrize(
    ("regular", "message"),
    [("Rp 12.500", "is not a number"), (12_500.5, "has a fraction"), (None, "must be a number")],
)
def test_a_bad_price_names_the_field(regular: object, message: str) -> None:
    variant = json.loads(json.dumps(_variants()[0]))
    variant["pickupPoints"][0]["price"]["regular"] = regular
    with pytest.raises(PayloadError, match=r"pickupPoints\[0\].price.regular") as caught:
        mapping.listings(_summary(), [variant])
    assert message in str(caught.value)


def test_a_sku_without_pickup_points_or_a_product_without_skus_is_refused() -> None:
    variant = dict(_variants()[0])
    variant["pickupPoints"] = []
    with pytest.raises(PayloadError, match="pickupPoints"):
        mapping.listings(_summary(), [variant])
    with pytest.raises(PayloadError, match="no SKUs"):
        mapping.listings(_summary(), [])


@given(price=st.integers(min_value=0, max_value=10**9), stock=st.integers(0, 10**6))
def test_whole_rupiah_in_whole_rupiah_out(price: int, stock: int) -> None:
    variant = json.loads(json.dumps(_variants()[0]))
    variant["pickupPoints"][0]["price"]["regular"] = float(price)
    variant["pickupPoints"][0]["stock"]["available"] = stock
    (listing,) = mapping.listings(_summary(), [variant])
    assert (listing.price, listing.stock) == (price, stock)
    assert isinstance(listing.price, int)


def test_queue_verdicts_and_row_results() -> None:
    detail: JsonObject = {
        "items": [
            {"gdnSku": "A-1", "success": True, "errorMessage": ""},
            {"gdnSku": "A-2", "success": False, "errorMessage": "Price is locked"},
            {"gdnSku": "B-1", "success": False, "errorMessage": ""},
        ]
    }
    verdicts = mapping.queue_verdicts(detail)
    assert verdicts == {
        "A-1": Verdict(),
        "A-2": Verdict("Price is locked"),
        "B-1": Verdict("rejected by Blibli"),
    }
    rows = [
        (ListingKey("A", "A-1"), ["A-1"]),
        (ListingKey("A", "A-2"), ["A-2"]),
        (ListingKey("A", ""), ["A-1", "A-2"]),
        (ListingKey("C", "C-1"), ["C-1"]),
    ]
    results = mapping.row_results(rows, verdicts)
    assert [(r.ok, r.reason, r.retriable) for r in results] == [
        (True, "", False),
        (False, "Price is locked", False),
        (False, "A-2: Price is locked", False),
        (False, "Blibli's queue did not report on C-1", True),
    ]
