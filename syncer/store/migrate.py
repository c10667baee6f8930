"""Schema migrations (Alembic), runnable from the CLI and by the daemon on start.

The scripts ship inside the package, so an installed service migrates without the repo.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from syncer.store.database import ensure_sqlite_folder, sync_url

MIGRATIONS = Path(__file__).with_name("migrations")


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (idempotent)."""
    ensure_sqlite_folder(url)
    engine = sa.create_engine(sync_url(url))
    try:
        with engine.begin() as connection:
            config = _config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(url: str) -> str | None:
    engine = sa.create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def is_current(url: str) -> bool:
    return current_revision(url) == head_revision()


def new_revision(message: str) -> str:
    """Write a migration script for the difference between the models and the head schema.

    For contributors: the models are compared with a scratch SQLite database built from the
    existing scripts; read and tidy the generated file before committing it.
    """
    with tempfile.TemporaryDirectory(prefix="syncer-revision-") as folder:
        url = f"sqlite:///{Path(folder) / 'head.db'}"
        upgrade(url)
        engine = sa.create_engine(sync_url(url))
        try:
            with engine.begin() as connection:
                config = _config()
                config.attributes["connection"] = connection
                script = command.revision(config, message=message, autogenerate=True)
        finally:
            engine.dispose()
    scripts = script if isinstance(script, list) else [script]
    return ", ".join(str(item.path) for item in scripts if item is not None)
