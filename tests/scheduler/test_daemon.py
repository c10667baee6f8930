"""The single-node daemon: catch-up runs, scheduled runs, recovery and graceful shutdown."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from syncer.domain import RunKind, RunTrigger
from syncer.runtime import Runtime
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
    ready = asyncio.create_task(daemon.ready.wait())
    await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()  # the daemon failed to start: raise its error
    return task


async def serve_until_idle(daemon: Daemon) -> None:
    stop = asyncio.Event()
    task = await started(daemon, stop)
    await daemon.idle()
    stop.set()
    await task


def with_daemon(rig: ShopeeRig, **daemon: object) -> Runtime:
    """The rig's runtime with other [daemon] settings (same clock, database and sandbox)."""
    settings = rig.runtime.settings
    changed = settings.daemon.model_copy(update=daemon)
    return Runtime.from_settings(settings.model_copy(update={"daemon": changed}), rig.clock)


async def test_a_new_shop_gets_a_full_pull_at_start_then_scheduled_incrementals(
    shopee_rig: ShopeeRig,
) -> None:
    daemon, stop = Daemon(shopee_rig.runtime, cluster=False), asyncio.Event()
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
    assert all(isinstance(r["due_at"], datetime) for r in runs)
    assert await shopee_rig.stored() == await shopee_rig.truth()


async def test_two_hours_of_downtime_give_exactly_one_catch_up_run(
    shopee_rig: ShopeeRig,
) -> None:
    now = shopee_rig.clock.now()
    # The daily reconcile falls outside the downtime, so the catch-up is incremental.
    reconcile_at = (now + timedelta(hours=6)).astimezone(UTC).time().replace(second=0)
    settings = {"full_reconcile_at": reconcile_at, "timezone": "UTC"}
    settings |= {"full_reconcile_spread_minutes": 0}
    runtime = with_daemon(shopee_rig, **settings)
    await serve_until_idle(Daemon(runtime, cluster=False))
    await serve_until_idle(
        Daemon(runtime, cluster=False)
    )  # a restart without downtime: nothing is overdue
    await shopee_rig.advance_clocks(2 * 3600)
    await serve_until_idle(Daemon(runtime, cluster=False))
    await runtime.close()
    runs = await runs_of(shopee_rig)
    assert [(r["kind"], r["trigger"], r["state"]) for r in runs] == [
        (RunKind.PULL_FULL.value, RunTrigger.STARTUP.value, "succeeded"),
        (RunKind.PULL_INCREMENTAL.value, RunTrigger.STARTUP.value, "succeeded"),
    ]


async def test_downtime_over_the_daily_reconcile_catches_up_with_one_full_run(
    shopee_rig: ShopeeRig,
) -> None:
    now = shopee_rig.clock.now().astimezone(UTC)
    reconcile_at = (now + timedelta(hours=1)).time().replace(second=0, microsecond=0)
    runtime = with_daemon(
        shopee_rig,
        full_reconcile_at=reconcile_at,
        timezone="UTC",
        full_reconcile_spread_minutes=0,
    )
    await serve_until_idle(Daemon(runtime, cluster=False))
    await shopee_rig.advance_clocks(2 * 3600)
    await serve_until_idle(Daemon(runtime, cluster=False))
    await runtime.close()
    runs = await runs_of(shopee_rig)
    assert [(r["kind"], r["trigger"]) for r in runs] == [
        (RunKind.PULL_FULL.value, RunTrigger.STARTUP.value),
        (RunKind.PULL_FULL.value, RunTrigger.STARTUP.value),
    ]


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
    await serve_until_idle(Daemon(shopee_rig.runtime, cluster=False))
    states = {r["id"]: (r["state"], r["error_class"]) for r in await runs_of(shopee_rig)}
    assert states[orphan] == ("failed", "Interrupted")
    assert list(states.values())[-1] == ("succeeded", "")


async def running_count(rig: ShopeeRig) -> int:
    async with rig.runtime.database.read() as connection:
        query = sa.text("SELECT count(*) FROM sync_run WHERE state = 'running'")
        return int((await connection.execute(query)).scalar_one())


async def test_shutdown_leaves_no_running_run_and_queues_the_cut_run_again(
    shopee_rig: ShopeeRig,
) -> None:
    await shopee_rig.control_post("faults", {"latency_ms": 40})
    daemon, stop = Daemon(shopee_rig.runtime, shutdown_grace_s=0.2, cluster=False), asyncio.Event()
    task = await started(daemon, stop)
    while not (runs := await runs_of(shopee_rig)) or int(str(runs[0]["pages"])) < 1:  # noqa: ASYNC110
        await asyncio.sleep(0.05)  # the start-up pull has stored its first page
    stop.set()
    await task
    assert await running_count(shopee_rig) == 0
    cut, again = await runs_of(shopee_rig)
    assert (cut["state"], again["state"], again["trigger"]) == ("cancelled", "queued", "startup")
    stored_before = len(await shopee_rig.stored())
    assert 0 < stored_before < 1000

    await shopee_rig.control_post("faults", {"reset": True})
    await serve_until_idle(Daemon(shopee_rig.runtime, cluster=False))
    resumed = (await runs_of(shopee_rig))[1]
    assert (resumed["id"], resumed["state"]) == (again["id"], "succeeded")
    assert resumed["created"] == 1000 - stored_before  # resumed, nothing stored twice
    assert await shopee_rig.stored() == await shopee_rig.truth()


async def test_schedules_follow_shop_changes_without_a_restart(shopee_rig: ShopeeRig) -> None:
    daemon, stop = Daemon(shopee_rig.runtime, cluster=False), asyncio.Event()
    task = await started(daemon, stop)
    await daemon.idle()
    shop = shopee_rig.shop.id
    async with shopee_rig.runtime.database.write() as connection:
        await connection.execute(
            sa.text("UPDATE shop SET pull_interval_minutes = 5 WHERE id = :id"), {"id": shop}
        )
    await daemon.follow_shops()
    job = daemon.scheduler.get_job(f"pull:{shop}")
    async with shopee_rig.runtime.database.write() as connection:
        await connection.execute(
            sa.text("UPDATE shop SET enabled = false WHERE id = :id"), {"id": shop}
        )
    await daemon.follow_shops()
    dropped = daemon.scheduler.get_job(f"pull:{shop}")
    stop.set()
    await task
    assert job is not None
    assert job.trigger.interval == timedelta(minutes=5)
    assert dropped is None


async def test_a_run_queued_by_another_process_is_picked_up(shopee_rig: ShopeeRig) -> None:
    daemon, stop = Daemon(shopee_rig.runtime, cluster=False), asyncio.Event()
    task = await started(daemon, stop)
    await daemon.idle()
    other = Runtime.from_settings(shopee_rig.runtime.settings, shopee_rig.clock)
    requester = Daemon(
        other, role="scheduler", cluster=False
    )  # only queues; the running daemon executes
    enqueued = await requester.request(
        shopee_rig.shop.id, RunKind.PULL_FULL, RunTrigger.MANUAL, requested_by="operator"
    )
    await other.close()
    await daemon.idle()
    stop.set()
    await task
    last = (await runs_of(shopee_rig))[-1]
    assert (last["id"], last["state"], last["requested_by"]) == (
        enqueued.run_id,
        "succeeded",
        "operator",
    )


def test_reconcile_times_are_local_and_spread() -> None:
    """The latest reconcile time is found in the configured zone, today or yesterday."""
    from zoneinfo import ZoneInfo

    from syncer.scheduler.schedules import last_reconcile_time

    jakarta = ZoneInfo("Asia/Jakarta")
    now = datetime(2026, 11, 27, 19, 30, tzinfo=UTC)  # 02:30 in Jakarta on the 28th
    before = last_reconcile_time(now, time(3, 0), jakarta, timedelta(0))
    after = last_reconcile_time(now, time(3, 0), jakarta, timedelta(minutes=-45))
    assert before == datetime(2026, 11, 27, 3, 0, tzinfo=jakarta)
    assert after == datetime(2026, 11, 28, 2, 15, tzinfo=jakarta)
