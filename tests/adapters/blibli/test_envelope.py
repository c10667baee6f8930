"""Blibli's envelope and every documented error code, classified into syncer.errors."""

from __future__ import annotations

import httpx
import pytest

from adapters.blibli import codes, envelope
from syncer.errors import (
    AdapterError,
    FatalError,
    MalformedResponseError,
    NeedsReauthError,
    RateLimitedError,
    RequestRejectedError,
    RetriableError,
    SkippableItemError,
)


def _response(
    status: int, body: object = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    if body is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


def _error(code: str, message: str = "", status: int | None = None) -> AdapterError:
    body = {"requestId": "r1", "success": False, "errorCode": code, "errorMessage": message}
    with pytest.raises(AdapterError) as caught:
        envelope.parse(_response(status or codes.status_of(code), body), "op", item_id="TOQ-1")
    return caught.value


@pytest.mark.parametrize(
    ("code", "message", "kind"),
    [
        (codes.BAD_REQUEST, "paging.size must be >= 1", FatalError),
        (codes.BAD_REQUEST, codes.NOT_BOUND_MESSAGE, NeedsReauthError),
        (codes.SELLER_KEY_INVALID, codes.MESSAGES[codes.SELLER_KEY_INVALID], NeedsReauthError),
        (codes.CLIENT_INVALID, "", RequestRejectedError),
        (codes.SIGNATURE_INVALID, "", RequestRejectedError),
        (codes.SIGNATURE_EXPIRED, "", RequestRejectedError),
        (codes.NOT_FOUND, "order item not found", SkippableItemError),
        (codes.PRODUCT_NOT_FOUND, "product not found", SkippableItemError),
        (codes.QUOTA_EXCEEDED, codes.MESSAGES[codes.QUOTA_EXCEEDED], RateLimitedError),
        (codes.SERVER_ERROR, "", RetriableError),
    ],
)
def test_each_documented_code_maps_to_what_the_caller_should_do(
    code: str, message: str, kind: type[AdapterError]
) -> None:
    error = _error(code, message)
    assert type(error) is kind
    assert error.code == code
    assert code in str(error)


def test_a_skippable_error_names_the_item() -> None:
    error = _error(codes.PRODUCT_NOT_FOUND)
    assert isinstance(error, SkippableItemError)
    assert error.item_id == "TOQ-1"


def test_the_seller_key_error_tells_the_operator_what_to_do() -> None:
    assert "Api-Seller-Key in Seller Center" in str(_error(codes.SELLER_KEY_INVALID))


def test_a_quota_error_carries_retry_after() -> None:
    body = {"requestId": "r", "errorCode": codes.QUOTA_EXCEEDED, "errorMessage": "Quota"}
    with pytest.raises(RateLimitedError) as caught:
        envelope.parse(_response(429, body, {"Retry-After": "7"}), "product_list")
    assert caught.value.retry_after == 7


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("ERR-PA500123", RetriableError),
        ("ERR-XX404999", SkippableItemError),
        ("ERR-PA403001", NeedsReauthError),
        ("ERR-PA429777", RateLimitedError),
        ("ERR-ZZ422001", FatalError),
    ],
)
def test_unknown_codes_fall_back_on_their_status_family(
    code: str, kind: type[AdapterError]
) -> None:
    assert type(_error(code)) is kind


def test_success_false_without_a_code_is_an_error() -> None:
    with pytest.raises(FatalError):
        envelope.parse(_response(200, {"requestId": "r", "success": False}), "bulk_update")


def test_success_bodies_and_204_pass() -> None:
    body = {"requestId": "r", "content": [], "paging": {"page": 0}}
    assert envelope.parse(_response(200, body), "product_list") == body
    legacy = {"requestId": "r", "success": True, "value": {"status": "DONE"}}
    assert envelope.parse(_response(200, legacy), "queue_detail") == legacy
    assert envelope.parse(_response(204), "update_stock") == {}


def test_a_non_json_body_is_classified_by_status() -> None:
    with pytest.raises(RetriableError) as server:
        envelope.parse(httpx.Response(502, content=b"<html>bad gateway"), "product_list")
    assert server.value.status == 502
    with pytest.raises(MalformedResponseError):
        envelope.parse(httpx.Response(200, content=b'{"requestId": "r", "cont'), "product_list")
    with pytest.raises(NeedsReauthError):
        envelope.parse(httpx.Response(401, content=b"Unauthorized"), "product_list")
