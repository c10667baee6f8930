"""What a verified webhook does: record it once, and queue a pull of the shop it names.

The HTTP layer (``/webhooks/{marketplace}``) verifies the signature, parses the body with the
adapter's ``parse_webhook`` and calls ``accept_webhook``; it answers at once, the pull runs
through the queue like every other run (collapsing with a pull already queued).
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from syncer.adapter.webhooks import WebhookEvent
from syncer.domain import RunKind, RunTrigger
from syncer.runtime import Runtime
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


async def accept_webhook(runtime: Runtime, event: WebhookEvent) -> WebhookOutcome:
    """Record ``event`` durably (de-duplicated) and queue a pull of its items' shop.

    The pull is the shop's incremental pull (the marketplace's update-time filter finds the
    items the event names); the event keeps the item ids for the record.
    """
    now = runtime.clock.now()
    async with runtime.database.write() as connection:
        shop_id = await event_store.shop_for(connection, event.marketplace, event.shop_external_id)
        recorded = await event_store.record_event(connection, event, shop_id=shop_id, now=now)
        run_id = recorded.run_id
        if not recorded.duplicate and shop_id is not None:
            enqueued = await queue_store.enqueue_run(
                connection,
                shop_id=shop_id,
                kind=RunKind.PULL_INCREMENTAL,
                trigger=RunTrigger.WEBHOOK,
                requested_by=f"webhook:{event.marketplace}:{event.kind}",
                now=now,
            )
            run_id = enqueued.run_id
            await event_store.link_run(connection, recorded.id, run_id)
    log.info(
        "webhook.accepted",
        marketplace=event.marketplace,
        kind=event.kind,
        shop_id=shop_id,
        duplicate=recorded.duplicate,
        run_id=run_id,
        items=len(event.external_item_ids),
    )
    return WebhookOutcome(
        event_id=recorded.id, duplicate=recorded.duplicate, shop_id=shop_id, run_id=run_id
    )
