"""Received webhook events: recorded once however often a marketplace redelivers them.

The HTTP layer verifies the signature, then records the event here; ``(marketplace,
event_id)`` is unique, so a redelivery is recognised and changes nothing. An event naming items
stays *pending* (``consumed_at`` NULL) until an items pull stores those items and marks it
consumed in the same transaction, so no event's items are lost to a crash or a failed run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from syncer.adapter.webhooks import WebhookEvent
from syncer.domain import RunState
from syncer.store.daemon_tables import WebhookEventRecord
from syncer.store.sql import dialect_insert
from syncer.store.tables import Shop, SyncRun

EVENT = WebhookEventRecord.__table__  # type: ignore[attr-defined]
SHOP = Shop.__table__  # type: ignore[attr-defined]
RUN = SyncRun.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedEvent:
    id: int
    duplicate: bool
    shop_id: int | None
    run_id: int | None


async def shop_for(
    connection: AsyncConnection, marketplace: str, external_shop_id: str
) -> int | None:
    return await connection.scalar(
        sa.select(SHOP.c.id).where(
            SHOP.c.marketplace == marketplace, SHOP.c.external_shop_id == external_shop_id
        )
    )


async def record_event(
    connection: AsyncConnection,
    event: WebhookEvent,
    *,
    shop_id: int | None,
    now: datetime,
    pending: bool = False,
) -> RecordedEvent:
    """Store the event unless it was stored before; say which.

    ``pending``: an items pull will read its items; otherwise it is consumed on arrival (a
    whole-shop pull covers it, or there is no shop to pull).
    """
    insert = dialect_insert(connection, EVENT).values(
        marketplace=event.marketplace,
        event_id=event.event_id,
        shop_id=shop_id,
        shop_external_id=event.shop_external_id,
        kind=event.kind,
        item_ids=json.dumps(list(event.external_item_ids)),
        occurred_at=event.occurred_at,
        received_at=now,
        raw=json.dumps(dict(event.raw), ensure_ascii=False, default=str),
        consumed_at=None if pending else now,
    )
    inserted = await connection.scalar(
        insert.on_conflict_do_nothing(index_elements=["marketplace", "event_id"]).returning(
            EVENT.c.id
        )
    )
    if inserted is not None:
        return RecordedEvent(id=int(inserted), duplicate=False, shop_id=shop_id, run_id=None)
    row = (
        await connection.execute(
            sa.select(EVENT.c.id, EVENT.c.shop_id, EVENT.c.run_id).where(
                EVENT.c.marketplace == event.marketplace, EVENT.c.event_id == event.event_id
            )
        )
    ).one()
    return RecordedEvent(id=row[0], duplicate=True, shop_id=row[1], run_id=row[2])


async def link_run(connection: AsyncConnection, event_id: int, run_id: int) -> None:
    """The pull that will read the event's items."""
    await connection.execute(EVENT.update().where(EVENT.c.id == event_id).values(run_id=run_id))


async def still_queued(connection: AsyncConnection, run_id: int) -> bool:
    """Whether the run an event just joined has not started, holding its row until commit.

    The no-op update takes the run's row lock: a worker claiming the run concurrently waits
    for this transaction (and then sees the event), or has claimed it already (False: the
    caller queues another run, so the event is never left behind a run that missed it).
    """
    result = await connection.execute(
        RUN.update()
        .where(RUN.c.id == run_id, RUN.c.state == RunState.QUEUED.value)
        .values(triggers=RUN.c.triggers)
    )
    return bool(result.rowcount)


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingEvent:
    id: int
    item_ids: tuple[str, ...]


def _pending(shop_id: int) -> sa.ColumnElement[bool]:
    return sa.and_(EVENT.c.shop_id == shop_id, EVENT.c.consumed_at.is_(None))


async def last_pending_id(connection: AsyncConnection, shop_id: int) -> int | None:
    """The newest pending event of the shop: an items pull reads up to it, no further (an
    event arriving later queued a run of its own)."""
    return await connection.scalar(sa.select(sa.func.max(EVENT.c.id)).where(_pending(shop_id)))


async def pending_events(
    connection: AsyncConnection, shop_id: int, *, up_to: int, after: int, limit: int
) -> list[PendingEvent]:
    """The shop's pending events in id order, after ``after`` and up to ``up_to``."""
    query = (
        sa.select(EVENT.c.id, EVENT.c.item_ids)
        .where(_pending(shop_id), EVENT.c.id > after, EVENT.c.id <= up_to)
        .order_by(EVENT.c.id)
        .limit(limit)
    )
    return [
        PendingEvent(id=row[0], item_ids=tuple(str(i) for i in json.loads(row[1] or "[]")))
        for row in await connection.execute(query)
    ]


async def mark_consumed(
    connection: AsyncConnection, event_ids: Sequence[int], *, run_id: int, now: datetime
) -> None:
    """The events' items are stored (call in the transaction that stores them)."""
    if event_ids:
        await connection.execute(
            EVENT.update()
            .where(EVENT.c.id.in_(list(event_ids)), EVENT.c.consumed_at.is_(None))
            .values(consumed_at=now, run_id=run_id)
        )


async def shops_with_pending(
    connection: AsyncConnection, *, received_before: datetime
) -> list[int]:
    """Shops with events still pending since before ``received_before`` (their items pull
    failed or was cancelled): the webhook upkeep queues their items pull again."""
    query = (
        sa.select(EVENT.c.shop_id)
        .where(
            EVENT.c.consumed_at.is_(None),
            EVENT.c.shop_id.is_not(None),
            EVENT.c.received_at < received_before,
        )
        .distinct()
    )
    return [int(shop_id) for shop_id in (await connection.execute(query)).scalars()]


async def recent_events(connection: AsyncConnection, *, limit: int = 50) -> list[dict[str, object]]:
    query = sa.select(EVENT).order_by(EVENT.c.id.desc()).limit(limit)
    return [dict(row._mapping) for row in await connection.execute(query)]
