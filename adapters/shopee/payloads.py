"""Shapes of the Shopee v2 payloads this adapter reads and writes (official API reference).

Documentation for readers and for typed request bodies; incoming JSON is validated field by
field in ``mapping`` (through the SDK's typed getters) before it is trusted.
"""

from __future__ import annotations

from typing import TypedDict


class PriceInfo(TypedDict, total=False):
    currency: str
    original_price: float
    current_price: float
    inflated_price_of_original_price: float
    inflated_price_of_current_price: float


class SellerStock(TypedDict, total=False):
    location_id: str
    stock: int
    if_saleable: bool


class StockSummary(TypedDict):
    total_reserved_stock: int
    total_available_stock: int


class StockInfoV2(TypedDict, total=False):
    summary_info: StockSummary
    seller_stock: list[SellerStock]


class ItemListEntry(TypedDict):
    """``get_item_list`` → ``response.item[]``."""

    item_id: int
    item_status: str
    update_time: int


class ItemBaseInfo(TypedDict, total=False):
    """``get_item_base_info`` → ``response.item_list[]`` (the fields we read)."""

    item_id: int
    item_name: str
    item_sku: str
    item_status: str
    update_time: int
    has_model: bool
    has_promotion: bool
    price_info: list[PriceInfo]  # absent when has_model is true
    stock_info_v2: StockInfoV2
    image: dict[str, list[str]]


class TierOption(TypedDict, total=False):
    option: str


class TierVariation(TypedDict, total=False):
    name: str
    option_list: list[TierOption]


class Model(TypedDict, total=False):
    """``get_model_list`` → ``response.model[]``."""

    model_id: int
    model_sku: str
    model_status: str
    tier_index: list[int]
    price_info: list[PriceInfo]
    stock_info_v2: StockInfoV2


class PriceListRow(TypedDict):
    model_id: int
    original_price: int


class StockListRow(TypedDict):
    model_id: int
    seller_stock: list[SellerStock]


class UnlistRow(TypedDict):
    item_id: int
    unlist: bool
