"""Connecting a shop: authorize with the marketplace (if it uses codes) and store it."""

from __future__ import annotations

from collections.abc import Mapping

from syncer.adapter import Credentials, load_adapter
from syncer.engine.adapters import AdapterFactory, access_expiry
from syncer.errors import ConfigError
from syncer.store import Database
from syncer.store import shops as shop_store
from syncer.store.shops import ShopRecord


async def authorize(
    adapters: AdapterFactory,
    marketplace: str,
    external_shop_id: str,
    credentials: Mapping[str, str],
    code: str,
) -> Credentials:
    """App credentials plus the seller's one-time code, traded for the shop's tokens."""
    adapter = adapters.create_for(marketplace, external_shop_id, dict(credentials))
    try:
        return await adapter.authorize(code)
    finally:
        await adapter.aclose()


async def connect_shop(
    database: Database,
    adapters: AdapterFactory,
    *,
    business: str,
    marketplace: str,
    external_shop_id: str,
    name: str,
    credentials: Mapping[str, str],
    code: str = "",
    pull_interval_minutes: int,
) -> ShopRecord:
    """Store a new shop; with ``code`` its tokens come first, so nothing half-made is saved."""
    adapter_class = load_adapter(marketplace)
    if missing := adapter_class.missing_credentials(credentials, with_code=bool(code)):
        hint = "" if code else " (or pass --code to obtain the tokens)"
        raise ConfigError(
            f"a {adapter_class.display_name} shop needs credentials {', '.join(missing)}: pass "
            f"--credential KEY=VALUE or --credentials-file FILE{hint}"
        )
    if code:
        credentials = await authorize(adapters, marketplace, external_shop_id, credentials, code)
    now = adapters.clock.now()
    async with database.write() as connection:
        business_id = await shop_store.ensure_business(connection, business, business, now)
        shop_id = await shop_store.add_shop(
            connection,
            business_id=business_id,
            marketplace=marketplace,
            external_shop_id=external_shop_id,
            name=name,
            credentials=adapters.cipher.encrypt(credentials),
            pull_interval_minutes=pull_interval_minutes,
            now=now,
            token_expires_at=access_expiry(credentials),
        )
        return await shop_store.find_shop(connection, str(shop_id))


async def reauthorize(adapters: AdapterFactory, shop: ShopRecord, code: str) -> None:
    """New tokens for a shop whose grant lapsed (or a restarted sandbox); state back to ok."""
    current = adapters.cipher.decrypt(shop.credentials)
    fresh = await authorize(adapters, shop.marketplace, shop.external_shop_id, current, code)
    await adapters.store_credentials(shop.id, fresh)
