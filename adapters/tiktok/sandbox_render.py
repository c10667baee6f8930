"""TikTok Shop sandbox: products as the official ``search`` entries, ``Get Product`` answers and
inventory search rows (ID region: IDR decimal strings, KILOGRAM weights, string ids).

A product whose ``malformed`` is set is rendered with that defect on purpose, so a client can
prove it quarantines one bad product and keeps the rest of the page.
"""

from __future__ import annotations

from adapters.tiktok.sandbox_errors import JSONObject
from adapters.tiktok.sandbox_store import TikTokProduct, TikTokSku
from adapters.tiktok.status import TIKTOK_SHOP, TOKOPEDIA

MALFORMATIONS = ("fractional_price", "string_price", "missing_title", "negative_stock")
_IMAGE_HOST = "https://sandbox.tiktokcdn.invalid/obj/"  # .invalid never resolves


def _price(item: TikTokProduct, sku: TikTokSku) -> str:
    if item.malformed == "fractional_price":
        return f"{sku.variant.price}.50"
    if item.malformed == "string_price":
        return f"Rp{sku.variant.price:,}".replace(",", ".")
    return str(sku.variant.price)


def _inventory(item: TikTokProduct, sku: TikTokSku) -> list[JSONObject]:
    rows: list[JSONObject] = [
        {"warehouse_id": warehouse, "quantity": quantity}
        for warehouse, quantity in zip(sku.warehouses, sku.quantities, strict=True)
    ]
    if item.malformed == "negative_stock":
        rows[0]["quantity"] = -5
    return rows


def _status_info(sku: TikTokSku) -> JSONObject:
    info: JSONObject = {"status": sku.status}
    if sku.source:
        info["deactivation_source"] = sku.source
    return info


def _platform_fields(item: TikTokProduct, payload: JSONObject) -> None:
    """``status`` only when listed on TikTok Shop, ``integrated_platform_statuses`` only when
    listed on Tokopedia (both field tables say so for Indonesian sellers)."""
    if TIKTOK_SHOP in item.platforms:
        payload["status"] = item.platforms[TIKTOK_SHOP]
    if TOKOPEDIA in item.platforms:
        payload["integrated_platform_statuses"] = [
            {"platform": TOKOPEDIA, "status": item.platforms[TOKOPEDIA]}
        ]
    tiktok = item.platforms.get(TIKTOK_SHOP)
    audit = "AUDITING" if tiktok == "PENDING" else "APPROVED" if tiktok == "ACTIVATE" else "NONE"
    payload["audit"] = {
        "status": "FAILED" if tiktok == "FAILED" else audit,
        "pre_approved_reasons": [],
    }


def search_entry(item: TikTokProduct) -> JSONObject:
    """One entry of ``data.products`` of Search Products (202502)."""
    skus = [
        {
            "id": str(sku.sku_id),
            "seller_sku": sku.variant.sku,
            "price": {
                "currency": "IDR",
                "tax_exclusive_price": _price(item, sku),
                "sale_price": _price(item, sku),
            },
            "inventory": _inventory(item, sku),
            "status_info": _status_info(sku),
        }
        for sku in item.skus
    ]
    payload: JSONObject = {"id": str(item.product_id)}
    if item.malformed != "missing_title":
        payload["title"] = item.product.name
    _platform_fields(item, payload)
    payload.update(
        {
            "skus": skus,
            "sales_regions": ["ID"],
            "create_time": item.product.created_time,
            "update_time": item.update_time,
            "is_not_for_sale": False,
            "has_draft": False,
        }
    )
    return payload


def detail(item: TikTokProduct) -> JSONObject:
    """``data`` of Get Product (202309): the search fields plus attributes, images, package."""
    product = item.product
    payload = search_entry(item)
    del payload["sales_regions"]  # a search field; Get Product's table has none
    image = f"tos-alisg-i-sbx/{item.product_id:x}"
    payload.update(
        {
            "description": f"<p>{product.description}</p>",
            "category_chains": [
                {"id": "600001", "parent_id": "0", "local_name": product.category, "is_leaf": True}
            ],
            "brand": {"id": str(7_000_000 + len(product.brand)), "name": product.brand},
            "main_images": [
                {
                    "uri": image,
                    "urls": [_IMAGE_HOST + image],
                    "thumb_urls": [_IMAGE_HOST + image + "~thumb"],
                    "width": 800,
                    "height": 800,
                }
            ],
            "package_weight": {"value": format(product.weight_g / 1000, "g"), "unit": "KILOGRAM"},
            "package_dimensions": {
                "length": "20",
                "width": "15",
                "height": "10",
                "unit": "CENTIMETER",
            },
            "minimum_order_quantity": 1,
            "is_cod_allowed": True,
            "product_attributes": [],
        }
    )
    skus = payload["skus"]
    assert isinstance(skus, list)
    for sku, row in zip(item.skus, skus, strict=True):
        row["sales_attributes"] = [
            {
                "id": str(100_000 + index),
                "name": name,
                "value_id": str(200_000 + index),
                "value_name": value,
            }
            for index, (name, value) in enumerate(
                zip(product.tier_names, sku.variant.options, strict=True)
            )
        ]
        row["external_sku_id"] = ""
    return payload


def inventory_row(item: TikTokProduct, skus: list[TikTokSku]) -> JSONObject:
    """One entry of Inventory Search's ``data.inventory``."""
    return {
        "product_id": str(item.product_id),
        "skus": [
            {
                "id": str(sku.sku_id),
                "seller_sku": sku.variant.sku,
                "total_available_quantity": sku.stock,
                "total_committed_quantity": 0,
                "warehouse_inventory": [
                    {
                        "warehouse_id": warehouse,
                        "available_quantity": quantity,
                        "committed_quantity": 0,
                    }
                    for warehouse, quantity in zip(sku.warehouses, sku.quantities, strict=True)
                ],
                "total_available_inventory_distribution": {
                    "campaign_inventory": [],
                    "creator_inventory": [],
                    "in_shop_inventory": {"quantity": sku.stock},
                },
            }
            for sku in skus
        ],
    }
