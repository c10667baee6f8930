"""A TikTok Shop sandbox on a loopback socket: a bare adapter connected to it, or the whole
runtime (migrated store, shop connected with a one-time code, real pull engine)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.tiktok.adapter import TikTokAdapter
from adapters.tiktok.sandbox import TikTokSandbox
from syncer.adapter import AdapterContext, AdapterSettings, Credentials, RetryPolicy
from syncer.engine.connect import connect_shop
from syncer.engine.pull import GONE_REASON
from syncer.runtime import Runtime
from syncer.sandbox import LimitRule, SandboxServer
from syncer.store.queries import iter_listings
from syncer.store.shops import ShopRecord
from tests.conftest import make_settings


class OffsetClock:
    """The system clock moved by ``offset`` seconds; tests move it with the sandbox's clock."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.offset)


@dataclass
class Vault:
    """Where a bare adapter's credentials are saved and read back (the store's role)."""

    stored: dict[str, str] = field(default_factory=dict)
    saves: int = 0

    async def save(self, credentials: Credentials) -> None:
        self.stored = dict(credentials)
        self.saves += 1

    async def load(self) -> Credentials | None:
        return dict(self.stored) or None


@dataclass
class Bare:
    """One sandbox served on loopback, and how to make adapters for its shop."""

    sandbox: TikTokSandbox
    base_url: str
    clock: OffsetClock
    vault: Vault

    def adapter(
        self, credentials: Credentials | None = None, *, page_size: int = 100
    ) -> TikTokAdapter:
        creds = self.sandbox.credentials()
        context = AdapterContext(
            shop_external_id=str(creds["shop_id"]),
            credentials=credentials if credentials is not None else self.vault.stored,
            settings=AdapterSettings(
                base_url=self.base_url,
                requests_per_second=500,
                burst=50,
                page_size=page_size,
                timeout_s=5,
                retry=RetryPolicy(
                    max_attempts=4, initial_wait_s=0.01, max_wait_s=0.2, max_elapsed_s=20
                ),
            ),
            save_credentials=self.vault.save,
            load_credentials=self.vault.load,
            clock=self.clock,
        )
        return TikTokAdapter(context)

    def app_credentials(self) -> dict[str, str]:
        creds = self.sandbox.credentials()
        return {"app_key": str(creds["app_key"]), "app_secret": str(creds["app_secret"])}

    async def connect(self) -> Credentials:
        """The operator's flow: app keys plus the seller's code, traded for the shop's tokens."""
        adapter = self.adapter(self.app_credentials())
        try:
            self.vault.stored = dict(
                await adapter.authorize(str(self.sandbox.credentials()["code"]))
            )
        finally:
            await adapter.aclose()
        return self.vault.stored

    def control(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        with httpx.Client(base_url=self.base_url, timeout=10) as client:
            response = (
                client.post(f"/_sandbox/{path}", json=body or {})
                if body is not None
                else client.get(f"/_sandbox/{path}")
            )
        assert not response.is_error, f"sandbox control {path}: {response.text}"
        result: dict[str, Any] = response.json()
        return result

    def advance(self, seconds: float) -> None:
        """Move the sandbox's clock and ours together (signatures carry timestamps)."""
        self.control("clock", {"advance_seconds": seconds})
        self.clock.offset += seconds


@pytest.fixture
def bare(request: pytest.FixtureRequest) -> Iterator[Bare]:
    marker = request.node.get_closest_marker("listings")
    sandbox = TikTokSandbox(
        seed=5, listings=marker.args[0] if marker else 300, limit=LimitRule(5000, 5000)
    )
    with SandboxServer(sandbox.app) as server:
        yield Bare(sandbox, server.base_url, OffsetClock(), Vault())


@dataclass
class TikTokRig:
    runtime: Runtime
    sandbox: TikTokSandbox
    base_url: str
    shop: ShopRecord

    async def stored(self) -> dict[tuple[str, str], tuple[object, ...]]:
        """Stored listings leaving out those a reconcile found gone."""
        async with self.runtime.database.read() as connection:
            return {
                (row.item_id, row.variant_id): (row.sku, row.price, row.stock, row.status)
                async for row in iter_listings(connection, shop_id=self.shop.id)
                if row.reason != GONE_REASON and row.status != "deleted"
            }

    def expected(self) -> dict[tuple[str, str], tuple[object, ...]]:
        return {
            tuple(unit.key): (unit.seller_sku, unit.price, unit.stock, unit.status.value)
            for unit in self.sandbox.expected_listings()
        }


@pytest.fixture
async def tiktok_rig(database_url: str, tmp_path: Path) -> AsyncIterator[TikTokRig]:
    sandbox = TikTokSandbox(seed=9, listings=400, limit=LimitRule(5000, 5000))
    with SandboxServer(sandbox.app) as server:
        settings = make_settings(
            database_url,
            tmp_path,
            tiktok={
                "base_url": server.base_url,
                "requests_per_second": 2000,
                "burst": 200,
                "concurrency": 8,
                "page_size": 50,
            },
        )
        runtime = Runtime.from_settings(settings)
        creds = sandbox.credentials()
        try:
            shop = await connect_shop(
                runtime.database,
                runtime.adapters,
                business="toko",
                marketplace="tiktok",
                external_shop_id=str(creds["shop_id"]),
                name="Toko TikTok",
                credentials={
                    "app_key": str(creds["app_key"]),
                    "app_secret": str(creds["app_secret"]),
                },
                code=str(creds["code"]),
                pull_interval_minutes=15,
            )
            yield TikTokRig(runtime, sandbox, server.base_url, shop)
        finally:
            await runtime.close()
