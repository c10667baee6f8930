"""``syncer shops add|list|reauth``: connect marketplace shops and see their auth state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from syncer.adapter import load_adapter
from syncer.cli.context import run_async, state
from syncer.engine.connect import connect_shop, reauthorize
from syncer.errors import ConfigError
from syncer.runtime import Runtime
from syncer.store import shops as shop_store

shops_app = typer.Typer(help="Connect shops and see their auth state.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(shops_app, name="shops")


def _credentials(pairs: list[str], file: Path | None) -> dict[str, str]:
    values: dict[str, str] = {}
    if file is not None:
        try:
            loaded = json.loads(file.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError(f"{file}: cannot read credentials JSON: {exc}") from None
        if not isinstance(loaded, dict):
            raise ConfigError(f"{file}: credentials must be a JSON object of strings")
        values |= {str(key): str(value) for key, value in loaded.items()}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"--credential {pair!r}: expected KEY=VALUE, e.g. partner_id=123")
        values[key] = value
    return values


@shops_app.command("add")
def add(
    ctx: typer.Context,
    marketplace: Annotated[str, typer.Option(help="Adapter name, e.g. shopee.")],
    shop_id: Annotated[str, typer.Option("--shop-id", help="The marketplace's shop id.")],
    name: Annotated[str, typer.Option(help="Display name of the shop.")],
    business: Annotated[str, typer.Option(help="Business (tenant) slug.")] = "default",
    credential: Annotated[
        list[str] | None,
        typer.Option("--credential", help="KEY=VALUE, repeatable (app keys, tokens)."),
    ] = None,
    credentials_file: Annotated[
        Path | None, typer.Option(help="JSON object of credentials (keeps secrets out of history).")
    ] = None,
    code: Annotated[str, typer.Option(help="Seller's one-time authorization code.")] = "",
    interval: Annotated[int, typer.Option(help="Minutes between incremental pulls.")] = 15,
) -> None:
    """Connect a shop (with --code, its tokens are fetched from the marketplace first)."""
    load_adapter(marketplace)  # an unknown name fails here, listing the available ones
    runtime = state(ctx).runtime()
    secrets = _credentials(credential or [], credentials_file)

    async def work(rt: Runtime) -> None:
        rt.migrate()
        record = await connect_shop(
            rt.database,
            rt.adapters,
            business=business,
            marketplace=marketplace,
            external_shop_id=shop_id,
            name=name,
            credentials=secrets,
            code=code,
            pull_interval_minutes=interval,
        )
        Console().print(f"connected shop {record.id}: {record.marketplace} {record.name}")

    run_async(runtime, work)


@shops_app.command("reauth")
def reauth(
    ctx: typer.Context,
    shop: Annotated[str, typer.Argument(help="Shop id, name or marketplace shop id.")],
    code: Annotated[str, typer.Option(help="Seller's new one-time authorization code.")],
) -> None:
    """Re-authorize a shop in needs_reauth with a fresh code from the seller."""
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> None:
        rt.require_schema()
        async with rt.database.read() as connection:
            record = await shop_store.find_shop(connection, shop)
        await reauthorize(rt.adapters, record, code)
        Console().print(f"shop {record.id} re-authorized")

    run_async(runtime, work)


@shops_app.command("list")
def list_shops(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Connected shops with their marketplace, auth state and schedule."""
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> list[shop_store.ShopRecord]:
        rt.require_schema()
        async with rt.database.read() as connection:
            return await shop_store.list_shops(connection)

    records = run_async(runtime, work)
    if as_json:
        print(json.dumps([_shop_json(record) for record in records], indent=2))
        return
    table = Table(title="Shops")
    for column in ("Id", "Business", "Marketplace", "Shop id", "Name", "Auth", "Enabled", "Every"):
        table.add_column(column)
    for record in records:
        auth = record.auth_state.value
        table.add_row(
            str(record.id),
            record.business_slug,
            _marketplace_label(record.marketplace),
            record.external_shop_id,
            record.name,
            auth if auth == "ok" else f"[red]{auth}[/] {record.auth_error[:60]}",
            "yes" if record.enabled else "no",
            f"{record.pull_interval_minutes} min",
        )
    Console().print(table if records else "No shops yet: `syncer shops add --help`.")


def _marketplace_label(name: str) -> str:
    adapter = load_adapter(name)
    return f"{adapter.display_name} (feed only)" if adapter.feed_only else adapter.display_name


def _shop_json(record: shop_store.ShopRecord) -> dict[str, object]:
    return {
        "id": record.id,
        "business": record.business_slug,
        "marketplace": record.marketplace,
        "feed_only": load_adapter(record.marketplace).feed_only,
        "external_shop_id": record.external_shop_id,
        "name": record.name,
        "auth_state": record.auth_state.value,
        "auth_error": record.auth_error,
        "token_expires_at": record.token_expires_at.isoformat()
        if record.token_expires_at
        else None,
        "enabled": record.enabled,
        "pull_interval_minutes": record.pull_interval_minutes,
    }
