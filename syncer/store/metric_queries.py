"""Aggregates for ``/metrics``: runs, run durations, listings, shops and their token expiries.

Each is one grouped query; the database does the counting, so a scrape stays cheap however
many listings there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from syncer.store.tables import Listing, Shop, SyncRun

LISTING = Listing.__table__  # type: ignore[attr-defined]
SHOP = Shop.__table__  # type: ignore[attr-defined]
RUN = SyncRun.__table__  # type: ignore[attr-defined]
DURATION_BUCKETS = (1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class DurationHistogram:
    kind: str
    buckets: list[tuple[float, int]]  # (upper bound, cumulative count)
    count: int
    total_s: float


async def listings_by_status(connection: AsyncConnection) -> list[tuple[str, str, int]]:
    query = (
        sa.select(SHOP.c.marketplace, LISTING.c.status, sa.func.count())
        .join(SHOP, SHOP.c.id == LISTING.c.shop_id)
        .group_by(SHOP.c.marketplace, LISTING.c.status)
    )
    return [(row[0], row[1], int(row[2])) for row in await connection.execute(query)]


async def runs_by_outcome(connection: AsyncConnection) -> list[tuple[str, str, int]]:
    query = sa.select(RUN.c.kind, RUN.c.state, sa.func.count()).group_by(RUN.c.kind, RUN.c.state)
    return [(row[0], row[1], int(row[2])) for row in await connection.execute(query)]


def _seconds(connection: AsyncConnection) -> sa.ColumnElement[float]:
    if connection.dialect.name == "sqlite":
        days = sa.func.julianday(RUN.c.finished_at) - sa.func.julianday(RUN.c.started_at)
        return days * 86400.0
    return sa.cast(sa.extract("epoch", RUN.c.finished_at - RUN.c.started_at), sa.Float)


async def run_durations(
    connection: AsyncConnection, buckets: Sequence[float] = DURATION_BUCKETS
) -> list[DurationHistogram]:
    """A histogram of finished runs' durations per kind, counted by the database."""
    seconds = _seconds(connection)
    columns = [sa.func.sum(sa.case((seconds <= bound, 1), else_=0)) for bound in buckets]
    query = (
        sa.select(RUN.c.kind, sa.func.count(), sa.func.sum(seconds), *columns)
        .where(RUN.c.finished_at.is_not(None), RUN.c.started_at.is_not(None))
        .group_by(RUN.c.kind)
    )
    return [
        DurationHistogram(
            kind=row[0],
            count=int(row[1]),
            total_s=float(row[2] or 0.0),
            buckets=[
                (bound, int(value or 0)) for bound, value in zip(buckets, row[3:], strict=True)
            ],
        )
        for row in await connection.execute(query)
    ]


async def shops_by_auth_state(connection: AsyncConnection) -> list[tuple[str, str, int]]:
    query = sa.select(SHOP.c.marketplace, SHOP.c.auth_state, sa.func.count()).group_by(
        SHOP.c.marketplace, SHOP.c.auth_state
    )
    return [(row[0], row[1], int(row[2])) for row in await connection.execute(query)]


async def token_expiries(
    connection: AsyncConnection, *, now: datetime, horizons: Sequence[tuple[str, float]]
) -> list[tuple[str, str, int]]:
    """(marketplace, horizon label, shops whose token expires before now + horizon)."""
    counts: dict[tuple[str, str], int] = {}
    query = sa.select(SHOP.c.marketplace, SHOP.c.token_expires_at).where(
        SHOP.c.token_expires_at.is_not(None), SHOP.c.enabled.is_(True)
    )
    for marketplace, expires in await connection.execute(query):
        left = (expires - now).total_seconds()
        for label, seconds in horizons:
            if left <= seconds:
                counts[(marketplace, label)] = counts.get((marketplace, label), 0) + 1
    return [(marketplace, label, n) for (marketplace, label), n in sorted(counts.items())]
