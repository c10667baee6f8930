"""Cross-channel stock against two Shopee sandboxes: a sale on one reaches the other within
one cycle (pull, then push), down to zero everywhere."""

from __future__ import annotations

from syncer.store import catalog
from tests.engine.push_rig import PushRig, push_rig
from tests.engine.test_push_shopee import linked_rows, products_on_every_shop, shown

__all__ = ["push_rig"]


async def cycle(rig: PushRig) -> None:
    """What the daemon does for these shops: pull each, then one push cycle."""
    await rig.pull_all()
    await rig.push()


async def test_set_stock_then_sales_on_one_sandbox_reach_the_other_down_to_zero(
    push_rig: PushRig,
) -> None:
    """set-stock 7 shows 7 on both; a sale of 3 on shop 1 shows 4 on shop 2 after one cycle;
    selling the last 4 on shop 2 shows 0 on both."""
    await push_rig.pull_all(full=True)
    await push_rig.push()
    [product] = await products_on_every_shop(push_rig, 1)
    await push_rig.changes.set_stock(product.sku, 7)
    await push_rig.push()
    assert await shown(push_rig, product.sku, "stock") == [7, 7]

    one, two = push_rig.shops
    rows = {row.shop_id: row for row in await linked_rows(push_rig, product.sku)}
    await push_rig.mutate(
        one, action="sell", item_id=int(rows[one.id].key[0]), quantity=3, **_model(rows[one.id])
    )
    await cycle(push_rig)
    assert await shown(push_rig, product.sku, "stock") == [4, 4]

    await push_rig.mutate(
        two, action="sell", item_id=int(rows[two.id].key[0]), quantity=4, **_model(rows[two.id])
    )
    await cycle(push_rig)
    assert await shown(push_rig, product.sku, "stock") == [0, 0]
    async with push_rig.runtime.database.read() as connection:
        assert (await catalog.find_product(connection, product.sku)).stock == 0

    await cycle(push_rig)  # nothing more happens: no sale is counted twice
    async with push_rig.runtime.database.read() as connection:
        assert (await catalog.find_product(connection, product.sku)).stock == 0
    assert await shown(push_rig, product.sku, "stock") == [0, 0]


def _model(row: catalog.LinkedListing) -> dict[str, object]:
    return {"model_id": int(row.key[1])} if row.key[1] else {}
