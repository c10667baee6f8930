"""Pull runs: stream pages from an adapter into the store, one transaction per page.

Each page's listings, the run's counters and the new cursor are written together, so a crash
re-reads at most one page and the cursor is never ahead of the stored data. Only a complete
full pass may mark listings ``deleted``, and only after reading the missing items once more.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from syncer.adapter import Adapter, Page, PullWindow
from syncer.domain import (
    AuthState,
    Clock,
    ListingKey,
    RunCounts,
    RunKind,
    RunState,
    RunTrigger,
)
from syncer.engine.adapters import AdapterFactory
from syncer.errors import NeedsReauthError, SyncerError
from syncer.settings import Settings
from syncer.store import Database
from syncer.store import listings as listing_store
from syncer.store import runs as run_store
from syncer.store import shops as shop_store
from syncer.store.runs import Lease
from syncer.store.shops import ShopRecord

log = structlog.get_logger("syncer.engine")
ProgressCallback = Callable[[RunCounts, tuple[int, int] | None], None]
RECONCILE_BATCH = 200
GONE_REASON = "No longer on the marketplace (absent from a full reconcile)"


@dataclass(slots=True)
class PassCursor:
    """Where an unfinished pass stands; saved with every page."""

    pass_id: str
    mode: str  # "full" or "incremental"
    since: datetime | None
    until: datetime
    token: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "pass_id": self.pass_id,
            "mode": self.mode,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat(),
            "token": self.token,
        }

    @classmethod
    def from_json(cls, data: object) -> PassCursor | None:
        if not isinstance(data, dict) or not data.get("pass_id"):
            return None
        since = data.get("since")
        return cls(
            pass_id=str(data["pass_id"]),
            mode=str(data["mode"]),
            since=datetime.fromisoformat(since) if isinstance(since, str) else None,
            until=datetime.fromisoformat(str(data["until"])),
            token=data.get("token") if isinstance(data.get("token"), str) else None,
        )


@dataclass(slots=True, kw_only=True)
class RunOutcome:
    run_id: int
    state: RunState
    counts: RunCounts
    error: str = ""
    issues: list[dict[str, str]] = field(default_factory=list)


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
    ) -> RunOutcome:
        """Pull one shop now; raises ``RunConflictError`` if one is already running."""
        async with self.database.read() as connection:
            state = await run_store.load_state(connection, shop.id)
        kind = (
            RunKind.PULL_FULL if full or state.high_water_at is None else RunKind.PULL_INCREMENTAL
        )
        async with self.database.write() as connection:
            run_id = await run_store.start_run(
                connection,
                shop_id=shop.id,
                kind=kind,
                trigger=trigger,
                requested_by=requested_by,
                worker=self.worker,
                now=self.clock.now(),
            )
        with structlog.contextvars.bound_contextvars(
            run_id=run_id, shop=shop.name, shop_id=shop.id, marketplace=shop.marketplace
        ):
            run = _PullRun(self, shop, run_id, kind, on_progress)
            return await run.execute(state.cursor, state.high_water_at)


class _PullRun:
    """One run's state while it executes; keeps ``PullEngine.run`` short."""

    def __init__(
        self,
        engine: PullEngine,
        shop: ShopRecord,
        run_id: int,
        kind: RunKind,
        on_progress: ProgressCallback | None,
    ) -> None:
        self.engine = engine
        self.shop = shop
        self.run_id = run_id
        self.kind = kind
        self.on_progress = on_progress
        self.counts = RunCounts()
        self.issues: list[dict[str, str]] = []
        self.completed = False
        self.lease_seconds = engine.settings.daemon.lease_seconds

    def _now(self) -> datetime:
        return self.engine.clock.now()

    def _lease_until(self) -> datetime:
        return self._now() + timedelta(seconds=self.lease_seconds)

    def _plan(self, saved: dict[str, object], high_water: datetime | None) -> PassCursor:
        """Resume an unfinished pass that covers what was asked, else start a new one."""
        unfinished = PassCursor.from_json(saved.get("pass"))
        wants_full = self.kind is RunKind.PULL_FULL
        if unfinished and (unfinished.mode == "full" or not wants_full):
            return unfinished
        now = self._now()
        if wants_full or high_water is None:
            return PassCursor(pass_id=uuid.uuid4().hex, mode="full", since=None, until=now)
        overlap = timedelta(seconds=self.engine.settings.pull.overlap_seconds)
        return PassCursor(
            pass_id=uuid.uuid4().hex, mode="incremental", since=high_water - overlap, until=now
        )

    async def execute(self, saved: object, high_water: datetime | None) -> RunOutcome:
        saved_cursor = saved if isinstance(saved, dict) else {}
        cursor = self._plan(saved_cursor, high_water)
        log.info(
            "pull.started",
            kind=self.kind.value,
            mode=cursor.mode,
            resumed=cursor.token is not None,
            since=str(cursor.since),
        )
        adapter = self.engine.adapters.create(self.shop)
        lease: Lease | None = None
        try:
            async with self.engine.database.write() as connection:
                lease = await run_store.acquire_lease(
                    connection,
                    self.shop.id,
                    owner=self.engine.worker,
                    now=self._now(),
                    until=self._lease_until(),
                )
            await self._stream(adapter, lease, cursor)
            if cursor.mode == "full":
                await self._reconcile(adapter, lease, cursor)
            await self._complete(lease, cursor)
        except NeedsReauthError as exc:
            await self._mark_needs_reauth(exc)
            return await self._finish(RunState.FAILED, exc, saved_cursor, cursor)
        except SyncerError as exc:
            return await self._finish(RunState.FAILED, exc, saved_cursor, cursor)
        except BaseException as exc:
            await self._finish(
                RunState.CANCELLED if _cancelled(exc) else RunState.FAILED,
                exc,
                saved_cursor,
                cursor,
            )
            raise
        finally:
            await adapter.aclose()
            if lease is not None:
                async with self.engine.database.write() as connection:
                    await run_store.release_lease(connection, lease)
        state = RunState.PARTIAL if self.counts.quarantined else RunState.SUCCEEDED
        return await self._finish(state, None, saved_cursor, cursor)

    async def _stream(self, adapter: Adapter, lease: Lease, cursor: PassCursor) -> None:
        window = PullWindow(since=cursor.since, until=cursor.until, resume_token=cursor.token)
        async for page in adapter.pull(window):
            cursor.token = page.next_token
            await self._store_page(lease, cursor, page)
            if self.on_progress:
                self.on_progress(self.counts, page.progress)

    async def _store_page(self, lease: Lease, cursor: PassCursor, page: Page) -> None:
        """Listings, seen keys, counters and cursor in one transaction."""
        now = self._now()
        async with self.engine.database.write() as connection:
            outcome = await listing_store.upsert_listings(
                connection, self.shop.id, page.listings, now=now, run_id=self.run_id
            )
            if cursor.mode == "full":
                keys = [listing.key for listing in page.listings]
                keys += [
                    ListingKey(q.external_item_id, listing_store.QUARANTINED_VARIANT)
                    for q in page.quarantined
                ]
                await listing_store.record_seen(connection, self.shop.id, cursor.pass_id, keys)
            self._count(page, outcome)
            await run_store.record_progress(connection, self.run_id, self.counts, now)
            await run_store.checkpoint(
                connection,
                lease,
                cursor={"pass": cursor.as_json()},
                lease_until=self._lease_until(),
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

    async def _reconcile(self, adapter: Adapter, lease: Lease, cursor: PassCursor) -> None:
        """Read once more every stored item the pass did not see; what is gone is deleted."""
        after = ""
        while True:
            async with self.engine.database.read() as connection:
                item_ids = await listing_store.unseen_item_ids(
                    connection, self.shop.id, cursor.pass_id, after=after, limit=RECONCILE_BATCH
                )
            if not item_ids:
                return
            after = item_ids[-1]
            page = await adapter.fetch_items(item_ids)
            await self._store_page(lease, cursor, page)
            async with self.engine.database.write() as connection:
                gone = await listing_store.unseen_keys(
                    connection, self.shop.id, cursor.pass_id, item_ids
                )
                self.counts.deleted += await listing_store.mark_deleted(
                    connection,
                    self.shop.id,
                    gone,
                    reason=GONE_REASON,
                    now=self._now(),
                    run_id=self.run_id,
                )
            log.info("pull.reconciled_batch", checked=len(item_ids), deleted=len(gone))

    async def _complete(self, lease: Lease, cursor: PassCursor) -> None:
        """The pass is whole: advance the high-water mark and forget the pass."""
        async with self.engine.database.write() as connection:
            await run_store.checkpoint(
                connection,
                lease,
                cursor={"pass": None},
                lease_until=self._lease_until(),
                high_water_at=cursor.until,
                last_full_at=cursor.until if cursor.mode == "full" else None,
            )
            if cursor.mode == "full":
                await listing_store.forget_pass(connection, cursor.pass_id)
        self.completed = True

    async def _mark_needs_reauth(self, error: NeedsReauthError) -> None:
        async with self.engine.database.write() as connection:
            await shop_store.set_auth_state(
                connection, self.shop.id, AuthState.NEEDS_REAUTH, str(error), self._now()
            )
        log.error("shop.needs_reauth", reason=str(error))

    async def _finish(
        self,
        state: RunState,
        error: BaseException | None,
        before: dict[str, object],
        cursor: PassCursor,
    ) -> RunOutcome:
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
                cursor_after=self._cursor_after(cursor),
            )
        event = "pull.finished" if error is None else "pull.failed"
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

    def _cursor_after(self, cursor: PassCursor) -> dict[str, object]:
        if self.completed:
            return {"pass": None, "high_water_at": cursor.until.isoformat()}
        return {"pass": cursor.as_json()}


def _cancelled(error: BaseException) -> bool:
    return isinstance(error, asyncio.CancelledError | KeyboardInterrupt)
