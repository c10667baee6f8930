"""The run queue on SQLite and PostgreSQL: triggers collapse, manual ones are never dropped."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import sqlalchemy as sa

from syncer.domain import RunCounts, RunKind, RunState, RunTrigger
from syncer.store import Database
from syncer.store import queue as queue_store
from syncer.store import runs as run_store
from tests.store.factories import NOW, make_shop


async def enqueue(
    database: Database,
    shop: int,
    kind: RunKind = RunKind.PULL_INCREMENTAL,
    trigger: RunTrigger = RunTrigger.SCHEDULE,
    **options: object,
) -> queue_store.Enqueued:
    async with database.write() as connection:
        return await queue_store.enqueue_run(
            connection,
            shop_id=shop,
            kind=kind,
            trigger=trigger,
            requested_by="test",
            now=NOW,
            **options,  # type: ignore[arg-type]
        )


async def claim(database: Database, run_id: int, kind: RunKind) -> None:
    async with database.write() as connection:
        await run_store.start_run(
            connection,
            shop_id=0,
            kind=kind,
            trigger=RunTrigger.SCHEDULE,
            requested_by="",
            worker="w1",
            now=NOW,
            queued_run_id=run_id,
        )


async def states(database: Database) -> list[tuple[int, str, str, int]]:
    async with database.read() as connection:
        rows = await connection.execute(
            sa.text("SELECT id, kind, state, triggers FROM sync_run ORDER BY id")
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]


async def test_repeated_triggers_collapse_into_one_queued_run(database: Database) -> None:
    shop = await make_shop(database)
    first = await enqueue(database, shop)
    again = [await enqueue(database, shop) for _ in range(4)]
    assert not first.joined
    assert {e.run_id for e in again} == {first.run_id}
    assert all(e.joined for e in again)
    assert await states(database) == [(first.run_id, "pull_incremental", "queued", 5)]


async def test_a_trigger_while_a_run_is_going_queues_exactly_one_more(database: Database) -> None:
    shop = await make_shop(database)
    first = await enqueue(database, shop)
    await claim(database, first.run_id, RunKind.PULL_INCREMENTAL)
    behind = await enqueue(database, shop)
    joined = await enqueue(database, shop, trigger=RunTrigger.MANUAL)
    assert (behind.joined, behind.running_run_id) == (False, first.run_id)
    assert (joined.run_id, joined.joined) == (behind.run_id, True)
    assert "starts when run" in behind.describe()
    assert [s[2] for s in await states(database)] == ["running", "queued"]


async def test_a_manual_sync_joins_the_run_going_now(database: Database) -> None:
    shop = await make_shop(database)
    first = await enqueue(database, shop, RunKind.PULL_FULL)
    await claim(database, first.run_id, RunKind.PULL_FULL)
    manual = await enqueue(database, shop, trigger=RunTrigger.MANUAL, join_running=True)
    assert (manual.run_id, manual.already_running) == (first.run_id, True)
    assert manual.describe() == f"joined pull full run {first.run_id}, running now"
    assert len(await states(database)) == 1


async def test_an_incremental_trigger_joins_a_queued_full_reconcile(database: Database) -> None:
    shop = await make_shop(database)
    full = await enqueue(database, shop, RunKind.PULL_FULL)
    incremental = await enqueue(database, shop)
    assert (incremental.run_id, incremental.kind) == (full.run_id, RunKind.PULL_FULL)
    fuller = await enqueue(database, await make_shop(database, external_id="2"))
    assert fuller.kind is RunKind.PULL_INCREMENTAL


async def test_concurrent_triggers_leave_at_most_one_queued_run(database: Database) -> None:
    shops = [await make_shop(database, external_id=str(i)) for i in range(5)]
    results = await asyncio.gather(*(enqueue(database, s) for s in shops for _ in range(6)))
    assert len({r.run_id for r in results}) == 5
    assert sum(not r.joined for r in results) == 5
    assert sorted(s[3] for s in await states(database)) == [6] * 5


async def test_a_claimed_run_cannot_be_claimed_again(database: Database) -> None:
    shop = await make_shop(database)
    queued = await enqueue(database, shop)
    await claim(database, queued.run_id, RunKind.PULL_INCREMENTAL)
    with pytest.raises(run_store.RunGoneError):
        await claim(database, queued.run_id, RunKind.PULL_INCREMENTAL)


async def test_next_queued_puts_manual_runs_first_then_the_earliest_due(
    database: Database,
) -> None:
    a, b, c = [await make_shop(database, external_id=str(i)) for i in range(3)]
    await enqueue(database, a, due_at=NOW + timedelta(minutes=2))
    await enqueue(database, b, due_at=NOW + timedelta(minutes=1))
    await enqueue(database, c, trigger=RunTrigger.MANUAL, due_at=NOW + timedelta(minutes=5))
    async with database.read() as connection:
        order = [r.shop_id for r in await queue_store.next_queued(connection, limit=10)]
        skipping = await queue_store.next_queued(connection, limit=10, skip_shops=[c])
    assert order == [c, b, a]
    assert [r.shop_id for r in skipping] == [b, a]


async def test_cancelled_runs_say_why_and_free_the_queue(database: Database) -> None:
    shop = await make_shop(database)
    queued = await enqueue(database, shop)
    async with database.write() as connection:
        cancelled = await queue_store.cancel_queued(
            connection, shop, reason="the shop needs re-authorization", now=NOW
        )
        view = await queue_store.view_run(connection, queued.run_id)
    assert cancelled == 1
    assert view is not None
    assert (view.state, view.error_message) == (
        RunState.CANCELLED,
        "the shop needs re-authorization",
    )
    assert not (await enqueue(database, shop)).joined


async def test_progress_is_visible_to_other_processes(database: Database) -> None:
    shop = await make_shop(database)
    queued = await enqueue(database, shop)
    await claim(database, queued.run_id, RunKind.PULL_INCREMENTAL)
    async with database.write() as connection:
        await run_store.record_progress(
            connection, queued.run_id, RunCounts(pages=2, fetched=200), NOW, (200, 1000)
        )
        view = await queue_store.view_run(connection, queued.run_id)
    assert view is not None
    assert (view.state, view.progress_done, view.progress_total, view.counts.fetched) == (
        RunState.RUNNING,
        200,
        1000,
        200,
    )


async def test_silent_nodes_are_found_by_their_last_heartbeat(database: Database) -> None:
    async with database.write() as connection:
        await queue_store.heartbeat(connection, "a", role="worker", now=NOW, started_at=NOW)
        later = NOW + timedelta(minutes=1)
        await queue_store.heartbeat(connection, "b", role="all", now=later, started_at=NOW)
        silent = await queue_store.silent_nodes(connection, seen_before=later)
        live = await queue_store.live_nodes(connection, seen_since=later, roles=("all", "worker"))
    assert (silent, live) == (["a"], ["b"])


async def test_a_full_trigger_upgrades_the_queued_incremental_run(database: Database) -> None:
    shop = await make_shop(database)
    incremental = await enqueue(database, shop)
    full = await enqueue(database, shop, RunKind.PULL_FULL)
    assert (full.run_id, full.kind, full.joined) == (incremental.run_id, RunKind.PULL_FULL, True)
    assert await states(database) == [(incremental.run_id, "pull_full", "queued", 2)]
