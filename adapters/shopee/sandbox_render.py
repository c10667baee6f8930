"""Shopee sandbox: items and models as the official ``get_item_base_info`` / ``get_model_list``
payloads (fields from the API reference; ID region: IDR, whole rupiah, weight as kg string).

An item whose ``malformed`` is set is rendered with that schema defect on purpose, so a client
can prove it quarantines one bad item and keeps the rest of the page.
"""

from __future__ import annotations

import zlib
from typing import TypedDict

from adapters.shopee.sandbox_errors import JSONObject, ShopeeSandboxSettings
from adapters.shopee.sandbox_store import ShopeeItem
from syncer.sandbox import SandboxVariant

MALFORMATIONS = ("fractional_price", "string_price", "missing_name", "negative_stock")
_IMAGE_HOST = "https://sandbox.shopee.invalid/file/"  # .invalid: never resolves to a real CDN


class SellerStock(TypedDict):
    location_id: str
    stock: int
    if_saleable: bool


# [I] Indonesian channels as the field table shapes them (ids and fees are made up).
_LOGISTICS: list[JSONObject] = [
    {
        "logistic_id": 8003,
        "logistic_name": "SPX Standard",
        "enabled": True,
        "shipping_fee": 0.0,
        "size_id": 0,
        "is_free": False,
        "estimated_shipping_fee": 10000.0,
    },
    {
        "logistic_id": 8005,
        "logistic_name": "J&T Express",
        "enabled": True,
        "shipping_fee": 0.0,
        "size_id": 0,
        "is_free": False,
        "estimated_shipping_fee": 11000.0,
    },
]


def base_info(item: ShopeeItem, settings: ShopeeSandboxSettings) -> JSONObject:
    """One entry of ``response.item_list``. Items with models carry no price or stock here:
    the docs send clients to ``get_model_list`` for those."""
    product = item.product
    image_id = f"id-11134207-sbx{item.item_id:x}"
    payload: JSONObject = {
        "item_id": item.item_id,
        "category_id": _small_id(product.category),
        "item_name": product.name,
        "description": product.description,
        "item_sku": product.sku,
        "create_time": product.created_time,
        "update_time": item.update_time,
        "attribute_list": [],
        "image": {"image_url_list": [_IMAGE_HOST + image_id], "image_id_list": [image_id]},
        "weight": _kilograms(product.weight_g),
        "dimension": {"package_length": 20, "package_width": 15, "package_height": 10},
        "logistic_info": _LOGISTICS,
        "pre_order": {"is_pre_order": False, "days_to_ship": 2},
        "condition": "NEW",
        "item_status": item.status,
        "deboost": False,
        "has_model": item.has_model,
        "promotion_id": item.promotion_id if item.has_promotion else 0,
        "has_promotion": item.has_promotion,
        "brand": {"brand_id": _small_id(product.brand), "original_brand_name": product.brand},
        "item_dangerous": 0,
        "description_type": "normal",
        "tag": {"kit": False},
    }
    if not item.has_model:
        variant = item.product.variants[0]
        payload["price_info"] = price_info(item, variant, settings)
        payload["stock_info_v2"] = stock_info(item, variant, settings)
    if item.malformed == "missing_name":
        del payload["item_name"]
    return payload


def model_list(item: ShopeeItem, settings: ShopeeSandboxSettings) -> JSONObject:
    """``response`` of ``get_model_list``. [I] An item without models answers empty lists."""
    if not item.has_model:
        return {"tier_variation": [], "model": [], "standardise_tier_variation": []}
    product = item.product
    tiers = [
        {"name": name, "option_list": [{"option": option} for option in options]}
        for name, options in zip(product.tier_names, product.tier_options, strict=True)
    ]
    models = [_model(item, model_id, variant, settings) for model_id, variant in item.models()]
    return {"tier_variation": tiers, "model": models, "standardise_tier_variation": []}


def _model(
    item: ShopeeItem, model_id: int, variant: SandboxVariant, settings: ShopeeSandboxSettings
) -> JSONObject:
    options = item.product.tier_options
    promoted = variant.promo_price is not None
    return {
        "model_id": model_id,
        "tier_index": [
            tier.index(value) for tier, value in zip(options, variant.options, strict=True)
        ],
        "model_sku": variant.sku,
        "model_status": item.model_status(model_id),
        "price_info": price_info(item, variant, settings),
        "promotion_id": item.promotion_id if promoted else 0,
        "has_promotion": promoted,
        "logistic_info": _LOGISTICS,
        "pre_order": {"is_pre_order": False, "days_to_ship": 2},
        "stock_info_v2": stock_info(item, variant, settings),
        "weight": _kilograms(item.product.weight_g),
        "is_fulfillment_by_shopee": False,
    }


def price_info(
    item: ShopeeItem, variant: SandboxVariant, settings: ShopeeSandboxSettings
) -> list[JSONObject]:
    """``current_price`` is the promotion price while one runs (stock-price guide)."""
    original: object = variant.price
    if item.malformed == "fractional_price":
        original = variant.price + 0.5
    elif item.malformed == "string_price":
        original = f"Rp{variant.price:,}".replace(",", ".")
    current = variant.promo_price if variant.promo_price is not None else variant.price
    return [
        {
            "currency": "IDR",
            "original_price": original,
            "current_price": current,
            "inflated_price_of_original_price": _with_tax(variant.price, settings),
            "inflated_price_of_current_price": _with_tax(current, settings),
        }
    ]


def stock_info(
    item: ShopeeItem, variant: SandboxVariant, settings: ShopeeSandboxSettings
) -> JSONObject:
    """``stock_info_v2`` of a single-warehouse local shop (no Shopee warehouse stock).

    [I] ``total_available_stock`` is seller stock minus the reserved promotion stock: the docs
    only say "stock can be sold currently" and show it equal to the total when nothing is held.
    """
    stock = -5 if item.malformed == "negative_stock" else variant.stock
    seller = SellerStock(location_id=settings.location_id, stock=stock, if_saleable=True)
    return {
        "summary_info": {
            "total_reserved_stock": variant.reserved_stock,
            "total_available_stock": max(0, variant.stock - variant.reserved_stock),
        },
        "seller_stock": [seller],
        "shopee_stock": [],
    }


def _with_tax(price: int, settings: ShopeeSandboxSettings) -> int:
    return (price * (100 + settings.tax_rate_percent) + 50) // 100


def _kilograms(grams: int) -> str:
    return format(grams / 1000, "g")


def _small_id(name: str) -> int:
    """A stable made-up id for a category or brand name."""
    return 100_000 + zlib.crc32(name.encode()) % 900_000
