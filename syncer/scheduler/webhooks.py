"""What a verified webhook does: record it once, and queue a pull of the items it names.

The HTTP layer (``/webhooks/{marketplace}``) verifies the signature, parses the body with the
adapter's ``parse_webhook`` and calls ``accept_webhook``; it answers at once, the pull runs
through the queue like every other run. An event naming items queues an *items pull*
(``pull_items``) that fetches just those items; the event stays pending until that pull stores
them, so pushes arriving while one is queued collapse into it and it reads all their items.
An event naming no item (or for a feed, which cannot read single items cheaply) queues the
shop's incremental pull instead, as the marketplace's update-time filter finds the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import structlog

from syncer.adapter.registry import load_adapter
from syncer.adapter.webhooks import WebhookEvent
from syncer.domain import RunKind, RunTrigger
from syncer.runtime import Runtime
from syncer.store import Connection
from syncer.store import queue as queue_store
from syncer.store import webhook_events as event_store

log = structlog.get_logger("syncer.webhooks")


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookOutcome:
    event_id: int
    duplicate: bool
    """A redelivery: nothing was queued again."""
    shop_id: int | None
    """None: no connected shop matches (kept for the record, nothing queued)."""
    run_id: int | None
    """The queued (or joined) pull that reads the event's items."""
    kind: RunKind | None = None
    """``pull_items`` (only the named items) or ``pull_incremental``; None when nothing was
    queued."""


def pull_kind(event: WebhookEvent) -> RunKind:
    """Which pull reads what ``event`` says changed."""
    if not event.external_item_ids or load_adapter(event.marketplace).feed_only:
        return RunKind.PULL_INCREMENTAL
    return RunKind.PULL_ITEMS


async def accept_webhook(runtime: Runtime, event: WebhookEvent) -> WebhookOutcome:
    """Record ``event`` durably (de-duplicated) and queue the pull that reads its items."""
    now = runtime.clock.now()
    kind = pull_kind(event)
    async with runtime.database.write() as connection:
        shop_id = await event_store.shop_for(connection, event.marketplace, event.shop_external_id)
        targeted = shop_id is not None and kind is RunKind.PULL_ITEMS
        recorded = await event_store.record_event(
            connection, event, shop_id=shop_id, now=now, pending=targeted
        )
        run_id = recorded.run_id
        queued = not recorded.duplicate and shop_id is not None
        if queued:
            assert shop_id is not None  # narrowed above
            run_id = await queue_pull(
                connection,
                shop_id,
                kind,
                requested_by=f"webhook:{event.marketplace}:{event.kind}",
                now=now,
            )
            await event_store.link_run(connection, recorded.id, run_id)
    log.info(
        "webhook.accepted",
        marketplace=event.marketplace,
        kind=event.kind,
        shop_id=shop_id,
        duplicate=recorded.duplicate,
        run_id=run_id,
        run_kind=kind.value if queued else None,
        items=len(event.external_item_ids),
    )
    return WebhookOutcome(
        event_id=recorded.id,
        duplicate=recorded.duplicate,
        shop_id=shop_id,
        run_id=run_id,
        kind=kind if queued else None,
    )


async def queue_pull(
    connection: Connection, shop_id: int, kind: RunKind, *, requested_by: str, now: datetime
) -> int:
    """Queue (or join) the shop's pull of ``kind``; the run it names has not started yet.

    Joining an items pull that a worker claims at this very moment would leave the event
    behind a run that never reads it, so the join is confirmed under the run's row lock and
    a run is queued anew when the joined one has started.
    """

    async def enqueue() -> int:
        enqueued = await queue_store.enqueue_run(
            connection,
            shop_id=shop_id,
            kind=kind,
            trigger=RunTrigger.WEBHOOK,
            requested_by=requested_by,
            now=now,
        )
        return enqueued.run_id

    run_id = await enqueue()
    if kind is not RunKind.PULL_ITEMS or await event_store.still_queued(connection, run_id):
        return run_id
    return await enqueue()
