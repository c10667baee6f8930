"""What the app's handlers share: the runtime (database, clock, settings) and the launcher."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol

from fastapi import Request

from syncer.domain import Clock, RunKind, RunTrigger
from syncer.engine.adapters import AdapterFactory
from syncer.runtime import Runtime
from syncer.settings import Settings
from syncer.store import Database, web_queries
from syncer.store.access import Principal, hash_token, verify_token
from syncer.store.queue import Enqueued


class SyncLauncher(Protocol):
    """The daemon in this process (``Daemon.request``): queues a run and wakes its executor."""

    async def request(
        self, shop_id: int, kind: RunKind, trigger: RunTrigger, *, requested_by: str = ...
    ) -> Enqueued: ...


TOKEN_CACHE_S = 10.0
"""How long a verified token is trusted without asking the database again: a revoked token
stops working within this time, and a busy client costs one token lookup per 10 seconds."""
TOKEN_CACHE_SIZE = 10_000


@dataclass
class WebState:
    runtime: Runtime
    launcher: SyncLauncher | None = None
    _tokens: dict[str, tuple[float, Principal]] = field(default_factory=dict)
    _verifying: dict[str, asyncio.Task[Principal | None]] = field(default_factory=dict)

    async def principal(self, token: str) -> Principal | None:
        """The token's principal, from a short-lived cache keyed by the token's hash.

        Requests with the same token that arrive while it is being looked up wait for that
        one lookup: a busy client's 20 connections would otherwise all miss together when
        the entry expires, and open 20 database connections at once every 10 seconds."""
        key = hash_token(token)
        cached = self._tokens.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        lookup = self._verifying.get(key)
        if lookup is None:
            lookup = self._verifying[key] = asyncio.create_task(self._verify(key, token))
            lookup.add_done_callback(partial(self._verified, key))
        return await asyncio.shield(lookup)  # one waiter cancelled: the others still get it

    def _verified(self, key: str, lookup: asyncio.Task[Principal | None]) -> None:
        del self._verifying[key]
        if not lookup.cancelled():
            lookup.exception()  # retrieved here too: every waiter may have been cancelled

    async def _verify(self, key: str, token: str) -> Principal | None:
        async with self.database.read() as connection:
            found = await verify_token(connection, token)
        if len(self._tokens) >= TOKEN_CACHE_SIZE:
            self._tokens.clear()
        if found is not None:
            self._tokens[key] = (time.monotonic() + TOKEN_CACHE_S, found)
        return found

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


async def web_state(request: Request) -> WebState:
    """Async although it awaits nothing: FastAPI runs a plain ``def`` dependency in a worker
    thread, a thread hop on every request for one attribute read."""
    state: WebState = request.app.state.web
    return state
