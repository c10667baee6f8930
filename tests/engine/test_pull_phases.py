"""One pull per shop at a time; full passes resume in the phase they stopped; incrementals go on."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import sqlalchemy as sa

from syncer.domain import RunCounts, RunState
from syncer.store.runs import RunConflictError
from tests.engine.shopee_rig import ShopeeRig, shopee_rig

__all__ = ["shopee_rig"]


async def run_rows(rig: ShopeeRig) -> list[tuple[str, str]]:
    async with rig.runtime.database.read() as connection:
        rows = await connection.execute(sa.text("SELECT kind, state FROM sync_run ORDER BY id"))
        return [(row[0], row[1]) for row in rows]


async def test_a_second_pull_of_a_busy_shop_is_refused_without_a_failed_run(
    shopee_rig: ShopeeRig,
) -> None:
    engine = shopee_rig.runtime.pull_engine
    await shopee_rig.control_post("faults", {"latency_ms": 20})
    first = asyncio.create_task(engine.run(shopee_rig.shop, full=True))
    while not await run_rows(shopee_rig):  # noqa: ASYNC110  waiting for the first run's row
        await asyncio.sleep(0.01)
    with pytest.raises(RunConflictError):
        await engine.run(shopee_rig.shop)  # an incremental of the same shop, same process
    outcome = await first
    assert outcome.state is RunState.SUCCEEDED
    assert await run_rows(shopee_rig) == [("pull_full", "succeeded")]


async def test_a_reconcile_that_fails_resumes_in_reconcile_while_incrementals_go_on(
    shopee_rig: ShopeeRig,
) -> None:
    engine = shopee_rig.runtime.pull_engine
    await engine.run(shopee_rig.shop, full=True)
    truth = await shopee_rig.truth()
    gone = sorted({item for item, _ in truth})[5]
    await shopee_rig.mutate(action="purge", item_id=int(gone))

    def break_reads_after_listing(_counts: RunCounts, position: tuple[int, int] | None) -> None:
        if position and position[0] >= position[1]:  # the listing phase is complete
            httpx.post(
                f"{shopee_rig.base_url}/_sandbox/faults",
                timeout=10,
                json={"error_rate": 1.0, "paths": ["/api/v2/product/get_item_base_info"]},
            )

    failed = await engine.run(shopee_rig.shop, full=True, on_progress=break_reads_after_listing)
    assert failed.state is RunState.FAILED
    assert failed.counts.deleted == 0

    await shopee_rig.control_post("faults", {"reset": True})
    await shopee_rig.mutate(action="ban", item_id=int(sorted({i for i, _ in truth})[9]))
    incremental = await engine.run(shopee_rig.shop)  # its own cursor: not blocked by the full
    assert incremental.state is RunState.SUCCEEDED

    await shopee_rig.control_post("reset_stats", {})
    resumed = await engine.run(shopee_rig.shop, full=True)
    stats = await shopee_rig.stats()
    requests = stats["requests"]
    assert isinstance(requests, dict)
    assert requests.get("/api/v2/product/get_item_list", 0) == 0  # no second listing
    assert resumed.counts.deleted == sum(1 for item, _ in truth if item == gone)
    assert await shopee_rig.stored() == await shopee_rig.truth()
    assert [kind for kind, _ in await run_rows(shopee_rig)] == [
        "pull_full",
        "pull_full",
        "pull_incremental",
        "pull_full",
    ]


async def test_a_run_that_cannot_start_its_adapter_is_recorded_and_does_not_block(
    shopee_rig: ShopeeRig,
) -> None:
    engine = shopee_rig.runtime.pull_engine
    sound = shopee_rig.shop
    broken = type(sound)(
        **{**{f: getattr(sound, f) for f in sound.__slots__}, "credentials": "not-a-fernet-token"}
    )
    outcome = await engine.run(broken, full=True)
    assert outcome.state is RunState.FAILED
    assert "decrypt" in outcome.error
    assert (await engine.run(sound, full=True)).state is RunState.SUCCEEDED
