"""Pure mapping between Belanja.com feed rows and Listings (one Listing per ``seller_sku``).

A row is the feed's unit: ``seller_sku`` is the item id (the key the update feed uses too) and
``parent_sku`` only groups variants for people. CSV rows carry text, JSON Lines rows JSON values;
both go through the same checks, and every refusal says which column and what is allowed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

from adapters.belanja.columns import (
    FEED_STATUSES,
    IMAGE_SEPARATOR,
    MAX_PRICE_IDR,
    MAX_SKU_LENGTH,
    MAX_STOCK,
    MIN_PRICE_IDR,
)
from syncer.domain import Listing, ListingStatus, MoneyError, rupiah_from_number

WIB = timezone(timedelta(hours=7), "WIB")
INACTIVE_REASON = "Set inactive in the Belanja.com feed"
NO_STOCK_REASON = "No stock left"
DELETED_REASON = "Deleted from the Belanja.com feed"

Fields = Mapping[str, object]


class RowError(ValueError):
    """A row that cannot be mapped; the message names the column and what is allowed."""


def _cell(fields: Fields, column: str) -> object:
    value = fields.get(column)
    return value.strip() if isinstance(value, str) else value


def _blank(value: object) -> bool:
    return value is None or value == ""


def seller_sku(fields: Fields) -> str:
    """The row's key: non-empty text of at most ``MAX_SKU_LENGTH`` characters, no line breaks."""
    value = _cell(fields, "seller_sku")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise RowError("seller_sku is empty; every row needs its seller SKU")
    if len(value) > MAX_SKU_LENGTH or "\n" in value or "\r" in value:
        raise RowError(f"seller_sku must be one line of at most {MAX_SKU_LENGTH} characters")
    return value


def whole_number(fields: Fields, column: str, *, low: int, high: int) -> int | None:
    """An optional integer column in ``low..high`` (blank gives None)."""
    value = _cell(fields, column)
    if _blank(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RowError(f"{column} must be a whole number, got {value!r}")
    text = str(value)
    if not text.lstrip("-").isdigit():
        raise RowError(f"{column} must be a whole number, got {value!r}")
    number = int(text)
    if not low <= number <= high:
        raise RowError(f"{column} must be in {low}..{high}, got {number}")
    return number


def rupiah(fields: Fields, column: str, *, required: bool) -> int | None:
    """Whole rupiah in the allowed price range; ``Rp12.500`` or ``12500.5`` are refused."""
    value = _cell(fields, column)
    if _blank(value):
        if required:
            raise RowError(f"{column} is empty; a whole number of rupiah is required")
        return None
    try:
        amount = rupiah_from_number(value)
    except MoneyError as exc:
        raise RowError(f"{column} must be a whole number of rupiah, got {value!r} ({exc})") from exc
    if not MIN_PRICE_IDR <= amount <= MAX_PRICE_IDR:
        raise RowError(f"{column} must be in {MIN_PRICE_IDR}..{MAX_PRICE_IDR} rupiah, got {amount}")
    return amount


def status_of(fields: Fields) -> str:
    value = _cell(fields, "status")
    text = value.lower() if isinstance(value, str) else value
    if text not in FEED_STATUSES:
        raise RowError(f"status must be one of {', '.join(FEED_STATUSES)}, got {value!r}")
    return str(text)


def updated_at(fields: Fields) -> datetime | None:
    """``updated_at`` as an aware time; ISO-8601 with an offset (a bare time is read as WIB)."""
    value = _cell(fields, "updated_at")
    if _blank(value):
        return None
    if not isinstance(value, str):
        raise RowError(
            f"updated_at must be an ISO-8601 time like 2025-01-31T09:30:00+07:00, got {value!r}"
        )
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise RowError(
            f"updated_at must be an ISO-8601 time like 2025-01-31T09:30:00+07:00, got {value!r}"
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=WIB)


def variant_name(fields: Fields) -> str:
    """Option values of ``variant_attributes`` (a JSON object of text), e.g. "Merah / XL"."""
    value = _cell(fields, "variant_attributes")
    if _blank(value):
        return ""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise RowError(f"variant_attributes is not valid JSON: {exc.msg}") from exc
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise RowError('variant_attributes must be a JSON object of text, e.g. {"Warna": "Merah"}')
    return " / ".join(value.values())


def listing_from_row(fields: Fields) -> Listing:
    """The Listing a feed row describes; raises ``RowError`` naming the first bad column."""
    sku = seller_sku(fields)
    name = _cell(fields, "name")
    if not isinstance(name, str) or not name:
        raise RowError("name is empty; every row needs a product name")
    price = rupiah(fields, "price_idr", required=True)
    rupiah(fields, "sale_price_idr", required=False)
    stock = whole_number(fields, "stock", low=0, high=MAX_STOCK)
    if stock is None:
        raise RowError(f"stock is empty; a whole number in 0..{MAX_STOCK} is required")
    for column in ("weight_g", "length_cm", "width_cm", "height_cm"):
        whole_number(fields, column, low=0, high=1_000_000)
    raw_status = status_of(fields)
    status, reason = _normalized(raw_status, stock)
    images = _cell(fields, "image_urls")
    return Listing(
        external_item_id=sku,
        seller_sku=sku,
        title=name,
        variant_name=variant_name(fields),
        price=price or 0,
        stock=stock,
        status=status,
        raw_status=raw_status,
        status_reason=reason,
        image_url=images.split(IMAGE_SEPARATOR, 1)[0].strip() if isinstance(images, str) else "",
        remote_updated_at=updated_at(fields),
        raw=dict(fields),
    )


def _normalized(raw_status: str, stock: int) -> tuple[ListingStatus, str]:
    if raw_status == "deleted":
        return ListingStatus.DELETED, DELETED_REASON
    if raw_status == "inactive":
        return ListingStatus.INACTIVE, INACTIVE_REASON
    if stock <= 0:
        return ListingStatus.OUT_OF_STOCK, NO_STOCK_REASON
    return ListingStatus.ACTIVE, ""


def status_for_listed(listed: bool) -> str:
    """The feed's status value for listing (``active``) or unlisting (``inactive``) an item."""
    return "active" if listed else "inactive"
