"""Shopee sandbox pushes: signed ``url|body`` POSTs to the callback URL, and lost pushes kept.

Delivery (marketplaces/README 2.7): POST JSON ``{shop_id, code, timestamp, data}`` with
``Authorization`` = hex HMAC-SHA256(partner_key, ``url|body``); only a 2xx with an empty body
counts. Pushes are delivered at once, awaited by the control call that caused them, so tests
see them without polling. [I] Shopee's retry schedule is not in the stored docs: the sandbox
does not retry; a failed delivery (no connection, timeout, any other answer) becomes a lost
push at once, which ``get_lost_push_message`` returns (earliest 100, lost within 3 days on the
sandbox clock) until ``confirm_consumed_lost_push_message`` confirms it.

Control routes (beside the common ones)::

    POST /_sandbox/push/config  {"callback_url": ...}       (set_app_push_config's URL)
    POST /_sandbox/push/send    {"code": 22, "item_id": ..., "data"?: {...}} -> the delivery
    GET  /_sandbox/push         {"callback_url", "deliveries", "lost", "unconfirmed"}
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

import httpx
from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from adapters.shopee.sandbox_auth import Identity
from adapters.shopee.sandbox_errors import JSONObject, Reply, ShopeeError, wrong_parameters
from adapters.shopee.sandbox_params import Call
from adapters.shopee.webhooks import push_signature
from syncer.sandbox import ControlError, SandboxClock, control_endpoint
from syncer.sandbox.responses import opt_str, read_json_object, req_int

LOST_WINDOW_S = 3 * 86400  # "lost within 3 days of the current time"
LOST_PAGE = 100  # "the earliest 100"
DATA_NOT_EXIST = ("error_data", "data not exist")
ACK_TIMEOUT_S = 5.0  # [I] no documented deadline; Shopee counts a slow answer as failed


@dataclass(frozen=True, slots=True)
class LostPush:
    message_id: int
    shop_id: int
    code: int
    timestamp: int
    data: str
    """The push body as a JSON string, keys in the official sample's order."""


@dataclass(slots=True)
class PushCenter:
    identity: Identity
    clock: SandboxClock
    callback_url: str = ""
    deliveries: list[JSONObject] = field(default_factory=list)
    lost: list[LostPush] = field(default_factory=list)
    confirmed_up_to: int = 0
    next_id: int = 176_600  # near the docs' sample id 176610
    lock: threading.Lock = field(default_factory=threading.Lock)

    # -- sending ---------------------------------------------------------------------------

    async def send(self, code: int, data: JSONObject) -> JSONObject:
        """Push ``data`` under ``code`` for the shop; the delivery's record."""
        now = self.clock.unix()
        envelope = {"shop_id": self.identity.shop_id, "code": code, "timestamp": now, "data": data}
        body = json.dumps(envelope, separators=(",", ":")).encode()
        url = self.callback_url
        record: JSONObject = {"code": code, "url": url, "item_id": data.get("item_id")}
        try:
            if not url:
                raise httpx.InvalidURL("no callback URL is set")
            headers = {
                "Authorization": push_signature(self.identity.partner_key, url, body),
                "Content-Type": "application/json",
            }
            async with httpx.AsyncClient(timeout=ACK_TIMEOUT_S) as client:
                answer = await client.post(url, content=body, headers=headers)
            record["status"] = answer.status_code
            delivered = answer.is_success and not answer.content
        except httpx.HTTPError as exc:
            record |= {"status": 0, "error": type(exc).__name__}
            delivered = False
        with self.lock:
            self.deliveries.append(record)
            if not delivered:
                self._keep_lost(code, now, data)
        record["lost"] = not delivered
        return record

    def _keep_lost(self, code: int, now: int, data: JSONObject) -> None:
        self.next_id += 1
        # The sample's ``data`` string starts with ``data``: another key order than the push.
        sample_order = {"data": data, "shop_id": self.identity.shop_id, "code": code}
        sample_order["timestamp"] = now
        text = json.dumps(sample_order, separators=(",", ":"))
        self.lost.append(LostPush(self.next_id, self.identity.shop_id, code, now, text))

    # -- the documented endpoints (Public sign) --------------------------------------------

    def _unconfirmed(self, now: int) -> list[LostPush]:
        return [
            push
            for push in self.lost
            if push.message_id > self.confirmed_up_to and push.timestamp >= now - LOST_WINDOW_S
        ]

    def get_lost_push_message(self, call: Call) -> Reply:
        with self.lock:
            waiting = self._unconfirmed(call.now)
        page = waiting[:LOST_PAGE]
        messages: list[object] = [
            {"shop_id": p.shop_id, "code": p.code, "timestamp": p.timestamp, "data": p.data}
            for p in page
        ]
        return Reply(
            {
                "push_message_list": messages,
                "has_next_page": len(waiting) > LOST_PAGE,
                # [I] with nothing waiting, the last confirmed id (the docs show no empty case)
                "last_message_id": page[-1].message_id if page else self.confirmed_up_to,
            }
        )

    def confirm_consumed_lost_push_message(self, call: Call) -> Reply:
        last = call.body.get("last_message_id")
        if not isinstance(last, int) or isinstance(last, bool) or last <= 0:
            raise wrong_parameters("last_message_id must be a positive integer")
        with self.lock:
            if not any(push.message_id == last for push in self.lost):
                raise ShopeeError(DATA_NOT_EXIST)  # [I] an id never handed out
            self.confirmed_up_to = max(self.confirmed_up_to, last)
        return Reply()

    # -- control ---------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/push", control_endpoint(self._snapshot), methods=["GET"]),
            Route("/push/config", control_endpoint(self._config), methods=["POST"]),
            Route("/push/send", control_endpoint(self._send), methods=["POST"]),
        ]

    async def _snapshot(self, request: Request) -> object:
        with self.lock:
            return {
                "callback_url": self.callback_url,
                "deliveries": list(self.deliveries),
                "lost": [push.message_id for push in self.lost],
                "unconfirmed": len(self._unconfirmed(self.clock.unix())),
            }

    async def _config(self, request: Request) -> object:
        body = await read_json_object(request)
        url = opt_str(body, "callback_url")
        if url and not url.startswith(("http://", "https://")):
            raise ControlError(f"callback_url must be an http(s) URL, not {url!r}")
        self.callback_url = url
        return {"callback_url": url}

    async def _send(self, request: Request) -> object:
        body = await read_json_object(request)
        extra = body.get("data", {})
        if not isinstance(extra, dict):
            raise ControlError("data must be a JSON object")
        data: JSONObject = {"item_id": req_int(body, "item_id"), "update_time": self.clock.unix()}
        return await self.send(req_int(body, "code"), data | extra)
