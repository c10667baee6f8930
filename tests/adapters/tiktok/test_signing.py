"""Request signing reproduces the official guide's worked examples, byte for byte."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import httpx

from adapters.tiktok import signing
from adapters.tiktok.adapter import TikTokAdapter
from syncer.adapter import AdapterContext, AdapterSettings
from tests.adapters.tiktok.samples import FIXTURES

SECRET = "e59af819cc"


def test_the_guides_worked_example_gives_its_sign() -> None:
    """Get Authorized Shops, app_key 29a39d, timestamp 1623812664 → the guide's step 6 sign."""
    query = {"app_key": "29a39d", "timestamp": "1623812664"}
    wrapped = signing.string_to_sign(SECRET, "/authorization/202309/shops", query)
    assert (
        wrapped
        == b"e59af819cc/authorization/202309/shopsapp_key29a39dtimestamp1623812664e59af819cc"
    )
    expected = "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"
    assert signing.sign(SECRET, "/authorization/202309/shops", query) == expected
    assert expected in (FIXTURES / "sign-your-api-request.md").read_text()


def test_sign_and_access_token_are_left_out_and_keys_sorted() -> None:
    """Step 2: ``sign`` and ``access_token`` are not signed; the rest in key order."""
    query = {"timestamp": "1623812664", "sign": "x", "access_token": "y", "app_key": "29a39d"}
    plain = {"app_key": "29a39d", "timestamp": "1623812664"}
    path = "/authorization/202309/shops"
    assert signing.sign(SECRET, path, query) == signing.sign(SECRET, path, plain)


def test_the_body_example_of_step_4_is_appended_as_sent() -> None:
    """Step 4's Update Shop Webhook example: path, sorted query, then the raw body."""
    body = b'{    "address":"https://partner.tiktokshop.com",    "event_type": "PACKAGE_UPDATE"}'
    query = {
        "app_key": "68xu9ks5p4i8",
        "shop_cipher": "ROW_xkMbgAAAeVAQra0eZWebFQq5aIK",
        "timestamp": "1696909648",
    }
    documented = (
        "/event/202309/webhooksapp_key68xu9ks5p4i8shop_cipherROW_xkMbgAAAeVAQra0eZWebFQq5aIK"
        'timestamp1696909648{    "address":"https://partner.tiktokshop.com",    "event_type": '
        '"PACKAGE_UPDATE"}'
    )
    assert documented in (FIXTURES / "sign-your-api-request.md").read_text()
    wrapped = signing.string_to_sign(SECRET, "/event/202309/webhooks", query, body)
    assert wrapped == (SECRET + documented + SECRET).encode()
    multipart = signing.string_to_sign(
        SECRET, "/event/202309/webhooks", query, body, multipart=True
    )
    assert multipart == (SECRET + documented.split("{", maxsplit=1)[0] + SECRET).encode()


class _Clock:
    def now(self) -> datetime:
        return datetime.fromtimestamp(1623812664, UTC)


async def _saver(_credentials: object) -> None:
    return None


def _adapter(transport: httpx.AsyncBaseTransport) -> TikTokAdapter:
    context = AdapterContext(
        shop_external_id="7494049642642441621",
        credentials={
            "app_key": "29a39d",
            "app_secret": SECRET,
            "access_token": "TTP_token",
            "refresh_token": "TTP_refresh",
            "shop_cipher": "ROW_cipher",
        },
        settings=AdapterSettings(base_url="https://open-api.tiktokglobalshop.com"),
        save_credentials=_saver,
        clock=_Clock(),
        transport=transport,
    )
    return TikTokAdapter(context)


async def test_the_adapter_signs_exactly_the_bytes_it_sends() -> None:
    """An independent recomputation over the request on the wire matches its ``sign``."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"code": 0, "message": "Success", "request_id": "r", "data": {}}
        )

    adapter = _adapter(httpx.MockTransport(answer))
    try:
        body = {"product_ids": ["1729592969712207008"], "listing_platforms": ["TOKOPEDIA"]}
        await adapter.call("POST", "/product/202309/products/activate", body=body)
        await adapter.call("GET", "/authorization/202309/shops")
    finally:
        await adapter.aclose()
    for request in seen:
        url = urlsplit(str(request.url))
        query = dict(parse_qsl(url.query))
        base = "".join(
            f"{k}{v}" for k, v in sorted(query.items()) if k not in ("sign", "access_token")
        )
        message = (SECRET + url.path + base).encode() + request.content + SECRET.encode()
        assert query["sign"] == hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()
        assert request.headers["x-tts-access-token"] == "TTP_token"
        assert query["timestamp"] == "1623812664"
    assert "shop_cipher" in dict(parse_qsl(urlsplit(str(seen[0].url)).query))
    assert "shop_cipher" not in dict(parse_qsl(urlsplit(str(seen[1].url)).query))  # app-level API
    assert json.loads(seen[0].content) == {
        "product_ids": ["1729592969712207008"],
        "listing_platforms": ["TOKOPEDIA"],
    }


def test_token_calls_go_to_the_auth_host_in_production() -> None:
    """The token endpoints live on auth.tiktok-shops.com; a sandbox serves them itself."""
    adapter = _adapter(httpx.MockTransport(lambda request: httpx.Response(500)))
    assert adapter.auth_base_url() == "https://auth.tiktok-shops.com"
