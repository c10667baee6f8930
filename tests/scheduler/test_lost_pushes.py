"""Shopee's missed-push recovery: pushes the sandbox could not deliver are read back on
schedule (``get_lost_push_message``), accepted once (de-duplicated against pushes that did
arrive), then confirmed; a second turn finds nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket

import httpx

from syncer.domain import RunKind
from syncer.scheduler.daemon import Daemon
from syncer.scheduler.lost_webhooks import webhook_upkeep
from syncer.store import queue as queue_store
from syncer.store import webhook_events as event_store
from tests.engine.shopee_rig import ShopeeRig, shopee_rig
from tests.scheduler.test_daemon import runs_of
from tests.web.conftest import served

__all__ = ["shopee_rig"]


def closed_port_url() -> str:
    """A loopback URL nothing listens on: the webhook target is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/webhooks/shopee"


async def push_state(rig: ShopeeRig) -> dict[str, object]:
    response = await rig.control.get("/_sandbox/push")
    response.raise_for_status()
    result: dict[str, object] = response.json()
    return result


async def recorded(rig: ShopeeRig) -> list[dict[str, object]]:
    async with rig.runtime.database.read() as connection:
        return list(reversed(await event_store.recent_events(connection)))


def item_ids(rig: ShopeeRig, count: int) -> list[int]:
    ids = sorted({int(row.key.external_item_id) for row in rig.sandbox.expected_listings()})
    return ids[:count]


async def test_lost_pushes_are_recovered_once_and_confirmed(shopee_rig: ShopeeRig) -> None:
    rig = shopee_rig
    items = item_ids(rig, 2)
    await rig.control_post("push/config", {"callback_url": closed_port_url()})
    sent = [await rig.control_post("push/send", {"code": 22, "item_id": i}) for i in items]
    assert [(d["status"], d["lost"]) for d in sent] == [(0, True), (0, True)]
    assert await recorded(rig) == []

    first = await webhook_upkeep(rig.runtime)
    again = await webhook_upkeep(rig.runtime)

    assert (first.apps, first.fetched, first.accepted) == (1, 2, 2)
    assert (again.fetched, again.accepted) == (0, 0)  # confirmed: Shopee returns them no more
    assert (await push_state(rig))["unconfirmed"] == 0
    events = await recorded(rig)
    assert sorted(json.loads(str(e["item_ids"]))[0] for e in events) == sorted(map(str, items))
    (run,) = [r for r in await runs_of(rig) if r["trigger"] == "webhook"]
    assert (run["kind"], run["state"], run["triggers"]) == (RunKind.PULL_ITEMS.value, "queued", 2)
    stats = await rig.stats()
    requests = stats["requests"]
    assert isinstance(requests, dict)
    assert requests["/api/v2/push/get_lost_push_message"] == 2
    assert requests["/api/v2/push/confirm_consumed_lost_push_message"] == 1  # nothing 2nd time


async def test_a_lost_push_that_arrived_after_all_is_accepted_once(shopee_rig: ShopeeRig) -> None:
    """Shopee's retry got through, and the push is also on the lost list (its data string
    orders keys differently): one event, one trigger."""
    rig, key = shopee_rig, str(shopee_rig.sandbox.credentials()["partner_key"])
    (item,) = item_ids(rig, 1)
    await rig.control_post("push/config", {"callback_url": closed_port_url()})
    await rig.control_post("push/send", {"code": 22, "item_id": item})
    lost = rig.sandbox.push.lost[0]
    retried = json.loads(lost.data)
    body = json.dumps(
        {k: retried[k] for k in ("shop_id", "code", "timestamp", "data")}, separators=(",", ":")
    ).encode()
    async with served(rig.runtime) as base:
        url = f"{base}/webhooks/shopee"
        digest = hmac.new(key.encode(), url.encode() + b"|" + body, hashlib.sha256).hexdigest()
        async with httpx.AsyncClient() as client:
            answer = await client.post(url, content=body, headers={"Authorization": digest})
    assert (answer.status_code, answer.content) == (200, b"")

    report = await webhook_upkeep(rig.runtime)

    assert (report.fetched, report.accepted) == (1, 0)
    assert len(await recorded(rig)) == 1
    (run,) = [r for r in await runs_of(rig) if r["trigger"] == "webhook"]
    assert run["triggers"] == 1
    assert (await push_state(rig))["unconfirmed"] == 0


async def test_the_daemon_schedules_the_recovery(shopee_rig: ShopeeRig) -> None:
    """The scheduler-role daemon adds the job when a marketplace keeps lost pushes."""
    daemon = Daemon(shopee_rig.runtime, cluster=False, role="scheduler")
    daemon._add_upkeep_jobs()
    job = daemon.scheduler.get_job("webhook_upkeep")
    assert job is not None
    minutes = shopee_rig.runtime.settings.web.lost_push_check_minutes
    assert job.trigger.interval.total_seconds() == minutes * 60


async def test_events_left_pending_get_their_items_pull_queued_again(
    shopee_rig: ShopeeRig,
) -> None:
    """An items pull that was cancelled leaves its events pending; the upkeep requeues it."""
    rig, runtime = shopee_rig, shopee_rig.runtime
    (item,) = item_ids(rig, 1)
    await rig.control_post("push/config", {"callback_url": closed_port_url()})
    await rig.control_post("push/send", {"code": 22, "item_id": item})
    await webhook_upkeep(runtime)
    async with runtime.database.write() as connection:
        await queue_store.cancel_queued(
            connection, rig.shop.id, reason="test: shut down", now=runtime.clock.now()
        )
    await rig.advance_clocks(600)
    report = await webhook_upkeep(runtime)
    assert report.requeued == [rig.shop.id]
    queued = [r for r in await runs_of(rig) if r["state"] == "queued"]
    assert [(r["kind"], r["requested_by"]) for r in queued] == [("pull_items", "webhook:pending")]
