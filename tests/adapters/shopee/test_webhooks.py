"""Shopee pushes: signed over ``url|body`` with the partner key, parsed; forgeries refused."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from adapters.shopee.adapter import ShopeeAdapter
from syncer.adapter import WebhookRejectedError

URL = "https://syncer.example.id/webhooks/shopee"
APP = {"partner_id": "2001887", "partner_key": "shpk-test-key"}
# Code 8 (reserved stock change) as community storage shows it (README 2.7).
BODY = json.dumps(
    {
        "shop_id": 727720655,
        "code": 8,
        "timestamp": 1660123127,
        "data": {
            "shop_id": 727720655,
            "item_id": 1001,
            "variation_id": 0,
            "action": "place_order",
            "ordersn": "220810ABC",
            "old_value": 5,
            "new_value": 4,
            "update_time": 1660123127,
        },
    }
).encode()


def _sign(body: bytes, url: str = URL, key: str = APP["partner_key"]) -> dict[str, str]:
    # Written out here rather than calling the module's helper, so a wrong helper fails.
    digest = hmac.new(key.encode(), url.encode() + b"|" + body, hashlib.sha256).hexdigest()
    return {"Authorization": digest}


def _parse(body: bytes, headers: dict[str, str], url: str = URL) -> list[object]:
    return list(
        ShopeeAdapter.parse_webhook(url=url, headers=headers, body=body, app_credentials=APP)
    )


def test_a_signed_reserved_stock_push_names_its_shop_and_item() -> None:
    (event,) = ShopeeAdapter.parse_webhook(
        url=URL, headers=_sign(BODY), body=BODY, app_credentials=APP
    )
    assert (event.marketplace, event.shop_external_id, event.kind) == (
        "shopee",
        "727720655",
        "inventory",
    )
    assert event.external_item_ids == ("1001",)
    assert event.occurred_at == datetime.fromtimestamp(1660123127, UTC)
    # A redelivery (same body) has the same id; another push has another.
    (again,) = _parse(BODY, _sign(BODY))
    other = BODY.replace(b"220810ABC", b"220810XYZ")
    (different,) = _parse(other, _sign(other))
    assert again.event_id == event.event_id != different.event_id  # type: ignore[attr-defined]


def test_forgeries_are_refused() -> None:
    with pytest.raises(WebhookRejectedError, match="does not match"):
        _parse(BODY.replace(b"1001", b"1002"), _sign(BODY))
    with pytest.raises(WebhookRejectedError, match="does not match"):
        _parse(BODY, _sign(BODY, key="another-key"))
    with pytest.raises(WebhookRejectedError, match="does not match"):  # the URL is signed too
        _parse(BODY, _sign(BODY), url="https://elsewhere.example/webhooks/shopee")
    with pytest.raises(WebhookRejectedError, match="without an Authorization"):
        _parse(BODY, {})
    with pytest.raises(WebhookRejectedError, match="partner_key"):
        ShopeeAdapter.parse_webhook(url=URL, headers=_sign(BODY), body=BODY, app_credentials={})


def test_pushes_without_a_listing_are_acknowledged_but_yield_nothing() -> None:
    order = json.dumps({"shop_id": 1, "code": 3, "timestamp": 1, "data": {}}).encode()
    partner = json.dumps({"code": 8, "timestamp": 1, "data": {}}).encode()
    assert _parse(order, _sign(order)) == []
    assert _parse(partner, _sign(partner)) == []
    with pytest.raises(WebhookRejectedError, match="not JSON"):
        _parse(b"nope", _sign(b"nope"))
