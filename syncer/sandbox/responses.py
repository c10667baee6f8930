"""JSON in and out for sandboxes: compact stdlib encoding and typed reads of control bodies."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import Response

JSONObject = dict[str, object]


class ControlError(ValueError):
    """A control API request the sandbox refuses; answered 400 (or ``status``) with the reason."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def dumps(payload: object) -> bytes:
    """Compact UTF-8 JSON: what marketplaces send, and cheap to produce for big pages."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(
    payload: object, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        dumps(payload), status_code=status, headers=headers, media_type="application/json"
    )


async def read_json_object(request: Request) -> JSONObject:
    """The request body as a JSON object; an empty body reads as ``{}``."""
    return parse_json_object(await request.body())


def parse_json_object(raw: bytes) -> JSONObject:
    """A request body as a JSON object (empty reads as ``{}``); else ControlError says why.

    Gateways turn the ControlError into their marketplace's own "bad body" answer."""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ControlError(f"body is not JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise ControlError("body must be a JSON object")
    return body


def control_endpoint(
    handler: Callable[[Request], Awaitable[object]],
) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a control handler: its return value becomes JSON, a ``ValueError`` a 400 reason."""

    async def endpoint(request: Request) -> Response:
        try:
            return json_response(await handler(request))
        except ControlError as exc:
            return json_response({"error": str(exc)}, exc.status)
        except ValueError as exc:  # bad values in a control body (e.g. a negative storm count)
            return json_response({"error": str(exc)}, 400)

    return endpoint


def req_int(body: Mapping[str, object], key: str) -> int:
    """A required integer field (JSON numbers without fraction, or digit strings)."""
    value = body.get(key)
    if value is None:
        raise ControlError(f"{key} is required")
    return as_int(value, key)


def opt_int(body: Mapping[str, object], key: str, default: int) -> int:
    value = body.get(key)
    return default if value is None else as_int(value, key)


def as_int(value: object, key: str) -> int:
    if isinstance(value, bool):
        raise ControlError(f"{key} must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ControlError(f"{key} must be an integer, got {value!r}")


def opt_float(body: Mapping[str, object], key: str) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ControlError(f"{key} must be a number")
    return float(value)


def opt_str(body: Mapping[str, object], key: str, default: str = "") -> str:
    value = body.get(key, default)
    if not isinstance(value, str):
        raise ControlError(f"{key} must be a string")
    return value
