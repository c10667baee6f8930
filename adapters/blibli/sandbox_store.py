"""Blibli sandbox state: the seeded catalog as L3 products with L4 SKUs, and what changes them.

Ids follow marketplaces/README 4.3: L1 ``MTA-<n>``, L3 product SKU ``<store>-<5 digits>``, L4
Blibli SKU ``<L3>-<5 digits>``; each SKU sits at one pickup point [I]. A product's list state
is its seller/Blibli state, except that an ACTIVE product whose SKUs are all sold out is listed
under OOS [V]. Every change bumps the product's ``updatedDate`` (epoch ms) [I].
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

from syncer.domain import ListingStatus
from syncer.sandbox import SandboxProduct, SandboxVariant

PICKUP_POINT = "PP-3003332"
STATES = ("ACTIVE", "OOS", "ARCHIVED", "SUSPENDED", "NEED_CORRECTION", "IN_PROGRESS")
# Initial mix [I]: mostly live, a few archived, suspended, sent back for correction or in review.
_STATE_MIX = (("ACTIVE", 0.88), ("ARCHIVED", 0.93), ("SUSPENDED", 0.95), ("NEED_CORRECTION", 0.97))
_UNBUYABLE_SHARE = 0.03
_NORMALIZED = {
    "ARCHIVED": ListingStatus.INACTIVE,
    "SUSPENDED": ListingStatus.BANNED,
    "NEED_CORRECTION": ListingStatus.REJECTED,
    "IN_PROGRESS": ListingStatus.UNDER_REVIEW,
}


@dataclass(slots=True, kw_only=True)
class BlibliSku:
    blibli_sku: str
    variant: SandboxVariant
    buyable: bool = True
    displayable: bool = True


@dataclass(slots=True, kw_only=True)
class BlibliProduct:
    sku: str
    code: str
    product: SandboxProduct
    state: str  # ACTIVE, ARCHIVED, SUSPENDED, NEED_CORRECTION or IN_PROGRESS
    created_ms: int
    updated_ms: int
    skus: list[BlibliSku] = field(default_factory=list)
    malformed: bool = False

    @property
    def list_state(self) -> str:
        if self.state == "ACTIVE" and all(s.variant.stock <= 0 for s in self.skus):
            return "OOS"
        return self.state

    def status_of(self, sku: BlibliSku) -> ListingStatus:
        """The normalized status a correct client derives (the contract suite's truth)."""
        if self.state != "ACTIVE":
            return _NORMALIZED[self.state]
        if not sku.buyable:
            return ListingStatus.INACTIVE
        return ListingStatus.OUT_OF_STOCK if sku.variant.stock <= 0 else ListingStatus.ACTIVE


class BlibliStore:
    """Products by L3 SKU in list order (created, then SKU); guarded by one lock."""

    def __init__(self, catalog: list[SandboxProduct], *, store_code: str, seed: int) -> None:
        self.lock = threading.RLock()
        self.store_code = store_code
        rng = random.Random(seed * 31 + 7)
        self.products: dict[str, BlibliProduct] = {}
        for item in catalog:
            product = self._product(item, rng)
            self.products[product.sku] = product
        # List order (created date, then SKU) never changes: sorted once, filtered per call.
        self.order = sorted(self.products.values(), key=lambda p: (p.created_ms, p.sku))
        self.sku_index: dict[str, tuple[BlibliProduct, BlibliSku]] = {
            sku.blibli_sku: (product, sku)
            for product in self.products.values()
            for sku in product.skus
        }

    def _product(self, item: SandboxProduct, rng: random.Random) -> BlibliProduct:
        sku = f"{self.store_code}-{item.product_id:05d}"
        draw = rng.random()
        state = next((name for name, edge in _STATE_MIX if draw < edge), "IN_PROGRESS")
        product = BlibliProduct(
            sku=sku,
            code=f"MTA-{7_000_000 + item.product_id}",
            product=item,
            state=state,
            created_ms=item.created_time * 1000,
            updated_ms=item.updated_time * 1000,
        )
        product.skus = [
            BlibliSku(
                blibli_sku=f"{sku}-{index:05d}",
                variant=variant,
                buyable=rng.random() >= _UNBUYABLE_SHARE,
            )
            for index, variant in enumerate(item.variants, start=1)
        ]
        return product

    def in_state(self, state: str) -> list[BlibliProduct]:
        """Products listed under ``state``, in list order (created date, then SKU)."""
        with self.lock:
            return [p for p in self.order if p.list_state == state and p.sku in self.products]

    def find(self, product_sku: str) -> BlibliProduct | None:
        with self.lock:
            return self.products.get(product_sku)

    def find_sku(self, blibli_sku: str) -> tuple[BlibliProduct, BlibliSku] | None:
        with self.lock:
            found = self.sku_index.get(blibli_sku)
            if found is None or found[0].sku not in self.products:
                return None
            return found

    def delete(self, product_sku: str) -> None:
        with self.lock:
            product = self.products.pop(product_sku, None)
            if product is not None:
                for sku in product.skus:
                    self.sku_index.pop(sku.blibli_sku, None)

    def truth(self) -> list[dict[str, object]]:
        """Every SKU as a correct client must see it, malformed products included."""
        with self.lock:
            return [
                {
                    "product_sku": product.sku,
                    "blibli_sku": sku.blibli_sku,
                    "seller_sku": sku.variant.sku,
                    "title": product.product.name,
                    "variant_name": sku.variant.label,
                    "price": sku.variant.price,
                    "stock": sku.variant.stock,
                    "state": product.list_state,
                    "buyable": sku.buyable,
                    "status": product.status_of(sku).value,
                    "malformed": product.malformed,
                    "updated_ms": product.updated_ms,
                }
                for product in self.products.values()
                for sku in product.skus
            ]
