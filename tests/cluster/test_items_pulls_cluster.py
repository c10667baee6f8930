"""Webhook items pulls in cluster mode (PostgreSQL): signed Shopee pushes reach the served app
over a real socket, queue one ``pull_items`` run, a scheduler's sweep defers its procrastinate
job, and a ``syncer worker`` process executes it: the named items are stored, nothing else is
read, and the events are consumed."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from syncer.scheduler.daemon import Daemon
from syncer.store import shops as shop_store
from syncer.store import webhook_events as event_store
from syncer.store.queries import iter_listings
from tests.cluster.rig import ClusterRig, cluster_rig
from tests.web.conftest import served

LISTINGS = 200
NAMED = 2  # items the pushes name (one of them twice)


async def sandbox_control(
    rig: ClusterRig, shop_id: int, path: str, body: dict[str, object]
) -> dict[str, Any]:
    """A control call to the shop's sandbox through the fleet's socket; its JSON answer."""
    external = next(e for e, ours in rig.shop_ids.items() if ours == shop_id)
    async with httpx.AsyncClient(base_url=rig.base_url, timeout=30) as client:
        response = await client.post(f"/_sandbox/{path}?shop_id={external}", json=body)
        if response.is_error:
            raise AssertionError(f"sandbox control {path} {body}: {response.text}")
        result: dict[str, Any] = response.json()
        return result


def truth(rig: ClusterRig, shop_id: int, items: set[str]) -> dict[tuple[str, str], int]:
    """The sandbox's current price of every listing of ``items``."""
    return {
        (e.key.external_item_id, e.key.external_variant_id): e.price
        for e in rig.sandbox(shop_id).expected_listings()
        if e.key.external_item_id in items
    }


async def stored(rig: ClusterRig, shop_id: int, items: set[str]) -> dict[tuple[str, str], int]:
    async with rig.runtime.database.read() as connection:
        return {
            (row.item_id, row.variant_id): row.price
            async for row in iter_listings(connection, shop_id=shop_id)
            if row.item_id in items
        }


async def pending(rig: ClusterRig, shop_id: int) -> int | None:
    async with rig.runtime.database.read() as connection:
        return await event_store.last_pending_id(connection, shop_id)


async def test_a_worker_process_executes_the_items_pull_a_webhook_queued(
    database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("cluster mode (procrastinate workers) needs PostgreSQL; SQLite is single-node")
    # No catch-up run at the scheduler's start: the items pull is the only run it defers.
    async with cluster_rig(
        database_url, tmp_path, shops=1, listings=LISTINGS, catch_up=False
    ) as rig:
        [shop_id] = rig.shops
        async with rig.runtime.database.read() as connection:
            shop = await shop_store.find_shop(connection, str(shop_id))
        await rig.runtime.pull_engine.run(shop, full=True)  # the catalog as the pushes find it
        listings = rig.sandbox(shop_id).expected_listings()
        with_models = {e.key.external_item_id for e in listings if e.key.external_variant_id}
        ids = sorted({e.key.external_item_id for e in listings} - with_models)  # one price each
        named, untouched = ids[:NAMED], ids[NAMED]
        for item in [*named, untouched]:
            await sandbox_control(
                rig, shop_id, "mutate", {"action": "set_price", "item_id": int(item), "price": 4321}
            )
        await sandbox_control(rig, shop_id, "reset_stats", {})
        await rig.start_worker("w1")

        async with served(rig.runtime) as base:
            await sandbox_control(
                rig, shop_id, "push/config", {"callback_url": f"{base}/webhooks/shopee"}
            )
            pushes: list[dict[str, object]] = [{"code": 22, "item_id": int(item)} for item in named]
            pushes.append({"code": 8, "item_id": int(named[0]), "data": {"action": "x"}})
            sent = [await sandbox_control(rig, shop_id, "push/send", push) for push in pushes]
        assert [(d["status"], d["lost"]) for d in sent] == [(200, False)] * 3
        assert await pending(rig, shop_id) is not None

        scheduler = Daemon(rig.runtime_copy(), role="scheduler", cluster=True)
        stop = asyncio.Event()
        serving = asyncio.create_task(scheduler.run(stop))

        async def consumed() -> bool:
            return await pending(rig, shop_id) is None and any(
                r["kind"] == "pull_items" and r["state"] not in ("queued", "running")
                for r in await rig.runs()
            )

        try:
            await rig.wait_for(consumed, "the worker to run the items pull", timeout_s=90)
        finally:
            stop.set()
            await serving
            await scheduler.runtime.close()

        runs = await rig.runs()
        items_runs = [r for r in runs if r["kind"] == "pull_items"]
        assert [(r["state"], r["worker"], r["triggers"]) for r in items_runs] == [
            ("succeeded", "w1", 3)  # three pushes, one run
        ]
        assert [r["kind"] for r in runs] == ["pull_full", "pull_items"]  # nothing else ran
        stats = rig.sandbox(shop_id).kit.stats.snapshot()
        asked, requests = stats["base_info_item_ids"], stats["requests"]
        assert isinstance(asked, list)
        assert isinstance(requests, dict)
        assert sorted(asked) == [int(i) for i in named]  # just the items the pushes named
        assert "/api/v2/product/get_item_list" not in requests
        assert await stored(rig, shop_id, set(named)) == truth(rig, shop_id, set(named))
        # The untouched item changed too, but no push named it: it waits for the next pull.
        assert await stored(rig, shop_id, {untouched}) != truth(rig, shop_id, {untouched})
        assert int(str(items_runs[0]["fetched"])) == len(truth(rig, shop_id, set(named)))
