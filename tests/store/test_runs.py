"""Run records and the fenced shop lease, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from syncer.domain import RunCounts, RunKind, RunState, RunTrigger
from syncer.errors import StaleLeaseError
from syncer.store import Database
from syncer.store import runs as run_store
from syncer.store.queries import get_run
from tests.store.factories import NOW, make_shop


async def start(database: Database, shop: int, kind: RunKind = RunKind.PULL_FULL) -> int:
    async with database.write() as connection:
        return await run_store.start_run(
            connection,
            shop_id=shop,
            kind=kind,
            trigger=RunTrigger.MANUAL,
            requested_by="test",
            worker="w1",
            now=NOW,
        )


async def test_a_second_running_run_of_the_same_kind_is_refused(database: Database) -> None:
    shop = await make_shop(database)
    first = await start(database, shop)
    with pytest.raises(run_store.RunConflictError) as refused:
        await start(database, shop)
    assert refused.value.run_id == first
    await start(database, shop, RunKind.PULL_INCREMENTAL)  # another kind may run


async def test_finished_runs_keep_counts_and_errors(database: Database) -> None:
    shop = await make_shop(database)
    run_id = await start(database, shop)
    async with database.write() as connection:
        await run_store.finish_run(
            connection,
            run_id,
            state=RunState.FAILED,
            counts=RunCounts(pages=3, fetched=250),
            now=NOW,
            error=RuntimeError("boom"),
            issues=[{"item": "7", "reason": "x"}],
        )
    async with database.read() as connection:
        row = await get_run(connection, run_id)
    assert row is not None
    assert (row["state"], row["pages"], row["fetched"]) == ("failed", 3, 250)
    assert (row["error_class"], row["error_message"]) == ("RuntimeError", "boom")
    await start(database, shop)  # the finished run no longer blocks a new one


async def test_a_lease_held_by_another_worker_is_refused_until_it_expires(
    database: Database,
) -> None:
    shop = await make_shop(database)
    async with database.write() as connection:
        held = await run_store.acquire_lease(
            connection, shop, owner="a", now=NOW, until=NOW + timedelta(minutes=5)
        )
    with pytest.raises(StaleLeaseError):
        async with database.write() as connection:
            await run_store.acquire_lease(
                connection, shop, owner="b", now=NOW, until=NOW + timedelta(minutes=5)
            )
    later = NOW + timedelta(minutes=6)
    async with database.write() as connection:
        taken = await run_store.acquire_lease(
            connection, shop, owner="b", now=later, until=later + timedelta(minutes=5)
        )
    assert taken.epoch == held.epoch + 1


async def test_a_zombie_cannot_checkpoint_after_losing_its_lease(database: Database) -> None:
    shop = await make_shop(database)
    async with database.write() as connection:
        zombie = await run_store.acquire_lease(connection, shop, owner="a", now=NOW, until=NOW)
    later = NOW + timedelta(seconds=1)
    async with database.write() as connection:
        fresh = await run_store.acquire_lease(
            connection, shop, owner="b", now=later, until=later + timedelta(minutes=5)
        )
        await run_store.checkpoint(connection, fresh, cursor={"pass": None}, lease_until=later)
    with pytest.raises(StaleLeaseError):
        async with database.write() as connection:
            await run_store.checkpoint(connection, zombie, cursor={"pass": "x"}, lease_until=later)
    async with database.read() as connection:
        assert (await run_store.load_state(connection, shop)).cursor == {"pass": None}


async def test_interrupted_runs_are_failed_on_recovery(database: Database) -> None:
    shop = await make_shop(database)
    run_id = await start(database, shop)
    async with database.write() as connection:
        recovered = await run_store.recover_interrupted(
            connection, now=NOW + timedelta(hours=1), stale_before=NOW + timedelta(minutes=10)
        )
        row = await get_run(connection, run_id)
    assert [(r.id, r.shop_id, r.kind) for r in recovered] == [(run_id, shop, RunKind.PULL_FULL)]
    assert row is not None
    assert row["state"] == "failed"
