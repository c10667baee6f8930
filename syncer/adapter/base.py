"""The interface the engine calls: one Adapter instance per shop, pure marketplace I/O.

Adapters yield pages of normalized listings and resume tokens; they never touch the store or
write cursors (the engine saves each page and its cursor in one transaction).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

import httpx
import structlog

from syncer.adapter.ratelimit import RateLimiter
from syncer.adapter.retry import RetryPolicy
from syncer.adapter.webhooks import LostWebhooks, WebhookEvent, WebhookRejectedError
from syncer.domain import Clock, Listing, ListingKey, QuarantinedItem
from syncer.errors import AdapterError, FatalError

Credentials = Mapping[str, str]
"""Adapter-specific secrets (keys, tokens, expiry), stored encrypted by the engine."""

CredentialSaver = Callable[[Credentials], Awaitable[None]]
"""Persists rotated credentials atomically; called before the new tokens are used."""

CredentialLoader = Callable[[], Awaitable[Credentials | None]]
"""Reads the shop's credentials as stored now (another process may have refreshed them)."""

RefreshLock = Callable[[], AbstractAsyncContextManager[object]]
"""Held around "re-read stored credentials, refresh if still stale, save": one refresh of a
shop at a time across the whole deployment (Shopee refresh tokens work once)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AdapterSettings:
    """Per-marketplace knobs from config (``[marketplaces.<name>]``)."""

    base_url: str
    timeout_s: float = 30.0
    requests_per_second: float = 10.0
    burst: int = 10
    concurrency: int = 4
    page_size: int = 100
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class AdapterContext:
    """Everything an adapter needs for one shop; injected so tests can swap any part."""

    shop_external_id: str
    credentials: Credentials
    settings: AdapterSettings
    save_credentials: CredentialSaver
    clock: Clock
    load_credentials: CredentialLoader | None = None
    refresh_lock: RefreshLock | None = None
    transport: httpx.AsyncBaseTransport | None = None
    limiter: RateLimiter | None = None
    log: structlog.typing.FilteringBoundLogger = field(
        default_factory=lambda: structlog.get_logger("syncer.adapter")
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PullWindow:
    """What to pull: items updated in [since, until] (``since`` None = everything).

    ``resume_token`` continues an interrupted pass from the page after the last saved one.
    """

    since: datetime | None
    until: datetime
    resume_token: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """One page of a pull. ``next_token`` resumes after this page; None ends the pass."""

    listings: Sequence[Listing]
    quarantined: Sequence[QuarantinedItem] = ()
    next_token: str | None = None
    progress: tuple[int, int] | None = None
    """(items passed, items in the pass) when the marketplace tells; drives progress bars."""

    @classmethod
    def from_items(cls, results: Iterable[Sequence[Listing] | QuarantinedItem]) -> Page:
        """The page of per-item results: each item's listings (none for an item gone since it
        was listed) or its quarantine, in order."""
        listings: list[Listing] = []
        quarantined: list[QuarantinedItem] = []
        for result in results:
            if isinstance(result, QuarantinedItem):
                quarantined.append(result)
            else:
                listings.extend(result)
        return cls(listings=listings, quarantined=quarantined)


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceChange:
    key: ListingKey
    price: int
    idempotency_key: str = ""
    """Stable per desired value; adapters whose marketplace de-duplicates requests send it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StockChange:
    key: ListingKey
    stock: int
    idempotency_key: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ListedChange:
    """List (True) or unlist (False) a whole marketplace item."""

    external_item_id: str
    listed: bool
    idempotency_key: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RowResult:
    """The marketplace's verdict on one row of a push; ``reason`` is readable by a business."""

    key: ListingKey
    ok: bool
    reason: str = ""
    code: str = ""
    retriable: bool = False

    @classmethod
    def failed(cls, key: ListingKey, error: AdapterError) -> RowResult:
        """A row the whole call failed for, with the call's reason."""
        return cls(key=key, ok=False, reason=str(error), code=error.code, retriable=error.retriable)


class Adapter(ABC):
    """Base class of every marketplace adapter, registered under ``syncer.adapters``."""

    name: ClassVar[str]
    display_name: ClassVar[str]
    feed_only: ClassVar[bool] = False
    sandbox: ClassVar[str] = ""
    """``module:Class`` of this marketplace's sandbox, for ``syncer sandbox NAME``."""
    app_credential_keys: ClassVar[tuple[str, ...]] = ()
    """Credentials of the integrator's app (not of the shop), e.g. a partner id and key."""
    shop_credential_keys: ClassVar[tuple[str, ...]] = ()
    """Credentials of the shop itself; ``authorize`` obtains them when the marketplace uses
    one-time codes."""
    push_batch_limits: ClassVar[Mapping[str, int]] = {"price": 1, "stock": 1, "listed": 1}
    """Rows one push call may carry, per primitive (``update_price``, ``update_stock``,
    ``set_listed``); the pusher hands each call at most this many rows."""
    push_batch_per_item: ClassVar[frozenset[str]] = frozenset()
    """Primitives whose one call may only carry rows (variants) of a single item (Shopee's
    price and stock)."""

    @classmethod
    def missing_credentials(cls, credentials: Credentials, *, with_code: bool) -> list[str]:
        """Keys a shop cannot work without that ``credentials`` lack."""
        needed = cls.app_credential_keys + (() if with_code else cls.shop_credential_keys)
        return [key for key in needed if not credentials.get(key)]

    def __init__(self, context: AdapterContext) -> None:
        self.context = context

    def quarantine(self, item_id: str, reason: str) -> QuarantinedItem:
        """An item that cannot be read into listings: logged, and held back by the engine."""
        self.context.log.warning("pull.item_quarantined", item_id=item_id, reason=reason)
        return QuarantinedItem(external_item_id=item_id, reason=reason)

    @abstractmethod
    def pull(self, window: PullWindow) -> AsyncIterator[Page]:
        """Yield every listing updated within the window, page by page, resumable."""

    @abstractmethod
    async def fetch_items(self, external_item_ids: Sequence[str]) -> Page:
        """Read the named items now; items that no longer exist are simply absent."""

    @abstractmethod
    async def update_price(self, changes: Sequence[PriceChange]) -> list[RowResult]:
        """Set absolute prices; one result per change."""

    @abstractmethod
    async def update_stock(self, changes: Sequence[StockChange]) -> list[RowResult]:
        """Set absolute sellable stock; one result per change."""

    @abstractmethod
    async def set_listed(self, changes: Sequence[ListedChange]) -> list[RowResult]:
        """List or unlist whole items; one result per change."""

    @classmethod
    def parse_webhook(
        cls, *, url: str, headers: Mapping[str, str], body: bytes, app_credentials: Credentials
    ) -> list[WebhookEvent]:
        """Verify a push notification's signature with the app's secret, then parse it.

        Pure (no I/O), so the HTTP layer can answer within the marketplace's deadline. Raises
        ``WebhookRejectedError`` for a bad signature or body; unknown event types give ``[]``.
        """
        raise WebhookRejectedError(f"{cls.display_name} does not send webhooks")

    recovers_lost_webhooks: ClassVar[bool] = False
    """Whether ``lost_webhooks`` reads back notifications the marketplace failed to deliver."""

    async def lost_webhooks(self) -> LostWebhooks:
        """One batch of notifications the marketplace could not deliver to the webhook URL.

        They belong to the integrator's app, not to this shop: the adapter of any shop
        connected with the app's keys asks, and the events name their own shops. Marketplaces
        that keep none leave ``recovers_lost_webhooks`` False.
        """
        raise FatalError(f"{self.display_name} keeps no undelivered notifications")

    async def authorize(self, code: str) -> Credentials:
        """Exchange a seller's one-time authorization code for credentials (OAuth flows)."""
        raise FatalError(f"{self.display_name} shops connect with keys, not an authorization code")

    async def aclose(self) -> None:  # noqa: B027  optional hook: most adapters hold no resource
        """Release connections; the engine calls it when the run ends."""
