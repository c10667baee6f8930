"""Businesses and their shops: connection details, encrypted credentials, auth state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from syncer.domain import AuthState
from syncer.errors import NotFoundError, SyncerError
from syncer.store.database import sync_url
from syncer.store.sql import dialect_insert
from syncer.store.tables import Business, Shop

BUSINESS = Business.__table__  # type: ignore[attr-defined]
SHOP = Shop.__table__  # type: ignore[attr-defined]


class ShopExistsError(SyncerError):
    """That marketplace shop is already connected."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ShopRecord:
    id: int
    business_id: int
    business_slug: str
    marketplace: str
    external_shop_id: str
    name: str
    credentials: str
    auth_state: AuthState
    auth_error: str
    token_expires_at: datetime | None
    enabled: bool
    pull_interval_minutes: int


def count_with_credentials(url: str) -> int:
    """Shops whose credentials are stored encrypted (0 when the schema does not exist yet)."""
    engine = sa.create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("shop"):
                return 0
            query = sa.select(sa.func.count()).select_from(SHOP).where(SHOP.c.credentials != "")
            return int(connection.execute(query).scalar_one())
    finally:
        engine.dispose()


async def ensure_business(connection: AsyncConnection, slug: str, name: str, now: datetime) -> int:
    insert = dialect_insert(connection, BUSINESS).values(slug=slug, name=name, created_at=now)
    await connection.execute(insert.on_conflict_do_nothing(index_elements=["slug"]))
    result = await connection.execute(sa.select(BUSINESS.c.id).where(BUSINESS.c.slug == slug))
    return int(result.scalar_one())


async def add_shop(
    connection: AsyncConnection,
    *,
    business_id: int,
    marketplace: str,
    external_shop_id: str,
    name: str,
    credentials: str,
    pull_interval_minutes: int,
    now: datetime,
    token_expires_at: datetime | None = None,
) -> int:
    existing = await connection.scalar(
        sa.select(SHOP.c.id).where(
            SHOP.c.marketplace == marketplace, SHOP.c.external_shop_id == external_shop_id
        )
    )
    if existing is not None:
        raise ShopExistsError(
            f"{marketplace} shop {external_shop_id} is already connected as shop {existing}"
        )
    result = await connection.execute(
        sa.insert(SHOP)
        .values(
            business_id=business_id,
            marketplace=marketplace,
            external_shop_id=external_shop_id,
            name=name,
            credentials=credentials,
            auth_state=AuthState.OK.value,
            enabled=True,
            pull_interval_minutes=pull_interval_minutes,
            token_expires_at=token_expires_at,
            settings="{}",
            created_at=now,
            updated_at=now,
        )
        .returning(SHOP.c.id)
    )
    return int(result.scalar_one())


def _shop_query() -> sa.Select[tuple[object, ...]]:
    return sa.select(SHOP, BUSINESS.c.slug.label("business_slug")).join(
        BUSINESS, BUSINESS.c.id == SHOP.c.business_id
    )


def _record(row: sa.Row[tuple[object, ...]]) -> ShopRecord:
    data = row._mapping
    return ShopRecord(
        id=data["id"],
        business_id=data["business_id"],
        business_slug=data["business_slug"],
        marketplace=data["marketplace"],
        external_shop_id=data["external_shop_id"],
        name=data["name"],
        credentials=data["credentials"],
        auth_state=AuthState(data["auth_state"]),
        auth_error=data["auth_error"],
        token_expires_at=data["token_expires_at"],
        enabled=data["enabled"],
        pull_interval_minutes=data["pull_interval_minutes"],
    )


async def list_shops(
    connection: AsyncConnection, *, enabled_only: bool = False
) -> list[ShopRecord]:
    query = _shop_query().order_by(SHOP.c.id)
    if enabled_only:
        query = query.where(SHOP.c.enabled.is_(True))
    return [_record(row) for row in await connection.execute(query)]


async def find_shop(connection: AsyncConnection, ref: str) -> ShopRecord:
    """A shop by id, name or marketplace shop id (whichever matches uniquely)."""
    conditions = [SHOP.c.name == ref, SHOP.c.external_shop_id == ref]
    if ref.isdigit():
        conditions.append(SHOP.c.id == int(ref))
    rows = list(await connection.execute(_shop_query().where(sa.or_(*conditions))))
    if not rows:
        raise NotFoundError(f"no shop {ref!r}; `syncer shops list` shows the connected shops")
    if len(rows) > 1:
        ids = ", ".join(str(row._mapping["id"]) for row in rows)
        raise NotFoundError(f"{ref!r} matches several shops ({ids}); name one by its id")
    return _record(rows[0])


async def save_credentials(
    connection: AsyncConnection,
    shop_id: int,
    credentials: str,
    *,
    expires_at: datetime | None,
    now: datetime,
) -> None:
    """Store rotated credentials in one statement: the refresh and access token move together."""
    await connection.execute(
        SHOP.update()
        .where(SHOP.c.id == shop_id)
        .values(
            credentials=credentials,
            token_expires_at=expires_at,
            auth_state="ok",
            auth_error="",
            updated_at=now,
        )
    )


async def set_auth_state(
    connection: AsyncConnection, shop_id: int, state: AuthState, error: str, now: datetime
) -> None:
    await connection.execute(
        SHOP.update()
        .where(SHOP.c.id == shop_id)
        .values(auth_state=state.value, auth_error=error[:2000], updated_at=now)
    )
