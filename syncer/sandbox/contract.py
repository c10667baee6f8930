"""What a sandbox offers the adapter contract suite (``tests/contract``), beyond its HTTP API.

The suite is parametrized over every registered adapter: it starts the adapter's sandbox
in-process, connects a shop through the real engine, and compares what the adapter pulled with
what the sandbox says a correct adapter must see. A sandbox therefore answers in the catalog's
normalized vocabulary (``ExpectedListing``), and accepts a small set of seller-side changes
(``ContractChange``) that every marketplace has, whatever it calls them.

A sandbox may also define ``client_settings(base_url: str, workdir: Path) -> dict[str, object]``:
the ``[marketplaces.<name>]`` table a client of this sandbox needs beyond ``base_url`` (a feed
folder, a compressed time scale for per-minute budgets ...). The suite and the demo use it.

Deleted units (by the seller or the marketplace) are left out of ``expected_listings``; the store
must show them as deleted.

Methods are called from the test's thread while the server runs in its own; implementations
take their store's lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from starlette.types import ASGIApp

from syncer.domain import ListingKey, ListingStatus
from syncer.sandbox.kit import SandboxKit

ContractAction = Literal["sell", "set_price", "set_stock", "unlist", "relist", "delete", "malform"]
"""``sell`` lowers stock by ``value`` (a sale); ``set_price``/``set_stock`` set absolute values;
``unlist``/``relist`` act on the whole item; ``delete`` removes it for good; ``malform`` makes
the marketplace answer the item with a payload the adapter must quarantine."""

CONTRACT_ACTIONS: tuple[ContractAction, ...] = (
    "sell",
    "set_price",
    "set_stock",
    "unlist",
    "relist",
    "delete",
    "malform",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExpectedListing:
    """One sellable unit as a correct adapter maps it (the fields every marketplace has)."""

    key: ListingKey
    seller_sku: str
    price: int
    stock: int
    status: ListingStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class ContractChange:
    action: ContractAction
    key: ListingKey
    value: int = 0


@runtime_checkable
class ContractSandbox(Protocol):
    """A ``MarketplaceSandbox`` the contract suite can drive and check."""

    app: ASGIApp
    kit: SandboxKit

    def credentials(self) -> dict[str, object]:
        """Must hold ``shop_id`` (the marketplace's shop id) and the adapter's
        ``app_credential_keys``; then either ``code`` (OAuth: a fresh one-time code) or the
        adapter's ``shop_credential_keys``."""
        ...

    def expected_listings(self) -> list[ExpectedListing]:
        """Every unit a full pull must yield now; malformed items are left out."""
        ...

    def malformed_item_ids(self) -> list[str]:
        """Items a pull must quarantine rather than map."""
        ...

    def apply(self, change: ContractChange) -> None:
        """Change the catalog as the seller or the marketplace would (bumps update times)."""
        ...

    def documented_limit_per_minute(self) -> dict[str, int]:
        """The marketplace's documented request budgets the sandbox enforces, by scope
        (an API path, or ``"*"`` for the shop as a whole): the adapter must stay under them."""
        ...
