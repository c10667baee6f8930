"""The adapter contract: every registered adapter, against its own sandbox, through the engine.

A new marketplace gets these tests by registering its adapter (``syncer.adapters`` entry point)
and giving its sandbox the ``syncer.sandbox.contract.ContractSandbox`` methods.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from syncer.adapter import ListedChange, PriceChange, RowResult, StockChange
from syncer.domain import ListingKey, RunState
from tests.contract.rig import ContractRig, Row, contract_marketplaces, contract_rig, succeeded

LISTINGS = 240  # several pages on every marketplace, small enough for per-minute budgets


@pytest.fixture(params=contract_marketplaces())
async def rig(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> AsyncIterator[ContractRig]:
    async for rig in contract_rig(request.param, database_url, tmp_path, listings=LISTINGS):
        yield rig


def _pick(rig: ContractRig, count: int, *, offset: int = 0) -> list[ListingKey]:
    """``count`` units of distinct items, spread over the catalog, in a stable order."""
    by_item: dict[str, ListingKey] = {}
    for key in sorted(rig.expected()):
        by_item.setdefault(key.external_item_id, key)
    keys = list(by_item.values())
    step = max(1, len(keys) // (count + offset + 1))
    return keys[step * (offset + 1) :: step][:count]


async def test_a_full_pull_equals_the_truth(rig: ContractRig) -> None:
    outcome = await rig.pull(full=True)
    succeeded(outcome)
    expected = rig.expected()
    assert len(expected) >= LISTINGS * 0.8  # most of the catalog is live
    assert await rig.stored() == expected


async def test_pagination_ends_and_a_second_full_pull_changes_nothing(rig: ContractRig) -> None:
    succeeded(await rig.pull(full=True))
    first = rig.stats()["total_requests"]
    outcome = await rig.pull(full=True)
    succeeded(outcome)
    assert outcome.counts.pages >= 2, "the catalog spans several pages"
    assert outcome.counts.created == outcome.counts.updated == 0
    # The same walk twice costs about the same: no page is read in a loop.
    assert rig.stats()["total_requests"] <= 2 * first + 2


async def test_an_incremental_pull_sees_every_kind_of_change(rig: ContractRig) -> None:
    succeeded(await rig.pull(full=True))
    sold, repriced, restocked, unlisted, relisted, deleted = _pick(rig, 6)
    rig.apply("set_stock", sold, 5)
    rig.apply("sell", sold, 2)
    rig.apply("set_price", repriced, 123_400)
    rig.apply("set_stock", restocked, 77)
    rig.apply("unlist", unlisted)
    rig.apply("unlist", relisted)
    rig.apply("relist", relisted)
    rig.apply("delete", deleted)

    succeeded(await rig.pull(full=False))

    # Some marketplaces (Blibli, a feed) stop listing a deleted product instead of reporting it
    # deleted: an incremental pull cannot see that, the next full reconcile must.
    gone = deleted.external_item_id
    stored = await rig.stored()
    assert _without(stored, gone) == _without(rig.expected(), gone)
    assert stored[repriced][1] == 123_400
    assert stored[restocked][2] == 77
    assert stored[sold][2] == 3
    succeeded(await rig.pull(full=True))
    stored = await rig.stored()
    assert stored == rig.expected()
    assert deleted not in stored


def _without(rows: dict[ListingKey, Row], item_id: str) -> dict[ListingKey, Row]:
    return {key: row for key, row in rows.items() if key.external_item_id != item_id}


async def test_faults_are_classified_retried_and_the_pull_converges(rig: ContractRig) -> None:
    rig.sandbox.kit.faults.configure(
        {
            "error_rate": 0.12,
            "error_status": 503,
            "timeout_rate": 0.04,
            "timeout_seconds": 0.2,
            "malformed_rate": 0.04,
        }
    )
    rig.sandbox.kit.faults.start_storm(1)  # at least one fault however few calls a pull makes
    outcome = await rig.pull(full=True)
    faulted = rig.stats()["statuses"]
    rig.sandbox.kit.faults.reset()
    if outcome.state.value != "succeeded":  # a pass may give up; the next one resumes it
        outcome = await rig.pull(full=True)
    succeeded(outcome)
    assert any(status != "200" for status in faulted), "faults were injected"
    assert await rig.stored() == rig.expected()


async def test_bad_payloads_are_quarantined_not_fatal(rig: ContractRig) -> None:
    broken = _pick(rig, 2, offset=1)
    for key in broken:
        rig.apply("malform", key)
    outcome = await rig.pull(full=True)
    assert outcome.state is RunState.PARTIAL, "a run with quarantined items says so"
    assert set(rig.sandbox.malformed_item_ids()) == {key.external_item_id for key in broken}
    assert outcome.counts.quarantined >= len(broken)
    stored = await rig.stored()
    assert stored == rig.expected()
    assert not {key.external_item_id for key in stored} & {k.external_item_id for k in broken}


def _all_ok(results: list[RowResult], count: int) -> None:
    assert len(results) == count
    failures = [(result.key, result.reason) for result in results if not result.ok]
    assert not failures


async def test_push_primitives_are_idempotent_and_reach_the_marketplace(rig: ContractRig) -> None:
    first, second, third = _pick(rig, 3, offset=2)
    adapter = rig.adapter_for_shop()
    try:
        prices = [PriceChange(key=first, price=45_600), PriceChange(key=second, price=78_900)]
        stocks = [StockChange(key=first, stock=12), StockChange(key=third, stock=0)]
        unlist = [ListedChange(external_item_id=second.external_item_id, listed=False)]
        for _ in range(2):  # the same changes twice: same results, same catalog
            _all_ok(await adapter.update_price(prices), 2)
            _all_ok(await adapter.update_stock(stocks), 2)
            _all_ok(await adapter.set_listed(unlist), 1)
            await _settle(rig)
            expected = rig.expected()
            assert expected[first][1:3] == (45_600, 12)
            assert expected[second][1] == 78_900
            assert expected[second][3] == "inactive"
            assert expected[third][2] == 0
        relist = [ListedChange(external_item_id=second.external_item_id, listed=True)]
        _all_ok(await adapter.set_listed(relist), 1)
        await _settle(rig)
        assert rig.expected()[second][3] != "inactive"
    finally:
        await adapter.aclose()
    succeeded(await rig.pull(full=True))
    assert await rig.stored() == rig.expected()


async def _settle(rig: ContractRig) -> None:
    """Feed-only marketplaces apply pushes when the business uploads the update feed."""
    settle = getattr(rig.sandbox, "settle_pushes", None)
    if settle is not None:
        await settle()


@pytest.mark.parametrize("marketplace", contract_marketplaces())
async def test_documented_rate_limits_are_never_exceeded(
    marketplace: str, database_url: str, tmp_path: Path
) -> None:
    async for rig in contract_rig(
        marketplace, database_url, tmp_path, listings=120, documented_limits=True
    ):
        assert rig.sandbox.documented_limit_per_minute(), "the sandbox enforces a budget"
        succeeded(await rig.pull(full=True))
        rig.apply("set_price", _pick(rig, 1)[0], 99_900)
        succeeded(await rig.pull(full=False))
        stats = rig.stats()
        assert stats["rate_limited"] == 0, stats["statuses_by_path"]
        assert await rig.stored() == rig.expected()


@pytest.mark.soak
@pytest.mark.parametrize("marketplace", contract_marketplaces())
async def test_10000_listings_converge_under_documented_limits_with_20_percent_errors(
    marketplace: str, sqlite_url: str, tmp_path: Path
) -> None:
    async for rig in contract_rig(
        marketplace, sqlite_url, tmp_path, listings=10_000, documented_limits=True, time_scale=8
    ):
        rig.sandbox.kit.faults.configure({"error_rate": 0.2, "error_status": 500})
        rig.sandbox.kit.faults.start_storm(1)  # a feed is read in a call or two: fault one
        outcome = await rig.pull(full=True)
        for _ in range(3):  # a pass that gives up is resumed by the next run, as the daemon does
            if outcome.state is RunState.SUCCEEDED:
                break
            outcome = await rig.pull(full=True)
        succeeded(outcome)
        stats = rig.stats()
        assert stats["rate_limited"] == 1, stats["statuses_by_path"]  # the storm's, no other
        assert set(stats["statuses"]) - {"200", "206", "304"}, "errors were injected"
        assert await rig.stored() == rig.expected()
