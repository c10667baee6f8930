"""The SDK's streaming feed reader: CSV and JSON Lines rows with line numbers and offsets."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncer.adapter import FeedError, FeedFormat, FeedPosition, FeedRow, format_for, read_feed


async def _chunks(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def _rows(
    data: bytes, fmt: FeedFormat = "csv", *, size: int = 7, start: FeedPosition | None = None
) -> list[FeedRow]:
    return [row async for row in read_feed(_chunks(data, size), fmt, start)]


def _fields(rows: Iterable[FeedRow]) -> list[dict[str, object]]:
    return [dict(row.fields) for row in rows]


async def test_csv_rows_carry_their_line_numbers_through_quoted_newlines() -> None:
    """Quotes, commas, doubled quotes and line breaks inside fields stay in their field."""
    data = (
        b"seller_sku,name,description\r\n"
        b'A-1,"Kopi, Gayo","Biji ""pilihan""\r\nbaris dua"\r\n'
        b"\r\n"
        b"B-2,Teh,Manis\n"
    )
    rows = await _rows(data)
    assert [row.line for row in rows] == [2, 5]
    assert _fields(rows) == [
        {"seller_sku": "A-1", "name": "Kopi, Gayo", "description": 'Biji "pilihan"\r\nbaris dua'},
        {"seller_sku": "B-2", "name": "Teh", "description": "Manis"},
    ]
    assert rows[-1].after == FeedPosition(
        offset=len(data), line=5, rows=2, header=rows[0].after.header
    )


@pytest.mark.parametrize("size", [1, 2, 3, 4, 1000])
async def test_a_bom_is_skipped_however_the_bytes_are_split(size: int) -> None:
    data = b"\xef\xbb\xbfseller_sku,name\nA,Kopi\n"
    rows = await _rows(data, size=size)
    assert _fields(rows) == [{"seller_sku": "A", "name": "Kopi"}]
    assert rows[0].after.header == ("seller_sku", "name")


async def test_bad_rows_say_what_is_wrong_and_the_feed_goes_on() -> None:
    data = (
        b"seller_sku,name\n"
        b"A,Kopi,extra\n"  # line 2: too many fields
        b'B,"unterminated\n'  # line 3: the quote never closes, up to the end of the feed
    )
    rows = await _rows(data)
    assert [(row.line, row.error) for row in rows] == [
        (2, "row has 3 fields, the header has 2"),
        (3, "row has an unterminated quoted field"),
    ]
    assert rows[0].fields == {"seller_sku": "A", "name": "Kopi"}  # the key is still readable


async def test_non_utf8_bytes_make_one_bad_row() -> None:
    rows = await _rows(b"seller_sku,name\nA,Caf\xe9\nB,Teh\n")
    assert rows[0].error == "row is not UTF-8 text (byte 6 of the row)"
    assert _fields(rows[1:]) == [{"seller_sku": "B", "name": "Teh"}]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (b"seller_sku,,name\n", "has an empty column name"),
        (b"seller_sku,name,name\n", "repeats columns: name"),
        (b'seller_sku,"name\n', "cannot be read"),
    ],
)
async def test_a_bad_header_stops_the_feed_with_the_reason(header: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        await _rows(header + b"A,B,C\n")


async def test_json_lines_rows_are_objects_and_others_are_reported() -> None:
    data = b'{"seller_sku": "A", "stock": 3}\n\n[1, 2]\n{"seller_sku": "B"\n{"seller_sku": "C"}'
    rows = await _rows(data, "jsonl")
    assert [(row.line, row.error) for row in rows] == [
        (1, ""),
        (3, "row must be a JSON object, got list"),
        (4, "row is not valid JSON: Expecting ',' delimiter"),
        (5, ""),
    ]
    assert rows[0].fields == {"seller_sku": "A", "stock": 3}
    assert rows[-1].after.offset == len(data)


async def test_reading_on_from_a_position_gives_the_remaining_rows() -> None:
    data = b'seller_sku,name\nA,Kopi\nB,"Teh\nTubruk"\nC,Susu\n'
    everything = await _rows(data)
    middle = everything[0].after
    rest = await _rows(data[middle.offset :], start=middle)
    assert rest == everything[1:]


def test_formats_come_from_names_or_media_types() -> None:
    assert format_for("produk.CSV") == "csv"
    assert format_for("https://x/feed.ndjson?x=1") == "jsonl"
    assert format_for("feed", "application/x-ndjson; charset=utf-8") == "jsonl"
    assert format_for("feed.txt") is None


_cell = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_cell, _cell), min_size=1, max_size=8), st.integers(1, 9))
async def test_any_csv_written_by_the_csv_module_reads_back(
    rows: list[tuple[str, str]], size: int
) -> None:
    """Round trip: whatever the content and however the bytes are split."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["a", "b"])
    writer.writerows(rows)
    read = await _rows(out.getvalue().encode(), size=size)
    expected = [{"a": a, "b": b} for a, b in rows]  # ("", "") is written as ",", not blank
    assert [row.error for row in read] == [""] * len(expected)
    assert _fields(read) == expected
