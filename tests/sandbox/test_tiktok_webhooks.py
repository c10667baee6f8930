"""TikTok Shop sandbox webhooks: catalog changes are pushed, signed, to the registered URL; the
adapter verifies and parses what arrives; failed deliveries are retried on the documented
schedule."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapters.tiktok.adapter import TikTokAdapter
from adapters.tiktok.sandbox import TikTokSandbox
from adapters.tiktok.sandbox_store import TikTokProduct
from syncer.sandbox import SandboxServer


@dataclass
class Receiver:
    """A webhook endpoint on loopback that records what it gets and answers ``status``."""

    status: int = 200
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            self.received.append((dict(request.headers), await request.body()))
            return Response(status_code=self.status)

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])


@pytest.fixture
def wired() -> Iterator[tuple[TikTokSandbox, Receiver, httpx.Client]]:
    sandbox = TikTokSandbox(seed=6, listings=120)
    receiver = Receiver()
    with (
        SandboxServer(receiver.app()) as hooks,
        SandboxServer(sandbox.app) as server,
        httpx.Client(base_url=server.base_url, timeout=10) as control,
    ):
        answer = control.post("/_sandbox/webhooks", json={"url": f"{hooks.base_url}/hook"})
        assert answer.json()["types"] == [5, 15, 27]
        yield sandbox, receiver, control


def _live(sandbox: TikTokSandbox) -> TikTokProduct:
    return next(
        p
        for p in sandbox.store.products.values()
        if set(p.platforms.values()) == {"ACTIVATE"} and p.skus[0].stock > 0
    )


def _events(sandbox: TikTokSandbox, receiver: Receiver) -> list[dict[str, object]]:
    assert sandbox.hooks.drain(5)
    return [json.loads(body) for _, body in receiver.received]


def test_changes_are_pushed_signed_and_the_adapter_accepts_them(
    wired: tuple[TikTokSandbox, Receiver, httpx.Client],
) -> None:
    """Sold out → 27, price edit → 15, unlist → 5; each verifies with the app's secret."""
    sandbox, receiver, control = wired
    item = _live(sandbox)
    stock = item.skus[0].stock
    control.post(
        "/_sandbox/mutate",
        json={"action": "sell", "product_id": item.product_id, "quantity": stock},
    )
    control.post(
        "/_sandbox/mutate",
        json={"action": "set_price", "product_id": item.product_id, "price": 77_700},
    )
    control.post("/_sandbox/mutate", json={"action": "unlist", "product_id": item.product_id})
    events = _events(sandbox, receiver)
    assert [event["type"] for event in events] == [27, 15, 5]
    assert events[0]["data"]["current_inventory_status"] == "OUT_OF_STOCK"  # type: ignore[index]
    creds = sandbox.credentials()
    app = {"app_key": str(creds["app_key"]), "app_secret": str(creds["app_secret"])}
    for headers, body in receiver.received:
        expected = hmac.new(
            app["app_secret"].encode(), app["app_key"].encode() + body, hashlib.sha256
        ).hexdigest()
        assert headers["authorization"] == expected
        (event,) = TikTokAdapter.parse_webhook(
            url="", headers=headers, body=body, app_credentials=app
        )
        assert event.external_item_ids == (str(item.product_id),)
        assert event.shop_external_id == creds["shop_id"]


def test_a_failed_delivery_is_retried_two_minutes_later(
    wired: tuple[TikTokSandbox, Receiver, httpx.Client],
) -> None:
    sandbox, receiver, control = wired
    receiver.status = 500
    item = _live(sandbox)
    control.post("/_sandbox/mutate", json={"action": "ban", "product_id": item.product_id})
    assert len(_events(sandbox, receiver)) == 1
    receiver.status = 200
    control.post("/_sandbox/clock", json={"advance_seconds": 119})
    assert len(_events(sandbox, receiver)) == 1, "not before two minutes"
    control.post("/_sandbox/clock", json={"advance_seconds": 2})
    assert sandbox.hooks.drain(5)
    deliveries = control.get("/_sandbox/webhooks").json()["deliveries"]
    assert [(d["attempt"], d["status"]) for d in deliveries] == [(1, 500), (2, 200)]
    assert receiver.received[0][1] == receiver.received[1][1], "the same notification again"


def test_only_registered_types_are_sent(
    wired: tuple[TikTokSandbox, Receiver, httpx.Client],
) -> None:
    sandbox, receiver, control = wired
    url = control.get("/_sandbox/webhooks").json()["url"]
    control.post("/_sandbox/webhooks", json={"url": url, "types": [27]})
    item = _live(sandbox)
    control.post("/_sandbox/mutate", json={"action": "unlist", "product_id": item.product_id})
    control.post(
        "/_sandbox/mutate", json={"action": "set_stock", "product_id": item.product_id, "stock": 0}
    )
    assert [event["type"] for event in _events(sandbox, receiver)] == [27]
    refused = control.post("/_sandbox/webhooks", json={"url": url, "types": [99]})
    assert refused.status_code == 400
