"""TikTok Shop webhooks 5 (product status), 15 (product information) and 27 (inventory status):
signature check, then parsing into ``WebhookEvent``s (pure, no I/O).

Envelope: ``{type, tts_notification_id, shop_id, timestamp, data{product_id, ...}}``. The
signature arrives in the ``Authorization`` header (see ``signing.webhook_signature``).
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.tiktok.signing import webhook_signature
from syncer.adapter import (
    Credentials,
    PayloadError,
    WebhookEvent,
    WebhookRejectedError,
    get_id,
    get_int,
    get_obj,
    signatures_match,
    webhook_payload,
)
from syncer.domain.clock import utc_from_timestamp

KINDS = {5: "product_status", 15: "product_info", 27: "inventory"}


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), "")


def verify(headers: Mapping[str, str], body: bytes, app_credentials: Credentials) -> None:
    app_key, app_secret = app_credentials.get("app_key", ""), app_credentials.get("app_secret", "")
    if not app_key or not app_secret:
        raise WebhookRejectedError(
            "cannot verify a TikTok Shop webhook without app_key and app_secret"
        )
    given = _header(headers, "Authorization").strip()
    if not given:
        raise WebhookRejectedError("TikTok Shop webhook without an Authorization signature")
    if not signatures_match(webhook_signature(app_key, app_secret, body), given.lower()):
        raise WebhookRejectedError("TikTok Shop webhook signature does not match")


def parse(
    headers: Mapping[str, str], body: bytes, app_credentials: Credentials
) -> list[WebhookEvent]:
    """Events of one notification: ``[]`` for types this service does not act on."""
    verify(headers, body, app_credentials)
    payload = webhook_payload(body, "TikTok Shop")
    try:
        kind = KINDS.get(get_int(payload, "type"))
        if kind is None:
            return []
        data = get_obj(payload, "data")
        when = data.get("update_time", payload.get("timestamp"))
        return [
            WebhookEvent(
                marketplace="tiktok",
                event_id=get_id(payload, "tts_notification_id"),
                shop_external_id=get_id(payload, "shop_id"),
                kind=kind,
                external_item_ids=(get_id(data, "product_id"),),
                occurred_at=utc_from_timestamp(when)
                if isinstance(when, int) and not isinstance(when, bool)
                else None,
                raw=payload,
            )
        ]
    except PayloadError as exc:
        raise WebhookRejectedError(f"TikTok Shop webhook: {exc}") from exc
