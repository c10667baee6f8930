"""The listings API reads its query string through one model (``syncer.web.query``): its
answers to bad input and its OpenAPI parameters are the ones FastAPI gives for that model."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, Query

from syncer.web import errors, query
from syncer.web import schemas as s
from tests.web.conftest import Site

BAD = [
    {"limit": "many"},
    {"limit": "0"},
    {"limit": "501"},
    {"limit": ""},
    {"status": "sold_out"},
    {"marketplace": "Shopee!"},
    {"shop": "-1"},
    {"shop": str(2**63)},
    {"sku": ""},
    {"q": "x" * 201},
    {"cursor": "c" * 101},
    {"business": "Toko A"},
    {"limit": "0", "status": "sold_out", "shop": "x"},  # every problem is named, in order
]


def reference_app() -> FastAPI:
    """FastAPI validating the same model its own way (a query parameter model)."""
    app = FastAPI()
    errors.install(app, None)

    @app.get("/api/v1/listings")
    async def listings(asked: Annotated[s.ListingQuery, Query()]) -> dict[str, Any]:
        return asked.model_dump(mode="json")

    return app


@pytest.mark.parametrize("params", BAD)
async def test_bad_input_is_refused_exactly_as_fastapi_refuses_it(
    site: Site, params: dict[str, str]
) -> None:
    transport = httpx.ASGITransport(app=reference_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://reference") as reference:
        expected = await reference.get("/api/v1/listings", params=params)
    answer = await site.client.get(
        "/api/v1/listings", params=params, headers=site.as_(site.data.a.token)
    )
    assert (answer.status_code, expected.status_code) == (422, 422)
    assert answer.json() == expected.json()


async def test_a_repeated_parameter_counts_with_its_last_value_as_in_fastapi(site: Site) -> None:
    params = [("limit", "0"), ("limit", "1")]
    answer = await site.client.get(
        "/api/v1/listings", params=params, headers=site.as_(site.data.a.token)
    )
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["items"]) == 1


def test_the_openapi_parameters_are_the_ones_fastapi_derives_from_the_model() -> None:
    def described(parameters: list[dict[str, Any]]) -> list[dict[str, Any]]:
        def untitled(node: Any) -> Any:  # FastAPI titles a parameter's schema, pydantic not
            if isinstance(node, dict):
                return {k: untitled(v) for k, v in node.items() if k != "title"}
            return [untitled(item) for item in node] if isinstance(node, list) else node

        return [untitled(parameter) for parameter in parameters]

    app = reference_app()
    document = app.openapi()
    theirs = document["paths"]["/api/v1/listings"]["get"]["parameters"]
    status = document["components"]["schemas"]["ListingStatus"]
    for parameter in theirs:  # FastAPI refers to the enum's component; ours inlines it
        if "anyOf" in parameter["schema"]:
            parameter["schema"]["anyOf"] = [
                status if option.get("$ref", "").endswith("/ListingStatus") else option
                for option in parameter["schema"]["anyOf"]
            ]
    ours = query.parameters(s.ListingQuery)["parameters"]
    assert described(ours) == described(theirs)
