"""Listing pages are encoded without building models: the bytes must be the models' bytes."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from syncer.store import web_json, web_prepared
from syncer.store.web_queries import LISTING, ListingFilter
from syncer.web import encode
from syncer.web import schemas as s
from tests.web.conftest import Site


def test_the_encoder_follows_the_listing_model_field_for_field() -> None:
    assert (
        tuple(s.ListingOut.model_json_schema(mode="serialization")["properties"])
        == encode.OUT_FIELDS
    )


async def test_a_page_encodes_to_exactly_what_the_models_would_send(site: Site) -> None:
    """Real rows (both marketplaces, feed-only or not), plus odd timestamps: microseconds, none."""
    rows, _ = await site.runtime.database.read_sync(
        lambda connection: web_prepared.listings_page(
            connection, ListingFilter(), after_id=0, limit=500
        )
    )
    assert {row.marketplace for row in rows} == {"shopee", "belanja"}
    odd = rows[0]._replace(
        changed_at=datetime(2026, 11, 27, 10, 0, 0, 120_000, tzinfo=UTC),
        remote_updated_at=datetime(2026, 11, 27, 9, 59, 59, 7, tzinfo=UTC),
        title='Kopi "Gayo" \\ 100 gr \u2014 kemasan\nbaru',
    )
    for page, cursor in (([*rows, odd], "eyJ4Il0"), ([], None)):
        expected = s.ListingPage.model_validate(
            {"items": page, "next_cursor": cursor}, from_attributes=True
        ).model_dump_json()
        assert encode.listing_page(page, cursor) == expected.encode()


ODD_TITLE = 'Kopi "Gayo" \\ 100 gr \u2014 kemasan\nbaru\t\x01\x1f\x7f \u2028 \U0001f600 </b> /'


async def _make_first_listing_odd(site: Site, **values: object) -> None:
    async with site.runtime.database.write() as connection:
        first = await connection.scalar(sa.select(sa.func.min(LISTING.c.id)))
        await connection.execute(LISTING.update().where(LISTING.c.id == first).values(**values))


def _model_page(rows: list[web_prepared.ListingRow], cursor: str | None) -> bytes:
    page = s.ListingPage.model_validate(
        {"items": rows, "next_cursor": cursor}, from_attributes=True
    )
    return page.model_dump_json().encode()


async def test_sqlite_writes_pages_exactly_as_the_models_would(site: Site) -> None:
    """Escaping, microseconds, a null timestamp, feed-only marketplaces, a cursor, an empty
    page: SQLite's ``json_object`` text is the models' text (PostgreSQL: not used)."""
    await _make_first_listing_odd(
        site,
        title=ODD_TITLE,
        changed_at=datetime(2026, 11, 27, 10, 0, 0, 120_000, tzinfo=UTC),
        remote_updated_at=datetime(2026, 11, 27, 9, 59, 59, 7, tzinfo=UTC),
    )
    titles = set()
    pages = ((ListingFilter(), 500), (ListingFilter(), 3), (ListingFilter(sku="-"), 5))
    for wanted, limit in pages:

        def read(
            connection: sa.Connection, wanted: ListingFilter = wanted, limit: int = limit
        ) -> tuple[object, object]:
            return (
                web_json.listings_json(connection, wanted, after_id=0, limit=limit),
                web_prepared.listings_page(connection, wanted, after_id=0, limit=limit),
            )

        found, (rows, next_id) = await site.runtime.database.read_sync(read)  # type: ignore[misc]
        titles |= {row.title for row in rows}
        if site.runtime.database.dialect != "sqlite":
            assert found is None
            continue
        assert found is not None
        items, json_next = found  # type: ignore[misc]
        assert json_next == next_id
        cursor = None if next_id is None else "eyJ4Il0"
        assert encode.listing_page_json(items, cursor) == _model_page(rows, cursor)
    assert ODD_TITLE in titles


async def test_a_timestamp_sqlite_cannot_rewrite_falls_back_to_the_rows(site: Site) -> None:
    """Text without microseconds (written by something other than SQLAlchemy) is not
    rewritten by SQL: the API answers from rows, with the same bytes the models give."""
    if site.runtime.database.dialect != "sqlite":
        return
    async with site.runtime.database.write() as connection:
        first = await connection.scalar(sa.select(sa.func.min(LISTING.c.id)))
        await connection.exec_driver_sql(
            "UPDATE listing SET changed_at = '2026-11-27 10:00:00' WHERE id = ?", (first,)
        )
    everything = ListingFilter()
    found = await site.runtime.database.read_sync(
        lambda connection: web_json.listings_json(connection, everything, after_id=0, limit=500)
    )
    assert found is None
    rows, _ = await site.runtime.database.read_sync(
        lambda connection: web_prepared.listings_page(connection, everything, after_id=0, limit=500)
    )
    answer = await site.client.get(
        "/api/v1/listings", params={"limit": 500}, headers=site.as_(site.data.operator_token)
    )
    assert answer.status_code == 200
    assert answer.content == _model_page(rows, None)
