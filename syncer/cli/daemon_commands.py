"""``syncer run``, ``syncer worker``, ``syncer demo``, ``syncer db upgrade``, ``syncer sandbox``."""

from __future__ import annotations

import asyncio
import json
import signal
from enum import StrEnum
from typing import Annotated, cast

import typer

from syncer.cli.context import run_async, state
from syncer.runtime import Runtime

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


class Role(StrEnum):
    ALL = "all"
    SCHEDULER = "scheduler"
    WORKER = "worker"


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("worker")(worker)
    app.command("demo")(demo)
    app.command("sandbox")(sandbox)
    app.add_typer(db_app, name="db")


def run(
    ctx: typer.Context,
    role: Annotated[
        Role | None,
        typer.Option(
            help="scheduler: decide when and queue runs; worker: execute queued runs; "
            "all: both (default: daemon.role in the config).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run the daemon: scheduled pulls of every enabled shop until SIGTERM or Ctrl+C."""
    _serve(ctx, role.value if role else None)


def worker(ctx: typer.Context) -> None:
    """Execute queued runs (cluster mode: start any number, on any host, beside a scheduler)."""
    _serve(ctx, Role.WORKER.value)


def _serve(ctx: typer.Context, role: str | None) -> None:
    from syncer.scheduler.daemon import Role as DaemonRole
    from syncer.service import build_daemon

    runtime = state(ctx).runtime()
    chosen = cast(DaemonRole | None, role)

    async def work(rt: Runtime) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        # Workers only execute: the web app and API are served by the scheduling node(s), so
        # any number of workers can share a host without fighting over [web] port.
        role_here = chosen or rt.settings.daemon.role
        daemon = build_daemon(rt, role=chosen, web=role_here != "worker")
        await daemon.run(stop)

    run_async(runtime, work)


def demo(ctx: typer.Context) -> None:
    """Sandbox marketplaces, a demo business connected to each, and the daemon."""
    from syncer.demo import run_demo

    run_async(state(ctx).runtime(), run_demo)


@db_app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Apply database migrations (the daemon also does this on start)."""
    from syncer.store import migrate

    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> str | None:
        rt.migrate()
        return migrate.current_revision(rt.settings.database.url)

    print(f"database {runtime.database.safe_url} at revision {run_async(runtime, work)}")


@db_app.command("revision")
def revision(
    message: Annotated[str, typer.Argument(help="What the schema change is, e.g. 'add product'.")],
) -> None:
    """(For contributors) write a migration for the models' changes since the last script."""
    from syncer.store import migrate

    print(f"wrote {migrate.new_revision(message)}; read it and tidy it before committing")


def sandbox(
    ctx: typer.Context,
    marketplace: Annotated[str, typer.Argument(help="Adapter name, e.g. shopee.")],
    port: Annotated[int, typer.Option(help="TCP port (0 picks a free one).")] = 0,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    listings: Annotated[int, typer.Option(help="Listings in the seeded catalog.")] = 5000,
    seed: Annotated[int, typer.Option(help="Catalog seed (same seed, same catalog).")] = 1,
) -> None:
    """Serve a marketplace sandbox and print how to connect to it."""
    from syncer.demo import _sandbox_class
    from syncer.sandbox import serve_forever

    state(ctx).settings  # validates the config and sets up logging  # noqa: B018
    instance = _sandbox_class(marketplace)(seed=seed, listings=listings)

    def ready(base_url: str) -> None:
        creds = instance.credentials()
        print(f"{marketplace} sandbox listening on {base_url} ({listings} listings, seed {seed})")
        print(f"control API: {base_url}/_sandbox/  (truth, mutate, faults, limits, clock, stats)")
        print(json.dumps({"base_url": base_url, **creds}, indent=2), flush=True)

    serve_forever(instance.app, host, port, on_ready=ready)
