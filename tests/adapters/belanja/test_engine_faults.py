"""Belanja.com pulls through the engine under crashes and faults: resume mid-feed, converge."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from syncer.domain import RunCounts, RunState
from syncer.store.queries import get_run
from tests.adapters.belanja.rig import BelanjaRig, belanja_extra, belanja_rig

__all__ = ["belanja_extra", "belanja_rig"]  # fixtures, imported for pytest

FEED = "/feed/products.csv"


class Interrupted(Exception):
    """Stands in for a crash between two pages."""


@pytest.mark.listings(1000)
async def test_a_crashed_pass_resumes_mid_feed_with_a_range_request(
    belanja_rig: BelanjaRig,
) -> None:
    engine = belanja_rig.runtime.pull_engine

    def crash_after_third_page(counts: RunCounts, _progress: tuple[int, int] | None) -> None:
        if counts.pages == 3:
            raise Interrupted

    with pytest.raises(Interrupted):
        await engine.run(belanja_rig.shop, full=True, on_progress=crash_after_third_page)
    assert len(await belanja_rig.stored()) == 300

    outcome = await engine.run(belanja_rig.shop, full=True)

    assert outcome.state is RunState.SUCCEEDED, outcome.error
    assert outcome.counts.created == 700  # the stored pages are not read again
    async with belanja_rig.runtime.database.read() as connection:
        row = await get_run(connection, outcome.run_id)
        total = (await connection.execute(sa.text("SELECT count(*) FROM listing"))).scalar_one()
    assert row is not None
    assert json.loads(json.loads(str(row["cursor_before"]))["pass"]["token"])["rows"] == 300
    assert total == 1000
    statuses = belanja_rig.sandbox.kit.stats.snapshot()["statuses_by_path"]
    assert statuses[FEED] == {"200": 1, "206": 1}  # type: ignore[index]
    assert await belanja_rig.stored() == belanja_rig.expected()


async def test_a_feed_changed_since_the_crash_is_read_again_from_the_start(
    belanja_rig: BelanjaRig,
) -> None:
    """If-Range: the sandbox answers 200 with the new feed; re-read rows change nothing."""
    engine = belanja_rig.runtime.pull_engine

    def crash_after_second_page(counts: RunCounts, _progress: tuple[int, int] | None) -> None:
        if counts.pages == 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        await engine.run(belanja_rig.shop, full=True, on_progress=crash_after_second_page)
    first_sku = sorted(key.external_item_id for key in belanja_rig.expected())[0]
    await belanja_rig.mutate(action="set_price", seller_sku=first_sku, value=55_500)

    outcome = await engine.run(belanja_rig.shop, full=True)

    assert outcome.state is RunState.SUCCEEDED, outcome.error
    statuses = belanja_rig.sandbox.kit.stats.snapshot()["statuses_by_path"]
    assert statuses[FEED] == {"200": 2}  # type: ignore[index]
    assert await belanja_rig.stored() == belanja_rig.expected()


@pytest.mark.listings(1500)
async def test_cut_bodies_errors_and_429s_are_retried_and_the_pull_converges(
    belanja_rig: BelanjaRig,
) -> None:
    """A body cut short (the announced row count is not reached) is read on from the last
    page; 503s and a 429 storm are retried; no row is quarantined by mistake."""
    await belanja_rig.control_post(
        "faults",
        {"malformed_rate": 0.5, "error_rate": 0.2, "error_status": 503, "storm": 1, "seed": 3},
    )
    outcome = await belanja_rig.runtime.pull_engine.run(belanja_rig.shop, full=True)
    faults = belanja_rig.sandbox.kit.faults.snapshot()["counts"]
    await belanja_rig.control_post("faults", {"reset": True})
    assert outcome.state is RunState.SUCCEEDED, outcome.error
    assert outcome.counts.quarantined == 0
    assert faults["malformed"] >= 1  # type: ignore[index]
    assert faults["storm"] == 1  # type: ignore[index]
    assert await belanja_rig.stored() == belanja_rig.expected()
