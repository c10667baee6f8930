"""TikTok Shop's envelope ``{code, message, request_id, data}`` and its codes, translated into the
``syncer.errors`` tree.

``code`` 0 is success; the HTTP status only matters for 429 (rate limited) and 5xx (service
protection) or when the body is not JSON. The sets below come from the official common error
list (guides/common-errors.md) and the error lists of the product API pages; a code not named
here is a validation error of the request or item (``FatalError``). ``36009004`` covers several
failures, so its message decides, as the common error list words them.
"""

from __future__ import annotations

import httpx

from syncer.adapter import JsonObject, decode_body, parse_retry_after
from syncer.errors import (
    AdapterError,
    FatalError,
    NeedsReauthError,
    RateLimitedError,
    RequestRejectedError,
    RetriableError,
    SkippableItemError,
    TokenExpiredError,
)

OK = 0
TOO_MANY_REQUESTS = 36009002
INVALID_CREDENTIALS = 36009004  # signature missing, bad token/app_key/timestamp/identifier
EXPIRED_TOKEN = 105002
INVALID_SIGN = 106001
MISSING_SCOPE = 105005
INVALID_TOKEN_OR_CIPHER = 101000
MISSING_SHOP_CIPHER = 106013
IP_NOT_ALLOWED = 36009033
CHECK_FAILED = 12052990  # "The check failed.": a container for per-row errors

# Transient: the docs say "please try again".
RETRIABLE = frozenset({36009003, 36009007, 12052881})
# The product or SKU is not (or no longer) in this shop: skip it, the rest goes on.
ITEM_GONE = frozenset(
    {12019150, 12052031, 12052032, 12052034, 12052048, 12052260, 12052556, 12052557}
)
# The seller account itself cannot be served: every call would fail alike.
SELLER_BLOCKED = frozenset({12052700, 12052703, 12052704, 12052994, 12052995})
# Request-level refusals that no retry or refresh changes.
REJECTED = frozenset({INVALID_SIGN, MISSING_SHOP_CIPHER, IP_NOT_ALLOWED})


def parse(response: httpx.Response, operation: str) -> JsonObject:
    """``data`` of a successful answer (``{}`` when absent); raises the matching error."""
    body = decode_body(response, operation)
    code = body.get("code")
    message = body.get("message")
    message = message if isinstance(message, str) else ""
    if isinstance(code, bool) or not isinstance(code, int):
        if response.status_code >= 400:
            raise classify(response.status_code, -1, message, operation)
        raise RetriableError(
            f"{operation}: answer without a numeric code (HTTP {response.status_code})"
        )
    if code != OK or response.status_code >= 400:
        raise classify(
            response.status_code,
            code,
            message,
            operation,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    data = body.get("data")
    return data if isinstance(data, dict) else {}


def classify(  # noqa: PLR0911  one return per documented class reads best
    status: int, code: int, message: str, operation: str, *, retry_after: float | None = None
) -> AdapterError:
    """The error a ``code``/``message`` pair means, worded for an operator."""
    shown = str(code) if code >= 0 else f"HTTP {status}"
    text = f"{operation}: {shown}: {message}".rstrip(": ")
    tag = str(code) if code >= 0 else ""
    if status == 429 or code == TOO_MANY_REQUESTS:
        return RateLimitedError(text, code=tag, status=status, retry_after=retry_after)
    if code == EXPIRED_TOKEN:
        return TokenExpiredError(text, code=tag, status=status)
    if code == INVALID_CREDENTIALS:
        return _invalid_credentials(text, message, tag, status)
    if code in (MISSING_SCOPE, INVALID_TOKEN_OR_CIPHER):
        return NeedsReauthError(
            f"{text} (re-authorize the shop; for a missing scope enable it in Partner Center "
            "first)",
            code=tag,
            status=status,
        )
    if code == INVALID_SIGN:
        return RequestRejectedError(f"{text} (check the app secret)", code=tag, status=status)
    if code in REJECTED or code in SELLER_BLOCKED:
        return RequestRejectedError(text, code=tag, status=status)
    if code in ITEM_GONE:
        return SkippableItemError(text, item_id="", code=tag)
    if code in RETRIABLE or (code < 0 and (status >= 500 or status in (408, 425))):
        return RetriableError(text, code=tag, status=status)
    if status >= 500 and code not in (INVALID_CREDENTIALS, CHECK_FAILED):
        return RetriableError(text, code=tag, status=status)  # 503: service protection
    return FatalError(text, code=tag, status=status)


def _invalid_credentials(text: str, message: str, tag: str, status: int) -> AdapterError:
    lowered = message.lower()
    if "refresh_token" in lowered or "auth_code" in lowered:
        return NeedsReauthError(text, code=tag, status=status)
    if "timestamp" in lowered:
        return RequestRejectedError(
            f"{text} (is this machine's clock right?)", code=tag, status=status
        )
    if "access_token" in lowered or "access-token" in lowered:
        return TokenExpiredError(text, code=tag, status=status)
    return RequestRejectedError(text, code=tag, status=status)
