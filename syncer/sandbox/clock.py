"""A controllable clock for sandboxes: real time plus an offset the control API moves.

Token expiry, timestamp windows and update times all read this clock, so a test can jump four
hours ahead instead of waiting. It also satisfies ``syncer.domain.clock.Clock`` (``now()``), so
a client under test can share it with the sandbox.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class SandboxClock:
    """Wall-clock time shifted by an adjustable offset (seconds)."""

    def __init__(self, offset: float = 0.0) -> None:
        self._offset = offset
        self._lock = threading.Lock()

    @property
    def offset(self) -> float:
        return self._offset

    def timestamp(self) -> float:
        """Unix seconds, with the fraction."""
        return time.time() + self._offset

    def unix(self) -> int:
        """Whole unix seconds, as marketplaces put them in payloads."""
        return int(self.timestamp())

    def now(self) -> datetime:
        """The current sandbox time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.timestamp(), UTC)

    def advance(self, seconds: float) -> float:
        """Move the clock forward (or back, if negative); returns the new unix time."""
        with self._lock:
            self._offset += seconds
        return self.timestamp()

    def set(self, unix_seconds: float) -> float:
        """Jump to an absolute unix time; the clock keeps ticking from there."""
        with self._lock:
            self._offset = unix_seconds - time.time()
        return self.timestamp()

    def reset(self) -> None:
        """Back to real time."""
        with self._lock:
            self._offset = 0.0

    def snapshot(self) -> dict[str, object]:
        """What the control API reports."""
        now = self.timestamp()
        return {"now": now, "unix": int(now), "offset": self._offset}
