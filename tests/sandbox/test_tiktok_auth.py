"""TikTok Shop sandbox conformance: signing, timestamp window, identifiers and tokens, checked
against the official guides' examples and error lists (tests/fixtures/tiktok)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import httpx
import pytest

from adapters.tiktok import sandbox_errors
from adapters.tiktok.sandbox import TikTokSandbox
from syncer.sandbox import SandboxServer
from tests.adapters.tiktok.raw import RawTikTok
from tests.adapters.tiktok.samples import (
    SPECS,
    common_error_pairs,
    documented_codes,
    response_sample,
)

SHOPS = "/authorization/202309/shops"


@pytest.fixture
def sandbox() -> TikTokSandbox:
    return TikTokSandbox(seed=3, listings=200)


@pytest.fixture
def raw(sandbox: TikTokSandbox) -> Iterator[RawTikTok]:
    with (
        SandboxServer(sandbox.app) as server,
        httpx.Client(base_url=server.base_url, timeout=10) as client,
    ):
        yield RawTikTok(client, sandbox)


def test_the_guides_worked_example_is_accepted() -> None:
    """App key 29a39d, secret e59af819cc, timestamp 1623812664: the guide's sign passes."""
    sandbox = TikTokSandbox(seed=1, listings=10, app_key="29a39d", app_secret="e59af819cc")
    sandbox.clock.set(1623812664)
    token = str(sandbox.credentials()["access_token"])
    sign = "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"
    with SandboxServer(sandbox.app) as server, httpx.Client(base_url=server.base_url) as client:
        response = client.get(
            SHOPS,
            params={"app_key": "29a39d", "sign": sign, "timestamp": "1623812664"},
            headers={"x-tts-access-token": token, "content-type": "application/json"},
        )
    body = response.json()
    assert body["code"] == 0, body
    documented = response_sample("get-authorized-shops")
    assert set(body) == set(documented)
    assert set(body["data"]["shops"][0]) == set(documented["data"]["shops"][0])


def _error(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert set(body) >= {"code", "message", "request_id"}
    return body["code"], body["message"]


def test_a_wrong_or_missing_sign_is_refused_in_the_documented_words(raw: RawTikTok) -> None:
    assert _error(raw.call("GET", SHOPS, shop=False, sign="0" * 64)) == (
        106001,
        "Invalid credentials. The `sign` query parameter is invalid.",
    )
    assert _error(raw.call("GET", SHOPS, shop=False, sign=None))[0] == 36009004
    assert "Missing credentials" in _error(raw.call("GET", SHOPS, shop=False, sign=None))[1]
    assert "app_key" in _error(raw.call("GET", SHOPS, shop=False, app_key="nope"))[1]


@pytest.mark.parametrize(
    ("shift", "accepted", "words"),
    [
        (-299, True, ""),
        (-302, False, "5 minutes before"),
        (29, True, ""),
        (32, False, "30 seconds"),
    ],
)
def test_the_timestamp_window_is_five_minutes_back_thirty_seconds_ahead(
    raw: RawTikTok, shift: int, accepted: bool, words: str
) -> None:
    response = raw.call("GET", SHOPS, shop=False, timestamp=raw.sandbox.clock.unix() + shift)
    code, message = _error(response)
    assert (code == 0) is accepted, message
    assert words in message


def test_tokens_and_shop_identifiers_are_checked(raw: RawTikTok) -> None:
    assert _error(raw.call("GET", SHOPS, shop=False, token="TTP_forged"))[0] == 36009004
    assert _error(raw.search(**{}))[0] == 0
    missing = raw.call(
        "POST", "/product/202502/products/search", {}, query={"page_size": "5"}, shop=False
    )
    assert _error(missing)[0] == 106013
    unexpected = raw.call("GET", SHOPS, shop=True)
    assert _error(unexpected) == (36009004, sandbox_errors.UNEXPECTED_SHOP_CIPHER[1])
    raw.cipher = "ROW_someone_else"
    assert _error(raw.search())[0] == 101000


def test_the_code_flow_answers_the_documented_token_shape(raw: RawTikTok) -> None:
    """Get Access Token: the guide's fields, absolute expiry 7 days out; the code works once."""
    sandbox = raw.sandbox
    creds = sandbox.credentials()
    query = {
        "app_key": raw.app_key,
        "app_secret": raw.app_secret,
        "auth_code": str(creds["code"]),
        "grant_type": "authorized_code",
    }
    first = raw.client.get("/api/v2/token/get", params=query).json()
    assert first["code"] == 0
    documented = {
        "access_token",
        "access_token_expire_in",
        "refresh_token",
        "refresh_token_expire_in",
        "open_id",
        "seller_name",
        "seller_base_region",
        "user_type",
        "granted_scopes",
    }
    assert set(first["data"]) == documented
    assert abs(first["data"]["access_token_expire_in"] - (sandbox.clock.unix() + 7 * 86_400)) <= 2
    assert raw.client.get("/api/v2/token/get", params=query).json()["code"] == 36009004
    refresh = {
        "app_key": raw.app_key,
        "app_secret": raw.app_secret,
        "refresh_token": first["data"]["refresh_token"],
        "grant_type": "refresh_token",
    }
    renewed = raw.client.get("/api/v2/token/refresh", params=refresh).json()
    assert renewed["code"] == 0
    assert renewed["data"]["access_token"] != first["data"]["access_token"]
    wrong = raw.client.get("/api/v2/token/refresh", params=refresh | {"app_secret": "x"}).json()
    assert wrong["code"] == 36009004


def _sample_pairs() -> set[tuple[int, str]]:
    """Row errors as the response samples word them."""
    pairs = set()
    for name in SPECS:
        for error in response_sample(name).get("data", {}).get("errors", []):
            for entry in [error, *error.get("detail", {}).get("extra_errors", [])]:
                pairs.add((entry["code"], entry["message"].strip()))
    return pairs


def test_every_error_the_sandbox_answers_is_an_official_pair() -> None:
    """Each (code, message) in sandbox_errors appears in the docs, except those marked [I]."""
    official = common_error_pairs() | {
        (code, message.strip()) for code, message in documented_codes().items()
    }
    official |= _sample_pairs()
    source = inspect.getsource(sandbox_errors)
    pairs = {
        name: value
        for name, value in vars(sandbox_errors).items()
        if name.isupper()
        and isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], int)
    }
    inferred = source[source.index("# [I] the token endpoints") : source.index("# -- product API")]
    for name, (code, message) in pairs.items():
        if name in inferred:
            continue
        assert (code, message.strip()) in official or (code, message) in official, name
