"""The master catalog in the store: auto-linking by seller SKU, ambiguous SKUs, manual links,
the reports, and the outbox's coalescing (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from syncer.domain import Listing
from syncer.errors import NotFoundError
from syncer.store import Database, catalog, catalog_links
from syncer.store import listings as listing_store
from syncer.store import push_tasks as task_store
from syncer.store.catalog import CatalogError
from syncer.store.push_tasks import NewTask
from tests.store.factories import NOW, make_listing, make_shop


def sku(listing: Listing, value: str) -> Listing:
    return replace(listing, seller_sku=value)


async def store(database: Database, shop: int, listings: list[Listing]) -> None:
    async with database.write() as connection:
        await listing_store.upsert_listings(connection, shop, listings, now=NOW)


async def link_all(database: Database, *, rescan: bool = False) -> catalog.LinkOutcome:
    async with database.write() as connection:
        return await catalog_links.auto_link(
            connection, now=NOW + timedelta(hours=1), rescan=rescan
        )


async def test_listings_link_by_sku_and_a_product_is_created_from_the_first(
    database: Database,
) -> None:
    """Two shops sell KOPI-1: one product (title, price, stock of the first listing) bound to
    both; a listing without a SKU stays unlinked with that reason."""
    one = await make_shop(database, external_id="1")
    two = await make_shop(database, external_id="2")
    await store(database, one, [sku(make_listing(1, price=25_000, stock=4), "KOPI-1")])
    await store(
        database, two, [sku(make_listing(9, price=26_000), "KOPI-1"), sku(make_listing(8), "")]
    )

    outcome = await link_all(database)

    assert (outcome.linked, outcome.products_created) == (2, 1)
    async with database.read() as connection:
        product = await catalog.find_product(connection, "KOPI-1")
        linked = await catalog.linked_listings(connection, product.id)
        unlinked = await catalog_links.unlinked(connection)
    assert (product.price, product.stock, product.revision) == (25_000, 4, 1)
    assert sorted(row.shop_id for row in linked) == [one, two]
    assert [(issue.item_id, issue.reason[:13]) for issue in unlinked] == [("8", "no seller SKU")]


async def test_a_sku_twice_in_one_shop_is_a_conflict_and_not_linked(database: Database) -> None:
    shop = await make_shop(database)
    await store(database, shop, [sku(make_listing(1), "TEH-1"), sku(make_listing(2), "TEH-1")])

    assert (await link_all(database)).linked == 0
    async with database.read() as connection:
        conflicts = await catalog_links.conflicts(connection)
    assert sorted(issue.item_id for issue in conflicts) == ["1", "2"]
    assert "several listings of this shop" in conflicts[0].reason


async def test_unlinked_by_hand_stays_unlinked_until_linked_by_hand(database: Database) -> None:
    shop = await make_shop(database)
    await store(database, shop, [sku(make_listing(1), "GULA-1"), sku(make_listing(2), "GULA-2")])
    await link_all(database)
    async with database.write() as connection:
        listing = (await catalog.shop_listings(connection, shop))[0]
        await catalog.unlink(connection, listing.listing_id, now=NOW)
    await link_all(database, rescan=True)
    async with database.write() as connection:
        assert (await catalog.get_listing(connection, listing.listing_id)).product_id is None
        other = await catalog.find_product(connection, "GULA-2")
        await catalog.link(connection, listing.listing_id, other.id, now=NOW)
        relinked = await catalog.get_listing(connection, listing.listing_id)
        conflicts = await catalog_links.conflicts(connection)
    assert (relinked.product_id, relinked.method) == (other.id, "manual")
    assert conflicts == []  # a manual link may differ from the SKU on purpose


async def test_a_listing_of_another_business_cannot_be_linked(database: Database) -> None:
    shop = await make_shop(database)
    await store(database, shop, [sku(make_listing(1), "A-1")])
    await link_all(database)
    async with database.write() as connection:
        other = await catalog.business_id(connection, "toko")
        await connection.exec_driver_sql(
            "INSERT INTO business (slug, name, created_at) VALUES ('lain', 'Lain', '2026-01-01')"
        )
        stranger = await catalog.create_product(
            connection,
            business_id=await catalog.business_id(connection, "lain"),
            sku="B-1",
            title="B",
            price=1000,
            stock=1,
            now=NOW,
        )
        listing = (await catalog.shop_listings(connection, shop))[0]
        with pytest.raises(CatalogError, match="another business"):
            await catalog.link(connection, listing.listing_id, stranger, now=NOW)
        with pytest.raises(NotFoundError, match="no business 'nope'"):
            await catalog.business_id(connection, "nope")
    assert other


async def test_a_listing_that_gains_a_sku_is_linked_by_a_rescan(database: Database) -> None:
    """Push cycles examine new listings only; ``rescan`` examines every one again."""
    shop = await make_shop(database)
    await store(database, shop, [sku(make_listing(1), "")])
    await link_all(database)
    await store(database, shop, [sku(make_listing(1), "SAMBAL-1")])

    assert (await link_all(database)).linked == 0
    assert (await link_all(database, rescan=True)).linked == 1


async def test_a_newer_task_supersedes_the_pending_one(database: Database) -> None:
    shop = await make_shop(database)
    await store(database, shop, [sku(make_listing(1), "X")])
    async with database.write() as connection:
        listing = (await catalog.shop_listings(connection, shop))[0]
        for value in (5, 6, 7):
            task = NewTask(
                listing_id=listing.listing_id, shop_id=shop, field="stock", value=value, origin="x"
            )
            await task_store.enqueue(connection, [task], now=NOW)
        counts = await task_store.state_counts(connection)
        values = await task_store.open_values(connection, [listing.listing_id], "stock")
    assert counts == {"pending": 1, "superseded": 2}
    assert values == {listing.listing_id: 7}
