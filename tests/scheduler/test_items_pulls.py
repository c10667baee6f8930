"""Webhook items pulls: the Shopee sandbox pushes over a real socket to the served app, and the
pull that follows fetches only the items the pushes named; pushes arriving while it is queued
collapse into it, and it reads all their items."""

from __future__ import annotations

import asyncio
import json

from syncer.adapter.webhooks import WebhookEvent
from syncer.domain import RunKind, RunTrigger
from syncer.engine.pull_items import ABSENT_REASON
from syncer.scheduler.daemon import Daemon
from syncer.scheduler.execute import Outcome, execute_next
from syncer.scheduler.webhooks import accept_webhook
from syncer.store import queue as queue_store
from syncer.store import runs as run_store
from syncer.store import webhook_events as event_store
from tests.engine.shopee_rig import ShopeeRig, shopee_rig
from tests.scheduler.test_daemon import runs_of, started
from tests.web.conftest import served

__all__ = ["shopee_rig"]


async def first_pull(rig: ShopeeRig) -> None:
    await rig.runtime.pull_engine.run(rig.shop, full=True)
    await rig.control_post("reset_stats", {})


def some_items(rig: ShopeeRig, count: int) -> list[str]:
    ids = sorted({row.key.external_item_id for row in rig.sandbox.expected_listings()})
    return ids[:count]


async def stored_of(rig: ShopeeRig, items: set[str]) -> dict[tuple[str, str], tuple[object, ...]]:
    return {key: row for key, row in (await rig.stored()).items() if key[0] in items}


async def truth_of(rig: ShopeeRig, items: set[str]) -> dict[tuple[str, str], tuple[object, ...]]:
    return {key: row for key, row in (await rig.truth()).items() if key[0] in items}


async def pending(rig: ShopeeRig) -> list[int]:
    async with rig.runtime.database.read() as connection:
        up_to = await event_store.last_pending_id(connection, rig.shop.id)
        if up_to is None:
            return []
        events = await event_store.pending_events(
            connection, rig.shop.id, up_to=up_to, after=0, limit=1000
        )
    return [event.id for event in events]


async def test_pushes_queue_one_items_pull_that_fetches_only_their_items(
    shopee_rig: ShopeeRig,
) -> None:
    """End to end over sockets: three signed pushes (two items, one of them twice with other
    content) while the pull is queued; one run reads both items and nothing else."""
    rig = shopee_rig
    await first_pull(rig)
    named, untouched = some_items(rig, 2), some_items(rig, 3)[2]
    for item in [*named, untouched]:
        await rig.mutate(action="set_price", item_id=int(item), price=123_400)
    async with served(rig.runtime) as base:
        await rig.control_post("push/config", {"callback_url": f"{base}/webhooks/shopee"})
        sent = [
            await rig.control_post("push/send", {"code": 22, "item_id": int(item)})
            for item in named
        ]
        sent.append(
            await rig.control_post(
                "push/send", {"code": 8, "item_id": int(named[0]), "data": {"action": "x"}}
            )
        )
    assert [(d["status"], d["lost"]) for d in sent] == [(200, False)] * 3
    (run,) = [r for r in await runs_of(rig) if r["trigger"] == "webhook"]
    assert (run["kind"], run["state"], run["triggers"]) == ("pull_items", "queued", 3)
    assert len(await pending(rig)) == 3

    daemon, stop = Daemon(rig.runtime, cluster=False), asyncio.Event()
    task = await started(daemon, stop)
    await daemon.idle()
    stop.set()
    await task

    stats = await rig.stats()
    assert sorted(stats["base_info_item_ids"]) == sorted(int(i) for i in named)  # type: ignore[arg-type]
    assert "/api/v2/product/get_item_list" not in stats["requests"]  # type: ignore[operator]
    assert await stored_of(rig, set(named)) == await truth_of(rig, set(named))
    assert await stored_of(rig, {untouched}) != await truth_of(rig, {untouched})
    (done,) = [r for r in await runs_of(rig) if r["id"] == run["id"]]
    assert (done["state"], done["fetched"]) == ("succeeded", len(await truth_of(rig, set(named))))
    assert await pending(rig) == []


async def test_an_event_arriving_after_the_run_started_gets_a_run_of_its_own(
    shopee_rig: ShopeeRig,
) -> None:
    """A trigger never joins an items pull that has already read its events."""
    rig, runtime = shopee_rig, shopee_rig.runtime
    items = some_items(rig, 2)

    def event(n: int) -> WebhookEvent:
        return WebhookEvent(
            marketplace="shopee",
            event_id=f"e{n}",
            shop_external_id=rig.shop.external_shop_id,
            kind="price",
            external_item_ids=(items[n],),
        )

    first = await accept_webhook(runtime, event(0))
    async with runtime.database.write() as connection:  # a worker claims the queued run
        lease = await run_store.acquire_lease(
            connection, rig.shop.id, owner="w#1", now=runtime.clock.now(), until=runtime.clock.now()
        )
        await run_store.start_run(
            connection,
            shop_id=rig.shop.id,
            kind=RunKind.PULL_ITEMS,
            trigger=RunTrigger.WEBHOOK,
            requested_by="",
            worker="w",
            now=runtime.clock.now(),
            queued_run_id=first.run_id,
        )
        await run_store.release_lease(connection, lease)
    second = await accept_webhook(runtime, event(1))
    assert first.run_id is not None
    assert second.run_id is not None
    assert second.run_id != first.run_id
    async with runtime.database.read() as connection:
        queued = await queue_store.queued_for(connection, rig.shop.id)
    assert queued is not None
    assert (queued.id, queued.kind) == (second.run_id, RunKind.PULL_ITEMS)


async def test_an_item_gone_is_left_to_the_reconcile_and_named_in_the_issues(
    shopee_rig: ShopeeRig,
) -> None:
    rig, runtime = shopee_rig, shopee_rig.runtime
    await first_pull(rig)
    (item,) = some_items(rig, 1)
    before = await stored_of(rig, {item})
    await rig.mutate(action="purge", item_id=int(item))
    event = WebhookEvent(
        marketplace="shopee",
        event_id="gone-1",
        shop_external_id=rig.shop.external_shop_id,
        kind="product_status",
        external_item_ids=(item,),
    )
    outcome = await accept_webhook(runtime, event)
    assert outcome.kind is RunKind.PULL_ITEMS
    assert await execute_next(runtime, rig.shop.id) is Outcome.RAN
    assert await stored_of(rig, {item}) == before  # not marked deleted
    (run,) = [r for r in await runs_of(rig) if r["id"] == outcome.run_id]
    assert run["state"] == "succeeded"
    assert json.loads(str(run["issues"])) == [{"item": item, "reason": ABSENT_REASON}]
    assert await pending(rig) == []


async def test_an_event_without_items_queues_the_incremental_pull(shopee_rig: ShopeeRig) -> None:
    event = WebhookEvent(
        marketplace="shopee",
        event_id="no-items",
        shop_external_id=shopee_rig.shop.external_shop_id,
        kind="product_status",
        external_item_ids=(),
    )
    outcome = await accept_webhook(shopee_rig.runtime, event)
    assert outcome.kind is RunKind.PULL_INCREMENTAL
    assert await pending(shopee_rig) == []
