"""Update-time slices for searches TikTok caps at 10,000 results (error 12052180).

A pass walks ``[since, until]`` in ascending slices; a slice with more than the cap is halved
until it fits. The resume token names the slice and the page token within it
(``"lo:hi:page_token"``), so an interrupted pass continues in the right slice.
"""

from __future__ import annotations

from dataclasses import dataclass

from syncer.errors import FatalError

SEARCH_CAP = 10_000  # "The total number of search results can not exceed 10000." (12052180)
TOO_MANY_RESULTS = "12052180"


@dataclass(frozen=True, slots=True)
class Slice:
    lo: int
    hi: int
    page_token: str | None = None

    def encode(self) -> str:
        return f"{self.lo}:{self.hi}:{self.page_token or ''}"

    def halved(self) -> Slice:
        """The lower half, walked from its first page; the upper half comes after it."""
        if self.lo >= self.hi:
            raise FatalError(
                f"more than {SEARCH_CAP} products were updated within one second ({self.lo}); "
                "TikTok Shop's search cannot list them"
            )
        return Slice(self.lo, (self.lo + self.hi) // 2)

    def following(self, until: int) -> Slice | None:
        """The slice after this one, up to ``until``; None when the pass is done."""
        return None if self.hi >= until else Slice(self.hi + 1, until)


def decode(token: str | None, first: Slice) -> Slice:
    """The slice a resume token names, or ``first`` for a new pass."""
    if not token:
        return first
    parts = token.split(":", 2)
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        raise FatalError(f"resume token {token[:40]!r} is not a TikTok search position")
    return Slice(int(parts[0]), int(parts[1]), parts[2] or None)
