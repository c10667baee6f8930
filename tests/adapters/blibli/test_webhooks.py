"""Blibli webhooks: the sandbox sends them over a real socket; parse_webhook verifies, then
names the products touched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.blibli import BlibliAdapter, signing
from syncer.adapter import WebhookRejectedError
from tests.adapters.blibli.raw import RawBlibli, blibli_plugged, blibli_sandbox, raw
from tests.adapters.blibli.receiver import Receiver, receiver

__all__ = ["blibli_plugged", "blibli_sandbox", "raw", "receiver"]

OFFICIAL = (Path(__file__).parents[2] / "fixtures" / "blibli" / "product_changes.json").read_bytes()
HOOK_URL = "https://syncer.example.id/webhooks/blibli/product_changes"


def _signed(body: bytes, url: str = HOOK_URL, key: str = "wh") -> dict[str, str]:
    sent_at = 1_537_149_303_500
    raw = signing.webhook_raw_string(body, sent_at, url)
    return {"requestTime": str(sent_at), "Signature": signing.sign(key, raw), "requestId": "r-1"}


def _parse(body: bytes, headers: dict[str, str], **app: str) -> list[object]:
    return list(
        BlibliAdapter.parse_webhook(url=HOOK_URL, headers=headers, body=body, app_credentials=app)
    )


def test_the_official_product_changes_example_parses() -> None:
    (event,) = BlibliAdapter.parse_webhook(
        url=HOOK_URL,
        headers=_signed(OFFICIAL),
        body=OFFICIAL,
        app_credentials={"webhook_signature_key": "wh"},
    )
    assert event.marketplace == "blibli"
    assert event.shop_external_id == "TOQ-15126"
    assert event.kind == "product"
    assert event.external_item_ids == ("TOQ-15126-00411",)
    assert event.occurred_at is not None
    assert event.event_id == "product_changes:TOQ-15126:TOQ-15126-00411:1537149303013"


def test_a_tampered_body_or_wrong_key_is_rejected() -> None:
    headers = _signed(OFFICIAL)
    with pytest.raises(WebhookRejectedError, match="does not match"):
        _parse(OFFICIAL.replace(b"00411", b"00412"), headers, webhook_signature_key="wh")
    with pytest.raises(WebhookRejectedError, match="does not match"):
        _parse(OFFICIAL, headers, webhook_signature_key="other")
    with pytest.raises(WebhookRejectedError, match="Signature and requestTime"):
        _parse(OFFICIAL, {}, webhook_signature_key="wh")


def test_the_token_header_is_accepted_when_no_signature_key_is_set() -> None:
    assert len(_parse(OFFICIAL, {"token": "t0k"}, webhook_token="t0k")) == 1
    with pytest.raises(WebhookRejectedError, match="token does not match"):
        _parse(OFFICIAL, {"token": "guess"}, webhook_token="t0k")


def test_without_any_webhook_secret_nothing_is_accepted() -> None:
    with pytest.raises(WebhookRejectedError, match="cannot be verified"):
        _parse(OFFICIAL, {"token": "anything"})


def test_queue_feeds_are_not_listing_events() -> None:
    url = "https://syncer.example.id/webhooks/blibli/queue_feed_product_update_summary"
    events = BlibliAdapter.parse_webhook(
        url=url,
        headers={"token": "t"},
        body=b'{"status":"DONE"}',
        app_credentials={"webhook_token": "t"},
    )
    assert events == []


def test_a_product_event_without_a_store_is_rejected_naming_the_field() -> None:
    body = json.dumps({"product": {"sku": "TOQ-1-00001"}, "timestamp": 1}).encode()
    with pytest.raises(WebhookRejectedError, match="'store'"):
        _parse(body, {"token": "t"}, webhook_token="t")


def test_webhooks_sent_by_the_sandbox_verify_and_name_the_product(
    raw: RawBlibli, receiver: Receiver
) -> None:
    raw.control("POST", "webhooks", {"url": receiver.url, "signature_key": "wh-key"})
    truth = raw.control("GET", "truth")["listings"]
    sku = truth[0]["product_sku"]  # type: ignore[index]
    raw.control("POST", "mutate", {"action": "sell", "product_sku": sku, "value": 1})
    raw.control("POST", "mutate", {"action": "suspend", "product_sku": sku})
    app = {"webhook_signature_key": "wh-key"}
    events = [
        event
        for hook in receiver.received
        for event in BlibliAdapter.parse_webhook(
            url=hook.url, headers=hook.headers, body=hook.body, app_credentials=app
        )
    ]
    assert [(e.kind, e.external_item_ids) for e in events] == [
        ("inventory", (sku,)),
        ("product_status", (sku,)),
    ]
    assert {e.shop_external_id for e in events} == {raw.creds["shop_id"]}


def test_a_queue_summary_is_sent_when_a_bulk_job_completes(
    raw: RawBlibli, receiver: Receiver
) -> None:
    raw.control(
        "POST",
        "webhooks",
        {"url": receiver.url, "token": "t", "topics": ["queue_feed_product_update_summary"]},
    )
    raw.control("POST", "queue", {"polls": 1})
    body = {"merchantCode": raw.creds["shop_id"], "productRequests": [{"gdnSku": "NOPE"}]}
    queued = raw.call("POST", "/mta/api/businesspartner/v1/product/updateProduct", body=body).json()
    params = raw.params(legacy=True, queueId=queued["requestId"])
    detail = raw.call("GET", "/mta/api/businesspartner/v1/queue/detail", params=params)
    assert detail.json()["value"]["status"] == "DONE"
    (hook,) = receiver.received
    summary = json.loads(hook.body)
    assert (summary["requestId"], summary["failedCount"]) == (queued["requestId"], 1)
    assert hook.url.endswith("/queue_feed_product_update_summary")
