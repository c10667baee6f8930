"""A Blibli sandbox on a loopback socket, a migrated store and a connected shop (engine tests).

The same ``time_base`` drives the sandbox's budget windows and, through the runtime's clock,
the adapter's budgets: ``ScaledClock(60)`` runs Blibli's per-minute limits in seconds on both
sides at once, with wall-clock timestamps left real for signatures and leases.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.blibli.sandbox import BlibliSandbox
from syncer.adapter.budgets import TimeBase
from syncer.domain import Clock, SystemClock
from syncer.engine.connect import connect_shop
from syncer.engine.pull import GONE_REASON
from syncer.runtime import Runtime
from syncer.sandbox import FaultConfig, LimitRule, SandboxServer
from syncer.store.queries import iter_listings
from syncer.store.shops import ShopRecord
from tests.adapters.blibli.clients import credentials_of
from tests.conftest import make_settings

Row = tuple[str, str, str, int, int, str]  # seller sku, title, variant, price, stock, status


@dataclass
class BlibliRig:
    runtime: Runtime
    sandbox: BlibliSandbox
    base_url: str
    shop: ShopRecord

    def truth(self) -> dict[tuple[str, str], Row]:
        """What a correct pull stores now: every SKU of every well-formed product."""
        return {
            (str(row["product_sku"]), str(row["blibli_sku"])): (
                str(row["seller_sku"]),
                str(row["title"]),
                str(row["variant_name"]),
                int(str(row["price"])),
                int(str(row["stock"])),
                str(row["status"]),
            )
            for row in self.sandbox.store.truth()
            if not row["malformed"]
        }

    async def stored(self) -> dict[tuple[str, str], Row]:
        """Stored listings in the truth's shape, leaving out those a reconcile found gone."""
        async with self.runtime.database.read() as connection:
            return {
                (row.item_id, row.variant_id): (
                    row.sku,
                    row.title,
                    row.variant_name,
                    row.price,
                    row.stock,
                    row.status,
                )
                async for row in iter_listings(connection, shop_id=self.shop.id)
                if row.reason != GONE_REASON
            }


@dataclass(frozen=True)
class RigOptions:
    listings: int = 200
    clock: Clock | None = None
    faults: FaultConfig | None = None
    concurrency: int = 8
    signature_key: str = "rig-signature-key"


@pytest.fixture
def rig_options(request: pytest.FixtureRequest) -> RigOptions:
    marker = request.node.get_closest_marker("listings")
    return RigOptions(listings=marker.args[0] if marker else 200)


@pytest.fixture
async def blibli_rig(
    rig_options: RigOptions, database_url: str, tmp_path: Path
) -> AsyncIterator[BlibliRig]:
    clock = rig_options.clock or SystemClock()
    time_base = clock if isinstance(clock, TimeBase) else None
    sandbox = BlibliSandbox(
        seed=3,
        listings=rig_options.listings,
        limit=LimitRule(5000, 5000),  # only Blibli's documented per-operation budgets apply
        faults=rig_options.faults,
        time_base=time_base,
        signature_key=rig_options.signature_key,
    )
    with SandboxServer(sandbox.app) as server:
        settings = make_settings(
            database_url,
            tmp_path,
            blibli={
                "base_url": server.base_url,
                "requests_per_second": 2000,
                "burst": 200,
                "concurrency": rig_options.concurrency,
                "timeout_seconds": 10,
                "page_size": 50,
            },
        )
        runtime = Runtime.from_settings(settings, clock)
        shop = await connect_shop(
            runtime.database,
            runtime.adapters,
            business="toko",
            marketplace="blibli",
            external_shop_id=str(sandbox.credentials()["shop_id"]),
            name="Toko Blibli",
            credentials=credentials_of(sandbox),
            pull_interval_minutes=15,
        )
        yield BlibliRig(runtime, sandbox, server.base_url, shop)
        await runtime.close()


def max_in_window(arrivals: list[float], window: float) -> int:
    """The most arrivals any ``window``-long interval holds (arrivals sorted)."""
    most, start = 0, 0
    for end, moment in enumerate(arrivals):
        while moment - arrivals[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most
