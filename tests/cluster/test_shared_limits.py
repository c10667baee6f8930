"""Three worker processes read the same TikTok shop at once, each through its own adapter from
the runtime's ``AdapterFactory``, from one sandbox whose per-shop limit is below their combined
demand. With the budget shared (PostgreSQL, or Redis) the sandbox never answers 429; with each
process keeping its own budget (``[limits] backend = "local"``) it does, which proves that the
rig can tell the two apart.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from adapters.tiktok.sandbox import TikTokSandbox
from syncer.adapter import load_adapter
from syncer.engine.connect import connect_shop
from syncer.runtime import Runtime
from syncer.sandbox import LimitRule, SandboxServer
from tests.conftest import make_settings
from tests.contract.rig import shop_credentials
from tests.limits.conftest import StoreSpec, postgres_store, redis_store

__all__ = ["postgres_store", "redis_store"]

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 3
ITEMS = 40  # each process reads them all: one Get Product call per item
# The sandbox's limit per (app, shop, API), as TikTok documents it (50 QPS) but lowered so
# that three processes at the client's budget (3 x 12 a second) need far more than it allows.
SANDBOX_LIMIT = LimitRule(20.0, 20)
CLIENT = {"requests_per_second": 12.0, "burst": 8, "concurrency": 4}
START_DELAY_S = 6.0  # every process has imported and connected by then, even on a busy host


@dataclass(frozen=True)
class Deployment:
    """Where the processes keep their budgets: ``limits`` is the config's [limits] table."""

    database_url: str
    limits: dict[str, str]


@pytest.fixture(params=["postgresql", "redis"])
def shared(request: pytest.FixtureRequest) -> Deployment:
    """Budgets in PostgreSQL (the database is PostgreSQL, backend auto), or in Redis (the
    database is a SQLite file, so only ``redis_url`` can make the budget shared)."""
    if request.param == "postgresql":
        spec: StoreSpec = request.getfixturevalue("postgres_store")
        return Deployment(spec.url, {})
    spec = request.getfixturevalue("redis_store")
    sqlite_url: str = request.getfixturevalue("sqlite_url")
    return Deployment(sqlite_url, {"redis_url": spec.url, "redis_prefix": spec.prefix})


@pytest.fixture
def local(sqlite_url: str) -> Deployment:
    return Deployment(sqlite_url, {"backend": "local"})


@dataclass
class Rig:
    sandbox: TikTokSandbox
    base_url: str
    config: Path
    shop_id: int

    def items(self) -> list[str]:
        ids = sorted({e.key.external_item_id for e in self.sandbox.expected_listings()})
        return ids[:ITEMS]

    async def stats(self) -> dict[str, object]:
        async with httpx.AsyncClient(base_url=self.base_url) as client:
            response = await client.get("/_sandbox/stats")
            response.raise_for_status()
            result: dict[str, object] = response.json()
            return result

    async def reset_stats(self) -> None:
        async with httpx.AsyncClient(base_url=self.base_url) as client:
            (await client.post("/_sandbox/reset_stats")).raise_for_status()


@pytest.fixture
def server() -> Iterator[tuple[TikTokSandbox, str]]:
    sandbox = TikTokSandbox(seed=21, listings=ITEMS * 3, limit=SANDBOX_LIMIT)
    with SandboxServer(sandbox.app) as running:
        yield sandbox, running.base_url


async def connected(
    deployment: Deployment, server: tuple[TikTokSandbox, str], tmp_path: Path
) -> Rig:
    """The shop connected as an operator connects it, and the workers' config file."""
    sandbox, base_url = server
    settings = make_settings(deployment.database_url, tmp_path, tiktok={"base_url": base_url})
    runtime = Runtime.from_settings(settings)
    try:
        adapter = load_adapter("tiktok")
        credentials, code = shop_credentials(adapter, sandbox.credentials())
        shop = await connect_shop(
            runtime.database,
            runtime.adapters,
            business="toko",
            marketplace="tiktok",
            external_shop_id=str(sandbox.credentials()["shop_id"]),
            name="Toko TikTok",
            credentials=credentials,
            code=code,
            pull_interval_minutes=15,
        )
    finally:
        await runtime.close()
    config = write_config(
        tmp_path / "worker.toml",
        database_url=deployment.database_url,
        key_file=settings.secrets.key_file,
        base_url=base_url,
        limits=deployment.limits,
    )
    rig = Rig(sandbox, base_url, config, shop.id)
    await rig.reset_stats()  # connecting called the token and shop APIs
    return rig


def write_config(
    path: Path, *, database_url: str, key_file: Path, base_url: str, limits: dict[str, str]
) -> Path:
    lines = [
        f'[database]\nurl = "{database_url}"',
        f'[secrets]\nkey_file = "{key_file}"',
        "[limits]",
        *(f'{key} = "{value}"' for key, value in limits.items()),
        f'[marketplaces.tiktok]\nbase_url = "{base_url}"\ntimeout_seconds = 10.0',
        *(f"{key} = {value}" for key, value in CLIENT.items()),
        # A refused call waits its Retry-After and tries again: the local control still ends.
        "[marketplaces.tiktok.retry]\nmax_attempts = 30\nmax_elapsed_seconds = 60.0",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


async def read_from_every_process(rig: Rig) -> list[dict[str, object]]:
    """Start the processes, let them call together, and return each one's report."""
    spec = {
        "config": str(rig.config),
        "shop_id": rig.shop_id,
        "items": rig.items(),
        "start": time.time() + START_DELAY_S,
    }
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SYNCER_")}
    children = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.cluster.limit_pull",
            json.dumps(spec),
            cwd=ROOT,
            env=environment | {"PYTHONPATH": str(ROOT)},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(PROCESSES)
    ]
    reports = []
    for child in children:
        out, err = await asyncio.wait_for(child.communicate(), timeout=120)
        assert child.returncode == 0, f"worker process failed: {err.decode()[-3000:]}"
        reports.append(json.loads(out.decode().strip().splitlines()[-1]))
    return reports


def assert_ran_together(reports: list[dict[str, object]]) -> None:
    """Every process read every item, and their calls overlapped (else nothing was shared)."""
    assert [r["listings"] for r in reports] == [reports[0]["listings"]] * PROCESSES
    assert int(str(reports[0]["listings"])) >= ITEMS
    assert all(int(str(r["acquired"])) >= ITEMS for r in reports)  # retries take tokens too
    latest_start = max(float(str(r["began"])) for r in reports)
    first_end = min(float(str(r["ended"])) for r in reports)
    assert latest_start < first_end, reports


async def test_workers_sharing_a_budget_never_get_a_429(
    shared: Deployment, server: tuple[TikTokSandbox, str], tmp_path: Path
) -> None:
    rig = await connected(shared, server, tmp_path)
    reports = await read_from_every_process(rig)
    stats = await rig.stats()
    assert_ran_together(reports)
    assert all(r["shared"] for r in reports)
    assert stats["rate_limited"] == 0, stats["statuses_by_path"]
    assert stats["total_requests"] == PROCESSES * ITEMS  # no call had to be repeated
    assert all(r["acquired"] == ITEMS for r in reports)
    # Together they asked for more than the sandbox allows: without sharing it would refuse.
    assert PROCESSES * CLIENT["requests_per_second"] > SANDBOX_LIMIT.rate


async def test_workers_with_budgets_of_their_own_overrun_the_shop_limit(
    local: Deployment, server: tuple[TikTokSandbox, str], tmp_path: Path
) -> None:
    """The control: the same three processes, each counting only its own calls."""
    rig = await connected(local, server, tmp_path)
    reports = await read_from_every_process(rig)
    stats = await rig.stats()
    assert_ran_together(reports)
    assert not any(r["shared"] for r in reports)
    assert int(str(stats["rate_limited"])) > 0, stats["statuses_by_path"]
