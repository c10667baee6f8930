"""Seller edits shared by the sandboxes' mutate routes: values checked with a reason, random
draws that stay in a seller's range."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from syncer.domain import ListingKey
from syncer.sandbox import ControlError
from syncer.sandbox.contract import ContractChange
from syncer.sandbox.edits import (
    malformation,
    mutate_body,
    new_price,
    new_stock,
    random_edit,
    sold_quantity,
)

KINDS = ("fractional_price", "negative_stock")


def test_checked_values_come_back_as_given() -> None:
    """A sale of what is in stock, a positive price, a stock of zero, a known malformation."""
    assert sold_quantity({}, 3) == 1
    assert sold_quantity({"quantity": 3}, 3) == 3
    assert new_price({"price": "15000"}) == 15_000
    assert new_stock({"stock": 0}) == 0
    assert malformation({}, KINDS) == "fractional_price"
    assert malformation({"kind": "negative_stock"}, KINDS) == "negative_stock"
    assert malformation({"kind": "none"}, KINDS) == ""


@pytest.mark.parametrize(
    ("check", "reason"),
    [
        (lambda: sold_quantity({"quantity": 4}, 3), "quantity must be 1..3"),
        (lambda: sold_quantity({}, 0), "quantity must be 1..0"),
        (lambda: new_price({"price": 0}), "price must be a positive whole rupiah amount"),
        (lambda: new_price({}), "price is required"),
        (lambda: new_stock({"stock": -1}), "stock must not be negative"),
        (lambda: malformation({"kind": "odd"}, KINDS), "fractional_price, negative_stock or none"),
    ],
)
def test_a_wrong_value_is_refused_naming_what_is_allowed(
    check: Callable[[], object], reason: str
) -> None:
    """Each refusal says what the control API accepts."""
    with pytest.raises(ControlError, match=reason):
        check()


def test_random_edits_stay_in_a_sellers_range() -> None:
    """At most five sold and never more than in stock; prices in hundreds near the old one."""
    rng = random.Random(3)
    for _ in range(200):
        sold = random_edit(rng, "sell", price=20_000, stock=2)["quantity"]
        price = random_edit(rng, "set_price", price=20_000, stock=2)["price"]
        stock = random_edit(rng, "set_stock", price=20_000, stock=2)["stock"]
        assert isinstance(sold, int)
        assert 1 <= sold <= 2
        assert isinstance(price, int)
        assert 16_000 <= price <= 25_000
        assert price % 100 == 0
        assert isinstance(stock, int)
        assert 0 <= stock <= 300
    assert random_edit(rng, "ban", price=20_000, stock=2) == {}


def test_a_contract_change_becomes_a_mutate_body_in_the_sandboxs_words() -> None:
    """Ids become numbers under the sandbox's field names; the value goes where its action
    looks for it; a change to a whole item names no variant."""
    sale = ContractChange(action="sell", key=ListingKey("10", "7"), value=2)
    price = ContractChange(action="set_price", key=ListingKey("10", ""), value=15_000)
    unlist = ContractChange(action="unlist", key=ListingKey("10", ""))
    fields = {"item_field": "product_id", "variant_field": "sku_id"}
    assert mutate_body(sale, **fields) == {
        "action": "sell",
        "product_id": 10,
        "sku_id": 7,
        "quantity": 2,
    }
    assert mutate_body(price, **fields) == {
        "action": "set_price",
        "product_id": 10,
        "price": 15_000,
    }
    assert mutate_body(unlist, **fields) == {"action": "unlist", "product_id": 10}
