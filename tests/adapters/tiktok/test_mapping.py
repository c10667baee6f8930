"""Pure mapping over the official samples: one listing per SKU, whole rupiah, platform statuses."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.tiktok import mapping
from adapters.tiktok.push import distribute
from adapters.tiktok.status import normalize
from syncer.adapter import PayloadError
from syncer.domain import ListingStatus
from tests.adapters.tiktok.samples import response_sample


def _idr(product: dict[str, Any], amount: str = "15000") -> dict[str, Any]:
    """The official sample as an Indonesian seller would see it (the sample is in USD)."""
    product = copy.deepcopy(product)
    for sku in product["skus"]:
        sku["price"] = {"currency": "IDR", "tax_exclusive_price": amount, "sale_price": amount}
    return product


def _search_product() -> dict[str, Any]:
    product: dict[str, Any] = response_sample("search-products")["data"]["products"][0]
    return product


def test_the_official_usd_sample_is_refused_with_the_field_named() -> None:
    """A USD product in an Indonesian shop is a wrong payload, not a price to convert."""
    with pytest.raises(PayloadError, match=r"price\.currency.*IDR"):
        mapping.product_listings(_search_product(), detail=False)


def test_a_search_entry_maps_to_one_listing_per_sku_with_string_ids() -> None:
    """The search sample: ids as strings, price and stock, both storefronts in status and raw."""
    (listing,) = mapping.product_listings(_idr(_search_product()), detail=False)
    assert listing.key == ("1729592969712207008", "1729592969712207012")
    assert (listing.seller_sku, listing.title) == ("Color-Red-XM01", "Short Boat Invisible Socks")
    assert (listing.price, listing.stock) == (15_000, 999)
    # The SKU is deactivated by the platform while the product is live on TikTok Shop.
    assert listing.status is ListingStatus.BANNED
    assert (
        listing.raw_status == "TIKTOK_SHOP:ACTIVATE,TOKOPEDIA:PLATFORM_DEACTIVATED/SKU:DEACTIVATED"
    )
    assert "live on TikTok Shop" in listing.status_reason
    assert "Tokopedia" in listing.status_reason
    product_raw = listing.raw["product"]
    assert isinstance(product_raw, dict)
    assert product_raw["listing_platforms"] == ["TIKTOK_SHOP", "TOKOPEDIA"]
    assert product_raw["integrated_platform_statuses"] == [
        {"platform": "TOKOPEDIA", "status": "PLATFORM_DEACTIVATED"}
    ]
    assert listing.remote_updated_at is not None
    assert int(listing.remote_updated_at.timestamp()) == 1234567800


def test_get_product_uses_sale_price_and_names_variants() -> None:
    """Get Product: ``sale_price`` is every seller's display price; sales attributes name SKUs."""
    product = response_sample("get-product")["data"]
    product = _idr(product, "25900")
    product["skus"].append(copy.deepcopy(product["skus"][0]) | {"id": "2"})
    listings = mapping.product_listings(product, detail=True)
    assert [listing.price for listing in listings] == [25_900, 25_900]
    names = [
        attribute["value_name"] for attribute in product["skus"][0].get("sales_attributes", [])
    ]
    assert listings[0].variant_name == " / ".join(names)


@pytest.mark.parametrize(
    ("amount", "words"),
    [("15000.50", "fraction"), ("Rp15.000", "not a number"), ("-1", "outside"), ("", "none of")],
)
def test_bad_prices_are_refused_clearly(amount: str, words: str) -> None:
    with pytest.raises(PayloadError, match=words):
        mapping.product_listings(_idr(_search_product(), amount), detail=False)


def test_whole_decimal_strings_with_zero_fraction_are_accepted() -> None:
    """``"15000.00"`` is still whole rupiah."""
    (listing,) = mapping.product_listings(_idr(_search_product(), "15000.00"), detail=False)
    assert listing.price == 15_000


@pytest.mark.parametrize(
    ("platforms", "stock", "status", "reason"),
    [
        (
            {"TIKTOK_SHOP": "ACTIVATE", "TOKOPEDIA": "ACTIVATE"},
            3,
            ListingStatus.ACTIVE,
            "Live on TikTok Shop and Tokopedia",
        ),
        (
            {"TIKTOK_SHOP": "ACTIVATE"},
            3,
            ListingStatus.ACTIVE,
            "Live on TikTok Shop; not listed on Tokopedia",
        ),
        (
            {"TOKOPEDIA": "ACTIVATE"},
            3,
            ListingStatus.ACTIVE,
            "Live on Tokopedia; not listed on TikTok Shop",
        ),
        (
            {"TIKTOK_SHOP": "SELLER_DEACTIVATED", "TOKOPEDIA": "ACTIVATE"},
            3,
            ListingStatus.ACTIVE,
            "Live on Tokopedia; deactivated by the seller on TikTok Shop",
        ),
        (
            {"TIKTOK_SHOP": "ACTIVATE", "TOKOPEDIA": "ACTIVATE"},
            0,
            ListingStatus.OUT_OF_STOCK,
            "No stock left",
        ),
        ({"TIKTOK_SHOP": "PENDING"}, 3, ListingStatus.UNDER_REVIEW, "Under review on TikTok Shop"),
        (
            {"TIKTOK_SHOP": "FREEZE", "TOKOPEDIA": "FREEZE"},
            3,
            ListingStatus.BANNED,
            "Frozen by the platform on",
        ),
        ({"TIKTOK_SHOP": "FAILED"}, 3, ListingStatus.REJECTED, "Rejected in review"),
        ({"TIKTOK_SHOP": "DRAFT"}, 3, ListingStatus.DRAFT, "A draft"),
        (
            {"TIKTOK_SHOP": "DELETED", "TOKOPEDIA": "DELETED"},
            3,
            ListingStatus.DELETED,
            "Deleted on",
        ),
        (
            {"TIKTOK_SHOP": "SOMETHING_NEW"},
            3,
            ListingStatus.INACTIVE,
            "Unrecognized TikTok Shop status",
        ),
    ],
)
def test_statuses_say_where_the_product_is_live(
    platforms: dict[str, str], stock: int, status: ListingStatus, reason: str
) -> None:
    assert normalize(platforms, stock=stock)[0] is status
    assert normalize(platforms, stock=stock)[1].startswith(reason)


def test_a_switched_off_sku_of_a_live_product() -> None:
    live = {"TIKTOK_SHOP": "ACTIVATE"}
    assert (
        normalize(live, sku_status="DEACTIVATED", sku_source="SELLER", stock=4)[0]
        is ListingStatus.INACTIVE
    )
    assert (
        normalize(live, sku_status="DEACTIVATED", sku_source="PLATFORM", stock=4)[0]
        is ListingStatus.BANNED
    )


def test_detail_is_needed_only_where_search_lacks_fields() -> None:
    entry = _idr(_search_product())
    assert not mapping.needs_detail(entry)
    several = copy.deepcopy(entry)
    several["skus"].append(copy.deepcopy(entry["skus"][0]))
    assert mapping.needs_detail(several)  # variant names are not in search
    untitled = {key: value for key, value in entry.items() if key != "title"}
    assert mapping.needs_detail(untitled)
    assert mapping.needs_detail(entry | {"skus": [{"id": "1", "seller_sku": "X"}]})


def test_a_negative_warehouse_quantity_is_refused() -> None:
    entry = _idr(_search_product())
    entry["skus"][0]["inventory"][0]["quantity"] = -5
    with pytest.raises(PayloadError, match="negative"):
        mapping.product_listings(entry, detail=False)


@given(st.integers(min_value=0, max_value=100_000_000))
def test_whole_rupiah_strings_round_trip(amount: int) -> None:
    sku = {"price": {"currency": "IDR", "tax_exclusive_price": str(amount)}}
    assert mapping.price_of(sku) == amount


@given(st.integers(min_value=0, max_value=10**8), st.integers(min_value=1, max_value=99))
def test_fractional_rupiah_is_never_rounded(amount: int, cents: int) -> None:
    sku = {"price": {"currency": "IDR", "tax_exclusive_price": f"{amount}.{cents:02d}"}}
    with pytest.raises(PayloadError, match="fraction"):
        mapping.price_of(sku)


@given(
    st.integers(min_value=0, max_value=200_000),
    st.lists(st.integers(min_value=0, max_value=99_999), min_size=1, max_size=4),
)
def test_stock_is_spread_over_every_warehouse_of_the_sku(
    target: int, quantities: list[int]
) -> None:
    """The update names every warehouse, sums to the target, and moves as little as it can."""
    current = [(f"w{index}", quantity) for index, quantity in enumerate(quantities)]
    result = distribute(target, current)
    assert [warehouse for warehouse, _ in result] == [warehouse for warehouse, _ in current]
    assert sum(quantity for _, quantity in result) == target
    assert all(quantity >= 0 for _, quantity in result)
    if target >= sum(quantities):
        assert result[1:] == current[1:]
    assert distribute(sum(quantities), current) == current
