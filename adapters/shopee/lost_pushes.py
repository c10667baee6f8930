"""Shopee's missed-push recovery (marketplaces/README 2.7, official ``v2.push.*`` pages).

``GET /api/v2/push/get_lost_push_message`` (Public sign, no request parameters) answers the
earliest 100 pushes lost within the last 3 days and not yet confirmed:
``response{push_message_list[{shop_id, code, timestamp, data}], has_next_page,
last_message_id}``; ``POST /api/v2/push/confirm_consumed_lost_push_message
{last_message_id}`` (Public sign) confirms everything up to that id. Both are partner-level:
one list per app, whatever shop a push is about.
"""

from __future__ import annotations

import json

from adapters.shopee import webhooks
from syncer.adapter import (
    HttpAdapter,
    JsonObject,
    LostWebhooks,
    PayloadError,
    WebhookEvent,
    WebhookRejectedError,
    get_bool,
    get_objects,
)
from syncer.errors import MalformedResponseError

GET_LOST = "/api/v2/push/get_lost_push_message"
CONFIRM_LOST = "/api/v2/push/confirm_consumed_lost_push_message"
PATHS = frozenset({GET_LOST, CONFIRM_LOST})


def message_payload(message: JsonObject) -> JsonObject:
    """The push envelope a lost message stands for.

    ``data`` is a JSON string; in the official sample it holds the whole push body
    (``{data, shop_id, code, timestamp}``). [I] A ``data`` without ``code`` is taken as the
    push's inner ``data`` and wrapped with the message's own ``shop_id``/``code``/``timestamp``.
    """
    raw = message.get("data")
    try:
        inner = json.loads(raw) if isinstance(raw, str) and raw else raw
    except json.JSONDecodeError as exc:
        raise PayloadError(f"lost push data is not JSON: {exc}") from exc
    if isinstance(inner, dict) and "code" in inner:
        return inner
    envelope = {k: message[k] for k in ("shop_id", "code", "timestamp") if k in message}
    return {**envelope, "data": inner if isinstance(inner, dict) else {}}


def message_events(messages: list[JsonObject], adapter: HttpAdapter) -> list[WebhookEvent]:
    """Events of the product pushes among ``messages``; an unreadable one is logged and
    skipped (it can never be read, and holding it back would stop every later one)."""
    events: list[WebhookEvent] = []
    for message in messages:
        try:
            events += webhooks.events_of(message_payload(message))
        except (PayloadError, WebhookRejectedError) as exc:
            adapter.log.warning("shopee.lost_push_unreadable", error=str(exc))
    return events


async def fetch(adapter: HttpAdapter) -> LostWebhooks:
    """One batch of lost pushes, with the call that confirms it."""
    answer = await adapter.call("GET", GET_LOST, operation="get_lost_push_message", refresh=False)
    try:
        # [I] no ``response`` at all is read as an empty list.
        body = answer.get("response") or {}
        if not isinstance(body, dict):
            raise PayloadError("response is not an object")
        messages = get_objects(body, "push_message_list", required=False)
        more = get_bool(body, "has_next_page", default=False)
        last = body.get("last_message_id")
    except PayloadError as exc:
        raise MalformedResponseError(
            f"get_lost_push_message answered an unexpected shape: {exc}"
        ) from exc

    async def confirm() -> None:
        if not messages or not isinstance(last, int) or isinstance(last, bool):
            return  # nothing was handed out, so nothing to confirm
        await adapter.call(
            "POST",
            CONFIRM_LOST,
            body={"last_message_id": last},
            operation="confirm_consumed_lost_push_message",
            refresh=False,
        )

    return LostWebhooks(events=message_events(messages, adapter), confirm=confirm, more=more)
