"""Two businesses with shops, listings, history, runs and pushes, written through the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from syncer.domain import Listing, ListingStatus, RunCounts, RunKind, RunState, RunTrigger
from syncer.store import Database
from syncer.store import listings as listing_store
from syncer.store import runs as run_store
from syncer.store import shops as shop_store
from syncer.store.access import create_token
from syncer.store.push_tables import ListingLink, Product, PushTask
from syncer.store.tables import Listing as ListingTable

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
PRODUCTS = (
    ("KOPI-GAYO-250", "Kopi Arabika Gayo 250 gr", 85_000),
    ("KERIPIK-BALADO", "Keripik Singkong Balado Pedas 200 gr", 18_500),
    ("SAMBAL-ROA", "Sambal Roa Manado Botol 150 ml", 42_000),
    ("BATIK-TULIS-01", "Kain Batik Tulis Pekalongan Motif Parang", 350_000),
    ("TEH-TUBRUK", "Teh Tubruk Melati Cap Botol 100 gr", 12_000),
)


@dataclass
class Tenant:
    slug: str
    token: str = ""
    shop_ids: list[int] = field(default_factory=list)
    listing_ids: list[int] = field(default_factory=list)
    run_ids: list[int] = field(default_factory=list)
    push_ids: list[int] = field(default_factory=list)
    skus: list[str] = field(default_factory=list)


@dataclass
class Seeded:
    a: Tenant
    b: Tenant
    operator_token: str


def listing(item: int, sku: str, title: str, price: int, **changes: object) -> Listing:
    values: dict[str, object] = {
        "external_item_id": str(item),
        "seller_sku": sku,
        "title": title,
        "price": price,
        "stock": 12,
        "status": ListingStatus.ACTIVE,
        "raw_status": "NORMAL",
    }
    return Listing(**(values | changes))  # type: ignore[arg-type]


async def _shop(database: Database, business: int, marketplace: str, external: str) -> int:
    async with database.write() as connection:
        return await shop_store.add_shop(
            connection,
            business_id=business,
            marketplace=marketplace,
            external_shop_id=external,
            name=f"{marketplace.title()} {external}",
            credentials="",
            pull_interval_minutes=15,
            now=NOW,
        )


async def seed_tenant(database: Database, slug: str, *, base: int, skus: int) -> Tenant:
    tenant = Tenant(slug=slug)
    async with database.write() as connection:
        business = await shop_store.ensure_business(connection, slug, slug.title(), NOW)
    for offset, marketplace in enumerate(("shopee", "belanja")):
        tenant.shop_ids.append(await _shop(database, business, marketplace, f"{base + offset}"))
    chosen = PRODUCTS[:skus]
    tenant.skus = [f"{slug.upper()}-{sku}" for sku, _, _ in chosen]
    for shop_id in tenant.shop_ids:
        first = [
            listing(base + n, sku, title, price)
            for n, (sku, (_, title, price)) in enumerate(zip(tenant.skus, chosen, strict=True))
        ]
        async with database.write() as connection:
            run_id = await run_store.start_run(
                connection,
                shop_id=shop_id,
                kind=RunKind.PULL_FULL,
                trigger=RunTrigger.MANUAL,
                requested_by="test",
                worker="test",
                now=NOW,
            )
            await listing_store.upsert_listings(connection, shop_id, first, now=NOW, run_id=run_id)
            await run_store.finish_run(
                connection,
                run_id,
                state=RunState.SUCCEEDED,
                counts=RunCounts(pages=1, fetched=len(first), created=len(first)),
                now=NOW + timedelta(seconds=3),
            )
        tenant.run_ids.append(run_id)
        # A second pull: one listing banned, one repriced, so there is history to show.
        later = NOW + timedelta(hours=1)
        changed = [
            first[0].__class__(
                **{
                    **_as_dict(first[0]),
                    "status": ListingStatus.BANNED,
                    "raw_status": "BANNED",
                    "status_reason": "Foto melanggar aturan",
                }
            ),
            first[1].__class__(**{**_as_dict(first[1]), "price": first[1].price + 1500}),
        ]
        async with database.write() as connection:
            run_id = await run_store.start_run(
                connection,
                shop_id=shop_id,
                kind=RunKind.PULL_INCREMENTAL,
                trigger=RunTrigger.SCHEDULE,
                requested_by="daemon",
                worker="test",
                now=later,
            )
            await listing_store.upsert_listings(
                connection, shop_id, changed, now=later, run_id=run_id
            )
        tenant.run_ids.append(run_id)  # left running: a run in progress
    async with database.read() as connection:
        ids = await connection.execute(
            sa.select(ListingTable.__table__.c.id)  # type: ignore[attr-defined]
            .where(ListingTable.__table__.c.shop_id.in_(tenant.shop_ids))  # type: ignore[attr-defined]
            .order_by(ListingTable.__table__.c.id)  # type: ignore[attr-defined]
        )
        tenant.listing_ids = [int(row[0]) for row in ids]
    tenant.push_ids = await _pushes(database, tenant)
    await _master(database, tenant, business)
    tenant.token = await create_token(database, business=slug, operator=False, label="test")
    return tenant


def _as_dict(item: Listing) -> dict[str, object]:
    return {name: getattr(item, name) for name in Listing.__dataclass_fields__}


async def _pushes(database: Database, tenant: Tenant) -> list[int]:
    table = PushTask.__table__  # type: ignore[attr-defined]
    rows = [
        ("pending", "stock", 7, ""),
        ("failed", "price", 90_000, "Harga di luar batas yang diizinkan marketplace"),
    ]
    ids = []
    async with database.write() as connection:
        for n, (state, field_name, value, reason) in enumerate(rows):
            result = await connection.execute(
                sa.insert(table)
                .values(
                    listing_id=tenant.listing_ids[n],
                    shop_id=tenant.shop_ids[0],
                    field=field_name,
                    value=value,
                    previous_value=None,
                    origin="operator",
                    idempotency_key=f"{tenant.slug}-{n}",
                    state=state,
                    attempts=n,
                    next_attempt_at=NOW,
                    reason=reason,
                    created_at=NOW,
                    updated_at=NOW,
                )
                .returning(table.c.id)
            )
            ids.append(int(result.scalar_one()))
    return ids


async def _master(database: Database, tenant: Tenant, business: int) -> None:
    """A master product for the second SKU (price 19,000: both channels drifted to 20,000),
    auto-linked to its listings, and the Belanja listing of the last SKU linked to it by
    hand (a listing whose seller SKU is wrong)."""
    products = Product.__table__  # type: ignore[attr-defined]
    links = ListingLink.__table__  # type: ignore[attr-defined]
    per_shop = len(tenant.skus)
    async with database.write() as connection:
        result = await connection.execute(
            sa.insert(products)
            .values(
                business_id=business,
                sku=tenant.skus[1],
                title="Keripik Balado (master)",
                price=19_000,
                stock=40,
                created_at=NOW,
                updated_at=NOW,
            )
            .returning(products.c.id)
        )
        product_id = int(result.scalar_one())
        linked = [(tenant.listing_ids[1], "auto"), (tenant.listing_ids[per_shop + 1], "auto")]
        linked.append((tenant.listing_ids[2 * per_shop - 1], "manual"))
        for listing_id, method in linked:
            await connection.execute(
                sa.insert(links).values(
                    listing_id=listing_id,
                    product_id=product_id,
                    method=method,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )


async def seed(database: Database) -> Seeded:
    a = await seed_tenant(database, "toko-a", base=1000, skus=5)
    b = await seed_tenant(database, "toko-b", base=5000, skus=3)
    operator = await create_token(database, business=None, operator=True, label="ops")
    return Seeded(a=a, b=b, operator_token=operator)
