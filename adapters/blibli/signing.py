"""Blibli's optional request signature, as the official Java client computes it.

    raw = METHOD \\n md5hex(body) \\n contentType \\n "EEE MMM dd HH:mm:ss zz yyyy" (Asia/Jakarta)
          \\n path after "/proxy" (the first "/mta" becomes "/mtaapi"), no query string
    Signature = base64(HMAC-SHA256(signature key, raw)), Signature-Time = epoch milliseconds

The official client leaves the md5 empty when there is no body and the content type empty for
GET (marketplaces/README 4.2). Webhooks are signed the same way over the callback URL [V3].
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone

JSON = "application/json"
WIB = timezone(timedelta(hours=7), "WIB")  # Asia/Jakarta has kept UTC+7 (no DST) since 1964
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def wib_date(moment: datetime) -> str:
    """Java's ``EEE MMM dd HH:mm:ss zz yyyy`` in Asia/Jakarta, locale-proof (English names)."""
    if moment.tzinfo is None:
        raise ValueError("the signature time must be timezone-aware")
    local = moment.astimezone(WIB)
    return (
        f"{_DAYS[local.weekday()]} {_MONTHS[local.month - 1]} {local.day:02d} "
        f"{local:%H:%M:%S} WIB {local.year}"
    )


def signed_path(path: str) -> str:
    """The path the signature covers: relative to ``/proxy``, ``/mta`` -> ``/mtaapi``."""
    path = path.split("?", 1)[0]
    if "/proxy" in path:
        path = path.split("/proxy", 1)[1]
    # The official client replaces the first "/mta" wherever it occurs (SKUs are upper case).
    return path.replace("/mta", "/mtaapi", 1)


def body_digest(body: bytes | None) -> str:
    """Lower-case hex md5 of the exact bytes sent; "" without a body (official client)."""
    return hashlib.md5(body).hexdigest() if body else ""  # noqa: S324  Blibli's scheme


def assemble(method: str, digest: str, moment: datetime, path: str) -> str:
    """The raw string from its parts (the docs' examples give the digest, not the body)."""
    method = method.upper()
    content_type = "" if method == "GET" else JSON
    return "\n".join((method, digest, content_type, wib_date(moment), signed_path(path)))


def raw_string(method: str, body: bytes | None, moment: datetime, path: str) -> str:
    return assemble(method, body_digest(body), moment, path)


def sign(key: str, raw: str) -> str:
    mac = hmac.new(key.encode(), raw.encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def basic_auth(client_id: str, client_key: str) -> str:
    """The ``Authorization`` value for the integrator's API client."""
    return "Basic " + base64.b64encode(f"{client_id}:{client_key}".encode()).decode()


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def from_millis(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, UTC)


def webhook_raw_string(body: bytes, request_time_ms: int, callback_url: str) -> str:
    """[V3] The request scheme with the full callback URL as the last line."""
    digest = body_digest(body)
    return "\n".join(("POST", digest, JSON, wib_date(from_millis(request_time_ms)), callback_url))
