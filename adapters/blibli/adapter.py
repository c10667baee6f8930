"""Blibli Seller API adapter: pull products and their SKUs, push stock, price and buyability.

Auth: Basic (the integrator's API client) plus the store's ``Api-Seller-Key``, and the request
signature when the seller set a signature key. Pull: Product List V3 (``/products/filter``,
50 a page) once per product state, then each product's variant list; one Listing per L4 SKU.
Blibli budgets each API per store (25 list calls a minute ...): every call holds a slot of its
operation's ``WindowBudget`` so the limits are kept, never discovered through a 429.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from typing import ClassVar

import httpx

from adapters.blibli import envelope, mapping, signing, webhooks
from adapters.blibli.bulk import run_bulk
from adapters.blibli.mapping import Verdict
from adapters.blibli.payloads import BulkRow
from syncer.adapter import (
    REAL_TIME,
    Budget,
    Credentials,
    HttpAdapter,
    JsonObject,
    ListedChange,
    Page,
    PayloadError,
    PollPolicy,
    PriceChange,
    PullWindow,
    QueryParams,
    RowResult,
    StockChange,
    TimeBase,
    WebhookEvent,
    get_int,
    get_obj,
    get_objects,
    get_str,
    require_credentials,
    shared_budgets,
)
from syncer.adapter.base import AdapterContext
from syncer.domain import Listing, ListingKey, QuarantinedItem
from syncer.errors import (
    AdapterError,
    FatalError,
    MalformedResponseError,
    NeedsReauthError,
    RequestRejectedError,
    SkippableItemError,
)

PRODUCT_LIST = "/seller/v1/products/filter"
RECONNECT = "`syncer shops add --marketplace blibli ... --credential KEY=VALUE`"
STORE_ID = "10001"  # always 10001 [V]
PAGE_MAX = 50  # Product List V3 caps size at 50 [V3]
SINGLE_STOCK_MAX = 10  # more exact-stock rows than this go through the bulk update
# Documented per-store budgets by operation (marketplaces/README 4.6).
BUDGETS: Mapping[str, Budget] = {
    "product_list": Budget(25, 60.0),
    "bulk_update": Budget(25, 60.0),
    "update_stock": Budget(60, 60.0),
}


def parse_budgets(extra: Mapping[str, str]) -> dict[str, Budget]:
    """The documented budgets, with ``budget.<operation> = "<limit>/<seconds>"`` overrides."""
    budgets = dict(BUDGETS)
    for key, value in extra.items():
        if not key.startswith("budget."):
            continue
        limit, _, window = value.partition("/")
        try:
            budgets[key.removeprefix("budget.")] = Budget(int(limit), float(window or 60))
        except ValueError as exc:
            raise FatalError(
                f"setting {key}={value!r}: expected '<requests>/<seconds>', e.g. '25/60'"
            ) from exc
    return budgets


def _page_token(token: str | None) -> tuple[int, int]:
    """(state index, page) from a resume token "state:page"."""
    if not token:
        return 0, 0
    state, _, page = token.partition(":")
    if not (state.isdigit() and page.isdigit()) or int(state) >= len(mapping.LIST_STATES):
        raise FatalError(f"resume token {token!r} is not 'state:page'; start a new pass")
    return int(state), int(page)


class BlibliAdapter(HttpAdapter):
    name = "blibli"
    display_name = "Blibli"
    sandbox = "adapters.blibli.sandbox:BlibliSandbox"
    app_credential_keys = ("client_id", "client_secret")
    """The integrator's API client (``mta-api-...``) and its key; optional ``channel_id`` and
    ``webhook_signature_key``/``webhook_token`` for push notifications."""
    shop_credential_keys = ("api_seller_key", "username")
    """The store's Api-Seller-Key and the seller's Seller Center login; optional
    ``signature_key`` when the seller set one. The shop id is the store code (``TOQ-15126``)."""
    # One bulk call takes 100 SKUs; a set_listed item first lists its SKUs (2 on average).
    push_batch_limits: ClassVar[Mapping[str, int]] = {"price": 100, "stock": 100, "listed": 50}
    poll_policy: ClassVar[PollPolicy] = PollPolicy(first_wait_s=0.5, max_wait_s=10, timeout_s=900)

    def __init__(self, context: AdapterContext) -> None:
        super().__init__(context)
        clock = context.clock
        self.time_base: TimeBase = clock if isinstance(clock, TimeBase) else REAL_TIME
        self.budgets = shared_budgets(
            self.limiter, parse_budgets(context.settings.extra), self.time_base
        )
        self.store_code = context.shop_external_id

    def request_slot(self, operation: str) -> AbstractAsyncContextManager[object]:
        return self.budgets.slot(operation)

    # -- auth, signing and envelope ------------------------------------------------------

    def build_request(
        self, method: str, path: str, params: QueryParams, body: JsonObject | None
    ) -> httpx.Request:
        creds = self.credentials
        needed = ("client_id", "client_secret", "api_seller_key", "username")
        require_credentials(creds, needed, reconnect=RECONNECT)
        request_id = str(uuid.uuid4())
        query: dict[str, str | int | list[str] | list[int]] = {
            **params,
            "requestId": request_id,
            "storeId": STORE_ID,
            "channelId": creds.get("channel_id") or "marketplace-syncer",
            "username": creds["username"],
            "storeCode": self.store_code,
            "businessPartnerCode": self.store_code,
            "merchantCode": self.store_code,
        }
        content = (
            json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
            if body is not None
            else None
        )
        headers = {
            "Authorization": signing.basic_auth(creds["client_id"], creds["client_secret"]),
            "Api-Seller-Key": creds["api_seller_key"],
            "Accept": signing.JSON,
            "Content-Type": signing.JSON,
            "requestId": request_id,
        }
        if key := creds.get("signature_key"):
            moment = self.context.clock.now()
            raw = signing.raw_string(method, content, moment, path)
            headers["Signature"] = signing.sign(key, raw)
            headers["Signature-Time"] = str(signing.millis(moment))
        return self.client.build_request(
            method, path, params=query, content=content, headers=headers
        )

    def parse_response(self, response: httpx.Response, operation: str) -> JsonObject:
        return envelope.parse(response, operation)

    async def refresh_credentials_now(self) -> Credentials:
        raise NeedsReauthError(
            "Blibli refused the store's keys; the seller must issue a new Api-Seller-Key"
        )

    @classmethod
    def parse_webhook(
        cls, *, url: str, headers: Mapping[str, str], body: bytes, app_credentials: Credentials
    ) -> list[WebhookEvent]:
        return webhooks.parse(url=url, headers=headers, body=body, app_credentials=app_credentials)

    # -- pull ----------------------------------------------------------------------------

    async def pull(self, window: PullWindow) -> AsyncIterator[Page]:
        """Every state's product list in turn; in an incremental pass only products updated
        since ``window.since`` are read further (the list has no update-time filter)."""
        since_ms = signing.millis(window.since) if window.since else None
        state_index, page = _page_token(window.resume_token)
        size = min(PAGE_MAX, self.context.settings.page_size)
        while state_index < len(mapping.LIST_STATES):
            entries, total_pages = await self._list_page(
                mapping.LIST_STATES[state_index], page, size
            )
            wanted = [e for e in entries if since_ms is None or _updated(e) >= since_ms]
            found = await self._read_products(wanted)
            if entries and page + 1 < total_pages:
                page += 1
            else:
                state_index, page = state_index + 1, 0
            done = state_index >= len(mapping.LIST_STATES)
            yield replace(found, next_token=None if done else f"{state_index}:{page}")

    async def _list_page(self, state: str, page: int, size: int) -> tuple[list[JsonObject], int]:
        body: JsonObject = {
            "filter": {"state": state},
            "paging": {"page": page, "size": size},
            "sorting": {"by": "createdDate", "direction": "ASC"},
        }
        answer = await self.call("POST", PRODUCT_LIST, body=body, operation="product_list")
        try:
            entries = get_objects(answer, "content", required=False)
            return entries, get_int(get_obj(answer, "paging"), "totalPage")
        except PayloadError as exc:
            raise MalformedResponseError(
                f"product list answered an unexpected shape: {exc}"
            ) from exc

    async def fetch_items(self, external_item_ids: Sequence[str]) -> Page:
        summaries = await self.gather_bounded(list(external_item_ids), self._detail)
        return await self._read_products([s for s in summaries if s is not None])

    async def _detail(self, product_sku: str) -> JsonObject | None:
        path = f"/seller/v1/products/{product_sku}"
        try:
            answer = await self.call("GET", path, operation="product_detail")
            return get_obj(answer, "content")
        except SkippableItemError:
            return None  # gone: absent, as the engine expects
        except PayloadError:
            return {"product": {"sku": product_sku}, "unreadable": True}

    async def _read_products(self, summaries: Sequence[JsonObject]) -> Page:
        return Page.from_items(await self.gather_bounded(list(summaries), self._product_listings))

    async def _product_listings(self, summary: JsonObject) -> list[Listing] | QuarantinedItem:
        product = summary.get("product")
        sku = str(product.get("sku", "?")) if isinstance(product, Mapping) else "?"
        try:
            if summary.get("unreadable"):
                raise PayloadError("the product detail has an unexpected shape")
            mapping.product_ref(summary)
            return mapping.listings(summary, await self.variants(sku))
        except SkippableItemError:
            return []  # deleted between the list and this call
        except RequestRejectedError:
            raise  # not about this product: every call would fail
        except (PayloadError, FatalError) as exc:
            return self.quarantine(sku, str(exc))

    async def variants(self, product_sku: str) -> list[JsonObject]:
        """Every L4 SKU of a product with its pickup points (paged, 50 a page)."""
        path = f"/seller/v1/products/{product_sku}/variants/filter"
        found: list[JsonObject] = []
        page = 0
        while True:
            body: JsonObject = {"paging": {"page": page, "size": PAGE_MAX}}
            answer = await self.call("POST", path, body=body, operation="variant_list")
            found += get_objects(answer, "content")
            if page + 1 >= get_int(get_obj(answer, "paging"), "totalPage"):
                return found
            page += 1

    # -- push primitives -----------------------------------------------------------------

    async def update_stock(self, changes: Sequence[StockChange]) -> list[RowResult]:
        latest = {change.key: change.stock for change in changes}
        if len(latest) <= SINGLE_STOCK_MAX:
            return await self.gather_bounded(list(latest.items()), self._exact_stock)
        rows: list[BulkRow] = [
            {"gdnSku": key.external_variant_id, "exactStock": stock}
            for key, stock in latest.items()
        ]
        return await self._bulk(list(latest), rows)

    async def _exact_stock(self, change: tuple[ListingKey, int]) -> RowResult:
        key, stock = change
        path = f"/seller/v1/products/{key.external_variant_id}/stock"
        try:
            await self.call("PUT", path, body={"availableStock": stock}, operation="update_stock")
        except (NeedsReauthError, RequestRejectedError):
            raise
        except AdapterError as exc:
            return RowResult.failed(key, exc)
        return RowResult(key=key, ok=True)

    async def update_price(self, changes: Sequence[PriceChange]) -> list[RowResult]:
        latest = {change.key: change.price for change in changes}
        # price and salePrice travel together [V]: the new price, without a seller discount.
        rows: list[BulkRow] = [
            {"gdnSku": key.external_variant_id, "price": price, "salePrice": price}
            for key, price in latest.items()
        ]
        return await self._bulk(list(latest), rows)

    async def _bulk(self, keys: Sequence[ListingKey], rows: Sequence[BulkRow]) -> list[RowResult]:
        verdicts = await run_bulk(self, rows)
        return mapping.row_results([(key, [key.external_variant_id]) for key in keys], verdicts)

    async def set_listed(self, changes: Sequence[ListedChange]) -> list[RowResult]:
        """Buyable and displayable on or off for every SKU of each product."""
        latest = {change.external_item_id: change.listed for change in changes}
        found = await self.gather_bounded(list(latest), self._skus_or_verdict)
        rows: list[BulkRow] = []
        spans: list[tuple[ListingKey, list[str]]] = []
        verdicts: dict[str, Verdict] = {}
        for (item, listed), skus in zip(latest.items(), found, strict=True):
            if isinstance(skus, Verdict):
                verdicts[item] = skus
                spans.append((ListingKey(item, ""), [item]))
                continue
            spans.append((ListingKey(item, ""), skus))
            rows += [{"gdnSku": sku, "buyable": listed, "displayable": listed} for sku in skus]
        if rows:
            verdicts.update(await run_bulk(self, rows))
        return mapping.row_results(spans, verdicts)

    async def _skus_or_verdict(self, product_sku: str) -> list[str] | Verdict:
        try:
            variants = await self.variants(product_sku)
            return [get_str(variant, "blibliSku") for variant in variants]
        except (NeedsReauthError, RequestRejectedError):
            raise
        except SkippableItemError:
            return Verdict("the product no longer exists on Blibli")
        except PayloadError as exc:
            return Verdict(f"unreadable variant list: {exc}", retriable=True)
        except AdapterError as exc:
            return Verdict(str(exc), exc.code, exc.retriable)


def _updated(entry: JsonObject) -> int:
    """A list entry's update time in ms; an unreadable one is read (and quarantined) anyway."""
    try:
        return mapping.updated_ms(entry)
    except PayloadError:
        return 2**62
