"""Pull runs: stream pages from an adapter into the store, one transaction per page.

A run first takes the shop's lease (one pull per shop anywhere, fenced by an epoch), then
streams pages; each page's listings, the run's counters and the cursor are written together, so
a crash re-reads at most one page and the cursor is never ahead of the stored data. Only a full
pass marks listings ``deleted``: after listing everything, it reads once more the stored items
it did not see, and deletes in the same fenced transaction what is really gone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from syncer.adapter import Adapter, Page, PullWindow
from syncer.domain import AuthState, Clock, ListingKey, RunCounts, RunKind, RunState, RunTrigger
from syncer.engine.adapters import AdapterFactory
from syncer.engine.cursor import Mode, PassCursor, Phase, ShopCursor
from syncer.errors import NeedsReauthError, StaleLeaseError, SyncerError
from syncer.settings import Settings
from syncer.store import Connection, Database
from syncer.store import listings as listing_store
from syncer.store import runs as run_store
from syncer.store import shops as shop_store
from syncer.store.runs import Lease, RunConflictError, StateRow
from syncer.store.shops import ShopRecord

log = structlog.get_logger("syncer.engine")
ProgressCallback = Callable[[RunCounts, tuple[int, int] | None], None]
RECONCILE_BATCH = 200
MAX_RESUMES = 5  # a pass that failed this often at the same place starts over
GONE_REASON = "No longer on the marketplace (absent from a full reconcile)"
PULL_KINDS = tuple(kind.value for kind in RunKind if kind.pulls)  # all under the shop's lease


@dataclass(slots=True, kw_only=True)
class RunOutcome:
    run_id: int
    state: RunState
    counts: RunCounts
    error: str = ""
    issues: list[dict[str, str]] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class Start:
    """A run that holds the shop's lease; ``state`` is the stream's state when it took it."""

    run_id: int
    kind: RunKind
    lease: Lease
    state: StateRow


class PullEngine:
    def __init__(
        self,
        *,
        settings: Settings,
        database: Database,
        adapters: AdapterFactory,
        clock: Clock,
        worker: str,
    ) -> None:
        self.settings = settings
        self.database = database
        self.adapters = adapters
        self.clock = clock
        self.worker = worker

    async def run(
        self,
        shop: ShopRecord,
        *,
        full: bool = False,
        trigger: RunTrigger = RunTrigger.MANUAL,
        requested_by: str = "",
        on_progress: ProgressCallback | None = None,
        run_id: int | None = None,
    ) -> RunOutcome:
        """Pull one shop now; ``RunConflictError`` if another pull of it holds the lease.

        ``run_id``: the queued run this executes (the daemon's queue); None starts a new one.
        """
        start = await self.start(
            shop, full=full, trigger=trigger, requested_by=requested_by, queued_run_id=run_id
        )
        with structlog.contextvars.bound_contextvars(
            run_id=start.run_id, shop=shop.name, shop_id=shop.id, marketplace=shop.marketplace
        ):
            run = PullRun(self, shop, start, on_progress)
            return await run.execute()

    async def start(
        self,
        shop: ShopRecord,
        *,
        full: bool,
        trigger: RunTrigger,
        requested_by: str,
        queued_run_id: int | None,
        kind: RunKind | None = None,
    ) -> Start:
        """Lease, state and run row in one transaction: all of them, or none.

        ``kind``: the run's kind when the caller knows it (an items pull); else a full pull
        when asked or when the shop was never pulled, an incremental one otherwise.
        """
        now = self.clock.now()
        owner = f"{self.worker}#{now.timestamp():.6f}"
        until = now + timedelta(seconds=self.settings.daemon.lease_seconds)
        async with self.database.write() as connection:
            try:
                lease = await run_store.acquire_lease(
                    connection, shop.id, owner=owner, now=now, until=until
                )
            except StaleLeaseError:
                running = await run_store.running_run_id(connection, shop.id)
                raise RunConflictError(shop.id, "pull", running) from None
            await run_store.supersede_running(connection, shop.id, kinds=PULL_KINDS, now=now)
            state = await run_store.load_state(connection, shop.id)
            kind = kind or (
                RunKind.PULL_FULL
                if full or state.high_water_at is None
                else RunKind.PULL_INCREMENTAL
            )
            run_id = await run_store.start_run(
                connection,
                shop_id=shop.id,
                kind=kind,
                trigger=trigger,
                requested_by=requested_by,
                worker=self.worker,
                now=now,
                queued_run_id=queued_run_id,
            )
        return Start(run_id=run_id, kind=kind, lease=lease, state=state)


class PullRun:
    """One run while it executes; keeps ``PullEngine.run`` short."""

    def __init__(
        self,
        engine: PullEngine,
        shop: ShopRecord,
        start: Start,
        on_progress: ProgressCallback | None,
    ) -> None:
        self.engine = engine
        self.shop = shop
        self.run_id = start.run_id
        self.lease = start.lease
        self.state = start.state
        self.mode = Mode.FULL if start.kind is RunKind.PULL_FULL else Mode.INCREMENTAL
        self.on_progress = on_progress
        self.counts = RunCounts()
        self.issues: list[dict[str, str]] = []
        self.saved = ShopCursor.from_json(start.state.cursor)
        self.cursor = self._plan()
        self.completed = False

    def _now(self) -> datetime:
        return self.engine.clock.now()

    def _lease_until(self) -> datetime:
        return self._now() + timedelta(seconds=self.engine.settings.daemon.lease_seconds)

    def _plan(self) -> PassCursor:
        """Resume this mode's unfinished pass, unless it keeps failing; else start one."""
        unfinished = self.saved.slot(self.mode)
        if unfinished is not None and unfinished.resumes < MAX_RESUMES:
            return unfinished.resumed()
        if unfinished is not None:
            log.warning(
                "pull.pass_restarted", pass_id=unfinished.pass_id, resumes=unfinished.resumes
            )
        now = self._now()
        if self.mode is Mode.FULL:
            return PassCursor.start(Mode.FULL, None, now)
        overlap = timedelta(seconds=self.engine.settings.pull.overlap_seconds)
        high_water = self.state.high_water_at or now
        return PassCursor.start(Mode.INCREMENTAL, high_water - overlap, now)

    def _log_started(self) -> None:
        log.info(
            "pull.started",
            mode=self.mode.value,
            phase=self.cursor.phase.value,
            resumed=self.cursor.started,
            since=str(self.cursor.since),
        )

    async def _work(self, adapter: Adapter) -> None:
        """The run's reading and storing (an items pull does its own)."""
        if self.cursor.phase is Phase.LISTING:
            await self._stream(adapter)
        if self.mode is Mode.FULL:
            await self._reconcile(adapter)
        await self._complete()

    async def execute(self) -> RunOutcome:
        self._log_started()
        adapter: Adapter | None = None
        try:
            adapter = self.engine.adapters.create(self.shop)
            await self._work(adapter)
        except NeedsReauthError as exc:
            await self._mark_needs_reauth(exc)
            return await self._finish(RunState.FAILED, exc)
        except SyncerError as exc:
            return await self._finish(RunState.FAILED, exc)
        except BaseException as exc:
            cancelled = isinstance(exc, asyncio.CancelledError | KeyboardInterrupt)
            await self._finish(RunState.CANCELLED if cancelled else RunState.FAILED, exc)
            raise
        finally:
            if adapter is not None:
                await adapter.aclose()
            async with self.engine.database.write() as connection:
                await run_store.release_lease(connection, self.lease)
        state = RunState.PARTIAL if self.counts.quarantined else RunState.SUCCEEDED
        return await self._finish(state, None)

    async def _stream(self, adapter: Adapter) -> None:
        cursor = self.cursor
        window = PullWindow(since=cursor.since, until=cursor.until, resume_token=cursor.token)
        async for page in adapter.pull(window):
            self.cursor = self.cursor.at(page.next_token)
            await self._store_page(page)
            if self.on_progress:
                self.on_progress(self.counts, page.progress)

    async def _store_page(self, page: Page, reconciled: list[str] | None = None) -> int:
        """Listings, seen keys, deletions, counters and cursor in one fenced transaction.

        ``reconciled``: the item ids a reconcile batch re-read; their listings still unseen
        after this page are gone, and are marked deleted here. Returns how many were.
        """
        now = self._now()
        deleted = 0
        async with self.engine.database.write() as connection:
            outcome = await listing_store.upsert_listings(
                connection, self.shop.id, page.listings, now=now, run_id=self.run_id
            )
            if self.mode is Mode.FULL:
                await listing_store.record_seen(
                    connection, self.shop.id, self.cursor.pass_id, _seen_keys(page)
                )
            if reconciled:
                gone = await listing_store.unseen_keys(
                    connection, self.shop.id, self.cursor.pass_id, reconciled
                )
                deleted = await listing_store.mark_deleted(
                    connection,
                    self.shop.id,
                    gone,
                    reason=GONE_REASON,
                    now=now,
                    run_id=self.run_id,
                )
            self.counts.deleted += deleted
            self._count(page, outcome)
            await run_store.record_progress(
                connection, self.run_id, self.counts, now, page.progress
            )
            await self._checkpoint(connection)
        return deleted

    async def _checkpoint(self, connection: Connection, *, done: bool = False) -> None:
        cursor = self.saved.with_slot(self.mode, None if done else self.cursor)
        high_water = last_full = None
        if done:
            previous = self.state.high_water_at
            high_water = max(previous, self.cursor.until) if previous else self.cursor.until
            last_full = self.cursor.until if self.mode is Mode.FULL else None
        await run_store.checkpoint(
            connection,
            self.lease,
            cursor=cursor.as_json(),
            lease_until=self._lease_until(),
            high_water_at=high_water,
            last_full_at=last_full,
        )

    def _count(self, page: Page, outcome: listing_store.PageOutcome) -> None:
        self.counts.pages += 1
        self.counts.fetched += len(page.listings)
        self.counts.created += outcome.created
        self.counts.updated += outcome.updated
        self.counts.unchanged += outcome.unchanged
        self.counts.quarantined += len(page.quarantined)
        for item in page.quarantined:
            if len(self.issues) < run_store.MAX_ISSUES_KEPT:
                self.issues.append({"item": item.external_item_id, "reason": item.reason})

    async def _reconcile(self, adapter: Adapter) -> None:
        """Read once more every stored item the pass did not see; what is gone is deleted."""
        while True:
            async with self.engine.database.read() as connection:
                item_ids = await listing_store.unseen_item_ids(
                    connection,
                    self.shop.id,
                    self.cursor.pass_id,
                    after=self.cursor.after,
                    limit=RECONCILE_BATCH,
                )
            if not item_ids:
                return
            page = await adapter.fetch_items(item_ids)
            self.cursor = self.cursor.reconciled_to(item_ids[-1])
            deleted = await self._store_page(page, reconciled=item_ids)
            log.info("pull.reconciled_batch", checked=len(item_ids), deleted=deleted)

    async def _complete(self) -> None:
        """The pass is whole: advance the high-water mark and forget the pass."""
        async with self.engine.database.write() as connection:
            await self._checkpoint(connection, done=True)
            if self.mode is Mode.FULL:
                await listing_store.forget_pass(connection, self.cursor.pass_id)
        self.completed = True

    async def _mark_needs_reauth(self, error: NeedsReauthError) -> None:
        async with self.engine.database.write() as connection:
            await shop_store.set_auth_state(
                connection, self.shop.id, AuthState.NEEDS_REAUTH, str(error), self._now()
            )
        log.error("shop.needs_reauth", reason=str(error))

    def _cursors(self) -> tuple[dict[str, object] | None, dict[str, object] | None]:
        """The pass cursor before and after the run, for the run's record."""
        after: dict[str, object] = {"pass": None if self.completed else self.cursor.as_json()}
        before = self.saved.slot(self.mode)
        return {"pass": before.as_json() if before else None}, after

    async def _finish(self, state: RunState, error: BaseException | None) -> RunOutcome:
        before, after = self._cursors()
        async with self.engine.database.write() as connection:
            await run_store.finish_run(
                connection,
                self.run_id,
                state=state,
                counts=self.counts,
                now=self._now(),
                issues=self.issues,
                error=error,
                cursor_before=before,
                cursor_after=after,
            )
        # A run cut short by shutdown is cancelled (and queued again), not a failure.
        event = (
            "pull.finished"
            if error is None
            else "pull.cancelled"
            if state is RunState.CANCELLED
            else "pull.failed"
        )
        log.info(
            event, state=state.value, error=str(error) if error else None, **self.counts.as_dict()
        )
        return RunOutcome(
            run_id=self.run_id,
            state=state,
            counts=self.counts,
            error=str(error) if error else "",
            issues=self.issues,
        )


def _seen_keys(page: Page) -> list[ListingKey]:
    """What a page proves exists; a quarantined item exists too, whatever its variants."""
    keys = [listing.key for listing in page.listings]
    keys += [
        ListingKey(q.external_item_id, listing_store.QUARANTINED_VARIANT) for q in page.quarantined
    ]
    return keys
