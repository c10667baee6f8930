"""Engine setup for SQLite (default, WAL) and PostgreSQL, and the two kinds of transaction.

SQLite: WAL so readers (the CLI, the web pages) never wait for the daemon, a busy timeout so
writers queue instead of failing, and ``BEGIN IMMEDIATE`` for write transactions: a deferred
transaction that reads and then writes cannot wait for the lock and fails at once instead.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from syncer.errors import ConfigError

BUSY_TIMEOUT_MS = 30_000
INLINE_READ_STEPS = 50_000
"""SQLite VM steps a ``read_sync`` may take on the event loop's thread (~2-4 ms) before it is
moved to the reader thread. A page of 100 listings takes ~4,000; a search matching nothing
walks the whole listing table: ~90,000 at 10,000 listings."""
INLINE_READ_S = 0.005
"""...and the time it may take there: a few steps can be slow too (pages read from a cold
disk, a sort), and the event loop must not stall on them."""
Connection = AsyncConnection
"""A connection in a transaction, as handed out by ``Database.read``/``write``."""
T = TypeVar("T")


def async_url(url: str) -> str:
    """Accept plain ``sqlite:///`` and ``postgresql://`` URLs and pick the async drivers."""
    parsed = make_url(url)
    driver = {
        "sqlite": "sqlite+aiosqlite",
        "postgresql": "postgresql+psycopg",
        "postgres": "postgresql+psycopg",  # the scheme many hosting providers hand out
    }.get(parsed.drivername, parsed.drivername)
    if driver not in ("sqlite+aiosqlite", "postgresql+psycopg"):
        raise ConfigError(
            f"key database.url (or SYNCER_DATABASE_URL): driver {parsed.drivername!r} is not "
            "supported; allowed: sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
        )
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def sync_url(url: str) -> str:
    """The same database through a synchronous driver (Alembic runs migrations with it)."""
    parsed = make_url(async_url(url))
    driver = "sqlite" if parsed.drivername.startswith("sqlite") else "postgresql+psycopg"
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def ensure_sqlite_folder(url: str) -> None:
    """Create the folder of a SQLite file (``var/`` on a fresh clone) before the first connect."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite") and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def describe_database_error(error: BaseException, url: str) -> str | None:
    """One line for a database that cannot be reached or used, or None for other errors."""
    if not isinstance(error, sa.exc.DBAPIError | sa.exc.NoSuchModuleError | OSError):
        return None
    safe_url = make_url(url).render_as_string(hide_password=True)
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    return f"database {safe_url}: {detail}"


def _sqlite_setup(engine: AsyncEngine | sa.Engine) -> None:
    sync_engine = engine.sync_engine if isinstance(engine, AsyncEngine) else engine

    @sa.event.listens_for(sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; WAL keeps it safe
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(sync_engine, "begin")
    def on_begin(connection: sa.Connection) -> None:
        if getattr(connection.connection.dbapi_connection, "in_transaction", False):
            return  # begun on sqlite3 by ``_read_transaction`` (aiosqlite's adapter: never)
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def _read_transaction(connection: sa.Connection) -> Iterator[Any]:
    """A read transaction begun on the SQLite driver itself, which the hot reads then query
    directly (``web_prepared``): through SQLAlchemy, beginning runs a statement through its
    whole execution path, ~30 us of a 100 us read. Core statements run on ``connection``
    join it (``on_begin``); returning the connection to its pool rolls it back."""
    driver: Any = connection.connection.driver_connection  # sqlite3.Connection
    driver.execute("BEGIN")
    try:
        yield driver
    finally:
        connection.rollback()  # SQLAlchemy's, if it joined; then the driver's own
        if driver.in_transaction:
            driver.rollback()


def _read_budget(calls: int, seconds: float) -> Callable[[], bool]:
    """A progress handler that interrupts the read after ``calls`` calls or ``seconds``."""
    deadline = time.perf_counter() + seconds
    left = calls

    def over() -> bool:
        nonlocal left
        left -= 1
        return left < 0 or time.perf_counter() > deadline

    return over


class Database:
    """One engine per process; ``write()`` and ``read()`` hand out transactions."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.configured_url = url
        self.url = async_url(url)
        self.is_sqlite = make_url(self.url).drivername.startswith("sqlite")
        ensure_sqlite_folder(self.url)
        options: dict[str, Any] = {"echo": echo}
        if not self.is_sqlite:
            options |= {"pool_size": 10, "max_overflow": 10, "pool_pre_ping": True}
        self.engine = create_async_engine(self.url, **options)
        if self.is_sqlite:
            _sqlite_setup(self.engine)
        self._writer = self.engine.execution_options(sqlite_immediate=True)

    @property
    def safe_url(self) -> str:
        """The configured URL without its password, for messages and logs."""
        return make_url(self.configured_url).render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction, committed on success and rolled back on any error."""
        async with self._writer.begin() as connection:
            yield connection

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as connection:
            yield connection

    async def read_sync(self, work: Callable[[sa.Connection], T]) -> T:
        """``work`` with a synchronous connection in one read transaction, for hot read paths
        that run several queries (the API). ``work`` only reads: it may be run twice.

        SQLite: first on the calling thread (the event loop's), on its own synchronous
        connection, with SQLite allowed ``INLINE_READ_STEPS`` and no waiting on locks; a
        read that would take longer or wait is interrupted and run again on this database's
        reader thread, where it may take its time without stalling the loop. Most API reads
        take well under a millisecond: handing each one to a thread cost ~0.4 ms of CPU a
        request in GIL hand-offs between the two threads (measured at 20 concurrent clients),
        more than many of the reads themselves (aiosqlite, before, hopped for every call).
        PostgreSQL: the async engine's own connection, driven through ``run_sync``."""
        if self._sqlite_file:
            try:
                return self._read_sync_inline(work)
            # Over budget, or the file is busy: not here. The hot reads query the driver itself
            # (``web_prepared``), whose errors SQLAlchemy has not wrapped.
            except (sa.exc.OperationalError, sqlite3.OperationalError):
                pass
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._reader_thread, self._read_sync_sqlite, work)
        async with self.engine.connect() as connection:
            return await connection.run_sync(work)

    def _read_sync_inline(self, work: Callable[[sa.Connection], T]) -> T:
        with self._sqlite_inline.connect() as connection, _read_transaction(connection) as driver:
            # SQLite calls this every 1,000 steps of its VM; True interrupts the statement.
            # Mostly steps (a read preempted on a busy machine is not a slow read), with a
            # clock for the few slow steps; perf_counter needs no system call.
            driver.set_progress_handler(
                _read_budget(INLINE_READ_STEPS // 1000, INLINE_READ_S), 1000
            )
            try:
                return work(connection)
            finally:
                driver.set_progress_handler(None, 0)

    @cached_property
    def _sqlite_inline(self) -> sa.Engine:
        engine = sa.create_engine(sync_url(self.configured_url), pool_size=1, max_overflow=0)
        _sqlite_setup(engine)

        @sa.event.listens_for(engine, "connect")
        def no_waiting(dbapi_connection: Any, _record: Any) -> None:  # after _sqlite_setup's
            dbapi_connection.execute("PRAGMA busy_timeout=0")  # busy: the reader thread waits

        return engine

    @cached_property
    def _reader_thread(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-reader")

    @cached_property
    def _sqlite_file(self) -> bool:
        return self.is_sqlite and make_url(self.url).database not in (None, "", ":memory:")

    @cached_property
    def _sqlite_reader(self) -> sa.Engine:
        engine = sa.create_engine(sync_url(self.configured_url), pool_size=1, max_overflow=0)
        _sqlite_setup(engine)
        return engine

    def _read_sync_sqlite(self, work: Callable[[sa.Connection], T]) -> T:
        with self._sqlite_reader.connect() as connection, _read_transaction(connection):
            return work(connection)

    async def dispose(self) -> None:
        inline = self.__dict__.pop("_sqlite_inline", None)
        if inline is not None:
            inline.dispose()
        reader_thread = self.__dict__.pop("_reader_thread", None)  # made again if used again
        if reader_thread is not None:
            reader_thread.shutdown(wait=True)  # a read in flight takes a millisecond
        reader = self.__dict__.pop("_sqlite_reader", None)
        if reader is not None:
            reader.dispose()
        await self.engine.dispose()
