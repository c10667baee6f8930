"""The Blibli adapter pulling from its sandbox over a real socket: pages, auth, quarantine,
and per-operation budgets that are kept (zero 429s), in real and in compressed time."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from adapters.blibli import BlibliAdapter
from adapters.blibli.sandbox import BlibliSandbox
from adapters.blibli.sandbox_store import STATES
from syncer.adapter import Page, PullWindow
from syncer.errors import NeedsReauthError, RequestRejectedError
from syncer.sandbox import LimitRule, SandboxServer
from tests.adapters.blibli.clients import (
    ScaledClock,
    credentials_of,
    make_adapter,
    recorded,
    requests_by_path,
)


@pytest.fixture
def sandbox() -> BlibliSandbox:
    return BlibliSandbox(seed=11, listings=300, signature_key="sig-11", limit=LimitRule(5000, 5000))


@pytest.fixture
def server(sandbox: BlibliSandbox) -> Iterator[SandboxServer]:
    with SandboxServer(sandbox.app) as running:
        yield running


async def _pull(adapter: BlibliAdapter, since: datetime | None = None) -> list[Page]:
    window = PullWindow(since=since, until=datetime.now(UTC))
    try:
        return [page async for page in adapter.pull(window)]
    finally:
        await adapter.aclose()


def _list_calls(sandbox: BlibliSandbox, size: int) -> int:
    return sum(max(1, math.ceil(len(sandbox.store.in_state(s)) / size)) for s in STATES)


async def test_a_full_pull_yields_exactly_the_expected_listings(
    server: SandboxServer, sandbox: BlibliSandbox
) -> None:
    pages = await _pull(make_adapter(server.base_url, sandbox, page_size=20))
    pulled = {x.key: (x.seller_sku, x.price, x.stock, x.status) for p in pages for x in p.listings}
    expected = {
        e.key: (e.seller_sku, e.price, e.stock, e.status) for e in sandbox.expected_listings()
    }
    assert pulled == expected
    assert len(pages) == _list_calls(sandbox, 20)
    assert pages[-1].next_token is None
    assert all(page.next_token for page in pages[:-1])
    assert requests_by_path(sandbox)["/seller/v1/products/filter"] == len(pages)


async def test_a_pull_resumes_from_a_token(server: SandboxServer, sandbox: BlibliSandbox) -> None:
    pages = await _pull(make_adapter(server.base_url, sandbox, page_size=20))
    token = pages[3].next_token
    adapter = make_adapter(server.base_url, sandbox, page_size=20)
    window = PullWindow(since=None, until=datetime.now(UTC), resume_token=token)
    resumed = [page async for page in adapter.pull(window)]
    await adapter.aclose()
    assert [p.next_token for p in resumed] == [p.next_token for p in pages[4:]]


async def test_an_incremental_pull_reads_variants_of_changed_products_only(
    server: SandboxServer, sandbox: BlibliSandbox
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    changed = sorted(sandbox.store.products)[:3]
    for sku in changed:
        sandbox.mutator.apply("set_price", sku, value=77_000)
    pages = await _pull(make_adapter(server.base_url, sandbox), since=since)
    assert {x.external_item_id for p in pages for x in p.listings} == set(changed)
    assert sorted(recorded(sandbox, "variant_product_skus")) == changed


async def test_a_malformed_product_is_quarantined_and_the_rest_goes_through(
    server: SandboxServer, sandbox: BlibliSandbox
) -> None:
    bad = sorted(sandbox.store.products)[5]
    sandbox.mutator.apply("malform", bad)
    pages = await _pull(make_adapter(server.base_url, sandbox))
    quarantined = [q for p in pages for q in p.quarantined]
    assert [q.external_item_id for q in quarantined] == [bad]
    assert "pickupPoints[0].price.regular" in quarantined[0].reason
    assert sum(len(p.listings) for p in pages) == len(sandbox.expected_listings())


async def test_a_refused_seller_key_needs_a_new_connection(
    server: SandboxServer, sandbox: BlibliSandbox
) -> None:
    creds = {**credentials_of(sandbox), "api_seller_key": "revoked"}
    with pytest.raises(NeedsReauthError, match="Api-Seller-Key"):
        await _pull(make_adapter(server.base_url, sandbox, credentials=creds))


async def test_a_wrong_signature_key_stops_the_run(
    server: SandboxServer, sandbox: BlibliSandbox
) -> None:
    creds = {**credentials_of(sandbox), "signature_key": "not-it"}
    with pytest.raises(RequestRejectedError, match="signature_key"):
        await _pull(make_adapter(server.base_url, sandbox, credentials=creds))


async def test_a_clock_far_off_is_named(server: SandboxServer, sandbox: BlibliSandbox) -> None:
    clock = ScaledClock(1, skew=timedelta(minutes=20))
    with pytest.raises(RequestRejectedError, match="clock"):
        await _pull(make_adapter(server.base_url, sandbox, clock=clock))


async def test_documented_budgets_hold_in_compressed_time_with_zero_429s() -> None:
    """25 list calls a minute, both sides on one 30x time base: a pull needing more than two
    minutes' worth of list calls waits for the budget and is never refused."""
    clock = ScaledClock(30)
    sandbox = BlibliSandbox(seed=12, listings=300, time_base=clock, limit=LimitRule(5000, 5000))
    with SandboxServer(sandbox.app) as server:
        adapter = make_adapter(server.base_url, sandbox, clock=clock, page_size=2)
        pages = await _pull(adapter)
    stats = sandbox.kit.stats.snapshot()
    assert stats["rate_limited"] == 0
    assert requests_by_path(sandbox)["/seller/v1/products/filter"] == _list_calls(sandbox, 2) > 50
    assert adapter.budgets.budgets["product_list"].stats.waits > 0
    assert sum(len(p.listings) for p in pages) == 300


async def test_shrunk_budgets_hold_in_real_time_with_zero_429s() -> None:
    """The same guarantee on the machine's own clock: 4 list calls a second on both sides."""
    sandbox = BlibliSandbox(seed=13, listings=60, limit=LimitRule(5000, 5000))
    sandbox.gateway.configure_budgets({"product_list": (4, 1.0)})
    with SandboxServer(sandbox.app) as server:
        adapter = make_adapter(
            server.base_url, sandbox, page_size=5, extra={"budget.product_list": "4/1"}
        )
        await _pull(adapter)
    stats = sandbox.kit.stats.snapshot()
    assert stats["rate_limited"] == 0
    assert requests_by_path(sandbox)["/seller/v1/products/filter"] == _list_calls(sandbox, 5) > 8
