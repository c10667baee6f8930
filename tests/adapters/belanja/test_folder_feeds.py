"""Importing feed files from a folder: which file, windows, bad rows, resume tokens."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.belanja import pages as page_tokens
from syncer.domain import ListingStatus
from syncer.errors import ConfigError, FatalError
from tests.adapters.belanja.folder import csv_bytes, folder_adapter, pull_all, row, write


async def test_the_newest_feed_file_in_the_folder_is_read(tmp_path: Path) -> None:
    write(tmp_path / "kemarin.csv", csv_bytes([row("OLD-1")]), mtime=1_700_000_000)
    write(
        tmp_path / "hari-ini.jsonl", json.dumps(row("NEW-1")).encode() + b"\n", mtime=1_700_086_400
    )
    write(tmp_path / ".sedang-ditulis.csv", csv_bytes([row("TMP-1")]), mtime=1_800_000_000)
    adapter = folder_adapter(str(tmp_path))
    pages = await pull_all(adapter)
    assert [listing.seller_sku for page in pages for listing in page.listings] == ["NEW-1"]


async def test_a_named_feed_file_is_read_from_a_file_url(tmp_path: Path) -> None:
    write(tmp_path / "a.csv", csv_bytes([row("A-1")]), mtime=1_700_000_000)
    write(tmp_path / "b.csv", csv_bytes([row("B-1")]), mtime=1_700_086_400)
    adapter = folder_adapter(f"file://{tmp_path}", feed="a.csv")
    pages = await pull_all(adapter)
    assert [listing.seller_sku for page in pages for listing in page.listings] == ["A-1"]


async def test_rows_map_to_listings_with_integer_rupiah_and_statuses(tmp_path: Path) -> None:
    rows = [
        row(
            "KOP-1-M",
            parent_sku="KOP-1",
            variant_attributes='{"Warna": "Merah", "Ukuran": "XL"}',
            image_urls="https://img/1.jpg|https://img/2.jpg",
        ),
        row("KOP-2", status="inactive"),
        row("KOP-3", stock=0),
        row("KOP-4", status="deleted"),
    ]
    write(tmp_path / "feed.csv", b"\xef\xbb\xbf" + csv_bytes(rows))
    pages = await pull_all(folder_adapter(str(tmp_path)))
    listings = {listing.seller_sku: listing for listing in pages[0].listings}
    first = listings["KOP-1-M"]
    assert (first.external_item_id, first.external_variant_id) == ("KOP-1-M", "")
    assert (first.price, first.stock, first.variant_name) == (15_000, 4, "Merah / XL")
    assert first.image_url == "https://img/1.jpg"
    assert first.remote_updated_at == datetime(2025, 1, 10, 2, 0, tzinfo=UTC)
    assert [listings[sku].status for sku in ("KOP-1-M", "KOP-2", "KOP-3", "KOP-4")] == [
        ListingStatus.ACTIVE,
        ListingStatus.INACTIVE,
        ListingStatus.OUT_OF_STOCK,
        ListingStatus.DELETED,
    ]


async def test_bad_rows_are_quarantined_with_line_numbers(tmp_path: Path) -> None:
    rows = [
        row("OK-1"),
        row("BAD-PRICE", price_idr="Rp15.000"),
        row("BAD-FRACTION", price_idr="15000.5"),
        row("BAD-STATUS", status="archived"),
        row("BAD-STOCK", stock="-1"),
        row("BAD-JSON", variant_attributes="{Warna: Merah}"),
        row("BAD-TIME", updated_at="kemarin"),
        row(""),
        row("OK-2"),
    ]
    write(tmp_path / "feed.csv", csv_bytes(rows))
    pages = await pull_all(folder_adapter(str(tmp_path)))
    assert [listing.seller_sku for listing in pages[0].listings] == ["OK-1", "OK-2"]
    assert {item.external_item_id: item.reason for item in pages[0].quarantined} == {
        "BAD-PRICE": "line 3: price_idr must be a whole number of rupiah, got 'Rp15.000' "
        "(price 'Rp15.000' is not a number)",
        "BAD-FRACTION": "line 4: price_idr must be a whole number of rupiah, got '15000.5' "
        "(price '15000.5' has a fraction; IDR prices are whole rupiah)",
        "BAD-STATUS": "line 5: status must be one of active, inactive, deleted, got 'archived'",
        "BAD-STOCK": "line 6: stock must be in 0..999999, got -1",
        "BAD-JSON": "line 7: variant_attributes is not valid JSON: Expecting property name "
        "enclosed in double quotes",
        "BAD-TIME": "line 8: updated_at must be an ISO-8601 time like 2025-01-31T09:30:00+07:00, "
        "got 'kemarin'",
        "line 9": "line 9: seller_sku is empty; every row needs its seller SKU",
    }


async def test_a_feed_without_required_columns_names_them(tmp_path: Path) -> None:
    write(tmp_path / "feed.csv", csv_bytes([row("A")], columns=["seller_sku", "name", "stok"]))
    with pytest.raises(
        FatalError,
        match="lacks column\\(s\\) price_idr, stock, status; it has: seller_sku, name, stok",
    ):
        await pull_all(folder_adapter(str(tmp_path)))


async def test_an_empty_folder_says_what_it_looked_for(tmp_path: Path) -> None:
    with pytest.raises(FatalError, match=r"no feed file \(.csv, .jsonl, .ndjson\) in folder"):
        await pull_all(folder_adapter(str(tmp_path)))


async def test_an_incremental_window_keeps_rows_updated_since(tmp_path: Path) -> None:
    rows = [
        row("LAMA", updated_at="2025-01-01T08:00:00+07:00"),
        row("BARU", updated_at="2025-01-05T08:00:00+07:00"),
        row("TANPA-WAKTU", updated_at=""),  # no time: always imported
    ]
    write(tmp_path / "feed.csv", csv_bytes(rows))
    since = datetime(2025, 1, 3, tzinfo=UTC)
    pages = await pull_all(folder_adapter(str(tmp_path)), since=since)
    assert [listing.seller_sku for listing in pages[0].listings] == ["BARU", "TANPA-WAKTU"]


async def test_pages_resume_from_their_token_and_a_changed_feed_starts_over(tmp_path: Path) -> None:
    rows = [row(f"SKU-{n:03d}") for n in range(250)]
    feed = write(tmp_path / "feed.csv", csv_bytes(rows))
    adapter = folder_adapter(str(tmp_path))
    pages = await pull_all(adapter)
    assert [len(page.listings) for page in pages] == [100, 100, 50]
    assert pages[-1].next_token is None

    resumed = await pull_all(adapter, token=pages[0].next_token)
    assert [page.listings for page in resumed] == [page.listings for page in pages[1:]]

    write(feed, csv_bytes([row("SKU-000", price_idr=99_000), *rows[1:]]))  # content changed
    restarted = await pull_all(adapter, token=pages[0].next_token)
    assert restarted[0].listings[0].price == 99_000
    assert sum(len(page.listings) for page in restarted) == 250


def test_a_token_from_elsewhere_restarts_the_feed() -> None:
    assert page_tokens.decode_token("17") is None
    assert page_tokens.decode_token('{"v": 0}') is None


async def test_a_duplicated_sku_keeps_the_later_row(tmp_path: Path) -> None:
    """Idempotent by seller_sku: the last row of a SKU in the feed wins."""
    write(
        tmp_path / "feed.csv",
        csv_bytes([row("A", price_idr=1_000), row("B"), row("A", price_idr=2_000)]),
    )
    pages = await pull_all(folder_adapter(str(tmp_path)))
    assert [(item.seller_sku, item.price) for item in pages[0].listings] == [
        ("A", 2_000),
        ("B", 15_000),
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"upload": "maybe"}, "upload: must be true or false, got 'maybe'"),
        ({"page_rows": "0"}, "page_rows: must be a whole number in 1..10000"),
        ({"feed_format": "xml"}, "feed_format: must be csv or jsonl, got 'xml'"),
        ({"uplaod": "true"}, "extra.uplaod: unknown setting; allowed: feed, feed_format"),
        ({"upload": "true"}, "upload = true needs an http\\(s\\) base_url or an upload_url"),
    ],
)
def test_bad_options_name_the_key_and_what_is_allowed(
    tmp_path: Path, extra: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        folder_adapter(str(tmp_path), **extra)
