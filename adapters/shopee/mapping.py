"""Pure mapping between Shopee v2 payloads and normalized Listings (no I/O).

One Listing per model, or one per item without models. Prices become whole rupiah, ids become
strings, and the Shopee status (item status, plus model status) is kept beside the normalized one.
"""

from __future__ import annotations

from collections.abc import Sequence

from syncer.adapter import (
    JsonObject,
    PayloadError,
    RowResult,
    get_bool,
    get_id,
    get_int,
    get_list,
    get_obj,
    get_objects,
    get_str,
)
from syncer.domain import Listing, ListingKey, ListingStatus, MoneyError, rupiah_from_number
from syncer.domain.clock import utc_from_timestamp

ITEM_STATUSES = ("NORMAL", "BANNED", "UNLIST", "REVIEWING", "SELLER_DELETE", "SHOPEE_DELETE")

_ITEM_STATUS = {
    "NORMAL": ListingStatus.ACTIVE,
    "UNLIST": ListingStatus.INACTIVE,
    "BANNED": ListingStatus.BANNED,
    "REVIEWING": ListingStatus.UNDER_REVIEW,
    "SELLER_DELETE": ListingStatus.DELETED,
    "SHOPEE_DELETE": ListingStatus.DELETED,
}

_REASONS = {
    "UNLIST": "Unlisted (delisted) on Shopee",
    "BANNED": "Banned by Shopee",
    "REVIEWING": "Under review by Shopee",
    "SELLER_DELETE": "Deleted by the seller",
    "SHOPEE_DELETE": "Deleted by Shopee",
    "MODEL_UNAVAILABLE": "Variant switched off (MODEL_UNAVAILABLE)",
}

# Bulky descriptive fields are dropped from the stored raw payload; prices, stock and
# statuses (what a support question needs) are kept.
_RAW_DROP = frozenset(
    {"description", "description_info", "attribute_list", "logistic_info", "image", "video_info"}
)


def normalize_status(item_status: str, model_status: str, stock: int) -> tuple[ListingStatus, str]:
    """The normalized status and the reason a business reads for it."""
    status = _ITEM_STATUS.get(item_status)
    if status is None:
        return ListingStatus.INACTIVE, f"Unrecognized Shopee status {item_status}"
    if status is ListingStatus.ACTIVE and model_status == "MODEL_UNAVAILABLE":
        return ListingStatus.INACTIVE, _REASONS["MODEL_UNAVAILABLE"]
    if status is ListingStatus.ACTIVE and stock <= 0:
        return ListingStatus.OUT_OF_STOCK, "No stock left"
    return status, _REASONS.get(item_status, "")


def price_of(record: JsonObject) -> int:
    """``price_info[0].original_price`` in whole rupiah (the price ``update_price`` sets)."""
    infos = get_objects(record, "price_info")
    if not infos:
        raise PayloadError("field 'price_info' is empty")
    try:
        return rupiah_from_number(infos[0].get("original_price"))
    except MoneyError as exc:
        raise PayloadError(f"field 'price_info[0].original_price': {exc}") from exc


def stock_of(record: JsonObject) -> int:
    """Seller stock summed over locations: the number ``update_stock`` writes."""
    stock_info = get_obj(record, "stock_info_v2")
    rows = get_objects(stock_info, "seller_stock", required=False)
    total = sum(get_int(row, "stock") for row in rows)
    if total < 0:
        raise PayloadError(f"field 'stock_info_v2.seller_stock' sums to a negative stock {total}")
    return total


def _first_image(item: JsonObject) -> str:
    image = item.get("image")
    if not isinstance(image, dict):
        return ""
    urls = image.get("image_url_list")
    return urls[0] if isinstance(urls, list) and urls and isinstance(urls[0], str) else ""


def _raw(record: JsonObject) -> dict[str, object]:
    return {key: value for key, value in record.items() if key not in _RAW_DROP}


def item_listing(item: JsonObject) -> Listing:
    """The one Listing of an item without models (price and stock live on the item)."""
    item_status = get_str(item, "item_status")
    stock = stock_of(item)
    status, reason = normalize_status(item_status, "", stock)
    return Listing(
        external_item_id=get_id(item, "item_id"),
        seller_sku=get_str(item, "item_sku", default=""),
        title=get_str(item, "item_name"),
        price=price_of(item),
        stock=stock,
        status=status,
        raw_status=item_status,
        status_reason=reason,
        image_url=_first_image(item),
        remote_updated_at=utc_from_timestamp(get_int(item, "update_time")),
        raw={"item": _raw(item)},
    )


def variant_name(tier_variation: Sequence[JsonObject], tier_index: Sequence[object]) -> str:
    """Option names picked by ``tier_index``, e.g. "Merah / XL"."""
    names: list[str] = []
    for tier, index in zip(tier_variation, tier_index, strict=False):
        options = get_objects(tier, "option_list")
        if not isinstance(index, int) or not 0 <= index < len(options):
            raise PayloadError(f"tier_index {index!r} is outside the tier's options")
        names.append(get_str(options[index], "option"))
    return " / ".join(names)


def model_listings(item: JsonObject, models_response: JsonObject) -> list[Listing]:
    """One Listing per model, from the base info of the item and its ``get_model_list``."""
    item_id = get_id(item, "item_id")
    item_status = get_str(item, "item_status")
    title = get_str(item, "item_name")
    updated = utc_from_timestamp(get_int(item, "update_time"))
    tiers = get_objects(models_response, "tier_variation", required=False)
    listings = []
    for model in get_objects(models_response, "model"):
        model_status = get_str(model, "model_status", default="MODEL_NORMAL")
        stock = stock_of(model)
        status, reason = normalize_status(item_status, model_status, stock)
        listings.append(
            Listing(
                external_item_id=item_id,
                external_variant_id=get_id(model, "model_id"),
                seller_sku=get_str(model, "model_sku", default="")
                or get_str(item, "item_sku", default=""),
                title=title,
                variant_name=variant_name(tiers, get_list(model, "tier_index", required=False)),
                price=price_of(model),
                stock=stock,
                status=status,
                raw_status=f"{item_status}/{model_status}",
                status_reason=reason,
                image_url=_first_image(item),
                remote_updated_at=updated,
                raw={
                    "item_status": item_status,
                    "update_time": item.get("update_time"),
                    "model": dict(model),
                },
            )
        )
    return listings


def has_models(item: JsonObject) -> bool:
    return get_bool(item, "has_model", default=False)


def model_id_of(external_variant_id: str) -> int:
    """Shopee addresses the single model of a variant-less item as model_id 0."""
    return int(external_variant_id) if external_variant_id else 0


def variant_id_of(model_id: int) -> str:
    return str(model_id) if model_id else ""


def _verdicts(answer: JsonObject, id_field: str) -> tuple[dict[str, str], set[str]]:
    """Failed ids with their reasons, and succeeded ids, from ``response``'s two lists."""
    body = answer.get("response")
    body = body if isinstance(body, dict) else {}
    failures = {
        str(row.get(id_field, 0)): str(row.get("failed_reason") or "rejected by Shopee")
        for row in get_objects(body, "failure_list", required=False)
    }
    successes = {
        str(row.get(id_field, 0)) for row in get_objects(body, "success_list", required=False)
    }
    return failures, successes


def _results(
    keys: Sequence[ListingKey], ids: Sequence[str], answer: JsonObject, id_field: str
) -> list[RowResult]:
    failures, successes = _verdicts(answer, id_field)
    results = []
    for key, row_id in zip(keys, ids, strict=True):
        if row_id in failures:
            results.append(RowResult(key=key, ok=False, reason=failures[row_id]))
        elif row_id in successes:
            results.append(RowResult(key=key, ok=True))
        else:  # neither list names it: send it again later
            results.append(
                RowResult(
                    key=key,
                    ok=False,
                    retriable=True,
                    reason=f"Shopee did not report on {id_field} {row_id}",
                )
            )
    return results


def model_results(keys: Sequence[ListingKey], answer: JsonObject) -> list[RowResult]:
    """Per-row verdicts of ``update_price``/``update_stock``, matched by model_id."""
    ids = [str(model_id_of(key.external_variant_id)) for key in keys]
    return _results(keys, ids, answer, "model_id")


def item_results(keys: Sequence[ListingKey], answer: JsonObject) -> list[RowResult]:
    """Per-row verdicts of ``unlist_item``, matched by item_id."""
    return _results(keys, [key.external_item_id for key in keys], answer, "item_id")
