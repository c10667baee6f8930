"""TikTok Shop Partner API adapter, which is how Tokopedia shops are reached since the merger.

Pull: ``products/search`` (cursor pages of up to 100 over an ``update_time_ge/le`` window, cut
into slices that fit the 10,000-result cap; the resume token names slice and page) → ``Get
Product`` only for entries that lack what a Listing needs (several SKUs: their variant names).
Tokens: access tokens with an absolute expiry, refreshed ahead of it; ``shop_cipher`` from Get
Authorized Shops.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import timedelta
from urllib.parse import urlsplit

import httpx

from adapters.tiktok import envelope, mapping, push, signing, tokens, webhooks, windows
from syncer.adapter import (
    Credentials,
    CursorPage,
    CursorPager,
    HttpAdapter,
    JsonObject,
    ListedChange,
    Page,
    PayloadError,
    PriceChange,
    PullWindow,
    QueryParams,
    RowResult,
    StockChange,
    WebhookEvent,
    get_int,
    get_objects,
    require_credentials,
)
from syncer.domain import Listing, QuarantinedItem
from syncer.errors import (
    FatalError,
    MalformedResponseError,
    NeedsReauthError,
    RequestRejectedError,
    SkippableItemError,
)

PRODUCTION_API = "open-api.tiktokglobalshop.com"
PRODUCTION_AUTH = "https://auth.tiktok-shops.com"
SEARCH = "/product/202502/products/search"
PRODUCT = "/product/202309/products/{product_id}"
SHOPS = "/authorization/202309/shops"
TOKEN_GET = "/api/v2/token/get"  # noqa: S105  an API path, not a secret
TOKEN_REFRESH = "/api/v2/token/refresh"  # noqa: S105  an API path, not a secret
TOKEN_PATHS = frozenset({TOKEN_GET, TOKEN_REFRESH})
MAX_PAGE_SIZE = 100
REFRESH_AHEAD = timedelta(hours=1)


class TikTokAdapter(HttpAdapter):
    name = "tiktok"
    display_name = "Tokopedia / TikTok Shop"
    sandbox = "adapters.tiktok.sandbox:TikTokSandbox"
    app_credential_keys = ("app_key", "app_secret")
    shop_credential_keys = tokens.SHOP_KEYS

    # -- signing and envelope ------------------------------------------------------------

    def auth_base_url(self) -> str:
        """Token calls go to ``auth.tiktok-shops.com`` in production; a sandbox or proxy at
        another address serves them itself (``extra.auth_base_url`` overrides)."""
        settings = self.context.settings
        if settings.extra.get("auth_base_url"):
            return settings.extra["auth_base_url"].rstrip("/")
        if urlsplit(settings.base_url).hostname == PRODUCTION_API:
            return PRODUCTION_AUTH
        return settings.base_url.rstrip("/")

    def build_request(
        self, method: str, path: str, params: QueryParams, body: JsonObject | None
    ) -> httpx.Request:
        query = {key: _scalar(key, value) for key, value in params.items()}
        if path in TOKEN_PATHS:  # unsigned: the app secret travels in the query itself
            return self.client.build_request(method, self.auth_base_url() + path, params=query)
        needed = ["app_key", "app_secret", "access_token"] + (
            [] if path == SHOPS else ["shop_cipher"]
        )
        require_credentials(self.credentials, needed)
        query["app_key"] = self.credentials["app_key"]
        query["timestamp"] = str(int(self.context.clock.now().timestamp()))
        if path != SHOPS:
            query["shop_cipher"] = self.credentials["shop_cipher"]
        content = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        query["sign"] = signing.sign(self.credentials["app_secret"], path, query, content)
        headers = {
            "x-tts-access-token": self.credentials["access_token"],
            "content-type": "application/json",
        }
        return self.client.build_request(
            method, path, params=query, content=content or None, headers=headers
        )

    def parse_response(self, response: httpx.Response, operation: str) -> JsonObject:
        return envelope.parse(response, operation)

    # -- tokens --------------------------------------------------------------------------

    def _app_query(self) -> dict[str, str]:
        return {
            "app_key": self.credentials["app_key"],
            "app_secret": self.credentials["app_secret"],
        }

    async def authorize(self, code: str) -> Credentials:
        """Trade the seller's ``auth_code`` for tokens, then find the shop's ``shop_cipher``."""
        params = {**self._app_query(), "auth_code": code, "grant_type": "authorized_code"}
        data = await self.call(
            "GET", TOKEN_GET, params=params, operation="get_token", refresh=False
        )
        fresh = tokens.with_tokens(self.credentials, data)
        self.keeper.current = fresh  # not saved here: connect_shop stores the result
        shops = await self.call("GET", SHOPS, operation="get_authorized_shops", refresh=False)
        return {**fresh, **tokens.pick_shop(shops, self.context.shop_external_id)}

    async def refresh_credentials_now(self) -> Credentials:
        if not self.credentials.get("refresh_token"):
            raise NeedsReauthError("no refresh token is stored for this shop; re-authorize it")
        left = tokens.seconds_left(self.credentials, "refresh_expires_at", self._now())
        if left is not None and left <= 0:
            raise NeedsReauthError(
                "the shop's refresh token has expired; the seller must authorize the app again"
            )
        params = {
            **self._app_query(),
            "refresh_token": self.credentials["refresh_token"],
            "grant_type": "refresh_token",
        }
        data = await self.call(
            "GET", TOKEN_REFRESH, params=params, operation="refresh_token", refresh=False
        )
        return tokens.with_tokens(self.credentials, data)

    def _now(self) -> float:
        return self.context.clock.now().timestamp()

    async def ensure_fresh_token(self) -> None:
        """Refresh ahead of the absolute expiry so a long pull never meets an expired token."""
        left = tokens.seconds_left(self.credentials, "access_expires_at", self._now())
        if left is not None and left < REFRESH_AHEAD.total_seconds():
            await self.refresh_credentials(self.credentials)

    # -- pull ----------------------------------------------------------------------------

    async def pull(self, window: PullWindow) -> AsyncIterator[Page]:
        await self.ensure_fresh_token()
        until = int(window.until.timestamp())
        whole = windows.Slice(int(window.since.timestamp()) if window.since else 0, until)
        current = windows.decode(window.resume_token, whole)
        while True:
            try:
                async for page, position in self._walk(current, whole):
                    yield page
                    current = position
            except _TooMany:
                current = current.halved()
                self.log.info("tiktok.search_split", lo=current.lo, hi=current.hi)
                continue
            following = current.following(until)
            if following is None:
                return
            current = following

    async def _walk(
        self, part: windows.Slice, whole: windows.Slice
    ) -> AsyncIterator[tuple[Page, windows.Slice]]:
        """The pages of one slice, each with the position to resume from after it."""

        async def fetch(token: str | None) -> CursorPage[JsonObject]:
            page = await self._search(token, part)
            if token is None and (page.total or 0) > windows.SEARCH_CAP:
                raise _TooMany
            return page

        async for step in CursorPager(fetch, start=part.page_token).steps():
            listings = await self._listings_of(step.items)
            position = windows.Slice(part.lo, part.hi, step.resume_token)
            following = position if step.resume_token else part.following(whole.hi)
            yield (
                Page(
                    listings=listings.listings,
                    quarantined=listings.quarantined,
                    next_token=following.encode() if following else None,
                    progress=step.progress if (part.lo, part.hi) == (whole.lo, whole.hi) else None,
                ),
                position,
            )

    async def _search(self, token: str | None, part: windows.Slice) -> CursorPage[JsonObject]:
        page_size = min(MAX_PAGE_SIZE, self.context.settings.page_size)
        params: dict[str, str | int] = {"page_size": page_size}
        if token:
            params["page_token"] = token
        body = {"update_time_ge": part.lo, "update_time_le": part.hi}
        try:
            data = await self.call(
                "POST", SEARCH, params=params, body=body, operation="search_products"
            )
        except FatalError as exc:
            if exc.code == windows.TOO_MANY_RESULTS:
                raise _TooMany from exc
            raise
        try:
            products = get_objects(data, "products", required=False)
            total = get_int(data, "total_count", default=0)
        except PayloadError as exc:
            raise MalformedResponseError(
                f"search_products answered an unexpected shape: {exc}"
            ) from exc
        following = data.get("next_page_token")
        return CursorPage(
            items=products,
            next_token=following if isinstance(following, str) else None,
            total=total or None,
        )

    async def _listings_of(self, products: Sequence[JsonObject]) -> Page:
        results = await self.gather_bounded(products, self._product_listings)
        return Page.from_items(results)

    async def _product_listings(self, entry: JsonObject) -> list[Listing] | QuarantinedItem:
        """A search entry's listings; Get Product first when the entry lacks fields."""
        product_id = str(entry.get("id", "?"))
        try:
            refused = mapping.detail_refused(entry)
        except PayloadError as exc:
            return self.quarantine(product_id, str(exc))
        if refused or not mapping.needs_detail(entry):
            return self._mapped(entry, product_id, detail=False)
        try:
            detail = await self.get_product(product_id)
        except RequestRejectedError:
            raise
        except (FatalError, SkippableItemError) as exc:
            # Refused, or gone since the search: the entry is all there is (a deleted product's
            # listings must still come through as deleted).
            fallback = self._mapped(entry, product_id, detail=False)
            if isinstance(fallback, list) or isinstance(exc, SkippableItemError):
                return fallback if isinstance(fallback, list) else []
            return self.quarantine(product_id, str(exc))
        return self._mapped(detail, product_id, detail=True)

    def _mapped(
        self, product: JsonObject, product_id: str, *, detail: bool
    ) -> list[Listing] | QuarantinedItem:
        try:
            return mapping.product_listings(product, detail=detail)
        except PayloadError as exc:
            return self.quarantine(product_id, str(exc))

    async def get_product(self, product_id: str) -> JsonObject:
        path = PRODUCT.format(product_id=product_id)
        return await self.call("GET", path, operation="get_product")

    async def fetch_items(self, external_item_ids: Sequence[str]) -> Page:
        await self.ensure_fresh_token()

        async def read(product_id: str) -> list[Listing] | QuarantinedItem:
            try:
                detail = await self.get_product(product_id)
            except SkippableItemError:
                return []
            except RequestRejectedError:
                raise
            except FatalError as exc:
                return self.quarantine(product_id, str(exc))
            return self._mapped(detail, product_id, detail=True)

        return Page.from_items(
            await self.gather_bounded(list(dict.fromkeys(external_item_ids)), read)
        )

    # -- push primitives (adapters/tiktok/push.py) ---------------------------------------

    async def update_price(self, changes: Sequence[PriceChange]) -> list[RowResult]:
        await self.ensure_fresh_token()
        return await push.update_price(self, changes)

    async def update_stock(self, changes: Sequence[StockChange]) -> list[RowResult]:
        await self.ensure_fresh_token()
        return await push.update_stock(self, changes)

    async def set_listed(self, changes: Sequence[ListedChange]) -> list[RowResult]:
        await self.ensure_fresh_token()
        return await push.set_listed(self, changes)

    # -- webhooks ------------------------------------------------------------------------

    @classmethod
    def parse_webhook(
        cls, *, url: str, headers: Mapping[str, str], body: bytes, app_credentials: Credentials
    ) -> list[WebhookEvent]:
        return webhooks.parse(headers, body, app_credentials)


class _TooMany(Exception):  # a signal between two methods, never raised outward
    """The slice holds more products than one search may list: halve it."""


def _scalar(key: str, value: object) -> str:
    if isinstance(value, list):
        raise ValueError(f"TikTok Shop query parameter {key!r} must be a single value")
    return str(value)
