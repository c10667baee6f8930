"""Schema comparisons ignore the tables procrastinate keeps beside ours (cluster mode), so
autogenerate on a cluster database proposes no change."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from procrastinate.schema import SchemaManager
from sqlmodel import SQLModel

import syncer.store.tables  # noqa: F401  registers the tables
from syncer.store import migrate
from syncer.store.foreign_tables import include_object


def test_the_filter_leaves_out_only_reflected_foreign_tables() -> None:
    jobs = sa.Table("procrastinate_jobs", sa.MetaData(), sa.Column("id", sa.Integer))
    ours = sa.Table("shop", sa.MetaData(), sa.Column("id", sa.Integer))
    column = jobs.c.id
    assert include_object(jobs, "procrastinate_jobs", "table", True, None) is False
    assert include_object(column, "id", "column", True, None) is False
    assert include_object(ours, "shop", "table", True, None) is True
    # A model of that name would be ours: compared as usual.
    assert include_object(jobs, "procrastinate_jobs", "table", False, None) is True
    assert include_object(jobs, "procrastinate_jobs", "table", True, jobs) is True


def differences(url: str, **opts: object) -> list[object]:
    engine = sa.create_engine(migrate.sync_url(url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True, **opts})
            return list(compare_metadata(context, SQLModel.metadata))
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_autogenerate_on_a_database_with_procrastinate_proposes_nothing(
    database_url: str,
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("procrastinate runs on PostgreSQL only")
    engine = sa.create_engine(migrate.sync_url(database_url))
    try:
        with engine.begin() as connection:
            # Straight to psycopg: without parameters it sends the script's % signs as they are.
            raw = connection.connection.driver_connection
            assert raw is not None
            raw.execute(SchemaManager.get_schema())
    finally:
        engine.dispose()
    unfiltered = differences(database_url)
    assert any("procrastinate_jobs" in str(change) for change in unfiltered)  # the test can fail
    assert differences(database_url, include_object=include_object) == []
