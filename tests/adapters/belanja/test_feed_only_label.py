"""The shop shows as "feed only" wherever the CLI names a marketplace (status, shops list)."""

from __future__ import annotations

import json
from pathlib import Path

from adapters.belanja.sandbox import BelanjaSandbox
from syncer.domain import RunState
from syncer.runtime import Runtime
from syncer.sandbox import SandboxServer
from syncer.settings import load_settings
from syncer.store import shops as shop_store
from tests.cli.test_cli import config, syncer

LABEL = "Belanja.com (feed only)"


async def test_status_and_shops_list_label_the_shop_feed_only(tmp_path: Path) -> None:
    sandbox = BelanjaSandbox(seed=8, listings=20, limit=None)
    with SandboxServer(sandbox.app) as server:
        path = config(
            tmp_path,
            f'[marketplaces.belanja]\nbase_url = "{server.base_url}"\n'
            f'[marketplaces.belanja.extra]\nupdate_dir = "{tmp_path / "updates"}"\n',
        )
        assert syncer("--config", str(path), "db", "upgrade", cwd=tmp_path).returncode == 0
        added = syncer(
            *("--config", str(path), "shops", "add", "--marketplace", "belanja"),
            *("--shop-id", "belanja-8", "--name", "Toko Feed"),
            cwd=tmp_path,
        )
        assert added.returncode == 0, added.stderr
        runtime = Runtime.from_settings(load_settings(path))
        try:
            async with runtime.database.read() as connection:
                shop = await shop_store.find_shop(connection, "Toko Feed")
            outcome = await runtime.pull_engine.run(shop, full=True)
        finally:
            await runtime.close()
    assert outcome.state is RunState.SUCCEEDED, outcome.error

    wide = {"COLUMNS": "200"}
    shops = syncer("--config", str(path), "shops", "list", cwd=tmp_path, env=wide)
    status = syncer("--config", str(path), "status", cwd=tmp_path, env=wide)
    as_json = syncer("--config", str(path), "shops", "list", "--json", cwd=tmp_path)

    assert LABEL in shops.stdout, shops.stdout + shops.stderr
    summary, _, listings = status.stdout.partition("SKU")
    assert LABEL in summary, status.stdout + status.stderr
    assert LABEL in listings
    assert json.loads(as_json.stdout)[0]["feed_only"] is True
