"""Toolkit shared by the marketplace sandboxes: fake catalog, clock, faults, limits, servers.

Every marketplace sandbox class satisfies ``MarketplaceSandbox`` and is built the way
``SandboxFactory`` says (keyword arguments ``seed`` and ``listings``, others optional), so the
CLI, tests and benchmarks can start any of them the same way (``SandboxServer`` in-process,
``SandboxProcess`` out of process).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from starlette.types import ASGIApp

from syncer.sandbox.catalog import (
    CATALOG_EPOCH,
    SandboxProduct,
    SandboxVariant,
    count_units,
    generate_catalog,
)
from syncer.sandbox.clock import SandboxClock
from syncer.sandbox.control import common_control_routes
from syncer.sandbox.faults import (
    ErrorResponder,
    Fault,
    FaultConfig,
    FaultInjector,
    FaultMiddleware,
    FaultPlan,
    ThrottleResponder,
)
from syncer.sandbox.kit import DEFAULT_LIMIT, SandboxKit
from syncer.sandbox.ratelimit import LimitRule, RateLimiter, retry_after_seconds
from syncer.sandbox.responses import (
    ControlError,
    control_endpoint,
    json_response,
    parse_json_object,
    read_json_object,
)
from syncer.sandbox.server import SandboxProcess, SandboxServer, serve_forever
from syncer.sandbox.stats import SandboxStats, StatsMiddleware


@runtime_checkable
class MarketplaceSandbox(Protocol):
    """A running marketplace emulator: an ASGI app plus what a client needs to connect."""

    app: ASGIApp

    def credentials(self) -> dict[str, object]:
        """Ids, keys and tokens for a client (the control API serves the same dict)."""
        ...


class SandboxFactory(Protocol):
    """How sandboxes are built: ``ShopeeSandbox(seed=1, listings=5000)``."""

    def __call__(self, *, seed: int, listings: int) -> MarketplaceSandbox: ...


__all__ = [
    "CATALOG_EPOCH",
    "DEFAULT_LIMIT",
    "ControlError",
    "ErrorResponder",
    "Fault",
    "FaultConfig",
    "FaultInjector",
    "FaultMiddleware",
    "FaultPlan",
    "LimitRule",
    "MarketplaceSandbox",
    "RateLimiter",
    "SandboxClock",
    "SandboxFactory",
    "SandboxKit",
    "SandboxProcess",
    "SandboxProduct",
    "SandboxServer",
    "SandboxStats",
    "SandboxVariant",
    "StatsMiddleware",
    "ThrottleResponder",
    "common_control_routes",
    "control_endpoint",
    "count_units",
    "generate_catalog",
    "json_response",
    "parse_json_object",
    "read_json_object",
    "retry_after_seconds",
    "serve_forever",
]
