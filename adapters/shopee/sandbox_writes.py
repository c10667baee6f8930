"""Shopee sandbox: the write endpoints (update_price, update_stock, unlist_item, delete_item).

One item per price/stock call, 1..50 rows, each row answered in ``success_list`` or
``failure_list`` with the official ``failed_reason`` strings. [I] ``update_time`` moves only when
a value really changed, and a batch in which every row failed answers the all-failed error the
endpoint documents (stock, unlist) with the lists still in ``response``.
"""

from __future__ import annotations

from collections.abc import Sized
from dataclasses import dataclass
from typing import TypedDict

from adapters.shopee.sandbox_errors import (
    CANNOT_DELIST_BANNED,
    DELETE_IN_PROMOTION,
    INVALID_PRICE,
    INVALID_PRODUCT_PARAM,
    ITEM_NOT_FOUND,
    ITEM_PRICE_HAS_MODELS,
    ITEM_PRICE_IN_PROMOTION,
    ITEM_STOCK_HAS_MODELS,
    ITEM_UNEDITABLE,
    LOCATION_MISMATCH,
    MODEL_PRICE_IN_PROMOTION,
    PRICE_ABOVE_MAX,
    PRICE_BELOW_MIN,
    PRICE_OUT_OF_RANGE,
    PRODUCT_NOT_FOUND,
    REPEAT_MODEL_ID,
    STOCK_ALL_FAILED,
    STOCK_BELOW_RESERVED,
    UNLIST_ALL_FAILED,
    UNLIST_IN_PROMOTION,
    WRONG_MODEL_ID,
    JSONObject,
    Reply,
    ShopeeError,
    ShopeeSandboxSettings,
    missing_field,
    wrong_parameters,
)
from adapters.shopee.sandbox_params import Call, body_int, body_objects, reject_repeats
from adapters.shopee.sandbox_store import DELETED, ShopeeItem, ShopeeStore
from syncer.sandbox import SandboxVariant


class Failure(TypedDict):
    model_id: int
    failed_reason: str


class ItemFailure(TypedDict):
    item_id: int
    failed_reason: str


class _Refused(Exception):
    """One row refused; carries its ``failed_reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ShopeeWrites:
    store: ShopeeStore
    settings: ShopeeSandboxSettings

    def update_price(self, call: Call) -> Reply:
        item_id = body_int(call.body, "item_id")
        rows = body_objects(call.body, "price_list", limit=50)
        reject_repeats(rows, "model_id", REPEAT_MODEL_ID)
        success: list[JSONObject] = []
        failure: list[Failure] = []
        with self.store.lock:
            item = self._editable(item_id)
            changed = False
            for row in rows:
                model_id = body_int(row, "model_id", default=0)
                try:
                    variant, price = self._price_row(item, model_id, row.get("original_price"))
                except _Refused as refused:
                    failure.append(Failure(model_id=model_id, failed_reason=refused.reason))
                    continue
                changed |= variant.price != price
                variant.price = price
                success.append({"model_id": model_id, "original_price": price})
            if changed:
                self.store.touch(item, call.now)
        return Reply({"success_list": success, "failure_list": failure}, warning=_partial(failure))

    def _price_row(
        self, item: ShopeeItem, model_id: int, raw: object
    ) -> tuple[SandboxVariant, int]:
        variant = self._unit(item, model_id, ITEM_PRICE_HAS_MODELS)
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise _Refused(INVALID_PRICE)
        if raw != int(raw):  # ID prices are whole rupiah ("other regions ... only an integer")
            raise _Refused(INVALID_PRICE)
        price = int(raw)
        low, high = self.settings.price_limit
        if price < low:
            raise _Refused(PRICE_BELOW_MIN)
        if price > high:
            raise _Refused(PRICE_ABOVE_MAX)
        if variant.promo_price is not None:
            raise _Refused(MODEL_PRICE_IN_PROMOTION if item.has_model else ITEM_PRICE_IN_PROMOTION)
        if not self._ratio_ok(item, variant, price):
            raise _Refused(PRICE_OUT_OF_RANGE)  # [I] the ratio rule's error string is undocumented
        return variant, price

    def _ratio_ok(self, item: ShopeeItem, variant: SandboxVariant, price: int) -> bool:
        limit = self.settings.price_ratio_limit
        if limit is None or not item.has_model:
            return True
        prices = [v.price for v in item.product.variants if v is not variant] + [price]
        return max(prices) <= limit * min(prices)

    def update_stock(self, call: Call) -> Reply:
        item_id = body_int(call.body, "item_id")
        rows = body_objects(call.body, "stock_list", limit=50)
        reject_repeats(rows, "model_id", REPEAT_MODEL_ID)
        success: list[JSONObject] = []
        failure: list[Failure] = []
        with self.store.lock:
            item = self._editable(item_id)
            changed = False
            for row in rows:
                model_id = body_int(row, "model_id", default=0)
                try:
                    variant, stock = self._stock_row(item, model_id, row)
                except _Refused as refused:
                    failure.append(Failure(model_id=model_id, failed_reason=refused.reason))
                    continue
                changed |= variant.stock != stock
                variant.stock = stock
                location = self.settings.location_id
                success.append({"model_id": model_id, "location_id": location, "stock": stock})
            if changed:
                self.store.touch(item, call.now)
        response: JSONObject = {"success_list": success, "failure_list": failure}
        if failure and not success:
            return Reply(response, error=STOCK_ALL_FAILED[0], message=STOCK_ALL_FAILED[1])
        return Reply(response, warning=_partial(failure))

    def _stock_row(
        self, item: ShopeeItem, model_id: int, row: JSONObject
    ) -> tuple[SandboxVariant, int]:
        entries = body_objects(row, "seller_stock", limit=50)
        variant = self._unit(item, model_id, ITEM_STOCK_HAS_MODELS)
        location = entries[0].get("location_id", "")
        # [I] a single-warehouse shop: one entry, without location_id or with the shop's own
        if len(entries) != 1 or location not in {"", self.settings.location_id}:
            raise _Refused(LOCATION_MISMATCH)
        stock = entries[0].get("stock")
        low, high = self.settings.stock_limit
        if isinstance(stock, bool) or not isinstance(stock, int) or not low <= stock <= high:
            raise _Refused(INVALID_PRODUCT_PARAM)
        if stock < variant.reserved_stock:
            raise _Refused(STOCK_BELOW_RESERVED)
        return variant, stock

    def _editable(self, item_id: int) -> ShopeeItem:
        item = self.store.get(item_id)
        if item is None:
            raise ShopeeError(ITEM_NOT_FOUND)
        if item.status in DELETED:  # "Items that are deleted will not be allowed to modify"
            raise ShopeeError(ITEM_UNEDITABLE)
        return item

    @staticmethod
    def _unit(item: ShopeeItem, model_id: int, item_level_refusal: str) -> SandboxVariant:
        if model_id == 0 and item.has_model:
            raise _Refused(item_level_refusal)
        variant = item.variant(model_id)
        if variant is None:
            raise _Refused(WRONG_MODEL_ID)
        return variant

    def unlist_item(self, call: Call) -> Reply:
        rows = body_objects(call.body, "item_list", limit=50)
        wanted = [(body_int(row, "item_id"), _flag(row)) for row in rows]
        success: list[JSONObject] = []
        failure: list[ItemFailure] = []
        with self.store.lock:
            for item_id, unlist in wanted:
                reason = self._unlist_one(item_id, unlist=unlist, now=call.now)
                if reason:
                    failure.append(ItemFailure(item_id=item_id, failed_reason=reason))
                else:
                    success.append({"item_id": item_id, "unlist": unlist})
        response: JSONObject = {"success_list": success, "failure_list": failure}
        if failure and not success:
            return Reply(response, error=UNLIST_ALL_FAILED[0], message=UNLIST_ALL_FAILED[1])
        return Reply(response, warning=_partial(failure))

    def _unlist_one(self, item_id: int, *, unlist: bool, now: int) -> str:
        """ "" when done, else the failed_reason."""
        item = self.store.get(item_id)
        if item is None or item.status in DELETED:
            return PRODUCT_NOT_FOUND  # [I] deleted items are gone for the seller

        if item.status in {"BANNED", "REVIEWING"}:
            return CANNOT_DELIST_BANNED
        if unlist and item.has_promotion:
            return UNLIST_IN_PROMOTION
        status = "UNLIST" if unlist else "NORMAL"
        if item.status != status:
            self.store.touch(item, now, status=status)
        return ""

    def delete_item(self, call: Call) -> Reply:
        """Seller deletion: status SELLER_DELETE; still readable, as the docs say (90 days)."""
        with self.store.lock:
            item = self.store.get(body_int(call.body, "item_id"))
            if item is None or item.status in DELETED:
                raise ShopeeError(ITEM_NOT_FOUND)
            if item.has_promotion:
                raise ShopeeError(DELETE_IN_PROMOTION)
            self.store.touch(item, call.now, status="SELLER_DELETE")
        return Reply()


def _flag(row: JSONObject) -> bool:
    value = row.get("unlist")
    if value is None:
        raise missing_field("unlist")
    if not isinstance(value, bool):
        raise wrong_parameters("unlist must be true or false")
    return value


def _partial(failure: Sized) -> str:
    """[I] The guide says a partly failed batch is "reflected in" ``warning``; its wording is
    not documented."""
    return f"{len(failure)} of the list failed, please check failure_list" if failure else ""
