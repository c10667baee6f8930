"""Limiters whose budget is shared by every process of a deployment, kept in a ``LimitStore``.

Token buckets (per-second limits). A process reserves a few tokens at a time from the shared
bucket and spends them locally, so the store sees one round trip per batch, not per call. A
reserved token is good for ``ttl`` seconds from the moment it was asked for, then dropped: a
dead or idle process never hoards budget. The shared bucket holds ``burst - rate * ttl``
tokens, which pays for that grace: tokens spent in a window of T seconds were all taken from
the bucket within T + ttl, at most ``burst - rate*ttl + rate*(T + ttl) = burst + rate*T`` of
them, exactly what one in-process bucket allows. The batch size adapts: it doubles while
batches are used up in time and halves when tokens expire unused.

Window budgets ("25 calls a minute"). Slots are shared one by one: per-minute budgets admit a
few calls a minute, so a round trip per call costs nothing, and the in-process rule is kept
exactly: a slot is held from before the call until a window after its answer. While a call is
in flight its slot is leased (``lease_s``, renewed); a crashed process's slot frees a lease
plus a window after its last renewal, as late as the marketplace may still count its call.
Window lengths follow the injected ``TimeBase`` (``ScaledTime(60)`` makes a minute a second);
stores count in real seconds on their own clock, so the scale is applied before asking.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import structlog

from syncer.adapter.budgets import (
    REAL_TIME,
    Budget,
    OperationBudgets,
    TimeBase,
    WindowBudget,
    real_seconds,
)
from syncer.adapter.ratelimit import RateLimiter
from syncer.errors import StoreError
from syncer.limits.store import BucketKey, LimitStore

log = structlog.get_logger("syncer.limits")


class _LoopLock:
    """An ``asyncio.Lock`` for the running loop (a CLI process runs one loop per command)."""

    def __init__(self) -> None:
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def get(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._loop is not loop:
            self._lock, self._loop = asyncio.Lock(), loop
        return self._lock


def _jitter(seconds: float) -> float:
    """A little extra wait so processes refused together do not all come back together."""
    return seconds * random.uniform(1.0, 1.1)


class SharedRateLimiter(RateLimiter):
    """A token bucket (``rate`` a second, ``burst`` back to back) shared through ``store``."""

    def __init__(
        self,
        store: LimitStore,
        key: BucketKey,
        rate: float,
        burst: int,
        *,
        reservation_s: float = 0.2,
        batch: int = 8,
        lease_s: float = 30.0,
        parent: RateLimiter | None = None,
    ) -> None:
        super().__init__(rate, burst, parent=parent)
        self.store = store
        self.key = key
        self.lease_s = lease_s
        # burst - rate*ttl must stay >= 1: a small burst shortens the grace, down to none.
        self.ttl = min(reservation_s, (burst - 1) / rate)
        self.capacity = burst - rate * self.ttl
        self.max_batch = max(1, min(batch, int(self.capacity))) if self.ttl > 0 else 1
        self._want = 1
        self._stash = 0  # reserved tokens not spent yet
        self._batch = 0  # size of the batch they came in
        self._good_until = 0.0  # time.monotonic() after which they are dropped
        self._queue = _LoopLock()  # this limiter's callers, in order
        self._batching = _LoopLock()  # one batch request at a time

    def _callers(self) -> asyncio.Lock:
        return self._queue.get()

    async def _ready(self) -> bool:
        """Hold a reserved, still-good token (taking a batch from the store if needed)."""
        waited = False
        async with self._batching.get():  # shops sharing this (parent) bucket ask one at a time
            while not self._can_spend():
                wait = await self._take_batch()
                if wait is None:
                    break
                waited = True
                await asyncio.sleep(_jitter(wait))
        return waited

    def _can_spend(self) -> bool:
        return self._stash > 0 and time.monotonic() < self._good_until

    def _spend(self) -> bool:
        if not self._can_spend():
            return False
        self._stash -= 1
        return True

    async def _take_batch(self) -> float | None:
        """Reserve a batch (None), or return how long to wait before asking again."""
        self._adapt()
        asked_at = time.monotonic()  # before the store's clock read: the grace starts no later
        grant = await self.store.take_tokens(
            self.key, rate=self.rate, capacity=self.capacity, want=self._want
        )
        self.stats.reservations += 1
        if not grant.granted:
            # Come back when a batch has refilled, but for no more than half the bucket: a
            # full bucket stops refilling, and a late return would waste what it missed.
            target = min(self._want, max(1, math.ceil(self.capacity / 2)))
            return max(0.001, (target - grant.level) / self.rate)
        self._stash = self._batch = grant.granted
        self._good_until = asked_at + self.ttl
        return None

    def _adapt(self) -> None:
        """Double the batch after one fully used in time, halve it after one that expired."""
        if self._stash:
            self._want = max(1, self._want // 2)
            self._stash = 0
        elif self._batch == self._want:
            self._want = min(self.max_batch, self._want * 2)
        self._batch = 0  # judged once: refusals until the next batch change nothing

    def operation_budgets(
        self, budgets: Mapping[str, Budget], time_base: TimeBase
    ) -> OperationBudgets:
        """This shop's per-operation budgets, shared the same way (``shared_budgets`` asks)."""
        return SharedOperationBudgets(
            self.store, self.key, budgets, time_base, lease_s=self.lease_s
        )


class SharedWindowBudget(WindowBudget):
    """``WindowBudget`` semantics over a store: at most ``limit`` slots in use or cooling."""

    def __init__(
        self,
        store: LimitStore,
        key: BucketKey,
        budget: Budget,
        time_base: TimeBase = REAL_TIME,
        *,
        lease_s: float = 30.0,
    ) -> None:
        super().__init__(budget, time_base)
        self.store = store
        self.key = key
        self.lease_s = lease_s
        self.window_real = real_seconds(time_base, budget.window_s)
        self._queue = _LoopLock()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        started = self._time.monotonic()
        holder = uuid.uuid4().hex
        await self._take_shared(holder)
        self.stats.waited_s += self._time.monotonic() - started
        renewing = asyncio.create_task(self._renew(holder))
        try:
            yield
        finally:
            renewing.cancel()
            await asyncio.gather(renewing, return_exceptions=True)
            await asyncio.shield(self._release(holder))

    async def _release(self, holder: str) -> None:
        """Start the slot's last window. If the store cannot be reached the call's answer
        still stands (it was sent and answered): the slot's lease runs out instead, a lease
        later than needed but never early."""
        try:
            await self.store.hold_slot(self.key, holder=holder, hold_s=self.window_real)
        except StoreError as exc:
            log.warning("limits.release_failed", key=self.key.name, error=str(exc))

    async def _take_shared(self, holder: str) -> None:
        hold = self.lease_s + self.window_real
        async with self._queue.get():  # this process's callers queue here, in order
            waited = False
            while True:
                grant = await self.store.take_slot(
                    self.key, limit=self.budget.limit, holder=holder, hold_s=hold
                )
                if grant.taken:
                    break
                waited = True
                # A call answered from now on frees its slot a window later at the earliest.
                await asyncio.sleep(_jitter(max(0.001, min(grant.wait_s, self.window_real))))
        if waited:
            self.stats.waits += 1
        self.stats.sent += 1

    async def _renew(self, holder: str) -> None:
        """Keep the in-flight slot leased while the call runs (a long call is no crash)."""
        hold = self.lease_s + self.window_real
        while True:
            await asyncio.sleep(self.lease_s / 3)
            try:
                held = await self.store.hold_slot(self.key, holder=holder, hold_s=hold)
            except StoreError as exc:  # the lease still runs: try again a third of it later
                log.warning("limits.renew_failed", key=self.key.name, error=str(exc))
                continue
            if not held:  # renewals came too late: the call runs on outside the budget
                log.warning("limits.slot_lost", key=self.key.name, lease_s=self.lease_s)
                return


class SharedOperationBudgets(OperationBudgets):
    """``OperationBudgets`` whose windows are shared through a store, keyed per operation."""

    def __init__(
        self,
        store: LimitStore,
        shop: BucketKey,
        budgets: Mapping[str, Budget],
        time_base: TimeBase = REAL_TIME,
        *,
        lease_s: float = 30.0,
    ) -> None:
        super().__init__({}, time_base)
        self.budgets = {
            name: SharedWindowBudget(
                store,
                BucketKey(shop.marketplace, shop.app, shop.shop, name),
                budget,
                time_base,
                lease_s=lease_s,
            )
            for name, budget in budgets.items()
        }
