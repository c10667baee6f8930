"""Token lifecycle per "Authorization and Authentication": code exchange, rotating single-use
refresh tokens, the old access token's 5 minutes, expiry, and a seller revoking the app."""

from __future__ import annotations

from typing import Any

from tests.sandbox.shopee_raw import SHOP_INFO, TOKEN_GET, TOKEN_REFRESH, RawShopee


def refresh(shopee: RawShopee, token: str | None = None) -> dict[str, Any]:
    body = {
        "refresh_token": token or shopee.refresh_token,
        "partner_id": shopee.partner_id,
        "shop_id": shopee.shop_id,
    }
    return dict(shopee.post(TOKEN_REFRESH, body).json())


def exchange(shopee: RawShopee, code: str, shop_id: int | None = None) -> dict[str, Any]:
    body = {"code": code, "partner_id": shopee.partner_id, "shop_id": shop_id or shopee.shop_id}
    return dict(shopee.post(TOKEN_GET, body).json())


def shop_info_error(shopee: RawShopee, token: str | None = None) -> tuple[str, str]:
    body = shopee.get(SHOP_INFO, token=token).json()
    return body["error"], body["message"]


def test_refresh_rotates_both_tokens(shopee: RawShopee) -> None:
    """New access and refresh tokens; 4-hour expire_in; the new access token works."""
    answer = refresh(shopee)
    assert answer["error"] == ""
    assert answer["shop_id"] == shopee.shop_id
    assert answer["partner_id"] == shopee.partner_id
    assert answer["expire_in"] == 14400
    assert answer["access_token"] != shopee.access_token
    assert answer["refresh_token"] != shopee.refresh_token
    assert shop_info_error(shopee, answer["access_token"]) == ("", "")
    creds = shopee.control("GET", "credentials")
    assert (creds["access_token"], creds["refresh_token"]) == (
        answer["access_token"],
        answer["refresh_token"],
    )


def test_a_refresh_token_works_once(shopee: RawShopee) -> None:
    """Reusing a refresh token fails with the official example error."""
    assert refresh(shopee)["error"] == ""
    reused = refresh(shopee)
    assert (reused["error"], reused["message"]) == ("error_auth", "Invalid refresh_token.")
    assert set(reused) == {"request_id", "error", "message"}


def test_old_access_token_lives_five_more_minutes(shopee: RawShopee) -> None:
    """The guide: after a refresh "the old access_token is still valid for 5 minutes"."""
    old = shopee.access_token
    new = refresh(shopee)["access_token"]
    shopee.advance(290)
    assert shop_info_error(shopee, old) == ("", "")
    shopee.advance(20)
    assert shop_info_error(shopee, old) == ("error_auth", "Invalid access_token.")
    assert shop_info_error(shopee, new) == ("", "")


def test_access_token_expires_after_four_hours(shopee: RawShopee) -> None:
    """Then a refresh brings a working token back."""
    shopee.advance(4 * 3600 + 1)
    assert shop_info_error(shopee) == ("error_auth", "Invalid access_token.")
    assert shop_info_error(shopee, refresh(shopee)["access_token"]) == ("", "")


def test_refresh_token_expires_after_thirty_days(shopee: RawShopee) -> None:
    """refresh_token_expired / "Your refresh_token expired."."""
    shopee.advance(30 * 86_400 + 1)
    answer = refresh(shopee)
    assert (answer["error"], answer["message"]) == (
        "refresh_token_expired",
        "Your refresh_token expired.",
    )


def test_a_code_is_exchanged_once_for_tokens(shopee: RawShopee) -> None:
    """token/get answers at the top level; the code is single use."""
    code = shopee.control("GET", "credentials")["code"]
    answer = exchange(shopee, code)
    assert answer["error"] == ""
    assert set(answer) == {
        "request_id",
        "error",
        "message",
        "access_token",
        "refresh_token",
        "expire_in",
    }
    assert shop_info_error(shopee, answer["access_token"]) == ("", "")
    assert refresh(shopee, answer["refresh_token"])["error"] == ""
    again = exchange(shopee, code)
    assert (again["error"], again["message"]) == ("error_auth", "Invalid code")


def test_a_code_expires_after_ten_minutes(shopee: RawShopee) -> None:
    """The code from the redirect is valid for 10 minutes."""
    code = shopee.control("POST", "auth/code")["code"]
    shopee.advance(601)
    assert exchange(shopee, code)["message"] == "Invalid code"


def test_a_code_for_another_shop_is_refused(shopee: RawShopee) -> None:
    """invalid_shop_id: "The code or shop_id is wrong, please check the code or the shop_id."."""
    code = shopee.control("POST", "auth/code")["code"]
    answer = exchange(shopee, code, shop_id=shopee.shop_id + 1)
    assert answer["error"] == "invalid_shop_id"


def test_a_revoked_shop_fails_calls_and_refresh_until_reauthorized(shopee: RawShopee) -> None:
    """Revoke: Shop APIs answer error_auth (403), refresh answers shop_no_linked; a new code
    from re-authorization gives working tokens again, the old ones stay dead."""
    old_token = shopee.access_token
    shopee.control("POST", "auth/revoke")
    response = shopee.get(SHOP_INFO)
    assert response.status_code == 403
    assert response.json()["error"] == "error_auth"
    answer = refresh(shopee)
    assert (answer["error"], answer["message"]) == (
        "shop_no_linked",
        "Partner and shop has no linked.",
    )
    assert shopee.control("GET", "credentials")["code"] == ""
    code = shopee.control("POST", "auth/code")["code"]
    fresh = exchange(shopee, code)
    assert shop_info_error(shopee, fresh["access_token"]) == ("", "")
    assert shop_info_error(shopee, old_token) == ("error_auth", "Invalid access_token.")
    assert refresh(shopee)["message"] == "Invalid refresh_token."


def test_token_bodies_must_name_this_partner(shopee: RawShopee) -> None:
    """The partner_id in the body must be the calling partner."""
    body = {"refresh_token": shopee.refresh_token, "partner_id": 1, "shop_id": shopee.shop_id}
    answer = shopee.post(TOKEN_REFRESH, body).json()
    assert (answer["error"], answer["message"]) == ("error_param", "Invalid partner_id.")
