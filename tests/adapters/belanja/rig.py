"""A Belanja.com sandbox on a loopback socket, a migrated store and a connected feed shop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from adapters.belanja.sandbox import BelanjaSandbox
from syncer.adapter import Adapter
from syncer.domain import ListingKey
from syncer.engine.connect import connect_shop
from syncer.engine.pull import GONE_REASON
from syncer.runtime import Runtime
from syncer.sandbox import SandboxServer
from syncer.store.queries import iter_listings
from syncer.store.shops import ShopRecord
from tests.conftest import make_settings
from tests.engine.shopee_rig import OffsetClock

Row = tuple[str, int, int, str]


@dataclass
class BelanjaRig:
    runtime: Runtime
    clock: OffsetClock
    sandbox: BelanjaSandbox
    base_url: str
    control: httpx.AsyncClient
    shop: ShopRecord
    update_dir: Path

    async def control_post(self, path: str, body: dict[str, object]) -> dict[str, object]:
        response = await self.control.post(f"/_sandbox/{path}", json=body)
        if response.is_error:
            raise AssertionError(f"sandbox control {path} {body}: {response.text}")
        result: dict[str, object] = response.json()
        return result

    async def mutate(self, **action: object) -> dict[str, object]:
        return await self.control_post("mutate", action)

    def expected(self) -> dict[ListingKey, Row]:
        return {
            unit.key: (unit.seller_sku, unit.price, unit.stock, unit.status.value)
            for unit in self.sandbox.expected_listings()
        }

    async def stored(self) -> dict[ListingKey, Row]:
        async with self.runtime.database.read() as connection:
            return {
                ListingKey(row.item_id, row.variant_id): (row.sku, row.price, row.stock, row.status)
                async for row in iter_listings(connection, shop_id=self.shop.id)
                if row.reason != GONE_REASON and row.status != "deleted"
            }

    def requests(self, path: str) -> int:
        return self.sandbox.kit.stats.snapshot()["requests"].get(path, 0)  # type: ignore[attr-defined, no-any-return]

    def adapter(self) -> Adapter:
        return self.runtime.adapters.create(self.shop)


@pytest.fixture
def belanja_extra() -> dict[str, str]:
    """Extra adapter options; a test overrides it with ``parametrize("belanja_extra", ...)``."""
    return {}


@pytest.fixture
async def belanja_rig(
    request: pytest.FixtureRequest,
    database_url: str,
    tmp_path: Path,
    belanja_extra: dict[str, str],
) -> AsyncIterator[BelanjaRig]:
    marker = request.node.get_closest_marker("listings")
    listings = marker.args[0] if marker else 400
    sandbox = BelanjaSandbox(seed=5, listings=listings, limit=None)
    update_dir = tmp_path / "updates"
    with SandboxServer(sandbox.app) as server:
        extra = {"update_dir": str(update_dir), **belanja_extra}
        settings = make_settings(
            database_url,
            tmp_path,
            belanja={
                "base_url": server.base_url,
                "requests_per_second": 2000,
                "burst": 200,
                "timeout_seconds": 5,
                "extra": extra,
            },
        )
        clock = OffsetClock()
        runtime = Runtime.from_settings(settings, clock)
        shop = await connect_shop(
            runtime.database,
            runtime.adapters,
            business="toko",
            marketplace="belanja",
            external_shop_id=str(sandbox.credentials()["shop_id"]),
            name="Toko Belanja",
            credentials={},
            pull_interval_minutes=15,
        )
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as control:
            yield BelanjaRig(runtime, clock, sandbox, server.base_url, control, shop, update_dir)
        await runtime.close()
