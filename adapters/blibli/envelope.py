"""Blibli's response envelope, translated into the ``syncer.errors`` tree.

Success: ``{requestId, content, paging?}`` (``/seller/v1``) or ``{requestId, success: true,
value|content}`` (legacy MTA); some mutations answer 204 without a body. Error: ``{requestId,
success?: false, errorCode, errorMessage}`` (marketplaces/README 4.5). The code decides; the
HTTP status fills in when the code is unknown or the body is not JSON.
"""

from __future__ import annotations

import httpx

from adapters.blibli import codes
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

_REKEY = (
    "the seller must generate a new Api-Seller-Key in Seller Center (Pengaturan Seller API) "
    "and the shop be connected again with it"
)
_REJECTED_HINTS = {
    codes.CLIENT_INVALID: "check the app's client_id and client_secret",
    codes.SIGNATURE_INVALID: "check the store's signature_key",
    codes.SIGNATURE_EXPIRED: "is this machine's clock right?",
}


def parse(response: httpx.Response, operation: str, *, item_id: str = "") -> JsonObject:
    """The body of a successful call (``{}`` for 204); raises the matching error otherwise."""
    if response.status_code == 204 or (response.is_success and not response.content):
        return {}
    try:
        body = decode_body(response, operation)
    except TokenExpiredError:  # a bare 401: Blibli has no tokens, the seller key was refused
        raise NeedsReauthError(f"{operation}: HTTP 401 ({_REKEY})", status=401) from None
    code = body.get("errorCode")
    code = code if isinstance(code, str) else ""
    message = body.get("errorMessage")
    message = message if isinstance(message, str) else ""
    if code or body.get("success") is False or response.status_code >= 400:
        raise classify(response, operation, code, message, item_id=item_id)
    return body


def classify(  # noqa: PLR0911  one return per documented class reads best
    response: httpx.Response, operation: str, code: str, message: str, *, item_id: str = ""
) -> AdapterError:
    """The error a code/message pair means, worded for an operator."""
    status = response.status_code
    text = f"{operation}: {code or 'HTTP ' + str(status)}: {message}".rstrip(": ")
    family = codes.status_of(code) if code else status
    if code == codes.QUOTA_EXCEEDED or status == 429 or family == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimitedError(text, code=code, status=status, retry_after=retry_after)
    if code == codes.SELLER_KEY_INVALID:
        return NeedsReauthError(f"{text} ({_REKEY})", code=code, status=status)
    if code in _REJECTED_HINTS:
        return RequestRejectedError(f"{text} ({_REJECTED_HINTS[code]})", code=code, status=status)
    if code == codes.BAD_REQUEST and "not bound" in message.lower():
        return NeedsReauthError(
            f"{text} (the seller must enter this app's API client id in Seller Center)",
            code=code,
            status=status,
        )
    if family == 404:
        return SkippableItemError(text, item_id=item_id, code=code)
    if family >= 500 or status in (408, 425):
        return RetriableError(text, code=code, status=status)
    if family in (401, 403):
        return NeedsReauthError(f"{text} ({_REKEY})", code=code, status=status)
    return FatalError(text, code=code, status=status)
