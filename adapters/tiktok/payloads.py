"""Shapes of the TikTok Shop payloads this adapter reads and writes (official API reference).

Documentation for readers and typed request bodies; incoming JSON is validated field by field in
``mapping`` (through the SDK's typed getters) before it is trusted.
"""

from __future__ import annotations

from typing import TypedDict


class Envelope(TypedDict, total=False):
    code: int  # 0 = success
    message: str
    request_id: str
    data: dict[str, object]


class Price(TypedDict, total=False):
    currency: str
    tax_exclusive_price: str  # search: the local seller's display price
    sale_price: str  # get product: the display price for all sellers


class Inventory(TypedDict, total=False):
    warehouse_id: str
    quantity: int


class StatusInfo(TypedDict, total=False):
    status: str  # NORMAL | DEACTIVATED
    deactivation_source: str  # SELLER | PLATFORM | COMBO_RELATION


class SalesAttribute(TypedDict, total=False):
    id: str
    name: str
    value_id: str
    value_name: str


class Sku(TypedDict, total=False):
    id: str
    seller_sku: str
    price: Price
    inventory: list[Inventory]
    status_info: StatusInfo
    sales_attributes: list[SalesAttribute]  # Get Product only


class PlatformStatus(TypedDict):
    platform: str  # TOKOPEDIA
    status: str


class Product(TypedDict, total=False):
    """A ``search`` entry or a ``Get Product`` answer (the fields we read)."""

    id: str
    title: str
    status: str  # omitted for Indonesian products not listed on TIKTOK_SHOP
    skus: list[Sku]
    create_time: int
    update_time: int
    integrated_platform_statuses: list[PlatformStatus]  # omitted unless listed on TOKOPEDIA
    audit: dict[str, object]


class InventoryRow(TypedDict, total=False):
    warehouse_id: str
    quantity: int


class InventoryUpdateSku(TypedDict):
    id: str
    inventory: list[InventoryRow]


class PriceAmount(TypedDict):
    amount: str  # decimal string
    currency: str


class PriceUpdateSku(TypedDict):
    id: str
    price: PriceAmount


class RowErrorDetail(TypedDict, total=False):
    product_id: str
    sku_id: str
    listing_platform: str
    extra_errors: list[dict[str, object]]


class RowError(TypedDict, total=False):
    """One entry of ``data.errors`` in a ``code: 0`` answer of a batch endpoint."""

    code: int
    message: str
    detail: RowErrorDetail
