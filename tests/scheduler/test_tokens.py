"""Token refresh is single-flight across processes; a refused grant stops the shop's runs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from adapters.shopee.adapter import TOKEN_REFRESH
from syncer.adapter import HttpAdapter
from syncer.domain import AuthState, RunKind, RunTrigger
from syncer.runtime import Runtime
from syncer.scheduler.daemon import Daemon
from syncer.store import locks
from syncer.store import shops as shop_store
from tests.engine.shopee_rig import ShopeeRig, shopee_rig
from tests.scheduler.test_daemon import runs_of, started

__all__ = ["shopee_rig"]


@pytest.fixture
async def processes(shopee_rig: ShopeeRig) -> AsyncIterator[list[Runtime]]:
    """Three runtimes on the rig's database: each with its own engine, as separate processes."""
    runtimes = [
        Runtime.from_settings(shopee_rig.runtime.settings, shopee_rig.clock) for _ in range(3)
    ]
    yield runtimes
    for runtime in runtimes:
        await runtime.close()


async def refresh_calls(rig: ShopeeRig) -> int:
    requests = (await rig.stats())["requests"]
    assert isinstance(requests, dict)
    return int(requests.get(TOKEN_REFRESH, 0))


async def test_processes_refreshing_at_once_spend_the_refresh_token_once(
    shopee_rig: ShopeeRig, processes: list[Runtime]
) -> None:
    await shopee_rig.control_post("faults", {"latency_ms": 150})  # a wide window for a race
    created = [runtime.adapters.create(shopee_rig.shop) for runtime in processes]
    adapters = [a for a in created if isinstance(a, HttpAdapter)]
    assert len(adapters) == len(created)
    before = await refresh_calls(shopee_rig)
    try:
        await asyncio.gather(*(a.refresh_credentials(a.credentials) for a in adapters))
        stored = await shopee_rig.reload_shop()
        assert await refresh_calls(shopee_rig) - before == 1
        assert stored.auth_state is AuthState.OK
        current = {a.credentials["refresh_token"] for a in adapters}
        assert len(current) == 1
        refreshed = processes[0].cipher.decrypt(stored.credentials)
        assert current == {refreshed["refresh_token"]}
        await shopee_rig.control_post("faults", {"reset": True})
        outcome = await processes[1].pull_engine.run(stored, full=True)
        assert outcome.state.value == "succeeded"  # the adopted tokens work
    finally:
        for adapter in adapters:
            await adapter.aclose()


async def test_a_lock_is_held_by_one_holder_at_a_time(
    shopee_rig: ShopeeRig, processes: list[Runtime]
) -> None:
    inside: list[int] = []
    overlaps: list[int] = []

    async def hold(index: int, runtime: Runtime, turn: int) -> None:
        async with locks.exclusive(
            runtime.database, "refresh:test", owner=f"p{index}/{turn}", clock=runtime.clock
        ):
            if inside:
                overlaps.append(index)
            inside.append(index)
            await asyncio.sleep(0.05)
            inside.remove(index)

    await asyncio.gather(*(hold(i, rt, n) for i, rt in enumerate(processes) for n in range(2)))
    assert overlaps == []


async def test_a_revoked_grant_puts_the_shop_in_needs_reauth_and_stops_its_runs(
    shopee_rig: ShopeeRig,
) -> None:
    daemon, stop = Daemon(shopee_rig.runtime, cluster=False), asyncio.Event()
    task = await started(daemon, stop)
    await daemon.idle()
    await shopee_rig.control_post("auth/revoke", {})
    failing = await daemon.request(shopee_rig.shop.id, RunKind.PULL_FULL, RunTrigger.MANUAL)
    await daemon.idle()
    stopped = await daemon.request(shopee_rig.shop.id, RunKind.PULL_INCREMENTAL, RunTrigger.MANUAL)
    await daemon.idle()
    await daemon.follow_shops()
    job = daemon.scheduler.get_job(f"pull:{shopee_rig.shop.id}")
    stop.set()
    await task
    shop = await shopee_rig.reload_shop()
    runs = {r["id"]: r for r in await runs_of(shopee_rig)}
    assert shop.auth_state is AuthState.NEEDS_REAUTH
    assert (runs[failing.run_id]["state"], runs[failing.run_id]["error_class"]) == (
        "failed",
        "NeedsReauthError",
    )
    assert runs[stopped.run_id]["state"] == "cancelled"
    assert "needs re-authorization" in str(runs[stopped.run_id]["error_message"])
    assert job is None  # no more scheduled pulls until an operator re-authorizes
    async with shopee_rig.runtime.database.read() as connection:
        listed = await shop_store.find_shop(connection, str(shopee_rig.shop.id))
    assert listed.auth_error
