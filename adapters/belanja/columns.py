"""The Belanja.com product feed and update feed: columns and value rules (our documented format).

Belanja.com publishes no seller API (marketplaces/README.md section 5), so these are the columns
of the feed adapter proposal there [I]; the value limits below are ours as well [I].
"""

from __future__ import annotations

FEED_COLUMNS: tuple[str, ...] = (
    "seller_sku",
    "parent_sku",
    "name",
    "description",
    "category_path",
    "brand",
    "price_idr",
    "sale_price_idr",
    "stock",
    "weight_g",
    "length_cm",
    "width_cm",
    "height_cm",
    "image_urls",
    "variant_attributes",
    "status",
    "updated_at",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("seller_sku", "name", "price_idr", "stock", "status")
"""A feed without one of these cannot be imported at all (the error names the missing ones)."""

UPDATE_COLUMNS: tuple[str, ...] = ("seller_sku", "price_idr", "stock", "status")
"""What an update feed may carry: ``seller_sku`` plus any of the others; an empty cell leaves
that value unchanged."""

STATUSES = ("active", "inactive")
"""Statuses an update feed may set."""
FEED_STATUSES = ("active", "inactive", "deleted")
"""Statuses a product feed may show; ``deleted`` marks a tombstone row, kept for a while so an
incremental import sees the deletion [I] (a full import also treats absence as deletion)."""
MIN_PRICE_IDR = 100  # [I] the floor Tokopedia and TikTok use for IDR
MAX_PRICE_IDR = 100_000_000  # [I] likewise
MAX_STOCK = 999_999  # [I]
MAX_SKU_LENGTH = 100  # [I]
IMAGE_SEPARATOR = "|"
