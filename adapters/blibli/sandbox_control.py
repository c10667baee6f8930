"""Blibli sandbox control routes beside the common ones (all under ``/_sandbox``):

    GET  truth                      {"listings": [row...], "malformed": [product sku...]}
    POST mutate                     {"action", "product_sku", "blibli_sku"?, "value"?} -> rows
         actions: sell, set_price, set_stock (a SKU, or every SKU of the product), unlist,
         relist, delete, malform, suspend, archive, activate, review, need_correction
    GET  webhooks | POST webhooks   {"url", "signature_key"?, "token"?, "topics"?} | {"url": null}
    GET  queue | POST queue         {"polls", "delay_seconds", "fail_skus": {sku: reason}}
                                    | {"flush": true}
    GET  budgets | POST budgets     {operation: {"limit", "window_seconds"}} | {"reset": true}
    POST auth                       {"rotate_seller_key": true} | {"bound": bool}
                                    | {"signature_key": s|null}

Mutations act as the seller or Blibli would, bypassing API validation; each bumps the
product's ``updatedDate`` and sends the matching webhook.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from adapters.blibli.sandbox_errors import DOCUMENTED_BUDGETS, BlibliSandboxSettings
from adapters.blibli.sandbox_gateway import BlibliGateway
from adapters.blibli.sandbox_queue import BulkQueue
from adapters.blibli.sandbox_store import BlibliProduct, BlibliStore
from adapters.blibli.sandbox_webhooks import (
    TOPICS,
    Registration,
    WebhookSender,
    product_payload,
    stock_payload,
    suspended_payload,
)
from syncer.sandbox import ControlError, control_endpoint
from syncer.sandbox.responses import as_int, opt_float, opt_str, read_json_object

JSONObject = dict[str, object]
_STATE_ACTIONS = {
    "suspend": "SUSPENDED",
    "archive": "ARCHIVED",
    "activate": "ACTIVE",
    "review": "IN_PROGRESS",
    "need_correction": "NEED_CORRECTION",
}
_SKU_ACTIONS = ("sell", "set_price", "set_stock")
ACTIONS = (*_SKU_ACTIONS, "unlist", "relist", "delete", "malform", *_STATE_ACTIONS)


class Mutator:
    """Seller- and Blibli-side changes; returns the webhooks they cause."""

    def __init__(self, store: BlibliStore, now_ms: Callable[[], int]) -> None:
        self.store = store
        self.now_ms = now_ms

    def apply(
        self, action: str, product_sku: str, blibli_sku: str = "", value: int = 0
    ) -> list[tuple[str, JSONObject]]:
        if action not in ACTIONS:
            raise ControlError(f"unknown action {action!r}; allowed: {', '.join(ACTIONS)}")
        with self.store.lock:
            product = self.store.find(product_sku)
            if product is None:
                raise ControlError(f"product {product_sku!r} not found", status=404)
            now = self.now_ms()
            code = self.store.store_code
            if action == "delete":
                self.store.delete(product_sku)
                return [("product_changes", product_payload(product, code, now))]
            product.updated_ms = now
            if action in _SKU_ACTIONS:
                return self._units(product, action, blibli_sku, value)
            if action in ("unlist", "relist"):
                for sku in product.skus:
                    sku.buyable = sku.displayable = action == "relist"
            elif action == "malform":
                product.malformed = True
            else:
                product.state = _STATE_ACTIONS[action]
            if action == "suspend":
                return [("product_suspended", suspended_payload(product, code, now))]
            return [("product_changes", product_payload(product, code, now))]

    def _units(
        self, product: BlibliProduct, action: str, blibli_sku: str, value: int
    ) -> list[tuple[str, JSONObject]]:
        skus = [s for s in product.skus if not blibli_sku or s.blibli_sku == blibli_sku]
        if not skus:
            raise ControlError(f"SKU {blibli_sku!r} is not in {product.sku}", status=404)
        for sku in skus:
            unit = sku.variant
            if action == "sell":
                unit.stock = max(0, unit.stock - value)
            elif action == "set_stock":
                unit.stock = max(0, value)
            else:
                unit.price = value
            unit.reserved_stock = min(unit.reserved_stock, unit.stock)
        code, now = self.store.store_code, product.updated_ms
        if action == "set_price":
            return [("product_changes", product_payload(product, code, now))]
        return [("stock_update_changes", stock_payload(product, code, now))]


class BlibliControl:
    def __init__(
        self,
        *,
        store: BlibliStore,
        gateway: BlibliGateway,
        queue: BulkQueue,
        webhooks: WebhookSender,
        settings: BlibliSandboxSettings,
        mutator: Mutator,
        job_finished: Callable[..., Awaitable[None]],
    ) -> None:
        self.store = store
        self.gateway = gateway
        self.queue = queue
        self.webhooks = webhooks
        self.settings = settings
        self.mutator = mutator
        self.job_finished = job_finished

    def routes(self) -> list[BaseRoute]:
        both = ["GET", "POST"]
        return [
            Route("/truth", control_endpoint(self._truth), methods=["GET"]),
            Route("/mutate", control_endpoint(self._mutate), methods=["POST"]),
            Route("/webhooks", control_endpoint(self._webhooks), methods=both),
            Route("/queue", control_endpoint(self._queue), methods=both),
            Route("/budgets", control_endpoint(self._budgets), methods=both),
            Route("/auth", control_endpoint(self._auth), methods=["POST"]),
        ]

    async def _truth(self, request: Request) -> object:
        rows = self.store.truth()
        malformed = sorted({str(row["product_sku"]) for row in rows if row["malformed"]})
        return {"listings": rows, "malformed": malformed}

    async def _mutate(self, request: Request) -> object:
        body = await read_json_object(request)
        product_sku = opt_str(body, "product_sku")
        value = as_int(body.get("value", 0), "value")
        hooks = self.mutator.apply(
            opt_str(body, "action"), product_sku, opt_str(body, "blibli_sku"), value
        )
        for topic, payload in hooks:
            await self.webhooks.send(topic, payload)
        return {"listings": [r for r in self.store.truth() if r["product_sku"] == product_sku]}

    async def _webhooks(self, request: Request) -> object:
        if request.method == "POST":
            body = await read_json_object(request)
            url = body.get("url")
            if url is None:
                self.webhooks.registration = None
            elif not isinstance(url, str) or not url.startswith(("http://", "https://")):
                raise ControlError("url must be an http(s) URL, or null to stop sending")
            else:
                topics = body.get("topics", list(TOPICS))
                if not isinstance(topics, list) or not set(topics) <= set(TOPICS):
                    raise ControlError(f"topics must be a list drawn from {', '.join(TOPICS)}")
                self.webhooks.registration = Registration(
                    url,
                    opt_str(body, "signature_key"),
                    opt_str(body, "token"),
                    frozenset(str(t) for t in topics),
                )
        return self.webhooks.snapshot()

    async def _queue(self, request: Request) -> object:
        if request.method == "POST":
            body = await read_json_object(request)
            if body.get("flush"):
                for job in self.queue.flush():
                    await self.job_finished(job)
            if "polls" in body:
                self.settings.queue_polls = max(1, as_int(body["polls"], "polls"))
            delay = opt_float(body, "delay_seconds")
            if delay is not None:
                self.settings.queue_delay_s = max(0.0, delay)
            fail = body.get("fail_skus")
            if fail is not None:
                if not isinstance(fail, dict):
                    raise ControlError("fail_skus must be an object of SKU -> reason")
                self.queue.fail_skus = {str(k): str(v) for k, v in fail.items()}
        return {
            "polls": self.settings.queue_polls,
            "delay_seconds": self.settings.queue_delay_s,
            "fail_skus": dict(self.queue.fail_skus),
            "jobs": {job_id: job.detail() for job_id, job in self.queue.jobs.items()},
        }

    async def _budgets(self, request: Request) -> object:
        if request.method == "POST":
            body = await read_json_object(request)
            budgets = dict(self.settings.budgets)
            if body.pop("reset", False):
                budgets = dict(DOCUMENTED_BUDGETS)
            for operation, rule in body.items():
                if not isinstance(rule, dict):
                    raise ControlError(f"{operation} must be {{limit, window_seconds}}")
                limit = as_int(rule.get("limit"), "limit")
                window = opt_float(rule, "window_seconds") or 60.0
                if limit < 1 or window <= 0:
                    raise ControlError("limit must be >= 1 and window_seconds > 0")
                budgets[operation] = (limit, window)
            self.gateway.configure_budgets(budgets)
        return {
            op: {"limit": limit, "window_seconds": window}
            for op, (limit, window) in self.settings.budgets.items()
        }

    async def _auth(self, request: Request) -> object:
        body = await read_json_object(request)
        ident = self.gateway.identity
        assert ident is not None
        if body.get("rotate_seller_key"):
            ident = replace(ident, api_seller_key=secrets.token_hex(16))
        if "bound" in body:
            ident = replace(ident, bound=bool(body["bound"]))
        if "signature_key" in body:
            key = body["signature_key"]
            ident = replace(ident, signature_key=key if isinstance(key, str) else "")
        self.gateway.identity = ident
        return {
            "store_code": ident.store_code,
            "bound": ident.bound,
            "signed": bool(ident.signature_key),
        }
