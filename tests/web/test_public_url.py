"""``[web] public_url``: behind a proxy that rewrites host and scheme, a Shopee push signed for
the public URL verifies although it reaches the app on its internal address."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
import pytest
from pydantic import ValidationError

from syncer.runtime import Runtime
from syncer.settings import Settings, WebSettings
from tests.engine.shopee_rig import ShopeeRig, shopee_rig
from tests.web.conftest import served

__all__ = ["shopee_rig"]
PUBLIC = "https://sync.example.com/syncer"


def signed(url: str, body: bytes, key: str) -> dict[str, str]:
    digest = hmac.new(key.encode(), url.encode() + b"|" + body, hashlib.sha256).hexdigest()
    return {"Authorization": digest}


async def test_a_push_signed_for_the_public_url_verifies_on_the_internal_one(
    shopee_rig: ShopeeRig,
) -> None:
    rig, key = shopee_rig, str(shopee_rig.sandbox.credentials()["partner_key"])
    settings = rig.runtime.settings.model_copy(update={"web": WebSettings(public_url=PUBLIC + "/")})
    runtime = Runtime.from_settings(settings, rig.clock)
    shop = int(rig.shop.external_shop_id)
    body = json.dumps(
        {"shop_id": shop, "code": 22, "timestamp": 1660123127, "data": {"item_id": 7}}
    ).encode()
    try:
        async with served(runtime) as base, httpx.AsyncClient() as client:
            internal = f"{base}/webhooks/shopee"
            public = await client.post(
                internal, content=body, headers=signed(f"{PUBLIC}/webhooks/shopee", body, key)
            )
            as_internal = await client.post(
                internal, content=body, headers=signed(internal, body, key)
            )
    finally:
        await runtime.close()
    assert (public.status_code, as_internal.status_code) == (200, 401)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("sync.example.com", "not an absolute http(s) URL"),
        ("ftp://sync.example.com", "not an absolute http(s) URL"),
        ("https://", "not an absolute http(s) URL"),
        ("https://sync.example.com/?a=1", "no query or fragment"),
    ],
)
def test_a_public_url_must_be_an_absolute_http_url(value: str, why: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(web={"public_url": value})
    assert why in str(caught.value)
    assert "public_url" in str(caught.value)


def test_the_public_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCER_WEB__PUBLIC_URL", "https://sync.example.com/")
    assert Settings().web.public_url == "https://sync.example.com"
