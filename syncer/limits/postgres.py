"""Shared budgets in PostgreSQL: one statement per reservation, refill computed inside it.

Each statement locks one row (the bucket) or skips locked ones (the slots), so concurrent
workers serialise on exactly the budget they share and nothing else.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from syncer.errors import StoreError
from syncer.limits.store import BucketKey, SlotGrant, TokenGrant
from syncer.store.database import Database, describe_database_error

_ENSURE_BUCKET = sa.text(
    "INSERT INTO rate_bucket (key, tokens, updated) "
    "VALUES (:key, :capacity, extract(epoch FROM clock_timestamp())) "
    "ON CONFLICT (key) DO NOTHING"
)
# Refill to now, then take up to :want whole tokens. The row lock (FOR UPDATE) makes read,
# refill and take one step for every worker; GREATEST keeps time from running backwards when
# a statement waited for the lock after reading the clock.
_TAKE_TOKENS = sa.text(
    """
    WITH clock AS (SELECT extract(epoch FROM clock_timestamp()) AS t),
    refilled AS (
        SELECT b.key, GREATEST(b.updated, clock.t) AS t,
               LEAST(:capacity, b.tokens + GREATEST(0, clock.t - b.updated) * :rate) AS level
        FROM rate_bucket b, clock WHERE b.key = :key FOR UPDATE OF b
    ),
    taken AS (SELECT key, t, level, LEAST(:want, floor(level))::int AS n FROM refilled)
    UPDATE rate_bucket b SET tokens = taken.level - taken.n, updated = taken.t
    FROM taken WHERE b.key = taken.key
    RETURNING taken.n, taken.level - taken.n
    """
)
_ENSURE_SLOTS = sa.text(
    "INSERT INTO budget_slot (key, slot, holder, free_at) "
    "SELECT :key, s, '', 0 FROM generate_series(0, :limit - 1) AS s "
    "ON CONFLICT (key, slot) DO NOTHING"
)
# The free slot with the lowest number; SKIP LOCKED lets two workers take two slots at once.
_TAKE_SLOT = sa.text(
    """
    WITH clock AS (SELECT extract(epoch FROM clock_timestamp()) AS t),
    free AS (
        SELECT s.key, s.slot FROM budget_slot s, clock
        WHERE s.key = :key AND s.slot < :limit AND s.free_at <= clock.t
        ORDER BY s.slot LIMIT 1 FOR UPDATE OF s SKIP LOCKED
    )
    UPDATE budget_slot b SET holder = :holder, free_at = clock.t + :hold
    FROM free, clock WHERE b.key = free.key AND b.slot = free.slot
    RETURNING b.slot
    """
)
_NEXT_FREE = sa.text(
    "SELECT min(free_at) - extract(epoch FROM clock_timestamp()) "
    "FROM budget_slot WHERE key = :key AND slot < :limit"
)
_HOLD_SLOT = sa.text(
    "UPDATE budget_slot SET free_at = extract(epoch FROM clock_timestamp()) + :hold "
    "WHERE key = :key AND holder = :holder "
    "RETURNING slot"
)


class PostgresLimitStore:
    """Budgets in the deployment's own database (tables ``rate_bucket`` and ``budget_slot``)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.description = f"PostgreSQL {database.safe_url}"
        self._buckets: set[str] = set()  # rows known to exist: created once per process
        self._slots: set[tuple[str, int]] = set()

    async def take_tokens(
        self, key: BucketKey, *, rate: float, capacity: float, want: int
    ) -> TokenGrant:
        name = key.name
        if name not in self._buckets:
            await self._execute(_ENSURE_BUCKET, key=name, capacity=capacity)
            self._buckets.add(name)
        row = await self._execute(_TAKE_TOKENS, key=name, rate=rate, capacity=capacity, want=want)
        if row is None:  # the row was deleted behind our back: make it again next time
            self._buckets.discard(name)
            return TokenGrant(0, 0.0)
        granted, level = int(row[0]), float(row[1])
        return TokenGrant(granted, level)

    async def take_slot(
        self, key: BucketKey, *, limit: int, holder: str, hold_s: float
    ) -> SlotGrant:
        name = key.name
        if (name, limit) not in self._slots:
            await self._execute(_ENSURE_SLOTS, key=name, limit=limit)
            self._slots.add((name, limit))
        row = await self._execute(_TAKE_SLOT, key=name, limit=limit, holder=holder, hold=hold_s)
        if row is not None:
            return SlotGrant(True, 0.0)
        wait = await self._execute(_NEXT_FREE, key=name, limit=limit)
        return SlotGrant(False, max(0.0, float(wait[0])) if wait and wait[0] is not None else 0.0)

    async def hold_slot(self, key: BucketKey, *, holder: str, hold_s: float) -> bool:
        row = await self._execute(_HOLD_SLOT, key=key.name, holder=holder, hold=hold_s)
        return row is not None

    async def _execute(self, statement: sa.TextClause, **params: Any) -> tuple[Any, ...] | None:
        try:
            # Autocommit: each statement is its own transaction, so the bucket row it locks is
            # free the moment it ends, never held across a round trip by a worker that froze
            # between the statement and its COMMIT.
            async with self.database.engine.connect() as pooled:
                connection = await pooled.execution_options(isolation_level="AUTOCOMMIT")
                result = await connection.execute(statement, params)
                row = result.first() if result.returns_rows else None
        except (sa.exc.SQLAlchemyError, OSError) as exc:  # incl. a pool timeout
            detail = describe_database_error(exc, self.database.configured_url) or str(exc)
            raise StoreError(f"shared rate limits: {detail}") from exc
        return None if row is None else tuple(row)

    async def check(self) -> None:
        await self._execute(sa.text("SELECT 1"))

    async def close(self) -> None:
        """The database belongs to the runtime, which disposes of it."""
