"""``POST /webhooks/{marketplace}``: marketplaces' push notifications, verified and queued.

No bearer token: a marketplace proves itself with a signature keyed by its app's secret. The
shop is unknown until the body is trusted, so the body is tried against every distinct app
key set among the marketplace's enabled shops (the comparisons inside ``parse_webhook`` are
constant-time). The answer comes fast because nothing here calls a marketplace: verify, record
(de-duplicated), queue the pull of the items it names (``accept_webhook``), answer 200 with
an empty body (Shopee and TikTok want it empty). A refused notification changes nothing and
gets 401. Behind a proxy that rewrites host or scheme, ``web.public_url`` is the address
signatures over the URL are checked against.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from syncer.adapter import Adapter, Credentials, WebhookEvent, WebhookRejectedError
from syncer.adapter.registry import available_adapters, load_adapter
from syncer.errors import ConfigError, UnknownAdapterError
from syncer.scheduler.webhooks import accept_webhook
from syncer.store import shops as shop_store
from syncer.web.state import WebState, web_state

log = structlog.get_logger("syncer.webhooks")
router = APIRouter(tags=["webhooks"])
State = Annotated[WebState, Depends(web_state)]

KEYS_TTL_S = 30.0
"""How long decrypted app keys are reused: a burst of pushes decrypts each shop once; a shop
connected with a new app is verifiable after at most this long."""
MAX_BODY_BYTES = 1 << 20  # notifications are a few hundred bytes
# Push secrets some marketplaces keep beside the app's keys (Blibli's webhook settings).
WEBHOOK_SECRET_KEYS = ("webhook_signature_key", "webhook_token")


@dataclass(frozen=True, slots=True)
class KeySet:
    credentials: Credentials
    shops: frozenset[str]
    """External ids of the shops connected with these keys."""


@dataclass(slots=True)
class KeyCache:
    """Per app: marketplace -> (monotonic expiry, key sets), loaded single-flight."""

    entries: dict[str, tuple[float, list[KeySet]]] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def key_sets(self, state: WebState, adapter: type[Adapter]) -> list[KeySet]:
        cached = self.entries.get(adapter.name)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        async with self.lock:
            cached = self.entries.get(adapter.name)
            if cached is not None and cached[0] > time.monotonic():
                return cached[1]
            found = await _load_key_sets(state, adapter)
            self.entries[adapter.name] = (time.monotonic() + KEYS_TTL_S, found)
            return found


async def _load_key_sets(state: WebState, adapter: type[Adapter]) -> list[KeySet]:
    async with state.database.read() as connection:
        shops = [
            shop
            for shop in await shop_store.list_shops(connection, enabled_only=True)
            if shop.marketplace == adapter.name
        ]
    cipher = state.adapters.cipher
    wanted = adapter.app_credential_keys + WEBHOOK_SECRET_KEYS

    def decrypt_all() -> list[KeySet]:  # in a thread: thousands of shops take a while
        grouped: dict[tuple[tuple[str, str], ...], set[str]] = {}
        for shop in shops:
            try:
                secrets = cipher.decrypt(shop.credentials)
            except ConfigError as exc:  # one unreadable shop must not refuse every push
                log.warning("webhook.credentials_unreadable", shop_id=shop.id, error=str(exc))
                continue
            app = tuple(sorted((key, secrets[key]) for key in wanted if secrets.get(key)))
            if app:
                grouped.setdefault(app, set()).add(shop.external_shop_id)
        return [KeySet(dict(app), frozenset(ids)) for app, ids in grouped.items()]

    return await asyncio.to_thread(decrypt_all)


def _cache(request: Request) -> KeyCache:
    cache: KeyCache | None = getattr(request.app.state, "webhook_keys", None)
    if cache is None:
        cache = request.app.state.webhook_keys = KeyCache()
    return cache


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _takes_webhooks(adapter: type[Adapter]) -> bool:
    """Whether the adapter overrides ``parse_webhook`` (the base refuses every push)."""
    return any("parse_webhook" in vars(cls) for cls in adapter.__mro__ if cls is not Adapter)


def _webhook_adapter(marketplace: str) -> type[Adapter] | JSONResponse:
    """The adapter whose pushes this URL takes, or the 404 that says which URLs exist."""
    try:
        adapter = load_adapter(marketplace)
    except UnknownAdapterError:
        adapter = None
    if adapter is None or not _takes_webhooks(adapter):
        takes = [name for name in available_adapters() if _takes_webhooks(load_adapter(name))]
        return _error(
            404,
            "not_found",
            f"no webhooks for marketplace {marketplace!r}; this service takes "
            + ", ".join(f"/webhooks/{name}" for name in takes),
        )
    return adapter


def _verified(
    adapter: type[Adapter],
    key_sets: list[KeySet],
    *,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
) -> list[WebhookEvent] | str:
    """The events of the first key set the notification verifies with, or why none did."""
    reasons: list[str] = []
    for key_set in key_sets:
        try:
            events = adapter.parse_webhook(
                url=url, headers=headers, body=body, app_credentials=key_set.credentials
            )
        except WebhookRejectedError as exc:
            reasons.append(str(exc))
            continue
        # Keys of one app vouch only for that app's shops: a business that brought its own
        # app keys cannot make another app's shop pull.
        others = [ks.shops for ks in key_sets if ks is not key_set]
        vouched = []
        for event in events:
            if event.shop_external_id not in key_set.shops and any(
                event.shop_external_id in shops for shops in others
            ):
                log.warning(
                    "webhook.foreign_shop", marketplace=adapter.name, shop=event.shop_external_id
                )
                continue
            vouched.append(event)
        return vouched
    if not key_sets:
        return (
            f"no enabled {adapter.name} shop is connected, so no key can verify this notification"
        )
    return "; ".join(dict.fromkeys(reasons))


def signed_url(request: Request, public_url: str) -> str:
    """The URL as the sender used it (Shopee and Blibli sign it).

    ``web.public_url`` set: that address plus the path and query that reached us, for a proxy
    that rewrites host or scheme (or strips a path prefix). Unset: the request's own URL
    (uvicorn takes scheme and host from X-Forwarded-* of the proxies it trusts).
    """
    if not public_url:
        return str(request.url)
    query = request.url.query
    return public_url + request.url.path + (f"?{query}" if query else "")


@router.post("/webhooks/{marketplace}", summary="A marketplace's push notification")
@router.post("/webhooks/{marketplace}/{topic}", summary="A push notification for one topic")
async def receive(marketplace: str, request: Request, state: State) -> Response:
    """Blibli posts each topic to its own URL (``/webhooks/blibli/product_changes``)."""
    adapter = _webhook_adapter(marketplace)
    if isinstance(adapter, JSONResponse):
        return adapter
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return _error(413, "too_large", f"a notification may carry at most {MAX_BODY_BYTES} bytes")
    key_sets = await _cache(request).key_sets(state, adapter)
    url = signed_url(request, state.settings.web.public_url)
    verified = _verified(adapter, key_sets, url=url, headers=request.headers, body=body)
    if isinstance(verified, str):
        log.warning("webhook.rejected", marketplace=marketplace, reason=verified)
        return _error(401, "webhook_rejected", verified)
    for event in verified:
        await accept_webhook(state.runtime, event)
    return Response(status_code=200)
