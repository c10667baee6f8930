"""Clock, rate limiter and fault injector of the sandbox toolkit, in isolation."""

from __future__ import annotations

import time
from datetime import UTC

import pytest

from syncer.sandbox import (
    ControlError,
    Fault,
    FaultConfig,
    FaultInjector,
    LimitRule,
    RateLimiter,
    SandboxClock,
    SandboxKit,
    parse_json_object,
    retry_after_seconds,
)


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_clock_advances_sets_and_resets() -> None:
    """The sandbox clock is real time plus an offset the control API moves."""
    clock = SandboxClock()
    assert abs(clock.timestamp() - time.time()) < 1
    clock.advance(4 * 3600)
    assert abs(clock.timestamp() - time.time() - 4 * 3600) < 1
    clock.set(1_655_714_431)
    assert clock.unix() in {1_655_714_431, 1_655_714_432}
    assert clock.now().tzinfo is UTC
    clock.reset()
    assert clock.offset == 0.0


def test_token_bucket_allows_the_burst_then_refills_at_the_rate() -> None:
    """Burst tokens are spent at once; then one token per 1/rate seconds."""
    monotonic = FakeMonotonic()
    limiter = RateLimiter(LimitRule(2.0, 3), monotonic=monotonic)
    assert [limiter.acquire("shop") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("shop") == pytest.approx(0.5)
    assert limiter.acquire("other shop") == 0.0
    monotonic.now += 0.5
    assert limiter.acquire("shop") == 0.0
    assert limiter.rejected == 1


def test_limits_can_be_overridden_per_scope_or_switched_off() -> None:
    """A scope (e.g. one path) can have its own rule; ``None`` means unlimited."""
    limiter = RateLimiter(None, overrides={"/slow": LimitRule(1.0, 1)}, monotonic=FakeMonotonic())
    assert all(limiter.acquire("k") == 0.0 for _ in range(50))
    assert limiter.acquire("k", "/slow") == 0.0
    assert limiter.acquire("k", "/slow") > 0


def test_retry_after_is_whole_seconds_and_at_least_one() -> None:
    """HTTP Retry-After has no fractions and 0 would invite an immediate retry."""
    assert retry_after_seconds(0.01) == 1
    assert retry_after_seconds(1.2) == 2
    assert retry_after_seconds(3.0) == 3


def test_fault_plans_are_reproducible_for_a_seed() -> None:
    """Two injectors with the same seed and switches decide the same fates."""
    config = FaultConfig(error_rate=0.2, timeout_rate=0.1, malformed_rate=0.1, jitter_ms=5)
    first = FaultInjector(config, seed=3)
    second = FaultInjector(config, seed=3)
    plans = [first.plan() for _ in range(200)]
    assert plans == [second.plan() for _ in range(200)]
    kinds = {plan.fault for plan in plans}
    assert kinds == {Fault.NONE, Fault.ERROR, Fault.TIMEOUT, Fault.MALFORMED}
    assert all(0 <= plan.delay <= 0.005 for plan in plans)


def test_a_storm_answers_exactly_the_next_n_requests() -> None:
    """``start_storm(n)`` throttles n requests, then traffic flows again."""
    injector = FaultInjector(seed=1)
    injector.start_storm(3, retry_after=2)
    assert [injector.plan().fault for _ in range(4)] == [Fault.STORM] * 3 + [Fault.NONE]
    assert injector.counts == {"storm": 3}


def test_fault_switches_validate_and_scope_to_paths() -> None:
    """Bad switches are refused; control paths are never faulted; ``paths`` narrows faults."""
    injector = FaultInjector(seed=1)
    with pytest.raises(ValueError, match="unknown"):
        injector.configure({"eror_rate": 1})
    with pytest.raises(ValueError, match="at most 1"):
        injector.configure({"error_rate": 0.8, "timeout_rate": 0.5})
    injector.configure({"error_rate": 1, "paths": ["/api/v2/product/update_"]})
    assert injector.applies_to("/api/v2/product/update_stock")
    assert not injector.applies_to("/api/v2/product/get_item_list")
    assert not injector.applies_to("/_sandbox/truth")


def test_a_request_body_reads_as_a_json_object_and_empty_as_nothing() -> None:
    """Gateways and control routes read bodies alike: an object, or ``{}`` for no body."""
    assert parse_json_object(b'{"item_id": 7}') == {"item_id": 7}
    assert parse_json_object(b" \n") == {}


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"item_id=7", "body is not JSON: Expecting value"),
        (b"\xff", "body is not JSON"),
        (b"[7]", "body must be a JSON object"),
    ],
)
def test_a_request_body_that_is_no_json_object_says_why(raw: bytes, reason: str) -> None:
    """The reason names what was wrong, for the gateway to answer in its marketplace's words."""
    with pytest.raises(ControlError, match=reason):
        parse_json_object(raw)


def test_a_client_budget_stays_under_the_sandboxs_limit() -> None:
    """90% of the rate, a share of the burst; nothing to keep under when the sandbox is open."""
    kit = SandboxKit(seed=1, limit=LimitRule(10.0, 50))
    assert kit.client_budget(burst_divisor=10) == {"requests_per_second": 9.0, "burst": 5}
    assert kit.client_budget(burst_divisor=100) == {"requests_per_second": 9.0, "burst": 1}
    assert kit.shop_limit_per_minute() == {"*": 600}
    open_kit = SandboxKit(seed=1, limit=None)
    assert open_kit.client_budget(burst_divisor=10) == {}
    assert open_kit.shop_limit_per_minute() == {}
