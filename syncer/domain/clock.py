"""The clock is injected everywhere time matters (token expiry, windows, schedules)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def utc_from_timestamp(seconds: float) -> datetime:
    """A unix timestamp in seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)
