"""schemathesis over the whole OpenAPI schema, against the app on a real socket: no request,
however odd, makes the server fail (no 500, no undocumented 5xx), and every documented answer
matches its schema."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case, CheckContext, Response
from schemathesis.checks import response_schema_conformance
from schemathesis.core.failures import Failure

from syncer.adapter import available_adapters
from syncer.runtime import Runtime
from syncer.settings import Settings
from syncer.store import migrate
from tests.web.live import live_server
from tests.web.seed import Seeded, seed


@dataclass
class Live:
    base: str
    data: Seeded


def offline_settings(folder: Path) -> Settings:
    """Every marketplace points at a closed local port with one attempt: a fuzzed 'add shop'
    with a code gets a quick refusal instead of reaching out to the internet."""
    sections = {
        name: {"base_url": "http://127.0.0.1:9", "timeout_seconds": 2, "retry": {"max_attempts": 1}}
        for name in available_adapters()
    }
    return Settings(
        database={"url": f"sqlite:///{folder / 'syncer.db'}"},
        secrets={"key_file": folder / "secret.key"},
        marketplaces=sections,
    )


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("fuzz")
    config = offline_settings(folder)
    migrate.upgrade(config.database.url)

    async def seeded() -> Seeded:
        runtime = Runtime.from_settings(config)
        try:
            return await seed(runtime.database)
        finally:
            await runtime.close()

    data = asyncio.run(seeded())
    with live_server(lambda: Runtime.from_settings(config)) as base:
        yield Live(base, data)


@pytest.fixture(scope="module")
def api_schema(live: Live) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{live.base}/openapi.json")


def no_server_failure(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """500 is never right; another 5xx only where the operation documents it (a marketplace
    unreachable, no daemon to start a sync)."""
    documented = set(case.operation.definition.raw.get("responses", {}))
    if response.status_code == 500 or (
        response.status_code >= 500 and str(response.status_code) not in documented
    ):
        raise Failure(
            operation=case.operation.label,
            title=f"Server error {response.status_code}",
            message=response.text[:500],
        )
    return None


FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def fuzz(schema: schemathesis.BaseSchema, live: Live, token: str) -> list[str]:
    """Every operation, ``max_examples`` generated requests each; returns the operations run.

    (schemathesis' pytest plugin does not load under this pytest, so its engine is driven
    through the Python API: one hypothesis test per operation.)"""
    headers = {"Authorization": f"Bearer {token}"}
    ran = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @FUZZ
        @given(case=operation.as_strategy())
        def one(case: Case) -> None:
            case.call_and_validate(
                base_url=live.base,
                headers=headers,
                checks=[no_server_failure, response_schema_conformance],
            )

        one()
        ran.append(operation.label)
    return ran


def test_operator_requests_never_fail_the_server(
    api_schema: schemathesis.BaseSchema, live: Live
) -> None:
    ran = fuzz(api_schema, live, live.data.operator_token)
    assert "POST /api/v1/shops" in ran
    assert "GET /api/v1/listings" in ran


def test_business_requests_never_fail_the_server(
    api_schema: schemathesis.BaseSchema, live: Live
) -> None:
    ran = fuzz(api_schema, live, live.data.b.token)
    assert len(ran) >= 12
