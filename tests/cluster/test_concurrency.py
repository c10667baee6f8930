"""200 shops, each triggered 5 times at once from two schedulers plus manual syncs, executed by
3 worker processes: no shop ever runs twice at once, at most one run waits, all converge.

PostgreSQL: cluster mode (procrastinate). SQLite: single-node mode (workers poll the queue).
"""

from __future__ import annotations

import asyncio
import getpass
import itertools
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest

from syncer.domain import RunKind, RunTrigger
from syncer.scheduler.daemon import Daemon
from syncer.store import queue as queue_store
from tests.cluster.rig import ClusterRig, cluster_rig, expected_keys

SHOPS = 200
TRIGGERS = 5
PER_SOURCE = 8  # triggers in flight per scheduler (its connection pool's size, roughly)
ACTIVE = (
    "SELECT shop_id, state, count(*) FROM sync_run "
    "WHERE state IN ('queued', 'running') GROUP BY shop_id, state"
)


async def manual_sync(rig: ClusterRig, shop_id: int) -> None:
    """What `syncer sync SHOP` does: queue, joining a run that is going or queued."""
    async with rig.runtime.database.write() as connection:
        await queue_store.enqueue_run(
            connection,
            shop_id=shop_id,
            kind=RunKind.PULL_INCREMENTAL,
            trigger=RunTrigger.MANUAL,
            requested_by=f"cli:{getpass.getuser()}",
            now=rig.runtime.clock.now(),
            join_running=True,
        )


async def watch(rig: ClusterRig, seen: list[tuple[object, ...]], done: asyncio.Event) -> None:
    """Sample the active runs all along: every (shop, state) with more than one row."""
    while not done.is_set():
        seen += [row for row in await rig.rows(ACTIVE) if int(str(row[2])) > 1]
        await asyncio.sleep(0.05)


def overlaps(runs: Sequence[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Runs of a shop that started before the previous one of that shop finished."""
    by_shop: dict[object, list[tuple[datetime, datetime, object]]] = defaultdict(list)
    for shop, started, finished, run_id in runs:
        assert isinstance(started, datetime)
        assert isinstance(finished, datetime)
        by_shop[shop].append((started, finished, run_id))
    found: list[tuple[object, ...]] = []
    for shop, spans in by_shop.items():
        spans.sort()
        for before, after in itertools.pairwise(spans):
            if after[0] < before[1]:
                found.append((shop, before[2], after[2]))
    return found


@pytest.mark.soak
async def test_many_triggers_from_many_places_never_overlap_a_shop(
    database_url: str, tmp_path: Path
) -> None:
    # Generous node timeout: under this load a busy SQLite delays heartbeats by seconds.
    async with cluster_rig(
        database_url, tmp_path, shops=SHOPS, listings=3, node_timeout_seconds=30.0
    ) as rig:
        schedulers = [
            Daemon(rig.runtime_copy(), role="scheduler", cluster=rig.cluster) for _ in range(2)
        ]
        stop = asyncio.Event()
        serving = [asyncio.create_task(s.run(stop)) for s in schedulers]
        for name in ("w1", "w2", "w3"):
            await rig.start_worker(name)
        seen: list[tuple[object, ...]] = []
        done = asyncio.Event()
        watcher = asyncio.create_task(watch(rig, seen, done))
        gates = [asyncio.Semaphore(PER_SOURCE) for _ in range(3)]  # each source's connections

        async def trigger(n: int, shop: int) -> None:
            async with gates[n % 2]:
                await schedulers[n % 2].request(shop, RunKind.PULL_INCREMENTAL, RunTrigger.SCHEDULE)

        async def manual(shop: int) -> None:
            async with gates[2]:
                await manual_sync(rig, shop)

        await asyncio.gather(
            *(trigger(n, shop) for shop in rig.shops for n in range(TRIGGERS)),
            *(manual(shop) for shop in rig.shops),
        )

        async def settled() -> bool:
            return not await rig.rows(ACTIVE)

        await rig.wait_for(settled, "every queued run to finish", timeout_s=600)
        done.set()
        await watcher
        stop.set()
        await asyncio.gather(*serving)
        for scheduler in schedulers:
            await scheduler.runtime.close()
        # A schedule may have fired between the first settling and the schedulers' stop: let
        # the workers finish that run too before reading the rows.
        await rig.wait_for(settled, "runs queued before the stop to finish", timeout_s=600)
        every = await rig.runs()
        runs = [(r["shop_id"], r["started_at"], r["finished_at"], r["id"]) for r in every]
        pulled = {row[0] for row in runs}
        assert seen == []  # never two running, never two queued, for any shop
        assert overlaps(runs) == []
        failed = [
            (r["id"], r["error_class"], r["error_message"])
            for r in every
            if r["state"] != "succeeded"
        ]
        assert failed == []
        assert {str(r["worker"]) for r in every} == {"w1", "w2", "w3"}  # all three took runs
        assert pulled == set(rig.shops)
        triggered = SHOPS * (1 + TRIGGERS + 1)  # start-up catch-up, schedule, manual
        assert len(every) <= triggered // 2  # duplicate triggers collapsed into queued runs
        assert max(s.kit.stats.max_in_flight for s in rig.sandboxes.values()) == 1
        for shop in rig.shops[:20]:
            assert await rig.stored_keys(shop) == expected_keys(rig.sandbox(shop))
