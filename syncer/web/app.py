"""The FastAPI app (API, pages, health, metrics) and ``serve``: uvicorn in the caller's loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from syncer.errors import ConfigError
from syncer.runtime import Runtime
from syncer.web import api, errors, health, pages
from syncer.web.state import SyncLauncher, WebState

STATIC = Path(__file__).with_name("static")
DESCRIPTION = """Listing status across marketplaces for businesses (their own data) and
operators (every business). Authenticate with `Authorization: Bearer <token>`; tokens come from
`syncer tokens create`. Errors are `{"error": {"code", "message", "field"}}`."""


def create_app(runtime: Runtime, *, launcher: SyncLauncher | None = None) -> FastAPI:
    """The whole HTTP surface over ``runtime``; ``launcher`` (the daemon) runs triggered syncs."""
    app = FastAPI(
        title="marketplace-syncer",
        version="1",
        description=DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.web = WebState(runtime=runtime, launcher=launcher)
    errors.install(app, pages.render_error)
    app.include_router(health.router)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


class _EmbeddedServer(uvicorn.Server):
    """uvicorn inside a process that owns its signals (the daemon, the demo)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind(host: str, port: int) -> socket.socket:
    """Listen now, so a taken port is one clear error before anything else starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"key web.port: cannot listen on {host}:{port} ({exc.strerror}); stop whatever "
            "uses it or set another port (SYNCER_WEB__PORT)"
        ) from None
    sock.listen(2048)
    sock.setblocking(False)
    return sock


async def serve(
    runtime: Runtime,
    stop: asyncio.Event,
    *,
    launcher: SyncLauncher | None = None,
    sock: socket.socket | None = None,
) -> None:
    """Serve the app on ``[web] host:port`` (or ``sock``) until ``stop`` is set."""
    settings = runtime.settings.web
    listening = sock or bind(settings.host, settings.port)
    config = uvicorn.Config(
        create_app(runtime, launcher=launcher),
        log_config=None,  # structlog is configured by the process
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=5,
    )
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve(sockets=[listening]))
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        server.should_exit = True
        stopping.cancel()
        await task
        listening.close()
