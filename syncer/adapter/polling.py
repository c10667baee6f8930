"""Waiting for a marketplace's asynchronous job (a queued bulk update, an upload) to finish.

``poll_until_done`` asks ``check`` until it returns a result, waiting a little longer each time
(``first_wait_s`` doubling up to ``max_wait_s``) and giving up after ``timeout_s`` with a
``RetriableError``: the job may still finish, so the caller reads the result back later.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from syncer.adapter.budgets import REAL_TIME, TimeBase
from syncer.errors import RetriableError

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class PollPolicy:
    first_wait_s: float = 0.5
    max_wait_s: float = 10.0
    timeout_s: float = 600.0

    def __post_init__(self) -> None:
        if min(self.first_wait_s, self.max_wait_s, self.timeout_s) <= 0:
            raise ValueError(f"poll waits and timeout must be > 0, got {self}")


class JobNotFinishedError(RetriableError):
    """The job was still running when the poller gave up waiting."""


async def poll_until_done(
    check: Callable[[], Awaitable[T | None]],
    *,
    what: str,
    policy: PollPolicy = PollPolicy(),
    time_base: TimeBase = REAL_TIME,
) -> T:
    """The first non-None answer of ``check``; sleeps on ``time_base`` between asks."""
    started = time_base.monotonic()
    wait = policy.first_wait_s
    polls = 0
    while True:
        await time_base.sleep(wait)
        polls += 1
        result = await check()
        if result is not None:
            return result
        elapsed = time_base.monotonic() - started
        if elapsed + wait > policy.timeout_s:
            raise JobNotFinishedError(
                f"{what} was not finished after {polls} checks in {elapsed:.0f} s; "
                "it may still complete, the next pull will show the outcome"
            )
        wait = min(policy.max_wait_s, wait * 2)
