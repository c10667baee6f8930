"""A local emulator of the Blibli Seller API product endpoints, over a seeded catalog.

Follows marketplaces/README section 4: Basic auth plus the store's Api-Seller-Key, the optional
request signature with its time window, the ``{requestId, content|value, paging}`` envelope and
error codes, Product List V3 per state (50 a page), variant lists, synchronous exact stock, the
asynchronous bulk update (100 SKUs) with its queue, per-store per-operation budgets answered with
429, and signed webhooks. Guesses where the docs are silent are marked [I] in each module::

    sandbox = BlibliSandbox(seed=1, listings=5_000)
    with SandboxServer(sandbox.app) as server:
        ...  # server.base_url, sandbox.credentials(), /_sandbox/... control API

``time_base`` (``syncer.adapter.budgets``) sets the scale on which budget windows and queue
delays run; hand the client the same one to test minute-long budgets in seconds.
"""

from __future__ import annotations

import random
import string
from pathlib import Path

from adapters.blibli.sandbox_api import BlibliApi
from adapters.blibli.sandbox_control import BlibliControl, Mutator
from adapters.blibli.sandbox_errors import OPERATION_PATHS, BlibliSandboxSettings
from adapters.blibli.sandbox_gateway import BlibliGateway, Identity
from adapters.blibli.sandbox_queue import BulkQueue
from adapters.blibli.sandbox_store import BlibliStore
from adapters.blibli.sandbox_webhooks import WebhookSender
from syncer.adapter.budgets import REAL_TIME, TimeBase
from syncer.domain import ListingKey, ListingStatus
from syncer.sandbox import (
    DEFAULT_LIMIT,
    FaultConfig,
    LimitRule,
    SandboxClock,
    SandboxKit,
    generate_catalog,
)
from syncer.sandbox.contract import ContractChange, ExpectedListing

__all__ = ["BlibliSandbox", "BlibliSandboxSettings"]


def identity_from_seed(seed: int, signature_key: str | None) -> Identity:
    rng = random.Random(seed * 7919 + 11)
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(3))
    return Identity(
        client_id=f"mta-api-syncer-{rng.getrandbits(32):08x}",
        client_secret=f"{rng.getrandbits(128):032x}",
        store_code=f"{letters}-{rng.randrange(10_000, 99_999)}",
        api_seller_key=f"{rng.getrandbits(128):032x}",
        username=f"seller{seed}@tokodemo.id",
        signature_key=signature_key or "",
    )


class BlibliSandbox:
    """One API client and one bound store selling ``listings`` units (seeded catalog).

    ``signature_key``: the store requires signed requests (as when a seller sets one).
    """

    def __init__(
        self,
        *,
        seed: int = 1,
        listings: int = 1_000,
        settings: BlibliSandboxSettings | None = None,
        clock: SandboxClock | None = None,
        limit: LimitRule | None = DEFAULT_LIMIT,
        faults: FaultConfig | None = None,
        time_base: TimeBase | None = None,
        signature_key: str | None = None,
    ) -> None:
        self.seed = seed
        self.settings = settings or BlibliSandboxSettings()
        self.kit = SandboxKit(seed=seed, clock=clock, limit=limit, faults=faults)
        self.clock = self.kit.clock
        self.time_base = time_base or REAL_TIME
        ident = identity_from_seed(seed, signature_key)
        self.store = BlibliStore(
            generate_catalog(seed, listings), store_code=ident.store_code, seed=seed
        )
        self.gateway = BlibliGateway(kit=self.kit, settings=self.settings, time_base=self.time_base)
        self.gateway.identity = ident
        self.queue = BulkQueue(self.store, self.settings, self.time_base, self.now_ms)
        self.webhooks = WebhookSender(self.now_ms)
        self.mutator = Mutator(self.store, self.now_ms)
        api = BlibliApi(
            store=self.store,
            queue=self.queue,
            webhooks=self.webhooks,
            settings=self.settings,
            stats=self.kit.stats,
            now_ms=self.now_ms,
        )
        control = BlibliControl(
            store=self.store,
            gateway=self.gateway,
            queue=self.queue,
            webhooks=self.webhooks,
            settings=self.settings,
            mutator=self.mutator,
            job_finished=api.job_finished,
        )
        self.app = self.kit.build_app(
            routes=self.gateway.routes(api.endpoints()),
            control_routes=control.routes(),
            credentials=self.credentials,
            error_response=self.gateway.server_error,
            throttled_response=self.gateway.throttled,
            unrouted_response=self.gateway.unrouted,
        )

    def now_ms(self) -> int:
        return int(self.clock.timestamp() * 1000)

    @property
    def identity(self) -> Identity:
        assert self.gateway.identity is not None
        return self.gateway.identity

    def credentials(self) -> dict[str, object]:
        """What a client needs: the API client, the store code (``shop_id``) and its keys."""
        ident = self.identity
        creds: dict[str, object] = {
            "shop_id": ident.store_code,
            "client_id": ident.client_id,
            "client_secret": ident.client_secret,
            "api_seller_key": ident.api_seller_key,
            "username": ident.username,
            "channel_id": "marketplace-syncer",
        }
        if ident.signature_key:
            creds["signature_key"] = ident.signature_key
        return creds

    # -- the contract suite's view (syncer.sandbox.contract.ContractSandbox) ---------------

    def expected_listings(self) -> list[ExpectedListing]:
        return [
            ExpectedListing(
                key=ListingKey(str(row["product_sku"]), str(row["blibli_sku"])),
                seller_sku=str(row["seller_sku"]),
                price=int(str(row["price"])),
                stock=int(str(row["stock"])),
                status=ListingStatus(str(row["status"])),
            )
            for row in self.store.truth()
            if not row["malformed"]
        ]

    def malformed_item_ids(self) -> list[str]:
        with self.store.lock:
            return sorted(p.sku for p in self.store.products.values() if p.malformed)

    def apply(self, change: ContractChange) -> None:
        key = change.key
        self.mutator.apply(
            change.action, key.external_item_id, key.external_variant_id, change.value
        )

    def client_settings(self, base_url: str, workdir: Path) -> dict[str, object]:
        """Client settings for this sandbox: the documented budgets are kept per operation by
        the adapter itself; Blibli publishes none for the other APIs (variant list, detail,
        queue), so the client's shop-wide rate stays just under the toolkit's limit for them."""
        return {**self.kit.client_budget(burst_divisor=10), "concurrency": 8}

    def documented_limit_per_minute(self) -> dict[str, int]:
        """Budgets by API path template, per minute of the sandbox's time base."""
        return {
            OPERATION_PATHS[operation]: int(limit * 60 / window)
            for operation, (limit, window) in self.settings.budgets.items()
        }
