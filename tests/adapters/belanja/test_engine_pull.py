"""Pulls of the Belanja.com feed through the real engine, from the sandbox over loopback."""

from __future__ import annotations

import pytest

from syncer.domain import ListingKey, RunState
from tests.adapters.belanja.rig import BelanjaRig, belanja_extra, belanja_rig

__all__ = ["belanja_extra", "belanja_rig"]  # fixtures, imported for pytest

FEED = "/feed/products.csv"


async def test_a_full_pull_equals_the_truth_in_pages(belanja_rig: BelanjaRig) -> None:
    """Every row is stored once, page by page; the pass reads the feed once."""
    outcome = await belanja_rig.runtime.pull_engine.run(belanja_rig.shop, full=True)
    assert outcome.state is RunState.SUCCEEDED, outcome.error
    assert outcome.counts.pages == 4  # 400 rows at the default 100 per page
    assert outcome.counts.created == 400
    assert await belanja_rig.stored() == belanja_rig.expected()
    assert belanja_rig.requests(FEED) == 1


async def test_an_incremental_pull_sees_every_kind_of_change(belanja_rig: BelanjaRig) -> None:
    """Sales, prices, stock, unlisting and deletion (a tombstone row) reach the store."""
    engine = belanja_rig.runtime.pull_engine
    assert (await engine.run(belanja_rig.shop, full=True)).state is RunState.SUCCEEDED
    skus = sorted(key.external_item_id for key in belanja_rig.expected())
    sold, repriced, unlisted, deleted = skus[10], skus[50], skus[90], skus[130]
    await belanja_rig.mutate(action="set_stock", seller_sku=sold, value=9)
    await belanja_rig.mutate(action="sell", seller_sku=sold, value=4)
    await belanja_rig.mutate(action="set_price", seller_sku=repriced, value=123_400)
    await belanja_rig.mutate(action="unlist", seller_sku=unlisted)
    await belanja_rig.mutate(action="delete", seller_sku=deleted)

    outcome = await engine.run(belanja_rig.shop)

    assert outcome.state is RunState.SUCCEEDED, outcome.error
    assert outcome.counts.fetched == 4  # only rows updated within the window
    stored = await belanja_rig.stored()
    assert stored == belanja_rig.expected()
    assert stored[ListingKey(sold, "")][2] == 5
    assert stored[ListingKey(repriced, "")][1] == 123_400
    assert stored[ListingKey(unlisted, "")][3] == "inactive"
    assert ListingKey(deleted, "") not in stored


async def test_an_unchanged_feed_is_not_downloaded_again(belanja_rig: BelanjaRig) -> None:
    """After a whole read, an incremental pull asks If-None-Match and gets 304."""
    engine = belanja_rig.runtime.pull_engine
    await engine.run(belanja_rig.shop, full=True)
    outcome = await engine.run(belanja_rig.shop)
    assert outcome.state is RunState.SUCCEEDED
    assert outcome.counts.pages == 0
    statuses = belanja_rig.sandbox.kit.stats.snapshot()["statuses_by_path"]
    assert statuses[FEED] == {"200": 1, "304": 1}  # type: ignore[index]


async def test_bad_rows_are_quarantined_with_their_line_and_the_rest_goes_through(
    belanja_rig: BelanjaRig,
) -> None:
    """A malformed row and injected broken rows are reported; the run is partial."""
    sku = sorted(key.external_item_id for key in belanja_rig.expected())[7]
    await belanja_rig.mutate(action="malform", seller_sku=sku)
    await belanja_rig.control_post("inject", {"kind": "broken"})
    await belanja_rig.control_post("inject", {"kind": "sku"})

    outcome = await belanja_rig.runtime.pull_engine.run(belanja_rig.shop, full=True)

    assert outcome.state is RunState.PARTIAL
    assert outcome.counts.quarantined == 3
    reasons = {issue["item"]: issue["reason"] for issue in outcome.issues}
    assert reasons[sku].startswith("line ")
    assert "price_idr must be a whole number of rupiah, got 'Rp" in reasons[sku]
    assert reasons["BAD-0001"] == "line 402: row has 3 fields, the header has 17"
    assert reasons["line 403"] == "line 403: seller_sku is empty; every row needs its seller SKU"
    assert await belanja_rig.stored() == belanja_rig.expected()


@pytest.mark.parametrize("belanja_extra", [{"feed": "/feed/products.jsonl"}])
async def test_the_json_lines_feed_gives_the_same_catalog(belanja_rig: BelanjaRig) -> None:
    outcome = await belanja_rig.runtime.pull_engine.run(belanja_rig.shop, full=True)
    assert outcome.state is RunState.SUCCEEDED, outcome.error
    assert await belanja_rig.stored() == belanja_rig.expected()
    assert belanja_rig.requests("/feed/products.jsonl") == 1
