"""Shopee sandbox control routes beside the common ones: truth, mutate, and the seller's auth.

    GET  /_sandbox/truth[?item_id=..]  {"listings": [TruthRow...], "malformed": [item_id...]}
    POST /_sandbox/mutate              {"action": ..., "item_id", "model_id", ...} -> the rows
    POST /_sandbox/auth/revoke         the seller cancels the authorization
    POST /_sandbox/auth/code           the seller (re-)authorizes: {"code", "shop_id", "expire_in"}

Mutations act as the seller or Shopee would (a sale, a ban ...), bypassing API validation, and
every one of them bumps the item's ``update_time`` to the sandbox clock.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from adapters.shopee.sandbox_auth import ShopeeAuth
from adapters.shopee.sandbox_errors import JSONObject
from adapters.shopee.sandbox_render import MALFORMATIONS
from adapters.shopee.sandbox_store import DELETED, ShopeeItem, ShopeeStore, truth_rows
from syncer.sandbox import ControlError, SandboxClock, SandboxVariant, control_endpoint
from syncer.sandbox.edits import malformation, new_price, new_stock, random_edit, sold_quantity
from syncer.sandbox.responses import opt_int, opt_str, read_json_object, req_int

_STATUS_ACTIONS = {
    "ban": "BANNED",
    "unlist": "UNLIST",
    "relist": "NORMAL",
    "review": "REVIEWING",
    "delete": "SELLER_DELETE",
}
# What ``random`` draws from, with weights: mostly sales and edits, some status changes.
_RANDOM_ACTIONS = (
    ("sell", 30),
    ("set_price", 20),
    ("set_stock", 20),
    ("unlist", 6),
    ("relist", 6),
    ("ban", 3),
    ("review", 3),
    ("delete", 3),
    ("promote", 5),
    ("unpromote", 4),
)


@dataclass(frozen=True, slots=True)
class ShopeeControl:
    store: ShopeeStore
    auth: ShopeeAuth
    clock: SandboxClock
    code_ttl: int

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/truth", control_endpoint(self._truth), methods=["GET"]),
            Route("/mutate", control_endpoint(self._mutate), methods=["POST"]),
            Route("/auth/revoke", control_endpoint(self._revoke), methods=["POST"]),
            Route("/auth/code", control_endpoint(self._code), methods=["POST"]),
        ]

    async def _truth(self, request: Request) -> object:
        raw_ids = request.query_params.getlist("item_id")
        ids = [int(raw) for raw in raw_ids if raw.isdecimal()] if raw_ids else None
        with self.store.lock:
            malformed = [str(i.item_id) for i in self.store.items.values() if i.malformed]
        return {"listings": self.store.truth(ids), "malformed": sorted(malformed)}

    async def _mutate(self, request: Request) -> object:
        body = await read_json_object(request)
        with self.store.lock:
            return self.mutate(body)

    async def _revoke(self, request: Request) -> object:
        self.auth.revoke()
        return {"revoked": True, "shop_id": self.auth.identity.shop_id}

    async def _code(self, request: Request) -> object:
        code = self.auth.mint_code()
        return {"code": code, "shop_id": self.auth.identity.shop_id, "expire_in": self.code_ttl}

    def mutate(self, body: JSONObject) -> JSONObject:
        """Apply one ``{"action": ...}``; the answer lists the item's rows after the change."""
        action = opt_str(body, "action")
        if action == "random":
            return self._random(req_int(body, "count"), opt_int(body, "seed", 0))
        edit = self._edits().get(action)
        if edit is None and action not in _STATUS_ACTIONS and action != "purge":
            known = sorted([*self._edits(), *_STATUS_ACTIONS, "purge", "random"])
            raise ControlError(f"unknown action {action!r}; known: {', '.join(known)}")
        item = self._item(body)
        if action == "purge":
            self.store.purge(item)
            return {"action": action, "item_id": str(item.item_id), "listings": []}
        if edit is not None:
            edit(item, body)
        self.store.touch(item, self.clock.unix(), status=_STATUS_ACTIONS.get(action))
        return {"action": action, "item_id": str(item.item_id), "listings": truth_rows(item)}

    def _edits(self) -> dict[str, Callable[[ShopeeItem, JSONObject], None]]:
        """Actions that edit units or the payload (status actions only move the status)."""
        return {
            "sell": self._sell,
            "set_price": self._set_price,
            "set_stock": self._set_stock,
            "promote": self._promote,
            "unpromote": self._unpromote,
            "malform": self._malform,
        }

    def _item(self, body: JSONObject) -> ShopeeItem:
        item = self.store.get(req_int(body, "item_id"))
        if item is None:
            raise ControlError("no such item", status=404)
        return item

    @staticmethod
    def _unit(item: ShopeeItem, body: JSONObject) -> SandboxVariant:
        model_id = opt_int(body, "model_id", 0)
        variant = item.variant(model_id)
        if variant is None:
            raise ControlError(f"item {item.item_id} has no model {model_id}", status=404)
        return variant

    def _sell(self, item: ShopeeItem, body: JSONObject) -> None:
        variant = self._unit(item, body)
        variant.stock -= sold_quantity(body, variant.stock)
        variant.reserved_stock = min(variant.reserved_stock, variant.stock)

    def _set_price(self, item: ShopeeItem, body: JSONObject) -> None:
        self._unit(item, body).price = new_price(body)

    def _set_stock(self, item: ShopeeItem, body: JSONObject) -> None:
        stock = new_stock(body)
        variant = self._unit(item, body)
        variant.stock = stock
        variant.reserved_stock = min(variant.reserved_stock, stock)

    def _promote(self, item: ShopeeItem, body: JSONObject) -> None:
        """Put one model (or, without ``model_id``, every unit) under promotion."""
        targets = [self._unit(item, body)] if "model_id" in body else item.product.variants
        for variant in targets:
            default_price = max(100, round(variant.price * 0.9 / 100) * 100)
            variant.promo_price = opt_int(body, "promo_price", default_price)
            reserved = opt_int(body, "reserved_stock", min(variant.stock, 5))
            variant.reserved_stock = max(0, min(reserved, variant.stock))

    def _unpromote(self, item: ShopeeItem, body: JSONObject) -> None:
        targets = [self._unit(item, body)] if "model_id" in body else item.product.variants
        for variant in targets:
            variant.promo_price = None
            variant.reserved_stock = 0

    @staticmethod
    def _malform(item: ShopeeItem, body: JSONObject) -> None:
        """Break the item's payload (``kind``: one of MALFORMATIONS, or "none" to repair)."""
        item.malformed = malformation(body, MALFORMATIONS)

    def _random(self, count: int, seed: int) -> JSONObject:
        """Mutate ``count`` random listings (a model, or an item without models) of live items
        with a realistic mix of actions; the answer lists each change and its rows after."""
        rng = random.Random(seed)
        live = [item for item in self.store.items.values() if item.status not in DELETED]
        changes = []
        for item in rng.sample(live, min(max(count, 0), len(live))):
            changes.append(self._random_change(rng, item, rng.choice(item.model_ids)))
        return {"action": "random", "count": len(changes), "changes": changes}

    def _random_change(self, rng: random.Random, item: ShopeeItem, model_id: int) -> JSONObject:
        actions, weights = zip(*_RANDOM_ACTIONS, strict=True)
        action = rng.choices(actions, weights)[0]
        variant = item.variant(model_id)
        assert variant is not None  # model ids come from the item itself
        body: JSONObject = {"item_id": item.item_id, "model_id": model_id}
        if (action == "sell" and variant.stock == 0) or _no_op(item, action):
            action = "set_stock"
        body |= random_edit(rng, action, price=variant.price, stock=variant.stock)
        result = self.mutate({"action": action, **body})
        change: JSONObject = {"action": action, "item_id": str(item.item_id)}
        change["model_id"] = str(model_id) if item.has_model else ""
        change["listings"] = result["listings"]
        return change


def _no_op(item: ShopeeItem, action: str) -> bool:
    """A status action that would not change anything for this item."""
    status = _STATUS_ACTIONS.get(action)
    if action == "unpromote":
        return not item.has_promotion
    return status is not None and item.status == status
