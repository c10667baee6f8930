"""Bulk writes of listings: one upsert statement per page, events for every observed change.

Per page: one SELECT of the stored hashes for the page's items, then one
``INSERT ... ON CONFLICT DO UPDATE`` for new and changed rows only (unchanged rows are not
rewritten), then one insert of ListingEvents for changed price, stock or status.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from syncer.domain import Listing, ListingKey, ListingStatus, content_hash
from syncer.store.sql import dialect_insert
from syncer.store.tables import Listing as ListingRow
from syncer.store.tables import ListingEvent, PullSeen

LISTING = ListingRow.__table__  # type: ignore[attr-defined]
EVENT = ListingEvent.__table__  # type: ignore[attr-defined]
SEEN = PullSeen.__table__  # type: ignore[attr-defined]
_KEY_COLUMNS = ("shop_id", "external_item_id", "external_variant_id")
_UPDATED_COLUMNS = (
    "seller_sku",
    "title",
    "variant_name",
    "price",
    "stock",
    "status",
    "raw_status",
    "status_reason",
    "image_url",
    "remote_updated_at",
    "content_hash",
    "raw",
    "changed_at",
)
_COLUMNS = (*_KEY_COLUMNS, *_UPDATED_COLUMNS[:-1], "first_seen_at", "changed_at")
_WATCHED = ("price", "stock", "status")
_IN_CHUNK = 500
# One encoder for every row: json.dumps with options builds a new encoder per call.
_encode_json = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False
).encode  # keeps IN lists well under every backend's bound-parameter limit


@dataclass(slots=True)
class StoredState:
    id: int
    content_hash: str
    price: int
    stock: int
    status: str


@dataclass(slots=True)
class PageOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    events: int = 0


def upsert_sql(dialect: str) -> str:
    """The page upsert as driver SQL: parameters bound per row, no ORM work per value.

    Plain SQLAlchemy Core spends more time processing 17 parameters a row than SQLite spends
    storing them; this statement is the same ``INSERT ... ON CONFLICT DO UPDATE`` with rows
    passed straight to the driver's ``executemany``.
    """
    mark = "?" if dialect == "sqlite" else "%s"
    updates = ", ".join(f"{name} = excluded.{name}" for name in _UPDATED_COLUMNS)
    return (
        f"INSERT INTO listing ({', '.join(_COLUMNS)}) "  # noqa: S608  constant names only
        f"VALUES ({', '.join([mark] * len(_COLUMNS))}) "
        f"ON CONFLICT ({', '.join(_KEY_COLUMNS)}) DO UPDATE SET {updates} "
        # A concurrent writer may have stored the same content already: do not rewrite it.
        "WHERE listing.content_hash <> excluded.content_hash"
    )


def _time_value(dialect: str) -> Callable[[datetime | None], object]:
    """How a UTC datetime is bound: SQLite stores SQLAlchemy's text form, PostgreSQL the value."""
    if dialect != "sqlite":
        return lambda value: value

    def as_text(value: datetime | None) -> str | None:
        if value is None:
            return None
        return (
            value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        )

    return as_text


def _chunks(values: Sequence[str], size: int = _IN_CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


async def stored_states(
    connection: AsyncConnection, shop_id: int, item_ids: Sequence[str]
) -> dict[tuple[str, str], StoredState]:
    """Hash, price, stock and status of every stored listing of these items."""
    found: dict[tuple[str, str], StoredState] = {}
    query = sa.select(
        LISTING.c.id,
        LISTING.c.external_item_id,
        LISTING.c.external_variant_id,
        LISTING.c.content_hash,
        LISTING.c.price,
        LISTING.c.stock,
        LISTING.c.status,
    ).where(LISTING.c.shop_id == shop_id, LISTING.c.external_item_id.in_(sa.bindparam("ids")))
    for chunk in _chunks(item_ids):
        result = await connection.execute(query, {"ids": list(chunk)})
        for row in result:
            found[(row[1], row[2])] = StoredState(row[0], row[3], row[4], row[5], row[6])
    return found


def _row(
    shop_id: int,
    listing: Listing,
    digest: str,
    now: object,
    time_value: Callable[[datetime | None], object],
) -> tuple[object, ...]:
    return (
        shop_id,
        listing.external_item_id,
        listing.external_variant_id,
        listing.seller_sku,
        listing.title,
        listing.variant_name,
        listing.price,
        listing.stock,
        listing.status.value,
        listing.raw_status,
        listing.status_reason,
        listing.image_url,
        time_value(listing.remote_updated_at),
        digest,
        _encode_json(listing.raw),
        now,
        now,
    )


def _events(
    old: StoredState,
    new: Listing,
    *,
    shop_id: int,
    source: str,
    run_id: int | None,
    now: datetime,
) -> list[dict[str, object]]:
    new_values = {"price": str(new.price), "stock": str(new.stock), "status": new.status.value}
    old_values = {"price": str(old.price), "stock": str(old.stock), "status": old.status}
    return [
        {
            "listing_id": old.id,
            "shop_id": shop_id,
            "field": name,
            "old_value": old_values[name],
            "new_value": new_values[name],
            "source": source,
            "run_id": run_id,
            "created_at": now,
        }
        for name in _WATCHED
        if old_values[name] != new_values[name]
    ]


async def upsert_listings(
    connection: AsyncConnection,
    shop_id: int,
    listings: Sequence[Listing],
    *,
    now: datetime,
    run_id: int | None = None,
    source: str = "pull",
) -> PageOutcome:
    """Store a page: create new listings, rewrite changed ones, record their events."""
    # Plain tuples (equal to ListingKey) are cheaper to build than the named key per row.
    latest = {(row.external_item_id, row.external_variant_id): row for row in listings}
    item_ids = sorted({item_id for item_id, _ in latest})
    stored = await stored_states(connection, shop_id, item_ids)
    outcome = PageOutcome()
    dialect = connection.dialect.name
    time_value = _time_value(dialect)
    stamp = time_value(now)
    rows: list[tuple[object, ...]] = []
    events: list[dict[str, object]] = []
    for key, listing in latest.items():
        digest = content_hash(listing)
        old = stored.get(key)
        if old is not None and old.content_hash == digest:
            outcome.unchanged += 1
            continue
        rows.append(_row(shop_id, listing, digest, stamp, time_value))
        if old is None:
            outcome.created += 1
        else:
            outcome.updated += 1
            events.extend(
                _events(old, listing, shop_id=shop_id, source=source, run_id=run_id, now=now)
            )
    if rows:
        await connection.exec_driver_sql(upsert_sql(dialect), rows)
    if events:
        await connection.execute(sa.insert(EVENT), events)
    outcome.events = len(events)
    return outcome


async def record_seen(
    connection: AsyncConnection, shop_id: int, pass_id: str, keys: Iterable[ListingKey]
) -> None:
    """Remember what a full pass has seen (idempotent: a re-read page adds nothing)."""
    rows = [
        {
            "pass_id": pass_id,
            "shop_id": shop_id,
            "external_item_id": k[0],
            "external_variant_id": k[1],
        }
        for k in set(keys)
    ]
    if not rows:
        return
    await connection.execute(dialect_insert(connection, SEEN).on_conflict_do_nothing(), rows)


QUARANTINED_VARIANT = "*"
"""Seen-marker variant for an item that exists but could not be read: never deleted."""


def _unseen(pass_id: str) -> sa.ColumnElement[bool]:
    """A listing neither seen itself nor belonging to an item that was quarantined."""
    seen = sa.select(SEEN.c.external_item_id).where(
        SEEN.c.pass_id == pass_id,
        SEEN.c.external_item_id == LISTING.c.external_item_id,
        SEEN.c.external_variant_id.in_([LISTING.c.external_variant_id, QUARANTINED_VARIANT]),
    )
    return ~seen.exists()


async def unseen_item_ids(
    connection: AsyncConnection, shop_id: int, pass_id: str, *, after: str, limit: int
) -> list[str]:
    """Items with a live listing the pass did not see, in id order, one chunk at a time."""
    query = (
        sa.select(LISTING.c.external_item_id)
        .where(
            LISTING.c.shop_id == shop_id,
            LISTING.c.status != ListingStatus.DELETED.value,
            LISTING.c.external_item_id > after,
            _unseen(pass_id),
        )
        .group_by(LISTING.c.external_item_id)
        .order_by(LISTING.c.external_item_id)
        .limit(limit)
    )
    return list((await connection.execute(query)).scalars())


async def unseen_keys(
    connection: AsyncConnection, shop_id: int, pass_id: str, item_ids: Sequence[str]
) -> list[ListingKey]:
    """Live listings of these items that the pass (including its re-read) did not see."""
    query = sa.select(LISTING.c.external_item_id, LISTING.c.external_variant_id).where(
        LISTING.c.shop_id == shop_id,
        LISTING.c.status != ListingStatus.DELETED.value,
        LISTING.c.external_item_id.in_(sa.bindparam("ids")),
        _unseen(pass_id),
    )
    keys: list[ListingKey] = []
    for chunk in _chunks(item_ids):
        result = await connection.execute(query, {"ids": list(chunk)})
        keys.extend(ListingKey(row[0], row[1]) for row in result)
    return keys


async def mark_deleted(
    connection: AsyncConnection,
    shop_id: int,
    keys: Sequence[ListingKey],
    *,
    reason: str,
    now: datetime,
    run_id: int | None,
) -> int:
    """Set listings to ``deleted`` (only a full reconcile calls this) and record the events."""
    item_ids = sorted({key.external_item_id for key in keys})
    stored = await stored_states(connection, shop_id, item_ids)
    doomed = [(key, stored[key]) for key in keys if key in stored]
    doomed = [(key, state) for key, state in doomed if state.status != ListingStatus.DELETED]
    if not doomed:
        return 0
    await connection.execute(
        LISTING.update()
        .where(LISTING.c.id == sa.bindparam("listing_id"))
        .values(
            status=ListingStatus.DELETED.value,
            status_reason=reason,
            changed_at=now,
            content_hash="",
        ),
        [{"listing_id": state.id} for _, state in doomed],
    )
    events = [
        {
            "listing_id": state.id,
            "shop_id": shop_id,
            "field": "status",
            "old_value": state.status,
            "new_value": ListingStatus.DELETED.value,
            "source": "pull",
            "run_id": run_id,
            "created_at": now,
        }
        for _, state in doomed
    ]
    await connection.execute(sa.insert(EVENT), events)
    return len(doomed)


async def forget_pass(connection: AsyncConnection, pass_id: str) -> None:
    await connection.execute(SEEN.delete().where(SEEN.c.pass_id == pass_id))
