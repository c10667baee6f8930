"""Shared fixtures: databases on SQLite and (when reachable) PostgreSQL, settings, runtime."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from syncer.settings import Settings
from syncer.store import Database, migrate

POSTGRES_URL = os.environ.get("SYNCER_TEST_POSTGRES_URL", "")
NO_POSTGRES = "SYNCER_TEST_POSTGRES_URL is not set: PostgreSQL store tests skipped"


def _postgres_schema_url(schema: str) -> str:
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated database: a SQLite file, or a throwaway PostgreSQL schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'syncer.db'}"
        migrate.upgrade(url)
        yield url
        return
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    with migrated_postgres_schema() as url:
        yield url


@contextmanager
def migrated_postgres_schema() -> Iterator[str]:
    """The URL of a throwaway, migrated PostgreSQL schema, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(migrate.sync_url(POSTGRES_URL))
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        url = _postgres_schema_url(schema)
        migrate.upgrade(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'syncer.db'}"
    migrate.upgrade(url)
    return url


def make_settings(database_url: str, tmp_path: Path, **marketplaces: dict[str, object]) -> Settings:
    """Settings for tests: fast retries, a key file in tmp, the given marketplace tables."""
    sections = {
        name: {
            "retry": {
                "initial_wait_seconds": 0.01,
                "max_wait_seconds": 0.5,
                "max_elapsed_seconds": 60,
                "max_attempts": 8,
            },
            **options,
        }
        for name, options in marketplaces.items()
    }
    return Settings(
        database={"url": database_url},
        secrets={"key_file": tmp_path / "secret.key"},
        marketplaces=sections,
        pull={"overlap_seconds": 2},
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist, keep the heavy tests (soak runs, the multi-process cluster and
    shared-limit tests) on one worker, one after another: together they would take most of
    PostgreSQL's 100 connections and both CPUs, and their throughput bounds assume the
    machine is not doubly loaded."""
    for item in items:
        heavy = ("tests/cluster/", "tests/limits/")  # many processes or a shared bucket at once
        if item.get_closest_marker("soak") or item.nodeid.startswith(heavy):
            item.add_marker(pytest.mark.xdist_group("heavy"))
