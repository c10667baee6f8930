"""The API's hot reads (listings pages, one product) as SQL compiled once per shape.

SQLAlchemy builds, caches-by-key and type-processes every statement it runs: for these reads
that is 1-3 ms of Python per request, 5-20 times what SQLite spends answering them. Here each
statement is built and compiled once per dialect and set of filters, then run with its values
on the driver (SQLite's own, in ``read_sync``'s transaction) or through ``exec_driver_sql``
(PostgreSQL); raw timestamps are turned into aware UTC datetimes exactly as
``UtcDateTime`` does. The statements are the same SQLAlchemy expressions the pages use
(``filter_where``, ``_LISTING_COLUMNS``), so both read the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from syncer.store.web_grid import LINK, PRODUCT, Master, _joined, _row_key
from syncer.store.web_queries import (
    _LISTING_COLUMNS,
    EVENT,
    LISTING,
    SHOP,
    EventRow,
    ListingFilter,
    ListingRow,
    filter_values,
    filter_where,
)

Prepared = tuple[str, tuple[str, ...] | None, dict[str, Any]]
"""Compiled SQL; for positional drivers (SQLite) the order of its bind names; the values of
binds SQLAlchemy added itself (SQLite's ``OFFSET`` after a bound ``LIMIT``)."""
_EVENT_FIELDS = tuple(EventRow.__dataclass_fields__)
_EVENT_COLUMNS = tuple(EVENT.c[name] for name in _EVENT_FIELDS)


def _compile(dialect: sa.Dialect, statement: sa.Select[Any]) -> Prepared:
    compiled = statement.compile(dialect=dialect)
    order = compiled.positiontup
    own = {k: v for k, v in compiled.params.items() if k.startswith("param_")}
    return str(compiled), (tuple(order) if order is not None else None), own


def _run(connection: sa.Connection, prepared: Prepared, values: dict[str, Any]) -> Any:
    """The rows of ``prepared`` (iterable, with ``fetchone``). On SQLite's own driver, inside
    the read transaction ``Database.read_sync`` began on it, straight through that driver:
    SQLAlchemy's execution path costs ~25 us a statement, more than most of these reads."""
    sql, order, own = prepared
    values = own | values
    params = values if order is None else tuple(values[name] for name in order)
    driver = connection.connection.driver_connection
    if connection.dialect.driver == "pysqlite" and driver.in_transaction:  # type: ignore[union-attr]
        return driver.execute(sql, params)  # type: ignore[union-attr]
    return connection.exec_driver_sql(sql, params)


_NAIVE_TEXT = len("2026-11-27 10:00:00.000000")
"""SQLAlchemy's SQLite text of a naive datetime (``UtcDateTime`` stores UTC without offset)."""


def _utc(value: datetime | str | None) -> datetime | None:
    """A raw timestamp as ``UtcDateTime`` returns it: SQLite stores naive UTC text."""
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) == _NAIVE_TEXT:  # parsing with the offset: 6x cheaper than .replace()
            return datetime.fromisoformat(value + "+00:00")
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _listing(row: Any) -> ListingRow:  # a raw row of _LISTING_COLUMNS
    return ListingRow._make((*row[:15], _utc(row[15]), _utc(row[16])))


@lru_cache(maxsize=256)
def _listings_sql(dialect: sa.Dialect, names: frozenset[str]) -> Prepared:
    query = (
        sa.select(*_LISTING_COLUMNS)
        .join(SHOP, SHOP.c.id == LISTING.c.shop_id)
        .where(LISTING.c.id > sa.bindparam("after_id"))
        .order_by(LISTING.c.id)
        .limit(sa.bindparam("page_limit"))
    )
    return _compile(dialect, filter_where(dialect.name, query, dict.fromkeys(names)))


@lru_cache(maxsize=16)
def _marketplace_shops_sql(dialect: sa.Dialect, scoped: bool) -> Prepared:
    query = sa.select(SHOP.c.id).where(SHOP.c.marketplace == sa.bindparam("f_marketplace"))
    if scoped:
        query = query.where(SHOP.c.business_id == sa.bindparam("f_business"))
    return _compile(dialect, query.order_by(SHOP.c.id).limit(2))


def _narrowed(connection: sa.Connection, wanted: ListingFilter) -> ListingFilter | None:
    """``wanted`` with a marketplace filter that names a single shop as that shop (None: no
    shop matches). A business usually has one shop per marketplace, and testing one shop id
    per listing is 3x cheaper for SQLite than testing membership in a subquery's list
    (measured: 0.4 vs 1.2 ms to reach the last shop's first page of 10,000 listings). The
    shops are read in the page's own read transaction, so the two agree."""
    if wanted.marketplace is None:
        return wanted
    values: dict[str, Any] = {"f_marketplace": wanted.marketplace}
    if wanted.business_id is not None:
        values["f_business"] = wanted.business_id
    prepared = _marketplace_shops_sql(connection.dialect, wanted.business_id is not None)
    shops = [row[0] for row in _run(connection, prepared, values)]
    if len(shops) != 1:
        return wanted if shops else None
    if wanted.shop_id not in (None, shops[0]):
        return None
    return replace(wanted, business_id=None, marketplace=None, shop_id=shops[0])


def listings_page(
    connection: sa.Connection, wanted: ListingFilter, *, after_id: int, limit: int
) -> tuple[list[ListingRow], int | None]:
    """One page of listings in id order; the second value is the next page's ``after_id``."""
    narrowed = _narrowed(connection, wanted)
    if narrowed is None:
        return [], None
    values = filter_values(narrowed)
    prepared = _listings_sql(connection.dialect, frozenset(values))
    values |= {"after_id": after_id, "page_limit": limit + 1}
    rows = [_listing(row) for row in _run(connection, prepared, values)]
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more else None)


@lru_cache(maxsize=16)
def _product_sql(dialect: sa.Dialect, scoped: bool) -> Prepared:
    """The listings in the row of one SKU: linked to its Product, or carrying that SKU (the
    single-SKU form of ``web_grid.product_listings``, found through the same indexes)."""
    sku: sa.BindParameter[str] = sa.bindparam("p_sku")
    by_sku = sa.select(LISTING.c.id).where(LISTING.c.seller_sku == sku)
    by_link = (
        sa.select(LINK.c.listing_id)
        .join(PRODUCT, PRODUCT.c.id == LINK.c.product_id)
        .where(PRODUCT.c.sku == sku)
    )
    query = (
        sa.select(*_LISTING_COLUMNS)
        .select_from(_joined())
        .where(LISTING.c.id.in_(sa.union(by_sku, by_link).scalar_subquery()), _row_key() == sku)
        .order_by(LISTING.c.id)
        .limit(sa.bindparam("page_limit"))
    )
    names: dict[str, object] = {"f_business": None} if scoped else {}
    return _compile(dialect, filter_where(dialect.name, query, names))


@lru_cache(maxsize=16)
def _master_sql(dialect: sa.Dialect) -> Prepared:
    owner = sa.select(SHOP.c.business_id).where(SHOP.c.id == sa.bindparam("shop_id"))
    query = sa.select(PRODUCT.c.sku, PRODUCT.c.title, PRODUCT.c.price, PRODUCT.c.stock).where(
        PRODUCT.c.business_id == owner.scalar_subquery(), PRODUCT.c.sku == sa.bindparam("p_sku")
    )
    return _compile(dialect, query)


@lru_cache(maxsize=512)
def _events_sql(dialect: sa.Dialect, count: int) -> Prepared:
    ids: list[sa.BindParameter[int]] = [sa.bindparam(f"e{n}") for n in range(count)]
    query = (
        sa.select(*_EVENT_COLUMNS)
        .where(EVENT.c.listing_id.in_(ids))
        .order_by(EVENT.c.id.desc())
        .limit(sa.bindparam("page_limit"))
    )
    return _compile(dialect, query)


def product(
    connection: sa.Connection, scope: int | None, sku: str, *, limit: int = 500
) -> tuple[list[ListingRow], Master | None, list[EventRow]]:
    """One product's listings (``scope``: the business, None for all), its master (a Product
    of the business owning them) and the newest 200 events of those listings."""
    values: dict[str, Any] = {"p_sku": sku, "page_limit": limit, "f_business": scope}
    prepared = _product_sql(connection.dialect, scope is not None)
    rows = [_listing(row) for row in _run(connection, prepared, values)]
    if not rows:
        return [], None, []
    found: Any = _run(
        connection, _master_sql(connection.dialect), {"shop_id": rows[0].shop_id, "p_sku": sku}
    ).fetchone()
    master = (
        None
        if found is None
        else Master(sku=found[0], title=found[1], price=found[2], stock=found[3])
    )
    return rows, master, events(connection, [row.id for row in rows])


def events(
    connection: sa.Connection, listing_ids: Sequence[int], *, limit: int = 200
) -> list[EventRow]:
    """The newest events of these listings (callers pass only ids already in scope)."""
    if not listing_ids:
        return []
    values: dict[str, Any] = {f"e{n}": ident for n, ident in enumerate(listing_ids)}
    values["page_limit"] = limit
    result = _run(connection, _events_sql(connection.dialect, len(listing_ids)), values)
    found = []
    for row in result:
        fields = dict(zip(_EVENT_FIELDS, row, strict=True))
        fields["created_at"] = _utc(fields["created_at"])
        found.append(EventRow(**fields))
    return found
