"""The shared fake catalog: exact listing counts, determinism, realistic Indonesian products."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from syncer.sandbox import CATALOG_EPOCH, count_units, generate_catalog


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(min_value=-(2**40), max_value=2**40), listings=st.integers(0, 400))
def test_sellable_units_are_exactly_the_listings_asked_for(seed: int, listings: int) -> None:
    """Variants plus products without variants add up to ``listings``, for any seed."""
    assert count_units(generate_catalog(seed, listings)) == listings


def test_same_seed_gives_the_same_catalog_and_another_seed_does_not() -> None:
    """Catalogs are reproducible from the seed alone."""
    assert generate_catalog(42, 500) == generate_catalog(42, 500)
    assert generate_catalog(42, 500) != generate_catalog(43, 500)


def test_products_have_the_documented_shape() -> None:
    """1-2 tiers, 2-6 variants from their tier options, unique SKUs, sane money and weights."""
    products = generate_catalog(5, 5_000)
    skus = [variant.sku for product in products for variant in product.variants]
    assert len(skus) == len(set(skus))
    assert len({product.product_id for product in products}) == len(products)
    for product in products:
        assert 0 < len(product.name) <= 100
        assert product.created_time <= product.updated_time <= CATALOG_EPOCH
        assert 50 <= product.weight_g <= 3_000
        if product.has_variants:
            assert 1 <= len(product.tier_names) <= 2
            assert 2 <= len(product.variants) <= 6
        else:
            assert len(product.variants) == 1
            assert product.variants[0].options == ()
            assert product.variants[0].sku == product.sku
        for variant in product.variants:
            assert len(variant.options) == len(product.tier_names)
            for options, value in zip(product.tier_options, variant.options, strict=True):
                assert value in options
            assert variant.label == " / ".join(variant.options)
            assert isinstance(variant.price, int)
            assert 15_000 <= variant.price <= 750_000
            assert variant.price % 50 == 0
            assert 0 <= variant.reserved_stock <= variant.stock
            if variant.promo_price is not None:
                assert isinstance(variant.promo_price, int)
                assert variant.promo_price <= variant.price


def test_mix_of_variants_prices_and_promotions_is_realistic() -> None:
    """About 40% of products have variants; most prices are multiples of 100; a few promote."""
    products = generate_catalog(11, 20_000)
    share = sum(product.has_variants for product in products) / len(products)
    assert 0.35 < share < 0.45
    variants = [variant for product in products for variant in product.variants]
    assert sum(variant.price % 100 == 0 for variant in variants) / len(variants) > 0.9
    promoted = sum(variant.reserved_stock > 0 for variant in variants) / len(variants)
    assert 0.01 < promoted < 0.08
    assert any(len(product.tier_names) == 2 for product in products)
    assert any("Kopi" in product.name for product in products)
    assert {"Merah", "Hitam", "Navy"} & {o for p in products for v in p.variants for o in v.options}


def test_two_hundred_thousand_listings_can_be_generated() -> None:
    """The benchmark catalog size is usable (no timing asserted, it just has to finish)."""
    assert count_units(generate_catalog(1, 200_000)) == 200_000
