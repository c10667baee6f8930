"""Shopee sandbox: reading request parameters the way the docs show them being sent.

GET params are all in the query; arrays arrive as repeated keys (``item_status=NORMAL&
item_status=BANNED``), comma lists (``item_id_list=1,2``) or the bracketed form of one official
sample (``item_id_list=[34001,34002]``). POST request params are a JSON body.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from starlette.datastructures import QueryParams

from adapters.shopee.sandbox_errors import JSONObject, ShopeeError, missing_field, wrong_parameters


def is_int_text(raw: str) -> bool:
    """ASCII digits with an optional minus sign (``int()`` alone would take " 7" or "1_000")."""
    digits = raw.removeprefix("-")
    return digits.isascii() and digits.isdecimal()


def query_list(query: QueryParams, name: str) -> list[str]:
    """Every value of an array parameter, whichever of the documented forms was used."""
    values: list[str] = []
    for raw in query.getlist(name):
        for part in raw.strip().strip("[]").split(","):
            value = part.strip().strip('"').strip()
            if value:
                values.append(value)
    return values


def query_int(query: QueryParams, name: str, *, required: bool = True) -> int | None:
    raw = query.get(name)
    if raw is None or raw == "":
        if required:
            raise missing_field(name)
        return None
    if not is_int_text(raw):
        raise wrong_parameters(f"{name} must be an integer")
    return int(raw)


def query_bool(query: QueryParams, name: str) -> bool:
    raw = query.get(name, "false").lower()
    if raw not in {"true", "false"}:
        raise wrong_parameters(f"{name} must be true or false")
    return raw == "true"


def int_list(values: Sequence[str], name: str, *, limit: int) -> list[int]:
    """Integer ids from an array parameter, 1..limit of them."""
    if not values:
        raise missing_field(name)
    if len(values) > limit:
        raise wrong_parameters(f"{name} length should be in [1,{limit}]")
    if not all(is_int_text(value) for value in values):
        raise wrong_parameters(f"{name} must be a list of integers")
    return [int(value) for value in values]


def body_int(body: JSONObject, name: str, *, default: int | None = None) -> int:
    """An integer body field; JSON numbers with a fraction or booleans are refused."""
    value = body.get(name)
    if value is None:
        if default is None:
            raise missing_field(name)
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise wrong_parameters(f"{name} must be an integer")
    return value


def body_objects(body: JSONObject, name: str, *, limit: int) -> list[JSONObject]:
    """A list of objects, 1..limit long (the documented batch sizes)."""
    value = body.get(name)
    if value is None or value == []:
        raise missing_field(name)
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        raise wrong_parameters(f"{name} must be a list of objects")
    if len(value) > limit:
        raise wrong_parameters(f"{name} length should be in [1,{limit}]")
    return value


def reject_repeats(rows: Sequence[JSONObject], name: str, error: tuple[str, str]) -> None:
    """Refuse a batch that names the same id twice (e.g. "Repeat model_id.")."""
    seen = [row.get(name, 0) for row in rows]
    if len(seen) != len({repr(value) for value in seen}):
        raise ShopeeError(error)


@dataclass(frozen=True, slots=True)
class Call:
    """One authenticated API request as handlers see it."""

    path: str
    query: QueryParams
    body: JSONObject
    shop_id: int | None  # None for Public APIs
    now: int  # sandbox clock, unix seconds
