"""Verified webhook events are recorded once and queue one pull of their shop."""

from __future__ import annotations

import asyncio

from syncer.adapter.webhooks import WebhookEvent
from syncer.scheduler.daemon import Daemon
from syncer.scheduler.webhooks import accept_webhook
from syncer.store import webhook_events as event_store
from tests.engine.shopee_rig import ShopeeRig, shopee_rig
from tests.scheduler.test_daemon import runs_of, started

__all__ = ["shopee_rig"]


def event(rig: ShopeeRig, event_id: str, shop: str | None = None) -> WebhookEvent:
    return WebhookEvent(
        marketplace="shopee",
        event_id=event_id,
        shop_external_id=shop or rig.shop.external_shop_id,
        kind="product_status",
        external_item_ids=("101", "102"),
        raw={"code": 8},
    )


async def test_an_event_is_recorded_once_and_queues_one_pull(shopee_rig: ShopeeRig) -> None:
    runtime = shopee_rig.runtime
    first = await accept_webhook(runtime, event(shopee_rig, "e1"))
    again = await accept_webhook(runtime, event(shopee_rig, "e1"))
    other = await accept_webhook(runtime, event(shopee_rig, "e2"))
    stranger = await accept_webhook(runtime, event(shopee_rig, "e3", shop="999"))
    async with runtime.database.read() as connection:
        stored = await event_store.recent_events(connection)
    runs = await runs_of(shopee_rig)
    assert (first.duplicate, again.duplicate) == (False, True)
    assert again.event_id == first.event_id
    assert first.run_id == again.run_id == other.run_id  # the second event joined the pull
    assert (stranger.shop_id, stranger.run_id) == (None, None)
    assert len(stored) == 3
    assert [(r["trigger"], r["state"], r["triggers"]) for r in runs] == [("webhook", "queued", 2)]
    assert {e["item_ids"] for e in stored} == {'["101", "102"]'}


async def test_the_daemon_runs_the_items_pull_a_webhook_queued(shopee_rig: ShopeeRig) -> None:
    """The pull reads the items the event names; the shop's other changes wait for theirs."""
    daemon, stop = Daemon(shopee_rig.runtime, cluster=False), asyncio.Event()
    task = await started(daemon, stop)
    await daemon.idle()
    changed = await shopee_rig.mutate(action="random", count=3, seed=11)
    items = [str(c["item_id"]) for c in changed["changes"]]  # type: ignore[attr-defined]
    sold = WebhookEvent(
        marketplace="shopee",
        event_id="sold-1",
        shop_external_id=shopee_rig.shop.external_shop_id,
        kind="inventory",
        external_item_ids=tuple(items[:2]),
    )
    outcome = await accept_webhook(shopee_rig.runtime, sold)
    await daemon.idle()
    stop.set()
    await task
    last = (await runs_of(shopee_rig))[-1]
    assert (last["id"], last["kind"], last["trigger"], last["state"]) == (
        outcome.run_id,
        "pull_items",
        "webhook",
        "succeeded",
    )
    stored, truth = await shopee_rig.stored(), await shopee_rig.truth()
    named = {key for key in truth if key[0] in items[:2]}
    assert {k: stored.get(k) for k in named} == {k: truth[k] for k in named}
    other = {key for key in truth if key[0] == items[2]}
    assert {k: stored.get(k) for k in other} != {k: truth[k] for k in other}
