"""The parts every marketplace sandbox shares, and the ASGI app that stacks them.

A sandbox builds one ``SandboxKit``, hands its own API routes, control routes and error-body
callbacks to ``build_app``, and gets: stats (outermost) -> faults -> Starlette routing, with the
common control API mounted at ``/_sandbox``. Rate limiting stays inside the marketplace's
handlers because only the marketplace knows the key (shop, app, path) and the 429 body.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp

from syncer.sandbox.clock import SandboxClock
from syncer.sandbox.control import common_control_routes
from syncer.sandbox.faults import (
    CONTROL_PREFIX,
    ErrorResponder,
    FaultConfig,
    FaultInjector,
    FaultMiddleware,
    ThrottleResponder,
)
from syncer.sandbox.ratelimit import LimitRule, RateLimiter
from syncer.sandbox.stats import SandboxStats, StatsMiddleware

DEFAULT_LIMIT = LimitRule(100.0, 100)  # generous: only tests that ask for throttling see 429s


class SandboxKit:
    """Clock, fault switches, rate limiter and stats of one sandbox instance."""

    def __init__(
        self,
        *,
        seed: int,
        clock: SandboxClock | None = None,
        limit: LimitRule | None = DEFAULT_LIMIT,
        faults: FaultConfig | None = None,
    ) -> None:
        self.clock = clock or SandboxClock()
        self.initial_limit = limit
        self.limiter = RateLimiter(limit)
        self.faults = FaultInjector(faults, seed=seed)
        self.stats = SandboxStats()

    def reset(self) -> None:
        """Faults off, limits as at start, stats zeroed, clock back to real time."""
        self.faults.reset()
        self.limiter.configure(default=self.initial_limit)
        self.limiter.reset()
        self.stats.reset()
        self.clock.reset()

    # For the contract suite and the demo (``syncer.sandbox.contract``).

    def client_budget(self, *, burst_divisor: int) -> dict[str, object]:
        """Client settings that stay under this sandbox's default limit: 90% of its rate and
        bursts of a ``burst_divisor``-th of its burst; ``{}`` when the sandbox does not limit."""
        limit = self.limiter.default
        if limit is None:
            return {}
        return {
            "requests_per_second": limit.rate * 0.9,
            "burst": max(1, limit.burst // burst_divisor),
        }

    def shop_limit_per_minute(self) -> dict[str, int]:
        """The default limit as a budget for the shop as a whole (``"*"``), per minute."""
        limit = self.limiter.default
        return {} if limit is None else {"*": int(limit.rate * 60)}

    def build_app(
        self,
        *,
        routes: Sequence[BaseRoute],
        control_routes: Sequence[BaseRoute],
        credentials: Callable[[], Mapping[str, object]],
        error_response: ErrorResponder,
        throttled_response: ThrottleResponder,
        unrouted_response: ErrorResponder | None = None,
    ) -> ASGIApp:
        """The whole sandbox as one ASGI app; ``unrouted_response(status)`` answers unknown
        paths (404) and wrong methods (405) in the marketplace's own format."""
        control = Mount(
            CONTROL_PREFIX,
            routes=[*common_control_routes(self, credentials), *control_routes],
        )
        handlers = {}
        if unrouted_response is not None:

            async def unrouted(_request: Request, exc: Exception) -> Response:
                status = exc.status_code if isinstance(exc, HTTPException) else 404
                return unrouted_response(status)

            handlers = {404: unrouted, 405: unrouted}
        app = Starlette(routes=[*routes, control], exception_handlers=handlers)
        faulted = FaultMiddleware(
            app,
            self.faults,
            error_response=error_response,
            throttled_response=throttled_response,
        )
        return StatsMiddleware(faulted, self.stats)
