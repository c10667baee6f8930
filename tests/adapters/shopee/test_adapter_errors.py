"""The Shopee adapter against scripted answers: what one item's error does, and what it must not."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
import pytest

from adapters.shopee import ShopeeAdapter
from syncer.adapter import AdapterContext, AdapterSettings, Credentials, PriceChange, RetryPolicy
from syncer.domain import ListingKey
from syncer.errors import NeedsReauthError, RequestRejectedError

Handler = Callable[[httpx.Request], httpx.Response]
CREDS = {"partner_id": "1", "partner_key": "k", "access_token": "a", "refresh_token": "r"}


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 11, 27, tzinfo=UTC)


def envelope(response: object = None, error: str = "", message: str = "") -> httpx.Response:
    body: dict[str, object] = {"request_id": "x", "error": error, "message": message}
    if response is not None:
        body["response"] = response
    return httpx.Response(200 if not error else 403 if error == "error_sign" else 200, json=body)


def item(item_id: int, *, has_model: bool = False) -> dict[str, object]:
    return {
        "item_id": item_id,
        "item_name": f"Item {item_id}",
        "item_sku": f"S{item_id}",
        "item_status": "NORMAL",
        "update_time": 1_700_000_000,
        "has_model": has_model,
        "price_info": [{"original_price": 10000}],
        "stock_info_v2": {"seller_stock": [{"stock": 3}]},
    }


def adapter(handler: Handler, saved: list[Credentials] | None = None) -> ShopeeAdapter:
    async def save(credentials: Credentials) -> None:
        (saved if saved is not None else []).append(dict(credentials))

    return ShopeeAdapter(
        AdapterContext(
            shop_external_id="600",
            credentials=CREDS,
            settings=AdapterSettings(
                base_url="http://shopee.test",
                requests_per_second=1000,
                burst=1000,
                retry=RetryPolicy(max_attempts=2, initial_wait_s=0),
            ),
            save_credentials=save,
            clock=FixedClock(),
            transport=httpx.MockTransport(handler),
        )
    )


def ids_of(request: httpx.Request) -> list[str]:
    return parse_qs(request.url.query.decode())["item_id_list"][0].split(",")


async def test_a_gone_id_in_a_base_info_batch_costs_only_that_id() -> None:
    """If a batch is refused for one missing id, the halves are asked apart until it is alone."""
    asked: list[list[str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        ids = ids_of(request)
        asked.append(ids)
        if "13" in ids:
            return envelope(error="error_item_not_found", message="Item_id is not found.")
        return envelope({"item_list": [item(int(i)) for i in ids]})

    page = await adapter(handler).fetch_items([str(n) for n in range(1, 21)])
    assert sorted(int(listing.external_item_id) for listing in page.listings) == [
        n for n in range(1, 21) if n != 13
    ]
    assert ["13"] in asked


async def test_an_item_scoped_model_list_error_quarantines_only_that_item() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("get_item_base_info"):
            return envelope({"item_list": [item(1), item(2, has_model=True)]})
        return envelope(error="error_param", message="Wrong parameters, detail: tier broken.")

    page = await adapter(handler).fetch_items(["1", "2"])
    assert [listing.external_item_id for listing in page.listings] == ["1"]
    [bad] = page.quarantined
    assert bad.external_item_id == "2"
    assert "Wrong parameters" in bad.reason


async def test_a_rejected_signature_stops_the_pull_instead_of_quarantining() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("get_item_base_info"):
            return envelope({"item_list": [item(2, has_model=True)]})
        return envelope(error="error_sign", message="Wrong sign.")

    with pytest.raises(RequestRejectedError, match="partner key"):
        await adapter(handler).fetch_items(["2"])


async def test_a_refresh_answered_with_a_gateway_401_needs_reauth_and_never_hangs() -> None:
    """The token endpoint must not trigger a refresh of its own (that would wait on itself)."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("access_token/get"):
            return httpx.Response(401, text="<html>gateway says no</html>")
        return envelope(error="error_auth", message="Invalid access_token.")

    with pytest.raises(NeedsReauthError):
        await asyncio.wait_for(adapter(handler).fetch_items(["1"]), timeout=5)


async def test_a_refused_refresh_adopts_tokens_another_process_stored() -> None:
    """Two runs refreshed the same single-use token; the loser uses the winner's pair."""
    stored = {**CREDS, "access_token": "winner", "refresh_token": "winner-r"}

    def handler(request: httpx.Request) -> httpx.Response:
        query = parse_qs(request.url.query.decode())
        if request.url.path.endswith("access_token/get"):
            return envelope(error="error_auth", message="Invalid refresh_token.")
        if query.get("access_token") == ["winner"]:
            return envelope({"item_list": [item(1)]})
        return envelope(error="error_auth", message="Invalid access_token.")

    shopee = adapter(handler)
    loads = iter([dict(CREDS), stored])  # before the refresh: unchanged; after it: the winner's

    async def load() -> Credentials:
        return next(loads)

    shopee.keeper._load = load
    page = await shopee.fetch_items(["1"])
    assert [listing.external_item_id for listing in page.listings] == ["1"]
    assert shopee.credentials["access_token"] == "winner"


async def test_pushing_one_key_twice_sends_the_last_value_once() -> None:
    bodies: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        bodies.append(body)
        rows = body["price_list"]
        return envelope(
            {"success_list": [{"model_id": r["model_id"]} for r in rows], "failure_list": []}
        )

    key = ListingKey("7", "")
    results = await adapter(handler).update_price(
        [PriceChange(key=key, price=1000), PriceChange(key=key, price=2000)]
    )
    assert [row.ok for row in results] == [True]
    assert bodies == [{"item_id": 7, "price_list": [{"model_id": 0, "original_price": 2000}]}]


async def test_missing_stored_tokens_need_reauthorization_not_a_traceback() -> None:
    shopee = adapter(lambda request: envelope({}))
    shopee.keeper.current = {"partner_id": "1", "partner_key": "k"}
    with pytest.raises(NeedsReauthError, match="access_token"):
        await shopee.fetch_items(["1"])
