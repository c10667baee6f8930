"""Shopee push primitives against the sandbox: per-row verdicts, read back through a pull."""

from __future__ import annotations

from syncer.adapter import ListedChange, PriceChange, StockChange
from syncer.domain import ListingKey
from tests.engine.shopee_rig import ShopeeRig, shopee_rig

__all__ = ["shopee_rig"]


def pick(
    truth: dict[tuple[str, str], tuple[object, ...]], *, models: bool, skip: int = 0
) -> ListingKey:
    live = [
        key
        for key, row in truth.items()
        if str(row[5]).startswith("NORMAL") and (key[1] != "") == models
    ]
    return ListingKey(*live[skip])


async def test_price_and_stock_updates_are_applied_and_read_back(shopee_rig: ShopeeRig) -> None:
    truth = await shopee_rig.truth()
    single, variant = pick(truth, models=False), pick(truth, models=True)
    adapter = shopee_rig.runtime.adapters.create(shopee_rig.shop)
    try:
        prices = await adapter.update_price(
            [PriceChange(key=single, price=45_600), PriceChange(key=variant, price=78_900)]
        )
        stocks = await adapter.update_stock(
            [StockChange(key=single, stock=17), StockChange(key=variant, stock=3)]
        )
        page = await adapter.fetch_items([single.external_item_id, variant.external_item_id])
    finally:
        await adapter.aclose()
    assert [row.ok for row in prices + stocks] == [True, True, True, True]
    read = {listing.key: (listing.price, listing.stock) for listing in page.listings}
    assert read[single] == (45_600, 17)
    assert read[variant] == (78_900, 3)


async def test_refusals_come_back_per_row_with_the_marketplaces_reason(
    shopee_rig: ShopeeRig,
) -> None:
    truth = await shopee_rig.truth()
    promoted, plain = pick(truth, models=False, skip=1), pick(truth, models=False, skip=2)
    await shopee_rig.mutate(
        action="promote", item_id=int(promoted.external_item_id), reserved_stock=5
    )
    adapter = shopee_rig.runtime.adapters.create(shopee_rig.shop)
    try:
        prices = await adapter.update_price(
            [PriceChange(key=promoted, price=50_000), PriceChange(key=plain, price=50_000)]
        )
        stocks = await adapter.update_stock([StockChange(key=promoted, stock=1)])
    finally:
        await adapter.aclose()
    by_key = {row.key: row for row in prices}
    assert not by_key[promoted].ok
    assert "promotion" in by_key[promoted].reason.lower()
    assert by_key[plain].ok
    [stock] = stocks
    assert not stock.ok
    assert "reserved" in stock.reason.lower()


async def test_unlisting_and_relisting_whole_items(shopee_rig: ShopeeRig) -> None:
    truth = await shopee_rig.truth()
    item = pick(truth, models=False, skip=3).external_item_id
    adapter = shopee_rig.runtime.adapters.create(shopee_rig.shop)
    try:
        down = await adapter.set_listed([ListedChange(external_item_id=item, listed=False)])
        after_down = await shopee_rig.truth()
        up = await adapter.set_listed([ListedChange(external_item_id=item, listed=True)])
        again = await adapter.set_listed([ListedChange(external_item_id=item, listed=True)])
    finally:
        await adapter.aclose()
    assert [down[0].ok, up[0].ok] == [True, True]
    assert after_down[(item, "")][5] == "UNLIST"
    assert (await shopee_rig.truth())[(item, "")][5] == "NORMAL"
    assert again[0].key == ListingKey(item, "")  # relisting twice is answered, not an exception


async def test_pushing_the_same_value_twice_is_harmless(shopee_rig: ShopeeRig) -> None:
    truth = await shopee_rig.truth()
    key = pick(truth, models=True, skip=4)
    adapter = shopee_rig.runtime.adapters.create(shopee_rig.shop)
    try:
        first = await adapter.update_stock([StockChange(key=key, stock=9)])
        second = await adapter.update_stock([StockChange(key=key, stock=9)])
    finally:
        await adapter.aclose()
    assert [first[0].ok, second[0].ok] == [True, True]
    assert (await shopee_rig.truth())[tuple(key)][4] == 9
