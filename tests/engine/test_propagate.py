"""Propagation over the real store: observed stock changes become master deltas exactly once,
whatever order or how often they are observed; our own pushes are never counted as sales."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from syncer.domain import Listing
from syncer.engine.propagate import Propagator
from syncer.settings import Settings
from syncer.store import Database, catalog, stock_ledger
from syncer.store import listings as listing_store
from syncer.store import push_tasks as task_store
from syncer.store.catalog_links import auto_link
from tests.conftest import make_settings
from tests.store.factories import NOW, make_listing, make_shop


class StepClock:
    def __init__(self) -> None:
        self.at = NOW

    def now(self) -> datetime:
        self.at += timedelta(milliseconds=1)
        return self.at


def listing(stock: int) -> Listing:
    return replace(make_listing(1, stock=stock), seller_sku="KOPI-GAYO-250")


class World:
    """Two shops selling one SKU, linked to one product with master stock 10."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.clock = StepClock()
        self.propagator = Propagator(settings=settings, database=database, clock=self.clock)
        self.shops: list[int] = []

    async def setup(self) -> None:
        self.shops = [
            await make_shop(self.database, external_id="600001"),
            await make_shop(self.database, external_id="600002"),
        ]
        for shop in self.shops:
            await self.observe(shop, 10)
        async with self.database.write() as connection:
            await auto_link(connection, now=self.clock.now())

    async def observe(self, shop: int, stock: int, source: str = "pull") -> None:
        async with self.database.write() as connection:
            await listing_store.upsert_listings(
                connection, shop, [listing(stock)], now=self.clock.now(), source=source
            )

    async def master_stock(self) -> int:
        async with self.database.read() as connection:
            return (await catalog.find_product(connection, "KOPI-GAYO-250")).stock

    async def open_stock(self) -> dict[int, int]:
        """Stock each shop's listing is about to be pushed to, by shop."""
        async with self.database.read() as connection:
            product = await catalog.find_product(connection, "KOPI-GAYO-250")
            linked = await catalog.linked_listings(connection, product.id)
            values = await task_store.open_values(
                connection, [row.listing_id for row in linked], "stock"
            )
        return {row.shop_id: values[row.listing_id] for row in linked if row.listing_id in values}

    async def outcomes(self) -> list[tuple[str, int]]:
        async with self.database.read() as connection:
            rows = await stock_ledger.ledger(connection)
        return [(row.outcome, row.delta) for row in reversed(rows)]


@pytest.fixture
async def world(database: Database, database_url: str, tmp_path: Path) -> World:
    built = World(database, make_settings(database_url, tmp_path))
    await built.setup()
    return built


async def test_a_sale_lowers_the_master_and_is_pushed_to_the_other_shops(world: World) -> None:
    """10 -> 7 on shop 1: master 7, shop 2 gets a task for 7 (shop 1 already shows it)."""
    await world.observe(world.shops[0], 7)
    report = await world.propagator.run_once()

    assert (report.sales, report.units_sold) == (1, 3)
    assert await world.master_stock() == 7
    assert await world.open_stock() == {world.shops[1]: 7}


async def test_duplicate_and_out_of_order_observations_count_a_sale_once(world: World) -> None:
    """10 -> 8, the same page again, a stale 10 (webhook), 8 again: one sale of 2."""
    await world.observe(world.shops[0], 8)
    await world.observe(world.shops[0], 8)  # the same page re-read: no new event
    await world.observe(world.shops[0], 10, source="webhook")  # a stale observation
    await world.observe(world.shops[0], 8)
    await world.propagator.run_once()
    await world.propagator.run_once()  # nothing left to consume

    assert await world.master_stock() == 8
    assert await world.outcomes() == [("sale", 2), ("restock", 0), ("ignored", 0)]
    assert await world.open_stock() == {world.shops[1]: 8}


async def test_each_observation_is_consumed_once_by_concurrent_propagators(
    world: World,
) -> None:
    """Two propagators at once, sales on both shops: every unit is subtracted exactly once."""
    for stock in (9, 7, 6):
        await world.observe(world.shops[0], stock)
    await world.observe(world.shops[1], 8)
    second = Propagator(
        settings=world.propagator.settings, database=world.database, clock=world.clock
    )
    await asyncio.gather(world.propagator.run_once(), second.run_once())

    assert await world.master_stock() == 10 - 4 - 2
    assert sorted(await world.outcomes()) == [("sale", 1), ("sale", 1), ("sale", 2), ("sale", 2)]


async def test_stock_reaching_zero_shows_zero_everywhere_and_never_goes_negative(
    world: World,
) -> None:
    """Sales of 6 and 7 against a master of 10 (an oversell): master 0, both shops 0."""
    await world.observe(world.shops[0], 4)
    await world.observe(world.shops[1], 3)
    await world.propagator.run_once()

    assert await world.master_stock() == 0
    assert await world.open_stock() == {world.shops[0]: 0, world.shops[1]: 0}


async def test_our_own_push_is_not_mistaken_for_a_sale(world: World) -> None:
    """After a push of 4 is recorded, a pull seeing 4 is no change; a pull seeing 10 while the
    push's outcome is unknown is that push not yet landed."""
    async with world.database.write() as connection:
        product = await catalog.find_product(connection, "KOPI-GAYO-250")
        linked = await catalog.linked_listings(connection, product.id)
        await task_store.enqueue(
            connection,
            [
                task_store.NewTask(
                    listing_id=row.listing_id,
                    shop_id=row.shop_id,
                    field="stock",
                    value=4,
                    origin="operator",
                )
                for row in linked
            ],
            now=world.clock.now(),
        )
        claimed = await task_store.claim(
            connection, world.shops[0], now=world.clock.now(), limit=10
        )
        await task_store.mark_in_flight(connection, claimed, now=world.clock.now(), run_id=None)
    await world.observe(world.shops[0], 4)  # the push landed: stored already says 4
    await world.observe(world.shops[0], 10)  # a pull that read the shop before it landed
    report = await world.propagator.run_once()

    assert report.sales == 0
    assert await world.master_stock() == 10
    assert await world.outcomes() == [("echo", 0)]
