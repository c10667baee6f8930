"""``syncer run`` stops on SIGTERM within its grace period and leaves no run ``running``."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.engine.shopee_rig import ShopeeRig, shopee_rig
from tests.scheduler.test_daemon import running_count, runs_of
from tests.scheduler.test_sync_command import config_for

__all__ = ["shopee_rig"]


async def test_sigterm_stops_the_daemon_and_queues_the_cut_run_again(
    shopee_rig: ShopeeRig, tmp_path: Path
) -> None:
    await shopee_rig.control_post("faults", {"latency_ms": 60})  # a start-up pull that lasts
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SYNCER_")}
    environment["SYNCER_DAEMON__EXECUTOR"] = "local"
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "syncer",
        "--config",
        str(config_for(shopee_rig, tmp_path)),
        "run",
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        while not (runs := await runs_of(shopee_rig)) or int(str(runs[0]["pages"])) < 1:  # noqa: ASYNC110
            await asyncio.sleep(0.05)  # the daemon's start-up pull has stored a page
    finally:
        child.send_signal(signal.SIGTERM)
        _, errors = await child.communicate()
    runs = await runs_of(shopee_rig)
    assert child.returncode == 0, errors.decode()[-2000:]
    assert await running_count(shopee_rig) == 0
    assert runs[0]["state"] in ("succeeded", "cancelled")  # finished in the grace period, or cut
    if runs[0]["state"] == "cancelled":
        assert [(r["state"], r["trigger"]) for r in runs[1:]] == [("queued", "startup")]
    assert b"daemon.stopped" in errors
