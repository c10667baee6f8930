"""Bounded retries with exponential backoff and full jitter, honouring Retry-After.

Only ``RetriableError`` is retried; every retry logs one structured line
(``http.retry_scheduled``) so an operator can see what a slow run was waiting for.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import structlog
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    stop_before_delay,
)

from syncer.errors import AdapterError, RetriableError


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    max_attempts: int = 6
    max_elapsed_s: float = 120.0
    initial_wait_s: float = 0.5
    max_wait_s: float = 30.0


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class _BackoffOrRetryAfter:
    """Tenacity wait strategy: the server's Retry-After if it gave one, else full jitter."""

    def __init__(self, policy: RetryPolicy) -> None:
        self._policy = policy

    def __call__(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        retry_after = error.retry_after if isinstance(error, RetriableError) else None
        if retry_after is not None:
            # Never earlier than the server asked (max_wait_s does not cut it short; the total
            # time budget does); a little jitter keeps many shops from returning at once.
            return retry_after + random.uniform(0, 0.1)
        ceiling = self._policy.initial_wait_s * 2 ** (state.attempt_number - 1)
        return random.uniform(0, min(self._policy.max_wait_s, ceiling))


def _log_retry(
    log: structlog.typing.FilteringBoundLogger, operation: str
) -> Callable[[RetryCallState], None]:
    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "http.retry_scheduled",
            operation=operation,
            attempt=state.attempt_number,
            wait_s=round(state.upcoming_sleep, 3),
            error=type(error).__name__ if error else None,
            code=error.code if isinstance(error, AdapterError) else None,
            status=error.status if isinstance(error, AdapterError) else None,
            detail=str(error)[:200] if error else None,
        )

    return before_sleep


def retrying(
    policy: RetryPolicy, *, log: structlog.typing.FilteringBoundLogger, operation: str
) -> AsyncRetrying:
    """An ``async for attempt in retrying(...)`` loop bounded by attempts and total time."""
    return AsyncRetrying(
        retry=retry_if_exception_type(RetriableError),
        wait=_BackoffOrRetryAfter(policy),
        # stop_before_delay: give up rather than sleep past the total time budget.
        stop=stop_after_attempt(policy.max_attempts) | stop_before_delay(policy.max_elapsed_s),
        before_sleep=_log_retry(log, operation),
        reraise=True,
    )
