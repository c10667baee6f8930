"""Blibli sandbox: exact stock (synchronous) and the bulk update queue with per-row verdicts."""

from __future__ import annotations

from adapters.blibli import codes
from adapters.blibli.sandbox import BlibliSandbox
from adapters.blibli.sandbox_queue import PROMO_LOCKED
from tests.adapters.blibli.raw import RawBlibli, blibli_plugged, blibli_sandbox, raw

__all__ = ["blibli_plugged", "blibli_sandbox", "raw"]

BULK = "/mta/api/businesspartner/v1/product/updateProduct"
QUEUE = "/mta/api/businesspartner/v1/queue/detail"


def _bulk(raw: RawBlibli, rows: list[dict[str, object]]) -> str:
    response = raw.call(
        "POST", BULK, body={"merchantCode": raw.creds["shop_id"], "productRequests": rows}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert body["value"]["status"] == "QUEUED"
    queue_id: str = body["requestId"]
    return queue_id


def _detail(raw: RawBlibli, queue_id: str) -> dict[str, object]:
    response = raw.call("GET", QUEUE, params=raw.params(legacy=True, queueId=queue_id))
    assert response.status_code == 200, response.text
    value: dict[str, object] = response.json()["value"]
    return value


def _first_sku(sandbox: BlibliSandbox, *, promo: bool = False) -> tuple[str, str]:
    for product in sandbox.store.products.values():
        for sku in product.skus:
            if (sku.variant.promo_price is not None) == promo:
                return product.sku, sku.blibli_sku
    raise AssertionError("no such SKU in the catalog")


def test_exact_stock_is_set_at_once(raw: RawBlibli, blibli_sandbox: BlibliSandbox) -> None:
    _, sku = _first_sku(blibli_sandbox)
    response = raw.call("PUT", f"/seller/v1/products/{sku}/stock", body={"availableStock": 42})
    assert response.status_code == 200
    found = blibli_sandbox.store.find_sku(sku)
    assert found is not None
    assert found[1].variant.stock == 42


def test_exact_stock_refuses_a_negative_value(
    raw: RawBlibli, blibli_sandbox: BlibliSandbox
) -> None:
    _, sku = _first_sku(blibli_sandbox)
    response = raw.call("PUT", f"/seller/v1/products/{sku}/stock", body={"availableStock": -1})
    assert response.status_code == 400
    assert "availableStock" in response.json()["errorMessage"]


def test_a_bulk_update_applies_only_when_its_queue_is_done(
    raw: RawBlibli, blibli_sandbox: BlibliSandbox
) -> None:
    _, sku = _first_sku(blibli_sandbox)
    found = blibli_sandbox.store.find_sku(sku)
    assert found is not None
    before = found[1].variant.price
    queue_id = _bulk(raw, [{"gdnSku": sku, "price": before + 1000, "salePrice": before + 1000}])
    first = _detail(raw, queue_id)
    assert first["status"] == "IN_PROGRESS"
    assert found[1].variant.price == before
    second = _detail(raw, queue_id)
    assert second["status"] == "DONE"
    assert second["items"] == [{"gdnSku": sku, "success": True, "errorMessage": ""}]
    assert found[1].variant.price == before + 1000


def test_rows_fail_one_by_one_with_readable_reasons(
    raw: RawBlibli, blibli_sandbox: BlibliSandbox
) -> None:
    _, plain = _first_sku(blibli_sandbox)
    _, promo = _first_sku(blibli_sandbox, promo=True)
    raw.control("POST", "queue", {"polls": 1})
    rows: list[dict[str, object]] = [
        {"gdnSku": plain, "exactStock": 3},
        {"gdnSku": promo, "price": 50_000, "salePrice": 45_000},
        {"gdnSku": plain, "stock": 1, "exactStock": 2},
        {"gdnSku": plain, "price": 50_000},
        {"gdnSku": "NOPE-00001-00001", "exactStock": 1},
    ]
    detail = _detail(raw, _bulk(raw, rows))
    reasons = [item["errorMessage"] for item in detail["items"]]  # type: ignore[attr-defined]
    assert reasons == [
        "",
        PROMO_LOCKED,
        "Send either stock or exactStock, not both",
        "price and salePrice must be sent together",
        "gdnSku NOPE-00001-00001 not found in this store",
    ]


def test_injected_row_failures_and_flush(raw: RawBlibli, blibli_sandbox: BlibliSandbox) -> None:
    _, sku = _first_sku(blibli_sandbox)
    raw.control("POST", "queue", {"polls": 50, "fail_skus": {sku: "Stok sedang dikunci"}})
    queue_id = _bulk(raw, [{"gdnSku": sku, "exactStock": 9}])
    raw.control("POST", "queue", {"flush": True})
    detail = _detail(raw, queue_id)
    assert detail["status"] == "DONE"
    assert detail["items"] == [
        {"gdnSku": sku, "success": False, "errorMessage": "Stok sedang dikunci"}
    ]


def test_more_than_100_rows_are_refused(raw: RawBlibli) -> None:
    rows = [{"gdnSku": f"X-{n}", "exactStock": 1} for n in range(101)]
    response = raw.call(
        "POST", BULK, body={"merchantCode": raw.creds["shop_id"], "productRequests": rows}
    )
    assert response.status_code == 400
    assert response.json()["errorCode"] == codes.BAD_REQUEST
    assert "1 to 100" in response.json()["errorMessage"]


def test_the_merchant_code_must_be_the_store(raw: RawBlibli) -> None:
    body = {"merchantCode": "OTHER-1", "productRequests": [{"gdnSku": "X"}]}
    response = raw.call("POST", BULK, body=body)
    assert response.status_code == 400


def test_an_unknown_queue_is_not_found(raw: RawBlibli) -> None:
    response = raw.call("GET", QUEUE, params=raw.params(legacy=True, queueId="nope"))
    assert response.status_code == 404
    assert response.json()["errorCode"] == codes.NOT_FOUND
