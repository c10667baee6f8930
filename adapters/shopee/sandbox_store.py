"""Shopee sandbox state: the seeded catalog as Shopee items and models, plus the update-time index.

``get_item_list`` must stay O(page) on 200k listings, so items are kept in sorted int keys
(``update_time << 40 | item_id``) per status and overall; a page is a slice or a small merge,
never a sort of the catalog. Every mutation goes through ``touch`` to keep the index right.
"""

from __future__ import annotations

import bisect
import random
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypedDict

from syncer.sandbox import SandboxProduct, SandboxVariant

ITEM_STATUSES = ("NORMAL", "BANNED", "UNLIST", "REVIEWING", "SELLER_DELETE", "SHOPEE_DELETE")
DELETED = frozenset({"SELLER_DELETE", "SHOPEE_DELETE"})
_SHIFT = 40  # item ids stay below 2**40 (~1.1e12), so the key orders by time, then id
_MASK = (1 << _SHIFT) - 1
# Initial status mix [I]: mostly live, a few unlisted, banned, in review or deleted by the seller.
_STATUS_MIX = (("NORMAL", 0.86), ("UNLIST", 0.92), ("BANNED", 0.95), ("REVIEWING", 0.97))
_UNAVAILABLE_SHARE = 0.03  # models shown as MODEL_UNAVAILABLE
_Ranges = list[tuple[list[int], int, int]]  # (sorted keys, lo, hi) per status


class TruthRow(TypedDict):
    """One sellable unit as the control API's ``truth`` reports it."""

    item_id: str
    model_id: str
    sku: str
    title: str
    variant_name: str
    price: int
    stock: int
    reserved_stock: int
    item_status: str
    model_status: str
    update_time: int


@dataclass(slots=True, kw_only=True)
class ShopeeItem:
    """One Shopee item over a catalog product; models are the product's variants."""

    item_id: int
    product: SandboxProduct
    status: str
    update_time: int
    model_ids: tuple[int, ...]  # parallel to product.variants; (0,) for an item without models
    promotion_id: int  # reported while any unit has a promotion
    unavailable: frozenset[int] = frozenset()  # model ids that are MODEL_UNAVAILABLE
    malformed: str = ""  # a schema defect the control API injected (see sandbox_render)

    @property
    def has_model(self) -> bool:
        return self.product.has_variants

    @property
    def has_promotion(self) -> bool:
        return any(variant.promo_price is not None for variant in self.product.variants)

    @property
    def key(self) -> int:
        return self.update_time << _SHIFT | self.item_id

    def variant(self, model_id: int) -> SandboxVariant | None:
        """The unit behind ``model_id`` (0 addresses an item without models)."""
        try:
            return self.product.variants[self.model_ids.index(model_id)]
        except ValueError:
            return None

    def models(self) -> Iterator[tuple[int, SandboxVariant]]:
        return zip(self.model_ids, self.product.variants, strict=True)

    def model_status(self, model_id: int) -> str:
        return "MODEL_UNAVAILABLE" if model_id in self.unavailable else "MODEL_NORMAL"


class ShopeeStore:
    """Items by id plus sorted keys per status; all access under ``lock``."""

    def __init__(self, products: list[SandboxProduct], *, seed: int) -> None:
        self.lock = threading.RLock()
        self.items: dict[int, ShopeeItem] = {}
        rng = random.Random(f"shopee-store-{seed}")
        item_base = 10_000_000_000 + (seed % 89) * 1_000_000_000  # 11-digit ids, int64-looking
        model_base = 20_000_000_000 + (seed % 71) * 1_000_000_000
        for product in products:
            item = _make_item(product, item_base, model_base, rng)
            self.items[item.item_id] = item
        self._all: list[int] = sorted(item.key for item in self.items.values())
        self._by_status: dict[str, list[int]] = {status: [] for status in ITEM_STATUSES}
        for key in self._all:
            self._by_status[self.items[key & _MASK].status].append(key)

    def get(self, item_id: int) -> ShopeeItem | None:
        return self.items.get(item_id)

    def page(
        self,
        statuses: Iterable[str],
        time_from: int,
        time_to: int,
        offset: int,
        limit: int,
        *,
        descending: bool = True,
    ) -> tuple[list[ShopeeItem], int]:
        """Items with a status in ``statuses`` and ``time_from <= update_time <= time_to``,
        ordered by (update_time, item_id), from ``offset``; returns them and the total."""
        lo_key, hi_key = time_from << _SHIFT, ((time_to + 1) << _SHIFT) - 1
        with self.lock:
            ranges = [
                (keys, bisect.bisect_left(keys, lo_key), bisect.bisect_right(keys, hi_key))
                for keys in (self._by_status[status] for status in set(statuses))
            ]
            ranges = [(keys, lo, hi) for keys, lo, hi in ranges if hi > lo]
            total = sum(hi - lo for _, lo, hi in ranges)
            if offset >= total or limit <= 0:
                return [], total
            if len(ranges) == 1:
                keys, lo, hi = ranges[0]
                page = _slice(keys, lo, hi, offset=offset, limit=limit, descending=descending)
            else:
                page = self._merged(
                    ranges, lo_key, hi_key, offset=offset, limit=limit, descending=descending
                )
            return [self.items[key & _MASK] for key in page], total

    def _merged(
        self,
        ranges: _Ranges,
        lo_key: int,
        hi_key: int,
        *,
        offset: int,
        limit: int,
        descending: bool,
    ) -> list[int]:
        """One page of the union of several sorted ranges, without walking the skipped part.

        Binary search over the overall key list finds the key at ``offset`` (counting the
        matching keys on one side of a candidate is one bisect per status), then each status
        contributes at most ``limit`` keys from there to a small sort.
        """
        everything = self._all
        lo = bisect.bisect_left(everything, lo_key)
        hi = bisect.bisect_right(everything, hi_key) - 1
        start = everything[_nth_position(everything, ranges, lo, hi, offset, descending=descending)]
        candidates: list[int] = []
        for keys, lo_, hi_ in ranges:
            if descending:
                end = bisect.bisect_right(keys, start, lo_, hi_)
                candidates += keys[max(lo_, end - limit) : end]
            else:
                begin = bisect.bisect_left(keys, start, lo_, hi_)
                candidates += keys[begin : min(hi_, begin + limit)]
        candidates.sort(reverse=descending)
        return candidates[:limit]

    def touch(self, item: ShopeeItem, now: int, *, status: str | None = None) -> None:
        """Record a change: bump ``update_time`` to ``now`` and optionally move status."""
        with self.lock:
            self._unindex(item)
            item.update_time = now
            if status is not None:
                item.status = status
            bisect.insort(self._all, item.key)
            bisect.insort(self._by_status[item.status], item.key)

    def purge(self, item: ShopeeItem) -> None:
        """Remove an item entirely (past Shopee's 90-day retention of deleted items)."""
        with self.lock:
            self._unindex(item)
            del self.items[item.item_id]

    def _unindex(self, item: ShopeeItem) -> None:
        key = item.key
        for keys in (self._all, self._by_status[item.status]):
            index = bisect.bisect_left(keys, key)
            if index < len(keys) and keys[index] == key:
                del keys[index]

    def truth(self, item_ids: Iterable[int] | None = None) -> list[TruthRow]:
        """One row per model (or per item without models), ordered by item and model id."""
        with self.lock:
            ids = sorted(self.items) if item_ids is None else sorted(set(item_ids))
            items = [self.items[item_id] for item_id in ids if item_id in self.items]
        return [row for item in items for row in truth_rows(item)]

    def search(self, name: str, sku: str, statuses: frozenset[str]) -> list[int]:
        """Item ids whose name (or, when given, item/model SKU) contains the keyword."""
        name, sku = name.casefold(), sku.casefold()
        with self.lock:
            found = [
                item.item_id
                for item in self.items.values()
                if item.status in statuses and _matches(item, name, sku)
            ]
        return sorted(found)


def truth_rows(item: ShopeeItem) -> list[TruthRow]:
    return [
        TruthRow(
            item_id=str(item.item_id),
            model_id=str(model_id) if item.has_model else "",
            sku=variant.sku,
            title=item.product.name,
            variant_name=variant.label,
            price=variant.price,
            stock=variant.stock,
            reserved_stock=variant.reserved_stock,
            item_status=item.status,
            model_status=item.model_status(model_id) if item.has_model else "",
            update_time=item.update_time,
        )
        for model_id, variant in item.models()
    ]


def _matches(item: ShopeeItem, name: str, sku: str) -> bool:
    # item_sku wins over item_name when both are given (search_item docs)
    if sku:
        skus = [item.product.sku] + [variant.sku for variant in item.product.variants]
        return any(sku in candidate.casefold() for candidate in skus)
    return name in item.product.name.casefold()


def _at_or_above(ranges: _Ranges, key: int) -> int:
    return sum(hi - bisect.bisect_left(keys, key, lo, hi) for keys, lo, hi in ranges)


def _at_or_below(ranges: _Ranges, key: int) -> int:
    return sum(bisect.bisect_right(keys, key, lo, hi) - lo for keys, lo, hi in ranges)


def _nth_position(
    everything: list[int], ranges: _Ranges, left: int, right: int, offset: int, *, descending: bool
) -> int:
    """Position in ``everything[left..right]`` of the matching key at ``offset`` (reading order)."""
    if descending:  # the largest position with offset+1 matching keys at or above it
        while left < right:
            mid = (left + right + 1) // 2
            if _at_or_above(ranges, everything[mid]) > offset:
                left = mid
            else:
                right = mid - 1
        return left
    while left < right:  # the smallest position with offset+1 matching keys at or below it
        mid = (left + right) // 2
        if _at_or_below(ranges, everything[mid]) > offset:
            right = mid
        else:
            left = mid + 1
    return left


def _slice(
    keys: list[int], lo: int, hi: int, *, offset: int, limit: int, descending: bool
) -> list[int]:
    if descending:
        end = hi - offset
        return keys[max(lo, end - limit) : end][::-1]
    start = lo + offset
    return keys[start : min(hi, start + limit)]


def _make_item(
    product: SandboxProduct, item_base: int, model_base: int, rng: random.Random
) -> ShopeeItem:
    item_id = item_base + product.product_id * 1_009 + rng.randrange(1_009)
    if product.has_variants:
        model_ids = tuple(
            model_base + v.variant_id * 1_013 + rng.randrange(1_013) for v in product.variants
        )
        unavailable = frozenset(m for m in model_ids if rng.random() < _UNAVAILABLE_SHARE)
    else:
        model_ids, unavailable = (0,), frozenset()
    promoted = any(variant.promo_price is not None for variant in product.variants)
    draw = rng.random()
    status = (
        "NORMAL"
        if promoted
        else next((s for s, edge in _STATUS_MIX if draw < edge), "SELLER_DELETE")
    )
    return ShopeeItem(
        item_id=item_id,
        product=product,
        status=status,
        update_time=product.updated_time,
        model_ids=model_ids,
        promotion_id=1_000_000 + item_id % 9_000_000,
        unavailable=unavailable,
    )
