"""Read models for the HTTP API and the web pages, always within a tenant scope.

``scope`` is the business a request may see (``None``: an operator, every business). Every
query joins through ``shop.business_id``, so a row of another business is simply not found.

The API's hot reads (``*_sync``) take a synchronous connection, so a request runs all its
queries in one ``Database.read_sync`` call; their ``async`` twins run the same code for callers
holding an ``AsyncConnection`` (the pages).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NamedTuple, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from syncer.store.tables import Business, Listing, ListingEvent, Shop, SyncRun

LISTING = Listing.__table__  # type: ignore[attr-defined]
SHOP = Shop.__table__  # type: ignore[attr-defined]
RUN = SyncRun.__table__  # type: ignore[attr-defined]
EVENT = ListingEvent.__table__  # type: ignore[attr-defined]
BUSINESS = Business.__table__  # type: ignore[attr-defined]
Scope = int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ListingFilter:
    business_id: Scope = None
    marketplace: str | None = None
    shop_id: int | None = None
    status: str | None = None
    sku: str | None = None
    text: str | None = None


class ListingRow(NamedTuple):
    """Fields in the order of ``_LISTING_COLUMNS``. A named tuple, not a dataclass: pages of
    hundreds of rows are built per request, and a frozen dataclass costs ~5 us a row to build
    (one ``object.__setattr__`` per field) where a tuple costs a fraction of that."""

    id: int
    shop_id: int
    shop: str
    marketplace: str
    item_id: str
    variant_id: str
    sku: str
    title: str
    variant: str
    status: str
    marketplace_status: str
    reason: str
    price: int
    stock: int
    image_url: str
    changed_at: datetime
    remote_updated_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class EventRow:
    id: int
    listing_id: int
    shop_id: int
    field: str
    old_value: str
    new_value: str
    source: str
    run_id: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ShopRow:
    id: int
    business: str
    marketplace: str
    external_shop_id: str
    name: str
    auth_state: str
    auth_error: str
    token_expires_at: datetime | None
    enabled: bool
    pull_interval_minutes: int
    listings: int = 0
    last_runs: list[dict[str, object]] = field(default_factory=list)


_LISTING_COLUMNS = (
    LISTING.c.id,
    LISTING.c.shop_id,
    SHOP.c.name.label("shop"),
    SHOP.c.marketplace,
    LISTING.c.external_item_id.label("item_id"),
    LISTING.c.external_variant_id.label("variant_id"),
    LISTING.c.seller_sku.label("sku"),
    LISTING.c.title,
    LISTING.c.variant_name.label("variant"),
    LISTING.c.status,
    LISTING.c.raw_status.label("marketplace_status"),
    LISTING.c.status_reason.label("reason"),
    LISTING.c.price,
    LISTING.c.stock,
    LISTING.c.image_url,
    LISTING.c.changed_at,
    LISTING.c.remote_updated_at,
)


def _listing_row(row: Any) -> ListingRow:  # a Row of _LISTING_COLUMNS
    return ListingRow._make(row)


AnyConnection = sa.Connection | AsyncConnection


def _shop_column(connection: AnyConnection | str) -> sa.ColumnElement[int]:
    """``listing.shop_id`` for scoping. On SQLite as ``shop_id + 0``: its planner would
    otherwise read a tenant's listings through the (shop, status) index and sort them all
    for every page; walking the table in id order stops after one page (30x faster at 10,000
    listings). PostgreSQL chooses well from its statistics."""
    column = LISTING.c.shop_id
    dialect = connection if isinstance(connection, str) else connection.dialect.name
    if dialect == "sqlite":
        column = column + sa.literal_column("0")
    return cast(sa.ColumnElement[int], column)


def filter_values(wanted: ListingFilter) -> dict[str, object]:
    """The bound values of ``wanted``, by bind name; which names are present decides the SQL
    (so the API can reuse SQL compiled once per set of filters: see ``web_prepared``)."""
    values: dict[str, object] = {}
    for name, value in (
        ("f_business", wanted.business_id),
        ("f_marketplace", wanted.marketplace),
        ("f_shop", wanted.shop_id),
        ("f_status", wanted.status),
        ("f_sku", wanted.sku),
    ):
        if value is not None:
            values[name] = value
    if wanted.text:
        escaped = wanted.text.lower().replace("/", "//").replace("%", "/%").replace("_", "/_")
        values["f_text"] = f"%{escaped}%"
    return values


def _filtered(
    connection: AnyConnection, query: sa.Select[Any], wanted: ListingFilter
) -> sa.Select[Any]:
    return filter_where(connection.dialect.name, query, filter_values(wanted))


def filter_where(dialect: str, query: sa.Select[Any], values: dict[str, object]) -> sa.Select[Any]:
    """``query`` narrowed by ``filter_values`` (named binds: the SQL depends on the names)."""
    shop = _shop_column(dialect)

    def bind(name: str) -> sa.BindParameter[Any]:
        return sa.bindparam(name, values[name])

    if "f_business" in values or "f_marketplace" in values:
        shops = sa.select(SHOP.c.id)
        if "f_business" in values:
            shops = shops.where(SHOP.c.business_id == bind("f_business"))
        if "f_marketplace" in values:
            shops = shops.where(SHOP.c.marketplace == bind("f_marketplace"))
        query = query.where(shop.in_(shops.scalar_subquery()))
    if "f_shop" in values:
        query = query.where(shop == bind("f_shop"))
    if "f_status" in values:
        query = query.where(LISTING.c.status == bind("f_status"))
    if "f_sku" in values:
        query = query.where(LISTING.c.seller_sku == bind("f_sku"))
    if "f_text" in values:  # lowered and escaped by filter_values: '/' escapes % and _
        query = query.where(
            sa.or_(
                sa.func.lower(LISTING.c.title).like(bind("f_text"), escape="/"),
                sa.func.lower(LISTING.c.seller_sku).like(bind("f_text"), escape="/"),
            )
        )
    return query


def listing_sync(connection: sa.Connection, scope: Scope, listing_id: int) -> ListingRow | None:
    query = _filtered(
        connection,
        sa.select(*_LISTING_COLUMNS).join(SHOP, SHOP.c.id == LISTING.c.shop_id),
        ListingFilter(business_id=scope),
    ).where(LISTING.c.id == listing_id)
    row = connection.execute(query).first()
    return None if row is None else _listing_row(row)


async def listing(connection: AsyncConnection, scope: Scope, listing_id: int) -> ListingRow | None:
    return await connection.run_sync(listing_sync, scope, listing_id)


def events_sync(
    connection: sa.Connection, listing_ids: Sequence[int], *, limit: int = 200
) -> list[EventRow]:
    """The newest events of these listings (callers pass only ids already in scope)."""
    if not listing_ids:
        return []
    query = (
        sa.select(EVENT)
        .where(EVENT.c.listing_id.in_(list(listing_ids)))
        .order_by(EVENT.c.id.desc())
        .limit(limit)
    )
    return [EventRow(**row._mapping) for row in connection.execute(query)]


async def events(
    connection: AsyncConnection, listing_ids: Sequence[int], *, limit: int = 200
) -> list[EventRow]:
    return await connection.run_sync(events_sync, listing_ids, limit=limit)


def _shop_query() -> sa.Select[Any]:
    return (
        sa.select(
            SHOP.c.id,
            BUSINESS.c.slug.label("business"),
            SHOP.c.marketplace,
            SHOP.c.external_shop_id,
            SHOP.c.name,
            SHOP.c.auth_state,
            SHOP.c.auth_error,
            SHOP.c.token_expires_at,
            SHOP.c.enabled,
            SHOP.c.pull_interval_minutes,
        )
        .join(BUSINESS, BUSINESS.c.id == SHOP.c.business_id)
        .order_by(SHOP.c.id)
    )


async def shops_in(connection: AsyncConnection, scope: Scope) -> list[ShopRow]:
    query = _shop_query()
    if scope is not None:
        query = query.where(SHOP.c.business_id == scope)
    return [ShopRow(**row._mapping) for row in await connection.execute(query)]


async def shops_with_runs(
    connection: AsyncConnection, scope: Scope, *, shop_id: int | None = None
) -> list[ShopRow]:
    """Shops with their listing count and the newest run of each kind."""
    shops = [s for s in await shops_in(connection, scope) if shop_id in (None, s.id)]
    if not shops:
        return []
    ids = [s.id for s in shops]
    counts = dict(
        (row[0], int(row[1]))
        for row in await connection.execute(
            sa.select(LISTING.c.shop_id, sa.func.count())
            .where(LISTING.c.shop_id.in_(ids))
            .group_by(LISTING.c.shop_id)
        )
    )
    newest = (
        sa.select(sa.func.max(RUN.c.id))
        .where(RUN.c.shop_id.in_(ids))
        .group_by(RUN.c.shop_id, RUN.c.kind)
        .scalar_subquery()
    )
    latest: dict[int, list[dict[str, object]]] = {}
    runs = await connection.execute(
        sa.select(*_RUN_COLUMNS).where(RUN.c.id.in_(newest)).order_by(RUN.c.id.desc())
    )
    for run in runs:
        latest.setdefault(run.shop_id, []).append(dict(run._mapping))
    return [replace(s, listings=counts.get(s.id, 0), last_runs=latest.get(s.id, [])) for s in shops]


_RUN_COLUMNS = (
    RUN.c.id,
    RUN.c.shop_id,
    RUN.c.kind,
    RUN.c.trigger,
    RUN.c.requested_by,
    RUN.c.state,
    RUN.c.created_at,
    RUN.c.started_at,
    RUN.c.finished_at,
    RUN.c.heartbeat_at,
    RUN.c.due_at,
    RUN.c.progress_done,
    RUN.c.progress_total,
    RUN.c.pages,
    RUN.c.fetched,
    RUN.c.created,
    RUN.c.updated,
    RUN.c.unchanged,
    RUN.c.deleted,
    RUN.c.quarantined,
    RUN.c.pushed,
    RUN.c.failed,
    RUN.c.error_class,
    RUN.c.error_message,
)


async def runs_page(
    connection: AsyncConnection,
    scope: Scope,
    *,
    shop_id: int | None,
    state: str | None,
    kind: str | None,
    before_id: int | None,
    limit: int,
) -> tuple[list[dict[str, object]], int | None]:
    """Runs newest first, with their shop; the second value is the next page's ``before_id``."""
    query = (
        sa.select(*_RUN_COLUMNS, SHOP.c.name.label("shop"), SHOP.c.marketplace)
        .join(SHOP, SHOP.c.id == RUN.c.shop_id)
        .order_by(RUN.c.id.desc())
        .limit(limit + 1)
    )
    if scope is not None:
        query = query.where(SHOP.c.business_id == scope)
    for column, value in ((RUN.c.shop_id, shop_id), (RUN.c.state, state), (RUN.c.kind, kind)):
        if value is not None:
            query = query.where(column == value)
    if before_id is not None:
        query = query.where(RUN.c.id < before_id)
    rows = [dict(row._mapping) for row in await connection.execute(query)]
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (int(str(rows[-1]["id"])) if more else None)


async def run(connection: AsyncConnection, scope: Scope, run_id: int) -> dict[str, object] | None:
    query = (
        sa.select(*_RUN_COLUMNS, RUN.c.issues, SHOP.c.name.label("shop"), SHOP.c.marketplace)
        .join(SHOP, SHOP.c.id == RUN.c.shop_id)
        .where(RUN.c.id == run_id)
    )
    if scope is not None:
        query = query.where(SHOP.c.business_id == scope)
    row = (await connection.execute(query)).first()
    return None if row is None else dict(row._mapping)


async def status_summary(connection: AsyncConnection, wanted: ListingFilter) -> dict[str, int]:
    """Listing counts by status under the same filter as a grid or list."""
    query = (
        sa.select(LISTING.c.status, sa.func.count())
        .join(SHOP, SHOP.c.id == LISTING.c.shop_id)
        .group_by(LISTING.c.status)
    )
    return {
        row[0]: int(row[1])
        for row in await connection.execute(_filtered(connection, query, wanted))
    }


async def businesses(connection: AsyncConnection) -> list[tuple[int, str, str]]:
    query = sa.select(BUSINESS.c.id, BUSINESS.c.slug, BUSINESS.c.name).order_by(BUSINESS.c.slug)
    return [(row[0], row[1], row[2]) for row in await connection.execute(query)]


async def shop_id_of(
    connection: AsyncConnection, marketplace: str, external_shop_id: str
) -> int | None:
    """The id of the shop connected for that marketplace account, if any."""
    return await connection.scalar(
        sa.select(SHOP.c.id).where(
            SHOP.c.marketplace == marketplace, SHOP.c.external_shop_id == external_shop_id
        )
    )
