"""``syncer sync SHOP``: queue a pull through the daemon, and follow it with a progress bar.

The run is queued in the database the daemon reads (local or remote), so it is never lost:
the caller learns whether it joined a queued or running run or waits behind one. With no
daemon alive, the command runs the queued pull itself (a laptop without ``syncer run``).
"""

from __future__ import annotations

import asyncio
import getpass
import socket
from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from syncer.cli.context import run_async, state
from syncer.domain import AuthState, RunCounts, RunKind, RunState, RunTrigger
from syncer.errors import SyncerError
from syncer.runtime import Runtime
from syncer.store import queue as queue_store
from syncer.store import shops as shop_store
from syncer.store.queue import Enqueued, RunView
from syncer.store.runs import RunConflictError, RunGoneError
from syncer.store.shops import ShopRecord

EXIT_FAILED = 1
POLL_S = 0.5
EXECUTING_ROLES = ("all", "worker")


def register(app: typer.Typer) -> None:
    app.command("sync")(sync)


def sync(
    ctx: typer.Context,
    shop: Annotated[str, typer.Argument(help="Shop id, name or marketplace shop id.")],
    full: Annotated[
        bool, typer.Option("--full", help="Full reconcile: read everything, mark what is gone.")
    ] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="Follow the run with a progress bar until it ends.")
    ] = False,
) -> None:
    """Queue a pull of one shop now (incremental unless --full or never pulled)."""
    runtime = state(ctx).runtime()
    console = Console(stderr=True)

    async def work(rt: Runtime) -> RunView | None:
        rt.require_schema()
        async with rt.database.read() as connection:
            record = await shop_store.find_shop(connection, shop)
        _check_runnable(record)
        rt.pull_engine  # settles the secret key before any output  # noqa: B018
        enqueued = await _enqueue(rt, record, full)
        console.print(f"{record.marketplace} {record.name}: {enqueued.describe()}")
        if not await _daemon_alive(rt):
            console.print("no daemon is running against this database: running it here")
            return await _run_here(rt, record, enqueued, console)
        if not wait:
            console.print(f"follow it with `syncer sync {shop} --wait` or `syncer runs`")
            return None
        return await _follow(rt, record, enqueued.run_id, console)

    view = run_async(runtime, work)
    if view is None:
        return
    _report(console, view)
    if view.state in (RunState.FAILED, RunState.CANCELLED):
        raise typer.Exit(EXIT_FAILED)


def _check_runnable(record: ShopRecord) -> None:
    if not record.enabled:
        raise SyncerError(f"shop {record.id} ({record.name}) is disabled; enable it first")
    if record.auth_state is AuthState.NEEDS_REAUTH:
        raise SyncerError(
            f"shop {record.id} ({record.name}) needs re-authorization "
            f"({record.auth_error or 'the marketplace refused its credentials'}); "
            f"run `syncer shops reauth {record.id} --code CODE`"
        )


async def _enqueue(rt: Runtime, record: ShopRecord, full: bool) -> Enqueued:
    async with rt.database.write() as connection:
        return await queue_store.enqueue_run(
            connection,
            shop_id=record.id,
            kind=RunKind.PULL_FULL if full else RunKind.PULL_INCREMENTAL,
            trigger=RunTrigger.MANUAL,
            requested_by=f"cli:{getpass.getuser()}@{socket.gethostname()}",
            now=rt.clock.now(),
            join_running=True,
        )


async def _daemon_alive(rt: Runtime) -> bool:
    since = rt.clock.now() - timedelta(seconds=rt.settings.daemon.node_timeout_seconds)
    async with rt.database.read() as connection:
        nodes = await queue_store.live_nodes(connection, seen_since=since, roles=EXECUTING_ROLES)
    return bool(nodes)


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


async def _run_here(
    rt: Runtime, record: ShopRecord, enqueued: Enqueued, console: Console
) -> RunView:
    """Execute the queued run in this process (nobody else will), with a live bar."""
    if enqueued.already_running:
        return await _follow(rt, record, enqueued.run_id, console)
    with _progress(console) as progress:
        task = progress.add_task(f"{record.marketplace} {record.name}", total=None, counts="")

        def on_progress(counts: RunCounts, position: tuple[int, int] | None) -> None:
            done, total = position if position else (counts.pages, None)
            progress.update(task, completed=done, total=total, counts=_counts_text(counts))

        while True:
            try:
                await rt.pull_engine.run(
                    record,
                    full=enqueued.kind is RunKind.PULL_FULL,
                    trigger=RunTrigger.MANUAL,
                    requested_by="cli",
                    on_progress=on_progress,
                    run_id=enqueued.run_id,
                )
                break
            except RunConflictError as exc:  # another process pulls the shop: wait our turn
                progress.update(task, description=f"{record.name}: waiting ({exc})")
                await asyncio.sleep(POLL_S)
            except RunGoneError:  # a daemon that started meanwhile took it: follow it
                break
    return await _follow(rt, record, enqueued.run_id, console)


async def _follow(rt: Runtime, record: ShopRecord, run_id: int, console: Console) -> RunView:
    """Poll the run row until it ends, drawing its progress (it runs in another process)."""
    with _progress(console) as progress:
        task = progress.add_task(f"{record.marketplace} {record.name}", total=None, counts="")
        while True:
            async with rt.database.read() as connection:
                view = await queue_store.view_run(connection, run_id)
            if view is None:
                raise SyncerError(f"run {run_id} disappeared from the database")
            progress.update(
                task,
                description=_headline(record, view),
                completed=view.progress_done or view.counts.pages,
                total=view.progress_total or None,
                counts=_counts_text(view.counts),
            )
            if view.state.finished:
                return view
            await asyncio.sleep(POLL_S)


def _headline(record: ShopRecord, view: RunView) -> str:
    name = f"{record.marketplace} {record.name} (run {view.id})"
    if view.state is RunState.QUEUED:
        return f"{name} queued" + (f" behind run {view.ahead}" if view.ahead else "")
    return name


def _counts_text(counts: RunCounts) -> str:
    return (
        f"fetched {counts.fetched}  new {counts.created}  changed {counts.updated}  "
        f"same {counts.unchanged}  bad {counts.quarantined}"
    )


def _report(console: Console, view: RunView) -> None:
    colour = {"succeeded": "green", "partial": "yellow"}.get(view.state.value, "red")
    counts = view.counts
    console.print(
        f"run {view.id} [{colour}]{view.state.value}[/]: {counts.pages} pages, "
        f"{counts.fetched} fetched, {counts.created} new, {counts.updated} changed, "
        f"{counts.unchanged} unchanged, {counts.deleted} deleted, "
        f"{counts.quarantined} quarantined"
    )
    if view.issues:
        for issue in view.issues[:10]:
            console.print(f"  item {issue['item']}: {issue['reason']}")
    if view.error_message:
        console.print(f"[red]error:[/] {view.error_message}")
