"""Pushes against two Shopee sandboxes over loopback: master changes reach every linked
listing and are read back; a rejected row fails with its reason and the others go through."""

from __future__ import annotations

import pytest

from syncer.engine.push_batches import minimum_calls
from syncer.store import catalog
from syncer.store import push_tasks as task_store
from syncer.store.catalog import LinkedListing, ProductRecord
from syncer.store.push_tasks import NewTask
from tests.engine.push_rig import PushRig, push_rig

__all__ = ["push_rig"]


async def linked_rows(rig: PushRig, sku: str) -> list[LinkedListing]:
    async with rig.runtime.database.read() as connection:
        product = await catalog.find_product(connection, sku)
        return await catalog.linked_listings(connection, product.id)


async def products_on_every_shop(rig: PushRig, count: int) -> list[ProductRecord]:
    """Products with one active listing on each shop, none under promotion."""
    async with rig.runtime.database.read() as connection:
        products = await catalog.list_products(connection)
    chosen = []
    for product in products:
        linked = await linked_rows(rig, product.sku)
        shops = [row.shop_id for row in linked if row.status == "active"]
        if sorted(shops) == sorted(shop.id for shop in rig.shops) and len(linked) == len(shops):
            for shop in rig.shops:
                await rig.mutate(shop, action="unpromote", item_id=int(linked[0].key[0]))
            chosen.append(product)
        if len(chosen) == count:
            return chosen
    raise AssertionError("not enough products listed on every shop")


async def shown(rig: PushRig, sku: str, field: str) -> list[object]:
    values = []
    for row in await linked_rows(rig, sku):
        shop = next(shop for shop in rig.shops if shop.id == row.shop_id)
        values.append((await rig.truth(shop))[(row.key[0], row.key[1])][field])
    return values


async def test_a_master_price_change_reaches_every_linked_listing_verified(
    push_rig: PushRig,
) -> None:
    """set-price on a master product: every linked listing on both shops shows it, verified."""
    await push_rig.pull_all(full=True)
    first = await push_rig.push()
    assert first.linked == 2 * first.products_created > 0  # same catalog on both shops
    [product] = await products_on_every_shop(push_rig, 1)

    outcome = await push_rig.changes.set_price(product.sku, product.price + 1000)
    report = await push_rig.push()

    assert outcome.tasks == len(push_rig.shops)
    assert report.states() == {"verified": len(push_rig.shops)}
    assert await shown(push_rig, product.sku, "price") == [product.price + 1000] * 2
    async with push_rig.runtime.database.read() as connection:
        assert await task_store.state_counts(connection) == {"verified": 2}
        stored = await catalog.linked_listings(connection, product.id)
    assert [row.price for row in stored] == [product.price + 1000] * 2


async def test_a_rejected_push_fails_with_its_reason_and_the_others_go_through(
    push_rig: PushRig,
) -> None:
    """A price locked by a promotion ends failed with that reason; the other product is
    verified; the listing keeps its old price in the store."""
    await push_rig.pull_all(full=True)
    await push_rig.push()
    locked, free = await products_on_every_shop(push_rig, 2)
    shop = push_rig.shops[0]
    [locked_row] = [r for r in await linked_rows(push_rig, locked.sku) if r.shop_id == shop.id]
    await push_rig.mutate(shop, action="promote", item_id=int(locked_row.key[0]))

    await push_rig.changes.set_price(locked.sku, locked.price + 500)
    await push_rig.changes.set_price(free.sku, free.price + 500)
    report = await push_rig.push()

    assert report.states() == {"verified": 3, "failed": 1}
    async with push_rig.runtime.database.read() as connection:
        [failed] = await task_store.tasks_in(connection, ["failed"])
        [kept] = [
            r for r in await catalog.linked_listings(connection, locked.id) if r.shop_id == shop.id
        ]
    assert (failed.seller_sku, failed.field) == (locked.sku, "price")
    assert failed.reason.startswith("Price locked by a running promotion (Shopee: ")
    assert kept.price == locked.price
    assert await shown(push_rig, free.sku, "price") == [free.price + 500] * 2


@pytest.mark.soak
@pytest.mark.listings(10_000)
async def test_ten_thousand_stock_changes_use_no_more_calls_than_the_batch_limits_require(
    push_rig: PushRig,
) -> None:
    """10,000 stock changes on one shop: update_stock calls == the minimum Shopee's limits
    allow (one item and at most 50 models a call), every row answered and read back."""
    shop = push_rig.shops[0]
    await push_rig.runtime.pull_engine.run(shop, full=True)
    async with push_rig.runtime.database.write() as connection:
        rows = await catalog.shop_listings(connection, shop.id)
        tasks = [
            NewTask(
                listing_id=row.listing_id,
                shop_id=shop.id,
                field="stock",
                value=row.stock + 1,
                origin="operator",
            )
            for row in rows
        ]
        await task_store.enqueue(connection, tasks, now=push_rig.clock.now())
    await push_rig.control_post(shop, "reset_stats", {})

    report = await push_rig.pusher().run_once(shop)

    stats = await push_rig.stats(shop)
    minimum = minimum_calls([row.key for row in rows], limit=50, per_item=True)
    assert len(rows) >= 9_000
    assert stats["requests"]["/api/v2/product/update_stock"] == minimum  # type: ignore[index]
    assert report.shops[0].calls == minimum
    states = report.states()
    assert sum(states.values()) == len(rows)
    assert states.get("verified", 0) + states.get("failed", 0) == len(rows)


async def test_deactivate_and_activate_unlist_and_relist_on_every_shop(push_rig: PushRig) -> None:
    """deactivate: the item is unlisted on both shops (read back as inactive); activate: listed
    again."""
    await push_rig.pull_all(full=True)
    await push_rig.push()
    without_models = [
        p
        for p in await products_on_every_shop(push_rig, 10)
        if not any(row.key[1] for row in await linked_rows(push_rig, p.sku))
    ]
    product = without_models[0]

    await push_rig.changes.set_listed(product.sku, False)
    unlisted = await push_rig.push()
    assert await shown(push_rig, product.sku, "item_status") == ["UNLIST", "UNLIST"]
    await push_rig.pull_all()
    await push_rig.changes.set_listed(product.sku, True)
    listed = await push_rig.push()

    assert unlisted.states() == listed.states() == {"verified": 2}
    assert await shown(push_rig, product.sku, "item_status") == ["NORMAL", "NORMAL"]
