"""HttpAdapter owns the request loop; a marketplace fills in signing and envelope parsing.

The loop: wait for the rate limiter, sign, send, translate transport errors, parse the
envelope into the ``syncer.errors`` tree, retry what is retriable (tenacity), refresh the
token once on ``TokenExpiredError``. httpx exceptions never leave this module.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from abc import abstractmethod
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TypeVar

import httpx

from syncer.adapter.auth import CredentialKeeper
from syncer.adapter.base import Adapter, AdapterContext, Credentials
from syncer.adapter.payload import JsonObject
from syncer.adapter.ratelimit import RateLimiter
from syncer.adapter.retry import parse_retry_after, retrying
from syncer.errors import (
    FatalError,
    NeedsReauthError,
    RateLimitedError,
    RetriableError,
    TokenExpiredError,
)

T = TypeVar("T")
R = TypeVar("R")

QueryParams = Mapping[str, str | int | list[str] | list[int]]


@dataclass(slots=True)
class HttpStats:
    """Per-adapter counters, read by logs, metrics and benchmarks."""

    calls: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    rate_limited: int = 0


@dataclass(slots=True)
class CallTotals:
    """This process's counters by marketplace, for /metrics (adapters live for one run)."""

    calls: Counter[str] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)
    rate_limited: Counter[str] = field(default_factory=Counter)


CALL_TOTALS = CallTotals()


def error_for_status(response: httpx.Response, message: str, code: str = "") -> Exception | None:
    """The error an HTTP status implies when the envelope did not say more, or None if 2xx."""
    status = response.status_code
    if status < 400:
        return None
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimitedError(message, code=code, status=status, retry_after=retry_after)
    if status in (408, 425) or status >= 500:
        error = RetriableError(message, code=code, status=status)
        error.retry_after = parse_retry_after(response.headers.get("Retry-After"))  # e.g. 503
        return error
    if status == 401:
        return TokenExpiredError(message, code=code, status=status)
    return FatalError(message, code=code, status=status)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every client: loading the CA bundle costs ~40 ms, once per run."""
    return ssl.create_default_context()


class HttpAdapter(Adapter):
    """Base for adapters that talk HTTP. Subclasses implement the hooks marked abstract."""

    def __init__(self, context: AdapterContext) -> None:
        super().__init__(context)
        settings = context.settings
        self.log = context.log
        self.stats = HttpStats()
        self.limiter = context.limiter or RateLimiter(settings.requests_per_second, settings.burst)
        self._fan_out = asyncio.Semaphore(settings.concurrency)
        self.keeper = CredentialKeeper(
            context.credentials,
            refresh=self.refresh_credentials_now,
            save=context.save_credentials,
            load=context.load_credentials,
            log=self.log,
            exclusive=context.refresh_lock,
        )
        self.client = httpx.AsyncClient(
            verify=_tls_context(),
            base_url=settings.base_url,
            timeout=settings.timeout_s,
            transport=context.transport,
            limits=httpx.Limits(max_connections=max(8, settings.concurrency * 2)),
        )

    @property
    def credentials(self) -> Credentials:
        """The shop's current credentials (they change when a token is refreshed)."""
        return self.keeper.current

    # -- hooks ---------------------------------------------------------------------------

    @abstractmethod
    def build_request(
        self, method: str, path: str, params: QueryParams, body: JsonObject | None
    ) -> httpx.Request:
        """A signed request (use ``self.client.build_request``)."""

    @abstractmethod
    def parse_response(self, response: httpx.Response, operation: str) -> JsonObject:
        """The payload of a successful response, or raise the matching ``syncer.errors`` type."""

    def request_slot(self, operation: str) -> AbstractAsyncContextManager[object]:
        """Held around sending one request and reading its answer: adapters whose marketplace
        budgets each API separately return a per-operation slot (``syncer.adapter.budgets``)."""
        return nullcontext()

    async def refresh_credentials_now(self) -> Credentials:
        """Obtain fresh credentials (e.g. a new access token). Default: cannot refresh."""
        raise NeedsReauthError("the marketplace refused the credentials and cannot refresh them")

    # -- the request loop --------------------------------------------------------------------

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: QueryParams | None = None,
        body: JsonObject | None = None,
        operation: str | None = None,
        refresh: bool = True,
    ) -> JsonObject:
        """Send one API call with rate limiting, retries and (unless ``refresh`` is False, as
        for the token endpoints themselves) one token refresh."""
        operation = operation or path
        used = self.credentials
        try:
            return await self._call_with_retries(method, path, params or {}, body, operation)
        except TokenExpiredError as exc:
            if not refresh:
                raise NeedsReauthError(
                    f"{operation}: credentials refused ({exc})", code=exc.code, status=exc.status
                ) from exc
            await self.keeper.refresh(used)
        try:
            return await self._call_with_retries(method, path, params or {}, body, operation)
        except TokenExpiredError as exc:
            raise NeedsReauthError(
                f"{operation}: the marketplace refused a freshly refreshed token ({exc})",
                code=exc.code,
                status=exc.status,
            ) from exc

    async def _call_with_retries(
        self, method: str, path: str, params: QueryParams, body: JsonObject | None, operation: str
    ) -> JsonObject:
        policy = self.context.settings.retry
        async for attempt in retrying(policy, log=self.log, operation=operation):
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    self.stats.retries += 1
                    CALL_TOTALS.retries[self.name] += 1
                return await self._send_once(method, path, params, body, operation)
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    async def _send_once(
        self, method: str, path: str, params: QueryParams, body: JsonObject | None, operation: str
    ) -> JsonObject:
        async with self.request_slot(operation):
            await self.limiter.acquire()
            request = self.build_request(method, path, params, body)
            self.stats.calls[operation] += 1
            CALL_TOTALS.calls[self.name] += 1
            try:
                response = await self.client.send(request)
            except httpx.TimeoutException as exc:
                raise RetriableError(f"{operation}: timed out ({type(exc).__name__})") from exc
            except httpx.RequestError as exc:  # resets, refused connections, corrupt encodings
                raise RetriableError(f"{operation}: request failed ({type(exc).__name__})") from exc
        try:
            return self.parse_response(response, operation)
        except RateLimitedError:
            self.stats.rate_limited += 1
            CALL_TOTALS.rate_limited[self.name] += 1
            raise

    async def refresh_credentials(self, seen: Credentials) -> None:
        """Refresh the credentials that ``seen`` held (see ``CredentialKeeper.refresh``)."""
        await self.keeper.refresh(seen)

    # -- helpers for adapters ------------------------------------------------------------

    async def gather_bounded(
        self, items: Iterable[T], fetch: Callable[[T], Awaitable[R]]
    ) -> list[R]:
        """``fetch`` every item with at most ``settings.concurrency`` calls in flight."""

        async def one(item: T) -> R:
            async with self._fan_out:
                return await fetch(item)

        tasks = [asyncio.ensure_future(one(item)) for item in items]
        try:
            return list(await asyncio.gather(*tasks))
        except BaseException:
            # Stop the siblings: their results are useless once the batch has failed.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    async def aclose(self) -> None:
        await self.client.aclose()
