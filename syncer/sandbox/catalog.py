"""Deterministic fake catalogs of Indonesian UMKM products, shared by every marketplace sandbox.

The shape is marketplace-neutral: each sandbox maps products and variants to its own ids,
statuses and payloads. Objects are mutable on purpose: a sandbox uses them as its live state
(price and stock edits land here) instead of copying hundreds of thousands of rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from syncer.sandbox.catalog_data import FAMILIES, Family, Tier

CATALOG_EPOCH = 1_735_689_600  # 2025-01-01T00:00:00Z: default "now" of generated timestamps
VARIANT_SHARE = 0.4  # share of products sold with variants
_DAY = 86_400
_MIN_PRICE = 1_000


@dataclass(slots=True, kw_only=True)
class SandboxVariant:
    """One sellable unit. A product without variants has exactly one, with no option values."""

    variant_id: int
    sku: str
    options: tuple[str, ...]  # one value per tier of the product, in tier order
    price: int  # whole rupiah, the undiscounted price
    stock: int  # total seller stock, reserved stock included
    reserved_stock: int = 0  # held for a promotion; never more than stock
    promo_price: int | None = None  # discounted price while a promotion runs

    @property
    def label(self) -> str:
        """Option values joined the way sellers read them, e.g. "Merah / XL" ("" without)."""
        return " / ".join(self.options)


@dataclass(slots=True, kw_only=True)
class SandboxProduct:
    """A seller's product with its variants (always at least one sellable unit)."""

    product_id: int
    name: str
    description: str
    brand: str
    category: str
    weight_g: int
    sku: str
    created_time: int  # unix seconds
    updated_time: int
    tier_names: tuple[str, ...]  # () for a product without variants, else 1 or 2 names
    tier_options: tuple[tuple[str, ...], ...]  # the options offered per tier
    variants: list[SandboxVariant]

    @property
    def has_variants(self) -> bool:
        return bool(self.tier_names)


def generate_catalog(seed: int, listings: int, *, now: int = CATALOG_EPOCH) -> list[SandboxProduct]:
    """Products whose sellable units (variants, or products without any) number exactly
    ``listings``; the same seed always gives the same catalog."""
    if listings < 0:
        raise ValueError(f"listings must be >= 0, got {listings}")
    maker = _Maker(random.Random(seed), now)
    products: list[SandboxProduct] = []
    remaining = listings
    while remaining > 0:
        product = maker.product(len(products) + 1, remaining)
        products.append(product)
        remaining -= len(product.variants)
    return products


def count_units(products: list[SandboxProduct]) -> int:
    """Sellable units in a catalog (what ``listings`` asked for)."""
    return sum(len(product.variants) for product in products)


# -- generation -----------------------------------------------------------------------------


def _layouts(family: Family) -> dict[int, list[tuple[int, ...]]]:
    """Variant counts 2..6 a family can express, each with its tier layouts.

    A layout ``(a,)`` uses ``a`` options of the first tier, ``(-a,)`` of the second tier alone,
    ``(a, b)`` both tiers crossed.
    """
    first, second = len(family.tiers[0].options), len(family.tiers[1].options)
    layouts: dict[int, list[tuple[int, ...]]] = {}
    for count in range(2, 7):
        options: list[tuple[int, ...]] = []
        if count <= first:
            options.append((count,))
        if count <= second:
            options.append((-count,))
        options += [(a, count // a) for a in (2, 3) if count % a == 0 and count // a >= 2]
        options = [
            lay for lay in options if len(lay) == 1 or (lay[0] <= first and lay[1] <= second)
        ]
        if options:
            layouts[count] = options
    return layouts


_LAYOUTS = [_layouts(family) for family in FAMILIES]
_CODES: dict[str, str] = {}


def _code(option: str) -> str:
    """A short SKU fragment for an option value: "Hijau Army" -> "HIJAUA"."""
    code = _CODES.get(option)
    if code is None:
        code = "".join(ch for ch in option.upper() if ch.isalnum())[:6]
        _CODES[option] = code
    return code


class _Maker:
    """Draws products from one RNG; keeps the running variant id."""

    def __init__(self, rng: random.Random, now: int) -> None:
        self.rng = rng
        self.now = now
        self.next_variant_id = 1

    def product(self, product_id: int, remaining: int) -> SandboxProduct:
        rng = self.rng
        index = rng.randrange(len(FAMILIES))
        family, layouts = FAMILIES[index], _LAYOUTS[index]
        layout: tuple[int, ...] = ()
        if remaining >= 2 and rng.random() < VARIANT_SHARE:
            counts = [count for count in layouts if count <= remaining]
            layout = rng.choice(layouts[rng.choice(counts)])
        tiers = self._tiers(family, layout)
        brand = rng.choice(family.brands)
        name = self._name(family, brand, with_size=not tiers)
        sku = f"{family.code}-{product_id:06d}"
        created = self.now - rng.randrange(30 * _DAY, 730 * _DAY)
        return SandboxProduct(
            product_id=product_id,
            name=name,
            description=rng.choice(family.descriptions),
            brand=brand,
            category=family.category,
            weight_g=family.weight[0]
            + 50 * rng.randrange((family.weight[1] - family.weight[0]) // 50 + 1),
            sku=sku,
            created_time=created,
            updated_time=created + rng.randrange(max(1, self.now - created)),
            tier_names=tuple(tier.name for tier in tiers),
            tier_options=tuple(tier.options for tier in tiers),
            variants=self._variants(family, sku, tiers),
        )

    def _tiers(self, family: Family, layout: tuple[int, ...]) -> list[Tier]:
        """The product's tiers with the options it actually offers (original order kept)."""
        rng = self.rng
        picks = (
            [(family.tiers[0], layout[0]), (family.tiers[1], layout[1])] if len(layout) == 2 else []
        )
        if len(layout) == 1:
            picks = [
                (family.tiers[0], layout[0]) if layout[0] > 0 else (family.tiers[1], -layout[0])
            ]
        tiers = []
        for tier, count in picks:
            chosen = sorted(rng.sample(range(len(tier.options)), count))
            tiers.append(Tier(tier.name, tuple(tier.options[i] for i in chosen)))
        return tiers

    def _name(self, family: Family, brand: str, *, with_size: bool) -> str:
        rng = self.rng
        parts = [rng.choice(family.bases), rng.choice(family.qualifiers)]
        if with_size:
            parts.append(rng.choice(family.sizes))
        if rng.random() < 0.35:
            parts.append(brand)
        return " ".join(parts)

    def _variants(self, family: Family, sku: str, tiers: list[Tier]) -> list[SandboxVariant]:
        rng = self.rng
        style = rng.random()
        base = self._round(
            family.price[0] * (family.price[1] / family.price[0]) ** rng.random(), style
        )
        combos: list[tuple[str, ...]] = [()]
        for tier in tiers:
            combos = [(*combo, option) for combo in combos for option in tier.options]
        last = tiers[-1].options if tiers else ()
        variants = []
        for combo in combos:
            step = last.index(combo[-1]) if combo else 0  # bigger sizes cost a little more
            price = base if step == 0 else self._round(base * (1 + 0.15 * step), style)
            price = min(price, family.price[1])
            suffix = "".join(f"-{_code(option)}" for option in combo)
            variants.append(self._variant(sku + suffix, combo, price))
        return variants

    def _variant(self, sku: str, options: tuple[str, ...], price: int) -> SandboxVariant:
        rng = self.rng
        stock = 0 if rng.random() < 0.07 else min(5_000, int(rng.expovariate(1 / 60)) + 1)
        variant = SandboxVariant(
            variant_id=self.next_variant_id, sku=sku, options=options, price=price, stock=stock
        )
        self.next_variant_id += 1
        if stock >= 5 and rng.random() < 0.04:
            variant.reserved_stock = rng.randint(1, min(stock // 2, 30))
            variant.promo_price = max(_MIN_PRICE, round(price * rng.uniform(0.7, 0.95) / 100) * 100)
        return variant

    @staticmethod
    def _round(amount: float, style: float) -> int:
        """Whole rupiah the way sellers price: mostly 500s and x.900 endings, all 100s or 50s."""
        if style < 0.45:
            value = round(amount / 500) * 500
        elif style < 0.8:
            value = (int(amount) // 1_000 + 1) * 1_000 - 100
        elif style < 0.97:
            value = round(amount / 100) * 100
        else:
            value = round(amount / 50) * 50
        return max(_MIN_PRICE, int(value))
