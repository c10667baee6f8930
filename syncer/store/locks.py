"""Deployment-wide named locks, e.g. "one token refresh per shop at a time, anywhere".

PostgreSQL: a transaction-scoped advisory lock, released however the holder ends (commit,
rollback, a dropped connection of a killed process). SQLite (one host): a row in ``sync_lock``
with an expiry, taken and freed in short transactions: SQLite has one writer, so holding a
write transaction across an HTTP call would stall every other write, the holder's own included.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import sqlalchemy as sa

from syncer.domain import Clock
from syncer.errors import StoreError
from syncer.store.daemon_tables import SyncLock
from syncer.store.database import Database
from syncer.store.sql import dialect_insert

LOCK = SyncLock.__table__  # type: ignore[attr-defined]
POLL_S = 0.05


class LockTimeoutError(StoreError):
    """The lock stayed held by another process longer than we were willing to wait."""


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_xact_lock`` (the same in every process)."""
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


@asynccontextmanager
async def exclusive(
    database: Database,
    name: str,
    *,
    owner: str,
    clock: Clock,
    hold_s: float = 120.0,
    wait_s: float = 180.0,
) -> AsyncIterator[None]:
    """Hold the lock ``name`` for the body. ``hold_s`` bounds how long a crashed SQLite
    holder blocks others; ``wait_s`` how long to wait for it (``LockTimeoutError``)."""
    if database.is_sqlite:
        async with _row_lock(
            database, name, owner=owner, clock=clock, hold_s=hold_s, wait_s=wait_s
        ):
            yield
        return
    async with database.engine.begin() as connection:
        timeout_ms = int(wait_s * 1000)
        await connection.execute(sa.text(f"SET LOCAL lock_timeout = {timeout_ms}"))
        try:
            await connection.execute(sa.select(sa.func.pg_advisory_xact_lock(advisory_key(name))))
        except sa.exc.OperationalError as exc:
            raise LockTimeoutError(f"lock {name!r} still held after {wait_s:.0f} s") from exc
        yield


@asynccontextmanager
async def _row_lock(
    database: Database, name: str, *, owner: str, clock: Clock, hold_s: float, wait_s: float
) -> AsyncIterator[None]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    while not await _take(database, name, owner, clock, hold_s):
        if loop.time() > deadline:
            raise LockTimeoutError(f"lock {name!r} still held after {wait_s:.0f} s")
        await asyncio.sleep(POLL_S)
    try:
        yield
    finally:
        async with database.write() as connection:
            await connection.execute(
                LOCK.delete().where(LOCK.c.name == name, LOCK.c.owner == owner)
            )


async def _take(database: Database, name: str, owner: str, clock: Clock, hold_s: float) -> bool:
    now = clock.now()
    async with database.write() as connection:
        insert = dialect_insert(connection, LOCK).values(
            name=name, owner=owner, expires_at=now + timedelta(seconds=hold_s)
        )
        await connection.execute(
            insert.on_conflict_do_update(
                index_elements=["name"],
                set_={"owner": owner, "expires_at": insert.excluded.expires_at},
                where=LOCK.c.expires_at < now,  # only a lock its holder abandoned is taken
            )
        )
        holder = await connection.scalar(sa.select(LOCK.c.owner).where(LOCK.c.name == name))
    return holder == owner
