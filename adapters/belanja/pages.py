"""Feed rows to engine pages: windows by ``updated_at``, last row per SKU wins, resume tokens.

A resume token names the feed it was made on (its identity) and the byte offset, line and row
count after the page's last row, plus the CSV header; a source given the token reads on from
there if the feed is unchanged, or from the start if it changed (rows are idempotent by SKU).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field
from datetime import datetime

import structlog

from adapters.belanja import mapping
from adapters.belanja.columns import REQUIRED_COLUMNS
from adapters.belanja.source import OpenedFeed, Resume
from syncer.adapter import FeedError, FeedPosition, FeedRow, Page, read_feed
from syncer.domain import Listing, QuarantinedItem
from syncer.errors import FatalError, MalformedResponseError

TOKEN_VERSION = 1
CHECKPOINT_FACTOR = 20  # a page is cut after this many page sizes of rows even if few matched


def encode_token(identity: str, position: FeedPosition) -> str:
    return json.dumps(
        {
            "v": TOKEN_VERSION,
            "feed": identity,
            "offset": position.offset,
            "line": position.line,
            "rows": position.rows,
            "header": list(position.header),
        },
        separators=(",", ":"),
    )


def decode_token(token: str | None) -> Resume | None:
    """A token from ``encode_token``; anything else (an older format) restarts the feed."""
    if not token:
        return None
    try:
        data = json.loads(token)
        if data.get("v") != TOKEN_VERSION:
            return None
        position = FeedPosition(
            offset=int(data["offset"]),
            line=int(data["line"]),
            rows=int(data["rows"]),
            header=tuple(str(name) for name in data["header"]),
        )
        return Resume(identity=str(data["feed"]), position=position)
    except (json.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError):
        return None


def quarantined(row: FeedRow, reason: str) -> QuarantinedItem:
    """A bad row, named by its SKU when readable, else by its line."""
    try:
        item = mapping.seller_sku(row.fields)
    except mapping.RowError:
        item = f"line {row.line}"
    return QuarantinedItem(external_item_id=item, reason=f"line {row.line}: {reason}")


def check_header(row: FeedRow) -> None:
    """A CSV feed lacking a required column cannot be imported: say which, and what it has."""
    header = row.after.header
    if not header:
        return
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise FatalError(
            f"the feed's header lacks column(s) {', '.join(missing)}; it has: {', '.join(header)}"
        )


@dataclass(slots=True)
class _Batch:
    listings: dict[str, Listing] = field(default_factory=dict)
    bad: list[QuarantinedItem] = field(default_factory=list)
    examined: int = 0

    def size(self) -> int:
        return len(self.listings) + len(self.bad)


def classify(
    row: FeedRow, since: datetime | None, wanted: Collection[str] | None
) -> Listing | QuarantinedItem | None:
    """What a row contributes: its Listing, a quarantined item, or nothing (outside the window
    or not among the ``wanted`` SKUs)."""
    if row.error:
        item = quarantined(row, row.error)
        return item if wanted is None or item.external_item_id in wanted else None
    try:
        if wanted is not None and mapping.seller_sku(row.fields) not in wanted:
            return None
        if since is not None:
            moment = mapping.updated_at(row.fields)
            if moment is not None and moment < since:
                return None
        return mapping.listing_from_row(row.fields)
    except mapping.RowError as exc:
        item = quarantined(row, str(exc))
        return item if wanted is None or item.external_item_id in wanted else None


async def pages(
    opened: OpenedFeed,
    *,
    page_rows: int,
    since: datetime | None = None,
    wanted: Collection[str] | None = None,
    log: structlog.typing.FilteringBoundLogger,
) -> AsyncIterator[tuple[Page, FeedPosition]]:
    """Pages of the open feed with the position after each; the last page has no token."""
    batch = _Batch()
    position = opened.start
    try:
        async for row in read_feed(opened.chunks, opened.fmt, opened.start):
            if position.rows == opened.start.rows:
                check_header(row)
            # A full page goes out only once the next row has arrived: the feed's last record
            # may be cut short (a truncated body) and must stay in the page checked at the end.
            if batch.size() >= page_rows or batch.examined >= page_rows * CHECKPOINT_FACTOR:
                yield _page(batch, opened, position, log, last=False), position
                batch = _Batch()
            position = row.after
            _add(batch, classify(row, since, wanted), row, log)
    except FeedError as exc:
        raise FatalError(f"the feed cannot be read: {exc}") from exc
    if opened.expected_rows is not None and position.rows != opened.expected_rows:
        raise MalformedResponseError(
            f"the feed ended after {position.rows} rows but announced {opened.expected_rows}"
        )
    yield _page(batch, opened, position, log, last=True), position


def _add(
    batch: _Batch,
    result: Listing | QuarantinedItem | None,
    row: FeedRow,
    log: structlog.typing.FilteringBoundLogger,
) -> None:
    batch.examined += 1
    if isinstance(result, QuarantinedItem):
        batch.bad.append(result)
    elif result is not None:
        if result.seller_sku in batch.listings:
            log.warning("belanja.duplicate_sku", seller_sku=result.seller_sku, line=row.line)
        batch.listings[result.seller_sku] = result  # the later row of a SKU wins


def _page(
    batch: _Batch,
    opened: OpenedFeed,
    position: FeedPosition,
    log: structlog.typing.FilteringBoundLogger,
    *,
    last: bool,
) -> Page:
    # Logged only now: the last row of a cut body is dropped with its page, never reported.
    for item in batch.bad:
        log.warning("pull.item_quarantined", item_id=item.external_item_id, reason=item.reason)
    progress = (position.rows, opened.expected_rows) if opened.expected_rows else None
    return Page(
        listings=list(batch.listings.values()),
        quarantined=batch.bad,
        next_token=None if last else encode_token(opened.identity, position),
        progress=progress,
    )
