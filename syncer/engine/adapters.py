"""Builds the adapter for one shop: its class from the registry, settings, decrypted secrets.

Rotated credentials are written back through the store, encrypted, in their own transaction,
before the adapter uses them (a lost Shopee refresh token locks the shop out).
"""

from __future__ import annotations

from collections.abc import Mapping

from syncer.adapter import Adapter, AdapterContext, load_adapter
from syncer.domain import Clock
from syncer.domain.clock import utc_from_timestamp
from syncer.settings import Settings
from syncer.store import CredentialCipher, Database
from syncer.store import shops as shop_store
from syncer.store.shops import ShopRecord


class AdapterFactory:
    def __init__(
        self, settings: Settings, database: Database, cipher: CredentialCipher, clock: Clock
    ) -> None:
        self.settings = settings
        self.database = database
        self.cipher = cipher
        self.clock = clock

    def create(self, shop: ShopRecord) -> Adapter:
        adapter_class = load_adapter(shop.marketplace)
        marketplace = self.settings.marketplace(shop.marketplace)

        async def save(credentials: Mapping[str, str]) -> None:
            expires = credentials.get("access_expires_at", "")
            async with self.database.write() as connection:
                await shop_store.save_credentials(
                    connection,
                    shop.id,
                    self.cipher.encrypt(credentials),
                    expires_at=utc_from_timestamp(int(expires)) if expires.isdigit() else None,
                    now=self.clock.now(),
                )

        context = AdapterContext(
            shop_external_id=shop.external_shop_id,
            credentials=self.cipher.decrypt(shop.credentials),
            settings=marketplace.adapter_settings(),
            save_credentials=save,
            clock=self.clock,
        )
        return adapter_class(context)
