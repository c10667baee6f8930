"""The shop's credentials and the one place they change: refresh once, save before use.

Shopee refresh tokens work once. Two refreshes of the same token race: the loser's is refused
and the shop would look revoked. So a refresh first re-reads the stored credentials (another
run or process may have refreshed already) and, if refused, re-reads them again before
declaring the grant gone. The new pair is saved before anything uses it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable

import structlog

from syncer.adapter.base import CredentialLoader, Credentials, CredentialSaver, RefreshLock
from syncer.errors import NeedsReauthError

SAVE_ATTEMPTS = 3
RECONNECT = "`syncer shops add ... --code` or `syncer shops reauth`"


def require_credentials(
    credentials: Credentials, keys: Iterable[str], *, reconnect: str = RECONNECT
) -> None:
    """Before a request is signed: NeedsReauthError naming the keys the shop's stored
    credentials lack, and the command that connects it again."""
    if missing := [key for key in keys if not credentials.get(key)]:
        raise NeedsReauthError(
            f"the shop's stored credentials lack {', '.join(missing)}; connect it again "
            f"with {reconnect}"
        )


class CredentialKeeper:
    def __init__(
        self,
        initial: Credentials,
        *,
        refresh: Callable[[], Awaitable[Credentials]],
        save: CredentialSaver,
        load: CredentialLoader | None,
        log: structlog.typing.FilteringBoundLogger,
        exclusive: RefreshLock | None = None,
    ) -> None:
        self.current: Credentials = dict(initial)
        self._refresh = refresh
        self._save = save
        self._load = load
        self._log = log
        self._lock = asyncio.Lock()
        self._exclusive = exclusive or contextlib.nullcontext
        self.refreshes = 0

    async def refresh(self, seen: Credentials) -> None:
        """New credentials for every caller whose request carried ``seen`` (single flight)."""
        async with self._lock:
            if self.current is not seen:
                return  # refreshed while this caller waited
            # Deployment-wide: another process holding it may be refreshing this very token.
            async with self._exclusive():
                await self._refresh_alone(seen)

    async def _refresh_alone(self, seen: Credentials) -> None:
        if await self._adopt_stored(seen):
            return
        try:
            fresh = await self._refresh()
        except NeedsReauthError:
            if await self._adopt_stored(seen):
                return  # another process won the race with the same refresh token
            raise
        await self._save_with_retries(fresh)
        self.current = fresh
        self.refreshes += 1
        self._log.info("auth.token_refreshed")

    async def _adopt_stored(self, seen: Credentials) -> bool:
        stored = await self._load() if self._load else None
        if stored is None or dict(stored) == dict(seen):
            return False
        self.current = dict(stored)
        self._log.info("auth.token_adopted", reason="refreshed elsewhere")
        return True

    async def _save_with_retries(self, fresh: Credentials) -> None:
        """The rotated refresh token exists nowhere else: try hard to store it."""
        for attempt in range(1, SAVE_ATTEMPTS + 1):
            try:
                await self._save(fresh)
                return
            except Exception:
                if attempt == SAVE_ATTEMPTS:
                    self._log.critical("auth.token_save_failed", attempts=attempt)
                    raise
                await asyncio.sleep(0.2 * attempt)
