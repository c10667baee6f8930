"""The pusher: one cycle links new listings, propagates observed sales, then pushes every
shop's pending tasks; ``run_forever`` repeats it for the daemon.

A cycle per shop is ``ShopPush`` (lease, batches, results, read-back). Shops are pushed side by
side, at most ``daemon.concurrency`` at a time; each shop's calls go through its adapter's
rate limiter, shared with its pulls.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

import structlog

from syncer.domain import AuthState, Clock, RunTrigger
from syncer.engine.adapters import AdapterFactory
from syncer.engine.propagate import PropagationReport, Propagator
from syncer.engine.push_shop import ShopPush, ShopPushReport, StepHook
from syncer.errors import SyncerError
from syncer.settings import Settings
from syncer.store import Database
from syncer.store import push_tasks as task_store
from syncer.store import shops as shop_store
from syncer.store.catalog_links import auto_link
from syncer.store.shops import ShopRecord

log = structlog.get_logger("syncer.engine")


@dataclass(slots=True, kw_only=True)
class PushReport:
    linked: int = 0
    products_created: int = 0
    propagation: PropagationReport = field(default_factory=PropagationReport)
    shops: list[ShopPushReport] = field(default_factory=list)

    @property
    def calls(self) -> int:
        return sum(shop.calls for shop in self.shops)

    def states(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for shop in self.shops:
            for state, count in shop.states.items():
                total[state] = total.get(state, 0) + count
        return total


class Pusher:
    def __init__(
        self,
        *,
        settings: Settings,
        database: Database,
        adapters: AdapterFactory,
        clock: Clock,
        worker: str,
        on_step: StepHook | None = None,
    ) -> None:
        self.settings = settings
        self.database = database
        self.adapters = adapters
        self.clock = clock
        self.worker = worker
        self.on_step = on_step
        self.propagator = Propagator(settings=settings, database=database, clock=clock)

    async def run_once(
        self, shop: ShopRecord | None = None, *, trigger: RunTrigger = RunTrigger.SCHEDULE
    ) -> PushReport:
        """One cycle over every shop with due tasks (or over ``shop`` alone)."""
        report = PushReport()
        async with self.database.write() as connection:
            linked = await auto_link(connection, now=self.clock.now())
        report.linked, report.products_created = linked.linked, linked.products_created
        report.propagation = await self.propagator.run_once()
        shops = [shop] if shop is not None else await self._due_shops()
        gate = asyncio.Semaphore(self.settings.daemon.concurrency)

        async def one(record: ShopRecord) -> ShopPushReport:
            async with gate:
                return await ShopPush(self, record, trigger).run()

        tasks = [asyncio.ensure_future(one(record)) for record in shops]
        try:
            report.shops = list(await asyncio.gather(*tasks))
        except BaseException:
            # Stop the other shops too: a cycle that failed or was cancelled ends whole.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        return report

    async def _due_shops(self) -> list[ShopRecord]:
        async with self.database.read() as connection:
            due = set(await task_store.shops_with_open_tasks(connection, now=self.clock.now()))
            shops = await shop_store.list_shops(connection, enabled_only=True)
        return [s for s in shops if s.id in due and s.auth_state is not AuthState.NEEDS_REAUTH]

    async def run_forever(self, stop: asyncio.Event, *, interval: float | None = None) -> None:
        """Cycle until ``stop`` is set; a failed cycle is logged and the next one runs."""
        wait = interval if interval is not None else self.settings.push.interval_seconds
        while not stop.is_set():
            try:
                await self.run_once()
            except SyncerError as exc:
                log.error("push.cycle_failed", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=wait)
