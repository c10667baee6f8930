"""``syncer web``: the HTTP API and web pages alone, without the daemon (syncs not started)."""

from __future__ import annotations

import asyncio
import signal
from typing import Annotated

import typer

from syncer.cli.context import run_async, state
from syncer.runtime import Runtime


def register(app: typer.Typer) -> None:
    app.command("web")(web)


def web(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Listen address (default: [web] host).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: [web] port).")] = None,
) -> None:
    """Serve the API, the web pages, /healthz, /readyz and /metrics until Ctrl+C."""
    from syncer.web import serve

    settings = state(ctx).settings
    web_settings = settings.web.model_copy(
        update={
            "host": host or settings.web.host,
            "port": settings.web.port if port is None else port,
        }
    )
    runtime = Runtime.from_settings(settings.model_copy(update={"web": web_settings}))

    async def work(rt: Runtime) -> None:
        rt.require_schema()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        typer.echo(
            f"serving http://{web_settings.host}:{web_settings.port}/ (Ctrl+C stops)", err=True
        )
        await serve(rt, stop)

    run_async(runtime, work)
