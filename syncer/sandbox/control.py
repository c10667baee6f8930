"""The control API every sandbox mounts under ``/_sandbox/``: faults, limits, clock, stats, reset.

Shapes (all JSON; POST bodies are partial updates, every answer is the resulting state):

    GET  credentials                 -> what a client needs to connect (the sandbox's own dict)
    GET  faults | POST faults        {latency_ms, jitter_ms, error_rate, error_status,
                                      timeout_rate, timeout_seconds, malformed_rate, paths,
                                      storm: N, storm_retry_after: s, seed: n, reset: true}
    GET  limits | POST limits        {rate (alias per_second), burst} | {enabled: false} |
                                      {overrides: {scope: {rate, burst}}} (replaces all
                                      overrides; scope = API path) | {reset: true}
    GET  clock  | POST clock         {advance_seconds: s} | {set: unix} | {reset: true}
    GET  stats  | POST stats         counters since the last reset (see ``SandboxStats``)
    POST reset_stats                 zero the counters
    POST reset                       faults off, limits and clock back to start, stats zeroed

Each marketplace adds its own routes (truth, mutate, auth ...) beside these.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from syncer.sandbox.ratelimit import LimitRule
from syncer.sandbox.responses import (
    ControlError,
    JSONObject,
    as_int,
    control_endpoint,
    opt_float,
    opt_int,
    read_json_object,
)

if TYPE_CHECKING:
    from syncer.sandbox.kit import SandboxKit


def common_control_routes(
    kit: SandboxKit, credentials: Callable[[], Mapping[str, object]]
) -> list[BaseRoute]:
    """The shared routes, relative to the ``/_sandbox`` mount."""

    async def get_credentials(request: Request) -> object:
        return dict(credentials())

    async def faults(request: Request) -> object:
        if request.method == "POST":
            _update_faults(kit, await read_json_object(request))
        return kit.faults.snapshot()

    async def limits(request: Request) -> object:
        if request.method == "POST":
            _update_limits(kit, await read_json_object(request))
        return kit.limiter.snapshot()

    async def clock(request: Request) -> object:
        if request.method == "POST":
            _update_clock(kit, await read_json_object(request))
        return kit.clock.snapshot()

    async def stats(request: Request) -> object:
        return kit.stats.snapshot()

    async def reset_stats(request: Request) -> object:
        kit.stats.reset()
        return kit.stats.snapshot()

    async def reset(request: Request) -> object:
        kit.reset()
        return {"faults": kit.faults.snapshot(), "limits": kit.limiter.snapshot()}

    both = ["GET", "POST"]
    return [
        Route("/credentials", control_endpoint(get_credentials), methods=["GET"]),
        Route("/faults", control_endpoint(faults), methods=both),
        Route("/limits", control_endpoint(limits), methods=both),
        Route("/clock", control_endpoint(clock), methods=both),
        Route("/stats", control_endpoint(stats), methods=both),
        Route("/reset_stats", control_endpoint(reset_stats), methods=["POST"]),
        Route("/reset", control_endpoint(reset), methods=["POST"]),
    ]


_LIMIT_KEYS = {"reset", "enabled", "rate", "per_second", "burst", "overrides"}
_CLOCK_KEYS = {"reset", "advance_seconds", "set"}


def _only(body: JSONObject, known: set[str]) -> None:
    unknown = set(body) - known
    if unknown:
        raise ControlError(f"unknown settings {sorted(unknown)}; known: {sorted(known)}")


def _update_faults(kit: SandboxKit, body: JSONObject) -> None:
    if body.pop("reset", False):
        kit.faults.reset()
    seed = body.pop("seed", None)
    if seed is not None:
        kit.faults.reseed(as_int(seed, "seed"))
    storm = body.pop("storm", None)
    retry_after = opt_int(body, "storm_retry_after", 1)
    body.pop("storm_retry_after", None)
    kit.faults.configure(body)
    if storm is not None:
        kit.faults.start_storm(as_int(storm, "storm"), retry_after)


def _update_limits(kit: SandboxKit, body: JSONObject) -> None:
    _only(body, _LIMIT_KEYS)
    if "per_second" in body:
        body["rate"] = body.pop("per_second")
    if body.get("reset"):
        kit.limiter.configure(default=kit.initial_limit)
        return
    default = kit.limiter.default
    if body.get("enabled") is False:
        default = None
    elif "rate" in body or "burst" in body:
        default = _rule(body, default)
    rules = kit.limiter.overrides  # kept unless the body replaces them
    if "overrides" in body:
        overrides = body["overrides"]
        if not isinstance(overrides, dict):
            raise ControlError("overrides must be an object of scope -> {rate, burst}")
        rules = {str(scope): _rule(_object(value), None) for scope, value in overrides.items()}
    kit.limiter.configure(default=default, overrides=rules)


def _rule(body: JSONObject, current: LimitRule | None) -> LimitRule:
    """A rule from ``{rate, burst}``; a missing half is taken from ``current``."""
    rate = opt_float(body, "rate")
    burst = body.get("burst")
    if current is not None:
        rate = current.rate if rate is None else rate
        burst = current.burst if burst is None else burst
    if rate is None or burst is None:
        raise ControlError("a limit needs both rate and burst")
    return LimitRule(rate, as_int(burst, "burst"))


def _object(value: object) -> JSONObject:
    if not isinstance(value, dict):
        raise ControlError("each override must be an object {rate, burst}")
    return value


def _update_clock(kit: SandboxKit, body: JSONObject) -> None:
    _only(body, _CLOCK_KEYS)
    if body.get("reset"):
        kit.clock.reset()
    advance = opt_float(body, "advance_seconds")
    absolute = opt_float(body, "set")
    if advance is not None and absolute is not None:
        raise ControlError("give advance_seconds or set, not both")
    if absolute is not None:
        kit.clock.set(absolute)
    if advance is not None:
        kit.clock.advance(advance)
