"""One push cycle of one shop: lease, claim, record the intent, send in batches, record each
row's result, read back and verify.

The cycle holds the shop's lease (the one pulls take), so a pull never reads the shop between
a push and its record. A crash at any point leaves tasks ``in_flight`` with their intent
recorded; the next cycle sends them again (values are absolute, so sending twice is harmless).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import structlog

from syncer.adapter import (
    Adapter,
    ListedChange,
    PriceChange,
    RowResult,
    StockChange,
    load_adapter,
)
from syncer.domain import AuthState, RunCounts, RunKind, RunState, RunTrigger
from syncer.engine.push_batches import batch_limit, coalesce, plan_calls
from syncer.engine.push_reasons import explain
from syncer.engine.push_verify import verdicts
from syncer.errors import (
    AdapterError,
    NeedsReauthError,
    RequestRejectedError,
    StaleLeaseError,
    SyncerError,
)
from syncer.store import Connection
from syncer.store import push_tasks as task_store
from syncer.store import runs as run_store
from syncer.store import shops as shop_store
from syncer.store.push_tasks import ClaimCursor, ClaimedTask, TaskResult, TaskState
from syncer.store.runs import Lease, RunConflictError, StateRow
from syncer.store.shops import ShopRecord

if TYPE_CHECKING:  # push.py builds ShopPush: importing it here would be a cycle
    from syncer.engine.push import Pusher

log = structlog.get_logger("syncer.engine")
StepHook = Callable[[str], Awaitable[None]]
"""Called at each step of a cycle ("claimed", "intent_recorded", "sent", "recorded",
"verified"): progress for observers, and the crash point of the crash tests."""
CLAIM = 2000  # most tasks handled per batch (intent, send, record, read back)
MAX_RETRY_WAIT = timedelta(hours=1)


@dataclass(slots=True, kw_only=True)
class ShopPushReport:
    shop_id: int
    shop: str
    run_id: int | None = None
    skipped: str = ""
    calls: int = 0
    sent: int = 0
    states: dict[str, int] = field(default_factory=dict)

    def add(self, results: Sequence[TaskResult]) -> None:
        for result in results:
            self.states[result.state.value] = self.states.get(result.state.value, 0) + 1


class ShopPush:
    def __init__(self, pusher: Pusher, shop: ShopRecord, trigger: RunTrigger) -> None:
        self.pusher = pusher
        self.shop = shop
        self.trigger = trigger
        self.report = ShopPushReport(shop_id=shop.id, shop=shop.name)
        self.counts = RunCounts()
        self.lease: Lease | None = None
        self.state: StateRow | None = None

    def _now(self) -> datetime:
        return self.pusher.clock.now()

    async def _step(self, name: str) -> None:
        if self.pusher.on_step is not None:
            await self.pusher.on_step(name)

    async def run(self) -> ShopPushReport:
        try:
            await self._start()
        except RunConflictError as exc:
            self.report.skipped = f"busy: {exc}"
            return self.report
        with structlog.contextvars.bound_contextvars(
            run_id=self.report.run_id, shop=self.shop.name, marketplace=self.shop.marketplace
        ):
            return await self._execute()

    async def _start(self) -> None:
        """Lease and run row in one transaction: both, or neither."""
        now = self._now()
        owner = f"{self.pusher.worker}#push-{now.timestamp():.6f}"
        async with self.pusher.database.write() as connection:
            try:
                self.lease = await run_store.acquire_lease(
                    connection, self.shop.id, owner=owner, now=now, until=self._lease_until()
                )
            except StaleLeaseError:
                running = await run_store.running_run_id(connection, self.shop.id)
                raise RunConflictError(self.shop.id, "pull or push", running) from None
            await run_store.supersede_running(connection, self.shop.id, kinds=["push"], now=now)
            self.state = await run_store.load_state(connection, self.shop.id)
            self.report.run_id = await run_store.start_run(
                connection,
                shop_id=self.shop.id,
                kind=RunKind.PUSH,
                trigger=self.trigger,
                requested_by="",
                worker=self.pusher.worker,
                now=now,
            )

    @property
    def claim_size(self) -> int:
        """A batch the shop's rate limit lets us send well within one lease period (the lease
        is renewed between batches): 2,000 tasks at most, fewer on a strict marketplace."""
        adapter = self.pusher.adapters.settings.marketplace(self.shop.marketplace)
        calls = adapter.requests_per_second * self.pusher.settings.daemon.lease_seconds / 4
        rows = min(load_adapter(self.shop.marketplace).push_batch_limits.values(), default=1)
        return max(1, min(CLAIM, int(calls * rows)))

    def _lease_until(self) -> datetime:
        return self._now() + timedelta(seconds=self.pusher.settings.daemon.lease_seconds)

    async def _execute(self) -> ShopPushReport:
        adapter: Adapter | None = None
        error: BaseException | None = None
        try:
            adapter = self.pusher.adapters.create(self.shop)
            after: ClaimCursor = ("", "", 0)
            while batch := await self._claim(after):
                last = batch[-1]
                after = (last.field, last.key.external_item_id, last.id)
                await self._push(adapter, batch)
        except SyncerError as exc:
            error = exc
            log.error("push.failed", error=str(exc))
        except BaseException as exc:
            error = exc
            raise
        finally:
            if adapter is not None:
                await adapter.aclose()
            await self._finish(error)
        return self.report

    async def _claim(self, after: ClaimCursor) -> list[ClaimedTask]:
        """The next tasks, never splitting one item's rows between two claims."""
        async with self.pusher.database.write() as connection:
            await self._renew(connection)
            batch = await task_store.claim(
                connection, self.shop.id, now=self._now(), limit=self.claim_size, after=after
            )
        if len(batch) == self.claim_size:
            last = (batch[-1].field, batch[-1].key.external_item_id)
            whole = [t for t in batch if (t.field, t.key.external_item_id) != last]
            batch = whole or batch
        return batch

    async def _renew(self, connection: Connection) -> None:
        """Extend the lease (fenced: refused once another worker took it)."""
        if self.lease is None or self.state is None:
            raise StaleLeaseError(f"shop {self.shop.id}: the push holds no lease")
        await run_store.checkpoint(
            connection, self.lease, cursor=self.state.cursor, lease_until=self._lease_until()
        )

    async def _push(self, adapter: Adapter, claimed: list[ClaimedTask]) -> None:
        tasks, older = coalesce(claimed)
        now = self._now()
        await self._step("claimed")
        async with self.pusher.database.write() as connection:
            await self._renew(connection)
            await task_store.supersede(connection, [t.id for t in older], now)
            await task_store.mark_in_flight(connection, tasks, now=now, run_id=self.report.run_id)
        if older:
            superseded = self.report.states.get("superseded", 0)
            self.report.states["superseded"] = superseded + len(older)
        await self._step("intent_recorded")
        results = await self._send(adapter, tasks)
        await self._step("sent")
        await self._record(results)
        await self._step("recorded")
        final = results
        applied = [r.task for r in results if r.state is TaskState.APPLIED]
        if applied and self.pusher.settings.push.verify and not adapter.feed_only:
            checked = await self._verify(adapter, applied)
            await self._record(checked)
            await self._step("verified")
            final = [r for r in results if r.state is not TaskState.APPLIED] + checked
        self._count(final)

    async def _record(self, results: Sequence[TaskResult]) -> None:
        async with self.pusher.database.write() as connection:
            await self._renew(connection)
            await task_store.record_results(
                connection, results, now=self._now(), run_id=self.report.run_id
            )

    def _count(self, results: Sequence[TaskResult]) -> None:
        self.report.sent += len(results)
        self.report.add(results)
        self.counts.pushed += sum(1 for r in results if r.landed)
        self.counts.failed += sum(
            1 for r in results if r.state in (TaskState.FAILED, TaskState.MISMATCH)
        )

    async def _send(self, adapter: Adapter, tasks: Sequence[ClaimedTask]) -> list[TaskResult]:
        limits, per_item = adapter.push_batch_limits, adapter.push_batch_per_item
        calls = [
            (name, chunk)
            for name in ("price", "stock", "status")
            for chunk in plan_calls(
                [t for t in tasks if t.field == name],
                field=name,
                limit=batch_limit(limits, name),
                per_item=(name if name != "status" else "listed") in per_item,
            )
        ]
        gate = asyncio.Semaphore(adapter.context.settings.concurrency)

        async def one(call: tuple[str, list[ClaimedTask]]) -> list[TaskResult]:
            async with gate:
                return await self._call(adapter, *call)

        self.report.calls += len(calls)
        answers = await asyncio.gather(*(one(call) for call in calls))
        return [result for answer in answers for result in answer]

    async def _call(
        self, adapter: Adapter, name: str, tasks: list[ClaimedTask]
    ) -> list[TaskResult]:
        try:
            if name == "price":
                rows = await adapter.update_price(
                    [
                        PriceChange(key=t.key, price=t.value, idempotency_key=t.idempotency_key)
                        for t in tasks
                    ]
                )
            elif name == "stock":
                rows = await adapter.update_stock(
                    [
                        StockChange(key=t.key, stock=t.value, idempotency_key=t.idempotency_key)
                        for t in tasks
                    ]
                )
            else:
                items = {t.key.external_item_id: t for t in tasks}
                rows = await adapter.set_listed(
                    [
                        ListedChange(
                            external_item_id=item,
                            listed=bool(t.value),
                            idempotency_key=t.idempotency_key,
                        )
                        for item, t in items.items()
                    ]
                )
        except NeedsReauthError as exc:
            await self._needs_reauth(exc)
            return [
                self._retry(t, f"the shop must be connected again: {exc}", exc.code) for t in tasks
            ]
        except RequestRejectedError as exc:  # about the app or the shop, not these rows
            return [self._retry(t, str(exc), exc.code) for t in tasks]
        except AdapterError as exc:
            rows = [RowResult.failed(t.key, exc) for t in tasks]
        return self._judge(adapter, name, tasks, rows)

    def _judge(
        self, adapter: Adapter, name: str, tasks: list[ClaimedTask], rows: Sequence[RowResult]
    ) -> list[TaskResult]:
        by_key = {row.key: row for row in rows}
        by_item = {row.key.external_item_id: row for row in rows}  # status acts on whole items
        results = []
        for task in tasks:
            row = (
                by_item.get(task.key.external_item_id) if name == "status" else by_key.get(task.key)
            )
            if row is None:
                results.append(self._retry(task, "the marketplace did not answer for this row", ""))
            elif row.ok:
                note = row.reason or (
                    "written to the feed; checked once the marketplace imports it"
                    if adapter.feed_only
                    else ""
                )
                results.append(TaskResult(task=task, state=TaskState.APPLIED, reason=note))
            elif row.retriable:
                results.append(self._retry(task, row.reason, row.code))
            else:
                reason = explain(task.field, adapter.display_name, row.reason)
                results.append(
                    TaskResult(task=task, state=TaskState.FAILED, reason=reason, code=row.code)
                )
        return results

    def _retry(self, task: ClaimedTask, reason: str, code: str) -> TaskResult:
        """Back to pending with a growing wait, or failed once the attempts are used up."""
        attempts = task.attempts + 1
        settings = self.pusher.settings.push
        if attempts >= settings.max_attempts:
            return TaskResult(
                task=task,
                state=TaskState.FAILED,
                reason=f"gave up after {attempts} attempts: {reason}",
                code=code,
            )
        wait = min(
            timedelta(seconds=settings.retry_wait_seconds * 2 ** (attempts - 1)), MAX_RETRY_WAIT
        )
        return TaskResult(
            task=task,
            state=TaskState.PENDING,
            reason=f"will retry: {reason}",
            code=code,
            retry_at=self._now() + wait,
        )

    async def _verify(self, adapter: Adapter, tasks: Sequence[ClaimedTask]) -> list[TaskResult]:
        item_ids = sorted({t.key.external_item_id for t in tasks})
        try:
            page = await adapter.fetch_items(item_ids)
        except AdapterError as exc:
            log.warning("push.verify_failed", error=str(exc))
            return [
                TaskResult(
                    task=t, state=TaskState.APPLIED, reason=f"accepted; not read back: {exc}"
                )
                for t in tasks
            ]
        return verdicts(tasks, page)

    async def _needs_reauth(self, error: NeedsReauthError) -> None:
        async with self.pusher.database.write() as connection:
            await shop_store.set_auth_state(
                connection, self.shop.id, AuthState.NEEDS_REAUTH, str(error), self._now()
            )

    async def _finish(self, error: BaseException | None) -> None:
        failed = self.counts.failed or error is not None
        state = (
            RunState.FAILED
            if error is not None
            else RunState.PARTIAL
            if failed
            else RunState.SUCCEEDED
        )
        if isinstance(error, asyncio.CancelledError | KeyboardInterrupt):
            state = RunState.CANCELLED
        async with self.pusher.database.write() as connection:
            if self.report.run_id is not None:
                await run_store.finish_run(
                    connection,
                    self.report.run_id,
                    state=state,
                    counts=self.counts,
                    now=self._now(),
                    error=error,
                )
            if self.lease is not None:
                await run_store.release_lease(connection, self.lease)
        log.info("push.finished", state=state.value, calls=self.report.calls, **self.report.states)
