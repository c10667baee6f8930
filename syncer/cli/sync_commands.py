"""``syncer sync SHOP``: pull one shop now, with a progress bar, and report the counts."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from syncer.cli.context import run_async, state
from syncer.domain import RunCounts, RunState, RunTrigger
from syncer.engine.pull import RunOutcome
from syncer.runtime import Runtime
from syncer.store import shops as shop_store
from syncer.store.runs import RunConflictError

EXIT_FAILED = 1
EXIT_BUSY = 3


def register(app: typer.Typer) -> None:
    app.command("sync")(sync)


def sync(
    ctx: typer.Context,
    shop: Annotated[str, typer.Argument(help="Shop id, name or marketplace shop id.")],
    full: Annotated[
        bool, typer.Option("--full", help="Full reconcile: read everything, mark what is gone.")
    ] = False,
) -> None:
    """Pull one shop now (incremental unless --full or never pulled)."""
    runtime = state(ctx).runtime()
    console = Console(stderr=True)

    async def work(rt: Runtime) -> RunOutcome:
        rt.require_schema()
        async with rt.database.read() as connection:
            record = await shop_store.find_shop(connection, shop)
        engine = rt.pull_engine  # settles the secret key before any output
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress:
            task = progress.add_task(f"{record.marketplace} {record.name}", total=None, counts="")

            def on_progress(counts: RunCounts, position: tuple[int, int] | None) -> None:
                done, total = position if position else (counts.pages, None)
                progress.update(task, completed=done, total=total, counts=_counts_text(counts))

            return await engine.run(
                record,
                full=full,
                trigger=RunTrigger.MANUAL,
                requested_by="cli",
                on_progress=on_progress,
            )

    try:
        outcome = run_async(runtime, work)
    except RunConflictError as exc:
        console.print(f"[yellow]{exc}[/]; `syncer runs --shop {shop}` shows its progress")
        raise typer.Exit(EXIT_BUSY) from None
    _report(console, outcome)
    if outcome.state is RunState.FAILED:
        raise typer.Exit(EXIT_FAILED)


def _counts_text(counts: RunCounts) -> str:
    return (
        f"fetched {counts.fetched}  new {counts.created}  changed {counts.updated}  "
        f"same {counts.unchanged}  bad {counts.quarantined}"
    )


def _report(console: Console, outcome: RunOutcome) -> None:
    colour = {"succeeded": "green", "partial": "yellow"}.get(outcome.state.value, "red")
    counts = outcome.counts
    console.print(
        f"run {outcome.run_id} [{colour}]{outcome.state.value}[/]: {counts.pages} pages, "
        f"{counts.fetched} fetched, {counts.created} new, {counts.updated} changed, "
        f"{counts.unchanged} unchanged, {counts.deleted} deleted, "
        f"{counts.quarantined} quarantined"
    )
    for issue in outcome.issues[:10]:
        console.print(f"  item {issue['item']}: {issue['reason']}")
    if outcome.error:
        console.print(f"[red]error:[/] {outcome.error}")
