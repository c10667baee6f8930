"""Business tokens see only their own business on every endpoint; other businesses' rows
answer 404 (never the data); operator-only endpoints refuse business tokens."""

from __future__ import annotations

import json

import pytest

from tests.web.conftest import Site
from tests.web.seed import Tenant

# Every API route, and how business B probes business A's data through it.
PROBES: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/me"): "own",
    ("GET", "/api/v1/listings"): "list",
    ("GET", "/api/v1/listings/{listing_id}"): "id",
    ("GET", "/api/v1/products/{sku}"): "id",
    ("GET", "/api/v1/shops"): "list",
    ("GET", "/api/v1/shops/{shop_id}"): "id",
    ("POST", "/api/v1/shops"): "operator",
    ("POST", "/api/v1/shops/{shop_id}/sync"): "operator",
    ("GET", "/api/v1/runs"): "list",
    ("GET", "/api/v1/runs/{run_id}"): "id",
    ("GET", "/api/v1/pushes"): "list",
    ("POST", "/api/v1/tokens"): "operator",
}


def target(path: str, owner: Tenant) -> str:
    return path.format(
        listing_id=owner.listing_ids[0],
        sku=owner.skus[0],
        shop_id=owner.shop_ids[0],
        run_id=owner.run_ids[0],
    )


def leaks(body: str, owner: Tenant, asked: str = "") -> list[str]:
    """Strings of the owner's data in a response body (beyond what the request itself named)."""
    return [m for m in [owner.slug, *owner.skus] if m in body and m not in asked]


def test_every_api_route_has_a_tenancy_probe(site: Site) -> None:
    """A new endpoint cannot ship without being added to the tenancy table below."""
    routes = {
        (method.upper(), path)
        for path, operations in site.app.openapi()["paths"].items()
        if path.startswith("/api/")
        for method in operations
    }
    assert routes == set(PROBES)


@pytest.mark.parametrize(("method", "path"), sorted(k for k, v in PROBES.items() if v == "id"))
async def test_another_business_gets_404_for_each_resource(
    site: Site, method: str, path: str
) -> None:
    """B's token on A's listing, product, shop or run: 404 and none of A's data."""
    a, b = site.data.a, site.data.b
    response = await site.client.request(method, target(path, a), headers=site.as_(b.token))
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "not_found"
    assert leaks(response.text, a, asked=target(path, a)) == []
    own = await site.client.request(method, target(path, b), headers=site.as_(b.token))
    assert own.status_code == 200, own.text


@pytest.mark.parametrize(("method", "path"), sorted(k for k, v in PROBES.items() if v == "list"))
async def test_lists_hold_only_the_tokens_business(site: Site, method: str, path: str) -> None:
    """B's lists contain only B's rows; asking for A's business by name is 404."""
    a, b = site.data.a, site.data.b
    response = await site.client.request(method, path, headers=site.as_(b.token))
    assert response.status_code == 200, response.text
    body = response.json()
    items = body if isinstance(body, list) else body["items"]
    assert items, "B has rows of every kind, so an empty list would prove nothing"
    assert leaks(response.text, a) == []
    shop_ids = {item.get("shop_id", item.get("id")) for item in items}
    assert shop_ids <= set(b.shop_ids)
    other = await site.client.request(
        method, path, params={"business": a.slug}, headers=site.as_(b.token)
    )
    assert other.status_code == 404
    assert leaks(other.text, a, asked=a.slug) == []


@pytest.mark.parametrize(
    ("method", "path"), sorted(k for k, v in PROBES.items() if v == "operator")
)
async def test_business_tokens_cannot_use_operator_endpoints(
    site: Site, method: str, path: str
) -> None:
    """Adding shops, creating tokens and triggering syncs need an operator token."""
    a, b = site.data.a, site.data.b
    body = {"business": a.slug, "marketplace": "shopee", "external_shop_id": "1", "name": "x"}
    if path.endswith("tokens"):
        body = {"business": a.slug}
    response = await site.client.request(
        method, target(path, a), headers=site.as_(b.token), content=json.dumps(body)
    )
    assert response.status_code == 403, response.text
    assert leaks(response.text, a) == []


async def test_me_names_only_the_tokens_own_business(site: Site) -> None:
    response = await site.client.get("/api/v1/me", headers=site.as_(site.data.b.token))
    assert response.json()["business"] == "toko-b"


@pytest.mark.parametrize("page", ["/grid", "/shops", "/runs", "/pushes"])
async def test_pages_show_only_the_tokens_business(site: Site, page: str) -> None:
    """Logged in as B, the pages never show A's SKUs, shops or business name."""
    a, b = site.data.a, site.data.b
    site.client.cookies.set("syncer_token", b.token)
    response = await site.client.get(page)
    assert response.status_code == 200
    assert leaks(response.text, a) == []


async def test_pages_answer_404_for_another_business(site: Site) -> None:
    """A's product page and A's grid, asked for with B's cookie: 404 pages without A's data."""
    a, b = site.data.a, site.data.b
    site.client.cookies.set("syncer_token", b.token)
    for path in (f"/products/{a.skus[0]}", f"/grid?business={a.slug}"):
        response = await site.client.get(path)
        assert response.status_code == 404, path
        assert leaks(response.text, a, asked=path) == []


async def test_an_unknown_or_missing_token_is_401(site: Site) -> None:
    for headers in ({}, {"Authorization": "Bearer syn_nope"}, {"Authorization": "Basic eDp5"}):
        response = await site.client.get("/api/v1/listings", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
