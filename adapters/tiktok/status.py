"""TikTok Shop statuses → normalized ``ListingStatus``, with words a business understands.

A product of a migrated Indonesian seller can be on TikTok Shop (``status``), on Tokopedia
(``integrated_platform_statuses``) or both; either may be omitted when the product is not listed
there. The listing takes the best state it has anywhere (live somewhere = live), and the reason
says where it is live and where not, so a business sees both storefronts at a glance.
"""

from __future__ import annotations

from collections.abc import Mapping

from syncer.domain import ListingStatus

TIKTOK_SHOP = "TIKTOK_SHOP"
TOKOPEDIA = "TOKOPEDIA"
PLATFORM_NAMES = {TIKTOK_SHOP: "TikTok Shop", TOKOPEDIA: "Tokopedia"}

PRODUCT_STATUSES = (
    "ACTIVATE",
    "PENDING",
    "SELLER_DEACTIVATED",
    "PLATFORM_DEACTIVATED",
    "FREEZE",
    "FAILED",
    "DRAFT",
    "DELETED",
)
"""Best first: the order in which one platform's state beats another's."""

_NORMALIZED = {
    "ACTIVATE": ListingStatus.ACTIVE,
    "PENDING": ListingStatus.UNDER_REVIEW,
    "SELLER_DEACTIVATED": ListingStatus.INACTIVE,
    "PLATFORM_DEACTIVATED": ListingStatus.BANNED,
    "FREEZE": ListingStatus.BANNED,
    "FAILED": ListingStatus.REJECTED,
    "DRAFT": ListingStatus.DRAFT,
    "DELETED": ListingStatus.DELETED,
}

_WORDS = {
    "ACTIVATE": "live",
    "PENDING": "under review",
    "SELLER_DEACTIVATED": "deactivated by the seller",
    "PLATFORM_DEACTIVATED": "deactivated by the platform for a policy violation",
    "FREEZE": "frozen by the platform",
    "FAILED": "rejected in review",
    "DRAFT": "a draft",
    "DELETED": "deleted",
}


def _rank(status: str) -> int:
    return PRODUCT_STATUSES.index(status) if status in PRODUCT_STATUSES else len(PRODUCT_STATUSES)


def raw_status(platforms: Mapping[str, str], sku_status: str = "") -> str:
    """E.g. ``TIKTOK_SHOP:ACTIVATE,TOKOPEDIA:SELLER_DEACTIVATED/SKU:DEACTIVATED``."""
    text = ",".join(f"{name}:{status}" for name, status in sorted(platforms.items())) or "NONE"
    return f"{text}/SKU:{sku_status}" if sku_status and sku_status != "NORMAL" else text


def normalize(
    platforms: Mapping[str, str], *, sku_status: str = "NORMAL", sku_source: str = "", stock: int
) -> tuple[ListingStatus, str]:
    """The normalized status of one SKU and the reason a business reads for it."""
    if not platforms:
        return ListingStatus.INACTIVE, "Not listed on TikTok Shop or Tokopedia"
    best = min(platforms.values(), key=_rank)
    status = _NORMALIZED.get(best, ListingStatus.INACTIVE)
    where = _where(platforms)
    if best not in _NORMALIZED:
        return status, f"Unrecognized TikTok Shop status {best}; {where}"
    if status is ListingStatus.ACTIVE and sku_status == "DEACTIVATED":
        if sku_source == "PLATFORM":
            return ListingStatus.BANNED, f"Variant deactivated by the platform; {where}"
        return ListingStatus.INACTIVE, f"Variant switched off by the seller; {where}"
    if status is ListingStatus.ACTIVE and stock <= 0:
        return ListingStatus.OUT_OF_STOCK, f"No stock left; {where}"
    return status, where[0].upper() + where[1:]


def _where(platforms: Mapping[str, str]) -> str:
    """ "live on TikTok Shop and Tokopedia" / "live on TikTok Shop; not listed on Tokopedia"."""
    states = {name: platforms.get(name) for name in (TIKTOK_SHOP, TOKOPEDIA)}
    if len({status for status in states.values()}) == 1 and None not in states.values():
        return f"{_WORDS.get(states[TIKTOK_SHOP] or '', 'unknown')} on TikTok Shop and Tokopedia"
    parts = []
    for name, status in sorted(states.items(), key=lambda kv: _rank(kv[1] or "~")):
        label = PLATFORM_NAMES[name]
        parts.append(
            f"not listed on {label}"
            if status is None
            else f"{_WORDS.get(status, status)} on {label}"
        )
    return "; ".join(parts)
