"""Fault switches every sandbox applies per request: latency, 5xx, hangs, broken bodies, 429 storms.

The marketplace supplies the error bodies (its own envelope) as callbacks; this module only
decides, from a seeded RNG, what happens to each request, so fault runs are reproducible.
Control paths (``/_sandbox/...``) are never faulted.
"""

from __future__ import annotations

import asyncio
import enum
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields, replace

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Builds the marketplace's own error response for an HTTP status (500, 502, 503, 504 ...).
ErrorResponder = Callable[[int], Response]
# Builds the marketplace's own 429 response for a Retry-After value in whole seconds.
ThrottleResponder = Callable[[int], Response]

CONTROL_PREFIX = "/_sandbox"


@dataclass(frozen=True, slots=True, kw_only=True)
class FaultConfig:
    """Probabilities are per request, in 0..1; ``paths`` limits faults to those path prefixes."""

    latency_ms: float = 0.0  # added to every faulted-path request
    jitter_ms: float = 0.0  # plus a uniform 0..jitter_ms
    error_rate: float = 0.0  # answer an error in the marketplace's format
    error_status: int = 500
    timeout_rate: float = 0.0  # hang, then answer 504 without running the handler
    timeout_seconds: float = 30.0
    malformed_rate: float = 0.0  # run the handler, answer 200 with its body cut in half
    paths: tuple[str, ...] = ()  # empty: every API path

    def __post_init__(self) -> None:
        rates = (self.error_rate, self.timeout_rate, self.malformed_rate)
        if any(rate < 0 or rate > 1 for rate in rates) or sum(rates) > 1:
            raise ValueError("fault rates must each be in 0..1 and add up to at most 1")
        if min(self.latency_ms, self.jitter_ms, self.timeout_seconds) < 0:
            raise ValueError("latency, jitter and timeout must not be negative")
        if not 400 <= self.error_status <= 599:
            raise ValueError(f"error_status must be an HTTP error status, got {self.error_status}")


class Fault(enum.Enum):
    NONE = "none"
    ERROR = "error"
    TIMEOUT = "timeout"
    MALFORMED = "malformed"
    STORM = "storm"


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """What to do with one request: wait ``delay`` seconds, then apply ``fault``."""

    delay: float
    fault: Fault


class FaultInjector:
    """Holds the switches and the seeded RNG; ``plan`` decides the fate of one request."""

    def __init__(self, config: FaultConfig | None = None, *, seed: int = 0) -> None:
        self._config = config or FaultConfig()
        self._seed = seed
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.storm_remaining = 0
        self.storm_retry_after = 1
        self.counts: dict[str, int] = {}

    @property
    def config(self) -> FaultConfig:
        return self._config

    def configure(self, changes: Mapping[str, object]) -> FaultConfig:
        """Apply a partial update (unknown keys and bad values raise ``ValueError``)."""
        known = {field.name: field.type for field in fields(FaultConfig)}
        unknown = set(changes) - set(known)
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        values = {name: _coerce(name, value) for name, value in changes.items()}
        with self._lock:
            self._config = replace(self._config, **values)  # type: ignore[arg-type]  # coerced per field
        return self._config

    def start_storm(self, count: int, retry_after: int = 1) -> None:
        """Answer the next ``count`` API requests with 429."""
        if count < 0 or retry_after < 1:
            raise ValueError("storm count must be >= 0 and retry_after >= 1")
        with self._lock:
            self.storm_remaining = count
            self.storm_retry_after = retry_after

    def reseed(self, seed: int) -> None:
        """Restart the fault RNG from ``seed`` (the same seed replays the same fates)."""
        with self._lock:
            self._seed = seed
            self._rng = random.Random(seed)

    def reset(self) -> None:
        """All switches off, counts zeroed, RNG re-seeded."""
        with self._lock:
            self._config = FaultConfig()
            self._rng = random.Random(self._seed)
            self.storm_remaining = 0
            self.counts = {}

    def applies_to(self, path: str) -> bool:
        if path.startswith(CONTROL_PREFIX):
            return False
        prefixes = self._config.paths
        return not prefixes or path.startswith(prefixes)

    def plan(self) -> FaultPlan:
        """Draw the fate of one request (call only for paths ``applies_to`` accepts)."""
        config = self._config
        with self._lock:
            if self.storm_remaining > 0:
                self.storm_remaining -= 1
                return self._count(FaultPlan(0.0, Fault.STORM))
            delay = (config.latency_ms + self._rng.random() * config.jitter_ms) / 1000.0
            draw = self._rng.random()
        fault = Fault.NONE
        if draw < config.error_rate:
            fault = Fault.ERROR
        elif draw < config.error_rate + config.timeout_rate:
            fault = Fault.TIMEOUT
        elif draw < config.error_rate + config.timeout_rate + config.malformed_rate:
            fault = Fault.MALFORMED
        return self._count(FaultPlan(delay, fault))

    def snapshot(self) -> dict[str, object]:
        """What the control API reports."""
        data: dict[str, object] = asdict(self._config)
        data["paths"] = list(self._config.paths)
        data["storm_remaining"] = self.storm_remaining
        data["storm_retry_after"] = self.storm_retry_after
        data["counts"] = dict(self.counts)
        return data

    def _count(self, plan: FaultPlan) -> FaultPlan:
        if plan.fault is not Fault.NONE:
            self.counts[plan.fault.value] = self.counts.get(plan.fault.value, 0) + 1
        return plan


def _coerce(name: str, value: object) -> object:
    """JSON values to the field's type; booleans are refused where numbers are expected."""
    if name == "paths":
        if not isinstance(value, list | tuple) or not all(isinstance(p, str) for p in value):
            raise ValueError("paths must be a list of path prefixes")
        return tuple(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number")
    return int(value) if name == "error_status" else float(value)


class FaultMiddleware:
    """ASGI middleware applying a ``FaultInjector`` in front of a marketplace app."""

    def __init__(
        self,
        app: ASGIApp,
        injector: FaultInjector,
        *,
        error_response: ErrorResponder,
        throttled_response: ThrottleResponder,
    ) -> None:
        self.app = app
        self.injector = injector
        self.error_response = error_response
        self.throttled_response = throttled_response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.injector.applies_to(scope["path"]):
            await self.app(scope, receive, send)
            return
        plan = self.injector.plan()
        if plan.delay > 0:
            await asyncio.sleep(plan.delay)
        if plan.fault is Fault.STORM:
            await self.throttled_response(self.injector.storm_retry_after)(scope, receive, send)
        elif plan.fault is Fault.ERROR:
            await self.error_response(self.injector.config.error_status)(scope, receive, send)
        elif plan.fault is Fault.TIMEOUT:
            # The handler never runs: a request the client gave up on must not land later and
            # overwrite a newer write that the client's retry made meanwhile.
            await asyncio.sleep(self.injector.config.timeout_seconds)
            await self.error_response(504)(scope, receive, send)
        elif plan.fault is Fault.MALFORMED:
            await self.app(scope, receive, _Truncator(send).send)
        else:
            await self.app(scope, receive, send)


class _Truncator:
    """Buffers a response and sends it as 200 with the body cut in half (never valid JSON)."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self._start: Message | None = None
        self._body = bytearray()

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self._start = message
            return
        if message["type"] != "http.response.body" or self._start is None:
            await self._send(message)
            return
        self._body += message.get("body", b"")
        if message.get("more_body", False):
            return
        body = bytes(self._body[: max(1, len(self._body) // 2)])
        headers = [
            (k, v) for k, v in self._start.get("headers", []) if k.lower() != b"content-length"
        ]
        headers.append((b"content-length", str(len(body)).encode()))
        await self._send({"type": "http.response.start", "status": 200, "headers": headers})
        await self._send({"type": "http.response.body", "body": body})
