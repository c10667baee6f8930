"""The content hash decides rewrites: it moves with what a business sees, not with noise."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from syncer.domain import Listing, ListingStatus, content_hash


def listing(**changes: object) -> Listing:
    base = Listing(
        external_item_id="100",
        external_variant_id="7",
        seller_sku="KOPI-250",
        title="Kopi Arabika Gayo 250 gr",
        price=85_000,
        stock=12,
        status=ListingStatus.ACTIVE,
        raw_status="NORMAL/MODEL_NORMAL",
        remote_updated_at=datetime(2026, 1, 1, tzinfo=UTC),
        raw={"model": {"model_id": 7}},
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**6))
def test_hash_changes_with_price_or_stock(price: int, stock: int) -> None:
    original = listing()
    changed = listing(price=price, stock=stock)
    same = (price, stock) == (original.price, original.stock)
    assert (content_hash(original) == content_hash(changed)) == same


def test_hash_ignores_remote_update_time_and_raw_payload() -> None:
    """Shopee bumps the item's time when a sibling model changes; that alone is no change."""
    moved = listing(remote_updated_at=datetime(2027, 1, 1, tzinfo=UTC), raw={"other": 1})
    assert content_hash(moved) == content_hash(listing())


def test_hash_changes_with_status() -> None:
    banned = listing(status=ListingStatus.BANNED, raw_status="BANNED/MODEL_NORMAL")
    assert content_hash(banned) != content_hash(listing())
