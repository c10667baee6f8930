"""Per-row verdicts of TikTok Shop's batch endpoints, in words a business understands.

Batch calls answer ``code: 0`` with ``data.errors[{code, message, detail{product_id | sku_id,
extra_errors[]}}]`` for the rows that failed; every row not named there succeeded. The official
messages are developer-facing, so the common ones get a plainer sentence (the code stays in
``RowResult.code``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from adapters.tiktok.envelope import RETRIABLE
from syncer.adapter import JsonObject, RowResult, get_objects
from syncer.domain import ListingKey

READABLE: Mapping[int, str] = {
    12052038: "The price is locked while a promotion runs on TikTok Shop",
    12019045: "The price is locked on TikTok Shop (e.g. during a promotion)",
    12052393: "Stock cannot go below its current level while a promotion runs",
    12052332: "Only stock and price can be edited while the shop is integrated with Tokopedia",
    12052901: "The product's current status does not allow this change (e.g. frozen or deleted)",
    12052032: "The product no longer exists on TikTok Shop",
    12052260: "The product no longer exists on TikTok Shop",
    12052048: "This product is not in this shop",
    12052556: "This variant (SKU) no longer exists on TikTok Shop",
    12052557: "This variant (SKU) does not belong to the product",
    12052055: "Stock must be between 0 and 99,999 per warehouse",
    12019024: "The stock quantity is not valid",
    12052073: "The price is not valid for TikTok Shop (Rp100 to Rp100,000,000)",
    12052570: "The price is above TikTok Shop's limit",
    12052012: "The price is not a valid amount",
    12052097: "A warehouse of this variant no longer exists",
    12052516: "Stock must be given for every warehouse of the variant",
    12019028: "Stock must be given for every warehouse of the variant",
    12052382: "Stock in a Dilayani Tokopedia warehouse is managed by Tokopedia",
    12052921: "Stock is shared with the source shop and cannot be edited here",
    12052330: "The product cannot be listed on that platform",
    12052093: "The shop has reached its product listing limit",
    12052700: "The seller account is inactive",
}


def readable(code: int, message: str) -> str:
    """A plain sentence for a row error, falling back to TikTok's own message."""
    return READABLE.get(code) or message.strip() or f"Refused by TikTok Shop (code {code})"


def _row_errors(
    answer: JsonObject, id_field: str
) -> tuple[dict[str, tuple[int, str]], tuple[int, str] | None]:
    """Errors by row id, plus an error naming no row (it applies to every row of the call)."""
    by_id: dict[str, tuple[int, str]] = {}
    general: tuple[int, str] | None = None
    for error in get_objects(answer, "errors", required=False):
        code, message = _code(error), str(error.get("message") or "")
        detail = error.get("detail")
        detail = detail if isinstance(detail, dict) else {}
        extra = get_objects(detail, "extra_errors", required=False)
        if extra:  # "Check failed" wraps the real reasons
            code, message = _code(extra[0]), str(extra[0].get("message") or message)
        row_id = detail.get(id_field)
        if row_id is None or row_id == "":
            general = (code, message)
        else:
            by_id[str(row_id)] = (code, message)
    return by_id, general


def _code(error: Mapping[str, object]) -> int:
    code = error.get("code")
    return code if isinstance(code, int) and not isinstance(code, bool) else -1


def row_results(keys: Sequence[ListingKey], answer: JsonObject, *, by: str) -> list[RowResult]:
    """Verdicts for ``keys`` from a batch answer's ``data``; ``by`` is ``sku_id`` (matched to
    the variant id) or ``product_id`` (matched to the item id)."""
    by_id, general = _row_errors(answer, by)
    results = []
    for key in keys:
        row_id = key.external_variant_id if by == "sku_id" else key.external_item_id
        failure = by_id.get(row_id) or general
        if failure is None:
            results.append(RowResult(key=key, ok=True))
            continue
        code, message = failure
        results.append(
            RowResult(
                key=key,
                ok=False,
                reason=readable(code, message),
                code=str(code),
                retriable=code in RETRIABLE,
            )
        )
    return results
