"""``syncer tokens create``: API tokens for a business (its own data) or an operator (all)."""

from __future__ import annotations

from typing import Annotated

import typer

from syncer.cli.context import run_async, state
from syncer.errors import ConfigError
from syncer.runtime import Runtime
from syncer.store.access import create_token

tokens_app = typer.Typer(help="API tokens for the HTTP API and web pages.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(tokens_app, name="tokens")


@tokens_app.command("create")
def create(
    ctx: typer.Context,
    business: Annotated[
        str | None, typer.Option(help="Business slug: the token sees only this business.")
    ] = None,
    operator: Annotated[
        bool, typer.Option("--operator", help="An operator token: every business.")
    ] = False,
    label: Annotated[str, typer.Option(help="What the token is for (shown in audits).")] = "",
) -> None:
    """Create a token and print it once (only its hash is stored)."""
    if operator == (business is not None):
        raise ConfigError("pass either --business SLUG or --operator")
    runtime = state(ctx).runtime()

    async def work(rt: Runtime) -> str:
        rt.require_schema()
        return await create_token(
            rt.database,
            business=business,
            operator=operator,
            label=label or ("operator" if operator else f"business {business}"),
            now=rt.clock.now(),
        )

    token = run_async(runtime, work)
    typer.echo(token)
    typer.echo("Shown once: keep it now. Use it as `Authorization: Bearer <token>`.", err=True)
