"""Pulls against the Shopee sandbox over a real loopback socket, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from syncer.domain import AuthState, ListingStatus, RunCounts, RunKind, RunState
from syncer.store.queries import get_run, iter_listings
from tests.engine.shopee_rig import ShopeeRig, shopee_rig

__all__ = ["shopee_rig"]  # the fixture, imported for pytest


class Interrupted(Exception):
    """Stands in for a crash between two pages."""


@pytest.mark.listings(5000)
async def test_a_full_pull_of_5000_listings_equals_the_truth(shopee_rig: ShopeeRig) -> None:
    outcome = await shopee_rig.runtime.pull_engine.run(shopee_rig.shop, full=True)
    truth = await shopee_rig.truth()
    assert len(truth) == 5000
    assert outcome.state is RunState.SUCCEEDED
    assert outcome.counts.created == 5000
    assert await shopee_rig.stored() == truth


async def test_statuses_are_normalized_and_prices_are_whole_rupiah(shopee_rig: ShopeeRig) -> None:
    await shopee_rig.runtime.pull_engine.run(shopee_rig.shop, full=True)
    async with shopee_rig.runtime.database.read() as connection:
        rows = [row async for row in iter_listings(connection, shop_id=shopee_rig.shop.id)]
    assert {row.status for row in rows} <= {status.value for status in ListingStatus}
    assert all(isinstance(row.price, int) and row.price > 0 for row in rows)
    banned = [row for row in rows if row.raw_status.startswith("BANNED")]
    assert banned
    assert {row.status for row in banned} == {"banned"}


async def test_an_incremental_pull_fetches_only_what_changed(shopee_rig: ShopeeRig) -> None:
    engine = shopee_rig.runtime.pull_engine
    await engine.run(shopee_rig.shop, full=True)
    truth = await shopee_rig.truth()
    items = sorted({item for item, _ in truth})
    single = next(key for key in truth if key[1] == "")
    with_models = next(key for key in truth if key[1] != "")
    await shopee_rig.control_post("reset_stats", {})
    await shopee_rig.mutate(action="sell", item_id=int(single[0]), model_id=0, quantity=1)
    await shopee_rig.mutate(
        action="set_price", item_id=int(with_models[0]), model_id=int(with_models[1]), price=123_400
    )
    await shopee_rig.mutate(action="ban", item_id=int(items[7]))
    await shopee_rig.mutate(action="unlist", item_id=int(items[8]))
    changed_items = {single[0], with_models[0], items[7], items[8]}

    outcome = await engine.run(shopee_rig.shop)
    stats = await shopee_rig.stats()

    assert outcome.counts == RunCounts(
        pages=outcome.counts.pages,
        fetched=outcome.counts.fetched,
        updated=outcome.counts.updated,
        unchanged=outcome.counts.unchanged,
    )
    assert {str(item) for item in stats["base_info_item_ids"]} == changed_items  # type: ignore[union-attr]
    assert outcome.counts.fetched == sum(1 for key in truth if key[0] in changed_items)
    assert await shopee_rig.stored() == await shopee_rig.truth()
    async with shopee_rig.runtime.database.read() as connection:
        row = await get_run(connection, outcome.run_id)
    assert row is not None
    assert row["kind"] == RunKind.PULL_INCREMENTAL.value


@pytest.mark.listings(3000)
async def test_a_pull_interrupted_after_page_k_resumes_and_ends_equal(
    shopee_rig: ShopeeRig,
) -> None:
    engine = shopee_rig.runtime.pull_engine

    def crash_after_third_page(counts: RunCounts, _position: tuple[int, int] | None) -> None:
        if counts.pages == 3:
            raise Interrupted

    with pytest.raises(Interrupted):
        await engine.run(shopee_rig.shop, full=True, on_progress=crash_after_third_page)
    partial = await shopee_rig.stored()
    assert 0 < len(partial) < 3000

    outcome = await engine.run(shopee_rig.shop, full=True)
    async with shopee_rig.runtime.database.read() as connection:
        row = await get_run(connection, outcome.run_id)
        total = (await connection.execute(sa.text("SELECT count(*) FROM listing"))).scalar_one()
    assert row is not None
    resumed_from = json.loads(str(row["cursor_before"]))["pass"]["token"]
    assert resumed_from is not None  # it continued from the saved page, not from the start
    assert outcome.counts.created == 3000 - len(partial)
    assert total == 3000
    assert await shopee_rig.stored() == await shopee_rig.truth()


@pytest.mark.listings(2000)
async def test_with_20_percent_server_errors_and_429_bursts_the_pull_converges(
    shopee_rig: ShopeeRig,
) -> None:
    await shopee_rig.control_post("faults", {"error_rate": 0.2, "storm": 5, "seed": 5})
    outcome = await shopee_rig.runtime.pull_engine.run(shopee_rig.shop, full=True)
    stats = await shopee_rig.stats()
    statuses = stats["statuses"]
    assert isinstance(statuses, dict)
    assert int(statuses.get("500", 0)) > 0
    assert int(statuses.get("429", 0)) >= 5
    assert outcome.state is RunState.SUCCEEDED
    assert await shopee_rig.stored() == await shopee_rig.truth()


async def test_a_malformed_item_is_quarantined_and_the_rest_is_stored(
    shopee_rig: ShopeeRig,
) -> None:
    truth = await shopee_rig.truth()
    bad_item = sorted({item for item, _ in truth})[10]
    await shopee_rig.mutate(action="malform", item_id=int(bad_item))
    outcome = await shopee_rig.runtime.pull_engine.run(shopee_rig.shop, full=True)
    assert outcome.state is RunState.PARTIAL
    assert outcome.counts.quarantined == 1
    [issue] = outcome.issues
    assert issue["item"] == bad_item
    assert issue["reason"]
    stored = await shopee_rig.stored()
    expected = {key: value for key, value in truth.items() if key[0] != bad_item}
    assert stored == expected
    async with shopee_rig.runtime.database.read() as connection:
        row = await get_run(connection, outcome.run_id)
    assert row is not None
    assert json.loads(str(row["issues"])) == [issue]


async def test_only_a_full_reconcile_marks_vanished_items_deleted(shopee_rig: ShopeeRig) -> None:
    engine = shopee_rig.runtime.pull_engine
    await engine.run(shopee_rig.shop, full=True)
    truth = await shopee_rig.truth()
    gone = sorted({item for item, _ in truth})[3]
    await shopee_rig.mutate(action="purge", item_id=int(gone))

    incremental = await engine.run(shopee_rig.shop)
    assert incremental.counts.deleted == 0
    full = await engine.run(shopee_rig.shop, full=True)
    gone_keys = [key for key in truth if key[0] == gone]
    assert full.counts.deleted == len(gone_keys)
    async with shopee_rig.runtime.database.read() as connection:
        statuses = {
            (row.item_id, row.variant_id): row.status
            async for row in iter_listings(connection, shop_id=shopee_rig.shop.id)
        }
    assert {statuses[key] for key in gone_keys} == {"deleted"}
    assert await shopee_rig.stored() == await shopee_rig.truth()


async def test_an_expired_access_token_is_refreshed_and_the_rotation_saved(
    shopee_rig: ShopeeRig,
) -> None:
    before = shopee_rig.runtime.cipher.decrypt(shopee_rig.shop.credentials)
    await shopee_rig.advance_clocks(5 * 3600)
    outcome = await shopee_rig.runtime.pull_engine.run(shopee_rig.shop, full=True)
    after = shopee_rig.runtime.cipher.decrypt((await shopee_rig.reload_shop()).credentials)
    assert outcome.state is RunState.SUCCEEDED
    assert after["refresh_token"] != before["refresh_token"]
    assert after["access_token"] != before["access_token"]


async def test_a_revoked_grant_puts_the_shop_in_needs_reauth(shopee_rig: ShopeeRig) -> None:
    await shopee_rig.control_post("auth/revoke", {})
    outcome = await shopee_rig.runtime.pull_engine.run(shopee_rig.shop, full=True)
    shop = await shopee_rig.reload_shop()
    assert outcome.state is RunState.FAILED
    assert shop.auth_state is AuthState.NEEDS_REAUTH
    assert shop.auth_error
