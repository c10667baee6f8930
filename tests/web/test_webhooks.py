"""``POST /webhooks/{marketplace}``: signed pushes are recorded once and queue one pull of their
shop; forgeries answer 401 and change nothing. Real store, shops connected through the
marketplaces' sandboxes, and (Blibli) the sandbox itself sending to the served app."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from adapters.blibli import signing as blibli_signing
from adapters.tiktok.signing import webhook_signature
from syncer.runtime import Runtime
from syncer.store import webhook_events as event_store
from syncer.store.queries import recent_runs
from syncer.web import create_app
from tests.adapters.blibli.rig import BlibliRig, blibli_rig, rig_options
from tests.adapters.tiktok.rig import TikTokRig, tiktok_rig
from tests.engine.shopee_rig import ShopeeRig, shopee_rig
from tests.web.conftest import served

__all__ = ["blibli_rig", "rig_options", "shopee_rig", "tiktok_rig"]

BLIBLI_KEY = "blibli-webhook-key"


@asynccontextmanager
async def asgi(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="https://syncer.test") as client:
        yield client


async def recorded(runtime: Runtime) -> list[dict[str, object]]:
    async with runtime.database.read() as connection:
        return list(reversed(await event_store.recent_events(connection)))


async def webhook_runs(runtime: Runtime) -> list[tuple[object, object, object]]:
    async with runtime.database.read() as connection:
        runs = await recent_runs(connection, limit=100)
    return [(r["shop_id"], r["state"], r["triggers"]) for r in runs if r["trigger"] == "webhook"]


def tiktok_app(rig: TikTokRig) -> tuple[str, str]:
    creds = rig.sandbox.credentials()
    return str(creds["app_key"]), str(creds["app_secret"])


def tiktok_body(rig: TikTokRig, notification_id: str, product_id: str) -> bytes:
    envelope = {
        "type": 5,
        "tts_notification_id": notification_id,
        "shop_id": rig.shop.external_shop_id,
        "timestamp": 1644412885,
        "data": {"product_id": product_id, "status": "PRODUCT_STATUS_CHANGED"},
    }
    return json.dumps(envelope).encode()


async def test_a_signed_tiktok_push_is_recorded_once_and_queues_one_pull(
    tiktok_rig: TikTokRig,
) -> None:
    runtime, (app_key, app_secret) = tiktok_rig.runtime, tiktok_app(tiktok_rig)
    body = tiktok_body(tiktok_rig, "7327112393057371910", "576486316948490000")
    signed = {"Authorization": webhook_signature(app_key, app_secret, body)}
    async with asgi(runtime) as client:
        first = await client.post("/webhooks/tiktok", content=body, headers=signed)
        again = await client.post("/webhooks/tiktok", content=body, headers=signed)
    assert (first.status_code, first.content) == (200, b"")  # TikTok wants an empty 200
    assert again.status_code == 200
    (event,) = await recorded(runtime)
    assert (event["event_id"], event["shop_id"], event["kind"]) == (
        "7327112393057371910",
        tiktok_rig.shop.id,
        "product_status",
    )
    assert event["item_ids"] == '["576486316948490000"]'
    # The redelivery joined nothing: one queued pull, triggered once.
    assert await webhook_runs(runtime) == [(tiktok_rig.shop.id, "queued", 1)]
    assert event["run_id"] is not None


async def test_a_forged_tiktok_push_answers_401_and_changes_nothing(
    tiktok_rig: TikTokRig,
) -> None:
    runtime, (app_key, app_secret) = tiktok_rig.runtime, tiktok_app(tiktok_rig)
    body = tiktok_body(tiktok_rig, "1", "2")
    forged = {"Authorization": webhook_signature(app_key, "not-the-secret", body)}
    tampered = tiktok_body(tiktok_rig, "1", "3")
    genuine = {"Authorization": webhook_signature(app_key, app_secret, body)}
    async with asgi(runtime) as client:
        answers = [
            await client.post("/webhooks/tiktok", content=body, headers=forged),
            await client.post("/webhooks/tiktok", content=tampered, headers=genuine),
            await client.post("/webhooks/tiktok", content=body),
        ]
    assert [a.status_code for a in answers] == [401, 401, 401]
    error = answers[0].json()["error"]
    assert error["code"] == "webhook_rejected"
    assert "signature does not match" in error["message"]
    assert "without an Authorization" in answers[2].json()["error"]["message"]
    assert all(app_secret not in a.text for a in answers)
    assert await recorded(runtime) == []
    assert await webhook_runs(runtime) == []


async def test_marketplaces_without_webhooks_are_404_naming_those_with(
    tiktok_rig: TikTokRig,
) -> None:
    async with asgi(tiktok_rig.runtime) as client:
        belanja = await client.post("/webhooks/belanja", content=b"{}")
        unknown = await client.post("/webhooks/lazada", content=b"{}")
    assert (belanja.status_code, unknown.status_code) == (404, 404)
    message = unknown.json()["error"]["message"]
    assert "'lazada'" in message
    for url in ("/webhooks/shopee", "/webhooks/tiktok", "/webhooks/blibli"):
        assert url in message
    assert "/webhooks/belanja" not in message


def shopee_signed(url: str, body: bytes, key: str) -> dict[str, str]:
    # Written out from README 2.7 rather than taken from the adapter, so a wrong adapter fails.
    digest = hmac.new(key.encode(), url.encode() + b"|" + body, hashlib.sha256).hexdigest()
    return {"Authorization": digest}


async def test_shopee_pushes_are_verified_over_the_callback_url_and_body(
    shopee_rig: ShopeeRig,
) -> None:
    runtime, key = shopee_rig.runtime, str(shopee_rig.sandbox.credentials()["partner_key"])
    shop = int(shopee_rig.shop.external_shop_id)
    body = json.dumps(
        {"shop_id": shop, "code": 22, "timestamp": 1660123127, "data": {"item_id": 1001}}
    ).encode()
    url = "https://syncer.test/webhooks/shopee"
    async with asgi(runtime) as client:
        first = await client.post(url, content=body, headers=shopee_signed(url, body, key))
        again = await client.post(url, content=body, headers=shopee_signed(url, body, key))
        # Signed for another callback URL: Shopee signs the URL too.
        elsewhere = "https://elsewhere.test/webhooks/shopee"
        moved = await client.post(url, content=body, headers=shopee_signed(elsewhere, body, key))
        forged = await client.post(url, content=body, headers=shopee_signed(url, body, "guess"))
    assert [r.status_code for r in (first, again, moved, forged)] == [200, 200, 401, 401]
    (event,) = await recorded(runtime)
    assert (event["shop_id"], event["kind"], event["item_ids"]) == (
        shopee_rig.shop.id,
        "price",
        '["1001"]',
    )
    assert await webhook_runs(runtime) == [(shopee_rig.shop.id, "queued", 1)]


async def with_blibli_key(rig: BlibliRig) -> None:
    """The operator adds Blibli's webhook signature key to the shop's app credentials."""
    adapters = rig.runtime.adapters
    credentials = adapters.cipher.decrypt(rig.shop.credentials)
    await adapters.store_credentials(
        rig.shop.id, {**credentials, "webhook_signature_key": BLIBLI_KEY}
    )


async def test_blibli_sends_signed_pushes_to_the_served_app(blibli_rig: BlibliRig) -> None:
    """End to end: the sandbox signs and posts ``<url>/<topic>`` over a real socket."""
    runtime = blibli_rig.runtime
    await with_blibli_key(blibli_rig)
    async with (
        served(runtime) as base,
        httpx.AsyncClient(base_url=blibli_rig.base_url, timeout=30) as control,
    ):
        hooks = {"url": f"{base}/webhooks/blibli", "signature_key": BLIBLI_KEY}
        assert (await control.post("/_sandbox/webhooks", json=hooks)).status_code == 200
        sku = blibli_rig.sandbox.store.truth()[0]["product_sku"]
        sold = {"action": "sell", "product_sku": sku, "value": 1}
        assert (await control.post("/_sandbox/mutate", json=sold)).status_code == 200
        deliveries = (await control.get("/_sandbox/webhooks")).json()["deliveries"]
    # Deliveries are awaited by the control call, so they are all in by now.
    assert [(d["topic"], d["status"]) for d in deliveries] == [("stock_update_changes", 200)]
    (event,) = await recorded(runtime)
    assert (event["shop_id"], event["kind"], event["item_ids"]) == (
        blibli_rig.shop.id,
        "inventory",
        json.dumps([sku]),
    )
    assert await webhook_runs(runtime) == [(blibli_rig.shop.id, "queued", 1)]


async def test_a_blibli_push_signed_with_another_key_is_refused(blibli_rig: BlibliRig) -> None:
    runtime = blibli_rig.runtime
    await with_blibli_key(blibli_rig)
    body = json.dumps(
        {
            "product": {"code": "MTA-1", "sku": "TOQ-1-00001"},
            "store": {"code": blibli_rig.shop.external_shop_id},
            "timestamp": 1_537_149_303_013,
        }
    ).encode()
    url = "https://syncer.test/webhooks/blibli/product_changes"
    sent_at = 1_537_149_303_500

    def signed(key: str) -> dict[str, str]:
        raw = blibli_signing.webhook_raw_string(body, sent_at, url)
        return {"requestTime": str(sent_at), "Signature": blibli_signing.sign(key, raw)}

    async with asgi(runtime) as client:
        forged = await client.post(url, content=body, headers=signed("guess"))
        unsigned = await client.post(url, content=body)
        genuine = await client.post(url, content=body, headers=signed(BLIBLI_KEY))
    assert (forged.status_code, unsigned.status_code, genuine.status_code) == (401, 401, 200)
    assert forged.json()["error"]["code"] == "webhook_rejected"
    (event,) = await recorded(runtime)  # only the genuine one
    assert event["event_id"] == f"product_changes:{blibli_rig.shop.external_shop_id}:" + (
        "TOQ-1-00001:1537149303013"
    )


async def test_no_connected_shop_means_nothing_can_verify(shopee_rig: ShopeeRig) -> None:
    """Only a Shopee shop is connected: a TikTok push has no key to verify with."""
    async with asgi(shopee_rig.runtime) as client:
        answer = await client.post("/webhooks/tiktok", content=b"{}")
    assert answer.status_code == 401
    assert "no enabled tiktok shop is connected" in answer.json()["error"]["message"]
    assert await recorded(shopee_rig.runtime) == []


async def test_tiktok_sends_signed_pushes_to_the_served_app(tiktok_rig: TikTokRig) -> None:
    """End to end: the sandbox's delivery thread signs and posts over a real socket; a 200
    is final, so it does not deliver again."""
    runtime = tiktok_rig.runtime
    product_id = tiktok_rig.sandbox.expected_listings()[0].key[0]
    async with (
        served(runtime) as base,
        httpx.AsyncClient(base_url=tiktok_rig.base_url, timeout=30) as control,
    ):
        hooks = {"url": f"{base}/webhooks/tiktok", "types": [5]}
        assert (await control.post("/_sandbox/webhooks", json=hooks)).status_code == 200
        unlist = {"action": "unlist", "product_id": product_id}
        assert (await control.post("/_sandbox/mutate", json=unlist)).status_code == 200
        deliveries: list[dict[str, object]] = []
        for _ in range(400):  # the delivery thread posts when it wakes; wait for its answer
            deliveries = (await control.get("/_sandbox/webhooks")).json()["deliveries"]
            if deliveries:
                break
            await asyncio.sleep(0.05)
    assert [(d["type"], d["status"], d["attempt"]) for d in deliveries] == [(5, 200, 1)]
    (event,) = await recorded(runtime)
    assert (event["event_id"], event["shop_id"], event["item_ids"]) == (
        deliveries[0]["tts_notification_id"],
        tiktok_rig.shop.id,
        json.dumps([product_id]),
    )
    assert await webhook_runs(runtime) == [(tiktok_rig.shop.id, "queued", 1)]
