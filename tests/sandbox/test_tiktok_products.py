"""TikTok Shop sandbox conformance: product payload shapes against the official samples, cursor
pages, batch limits, per-row failure shapes, routing errors, rate limits and faults."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.tiktok.sandbox import TikTokSandbox
from adapters.tiktok.sandbox_store import TikTokProduct
from syncer.sandbox import LimitRule, SandboxServer
from tests.adapters.tiktok.raw import RawTikTok
from tests.adapters.tiktok.samples import response_sample, spec

PRODUCTS = "/product/202309/products"


@pytest.fixture
def sandbox() -> TikTokSandbox:
    return TikTokSandbox(seed=4, listings=300, limit=LimitRule(5000, 5000))


@pytest.fixture
def raw(sandbox: TikTokSandbox) -> Iterator[RawTikTok]:
    with (
        SandboxServer(sandbox.app) as server,
        httpx.Client(base_url=server.base_url, timeout=10) as client,
    ):
        yield RawTikTok(client, sandbox)


def _live(raw: RawTikTok) -> TikTokProduct:
    return next(
        p for p in raw.sandbox.store.products.values() if set(p.platforms.values()) == {"ACTIVATE"}
    )


def _documented_fields(name: str) -> set[str]:
    """Every response field name the API page's table lists (any depth)."""
    return {entry["name"].lstrip("^") for entry in spec(name)["response_param"]}


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for child in value.values() for key in _keys(child)}
    if isinstance(value, list):
        return {key for child in value for key in _keys(child)}
    return set()


def test_search_answers_only_documented_fields_in_the_documented_envelope(raw: RawTikTok) -> None:
    body = raw.search().json()
    assert set(body) == set(response_sample("search-products"))
    assert _keys(body["data"]) <= _documented_fields("search-products")
    product = body["data"]["products"][0]
    assert isinstance(product["id"], str)
    assert isinstance(product["skus"][0]["price"]["tax_exclusive_price"], str)
    assert product["skus"][0]["price"]["currency"] == "IDR"


def test_get_product_answers_only_documented_fields(raw: RawTikTok) -> None:
    product_id = _live(raw).product_id
    body = raw.ok("GET", f"{PRODUCTS}/{product_id}")
    assert _keys(body["data"]) <= _documented_fields("get-product")
    assert body["data"]["package_weight"]["unit"] == "KILOGRAM"
    assert raw.call("GET", f"{PRODUCTS}/42").json()["code"] == 12052032


def test_cursor_pages_cover_the_catalog_once_and_end_with_an_empty_token(raw: RawTikTok) -> None:
    seen: list[str] = []
    token = ""
    while True:
        query = {"page_size": "37"} | ({"page_token": token} if token else {})
        data = raw.ok("POST", "/product/202502/products/search", {}, query=query)["data"]
        seen += [product["id"] for product in data["products"]]
        token = data["next_page_token"]
        if not token:
            break
    assert len(seen) == len(set(seen)) == len(raw.sandbox.store.products) == data["total_count"]
    assert raw.search(page_token="garbage!").json()["code"] == 12019108


@pytest.mark.parametrize(
    ("query", "body", "code"),
    [
        ({"page_size": "0"}, {}, 12019109),
        ({"page_size": "101"}, {}, 12019109),
        ({}, {"seller_skus": [f"S{n}" for n in range(11)]}, 12019027),
        ({}, {"sku_ids": [str(n) for n in range(11)]}, 12019087),
        ({}, {"update_time_ge": 200, "update_time_le": 100}, 12019119),
        ({}, {"listing_platforms": ["TOKOPEDIA"]}, 12052910),
    ],
)
def test_search_limits_answer_their_documented_codes(
    raw: RawTikTok, query: dict[str, str], body: dict[str, Any], code: int
) -> None:
    assert raw.search(body, **query).json()["code"] == code


def test_search_filters_by_platform_status_and_seller_sku(raw: RawTikTok) -> None:
    store = raw.sandbox.store
    on_tokopedia = {
        str(p.product_id)
        for p in store.products.values()
        if p.platforms.get("TOKOPEDIA") == "ACTIVATE"
    }
    data = raw.search({"status": "ACTIVATE", "listing_platforms": ["TOKOPEDIA"]}).json()["data"]
    assert {product["id"] for product in data["products"]} == on_tokopedia
    item = next(iter(store.products.values()))
    found = raw.search({"seller_skus": [item.skus[0].variant.sku]}).json()["data"]["products"]
    assert [product["id"] for product in found] == [str(item.product_id)]


def test_a_row_failure_has_the_documented_check_failed_shape(raw: RawTikTok) -> None:
    """Update Inventory's sample: 12052990 "Check failed", detail.sku_id, extra_errors[]."""
    item = next(
        p for p in raw.sandbox.store.products.values() if set(p.platforms.values()) == {"ACTIVATE"}
    )
    sku = item.skus[0]
    body = {"skus": [{"id": str(sku.sku_id), "inventory": [{"warehouse_id": "1", "quantity": 5}]}]}
    answer = raw.ok("POST", f"{PRODUCTS}/{item.product_id}/inventory/update", body)
    documented = response_sample("update-inventory")["data"]["errors"][0]
    (error,) = answer["data"]["errors"]
    assert _keys(error) == _keys(documented)
    assert (error["code"], error["detail"]["sku_id"]) == (12052990, str(sku.sku_id))
    assert error["detail"]["extra_errors"][0]["code"] == 12052097


def test_batch_limits(raw: RawTikTok) -> None:
    ids = [str(n) for n in range(21)]
    assert (
        raw.call("POST", f"{PRODUCTS}/deactivate", {"product_ids": ids}).json()["code"] == 12019120
    )
    many = [str(n) for n in range(101)]
    assert (
        raw.call("POST", "/product/202309/inventory/search", {"product_ids": many}).json()["code"]
        == 12019120
    )
    item = _live(raw)
    skus = [{"id": str(n), "inventory": [{"quantity": 1}]} for n in range(101)]
    update = raw.call("POST", f"{PRODUCTS}/{item.product_id}/inventory/update", {"skus": skus})
    assert update.json()["code"] == 12052050


def test_deactivate_names_a_foreign_product_like_its_sample(raw: RawTikTok) -> None:
    answer = raw.ok("POST", f"{PRODUCTS}/deactivate", {"product_ids": ["1729382588639839583"]})
    documented = response_sample("deactivate-products")["data"]
    assert answer["data"] == documented


def test_inventory_search_answers_the_documented_shape(raw: RawTikTok) -> None:
    item = _live(raw)
    answer = raw.ok(
        "POST", "/product/202309/inventory/search", {"product_ids": [str(item.product_id)]}
    )
    documented = response_sample("inventory-search")["data"]
    assert _keys(answer["data"]) <= _keys(documented)
    assert set(answer["data"]["inventory"][0]["skus"][0]) == set(
        documented["inventory"][0]["skus"][0]
    )


def test_unknown_paths_and_methods_answer_in_the_envelope(raw: RawTikTok) -> None:
    missing = raw.client.get("/product/202309/nothing")
    assert (missing.status_code, missing.json()["code"]) == (404, 36009009)
    wrong = raw.client.delete("/product/202502/products/search")
    assert (wrong.status_code, wrong.json()["code"]) == (405, 36009010)


def test_the_rate_limit_is_per_api_and_answers_429_with_its_code() -> None:
    """Over the budget of one API: 429, code 36009002, Retry-After; other APIs unaffected."""
    sandbox = TikTokSandbox(seed=4, listings=50, limit=LimitRule(3, 3))
    with SandboxServer(sandbox.app) as server, httpx.Client(base_url=server.base_url) as client:
        raw = RawTikTok(client, sandbox)
        answers = [raw.search() for _ in range(5)]
        other = raw.call("GET", "/authorization/202309/shops", shop=False)
    throttled = [answer for answer in answers if answer.status_code == 429]
    assert throttled
    assert throttled[0].json()["code"] == 36009002
    assert int(throttled[0].headers["Retry-After"]) >= 1
    assert other.json()["code"] == 0
    documented = TikTokSandbox(seed=1, listings=1)
    assert documented.documented_limit_per_minute()["/product/202502/products/search"] == 3000
    client = documented.client_settings("http://x", Path())
    assert client["requests_per_second"] == 40.0  # one shop-wide bucket under each API's 50


def test_fault_switches_answer_in_tiktoks_envelope(raw: RawTikTok) -> None:
    raw.sandbox.kit.faults.configure({"error_rate": 1.0, "error_status": 503})
    failed = raw.search()
    assert (failed.status_code, failed.json()["code"]) == (503, 36009003)
    raw.sandbox.kit.faults.configure({"error_rate": 0.0, "malformed_rate": 1.0})
    broken = raw.search()
    with pytest.raises(ValueError):  # noqa: PT011  any JSON decoding error
        broken.json()
