"""`make run`'s demo as a user meets it: up, pulling, visible from a second shell, stoppable."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from syncer.domain import ListingStatus
from tests.cli.test_cli import syncer

MARKETPLACES = ("shopee", "tiktok", "blibli", "belanja")  # one shop on each, as `make run`


def demo_config(tmp_path: Path) -> Path:
    path = tmp_path / "demo.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path}/syncer.db"\n'
        f'[secrets]\nkey_file = "{tmp_path}/secret.key"\n'
        "[web]\nport = 0\n"  # any free port: a developer's own demo may hold 8080
        "[demo]\nlistings = 300\n"
        + "".join(f"[demo.sandboxes.{name}]\nport = 0\n" for name in MARKETPLACES)  # free ports
    )
    return path


def test_the_demo_serves_listings_to_a_second_shell_and_stops_cleanly(tmp_path: Path) -> None:
    config = demo_config(tmp_path)
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SYNCER_")}
    demo = subprocess.Popen(
        [sys.executable, "-m", "syncer", "--config", str(config), "demo"],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        listings: list[dict[str, object]] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(listings) < 300 * len(MARKETPLACES):
            time.sleep(1)
            result = syncer("--config", str(config), "status", "--json", cwd=tmp_path)
            if result.returncode == 0:
                listings = json.loads(result.stdout)
        assert len(listings) == 300 * len(MARKETPLACES)
        assert set(MARKETPLACES) == {row["marketplace"] for row in listings}
        assert all(isinstance(row["price"], int) for row in listings)
        assert {row["status"] for row in listings} <= {status.value for status in ListingStatus}
        for key in ("marketplace", "shop", "sku", "title", "status", "price", "stock"):
            assert key in listings[0]
    finally:
        demo.send_signal(signal.SIGTERM)
        out, err = demo.communicate(timeout=60)
    assert demo.returncode == 0, err[-2000:]
    assert "Demo is running" in out
    assert "Traceback" not in err
