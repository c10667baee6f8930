"""Read models of the push outbox: counts by state and tasks with where they go and why they
stand where they stand (for ``syncer status``, ``products show`` and the pusher's shop list)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from syncer.store.push_tables import PushTask
from syncer.store.tables import Listing, Shop

TASK = PushTask.__table__  # type: ignore[attr-defined]
LISTING = Listing.__table__  # type: ignore[attr-defined]
SHOP = Shop.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class TaskView:
    id: int
    shop: str
    marketplace: str
    item_id: str
    variant_id: str
    seller_sku: str
    field: str
    value: int
    state: str
    attempts: int
    reason: str
    updated_at: datetime


async def state_counts(connection: AsyncConnection) -> dict[str, int]:
    query = sa.select(TASK.c.state, sa.func.count()).group_by(TASK.c.state)
    return {state: int(count) for state, count in await connection.execute(query)}


def _views() -> sa.Select[Any]:
    return (
        sa.select(
            TASK.c.id,
            SHOP.c.name,
            SHOP.c.marketplace,
            LISTING.c.external_item_id,
            LISTING.c.external_variant_id,
            LISTING.c.seller_sku,
            TASK.c.field,
            TASK.c.value,
            TASK.c.state,
            TASK.c.attempts,
            TASK.c.reason,
            TASK.c.updated_at,
        )
        .join(LISTING, LISTING.c.id == TASK.c.listing_id)
        .join(SHOP, SHOP.c.id == TASK.c.shop_id)
        .order_by(TASK.c.id.desc())
    )


async def _fetch_views(connection: AsyncConnection, query: sa.Select[Any]) -> list[TaskView]:
    return [TaskView(*cast("tuple[Any, ...]", row)) for row in await connection.execute(query)]


async def tasks_in(
    connection: AsyncConnection,
    states: Sequence[str],
    *,
    shop_id: int | None = None,
    limit: int = 50,
) -> list[TaskView]:
    """Tasks in these states, newest first, with where they go and why they stand there."""
    query = _views().where(TASK.c.state.in_(list(states))).limit(limit)
    if shop_id is not None:
        query = query.where(TASK.c.shop_id == shop_id)
    return await _fetch_views(connection, query)


async def tasks_for_product(
    connection: AsyncConnection, product_id: int, *, limit: int = 20
) -> list[TaskView]:
    """The newest tasks of a product's listings (linked now or when the task was written)."""
    return await _fetch_views(
        connection, _views().where(TASK.c.product_id == product_id).limit(limit)
    )
