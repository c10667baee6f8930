"""Cursor pages: a pull ends, resumes from its page token, and reads only what changed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from adapters.tiktok import windows
from adapters.tiktok.adapter import TikTokAdapter
from adapters.tiktok.sandbox import TikTokSandbox, TikTokSandboxSettings
from syncer.adapter import CursorPage, CursorPager, Page, PullWindow
from syncer.domain import Listing
from syncer.errors import FatalError
from syncer.sandbox import LimitRule, SandboxServer
from tests.adapters.tiktok.rig import Bare, OffsetClock, Vault, bare

__all__ = ["bare"]


async def _pull(
    adapter: TikTokAdapter, window: PullWindow, *, stop_after: int | None = None
) -> list[Page]:
    pages = []
    async for page in adapter.pull(window):
        pages.append(page)
        if stop_after is not None and len(pages) == stop_after:
            break
    return pages


def _rows(listings: Sequence[Listing]) -> set[tuple[object, ...]]:
    return {
        (*listing.key, listing.seller_sku, listing.price, listing.stock, listing.status.value)
        for listing in listings
    }


def _expected(bare: Bare) -> set[tuple[object, ...]]:
    return {
        (*unit.key, unit.seller_sku, unit.price, unit.stock, unit.status.value)
        for unit in bare.sandbox.expected_listings()
    }


async def test_a_full_pull_walks_every_page_once_and_ends(bare: Bare) -> None:
    """page_size 7: as many search calls as pages, the last page without a token."""
    await bare.connect()
    bare.sandbox.kit.stats.reset()
    adapter = bare.adapter(page_size=7)
    try:
        pages = await _pull(adapter, PullWindow(since=None, until=bare.clock.now()))
    finally:
        await adapter.aclose()
    products = len(bare.sandbox.store.products)
    assert len(pages) == -(-products // 7)
    assert [page.next_token is None for page in pages] == [False] * (len(pages) - 1) + [True]
    assert pages[-1].progress == (products, products)
    listings = [listing for page in pages for listing in page.listings]
    deleted = {row for row in _rows(listings) if row[-1] == "deleted"}
    assert _rows(listings) - deleted == _expected(bare)
    stats = bare.sandbox.kit.stats.snapshot()
    assert stats["requests"]["/product/202502/products/search"] == len(pages)


async def test_details_are_read_only_for_products_search_cannot_describe(bare: Bare) -> None:
    """Get Product for several-SKU products (their variant names), not for the rest."""
    await bare.connect()
    bare.sandbox.kit.stats.reset()
    adapter = bare.adapter()
    try:
        pages = await _pull(adapter, PullWindow(since=None, until=bare.clock.now()))
    finally:
        await adapter.aclose()
    read = set(bare.sandbox.kit.stats.snapshot().get("get_product_ids", []))
    several = {
        str(item.product_id)
        for item in bare.sandbox.store.products.values()
        if len(item.skus) > 1 and not item.deleted
    }
    frozen = {
        str(item.product_id)
        for item in bare.sandbox.store.products.values()
        if set(item.platforms.values()) == {"FREEZE"}
    }
    assert read == several - frozen
    named = [
        listing
        for page in pages
        for listing in page.listings
        if listing.external_item_id in several
    ]
    assert named
    assert all(listing.variant_name for listing in named)


async def test_an_interrupted_pass_resumes_from_its_page_token(bare: Bare) -> None:
    """Two pages, a crash, then the rest from the saved token: together, the whole catalog."""
    await bare.connect()
    until = bare.clock.now()
    first = bare.adapter(page_size=20)
    try:
        head = await _pull(first, PullWindow(since=None, until=until), stop_after=2)
    finally:
        await first.aclose()
    second = bare.adapter(page_size=20)
    try:
        tail = await _pull(
            second, PullWindow(since=None, until=until, resume_token=head[-1].next_token)
        )
    finally:
        await second.aclose()
    seen = [listing.key for page in head + tail for listing in page.listings]
    assert len(seen) == len(set(seen)), "no page was read twice"
    assert _rows([listing for page in head + tail for listing in page.listings]) >= _expected(bare)


async def test_an_incremental_window_reads_only_what_changed(bare: Bare) -> None:
    """update_time_ge/le: after two edits, only those two products come back."""
    await bare.connect()
    bare.advance(120)
    since = bare.clock.now() - timedelta(seconds=1)
    live = [
        item
        for item in bare.sandbox.store.products.values()
        if item.platforms.get("TIKTOK_SHOP") == "ACTIVATE"
    ]
    bare.control(
        "mutate", {"action": "set_price", "product_id": live[0].product_id, "price": 43_500}
    )
    bare.control("mutate", {"action": "unlist", "product_id": live[1].product_id})
    adapter = bare.adapter()
    try:
        pages = await _pull(
            adapter, PullWindow(since=since, until=bare.clock.now() + timedelta(seconds=1))
        )
    finally:
        await adapter.aclose()
    items = {listing.external_item_id for page in pages for listing in page.listings}
    assert items == {str(live[0].product_id), str(live[1].product_id)}
    by_key = {listing.key: listing for page in pages for listing in page.listings}
    assert by_key[(str(live[0].product_id), str(live[0].skus[0].sku_id))].price == 43_500
    assert by_key[(str(live[1].product_id), str(live[1].skus[0].sku_id))].status.value == "inactive"


async def test_malformed_products_are_quarantined_with_the_field_named(bare: Bare) -> None:
    """A fractional price and a missing title: quarantined; the rest of the page is stored."""
    await bare.connect()
    items = [item for item in bare.sandbox.store.products.values() if not item.deleted][:2]
    bare.control(
        "mutate",
        {"action": "malform", "product_id": items[0].product_id, "kind": "fractional_price"},
    )
    bare.control(
        "mutate", {"action": "malform", "product_id": items[1].product_id, "kind": "missing_title"}
    )
    adapter = bare.adapter()
    try:
        pages = await _pull(adapter, PullWindow(since=None, until=bare.clock.now()))
    finally:
        await adapter.aclose()
    reasons = {item.external_item_id: item.reason for page in pages for item in page.quarantined}
    assert set(reasons) == {str(items[0].product_id), str(items[1].product_id)}
    assert "fraction" in reasons[str(items[0].product_id)]
    assert "title" in reasons[str(items[1].product_id)]
    listings = [listing for page in pages for listing in page.listings]
    assert len(listings) >= len(bare.sandbox.expected_listings())


async def test_the_pager_refuses_a_token_that_comes_back() -> None:
    """A marketplace answering the same token again would loop forever: stop with a reason."""
    answers = iter([CursorPage(items=[1], next_token="a"), CursorPage(items=[2], next_token="a")])

    async def fetch(_token: str | None) -> CursorPage[int]:
        return next(answers)

    with pytest.raises(FatalError, match="twice"):
        async for _step in CursorPager(fetch).steps():
            pass


async def test_the_pager_ends_on_an_empty_page_even_with_a_token() -> None:
    calls: list[str | None] = []

    async def fetch(token: str | None) -> CursorPage[int]:
        calls.append(token)
        return (
            CursorPage(items=[1, 2], next_token="t1", total=2)
            if token is None
            else CursorPage(items=[], next_token="t2")
        )

    steps = [step async for step in CursorPager(fetch).steps()]
    assert calls == [None, "t1"]
    assert [step.resume_token for step in steps] == ["t1", None]
    assert steps[0].progress == (2, 2)


async def test_deleted_and_frozen_products_come_through_from_the_search_entry(bare: Bare) -> None:
    """Get Product serves neither: their listings still arrive, deleted or banned, unread."""
    await bare.connect()
    bare.advance(120)
    since = bare.clock.now() - timedelta(seconds=1)
    several = [
        item
        for item in bare.sandbox.store.products.values()
        if len(item.skus) > 1 and set(item.platforms.values()) == {"ACTIVATE"}
    ]
    deleted, frozen = several[0], several[1]
    bare.control("mutate", {"action": "delete", "product_id": deleted.product_id})
    bare.control("mutate", {"action": "freeze", "product_id": frozen.product_id})
    bare.sandbox.kit.stats.reset()
    adapter = bare.adapter()
    try:
        pages = await _pull(adapter, PullWindow(since=since, until=bare.clock.now()))
    finally:
        await adapter.aclose()
    statuses = {listing.key: listing.status.value for page in pages for listing in page.listings}
    assert {statuses[(str(deleted.product_id), str(sku.sku_id))] for sku in deleted.skus} == {
        "deleted"
    }
    assert {statuses[(str(frozen.product_id), str(sku.sku_id))] for sku in frozen.skus} == {
        "banned"
    }
    assert "get_product_ids" not in bare.sandbox.kit.stats.snapshot()


async def test_a_catalog_over_the_search_cap_is_walked_in_update_time_slices() -> None:
    """12052180 past the cap: the pass halves its update-time window until each slice fits,
    resumes inside a slice, and still reads every product."""
    settings = TikTokSandboxSettings(max_search_results=40)
    sandbox = TikTokSandbox(seed=5, listings=300, settings=settings, limit=LimitRule(5000, 5000))
    with SandboxServer(sandbox.app) as server:
        capped = Bare(sandbox, server.base_url, OffsetClock(), Vault())
        await capped.connect()
        until = capped.clock.now()
        first = capped.adapter(page_size=15)
        try:
            head = await _pull(first, PullWindow(since=None, until=until), stop_after=3)
        finally:
            await first.aclose()
        second = capped.adapter(page_size=15)
        try:
            window = PullWindow(since=None, until=until, resume_token=head[-1].next_token)
            tail = await _pull(second, window)
        finally:
            await second.aclose()
    listings = [listing for page in head + tail for listing in page.listings]
    assert {listing.external_item_id for listing in listings} == {
        str(p) for p in sandbox.store.products
    }
    assert _rows(listings) >= _expected(capped)
    assert len(listings) == len({listing.key for listing in listings}), "each page read once"
    assert sandbox.kit.stats.snapshot()["statuses"].get("200", 0) > 0


def test_a_slice_of_one_second_cannot_be_split_further() -> None:
    with pytest.raises(FatalError, match="within one second"):
        windows.Slice(5, 5).halved()
    assert windows.Slice(0, 10).halved() == windows.Slice(0, 5)
    assert windows.decode("3:9:abc", windows.Slice(0, 1)) == windows.Slice(3, 9, "abc")
    with pytest.raises(FatalError, match="not a TikTok search position"):
        windows.decode("b2Zmc2V0PTAK", windows.Slice(0, 1))
