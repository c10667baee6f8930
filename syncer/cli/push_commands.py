"""``syncer push`` (one push cycle now) and ``syncer rules ...`` (per-shop push rules)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from syncer.cli.context import run_async, state
from syncer.cli.push_views import PROBLEM_STATES
from syncer.domain import RunTrigger
from syncer.engine.push import PushReport
from syncer.engine.push_rules import effective_rules, validate_overrides
from syncer.errors import SyncerError
from syncer.runtime import Runtime
from syncer.store import rules as rule_store
from syncer.store import shops as shop_store

rules_app = typer.Typer(help="Per-shop push rules: stock buffer, share, cap, markup, rounding.")
ShopRef = Annotated[str, typer.Argument(help="Shop id, name or marketplace shop id.")]


class PushFailedError(SyncerError):
    """Some pushes were refused; their reasons are printed."""


def register(app: typer.Typer) -> None:
    app.command("push")(push)
    app.add_typer(rules_app, name="rules")


def push(
    ctx: typer.Context,
    shop: Annotated[str | None, typer.Option(help="Only this shop (id or name).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One push cycle now: link new listings, propagate sales, send pending changes, verify."""
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> PushReport:
        rt.require_schema()
        record = None
        if shop is not None:
            async with rt.database.read() as connection:
                record = await shop_store.find_shop(connection, shop)
        return await rt.pusher.run_once(record, trigger=RunTrigger.MANUAL)

    report = run_async(runtime, work)
    if as_json:
        print(json.dumps(_report_json(report), indent=2))
    else:
        _print_report(report)
    if any(report.states().get(name) for name in PROBLEM_STATES):
        raise PushFailedError("some pushes failed; `syncer status` lists them with the reasons")


def _report_json(report: PushReport) -> dict[str, object]:
    return {
        "linked": report.linked,
        "products_created": report.products_created,
        "sales": report.propagation.sales,
        "units_sold": report.propagation.units_sold,
        "calls": report.calls,
        "states": report.states(),
        "shops": [
            {
                "shop": s.shop,
                "run_id": s.run_id,
                "calls": s.calls,
                "states": s.states,
                "skipped": s.skipped,
            }
            for s in report.shops
        ],
    }


def _print_report(report: PushReport) -> None:
    print(
        f"linked {report.linked} listing(s), {report.products_created} new product(s); "
        f"{report.propagation.sales} sale(s) of {report.propagation.units_sold} unit(s) propagated"
    )
    if not report.shops:
        print("Nothing to push.")
        return
    table = Table(title="Push cycle")
    for column in ("Shop", "Run", "Calls", "Results", "Note"):
        table.add_column(column)
    for shop in report.shops:
        results = ", ".join(f"{n} {state}" for state, n in sorted(shop.states.items()))
        table.add_row(shop.shop, str(shop.run_id or ""), str(shop.calls), results, shop.skipped)
    Console().print(table)


@rules_app.command("show")
def show_rules(ctx: typer.Context, shop: ShopRef) -> None:
    """The rules the shop pushes with, and which of them are set for this shop."""
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> None:
        rt.require_schema()
        async with rt.database.read() as connection:
            record = await shop_store.find_shop(connection, shop)
            stored = await rule_store.shop_rules(connection, record.id)
        rules = effective_rules(
            rt.settings.rules, shop_id=record.id, shop_name=record.name, stored=stored
        )
        table = Table(title=f"Push rules of {record.name}")
        table.add_column("Rule")
        table.add_column("Value")
        table.add_column("From")
        for key, value in rules.model_dump().items():
            table.add_row(key, str(value), "this shop" if key in stored else "config")
        Console().print(table)

    run_async(runtime, work)


@rules_app.command("set")
def set_rules(
    ctx: typer.Context,
    shop: ShopRef,
    assignments: Annotated[list[str], typer.Argument(help="KEY=VALUE, e.g. stock_buffer=2")],
) -> None:
    """Override rules for one shop (kept in the database; they win over the config)."""
    pairs = {}
    for text in assignments:
        key, sep, value = text.partition("=")
        if not sep:
            raise typer.BadParameter(f"{text!r}: write KEY=VALUE, e.g. price_markup_percent=5")
        pairs[key.strip()] = value.strip()
    parsed = validate_overrides(pairs)
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> None:
        rt.require_schema()
        async with rt.database.write() as connection:
            record = await shop_store.find_shop(connection, shop)
            stored = await rule_store.shop_rules(connection, record.id)
            merged = {**stored, **parsed}
            effective_rules(
                rt.settings.rules, shop_id=record.id, shop_name=record.name, stored=merged
            )
            await rule_store.save_shop_rules(connection, record.id, merged, now=rt.clock.now())
        settled = ", ".join(f"{key}={value}" for key, value in parsed.items())
        print(f"{record.name}: {settled} (applies from the next change)")

    run_async(runtime, work)


@rules_app.command("reset")
def reset_rules(ctx: typer.Context, shop: ShopRef) -> None:
    """Drop the shop's own rules; the config's apply again."""
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> None:
        rt.require_schema()
        async with rt.database.write() as connection:
            record = await shop_store.find_shop(connection, shop)
            await rule_store.save_shop_rules(connection, record.id, {}, now=rt.clock.now())
        print(f"{record.name}: rules from the config apply")

    run_async(runtime, work)
