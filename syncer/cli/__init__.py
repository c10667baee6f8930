"""The ``syncer`` command line (Typer + Rich). Errors end in one line and a meaningful exit code.

Exit codes: 0 done; 1 the work failed (a run failed, a marketplace refused); 2 bad input
(config, arguments, unknown marketplace or shop). A sync of a shop that is already running
joins it (or queues behind it) and says so: it is not an error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from syncer.cli import (
    daemon_commands,
    link_commands,
    product_commands,
    push_commands,
    shop_commands,
    status_commands,
    sync_commands,
    token_commands,
    web_commands,
)
from syncer.cli.context import CliState
from syncer.errors import ConfigError, NotFoundError, SyncerError, UnknownAdapterError

app = typer.Typer(
    name="syncer",
    help="Keep product listings in step across Shopee, Tokopedia, Blibli and Belanja.com.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main_options(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Settings file (default: $SYNCER_CONFIG, else config/syncer.toml).",
            show_default=False,
        ),
    ] = None,
) -> None:
    ctx.obj = CliState(config_path=config)


daemon_commands.register(app)
sync_commands.register(app)
status_commands.register(app)
shop_commands.register(app)
token_commands.register(app)
web_commands.register(app)
product_commands.register(app)
push_commands.register(app)
link_commands.register(app)


def main() -> None:
    """Entry point of the ``syncer`` console script."""
    try:
        app()  # standalone: usage errors print click's message and exit 2
    except (ConfigError, UnknownAdapterError, NotFoundError) as exc:
        _fail(str(exc), 2)
    except SyncerError as exc:
        _fail(str(exc), 1)
    except KeyboardInterrupt:
        _fail("interrupted", 130)


def _fail(message: str, code: int) -> None:
    print(f"syncer: error: {message}", file=sys.stderr)
    sys.exit(code)
