"""Shopee signing and common parameters, per "API calls" and "Authorization and Authentication"."""

from __future__ import annotations

import re

import httpx
import pytest

from adapters.shopee.sandbox import ShopeeSandbox
from syncer.sandbox import SandboxServer
from tests.sandbox.shopee_raw import (
    ITEM_LIST,
    SHOP_INFO,
    TOKEN_REFRESH,
    RawShopee,
    base_string,
    sign,
)

DOC_PARTNER_ID = 2001887
DOC_PATH = "/api/v2/shop/get_shop_info"
DOC_TIMESTAMP = 1655714431
DOC_ACCESS_TOKEN = "59777174636562737266615546704c6d"
DOC_SHOP_ID = 14701711
DOC_BASE = "2001887/api/v2/shop/get_shop_info165571443159777174636562737266615546704c6d14701711"


def test_the_documented_base_string_example() -> None:
    """partner_id, path, timestamp, access_token, shop_id concatenated without separators."""
    assert (
        base_string(DOC_PARTNER_ID, DOC_PATH, DOC_TIMESTAMP, DOC_ACCESS_TOKEN, DOC_SHOP_ID)
        == DOC_BASE
    )


def test_the_documented_example_request_is_accepted_end_to_end() -> None:
    """With the docs' ids, token and timestamp (clock set to it), the sandbox accepts the sign."""
    key = "a" * 64
    sandbox = ShopeeSandbox(
        seed=1,
        listings=5,
        partner_id=DOC_PARTNER_ID,
        partner_key=key,
        shop_id=DOC_SHOP_ID,
        access_token=DOC_ACCESS_TOKEN,
    )
    sandbox.clock.set(DOC_TIMESTAMP)
    query = {
        "partner_id": DOC_PARTNER_ID,
        "timestamp": DOC_TIMESTAMP,
        "access_token": DOC_ACCESS_TOKEN,
        "shop_id": DOC_SHOP_ID,
        "sign": sign(key, DOC_BASE),
    }
    with SandboxServer(sandbox.app) as server:
        response = httpx.get(server.base_url + DOC_PATH, params=query)
    assert response.status_code == 200
    assert response.json()["error"] == ""


def test_signed_calls_succeed(shopee: RawShopee) -> None:
    """A Shop API signed per the guide answers with an empty error."""
    response = shopee.get(SHOP_INFO)
    assert response.status_code == 200
    assert response.json()["error"] == ""


def test_a_wrong_sign_is_refused_with_403(shopee: RawShopee) -> None:
    """error_sign / "Wrong sign." (HTTP 403 by default)."""
    query = shopee.common(SHOP_INFO)
    query["sign"] = "0" * 64
    response = shopee.client.get(SHOP_INFO, params=query)
    assert response.status_code == 403
    body = response.json()
    assert (body["error"], body["message"]) == ("error_sign", "Wrong sign.")
    assert set(body) == {"request_id", "error", "message"}


def test_a_sign_over_another_path_or_api_type_is_wrong(shopee: RawShopee) -> None:
    """The path is part of the base string, and Shop APIs add access_token and shop_id."""
    query = shopee.common(ITEM_LIST)
    assert shopee.client.get(SHOP_INFO, params=query).json()["error"] == "error_sign"
    public = base_string(shopee.partner_id, SHOP_INFO, query["timestamp"])
    query = {**shopee.common(SHOP_INFO), "sign": sign(shopee.partner_key, public)}
    assert shopee.client.get(SHOP_INFO, params=query).json()["error"] == "error_sign"


@pytest.mark.parametrize(
    ("dropped", "message"),
    [
        ("partner_id", "There is no partner_id in query."),
        ("timestamp", "no timestamp"),
        ("sign", "There is no sign in query."),
        ("access_token", "There is no access_token in query."),
    ],
)
def test_missing_common_parameters_are_named(shopee: RawShopee, dropped: str, message: str) -> None:
    """Each missing common parameter has its own official error_param message."""
    query = shopee.common(SHOP_INFO)
    del query[dropped]
    response = shopee.client.get(SHOP_INFO, params=query)
    assert response.status_code == 200
    assert (response.json()["error"], response.json()["message"]) == ("error_param", message)


def test_an_unknown_partner_id_is_invalid(shopee: RawShopee) -> None:
    """error_param / "Invalid partner_id."."""
    query = {**shopee.common(SHOP_INFO), "partner_id": shopee.partner_id + 1}
    assert shopee.client.get(SHOP_INFO, params=query).json()["message"] == "Invalid partner_id."


@pytest.mark.parametrize("skew", [-301, 301, -10_000])
def test_timestamps_outside_five_minutes_are_refused(shopee: RawShopee, skew: int) -> None:
    """Each API request must arrive within 5 minutes of its timestamp."""
    response = shopee.get(SHOP_INFO, timestamp=shopee.now() + skew)
    assert (response.json()["error"], response.json()["message"]) == (
        "error_param",
        "Invalid timestamp",
    )


@pytest.mark.parametrize("skew", [-295, 0, 295])
def test_timestamps_inside_five_minutes_are_accepted(shopee: RawShopee, skew: int) -> None:
    """The window is measured against the sandbox clock, both ways."""
    assert shopee.get(SHOP_INFO, timestamp=shopee.now() + skew).json()["error"] == ""


def test_the_window_follows_the_sandbox_clock(shopee: RawShopee) -> None:
    """After the clock jumps an hour, a real-time timestamp is stale."""
    stale = shopee.now()
    shopee.advance(3600)
    assert shopee.get(SHOP_INFO, timestamp=stale).json()["message"] == "Invalid timestamp"
    assert shopee.get(SHOP_INFO).json()["error"] == ""


def test_another_shop_id_is_not_authorized(shopee: RawShopee) -> None:
    """A shop the partner has no link to: error_auth "Invalid partner_id or shopid."."""
    shopee.shop_id += 1
    response = shopee.get(SHOP_INFO)
    assert response.status_code == 403
    assert response.json()["message"] == "Invalid partner_id or shopid."


def test_an_unknown_access_token_is_invalid(shopee: RawShopee) -> None:
    """error_auth / "Invalid access_token." (403)."""
    response = shopee.get(SHOP_INFO, token="f" * 32)
    assert response.status_code == 403
    assert (response.json()["error"], response.json()["message"]) == (
        "error_auth",
        "Invalid access_token.",
    )


def test_public_apis_sign_without_token_and_shop(shopee: RawShopee) -> None:
    """Token endpoints use partner_id + path + timestamp only."""
    body = {
        "refresh_token": shopee.refresh_token,
        "partner_id": shopee.partner_id,
        "shop_id": shopee.shop_id,
    }
    response = shopee.post(TOKEN_REFRESH, body)
    assert response.json()["error"] == ""
    assert re.fullmatch(r"[0-9a-f]{32}", response.json()["access_token"])
