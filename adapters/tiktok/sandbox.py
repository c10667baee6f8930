"""A faithful local emulator of the TikTok Shop Partner API product module (how Tokopedia shops
are reached), over a seeded catalog of an Indonesian seller live on TikTok Shop, Tokopedia or
both.

Paths, signing, the timestamp window, envelopes, error codes, cursor pages, batch limits,
per-row failures, the 50 QPS per (app, shop, API) limit and webhooks 5/15/27 follow the official
docs (marketplaces/official/tiktok); choices they leave open are marked [I] where made and
gathered in ``TikTokSandboxSettings``. Start it with the sandbox toolkit::

    sandbox = TikTokSandbox(seed=1, listings=5_000)
    with SandboxServer(sandbox.app) as server:
        ...  # server.base_url, sandbox.credentials(), /_sandbox/... control API
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from adapters.tiktok.sandbox_auth import Identity, TikTokAuth
from adapters.tiktok.sandbox_control import TikTokControl
from adapters.tiktok.sandbox_errors import TikTokSandboxSettings
from adapters.tiktok.sandbox_gateway import Endpoint, TikTokGateway
from adapters.tiktok.sandbox_reads import TikTokReads
from adapters.tiktok.sandbox_store import TikTokStore
from adapters.tiktok.sandbox_webhooks import WebhookHub
from adapters.tiktok.sandbox_writes import TikTokWrites
from syncer.domain import ListingKey, ListingStatus
from syncer.sandbox import FaultConfig, LimitRule, SandboxClock, SandboxKit, generate_catalog
from syncer.sandbox.contract import ContractChange, ExpectedListing
from syncer.sandbox.edits import mutate_body

__all__ = ["DOCUMENTED_LIMIT", "TikTokSandbox", "TikTokSandboxSettings"]

DOCUMENTED_LIMIT = LimitRule(50.0, 50)  # "50 QPS for each API", per (app, shop) (rate limits)
_PRODUCTS = "/product/202309/products"


class TikTokSandbox:
    """One app and one authorized shop selling ``listings`` units (seeded catalog)."""

    def __init__(
        self,
        *,
        seed: int = 1,
        listings: int = 1_000,
        settings: TikTokSandboxSettings | None = None,
        clock: SandboxClock | None = None,
        limit: LimitRule | None = DOCUMENTED_LIMIT,
        faults: FaultConfig | None = None,
        app_key: str | None = None,
        app_secret: str | None = None,
    ) -> None:
        self.seed = seed
        self.settings = settings or TikTokSandboxSettings()
        self.kit = SandboxKit(seed=seed, clock=clock, limit=limit, faults=faults)
        self.clock = self.kit.clock
        identity = Identity.from_seed(seed)
        identity = replace(
            identity,
            app_key=app_key or identity.app_key,
            app_secret=app_secret or identity.app_secret,
        )
        warehouses = (str(7_068_517_275_539_719_942 + seed), str(7_068_517_275_539_720_100 + seed))
        self.store = TikTokStore(generate_catalog(seed, listings), seed=seed, warehouses=warehouses)
        self.auth = TikTokAuth(identity, seed=seed, clock=self.clock, settings=self.settings)
        self.hooks = WebhookHub(identity, self.clock, self.settings)
        self.control = TikTokControl(self.store, self.auth, self.clock, self.hooks, self.settle)
        gateway = TikTokGateway(
            auth=self.auth,
            kit=self.kit,
            settings=self.settings,
            endpoints=self._endpoints(),
            settle=self.settle,
        )
        self.app = self.kit.build_app(
            routes=gateway.routes(),
            control_routes=self.control.routes(),
            credentials=self.credentials,
            error_response=gateway.server_error,
            throttled_response=gateway.throttled,
            unrouted_response=gateway.unrouted,
        )

    def _endpoints(self) -> list[Endpoint]:
        reads = TikTokReads(self.store, self.auth.identity, self.settings, self.kit.stats)
        writes = TikTokWrites(self.store, self.settings, self.hooks)
        return [
            Endpoint("GET", "/api/v2/token/get", "token", token_handler=self.auth.token_get),
            Endpoint(
                "GET", "/api/v2/token/refresh", "token", token_handler=self.auth.token_refresh
            ),
            Endpoint("GET", "/authorization/202309/shops", "app", reads.authorized_shops),
            Endpoint("POST", "/product/202502/products/search", "shop", reads.search),
            Endpoint("POST", "/product/202309/inventory/search", "shop", reads.inventory_search),
            Endpoint("POST", _PRODUCTS + "/activate", "shop", writes.activate),
            Endpoint("POST", _PRODUCTS + "/deactivate", "shop", writes.deactivate),
            Endpoint("GET", _PRODUCTS + "/{product_id}", "shop", reads.get_product),
            Endpoint(
                "POST",
                _PRODUCTS + "/{product_id}/inventory/update",
                "shop",
                writes.update_inventory,
            ),
            Endpoint(
                "POST", _PRODUCTS + "/{product_id}/prices/update", "shop", writes.update_price
            ),
        ]

    def settle(self) -> None:
        """Activations whose review time has come go live (stamped now, so incremental pulls
        see them)."""
        now = self.clock.timestamp()
        with self.store.lock:
            for item in self.store.due_audits(now):
                for name, status in item.platforms.items():
                    if status == "PENDING":
                        item.platforms[name] = "ACTIVATE"
                item.audit_due = None
                self.store.touch(item, int(now))
                self.hooks.product_status(item, "PRODUCT_FIRST_PASS_REVIEW")

    def credentials(self) -> dict[str, object]:
        """App key and secret, the shop, a fresh one-time code, and the current tokens."""
        identity = self.auth.identity
        return {
            "app_key": identity.app_key,
            "app_secret": identity.app_secret,
            "shop_id": identity.shop_id,
            "shop_cipher": identity.shop_cipher,
            "code": self.auth.unused_code(),
            "access_token": self.auth.current_access,
            "refresh_token": self.auth.current_refresh,
        }

    # The contract suite's view (syncer.sandbox.contract.ContractSandbox).

    def expected_listings(self) -> list[ExpectedListing]:
        self.settle()
        expected = []
        with self.store.lock:
            for item in self.store.products.values():
                if item.malformed:
                    continue
                for sku in item.skus:
                    status = item.normalized(sku)
                    if status is ListingStatus.DELETED:
                        continue
                    expected.append(
                        ExpectedListing(
                            key=ListingKey(str(item.product_id), str(sku.sku_id)),
                            seller_sku=sku.variant.sku,
                            price=sku.variant.price,
                            stock=sku.stock,
                            status=status,
                        )
                    )
        return expected

    def malformed_item_ids(self) -> list[str]:
        with self.store.lock:
            return sorted(
                str(item.product_id) for item in self.store.products.values() if item.malformed
            )

    def apply(self, change: ContractChange) -> None:
        body = mutate_body(change, item_field="product_id", variant_field="sku_id")
        with self.store.lock:
            self.control.mutate(body)

    def client_settings(self, base_url: str, workdir: Path) -> dict[str, object]:
        """A client budget that can never exceed the per-API limit: one shop-wide bucket of
        80% of it (any mix of APIs then stays under each API's own 50 QPS)."""
        rule = self.kit.limiter.default or DOCUMENTED_LIMIT
        rate = max(1.0, rule.rate * 0.8)
        return {"requests_per_second": rate, "burst": max(1, int(min(rate, rule.burst * 0.8)))}

    def documented_limit_per_minute(self) -> dict[str, int]:
        """50 QPS for each API, per (app, shop): the budget of every endpoint path."""
        limiter = self.kit.limiter
        budgets = {}
        for endpoint in self._endpoints():
            rule = limiter.overrides.get(endpoint.path, limiter.default)
            if rule is not None:
                budgets[endpoint.path] = int(rule.rate * 60)
        return budgets
