"""Seller edits that sandboxes' mutate routes share: the checked values of a sale, a new price,
a new stock or a malformed payload, and the values a random mix of them draws."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from syncer.sandbox.contract import ContractChange
from syncer.sandbox.responses import ControlError, JSONObject, opt_int, opt_str, req_int

Body = Mapping[str, object]


def sold_quantity(body: Body, in_stock: int) -> int:
    """``quantity`` of a sale (default 1): at least one, at most what is in stock."""
    quantity = opt_int(body, "quantity", 1)
    if not 1 <= quantity <= in_stock:
        raise ControlError(f"quantity must be 1..{in_stock}")
    return quantity


def new_price(body: Body) -> int:
    """``price`` of a set_price: whole rupiah, above zero."""
    price = req_int(body, "price")
    if price < 1:
        raise ControlError("price must be a positive whole rupiah amount")
    return price


def new_stock(body: Body) -> int:
    """``stock`` of a set_stock: zero or more."""
    stock = req_int(body, "stock")
    if stock < 0:
        raise ControlError("stock must not be negative")
    return stock


def malformation(body: Body, kinds: Sequence[str]) -> str:
    """``kind`` of a malform action: one of ``kinds`` (the first by default), "" for "none"
    (the payload is repaired)."""
    kind = opt_str(body, "kind", kinds[0])
    if kind not in {*kinds, "none"}:
        raise ControlError(f"kind must be one of {', '.join(kinds)} or none")
    return "" if kind == "none" else kind


def random_edit(rng: random.Random, action: str, *, price: int, stock: int) -> JSONObject:
    """What a randomly drawn sell, set_price or set_stock carries, as a seller would: a few
    units sold, a price moved by -20..+25% in hundreds, a recount; {} for other actions."""
    if action == "sell":
        return {"quantity": rng.randint(1, min(stock, 5))}
    if action == "set_price":
        return {"price": max(1_000, round(price * rng.uniform(0.8, 1.25) / 100) * 100)}
    if action == "set_stock":
        return {"stock": rng.randint(0, 300)}
    return {}


def mutate_body(change: ContractChange, *, item_field: str, variant_field: str) -> JSONObject:
    """A contract suite change as the body of a ``/_sandbox/mutate`` call, in the words of
    sandboxes whose ids are numbers: ``quantity`` sold, or the new ``price`` or ``stock``."""
    body: JSONObject = {"action": change.action, item_field: int(change.key.external_item_id)}
    if change.key.external_variant_id:
        body[variant_field] = int(change.key.external_variant_id)
    if change.action == "sell":
        body["quantity"] = change.value
    elif change.action in ("set_price", "set_stock"):
        body[change.action.removeprefix("set_")] = change.value
    return body
