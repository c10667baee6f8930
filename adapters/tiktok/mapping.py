"""Pure mapping between TikTok Shop product payloads and normalized Listings (no I/O).

One Listing per SKU: ``external_item_id`` is the product id, ``external_variant_id`` the SKU id
(both strings: they exceed 2^53). Prices are decimal strings turned into whole rupiah (a
fraction is refused, never rounded); stock is the SKU's quantity summed over its warehouses.
``listing_platforms`` and ``integrated_platform_statuses`` stay in ``Listing.raw``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from adapters.tiktok.status import TIKTOK_SHOP, TOKOPEDIA, normalize, raw_status
from syncer.adapter import (
    JsonObject,
    PayloadError,
    get_id,
    get_int,
    get_obj,
    get_objects,
    get_str,
)
from syncer.domain import Listing, MoneyError, rupiah_from_number
from syncer.domain.clock import utc_from_timestamp

SEARCH_PRICE_FIELDS = ("tax_exclusive_price", "sale_price")
"""Search: ``tax_exclusive_price`` is a local seller's display price (field table)."""
DETAIL_PRICE_FIELDS = ("sale_price", "tax_exclusive_price")
"""Get Product: ``sale_price`` is the display price for all sellers (field table)."""


def platforms_of(product: JsonObject) -> dict[str, str]:
    """Platform → product status there; a platform the product is not listed on is absent."""
    platforms: dict[str, str] = {}
    status = product.get("status")
    if isinstance(status, str) and status:
        platforms[TIKTOK_SHOP] = status
    for entry in get_objects(product, "integrated_platform_statuses", required=False):
        platforms[get_str(entry, "platform")] = get_str(entry, "status")
    return platforms


def price_of(sku: JsonObject, fields: Sequence[str] = SEARCH_PRICE_FIELDS) -> int:
    """The SKU's display price in whole rupiah, from the first of ``fields`` present."""
    price = get_obj(sku, "price")
    currency = price.get("currency", "IDR")
    if currency != "IDR":
        raise PayloadError(
            f"field 'price.currency' must be IDR for an Indonesian shop, got {currency!r}"
        )
    for name in fields:
        value = price.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise PayloadError(
                f"field 'price.{name}' must be a decimal string, got {type(value).__name__}"
            )
        try:
            return rupiah_from_number(value)
        except MoneyError as exc:
            raise PayloadError(f"field 'price.{name}': {exc}") from exc
    raise PayloadError(f"field 'price' has none of {', '.join(fields)}")


def stock_of(sku: JsonObject) -> int:
    """Quantity summed over the SKU's warehouses (what ``inventory/update`` writes)."""
    rows = get_objects(sku, "inventory")
    quantities = [get_int(row, "quantity") for row in rows]
    if any(quantity < 0 for quantity in quantities):
        raise PayloadError(f"field 'inventory' holds a negative quantity {min(quantities)}")
    return sum(quantities)


def needs_detail(product: JsonObject) -> bool:
    """Whether a search entry lacks what a Listing needs, so Get Product must be read.

    Search carries no sales attributes, so products with several SKUs always need it (their
    variant names); so does an entry missing its title, SKUs, prices or inventory.
    """
    skus = product.get("skus")
    if not isinstance(product.get("title"), str) or not isinstance(skus, list) or not skus:
        return True
    if len(skus) > 1:
        return True
    return any(
        not isinstance(sku, dict) or "price" not in sku or "inventory" not in sku for sku in skus
    )


def detail_refused(product: JsonObject) -> bool:
    """Get Product does not serve FREEZE or DELETED products: map such entries as they are."""
    statuses = set(platforms_of(product).values())
    return bool(statuses) and statuses <= {"FREEZE", "DELETED"}


def variant_name(sku: JsonObject) -> str:
    """Sales attribute values in order, e.g. "Merah / XL"."""
    attributes = get_objects(sku, "sales_attributes", required=False)
    return " / ".join(get_str(attribute, "value_name") for attribute in attributes)


def product_listings(product: JsonObject, *, detail: bool) -> list[Listing]:
    """One Listing per SKU of a search entry (``detail`` False) or a Get Product answer."""
    product_id = get_id(product, "id")
    title = get_str(product, "title")
    platforms = platforms_of(product)
    skus = get_objects(product, "skus")
    if not skus:
        raise PayloadError("field 'skus' is empty")
    fields = DETAIL_PRICE_FIELDS if detail else SEARCH_PRICE_FIELDS
    updated = utc_from_timestamp(get_int(product, "update_time"))
    shared = _raw_product(product, platforms)
    return [
        _sku_listing(
            product_id,
            title,
            sku,
            platforms,
            fields,
            several=len(skus) > 1,
            updated=updated,
            shared=shared,
        )
        for sku in skus
    ]


def _sku_listing(
    product_id: str,
    title: str,
    sku: JsonObject,
    platforms: dict[str, str],
    fields: Sequence[str],
    *,
    several: bool,
    updated: datetime,
    shared: dict[str, object],
) -> Listing:
    info = sku.get("status_info")
    info = info if isinstance(info, dict) else {}
    sku_status = str(info.get("status") or "NORMAL")
    stock = stock_of(sku)
    status, reason = normalize(
        platforms,
        sku_status=sku_status,
        sku_source=str(info.get("deactivation_source") or ""),
        stock=stock,
    )
    return Listing(
        external_item_id=product_id,
        external_variant_id=get_id(sku, "id"),
        seller_sku=get_str(sku, "seller_sku", default=""),
        title=title,
        # Names only for products with several SKUs: search never carries them, so a one-SKU
        # product read either way maps to the same listing.
        variant_name=variant_name(sku) if several else "",
        price=price_of(sku, fields),
        stock=stock,
        status=status,
        raw_status=raw_status(platforms, sku_status),
        status_reason=reason,
        remote_updated_at=updated,
        raw={"product": shared, "sku": _raw_sku(sku)},
    )


def _raw_product(product: JsonObject, platforms: dict[str, str]) -> dict[str, object]:
    kept = ("id", "status", "integrated_platform_statuses", "audit", "update_time", "create_time")
    raw: dict[str, object] = {key: product[key] for key in kept if key in product}
    raw["listing_platforms"] = sorted(platforms)
    images = product.get("main_images")
    if isinstance(images, list) and images and isinstance(images[0], dict):
        raw["main_image"] = images[0].get("urls", [None])[0] if images[0].get("urls") else None
    return raw


def _raw_sku(sku: JsonObject) -> dict[str, object]:
    kept = ("id", "seller_sku", "price", "inventory", "status_info")
    return {key: sku[key] for key in kept if key in sku}


def listing_platforms(product: JsonObject) -> list[str]:
    """Where a product is listed (``activate``/``deactivate`` take the same names)."""
    return sorted(platforms_of(product)) or [TIKTOK_SHOP]


__all__ = [
    "DETAIL_PRICE_FIELDS",
    "SEARCH_PRICE_FIELDS",
    "TIKTOK_SHOP",
    "TOKOPEDIA",
    "detail_refused",
    "listing_platforms",
    "needs_detail",
    "platforms_of",
    "price_of",
    "product_listings",
    "stock_of",
    "variant_name",
]
