"""Pure mapping between Blibli payloads and normalized Listings and push verdicts (no I/O).

One Listing per L4 Blibli SKU (``external_variant_id``) under its L3 product SKU
(``external_item_id``). Price is the regular price, stock the available stock summed over the
SKU's pickup points, both whole rupiah/units; the product ``state`` is kept beside the
normalized status, with a reason a business can read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from adapters.blibli.signing import from_millis
from syncer.adapter import (
    JsonObject,
    PayloadError,
    RowResult,
    get_bool,
    get_int,
    get_obj,
    get_objects,
    get_str,
)
from syncer.domain import Listing, ListingKey, ListingStatus, MoneyError, rupiah_from_number

# The states Product List V3 filters on, in the order a full pass walks them [V].
LIST_STATES = ("ACTIVE", "OOS", "ARCHIVED", "SUSPENDED", "NEED_CORRECTION", "IN_PROGRESS")
LIVE_STATES = frozenset({"ACTIVE", "OOS"})

_STATES = {
    "ACTIVE": (ListingStatus.ACTIVE, ""),
    "OOS": (ListingStatus.OUT_OF_STOCK, "No stock left"),
    "ARCHIVED": (ListingStatus.INACTIVE, "Archived on Blibli (not shown to buyers)"),
    "SUSPENDED": (ListingStatus.BANNED, "Suspended by Blibli"),
    "NEED_CORRECTION": (
        ListingStatus.REJECTED,
        "Blibli asks for corrections before it can go live",
    ),
    "IN_PROGRESS": (ListingStatus.UNDER_REVIEW, "Being reviewed by Blibli"),
    "PRE_LIVE": (ListingStatus.UNDER_REVIEW, "Approved by Blibli, not live yet"),
    "PENDING": (ListingStatus.UNDER_REVIEW, "Waiting for Blibli's review"),
}
NOT_BUYABLE = "Switched off on Blibli (not buyable)"


def normalize_status(state: str, *, buyable: bool, stock: int) -> tuple[ListingStatus, str, str]:
    """(normalized status, reason, raw status) of one SKU of a product in ``state``."""
    raw = state if buyable else f"{state}/buyable=false"
    known = _STATES.get(state)
    if known is None:
        return ListingStatus.INACTIVE, f"Unrecognized Blibli state {state}", raw
    if state in LIVE_STATES:
        if not buyable:
            return ListingStatus.INACTIVE, NOT_BUYABLE, raw
        if stock <= 0:
            return ListingStatus.OUT_OF_STOCK, "No stock left", raw
        return ListingStatus.ACTIVE, "", raw
    return known[0], known[1], raw


def product_ref(summary: JsonObject) -> tuple[str, str, str]:
    """(product SKU, name, state) of a list or detail entry."""
    product = get_obj(summary, "product")
    return get_str(product, "sku"), get_str(product, "name"), get_str(product, "state")


def updated_ms(summary: JsonObject) -> int:
    return get_int(summary, "updatedDate")


def _main_image(summary: JsonObject) -> str:
    for image in get_objects(summary, "images", required=False):
        path = image.get("path")
        if image.get("main") is True and isinstance(path, str):
            return path
    return ""


def _money(value: object, field: str) -> int:
    try:
        return rupiah_from_number(value)
    except MoneyError as exc:
        raise PayloadError(f"field {field!r}: {exc}") from exc


def variant_figures(variant: JsonObject) -> tuple[int, int, bool]:
    """(regular price, available stock, buyable) over the SKU's pickup points."""
    points = get_objects(variant, "pickupPoints")
    if not points:
        raise PayloadError("field 'pickupPoints' is empty: the SKU has no price or stock")
    price = _money(get_obj(points[0], "price").get("regular"), "pickupPoints[0].price.regular")
    stock = 0
    for point in points:
        available = get_int(get_obj(point, "stock"), "available")
        if available < 0:
            raise PayloadError(f"field 'stock.available' is negative ({available})")
        stock += available
    buyable = any(get_bool(point, "buyable") for point in points)
    return price, stock, buyable


def variant_label(variant: JsonObject) -> str:
    """Attribute values joined the way sellers read them, e.g. "Merah / XL"."""
    return " / ".join(
        get_str(attr, "value") for attr in get_objects(variant, "attributes", required=False)
    )


def listings(summary: JsonObject, variants: Sequence[JsonObject]) -> list[Listing]:
    """The Listings of one L3 product from its summary and its variant list."""
    sku, name, state = product_ref(summary)
    updated = from_millis(updated_ms(summary))
    image = _main_image(summary)
    result = []
    for variant in variants:
        price, stock, buyable = variant_figures(variant)
        status, reason, raw_status = normalize_status(state, buyable=buyable, stock=stock)
        result.append(
            Listing(
                external_item_id=sku,
                external_variant_id=get_str(variant, "blibliSku"),
                seller_sku=get_str(variant, "sellerSku", default=""),
                title=name,
                variant_name=variant_label(variant),
                price=price,
                stock=stock,
                status=status,
                raw_status=raw_status,
                status_reason=reason,
                image_url=image,
                remote_updated_at=updated,
                raw={
                    "state": state,
                    "updatedDate": summary.get("updatedDate"),
                    "variant": dict(variant),
                },
            )
        )
    if not result:
        raise PayloadError(f"product {sku} has no SKUs in its variant list")
    return result


@dataclass(frozen=True, slots=True)
class Verdict:
    """Blibli's word on one SKU of a push: ``reason`` is empty when it was applied."""

    reason: str = ""
    code: str = ""
    retriable: bool = False

    @property
    def ok(self) -> bool:
        return not self.reason


def queue_verdicts(detail: JsonObject) -> dict[str, Verdict]:
    """SKU -> verdict, from a finished queue detail."""
    verdicts: dict[str, Verdict] = {}
    for item in get_objects(detail, "items"):
        sku = get_str(item, "gdnSku")
        message = item.get("errorMessage")
        reason = message if isinstance(message, str) and message else "rejected by Blibli"
        verdicts[sku] = Verdict() if get_bool(item, "success") else Verdict(reason)
    return verdicts


def row_results(
    rows: Sequence[tuple[ListingKey, Sequence[str]]], verdicts: Mapping[str, Verdict]
) -> list[RowResult]:
    """One result per change; a change spanning several SKUs succeeds only if all of them did."""
    results = []
    for key, skus in rows:
        failed = [(sku, verdicts[sku]) for sku in skus if sku in verdicts and not verdicts[sku].ok]
        missing = [sku for sku in skus if sku not in verdicts]
        if failed:
            reason = (
                failed[0][1].reason
                if len(skus) == 1
                else "; ".join(f"{sku}: {verdict.reason}" for sku, verdict in failed)
            )
            results.append(
                RowResult(
                    key=key,
                    ok=False,
                    reason=reason,
                    code=failed[0][1].code,
                    retriable=all(verdict.retriable for _, verdict in failed),
                )
            )
        elif missing:
            results.append(
                RowResult(
                    key=key,
                    ok=False,
                    retriable=True,
                    reason=f"Blibli's queue did not report on {', '.join(missing)}",
                )
            )
        else:
            results.append(RowResult(key=key, ok=True))
    return results
