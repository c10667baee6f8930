"""kill -9 in the middle of a pull: the run is recovered, the next one resumes and converges."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from syncer.scheduler.daemon import Daemon
from syncer.store.queries import get_run, recent_runs
from tests.engine.shopee_rig import ShopeeRig, shopee_rig

__all__ = ["shopee_rig"]


def config_for(rig: ShopeeRig, tmp_path: Path) -> Path:
    settings = rig.runtime.settings
    path = tmp_path / "crash.toml"
    path.write_text(
        f'[database]\nurl = "{settings.database.url}"\n'
        f'[secrets]\nkey_file = "{settings.secrets.key_file}"\n'
        f'[marketplaces.shopee]\nbase_url = "{rig.base_url}"\nrequests_per_second = 500.0\n'
        "burst = 100\nconcurrency = 4\n"
    )
    return path


async def latest_run(rig: ShopeeRig) -> dict[str, object] | None:
    async with rig.runtime.database.read() as connection:
        runs = await recent_runs(connection, limit=1)
    return runs[0] if runs else None


@pytest.mark.listings(2000)
async def test_a_pull_killed_with_sigkill_is_recovered_and_resumed(
    shopee_rig: ShopeeRig, tmp_path: Path
) -> None:
    await shopee_rig.control_post("faults", {"latency_ms": 15})
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SYNCER_")}
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "syncer",
        "--config",
        str(config_for(shopee_rig, tmp_path)),
        "sync",
        str(shopee_rig.shop.id),
        "--full",
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            run = await latest_run(shopee_rig)
            if run is not None and int(str(run["pages"])) >= 2:
                break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("the sync never stored two pages")
    finally:
        child.send_signal(signal.SIGKILL)
        await child.wait()
    killed = await latest_run(shopee_rig)
    assert killed is not None
    assert killed["state"] == "running"  # nothing could record the kill
    stored_before = len(await shopee_rig.stored())

    await Daemon(shopee_rig.runtime).recover()  # the dead pid on this host is noticed at once
    async with shopee_rig.runtime.database.read() as connection:
        recovered = await get_run(connection, int(str(killed["id"])))
    assert recovered is not None
    assert (recovered["state"], recovered["error_class"]) == ("failed", "Interrupted")

    await shopee_rig.control_post("faults", {"reset": True})
    outcome = await shopee_rig.runtime.pull_engine.run(shopee_rig.shop, full=True)
    async with shopee_rig.runtime.database.read() as connection:
        resumed = await get_run(connection, outcome.run_id)
        total = (await connection.execute(sa.text("SELECT count(*) FROM listing"))).scalar_one()
    assert resumed is not None
    assert json.loads(str(resumed["cursor_before"]))["pass"]["token"] is not None
    assert outcome.counts.created == 2000 - stored_before
    assert total == 2000
    assert await shopee_rig.stored() == await shopee_rig.truth()
