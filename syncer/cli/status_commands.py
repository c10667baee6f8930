"""``syncer status`` (listings) and ``syncer runs`` (sync history)."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from syncer.cli.context import run_async, state
from syncer.domain import ListingStatus
from syncer.runtime import Runtime
from syncer.store import shops as shop_store
from syncer.store.queries import iter_listings, recent_runs, status_counts

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
            table = _listing_table()
            shown = 0
            async for row in rows:
                if shown >= limit:
                    console.print(table)
                    console.print(f"(first {limit} rows; --limit or --json for more)")
                    return
                table.add_row(
                    row.marketplace,
                    row.shop,
                    row.sku,
                    row.title,
                    row.variant_name,
                    f"[{STATUS_STYLE.get(row.status, '')}]{row.status}[/]",
                    rupiah(row.price),
                    str(row.stock),
                    row.reason,
                )
                shown += 1
            console.print(table if shown else "No listings match.")

    run_async(runtime, work)


async def _print_json(rows: object) -> None:
    """A JSON array written row by row, so a large catalog never sits in memory."""
    out = sys.stdout
    out.write("[")
    first = True
    async for row in rows:  # type: ignore[attr-defined]
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
        table.add_row(marketplace, shop, f"[{style}]{status_value}[/]", str(count))
    return table


def _listing_table() -> Table:
    table = Table()
    for column in (
        "Marketplace",
        "Shop",
        "SKU",
        "Title",
        "Variant",
        "Status",
        "Price",
        "Stock",
        "Reason",
    ):
        table.add_column(
            column, overflow="fold", justify="right" if column in ("Price", "Stock") else "left"
        )
    return table


def runs(
    ctx: typer.Context,
    shop: Annotated[str | None, typer.Option(help="Shop id, name or marketplace shop id.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    limit: Annotated[int, typer.Option(help="How many of the latest runs.")] = 20,
) -> None:
    """Sync runs, newest first, with their counts and errors."""
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> None:
        async with rt.database.read() as connection:
            shop_id = (await shop_store.find_shop(connection, shop)).id if shop else None
            rows = await recent_runs(connection, shop_id=shop_id, limit=limit)
        if as_json:
            print(json.dumps([_run_json(row) for row in rows], ensure_ascii=False, indent=2))
            return
        Console().print(_runs_table(rows) if rows else "No runs yet.")

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
    return "running" if row.get("state") == "running" else ""


def _runs_table(rows: list[dict[str, object]]) -> Table:
    table = Table(title="Sync runs")
    for column in (
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
    ):
        table.add_column(column, overflow="fold")
    colours = {"succeeded": "green", "partial": "yellow", "failed": "red", "running": "cyan"}
    for row in rows:
        started = row.get("started_at")
        table.add_row(
            str(row["id"]),
            str(row["shop"]),
            str(row["kind"]),
            str(row["trigger"]),
            f"[{colours.get(str(row['state']), '')}]{row['state']}[/]",
            started.strftime("%Y-%m-%d %H:%M:%S") if isinstance(started, datetime) else "",
            _duration(row),
            str(row["pages"]),
            str(row["fetched"]),
            str(row["created"]),
            str(row["updated"]),
            str(row["unchanged"]),
            str(row["deleted"]),
            str(row["quarantined"]),
            str(row["error_message"])[:120],
        )
    return table
