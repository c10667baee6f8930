"""Several Shopee sandboxes (one shop each, same seeded catalog, so the same seller SKUs)
behind one loopback server, connected as shops of one business, for push tests.

Shopee has one API host for every shop, so the server routes each request to the sandbox of
the ``shop_id`` it names (query string, or JSON body for the token endpoints); control calls
choose their sandbox with the ``X-Sandbox`` header.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.shopee.sandbox import ShopeeSandbox
from syncer.domain import RunTrigger
from syncer.engine.connect import connect_shop
from syncer.engine.push import Pusher, PushReport
from syncer.engine.push_changes import CatalogChanges
from syncer.engine.push_shop import StepHook
from syncer.runtime import Runtime
from syncer.sandbox import LimitRule, SandboxServer
from syncer.store.shops import ShopRecord
from tests.conftest import make_settings
from tests.engine.shopee_rig import OffsetClock

SHOP_IDS = (700001, 700002)


class ShopRouter:
    """ASGI app dispatching to the sandbox whose shop a request names."""

    def __init__(self, sandboxes: dict[str, ASGIApp]) -> None:
        self.sandboxes = sandboxes
        self.first = next(iter(sandboxes.values()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.first(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        target = self._target(scope, body)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await target(scope, replay, send)

    def _target(self, scope: Scope, body: bytes) -> ASGIApp:
        headers = dict(scope["headers"])
        if b"x-sandbox" in headers:
            return self.sandboxes[headers[b"x-sandbox"].decode()]
        query = parse_qs(scope.get("query_string", b"").decode())
        shop = query.get("shop_id", [""])[0]
        if not shop and body:
            try:
                shop = str(json.loads(body).get("shop_id", ""))
            except (ValueError, AttributeError):
                shop = ""
        return self.sandboxes.get(shop, self.first)


@dataclass
class PushRig:
    runtime: Runtime
    clock: OffsetClock
    base_url: str
    sandboxes: dict[int, ShopeeSandbox]
    shops: list[ShopRecord]
    control: httpx.AsyncClient
    steps: list[str] = field(default_factory=list)

    def pusher(self, on_step: StepHook | None = None) -> Pusher:
        rt = self.runtime
        return Pusher(
            settings=rt.settings,
            database=rt.database,
            adapters=rt.adapters,
            clock=rt.clock,
            worker=rt.worker,
            on_step=on_step,
        )

    async def push(self, on_step: StepHook | None = None) -> PushReport:
        return await self.pusher(on_step).run_once(trigger=RunTrigger.MANUAL)

    @property
    def changes(self) -> CatalogChanges:
        rt = self.runtime
        return CatalogChanges(settings=rt.settings, database=rt.database, clock=rt.clock)

    async def pull_all(self, *, full: bool = False) -> None:
        for shop in self.shops:
            await self.runtime.pull_engine.run(shop, full=full)

    async def control_post(self, shop: ShopRecord, path: str, body: dict[str, object]) -> object:
        response = await self.control.post(
            f"/_sandbox/{path}", json=body, headers={"X-Sandbox": shop.external_shop_id}
        )
        if response.is_error:
            raise AssertionError(f"sandbox control {path} {body}: {response.text}")
        return response.json()

    async def mutate(self, shop: ShopRecord, **action: object) -> object:
        return await self.control_post(shop, "mutate", dict(action))

    async def truth(self, shop: ShopRecord) -> dict[tuple[str, str], dict[str, object]]:
        response = await self.control.get(
            "/_sandbox/truth", headers={"X-Sandbox": shop.external_shop_id}
        )
        response.raise_for_status()
        return {(row["item_id"], row["model_id"]): row for row in response.json()["listings"]}

    async def stats(self, shop: ShopRecord) -> dict[str, object]:
        response = await self.control.get(
            "/_sandbox/stats", headers={"X-Sandbox": shop.external_shop_id}
        )
        response.raise_for_status()
        result: dict[str, object] = response.json()
        return result


def sandbox_for(shop_id: int, listings: int) -> ShopeeSandbox:
    return ShopeeSandbox(seed=3, listings=listings, limit=LimitRule(5000, 5000), shop_id=shop_id)


@pytest.fixture
async def push_rig(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> AsyncIterator[PushRig]:
    marker = request.node.get_closest_marker("listings")
    listings = marker.args[0] if marker else 200
    sandboxes = {shop_id: sandbox_for(shop_id, listings) for shop_id in SHOP_IDS}
    router = ShopRouter({str(k): v.app for k, v in sandboxes.items()})
    with SandboxServer(router) as server:
        settings = make_settings(
            database_url,
            tmp_path,
            shopee={
                "base_url": server.base_url,
                "requests_per_second": 2000,
                "burst": 200,
                "concurrency": 8,
                "timeout_seconds": 5,
            },
        )
        clock = OffsetClock()
        runtime = Runtime.from_settings(settings, clock)
        shops = []
        for number, (shop_id, sandbox) in enumerate(sandboxes.items(), start=1):
            creds = sandbox.credentials()
            shops.append(
                await connect_shop(
                    runtime.database,
                    runtime.adapters,
                    business="toko",
                    marketplace="shopee",
                    external_shop_id=str(shop_id),
                    name=f"Toko Shopee {number}",
                    credentials={
                        "partner_id": str(creds["partner_id"]),
                        "partner_key": str(creds["partner_key"]),
                    },
                    code=str(creds["code"]),
                    pull_interval_minutes=15,
                )
            )
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as control:
            yield PushRig(runtime, clock, server.base_url, sandboxes, shops, control)
        await runtime.close()
