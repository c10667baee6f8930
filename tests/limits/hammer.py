"""A worker process that spends from one shared budget as fast as it may (run by the tests).

    python -m tests.limits.hammer SPEC_JSON

prints one JSON line: admission times (wall clock, comparable across processes on one host),
and the limiter's counters. ``mode`` "tokens" hammers a token bucket, "slots" a window budget
with calls of ``call_s`` seconds, "hold" takes every slot, reports, and then hangs until killed
(as "tokens" does with ``hang``, holding its unspent reserved tokens).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from syncer.adapter.budgets import Budget
from syncer.limits.limiter import SharedRateLimiter, SharedWindowBudget
from syncer.limits.store import BucketKey, LimitStore
from syncer.store.database import Database


def open_store(spec: dict[str, Any]) -> tuple[LimitStore, Database | None]:
    if spec["backend"] == "redis":
        from syncer.limits.redis_store import RedisLimitStore

        return RedisLimitStore(spec["url"], prefix=spec["prefix"]), None
    from syncer.limits.postgres import PostgresLimitStore

    database = Database(spec["url"])
    return PostgresLimitStore(database), database


async def hammer_tokens(store: LimitStore, key: BucketKey, spec: dict[str, Any]) -> dict[str, Any]:
    limiter = SharedRateLimiter(
        store, key, spec["rate"], spec["burst"], reservation_s=spec["ttl"], batch=spec["batch"]
    )
    times: list[float] = []
    end = max(spec["start"], time.time()) + spec["duration"]

    async def task() -> None:
        while True:
            await limiter.acquire()
            now = time.time()
            if now >= end:
                return
            times.append(now)
            await asyncio.sleep(spec.get("think_s", 0))

    await asyncio.gather(*(task() for _ in range(spec["tasks"])))
    stats = limiter.stats
    report = {"times": times, "acquired": stats.acquired, "reservations": stats.reservations}
    if spec.get("hang"):  # report, then hold what is reserved until killed
        print(json.dumps(report | {"reserved": limiter._stash}), flush=True)
        await asyncio.sleep(3600)
    return report


async def hammer_slots(store: LimitStore, key: BucketKey, spec: dict[str, Any]) -> dict[str, Any]:
    budget = SharedWindowBudget(
        store, key, Budget(spec["limit"], spec["window"]), lease_s=spec["lease"]
    )
    calls: list[tuple[float, float]] = []
    end = spec["start"] + spec["duration"]

    async def task() -> None:
        while time.time() < end:
            async with budget.slot():
                started = time.time()
                await asyncio.sleep(spec["call_s"])
                calls.append((started, time.time()))

    await asyncio.gather(*(task() for _ in range(spec["tasks"])))
    return {"calls": calls}


async def hold_slots(store: LimitStore, key: BucketKey, spec: dict[str, Any]) -> None:
    budget = SharedWindowBudget(
        store, key, Budget(spec["limit"], spec["window"]), lease_s=spec["lease"]
    )
    taken = 0

    async def call_forever() -> None:
        nonlocal taken
        async with budget.slot():
            taken += 1
            if taken == spec["limit"]:
                print(json.dumps({"held": time.time()}), flush=True)
            await asyncio.sleep(3600)

    await asyncio.gather(*(call_forever() for _ in range(spec["limit"])))


async def main(spec: dict[str, Any]) -> None:
    store, database = open_store(spec)
    key = BucketKey(*spec["key"])
    await asyncio.sleep(max(0.0, spec.get("start", 0) - time.time()))
    try:
        if spec["mode"] == "tokens":
            result = await hammer_tokens(store, key, spec)
        elif spec["mode"] == "slots":
            result = await hammer_slots(store, key, spec)
        else:
            await hold_slots(store, key, spec)
            return
        print(json.dumps(result), flush=True)
    finally:
        await store.close()
        if database is not None:
            await database.dispose()


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
