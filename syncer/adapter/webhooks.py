"""Marketplace push notifications, normalized: what changed, for which shop, and how to verify.

Each adapter parses its marketplace's webhook bodies into ``WebhookEvent`` values in a pure
function (``Adapter.parse_webhook``); the HTTP layer verifies the signature first, records the
event durably (``event_id`` de-duplicates redeliveries) and enqueues a targeted pull of
``external_item_ids``. Signatures are compared in constant time with ``signatures_match``.
Marketplaces that keep the notifications they failed to deliver (Shopee's lost pushes) hand
them back as ``LostWebhooks`` through ``Adapter.lost_webhooks``, fetched on a schedule.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from syncer.adapter.payload import JsonObject
from syncer.errors import FatalError


class WebhookRejectedError(FatalError):
    """A webhook whose signature or shape is wrong; the caller answers 401/400 and changes
    nothing."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookEvent:
    marketplace: str
    event_id: str
    """Stable across redeliveries of the same notification (de-duplication key)."""
    shop_external_id: str
    kind: str
    """Short marketplace-neutral name, e.g. ``product_status``, ``inventory``, ``price``."""
    external_item_ids: tuple[str, ...]
    occurred_at: datetime | None = None
    raw: Mapping[str, object] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class LostWebhooks:
    """Notifications the marketplace failed to deliver, read back through its API.

    The caller accepts every event (de-duplication makes a redelivery harmless), then calls
    ``confirm`` so the marketplace stops returning them; ``more`` says another batch waits.
    """

    events: Sequence[WebhookEvent]
    confirm: Callable[[], Awaitable[None]]
    more: bool = False


def signatures_match(expected: str | bytes, given: str | bytes) -> bool:
    """Constant-time comparison, so a forger learns nothing from response times."""
    left = expected.encode() if isinstance(expected, str) else expected
    right = given.encode() if isinstance(given, str) else given
    return hmac.compare_digest(left, right)


def webhook_payload(body: bytes, marketplace: str) -> JsonObject:
    """A notification's body as a JSON object; anything else is rejected, naming the sender."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WebhookRejectedError(f"{marketplace} webhook body is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise WebhookRejectedError(f"{marketplace} webhook body must be a JSON object")
    return payload
