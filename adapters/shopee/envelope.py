"""Shopee's response envelope and its error codes, translated into the ``syncer.errors`` tree.

Shopee answers ``{request_id, error, message, warning, response}``; ``error`` is "" on success.
HTTP statuses are not documented (marketplaces/README 2.3), so the ``error`` field decides and
the status only breaks ties (429, 5xx) or fills in when the body is not JSON. The sets below
come from the official error lists; where one code covers both passing and lasting failures
(``error_server``), the official message decides.
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

# Transient: the official descriptions say "please try later" or "taking some time".
_RETRIABLE = frozenset(
    {
        "error_server",
        "error_inner",
        "error_system_busy",
        "error_network",
        "error_busy",
        "error_get_shop_fail",
        "error_update_price_fail",
        "error_unlist_item_failed",
        "error_cannot_delete_item",
        "error_busi_add_item_failed",
    }
)
# ...except these messages, which no retry changes (official texts, one typo included).
_LASTING_MESSAGES = ("Interal error, please contact openapi team", "FBS", "normal stock must")
# The seller's grant is gone or unusable: only a new authorization helps.
_REAUTH = frozenset(
    {
        "shop_no_linked",
        "shop_access_expired",
        "refresh_token_expired",
        "error_shop_refresh_token",
        "shop_banned",
        "invalid_code",
        "invalid_shop_id",
        "merchant_access_expired",
        "merchant_no_linked",
        "error_merchant_refresh_token",
        "supplier_access_expired",
        "supplier_no_linked",
    }
)
# The request as a whole was refused: every call of the run would fail the same way.
_REJECTED = frozenset({"error_sign", "error_shop", "error_perm_non_admin", "invalid_partner_id"})
_REJECTED_PARAMS = ("in query", "partner_id", "timestamp", "gateway")
_ITEM_GONE = frozenset({"error_item_not_found", "error_item_not_belong_shop"})
# "Every row failed": the per-row reasons are still in response.failure_list (the caller's).
ROWS_FAILED = frozenset({"error_busi_update_stock_failed", "error_unlist_item_all_failed"})
_TOO_MANY = "Too many requests"


def parse(response: httpx.Response, operation: str, *, item_id: str = "") -> JsonObject:
    """The whole body of a successful call; raises the matching error otherwise."""
    body = decode_body(response, operation)
    code = body.get("error")
    message = body.get("message")
    code = code if isinstance(code, str) else ""
    message = message if isinstance(message, str) else ""
    if code in ROWS_FAILED and isinstance(body.get("response"), dict):
        return body
    if code or response.status_code >= 400:
        raise classify(response, operation, code, message, item_id=item_id)
    return body


def classify(  # noqa: PLR0911  one return per documented error class reads best
    response: httpx.Response, operation: str, code: str, message: str, *, item_id: str = ""
) -> AdapterError:
    """The error an ``error``/``message`` pair means, worded for an operator."""
    text = f"{operation}: {code or 'HTTP ' + str(response.status_code)}: {message}".rstrip(": ")
    status = response.status_code
    if status == 429 or _TOO_MANY in message or ".rate_limit." in code:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimitedError(text, code=code, status=status, retry_after=retry_after)
    if code == "error_auth" and "access_token" in message:
        return TokenExpiredError(text, code=code, status=status)
    if code in _REAUTH or (code == "error_auth" and "partner_id or shopid" in message):
        return NeedsReauthError(text, code=code, status=status)
    if code in ("error_param", "error_auth") and (
        "refresh_token" in message or message == "Invalid code"
    ):
        return NeedsReauthError(text, code=code, status=status)
    if code == "error_auth" and "No permission" in message:
        return RequestRejectedError(
            f"{text} (the app lacks this API permission)", code=code, status=status
        )
    if code == "error_sign":
        return RequestRejectedError(f"{text} (check the partner key)", code=code, status=status)
    if code == "error_param" and "timestamp" in message.lower():
        return RequestRejectedError(
            f"{text} (is this machine's clock right?)", code=code, status=status
        )
    if code in _REJECTED or (code == "error_param" and any(p in message for p in _REJECTED_PARAMS)):
        return RequestRejectedError(text, code=code, status=status)
    if code in _ITEM_GONE:
        return SkippableItemError(text, item_id=item_id, code=code)
    if code in _RETRIABLE and not any(lasting in message for lasting in _LASTING_MESSAGES):
        return RetriableError(text, code=code, status=status)
    if not code and (status >= 500 or status in (408, 425)):
        return RetriableError(text, code=code, status=status)
    return FatalError(text, code=code, status=status)
