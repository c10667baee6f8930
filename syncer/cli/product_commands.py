"""``syncer products ...``: the master catalog, and changes that are pushed to every shop."""

from __future__ import annotations

import json
import re
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from syncer.cli.context import run_async, state
from syncer.cli.push_views import push_table
from syncer.cli.status_commands import rupiah
from syncer.engine.push_changes import CatalogChanges, ChangeOutcome
from syncer.errors import ConfigError
from syncer.runtime import Runtime
from syncer.store import catalog
from syncer.store import push_tasks as task_store
from syncer.store import shops as shop_store
from syncer.store.catalog import ProductRecord

products_app = typer.Typer(help="Master products: list, show, and change price, stock, status.")
Business = Annotated[
    str | None, typer.Option(help="Business slug, when several businesses use the SKU.")
]
_AMOUNT = re.compile(r"^(?:rp\.?\s*)?(\d{1,3}(?:[.,_]\d{3})+|\d+)$", re.IGNORECASE)


def register(app: typer.Typer) -> None:
    app.add_typer(products_app, name="products")


def parse_rupiah(text: str) -> int:
    """``125000``, ``125.000``, ``Rp125.000`` -> 125000; fractions and other text refused."""
    match = _AMOUNT.match(text.strip())
    if match is None:
        raise ConfigError(
            f"amount {text!r} is not whole rupiah; write it like 125000, 125.000 or Rp125.000"
        )
    return int(re.sub(r"[.,_]", "", match.group(1)))


def changes_for(rt: Runtime) -> CatalogChanges:
    return CatalogChanges(settings=rt.settings, database=rt.database, clock=rt.clock)


def _product_json(product: ProductRecord) -> dict[str, object]:
    return {
        "sku": product.sku,
        "business": product.business_slug,
        "title": product.title,
        "price": product.price,
        "stock": product.stock,
        "listed": product.listed,
        "revision": product.revision,
        "updated_at": product.updated_at.isoformat(),
    }


@products_app.command("list")
def list_products(
    ctx: typer.Context,
    business: Business = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    limit: Annotated[int, typer.Option(help="Rows shown in the table (not in --json).")] = 50,
) -> None:
    """Master products with their price, stock and status."""
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> None:
        rt.require_schema()
        async with rt.database.read() as connection:
            products = await catalog.list_products(
                connection, business=business, limit=None if as_json else limit
            )
        if as_json:
            print(json.dumps([_product_json(p) for p in products], ensure_ascii=False, indent=2))
            return
        if not products:
            print("No products yet: they are created from pulled listings by their seller SKU.")
            return
        table = Table(title="Master products")
        for column in ("SKU", "Title", "Price", "Stock", "Listed", "Rev"):
            table.add_column(column, overflow="ellipsis", no_wrap=True, max_width=40)
        for p in products:
            listed = "yes" if p.listed else "no"
            cells = (p.sku, p.title, rupiah(p.price), str(p.stock), listed, str(p.revision))
            table.add_row(*cells)
        Console().print(table)

    run_async(runtime, work)


@products_app.command("show")
def show(ctx: typer.Context, sku: str, business: Business = None) -> None:
    """One product, its linked listings on every shop, and its latest pushes."""
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> None:
        rt.require_schema()
        async with rt.database.read() as connection:
            product = await catalog.find_product(connection, sku, business=business)
            linked = await catalog.linked_listings(connection, product.id)
            shops = {s.id: s for s in await shop_store.list_shops(connection)}
            tasks = await task_store.tasks_for_product(connection, product.id, limit=20)
        console = Console()
        console.print(
            f"[bold]{product.sku}[/] {product.title}\n"
            f"price {rupiah(product.price)}  stock {product.stock}  "
            f"{'listed' if product.listed else 'unlisted'}  revision {product.revision}"
        )
        table = Table(title="Linked listings")
        for column in ("Listing", "Shop", "Item", "Variant", "Status", "Price", "Stock"):
            table.add_column(column, no_wrap=True)
        for row in linked:
            shop = shops.get(row.shop_id)
            name = f"{shop.name} ({shop.marketplace})" if shop else str(row.shop_id)
            cells = (str(row.listing_id), name, row.key[0], row.key[1], row.status)
            table.add_row(*cells, rupiah(row.price), str(row.stock))
        console.print(table if linked else "No linked listings.")
        if tasks:
            console.print(push_table(tasks, title="Latest pushes"))

    run_async(runtime, work)


def _report(outcome: ChangeOutcome, what: str) -> None:
    product = outcome.product
    sku = product.sku if product else "the listing"
    print(
        f"{sku}: {what}; {outcome.tasks} push(es) queued for the linked listings "
        "(`syncer push` sends them now, the daemon within one cycle)"
    )


@products_app.command("set-price")
def set_price(ctx: typer.Context, sku: str, amount: str, business: Business = None) -> None:
    """Set the master price (whole rupiah); every linked listing gets it, after shop rules."""
    value = parse_rupiah(amount)
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> None:
        rt.require_schema()
        outcome = await changes_for(rt).set_price(sku, value, business=business)
        _report(outcome, f"price set to {rupiah(value)}")

    run_async(runtime, work)


@products_app.command("set-stock")
def set_stock(ctx: typer.Context, sku: str, units: int, business: Business = None) -> None:
    """Set the master stock; every linked listing gets it, after shop rules."""
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> None:
        rt.require_schema()
        outcome = await changes_for(rt).set_stock(sku, units, business=business)
        _report(outcome, f"stock set to {units}")

    run_async(runtime, work)


@products_app.command("activate")
def activate(ctx: typer.Context, sku: str, business: Business = None) -> None:
    """List the product again on every shop where it is unlisted."""
    _set_listed(ctx, sku, business, listed=True)


@products_app.command("deactivate")
def deactivate(ctx: typer.Context, sku: str, business: Business = None) -> None:
    """Unlist the product on every shop (a whole marketplace item at a time)."""
    _set_listed(ctx, sku, business, listed=False)


def _set_listed(ctx: typer.Context, sku: str, business: str | None, *, listed: bool) -> None:
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> None:
        rt.require_schema()
        outcome = await changes_for(rt).set_listed(sku, listed, business=business)
        _report(outcome, "listed" if listed else "unlisted")

    run_async(runtime, work)


@products_app.command("add")
def add(
    ctx: typer.Context,
    sku: str,
    business: Annotated[str, typer.Option(help="Business slug the product belongs to.")],
    title: Annotated[str, typer.Option(help="Product title.")],
    price: Annotated[str, typer.Option(help="Master price, whole rupiah.")],
    stock: Annotated[int, typer.Option(help="Master stock.")] = 0,
) -> None:
    """Create a master product by hand; listings with this seller SKU link to it."""
    amount = parse_rupiah(price)
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> None:
        rt.require_schema()
        product = await changes_for(rt).create_product(
            business, sku, title=title, price=amount, stock=stock
        )
        print(f"{product.sku}: created ({rupiah(product.price)}, stock {product.stock})")

    run_async(runtime, work)


@products_app.command("set-listing")
def set_listing(
    ctx: typer.Context,
    listing_id: Annotated[int, typer.Argument(help="Listing id (`syncer products show SKU`).")],
    price: Annotated[str | None, typer.Option(help="Price for this listing only.")] = None,
    stock: Annotated[int | None, typer.Option(help="Stock for this listing only.")] = None,
    listed: Annotated[bool | None, typer.Option("--listed/--unlisted")] = None,
) -> None:
    """Push a value to one listing only (until its product changes again)."""
    values = {"price": parse_rupiah(price) if price is not None else None, "stock": stock}
    values["status"] = None if listed is None else int(listed)
    chosen = {field: value for field, value in values.items() if value is not None}
    if not chosen:
        raise ConfigError("give at least one of --price, --stock, --listed/--unlisted")
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> None:
        rt.require_schema()
        for field, value in chosen.items():
            await changes_for(rt).set_listing(listing_id, field, value)
        settled = ", ".join(f"{field} {value}" for field, value in chosen.items())
        print(f"listing {listing_id}: {settled} queued (`syncer push` sends it now)")

    run_async(runtime, work)
