"""A seeded store served by the app: in process (ASGI) and on a loopback socket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from syncer.runtime import Runtime
from syncer.web import create_app, serve
from syncer.web.app import bind
from syncer.web.state import SyncLauncher
from tests.conftest import make_settings
from tests.engine.shopee_rig import shopee_rig  # noqa: F401  a fixture for the browser tests
from tests.web.seed import Seeded, seed


@dataclass
class Site:
    runtime: Runtime
    app: FastAPI
    data: Seeded
    client: httpx.AsyncClient

    @staticmethod
    def as_(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def site(database_url: str, tmp_path: Path) -> AsyncIterator[Site]:
    runtime = Runtime.from_settings(make_settings(database_url, tmp_path))
    data = await seed(runtime.database)
    app = create_app(runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://syncer.test") as client:
        yield Site(runtime, app, data, client)
    await runtime.close()


@asynccontextmanager
async def served(runtime: Runtime, launcher: SyncLauncher | None = None) -> AsyncIterator[str]:
    """``serve`` on a free loopback port for the block; yields the base URL."""
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    stop = asyncio.Event()
    task = asyncio.create_task(serve(runtime, stop, launcher=launcher, sock=sock))
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base) as probe:
        for _ in range(200):  # until uvicorn accepts (the socket listens already)
            try:
                if (await probe.get("/healthz")).status_code == 200:
                    break
            except httpx.TransportError:
                await asyncio.sleep(0.02)
    try:
        yield base
    finally:
        stop.set()
        await task
