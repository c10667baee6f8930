"""JSON bodies of listing pages built straight from store rows, without a validation pass.

Validating a page of 100 ``ListingRow`` into ``ListingOut`` models and dumping them costs about
twice what serializing the same values as plain dicts through pydantic-core does; the bytes are
the same (one serializer formats the datetimes and numbers). The models stay the schema the
OpenAPI document shows, and tests/web/test_encoding.py checks both give identical bytes.
"""

from __future__ import annotations

from collections.abc import Iterable

import pydantic_core

from syncer.store.web_queries import ListingRow
from syncer.web.marketplaces import marketplace_info

LISTING_FIELDS = ListingRow._fields
OUT_FIELDS = (*LISTING_FIELDS, "feed_only")
"""``ListingOut``'s fields in its order: the row's, then the computed ``feed_only``."""


def listing_dicts(rows: Iterable[ListingRow]) -> list[dict[str, object]]:
    feed_only: dict[str, bool] = {}
    out: list[dict[str, object]] = []
    for row in rows:
        feed = feed_only.get(row.marketplace)
        if feed is None:
            feed = feed_only[row.marketplace] = marketplace_info(row.marketplace).feed_only
        out.append(dict(zip(OUT_FIELDS, (*row, feed), strict=True)))
    return out


def listing_page(rows: Iterable[ListingRow], next_cursor: str | None) -> bytes:
    """The body of a ``ListingPage``."""
    return pydantic_core.to_json({"items": listing_dicts(rows), "next_cursor": next_cursor})


def listing_page_json(items: Iterable[tuple[str, str]], next_cursor: str | None) -> bytes:
    """The body of a ``ListingPage`` from (marketplace, listing JSON) pairs as
    ``web_json.listings_json`` reads them: each object gets its ``feed_only`` appended."""
    feed_only: dict[str, str] = {}
    parts = []
    for marketplace, text in items:
        tail = feed_only.get(marketplace)
        if tail is None:
            flag = "true" if marketplace_info(marketplace).feed_only else "false"
            tail = feed_only[marketplace] = f',"feed_only":{flag}}}'
        parts.append(text[:-1] + tail)  # text ends with the object's closing brace
    cursor = pydantic_core.to_json(next_cursor).decode()
    return f'{{"items":[{",".join(parts)}],"next_cursor":{cursor}}}'.encode()
