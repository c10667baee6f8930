"""Operator actions against a real Shopee sandbox: a queued sync executed by the daemon's
executor and followed through the API, and a shop connected with the seller's code."""

from __future__ import annotations

from pathlib import Path

import httpx

from adapters.shopee.sandbox import ShopeeSandbox
from syncer.adapter.http import CALL_TOTALS
from syncer.runtime import Runtime
from syncer.sandbox import SandboxServer
from syncer.scheduler.execute import Outcome, execute_next
from syncer.store.access import create_token
from syncer.web import create_app
from tests.conftest import make_settings
from tests.engine.shopee_rig import ShopeeRig
from tests.web.test_errors_and_health import metric


def client_for(runtime: Runtime) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(runtime))
    return httpx.AsyncClient(transport=transport, base_url="http://syncer.test")


async def test_an_operator_queues_a_sync_that_the_executor_runs(shopee_rig: ShopeeRig) -> None:
    """POST /sync queues a full pull; a second request joins it; once executed, the run shows
    succeeded with every sandbox listing fetched, and the listings are served."""
    runtime, shop = shopee_rig.runtime, shopee_rig.shop
    token = await create_token(runtime.database, business=None, operator=True, label="ops")
    auth = {"Authorization": f"Bearer {token}"}
    async with client_for(runtime) as client:
        first = await client.post(
            f"/api/v1/shops/{shop.id}/sync", json={"full": True}, headers=auth
        )
        assert first.status_code == 202, first.text
        queued = first.json()
        assert (queued["kind"], queued["joined"], queued["executor_alive"]) == (
            "pull_full",
            False,
            False,
        )
        assert "no daemon is running" in queued["message"]
        again = await client.post(
            f"/api/v1/shops/{shop.id}/sync", json={"full": True}, headers=auth
        )
        assert (again.json()["run_id"], again.json()["joined"]) == (queued["run_id"], True)
        run = (await client.get(f"/api/v1/runs/{queued['run_id']}", headers=auth)).json()
        assert run["state"] == "queued"

        assert await execute_next(runtime, shop.id) is Outcome.RAN

        run = (await client.get(f"/api/v1/runs/{queued['run_id']}", headers=auth)).json()
        truth = await shopee_rig.truth()
        assert (run["state"], run["fetched"], run["trigger"]) == ("succeeded", len(truth), "manual")
        listed = await client.get("/api/v1/listings", params={"limit": 500}, headers=auth)
        assert len(listed.json()["items"]) == min(len(truth), 500)


async def test_an_operator_connects_a_shop_with_the_sellers_code(
    database_url: str, tmp_path: Path
) -> None:
    """The code is exchanged for tokens before the shop is stored; connecting it twice is 409;
    a used code is refused with the marketplace's reason and nothing is stored."""
    sandbox = ShopeeSandbox(seed=9, listings=20)
    with SandboxServer(sandbox.app) as server:
        settings = make_settings(database_url, tmp_path, shopee={"base_url": server.base_url})
        runtime = Runtime.from_settings(settings)
        token = await create_token(runtime.database, business=None, operator=True, label="ops")
        auth = {"Authorization": f"Bearer {token}"}
        creds = sandbox.credentials()
        body = {
            "business": "toko-baru",
            "marketplace": "shopee",
            "external_shop_id": str(creds["shop_id"]),
            "name": "Toko Baru Shopee",
            "credentials": {
                "partner_id": str(creds["partner_id"]),
                "partner_key": str(creds["partner_key"]),
            },
            "code": str(creds["code"]),
        }
        try:
            async with client_for(runtime) as client:
                added = await client.post("/api/v1/shops", json=body, headers=auth)
                assert added.status_code == 201, added.text
                shop = added.json()
                assert (shop["business"], shop["auth_state"], shop["listings"]) == (
                    "toko-baru",
                    "ok",
                    0,
                )
                assert str(creds["partner_key"]) not in added.text

                twice = await client.post("/api/v1/shops", json=body, headers=auth)
                assert twice.status_code == 409
                assert "already connected" in twice.json()["error"]["message"]

                other = {**body, "external_shop_id": "777", "name": "Lain"}
                refused = await client.post("/api/v1/shops", json=other, headers=auth)
                assert refused.status_code == 422, refused.text
                assert refused.json()["error"]["code"] == "marketplace_refused"
                shops = (await client.get("/api/v1/shops", headers=auth)).json()
                assert [s["external_shop_id"] for s in shops] == [str(creds["shop_id"])]

                unknown = await client.post(
                    "/api/v1/shops", json={**body, "marketplace": "lazada"}, headers=auth
                )
                assert unknown.status_code == 422
                assert "lazada" in unknown.json()["error"]["message"]
        finally:
            await runtime.close()


async def test_metrics_count_this_processs_marketplace_calls(shopee_rig: ShopeeRig) -> None:
    """After a pull, /metrics shows the Shopee calls this process made and its limiter use."""
    before = CALL_TOTALS.calls["shopee"]
    await shopee_rig.runtime.pull_engine.run(shopee_rig.shop, full=True)
    async with client_for(shopee_rig.runtime) as client:
        text = (await client.get("/metrics")).text
    sent = metric(text, "syncer_api_calls_total", marketplace="shopee")
    assert sent == CALL_TOTALS.calls["shopee"] > before
    assert (
        metric(text, "syncer_api_retries_total", marketplace="shopee")
        == CALL_TOTALS.retries["shopee"]
    )
    limiter = shopee_rig.runtime.adapters.limiter_totals()["shopee"]
    assert metric(text, "syncer_rate_limit_waits_total", marketplace="shopee") == limiter.waits
    assert metric(text, "syncer_listings", marketplace="shopee", status="active") > 0
