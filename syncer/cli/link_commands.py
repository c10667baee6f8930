"""``syncer links ...``: which listings belong to which master product, and fixing it by hand."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from syncer.cli.context import run_async, state
from syncer.cli.product_commands import Business, changes_for
from syncer.runtime import Runtime
from syncer.store import catalog_links
from syncer.store.catalog_links import LinkIssue

links_app = typer.Typer(help="Links between listings and master products (auto by seller SKU).")
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Limit = Annotated[int, typer.Option(help="Most rows shown.")]


def register(app: typer.Typer) -> None:
    app.add_typer(links_app, name="links")


def _issues(issues: list[LinkIssue], *, title: str, as_json: bool, empty: str) -> None:
    if as_json:
        print(json.dumps([asdict(issue) for issue in issues], ensure_ascii=False, indent=2))
        return
    if not issues:
        print(empty)
        return
    table = Table(title=title)
    for column in ("Listing", "Shop", "Item", "Variant", "SKU", "Title", "Why"):
        table.add_column(column, overflow="ellipsis", max_width=40)
    for issue in issues:
        sku = f"{issue.seller_sku} (product {issue.product_sku})" if issue.product_sku else ""
        table.add_row(
            str(issue.listing_id),
            str(issue.shop_id),
            issue.item_id,
            issue.variant_id,
            sku or issue.seller_sku,
            issue.title,
            issue.reason,
        )
    Console().print(table)


@links_app.command("unlinked")
def unlinked(ctx: typer.Context, as_json: AsJson = False, limit: Limit = 100) -> None:
    """Live listings bound to no master product, and why."""
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> None:
        rt.require_schema()
        async with rt.database.read() as connection:
            issues = await catalog_links.unlinked(connection, limit=limit)
        _issues(
            issues, title="Unlinked listings", as_json=as_json, empty="Every listing is linked."
        )

    run_async(runtime, work)


@links_app.command("conflicts")
def conflicts(ctx: typer.Context, as_json: AsJson = False, limit: Limit = 100) -> None:
    """SKUs several listings of one shop carry, and links whose SKUs no longer agree."""
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> None:
        rt.require_schema()
        async with rt.database.read() as connection:
            issues = await catalog_links.conflicts(connection, limit=limit)
        _issues(issues, title="Link conflicts", as_json=as_json, empty="No conflicts.")

    run_async(runtime, work)


@links_app.command("auto")
def auto(ctx: typer.Context) -> None:
    """Link every unlinked listing by its seller SKU now (push cycles link new listings)."""
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> None:
        rt.require_schema()
        async with rt.database.write() as connection:
            outcome = await catalog_links.auto_link(connection, now=rt.clock.now(), rescan=True)
        print(f"linked {outcome.linked} listing(s); created {outcome.products_created} product(s)")

    run_async(runtime, work)


@links_app.command("link")
def link(ctx: typer.Context, listing_id: int, sku: str, business: Business = None) -> None:
    """Bind a listing (id from `syncer links unlinked`) to the master product SKU."""
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> None:
        rt.require_schema()
        await changes_for(rt).link(listing_id, sku, business=business)
        print(f"listing {listing_id} linked to {sku}")

    run_async(runtime, work)


@links_app.command("unlink")
def unlink(ctx: typer.Context, listing_id: int) -> None:
    """Unbind a listing; auto-linking leaves it alone until it is linked by hand."""
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> None:
        rt.require_schema()
        await changes_for(rt).unlink(listing_id)
        print(f"listing {listing_id} unlinked (auto-linking will leave it alone)")

    run_async(runtime, work)
