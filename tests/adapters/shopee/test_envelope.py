"""Every error in the official error lists lands in the right branch of the errors tree."""

from __future__ import annotations

import httpx
import pytest

from adapters.shopee import envelope
from syncer.errors import (
    AdapterError,
    FatalError,
    MalformedResponseError,
    NeedsReauthError,
    RateLimitedError,
    RequestRejectedError,
    RetriableError,
    SkippableItemError,
    TokenExpiredError,
)
from tests.adapters.shopee.samples import error_strings

APIS = [
    "v2.product.get_item_list",
    "v2.product.get_item_base_info",
    "v2.product.get_model_list",
    "v2.product.update_price",
    "v2.product.update_stock",
    "v2.product.unlist_item",
    "v2.public.get_access_token",
    "v2.public.refresh_access_token",
]
OFFICIAL = sorted({pair for api in APIS for pair in error_strings(api)})


def classify(code: str, message: str, status: int = 200) -> AdapterError:
    return envelope.classify(httpx.Response(status), "op", code, message)


@pytest.mark.parametrize(("code", "message"), OFFICIAL)
def test_every_official_error_is_classified_and_worded(code: str, message: str) -> None:
    error = classify(code, message)
    assert isinstance(error, AdapterError)
    assert code in str(error)


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("error_auth", "Invalid access_token.", TokenExpiredError),
        ("error_auth", "Invalid partner_id or shopid.", NeedsReauthError),
        ("error_auth", "Invalid refresh_token.", NeedsReauthError),
        ("refresh_token_expired", "Your refresh_token expired.", NeedsReauthError),
        ("shop_no_linked", "Partner and shop has no linked.", NeedsReauthError),
        ("error_auth", "Invalid code", NeedsReauthError),
        ("error_sign", "Wrong sign.", RequestRejectedError),
        ("error_param", "Invalid timestamp", RequestRejectedError),
        ("error_param", "There is no partner_id in query.", RequestRejectedError),
        ("error_auth", "No permission to current api.", RequestRejectedError),
        ("error_server", "Something wrong. Please try later.\t", RetriableError),
        (
            "error_inner",
            "Our system is taking some time to respond, please try later.",
            RetriableError,
        ),
        (
            "error_system_busy",
            "Our system is taking some time to respond, please try later.",
            RetriableError,
        ),
        ("error_update_price_fail", "Update price failed, please try later.", RetriableError),
        ("error_server", "Interal error, please contact openapi team.", FatalError),
        ("error_item_not_found", "Item_id is not found.", SkippableItemError),
        (
            "error_cannot_update_price_in_promotion",
            "Price cannot be changed when model is under promotion.",
            FatalError,
        ),
        ("error_param", "Wrong parameters, detail: {msg}.", FatalError),
    ],
)
def test_official_errors_mean_what_their_texts_say(
    code: str, message: str, expected: type[AdapterError]
) -> None:
    assert type(classify(code, message)) is expected


def test_too_many_requests_is_rate_limited_with_retry_after() -> None:
    response = httpx.Response(429, headers={"Retry-After": "3"})
    error = envelope.classify(
        response, "op", "error_server", "Too many requests, please try again later"
    )
    assert isinstance(error, RateLimitedError)
    assert error.retry_after == 3.0


def test_a_body_that_is_not_json_is_retried_by_its_status() -> None:
    with pytest.raises(RetriableError):
        envelope.parse(httpx.Response(502, text="<html>bad gateway</html>"), "op")
    with pytest.raises(MalformedResponseError):
        envelope.parse(httpx.Response(200, text='{"error": "", "respo'), "op")


def test_all_rows_failed_keeps_the_rows_for_the_caller() -> None:
    body = {
        "error": "error_busi_update_stock_failed",
        "message": "check failure_list",
        "response": {"failure_list": [{"model_id": 1, "failed_reason": "x"}]},
    }
    assert envelope.parse(httpx.Response(200, json=body), "op")["response"] == body["response"]
