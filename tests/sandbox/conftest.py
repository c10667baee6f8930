"""Sandboxes on a real loopback socket, and a raw signed caller for each.

One uvicorn server serves the whole session; each test gets a fresh ``ShopeeSandbox`` plugged
in behind it, so tests are isolated without paying a server start and stop each.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from adapters.shopee.sandbox import ShopeeSandbox
from syncer.sandbox import SandboxServer
from tests.sandbox.shopee_raw import RawShopee

SEED = 7
LISTINGS = 600


class Plug:
    """An ASGI app that forwards to whichever sandbox app the current test plugged in."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None, "no sandbox plugged in"
        await self.app(scope, receive, send)


@pytest.fixture(scope="session")
def plugged_server() -> Iterator[tuple[SandboxServer, Plug]]:
    plug = Plug()
    with SandboxServer(plug) as server:
        yield server, plug


@pytest.fixture
def sandbox() -> ShopeeSandbox:
    return ShopeeSandbox(seed=SEED, listings=LISTINGS)


@pytest.fixture
def server(plugged_server: tuple[SandboxServer, Plug], sandbox: ShopeeSandbox) -> SandboxServer:
    running, plug = plugged_server
    plug.app = sandbox.app
    return running


@pytest.fixture
def shopee(server: SandboxServer, sandbox: ShopeeSandbox) -> Iterator[RawShopee]:
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        yield RawShopee(client, sandbox.credentials())
