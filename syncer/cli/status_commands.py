"""``syncer status`` (listings) and ``syncer runs`` (sync history)."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from syncer.cli.context import run_async, state
from syncer.cli.push_views import print_push_overview, push_overview
from syncer.cli.shop_commands import _marketplace_label
from syncer.domain import ListingStatus
from syncer.runtime import Runtime
from syncer.store import shops as shop_store
from syncer.store.queries import ListingView, iter_listings, recent_runs, status_counts

STATUS_STYLE = {
    "active": "green",
    "out_of_stock": "yellow",
    "inactive": "bright_black",
    "under_review": "cyan",
    "banned": "red",
    "rejected": "red",
    "deleted": "bright_black",
    "draft": "blue",
}


WIDE = 120  # terminal columns from which every column of the tables is shown
_NUMERIC = frozenset({"Run", "Pages", "Fetched", "New", "Changed", "Same", "Deleted", "Bad"})


def rupiah(amount: int) -> str:
    return "Rp" + f"{amount:,}".replace(",", ".")


def register(app: typer.Typer) -> None:
    app.command("status")(status)
    app.command("runs")(runs)


def status(
    ctx: typer.Context,
    shop: Annotated[str | None, typer.Option(help="Shop id, name or marketplace shop id.")] = None,
    status_filter: Annotated[
        ListingStatus | None, typer.Option("--status", help="Only listings in this status.")
    ] = None,
    sku: Annotated[str | None, typer.Option(help="Only listings with this seller SKU.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON array of listings.")
    ] = False,
    limit: Annotated[int, typer.Option(help="Rows shown in the table (not in --json).")] = 30,
) -> None:
    """Listings across every connected shop: status, price and stock."""
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> None:
        rt.require_schema()
        async with rt.database.read() as connection:
            shop_id = (await shop_store.find_shop(connection, shop)).id if shop else None
            rows = iter_listings(
                connection,
                shop_id=shop_id,
                status=status_filter.value if status_filter else None,
                sku=sku,
            )
            if as_json:
                await _print_json(rows)
                return
            console = Console()
            console.print(_summary(await status_counts(connection)))
            print_push_overview(console, *await push_overview(connection))
            wide = console.width >= WIDE
            table = _listing_table(wide)
            shown = 0
            async for row in rows:
                if shown >= limit:
                    console.print(table)
                    console.print(f"(first {limit} rows; --limit or --json for more)")
                    return
                table.add_row(*_listing_cells(row, wide))
                shown += 1
            console.print(table if shown else "No listings match.")

    run_async(runtime, work)


async def _print_json(rows: AsyncIterator[ListingView]) -> None:
    """A JSON array written row by row, so a large catalog never sits in memory."""
    out = sys.stdout
    out.write("[")
    first = True
    async for row in rows:
        out.write("\n  " if first else ",\n  ")
        out.write(json.dumps(row.as_json(), ensure_ascii=False))
        first = False
    out.write("\n]\n" if not first else "]\n")


def _summary(counts: list[tuple[str, str, str, int]]) -> Table:
    table = Table(title="Listings by shop and status")
    for column in ("Marketplace", "Shop", "Status", "Listings"):
        table.add_column(column, justify="right" if column == "Listings" else "left")
    for marketplace, shop, status_value, count in counts:
        style = STATUS_STYLE.get(status_value, "")
        label = _marketplace_label(marketplace)  # "Belanja.com (feed only)"
        table.add_row(label, shop, f"[{style}]{status_value}[/]", str(count))
    return table


def _listing_table(wide: bool) -> Table:
    """Every column on a wide terminal; what fits in 80 columns otherwise."""
    table = Table()
    if wide:
        table.add_column("Marketplace", no_wrap=True)
        table.add_column("Shop", overflow="ellipsis", no_wrap=True, max_width=18)
    table.add_column("SKU", overflow="ellipsis", no_wrap=True, max_width=22 if wide else 14)
    table.add_column("Title", overflow="ellipsis", no_wrap=True, max_width=40 if wide else 26)
    if wide:
        table.add_column("Variant", overflow="ellipsis", no_wrap=True, max_width=16)
    table.add_column("Status", no_wrap=True, min_width=12)
    table.add_column("Price", justify="right", no_wrap=True, min_width=11)
    table.add_column("Stock", justify="right", no_wrap=True, min_width=5)
    if wide:
        table.add_column("Reason", overflow="ellipsis", no_wrap=True, max_width=40)
    return table


def _listing_cells(row: ListingView, wide: bool) -> list[str]:
    status = f"[{STATUS_STYLE.get(row.status, '')}]{row.status}[/]"
    cells = [row.sku, row.title, status, rupiah(row.price), str(row.stock)]
    if wide:
        cells = [
            _marketplace_label(row.marketplace),
            row.shop,
            row.sku,
            row.title,
            row.variant_name,
            status,
            rupiah(row.price),
            str(row.stock),
            row.reason,
        ]
    return cells


def runs(
    ctx: typer.Context,
    shop: Annotated[str | None, typer.Option(help="Shop id, name or marketplace shop id.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    limit: Annotated[int, typer.Option(help="How many of the latest runs.")] = 20,
) -> None:
    """Sync runs, newest first, with their counts and errors."""
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> None:
        rt.require_schema()
        async with rt.database.read() as connection:
            shop_id = (await shop_store.find_shop(connection, shop)).id if shop else None
            rows = await recent_runs(connection, shop_id=shop_id, limit=limit)
        if as_json:
            print(json.dumps([_run_json(row) for row in rows], ensure_ascii=False, indent=2))
            return
        console = Console()
        console.print(_runs_table(rows, console.width >= WIDE) if rows else "No runs yet.")

    run_async(runtime, work)


_RUN_FIELDS = (
    "id",
    "shop",
    "marketplace",
    "kind",
    "trigger",
    "state",
    "created_at",
    "started_at",
    "finished_at",
    "due_at",
    "triggers",
    "pages",
    "fetched",
    "created",
    "updated",
    "unchanged",
    "deleted",
    "quarantined",
    "error_class",
    "error_message",
    "issues",
)


def _run_json(row: dict[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for name in _RUN_FIELDS:
        value = row.get(name)
        if isinstance(value, datetime):
            value = value.isoformat()
        if name == "issues" and isinstance(value, str):
            value = json.loads(value or "[]")
        out[name] = value
    return out


def _duration(row: dict[str, object]) -> str:
    started, finished = row.get("started_at"), row.get("finished_at")
    if isinstance(started, datetime) and isinstance(finished, datetime):
        return f"{(finished - started).total_seconds():.1f}s"
    return str(row.get("state")) if row.get("state") in ("running", "queued") else ""


def _runs_table(rows: list[dict[str, object]], wide: bool) -> Table:
    table = Table(title="Sync runs (newest first)")
    columns = [
        "Run",
        "Shop",
        "Kind",
        "Trigger",
        "State",
        "Started",
        "Took",
        "Pages",
        "Fetched",
        "New",
        "Changed",
        "Same",
        "Deleted",
        "Bad",
        "Error",
    ]
    if not wide:
        columns = ["Run", "Kind", "State", "Started", "Took", "Fetched", "Changed", "Bad"]
    for column in columns:
        table.add_column(
            column,
            no_wrap=True,
            overflow="ellipsis",
            justify="right" if column in _NUMERIC else "left",
            min_width=None if column == "Error" else min(len(column), 9),
            max_width=16 if column == "Shop" else 60 if column == "Error" else None,
        )
    colours = {
        "succeeded": "green",
        "partial": "yellow",
        "failed": "red",
        "running": "cyan",
        "queued": "magenta",
    }
    for row in rows:
        started = row.get("started_at")
        cells = {
            "Run": str(row["id"]),
            "Shop": str(row["shop"]),
            "Kind": str(row["kind"]).removeprefix("pull_"),
            "Trigger": str(row["trigger"]),
            "State": f"[{colours.get(str(row['state']), '')}]{row['state']}[/]",
            "Started": started.astimezone().strftime("%m-%d %H:%M:%S" if wide else "%H:%M:%S")
            if isinstance(started, datetime)
            else "",
            "Took": _duration(row),
            "Pages": str(row["pages"]),
            "Fetched": str(row["fetched"]),
            "New": str(row["created"]),
            "Changed": str(row["updated"]),
            "Same": str(row["unchanged"]),
            "Deleted": str(row["deleted"]),
            "Bad": str(row["quarantined"]),
            "Error": str(row["error_message"]),
        }
        table.add_row(*(cells[column] for column in columns))
    return table
