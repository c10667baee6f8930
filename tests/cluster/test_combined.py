"""``syncer run`` on PostgreSQL (role all): one process schedules and, through procrastinate,
executes its own runs."""

from __future__ import annotations

import asyncio

import pytest

from syncer.domain import RunKind, RunTrigger
from syncer.scheduler.daemon import Daemon
from tests.engine.shopee_rig import ShopeeRig, shopee_rig
from tests.scheduler.test_daemon import runs_of, started

__all__ = ["shopee_rig"]


async def succeeded(rig: ShopeeRig, count: int) -> None:
    for _ in range(600):  # procrastinate polls; a minute is far more than it needs
        runs = await runs_of(rig)
        if len(runs) >= count and all(r["state"] == "succeeded" for r in runs):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"expected {count} succeeded runs, found {await runs_of(rig)}")


async def test_one_process_schedules_and_executes_through_procrastinate(
    shopee_rig: ShopeeRig,
) -> None:
    if shopee_rig.runtime.database.is_sqlite:
        pytest.skip("cluster mode (procrastinate) needs PostgreSQL; SQLite runs single-node")
    daemon, stop = Daemon(shopee_rig.runtime, role="all"), asyncio.Event()
    task = await started(daemon, stop)
    await succeeded(shopee_rig, 1)  # the start-up pull, taken by this process's worker
    manual = await daemon.request(shopee_rig.shop.id, RunKind.PULL_FULL, RunTrigger.MANUAL)
    await succeeded(shopee_rig, 2)
    stop.set()
    await task
    runs = await runs_of(shopee_rig)
    assert daemon.cluster
    assert [(r["trigger"], r["state"]) for r in runs] == [
        ("startup", "succeeded"),
        ("manual", "succeeded"),
    ]
    assert runs[1]["id"] == manual.run_id
    assert await shopee_rig.stored() == await shopee_rig.truth()
