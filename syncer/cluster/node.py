"""Cluster mode on PostgreSQL: procrastinate jobs carry queued runs to workers on any host.

The SyncRun queue stays the truth (one queued run per shop and kind, callers told whether they
joined); a job only says "run shop N's queued pull". Jobs carry a per-shop ``lock`` (never two
at once) and a ``queueing_lock`` per shop and kind (one waiting job), so several schedulers
may defer the same run. Schedulers re-defer queued runs that lost their job and retry the jobs
of stalled workers; the lease and its epoch still guard every write against a zombie.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

import structlog
from procrastinate import App, JobContext, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued, ConnectorException
from procrastinate.jobs import Status

from syncer.errors import SyncerError
from syncer.runtime import Runtime
from syncer.scheduler.execute import Outcome, execute_next
from syncer.store import locks
from syncer.store import queue as queue_store
from syncer.store.queue import Enqueued, QueuedRun

log = structlog.get_logger("syncer.cluster")
TASK = "syncer.run_shop"
QUEUE = "syncer"
SWEEP_S = 1.0
REDEFER_AFTER_S = 60.0  # a queued run still without a started job is deferred again
SWEEP_BATCH = 1000
SCHEMA_LOCK = "procrastinate-schema"


class ShopBusyError(SyncerError):
    """Another run of the shop still holds its lease (a stalled worker's, until it expires)."""


def build_app(runtime: Runtime) -> App:
    """A procrastinate app on the syncer database, with the one task every worker knows."""
    settings = runtime.settings.daemon
    connector = PsycopgConnector(
        conninfo=queue_store.libpq_url(runtime.settings.database.url),
        min_size=1,
        max_size=max(4, settings.concurrency + 2),
    )
    app = App(connector=connector)

    @app.task(
        name=TASK,
        queue=QUEUE,
        pass_context=True,
        retry=RetryStrategy(
            max_attempts=settings.job_retries,
            exponential_wait=2,
            retry_exceptions={ShopBusyError},
        ),
    )
    async def run_shop(context: JobContext, shop_id: int) -> None:
        worker_runtime: Runtime = context.additional_context["runtime"]
        if await execute_next(worker_runtime, shop_id) is Outcome.BUSY:
            raise ShopBusyError(f"shop {shop_id} is leased by another run; retried later")

    return app


async def ensure_schema(runtime: Runtime, app: App) -> None:
    """Create procrastinate's tables once, under a lock: several nodes may start together."""
    database, clock = runtime.database, runtime.clock
    async with locks.exclusive(database, SCHEMA_LOCK, owner=runtime.worker, clock=clock):
        async with database.read() as connection:
            if await queue_store.procrastinate_schema_present(connection):
                return
        await app.schema_manager.apply_schema_async()
    log.info("cluster.schema_applied")


async def defer(app: App, shop_id: int, kind: str) -> bool:
    """Defer the job for a queued run; False when one is already waiting for it."""
    task = app.tasks[TASK].configure(
        lock=f"shop:{shop_id}", queueing_lock=f"queued:{shop_id}:{kind}"
    )
    try:
        await task.defer_async(shop_id=shop_id)
    except AlreadyEnqueued:
        return False
    return True


class ClusterNode:
    """The cluster side of one daemon process: a worker, a scheduler's upkeep, or both."""

    def __init__(self, runtime: Runtime, *, role: str, shutdown_grace_s: float = 30.0) -> None:
        self.runtime = runtime
        self.role = role
        self.shutdown_grace_s = shutdown_grace_s
        self.app = build_app(runtime)
        self._deferred: dict[int, float] = {}
        self.ready = asyncio.Event()

    async def serve(self, stop: asyncio.Event) -> None:
        async with self.app.open_async():
            await ensure_schema(self.runtime, self.app)
            tasks = []
            if self.role != "worker":
                tasks += [self._loop(stop, self.sweep, SWEEP_S)]
                every = self.runtime.settings.daemon.node_timeout_seconds / 2
                tasks += [self._loop(stop, self.retry_stalled, every)]
            running = [asyncio.ensure_future(t) for t in tasks]
            worker = None
            if self.role != "scheduler":
                worker = asyncio.ensure_future(self._work())
            self.ready.set()
            await stop.wait()
            if worker is not None:
                worker.cancel()  # procrastinate then stops gracefully within the grace period
                with contextlib.suppress(asyncio.CancelledError):
                    await worker
            await asyncio.gather(*running, return_exceptions=True)

    async def _work(self) -> None:
        settings = self.runtime.settings.daemon
        await self.app.run_worker_async(
            queues=[QUEUE],
            concurrency=settings.concurrency,
            name=self.runtime.worker,
            install_signal_handlers=False,
            shutdown_graceful_timeout=self.shutdown_grace_s,
            additional_context={"runtime": self.runtime},
            update_heartbeat_interval=settings.heartbeat_seconds,
            stalled_worker_timeout=settings.node_timeout_seconds,
            fetch_job_polling_interval=1.0,
            delete_jobs="successful",
        )

    async def _loop(
        self, stop: asyncio.Event, step: Callable[[], Awaitable[object]], every: float
    ) -> None:
        while not stop.is_set():
            try:
                await step()
            except Exception:  # the database blinked: the next turn tries again
                log.exception("cluster.upkeep_failed", step=step.__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)

    async def submitted(self, enqueued: Enqueued) -> None:
        """Defer the job of a run just queued in this process (the sweep would, later)."""
        if self.ready.is_set() and not enqueued.already_running:
            await defer(self.app, enqueued.shop_id, enqueued.kind.value)
            self._deferred[enqueued.run_id] = time.monotonic()

    async def sweep(self) -> int:
        """Defer a job for every queued run that has none (queued by the CLI, a webhook, a
        scheduler that died between queueing and deferring, or a job that gave up)."""
        async with self.runtime.database.read() as connection:
            queued = await queue_store.next_queued(connection, limit=SWEEP_BATCH)
        now = time.monotonic()
        self._deferred = {r: t for r, t in self._deferred.items() if now - t < REDEFER_AFTER_S}
        deferred = 0
        for run in queued:
            if run.id not in self._deferred:
                deferred += await self._defer(run)
                self._deferred[run.id] = now
        return deferred

    async def _defer(self, run: QueuedRun) -> int:
        return int(await defer(self.app, run.shop_id, run.kind.value))

    async def retry_stalled(self) -> int:
        """Jobs of workers whose heartbeat stopped (killed, paused) go back to the queue."""
        timeout = self.runtime.settings.daemon.node_timeout_seconds
        manager = self.app.job_manager
        stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=timeout))
        for job in stalled:
            assert job.id is not None  # jobs read from the database have ids
            try:
                await manager.retry_job(job)
                log.warning("cluster.job_retried", job_id=job.id, lock=job.lock)
            except ConnectorException:
                # A job for the same queued run already waits (re-deferred after recovery):
                # close this one so its shop lock frees and that one runs.
                await manager.finish_job_by_id_async(job.id, Status.FAILED, delete_job=False)
                log.warning("cluster.job_closed", job_id=job.id, lock=job.lock)
        if stalled:
            await self.app.job_manager.prune_stalled_workers(timeout)
        return len(stalled)
