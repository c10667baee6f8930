"""Shopee Open Platform v2 adapter: pull listings, push price, stock and listing state.

Pull: ``get_item_list`` (offset pages, every item status) → ``get_item_base_info`` (50 ids a
call) → ``get_model_list`` for items with models. Tokens: 4-hour access tokens refreshed ahead
of expiry with the single-use refresh token, the new pair saved before it is used.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from datetime import timedelta
from typing import ClassVar, TypeVar

import httpx

from adapters.shopee import envelope, lost_pushes, mapping, signing, webhooks
from syncer.adapter import (
    Credentials,
    HttpAdapter,
    JsonObject,
    ListedChange,
    LostWebhooks,
    OffsetPager,
    Page,
    PayloadError,
    PriceChange,
    PullWindow,
    QueryParams,
    RowResult,
    StockChange,
    get_bool,
    get_id,
    get_int,
    get_obj,
    get_objects,
    get_str,
    require_credentials,
)
from syncer.adapter.pagination import OffsetPage
from syncer.adapter.webhooks import WebhookEvent
from syncer.domain import Listing, ListingKey, QuarantinedItem
from syncer.errors import (
    AdapterError,
    FatalError,
    MalformedResponseError,
    NeedsReauthError,
    RequestRejectedError,
    SkippableItemError,
)

ITEM_LIST = "/api/v2/product/get_item_list"
BASE_INFO = "/api/v2/product/get_item_base_info"
MODEL_LIST = "/api/v2/product/get_model_list"
UPDATE_PRICE = "/api/v2/product/update_price"
UPDATE_STOCK = "/api/v2/product/update_stock"
UNLIST_ITEM = "/api/v2/product/unlist_item"
TOKEN_GET = "/api/v2/auth/token/get"  # noqa: S105  an API path, not a secret
TOKEN_REFRESH = "/api/v2/auth/access_token/get"  # noqa: S105  an API path, not a secret
PUBLIC_PATHS = frozenset({TOKEN_GET, TOKEN_REFRESH}) | lost_pushes.PATHS

SHOP_KEYS = ("partner_id", "partner_key", "access_token")
BATCH = 50  # item_id_list, price_list, stock_list and item_list all take 1..50 entries
PAGE_OVERLAP = 5  # entries of the previous item-list page read again (see OffsetPager)
REFRESH_AHEAD = timedelta(minutes=15)


T = TypeVar("T")


def _chunks(rows: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class ShopeeAdapter(HttpAdapter):
    name = "shopee"
    display_name = "Shopee"
    sandbox = "adapters.shopee.sandbox:ShopeeSandbox"
    app_credential_keys = ("partner_id", "partner_key")
    shop_credential_keys = ("access_token", "refresh_token")
    # update_price/update_stock: one item and 1..50 models a call; unlist_item: 1..50 items.
    push_batch_limits: ClassVar[Mapping[str, int]] = {
        "price": BATCH,
        "stock": BATCH,
        "listed": BATCH,
    }
    push_batch_per_item = frozenset({"price", "stock"})

    # -- signing and envelope ------------------------------------------------------------

    def build_request(
        self, method: str, path: str, params: QueryParams, body: JsonObject | None
    ) -> httpx.Request:
        needed = ("partner_id", "partner_key") if path in PUBLIC_PATHS else SHOP_KEYS
        require_credentials(self.credentials, needed)
        partner_id = self.credentials["partner_id"]
        timestamp = int(self.context.clock.now().timestamp())
        common: dict[str, str | int] = {"partner_id": partner_id, "timestamp": timestamp}
        if path in PUBLIC_PATHS:
            common["sign"] = signing.sign(
                self.credentials["partner_key"], partner_id, path, timestamp
            )
        else:
            token, shop_id = self.credentials["access_token"], self.context.shop_external_id
            common |= {"access_token": token, "shop_id": shop_id}
            common["sign"] = signing.sign(
                self.credentials["partner_key"],
                partner_id,
                path,
                timestamp,
                access_token=token,
                shop_id=shop_id,
            )
        return self.client.build_request(method, path, params={**params, **common}, json=body)

    def parse_response(self, response: httpx.Response, operation: str) -> JsonObject:
        body = envelope.parse(response, operation)
        if warning := body.get("warning"):  # e.g. ids not returned, rows that failed
            self.log.info("shopee.warning", operation=operation, warning=str(warning)[:300])
        return body

    # -- tokens --------------------------------------------------------------------------

    async def refresh_credentials_now(self) -> Credentials:
        if not self.credentials.get("refresh_token"):
            raise NeedsReauthError("no refresh token is stored for this shop; re-authorize it")
        body = {
            "refresh_token": self.credentials["refresh_token"],
            "partner_id": int(self.credentials["partner_id"]),
            "shop_id": int(self.context.shop_external_id),
        }
        answer = await self.call(
            "POST", TOKEN_REFRESH, body=body, operation="refresh_token", refresh=False
        )
        return self._with_tokens(answer)

    async def authorize(self, code: str) -> Credentials:
        """Trade a one-time authorization code for the shop's first token pair."""
        body = {
            "code": code,
            "partner_id": int(self.credentials["partner_id"]),
            "shop_id": int(self.context.shop_external_id),
        }
        answer = await self.call("POST", TOKEN_GET, body=body, operation="get_token", refresh=False)
        return self._with_tokens(answer)

    def _with_tokens(self, answer: JsonObject) -> Credentials:
        try:
            expires = self.context.clock.now() + timedelta(seconds=get_int(answer, "expire_in"))
            return {
                **self.credentials,
                "access_token": get_str(answer, "access_token"),
                "refresh_token": get_str(answer, "refresh_token"),
                "access_expires_at": str(int(expires.timestamp())),
            }
        except PayloadError as exc:
            raise NeedsReauthError(f"token answer is not usable: {exc}") from exc

    async def ensure_fresh_token(self) -> None:
        """Refresh ahead of expiry so a long pull never runs into an expired token."""
        expires_at = self.credentials.get("access_expires_at", "")
        if not expires_at.isdigit():
            return
        remaining = int(expires_at) - self.context.clock.now().timestamp()
        if remaining < REFRESH_AHEAD.total_seconds():
            await self.refresh_credentials(self.credentials)

    # -- pull ----------------------------------------------------------------------------

    async def pull(self, window: PullWindow) -> AsyncIterator[Page]:
        await self.ensure_fresh_token()

        async def fetch(offset: int) -> OffsetPage:
            return await self._item_list_page(offset, window)

        start = int(window.resume_token) if window.resume_token else 0
        pager = OffsetPager(fetch, start=start, overlap=PAGE_OVERLAP, log=self.log)
        async for step in pager.steps():
            page = await self._read_items(step.ids)
            next_token = None if step.resume_offset is None else str(step.resume_offset)
            yield Page(
                listings=page.listings,
                quarantined=page.quarantined,
                next_token=next_token,
                progress=step.progress,
            )

    async def _item_list_page(self, offset: int, window: PullWindow) -> OffsetPage:
        params: dict[str, str | int | list[str]] = {
            "offset": offset,
            "page_size": min(100, self.context.settings.page_size),
            "item_status": list(mapping.ITEM_STATUSES),
        }
        if window.since is not None:
            # No update_time_to: an item updated mid-pass then moves within the window instead
            # of leaving it, so later entries do not shift past us (see OffsetPager).
            params["update_time_from"] = int(window.since.timestamp())
        answer = await self.call("GET", ITEM_LIST, params=params, operation="get_item_list")
        try:
            body = get_obj(answer, "response")
            ids = [get_id(entry, "item_id") for entry in get_objects(body, "item", required=False)]
            return OffsetPage(
                ids=ids,
                has_next=get_bool(body, "has_next_page", default=False),
                next_offset=get_int(body, "next_offset", default=offset + len(ids)),
                total=get_int(body, "total_count", default=0) or None,
            )
        except PayloadError as exc:
            raise MalformedResponseError(
                f"get_item_list answered an unexpected shape: {exc}"
            ) from exc

    async def fetch_items(self, external_item_ids: Sequence[str]) -> Page:
        await self.ensure_fresh_token()
        return await self._read_items(list(external_item_ids))

    async def _read_items(self, item_ids: Sequence[str]) -> Page:
        """Base info in batches of 50, then model lists; bad items are quarantined."""
        batches = await self.gather_bounded(list(_chunks(item_ids, BATCH)), self._base_info)
        items = [item for batch in batches for item in batch]
        return Page.from_items(await self.gather_bounded(items, self._item_listings))

    async def _base_info(self, item_ids: Sequence[str]) -> list[JsonObject]:
        """Base info of up to 50 items. If the batch is refused because some id no longer
        exists, the halves are asked apart until the gone ids are alone (and left out)."""
        params = {"item_id_list": ",".join(item_ids)}
        try:
            answer = await self.call(
                "GET", BASE_INFO, params=params, operation="get_item_base_info"
            )
        except SkippableItemError:
            if len(item_ids) == 1:
                return []
            middle = len(item_ids) // 2
            halves = await asyncio.gather(
                self._base_info(item_ids[:middle]), self._base_info(item_ids[middle:])
            )
            return [item for half in halves for item in half]
        try:
            return get_objects(get_obj(answer, "response"), "item_list", required=False)
        except PayloadError as exc:
            raise MalformedResponseError(
                f"get_item_base_info answered an unexpected shape: {exc}"
            ) from exc

    async def _item_listings(self, item: JsonObject) -> list[Listing] | QuarantinedItem:
        item_id = str(item.get("item_id", "?"))
        try:
            if not mapping.has_models(item):
                return [mapping.item_listing(item)]
            answer = await self.call(
                "GET", MODEL_LIST, params={"item_id": item_id}, operation="get_model_list"
            )
            return mapping.model_listings(item, get_obj(answer, "response"))
        except SkippableItemError:
            return []  # deleted between the item list and this call: absent, as if unlisted
        except RequestRejectedError:
            raise  # not about this item: every call would fail
        except (PayloadError, FatalError) as exc:
            return self.quarantine(item_id, str(exc))

    # -- webhooks (adapters/shopee/webhooks.py) ------------------------------------------

    @classmethod
    def parse_webhook(
        cls, *, url: str, headers: Mapping[str, str], body: bytes, app_credentials: Credentials
    ) -> list[WebhookEvent]:
        return webhooks.parse(url=url, headers=headers, body=body, app_credentials=app_credentials)

    recovers_lost_webhooks = True

    async def lost_webhooks(self) -> LostWebhooks:
        return await lost_pushes.fetch(self)

    # -- push primitives -----------------------------------------------------------------

    async def update_price(self, changes: Sequence[PriceChange]) -> list[RowResult]:
        rows = [
            (c.key, {"model_id": mapping.model_id_of(c.key[1]), "original_price": c.price})
            for c in changes
        ]
        return await self._per_item(UPDATE_PRICE, "price_list", rows, "update_price")

    async def update_stock(self, changes: Sequence[StockChange]) -> list[RowResult]:
        rows = [
            (
                c.key,
                {"model_id": mapping.model_id_of(c.key[1]), "seller_stock": [{"stock": c.stock}]},
            )
            for c in changes
        ]
        return await self._per_item(UPDATE_STOCK, "stock_list", rows, "update_stock")

    async def _per_item(
        self, path: str, list_field: str, rows: Sequence[tuple[ListingKey, JsonObject]], op: str
    ) -> list[RowResult]:
        """One call per item and 50 rows (the endpoint takes one item_id at a time)."""
        await self.ensure_fresh_token()
        latest = dict(rows)  # Shopee refuses a repeated model_id: the last value wins
        by_item: dict[str, list[tuple[ListingKey, JsonObject]]] = defaultdict(list)
        for key, row in latest.items():
            by_item[key.external_item_id].append((key, row))
        calls = [
            (item, chunk)
            for item, item_rows in by_item.items()
            for chunk in _chunks(item_rows, BATCH)
        ]

        async def send(
            call: tuple[str, Sequence[tuple[ListingKey, JsonObject]]],
        ) -> list[RowResult]:
            item_id, chunk = call
            body = {"item_id": int(item_id), list_field: [row for _, row in chunk]}
            keys = [key for key, _ in chunk]
            try:
                answer = await self.call("POST", path, body=body, operation=op)
            except (NeedsReauthError, RequestRejectedError):
                raise  # about the shop or the app, not these rows
            except AdapterError as exc:
                return [RowResult.failed(key, exc) for key in keys]
            return mapping.model_results(keys, answer)

        results = await self.gather_bounded(calls, send)
        return [row for chunk in results for row in chunk]

    async def set_listed(self, changes: Sequence[ListedChange]) -> list[RowResult]:
        await self.ensure_fresh_token()

        async def send(chunk: Sequence[ListedChange]) -> list[RowResult]:
            body = {
                "item_list": [
                    {"item_id": int(c.external_item_id), "unlist": not c.listed} for c in chunk
                ]
            }
            keys = [ListingKey(c.external_item_id, "") for c in chunk]
            try:
                answer = await self.call("POST", UNLIST_ITEM, body=body, operation="unlist_item")
            except (NeedsReauthError, RequestRejectedError):
                raise
            except AdapterError as exc:
                return [RowResult.failed(key, exc) for key in keys]
            return mapping.item_results(keys, answer)

        latest = list({change.external_item_id: change for change in changes}.values())
        results = await self.gather_bounded(list(_chunks(latest, BATCH)), send)
        return [row for chunk in results for row in chunk]
