"""Shopee sandbox: the read endpoints (item list, base info, models, search, shop, limits).

Each handler takes a verified ``Call`` and returns a ``Reply`` (or raises ``ShopeeError``); the
gateway in ``sandbox.py`` wraps it in the envelope. Handlers are O(page), never O(catalog),
except ``search_item`` (a keyword scan, as a search must be).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import TypedDict

from adapters.shopee.sandbox_auth import ShopeeAuth
from adapters.shopee.sandbox_errors import (
    ITEM_NOT_FOUND,
    ITEM_STATUS_ERROR,
    OFFSET_OVER_LIMIT,
    SEARCH_NEEDS_FILTER,
    UPDATE_TIME_RANGE,
    Reply,
    ShopeeError,
    ShopeeSandboxSettings,
    missing_field,
    wrong_parameters,
)
from adapters.shopee.sandbox_params import Call, int_list, query_bool, query_int, query_list
from adapters.shopee.sandbox_render import base_info, model_list
from adapters.shopee.sandbox_store import DELETED, ITEM_STATUSES, ShopeeStore
from syncer.sandbox import SandboxStats

# Names under which /_sandbox/stats lists the item ids clients asked details for.
BASE_INFO_IDS = "base_info_item_ids"
MODEL_LIST_IDS = "model_list_item_ids"
_MAX_TIME = 2**32 - 1  # timestamps are uint32 in the data definition


class ItemListEntry(TypedDict):
    item_id: int
    item_status: str
    update_time: int
    tag: dict[str, bool]


@dataclass(frozen=True, slots=True)
class ShopeeReads:
    store: ShopeeStore
    auth: ShopeeAuth
    settings: ShopeeSandboxSettings
    stats: SandboxStats

    def get_item_list(self, call: Call) -> Reply:
        offset = _non_negative(query_int(call.query, "offset"), "offset")
        page_size = query_int(call.query, "page_size") or 0
        if not 1 <= page_size <= 100:
            raise wrong_parameters("page_size should be in [1,100]")
        statuses = _statuses(query_list(call.query, "item_status"), required=True)
        time_from = query_int(call.query, "update_time_from", required=False) or 0
        time_to = query_int(call.query, "update_time_to", required=False)
        time_to = _MAX_TIME if time_to is None else time_to
        if time_to < time_from:
            raise ShopeeError(UPDATE_TIME_RANGE)
        cap = self.settings.max_item_list_offset
        if cap is not None and offset + page_size > cap:
            raise ShopeeError(OFFSET_OVER_LIMIT)
        descending = self.settings.item_list_order == "update_time_desc"
        items, total = self.store.page(
            statuses, time_from, time_to, offset, page_size, descending=descending
        )
        rows = [
            ItemListEntry(
                item_id=item.item_id,
                item_status=item.status,
                update_time=item.update_time,
                tag={"kit": False},
            )
            for item in items
        ]
        next_offset = offset + len(rows)
        response = {
            "item": rows,
            "total_count": total,
            "has_next_page": next_offset < total,
            "next_offset": next_offset,
        }
        return Reply(response)

    def get_item_base_info(self, call: Call) -> Reply:
        """[I] Unknown (or purged) ids are left out of ``item_list`` and named in ``warning``;
        duplicates answered once."""
        ids = int_list(query_list(call.query, "item_id_list"), "item_id_list", limit=50)
        query_bool(call.query, "need_tax_info")
        query_bool(call.query, "need_complaint_policy")  # PL only: nothing to add for ID shops
        self.stats.record_ids(BASE_INFO_IDS, ids)
        with self.store.lock:
            found = {item_id: self.store.get(item_id) for item_id in dict.fromkeys(ids)}
            items = [base_info(item, self.settings) for item in found.values() if item is not None]
        missing = [str(item_id) for item_id, item in found.items() if item is None]
        # The guide: "if ... some data is not returned ..., the information will be reflected
        # in this field" ([I] the wording).
        warning = f"item_id not found: {','.join(missing)}" if missing else ""
        return Reply({"item_list": items}, warning=warning)

    def get_model_list(self, call: Call) -> Reply:
        item_id = query_int(call.query, "item_id")
        assert item_id is not None  # required=True raised otherwise
        self.stats.record_ids(MODEL_LIST_IDS, [item_id])
        with self.store.lock:
            item = self.store.get(item_id)
            if item is None:
                raise ShopeeError(ITEM_NOT_FOUND)
            return Reply(model_list(item, self.settings))

    def search_item(self, call: Call) -> Reply:
        """Keyword search; the cursor is opaque text as in the docs ([I] its encoding)."""
        page_size = query_int(call.query, "page_size") or 0
        if not 1 <= page_size <= 100:
            raise wrong_parameters("page_size should be in [1,100]")
        name = call.query.get("item_name", "")
        sku = call.query.get("item_sku", "")
        attribute_status = query_int(call.query, "attribute_status", required=False)
        if not name and not sku and attribute_status is None:
            raise ShopeeError(SEARCH_NEEDS_FILTER)
        listed = query_list(call.query, "item_status")
        # [I] without item_status, everything but deleted items
        statuses = _statuses(listed, required=False) or frozenset(ITEM_STATUSES) - DELETED
        start = _decode_cursor(call.query.get("offset", ""))
        # [I] the sandbox's items never lack attributes, so an attribute_status search is empty
        found = [] if attribute_status is not None else self.store.search(name, sku, statuses)
        page = found[start : start + page_size]
        end = start + len(page)
        next_offset = _encode_cursor(end) if end < len(found) else ""
        return Reply({"item_id_list": page, "total_count": len(found), "next_offset": next_offset})

    def get_shop_info(self, call: Call) -> Reply:
        """Answered at the top level, as in the official sample (no ``response`` wrapper)."""
        return Reply(
            {
                "shop_name": self.settings.shop_name,
                "region": "ID",
                "status": "NORMAL",
                "shop_fulfillment_flag": "Others",
                "is_cb": False,
                "is_upgraded_cbsc": False,
                "merchant_id": None,
                "is_sip": False,
                "is_main_shop": False,
                "is_direct_shop": False,
                "linked_main_shop_id": 0,
                "linked_direct_shop_list": [],
                "auth_time": self.auth.auth_time,
                "expire_time": self.auth.expire_time(),
                "is_one_awb": False,
                "is_mart_shop": False,
                "is_outlet_shop": False,
            }
        )

    def get_item_limit(self, call: Call) -> Reply:
        query_int(call.query, "category_id", required=False)
        low, high = self.settings.price_limit
        stock_low, stock_high = self.settings.stock_limit
        return Reply(
            {
                "price_limit": {"min_limit": low, "max_limit": high},
                "stock_limit": {"min_limit": stock_low, "max_limit": stock_high},
                # [I] the limits below are plausible ID values, not documented ones
                "item_name_length_limit": {"min_limit": 5, "max_limit": 255},
                "item_image_count_limit": {"min_limit": 1, "max_limit": 9},
                "item_description_length_limit": {"min_limit": 20, "max_limit": 3000},
                "tier_variation_name_length_limit": {"min_limit": 1, "max_limit": 14},
                "tier_variation_option_length_limit": {"min_limit": 1, "max_limit": 20},
                "item_count_limit": {"max_limit": 50_001},
                "wholesale_price_threshold_percentage": {"min_limit": 30, "max_limit": 100},
            }
        )


def _non_negative(value: int | None, name: str) -> int:
    if value is None or value < 0:
        raise wrong_parameters(f"{name} must not be negative")
    return value


def _statuses(values: list[str], *, required: bool) -> frozenset[str]:
    if not values and required:
        raise missing_field("item_status")
    if any(value not in ITEM_STATUSES for value in values):
        raise ShopeeError(ITEM_STATUS_ERROR)
    return frozenset(values)


def _encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"sbx:{position}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    if not cursor or cursor == "0":
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise wrong_parameters("offset is not a cursor from next_offset") from None
    prefix, _, position = text.partition(":")
    if prefix != "sbx" or not position.isdecimal():
        raise wrong_parameters("offset is not a cursor from next_offset")
    return int(position)
