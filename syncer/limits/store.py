"""What a shared budget store does: hand out tokens and window slots atomically, on its own clock.

Both stores (PostgreSQL, Redis) compute refills and expiries on the server's clock, in real
seconds: every process on every host then agrees on "now", which no host clock guarantees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class BucketKey:
    """Who a budget belongs to: a partner app's shop (``shop="*"``: the whole app) and an API
    (``operation="*"``: every API of the shop)."""

    marketplace: str
    app: str
    shop: str
    operation: str = "*"

    @property
    def name(self) -> str:
        return "|".join((self.marketplace, self.app, self.shop, self.operation))


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """``granted`` whole tokens taken now, and the (fractional) ``level`` left in the bucket."""

    granted: int
    level: float


@dataclass(frozen=True, slots=True)
class SlotGrant:
    """A window slot taken now, or ``wait_s`` until the earliest slot is known to free."""

    taken: bool
    wait_s: float


class LimitStore(Protocol):
    """Atomic operations on budgets kept outside the process. Rates are per real second."""

    description: str
    """Where the budgets live, without secrets (for logs and errors)."""

    async def take_tokens(
        self, key: BucketKey, *, rate: float, capacity: float, want: int
    ) -> TokenGrant:
        """Refill the bucket to now (at most ``capacity``) and take up to ``want`` whole tokens."""
        ...

    async def take_slot(
        self, key: BucketKey, *, limit: int, holder: str, hold_s: float
    ) -> SlotGrant:
        """Take one of ``limit`` slots free now, held by ``holder`` for ``hold_s``."""
        ...

    async def hold_slot(self, key: BucketKey, *, holder: str, hold_s: float) -> bool:
        """Set ``holder``'s slot to free ``hold_s`` from now (a renewal or the release); False
        if the slot is no longer ``holder``'s."""
        ...

    async def check(self) -> None:
        """Raise ``StoreError`` naming the setting if the store cannot be reached."""
        ...

    async def close(self) -> None: ...
