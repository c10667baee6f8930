"""Offset pages that shift under us, Retry-After parsing, and the adapter registry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncer.adapter import available_adapters, load_adapter, parse_retry_after
from syncer.adapter.pagination import OffsetPage, OffsetPager
from syncer.errors import UnknownAdapterError


def paged(items: list[str], size: int, *, on_fetch: object = None) -> object:
    async def fetch(offset: int) -> OffsetPage:
        if callable(on_fetch):
            on_fetch(offset)
        chunk = items[offset : offset + size]
        return OffsetPage(
            ids=chunk,
            has_next=offset + size < len(items),
            next_offset=offset + size,
            total=len(items),
        )

    return fetch


async def collect(pager: OffsetPager) -> list[str]:
    return [item_id async for step in pager.steps() for item_id in step.ids]


@given(
    st.integers(min_value=0, max_value=300),
    st.integers(min_value=1, max_value=50),
    st.integers(min_value=0, max_value=10),
)
async def test_every_item_is_yielded_once(count: int, size: int, overlap: int) -> None:
    items = [str(n) for n in range(count)]
    pager = OffsetPager(paged(items, size), overlap=min(overlap, size - 1))  # type: ignore[arg-type]
    assert await collect(pager) == items


async def test_items_leaving_the_window_mid_pass_are_not_skipped_with_an_overlap() -> None:
    """After page 1, two items from page 1 are updated and leave the list: nothing is lost."""
    items = [str(n) for n in range(30)]

    def shift(offset: int) -> None:
        if offset > 0 and "3" in items:
            items.remove("3")
            items.remove("4")

    pager = OffsetPager(paged(items, 10, on_fetch=shift), overlap=3)  # type: ignore[arg-type]
    seen = await collect(pager)
    assert set(seen) == {str(n) for n in range(30)}
    assert len(seen) == len(set(seen))


async def test_resume_offsets_allow_restarting_after_any_page() -> None:
    items = [str(n) for n in range(25)]
    steps = [step async for step in OffsetPager(paged(items, 10), overlap=2).steps()]  # type: ignore[arg-type]
    resumed = OffsetPager(paged(items, 10), start=steps[0].resume_offset or 0, overlap=2)  # type: ignore[arg-type]
    rest = await collect(resumed)
    assert set(steps[0].ids) | set(rest) == set(items)
    assert steps[-1].resume_offset is None
    assert steps[-1].progress == (25, 25)


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after("Fri, 27 Nov 2026 10:00:05 GMT", now=now) == 5.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_the_registry_finds_installed_adapters_and_lists_them_on_a_miss() -> None:
    assert "shopee" in available_adapters()
    assert load_adapter("shopee").name == "shopee"
    with pytest.raises(UnknownAdapterError, match=r"available: .*shopee"):
        load_adapter("lazada")
