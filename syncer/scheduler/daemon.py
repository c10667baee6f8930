"""The single-node daemon: APScheduler 3 decides when, asyncio tasks pull the shops.

Per shop: an incremental pull every N minutes (jittered) and a daily full reconcile at a local
time. Jobs follow shop changes without a restart; runs left ``running`` by a crash are failed
(and resume from their cursor) at start; on SIGTERM in-flight runs get 30 seconds to finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from syncer.domain import AuthState, RunTrigger
from syncer.errors import SyncerError
from syncer.runtime import Runtime
from syncer.store import runs as run_store
from syncer.store import shops as shop_store
from syncer.store.runs import RunConflictError
from syncer.store.shops import ShopRecord

log = structlog.get_logger("syncer.daemon")
SHUTDOWN_GRACE_S = 30.0
SHOP_REFRESH_S = 60
FULL_RECONCILE_EVERY = timedelta(hours=24)


class Daemon:
    def __init__(self, runtime: Runtime, *, shutdown_grace_s: float = SHUTDOWN_GRACE_S) -> None:
        self.runtime = runtime
        self.shutdown_grace_s = shutdown_grace_s
        self.settings = runtime.settings.daemon
        self._slots = asyncio.Semaphore(self.settings.concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending: set[tuple[int, bool]] = set()  # (shop, full) waiting or running
        self._started = False
        self.scheduler = AsyncIOScheduler(timezone=ZoneInfo(self.settings.timezone))
        self._intervals: dict[int, int] = {}

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until ``stop`` is set, then shut down gracefully."""
        await asyncio.to_thread(self.runtime.migrate)
        await self.recover()
        self.scheduler.start()
        shops = await self.follow_shops()
        self.scheduler.add_job(
            self.recover,
            IntervalTrigger(seconds=SHOP_REFRESH_S),
            id="recover",
            coalesce=True,
            max_instances=1,
        )
        self.scheduler.add_job(
            self.follow_shops,
            IntervalTrigger(seconds=SHOP_REFRESH_S),
            id="follow_shops",
            coalesce=True,
            max_instances=1,
        )
        for shop in shops:
            self.launch(
                shop.id, full=await self._reconcile_due(shop.id), trigger=RunTrigger.STARTUP
            )
        self._started = True
        log.info("daemon.started", shops=len(shops), worker=self.runtime.worker)
        await stop.wait()
        await self.shutdown()

    async def recover(self) -> None:
        """Fail the runs of dead workers (this host's dead processes, or silent too long)."""
        now = self.runtime.clock.now()
        stale = now - timedelta(seconds=self.settings.stale_run_seconds)
        async with self.runtime.database.write() as connection:
            dead = {w for w in await run_store.running_workers(connection) if _dead_here(w)}
            recovered = await run_store.recover_interrupted(
                connection, now=now, stale_before=stale, dead_workers=dead
            )
        if recovered:
            log.warning("daemon.runs_recovered", count=recovered, dead_workers=sorted(dead))

    async def _reconcile_due(self, shop_id: int) -> bool:
        async with self.runtime.database.read() as connection:
            state = await run_store.load_state(connection, shop_id)
        last = state.last_full_at
        return last is None or self.runtime.clock.now() - last > FULL_RECONCILE_EVERY

    async def follow_shops(self) -> list[ShopRecord]:
        """Add, reschedule or drop jobs so they match the shops table."""
        async with self.runtime.database.read() as connection:
            shops = await shop_store.list_shops(connection, enabled_only=True)
        wanted = {shop.id: shop for shop in shops if shop.auth_state is not AuthState.NEEDS_REAUTH}
        for shop_id in set(self._intervals) - set(wanted):
            for prefix in ("pull", "full"):
                with contextlib.suppress(LookupError):
                    self.scheduler.remove_job(f"{prefix}:{shop_id}")
            del self._intervals[shop_id]
        for shop in wanted.values():
            new = shop.id not in self._intervals
            if self._intervals.get(shop.id) != shop.pull_interval_minutes:
                self._schedule(shop)
            if new and self._started:  # connected while we run: pull it now, not in N minutes
                self.launch(shop.id, await self._reconcile_due(shop.id), RunTrigger.STARTUP)
        return list(wanted.values())

    def _schedule(self, shop: ShopRecord) -> None:
        at = self.settings.full_reconcile_at
        self.scheduler.add_job(
            self._scheduled,
            IntervalTrigger(
                minutes=shop.pull_interval_minutes, jitter=self.settings.pull_jitter_seconds
            ),
            id=f"pull:{shop.id}",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            kwargs={"shop_id": shop.id, "full": False, "trigger": RunTrigger.SCHEDULE},
        )
        self.scheduler.add_job(
            self._scheduled,
            CronTrigger(hour=at.hour, minute=at.minute, jitter=self.settings.pull_jitter_seconds),
            id=f"full:{shop.id}",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            kwargs={"shop_id": shop.id, "full": True, "trigger": RunTrigger.SCHEDULE},
        )
        self._intervals[shop.id] = shop.pull_interval_minutes
        log.info("daemon.shop_scheduled", shop_id=shop.id, every_minutes=shop.pull_interval_minutes)

    async def _scheduled(self, shop_id: int, full: bool, trigger: RunTrigger) -> None:
        """APScheduler's job: a coroutine, so it runs on the loop (plain functions go to a
        thread pool, where no loop runs)."""
        self.launch(shop_id, full, trigger)

    def launch(self, shop_id: int, full: bool, trigger: RunTrigger) -> bool:
        """Start a pull in the background; returns at once. A pull of the same shop and kind
        that is already waiting or running absorbs the trigger (False is returned)."""
        key = (shop_id, full)
        if key in self._pending:
            log.info("daemon.trigger_collapsed", shop_id=shop_id, full=full, trigger=trigger.value)
            return False
        self._pending.add(key)
        task = asyncio.get_running_loop().create_task(self._pull(shop_id, full, trigger))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda _task: self._pending.discard(key))
        return True

    async def _pull(self, shop_id: int, full: bool, trigger: RunTrigger) -> None:
        async with self._slots:
            async with self.runtime.database.read() as connection:
                shop = await shop_store.find_shop(connection, str(shop_id))
            if not shop.enabled or shop.auth_state is AuthState.NEEDS_REAUTH:
                return
            try:
                await self.runtime.pull_engine.run(
                    shop, full=full, trigger=trigger, requested_by="daemon"
                )
            except RunConflictError as exc:
                log.info("daemon.run_skipped", shop_id=shop_id, reason=str(exc))
            except SyncerError as exc:
                log.error("daemon.run_error", shop_id=shop_id, error=str(exc))
            except Exception:
                log.exception("daemon.run_crashed", shop_id=shop_id)

    async def idle(self) -> None:
        """Wait until no run is in flight (tests and tools use it)."""
        while self._tasks:
            await asyncio.gather(*set(self._tasks), return_exceptions=True)

    async def shutdown(self) -> None:
        """Stop scheduling; give in-flight runs the grace period, then cancel them."""
        self.scheduler.shutdown(wait=False)
        pending = set(self._tasks)
        if pending:
            log.info("daemon.draining", runs=len(pending), grace_s=self.shutdown_grace_s)
            _done, late = await asyncio.wait(pending, timeout=self.shutdown_grace_s)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        log.info("daemon.stopped", at=datetime.now().isoformat(timespec="seconds"))


def _dead_here(worker: str) -> bool:
    """Whether ``worker`` ("host:pid", the default name) is a process of this host that is gone."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another host, or a custom name: only the heartbeat can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, owned by another user
    return False
