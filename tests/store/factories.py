"""Small builders of domain objects and shops for store and engine tests."""

from __future__ import annotations

from datetime import UTC, datetime

from syncer.domain import Listing, ListingStatus
from syncer.store import Database
from syncer.store import shops as shop_store

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def make_listing(
    item: int,
    variant: int = 0,
    *,
    price: int = 10_000,
    stock: int = 5,
    status: ListingStatus = ListingStatus.ACTIVE,
) -> Listing:
    return Listing(
        external_item_id=str(item),
        external_variant_id=str(variant) if variant else "",
        seller_sku=f"SKU-{item}-{variant}",
        title=f"Keripik Singkong Balado {item}",
        price=price,
        stock=stock,
        status=status,
        raw_status="NORMAL",
        remote_updated_at=NOW,
        raw={"item_id": item},
    )


async def make_shop(
    database: Database,
    *,
    marketplace: str = "shopee",
    external_id: str = "600000",
    credentials: str = "",
) -> int:
    async with database.write() as connection:
        business = await shop_store.ensure_business(connection, "toko", "Toko", NOW)
        return await shop_store.add_shop(
            connection,
            business_id=business,
            marketplace=marketplace,
            external_shop_id=external_id,
            name=f"Shop {external_id}",
            credentials=credentials,
            pull_interval_minutes=15,
            now=NOW,
        )
