"""A fleet of shops, a runtime on the test database, and worker processes (cluster tests)."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa

from adapters.shopee.sandbox import ShopeeSandbox
from syncer.runtime import Runtime
from syncer.store.queries import iter_listings, recent_runs
from tests.cluster.fleet import (
    clean_environment,
    connect_fleet,
    fleet_server,
    syncer_command,
    write_config,
)
from tests.conftest import make_settings

FAST_NODES = {"heartbeat_seconds": 0.5, "node_timeout_seconds": 4.0}


@dataclass
class ClusterRig:
    runtime: Runtime
    sandboxes: dict[int, ShopeeSandbox]
    shop_ids: dict[int, int]  # external shop id -> our id
    config: Path
    cluster: bool
    base_url: str
    workers: list[asyncio.subprocess.Process] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    @property
    def shops(self) -> list[int]:
        return sorted(self.shop_ids.values())

    def sandbox(self, shop_id: int) -> ShopeeSandbox:
        return next(s for e, s in self.sandboxes.items() if self.shop_ids[e] == shop_id)

    def runtime_copy(self) -> Runtime:
        """Another runtime on the same database: its own engine, as another process has."""
        return Runtime.from_settings(self.runtime.settings, self.runtime.clock)

    async def start_worker(self, name: str) -> asyncio.subprocess.Process:
        log = self.config.parent / f"{name}.log"
        handle = log.open("wb")
        child = await asyncio.create_subprocess_exec(
            *syncer_command(self.config, "worker"),
            env=clean_environment() | {"SYNCER_DAEMON__WORKER_NAME": name},
            stdout=handle,
            stderr=handle,
        )
        handle.close()
        self.workers.append(child)
        self.logs.append(log)
        return child

    async def stop_workers(self) -> None:
        for child in self.workers:
            if child.returncode is None:
                child.send_signal(signal.SIGCONT)  # a paused worker must hear SIGTERM too
                child.send_signal(signal.SIGTERM)
        await asyncio.gather(*(child.wait() for child in self.workers))

    async def control(self, shop_id: int, path: str, body: dict[str, object]) -> None:
        """The shop's sandbox control API (through the fleet's one socket)."""
        external = next(e for e, ours in self.shop_ids.items() if ours == shop_id)
        async with httpx.AsyncClient(base_url=self.base_url) as client:
            response = await client.post(f"/_sandbox/{path}?shop_id={external}", json=body)
            response.raise_for_status()

    async def rows(self, query: str, **params: object) -> list[tuple[object, ...]]:
        async with self.runtime.database.read() as connection:
            return [tuple(row) for row in await connection.execute(sa.text(query), params)]

    async def wait_for(
        self, check: Callable[[], object], what: str, *, timeout_s: float = 300.0
    ) -> None:
        """Poll ``check`` (an async callable) until it is truthy; fail naming ``what``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while not await check():  # type: ignore[misc]
            if loop.time() > deadline:
                raise AssertionError(f"timed out waiting for {what}; logs: {self.tail_logs()}")
            await asyncio.sleep(0.2)

    async def runs(self) -> list[dict[str, object]]:
        """Every run, oldest first, with typed columns (times as aware datetimes)."""
        async with self.runtime.database.read() as connection:
            return list(reversed(await recent_runs(connection, limit=1_000_000)))

    def tail_logs(self) -> str:
        return "\n".join(f"{p.name}: {p.read_text()[-1500:]}" for p in self.logs if p.exists())

    async def stored_keys(self, shop_id: int) -> set[tuple[str, str]]:
        async with self.runtime.database.read() as connection:
            return {
                (row.item_id, row.variant_id)
                async for row in iter_listings(connection, shop_id=shop_id)
                if row.status != "deleted"
            }


def expected_keys(sandbox: ShopeeSandbox) -> set[tuple[str, str]]:
    return {
        (e.key.external_item_id, e.key.external_variant_id) for e in sandbox.expected_listings()
    }


@asynccontextmanager
async def cluster_rig(
    database_url: str, tmp_path: Path, *, shops: int, listings: int, **daemon: object
) -> AsyncIterator[ClusterRig]:
    cluster = database_url.startswith("postgresql")
    options = FAST_NODES | {"executor": "procrastinate" if cluster else "local"} | daemon
    with fleet_server(shops, listings) as (sandboxes, base_url):
        settings = make_settings(
            database_url,
            tmp_path,
            shopee={"base_url": base_url, "concurrency": 1, "requests_per_second": 1000},
        )
        settings = settings.model_copy(
            update={"daemon": settings.daemon.model_copy(update=options)}
        )
        runtime = Runtime.from_settings(settings)
        ids = await connect_fleet(runtime.database, runtime.cipher, runtime.clock, sandboxes)
        config = write_config(
            tmp_path / "worker.toml",
            database_url=database_url,
            key_file=settings.secrets.key_file,
            base_url=base_url,
            **options,
        )
        rig = ClusterRig(runtime, sandboxes, ids, config, cluster, base_url)
        try:
            yield rig
        finally:
            await rig.stop_workers()
            await runtime.close()
