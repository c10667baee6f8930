"""API tokens: created once and shown once, stored only as a SHA-256 hash, verified by hash.

A token is 32 random bytes (``syn_`` + URL-safe base64): far too much entropy to guess, so a
fast hash is enough (a slow password hash protects guessable secrets, not random ones). The
lookup is by the hash's unique index; the plaintext never reaches the database or a log.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from syncer.errors import ConfigError, NotFoundError
from syncer.store.database import Database
from syncer.store.tables import ApiToken, Business

TOKEN = ApiToken.__table__  # type: ignore[attr-defined]
BUSINESS = Business.__table__  # type: ignore[attr-defined]
PREFIX = "syn_"
ROLE_BUSINESS = "business"
ROLE_OPERATOR = "operator"


@dataclass(frozen=True, slots=True, kw_only=True)
class Principal:
    """Who a request acts for: an operator (every business) or one business."""

    token_id: int
    role: str
    business_id: int | None
    business_slug: str | None
    label: str

    @property
    def is_operator(self) -> bool:
        return self.role == ROLE_OPERATOR


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


async def business_id_for(connection: AsyncConnection, slug: str) -> int:
    found = await connection.scalar(sa.select(BUSINESS.c.id).where(BUSINESS.c.slug == slug))
    if found is None:
        raise NotFoundError(
            f"no business {slug!r}; a business is created when its first shop is added"
        )
    return int(found)


async def insert_token(
    connection: AsyncConnection,
    *,
    business_id: int | None,
    label: str,
    now: datetime,
) -> str:
    """Store a new token (operator when ``business_id`` is None) and return its plaintext."""
    token = new_token()
    await connection.execute(
        sa.insert(TOKEN).values(
            business_id=business_id,
            role=ROLE_OPERATOR if business_id is None else ROLE_BUSINESS,
            name=label[:200],
            token_hash=hash_token(token),
            created_at=now,
        )
    )
    return token


async def verify_token(connection: AsyncConnection, token: str) -> Principal | None:
    """The principal of a live token, or None for an unknown or revoked one."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    query = (
        sa.select(TOKEN.c.id, TOKEN.c.role, TOKEN.c.business_id, TOKEN.c.name, BUSINESS.c.slug)
        .select_from(TOKEN.outerjoin(BUSINESS, BUSINESS.c.id == TOKEN.c.business_id))
        .where(TOKEN.c.token_hash == hash_token(token), TOKEN.c.revoked_at.is_(None))
    )
    row = (await connection.execute(query)).first()
    if row is None:
        return None
    return Principal(
        token_id=row[0], role=row[1], business_id=row[2], label=row[3], business_slug=row[4]
    )


async def revoke_token(connection: AsyncConnection, token_id: int, now: datetime) -> bool:
    result = await connection.execute(
        TOKEN.update()
        .where(TOKEN.c.id == token_id, TOKEN.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(result.rowcount)


async def create_token(
    database: Database,
    *,
    business: str | None,
    operator: bool,
    label: str,
    now: datetime | None = None,
) -> str:
    """A new token for ``business`` (its slug) or, with ``operator``, for every business.

    Returns the plaintext, which exists nowhere else afterwards: show it once.
    """
    if operator == (business is not None):
        raise ConfigError("a token is either for one business (--business SLUG) or --operator")
    async with database.write() as connection:
        business_id = None if business is None else await business_id_for(connection, business)
        return await insert_token(
            connection, business_id=business_id, label=label, now=now or datetime.now(UTC)
        )
