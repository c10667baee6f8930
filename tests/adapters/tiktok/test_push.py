"""Push primitives against the sandbox: every warehouse, per-row verdicts in plain words."""

from __future__ import annotations

from collections.abc import Callable

from adapters.tiktok.sandbox_store import TikTokProduct
from syncer.adapter import ListedChange, PriceChange, StockChange
from syncer.domain import ListingKey
from tests.adapters.tiktok.rig import Bare, bare

__all__ = ["bare"]


def _find(bare: Bare, test: Callable[[TikTokProduct], bool]) -> TikTokProduct:
    return next(item for item in bare.sandbox.store.products.values() if test(item))


def _key(item: TikTokProduct, index: int = 0) -> ListingKey:
    return ListingKey(str(item.product_id), str(item.skus[index].sku_id))


def _live(item: TikTokProduct) -> bool:
    return set(item.platforms.values()) == {"ACTIVATE"} and not item.price_locked


async def test_stock_covers_every_warehouse_of_the_sku(bare: Bare) -> None:
    """A SKU in two warehouses: the rise lands in the first, the second keeps its units."""
    await bare.connect()
    split = _find(bare, lambda item: _live(item) and len(item.skus[0].warehouses) == 2)
    single = _find(
        bare, lambda item: _live(item) and len(item.skus[0].warehouses) == 1 and item is not split
    )
    before = list(split.skus[0].quantities)
    adapter = bare.adapter()
    try:
        results = await adapter.update_stock(
            [
                StockChange(key=_key(split), stock=sum(before) + 10),
                StockChange(key=_key(single), stock=0),
            ]
        )
    finally:
        await adapter.aclose()
    assert [(row.ok, row.reason) for row in results] == [(True, ""), (True, "")]
    assert split.skus[0].quantities == [before[0] + 10, before[1]]
    assert single.skus[0].stock == 0


async def test_prices_of_one_product_go_in_one_call_and_repeat_harmlessly(bare: Bare) -> None:
    await bare.connect()
    item = _find(bare, lambda item: _live(item) and len(item.skus) >= 2)
    changes = [
        PriceChange(key=_key(item, 0), price=45_600),
        PriceChange(key=_key(item, 1), price=47_000),
    ]
    adapter = bare.adapter()
    bare.sandbox.kit.stats.reset()
    try:
        first = await adapter.update_price(changes)
        stamp = item.update_time
        bare.advance(5)
        second = await adapter.update_price(changes)
    finally:
        await adapter.aclose()
    assert [row.ok for row in first + second] == [True] * 4
    assert [sku.variant.price for sku in item.skus[:2]] == [45_600, 47_000]
    assert item.update_time == stamp, "an unchanged price is not an update"
    requests = bare.sandbox.kit.stats.snapshot()["requests"]
    assert sum(n for path, n in requests.items() if path.endswith("/prices/update")) == 2


async def test_row_failures_come_back_in_words_a_business_understands(bare: Bare) -> None:
    """Unknown SKU, stock above the cap, a promotion lock and a gone product, each its reason."""
    await bare.connect()
    item = _find(bare, lambda item: _live(item) and len(item.skus) >= 2)
    promoted = _find(bare, lambda other: _live(other) and other is not item)
    bare.control("mutate", {"action": "promote", "product_id": promoted.product_id})
    ghost = ListingKey(str(item.product_id), "1")
    adapter = bare.adapter()
    try:
        stock = await adapter.update_stock(
            [
                StockChange(key=_key(item, 0), stock=100_000),
                StockChange(key=_key(item, 1), stock=3),
                StockChange(key=ghost, stock=3),
                StockChange(key=ListingKey("42", "43"), stock=3),
            ]
        )
        price = await adapter.update_price([PriceChange(key=_key(promoted), price=10_000)])
    finally:
        await adapter.aclose()
    verdicts = [(row.ok, row.reason, row.code) for row in stock + price]
    assert verdicts == [
        (False, "Stock must be between 0 and 99,999 per warehouse", "12052055"),
        (True, "", ""),
        (False, "This variant (SKU) no longer exists on TikTok Shop", "12052556"),
        (False, "The product no longer exists on TikTok Shop", "12052032"),
        (False, "The price is locked while a promotion runs on TikTok Shop", "12052038"),
    ]
    assert item.skus[1].stock == 3


async def test_unlisting_acts_on_every_storefront_and_relisting_goes_through_review(
    bare: Bare,
) -> None:
    """Live on TikTok Shop and Tokopedia: deactivated on both; activation reviews, then live."""
    await bare.connect()
    both = _find(
        bare, lambda item: _live(item) and set(item.platforms) == {"TIKTOK_SHOP", "TOKOPEDIA"}
    )
    tokopedia = _find(bare, lambda item: _live(item) and set(item.platforms) == {"TOKOPEDIA"})
    frozen = _find(bare, lambda item: "FREEZE" in item.platforms.values())
    changes = [
        ListedChange(external_item_id=str(item.product_id), listed=False)
        for item in (both, tokopedia, frozen)
    ]
    adapter = bare.adapter()
    try:
        unlisted = await adapter.set_listed(changes)
        again = await adapter.set_listed(changes[:2])
        relisted = await adapter.set_listed(
            [ListedChange(external_item_id=str(both.product_id), listed=True)]
        )
    finally:
        await adapter.aclose()
    assert [row.ok for row in unlisted] == [True, True, False]
    assert "status does not allow" in unlisted[2].reason
    assert [row.ok for row in again + relisted] == [True, True, True]
    assert tokopedia.platforms == {"TOKOPEDIA": "SELLER_DEACTIVATED"}
    assert both.platforms == {"TIKTOK_SHOP": "PENDING", "TOKOPEDIA": "PENDING"}
    bare.advance(bare.sandbox.settings.audit_seconds + 1)
    bare.control("truth")
    assert both.platforms == {"TIKTOK_SHOP": "ACTIVATE", "TOKOPEDIA": "ACTIVATE"}


async def test_a_gone_product_cannot_be_unlisted_and_says_so(bare: Bare) -> None:
    await bare.connect()
    adapter = bare.adapter()
    try:
        (row,) = await adapter.set_listed([ListedChange(external_item_id="42", listed=False)])
    finally:
        await adapter.aclose()
    assert (row.ok, row.reason) == (False, "The product no longer exists on TikTok Shop")
