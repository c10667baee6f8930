"""Per-operation request budgets ("25 calls a minute per store for this API"), kept client-side.

Some marketplaces (Blibli) limit each API separately per store, in requests per window. A
``WindowBudget`` admits at most ``limit`` requests in any ``window_s``; a request's slot is held
from the moment it is sent until ``window_s`` after its answer arrived. The marketplace saw the
request somewhere in between, so two requests ``limit`` apart are always at least a full window
apart in the marketplace's eyes too, whatever the network did: the budget is never exceeded,
by construction, instead of by hoping the clocks line up.

Time is injected (``TimeBase``): ``ScaledTime(60)`` runs minute-long windows in a second, and a
sandbox given the same object enforces its limits on the same compressed scale, so tests check
the documented budgets honestly without waiting minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref
from collections import deque
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable


@runtime_checkable
class TimeBase(Protocol):
    """Monotonic seconds and sleeping, on one (possibly compressed) scale."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class RealTime:
    """The machine's own monotonic clock and ``asyncio.sleep``."""

    scale = 1.0

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class ScaledTime:
    """Time running ``scale`` times faster than real time (for limiter windows only).

    Wall-clock timestamps are not scaled: marketplaces check them against their own clocks.
    Hand the same instance to the client and the sandbox so both count windows alike.
    """

    def __init__(self, scale: float) -> None:
        if scale <= 0:
            raise ValueError(f"time scale must be > 0, got {scale}")
        self.scale = scale
        self._origin = time.monotonic()

    def monotonic(self) -> float:
        return (time.monotonic() - self._origin) * self.scale

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.scale)


REAL_TIME = RealTime()


class ScaledClock(ScaledTime):
    """A ``syncer.domain.Clock`` whose ``now()`` is the wall clock (signatures, leases and
    update times stay real) and whose limiter windows and waits run ``scale`` times faster.

    Give it to the runtime (``Runtime.from_settings(settings, ScaledClock(60))``) and the same
    instance to the sandbox as its ``time_base``: adapters that budget per operation take their
    time base from the context's clock when it offers one.
    """

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Budget:
    """At most ``limit`` requests in any ``window_s`` seconds."""

    limit: int
    window_s: float = 60.0

    def __post_init__(self) -> None:
        if self.limit < 1 or self.window_s <= 0:
            raise ValueError(f"a budget needs limit >= 1 and window > 0, got {self}")


@dataclass(slots=True)
class BudgetStats:
    sent: int = 0
    waits: int = 0
    waited_s: float = 0.0  # on the budget's time base


class WindowBudget:
    """A sliding-window budget whose slots are released one window after each answer."""

    def __init__(self, budget: Budget, time_base: TimeBase = REAL_TIME) -> None:
        self.budget = budget
        self._time = time_base
        self._released: deque[float] = deque()  # when each finished request's slot frees
        self._in_flight = 0
        self._changed = asyncio.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.stats = BudgetStats()

    def _condition(self) -> asyncio.Condition:
        """The condition of the running loop: a shop's budget outlives one ``asyncio.run``
        (CLI commands run one each), and asyncio primitives are bound to a single loop."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop, self._changed, self._in_flight = loop, asyncio.Condition(), 0
        return self._changed

    def _free_now(self) -> int:
        now = self._time.monotonic()
        while self._released and self._released[0] <= now:
            self._released.popleft()
        return self.budget.limit - len(self._released) - self._in_flight

    async def _take(self) -> None:
        async with self._condition():
            waited = False
            while self._free_now() <= 0:
                waited = True
                if self._released:
                    delay = self._released[0] - self._time.monotonic()
                    # Wake at the next release, or earlier if a request finishes.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(
                            self._changed.wait(), timeout=real_seconds(self._time, delay)
                        )
                else:  # every slot is in flight: wait until one answers
                    await self._changed.wait()
            if waited:
                self.stats.waits += 1
            self._in_flight += 1
            self.stats.sent += 1

    async def _give_back(self) -> None:
        async with self._changed:
            self._in_flight -= 1
            self._released.append(self._time.monotonic() + self.budget.window_s)
            self._changed.notify_all()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one slot around sending a request and reading its answer."""
        started = self._time.monotonic()
        await self._take()
        self.stats.waited_s += self._time.monotonic() - started
        try:
            yield
        finally:
            await asyncio.shield(self._give_back())


def real_seconds(time_base: TimeBase, seconds: float) -> float:
    """A wait on ``time_base`` in real seconds (what asyncio timeouts count in)."""
    scale = getattr(time_base, "scale", 1.0)
    return max(0.0, seconds) / (scale if isinstance(scale, int | float) and scale > 0 else 1.0)


class OperationBudgets:
    """One ``WindowBudget`` per named operation; operations without a budget pass freely."""

    def __init__(self, budgets: Mapping[str, Budget], time_base: TimeBase = REAL_TIME) -> None:
        self.time_base = time_base
        self.budgets = {name: WindowBudget(budget, time_base) for name, budget in budgets.items()}

    @asynccontextmanager
    async def slot(self, operation: str) -> AsyncIterator[None]:
        budget = self.budgets.get(operation)
        if budget is None:
            yield
            return
        async with budget.slot():
            yield

    def sent(self) -> dict[str, int]:
        """Requests admitted per operation (for logs, tests and benchmarks)."""
        return {name: budget.stats.sent for name, budget in self.budgets.items()}


@runtime_checkable
class BudgetSource(Protocol):
    """An anchor that makes its own budgets: a limiter shared by a cluster's processes hands
    out budgets shared the same way (``syncer.limits``)."""

    def operation_budgets(
        self, budgets: Mapping[str, Budget], time_base: TimeBase
    ) -> OperationBudgets: ...


_SHARED: weakref.WeakKeyDictionary[object, OperationBudgets] = weakref.WeakKeyDictionary()


def shared_budgets(
    anchor: object, budgets: Mapping[str, Budget], time_base: TimeBase = REAL_TIME
) -> OperationBudgets:
    """The budgets tied to ``anchor`` (e.g. the shop's shared ``RateLimiter``), made on first use.

    Every adapter of one shop in a process gets the same anchor from the engine, so all its
    runs share one budget, and the budgets live exactly as long as the shop's limiter. An
    anchor that is a ``BudgetSource`` makes them (budgets kept outside the process).
    """
    found = _SHARED.get(anchor)
    if found is None:
        if isinstance(anchor, BudgetSource):
            found = anchor.operation_budgets(budgets, time_base)
        else:
            found = OperationBudgets(budgets, time_base)
        _SHARED[anchor] = found
    return found
