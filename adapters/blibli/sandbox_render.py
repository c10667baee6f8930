"""Blibli sandbox payloads: product summaries (Product List V3 and detail) and variant rows.

Summary shape [V3 B3]; variant rows and the detail reuse of the summary are [I] (the scrape lost
those bodies). A malformed product keeps a readable summary but answers its variant list with
a price a client must refuse ("Rp 12.500"): the item is quarantined, not guessed at.
"""

from __future__ import annotations

import zlib

from adapters.blibli.sandbox_store import PICKUP_POINT, BlibliProduct, BlibliSku

JSONObject = dict[str, object]


def summary(product: BlibliProduct) -> JSONObject:
    item = product.product
    prices = [sku.variant.price for sku in product.skus]
    sales = [sku.variant.promo_price or sku.variant.price for sku in product.skus]
    return {
        "product": {
            "code": product.code,
            "name": item.name,
            "sku": product.sku,
            "state": product.list_state,
            "url": {"blibli": f"https://www.blibli.com/p/{product.code.lower()}/ps--{product.sku}"},
        },
        "category": {
            "code": f"CAT-{zlib.crc32(item.category.encode()) % 100_000:05d}",
            "name": item.category,
        },
        "brand": {"name": item.brand},
        "images": [
            {"main": True, "path": f"https://www.static-src.com/{product.sku}/1.jpg", "sequence": 0}
        ],
        "price": {
            "normal": {"min": min(prices), "max": max(prices)},
            "sale": {"min": min(sales), "max": max(sales)},
        },
        "counter": {
            "stock": sum(sku.variant.stock for sku in product.skus),
            "variant": len(product.skus),
        },
        "pickupPointCodes": [PICKUP_POINT],
        "flags": {"preOrder": False, "synchronized": True},
        "createdDate": product.created_ms,
        "updatedDate": product.updated_ms,
    }


def variant(product: BlibliProduct, sku: BlibliSku) -> JSONObject:
    unit = sku.variant
    regular: object = f"Rp {unit.price:,}".replace(",", ".") if product.malformed else unit.price
    return {
        "blibliSku": sku.blibli_sku,
        "sellerSku": unit.sku,
        "attributes": [
            {"name": name, "value": value}
            for name, value in zip(product.product.tier_names, unit.options, strict=True)
        ],
        "pickupPoints": [
            {
                "code": PICKUP_POINT,
                "price": {"regular": regular, "sale": unit.promo_price or unit.price},
                "stock": {"available": unit.stock, "reserved": unit.reserved_stock},
                "buyable": sku.buyable,
                "displayable": sku.displayable,
            }
        ],
        "updatedDate": product.updated_ms,
    }


def paging(page: int, size: int, total: int) -> JSONObject:
    return {"page": page, "size": size, "totalPage": -(-total // size), "totalRecord": total}
