"""TikTok Shop sandbox control routes beside the common ones: truth, mutate, auth, webhooks.

    GET  /_sandbox/truth[?product_id=..]  {"listings": [TruthRow...], "malformed": [id...]}
    POST /_sandbox/mutate                 {"action", "product_id", "sku_id"?, ...} -> the rows
    POST /_sandbox/auth/revoke            the seller deauthorizes the app
    POST /_sandbox/auth/code              the seller (re-)authorizes: {"code", "shop_id", ...}
    POST /_sandbox/auth/expire            the current access token expires now
    GET  /_sandbox/webhooks | POST {url, types?}   where webhooks 5/15/27 go, and deliveries

Mutations act as the seller or the platform would (a sale, a ban ...), bypassing API
validation; each bumps the product's ``update_time`` and may send a webhook. Status actions take
an optional ``platform`` (TIKTOK_SHOP or TOKOPEDIA) to act on one storefront only.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from adapters.tiktok.sandbox_auth import TikTokAuth
from adapters.tiktok.sandbox_errors import JSONObject
from adapters.tiktok.sandbox_render import MALFORMATIONS
from adapters.tiktok.sandbox_store import TikTokProduct, TikTokSku, TikTokStore
from adapters.tiktok.sandbox_webhooks import TYPES, WebhookHub
from adapters.tiktok.status import PLATFORM_NAMES, raw_status
from syncer.sandbox import ControlError, SandboxClock, control_endpoint
from syncer.sandbox.edits import malformation, new_price, new_stock, random_edit, sold_quantity
from syncer.sandbox.responses import as_int, opt_int, opt_str, read_json_object, req_int

STATUS_ACTIONS = {
    "unlist": "SELLER_DEACTIVATED",
    "relist": "ACTIVATE",
    "ban": "PLATFORM_DEACTIVATED",
    "freeze": "FREEZE",
    "review": "PENDING",
    "reject": "FAILED",
    "delete": "DELETED",
}
_RANDOM = (
    ("sell", 30),
    ("set_price", 20),
    ("set_stock", 20),
    ("unlist", 6),
    ("relist", 8),
    ("ban", 3),
    ("delete", 2),
)


def truth_rows(item: TikTokProduct) -> list[JSONObject]:
    return [
        {
            "product_id": str(item.product_id),
            "sku_id": str(sku.sku_id),
            "seller_sku": sku.variant.sku,
            "title": item.product.name,
            "variant_name": sku.variant.label,
            "price": sku.variant.price,
            "stock": sku.stock,
            "warehouses": dict(zip(sku.warehouses, sku.quantities, strict=True)),
            "platforms": dict(item.platforms),
            "sku_status": sku.status,
            "raw_status": raw_status(item.platforms, sku.status),
            "status": item.normalized(sku).value,
            "price_locked": item.price_locked,
            "update_time": item.update_time,
        }
        for sku in item.skus
    ]


@dataclass(frozen=True, slots=True)
class TikTokControl:
    store: TikTokStore
    auth: TikTokAuth
    clock: SandboxClock
    hooks: WebhookHub
    settle: Callable[[], None]  # due audits go live before anyone reads the truth

    def routes(self) -> list[BaseRoute]:
        both = ["GET", "POST"]
        return [
            Route("/truth", control_endpoint(self._truth), methods=["GET"]),
            Route("/mutate", control_endpoint(self._mutate), methods=["POST"]),
            Route("/auth/revoke", control_endpoint(self._revoke), methods=["POST"]),
            Route("/auth/code", control_endpoint(self._code), methods=["POST"]),
            Route("/auth/expire", control_endpoint(self._expire), methods=["POST"]),
            Route("/webhooks", control_endpoint(self._webhooks), methods=both),
        ]

    async def _truth(self, request: Request) -> object:
        raw = request.query_params.getlist("product_id")
        self.settle()
        with self.store.lock:
            items = sorted(self.store.products.values(), key=lambda item: item.product_id)
            if raw:
                wanted = {int(value) for value in raw if value.isdecimal()}
                items = [item for item in items if item.product_id in wanted]
            malformed = sorted(
                str(item.product_id) for item in self.store.products.values() if item.malformed
            )
            return {
                "listings": [row for item in items for row in truth_rows(item)],
                "malformed": malformed,
            }

    async def _mutate(self, request: Request) -> object:
        body = await read_json_object(request)
        with self.store.lock:
            return self.mutate(body)

    async def _revoke(self, request: Request) -> object:
        self.auth.revoke()
        return {"revoked": True, "shop_id": self.auth.identity.shop_id}

    async def _code(self, request: Request) -> object:
        return {
            "code": self.auth.mint_code(),
            "shop_id": self.auth.identity.shop_id,
            "expire_in": 1800,
        }

    async def _expire(self, request: Request) -> object:
        self.auth.expire_access()
        return {"expired": True}

    async def _webhooks(self, request: Request) -> object:
        if request.method == "POST":
            body = await read_json_object(request)
            url = opt_str(body, "url")
            if url and not url.startswith(("http://", "https://")):
                raise ControlError("url must be an http(s) URL")
            raw_types = body.get("types", list(TYPES))
            if not isinstance(raw_types, list):
                raise ControlError(f"types must be a list of {list(TYPES)}")
            types = frozenset(as_int(value, "types") for value in raw_types)
            if not types <= set(TYPES):
                raise ControlError(f"types must be among {list(TYPES)}")
            self.hooks.register(url, types)
        return self.hooks.snapshot()

    # -- mutations ---------------------------------------------------------------------------

    def mutate(self, body: JSONObject) -> JSONObject:
        action = opt_str(body, "action")
        if action == "random":
            return self._random(req_int(body, "count"), opt_int(body, "seed", 0))
        edits = self._edits()
        if action not in edits and action not in STATUS_ACTIONS and action != "purge":
            known = sorted([*edits, *STATUS_ACTIONS, "purge", "random"])
            raise ControlError(f"unknown action {action!r}; known: {', '.join(known)}")
        item = self._item(body)
        if action == "purge":
            self.store.purge(item)
            return {"action": action, "product_id": str(item.product_id), "listings": []}
        if action in STATUS_ACTIONS:
            self._status(item, STATUS_ACTIONS[action], opt_str(body, "platform"))
        else:
            edits[action](item, body)
        self.store.touch(item, self.clock.unix())
        self._notify(item, action)
        return {"action": action, "product_id": str(item.product_id), "listings": truth_rows(item)}

    def _edits(self) -> dict[str, Callable[[TikTokProduct, JSONObject], None]]:
        return {
            "sell": self._sell,
            "set_price": self._set_price,
            "set_stock": self._set_stock,
            "set_title": self._set_title,
            "promote": lambda item, _body: setattr(item, "price_locked", True),
            "unpromote": lambda item, _body: setattr(item, "price_locked", False),
            "malform": self._malform,
        }

    def _notify(self, item: TikTokProduct, action: str) -> None:
        if action in STATUS_ACTIONS:
            self.hooks.product_status(item, "PRODUCT_STATUS_CHANGED")
        elif action == "set_title":
            self.hooks.product_info(item, ["title"], source="SELLER_CENTER")
        elif action == "set_price":
            self.hooks.product_info(item, ["others"], source="SELLER_CENTER")

    def _item(self, body: JSONObject) -> TikTokProduct:
        item = self.store.get(req_int(body, "product_id"))
        if item is None:
            raise ControlError("no such product", status=404)
        return item

    @staticmethod
    def _sku(item: TikTokProduct, body: JSONObject) -> TikTokSku:
        sku = item.sku(req_int(body, "sku_id")) if "sku_id" in body else item.skus[0]
        if sku is None:
            raise ControlError(
                f"product {item.product_id} has no SKU {body.get('sku_id')}", status=404
            )
        return sku

    @staticmethod
    def _status(item: TikTokProduct, status: str, platform: str) -> None:
        if platform and platform not in PLATFORM_NAMES:
            raise ControlError(f"platform must be one of {', '.join(PLATFORM_NAMES)}")
        if platform and platform not in item.platforms:
            listed = ", ".join(item.platforms) or "nowhere"
            raise ControlError(f"product {item.product_id} is not listed on {platform} ({listed})")
        for name in [platform] if platform else list(item.platforms):
            item.platforms[name] = status
        item.audit_due = None

    def _sell(self, item: TikTokProduct, body: JSONObject) -> None:
        sku = self._sku(item, body)
        before = sku.stock
        sku.set_stock(before - sold_quantity(body, before))
        self.hooks.inventory(item, sku, before)

    def _set_price(self, item: TikTokProduct, body: JSONObject) -> None:
        self._sku(item, body).variant.price = new_price(body)

    def _set_stock(self, item: TikTokProduct, body: JSONObject) -> None:
        stock = new_stock(body)
        sku = self._sku(item, body)
        before = sku.stock
        sku.set_stock(stock)
        self.hooks.inventory(item, sku, before)

    @staticmethod
    def _set_title(item: TikTokProduct, body: JSONObject) -> None:
        title = opt_str(body, "title")
        if not title.strip():
            raise ControlError("title must not be empty")
        item.product.name = title

    @staticmethod
    def _malform(item: TikTokProduct, body: JSONObject) -> None:
        item.malformed = malformation(body, MALFORMATIONS)

    def _random(self, count: int, seed: int) -> JSONObject:
        rng = random.Random(seed)
        live = [item for item in self.store.products.values() if not item.deleted]
        changes: list[JSONObject] = []
        actions, weights = zip(*_RANDOM, strict=True)
        for item in rng.sample(live, min(max(count, 0), len(live))):
            sku = rng.choice(item.skus)
            action = rng.choices(actions, weights)[0]
            body: JSONObject = {
                "action": action,
                "product_id": item.product_id,
                "sku_id": sku.sku_id,
            }
            if action == "sell" and sku.stock == 0:
                body["action"] = action = "set_stock"
            body |= random_edit(rng, action, price=sku.variant.price, stock=sku.stock)
            changes.append(self.mutate(body))
        return {"action": "random", "count": len(changes), "changes": changes}
