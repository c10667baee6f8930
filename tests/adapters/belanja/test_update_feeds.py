"""Update feeds: one CSV per push batch, same values give the same file, uploads give verdicts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adapters.belanja import BelanjaAdapter
from adapters.belanja.adapter import AWAITING_UPLOAD, UPLOADED
from syncer.adapter import ListedChange, PriceChange, StockChange
from syncer.domain import ListingKey, RunState
from tests.adapters.belanja.folder import folder_adapter
from tests.adapters.belanja.rig import BelanjaRig, belanja_extra, belanja_rig

__all__ = ["belanja_extra", "belanja_rig"]  # fixtures, imported for pytest


def _key(sku: str) -> ListingKey:
    return ListingKey(sku, "")


def _feeds(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


async def test_a_price_batch_becomes_one_sorted_csv_awaiting_upload(tmp_path: Path) -> None:
    adapter = folder_adapter(str(tmp_path / "feeds"), update_dir=str(tmp_path / "out"))
    changes = [
        PriceChange(key=_key("KOP-2"), price=25_000),
        PriceChange(key=_key("KOP-1"), price=10_000),
        PriceChange(key=_key("KOP-2"), price=26_000),  # the later value for a SKU wins
    ]
    results = await adapter.update_price(changes)
    files = _feeds(tmp_path / "out")
    assert list(files.values()) == [b"seller_sku,price_idr\r\nKOP-1,10000\r\nKOP-2,26000\r\n"]
    [name] = files
    assert re.fullmatch(r"belanja-price-[0-9a-f]{16}\.csv", name)
    path = tmp_path / "out" / "toko-1" / name
    assert [(r.ok, r.code) for r in results] == [(True, AWAITING_UPLOAD)] * 3
    assert results[1].reason == (
        f"written to update feed {path} (line 2); waiting for the business to upload it to "
        "Belanja.com"
    )


async def test_pushing_the_same_values_again_rewrites_the_same_file(tmp_path: Path) -> None:
    adapter = folder_adapter(str(tmp_path), update_dir=str(tmp_path / "out"))
    stock = [StockChange(key=_key("A"), stock=3), StockChange(key=_key("B"), stock=0)]
    listed = [ListedChange(external_item_id="A", listed=False)]
    first = await adapter.update_stock(stock) + await adapter.set_listed(listed)
    before = _feeds(tmp_path / "out")
    again = await adapter.update_stock(list(reversed(stock))) + await adapter.set_listed(listed)
    assert _feeds(tmp_path / "out") == before  # same names, same bytes, nothing left over
    assert sorted(before.values()) == [
        b"seller_sku,status\r\nA,inactive\r\n",
        b"seller_sku,stock\r\nA,3\r\nB,0\r\n",
    ]
    assert [r.reason for r in first] == [r.reason for r in again[1::-1]] + [again[2].reason]


async def test_values_outside_the_rules_are_refused_and_left_out_of_the_file(
    tmp_path: Path,
) -> None:
    adapter = folder_adapter(str(tmp_path), update_dir=str(tmp_path / "out"))
    results = await adapter.update_price(
        [PriceChange(key=_key("A"), price=50), PriceChange(key=_key("B"), price=9_900)]
    )
    assert [(r.ok, r.reason) for r in results] == [
        (False, "price must be in 100..100000000 rupiah, got 50"),
        (True, results[1].reason),
    ]
    assert list(_feeds(tmp_path / "out").values()) == [b"seller_sku,price_idr\r\nB,9900\r\n"]


@pytest.mark.parametrize("belanja_extra", [{"upload": "true"}])
async def test_uploaded_update_feeds_reach_the_marketplace(belanja_rig: BelanjaRig) -> None:
    """With upload = true, rows come back with the marketplace's verdict and its line."""
    skus = sorted(
        key.external_item_id for key, row in belanja_rig.expected().items() if row[3] == "active"
    )
    first, second = skus[3], skus[4]
    adapter = belanja_rig.adapter()
    assert isinstance(adapter, BelanjaAdapter)
    try:
        prices = await adapter.update_price(
            [
                PriceChange(key=_key(first), price=45_600),
                PriceChange(key=_key("GONE-1"), price=1_000),
            ]
        )
        stock = await adapter.update_stock([StockChange(key=_key(second), stock=0)])
        unlist = await adapter.set_listed([ListedChange(external_item_id=first, listed=False)])
    finally:
        await adapter.aclose()
    assert [(r.ok, r.code) for r in prices + stock + unlist] == [
        (True, UPLOADED),
        (False, "unknown_sku"),
        (True, UPLOADED),
        (True, UPLOADED),
    ]
    assert prices[1].reason.endswith(": unknown seller_sku 'GONE-1'")
    assert "line 3 of belanja-price-" in prices[1].reason
    expected = belanja_rig.expected()
    assert expected[_key(first)][1:] == (45_600, expected[_key(first)][2], "inactive")
    assert expected[_key(second)][2:] == (0, "out_of_stock")
    outcome = await belanja_rig.runtime.pull_engine.run(belanja_rig.shop, full=True)
    assert outcome.state is RunState.SUCCEEDED
    assert await belanja_rig.stored() == expected


async def test_written_feeds_change_nothing_until_the_business_uploads(
    belanja_rig: BelanjaRig,
) -> None:
    """Without upload the marketplace (and so the next import) keeps the old values."""
    sku = sorted(key.external_item_id for key in belanja_rig.expected())[5]
    before = belanja_rig.expected()[_key(sku)]
    adapter = belanja_rig.adapter()
    try:
        [result] = await adapter.update_price([PriceChange(key=_key(sku), price=77_700)])
    finally:
        await adapter.aclose()
    assert (result.ok, result.code) == (True, AWAITING_UPLOAD)
    assert belanja_rig.expected()[_key(sku)] == before
    belanja_rig.sandbox.update_dirs.append(belanja_rig.update_dir)
    assert await belanja_rig.sandbox.settle_pushes() == 1  # the business uploads the file
    assert belanja_rig.expected()[_key(sku)][1] == 77_700
    assert await belanja_rig.sandbox.settle_pushes() == 0  # each file is uploaded once
