"""Single-node execution: queued runs become asyncio tasks in the daemon.

The queue lives in the database, so a run queued by another process (``syncer sync`` on an
operator's laptop against the same database, a webhook) is seen within one poll. At most
``concurrency`` runs go at once and never two of one shop; on shutdown, runs still going after
the grace period are cancelled (recorded ``cancelled``) and queued again, so none is lost.
"""

from __future__ import annotations

import asyncio
import time

import structlog

from syncer.runtime import Runtime
from syncer.scheduler.execute import Outcome, execute_queued
from syncer.store import queue as queue_store
from syncer.store.queue import QueuedRun

log = structlog.get_logger("syncer.daemon")
POLL_S = 0.5
BUSY_BACKOFF_S = 1.0  # a shop leased elsewhere is tried again after this long


class LocalExecutor:
    def __init__(self, runtime: Runtime, *, concurrency: int, poll_s: float = POLL_S) -> None:
        self.runtime = runtime
        self.concurrency = concurrency
        self.poll_s = poll_s
        self._wake = asyncio.Event()
        self._tasks: dict[asyncio.Task[None], QueuedRun] = {}
        self._busy_until: dict[int, float] = {}
        self.started = 0

    def wake(self) -> None:
        """Look at the queue now (something was queued in this process)."""
        self._wake.set()

    async def serve(self, stop: asyncio.Event) -> None:
        """Start queued runs until ``stop`` is set."""
        while not stop.is_set():
            self._wake.clear()
            await self._dispatch()
            waiter = asyncio.ensure_future(self._wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait(
                {waiter, stopper}, timeout=self.poll_s, return_when="FIRST_COMPLETED"
            )
            for future in (waiter, stopper):
                future.cancel()

    async def _dispatch(self) -> None:
        free = self.concurrency - len(self._tasks)
        if free <= 0:
            return
        now = time.monotonic()
        self._busy_until = {s: t for s, t in self._busy_until.items() if t > now}
        skip = {run.shop_id for run in self._tasks.values()} | set(self._busy_until)
        async with self.runtime.database.read() as connection:
            runs = await queue_store.next_queued(connection, limit=free, skip_shops=skip)
        for run in runs:
            if run.shop_id in skip:
                continue  # a shop's full and incremental runs never go together
            skip.add(run.shop_id)
            task = asyncio.get_running_loop().create_task(self._execute(run))
            self._tasks[task] = run
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)
        self._wake.set()

    async def _execute(self, run: QueuedRun) -> None:
        self.started += 1
        try:
            outcome = await execute_queued(self.runtime, run)
        except Exception:  # a bug in one run must not stop the daemon; the log has it
            log.exception("daemon.run_crashed", shop_id=run.shop_id, run_id=run.id)
            return
        if outcome is Outcome.BUSY:
            self._busy_until[run.shop_id] = time.monotonic() + BUSY_BACKOFF_S

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    async def idle(self) -> None:
        """Wait until nothing runs and nothing runnable is queued (tests and tools)."""
        while True:
            if self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
                continue
            async with self.runtime.database.read() as connection:
                waiting = await queue_store.next_queued(connection, limit=1)
            if self._tasks:  # the dispatcher started one while we read (no longer queued)
                continue
            if not waiting:
                return
            self.wake()
            await asyncio.sleep(0.02)  # the dispatcher starts it on its next turn

    async def drain(self, grace_s: float) -> None:
        """Give in-flight runs ``grace_s`` to finish; cancel the rest and queue them again."""
        pending = dict(self._tasks)
        if not pending:
            return
        log.info("daemon.draining", runs=len(pending), grace_s=grace_s)
        _done, late = await asyncio.wait(set(pending), timeout=grace_s)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
        for task in late:
            await self._requeue(pending[task])

    async def _requeue(self, run: QueuedRun) -> None:
        """A run cut short by shutdown goes back to the queue: it resumes from its cursor."""
        try:
            async with self.runtime.database.write() as connection:
                again = await queue_store.enqueue_run(
                    connection,
                    shop_id=run.shop_id,
                    kind=run.kind,
                    trigger=run.trigger,
                    requested_by=run.requested_by,
                    now=self.runtime.clock.now(),
                    due_at=run.due_at,
                )
        except Exception:  # shutting down: the next start's catch-up run covers the shop
            log.exception("daemon.requeue_failed", shop_id=run.shop_id, run_id=run.id)
            return
        log.info("daemon.run_requeued", shop_id=run.shop_id, run_id=again.run_id)
