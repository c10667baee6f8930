"""Shopee response envelope and HTTP statuses (guide "API calls", official samples)."""

from __future__ import annotations

import re

import httpx

from adapters.shopee.sandbox import ShopeeSandbox, ShopeeSandboxSettings
from syncer.sandbox import SandboxServer
from tests.sandbox.shopee_raw import ITEM_LIST, MODEL_LIST, SHOP_INFO, TOKEN_REFRESH, RawShopee

HEX32 = re.compile(r"[0-9a-f]{32}")


def test_success_envelope_has_request_id_error_message_warning_response(shopee: RawShopee) -> None:
    """``error`` is "" on success and ``response`` holds the data."""
    params = {"offset": 0, "page_size": 1, "item_status": "NORMAL"}
    bodies = [shopee.get(ITEM_LIST, params).json() for _ in range(3)]
    for body in bodies:
        assert set(body) == {"request_id", "error", "message", "warning", "response"}
        assert (body["error"], body["message"], body["warning"]) == ("", "", "")
        assert HEX32.fullmatch(body["request_id"])
    assert len({body["request_id"] for body in bodies}) == 3


def test_error_envelope_is_request_id_error_message(shopee: RawShopee) -> None:
    """As in the official error examples: no response on a refused call."""
    body = shopee.get(MODEL_LIST, {}).json()
    assert set(body) == {"request_id", "error", "message"}
    assert body["error"] == "product.error_param"
    assert body["message"] == "invalid field ItemId: value must  Not Null"


def test_shop_info_and_token_endpoints_answer_at_the_top_level(shopee: RawShopee) -> None:
    """Their official samples carry the fields beside request_id/error, without ``response``."""
    info = shopee.get(SHOP_INFO).json()
    assert "response" not in info
    assert info["region"] == "ID"
    assert info["status"] == "NORMAL"
    assert info["expire_time"] > info["auth_time"]
    body = {
        "refresh_token": shopee.refresh_token,
        "partner_id": shopee.partner_id,
        "shop_id": shopee.shop_id,
    }
    token = shopee.post(TOKEN_REFRESH, body).json()
    assert set(token) == {
        "request_id", "error", "message", "partner_id", "shop_id",
        "access_token", "refresh_token", "expire_in",
    }  # fmt: skip
    assert token["expire_in"] == 14400


def test_error_statuses_are_a_setting() -> None:
    """403 for auth and sign by default; another mapping can be configured."""
    settings = ShopeeSandboxSettings(status_for_error={"error_sign": 401, "error_param": 400})
    sandbox = ShopeeSandbox(seed=2, listings=5, settings=settings)
    with SandboxServer(sandbox.app) as server, httpx.Client(base_url=server.base_url) as client:
        shopee = RawShopee(client, sandbox.credentials())
        query = {**shopee.common(SHOP_INFO), "sign": "0" * 64}
        assert client.get(SHOP_INFO, params=query).status_code == 401
        assert shopee.get(MODEL_LIST, {"item_id": "x"}).status_code == 400
        assert shopee.get(SHOP_INFO, token="0" * 32).status_code == 200  # error_auth unmapped here


def test_invalid_json_bodies_are_parse_errors(shopee: RawShopee) -> None:
    """A POST body that is not a JSON object: error_data / "parse data failed"."""
    response = shopee.client.post(
        TOKEN_REFRESH, params=shopee.common(TOKEN_REFRESH), content=b"[1,"
    )
    assert (response.json()["error"], response.json()["message"]) == (
        "error_data",
        "parse data failed",
    )
