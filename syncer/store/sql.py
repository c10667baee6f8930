"""The few SQL constructs that differ between SQLite and PostgreSQL, chosen per connection."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def dialect_insert(
    connection: AsyncConnection, table: sa.Table
) -> sqlite.Insert | postgresql.Insert:
    """An INSERT that supports ``on_conflict_do_update``/``on_conflict_do_nothing``."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        return sqlite.insert(table)
    if dialect == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"database dialect {dialect!r} is not supported (SQLite, PostgreSQL)")
