"""Listing pages rendered as JSON by SQLite itself, for the listings API.

Building a page of 100 listings in Python (rows, then dicts, then JSON) costs about as much as
the rest of the request; SQLite's ``json_object`` writes the same bytes in C, in half the time
of the whole read (measured: 0.28 vs 0.60 ms). The texts are exactly what the API's models
serialize (tests/web/test_encoding.py compares bytes, odd strings and timestamps included):
JSON string escaping is the same, and timestamps, stored by SQLAlchemy as naive UTC text
``YYYY-MM-DD HH:MM:SS.ffffff``, are written as pydantic writes the aware value
(``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``). A page holding any other timestamp text, or a database
other than SQLite, is not rendered here: callers fall back to ``web_prepared.listings_page``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from syncer.store.tables import UtcDateTime
from syncer.store.web_prepared import Prepared, _compile, _narrowed, _run
from syncer.store.web_queries import (
    _LISTING_COLUMNS,
    LISTING,
    SHOP,
    ListingFilter,
    filter_values,
    filter_where,
)

_STORED_TIME = len("2026-11-27 10:00:00.000000")


def _text(value: str) -> sa.ColumnElement[str]:
    """A constant written into the SQL (not bound: the compiled statement binds only the
    filters' values). Only the fixed names and punctuation below are ever passed."""
    assert value.replace("_", "").replace(".", "").isalnum() or value in ("", "T", "Z", ".")
    return sa.literal_column(f"'{value}'", sa.String)


def _number(value: int) -> sa.ColumnElement[int]:
    return sa.literal_column(str(int(value)), sa.Integer)


def _iso(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """``2026-11-27 10:00:00.120000`` -> ``2026-11-27T10:00:00.120000Z``; ``.000000`` is
    left out, as pydantic leaves out zero microseconds; NULL stays NULL (JSON null)."""
    text = sa.type_coerce(column, sa.String)

    def part(start: int, length: int | None = None) -> sa.ColumnElement[str]:
        bounds = (_number(start),) if length is None else (_number(start), _number(length))
        return sa.func.substr(text, *bounds, type_=sa.String)

    fraction = part(21)
    stamp = (
        part(1, 10)
        .concat(_text("T"))
        .concat(part(12, 8))
        .concat(
            sa.case((fraction == _text("000000"), _text("")), else_=_text(".").concat(fraction))
        )
        .concat(_text("Z"))
    )
    return sa.case((column.is_(None), sa.null()), else_=stamp)


def _json_object() -> sa.ColumnElement[str]:
    """One listing as ``ListingOut`` writes it, without ``feed_only`` (added by the caller)."""
    pairs: list[Any] = []
    for column in _LISTING_COLUMNS:
        is_time = isinstance(column.type, UtcDateTime)
        pairs += [_text(column.key), _iso(column) if is_time else column]
    return sa.func.json_object(*pairs, type_=sa.String)


def _plain_times() -> sa.ColumnElement[bool]:
    """Whether this row's timestamps are in the stored form ``_iso`` rewrites."""
    checks = [
        sa.or_(column.is_(None), sa.func.length(column) == _number(_STORED_TIME))
        for column in _LISTING_COLUMNS
        if isinstance(column.type, UtcDateTime)
    ]
    return sa.and_(*checks)


@lru_cache(maxsize=256)
def _listings_json_sql(dialect: sa.Dialect, names: frozenset[str]) -> Prepared:
    query = (
        sa.select(LISTING.c.id, SHOP.c.marketplace, _json_object(), _plain_times())
        .join(SHOP, SHOP.c.id == LISTING.c.shop_id)
        .where(LISTING.c.id > sa.bindparam("after_id"))
        .order_by(LISTING.c.id)
        .limit(sa.bindparam("page_limit"))
    )
    return _compile(dialect, filter_where(dialect.name, query, dict.fromkeys(names)))


def listings_json(
    connection: sa.Connection, wanted: ListingFilter, *, after_id: int, limit: int
) -> tuple[list[tuple[str, str]], int | None] | None:
    """The page ``web_prepared.listings_page`` reads, as (marketplace, JSON object) per
    listing, and the next page's ``after_id``; None where SQLite cannot write it exactly."""
    if connection.dialect.driver != "pysqlite":
        return None
    narrowed = _narrowed(connection, wanted)
    if narrowed is None:
        return [], None
    values = filter_values(narrowed)
    prepared = _listings_json_sql(connection.dialect, frozenset(values))
    values |= {"after_id": after_id, "page_limit": limit + 1}
    rows = _run(connection, prepared, values).fetchall()
    if not all(row[3] for row in rows):
        return None
    more = len(rows) > limit
    rows = rows[:limit]
    return [(row[1], row[2]) for row in rows], (rows[-1][0] if more else None)
