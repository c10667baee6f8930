"""Auto-linking listings to master products by seller SKU, and the reports of what is not linked.

A SKU carried by several live listings of one shop is ambiguous (which one is the product?):
those listings are left unlinked and reported as conflicts until linked by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from syncer.domain import ListingStatus
from syncer.store.catalog import AUTO, LINK, LISTING, PRODUCT, SHOP, UNLINKED, LinkOutcome
from syncer.store.sql import dialect_insert
from syncer.store.stock_ledger import MARK, SETTLE

_LIVE = LISTING.c.status != ListingStatus.DELETED.value
_CHUNK = 2000
_MARK = "autolink"  # a propagation_mark row: listings up to this id have been examined


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkIssue:
    """A listing that is not (or wrongly) linked, with the reason in words."""

    listing_id: int
    shop_id: int
    item_id: str
    variant_id: str
    seller_sku: str
    title: str
    reason: str
    product_sku: str = ""


@dataclass(frozen=True, slots=True)
class _Candidate:
    listing_id: int
    shop_id: int
    business_id: int
    sku: str
    title: str
    price: int
    stock: int
    image_url: str


def _duplicated_skus() -> sa.Select[tuple[int, str]]:
    """(shop, SKU) pairs carried by more than one live listing of that shop."""
    return (
        sa.select(LISTING.c.shop_id, LISTING.c.seller_sku)
        .where(_LIVE, LISTING.c.seller_sku != "")
        .group_by(LISTING.c.shop_id, LISTING.c.seller_sku)
        .having(sa.func.count() > 1)
    )


async def _candidates(connection: AsyncConnection, after: int) -> list[_Candidate]:
    query = (
        sa.select(
            LISTING.c.id,
            LISTING.c.shop_id,
            SHOP.c.business_id,
            LISTING.c.seller_sku,
            LISTING.c.title,
            LISTING.c.price,
            LISTING.c.stock,
            LISTING.c.image_url,
        )
        .join(SHOP, SHOP.c.id == LISTING.c.shop_id)
        .outerjoin(LINK, LINK.c.listing_id == LISTING.c.id)
        .where(LINK.c.listing_id.is_(None), LISTING.c.seller_sku != "", _LIVE, LISTING.c.id > after)
        .order_by(LISTING.c.id)
        .limit(_CHUNK)
    )
    return [_Candidate(*row) for row in await connection.execute(query)]


async def _ambiguous(
    connection: AsyncConnection, candidates: Sequence[_Candidate]
) -> set[tuple[int, str]]:
    """The candidates' (shop, SKU) pairs that more than one live listing of the shop carries
    (counted over the SKU index, not the whole catalog)."""
    skus = sorted({c.sku for c in candidates})
    found: set[tuple[int, str]] = set()
    for start in range(0, len(skus), 500):
        query = (
            sa.select(LISTING.c.shop_id, LISTING.c.seller_sku)
            .where(_LIVE, LISTING.c.seller_sku.in_(skus[start : start + 500]))
            .group_by(LISTING.c.shop_id, LISTING.c.seller_sku)
            .having(sa.func.count() > 1)
        )
        found |= {(shop_id, sku) for shop_id, sku in await connection.execute(query)}
    return found


async def _product_ids(
    connection: AsyncConnection, keys: set[tuple[int, str]]
) -> dict[tuple[int, str], int]:
    found: dict[tuple[int, str], int] = {}
    skus = sorted({sku for _, sku in keys})
    for start in range(0, len(skus), 500):
        query = sa.select(PRODUCT.c.business_id, PRODUCT.c.sku, PRODUCT.c.id).where(
            PRODUCT.c.sku.in_(skus[start : start + 500])
        )
        for business_id, sku, product_id in await connection.execute(query):
            if (business_id, sku) in keys:
                found[(business_id, sku)] = product_id
    return found


async def auto_link(
    connection: AsyncConnection, *, now: datetime, rescan: bool = False
) -> LinkOutcome:
    """Link unlinked live listings whose seller SKU is unambiguous in their shop; a SKU
    without a product yet creates one from its first listing (title, price, stock).

    Only listings first seen since the last call are examined (a watermark, so a push cycle
    does not scan the whole catalog); ``rescan`` examines every listing again (listings that
    gained a SKU, or whose SKU stopped being ambiguous).
    """
    outcome = LinkOutcome()
    after = 0 if rescan else await _mark(connection)
    settled = await connection.scalar(
        sa.select(sa.func.max(LISTING.c.id)).where(LISTING.c.first_seen_at < now - SETTLE)
    )
    while candidates := await _candidates(connection, after):
        after = candidates[-1].listing_id
        ambiguous = await _ambiguous(connection, candidates)
        chosen = [c for c in candidates if (c.shop_id, c.sku) not in ambiguous]
        if chosen:
            await _link_chunk(connection, chosen, now, outcome)
    if settled is not None:
        await _save_mark(connection, int(settled))
    return outcome


async def _mark(connection: AsyncConnection) -> int:
    found = await connection.scalar(sa.select(MARK.c.event_id).where(MARK.c.name == _MARK))
    return int(found or 0)


async def _save_mark(connection: AsyncConnection, listing_id: int) -> None:
    """Listings first seen before the settle time are examined: none can commit below it."""
    insert = dialect_insert(connection, MARK).values(name=_MARK, event_id=listing_id)
    await connection.execute(
        insert.on_conflict_do_update(
            index_elements=["name"],
            set_={
                "event_id": sa.case(
                    (MARK.c.event_id > listing_id, MARK.c.event_id), else_=listing_id
                )
            },
        )
    )


async def _link_chunk(
    connection: AsyncConnection,
    candidates: Sequence[_Candidate],
    now: datetime,
    outcome: LinkOutcome,
) -> None:
    keys = {(c.business_id, c.sku) for c in candidates}
    products = await _product_ids(connection, keys)
    firsts: dict[tuple[int, str], _Candidate] = {}
    for candidate in candidates:
        firsts.setdefault((candidate.business_id, candidate.sku), candidate)
    missing = [first for key, first in firsts.items() if key not in products]
    if missing:
        # Another worker may create the same product at once: its row is as good as ours.
        await connection.execute(
            dialect_insert(connection, PRODUCT).on_conflict_do_nothing(),
            [_new_product(c, now) for c in missing],
        )
        outcome.products_created += len(missing)
        products = await _product_ids(connection, keys)
    await connection.execute(
        dialect_insert(connection, LINK).on_conflict_do_nothing(),
        [
            {
                "listing_id": c.listing_id,
                "product_id": products[(c.business_id, c.sku)],
                "method": AUTO,
                "stock_baseline": c.stock,
                "created_at": now,
                "updated_at": now,
            }
            for c in candidates
        ],
    )
    outcome.linked += len(candidates)


def _new_product(candidate: _Candidate, now: datetime) -> dict[str, object]:
    return {
        "business_id": candidate.business_id,
        "sku": candidate.sku,
        "title": candidate.title,
        "description": "",
        "price": candidate.price,
        "stock": max(candidate.stock, 0),
        "weight_grams": 0,
        "image_url": candidate.image_url,
        "attributes": "{}",
        "listed": True,
        "revision": 1,
        "created_at": now,
        "updated_at": now,
    }


def _issue(row: sa.Row[*tuple[Any, ...]], reason: str) -> LinkIssue:
    data = row._mapping
    return LinkIssue(
        listing_id=data["id"],
        shop_id=data["shop_id"],
        item_id=data["external_item_id"],
        variant_id=data["external_variant_id"],
        seller_sku=data["seller_sku"],
        title=data["title"],
        reason=reason,
        product_sku=data.get("product_sku") or "",
    )


_ISSUE_COLUMNS = (
    LISTING.c.id,
    LISTING.c.shop_id,
    LISTING.c.external_item_id,
    LISTING.c.external_variant_id,
    LISTING.c.seller_sku,
    LISTING.c.title,
)


async def unlinked(connection: AsyncConnection, *, limit: int = 200) -> list[LinkIssue]:
    """Live listings bound to no product, each with why."""
    query = (
        sa.select(*_ISSUE_COLUMNS, LINK.c.method)
        .outerjoin(LINK, LINK.c.listing_id == LISTING.c.id)
        .where(_LIVE, LINK.c.product_id.is_(None))
        .order_by(LISTING.c.shop_id, LISTING.c.id)
        .limit(limit)
    )
    issues = []
    for row in await connection.execute(query):
        if row._mapping["method"] == UNLINKED:
            reason = "unlinked by hand"
        elif not row._mapping["seller_sku"]:
            reason = "no seller SKU on the marketplace: link it by hand"
        else:
            reason = "not linked yet (the next push cycle links it) or its SKU is ambiguous"
        issues.append(_issue(row, reason))
    return issues


async def conflicts(connection: AsyncConnection, *, limit: int = 200) -> list[LinkIssue]:
    """Listings sharing a SKU within one shop, and auto-linked listings whose SKU no longer
    matches their product's (a manual link may differ on purpose)."""
    duplicated = _duplicated_skus().subquery()
    shared = (
        sa.select(*_ISSUE_COLUMNS)
        .join(
            duplicated,
            sa.and_(
                duplicated.c.shop_id == LISTING.c.shop_id,
                duplicated.c.seller_sku == LISTING.c.seller_sku,
            ),
        )
        .where(_LIVE)
        .order_by(LISTING.c.shop_id, LISTING.c.seller_sku, LISTING.c.id)
        .limit(limit)
    )
    issues = [
        _issue(row, "several listings of this shop carry this SKU: link the right one by hand")
        for row in await connection.execute(shared)
    ]
    drifted = (
        sa.select(*_ISSUE_COLUMNS, PRODUCT.c.sku.label("product_sku"))
        .join(LINK, LINK.c.listing_id == LISTING.c.id)
        .join(PRODUCT, PRODUCT.c.id == LINK.c.product_id)
        .where(_LIVE, LINK.c.method == AUTO, LISTING.c.seller_sku != PRODUCT.c.sku)
        .order_by(LISTING.c.id)
        .limit(limit)
    )
    issues += [
        _issue(row, "the listing's SKU differs from its product's (kept linked)")
        for row in await connection.execute(drifted)
    ]
    return issues
