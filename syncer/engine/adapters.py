"""Builds the adapter for one shop: its class from the registry, settings, decrypted secrets.

Rotated credentials are written back through the store, encrypted, in their own transaction,
before the adapter uses them (a lost Shopee refresh token locks the shop out).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from datetime import datetime

from syncer.adapter import (
    Adapter,
    AdapterContext,
    AdapterSettings,
    CredentialLoader,
    Credentials,
    CredentialSaver,
    RateLimiter,
    RefreshLock,
    load_adapter,
)
from syncer.adapter.ratelimit import LimiterStats
from syncer.domain import Clock
from syncer.domain.clock import utc_from_timestamp
from syncer.settings import Settings
from syncer.store import CredentialCipher, Database, locks
from syncer.store import shops as shop_store
from syncer.store.shops import ShopRecord


async def _discard(_credentials: Credentials) -> None:
    """Saver for adapters used before their shop exists (the caller stores the result)."""


class AdapterFactory:
    def __init__(
        self, settings: Settings, database: Database, cipher: CredentialCipher, clock: Clock
    ) -> None:
        self.settings = settings
        self.database = database
        self.cipher = cipher
        self.clock = clock
        self.worker = f"{socket.gethostname()}:{os.getpid()}"  # names lock holders
        self._limiters: dict[tuple[str, str], RateLimiter] = {}

    def create(self, shop: ShopRecord) -> Adapter:
        async def save(credentials: Mapping[str, str]) -> None:
            await self.store_credentials(shop.id, credentials)

        async def load() -> Credentials | None:
            async with self.database.read() as connection:
                stored = await shop_store.find_shop(connection, str(shop.id))
            return self.cipher.decrypt(stored.credentials)

        def refresh_lock() -> AbstractAsyncContextManager[object]:
            owner = f"{self.worker}#{uuid.uuid4().hex[:12]}"  # one per acquisition
            name = f"refresh:{shop.id}"
            return locks.exclusive(self.database, name, owner=owner, clock=self.clock)

        return self.create_for(
            shop.marketplace,
            shop.external_shop_id,
            self.cipher.decrypt(shop.credentials),
            save,
            load,
            refresh_lock=refresh_lock,
        )

    def create_for(
        self,
        marketplace: str,
        external_shop_id: str,
        credentials: Credentials,
        save: CredentialSaver = _discard,
        load: CredentialLoader | None = None,
        *,
        refresh_lock: RefreshLock | None = None,
    ) -> Adapter:
        adapter_class = load_adapter(marketplace)
        settings = self.settings.marketplace(marketplace).adapter_settings()
        context = AdapterContext(
            shop_external_id=external_shop_id,
            credentials=credentials,
            settings=settings,
            save_credentials=save,
            load_credentials=load,
            refresh_lock=refresh_lock,
            clock=self.clock,
            limiter=self.limiter(marketplace, external_shop_id, settings),
        )
        return adapter_class(context)

    def limiter(
        self, marketplace: str, external_shop_id: str, settings: AdapterSettings
    ) -> RateLimiter:
        """One budget per shop in this process, shared by all its runs and calls."""
        key = (marketplace, external_shop_id)
        if key not in self._limiters:
            self._limiters[key] = RateLimiter(settings.requests_per_second, settings.burst)
        return self._limiters[key]

    def limiter_totals(self) -> dict[str, LimiterStats]:
        """Rate-limiter use summed by marketplace over this process's shops (for /metrics)."""
        totals: dict[str, LimiterStats] = {}
        for (marketplace, _shop), limiter in list(self._limiters.items()):
            total = totals.setdefault(marketplace, LimiterStats())
            total.acquired += limiter.stats.acquired
            total.waits += limiter.stats.waits
            total.waited_s += limiter.stats.waited_s
        return totals

    async def store_credentials(self, shop_id: int, credentials: Credentials) -> None:
        async with self.database.write() as connection:
            await shop_store.save_credentials(
                connection,
                shop_id,
                self.cipher.encrypt(credentials),
                expires_at=access_expiry(credentials),
                now=self.clock.now(),
            )


def access_expiry(credentials: Credentials) -> datetime | None:
    """When the access token lapses (adapters store it as unix seconds), for operators' eyes."""
    expires = credentials.get("access_expires_at", "")
    return utc_from_timestamp(int(expires)) if expires.isdigit() else None
