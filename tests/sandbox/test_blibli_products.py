"""Blibli sandbox: Product List V3 by state and page, product detail and variant lists."""

from __future__ import annotations

from adapters.blibli import codes
from adapters.blibli.sandbox import BlibliSandbox
from adapters.blibli.sandbox_store import STATES
from tests.adapters.blibli.raw import RawBlibli, blibli_plugged, blibli_sandbox, raw

__all__ = ["blibli_plugged", "blibli_sandbox", "raw"]


def _skus(raw: RawBlibli, state: str | None, size: int = 50) -> list[str]:
    found: list[str] = []
    page = 0
    while True:
        body = raw.products(state, page, size).json()
        found += [entry["product"]["sku"] for entry in body["content"]]
        page += 1
        if page >= body["paging"]["totalPage"]:
            return found


def test_pages_cover_each_state_once_in_created_order(
    raw: RawBlibli, blibli_sandbox: BlibliSandbox
) -> None:
    raw.control("POST", "budgets", {"product_list": {"limit": 1000, "window_seconds": 60}})
    for state in STATES:
        expected = [p.sku for p in blibli_sandbox.store.in_state(state)]
        assert _skus(raw, state, size=7) == expected


def test_without_a_state_the_list_is_active_in_stock_only(
    raw: RawBlibli, blibli_sandbox: BlibliSandbox
) -> None:
    listed = _skus(raw, None)
    products = [blibli_sandbox.store.find(sku) for sku in listed]
    assert listed == _skus(raw, "ACTIVE")
    assert all(p is not None and any(s.variant.stock > 0 for s in p.skus) for p in products)


def test_a_sold_out_active_product_moves_to_oos(raw: RawBlibli) -> None:
    sku = raw.products("ACTIVE", 0, 1).json()["content"][0]["product"]["sku"]
    raw.control("POST", "mutate", {"action": "set_stock", "product_sku": sku, "value": 0})
    assert sku not in _skus(raw, "ACTIVE")
    assert sku in _skus(raw, "OOS")


def test_size_is_capped_at_50_and_paging_is_reported(raw: RawBlibli) -> None:
    body = raw.products("ACTIVE", 0, 500).json()
    assert len(body["content"]) == 50
    paging = body["paging"]
    assert paging["size"] == 50
    assert paging["page"] == 0
    assert paging["totalPage"] == -(-paging["totalRecord"] // 50)


def test_an_unknown_state_is_refused_naming_the_allowed_ones(raw: RawBlibli) -> None:
    response = raw.products("DELETED")
    assert response.status_code == 400
    assert response.json()["errorCode"] == codes.BAD_REQUEST
    assert "NEED_CORRECTION" in response.json()["errorMessage"]


def test_entries_carry_the_documented_fields(raw: RawBlibli) -> None:
    entry = raw.products().json()["content"][0]
    assert set(entry) >= {"product", "price", "counter", "createdDate", "updatedDate", "images"}
    assert set(entry["product"]) >= {"code", "name", "sku", "state"}
    assert entry["product"]["code"].startswith("MTA-")


def test_detail_and_variants_of_a_product(raw: RawBlibli, blibli_sandbox: BlibliSandbox) -> None:
    product = next(p for p in blibli_sandbox.store.products.values() if len(p.skus) > 1)
    detail = raw.call("GET", f"/seller/v1/products/{product.sku}").json()["content"]
    assert detail["product"]["sku"] == product.sku
    body = {"paging": {"page": 0, "size": 1}}
    first = raw.call("POST", f"/seller/v1/products/{product.sku}/variants/filter", body=body)
    assert first.json()["paging"]["totalRecord"] == len(product.skus)
    row = first.json()["content"][0]
    assert row["blibliSku"] == product.skus[0].blibli_sku
    point = row["pickupPoints"][0]
    assert point["price"]["regular"] == product.skus[0].variant.price
    assert point["stock"]["available"] == product.skus[0].variant.stock


def test_an_unknown_product_is_not_found(raw: RawBlibli) -> None:
    response = raw.call("GET", "/seller/v1/products/NOPE-00001")
    assert response.status_code == 404
    assert response.json()["errorCode"] == codes.PRODUCT_NOT_FOUND


def test_a_malformed_product_answers_a_price_no_client_may_accept(raw: RawBlibli) -> None:
    sku = raw.products().json()["content"][0]["product"]["sku"]
    raw.control("POST", "mutate", {"action": "malform", "product_sku": sku})
    rows = raw.call("POST", f"/seller/v1/products/{sku}/variants/filter", body={}).json()
    assert isinstance(rows["content"][0]["pickupPoints"][0]["price"]["regular"], str)
    assert raw.control("GET", "truth")["malformed"] == [sku]
