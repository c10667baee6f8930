"""Blibli sandbox: per-store, per-operation budgets answered with 429 and ERR-PA429001."""

from __future__ import annotations

from adapters.blibli import codes
from adapters.blibli.sandbox import BlibliSandbox
from tests.adapters.blibli.raw import RawBlibli, blibli_plugged, blibli_sandbox, raw

__all__ = ["blibli_plugged", "blibli_sandbox", "raw"]


def test_the_26th_list_call_within_a_minute_is_refused(raw: RawBlibli) -> None:
    statuses = [raw.products(size=1).status_code for _ in range(25)]
    refused = raw.products(size=1)
    assert statuses == [200] * 25
    assert refused.status_code == 429
    assert refused.json()["errorCode"] == codes.QUOTA_EXCEEDED
    assert int(refused.headers["Retry-After"]) >= 1
    assert raw.control("GET", "stats")["rate_limited"] == 1


def test_budgets_are_per_operation(raw: RawBlibli, blibli_sandbox: BlibliSandbox) -> None:
    for _ in range(25):
        raw.products(size=1)
    product = next(iter(blibli_sandbox.store.products.values()))
    detail = raw.call("GET", f"/seller/v1/products/{product.sku}")
    stock = raw.call(
        "PUT", f"/seller/v1/products/{product.skus[0].blibli_sku}/stock", body={"availableStock": 1}
    )
    assert (detail.status_code, stock.status_code) == (200, 200)


def test_exact_stock_allows_60_a_minute(raw: RawBlibli, blibli_sandbox: BlibliSandbox) -> None:
    sku = next(iter(blibli_sandbox.store.products.values())).skus[0].blibli_sku
    path = f"/seller/v1/products/{sku}/stock"
    statuses = [raw.call("PUT", path, body={"availableStock": n}).status_code for n in range(61)]
    assert statuses == [200] * 60 + [429]


def test_refused_calls_do_not_reach_the_handler(
    raw: RawBlibli, blibli_sandbox: BlibliSandbox
) -> None:
    raw.control("POST", "budgets", {"update_stock": {"limit": 1, "window_seconds": 3600}})
    found = next(iter(blibli_sandbox.store.products.values())).skus[0]
    path = f"/seller/v1/products/{found.blibli_sku}/stock"
    assert raw.call("PUT", path, body={"availableStock": 5}).status_code == 200
    assert raw.call("PUT", path, body={"availableStock": 6}).status_code == 429
    assert found.variant.stock == 5


def test_documented_budgets_are_reported_by_path(blibli_sandbox: BlibliSandbox) -> None:
    assert blibli_sandbox.documented_limit_per_minute() == {
        "/seller/v1/products/filter": 25,
        "/mta/api/businesspartner/v1/product/updateProduct": 25,
        "/seller/v1/products/{blibli-sku}/stock": 60,
    }


def test_the_budgets_control_changes_and_resets_them(raw: RawBlibli) -> None:
    changed = raw.control("POST", "budgets", {"product_list": {"limit": 2, "window_seconds": 1}})
    assert changed["product_list"] == {"limit": 2, "window_seconds": 1.0}
    reset = raw.control("POST", "budgets", {"reset": True})
    assert reset["product_list"] == {"limit": 25, "window_seconds": 60.0}


def test_the_toolkit_limit_applies_per_operation_path(raw: RawBlibli) -> None:
    """``/_sandbox/limits`` overrides, scoped by the documented path, throttle that API alone."""
    raw.control(
        "POST", "limits", {"overrides": {"/seller/v1/products/filter": {"rate": 0.01, "burst": 1}}}
    )
    assert raw.products(size=1).status_code == 200
    refused = raw.products(size=1)
    assert refused.status_code == 429
    assert refused.json()["errorCode"] == codes.QUOTA_EXCEEDED
    product = raw.control("GET", "truth")["listings"][0]["product_sku"]  # type: ignore[index]
    assert raw.call("GET", f"/seller/v1/products/{product}").status_code == 200
