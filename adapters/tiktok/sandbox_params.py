"""TikTok Shop sandbox: one authenticated request as handlers see it, and typed body reads.

Ids travel as strings (they exceed 2^53); [I] digit strings and JSON integers are both accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from adapters.tiktok.sandbox_errors import INVALID_PARAMS, JSONObject, Pair, TikTokError


def is_int_text(raw: str) -> bool:
    digits = raw.removeprefix("-")
    return digits.isascii() and digits.isdecimal()


@dataclass(frozen=True, slots=True)
class Call:
    path: str
    params: Mapping[str, str]  # path parameters, e.g. product_id
    query: Mapping[str, str]
    body: JSONObject
    now: int  # sandbox clock, unix seconds


def as_id(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdecimal():
        return int(value)
    return None


def body_ids(body: JSONObject, name: str, *, limit: int, error: Pair) -> list[int]:
    """A list of ids, at most ``limit`` long (``error`` when longer)."""
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise TikTokError(INVALID_PARAMS)
    if len(value) > limit:
        raise TikTokError(error)
    ids = [as_id(entry) for entry in value]
    if any(entry is None for entry in ids):
        raise TikTokError(INVALID_PARAMS)
    return [entry for entry in ids if entry is not None]


def body_int(body: JSONObject, name: str, error: Pair) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TikTokError(error)
    return value
