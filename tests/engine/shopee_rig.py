"""A Shopee sandbox on a loopback socket, a migrated store and a connected shop (engine tests)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from adapters.shopee.sandbox import ShopeeSandbox
from syncer.engine.connect import connect_shop
from syncer.engine.pull import GONE_REASON
from syncer.runtime import Runtime
from syncer.sandbox import LimitRule, SandboxServer
from syncer.store import shops as shop_store
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
class ShopeeRig:
    runtime: Runtime
    clock: OffsetClock
    sandbox: ShopeeSandbox
    base_url: str
    control: httpx.AsyncClient
    shop: ShopRecord

    async def mutate(self, **action: object) -> dict[str, object]:
        return await self.control_post("mutate", action)

    async def control_post(self, path: str, body: dict[str, object]) -> dict[str, object]:
        response = await self.control.post(f"/_sandbox/{path}", json=body)
        if response.is_error:
            raise AssertionError(f"sandbox control {path} {body}: {response.text}")
        result: dict[str, object] = response.json()
        return result

    async def truth(self) -> dict[tuple[str, str], tuple[object, ...]]:
        response = await self.control.get("/_sandbox/truth")
        response.raise_for_status()
        return {
            (row["item_id"], row["model_id"]): (
                row["sku"],
                row["title"],
                row["variant_name"],
                row["price"],
                row["stock"],
                f"{row['item_status']}/{row['model_status']}"
                if row["model_id"]
                else row["item_status"],
            )
            for row in response.json()["listings"]
        }

    async def advance_clocks(self, seconds: float) -> None:
        """Move the sandbox's clock and ours together (signatures carry timestamps)."""
        await self.control_post("clock", {"advance_seconds": seconds})
        self.clock.offset += seconds

    async def stats(self) -> dict[str, object]:
        response = await self.control.get("/_sandbox/stats")
        response.raise_for_status()
        result: dict[str, object] = response.json()
        return result

    async def stored(self) -> dict[tuple[str, str], tuple[object, ...]]:
        """Stored listings in the truth's shape, leaving out those a reconcile found gone."""
        async with self.runtime.database.read() as connection:
            return {
                (row.item_id, row.variant_id): (
                    row.sku,
                    row.title,
                    row.variant_name,
                    row.price,
                    row.stock,
                    row.raw_status,
                )
                async for row in iter_listings(connection, shop_id=self.shop.id)
                if row.reason != GONE_REASON
            }

    async def reload_shop(self) -> ShopRecord:
        async with self.runtime.database.read() as connection:
            self.shop = await shop_store.find_shop(connection, str(self.shop.id))
        return self.shop


@pytest.fixture
async def shopee_rig(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> AsyncIterator[ShopeeRig]:
    marker = request.node.get_closest_marker("listings")
    listings = marker.args[0] if marker else 1000
    # The sandbox's limit sits above the client's budget: tests that want 429s ask for storms.
    sandbox = ShopeeSandbox(seed=3, listings=listings, limit=LimitRule(5000, 5000))
    with SandboxServer(sandbox.app) as server:
        settings = make_settings(
            database_url,
            tmp_path,
            shopee={
                "base_url": server.base_url,
                "requests_per_second": 2000,
                "burst": 200,
                "concurrency": 8,
                "timeout_seconds": 5,
            },
        )
        clock = OffsetClock()
        runtime = Runtime.from_settings(settings, clock)
        creds = sandbox.credentials()
        shop = await connect_shop(
            runtime.database,
            runtime.adapters,
            business="toko",
            marketplace="shopee",
            external_shop_id=str(creds["shop_id"]),
            name="Toko Shopee",
            credentials={
                "partner_id": str(creds["partner_id"]),
                "partner_key": str(creds["partner_key"]),
            },
            code=str(creds["code"]),
            pull_interval_minutes=15,
        )
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as control:
            yield ShopeeRig(runtime, clock, sandbox, server.base_url, control, shop)
        await runtime.close()
