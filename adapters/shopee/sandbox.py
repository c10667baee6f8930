"""A faithful local emulator of the Shopee Open Platform v2 product API, over a seeded catalog.

Paths, signing, envelopes, batch limits, per-row failures and error strings follow the official
API reference (marketplaces/official/shopee); choices the docs leave open are marked [I] where
they are made and listed in ``ShopeeSandboxSettings``. Start it with the sandbox toolkit::

    sandbox = ShopeeSandbox(seed=1, listings=5_000)
    with SandboxServer(sandbox.app) as server:
        ...  # server.base_url, sandbox.credentials(), /_sandbox/... control API

Pushes (``sandbox_push``): signed deliveries to a callback URL, and the lost-push list with
its two documented endpoints.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from adapters.shopee.mapping import normalize_status
from adapters.shopee.sandbox_auth import Identity, ShopeeAuth
from adapters.shopee.sandbox_control import ShopeeControl
from adapters.shopee.sandbox_errors import Reply, ShopeeSandboxSettings
from adapters.shopee.sandbox_gateway import Endpoint, ShopeeGateway
from adapters.shopee.sandbox_params import Call
from adapters.shopee.sandbox_push import PushCenter
from adapters.shopee.sandbox_reads import ShopeeReads
from adapters.shopee.sandbox_store import DELETED, ShopeeStore, TruthRow
from adapters.shopee.sandbox_writes import ShopeeWrites
from syncer.domain import ListingKey
from syncer.sandbox import (
    DEFAULT_LIMIT,
    FaultConfig,
    LimitRule,
    SandboxClock,
    SandboxKit,
    generate_catalog,
)
from syncer.sandbox.contract import ContractChange, ExpectedListing
from syncer.sandbox.edits import mutate_body

__all__ = ["ShopeeSandbox", "ShopeeSandboxSettings"]

_PRODUCT = "/api/v2/product/"
_PUSH = "/api/v2/push/"


class ShopeeSandbox:
    """One partner app and one authorized shop selling ``listings`` units (seeded catalog).

    ``partner_id``, ``partner_key``, ``shop_id`` and the first ``access_token`` derive from the
    seed unless given (the conformance suite pins the docs' signing example this way).
    """

    def __init__(
        self,
        *,
        seed: int = 1,
        listings: int = 1_000,
        settings: ShopeeSandboxSettings | None = None,
        clock: SandboxClock | None = None,
        limit: LimitRule | None = DEFAULT_LIMIT,
        faults: FaultConfig | None = None,
        partner_id: int | None = None,
        partner_key: str | None = None,
        shop_id: int | None = None,
        access_token: str | None = None,
    ) -> None:
        self.seed = seed
        self.settings = settings or ShopeeSandboxSettings()
        self.kit = SandboxKit(seed=seed, clock=clock, limit=limit, faults=faults)
        self.clock = self.kit.clock
        self.store = ShopeeStore(generate_catalog(seed, listings), seed=seed)
        identity = Identity.from_seed(seed)
        identity = replace(
            identity,
            partner_id=identity.partner_id if partner_id is None else partner_id,
            partner_key=partner_key or identity.partner_key,
            shop_id=identity.shop_id if shop_id is None else shop_id,
        )
        self.auth = ShopeeAuth(
            identity, seed=seed, clock=self.clock, settings=self.settings, access_token=access_token
        )
        self.push = PushCenter(identity, self.clock)
        gateway = ShopeeGateway(
            auth=self.auth, kit=self.kit, settings=self.settings, endpoints=self._endpoints()
        )
        control = ShopeeControl(self.store, self.auth, self.clock, self.settings.code_ttl)
        self.control = control
        self.app = self.kit.build_app(
            routes=gateway.routes(),
            control_routes=[*control.routes(), *self.push.routes()],
            credentials=self.credentials,
            error_response=gateway.server_error,
            throttled_response=gateway.throttled,
            unrouted_response=gateway.unrouted,
        )

    def _endpoints(self) -> dict[str, Endpoint]:
        reads = ShopeeReads(self.store, self.auth, self.settings, self.kit.stats)
        writes = ShopeeWrites(self.store, self.settings)
        return {
            "/api/v2/auth/token/get": Endpoint(
                "POST", "public", self._exchange_code, wrapped=False
            ),
            "/api/v2/auth/access_token/get": Endpoint(
                "POST", "public", self._refresh, wrapped=False
            ),
            "/api/v2/shop/get_shop_info": Endpoint(
                "GET", "shop", reads.get_shop_info, wrapped=False
            ),
            _PRODUCT + "get_item_list": Endpoint("GET", "shop", reads.get_item_list),
            _PRODUCT + "get_item_base_info": Endpoint("GET", "shop", reads.get_item_base_info),
            _PRODUCT + "get_model_list": Endpoint("GET", "shop", reads.get_model_list),
            _PRODUCT + "search_item": Endpoint("GET", "shop", reads.search_item),
            _PRODUCT + "get_item_limit": Endpoint("GET", "shop", reads.get_item_limit),
            _PRODUCT + "update_price": Endpoint("POST", "shop", writes.update_price),
            _PRODUCT + "update_stock": Endpoint("POST", "shop", writes.update_stock),
            _PRODUCT + "unlist_item": Endpoint("POST", "shop", writes.unlist_item),
            _PRODUCT + "delete_item": Endpoint("POST", "shop", writes.delete_item),
            _PUSH + "get_lost_push_message": Endpoint(
                "GET", "public", self.push.get_lost_push_message
            ),
            _PUSH + "confirm_consumed_lost_push_message": Endpoint(
                "POST", "public", self.push.confirm_consumed_lost_push_message
            ),
        }

    def _exchange_code(self, call: Call) -> Reply:
        return Reply(self.auth.exchange_code(call.body))

    def _refresh(self, call: Call) -> Reply:
        return Reply(self.auth.refresh(call.body))

    # The contract suite's view (syncer.sandbox.contract.ContractSandbox).

    def expected_listings(self) -> list[ExpectedListing]:
        with self.store.lock:
            rows = [row for row in self.store.truth(None) if row["item_status"] not in DELETED]
            malformed = {str(item.item_id) for item in self.store.items.values() if item.malformed}
        return [_expected(row) for row in rows if row["item_id"] not in malformed]

    def malformed_item_ids(self) -> list[str]:
        with self.store.lock:
            return sorted(str(item.item_id) for item in self.store.items.values() if item.malformed)

    def apply(self, change: ContractChange) -> None:
        body = mutate_body(change, item_field="item_id", variant_field="model_id")
        with self.store.lock:
            self.control.mutate(body)

    def client_settings(self, base_url: str, workdir: Path) -> dict[str, object]:
        """A client budget just under the sandbox's own (Shopee publishes none)."""
        return self.kit.client_budget(burst_divisor=10)

    def documented_limit_per_minute(self) -> dict[str, int]:
        """Shopee publishes no numbers (README 2.6); the sandbox's default budget stands in."""
        return self.kit.shop_limit_per_minute()

    def credentials(self) -> dict[str, object]:
        """What a client needs: app ids and key, the shop, its current tokens and a fresh code."""
        auth = self.auth
        return {
            "partner_id": auth.identity.partner_id,
            "partner_key": auth.identity.partner_key,
            "shop_id": auth.identity.shop_id,
            "access_token": auth.current_access,
            "refresh_token": auth.current_refresh,
            "access_token_expire_in": auth.access_expire_in(),
            "code": auth.unused_code(),
        }


def _expected(row: TruthRow) -> ExpectedListing:
    status, _reason = normalize_status(row["item_status"], row["model_status"], row["stock"])
    return ExpectedListing(
        key=ListingKey(row["item_id"], row["model_id"]),
        seller_sku=row["sku"],
        price=row["price"],
        stock=row["stock"],
        status=status,
    )
