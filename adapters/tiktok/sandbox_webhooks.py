"""TikTok Shop sandbox: webhooks 5, 15 and 27 pushed, signed, to the URL registered through the
control API, from a background thread (catalog changes never wait for the receiver).

Delivery follows the configuration guide: POST JSON, success is HTTP 200 (401 = the receiver
refused the signature, also final) within 3 seconds; otherwise retries after 2 min, 30 min,
3 h and 12 h on the sandbox clock, then give up. Every attempt is logged for tests.
"""

from __future__ import annotations

import json
import os
import threading
from collections import deque
from dataclasses import dataclass, field

import httpx

from adapters.tiktok.sandbox_auth import Identity
from adapters.tiktok.sandbox_errors import JSONObject, TikTokSandboxSettings
from adapters.tiktok.sandbox_store import TikTokProduct, TikTokSku
from adapters.tiktok.signing import webhook_signature
from syncer.sandbox import SandboxClock

TYPES = (5, 15, 27)
ACK_SECONDS = 3.0


@dataclass(slots=True)
class _Pending:
    body: bytes
    notification_id: str
    due: float
    attempt: int = 0


@dataclass(slots=True)
class Delivery:
    notification_id: str
    type: int
    attempt: int
    status: int | None  # None: no answer (refused, timed out)


@dataclass(slots=True)
class _Subscription:
    url: str = ""
    types: frozenset[int] = frozenset(TYPES)
    log: list[Delivery] = field(default_factory=list)


class WebhookHub:
    def __init__(
        self, identity: Identity, clock: SandboxClock, settings: TikTokSandboxSettings
    ) -> None:
        self._identity = identity
        self._clock = clock
        self._settings = settings
        self._sub = _Subscription()
        self._queue: deque[_Pending] = deque()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._busy = 0

    # -- registration (control API) ----------------------------------------------------------

    def register(self, url: str, types: frozenset[int] | None = None) -> None:
        with self._wake:
            self._sub.url = url
            self._sub.types = types or frozenset(TYPES)

    def snapshot(self) -> JSONObject:
        with self._wake:
            return {
                "url": self._sub.url,
                "types": sorted(self._sub.types),
                "pending": len(self._queue),
                "deliveries": [
                    {
                        "tts_notification_id": d.notification_id,
                        "type": d.type,
                        "attempt": d.attempt,
                        "status": d.status,
                    }
                    for d in self._sub.log
                ],
            }

    # -- events ------------------------------------------------------------------------------

    def product_status(self, item: TikTokProduct, status: str, reason: str = "") -> None:
        data = {
            "product_id": str(item.product_id),
            "status": status,
            "suspended_reason": reason,
            "update_time": item.update_time,
        }
        self._emit(5, data)

    def product_info(self, item: TikTokProduct, fields: list[str], *, source: str) -> None:
        live = "ACTIVATE" in item.platforms.values()
        if live:  # "triggered when changes to a live product's properties take effect"
            data = {
                "product_id": str(item.product_id),
                "change_source": source,
                "changed_fields": fields,
                "update_time": item.update_time,
            }
            self._emit(15, data)

    def inventory(self, item: TikTokProduct, sku: TikTokSku, before: int) -> None:
        """Type 27 (REALTIME): only when stock drops to LOW_STOCK or OUT_OF_STOCK."""
        threshold = self._settings.low_stock_threshold
        if sku.stock >= before or sku.stock > threshold:
            return
        data = {
            "product_id": str(item.product_id),
            "sku_id": str(sku.sku_id),
            "trigger_reason": {"alert_type": "REALTIME", "low_stock_threshold": threshold},
            "current_inventory_status": "OUT_OF_STOCK" if sku.stock == 0 else "LOW_STOCK",
            "inventory_distribution": {
                "total_quantity": sku.stock,
                "available_quantity": sku.stock,
                "creator_reserved_quantity": 0,
                "campaign_reserved_quantity": 0,
                "committed_quantity": 0,
            },
            "update_time": self._clock.unix(),
        }
        self._emit(27, data)

    def _emit(self, kind: int, data: JSONObject) -> None:
        with self._wake:
            if not self._sub.url or kind not in self._sub.types:
                return
            notification_id = str(7_300_000_000_000_000_000 + int.from_bytes(os.urandom(7), "big"))
            envelope = {
                "type": kind,
                "tts_notification_id": notification_id,
                "shop_id": self._identity.shop_id,
                "timestamp": self._clock.unix(),
                "data": data,
            }
            body = json.dumps(envelope, separators=(",", ":")).encode()
            self._queue.append(_Pending(body, notification_id, self._clock.timestamp()))
            self._start()
            self._wake.notify_all()

    # -- delivery ----------------------------------------------------------------------------

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="tiktok-webhooks", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        with httpx.Client(timeout=ACK_SECONDS) as client:
            while True:
                pending = self._next()
                self._deliver(client, pending)

    def _next(self) -> _Pending:
        with self._wake:
            while True:
                now = self._clock.timestamp()
                due = [p for p in self._queue if p.due <= now]
                if due:
                    self._queue.remove(due[0])
                    self._busy += 1
                    return due[0]
                self._wake.wait(timeout=0.2)

    def _deliver(self, client: httpx.Client, pending: _Pending) -> None:
        identity = self._identity
        headers = {
            "Authorization": webhook_signature(identity.app_key, identity.app_secret, pending.body),
            "Content-Type": "application/json",
        }
        status: int | None
        try:
            status = client.post(self._sub.url, content=pending.body, headers=headers).status_code
        except httpx.HTTPError:
            status = None
        kind = json.loads(pending.body)["type"]
        with self._wake:
            self._busy -= 1
            pending.attempt += 1
            self._sub.log.append(Delivery(pending.notification_id, kind, pending.attempt, status))
            delays = self._settings.webhook_retry_delays
            if status not in (200, 401) and pending.attempt <= len(delays):
                pending.due = self._clock.timestamp() + delays[pending.attempt - 1]
                self._queue.append(pending)
            self._wake.notify_all()

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until nothing is due or in flight (tests); False if still busy at ``timeout``."""
        with self._wake:
            return self._wake.wait_for(
                lambda: (
                    self._busy == 0
                    and not any(p.due <= self._clock.timestamp() for p in self._queue)
                ),
                timeout,
            )
