"""Shopee push notifications (marketplaces/README 2.7): verify, then name the items touched.

Envelope: ``{shop_id, code, timestamp, data{...}}``; partner-level pushes (authorisation codes
1, 2, 12) carry no ``shop_id``. Authenticity: the ``Authorization`` header is the lower-hex
HMAC-SHA256 of ``<full callback URL>|<raw body>`` keyed with the partner key. Pure, no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping

from syncer.adapter import (
    Credentials,
    JsonObject,
    PayloadError,
    WebhookEvent,
    WebhookRejectedError,
    get_id,
    get_int,
    signatures_match,
    webhook_payload,
)
from syncer.domain.clock import utc_from_timestamp

# Push code -> the neutral kind the engine acts on. There is no push for ordinary stock or
# price edits made elsewhere (README 2.7); these are the item-level ones that name an item.
PRODUCT_CODES = {
    6: "product_status",  # banned item
    8: "inventory",  # reserved stock change
    16: "product_status",  # violation item
    22: "price",  # item price update
    27: "product_status",  # scheduled publish failed
}


def push_signature(partner_key: str, url: str, body: bytes) -> str:
    """What Shopee sends in ``Authorization``: the raw body, never re-serialised JSON."""
    message = url.encode() + b"|" + body
    return hmac.new(partner_key.encode(), message, hashlib.sha256).hexdigest()


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), "")


def verify(url: str, headers: Mapping[str, str], body: bytes, app_credentials: Credentials) -> None:
    partner_key = app_credentials.get("partner_key", "")
    if not partner_key:
        raise WebhookRejectedError("cannot verify a Shopee push without the partner_key")
    given = _header(headers, "Authorization").strip()
    if not given:
        raise WebhookRejectedError("Shopee push without an Authorization signature")
    if not signatures_match(push_signature(partner_key, url, body), given.lower()):
        raise WebhookRejectedError("Shopee push signature does not match")


def parse(
    *, url: str, headers: Mapping[str, str], body: bytes, app_credentials: Credentials
) -> list[WebhookEvent]:
    """Events of one push: ``[]`` for codes this service does not act on."""
    verify(url, headers, body, app_credentials)
    return events_of(webhook_payload(body, "Shopee"))


def events_of(payload: JsonObject) -> list[WebhookEvent]:
    """Events of one push envelope already trusted (verified, or read back through the signed
    lost-push API): ``[]`` for codes this service does not act on."""
    try:
        code = get_int(payload, "code")
        kind = PRODUCT_CODES.get(code)
        if kind is None or "shop_id" not in payload:
            return []
        return [_event(code, kind, payload)]
    except PayloadError as exc:
        raise WebhookRejectedError(f"Shopee push: {exc}") from exc


def _digest(payload: JsonObject) -> str:
    """The push's identity: its content with keys sorted, so a retry, and the same push read
    back from the lost-push list (whose JSON orders keys differently), share one id."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _event(code: int, kind: str, payload: JsonObject) -> WebhookEvent:
    shop_id = get_id(payload, "shop_id")
    data = payload.get("data")
    item = data.get("item_id") if isinstance(data, Mapping) else None
    items = (str(item),) if isinstance(item, int | str) and not isinstance(item, bool) else ()
    when = payload.get("timestamp")
    return WebhookEvent(
        marketplace="shopee",
        # Pushes carry no notification id; a retry repeats the same content.
        event_id=f"{code}:{shop_id}:{_digest(payload)}",
        shop_external_id=shop_id,
        kind=kind,
        external_item_ids=items,
        occurred_at=utc_from_timestamp(when)
        if isinstance(when, int) and not isinstance(when, bool)
        else None,
        raw=payload,
    )
