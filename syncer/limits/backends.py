"""Chooses where shared budgets live: in the process (SQLite, one node), PostgreSQL, or Redis."""

from __future__ import annotations

from typing import TYPE_CHECKING

from syncer.errors import ConfigError
from syncer.limits.postgres import PostgresLimitStore
from syncer.limits.store import LimitStore

if TYPE_CHECKING:
    from syncer.settings import LimitsSettings
    from syncer.store.database import Database


def open_store(settings: LimitsSettings, database: Database) -> LimitStore | None:
    """The deployment's store, or None when budgets stay in each process.

    ``auto``: Redis when ``redis_url`` is set, else PostgreSQL when the database is
    PostgreSQL (a cluster), else in-process (SQLite has a single host anyway).
    """
    backend = settings.backend
    if backend == "auto":
        backend = "redis" if settings.redis_url else "local" if database.is_sqlite else "database"
    if backend == "local":
        return None
    if backend == "redis":
        from syncer.limits.redis_store import RedisLimitStore  # only deployments using it

        return RedisLimitStore(settings.redis_url, prefix=settings.redis_prefix)
    if database.is_sqlite:
        raise ConfigError(
            "key limits.backend: 'database' keeps budgets in PostgreSQL, but database.url is "
            "SQLite; use 'auto' or 'local' (one host), or set limits.redis_url"
        )
    return PostgresLimitStore(database)
