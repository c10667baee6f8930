"""JSON bodies of listing pages built straight from store rows, without a validation pass.

Validating a page of 100 ``ListingRow`` into ``ListingOut`` models and dumping them costs about
twice what serializing the same values as plain dicts through pydantic-core does; the bytes are
the same (one serializer formats the datetimes and numbers). The models stay the schema the
OpenAPI document shows, and tests/web/test_encoding.py checks both give identical bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter

import pydantic_core

from syncer.store.web_queries import ListingRow
from syncer.web.marketplaces import marketplace_info

LISTING_FIELDS = tuple(ListingRow.__dataclass_fields__)
OUT_FIELDS = (*LISTING_FIELDS, "feed_only")
"""``ListingOut``'s fields in its order: the row's, then the computed ``feed_only``."""
_values = attrgetter(*LISTING_FIELDS)


def listing_dicts(rows: Iterable[ListingRow]) -> list[dict[str, object]]:
    feed_only: dict[str, bool] = {}
    out = []
    for row in rows:
        feed = feed_only.get(row.marketplace)
        if feed is None:
            feed = feed_only[row.marketplace] = marketplace_info(row.marketplace).feed_only
        out.append(dict(zip(OUT_FIELDS, (*_values(row), feed), strict=True)))
    return out


def listing_page(rows: Iterable[ListingRow], next_cursor: str | None) -> bytes:
    """The body of a ``ListingPage``."""
    return pydantic_core.to_json({"items": listing_dicts(rows), "next_cursor": next_cursor})
