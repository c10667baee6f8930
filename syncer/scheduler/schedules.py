"""When each shop is pulled: APScheduler 3 jobs that queue runs, following the shops table.

Per shop an incremental pull every N minutes (jittered, each shop at its own phase so a fleet
does not fire at once) and a daily full reconcile at a local time (spread over a window).
After downtime each overdue shop gets exactly one catch-up run, not one per missed interval:
the in-memory job store starts empty, and the catch-up is decided from the run history.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import structlog
from apscheduler.events import EVENT_JOB_SUBMITTED, JobSubmissionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from syncer.domain import AuthState, RunKind, RunTrigger
from syncer.runtime import Runtime
from syncer.store import queue as queue_store
from syncer.store import runs as run_store
from syncer.store import shops as shop_store
from syncer.store.shops import ShopRecord

log = structlog.get_logger("syncer.daemon")
GOLDEN = 0.6180339887498949  # shop phases spread evenly for any number of shops
Request = Callable[[int, RunKind, RunTrigger, datetime | None], Awaitable[object]]


def phase(shop_id: int) -> float:
    """A stable fraction in [0, 1) per shop: where in its interval the shop's pulls fall."""
    return (shop_id * GOLDEN) % 1.0


def last_reconcile_time(now: datetime, at: time, zone: ZoneInfo, offset: timedelta) -> datetime:
    """The latest daily reconcile time (local ``at`` plus the shop's offset) not after ``now``."""
    local = now.astimezone(zone)
    today = datetime.combine(local.date(), at, tzinfo=zone) + offset
    return today if today <= local else today - timedelta(days=1)


class Schedules:
    def __init__(
        self,
        runtime: Runtime,
        scheduler: AsyncIOScheduler,
        request: Request,
        *,
        time_scale: float = 1.0,
    ) -> None:
        """``time_scale`` > 1 runs the interval schedules that much faster (benchmarks)."""
        self.runtime = runtime
        self.time_scale = time_scale
        self.settings = runtime.settings.daemon
        self.scheduler = scheduler
        self.request = request
        self.zone = ZoneInfo(self.settings.timezone)
        self.intervals: dict[int, int] = {}
        self._submitted_at: dict[str, datetime] = {}
        scheduler.add_listener(self._on_submitted, EVENT_JOB_SUBMITTED)

    def _reconcile_offset(self, shop_id: int) -> timedelta:
        return timedelta(minutes=int(phase(shop_id) * self.settings.full_reconcile_spread_minutes))

    async def follow_shops(self, *, catch_up: bool = True) -> list[ShopRecord]:
        """Add, reschedule or drop jobs so they match the shops table; a new shop (all of
        them at start) gets its catch-up run now rather than in N minutes."""
        async with self.runtime.database.read() as connection:
            shops = await shop_store.list_shops(connection, enabled_only=True)
        wanted = {shop.id: shop for shop in shops if shop.auth_state is not AuthState.NEEDS_REAUTH}
        for shop_id in set(self.intervals) - set(wanted):
            for prefix in ("pull", "full"):
                with contextlib.suppress(LookupError):
                    self.scheduler.remove_job(f"{prefix}:{shop_id}")
            del self.intervals[shop_id]
            log.info("daemon.shop_unscheduled", shop_id=shop_id)
        new = [shop for shop in wanted.values() if shop.id not in self.intervals]
        if new and catch_up:
            await self.catch_up(new)
        for shop in wanted.values():
            if self.intervals.get(shop.id) != shop.pull_interval_minutes:
                self._schedule(shop)
        return list(wanted.values())

    async def catch_up(self, shops: list[ShopRecord]) -> int:
        """One run per overdue shop: a full one if a daily reconcile was missed."""
        now = self.runtime.clock.now()
        async with self.runtime.database.read() as connection:
            last_started = await queue_store.last_pull_started(connection)
            states = {s.id: await run_store.load_state(connection, s.id) for s in shops}
        queued = 0
        for shop in shops:
            at = self.settings.full_reconcile_at
            missed = last_reconcile_time(now, at, self.zone, self._reconcile_offset(shop.id))
            last_full = states[shop.id].last_full_at
            last = last_started.get(shop.id)
            if last_full is None or last_full < missed:
                kind = RunKind.PULL_FULL
            elif last is None or now - last >= timedelta(minutes=shop.pull_interval_minutes):
                kind = RunKind.PULL_INCREMENTAL
            else:
                continue
            await self.request(shop.id, kind, RunTrigger.STARTUP, now)
            queued += 1
        if queued:
            log.info("daemon.caught_up", runs=queued, shops=len(shops))
        return queued

    def _schedule(self, shop: ShopRecord) -> None:
        every = timedelta(minutes=shop.pull_interval_minutes) / self.time_scale
        first = datetime.now(UTC) + every * max(phase(shop.id), 0.02)
        self.scheduler.add_job(
            self._fire,
            IntervalTrigger(
                seconds=every.total_seconds(),
                start_date=first,
                jitter=round(self.settings.pull_jitter_seconds / self.time_scale) or None,
            ),
            id=f"pull:{shop.id}",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            kwargs={"shop_id": shop.id, "kind": RunKind.PULL_INCREMENTAL},
        )
        full_at = datetime.combine(datetime(2000, 1, 1), self.settings.full_reconcile_at)
        full_at += self._reconcile_offset(shop.id)
        self.scheduler.add_job(
            self._fire,
            CronTrigger(
                hour=full_at.hour,
                minute=full_at.minute,
                jitter=self.settings.pull_jitter_seconds,
                timezone=self.zone,
            ),
            id=f"full:{shop.id}",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            kwargs={"shop_id": shop.id, "kind": RunKind.PULL_FULL},
        )
        self.intervals[shop.id] = shop.pull_interval_minutes
        log.info("daemon.shop_scheduled", shop_id=shop.id, every_minutes=shop.pull_interval_minutes)

    def _on_submitted(self, event: JobSubmissionEvent) -> None:
        """Remember when the job was due: a busy loop may call it later than that."""
        self._submitted_at[event.job_id] = event.scheduled_run_times[-1]

    async def _fire(self, shop_id: int, kind: RunKind) -> None:
        """APScheduler's job (a coroutine, so it runs on the loop): queue the shop's run."""
        job_id = f"{'full' if kind is RunKind.PULL_FULL else 'pull'}:{shop_id}"
        scheduled = self._submitted_at.pop(job_id, None)
        late = datetime.now(UTC) - scheduled if scheduled else timedelta(0)
        due = self.runtime.clock.now() - max(late, timedelta(0))
        await self.request(shop_id, kind, RunTrigger.SCHEDULE, due)
