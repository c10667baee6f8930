"""Request statistics every sandbox keeps: counts per path and status, concurrency, ids fetched.

Tests and benchmarks read them through ``/_sandbox/stats`` to prove what a client did: how many
calls, how many 429s, how many requests it had in flight at once, which item ids it asked for.
Control paths are not counted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from syncer.sandbox.faults import CONTROL_PREFIX

_RESERVED = frozenset(
    {"since", "total_requests", "requests", "statuses", "statuses_by_path", "rate_limited"}
    | {"in_flight", "max_in_flight"}
)


class SandboxStats:
    """Counters since the last reset. Updated from the server's event loop thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.since = time.time()
            self.requests: dict[str, int] = {}
            self.statuses: dict[str, dict[int, int]] = {}
            self.ids: dict[str, list[int | str]] = {}
            self.in_flight = 0
            self.max_in_flight = 0

    def started(self, path: str) -> None:
        with self._lock:
            self.requests[path] = self.requests.get(path, 0) + 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def finished(self, path: str, status: int) -> None:
        with self._lock:
            self.in_flight -= 1
            by_status = self.statuses.setdefault(path, {})
            by_status[status] = by_status.get(status, 0) + 1

    def record_ids(self, name: str, ids: Iterable[int | str]) -> None:
        """Remember ids a client asked for, in request order; the snapshot lists them at its
        top level under ``name`` (e.g. Shopee's ``base_info_item_ids``)."""
        if name in _RESERVED:
            raise ValueError(f"{name!r} is a stats field, not a name for recorded ids")
        with self._lock:
            self.ids.setdefault(name, []).extend(ids)

    def snapshot(self) -> dict[str, object]:
        """What the control API reports."""
        with self._lock:
            totals: dict[int, int] = {}
            for by_status in self.statuses.values():
                for status, count in by_status.items():
                    totals[status] = totals.get(status, 0) + count
            return {
                "since": self.since,
                "total_requests": sum(self.requests.values()),
                "requests": dict(self.requests),
                "statuses": {str(status): count for status, count in sorted(totals.items())},
                "statuses_by_path": {
                    path: {str(s): n for s, n in sorted(by.items())}
                    for path, by in self.statuses.items()
                },
                "rate_limited": totals.get(429, 0),
                "in_flight": self.in_flight,
                "max_in_flight": self.max_in_flight,
                **{name: list(ids) for name, ids in self.ids.items()},
            }


class StatsMiddleware:
    """ASGI middleware feeding ``SandboxStats``; outermost, so faults and 429s are counted too."""

    def __init__(self, app: ASGIApp, stats: SandboxStats) -> None:
        self.app = app
        self.stats = stats

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        status = 500  # if the app dies before answering, the server answers 500

        async def counting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        self.stats.started(path)
        try:
            await self.app(scope, receive, counting_send)
        finally:
            self.stats.finished(path, status)
