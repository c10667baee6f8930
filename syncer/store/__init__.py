"""The catalog store: tables, engine setup, bulk writes, queries, migrations.

The only package that imports SQLAlchemy/SQLModel; everything else calls these functions.
"""

from __future__ import annotations

from syncer.store.crypto import CredentialCipher, load_or_create_key
from syncer.store.database import Connection, Database

__all__ = ["Connection", "CredentialCipher", "Database", "load_or_create_key"]
