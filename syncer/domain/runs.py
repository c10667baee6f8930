"""Sync run vocabulary and the counters a run accumulates."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum


class RunKind(StrEnum):
    PULL_INCREMENTAL = "pull_incremental"
    PULL_FULL = "pull_full"
    PULL_ITEMS = "pull_items"
    """Read only the items webhooks named (their events are pending until it stores them)."""
    PUSH = "push"

    @property
    def pulls(self) -> bool:
        """Whether the run reads from the marketplace under the shop's pull lease."""
        return self is not RunKind.PUSH


class RunTrigger(StrEnum):
    SCHEDULE = "schedule"
    MANUAL = "manual"
    WEBHOOK = "webhook"
    STARTUP = "startup"


class RunState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self not in (RunState.QUEUED, RunState.RUNNING)


@dataclass(slots=True, kw_only=True)
class RunCounts:
    """What one run did; mutable because the engine adds to it page by page."""

    pages: int = 0
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    quarantined: int = 0
    pushed: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)
