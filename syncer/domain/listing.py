"""A Listing is one sellable unit on one shop: the binding between a marketplace record and us.

Adapters build Listings in their pure ``mapping`` module; the store upserts them; the content
hash decides whether a stored row must be rewritten.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from syncer.domain.status import ListingStatus


class ListingKey(NamedTuple):
    """A listing's identity within its shop. ``external_variant_id`` is "" without variants."""

    external_item_id: str
    external_variant_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Listing:
    external_item_id: str
    external_variant_id: str = ""
    seller_sku: str = ""
    title: str
    variant_name: str = ""
    price: int
    stock: int
    status: ListingStatus
    raw_status: str
    status_reason: str = ""
    image_url: str = ""
    remote_updated_at: datetime | None = None
    raw: Mapping[str, object] = field(default_factory=dict, compare=False)

    @property
    def key(self) -> ListingKey:
        return ListingKey(self.external_item_id, self.external_variant_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class QuarantinedItem:
    """An item the adapter could not map; the rest of its page goes through."""

    external_item_id: str
    reason: str


_SEPARATOR = "\x1f"


def content_hash(listing: Listing) -> str:
    """Hash of what a business cares about; equal hashes mean the stored row is up to date.

    The remote update time and raw payload are left out on purpose: Shopee bumps an item's
    update time when any of its models changes, which would rewrite every sibling model.
    """
    parts = (
        listing.seller_sku,
        listing.title,
        listing.variant_name,
        str(listing.price),
        str(listing.stock),
        listing.status.value,
        listing.raw_status,
        listing.status_reason,
        listing.image_url,
    )
    return hashlib.blake2b(_SEPARATOR.join(parts).encode(), digest_size=16).hexdigest()
