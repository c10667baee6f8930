"""A shop's pull cursor: one slot for an unfinished full pass, one for an unfinished incremental.

Separate slots let incremental pulls keep the catalog fresh while a long full reconcile is
paused or failing, and let each resume where it stopped. A full pass has two phases: listing
every item, then re-reading the stored items it did not see (``reconcile``), each resumable.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum


class Mode(StrEnum):
    FULL = "full"
    INCREMENTAL = "incremental"


class Phase(StrEnum):
    LISTING = "listing"
    RECONCILE = "reconcile"


@dataclass(frozen=True, slots=True, kw_only=True)
class PassCursor:
    """Where an unfinished pass stands; saved in the same transaction as each page."""

    pass_id: str
    mode: Mode
    since: datetime | None
    until: datetime
    phase: Phase = Phase.LISTING
    token: str | None = None  # the adapter's resume token for the listing phase
    after: str = ""  # the reconcile phase's last item id
    resumes: int = 0

    @classmethod
    def start(cls, mode: Mode, since: datetime | None, until: datetime) -> PassCursor:
        return cls(pass_id=uuid.uuid4().hex, mode=mode, since=since, until=until)

    @property
    def started(self) -> bool:
        return self.phase is Phase.RECONCILE or self.token is not None

    def resumed(self) -> PassCursor:
        return replace(self, resumes=self.resumes + 1)

    def at(self, token: str | None) -> PassCursor:
        """After a listing page: ``None`` means the listing is complete."""
        if token is None and self.mode is Mode.FULL:
            return replace(self, token=None, phase=Phase.RECONCILE)
        return replace(self, token=token)

    def reconciled_to(self, after: str) -> PassCursor:
        return replace(self, after=after)

    def as_json(self) -> dict[str, object]:
        return {
            "pass_id": self.pass_id,
            "mode": self.mode.value,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat(),
            "phase": self.phase.value,
            "token": self.token,
            "after": self.after,
            "resumes": self.resumes,
        }

    @classmethod
    def from_json(cls, data: object) -> PassCursor | None:
        """The saved pass, or None when there is none (or it is unreadable: start afresh)."""
        if not isinstance(data, dict) or not data.get("pass_id"):
            return None
        try:
            since, token = data.get("since"), data.get("token")
            return cls(
                pass_id=str(data["pass_id"]),
                mode=Mode(data["mode"]),
                since=datetime.fromisoformat(since) if isinstance(since, str) else None,
                until=datetime.fromisoformat(str(data["until"])),
                phase=Phase(data.get("phase", Phase.LISTING.value)),
                token=token if isinstance(token, str) else None,
                after=str(data.get("after", "")),
                resumes=int(data.get("resumes", 0)),
            )
        except (KeyError, ValueError, TypeError):
            return None


@dataclass(frozen=True, slots=True, kw_only=True)
class ShopCursor:
    """Both slots, as stored in ``SyncState.cursor``."""

    full: PassCursor | None = None
    incremental: PassCursor | None = None

    def slot(self, mode: Mode) -> PassCursor | None:
        return self.full if mode is Mode.FULL else self.incremental

    def with_slot(self, mode: Mode, cursor: PassCursor | None) -> ShopCursor:
        return (
            replace(self, full=cursor) if mode is Mode.FULL else replace(self, incremental=cursor)
        )

    def as_json(self) -> dict[str, object]:
        return {
            "full": self.full.as_json() if self.full else None,
            "incremental": self.incremental.as_json() if self.incremental else None,
        }

    @classmethod
    def from_json(cls, data: object) -> ShopCursor:
        if not isinstance(data, dict):
            return cls()
        return cls(
            full=PassCursor.from_json(data.get("full")),
            incremental=PassCursor.from_json(data.get("incremental")),
        )
