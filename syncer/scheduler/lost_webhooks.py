"""Webhook upkeep on a schedule: notifications a marketplace failed to deliver, read back, and
items pulls that did not finish, queued again.

For every marketplace whose adapter keeps undelivered notifications (``Adapter
.recovers_lost_webhooks``, e.g. Shopee's ``get_lost_push_message``), once per app (one enabled
shop per distinct set of app keys asks), batches are fetched, every event goes through
``accept_webhook`` as if it had just arrived (de-duplication makes a push that did arrive
harmless), and only then is the batch confirmed: a crash in between means a redelivery, never a
loss. One scheduler at a time does this (a deployment-wide lock).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import structlog

from syncer.adapter import Adapter
from syncer.adapter.registry import available_adapters, load_adapter
from syncer.domain import AuthState, RunKind
from syncer.errors import ConfigError, SyncerError
from syncer.runtime import Runtime
from syncer.scheduler.webhooks import accept_webhook, queue_pull
from syncer.store import locks
from syncer.store import shops as shop_store
from syncer.store import webhook_events as event_store
from syncer.store.shops import ShopRecord

log = structlog.get_logger("syncer.webhooks")
LOCK = "webhook-upkeep"
MAX_BATCHES = 50
"""Batches read per app and turn (Shopee's are 100 each); the rest wait for the next turn."""
PENDING_GRACE = timedelta(minutes=2)
"""Events pending longer than this have lost their items pull (failed, cancelled)."""


@dataclass(slots=True)
class UpkeepReport:
    apps: int = 0
    fetched: int = 0
    accepted: int = 0
    """Events not seen before (the rest were delivered after all, or fetched twice)."""
    requeued: list[int] = field(default_factory=list)
    """Shops whose items pull was queued again for events left pending."""


def recovering_marketplaces() -> list[type[Adapter]]:
    adapters = [load_adapter(name) for name in available_adapters()]
    return [adapter for adapter in adapters if adapter.recovers_lost_webhooks]


async def webhook_upkeep(runtime: Runtime) -> UpkeepReport:
    """One turn: recover lost notifications of every app, requeue pending items pulls."""
    report = UpkeepReport()
    try:
        async with locks.exclusive(
            runtime.database, LOCK, owner=runtime.worker, clock=runtime.clock, wait_s=1.0
        ):
            try:
                for adapter in recovering_marketplaces():
                    for shop in await _one_shop_per_app(runtime, adapter):
                        await _recover_app(runtime, shop, report)
            except Exception:  # logged with its traceback; the requeue below must still run
                log.exception("webhook.recovery_crashed")
            await _requeue_pending(runtime, report)
    except locks.LockTimeoutError:
        log.info("webhook.upkeep_skipped", reason="another scheduler is doing it")
        return report
    if report.fetched or report.requeued:
        log.info(
            "webhook.upkeep_done",
            apps=report.apps,
            fetched=report.fetched,
            accepted=report.accepted,
            requeued=report.requeued,
        )
    return report


async def _one_shop_per_app(runtime: Runtime, adapter: type[Adapter]) -> list[ShopRecord]:
    """An enabled, authorized shop of each distinct app (its keys ask for the app's list)."""
    async with runtime.database.read() as connection:
        shops = await shop_store.list_shops(connection, enabled_only=True)
    chosen: dict[tuple[str, ...], ShopRecord] = {}
    for shop in shops:
        if shop.marketplace != adapter.name or shop.auth_state is AuthState.NEEDS_REAUTH:
            continue
        try:
            secrets = runtime.cipher.decrypt(shop.credentials)
        except ConfigError as exc:  # one unreadable shop must not stop the others' recovery
            log.warning("webhook.credentials_unreadable", shop_id=shop.id, error=str(exc))
            continue
        app = tuple(secrets.get(key, "") for key in adapter.app_credential_keys)
        if all(app):
            chosen.setdefault(app, shop)
    return list(chosen.values())


async def _recover_app(runtime: Runtime, shop: ShopRecord, report: UpkeepReport) -> None:
    report.apps += 1
    adapter = runtime.adapters.create(shop)
    try:
        for _ in range(MAX_BATCHES):
            batch = await adapter.lost_webhooks()
            report.fetched += len(batch.events)
            for event in batch.events:
                outcome = await accept_webhook(runtime, event)
                report.accepted += not outcome.duplicate
            await batch.confirm()
            if not batch.more:
                break
    except SyncerError as exc:  # the marketplace is down or refused: the next turn retries
        log.warning(
            "webhook.recovery_failed", marketplace=shop.marketplace, shop_id=shop.id, error=str(exc)
        )
    finally:
        await adapter.aclose()


async def _requeue_pending(runtime: Runtime, report: UpkeepReport) -> None:
    now = runtime.clock.now()
    async with runtime.database.write() as connection:
        runnable = {
            shop.id
            for shop in await shop_store.list_shops(connection, enabled_only=True)
            if shop.auth_state is not AuthState.NEEDS_REAUTH
        }  # the others' events wait until the shop can run again
        pending = await event_store.shops_with_pending(
            connection, received_before=now - PENDING_GRACE
        )
        shops = [shop_id for shop_id in pending if shop_id in runnable]
        for shop_id in shops:
            await queue_pull(
                connection, shop_id, RunKind.PULL_ITEMS, requested_by="webhook:pending", now=now
            )
    report.requeued = shops
