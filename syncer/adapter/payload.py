"""Typed reads from decoded JSON: a wrong or missing field names itself in the error.

Mapping modules use these instead of indexing raw dicts, so one malformed item raises a
``PayloadError`` that the adapter turns into a quarantined item with a readable reason.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import httpx

from syncer.errors import MalformedResponseError

JsonObject = Mapping[str, object]


class PayloadError(ValueError):
    """A field is missing or has the wrong type; the message says which and what was expected."""


def _describe(value: object) -> str:
    return "null" if value is None else type(value).__name__


def get_obj(data: JsonObject, key: str) -> JsonObject:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise PayloadError(f"field {key!r} must be an object, got {_describe(value)}")
    return value


def get_list(data: JsonObject, key: str, *, required: bool = True) -> Sequence[object]:
    value = data.get(key)
    if value is None and not required:
        return ()
    if not isinstance(value, list):
        raise PayloadError(f"field {key!r} must be a list, got {_describe(value)}")
    return value


def get_objects(data: JsonObject, key: str, *, required: bool = True) -> list[JsonObject]:
    items = get_list(data, key, required=required)
    objects = [item for item in items if isinstance(item, Mapping)]
    if len(objects) != len(items):
        raise PayloadError(f"field {key!r} must be a list of objects")
    return objects


def get_str(data: JsonObject, key: str, *, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise PayloadError(f"field {key!r} must be a string, got {_describe(value)}")
    return value


def get_int(data: JsonObject, key: str, *, default: int | None = None) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError(f"field {key!r} must be an integer, got {_describe(value)}")
    return value


def get_bool(data: JsonObject, key: str, *, default: bool | None = None) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise PayloadError(f"field {key!r} must be true or false, got {_describe(value)}")
    return value


def get_id(data: JsonObject, key: str) -> str:
    """A marketplace id as a string, whether the JSON holds it as a number or a string."""
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | str) or value == "":
        raise PayloadError(
            f"field {key!r} must be an id (number or string), got {_describe(value)}"
        )
    return str(value)


def decode_object(response: httpx.Response) -> JsonObject:
    """The response body as a JSON object, or MalformedResponseError (a retriable fault)."""
    try:
        body = json.loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        snippet = response.content[:80].decode("utf-8", "replace")
        raise MalformedResponseError(
            f"response body is not JSON (HTTP {response.status_code}): {snippet!r}",
            status=response.status_code,
        ) from exc
    if not isinstance(body, dict):
        raise MalformedResponseError(
            f"response body must be a JSON object, got {_describe(body)}",
            status=response.status_code,
        )
    return body
