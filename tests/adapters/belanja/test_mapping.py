"""Pure mapping of feed rows: property round trips through the SDK's CSV writer and reader."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.belanja import mapping
from adapters.belanja.columns import MAX_PRICE_IDR, MAX_STOCK, MIN_PRICE_IDR
from syncer.adapter import read_feed, render_csv
from syncer.domain import ListingStatus

COLUMNS = ("seller_sku", "name", "price_idr", "stock", "status", "variant_attributes")
_text = (
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(bool)
)


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


@settings(max_examples=80, deadline=None)
@given(
    sku=_text,
    name=_text,
    price=st.integers(MIN_PRICE_IDR, MAX_PRICE_IDR),
    stock=st.integers(0, MAX_STOCK),
    status=st.sampled_from(["active", "inactive"]),
    options=st.dictionaries(_text, _text, max_size=2),
)
async def test_any_valid_row_written_as_csv_reads_back_as_the_same_listing(
    *, sku: str, name: str, price: int, stock: int, status: str, options: dict[str, str]
) -> None:
    attributes = json.dumps(options, ensure_ascii=False) if options else ""
    data = render_csv(COLUMNS, [[sku, name, str(price), str(stock), status, attributes]])
    [row] = [row async for row in read_feed(_one(data), "csv")]
    listing = mapping.listing_from_row(row.fields)
    assert (listing.seller_sku, listing.title, listing.price, listing.stock) == (
        sku,
        name,
        price,
        stock,
    )
    assert listing.variant_name == " / ".join(options.values())
    assert isinstance(listing.price, int)
    if status == "inactive":
        assert listing.status is ListingStatus.INACTIVE
    else:
        assert listing.status is (ListingStatus.ACTIVE if stock else ListingStatus.OUT_OF_STOCK)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("99", "price_idr must be in 100..100000000 rupiah, got 99"),
        ("12,500", "price_idr must be a whole number of rupiah, got '12,500'"),
        ("", "price_idr is empty; a whole number of rupiah is required"),
        (True, "price_idr must be a whole number of rupiah, got True"),
    ],
)
def test_prices_are_whole_rupiah_in_range(value: object, message: str) -> None:
    fields = {
        "seller_sku": "A",
        "name": "Kopi",
        "price_idr": value,
        "stock": "1",
        "status": "active",
    }
    with pytest.raises(mapping.RowError, match=re.escape(message)):
        mapping.listing_from_row(fields)


def test_json_lines_values_may_be_numbers_and_objects() -> None:
    fields = {
        "seller_sku": 123,
        "name": "Teh",
        "price_idr": 5_000,
        "stock": 2,
        "status": "ACTIVE",
        "variant_attributes": {"Rasa": "Melati"},
        "updated_at": "2025-02-01T10:00:00",
    }
    listing = mapping.listing_from_row(fields)
    assert (listing.external_item_id, listing.variant_name, listing.raw_status) == (
        "123",
        "Melati",
        "active",
    )
    assert listing.remote_updated_at is not None
    assert listing.remote_updated_at.utcoffset() == mapping.WIB.utcoffset(None)
