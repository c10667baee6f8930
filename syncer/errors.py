"""Every error the service raises on purpose, grouped by what the caller should do.

    SyncerError
    ├── ConfigError              bad settings file or value: fix the config (CLI exit 2)
    ├── UnknownAdapterError      no adapter registered under that marketplace name
    ├── NotFoundError            a shop, run or listing named by the user does not exist
    ├── StaleLeaseError          this worker lost its lease; its writes are refused
    ├── StoreError               the database cannot be reached, or its schema is behind
    └── AdapterError             a marketplace call failed; the subclass says what to do
        ├── RetriableError       transient: 5xx, timeouts, resets, busy; retry with backoff
        │   ├── RateLimitedError     429 or "too many requests"; carries retry_after
        │   └── MalformedResponseError  the body was not the documented envelope
        ├── FatalError           this request can never succeed as sent
        │   └── RequestRejectedError  refused before looking at it (signature, clock,
        │                             permission): every call fails alike, stop the run
        ├── NeedsReauthError     the seller's grant is gone: the shop needs re-authorization
        ├── TokenExpiredError    the access token was refused: refresh it, then retry once
        └── SkippableItemError   one item cannot be read or written: quarantine it, go on

Errors from httpx, JSON decoding and the marketplaces never escape the adapter SDK: they are
translated into this tree at one boundary (``syncer.adapter.http``) with ``raise ... from``.
"""

from __future__ import annotations


class SyncerError(Exception):
    """Base of every error the service raises on purpose."""


class ConfigError(SyncerError):
    """A settings file or value is wrong; the message names the file, key and what is allowed."""


class UnknownAdapterError(SyncerError):
    """No adapter is registered under the requested marketplace name."""

    def __init__(self, name: str, available: list[str]) -> None:
        self.name = name
        self.available = available
        names = ", ".join(available) or "none installed"
        super().__init__(f"unknown marketplace {name!r}; available: {names}")


class NotFoundError(SyncerError):
    """A shop, run or listing the user named does not exist."""


class StaleLeaseError(SyncerError):
    """The run's lease passed to another worker (its epoch moved on): stop writing."""


class StoreError(SyncerError):
    """The database cannot be reached or used (down, wrong URL, schema not migrated)."""


class AdapterError(SyncerError):
    """A marketplace call failed. ``code`` is the marketplace's own error code, if any."""

    def __init__(self, message: str, *, code: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status

    @property
    def retriable(self) -> bool:
        """Whether the same request may succeed if sent again later."""
        return isinstance(self, RetriableError)


class RetriableError(AdapterError):
    """Transient failure; the same request may succeed later."""

    retry_after: float | None = None


class RateLimitedError(RetriableError):
    """The marketplace throttled us; wait ``retry_after`` seconds (if it said) before retrying."""

    def __init__(
        self, message: str, *, code: str = "", status: int | None = 429, retry_after: float | None
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.retry_after = retry_after


class MalformedResponseError(RetriableError):
    """The response body was not the documented envelope (truncated, not JSON, wrong shape)."""


class FatalError(AdapterError):
    """The request cannot succeed as sent (bad parameters, wrong key, clock far off)."""


class RequestRejectedError(FatalError):
    """The marketplace refused the request itself (signature, clock, app permission), not the
    item it was about: every other call will fail the same way, so the run stops."""


class NeedsReauthError(AdapterError):
    """The seller's authorization is revoked or expired; an operator must re-authorize the shop."""


class TokenExpiredError(AdapterError):
    """The access token was refused; refreshing it may fix the call."""


class SkippableItemError(AdapterError):
    """One item cannot be read or written; the rest of the page or batch goes on."""

    def __init__(self, message: str, *, item_id: str, code: str = "") -> None:
        super().__init__(message, code=code)
        self.item_id = item_id
