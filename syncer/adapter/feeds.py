"""Streaming readers for product feeds (CSV and JSON Lines), shared by feed-based marketplaces.

Bytes come in as an async stream (a file or an HTTP body); rows come out one at a time with
their line number, the byte offset just after them (to resume a feed mid-way with a seek or
an HTTP ``Range``) and, for a row that cannot be read, the reason instead of its fields. A bad
row never stops the feed; a bad header does (``FeedError``), since no row can be read then.
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

FeedFormat = Literal["csv", "jsonl"]
FEED_FORMATS: tuple[FeedFormat, ...] = ("csv", "jsonl")
BOM = b"\xef\xbb\xbf"
_SUFFIXES: dict[str, FeedFormat] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_MEDIA_TYPES: dict[str, FeedFormat] = {
    "text/csv": "csv",
    "application/csv": "csv",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/x-jsonlines": "jsonl",
    "application/jsonlines": "jsonl",
}
MAX_RECORD_BYTES = 1 << 20  # a "row" longer than this is an unterminated quote eating the feed


class FeedError(ValueError):
    """The feed as a whole cannot be read (no header, a header without a column name)."""


def format_for(name: str = "", media_type: str = "") -> FeedFormat | None:
    """The feed format a file name (by suffix) or an HTTP media type implies, if any."""
    kind = media_type.split(";", 1)[0].strip().lower()
    if kind in _MEDIA_TYPES:
        return _MEDIA_TYPES[kind]
    lowered = name.lower().split("?", 1)[0]
    for suffix, fmt in _SUFFIXES.items():
        if lowered.endswith(suffix):
            return fmt
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedPosition:
    """Where a reader stands: ``offset`` bytes and ``line`` lines consumed, ``rows`` data rows
    read, and the CSV header (needed to read on from the middle of a CSV feed)."""

    offset: int = 0
    line: int = 0
    rows: int = 0
    header: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedRow:
    """One data row: ``fields`` (CSV: text; JSON Lines: JSON values), or ``error`` if unreadable."""

    line: int  # 1-based line where the row starts (the CSV header is line 1)
    after: FeedPosition
    fields: Mapping[str, object] = field(default_factory=dict)
    error: str = ""


@dataclass(slots=True)
class _Record:
    data: bytes
    line: int
    lines: int
    end: int


async def _records(
    chunks: AsyncIterable[bytes], fmt: FeedFormat, start: FeedPosition
) -> AsyncIterator[_Record]:
    """Split the byte stream into records: lines, or for CSV lines joined while a quoted field
    is open (an even count of ``"`` closes a record, since quotes inside fields are doubled)."""
    buffer = bytearray()
    offset, line = start.offset, start.line
    pending = bytearray()
    pending_lines = 0
    first = start.offset == 0
    async for chunk in chunks:
        if first and chunk:
            buffer += chunk
            if len(buffer) < len(BOM) and BOM.startswith(bytes(buffer)):
                continue  # a BOM split across chunks
            if buffer.startswith(BOM):
                del buffer[: len(BOM)]
                offset += len(BOM)
            first = False
        else:
            buffer += chunk
        cut = 0
        while (end := buffer.find(b"\n", cut)) >= 0:
            pending += buffer[cut : end + 1]
            pending_lines += 1
            cut = end + 1
            if fmt == "csv" and pending.count(b'"') % 2 and len(pending) < MAX_RECORD_BYTES:
                continue
            size = len(pending)
            yield _Record(bytes(pending), line + 1, pending_lines, offset + size)
            offset, line = offset + size, line + pending_lines
            pending.clear()
            pending_lines = 0
        del buffer[:cut]
    pending += buffer
    if pending:
        yield _Record(bytes(pending), line + 1, pending_lines + 1, offset + len(pending))


def _text(record: _Record) -> str:
    """The record without its line ending; raises ``UnicodeDecodeError`` for non-UTF-8 bytes."""
    return record.data.decode("utf-8").rstrip("\r\n")


async def read_feed(
    chunks: AsyncIterable[bytes], fmt: FeedFormat, start: FeedPosition | None = None
) -> AsyncIterator[FeedRow]:
    """Every data row of a feed, from its start or from ``start`` (a previous row's ``after``).

    Blank lines are skipped (they still count for line numbers). Raises ``FeedError`` if a CSV
    feed read from its start has no usable header.
    """
    position = start or FeedPosition()
    header, rows = position.header, position.rows
    async for record in _records(chunks, fmt, position):
        try:
            text = _text(record)
        except UnicodeDecodeError as exc:
            text, problem = "", f"is not UTF-8 text (byte {exc.start + 1} of the row)"
        else:
            problem = ""
        if not problem and not text.strip():
            continue
        if fmt == "csv" and not header:
            if problem:
                raise FeedError(f"the CSV header (line {record.line}) {problem}")
            header = parse_header(text, record.line)
            continue
        rows += 1
        last_line = record.line + record.lines - 1
        after = FeedPosition(offset=record.end, line=last_line, rows=rows, header=header)
        if problem:
            yield FeedRow(line=record.line, after=after, error=f"row {problem}")
        elif fmt == "csv":
            yield _csv_row(text, header, record, after)
        else:
            yield _json_row(text, record, after)


def parse_header(text: str, line: int = 1) -> tuple[str, ...]:
    """Column names of a CSV header row, trimmed; empty or repeated names are refused."""
    try:
        names = tuple(name.strip() for name in next(csv.reader([text], strict=True)))
    except csv.Error as exc:
        raise FeedError(f"the CSV header (line {line}) cannot be read: {exc}") from exc
    if any(not name for name in names):
        raise FeedError(f"the CSV header (line {line}) has an empty column name: {text[:200]!r}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise FeedError(f"the CSV header (line {line}) repeats columns: {', '.join(repeated)}")
    return names


def _csv_row(text: str, header: tuple[str, ...], record: _Record, after: FeedPosition) -> FeedRow:
    if text.count('"') % 2:
        return FeedRow(line=record.line, after=after, error="row has an unterminated quoted field")
    try:
        values = next(csv.reader([text], strict=True))
    except csv.Error as exc:
        return FeedRow(line=record.line, after=after, error=f"row is not valid CSV: {exc}")
    if len(values) != len(header):
        return FeedRow(
            line=record.line,
            after=after,
            fields=dict(zip(header, values, strict=False)),
            error=f"row has {len(values)} fields, the header has {len(header)}",
        )
    return FeedRow(line=record.line, after=after, fields=dict(zip(header, values, strict=True)))


def _json_row(text: str, record: _Record, after: FeedPosition) -> FeedRow:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return FeedRow(line=record.line, after=after, error=f"row is not valid JSON: {exc.msg}")
    if not isinstance(value, dict):
        kind = "null" if value is None else type(value).__name__
        return FeedRow(
            line=record.line, after=after, error=f"row must be a JSON object, got {kind}"
        )
    return FeedRow(line=record.line, after=after, fields=value)
