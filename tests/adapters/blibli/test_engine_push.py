"""Blibli through the real Pusher: a master change reaches the listing through the bulk queue
and is read back; a row Blibli refuses fails alone with a readable reason; nothing is pushed
twice."""

from __future__ import annotations

from syncer.domain import RunTrigger
from syncer.engine.push import Pusher, PushReport
from syncer.engine.push_changes import CatalogChanges
from syncer.store import catalog
from syncer.store import push_tasks as task_store
from syncer.store.catalog import LinkedListing
from tests.adapters.blibli.clients import requests_by_path
from tests.adapters.blibli.rig import BlibliRig, blibli_rig, rig_options

__all__ = ["blibli_rig", "rig_options"]  # fixtures, imported for pytest


async def _push(rig: BlibliRig) -> PushReport:
    rt = rig.runtime
    pusher = Pusher(
        settings=rt.settings,
        database=rt.database,
        adapters=rt.adapters,
        clock=rt.clock,
        worker=rt.worker,
    )
    return await pusher.run_once(trigger=RunTrigger.MANUAL)


def _changes(rig: BlibliRig) -> CatalogChanges:
    rt = rig.runtime
    return CatalogChanges(settings=rt.settings, database=rt.database, clock=rt.clock)


async def _linked(rig: BlibliRig, *, promo: bool) -> tuple[str, LinkedListing]:
    """A master SKU with one active listing whose SKU is (or is not) in a Blibli promotion."""
    async with rig.runtime.database.read() as connection:
        products = await catalog.list_products(connection)
        for product in products:
            rows = await catalog.linked_listings(connection, product.id)
            if len(rows) != 1 or rows[0].status != "active":
                continue
            found = rig.sandbox.store.find_sku(rows[0].key.external_variant_id)
            assert found is not None
            if (found[1].variant.promo_price is not None) == promo:
                return product.sku, rows[0]
    raise AssertionError("no such listing in the catalog")


def _price(rig: BlibliRig, row: LinkedListing) -> int:
    found = rig.sandbox.store.find_sku(row.key.external_variant_id)
    assert found is not None
    return found[1].variant.price


async def test_master_price_changes_are_pushed_verified_or_failed_with_reasons(
    blibli_rig: BlibliRig,
) -> None:
    blibli_rig.sandbox.settings.queue_polls = 1
    await blibli_rig.runtime.pull_engine.run(blibli_rig.shop, full=True)
    await _push(blibli_rig)  # links listings to master products by seller SKU
    free_sku, free = await _linked(blibli_rig, promo=False)
    locked_sku, locked = await _linked(blibli_rig, promo=True)

    await _changes(blibli_rig).set_price(free_sku, free.price + 1_000)
    await _changes(blibli_rig).set_price(locked_sku, locked.price + 1_000)
    report = await _push(blibli_rig)

    assert report.states() == {"verified": 1, "failed": 1}
    assert _price(blibli_rig, free) == free.price + 1_000
    assert _price(blibli_rig, locked) == locked.price
    async with blibli_rig.runtime.database.read() as connection:
        [failed] = await task_store.tasks_in(connection, ["failed"])
    assert failed.seller_sku == locked_sku
    assert failed.reason.startswith("Price locked by a running promotion (Blibli: ")
    calls = requests_by_path(blibli_rig.sandbox)
    assert calls["/mta/api/businesspartner/v1/product/updateProduct"] == 1

    again = await _push(blibli_rig)
    assert again.states() == {}
    assert blibli_rig.sandbox.kit.stats.snapshot()["rate_limited"] == 0
