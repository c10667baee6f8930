"""One rig for every registered adapter: its sandbox on a loopback socket, a migrated store and
a shop connected the way an operator connects one (syncer.engine.connect).

Only the ``ContractSandbox`` protocol and the adapter's class variables are used, so an adapter
gets the whole suite by registering under ``syncer.adapters`` and giving its sandbox the
protocol's methods.
"""

from __future__ import annotations

import importlib
import inspect
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from syncer.adapter import Adapter, available_adapters, load_adapter
from syncer.adapter.budgets import ScaledClock
from syncer.domain import ListingKey, ListingStatus, RunState
from syncer.engine.connect import connect_shop
from syncer.engine.pull import GONE_REASON, RunOutcome
from syncer.runtime import Runtime
from syncer.sandbox import SandboxServer
from syncer.sandbox.contract import ContractChange, ContractSandbox, ExpectedListing
from syncer.store.queries import iter_listings
from syncer.store.shops import ShopRecord
from tests.conftest import make_settings

Row = tuple[str, int, int, str]
"""(seller_sku, price, stock, status) of one unit, keyed by ListingKey."""


def contract_marketplaces() -> list[str]:
    """Every registered adapter (each must ship a sandbox), or those named in
    ``SYNCER_CONTRACT_ADAPTERS`` (comma-separated) while one adapter is being written."""
    chosen = os.environ.get("SYNCER_CONTRACT_ADAPTERS", "")
    names = [name.strip() for name in chosen.split(",") if name.strip()] or available_adapters()
    for name in names:
        if not load_adapter(name).sandbox:
            raise AssertionError(f"adapter {name!r} ships no sandbox: the contract needs one")
    return list(names)


def sandbox_factory(adapter: type[Adapter]) -> Callable[..., ContractSandbox]:
    module_name, _, class_name = adapter.sandbox.partition(":")
    factory: Callable[..., ContractSandbox] = getattr(
        importlib.import_module(module_name), class_name
    )
    return factory


def client_settings(sandbox: ContractSandbox, base_url: str, workdir: Path) -> dict[str, object]:
    extra = getattr(sandbox, "client_settings", None)
    options: dict[str, object] = {"base_url": base_url}
    if extra is not None:
        options.update(extra(base_url, workdir))
    return options


def shop_credentials(
    adapter: type[Adapter], offered: dict[str, object]
) -> tuple[dict[str, str], str]:
    """The credentials an operator would type in, and the one-time code if the flow has one."""
    keys = adapter.app_credential_keys + adapter.shop_credential_keys
    credentials = {key: str(offered[key]) for key in keys if key in offered}
    return credentials, str(offered.get("code", ""))


@dataclass
class ContractRig:
    marketplace: str
    adapter: type[Adapter]
    sandbox: ContractSandbox
    server: SandboxServer
    runtime: Runtime
    shop: ShopRecord

    async def pull(self, *, full: bool) -> RunOutcome:
        return await self.runtime.pull_engine.run(self.shop, full=full)

    async def stored(self) -> dict[ListingKey, Row]:
        """Stored units in the expected shape, leaving out deleted ones (as the truth does)."""
        async with self.runtime.database.read() as connection:
            return {
                ListingKey(row.item_id, row.variant_id): (
                    row.sku,
                    row.price,
                    row.stock,
                    row.status,
                )
                async for row in iter_listings(connection, shop_id=self.shop.id)
                if row.reason != GONE_REASON and row.status != ListingStatus.DELETED.value
            }

    def expected(self) -> dict[ListingKey, Row]:
        return {unit.key: _row(unit) for unit in self.sandbox.expected_listings()}

    def apply(self, action: str, key: ListingKey, value: int = 0) -> None:
        self.sandbox.apply(ContractChange(action=cast(Any, action), key=key, value=value))

    def stats(self) -> dict[str, Any]:
        return self.sandbox.kit.stats.snapshot()

    def adapter_for_shop(self) -> Adapter:
        return self.runtime.adapters.create(self.shop)


def _row(unit: ExpectedListing) -> Row:
    return (unit.seller_sku, unit.price, unit.stock, unit.status.value)


async def contract_rig(
    marketplace: str,
    database_url: str,
    tmp_path: Path,
    *,
    listings: int,
    client: dict[str, object] | None = None,
    documented_limits: bool = False,
    time_scale: float = 1.0,
) -> AsyncIterator[ContractRig]:
    """Start the marketplace's sandbox and connect a shop to it.

    Unless ``documented_limits``, the sandbox's budget is raised far above the client's so
    that only the fault tests see errors; with it, both sides keep their documented numbers.
    ``time_scale`` compresses per-minute budget windows on both sides at once, for sandboxes
    that take a ``time_base`` (Blibli's 25 list calls a minute); wall-clock time stays real.
    """
    adapter = load_adapter(marketplace)
    factory = sandbox_factory(adapter)
    clock = ScaledClock(time_scale)
    if time_scale != 1.0 and "time_base" in inspect.signature(factory).parameters:
        sandbox = factory(seed=11, listings=listings, time_base=clock)
    else:
        sandbox = factory(seed=11, listings=listings)
    if not documented_limits:
        sandbox.kit.limiter.configure(default=None, overrides={})
    with SandboxServer(sandbox.app) as server:
        options = client_settings(sandbox, server.base_url, tmp_path)
        options.setdefault("timeout_seconds", 5)
        if not documented_limits:
            options.update({"requests_per_second": 2000, "burst": 200, "concurrency": 8})
        options.update(client or {})
        settings = make_settings(database_url, tmp_path, **{marketplace: options})
        runtime = Runtime.from_settings(settings, clock)
        try:
            credentials, code = shop_credentials(adapter, sandbox.credentials())
            shop = await connect_shop(
                runtime.database,
                runtime.adapters,
                business="kontrak",
                marketplace=marketplace,
                external_shop_id=str(sandbox.credentials()["shop_id"]),
                name=f"{adapter.display_name} kontrak",
                credentials=credentials,
                code=code,
                pull_interval_minutes=15,
            )
            yield ContractRig(marketplace, adapter, sandbox, server, runtime, shop)
        finally:
            await runtime.close()


def succeeded(outcome: RunOutcome) -> None:
    assert outcome.state is RunState.SUCCEEDED, f"run ended {outcome.state}: {outcome.error}"
