"""A raw TikTok Shop caller for sandbox conformance tests: its own signing (written from the
guide, not imported from the adapter), every parameter overridable to send wrong ones."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx

from adapters.tiktok.sandbox import TikTokSandbox

_DEFAULT = object()


def guide_sign(secret: str, path: str, query: dict[str, str], body: bytes) -> str:
    """Steps 1-6 of "Sign your API request"."""
    params = "".join(
        f"{key}{query[key]}" for key in sorted(query) if key not in ("sign", "access_token")
    )
    wrapped = secret.encode() + path.encode() + params.encode() + body + secret.encode()
    return hmac.new(secret.encode(), wrapped, hashlib.sha256).hexdigest()


class RawTikTok:
    def __init__(self, client: httpx.Client, sandbox: TikTokSandbox) -> None:
        self.client = client
        self.sandbox = sandbox
        creds = sandbox.credentials()
        self.app_key = str(creds["app_key"])
        self.app_secret = str(creds["app_secret"])
        self.token = str(creds["access_token"])
        self.cipher = str(creds["shop_cipher"])

    def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        query: dict[str, str] | None = None,
        shop: bool = True,
        timestamp: int | None = None,
        sign: object = _DEFAULT,
        token: str | None = None,
        app_key: str | None = None,
    ) -> httpx.Response:
        params = {
            "app_key": app_key or self.app_key,
            "timestamp": str(timestamp if timestamp is not None else self.sandbox.clock.unix()),
        }
        if shop:
            params["shop_cipher"] = self.cipher
        params |= query or {}
        content = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        if sign is _DEFAULT:
            params["sign"] = guide_sign(self.app_secret, path, params, content)
        elif sign is not None:
            params["sign"] = str(sign)
        headers = {
            "x-tts-access-token": self.token if token is None else token,
            "content-type": "application/json",
        }
        return self.client.request(
            method, path, params=params, content=content or None, headers=headers
        )

    def ok(
        self, method: str, path: str, body: dict[str, Any] | None = None, **options: Any
    ) -> dict[str, Any]:
        response = self.call(method, path, body, **options)
        payload: dict[str, Any] = response.json()
        assert response.status_code == 200, payload
        assert payload["code"] == 0, payload
        return payload

    def search(self, body: dict[str, Any] | None = None, **query: str) -> httpx.Response:
        return self.call(
            "POST",
            "/product/202502/products/search",
            body or {},
            query={"page_size": "100", **query},
        )
