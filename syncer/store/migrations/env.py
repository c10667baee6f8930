"""Alembic environment: runs migrations on a synchronous connection passed in by ``migrate``."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import syncer.store.tables  # noqa: F401  registers the tables on SQLModel.metadata
from syncer.store.foreign_tables import include_object

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `syncer db upgrade` (syncer.store.migrate)")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
    compare_type=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
