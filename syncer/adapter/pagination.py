"""Offset pagination that tolerates a list shifting under it.

While we page through "items updated in [since, until]", an item updated meanwhile leaves the
window and every later item moves one place towards the start: a plain offset walk would skip
one item per such update. Re-reading ``overlap`` entries of the previous page and dropping ids
already seen closes that gap for up to ``overlap`` shifts per page, at a small cost.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

import structlog


@dataclass(frozen=True, slots=True, kw_only=True)
class OffsetPage:
    ids: Sequence[str]
    has_next: bool
    next_offset: int
    total: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OffsetStep:
    """New ids of one page, and the offset to resume from after they are stored."""

    ids: list[str]
    resume_offset: int | None
    total: int | None = None

    @property
    def progress(self) -> tuple[int, int] | None:
        """(entries passed, total entries) when the marketplace reports a total."""
        if self.total is None:
            return None
        done = self.total if self.resume_offset is None else min(self.resume_offset, self.total)
        return done, self.total


class OffsetPager:
    def __init__(
        self,
        fetch: Callable[[int], Awaitable[OffsetPage]],
        *,
        start: int = 0,
        overlap: int = 0,
        log: structlog.typing.FilteringBoundLogger | None = None,
    ) -> None:
        self._fetch = fetch
        self._offset = start
        self._overlap = overlap
        self._log = log or structlog.get_logger("syncer.adapter")
        self.shifts_detected = 0

    async def steps(self) -> AsyncIterator[OffsetStep]:
        previous: set[str] = set()
        while True:
            page = await self._fetch(self._offset)
            fresh = [item_id for item_id in page.ids if item_id not in previous]
            self._check_anchor(page.ids, previous)
            if not page.has_next or not page.ids:
                yield OffsetStep(ids=fresh, resume_offset=None, total=page.total)
                return
            # Step back by the overlap, but always move forward by at least one entry.
            self._offset = max(self._offset + 1, page.next_offset - self._overlap)
            previous = set(page.ids)
            yield OffsetStep(ids=fresh, resume_offset=self._offset, total=page.total)

    def _check_anchor(self, ids: Sequence[str], previous: set[str]) -> None:
        if not previous or not self._overlap or not ids:
            return
        if not previous.intersection(ids[: self._overlap]):
            # More items left the window than the overlap covers; the next full reconcile
            # re-reads whatever this pass may have skipped.
            self.shifts_detected += 1
            self._log.warning("pull.page_shift_exceeded_overlap", offset=self._offset)
