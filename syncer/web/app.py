"""The FastAPI app (API, pages, health, metrics) and ``serve``: uvicorn in the caller's loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from syncer.errors import ConfigError
from syncer.runtime import Runtime
from syncer.web import api, errors, health, pages
from syncer.web.state import SyncLauncher, WebState
from syncer.web.webhooks import router as webhooks_router

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
    app.include_router(webhooks_router)  # no bearer token: signatures authenticate
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(ServerTiming)
    return app


class ServerTiming:
    """Adds ``Server-Timing: app;dur=MS`` (time in the app, until its headers are sent), for
    browsers' dev tools and the benchmark. Plain ASGI: no task per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed_ms = (time.perf_counter() - started) * 1000
                timing = (b"server-timing", b"app;dur=%.2f" % elapsed_ms)
                message = {**message, "headers": [*message.get("headers", ()), timing]}
            await send(message)

        await self.app(scope, receive, timed)


class _EmbeddedServer(uvicorn.Server):
    """uvicorn inside a process that owns its signals (the daemon, the demo)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind(host: str, port: int) -> socket.socket:
    """Listen now, so a taken port is one clear error before anything else starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say TCP, and without
    # it keep-alive answers wait ~40 ms for delayed ACKs (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
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
