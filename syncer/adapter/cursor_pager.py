"""Cursor (page-token) pagination: walk an API that hands back an opaque ``next_page_token``.

Unlike offsets, a cursor does not shift when items change mid-walk, so there is nothing to
overlap. What can go wrong is the token itself: a marketplace that answers the same token again
would loop forever, so a repeated token stops the walk with a clear error. Each step carries the
token to resume from after its items are stored (``Page.next_token``), ``None`` at the end.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from syncer.errors import FatalError

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class CursorPage(Generic[T]):
    """One answer of a page-token API: its items and the token of the next page ("" or None
    when this was the last)."""

    items: Sequence[T]
    next_token: str | None
    total: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CursorStep(Generic[T]):
    items: Sequence[T]
    resume_token: str | None
    """Where to continue once ``items`` are stored; None when the walk is complete."""
    passed: int
    """Items yielded so far in this walk (not counting what a resumed walk skipped)."""
    total: int | None = None

    @property
    def progress(self) -> tuple[int, int] | None:
        """(items passed, total items) when the marketplace reports a total."""
        if self.total is None:
            return None
        done = self.total if self.resume_token is None else min(self.passed, self.total)
        return done, self.total


class CursorPager(Generic[T]):
    """Calls ``fetch(token)`` (``None`` for the first page) until the token runs out."""

    def __init__(
        self, fetch: Callable[[str | None], Awaitable[CursorPage[T]]], *, start: str | None = None
    ) -> None:
        self._fetch = fetch
        self._start = start or None

    async def steps(self) -> AsyncIterator[CursorStep[T]]:
        token = self._start
        seen: set[str] = set() if token is None else {token}
        passed = 0
        while True:
            page = await self._fetch(token)
            passed += len(page.items)
            following = page.next_token or None
            if following is not None and not page.items:
                following = None  # an empty page with a token: nothing more to read [docs silent]
            if following is not None and following in seen:
                raise FatalError(
                    f"the marketplace answered page token {following[:40]!r} twice; stopping "
                    "instead of reading the same pages in a loop"
                )
            if following is not None:
                seen.add(following)
            yield CursorStep(
                items=page.items, resume_token=following, passed=passed, total=page.total
            )
            if following is None:
                return
            token = following
