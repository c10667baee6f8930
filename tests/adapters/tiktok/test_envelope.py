"""TikTok's envelope and every documented error code, classified into the syncer.errors tree."""

from __future__ import annotations

import httpx
import pytest

from adapters.tiktok import envelope
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
from tests.adapters.tiktok.samples import common_error_pairs, documented_codes, response_sample

# Written from the docs' descriptions, independently of the adapter's sets.
_TRANSIENT = {
    36009003: "Internal error",
    36009007: "Request timeout",
    12052881: "identity internal",
}
_GONE = {12019150, 12052031, 12052032, 12052048, 12052260, 12052556, 12052557}
_SELLER = {12052700, 12052703, 12052704}
_REAUTH = {105005, 101000}
_REJECTED = {106001, 106013, 36009033}


def _expected(code: int, message: str) -> type[AdapterError]:  # noqa: PLR0911  a table
    if code == 36009002:
        return RateLimitedError
    if code in _TRANSIENT:
        return RetriableError
    if code == 105002:
        return TokenExpiredError
    if code == 36009004:
        if "timestamp" in message:
            return RequestRejectedError
        return (
            TokenExpiredError
            if "access_token" in message or "access-token" in message
            else RequestRejectedError
        )
    if code in _REAUTH:
        return NeedsReauthError
    if code in _REJECTED | _SELLER:
        return RequestRejectedError
    if code in _GONE:
        return SkippableItemError
    return FatalError


def _cases() -> list[tuple[int, str]]:
    return sorted(set(documented_codes().items()) | common_error_pairs())


@pytest.mark.parametrize(("code", "message"), _cases())
def test_every_documented_code_is_classified(code: int, message: str) -> None:
    """Each code of the common list and of the product pages lands where the docs say."""
    error = envelope.classify(200, code, message, "op")
    assert type(error) is _expected(code, message)
    assert error.code == str(code)
    assert str(code) in str(error)
    assert message.strip().split("\n")[0][:30] in str(error)


def test_the_documented_codes_are_many() -> None:
    """The fixture lists really were read (every page plus the common list)."""
    assert len(_cases()) > 90


def _response(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def test_success_returns_data() -> None:
    """``code`` 0: the payload under ``data`` (the search page's official sample)."""
    sample = response_sample("search-products")
    assert envelope.parse(_response(200, sample), "search") == sample["data"]
    assert envelope.parse(_response(200, response_sample("update-price")), "price") == {}


def test_429_is_rate_limited_with_retry_after() -> None:
    """HTTP 429 with code 36009002 (rate-limit guide) honours Retry-After."""
    body = {"code": 36009002, "message": "Too many requests.", "request_id": "r"}
    with pytest.raises(RateLimitedError) as caught:
        envelope.parse(_response(429, body, {"Retry-After": "2"}), "search")
    assert caught.value.retry_after == 2.0


def test_a_503_without_json_is_retriable() -> None:
    """Service protection (503) or a gateway page: retry."""
    with pytest.raises(RetriableError):
        envelope.parse(httpx.Response(503, content=b"<html>busy</html>"), "search")


def test_a_truncated_body_is_malformed() -> None:
    with pytest.raises(MalformedResponseError):
        envelope.parse(httpx.Response(200, content=b'{"code":0,"da'), "search")


def test_an_answer_without_code_is_retriable_not_success() -> None:
    """A 200 whose body lacks the numeric ``code`` is not taken for a success."""
    with pytest.raises(RetriableError):
        envelope.parse(_response(200, {"message": "?", "data": {}}), "search")


def test_refresh_and_auth_code_refusals_need_reauthorization() -> None:
    """The token endpoints' refusals are about the grant: only the seller can fix them."""
    for message in (
        "Invalid credentials. The `refresh_token` is invalid or expired.",
        "bad auth_code",
    ):
        assert type(envelope.classify(401, 36009004, message, "refresh")) is NeedsReauthError
