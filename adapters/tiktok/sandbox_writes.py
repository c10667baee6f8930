"""TikTok Shop sandbox: the write endpoints (Update Inventory, Update Price, Activate and
Deactivate Products).

Per-row failures answer ``code: 0`` with ``data.errors`` in the shape of each page's sample
(inventory and activate wrap the reason in 12052990 "Check failed" + ``extra_errors``; deactivate
names it directly). [I] Update Price documents no ``errors`` list, so a bad row fails the whole
call (nothing applied). ``update_time`` moves only when a value really changes.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from adapters.tiktok.sandbox_errors import (
    CHECK_FAILED,
    CURRENCY_INVALID,
    INVALID_PARAMS,
    MULTIPLE_WAREHOUSES,
    NOT_YOUR_PRODUCT_ROW,
    PLATFORM_NOT_SUPPORTED,
    PRICE_FORMAT,
    PRICE_INVALID,
    PRICE_LOCKED,
    PRICE_TOO_HIGH,
    PRODUCT_NOT_EXIST,
    SKU_DUPLICATE,
    SKU_LIST_EMPTY,
    SKU_NOT_IN_PRODUCT,
    STOCK_INVALID,
    STOCK_LOCKED,
    STOCK_OUT_OF_RANGE,
    TOO_MANY_IDS,
    TOO_MANY_SKUS,
    WAREHOUSE_CHANGED,
    WAREHOUSE_NOT_EXIST,
    WRONG_STATUS,
    JSONObject,
    Pair,
    TikTokError,
    TikTokSandboxSettings,
)
from adapters.tiktok.sandbox_params import Call, as_id, body_ids
from adapters.tiktok.sandbox_store import TikTokProduct, TikTokSku, TikTokStore
from adapters.tiktok.sandbox_webhooks import WebhookHub
from adapters.tiktok.status import TIKTOK_SHOP, TOKOPEDIA

_DEACTIVATABLE = frozenset({"ACTIVATE", "PENDING", "SELLER_DEACTIVATED"})
_ACTIVATABLE = frozenset({"ACTIVATE", "PENDING", "SELLER_DEACTIVATED"})


class _RowError(Exception):
    def __init__(self, pair: Pair, warehouse_id: str = "") -> None:
        super().__init__(pair[1])
        self.pair = pair
        self.warehouse_id = warehouse_id


def _wrapped(id_field: str, row_id: str, error: _RowError) -> JSONObject:
    extra: JSONObject = {"code": error.pair[0], "message": error.pair[1]}
    if error.warehouse_id:
        extra["warehouse_id"] = error.warehouse_id
    return {
        "code": CHECK_FAILED[0],
        "message": "Check failed",
        "detail": {id_field: row_id, "extra_errors": [extra]},
    }


class TikTokWrites:
    def __init__(
        self, store: TikTokStore, settings: TikTokSandboxSettings, hooks: WebhookHub
    ) -> None:
        self.store = store
        self.settings = settings
        self.hooks = hooks

    # -- helpers -----------------------------------------------------------------------------

    def _editable(self, call: Call) -> TikTokProduct:
        raw = call.params["product_id"]
        item = self.store.get(int(raw)) if raw.isdecimal() else None
        if item is None:
            raise TikTokError(PRODUCT_NOT_EXIST)
        if item.deleted or set(item.platforms.values()) <= {"FREEZE", "DELETED"}:
            raise TikTokError(WRONG_STATUS)
        if self.settings.writes_need_activate and "ACTIVATE" not in item.platforms.values():
            raise TikTokError(WRONG_STATUS)
        return item

    def _rows(
        self, call: Call, item: TikTokProduct
    ) -> list[tuple[TikTokSku | None, str, JSONObject]]:
        rows = call.body.get("skus")
        if not isinstance(rows, list) or not rows:
            raise TikTokError(SKU_LIST_EMPTY)
        if len(rows) > 100:
            raise TikTokError(TOO_MANY_SKUS)
        if not all(isinstance(row, dict) for row in rows):
            raise TikTokError(INVALID_PARAMS)
        ids = [as_id(row.get("id")) for row in rows]
        if any(sku_id is None for sku_id in ids):
            raise TikTokError(INVALID_PARAMS)
        if len(set(ids)) != len(ids):
            raise TikTokError(SKU_DUPLICATE)
        return [
            (item.sku(sku_id or 0), str(sku_id), row) for sku_id, row in zip(ids, rows, strict=True)
        ]

    # -- inventory ---------------------------------------------------------------------------

    def update_inventory(self, call: Call) -> JSONObject:
        with self.store.lock:
            item = self._editable(call)
            errors: list[JSONObject] = []
            changed: list[TikTokSku] = []
            for sku, sku_id, row in self._rows(call, item):
                try:
                    if sku is None:
                        raise _RowError(SKU_NOT_IN_PRODUCT)
                    quantities = self._quantities(item, sku, row)
                except _RowError as error:
                    errors.append(_wrapped("sku_id", sku_id, error))
                    continue
                if quantities != sku.quantities:
                    before = sku.stock
                    sku.quantities = quantities
                    sku.variant.stock = sku.stock
                    changed.append(sku)
                    self.hooks.inventory(item, sku, before)
            if changed:
                self.store.touch(item, call.now)
        return {"errors": errors} if errors else {}

    def _quantities(self, item: TikTokProduct, sku: TikTokSku, row: JSONObject) -> list[int]:
        inventory = row.get("inventory")
        if (
            not isinstance(inventory, list)
            or not inventory
            or not all(isinstance(r, dict) for r in inventory)
        ):
            raise _RowError(STOCK_INVALID)
        given: dict[str, int] = {}
        for entry in inventory:
            warehouse = entry.get("warehouse_id")
            if warehouse is None and len(sku.warehouses) == 1 and len(inventory) == 1:
                warehouse = sku.warehouses[0]  # "optional if there is only 1 warehouse"
            if not isinstance(warehouse, str):
                raise _RowError(MULTIPLE_WAREHOUSES)
            if warehouse not in self.store.warehouses:
                raise _RowError(WAREHOUSE_NOT_EXIST, warehouse)
            if warehouse not in sku.warehouses:
                raise _RowError(WAREHOUSE_CHANGED, warehouse)
            quantity = entry.get("quantity")
            if isinstance(quantity, bool) or not isinstance(quantity, int):
                raise _RowError(STOCK_INVALID, warehouse)
            if not self.settings.min_quantity <= quantity <= self.settings.max_quantity:
                raise _RowError(STOCK_OUT_OF_RANGE, warehouse)
            given[warehouse] = quantity
        if set(given) != set(sku.warehouses):
            raise _RowError(MULTIPLE_WAREHOUSES)
        quantities = [given[warehouse] for warehouse in sku.warehouses]
        if item.price_locked and sum(quantities) < sku.stock:
            raise _RowError(STOCK_LOCKED)
        return quantities

    # -- price -------------------------------------------------------------------------------

    def update_price(self, call: Call) -> JSONObject:
        with self.store.lock:
            item = self._editable(call)
            prices: list[tuple[TikTokSku, int]] = []
            for sku, _sku_id, row in self._rows(call, item):
                if sku is None:
                    raise TikTokError(SKU_NOT_IN_PRODUCT)
                prices.append((sku, self._price(row)))
            if item.price_locked:
                raise TikTokError(PRICE_LOCKED)
            changed = [(sku, price) for sku, price in prices if sku.variant.price != price]
            for sku, price in changed:
                sku.variant.price = price
            if changed:
                self.store.touch(item, call.now)
                self.hooks.product_info(item, ["others"], source="OPEN_API")
        return {}

    def _price(self, row: JSONObject) -> int:
        price = row.get("price")
        if not isinstance(price, dict):
            raise TikTokError(PRICE_FORMAT)
        if price.get("currency") != "IDR":
            raise TikTokError(CURRENCY_INVALID)
        amount = price.get("amount")
        if not isinstance(amount, str):
            raise TikTokError(PRICE_FORMAT)
        try:
            value = Decimal(amount)
        except InvalidOperation:
            raise TikTokError(PRICE_FORMAT) from None
        if not value.is_finite() or value != value.to_integral_value():
            raise TikTokError(PRICE_INVALID)  # IDR has no minor unit
        low, high = self.settings.price_range
        if value > high:
            raise TikTokError(PRICE_TOO_HIGH)
        if value < low:
            raise TikTokError(PRICE_INVALID)
        return int(value)

    # -- activation --------------------------------------------------------------------------

    def activate(self, call: Call) -> JSONObject:
        return self._set_status(call, activate=True)

    def deactivate(self, call: Call) -> JSONObject:
        return self._set_status(call, activate=False)

    def _set_status(self, call: Call, *, activate: bool) -> JSONObject:
        ids = body_ids(call.body, "product_ids", limit=20, error=TOO_MANY_IDS)
        if not ids:
            raise TikTokError(INVALID_PARAMS)
        platforms = call.body.get("listing_platforms", [TIKTOK_SHOP])
        if (
            not isinstance(platforms, list)
            or not platforms
            or not set(platforms) <= {TIKTOK_SHOP, TOKOPEDIA}
        ):
            raise TikTokError(INVALID_PARAMS)
        errors: list[JSONObject] = []
        with self.store.lock:
            for product_id in ids:
                try:
                    self._switch(
                        product_id, [str(p) for p in platforms], call.now, activate=activate
                    )
                except _RowError as error:
                    if activate:
                        errors.append(_wrapped("product_id", str(product_id), error))
                    else:
                        detail = {"product_id": str(product_id)}
                        errors.append(
                            {"code": error.pair[0], "message": error.pair[1], "detail": detail}
                        )
        return {"errors": errors} if errors else {}

    def _switch(self, product_id: int, platforms: list[str], now: int, *, activate: bool) -> None:
        item = self.store.get(product_id)
        if item is None:
            raise _RowError(NOT_YOUR_PRODUCT_ROW)
        if any(platform not in item.platforms for platform in platforms):
            raise _RowError(PLATFORM_NOT_SUPPORTED)
        allowed = _ACTIVATABLE if activate else _DEACTIVATABLE
        if any(item.platforms[platform] not in allowed for platform in platforms):
            raise _RowError(WRONG_STATUS)
        target = "PENDING" if activate and self.settings.audit_seconds > 0 else "ACTIVATE"
        changed = False
        for platform in platforms:
            current = item.platforms[platform]
            new = (
                (current if current in ("ACTIVATE", "PENDING") else target)
                if activate
                else "SELLER_DEACTIVATED"
            )
            changed |= new != current
            item.platforms[platform] = new
        if activate and "PENDING" in item.platforms.values() and item.audit_due is None:
            item.audit_due = now + self.settings.audit_seconds
        if changed:
            self.store.touch(item, now)
            self.hooks.product_status(item, "PRODUCT_STATUS_CHANGED")
