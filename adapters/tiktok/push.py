"""TikTok Shop push primitives: price, stock (every warehouse of a SKU) and (de)activation.

Price and inventory updates take one product per call (its SKUs together); activation takes up
to 20 products. Per-row failures come back in ``data.errors`` (``results.row_results``). A
failure of the whole call fails its rows with the reason, except when it is about the shop or
the app (re-authorization, signature), which stops the push.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

from adapters.tiktok import mapping
from adapters.tiktok.results import readable, row_results
from syncer.adapter import (
    JsonObject,
    ListedChange,
    PayloadError,
    PriceChange,
    RowResult,
    StockChange,
    get_id,
    get_int,
    get_objects,
)
from syncer.domain import ListingKey
from syncer.errors import AdapterError, NeedsReauthError, RequestRejectedError, SkippableItemError

if TYPE_CHECKING:
    from adapters.tiktok.adapter import TikTokAdapter

PRICE_UPDATE = "/product/202309/products/{product_id}/prices/update"
INVENTORY_UPDATE = "/product/202309/products/{product_id}/inventory/update"
INVENTORY_SEARCH = "/product/202309/inventory/search"
ACTIVATE = "/product/202309/products/activate"
DEACTIVATE = "/product/202309/products/deactivate"
INVENTORY_SEARCH_LIMIT = 100  # product_ids per inventory search
STATUS_BATCH = 20  # product_ids per activate/deactivate
PRODUCT_GONE = 12052032
SKU_GONE = 12052556

T = TypeVar("T")
Warehouses = list[tuple[str, int]]


def chunks(rows: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def distribute(target: int, current: Warehouses) -> Warehouses:
    """Quantities per warehouse summing to ``target``, moving as little as possible: a rise
    goes to the first (default) warehouse; a fall is taken from the first warehouses on."""
    if target < 0:
        raise ValueError(f"stock must not be negative, got {target}")
    result = [(warehouse, max(0, quantity)) for warehouse, quantity in current]
    delta = target - sum(quantity for _, quantity in result)
    if not result:
        return result
    if delta >= 0:
        warehouse, quantity = result[0]
        result[0] = (warehouse, quantity + delta)
        return result
    for index, (warehouse, quantity) in enumerate(result):
        taken = min(quantity, -delta)
        result[index] = (warehouse, quantity - taken)
        delta += taken
    return result


def _failed(key: ListingKey, error: AdapterError) -> RowResult:
    code = int(error.code) if error.code.lstrip("-").isdigit() else -1
    message = str(error).split(": ", 2)[-1]
    return RowResult(
        key=key,
        ok=False,
        reason=readable(code, message),
        code=error.code,
        retriable=error.retriable,
    )


def _gone(key: ListingKey, code: int) -> RowResult:
    return RowResult(key=key, ok=False, reason=readable(code, ""), code=str(code))


async def _send(
    adapter: TikTokAdapter,
    path: str,
    body: JsonObject,
    keys: Sequence[ListingKey],
    *,
    by: str,
    op: str,
) -> list[RowResult]:
    try:
        answer = await adapter.call("POST", path, body=body, operation=op)
    except (NeedsReauthError, RequestRejectedError):
        raise  # about the shop or the app, not these rows
    except AdapterError as exc:
        return [_failed(key, exc) for key in keys]
    return row_results(keys, answer, by=by)


def _by_product(keys: Sequence[ListingKey]) -> dict[str, list[ListingKey]]:
    grouped: dict[str, list[ListingKey]] = defaultdict(list)
    for key in keys:
        grouped[key.external_item_id].append(key)
    return grouped


async def update_price(adapter: TikTokAdapter, changes: Sequence[PriceChange]) -> list[RowResult]:
    latest = {change.key: change.price for change in changes}  # the last value wins

    async def send(item: tuple[str, list[ListingKey]]) -> list[RowResult]:
        product_id, keys = item
        skus = [
            {
                "id": key.external_variant_id,
                "price": {"amount": str(latest[key]), "currency": "IDR"},
            }
            for key in keys
        ]
        path = PRICE_UPDATE.format(product_id=product_id)
        return await _send(adapter, path, {"skus": skus}, keys, by="sku_id", op="update_price")

    results = await adapter.gather_bounded(list(_by_product(list(latest)).items()), send)
    return _in_order(changes, [row for chunk in results for row in chunk])


async def update_stock(adapter: TikTokAdapter, changes: Sequence[StockChange]) -> list[RowResult]:
    latest = {change.key: change.stock for change in changes}
    grouped = _by_product(list(latest))
    warehouses = await _warehouses(adapter, list(grouped))

    async def send(item: tuple[str, list[ListingKey]]) -> list[RowResult]:
        product_id, keys = item
        known = warehouses.get(product_id)
        if known is None:
            return [_gone(key, PRODUCT_GONE) for key in keys]
        present = [key for key in keys if key.external_variant_id in known]
        missing = [_gone(key, SKU_GONE) for key in keys if key.external_variant_id not in known]
        if not present:
            return missing
        skus = [
            {
                "id": key.external_variant_id,
                "inventory": [
                    {"warehouse_id": warehouse, "quantity": quantity}
                    for warehouse, quantity in distribute(
                        latest[key], known[key.external_variant_id]
                    )
                ],
            }
            for key in present
        ]
        path = INVENTORY_UPDATE.format(product_id=product_id)
        sent = await _send(
            adapter, path, {"skus": skus}, present, by="sku_id", op="update_inventory"
        )
        return sent + missing

    results = await adapter.gather_bounded(list(grouped.items()), send)
    return _in_order(changes, [row for chunk in results for row in chunk])


async def _warehouses(
    adapter: TikTokAdapter, product_ids: Sequence[str]
) -> dict[str, dict[str, Warehouses]]:
    """Product → SKU → [(warehouse, available quantity)] from the inventory search."""
    found: dict[str, dict[str, Warehouses]] = {}

    async def search(ids: Sequence[str]) -> None:
        answer = await adapter.call(
            "POST", INVENTORY_SEARCH, body={"product_ids": list(ids)}, operation="search_inventory"
        )
        try:
            for product in get_objects(answer, "inventory", required=False):
                found[get_id(product, "product_id")] = {
                    get_id(sku, "id"): [
                        (get_id(row, "warehouse_id"), get_int(row, "available_quantity"))
                        for row in get_objects(sku, "warehouse_inventory")
                    ]
                    for sku in get_objects(product, "skus")
                }
        except PayloadError as exc:
            raise AdapterError(f"search_inventory answered an unexpected shape: {exc}") from exc

    await adapter.gather_bounded(list(chunks(product_ids, INVENTORY_SEARCH_LIMIT)), search)
    return found


async def set_listed(adapter: TikTokAdapter, changes: Sequence[ListedChange]) -> list[RowResult]:
    """Activate or deactivate each product on every platform it is listed on."""
    latest = {change.external_item_id: change.listed for change in changes}
    platforms = await adapter.gather_bounded(list(latest), _platforms_reader(adapter))
    batches: dict[tuple[bool, tuple[str, ...]], list[ListingKey]] = defaultdict(list)
    results: list[RowResult] = []
    for product_id, found in zip(latest, platforms, strict=True):
        key = ListingKey(product_id, "")
        if isinstance(found, AdapterError):
            results.append(_failed(key, found))
        else:
            batches[(latest[product_id], found)].append(key)
    calls = [
        (listed, names, chunk)
        for (listed, names), keys in batches.items()
        for chunk in chunks(keys, STATUS_BATCH)
    ]

    async def send(call: tuple[bool, tuple[str, ...], Sequence[ListingKey]]) -> list[RowResult]:
        listed, names, keys = call
        body: dict[str, object] = {"product_ids": [key.external_item_id for key in keys]}
        if names != (mapping.TIKTOK_SHOP,):  # the default; other values only for migrated sellers
            body["listing_platforms"] = list(names)
        path, op = (
            (ACTIVATE, "activate_products") if listed else (DEACTIVATE, "deactivate_products")
        )
        return await _send(adapter, path, body, keys, by="product_id", op=op)

    sent = await adapter.gather_bounded(calls, send)
    return _listed_in_order(changes, results + [row for chunk in sent for row in chunk])


def _platforms_reader(
    adapter: TikTokAdapter,
) -> Callable[[str], Awaitable[tuple[str, ...] | AdapterError]]:
    async def read(product_id: str) -> tuple[str, ...] | AdapterError:
        try:
            return tuple(mapping.listing_platforms(await adapter.get_product(product_id)))
        except (NeedsReauthError, RequestRejectedError):
            raise
        except SkippableItemError as exc:
            exc.code = exc.code or str(PRODUCT_GONE)
            return exc
        except AdapterError as exc:
            return exc
        except PayloadError as exc:
            return AdapterError(f"get_product: {exc}")

    return read


def _in_order(
    changes: Sequence[PriceChange] | Sequence[StockChange], rows: list[RowResult]
) -> list[RowResult]:
    """One result per change, in the caller's order (repeated keys share the last verdict)."""
    by_key = {row.key: row for row in rows}
    return [by_key[change.key] for change in changes]


def _listed_in_order(changes: Sequence[ListedChange], rows: list[RowResult]) -> list[RowResult]:
    by_item = {row.key.external_item_id: row for row in rows}
    return [by_item[change.external_item_id] for change in changes]
