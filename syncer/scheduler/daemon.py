"""The daemon: a scheduler that queues runs, an executor that runs them, and their upkeep.

Roles (``syncer run --role``): ``scheduler`` decides when (APScheduler jobs, catch-up, crash
recovery), ``worker`` executes queued runs, ``all`` (the default) does both. On SQLite runs
execute as asyncio tasks here (``LocalExecutor``); on PostgreSQL workers anywhere take them
through procrastinate (``syncer.cluster``). Every node heartbeats in ``sync_node``: a node
silent past ``node_timeout_seconds`` is dead, its runs are failed and its leases freed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from syncer.domain import RunKind, RunTrigger
from syncer.runtime import Runtime
from syncer.scheduler.local import LocalExecutor
from syncer.scheduler.lost_webhooks import UpkeepReport, webhook_upkeep
from syncer.scheduler.schedules import Schedules
from syncer.store import queue as queue_store
from syncer.store import runs as run_store
from syncer.store.queue import Enqueued
from syncer.store.shops import ShopRecord

if TYPE_CHECKING:
    from syncer.cluster.node import ClusterNode

log = structlog.get_logger("syncer.daemon")
SHUTDOWN_GRACE_S = 30.0
_MIGRATIONS = threading.Lock()
SHOP_REFRESH_S = 60
Role = Literal["all", "scheduler", "worker"]
Service = Callable[[asyncio.Event], Awaitable[None]]
"""A long-running part of the daemon started with it and stopped by the same event."""


class Daemon:
    def __init__(
        self,
        runtime: Runtime,
        *,
        role: Role | None = None,
        shutdown_grace_s: float = SHUTDOWN_GRACE_S,
        cluster: bool | None = None,
        time_scale: float = 1.0,
    ) -> None:
        """``cluster``: execute through procrastinate (default: ``daemon.executor``);
        ``time_scale``: run interval schedules that much faster (benchmarks, demos)."""
        self.runtime = runtime
        self.settings = runtime.settings.daemon
        self.role: Role = role or self.settings.role
        self.shutdown_grace_s = shutdown_grace_s
        self.cluster = uses_cluster(runtime) if cluster is None else cluster
        self.scheduler = AsyncIOScheduler(timezone=ZoneInfo(self.settings.timezone))
        self.time_scale = time_scale
        self.schedules = Schedules(runtime, self.scheduler, self._scheduled, time_scale=time_scale)
        self.executor: LocalExecutor | None = None
        if self.role != "scheduler" and not self.cluster:
            self.executor = LocalExecutor(runtime, concurrency=self.settings.concurrency)
        self.services: dict[str, Service] = {}
        self._started_at = runtime.clock.now()
        self._tasks: list[asyncio.Task[None]] = []
        self._upkeep_running: set[asyncio.Future[object]] = set()
        self._stopping = False
        self.ready = asyncio.Event()
        """Set once started: catch-up runs queued, schedules and executor going."""
        self.cluster_node: ClusterNode | None = None
        if self.cluster:
            from syncer.cluster.node import ClusterNode

            self.cluster_node = ClusterNode(
                runtime, role=self.role, shutdown_grace_s=shutdown_grace_s
            )
            self.services["cluster"] = self.cluster_node.serve

    # HOOKS for parts built elsewhere: the coordinator wires them here.
    def add_pusher(self, pusher_loop: Service) -> None:
        """HOOK (push engine, issue 4): a continuous pusher, e.g. a loop over
        ``Pusher.run_once()`` until the event is set; started with the executor roles."""
        if self.role != "scheduler":
            self.services["pusher"] = pusher_loop

    def add_web(self, serve: Service) -> None:
        """HOOK (web app): ``lambda stop: syncer.web.serve(runtime, stop)``."""
        self.services["web"] = serve

    @property
    def schedules_here(self) -> bool:
        return self.role != "worker"

    async def request(
        self,
        shop_id: int,
        kind: RunKind,
        trigger: RunTrigger,
        *,
        requested_by: str = "daemon",
        due_at: datetime | None = None,
    ) -> Enqueued:
        """Queue a run (or join the queued one) and tell whoever executes runs here."""
        async with self.runtime.database.write() as connection:
            enqueued = await queue_store.enqueue_run(
                connection,
                shop_id=shop_id,
                kind=kind,
                trigger=trigger,
                requested_by=requested_by,
                now=self.runtime.clock.now(),
                due_at=due_at,
            )
        log.info(
            "daemon.run_requested",
            shop_id=shop_id,
            kind=kind.value,
            trigger=trigger.value,
            run_id=enqueued.run_id,
            joined=enqueued.joined,
        )
        if self.executor is not None:
            self.executor.wake()
        if self.cluster_node is not None:
            await self.cluster_node.submitted(enqueued)
        return enqueued

    async def _scheduled(
        self, shop_id: int, kind: RunKind, trigger: RunTrigger, due_at: datetime | None
    ) -> Enqueued:
        return await self.request(shop_id, kind, trigger, due_at=due_at)

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until ``stop`` is set, then shut down gracefully."""
        if self.role == "worker":
            await asyncio.to_thread(self.runtime.require_schema)
        else:
            await asyncio.to_thread(self._migrate)
        await self.runtime.check_limits()
        await self.heartbeat()
        shops: list[ShopRecord] = []
        if self.schedules_here:
            await self.recover()
            self.scheduler.start()
            shops = await self.schedules.follow_shops(catch_up=self.settings.catch_up)
            self._add_upkeep_jobs()
        self._spawn(self._heartbeats(stop))
        if self.executor is not None:
            self._spawn(self.executor.serve(stop))
        for service in self.services.values():
            self._spawn(service(stop))
        self.ready.set()
        log.info("daemon.started", role=self.role, shops=len(shops), worker=self.runtime.worker)
        await stop.wait()
        await self.shutdown()

    def _migrate(self) -> None:
        with _MIGRATIONS:  # Alembic's proxies are process-global: one migration at a time
            self.runtime.migrate()

    def _spawn(self, work: Awaitable[None]) -> None:
        self._tasks.append(asyncio.ensure_future(work))

    def _add_upkeep_jobs(self) -> None:
        # Dead nodes are noticed within the stall threshold (their shops run again soon).
        recover_every = min(SHOP_REFRESH_S, self.settings.node_timeout_seconds / 2)
        # Webhook upkeep runs whatever is installed: besides reading back lost pushes, it
        # queues again the items pulls of events a failed or cancelled run left pending.
        webhooks_every = self.runtime.settings.web.lost_push_check_minutes * 60 / self.time_scale
        upkeep = [
            (self.recover, recover_every),
            (self.schedules.follow_shops, SHOP_REFRESH_S),
            (self.webhook_upkeep, webhooks_every),
        ]
        for job, every in upkeep:
            self.scheduler.add_job(
                self._upkeep,
                IntervalTrigger(seconds=every),
                args=(job,),
                id=job.__name__,
                coalesce=True,
                max_instances=1,
            )

    async def _upkeep(self, job: Callable[[], Awaitable[object]]) -> None:
        """Run an upkeep job where shutdown can wait for it: APScheduler does not, and a job
        cancelled as the loop closes would end the daemon's log with a traceback."""
        work = asyncio.ensure_future(job())
        self._upkeep_running.add(work)
        try:
            await work
        except asyncio.CancelledError:
            if not self._stopping:
                raise
            work.cancel()  # the loop is closing after shutdown: expected, not a failure
            log.info("daemon.upkeep_cancelled", job=getattr(job, "__name__", str(job)))
        finally:
            self._upkeep_running.discard(work)

    async def webhook_upkeep(self) -> UpkeepReport:
        """Read back the pushes marketplaces failed to deliver; requeue stalled items pulls."""
        report = await webhook_upkeep(self.runtime)
        if (report.accepted or report.requeued) and self.executor is not None:
            self.executor.wake()
        return report

    async def follow_shops(self) -> list[ShopRecord]:
        return await self.schedules.follow_shops()

    async def heartbeat(self) -> None:
        async with self.runtime.database.write() as connection:
            await queue_store.heartbeat(
                connection,
                self.runtime.worker,
                role=self.role,
                now=self.runtime.clock.now(),
                started_at=self._started_at,
            )

    async def _heartbeats(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.settings.heartbeat_seconds)
            if not stop.is_set():
                try:
                    await self.heartbeat()
                except Exception:  # a database hiccup: the next beat tries again
                    log.exception("daemon.heartbeat_failed")

    async def recover(self) -> None:
        """Fail the runs of dead nodes (this host's dead processes, nodes silent too long, or
        runs silent too long) and free the leases they held."""
        now = self.runtime.clock.now()
        stale = now - timedelta(seconds=self.settings.stale_run_seconds)
        silent_since = now - timedelta(seconds=self.settings.node_timeout_seconds)
        async with self.runtime.database.write() as connection:
            dead = {w for w in await run_store.running_workers(connection) if _dead_here(w)}
            silent = set(await queue_store.silent_nodes(connection, seen_before=silent_since))
            silent.discard(self.runtime.worker)  # we are alive, whatever our last beat says
            dead |= silent
            recovered = await run_store.recover_interrupted(
                connection, now=now, stale_before=stale, dead_workers=dead
            )
            for name in silent:
                await queue_store.leave(connection, name)
        if not recovered:
            return
        log.warning("daemon.runs_recovered", count=len(recovered), dead_workers=sorted(dead))
        for run in recovered:  # the shop runs again soon, resuming from its cursor
            await self.request(
                run.shop_id,
                run.kind,
                run.trigger,
                requested_by=run.requested_by,
                due_at=run.due_at,
            )

    async def idle(self) -> None:
        """Wait until no run is in flight or runnable here (tests and tools use it)."""
        if self.executor is not None:
            await self.executor.idle()

    async def shutdown(self) -> None:
        """Stop scheduling; give in-flight runs the grace period, then cancel and requeue."""
        self._stopping = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self._upkeep_running:  # short jobs (a lost-push read, a sweep): let them end
            await asyncio.wait(set(self._upkeep_running), timeout=self.shutdown_grace_s)
        if self.executor is not None:
            await self.executor.drain(self.shutdown_grace_s)
        await asyncio.gather(*self._tasks, return_exceptions=True)
        try:
            async with self.runtime.database.write() as connection:
                await queue_store.leave(connection, self.runtime.worker)
        except Exception:  # the node falls silent and is noticed anyway
            log.exception("daemon.leave_failed")
        log.info("daemon.stopped", role=self.role)


def uses_cluster(runtime: Runtime) -> bool:
    """Whether runs go through procrastinate (PostgreSQL) or run in the daemon (SQLite)."""
    executor = runtime.settings.daemon.executor
    if executor == "auto":
        return not runtime.database.is_sqlite
    return executor == "procrastinate"


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
