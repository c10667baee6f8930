"""Stores for the shared-limit tests: a migrated throwaway PostgreSQL schema, and Redis under
a key prefix of its own, each skipped with the reason when its server is not configured."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.conftest import NO_POSTGRES, POSTGRES_URL, migrated_postgres_schema

REDIS_URL = os.environ.get("SYNCER_TEST_REDIS_URL", "")
NO_REDIS = "SYNCER_TEST_REDIS_URL is not set: Redis shared-limit tests skipped"


@dataclass(frozen=True)
class StoreSpec:
    """How a worker process reaches the shared store (see ``hammer.py``)."""

    backend: str
    url: str
    prefix: str = ""


@pytest.fixture
def postgres_store() -> Iterator[StoreSpec]:
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    with migrated_postgres_schema() as url:
        yield StoreSpec("postgresql", url)


@pytest.fixture
def redis_store() -> StoreSpec:
    if not REDIS_URL:
        pytest.skip(NO_REDIS)
    return StoreSpec("redis", REDIS_URL, prefix=f"syncer-test:{uuid.uuid4().hex[:12]}:")


@pytest.fixture(params=["postgresql", "redis"])
def shared_store(request: pytest.FixtureRequest) -> StoreSpec:
    """Each shared backend in turn."""
    name = "postgres_store" if request.param == "postgresql" else "redis_store"
    spec: StoreSpec = request.getfixturevalue(name)
    return spec
