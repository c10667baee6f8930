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

    A ``parent`` (e.g. a partner app's budget over all its shops) is spent from too: a call
    takes a token of each at the same instant, or waits. Taking one and then waiting for the
    other would let calls whose second waits end together go out in a burst neither bucket
    allows.
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
        """Wait until one request may be sent (callers of one limiter go in order)."""
        async with self._callers():
            started = self._monotonic()
            waited = False
            while True:
                if self.parent is not None:
                    waited |= await self.parent._ready()
                waited |= await self._ready()
                # No await from here on: both tokens are taken now, or neither is.
                if self.parent is not None and not self.parent._can_spend():
                    continue  # another shop of the app took the parent's token meanwhile
                if self._spend():
                    break
            if self.parent is not None:
                self.parent._spend()
                self.parent.stats.acquired += 1
            if waited:
                self.stats.waits += 1
                self.stats.waited_s += self._monotonic() - started
            self.stats.acquired += 1

    def _callers(self) -> asyncio.Lock:
        """The lock this limiter's callers queue on."""
        return self._lock

    async def _ready(self) -> bool:
        """Wait until a token can be spent now (without spending it); True if it waited."""
        waited = False
        while not self._can_spend():
            waited = True
            await asyncio.sleep(max(0.0005, (1 - self._tokens) / self.rate))
        return waited

    def _can_spend(self) -> bool:
        now = self._monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        return self._tokens >= 1 - 1e-9  # a sleep of exactly the missing time may fall short

    def _spend(self) -> bool:
        """Take a token if one is there now."""
        if not self._can_spend():
            return False
        self._tokens -= 1
        return True
