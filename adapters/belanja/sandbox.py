"""A local Belanja.com: serves the product feed over HTTP and takes update-feed uploads.

Belanja.com has no public seller API (marketplaces/README.md section 5), so this emulates our
own documented feed contract [I], over a seeded catalog::

    sandbox = BelanjaSandbox(seed=1, listings=5_000)
    with SandboxServer(sandbox.app) as server:
        ...  # server.base_url + /feed/products.csv, /_sandbox/... control API

It also plays the business for the contract suite: ``settle_pushes`` uploads the update feeds
the adapter wrote, the way a person would in Belanja.com's seller centre.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from adapters.belanja.sandbox_http import (
    FeedRoutes,
    error_response,
    require_sku,
    throttled_response,
    unrouted_response,
)
from adapters.belanja.sandbox_store import BelanjaStore, FeedItem
from adapters.belanja.sandbox_updates import apply_update_feed
from syncer.domain import ListingKey, ListingStatus
from syncer.sandbox import (
    FaultConfig,
    LimitRule,
    SandboxClock,
    SandboxKit,
    control_endpoint,
    generate_catalog,
    read_json_object,
)
from syncer.sandbox.contract import ContractChange, ExpectedListing
from syncer.sandbox.responses import ControlError, opt_int, opt_str

__all__ = ["DOCUMENTED_LIMIT", "BelanjaSandbox"]

DOCUMENTED_LIMIT = LimitRule(1.0, 10)
"""[I] 60 requests a minute per shop (bursts of 10): our budget, since no API is published."""


class BelanjaSandbox:
    """One shop's feed of ``listings`` rows (seeded), its upload endpoint and control API."""

    def __init__(
        self,
        *,
        seed: int = 1,
        listings: int = 1_000,
        clock: SandboxClock | None = None,
        limit: LimitRule | None = DOCUMENTED_LIMIT,
        faults: FaultConfig | None = None,
        shop_id: str | None = None,
    ) -> None:
        self.seed = seed
        self.shop_id = shop_id or f"belanja-{seed}"
        self.kit = SandboxKit(seed=seed, clock=clock, limit=limit, faults=faults)
        self.store = BelanjaStore(generate_catalog(seed, listings), seed=seed, clock=self.kit.clock)
        self.update_dirs: list[Path] = []
        self._settled: set[tuple[str, int]] = set()
        self.app = self.kit.build_app(
            routes=FeedRoutes(self.store, self.kit, self.shop_id).routes(),
            control_routes=self._control_routes(),
            credentials=self.credentials,
            error_response=error_response,
            throttled_response=throttled_response,
            unrouted_response=unrouted_response,
        )

    def credentials(self) -> dict[str, object]:
        """A feed needs no secret: only the shop's id (update feeds are filed under it)."""
        return {"shop_id": self.shop_id}

    # -- control API ---------------------------------------------------------------------

    def _control_routes(self) -> list[BaseRoute]:
        async def truth(request: Request) -> object:
            with self.store.lock:
                return {
                    "listings": [_truth_row(self.store, item) for item in self.store.items.values()]
                }

        async def mutate(request: Request) -> object:
            body = await read_json_object(request)
            action = opt_str(body, "action")
            with self.store.lock:
                item = self._item(require_sku(body))
                self._mutate(item, action, opt_int(body, "value", 0))
                return _truth_row(self.store, item)

        async def inject(request: Request) -> object:
            body = await read_json_object(request)
            with self.store.lock:
                if body.get("clear"):
                    self.store.clear_injected()
                    return {"skus": []}
                count = opt_int(body, "count", 1)
                if not 1 <= count <= 1000:
                    raise ControlError("count must be in 1..1000")
                kind = opt_str(body, "kind", "price")
                return {"skus": [self.store.inject(kind) for _ in range(count)]}

        return [
            Route("/truth", control_endpoint(truth), methods=["GET"]),
            Route("/mutate", control_endpoint(mutate), methods=["POST"]),
            Route("/inject", control_endpoint(inject), methods=["POST"]),
        ]

    def _item(self, sku: str) -> FeedItem:
        try:
            return self.store.item(sku)
        except KeyError as exc:
            raise ControlError(str(exc.args[0]), status=404) from exc

    def _mutate(self, item: FeedItem, action: str, value: int) -> None:
        """A seller-side or marketplace-side change; bumps the row's update time."""
        variant = item.variant
        if action in ("sell", "set_stock", "set_price") and value < 0:
            raise ControlError(f"{action} needs a value >= 0")
        if action == "sell":
            if value > variant.stock:
                raise ControlError(f"cannot sell {value}: only {variant.stock} in stock")
            variant.stock -= value
        elif action == "set_stock":
            variant.stock = value
        elif action == "set_price":
            variant.price = value
        elif action in ("unlist", "relist", "delete"):
            item.status = {"unlist": "inactive", "relist": "active", "delete": "deleted"}[action]
        elif action in ("malform", "fix"):
            item.malformed = action == "malform"
        else:
            raise ControlError(
                "action must be sell, set_price, set_stock, unlist, relist, delete, malform "
                f"or fix, got {action!r}"
            )
        variant.reserved_stock = min(variant.reserved_stock, variant.stock)
        self.store.touch(item)

    # -- contract suite (syncer.sandbox.contract.ContractSandbox) ------------------------

    def expected_listings(self) -> list[ExpectedListing]:
        with self.store.lock:
            return [
                _expected(item)
                for item in self.store.items.values()
                if item.status != "deleted" and not item.malformed
            ]

    def malformed_item_ids(self) -> list[str]:
        with self.store.lock:
            return sorted(
                sku
                for sku, item in self.store.items.items()
                if item.malformed and item.status != "deleted"
            )

    def apply(self, change: ContractChange) -> None:
        with self.store.lock:
            self._mutate(self.store.item(change.key.external_item_id), change.action, change.value)

    def documented_limit_per_minute(self) -> dict[str, int]:
        """[I] Belanja.com documents nothing; this is the budget the sandbox enforces."""
        return self.kit.shop_limit_per_minute()

    def client_settings(self, base_url: str, workdir: Path) -> dict[str, object]:
        """Client options for this sandbox: update feeds under ``workdir`` (which
        ``settle_pushes`` then uploads as the business would) and a budget under the limit."""
        update_dir = workdir / "belanja-updates"
        self.update_dirs.append(update_dir)
        options: dict[str, object] = {"extra": {"update_dir": str(update_dir)}}
        return options | self.kit.client_budget(burst_divisor=2)

    async def settle_pushes(self) -> int:
        """Upload every update feed written since the last call, oldest first, as the
        business would; returns how many files were applied."""
        return await asyncio.to_thread(self._settle)

    def _settle(self) -> int:
        files = [
            path
            for folder in self.update_dirs
            if folder.is_dir()
            for path in folder.rglob("*.csv")
            if (path.name, path.stat().st_mtime_ns) not in self._settled
        ]
        files.sort(key=lambda path: (path.stat().st_mtime_ns, path.name))
        for path in files:
            apply_update_feed(self.store, path.read_bytes())
            self._settled.add((path.name, path.stat().st_mtime_ns))
        return len(files)


def _truth_row(store: BelanjaStore, item: FeedItem) -> dict[str, object]:
    cells = store.cells(item)
    return {
        "seller_sku": item.variant.sku,
        "price": item.variant.price,
        "stock": item.variant.stock,
        "status": item.status,
        "malformed": item.malformed,
        "updated_at": cells["updated_at"],
        "name": cells["name"],
        "variant_attributes": cells["variant_attributes"],
    }


def _expected(item: FeedItem) -> ExpectedListing:
    status = ListingStatus.ACTIVE
    if item.status == "inactive":
        status = ListingStatus.INACTIVE
    elif item.variant.stock <= 0:
        status = ListingStatus.OUT_OF_STOCK
    sku = item.variant.sku
    return ExpectedListing(
        key=ListingKey(sku, ""),
        seller_sku=sku,
        price=item.variant.price,
        stock=item.variant.stock,
        status=status,
    )
