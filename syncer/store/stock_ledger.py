"""The propagation ledger: which observed stock changes have been turned into master deltas.

Every stock event a pull or webhook wrote is consumed exactly once: its ``stock_delta`` row
(primary key: the event id) is written in the same transaction as the master stock change.
Events are scanned above a watermark; the watermark only passes events old enough that no
transaction still writing could hold a lower id (PostgreSQL commits ids out of order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from syncer.store.push_tables import PropagationMark, StockDelta
from syncer.store.sql import dialect_insert
from syncer.store.tables import ListingEvent

EVENT = ListingEvent.__table__  # type: ignore[attr-defined]
DELTA = StockDelta.__table__  # type: ignore[attr-defined]
MARK = PropagationMark.__table__  # type: ignore[attr-defined]
STOCK_MARK = "stock"
OBSERVED_SOURCES = ("pull", "webhook")
SETTLE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True, kw_only=True)
class StockObservation:
    event_id: int
    listing_id: int
    old: int
    new: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Consumed:
    event_id: int
    listing_id: int
    product_id: int | None
    delta: int
    outcome: str


async def lock_mark(connection: AsyncConnection) -> int:
    """Take the propagation lock (the mark row, ``FOR UPDATE``) and return the watermark.

    One propagator at a time across the deployment: on SQLite the write transaction already
    serializes; on PostgreSQL the row lock does.
    """
    insert = dialect_insert(connection, MARK).values(name=STOCK_MARK, event_id=0)
    await connection.execute(insert.on_conflict_do_nothing())
    query = sa.select(MARK.c.event_id).where(MARK.c.name == STOCK_MARK).with_for_update()
    return int((await connection.execute(query)).scalar_one())


async def unconsumed(
    connection: AsyncConnection, mark: int, *, limit: int
) -> list[StockObservation]:
    """Observed stock changes above the mark that no ledger row has consumed, in id order."""
    consumed = sa.select(DELTA.c.event_id).where(DELTA.c.event_id == EVENT.c.id)
    query = (
        sa.select(EVENT.c.id, EVENT.c.listing_id, EVENT.c.old_value, EVENT.c.new_value)
        .where(
            EVENT.c.id > mark,
            EVENT.c.field == "stock",
            EVENT.c.source.in_(OBSERVED_SOURCES),
            ~consumed.exists(),
        )
        .order_by(EVENT.c.id)
        .limit(limit)
    )
    return [
        StockObservation(event_id=row[0], listing_id=row[1], old=_int(row[2]), new=_int(row[3]))
        for row in await connection.execute(query)
    ]


def _int(value: str) -> int:
    return int(value) if value.lstrip("-").isdigit() else 0


async def consume(connection: AsyncConnection, rows: Sequence[Consumed], *, now: datetime) -> None:
    """Write the ledger rows; a duplicate event id fails the transaction (never applied twice)."""
    if rows:
        await connection.execute(
            sa.insert(DELTA),
            [
                {
                    "event_id": r.event_id,
                    "listing_id": r.listing_id,
                    "product_id": r.product_id,
                    "delta": r.delta,
                    "outcome": r.outcome,
                    "created_at": now,
                }
                for r in rows
            ],
        )


async def advance_mark(
    connection: AsyncConnection, mark: int, *, now: datetime, scanned_to: int | None
) -> int:
    """Move the watermark over settled events: all of them when the scan was complete
    (``scanned_to`` None), else no further than the last event scanned."""
    settled = await connection.scalar(
        sa.select(sa.func.max(EVENT.c.id)).where(EVENT.c.created_at < now - SETTLE)
    )
    if settled is None:
        return mark
    target = int(settled) if scanned_to is None else min(int(settled), scanned_to)
    if target > mark:
        await connection.execute(
            MARK.update().where(MARK.c.name == STOCK_MARK).values(event_id=target)
        )
        return target
    return mark


async def ledger(connection: AsyncConnection, *, limit: int = 100) -> list[Consumed]:
    """The newest consumed observations (for reports and tests)."""
    query = (
        sa.select(DELTA.c.event_id, DELTA.c.listing_id, DELTA.c.product_id, DELTA.c.delta)
        .add_columns(DELTA.c.outcome)
        .order_by(DELTA.c.event_id.desc())
        .limit(limit)
    )
    return [
        Consumed(event_id=r[0], listing_id=r[1], product_id=r[2], delta=r[3], outcome=r[4])
        for r in await connection.execute(query)
    ]
