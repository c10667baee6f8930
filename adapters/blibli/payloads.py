"""Shapes of the Blibli payloads the adapter reads and writes (marketplaces/README 4.4).

[V3] shapes come from community adapters; [I] ones are the sandbox's choice where the scrape
lost the body (variant list, product detail, queue detail). Readers never index these blindly:
mapping.py uses the typed getters, so a wrong field names itself.
"""

from __future__ import annotations

from typing import TypedDict


class Paging(TypedDict):
    page: int  # 0-based
    size: int  # at most 50
    totalPage: int
    totalRecord: int


class ProductRef(TypedDict, total=False):
    code: str  # L1, e.g. MTA-7153826
    name: str
    sku: str  # L3 product SKU, e.g. TOQ-15126-00001
    state: str  # ACTIVE, OOS, ARCHIVED, SUSPENDED, NEED_CORRECTION, IN_PROGRESS ...


class ProductSummary(TypedDict, total=False):
    """One entry of ``POST /seller/v1/products/filter`` ``content`` [V3]; also the ``content``
    of ``GET /seller/v1/products/{product-sku}`` [I]."""

    product: ProductRef
    images: list[dict[str, object]]
    price: dict[str, dict[str, int]]  # {normal: {min, max}, sale: {min, max}}
    counter: dict[str, int]  # {stock, variant}
    pickupPointCodes: list[str]
    createdDate: int  # epoch ms
    updatedDate: int  # epoch ms


class PickupPoint(TypedDict):
    """[I] One pickup point of an L4 SKU: its own price, stock and display flags."""

    code: str
    price: dict[str, int]  # {regular, sale}
    stock: dict[str, int]  # {available, reserved}
    buyable: bool
    displayable: bool


class Variant(TypedDict, total=False):
    """[I] One entry of ``POST /seller/v1/products/{product-sku}/variants/filter``."""

    blibliSku: str  # L4, e.g. TOQ-15126-00001-00001
    sellerSku: str
    attributes: list[dict[str, str]]  # [{name, value}]
    pickupPoints: list[PickupPoint]
    updatedDate: int


class BulkRow(TypedDict, total=False):
    """A row of the async bulk update [V B1 model]: never ``stock`` and ``exactStock`` both;
    ``price`` and ``salePrice`` together."""

    gdnSku: str
    exactStock: int
    price: int
    salePrice: int
    buyable: bool
    displayable: bool


class QueueItem(TypedDict):
    """[I] One row's outcome in the queue detail."""

    gdnSku: str
    success: bool
    errorMessage: str


class QueueDetail(TypedDict):
    """[I] ``value`` of the queue detail: ``status`` IN_PROGRESS until DONE."""

    requestId: str
    status: str
    total: int
    items: list[QueueItem]
