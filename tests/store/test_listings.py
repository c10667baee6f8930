"""Bulk upserts on SQLite and PostgreSQL: one statement per page, unchanged rows left alone."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from syncer.domain import ListingKey, ListingStatus
from syncer.store import Database
from syncer.store import listings as listing_store
from tests.store.factories import NOW, make_listing, make_shop


@contextmanager
def statements(database: Database) -> Iterator[list[str]]:
    """Every SQL statement the engine sends while the block runs."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    sa.event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(database.engine.sync_engine, "before_cursor_execute", record)


async def count(database: Database, table: str) -> int:
    query = sa.select(sa.func.count()).select_from(sa.table(table))
    async with database.read() as connection:
        return int((await connection.execute(query)).scalar_one())


async def test_a_page_is_written_with_one_upsert_statement(database: Database) -> None:
    shop = await make_shop(database)
    page = [make_listing(item, variant) for item in range(100) for variant in (1, 2, 3)]
    with statements(database) as sent:
        async with database.write() as connection:
            outcome = await listing_store.upsert_listings(connection, shop, page, now=NOW)
    inserts = [s for s in sent if s.lstrip().upper().startswith("INSERT INTO LISTING ")]
    assert len(inserts) == 1
    assert "ON CONFLICT" in inserts[0].upper()
    assert (outcome.created, outcome.updated, outcome.unchanged) == (300, 0, 0)
    assert await count(database, "listing") == 300


async def test_unchanged_rows_are_not_rewritten(database: Database) -> None:
    shop = await make_shop(database)
    page = [make_listing(item) for item in range(50)]
    async with database.write() as connection:
        await listing_store.upsert_listings(connection, shop, page, now=NOW)
    with statements(database) as sent:
        async with database.write() as connection:
            outcome = await listing_store.upsert_listings(connection, shop, page, now=NOW)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 50)
    assert not [s for s in sent if "INSERT INTO listing " in s or "UPDATE listing" in s]


async def test_changes_of_price_stock_and_status_write_events(database: Database) -> None:
    shop = await make_shop(database)
    original = [make_listing(1), make_listing(2), make_listing(3)]
    async with database.write() as connection:
        await listing_store.upsert_listings(connection, shop, original, now=NOW)
    changed = [
        dataclasses.replace(original[0], price=12_500),
        dataclasses.replace(original[1], stock=0, status=ListingStatus.OUT_OF_STOCK),
        dataclasses.replace(original[2], title="Renamed only"),
    ]
    async with database.write() as connection:
        outcome = await listing_store.upsert_listings(
            connection, shop, changed, now=NOW, run_id=None
        )
    assert (outcome.updated, outcome.events) == (3, 3)
    async with database.read() as connection:
        rows = (
            await connection.execute(
                sa.text("SELECT field, old_value, new_value FROM listing_event ORDER BY id")
            )
        ).all()
        title = (
            await connection.execute(
                sa.text("SELECT title FROM listing WHERE external_item_id = '3'")
            )
        ).scalar_one()
    assert [tuple(row) for row in rows] == [
        ("price", "10000", "12500"),
        ("stock", "5", "0"),
        ("status", "active", "out_of_stock"),
    ]
    assert title == "Renamed only"


async def test_listings_of_different_shops_do_not_collide(database: Database) -> None:
    first, second = (
        await make_shop(database, external_id="1"),
        await make_shop(database, external_id="2"),
    )
    async with database.write() as connection:
        await listing_store.upsert_listings(connection, first, [make_listing(1)], now=NOW)
        outcome = await listing_store.upsert_listings(
            connection, second, [make_listing(1)], now=NOW
        )
    assert outcome.created == 1
    assert await count(database, "listing") == 2


async def test_marking_deleted_only_touches_live_listings_and_records_events(
    database: Database,
) -> None:
    shop = await make_shop(database)
    async with database.write() as connection:
        await listing_store.upsert_listings(
            connection, shop, [make_listing(1), make_listing(2)], now=NOW
        )
        first = await listing_store.mark_deleted(
            connection,
            shop,
            [ListingKey("1", ""), ListingKey("9", "")],
            reason="gone",
            now=NOW,
            run_id=None,
        )
        again = await listing_store.mark_deleted(
            connection, shop, [ListingKey("1", "")], reason="gone", now=NOW, run_id=None
        )
    assert (first, again) == (1, 0)
    assert await count(database, "listing_event") == 1


async def test_seen_keys_decide_what_a_full_pass_missed(database: Database) -> None:
    shop = await make_shop(database)
    async with database.write() as connection:
        await listing_store.upsert_listings(
            connection, shop, [make_listing(item, v) for item in (1, 2, 3) for v in (1, 2)], now=NOW
        )
        await listing_store.record_seen(
            connection,
            shop,
            "pass",
            [ListingKey("1", "1"), ListingKey("1", "2"), ListingKey("2", "1")],
        )
        await listing_store.record_seen(connection, shop, "pass", [ListingKey("3", "*")])
        missed_items = await listing_store.unseen_item_ids(
            connection, shop, "pass", after="", limit=10
        )
        missed_keys = await listing_store.unseen_keys(connection, shop, "pass", ["1", "2", "3"])
    assert missed_items == ["2"]  # item 3 was quarantined: it exists, so it is never "missed"
    assert missed_keys == [ListingKey("2", "2")]
