"""Client-side token bucket: an adapter stays under a marketplace's limit instead of finding it.

One bucket per shop (or per shop and operation where the marketplace limits each API). The
bucket is async and fair: callers queue on a lock and each waits only for its own token.
This one lives in the process; ``syncer.limits`` shares it between the processes of a cluster.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class LimiterStats:
    acquired: int = 0
    waits: int = 0
    waited_s: float = 0.0
    reservations: int = 0  # round trips to a shared store (shared limiters only)


class RateLimiter:
    """Allows ``rate`` acquisitions a second on average and ``burst`` back to back.

    A ``parent`` (e.g. a partner app's budget over all its shops) is acquired first, so a call
    spends from both.
    """

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        parent: RateLimiter | None = None,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"rate must be > 0 and burst >= 1, got rate={rate} burst={burst}")
        self.rate = rate
        self.burst = burst
        self._monotonic = monotonic
        self._tokens = float(burst)
        self._updated = monotonic()
        self._lock = asyncio.Lock()
        self.parent = parent
        self.stats = LimiterStats()

    async def acquire(self) -> None:
        """Wait until one request may be sent."""
        if self.parent is not None:
            await self.parent.acquire()
        await self._acquire_own()

    async def _acquire_own(self) -> None:
        async with self._lock:
            wait = self._reserve()
            if wait > 0:
                self.stats.waits += 1
                self.stats.waited_s += wait
                await asyncio.sleep(wait)
            self.stats.acquired += 1

    def _reserve(self) -> float:
        """Take a token now (possibly going negative) and return how long to wait for it."""
        now = self._monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate
