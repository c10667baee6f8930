"""Per-operation window budgets and the async-job poller (SDK parts the Blibli adapter uses)."""

from __future__ import annotations

import asyncio

import pytest

from adapters.blibli.adapter import BUDGETS, parse_budgets
from syncer.adapter import RateLimiter
from syncer.adapter.budgets import (
    Budget,
    OperationBudgets,
    ScaledTime,
    WindowBudget,
    shared_budgets,
)
from syncer.adapter.polling import JobNotFinishedError, PollPolicy, poll_until_done
from syncer.errors import FatalError, RetriableError


async def test_no_request_starts_within_a_window_of_the_answer_limit_places_back() -> None:
    """The invariant the marketplace relies on: request i+limit is sent at least one window
    after request i was answered, so any window holds at most ``limit`` arrivals."""
    time_base = ScaledTime(2_000)  # a 60 s window lasts 30 ms
    budget = WindowBudget(Budget(5, 60.0), time_base)
    started: dict[int, float] = {}
    answered: dict[int, float] = {}

    async def request(index: int) -> None:
        async with budget.slot():
            started[index] = time_base.monotonic()
            await time_base.sleep(1.0)  # the request's round trip
            answered[index] = time_base.monotonic()

    await asyncio.gather(*(request(i) for i in range(17)))
    order = sorted(started, key=started.__getitem__)
    for position in range(len(order) - 5):
        earlier, later = order[position], order[position + 5]
        assert started[later] >= answered[earlier] + 60.0
    assert budget.stats.sent == 17
    assert budget.stats.waits >= 12


async def test_requests_in_flight_hold_their_slots() -> None:
    budget = WindowBudget(Budget(2, 0.001), ScaledTime(1_000))
    release = asyncio.Event()
    entered: list[int] = []

    async def request(index: int) -> None:
        async with budget.slot():
            entered.append(index)
            if index < 2:
                await release.wait()

    tasks = [asyncio.create_task(request(i)) for i in range(3)]
    for _ in range(20):
        await asyncio.sleep(0)
    assert sorted(entered) == [0, 1]  # the third waits although the window is tiny
    release.set()
    await asyncio.gather(*tasks)
    assert sorted(entered) == [0, 1, 2]


async def test_operations_without_a_budget_pass_freely() -> None:
    budgets = OperationBudgets({"product_list": Budget(1, 3600.0)})
    for _ in range(5):
        async with budgets.slot("variant_list"):
            pass
    async with budgets.slot("product_list"):
        pass
    assert budgets.sent() == {"product_list": 1}


def test_budgets_are_shared_per_anchor() -> None:
    first, second = RateLimiter(10, 10), RateLimiter(10, 10)  # the shop's shared limiters
    assert shared_budgets(first, BUDGETS) is shared_budgets(first, BUDGETS)
    assert shared_budgets(first, BUDGETS) is not shared_budgets(second, BUDGETS)


def test_budget_overrides_come_from_settings_extra() -> None:
    budgets = parse_budgets({"budget.product_list": "5/2", "other": "x"})
    assert budgets["product_list"] == Budget(5, 2.0)
    assert budgets["update_stock"] == Budget(60, 60.0)
    with pytest.raises(FatalError, match=r"budget.update_stock='fast'.*'25/60'"):
        parse_budgets({"budget.update_stock": "fast"})


async def test_the_poller_returns_the_first_answer() -> None:
    answers = iter([None, None, {"status": "DONE"}])
    calls = 0

    async def check() -> dict[str, str] | None:
        nonlocal calls
        calls += 1
        return next(answers)

    result = await poll_until_done(check, what="job 1", time_base=ScaledTime(10_000))
    assert result == {"status": "DONE"}
    assert calls == 3


async def test_the_poller_gives_up_with_a_retriable_error() -> None:
    async def never() -> None:
        return None

    policy = PollPolicy(first_wait_s=1, max_wait_s=4, timeout_s=20)
    with pytest.raises(JobNotFinishedError, match="job 7 was not finished") as caught:
        await poll_until_done(never, what="job 7", policy=policy, time_base=ScaledTime(10_000))
    assert isinstance(caught.value, RetriableError)


def test_a_budget_outlives_an_event_loop() -> None:
    """A shop's budget is shared by every run in the process, across ``asyncio.run`` calls."""
    budget = WindowBudget(Budget(1, 0.001), ScaledTime(1_000))

    async def one() -> None:
        async with budget.slot():
            pass

    asyncio.run(one())
    asyncio.run(one())
    assert budget.stats.sent == 2
