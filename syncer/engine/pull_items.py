"""Items pulls: read just the items webhooks named, and store them as any pull would.

A webhook records its event as *pending* and queues the shop's ``pull_items`` run (one queued
at most: later pushes join it). The run takes the shop's lease like every pull, reads the
shop's pending events up to the newest one present when it started, fetches their items with
the adapter's ``fetch_items`` and, per batch, stores the listings (content hash, ListingEvents
with source ``webhook``), marks those events consumed and renews its fenced lease in one
transaction: a crash or a lost lease leaves them pending for the next run, never half-done.

An item the marketplace no longer returns is not marked deleted here: deletion is the daily
reconcile's verdict (DESIGN 4), which reads it again in a complete pass; the run lists it in
its issues so an operator sees why nothing was stored for it.
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog

from syncer.adapter import Adapter, Page
from syncer.domain import RunKind, RunTrigger
from syncer.engine.pull import PullEngine, PullRun, RunOutcome
from syncer.store import listings as listing_store
from syncer.store import runs as run_store
from syncer.store import webhook_events as event_store
from syncer.store.shops import ShopRecord

log = structlog.get_logger("syncer.engine")
EVENTS_BATCH = 100
"""Pending events read per batch; their distinct items are fetched and stored together."""
ABSENT_REASON = (
    "named by a webhook but not returned by the marketplace; the daily reconcile decides "
    "whether it is gone"
)


async def pull_items(
    engine: PullEngine,
    shop: ShopRecord,
    *,
    trigger: RunTrigger = RunTrigger.WEBHOOK,
    requested_by: str = "",
    run_id: int | None = None,
) -> RunOutcome:
    """Read the items of the shop's pending webhook events; ``RunConflictError`` if another
    pull of the shop holds its lease."""
    start = await engine.start(
        shop,
        full=False,
        trigger=trigger,
        requested_by=requested_by,
        queued_run_id=run_id,
        kind=RunKind.PULL_ITEMS,
    )
    with structlog.contextvars.bound_contextvars(
        run_id=start.run_id, shop=shop.name, shop_id=shop.id, marketplace=shop.marketplace
    ):
        return await ItemsRun(engine, shop, start, None).execute()


class ItemsRun(PullRun):
    """A pull run whose work is the pending events' items; the shop's cursor stays as it is."""

    def _log_started(self) -> None:
        log.info("pull.items_started")

    def _cursors(self) -> tuple[dict[str, object] | None, dict[str, object] | None]:
        return None, None  # an items pull neither reads nor moves the pass cursor

    async def _work(self, adapter: Adapter) -> None:
        async with self.engine.database.read() as connection:
            up_to = await event_store.last_pending_id(connection, self.shop.id)
        after = 0
        while up_to is not None:
            async with self.engine.database.read() as connection:
                events = await event_store.pending_events(
                    connection, self.shop.id, up_to=up_to, after=after, limit=EVENTS_BATCH
                )
            if not events:
                break
            item_ids = list(dict.fromkeys(i for event in events for i in event.item_ids))
            page = await adapter.fetch_items(item_ids) if item_ids else Page(listings=())
            await self._store_items(page, item_ids, [event.id for event in events])
            after = events[-1].id
        self.completed = True

    async def _store_items(self, page: Page, asked: Sequence[str], event_ids: list[int]) -> None:
        """Listings, consumed events, counters and the lease renewal in one fenced transaction."""
        now = self._now()
        async with self.engine.database.write() as connection:
            outcome = await listing_store.upsert_listings(
                connection,
                self.shop.id,
                page.listings,
                now=now,
                run_id=self.run_id,
                source="webhook",
            )
            await event_store.mark_consumed(connection, event_ids, run_id=self.run_id, now=now)
            self._count(page, outcome)
            self._note_absent(page, asked)
            await run_store.record_progress(connection, self.run_id, self.counts, now)
            # The cursor is written back unchanged: the write only proves the lease is still
            # ours (a zombie's batch is refused and rolled back, its events stay pending).
            await run_store.checkpoint(
                connection,
                self.lease,
                cursor=self.state.cursor,
                lease_until=self._lease_until(),
            )
        log.info(
            "pull.items_stored",
            events=len(event_ids),
            items=len(asked),
            listings=len(page.listings),
            created=outcome.created,
            updated=outcome.updated,
        )

    def _note_absent(self, page: Page, asked: Sequence[str]) -> None:
        returned = {listing.key.external_item_id for listing in page.listings}
        returned |= {item.external_item_id for item in page.quarantined}
        for item_id in asked:
            if item_id not in returned and len(self.issues) < run_store.MAX_ISSUES_KEPT:
                self.issues.append({"item": item_id, "reason": ABSENT_REASON})
