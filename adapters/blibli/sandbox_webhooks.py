"""Webhooks the Blibli sandbox sends (marketplaces/README 4.7) to a URL the control API set.

Each topic goes to ``<url>/<topic>`` [I: Blibli takes one URL per topic]. Headers: ``Accept``,
``Content-Type``, ``requestId``, ``requestTime`` (epoch ms) [V], ``token`` when one is set [V],
and ``Signature`` over the request scheme with the callback URL when a signature key is set
[V3]. Bodies are flat JSON without an envelope. Deliveries are awaited (the control call that
caused them returns after them), so tests see them without polling; each is logged.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from adapters.blibli import signing
from adapters.blibli.sandbox_store import BlibliProduct

JSONObject = dict[str, object]
TOPICS = (
    "product_changes",
    "product_variant_changes",
    "product_suspended",
    "stock_update_changes",
    "queue_feed_product_update_summary",
)


@dataclass(slots=True)
class Registration:
    url: str
    signature_key: str = ""
    token: str = ""
    topics: frozenset[str] = frozenset(TOPICS)


@dataclass(slots=True)
class WebhookSender:
    now_ms: Callable[[], int]
    registration: Registration | None = None
    deliveries: list[JSONObject] = field(default_factory=list)

    def snapshot(self) -> JSONObject:
        registration = self.registration
        return {
            "url": registration.url if registration else None,
            "topics": sorted(registration.topics) if registration else [],
            "signed": bool(registration and registration.signature_key),
            "deliveries": list(self.deliveries),
        }

    async def send(self, topic: str, payload: JSONObject) -> None:
        registration = self.registration
        if registration is None or topic not in registration.topics:
            return
        url = f"{registration.url.rstrip('/')}/{topic}"
        body = json.dumps(payload, separators=(",", ":")).encode()
        sent_at = self.now_ms()
        headers = {
            "Accept": signing.JSON,
            "Content-Type": signing.JSON,
            "requestId": str(uuid.uuid4()),
            "requestTime": str(sent_at),
        }
        if registration.token:
            headers["token"] = registration.token
        if registration.signature_key:
            raw = signing.webhook_raw_string(body, sent_at, url)
            headers["Signature"] = signing.sign(registration.signature_key, raw)
        record: JSONObject = {"topic": topic, "url": url, "body": payload}
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                response = await client.post(url, content=body, headers=headers)
            record["status"] = response.status_code
        except httpx.HTTPError as exc:  # the receiver is down: Blibli retries later [V3]
            record["status"] = 0
            record["error"] = type(exc).__name__
        self.deliveries.append(record)


def product_payload(product: BlibliProduct, store_code: str, now_ms: int) -> JSONObject:
    """``product_changes`` as in the official example [V]."""
    return {
        "product": {"code": product.code, "sku": product.sku, "type": "Regular"},
        "flags": {
            "inStore": False,
            "installationRequired": False,
            "preOrder": False,
            "synchronized": True,
        },
        "attributes": {"specification": {}},
        "store": {"code": store_code},
        "timestamp": now_ms,
    }


def stock_payload(product: BlibliProduct, store_code: str, now_ms: int) -> JSONObject:
    """[I] ``stock_update_changes``: the product, its SKUs and their available stock."""
    return {
        "product": {"code": product.code, "sku": product.sku},
        "items": [
            {"blibliSku": sku.blibli_sku, "availableStock": sku.variant.stock}
            for sku in product.skus
        ],
        "store": {"code": store_code},
        "timestamp": now_ms,
    }


def suspended_payload(product: BlibliProduct, store_code: str, now_ms: int) -> JSONObject:
    """[I] ``product_suspended``."""
    return {
        "product": {"code": product.code, "sku": product.sku},
        "reason": "Product violates Blibli's listing policy",
        "store": {"code": store_code},
        "timestamp": now_ms,
    }
