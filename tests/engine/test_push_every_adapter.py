"""The push engine over every registered adapter (through the Adapter ABC only): a master
price and stock change reaches the sandbox and is verified, or, for a feed-only marketplace,
is written and marked as waiting for the marketplace's import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from syncer.domain import RunTrigger
from syncer.engine.push import Pusher
from syncer.engine.push_changes import CatalogChanges
from syncer.store import catalog
from syncer.store import push_tasks as task_store
from tests.contract.rig import ContractRig, contract_marketplaces, contract_rig, succeeded


@pytest.fixture(params=contract_marketplaces())
async def rig(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> AsyncIterator[ContractRig]:
    async for built in contract_rig(request.param, database_url, tmp_path, listings=60):
        yield built


def pusher(rig: ContractRig) -> Pusher:
    rt = rig.runtime
    return Pusher(
        settings=rt.settings,
        database=rt.database,
        adapters=rt.adapters,
        clock=rt.clock,
        worker=rt.worker,
    )


async def linked_active_listings(rig: ContractRig) -> list[catalog.LinkedListing]:
    async with rig.runtime.database.read() as connection:
        rows = await catalog.shop_listings(connection, rig.shop.id)
    skus = [row.seller_sku for row in rows]
    return [
        row
        for row in rows
        if row.status == "active" and row.product_id is not None and skus.count(row.seller_sku) == 1
    ]


async def test_a_master_change_reaches_the_marketplace(rig: ContractRig) -> None:
    """set-price and set-stock of one product: the sandbox shows both (verified by read-back),
    or a feed-only shop has them written, waiting for the marketplace's import. A product the
    marketplace refuses (a promotion locks its price) fails with a reason; the next is tried."""
    succeeded(await rig.pull(full=True))
    await pusher(rig).run_once()
    rt = rig.runtime
    changes = CatalogChanges(settings=rt.settings, database=rt.database, clock=rt.clock)
    refused = []
    for listing in (await linked_active_listings(rig))[:5]:
        async with rig.runtime.database.read() as connection:
            product = await catalog.get_product(connection, listing.product_id or 0)
        new_price = product.price + 1000
        await changes.set_price(product.sku, new_price)
        await changes.set_stock(product.sku, 7)

        report = await pusher(rig).run_once(trigger=RunTrigger.MANUAL)

        async with rig.runtime.database.read() as connection:
            tasks = await task_store.tasks_for_product(connection, product.id)
        if rig.adapter.feed_only:
            assert report.states() == {"applied": 2}, [t.reason for t in tasks]
            assert all(task.reason for task in tasks)  # says it waits for the marketplace
            return
        if report.states() == {"verified": 2}:
            shown = {unit.key: unit for unit in rig.sandbox.expected_listings()}[listing.key]
            assert (shown.price, shown.stock) == (new_price, 7)
            return
        assert set(report.states()) <= {"verified", "failed"}, [t.reason for t in tasks]
        refused += [t.reason for t in tasks if t.state == "failed"]
        assert all(refused)
    raise AssertionError(f"every product tried was refused: {refused}")
