"""The real pull engine over the TikTok adapter and sandbox: the store converges to the truth."""

from __future__ import annotations

from syncer.domain import RunState
from syncer.store.queries import iter_listings
from tests.adapters.tiktok.rig import TikTokRig, tiktok_rig

__all__ = ["tiktok_rig"]


async def test_a_full_pull_stores_the_truth_and_a_second_changes_nothing(
    tiktok_rig: TikTokRig,
) -> None:
    rig = tiktok_rig
    first = await rig.runtime.pull_engine.run(rig.shop, full=True)
    assert first.state is RunState.SUCCEEDED, first.error
    assert await rig.stored() == rig.expected()
    second = await rig.runtime.pull_engine.run(rig.shop, full=True)
    assert second.state is RunState.SUCCEEDED, second.error
    assert second.counts.created == second.counts.updated == 0
    assert second.counts.pages >= 2


async def test_an_incremental_pull_sees_sales_prices_and_one_storefront_going_dark(
    tiktok_rig: TikTokRig,
) -> None:
    """Unlisted on Tokopedia only: still active, and the reason says where it is live."""
    rig = tiktok_rig
    assert (await rig.runtime.pull_engine.run(rig.shop, full=True)).state is RunState.SUCCEEDED
    store = rig.sandbox.store
    both = [
        item
        for item in store.products.values()
        if set(item.platforms) == {"TIKTOK_SHOP", "TOKOPEDIA"}
        and set(item.platforms.values()) == {"ACTIVATE"}
    ]
    sold, dark, gone = both[0], both[1], both[2]
    control = rig.sandbox.control
    with store.lock:
        control.mutate({"action": "set_stock", "product_id": sold.product_id, "stock": 9})
        control.mutate({"action": "sell", "product_id": sold.product_id, "quantity": 4})
        control.mutate({"action": "set_price", "product_id": sold.product_id, "price": 88_800})
        control.mutate({"action": "unlist", "product_id": dark.product_id, "platform": "TOKOPEDIA"})
        control.mutate({"action": "delete", "product_id": gone.product_id})

    outcome = await rig.runtime.pull_engine.run(rig.shop, full=False)

    assert outcome.state is RunState.SUCCEEDED, outcome.error
    assert await rig.stored() == rig.expected()
    async with rig.runtime.database.read() as connection:
        rows = {
            (row.item_id, row.variant_id): row
            async for row in iter_listings(connection, shop_id=rig.shop.id)
        }
    sold_row = rows[(str(sold.product_id), str(sold.skus[0].sku_id))]
    assert (sold_row.price, sold_row.stock) == (88_800, 5)
    dark_row = rows[(str(dark.product_id), str(dark.skus[0].sku_id))]
    assert dark_row.status == "active"
    assert dark_row.reason == "Live on TikTok Shop; deactivated by the seller on Tokopedia"
    assert dark_row.raw_status == "TIKTOK_SHOP:ACTIVATE,TOKOPEDIA:SELLER_DEACTIVATED"
    assert rows[(str(gone.product_id), str(gone.skus[0].sku_id))].status == "deleted"
