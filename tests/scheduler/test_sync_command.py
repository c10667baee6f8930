"""``syncer sync`` queues through the running daemon, follows the run, and never runs twice."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from syncer.scheduler.daemon import Daemon
from tests.engine.shopee_rig import ShopeeRig, shopee_rig
from tests.scheduler.test_daemon import runs_of, started

__all__ = ["shopee_rig"]


def config_for(rig: ShopeeRig, tmp_path: Path) -> Path:
    settings = rig.runtime.settings
    path = tmp_path / "cli.toml"
    path.write_text(
        f'[database]\nurl = "{settings.database.url}"\n'
        f'[secrets]\nkey_file = "{settings.secrets.key_file}"\n'
        f'[marketplaces.shopee]\nbase_url = "{rig.base_url}"\nrequests_per_second = 500.0\n'
        "burst = 100\n"
    )
    return path


async def syncer(config: Path, *args: str) -> tuple[int, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SYNCER_")}
    environment["COLUMNS"] = "200"
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "syncer",
        "--config",
        str(config),
        *args,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await child.communicate()
    return child.returncode or 0, output.decode()


async def test_sync_wait_runs_through_the_daemon_and_ends_with_the_counts(
    shopee_rig: ShopeeRig, tmp_path: Path
) -> None:
    daemon, stop = Daemon(shopee_rig.runtime, cluster=False), asyncio.Event()
    task = await started(daemon, stop)
    await daemon.idle()
    await shopee_rig.mutate(action="random", count=5, seed=7)
    code, output = await syncer(
        config_for(shopee_rig, tmp_path), "sync", str(shopee_rig.shop.id), "--wait"
    )
    stop.set()
    await task
    last = (await runs_of(shopee_rig))[-1]
    assert code == 0, output
    assert f"queued pull incremental run {last['id']}" in output
    assert "no daemon is running" not in output
    assert f"run {last['id']} succeeded: " in output
    assert f"{last['fetched']} fetched" in output
    assert (last["trigger"], last["worker"]) == ("manual", shopee_rig.runtime.worker)
    assert await shopee_rig.stored() == await shopee_rig.truth()


async def test_two_syncs_at_once_run_the_shop_once_and_the_second_is_told_it_joined(
    shopee_rig: ShopeeRig, tmp_path: Path
) -> None:
    await shopee_rig.control_post("faults", {"latency_ms": 20})
    daemon, stop = Daemon(shopee_rig.runtime, cluster=False), asyncio.Event()
    task = await started(daemon, stop)
    await daemon.idle()
    before = len(await runs_of(shopee_rig))
    config = config_for(shopee_rig, tmp_path)
    shop = str(shopee_rig.shop.id)
    first, second = await asyncio.gather(
        syncer(config, "sync", shop, "--full", "--wait"),
        syncer(config, "sync", shop, "--full", "--wait"),
    )
    stop.set()
    await task
    runs = await runs_of(shopee_rig)
    assert len(runs) == before + 1
    run_id = runs[-1]["id"]
    outputs = [first[1], second[1]]
    assert (first[0], second[0]) == (0, 0), outputs
    assert (
        sum(
            f"joined pull full run {run_id}" in o or f"joined queued pull full run {run_id}" in o
            for o in outputs
        )
        == 1
    )
    assert all(f"run {run_id} succeeded" in o for o in outputs)


async def test_sync_without_wait_returns_once_queued(shopee_rig: ShopeeRig, tmp_path: Path) -> None:
    daemon = Daemon(shopee_rig.runtime, role="scheduler", cluster=False)
    await daemon.heartbeat()  # a live node that executes nothing: the run stays queued
    async with shopee_rig.runtime.database.write() as connection:
        from sqlalchemy import text

        await connection.execute(text("UPDATE sync_node SET role = 'worker'"))
    code, output = await syncer(config_for(shopee_rig, tmp_path), "sync", str(shopee_rig.shop.id))
    runs = await runs_of(shopee_rig)
    assert code == 0, output
    assert [(r["state"], r["kind"]) for r in runs] == [("queued", "pull_incremental")]
    assert "`syncer sync" in output


async def test_without_a_daemon_the_command_runs_the_pull_itself(
    shopee_rig: ShopeeRig, tmp_path: Path
) -> None:
    code, output = await syncer(config_for(shopee_rig, tmp_path), "sync", str(shopee_rig.shop.id))
    runs = await runs_of(shopee_rig)
    assert code == 0, output
    assert "running it here" in output
    assert [(r["state"], r["kind"], r["trigger"]) for r in runs] == [
        ("succeeded", "pull_full", "manual")  # never pulled: the first pull reads everything
    ]
    assert await shopee_rig.stored() == await shopee_rig.truth()
