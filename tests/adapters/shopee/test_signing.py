"""Signing reproduces the official guide ("API calls", step 1 and 2)."""

from __future__ import annotations

import hashlib
import hmac

from adapters.shopee.signing import base_string, sign


def test_shop_api_base_string_matches_the_guides_worked_example() -> None:
    expected = "2001887/api/v2/shop/get_shop_info165571443159777174636562737266615546704c6d14701711"
    actual = base_string(
        2001887,
        "/api/v2/shop/get_shop_info",
        1655714431,
        access_token="59777174636562737266615546704c6d",
        shop_id="14701711",
    )
    assert expected == actual


def test_public_api_base_string_matches_the_guides_worked_example() -> None:
    expected = "2001887/api/v2/public/get_shops_by_partner1655714431"
    assert expected == base_string(2001887, "/api/v2/public/get_shops_by_partner", 1655714431)


def test_sign_is_lowercase_hex_hmac_sha256_keyed_by_the_partner_key() -> None:
    key = "partner-key"
    message = "2001887/api/v2/shop/get_shop_info165571443159777174636562737266615546704c6d14701711"
    expected = hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()
    actual = sign(
        key,
        "2001887",
        "/api/v2/shop/get_shop_info",
        1655714431,
        access_token="59777174636562737266615546704c6d",
        shop_id="14701711",
    )
    assert expected == actual
    assert actual == actual.lower()
    assert len(actual) == 64
