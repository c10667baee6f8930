"""What every command shares: the chosen config file and a lazily built runtime."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import typer

from syncer.errors import StoreError
from syncer.logging import configure_logging
from syncer.runtime import Runtime
from syncer.settings import Settings, load_settings
from syncer.store.database import describe_database_error

T = TypeVar("T")


@dataclass
class CliState:
    config_path: Path | None
    _settings: Settings | None = field(default=None, init=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
            configure_logging(self._settings.logging.level, self._settings.logging.format)
        return self._settings

    def runtime(self) -> Runtime:
        return Runtime.from_settings(self.settings)


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    if not isinstance(obj, CliState):
        raise RuntimeError("CLI state missing: commands must run under the syncer app")
    return obj


def run_async(runtime: Runtime, work: Callable[[Runtime], Awaitable[T]]) -> T:
    """Run one async command body and always release the database."""

    async def body() -> T:
        try:
            return await work(runtime)
        finally:
            await runtime.close()

    try:
        return asyncio.run(body())
    except Exception as exc:
        message = describe_database_error(exc, runtime.settings.database.url)
        if message is None:
            raise
        raise StoreError(message) from exc
