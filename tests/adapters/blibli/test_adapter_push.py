"""Blibli push primitives against the sandbox: exact stock, bulk price and buyability polled
through the queue to per-row verdicts a business can read."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.blibli import BlibliAdapter
from adapters.blibli.sandbox import BlibliSandbox
from adapters.blibli.sandbox_queue import PROMO_LOCKED
from syncer.adapter import ListedChange, PriceChange, StockChange
from syncer.domain import ListingKey
from syncer.sandbox import LimitRule, SandboxServer
from tests.adapters.blibli.clients import ScaledClock, make_adapter, recorded, requests_by_path


@pytest.fixture
def sandbox() -> BlibliSandbox:
    return BlibliSandbox(seed=21, listings=400, limit=LimitRule(5000, 5000))


@pytest.fixture
async def adapter(sandbox: BlibliSandbox) -> AsyncIterator[BlibliAdapter]:
    sandbox.settings.queue_polls = 1  # queues finish at the first read; test_queue_* vary it
    with SandboxServer(sandbox.app) as server:
        client = make_adapter(server.base_url, sandbox)
        yield client
        await client.aclose()


def _keys(sandbox: BlibliSandbox, count: int, *, promo: bool = False) -> list[ListingKey]:
    keys = [
        ListingKey(product.sku, sku.blibli_sku)
        for product in sandbox.store.products.values()
        for sku in product.skus
        if (sku.variant.promo_price is not None) == promo
    ]
    return keys[:count]


def _unit(sandbox: BlibliSandbox, key: ListingKey) -> tuple[int, int, bool]:
    found = sandbox.store.find_sku(key.external_variant_id)
    assert found is not None
    sku = found[1]
    return sku.variant.price, sku.variant.stock, sku.buyable


async def test_a_few_stock_changes_use_the_synchronous_exact_stock_api(
    adapter: BlibliAdapter, sandbox: BlibliSandbox
) -> None:
    keys = _keys(sandbox, 3)
    results = await adapter.update_stock([StockChange(key=k, stock=11) for k in keys])
    assert [r.ok for r in results] == [True] * 3
    assert [_unit(sandbox, k)[1] for k in keys] == [11] * 3
    assert sum(1 for path in requests_by_path(sandbox) if path.endswith("/stock")) == 3
    assert adapter.stats.calls["bulk_update"] == 0


async def test_many_stock_changes_go_through_the_bulk_queue_as_exact_stock(
    adapter: BlibliAdapter, sandbox: BlibliSandbox
) -> None:
    keys = _keys(sandbox, 40)
    results = await adapter.update_stock([StockChange(key=k, stock=5) for k in keys])
    assert all(r.ok for r in results)
    assert {_unit(sandbox, k)[1] for k in keys} == {5}
    assert adapter.stats.calls["bulk_update"] == 1


async def test_prices_go_in_calls_of_100_and_each_row_gets_its_verdict(
    adapter: BlibliAdapter, sandbox: BlibliSandbox
) -> None:
    keys = _keys(sandbox, 250)
    results = await adapter.update_price([PriceChange(key=k, price=45_500) for k in keys])
    assert [r.key for r in results] == keys
    assert all(r.ok for r in results)
    assert {_unit(sandbox, k)[0] for k in keys} == {45_500}
    assert adapter.stats.calls["bulk_update"] == 3
    assert len(recorded(sandbox, "bulk_skus")) == 250


async def test_rows_blibli_refuses_fail_alone_with_its_reason(
    adapter: BlibliAdapter, sandbox: BlibliSandbox
) -> None:
    plain = _keys(sandbox, 2)
    (promo,) = _keys(sandbox, 1, promo=True)
    sandbox.queue.fail_skus = {plain[1].external_variant_id: "SKU sedang diperiksa Blibli"}
    changes = [PriceChange(key=k, price=60_000) for k in (plain[0], promo, plain[1])]
    results = await adapter.update_price(changes)
    assert [(r.ok, r.reason) for r in results] == [
        (True, ""),
        (False, PROMO_LOCKED),
        (False, "SKU sedang diperiksa Blibli"),
    ]
    assert _unit(sandbox, promo)[0] != 60_000


async def test_set_listed_switches_every_sku_of_the_product(
    adapter: BlibliAdapter, sandbox: BlibliSandbox
) -> None:
    product = next(p for p in sandbox.store.products.values() if len(p.skus) > 1)
    off = await adapter.set_listed([ListedChange(external_item_id=product.sku, listed=False)])
    assert [(r.key, r.ok) for r in off] == [(ListingKey(product.sku, ""), True)]
    assert {(s.buyable, s.displayable) for s in product.skus} == {(False, False)}
    on = await adapter.set_listed([ListedChange(external_item_id=product.sku, listed=True)])
    assert on[0].ok
    assert {(s.buyable, s.displayable) for s in product.skus} == {(True, True)}


async def test_set_listed_on_a_gone_product_says_so(adapter: BlibliAdapter) -> None:
    results = await adapter.set_listed([ListedChange(external_item_id="GONE-00001", listed=True)])
    assert (results[0].ok, results[0].reason) == (False, "the product no longer exists on Blibli")


async def test_pushing_the_same_values_twice_is_harmless(
    adapter: BlibliAdapter, sandbox: BlibliSandbox
) -> None:
    keys = _keys(sandbox, 12)
    changes = [StockChange(key=k, stock=8) for k in keys]
    first = await adapter.update_stock(changes)
    second = await adapter.update_stock(changes)
    assert [r.ok for r in first + second] == [True] * 24
    assert {_unit(sandbox, k)[1] for k in keys} == {8}


async def test_the_queue_is_polled_until_done(sandbox: BlibliSandbox) -> None:
    sandbox.settings.queue_polls = 4
    with SandboxServer(sandbox.app) as server:
        client = make_adapter(server.base_url, sandbox, clock=ScaledClock(50))
        keys = _keys(sandbox, 2)
        results = await client.update_price([PriceChange(key=k, price=31_000) for k in keys])
        await client.aclose()
    assert all(r.ok for r in results)
    assert client.stats.calls["queue_detail"] == 4


async def test_a_queue_that_never_finishes_gives_retriable_rows(sandbox: BlibliSandbox) -> None:
    sandbox.settings.queue_polls = 10_000
    with SandboxServer(sandbox.app) as server:
        client = make_adapter(server.base_url, sandbox, clock=ScaledClock(2_000))
        results = await client.update_price([PriceChange(key=_keys(sandbox, 1)[0], price=1_000)])
        await client.aclose()
    assert results[0].ok is False
    assert results[0].retriable is True
    assert "not finished" in results[0].reason
