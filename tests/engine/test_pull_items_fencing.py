"""Epoch fencing for webhook items pulls: a zombie ``pull_items`` run whose lease passed to
another worker while it was fetching has its batch refused, its events stay pending, and the
run that took the shop over reads them instead."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from syncer.adapter.webhooks import WebhookEvent
from syncer.domain import RunKind, RunState, RunTrigger
from syncer.engine.pull_items import ItemsRun, pull_items
from syncer.runtime import Runtime
from syncer.scheduler.webhooks import accept_webhook
from syncer.store import webhook_events as event_store
from syncer.store.queries import get_run
from tests.engine.shopee_rig import OffsetClock, ShopeeRig, shopee_rig
from tests.scheduler.test_daemon import with_daemon
from tests.scheduler.test_items_pulls import first_pull, pending, some_items, stored_of, truth_of

__all__ = ["shopee_rig"]

LEASE_S = 30  # the shortest lease the settings allow: the takeover's clock runs just past it
LATENCY_MS = 1500  # each sandbox answer: the zombie is still fetching when its lease moves on
REFUSED = "no longer current; write refused"


def later_worker(rig: ShopeeRig) -> Runtime:
    """Another worker (own engine) whose clock reads past the zombie's lease, as a worker's
    does once that lease has run out; well inside the marketplace's 5-minute signature window."""
    clock = OffsetClock()
    clock.offset = rig.clock.offset + LEASE_S + 1
    zombie = with_daemon(rig, lease_seconds=LEASE_S)
    return Runtime.from_settings(zombie.settings, clock)


async def fetching(rig: ShopeeRig, run_id: int) -> None:
    """Wait until the run is ``running`` and a request of it is in flight at the sandbox."""
    for _ in range(500):
        async with rig.runtime.database.read() as connection:
            run = await get_run(connection, run_id)
        stats = await rig.stats()
        if run is not None and run["state"] == "running" and int(str(stats["in_flight"])) > 0:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"run {run_id} never started fetching")


async def webhook_events(rig: ShopeeRig, items: list[str]) -> int:
    """Two pushes naming ``items``; returns the items pull they queued."""
    run_ids = set()
    for n, item in enumerate(items):
        event = WebhookEvent(
            marketplace="shopee",
            event_id=f"fence-{n}",
            shop_external_id=rig.shop.external_shop_id,
            kind="price",
            external_item_ids=(item,),
        )
        outcome = await accept_webhook(rig.runtime, event)
        assert outcome.kind is RunKind.PULL_ITEMS
        run_ids.add(outcome.run_id)
    (run_id,) = run_ids  # the second push joined the queued run
    assert run_id is not None
    return run_id


async def consumed_by(rig: ShopeeRig, run_id: int) -> int:
    """Webhook events the run marked consumed."""
    async with rig.runtime.database.read() as connection:
        events = await event_store.recent_events(connection, limit=100)
    return sum(1 for e in events if e["run_id"] == run_id and e["consumed_at"] is not None)


async def changes_by(rig: ShopeeRig, run_id: int) -> list[tuple[str, str]]:
    """The listing changes (ListingEvents) the run recorded: (field, source)."""
    query = "SELECT field, source FROM listing_event WHERE run_id = :run"
    async with rig.runtime.database.read() as connection:
        rows = await connection.execute(sa.text(query), {"run": run_id})
        return sorted((str(field), str(source)) for field, source in rows)


async def test_a_zombie_items_pull_cannot_store_after_its_lease_passed_on(
    shopee_rig: ShopeeRig,
) -> None:
    rig = shopee_rig
    await first_pull(rig)
    items = some_items(rig, 2)
    for item in items:
        await rig.mutate(action="set_price", item_id=int(item), price=777_700)
    before = await stored_of(rig, set(items))
    assert before != await truth_of(rig, set(items))  # the store is behind: a pull would show
    queued = await webhook_events(rig, items)
    waiting = await pending(rig)
    assert len(waiting) == 2

    zombie_runtime = with_daemon(rig, lease_seconds=LEASE_S)
    takeover_runtime = later_worker(rig)
    try:
        await rig.control_post("faults", {"latency_ms": LATENCY_MS})
        zombie = asyncio.create_task(
            pull_items(zombie_runtime.pull_engine, rig.shop, run_id=queued)
        )
        await fetching(rig, queued)
        # Another worker takes the shop over, as it does once the zombie's lease has run out:
        # a new lease (the epoch moves on), the zombie's run failed as interrupted.
        takeover = await takeover_runtime.pull_engine.start(
            rig.shop,
            full=False,
            trigger=RunTrigger.WEBHOOK,
            requested_by="webhook:pending",
            queued_run_id=None,
            kind=RunKind.PULL_ITEMS,
        )
        async with rig.runtime.database.read() as connection:
            superseded = await get_run(connection, queued)
        outcome = await zombie

        assert outcome.state is RunState.FAILED
        assert REFUSED in outcome.error
        assert await pending(rig) == waiting  # nothing consumed
        assert await stored_of(rig, set(items)) == before  # its listings never landed
        async with rig.runtime.database.read() as connection:
            zombie_run = await get_run(connection, queued)
        assert superseded is not None
        assert zombie_run is not None
        assert (zombie_run["state"], zombie_run["error_class"]) == ("failed", "Interrupted")
        assert zombie_run == superseded  # its counts and verdict never landed either
        assert await consumed_by(rig, queued) == 0
        assert await changes_by(rig, queued) == []

        await rig.control_post("faults", {"reset": True})
        taken = await ItemsRun(takeover_runtime.pull_engine, rig.shop, takeover, None).execute()
        assert taken.state is RunState.SUCCEEDED
        assert await pending(rig) == []
        assert await stored_of(rig, set(items)) == await truth_of(rig, set(items))
        assert await consumed_by(rig, takeover.run_id) == 2  # read by the new owner
        assert await changes_by(rig, takeover.run_id) == [("price", "webhook")] * 2
    finally:
        await zombie_runtime.close()
        await takeover_runtime.close()
