"""Budgets shared through PostgreSQL or Redis hold across worker processes (real OS processes
against the real servers): no window ever admits more than the limit, and together the
workers still get close to the limit."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time

from syncer.adapter.budgets import Budget
from syncer.errors import StoreError
from syncer.limits.limiter import SharedRateLimiter, SharedWindowBudget
from syncer.limits.postgres import PostgresLimitStore
from syncer.limits.redis_store import RedisLimitStore
from syncer.limits.store import BucketKey, LimitStore
from syncer.store.database import Database
from tests.limits.conftest import StoreSpec
from tests.limits.workers import most_held, most_in_window, run_all, start

KEY = ["tiktok", "app-1", "shop-1", "*"]


async def open_store(spec: StoreSpec) -> tuple[LimitStore, Database | None]:
    if spec.backend == "redis":
        return RedisLimitStore(spec.url, prefix=spec.prefix), None
    database = Database(spec.url)
    return PostgresLimitStore(database), database


def test_three_workers_never_exceed_a_token_bucket(shared_store: StoreSpec) -> None:
    """Three processes of four busy tasks each share 20 calls a second, burst 5."""
    rate, burst, duration = 20.0, 5, 4.0
    reports = run_all(
        shared_store,
        3,
        mode="tokens",
        key=KEY,
        rate=rate,
        burst=burst,
        ttl=0.1,
        batch=4,
        duration=duration,
        tasks=4,
    )
    times = [t for report in reports for t in report["times"]]
    for window in (0.05, 0.25, 0.5, 1.0, 2.0):
        assert most_in_window(times, window) <= burst + rate * window + 1e-9, window
    assert len(times) >= 0.7 * rate * duration  # loose: a loaded 2-core machine still gets there
    assert all(report["times"] for report in reports)  # every worker got a share


def test_window_budget_slots_hold_across_workers(shared_store: StoreSpec) -> None:
    """Three processes share a budget of 5 calls per 0.5 s window, slot held until a window
    after each answer, as Blibli's per-minute budgets are (on a compressed scale)."""
    limit, window, duration, call_s = 5, 0.5, 4.0, 0.03
    reports = run_all(
        shared_store,
        3,
        mode="slots",
        key=[*KEY[:3], "product_list"],
        limit=limit,
        window=window,
        lease=2.0,
        call_s=call_s,
        duration=duration,
        tasks=3,
    )
    calls = [tuple(call) for report in reports for call in report["calls"]]
    assert most_held(calls, window) <= limit
    # A slot turns over every call_s + window at best: about 36 calls in 4 s; ask for half.
    assert len(calls) >= 0.5 * limit * duration / (window + call_s)


async def test_a_single_worker_reserves_in_batches(shared_store: StoreSpec) -> None:
    """Calls in a stream under the limit cost one store round trip per batch, not per call."""
    store, database = await open_store(shared_store)
    limiter = SharedRateLimiter(
        store, BucketKey("shopee", "p1", "s-batch"), 1000.0, 1000, reservation_s=0.2, batch=16
    )
    try:
        for _ in range(200):
            await limiter.acquire()
    finally:
        await store.close()
        if database is not None:
            await database.dispose()
    assert limiter.stats.acquired == 200
    assert limiter.stats.reservations <= 200 / 4  # batches grow 1, 2, 4, 8, 16, 16 ...


async def test_a_killed_worker_holding_tokens_starves_nobody(shared_store: StoreSpec) -> None:
    """A worker killed while holding reserved tokens costs the others only those tokens: the
    bucket goes on refilling, so the next call waits about one token's time."""
    rate, burst = 10.0, 10
    worker = start(
        shared_store,
        mode="tokens",
        key=KEY,
        rate=rate,
        burst=burst,
        ttl=0.5,
        batch=5,
        duration=0.5,
        tasks=1,
        start=0,
        think_s=0,
        hang=True,
    )
    line = await asyncio.to_thread(worker.stdout.readline)  # type: ignore[union-attr]
    assert json.loads(line)["times"]
    os.kill(worker.pid, signal.SIGKILL)
    await asyncio.to_thread(worker.wait, 30)
    store, database = await open_store(shared_store)
    limiter = SharedRateLimiter(store, BucketKey(*KEY), rate, burst, reservation_s=0.5, batch=5)
    try:
        started = time.monotonic()
        await limiter.acquire()
        waited = time.monotonic() - started
    finally:
        await store.close()
        if database is not None:
            await database.dispose()
    assert waited < 0.5 + 2 / rate  # at most the reservation TTL and a refill, never "forever"


async def test_a_killed_worker_frees_its_slots_a_lease_and_a_window_later(
    shared_store: StoreSpec,
) -> None:
    """A worker killed in the middle of its calls holds their slots until its lease runs out
    and a window passes (the marketplace may still count those calls), then no longer."""
    limit, window, lease = 3, 0.5, 1.0
    key = [*KEY[:3], "bulk_update"]
    worker = start(shared_store, mode="hold", key=key, limit=limit, window=window, lease=lease)
    line = await asyncio.to_thread(worker.stdout.readline)  # type: ignore[union-attr]
    assert "held" in json.loads(line)
    os.kill(worker.pid, signal.SIGKILL)
    killed = time.time()
    await asyncio.to_thread(worker.wait, 30)
    store, database = await open_store(shared_store)
    budget = SharedWindowBudget(store, BucketKey(*key), Budget(limit, window), lease_s=lease)
    try:
        async with budget.slot():
            admitted = time.time()
    finally:
        await store.close()
        if database is not None:
            await database.dispose()
    # Not before a window after the kill (the dead calls may still count), and no later than
    # a lease plus a window after it (plus scheduling slack).
    assert killed + window - 0.05 <= admitted <= killed + lease + window + 1.0


async def test_a_store_gone_at_release_keeps_the_calls_answer(shared_store: StoreSpec) -> None:
    """The call was sent and answered before the store failed: its answer stands, and the
    slot stays held until its lease runs out (later than needed, never early)."""
    store, database = await open_store(shared_store)
    real_hold = store.hold_slot

    async def gone_at_release(key: BucketKey, *, holder: str, hold_s: float) -> bool:
        if hold_s < 1.0:  # the release (a 0.5 s window), not a renewal (lease + window)
            raise StoreError("shared rate limits: the store went away")
        return await real_hold(key, holder=holder, hold_s=hold_s)

    store.hold_slot = gone_at_release  # type: ignore[method-assign]
    budget = SharedWindowBudget(
        store, BucketKey("blibli", "app", "s-gone", "list"), Budget(1, 0.5), lease_s=2.0
    )
    try:
        async with budget.slot():
            answer = "the marketplace's answer"
        assert answer == "the marketplace's answer"
        free = await store.take_slot(budget.key, limit=1, holder="next", hold_s=0.5)
        assert not free.taken  # still held: the lease (2 s) plus the window, not the window
        assert free.wait_s > 1.0
    finally:
        await store.close()
        if database is not None:
            await database.dispose()
