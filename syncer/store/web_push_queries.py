"""Read models of the push outbox for the API and pages: pending and failed pushes, with
their reasons, within a tenant scope (``None``: every business)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from syncer.store.push_tables import PushTask
from syncer.store.tables import Listing, Shop

TASK = PushTask.__table__  # type: ignore[attr-defined]
LISTING = Listing.__table__  # type: ignore[attr-defined]
SHOP = Shop.__table__  # type: ignore[attr-defined]
PUSH_STATES = ("pending", "in_flight", "applied", "verified", "mismatch", "failed", "superseded")
UNFINISHED = ("pending", "in_flight")
PROBLEMS = ("failed", "mismatch")


@dataclass(frozen=True, slots=True, kw_only=True)
class PushRow:
    id: int
    listing_id: int
    shop_id: int
    shop: str
    marketplace: str
    sku: str
    title: str
    field: str
    value: int
    previous_value: int | None
    origin: str
    state: str
    attempts: int
    next_attempt_at: datetime
    reason: str
    error_code: str
    created_at: datetime
    updated_at: datetime


async def pushes_page(
    connection: AsyncConnection,
    scope: int | None,
    *,
    states: tuple[str, ...],
    shop_id: int | None,
    before_id: int | None,
    limit: int,
) -> tuple[list[PushRow], int | None]:
    """Push tasks in ``states``, newest first; the second value is the next ``before_id``."""
    query = _pushes_query().where(TASK.c.state.in_(states)).limit(limit + 1)
    if scope is not None:
        query = query.where(SHOP.c.business_id == scope)
    if shop_id is not None:
        query = query.where(TASK.c.shop_id == shop_id)
    if before_id is not None:
        query = query.where(TASK.c.id < before_id)
    rows = [PushRow(**row._mapping) for row in await connection.execute(query)]
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more else None)


async def pushes_of_listings(
    connection: AsyncConnection, listing_ids: list[int], *, limit: int = 100
) -> list[PushRow]:
    """The newest pushes to these listings in every state, applied and superseded ones
    too: a product's push history (callers pass only ids already in scope)."""
    if not listing_ids:
        return []
    query = _pushes_query().where(TASK.c.listing_id.in_(listing_ids)).limit(limit)
    return [PushRow(**row._mapping) for row in await connection.execute(query)]


def _pushes_query() -> sa.Select[Any]:
    return (
        sa.select(
            TASK.c.id,
            TASK.c.listing_id,
            TASK.c.shop_id,
            SHOP.c.name.label("shop"),
            SHOP.c.marketplace,
            LISTING.c.seller_sku.label("sku"),
            LISTING.c.title,
            TASK.c.field,
            TASK.c.value,
            TASK.c.previous_value,
            TASK.c.origin,
            TASK.c.state,
            TASK.c.attempts,
            TASK.c.next_attempt_at,
            TASK.c.reason,
            TASK.c.error_code,
            TASK.c.created_at,
            TASK.c.updated_at,
        )
        .join(SHOP, SHOP.c.id == TASK.c.shop_id)
        .join(LISTING, LISTING.c.id == TASK.c.listing_id)
        .order_by(TASK.c.id.desc())
    )


async def pushes_by_state(connection: AsyncConnection) -> list[tuple[str, str, int]]:
    """(marketplace, state, count) of push tasks, for /metrics."""
    query = (
        sa.select(SHOP.c.marketplace, TASK.c.state, sa.func.count())
        .join(SHOP, SHOP.c.id == TASK.c.shop_id)
        .group_by(SHOP.c.marketplace, TASK.c.state)
    )
    return [(row[0], row[1], int(row[2])) for row in await connection.execute(query)]
