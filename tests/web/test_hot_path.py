"""The API's hot path: SQLite reads run on the caller's thread unless they grow long, and a
token is looked up once however many requests bring it at the same moment."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import sqlalchemy as sa

from syncer.store import database as database_module
from tests.web.conftest import Site

COUNT_TO = sa.text(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :limit) "
    "SELECT count(*) FROM n"
)


def counted(limit: int) -> Any:
    def work(connection: sa.Connection) -> tuple[str, int]:
        found = connection.execute(COUNT_TO, {"limit": limit})
        return threading.current_thread().name, int(found.scalar_one())

    return work


async def test_a_short_read_runs_here_and_a_long_one_moves_to_the_reader_thread(
    site: Site,
) -> None:
    database = site.runtime.database
    here = threading.current_thread().name
    short_thread, short = await database.read_sync(counted(100))
    # ~3 SQLite VM steps a row: well past INLINE_READ_STEPS, interrupted and run again
    long_limit = database_module.INLINE_READ_STEPS * 2
    long_thread, long = await database.read_sync(counted(long_limit))
    assert (short, long) == (100, long_limit)  # the interrupted read's answer is whole
    if database.dialect == "sqlite":
        assert short_thread == here
        assert long_thread.startswith("sqlite-reader")
    # the connection of the interrupted read serves the next one normally
    assert (await database.read_sync(counted(5)))[1] == 5


async def test_a_long_read_on_the_driver_itself_also_moves_to_the_reader_thread(
    site: Site,
) -> None:
    """The hot reads query SQLite's own driver (``web_prepared``): its interruption is a
    ``sqlite3.OperationalError`` SQLAlchemy never wrapped, and must move the read too."""
    database = site.runtime.database
    if database.dialect != "sqlite":
        return  # PostgreSQL reads have no inline path
    long_limit = database_module.INLINE_READ_STEPS * 2

    def on_driver(connection: sa.Connection) -> tuple[str, int]:
        driver: Any = connection.connection.driver_connection
        found = driver.execute(str(COUNT_TO).replace(":limit", "?"), (long_limit,))
        return threading.current_thread().name, int(found.fetchone()[0])

    thread, count = await database.read_sync(on_driver)
    assert count == long_limit
    assert thread.startswith("sqlite-reader")


async def test_a_read_sees_one_snapshot_and_leaves_no_transaction_open(site: Site) -> None:
    """Statements of one read, on the driver and through SQLAlchemy, share its transaction;
    afterwards nothing stays open (a writer could otherwise never checkpoint the WAL)."""
    database = site.runtime.database

    def work(connection: sa.Connection) -> bool:
        connection.exec_driver_sql("SELECT 1").all()
        return connection.in_transaction()

    assert await database.read_sync(work)
    if database.dialect == "sqlite":
        engine = database._sqlite_inline  # the pooled connection itself
        with engine.connect() as connection:
            assert not connection.connection.driver_connection.in_transaction


async def test_twenty_requests_with_one_cold_token_look_it_up_once(site: Site) -> None:
    checkouts = []

    def checked_out(*_: object) -> None:
        checkouts.append(1)

    engine = site.runtime.database.engine.sync_engine
    sa.event.listen(engine, "checkout", checked_out)
    try:
        answers = await asyncio.gather(
            *(site.client.get("/api/v1/me", headers=site.as_(site.data.a.token)) for _ in range(20))
        )
    finally:
        sa.event.remove(engine, "checkout", checked_out)
    assert {answer.status_code for answer in answers} == {200}
    assert len(checkouts) == 1  # one database connection for the one lookup
