"""The single-node daemon: start-up runs, scheduled runs, recovery and graceful shutdown."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from syncer.domain import RunKind, RunTrigger
from syncer.scheduler.daemon import Daemon
from syncer.store import runs as run_store
from syncer.store.queries import recent_runs
from tests.engine.shopee_rig import ShopeeRig, shopee_rig

__all__ = ["shopee_rig"]


async def runs_of(rig: ShopeeRig) -> list[dict[str, object]]:
    async with rig.runtime.database.read() as connection:
        return list(reversed(await recent_runs(connection, limit=50)))


async def started(daemon: Daemon, stop: asyncio.Event) -> asyncio.Task[None]:
    task = asyncio.create_task(daemon.run(stop))
    while not daemon.scheduler.running:  # noqa: ASYNC110  APScheduler exposes only a flag
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    return task


async def test_a_new_shop_gets_a_full_pull_at_start_then_scheduled_incrementals(
    shopee_rig: ShopeeRig,
) -> None:
    daemon, stop = Daemon(shopee_rig.runtime), asyncio.Event()
    task = await started(daemon, stop)
    await daemon.idle()
    job = daemon.scheduler.get_job(f"pull:{shopee_rig.shop.id}")
    assert job is not None
    job.modify(next_run_time=datetime.now(UTC))  # the interval comes due now
    await asyncio.sleep(0.3)
    await daemon.idle()
    stop.set()
    await task
    runs = await runs_of(shopee_rig)
    assert [(r["kind"], r["trigger"], r["state"]) for r in runs] == [
        (RunKind.PULL_FULL.value, RunTrigger.STARTUP.value, "succeeded"),
        (RunKind.PULL_INCREMENTAL.value, RunTrigger.SCHEDULE.value, "succeeded"),
    ]
    assert await shopee_rig.stored() == await shopee_rig.truth()


async def test_runs_left_running_by_a_crash_are_recovered_at_start(shopee_rig: ShopeeRig) -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    async with shopee_rig.runtime.database.write() as connection:
        orphan = await run_store.start_run(
            connection,
            shop_id=shopee_rig.shop.id,
            kind=RunKind.PULL_FULL,
            trigger=RunTrigger.SCHEDULE,
            requested_by="daemon",
            worker="dead:1",
            now=long_ago,
        )
    daemon, stop = Daemon(shopee_rig.runtime), asyncio.Event()
    task = await started(daemon, stop)
    await daemon.idle()
    stop.set()
    await task
    states = {r["id"]: (r["state"], r["error_class"]) for r in await runs_of(shopee_rig)}
    assert states[orphan] == ("failed", "Interrupted")
    assert list(states.values())[-1] == ("succeeded", "")


async def test_shutdown_leaves_no_running_run_behind_and_the_next_run_resumes(
    shopee_rig: ShopeeRig,
) -> None:
    await shopee_rig.control_post("faults", {"latency_ms": 40})
    daemon, stop = Daemon(shopee_rig.runtime, shutdown_grace_s=0.2), asyncio.Event()
    task = await started(daemon, stop)
    while not (runs := await runs_of(shopee_rig)) or int(str(runs[0]["pages"])) < 1:  # noqa: ASYNC110
        await asyncio.sleep(0.05)  # the start-up pull has stored its first page
    stop.set()
    await task
    async with shopee_rig.runtime.database.read() as connection:
        running = (
            await connection.execute(
                sa.text("SELECT count(*) FROM sync_run WHERE state = 'running'")
            )
        ).scalar_one()
    assert running == 0
    [run] = await runs_of(shopee_rig)
    assert run["state"] == "cancelled"
    stored_before = len(await shopee_rig.stored())
    assert 0 < stored_before < 1000

    await shopee_rig.control_post("faults", {"reset": True})
    outcome = await shopee_rig.runtime.pull_engine.run(shopee_rig.shop, full=True)
    assert outcome.counts.created == 1000 - stored_before  # resumed, nothing stored twice
    assert await shopee_rig.stored() == await shopee_rig.truth()


async def test_shops_added_later_are_scheduled_without_a_restart(shopee_rig: ShopeeRig) -> None:
    daemon, stop = Daemon(shopee_rig.runtime), asyncio.Event()
    task = await started(daemon, stop)
    await daemon.idle()
    async with shopee_rig.runtime.database.write() as connection:
        await connection.execute(
            sa.text("UPDATE shop SET pull_interval_minutes = 5 WHERE id = :id"),
            {"id": shopee_rig.shop.id},
        )
    await daemon.follow_shops()
    job = daemon.scheduler.get_job(f"pull:{shopee_rig.shop.id}")
    stop.set()
    await task
    assert job is not None
    assert job.trigger.interval == timedelta(minutes=5)
