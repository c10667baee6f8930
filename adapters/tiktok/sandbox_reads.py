"""TikTok Shop sandbox: the read endpoints (Search Products, Get Product, Inventory Search,
Get Authorized Shops).

[I] Search pages run in ``(update_time, id)`` order and the opaque ``page_token`` is a keyset
cursor (base64 of the last key): a product edited mid-walk moves behind the cursor and is read
again later, never skipped. Search with ``status`` ALL includes deleted products.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass

from adapters.tiktok.sandbox_auth import Identity
from adapters.tiktok.sandbox_errors import (
    CREATE_TIME_INVALID,
    INVALID_PARAMS,
    PAGE_NUMBER_INVALID,
    PAGE_SIZE_INVALID,
    PRODUCT_NOT_EXIST,
    SELLER_SKUS_LIMIT,
    SKU_IDS_LIMIT,
    TOO_MANY_IDS,
    TOO_MANY_RESULTS,
    UPDATE_TIME_INVALID,
    WRONG_STATUS,
    JSONObject,
    Pair,
    TikTokError,
    TikTokSandboxSettings,
)
from adapters.tiktok.sandbox_params import Call, body_ids, body_int, is_int_text
from adapters.tiktok.sandbox_render import detail, inventory_row, search_entry
from adapters.tiktok.sandbox_store import TikTokProduct, TikTokStore, key_of
from adapters.tiktok.status import PLATFORM_NAMES, PRODUCT_STATUSES
from syncer.sandbox import SandboxStats

_TOKEN_PREFIX = "k1:"  # noqa: S105  a page-token format tag, not a secret


def encode_token(key: int) -> str:
    return base64.urlsafe_b64encode(f"{_TOKEN_PREFIX}{key}".encode()).decode()


def decode_token(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise TikTokError(PAGE_NUMBER_INVALID) from None
    raw = text.removeprefix(_TOKEN_PREFIX)
    if not text.startswith(_TOKEN_PREFIX) or not raw.isdecimal():
        raise TikTokError(PAGE_NUMBER_INVALID)
    return int(raw)


@dataclass(frozen=True, slots=True)
class _Filter:
    statuses: frozenset[str] | None
    platforms: frozenset[str] | None
    seller_skus: frozenset[str]
    sku_ids: frozenset[int]
    created: tuple[int, int] | None
    updated: tuple[int, int] | None

    def simple(self) -> bool:
        """Only an update-time window: the total is a bisect, not a scan."""
        return not (
            self.statuses or self.platforms or self.seller_skus or self.sku_ids or self.created
        )

    def matches(self, item: TikTokProduct) -> bool:
        if self.updated and not self.updated[0] <= item.update_time <= self.updated[1]:
            return False
        if self.created and not self.created[0] <= item.product.created_time <= self.created[1]:
            return False
        platforms = {
            name: status
            for name, status in item.platforms.items()
            if self.platforms is None or name in self.platforms
        }
        if self.platforms is not None and not platforms:
            return False
        if self.statuses is not None and not set(platforms.values()) & self.statuses:
            return False
        if self.seller_skus and not any(sku.variant.sku in self.seller_skus for sku in item.skus):
            return False
        return not self.sku_ids or any(sku.sku_id in self.sku_ids for sku in item.skus)


class TikTokReads:
    def __init__(
        self,
        store: TikTokStore,
        identity: Identity,
        settings: TikTokSandboxSettings,
        stats: SandboxStats,
    ) -> None:
        self.store = store
        self.identity = identity
        self.settings = settings
        self.stats = stats

    def authorized_shops(self, call: Call) -> JSONObject:
        identity = self.identity
        shop = {
            "id": identity.shop_id,
            "name": self.settings.shop_name,
            "region": "ID",
            "seller_type": "LOCAL",
            "cipher": identity.shop_cipher,
            "code": identity.shop_code,
        }
        return {"shops": [shop]}

    def search(self, call: Call) -> JSONObject:
        raw_size = call.query.get("page_size", "")
        if not is_int_text(raw_size) or not 1 <= int(raw_size) <= 100:
            raise TikTokError(PAGE_SIZE_INVALID)
        size = int(raw_size)
        token = call.query.get("page_token") or ""
        criteria = _criteria(call.body, call.now)
        start = decode_token(token) if token else -1
        if criteria.updated:
            start = max(start, key_of(criteria.updated[0], 0) - 1)
        with self.store.lock:
            total = self._total(criteria)
            if (
                self.settings.max_search_results is not None
                and total > self.settings.max_search_results
            ):
                raise TikTokError(TOO_MANY_RESULTS)
            page, more = self._page(start, size, criteria)
            products = [search_entry(item) for item in page]
        data: JSONObject = {"total_count": total, "products": products}
        data["next_page_token"] = encode_token(page[-1].key) if more and page else ""
        return data

    def _page(self, start: int, size: int, criteria: _Filter) -> tuple[list[TikTokProduct], bool]:
        page: list[TikTokProduct] = []
        walk: Iterator[TikTokProduct] = self.store.walk(start)
        for item in walk:
            if criteria.updated and item.update_time > criteria.updated[1]:
                return page, False
            if not criteria.matches(item):
                continue
            if len(page) == size:
                return page, True
            page.append(item)
        return page, False

    def _total(self, criteria: _Filter) -> int:
        if criteria.simple():
            low, high = criteria.updated or (0, 2**40)
            return self.store.count_between(low, high)
        return sum(1 for item in self.store.walk(-1) if criteria.matches(item))

    def get_product(self, call: Call) -> JSONObject:
        item = self._product(call.params["product_id"])
        with self.store.lock:
            if item.deleted:
                raise TikTokError(PRODUCT_NOT_EXIST)  # [I] "not for DELETED" (API page)
            if set(item.platforms.values()) == {"FREEZE"}:
                raise TikTokError(WRONG_STATUS)  # [I] "not for FREEZE" (API page)
            self.stats.record_ids("get_product_ids", [str(item.product_id)])
            return detail(item)

    def _product(self, raw: str) -> TikTokProduct:
        item = self.store.get(int(raw)) if raw.isdecimal() else None
        if item is None:
            raise TikTokError(PRODUCT_NOT_EXIST)
        return item

    def inventory_search(self, call: Call) -> JSONObject:
        sku_ids = body_ids(call.body, "sku_ids", limit=600, error=INVALID_PARAMS)
        product_ids = body_ids(call.body, "product_ids", limit=100, error=TOO_MANY_IDS)
        rows: list[JSONObject] = []
        with self.store.lock:
            if sku_ids:  # sku_ids take precedence (API page)
                by_product: dict[int, list[int]] = {}
                for sku_id in sku_ids:
                    owner = self.store.skus.get(sku_id)
                    if owner is not None:
                        by_product.setdefault(owner.product_id, []).append(sku_id)
                for product_id, ids in by_product.items():
                    owned = self.store.products[product_id]
                    rows.append(inventory_row(owned, [s for s in owned.skus if s.sku_id in ids]))
            else:
                for product_id in product_ids:
                    item = self.store.get(product_id)
                    if item is not None and not item.deleted:
                        rows.append(inventory_row(item, item.skus))
        return {"inventory": rows}


def _criteria(body: JSONObject, now: int) -> _Filter:
    status = body.get("status", "ALL")
    if status != "ALL" and status not in PRODUCT_STATUSES:
        raise TikTokError(INVALID_PARAMS)
    platforms = _strings(body, "listing_platforms", INVALID_PARAMS)
    if platforms and (status == "ALL" or not set(platforms) <= set(PLATFORM_NAMES)):
        raise TikTokError(INVALID_PARAMS)  # "must also specify a status other than ALL"
    seller_skus = _strings(body, "seller_skus", INVALID_PARAMS)
    if len(seller_skus) > 10:
        raise TikTokError(SELLER_SKUS_LIMIT)
    sku_ids = body_ids(body, "sku_ids", limit=10, error=SKU_IDS_LIMIT)
    return _Filter(
        statuses=None if status == "ALL" else frozenset({str(status)}),
        platforms=frozenset(platforms) if platforms else None,
        seller_skus=frozenset(seller_skus),
        sku_ids=frozenset(sku_ids),
        created=_window(body, "create_time", now, CREATE_TIME_INVALID),
        updated=_window(body, "update_time", now, UPDATE_TIME_INVALID),
    )


def _window(body: JSONObject, name: str, now: int, error: Pair) -> tuple[int, int] | None:
    """``{name}_ge``/``{name}_le``: a missing ``le`` defaults to now, a missing ``ge`` to 0."""
    low = body_int(body, f"{name}_ge", error)
    high = body_int(body, f"{name}_le", error)
    if low is None and high is None:
        return None
    low, high = low or 0, now if high is None else high
    if low < 0 or high < low:
        raise TikTokError(error)
    return low, high


def _strings(body: JSONObject, name: str, error: Pair) -> list[str]:
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
        raise TikTokError(error)
    return list(value)
