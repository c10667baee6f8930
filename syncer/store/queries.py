"""Read models for the CLI and the API: listings with their shop, and run history."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from syncer.store.tables import Listing, Shop, SyncRun

LISTING = Listing.__table__  # type: ignore[attr-defined]
SHOP = Shop.__table__  # type: ignore[attr-defined]
RUN = SyncRun.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True, kw_only=True)
class ListingView:
    marketplace: str
    shop: str
    shop_id: int
    item_id: str
    variant_id: str
    sku: str
    title: str
    variant_name: str
    status: str
    raw_status: str
    reason: str
    price: int
    stock: int
    changed_at: datetime

    def as_json(self) -> dict[str, object]:
        return {
            "marketplace": self.marketplace,
            "shop": self.shop,
            "shop_id": self.shop_id,
            "item_id": self.item_id,
            "variant_id": self.variant_id,
            "sku": self.sku,
            "title": self.title,
            "variant": self.variant_name,
            "status": self.status,
            "marketplace_status": self.raw_status,
            "reason": self.reason,
            "price": self.price,
            "stock": self.stock,
            "changed_at": self.changed_at.isoformat(),
        }


async def iter_listings(
    connection: AsyncConnection,
    *,
    shop_id: int | None = None,
    status: str | None = None,
    sku: str | None = None,
    batch: int = 1000,
) -> AsyncIterator[ListingView]:
    """Listings joined with their shop, streamed in id order (flat memory for any catalog)."""
    query = (
        sa.select(
            SHOP.c.marketplace,
            SHOP.c.name,
            SHOP.c.id,
            LISTING.c.external_item_id,
            LISTING.c.external_variant_id,
            LISTING.c.seller_sku,
            LISTING.c.title,
            LISTING.c.variant_name,
            LISTING.c.status,
            LISTING.c.raw_status,
            LISTING.c.status_reason,
            LISTING.c.price,
            LISTING.c.stock,
            LISTING.c.changed_at,
            LISTING.c.id,
        )
        .join(SHOP, SHOP.c.id == LISTING.c.shop_id)
        .order_by(LISTING.c.id)
        .limit(batch)
    )
    if shop_id is not None:
        query = query.where(LISTING.c.shop_id == shop_id)
    if status is not None:
        query = query.where(LISTING.c.status == status)
    if sku is not None:
        query = query.where(LISTING.c.seller_sku == sku)
    last_id = 0
    while True:
        rows = list(await connection.execute(query.where(LISTING.c.id > last_id)))
        for row in rows:
            yield ListingView(
                marketplace=row[0],
                shop=row[1],
                shop_id=row[2],
                item_id=row[3],
                variant_id=row[4],
                sku=row[5],
                title=row[6],
                variant_name=row[7],
                status=row[8],
                raw_status=row[9],
                reason=row[10],
                price=row[11],
                stock=row[12],
                changed_at=row[13],
            )
        if len(rows) < batch:
            return
        last_id = rows[-1][14]


async def status_counts(connection: AsyncConnection) -> list[tuple[str, str, str, int]]:
    """(marketplace, shop, status, count) for the summary table."""
    query = (
        sa.select(SHOP.c.marketplace, SHOP.c.name, LISTING.c.status, sa.func.count())
        .join(SHOP, SHOP.c.id == LISTING.c.shop_id)
        .group_by(SHOP.c.marketplace, SHOP.c.name, LISTING.c.status)
        .order_by(SHOP.c.marketplace, SHOP.c.name, LISTING.c.status)
    )
    return [(row[0], row[1], row[2], int(row[3])) for row in await connection.execute(query)]


async def recent_runs(
    connection: AsyncConnection, *, shop_id: int | None = None, limit: int = 20
) -> list[dict[str, object]]:
    query = (
        sa.select(RUN, SHOP.c.name.label("shop"), SHOP.c.marketplace)
        .join(SHOP, SHOP.c.id == RUN.c.shop_id)
        .order_by(RUN.c.id.desc())
        .limit(limit)
    )
    if shop_id is not None:
        query = query.where(RUN.c.shop_id == shop_id)
    return [dict(row._mapping) for row in await connection.execute(query)]


async def get_run(connection: AsyncConnection, run_id: int) -> dict[str, object] | None:
    row = (await connection.execute(sa.select(RUN).where(RUN.c.id == run_id))).first()
    return None if row is None else dict(row._mapping)
