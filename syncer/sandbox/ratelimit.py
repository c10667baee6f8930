"""Server-side rate limiting for sandboxes: token buckets keyed by whatever the marketplace keys on.

Each marketplace decides the key (Shopee: shop and path; TikTok: app, shop and API) and the
answer format; this module only says "allowed" or "wait this long". Buckets run on real
monotonic time, not the sandbox clock, so jumping the clock never refills them.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LimitRule:
    """``rate`` tokens per second, at most ``burst`` saved up."""

    rate: float
    burst: int

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError(f"rate must be > 0 and burst >= 1, got {self.rate}/{self.burst}")

    def as_dict(self) -> dict[str, object]:
        return {"rate": self.rate, "burst": self.burst}


def retry_after_seconds(wait: float) -> int:
    """A ``Retry-After`` value: whole seconds (HTTP allows no fraction), at least 1."""
    return max(1, math.ceil(wait))


class RateLimiter:
    """Token buckets per key. ``scope`` picks an override rule (e.g. one API path)."""

    def __init__(
        self,
        default: LimitRule | None = LimitRule(100.0, 100),
        *,
        overrides: Mapping[str, LimitRule] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._default = default
        self._overrides = dict(overrides or {})
        self._monotonic = monotonic
        self._buckets: dict[Hashable, list[float]] = {}  # key -> [tokens, last refill time]
        self._lock = threading.Lock()
        self.rejected = 0

    @property
    def default(self) -> LimitRule | None:
        """The rule for scopes without an override; ``None`` means unlimited."""
        return self._default

    @property
    def overrides(self) -> dict[str, LimitRule]:
        """Per-scope rules (a copy)."""
        return dict(self._overrides)

    def acquire(self, key: Hashable, scope: str = "") -> float:
        """Take one token for ``key``: 0.0 if allowed, else the seconds until one is free."""
        rule = self._overrides.get(scope, self._default)
        if rule is None:
            return 0.0
        now = self._monotonic()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = [float(rule.burst), now]
            tokens = min(float(rule.burst), bucket[0] + (now - bucket[1]) * rule.rate)
            bucket[1] = now
            if tokens >= 1.0:
                bucket[0] = tokens - 1.0
                return 0.0
            bucket[0] = tokens
            self.rejected += 1
            return (1.0 - tokens) / rule.rate

    def configure(
        self,
        *,
        default: LimitRule | None,
        overrides: Mapping[str, LimitRule] | None = None,
    ) -> None:
        """Replace the rules (``default=None`` switches limiting off); buckets start full."""
        with self._lock:
            self._default = default
            self._overrides = dict(overrides or {})
            self._buckets.clear()

    def reset(self) -> None:
        """Refill every bucket and zero the rejection count."""
        with self._lock:
            self._buckets.clear()
            self.rejected = 0

    def snapshot(self) -> dict[str, object]:
        """What the control API reports."""
        return {
            "enabled": self._default is not None or bool(self._overrides),
            "default": self._default.as_dict() if self._default else None,
            "overrides": {scope: rule.as_dict() for scope, rule in self._overrides.items()},
            "rejected": self.rejected,
        }
