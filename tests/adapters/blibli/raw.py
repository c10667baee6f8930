"""Raw HTTP access to a Blibli sandbox on a real socket, for conformance tests.

``RawBlibli`` adds the common query parameters, Basic auth, the Api-Seller-Key and (when the
store has a signature key) the official signature, each of which a test can drop or spoil.
One uvicorn server serves a whole session; each test plugs in a fresh sandbox.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from adapters.blibli import signing
from adapters.blibli.sandbox import BlibliSandbox
from syncer.sandbox import SandboxServer

SEED = 5
LISTINGS = 400
SIGNATURE_KEY = "s1gn4ture-k3y"


class Plug:
    """Forwards to whichever sandbox app the current test plugged in."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None, "no sandbox plugged in"
        await self.app(scope, receive, send)


class RawBlibli:
    def __init__(self, client: httpx.Client, creds: dict[str, object]) -> None:
        self.client = client
        self.creds = {key: str(value) for key, value in creds.items()}
        self.skew = timedelta(0)

    def params(self, *, legacy: bool = False, **extra: str) -> dict[str, str]:
        code = self.creds["shop_id"]
        params = {
            "requestId": str(uuid.uuid4()),
            "storeId": "10001",
            "channelId": "tests",
            "username": self.creds["username"],
            ("businessPartnerCode" if legacy else "storeCode"): code,
        }
        return {**params, **extra}

    def call(
        self,
        method: str,
        path: str,
        *,
        body: object = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        sign: bool = True,
    ) -> httpx.Response:
        content = json.dumps(body, separators=(",", ":")).encode() if body is not None else None
        legacy = path.startswith("/mta/")
        all_headers = {
            "Authorization": signing.basic_auth(
                self.creds["client_id"], self.creds["client_secret"]
            ),
            "Api-Seller-Key": self.creds["api_seller_key"],
            "Content-Type": signing.JSON,
            "Accept": signing.JSON,
        }
        key = self.creds.get("signature_key")
        if key and sign:
            moment = datetime.now(UTC) + self.skew
            raw = signing.raw_string(method, content, moment, path)
            all_headers["Signature"] = signing.sign(key, raw)
            all_headers["Signature-Time"] = str(signing.millis(moment))
        all_headers.update(headers or {})
        query = params if params is not None else self.params(legacy=legacy)
        return self.client.request(method, path, params=query, content=content, headers=all_headers)

    def products(self, state: str | None = None, page: int = 0, size: int = 50) -> httpx.Response:
        filters = {"state": state} if state else {}
        body = {"filter": filters, "paging": {"page": page, "size": size}}
        return self.call("POST", "/seller/v1/products/filter", body=body)

    def control(self, method: str, path: str, body: object = None) -> dict[str, object]:
        response = self.client.request(method, f"/_sandbox/{path}", json=body)
        assert response.status_code == 200, response.text
        result: dict[str, object] = response.json()
        return result


@pytest.fixture(scope="session")
def blibli_plugged() -> Iterator[tuple[SandboxServer, Plug]]:
    plug = Plug()
    with SandboxServer(plug) as server:
        yield server, plug


@pytest.fixture
def blibli_sandbox() -> BlibliSandbox:
    return BlibliSandbox(seed=SEED, listings=LISTINGS, signature_key=SIGNATURE_KEY)


@pytest.fixture
def raw(
    blibli_plugged: tuple[SandboxServer, Plug], blibli_sandbox: BlibliSandbox
) -> Iterator[RawBlibli]:
    server, plug = blibli_plugged
    plug.app = blibli_sandbox.app
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        yield RawBlibli(client, blibli_sandbox.credentials())
