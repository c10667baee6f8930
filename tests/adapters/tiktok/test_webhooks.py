"""Webhooks 5, 15 and 27: the official examples, signed, verified and parsed; forgeries refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from adapters.tiktok.adapter import TikTokAdapter
from adapters.tiktok.signing import webhook_signature
from syncer.adapter import WebhookRejectedError
from tests.adapters.tiktok.samples import webhook_example

APP = {"app_key": "29a39d", "app_secret": "e59af819cc"}


def _example(kind: int) -> bytes:
    text = webhook_example(kind)
    if kind == 27:
        # The page's example lacks the commas after product_id and sku_id; say so, then fix.
        with pytest.raises(json.JSONDecodeError):
            json.loads(text)
        text = text.replace('"\n    "sku_id"', '",\n    "sku_id"').replace(
            '"\n    "trigger_reason"', '",\n    "trigger_reason"'
        )
    return text.encode()


def _parse(body: bytes, signature: str | None = None, header: str = "Authorization"):  # type: ignore[no-untyped-def]
    sign = (
        webhook_signature(APP["app_key"], APP["app_secret"], body)
        if signature is None
        else signature
    )
    return TikTokAdapter.parse_webhook(
        url="https://syncer.example/webhooks/tiktok",
        headers={header: sign},
        body=body,
        app_credentials=APP,
    )


@pytest.mark.parametrize(
    ("kind", "name", "product_id", "when"),
    [
        (5, "product_status", "576486316948490000", 1644412885),
        (15, "product_info", "123456789", 1627587600),
        (27, "inventory", "732357708734418520388", 1627587600),
    ],
)
def test_each_documented_example_parses(kind: int, name: str, product_id: str, when: int) -> None:
    """Signed with the app secret, each official example becomes one event for its product."""
    (event,) = _parse(_example(kind))
    assert event.kind == name
    assert event.event_id == "7327112393057371910"
    assert event.shop_external_id == "7494049642642441621"
    assert event.external_item_ids == (product_id,)
    assert event.occurred_at == datetime.fromtimestamp(when, UTC)
    assert event.raw["type"] == kind


def test_the_header_name_is_case_insensitive() -> None:
    body = _example(15)
    sign = webhook_signature(APP["app_key"], APP["app_secret"], body)
    events = TikTokAdapter.parse_webhook(
        url="", headers={"authorization": sign.upper()}, body=body, app_credentials=APP
    )
    assert len(events) == 1


@pytest.mark.parametrize(
    "forged",
    [
        "0" * 64,
        webhook_signature("29a39d", "another-secret", b"{}"),
        "",
    ],
)
def test_a_bad_or_missing_signature_is_rejected(forged: str) -> None:
    with pytest.raises(WebhookRejectedError):
        _parse(_example(5), forged)


def test_a_body_changed_after_signing_is_rejected() -> None:
    body = _example(5)
    sign = webhook_signature(APP["app_key"], APP["app_secret"], body)
    with pytest.raises(WebhookRejectedError, match="does not match"):
        _parse(body.replace(b"PRODUCT_FIRST_PASS_REVIEW", b"PRODUCT_STATUS_CHANGED"), sign)


def test_other_types_are_verified_then_ignored() -> None:
    """Type 16 (product creation) is signed like the rest but needs no action here."""
    body = json.dumps(
        {"type": 16, "tts_notification_id": "1", "shop_id": "2", "timestamp": 1, "data": {}}
    ).encode()
    assert _parse(body) == []
    with pytest.raises(WebhookRejectedError):
        _parse(body, "f" * 64)


def test_a_signed_body_that_is_not_an_event_is_rejected_with_the_field_named() -> None:
    with pytest.raises(WebhookRejectedError, match="not JSON"):
        _parse(b"not json")
    body = json.dumps({"type": 5, "tts_notification_id": "1", "shop_id": "2", "data": {}}).encode()
    with pytest.raises(WebhookRejectedError, match="product_id"):
        _parse(body)


def test_without_the_app_secret_nothing_is_accepted() -> None:
    body = _example(5)
    with pytest.raises(WebhookRejectedError, match="app_secret"):
        TikTokAdapter.parse_webhook(
            url="", headers={"Authorization": "x"}, body=body, app_credentials={}
        )
