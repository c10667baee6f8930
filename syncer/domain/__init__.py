"""Pure domain types: listings, statuses, money, runs. Imports nothing outside the stdlib."""

from __future__ import annotations

from syncer.domain.clock import Clock, SystemClock, utc_from_timestamp
from syncer.domain.ids import BusinessId, RunId, ShopId
from syncer.domain.listing import Listing, ListingKey, QuarantinedItem, content_hash
from syncer.domain.money import MoneyError, rupiah_from_number
from syncer.domain.runs import RunCounts, RunKind, RunState, RunTrigger
from syncer.domain.status import AuthState, ListingStatus

__all__ = [
    "AuthState",
    "BusinessId",
    "Clock",
    "Listing",
    "ListingKey",
    "ListingStatus",
    "MoneyError",
    "QuarantinedItem",
    "RunCounts",
    "RunId",
    "RunKind",
    "RunState",
    "RunTrigger",
    "ShopId",
    "SystemClock",
    "content_hash",
    "rupiah_from_number",
    "utc_from_timestamp",
]
