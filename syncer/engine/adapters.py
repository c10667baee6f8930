"""Builds the adapter for one shop: its class from the registry, settings, decrypted secrets.

Rotated credentials are written back through the store, encrypted, in their own transaction,
before the adapter uses them (a lost Shopee refresh token locks the shop out). Each shop's
rate limiter is shared by every process of the deployment where ``[limits]`` says so.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from functools import cached_property

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
from syncer.limits.backends import open_store
from syncer.limits.limiter import SharedRateLimiter
from syncer.limits.store import BucketKey, LimitStore
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
        self._limiters: dict[BucketKey, RateLimiter] = {}  # a shop's, or an app's (shop "*")

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
        # The partner app's id (the first app key: partner_id, app_key, client_id) is no
        # secret; limits are counted per app and shop.
        app_keys = adapter_class.app_credential_keys
        app = credentials.get(app_keys[0], "") if app_keys else ""
        context = AdapterContext(
            shop_external_id=external_shop_id,
            credentials=credentials,
            settings=settings,
            save_credentials=save,
            load_credentials=load,
            refresh_lock=refresh_lock,
            clock=self.clock,
            limiter=self.limiter(marketplace, external_shop_id, settings, app=app),
        )
        return adapter_class(context)

    @cached_property
    def limit_store(self) -> LimitStore | None:
        """Where budgets shared by the deployment's processes live (None: in this process)."""
        return open_store(self.settings.limits, self.database)

    def limiter(
        self, marketplace: str, external_shop_id: str, settings: AdapterSettings, *, app: str = ""
    ) -> RateLimiter:
        """One budget per partner app and shop, shared by all its runs and calls (and by every
        worker of the deployment when the budgets live in PostgreSQL or Redis)."""
        key = BucketKey(marketplace, app, external_shop_id)
        if key not in self._limiters:
            self._limiters[key] = self._make_limiter(
                key, settings.requests_per_second, settings.burst, self._app_limiter(key)
            )
        return self._limiters[key]

    def _app_limiter(self, shop: BucketKey) -> RateLimiter | None:
        """The partner app's budget over all its shops, when ``[limits.apps.<name>]`` sets one."""
        budget = self.settings.limits.apps.get(shop.marketplace)
        if budget is None:
            return None
        key = BucketKey(shop.marketplace, shop.app, "*")
        if key not in self._limiters:
            self._limiters[key] = self._make_limiter(
                key, budget.requests_per_second, budget.burst, None
            )
        return self._limiters[key]

    def _make_limiter(
        self, key: BucketKey, rate: float, burst: int, parent: RateLimiter | None
    ) -> RateLimiter:
        store = self.limit_store
        if store is None:
            return RateLimiter(rate, burst, parent=parent)
        limits = self.settings.limits
        return SharedRateLimiter(
            store,
            key,
            rate,
            burst,
            reservation_s=limits.reservation_seconds,
            batch=limits.reservation_batch,
            lease_s=limits.slot_lease_seconds,
            parent=parent,
        )

    def limiter_totals(self) -> dict[str, LimiterStats]:
        """Rate-limiter use summed by marketplace over this process's shops (for /metrics)."""
        totals: dict[str, LimiterStats] = {}
        for key, limiter in list(self._limiters.items()):
            if key.shop == "*":  # an app's budget: its calls are counted by its shops
                continue
            total = totals.setdefault(key.marketplace, LimiterStats())
            total.acquired += limiter.stats.acquired
            total.waits += limiter.stats.waits
            total.waited_s += limiter.stats.waited_s
            total.reservations += limiter.stats.reservations
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
