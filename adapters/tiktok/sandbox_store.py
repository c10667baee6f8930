"""TikTok Shop sandbox state: the seeded catalog as products with SKUs, warehouses and the
per-platform statuses of a Tokopedia-migrated Indonesian seller, plus an update-time index.

Search walks products by ``(update_time, product_id)`` with a keyset cursor, so a page costs a
bisect and a slice however large the catalog; every change goes through ``touch``.
"""

from __future__ import annotations

import bisect
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from adapters.tiktok.status import TIKTOK_SHOP, TOKOPEDIA, normalize
from syncer.domain import ListingStatus
from syncer.sandbox import SandboxProduct, SandboxVariant

_SHIFT = 64  # product ids stay below 2**63, so the key orders by time, then id
_MASK = (1 << _SHIFT) - 1
# [I] Initial mix: where products are listed, and in what state.
_PLATFORMS = (((TIKTOK_SHOP, TOKOPEDIA), 0.55), ((TIKTOK_SHOP,), 0.85), ((TOKOPEDIA,), 1.0))
_STATUSES = (
    ("ACTIVATE", 0.86),
    ("SELLER_DEACTIVATED", 0.91),
    ("PLATFORM_DEACTIVATED", 0.93),
    ("PENDING", 0.95),
    ("FAILED", 0.97),
    ("DRAFT", 0.98),
    ("FREEZE", 0.99),
    ("DELETED", 1.0),
)
_SPLIT_SHARE = 0.15  # SKUs stocked in two warehouses
_SKU_OFF_SHARE = 0.04  # SKUs of multi-SKU products switched off by the seller


@dataclass(slots=True, kw_only=True)
class TikTokSku:
    sku_id: int
    variant: SandboxVariant
    warehouses: list[str]
    quantities: list[int]
    status: str = "NORMAL"
    source: str = ""  # deactivation_source when DEACTIVATED

    @property
    def stock(self) -> int:
        return sum(self.quantities)

    def set_stock(self, target: int) -> None:
        """The change lands on the first warehouse; the others keep theirs while they can."""
        quantities = list(self.quantities)
        others = sum(quantities[1:])
        if target >= others:
            quantities[0] = target - others
        else:
            quantities[0], remaining = 0, target
            for index in range(1, len(quantities)):
                quantities[index] = min(quantities[index], remaining)
                remaining -= quantities[index]
        self.quantities = quantities
        self.variant.stock = self.stock


@dataclass(slots=True, kw_only=True)
class TikTokProduct:
    product_id: int
    product: SandboxProduct
    skus: list[TikTokSku]
    platforms: dict[str, str]  # platform → status; absent = not listed there
    update_time: int
    audit_due: float | None = None  # when a PENDING activation passes review
    price_locked: bool = False  # a promotion runs (control "promote")
    malformed: str = ""

    @property
    def key(self) -> int:
        return self.update_time << _SHIFT | self.product_id

    def sku(self, sku_id: int) -> TikTokSku | None:
        return next((sku for sku in self.skus if sku.sku_id == sku_id), None)

    def normalized(self, sku: TikTokSku) -> ListingStatus:
        status, _ = normalize(
            self.platforms, sku_status=sku.status, sku_source=sku.source, stock=sku.stock
        )
        return status

    @property
    def deleted(self) -> bool:
        return bool(self.platforms) and all(s == "DELETED" for s in self.platforms.values())


class TikTokStore:
    """Products by id plus the sorted index; all access under ``lock``."""

    def __init__(
        self, products: list[SandboxProduct], *, seed: int, warehouses: tuple[str, str]
    ) -> None:
        self.lock = threading.RLock()
        self.warehouses = warehouses
        rng = random.Random(f"tiktok-store-{seed}")
        self.products: dict[int, TikTokProduct] = {}
        for product in products:
            made = _make_product(product, seed, warehouses, rng)
            self.products[made.product_id] = made
        self.skus: dict[int, TikTokProduct] = {
            sku.sku_id: item for item in self.products.values() for sku in item.skus
        }
        self._index = sorted(item.key for item in self.products.values())

    def get(self, product_id: int) -> TikTokProduct | None:
        return self.products.get(product_id)

    def walk(self, after: int) -> Iterator[TikTokProduct]:
        """Products in (update_time, id) order, strictly after index key ``after``."""
        with self.lock:
            start = bisect.bisect_right(self._index, after)
            keys = self._index[start:]
        for key in keys:
            item = self.products.get(key & _MASK)
            if item is not None and item.key == key:
                yield item

    def count_between(self, low: int, high: int) -> int:
        """Products with ``low <= update_time <= high`` (a bisect, for ``total_count``)."""
        with self.lock:
            lo = bisect.bisect_left(self._index, low << _SHIFT)
            hi = bisect.bisect_right(self._index, ((high + 1) << _SHIFT) - 1)
        return hi - lo

    def touch(self, item: TikTokProduct, now: int) -> None:
        """Record a change: ``update_time`` moves to ``now`` (never backwards)."""
        with self.lock:
            index = bisect.bisect_left(self._index, item.key)
            if index < len(self._index) and self._index[index] == item.key:
                del self._index[index]
            item.update_time = max(now, item.update_time)
            bisect.insort(self._index, item.key)

    def purge(self, item: TikTokProduct) -> None:
        with self.lock:
            index = bisect.bisect_left(self._index, item.key)
            if index < len(self._index) and self._index[index] == item.key:
                del self._index[index]
            del self.products[item.product_id]
            for sku in item.skus:
                self.skus.pop(sku.sku_id, None)

    def due_audits(self, now: float) -> list[TikTokProduct]:
        with self.lock:
            return [
                item
                for item in self.products.values()
                if item.audit_due is not None and item.audit_due <= now
            ]


def key_of(update_time: int, product_id: int) -> int:
    return update_time << _SHIFT | product_id


def _make_product(
    product: SandboxProduct, seed: int, warehouses: tuple[str, str], rng: random.Random
) -> TikTokProduct:
    product_id = (
        1_729_500_000_000_000_000
        + (seed % 97) * 10**12
        + product.product_id * 10_007
        + rng.randrange(10_007)
    )
    skus = [
        _make_sku(variant, seed, warehouses, rng, several=product.has_variants)
        for variant in product.variants
    ]
    draw = rng.random()
    names = next(names for names, edge in _PLATFORMS if draw < edge)
    draw = rng.random()
    status = next(status for status, edge in _STATUSES if draw < edge)
    platforms = dict.fromkeys(names, status)
    if len(names) == 2 and status == "ACTIVATE" and rng.random() < 0.08:
        platforms[rng.choice(names)] = rng.choice(("SELLER_DEACTIVATED", "PLATFORM_DEACTIVATED"))
    return TikTokProduct(
        product_id=product_id,
        product=product,
        skus=skus,
        platforms=platforms,
        update_time=product.updated_time,
    )


def _make_sku(
    variant: SandboxVariant,
    seed: int,
    warehouses: tuple[str, str],
    rng: random.Random,
    *,
    several: bool,
) -> TikTokSku:
    sku_id = (
        1_729_600_000_000_000_000
        + (seed % 89) * 10**12
        + variant.variant_id * 10_009
        + rng.randrange(10_009)
    )
    variant.promo_price = None  # [I] the seeded catalog starts with no promotion running
    variant.reserved_stock = 0
    if variant.stock >= 2 and rng.random() < _SPLIT_SHARE:
        first = variant.stock * 2 // 3
        sku = TikTokSku(
            sku_id=sku_id,
            variant=variant,
            warehouses=list(warehouses),
            quantities=[first, variant.stock - first],
        )
    else:
        sku = TikTokSku(
            sku_id=sku_id, variant=variant, warehouses=[warehouses[0]], quantities=[variant.stock]
        )
    if several and rng.random() < _SKU_OFF_SHARE:
        sku.status, sku.source = "DEACTIVATED", "SELLER"
    return sku
