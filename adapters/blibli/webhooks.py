"""Blibli push notifications (marketplaces/README 4.7): verify, then name the products touched.

Blibli posts each topic to the URL set for it on the Webhook Setting page; the topic is read
from the URL's last path segment or its ``topic`` query parameter [I]. Authenticity: the
``Signature`` header, the request scheme over the callback URL signed with the app's
``webhook_signature_key`` [V3], or else the ``token`` header the partner configured [V]. Without
either secret configured every notification is refused: an unverifiable one could make us pull
on anyone's say-so.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qs, urlsplit

from adapters.blibli import signing
from syncer.adapter import (
    Credentials,
    JsonObject,
    PayloadError,
    WebhookEvent,
    WebhookRejectedError,
    get_int,
    get_obj,
    get_str,
    signatures_match,
    webhook_payload,
)

# Topic -> the neutral kind the engine acts on. Queue feeds report pushes, not listings.
PRODUCT_TOPICS = {
    "product_changes": "product",
    "product_changes_l5": "product",
    "product_variant_changes": "product",
    "product_item_changes": "product",
    "product_suspended": "product_status",
    "stock_update_changes": "inventory",
}


def topic_of(url: str) -> str:
    parts = urlsplit(url)
    query = parse_qs(parts.query).get("topic")
    if query:
        return query[0]
    return parts.path.rstrip("/").rsplit("/", 1)[-1]


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), "")


def verify(url: str, headers: Mapping[str, str], body: bytes, app: Credentials) -> None:
    """Raise ``WebhookRejectedError`` unless the notification proves it comes from Blibli."""
    if key := app.get("webhook_signature_key"):
        given = _header(headers, "Signature")
        sent_at = _header(headers, "requestTime")
        if not given or not sent_at.isdigit():
            raise WebhookRejectedError("Blibli webhook without Signature and requestTime headers")
        raw = signing.webhook_raw_string(body, int(sent_at), url)
        if not signatures_match(signing.sign(key, raw), given):
            raise WebhookRejectedError("Blibli webhook signature does not match")
        return
    if token := app.get("webhook_token"):
        if not signatures_match(token, _header(headers, "token")):
            raise WebhookRejectedError("Blibli webhook token does not match")
        return
    raise WebhookRejectedError(
        "no webhook_signature_key or webhook_token is configured for Blibli; "
        "refusing a notification that cannot be verified"
    )


def parse(
    *, url: str, headers: Mapping[str, str], body: bytes, app_credentials: Credentials
) -> list[WebhookEvent]:
    verify(url, headers, body, app_credentials)
    topic = topic_of(url)
    kind = PRODUCT_TOPICS.get(topic)
    if kind is None:
        return []
    payload = webhook_payload(body, "Blibli")
    try:
        return [_event(topic, kind, payload, _header(headers, "requestId"))]
    except PayloadError as exc:
        raise WebhookRejectedError(f"Blibli {topic} webhook: {exc}") from exc


def _event(topic: str, kind: str, payload: JsonObject, request_id: str) -> WebhookEvent:
    product_sku = get_str(get_obj(payload, "product"), "sku")
    store = get_str(get_obj(payload, "store"), "code")
    timestamp = get_int(payload, "timestamp")
    return WebhookEvent(
        marketplace="blibli",
        # Redeliveries repeat the body; the requestId header may change between them [I].
        event_id=f"{topic}:{store}:{product_sku}:{timestamp}",
        shop_external_id=store,
        kind=kind,
        external_item_ids=(product_sku,),
        occurred_at=signing.from_millis(timestamp),
        raw={"topic": topic, "requestId": request_id, **payload},
    )
