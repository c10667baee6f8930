"""Workers that die or stall: the shop runs again elsewhere, and a zombie cannot write.

kill -9 a worker mid-run: within the stall threshold its run is failed, its lease freed, the
run queued again and taken by another worker, which resumes and converges. SIGSTOP a worker
past its lease, SIGCONT it after another took over: its next write is refused (epoch fencing).
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from syncer.scheduler.daemon import Daemon
from tests.cluster.rig import FAST_NODES, ClusterRig, cluster_rig, expected_keys

LISTINGS = 2000
STALL_S = float(str(FAST_NODES["node_timeout_seconds"]))
REFUSED = "no longer current; write refused"


async def started_run(rig: ClusterRig, *, pages: int = 2) -> dict[str, object]:
    """Wait for the shop's first run to be running with ``pages`` stored; return it."""
    found: dict[str, object] = {}

    async def running() -> bool:
        runs = [r for r in await rig.runs() if r["state"] == "running"]
        if runs and int(str(runs[0]["pages"])) >= pages:
            found.update(runs[0])
        return bool(found)

    await rig.wait_for(running, "a worker to store pages of the shop", timeout_s=120)
    return found


def worker_of(rig: ClusterRig, run: dict[str, object]) -> asyncio.subprocess.Process:
    return rig.workers[["w1", "w2"].index(str(run["worker"]))]


async def taken_over(rig: ClusterRig, first: dict[str, object]) -> dict[str, object]:
    """Wait for another worker to start the shop again; the stall threshold bounds it."""
    found: dict[str, object] = {}

    async def again() -> bool:
        later = [r for r in await rig.runs() if r["worker"] not in ("", first["worker"])]
        if later and later[-1]["started_at"] is not None:
            found.update(later[-1])
        return bool(found)

    await rig.wait_for(again, "another worker to take the shop over", timeout_s=STALL_S * 6)
    return found


async def finished(rig: ClusterRig, run_id: object) -> dict[str, object]:
    async def done() -> bool:
        return any(r["id"] == run_id and r["state"] != "running" for r in await rig.runs())

    await rig.wait_for(done, f"run {run_id} to finish")
    return next(r for r in await rig.runs() if r["id"] == run_id)


async def serve_scheduler(rig: ClusterRig, stop: asyncio.Event) -> asyncio.Task[None]:
    """A scheduler that queues the shop's first (full) pull and watches for dead workers."""
    scheduler = Daemon(rig.runtime_copy(), role="scheduler", cluster=rig.cluster)
    return asyncio.create_task(scheduler.run(stop))


@pytest.mark.soak
async def test_a_worker_killed_mid_run_hands_the_shop_to_another(
    database_url: str, tmp_path: Path
) -> None:
    async with cluster_rig(database_url, tmp_path, shops=1, listings=LISTINGS) as rig:
        [shop] = rig.shops
        await rig.control(shop, "faults", {"latency_ms": 25})
        for name in ("w1", "w2"):
            await rig.start_worker(name)
        stop = asyncio.Event()
        scheduler = await serve_scheduler(rig, stop)
        first = await started_run(rig)
        victim = worker_of(rig, first)
        victim.send_signal(signal.SIGKILL)
        await victim.wait()
        second = await taken_over(rig, first)
        await rig.control(shop, "faults", {"reset": True})
        second = await finished(rig, second["id"])
        stop.set()
        await scheduler
        killed = next(r for r in await rig.runs() if r["id"] == first["id"])
        assert (killed["state"], killed["error_class"]) == ("failed", "Interrupted")
        assert second["state"] == "succeeded"
        assert int(str(second["created"])) < LISTINGS  # resumed: pages stored before stay
        assert await rig.stored_keys(shop) == expected_keys(rig.sandbox(shop))


@pytest.mark.soak
async def test_a_paused_worker_cannot_write_after_its_lease_passed_on(
    database_url: str, tmp_path: Path
) -> None:
    async with cluster_rig(database_url, tmp_path, shops=1, listings=LISTINGS) as rig:
        [shop] = rig.shops
        await rig.control(shop, "faults", {"latency_ms": 25})
        for name in ("w1", "w2"):
            await rig.start_worker(name)
        stop = asyncio.Event()
        scheduler = await serve_scheduler(rig, stop)
        first = await started_run(rig)
        zombie = worker_of(rig, first)
        zombie.send_signal(signal.SIGSTOP)
        second = await taken_over(rig, first)
        await rig.control(shop, "faults", {"reset": True})
        second = await finished(rig, second["id"])
        fenced = next(r for r in await rig.runs() if r["id"] == first["id"])
        zombie.send_signal(signal.SIGCONT)
        log = rig.logs[rig.workers.index(zombie)]

        async def refused() -> bool:
            return REFUSED in log.read_text()

        await rig.wait_for(refused, "the resumed zombie's write to be refused")
        stop.set()
        await scheduler
        stale = next(r for r in await rig.runs() if r["id"] == first["id"])
        assert (stale["state"], stale["error_class"]) == ("failed", "Interrupted")
        assert stale == fenced  # the zombie's page, counters and verdict never landed
        assert second["state"] == "succeeded"
        assert await rig.stored_keys(shop) == expected_keys(rig.sandbox(shop))
        assert zombie.returncode is None  # alive and well: only its stale writes were refused
