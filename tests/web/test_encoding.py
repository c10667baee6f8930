"""Listing pages are encoded without building models: the bytes must be the models' bytes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from syncer.store import web_prepared
from syncer.store.web_queries import ListingFilter
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
    odd = dataclasses.replace(
        rows[0],
        changed_at=datetime(2026, 11, 27, 10, 0, 0, 120_000, tzinfo=UTC),
        remote_updated_at=datetime(2026, 11, 27, 9, 59, 59, 7, tzinfo=UTC),
        title='Kopi "Gayo" \\ 100 gr \u2014 kemasan\nbaru',
    )
    for page, cursor in (([*rows, odd], "eyJ4Il0"), ([], None)):
        expected = s.ListingPage.model_validate(
            {"items": page, "next_cursor": cursor}, from_attributes=True
        ).model_dump_json()
        assert encode.listing_page(page, cursor) == expected.encode()
