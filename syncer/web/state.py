"""What the app's handlers share: the runtime (database, clock, settings) and the launcher."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from fastapi import Request

from syncer.domain import Clock, RunTrigger
from syncer.engine.adapters import AdapterFactory
from syncer.runtime import Runtime
from syncer.settings import Settings
from syncer.store import Database, web_queries


class SyncLauncher(Protocol):
    """Starts a pull of one shop in this process (the daemon); False when one already waits."""

    def launch(self, shop_id: int, full: bool, trigger: RunTrigger) -> bool: ...


@dataclass
class WebState:
    runtime: Runtime
    launcher: SyncLauncher | None = None

    @property
    def database(self) -> Database:
        return self.runtime.database

    @property
    def clock(self) -> Clock:
        return self.runtime.clock

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def adapters(self) -> AdapterFactory:
        """Built on first use: it needs the credential key, which reading pages does not."""
        return self.runtime.adapters

    async def business_ids(self) -> dict[str, int]:
        """Slug -> id of every business."""
        async with self.database.read() as connection:
            rows = await web_queries.businesses(connection)
        return {slug: ident for ident, slug, _name in rows}


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state
