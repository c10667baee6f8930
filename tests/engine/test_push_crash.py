"""Crashes of the pusher at every step, and real kill -9 of a pushing process at random points:
nothing is lost, our own pushes are never taken for sales, no sale is applied twice."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from syncer.engine.push_shop import StepHook
from syncer.store import catalog, stock_ledger
from syncer.store import push_tasks as task_store
from syncer.store import runs as run_store
from syncer.store.catalog import ProductRecord
from tests.engine.push_rig import PushRig, push_rig
from tests.engine.test_push_shopee import linked_rows, products_on_every_shop

__all__ = ["push_rig"]
STEPS = ("claimed", "intent_recorded", "sent", "recorded", "verified")


class SimulatedCrash(BaseException):
    """Stands for the process dying: not an error any layer may handle."""


def crash_at(step: str) -> StepHook:
    async def hook(name: str) -> None:
        if name == step:
            raise SimulatedCrash(step)

    return hook


@dataclass
class Expected:
    """What the test did, so what every shop and the master must end up showing."""

    stock: dict[str, int] = field(default_factory=dict)
    price: dict[str, int] = field(default_factory=dict)
    units_sold: int = 0


async def open_tasks(rig: PushRig) -> int:
    async with rig.runtime.database.read() as connection:
        counts = await task_store.state_counts(connection)
    return counts.get("pending", 0) + counts.get("in_flight", 0)


async def drain(rig: PushRig) -> None:
    for _ in range(5):
        await rig.push()
        if not await open_tasks(rig):
            return
    raise AssertionError("pushes still open after five cycles")


async def assert_converged(rig: PushRig, products: list[ProductRecord], expected: Expected) -> None:
    await drain(rig)
    await rig.pull_all()
    await drain(rig)  # propagates what the pulls saw; nothing must be mistaken for a sale
    async with rig.runtime.database.read() as connection:
        for product in products:
            master = await catalog.find_product(connection, product.sku)
            assert (master.stock, master.price) == (
                expected.stock[product.sku],
                expected.price[product.sku],
            )
        ledger = await stock_ledger.ledger(connection, limit=10_000)
        counts = await task_store.state_counts(connection)
    assert sum(row.delta for row in ledger if row.outcome == "sale") == expected.units_sold
    assert counts.get("failed", 0) == counts.get("mismatch", 0) == 0
    for product in products:
        for row in await linked_rows(rig, product.sku):
            shop = next(s for s in rig.shops if s.id == row.shop_id)
            shown = (await rig.truth(shop))[(row.key[0], row.key[1])]
            assert (shown["stock"], shown["price"]) == (
                expected.stock[product.sku],
                expected.price[product.sku],
            )


async def prepared(rig: PushRig, count: int) -> tuple[list[ProductRecord], Expected]:
    await rig.pull_all(full=True)
    await rig.push()
    products = await products_on_every_shop(rig, count)
    expected = Expected()
    for product in products:
        await rig.changes.set_stock(product.sku, 20)
        expected.stock[product.sku] = 20
        expected.price[product.sku] = product.price
    await drain(rig)
    return products, expected


@pytest.mark.parametrize("step", STEPS)
async def test_a_push_crashing_at_any_step_is_finished_by_the_next_cycle(
    push_rig: PushRig, step: str
) -> None:
    """Stock and price changes, a crash at ``step``, a pull (which must see no sale), then
    the next cycle: every shop shows the values, verified."""
    products, expected = await prepared(push_rig, 2)
    first, second = products
    await push_rig.changes.set_stock(first.sku, 9)
    await push_rig.changes.set_price(second.sku, second.price + 700)
    expected.stock[first.sku] = 9
    expected.price[second.sku] = second.price + 700

    with pytest.raises(SimulatedCrash):
        await push_rig.push(on_step=crash_at(step))
    await recover(push_rig, push_rig.runtime.worker)  # the "dead" process's runs and leases
    await push_rig.pull_all()
    await assert_converged(push_rig, products, expected)


def child_config(rig: PushRig, tmp_path: Path, worker: str) -> Path:
    settings = rig.runtime.settings
    path = tmp_path / f"{worker}.toml"
    path.write_text(
        f'[database]\nurl = "{settings.database.url}"\n'
        f'[secrets]\nkey_file = "{settings.secrets.key_file}"\n'
        f'[daemon]\nworker_name = "{worker}"\n'
        f'[marketplaces.shopee]\nbase_url = "{rig.base_url}"\nrequests_per_second = 500.0\n'
        "burst = 100\nconcurrency = 4\n"
    )
    return path


async def push_started(rig: PushRig, worker: str) -> bool:
    async with rig.runtime.database.read() as connection:
        workers = await run_store.running_workers(connection)
    return worker in workers


async def in_flight(rig: PushRig) -> int:
    async with rig.runtime.database.read() as connection:
        return (await task_store.state_counts(connection)).get("in_flight", 0)


async def kill_a_pushing_child(
    rig: PushRig, tmp_path: Path, worker: str, rng: random.Random
) -> tuple[bool, bool]:
    """Start ``syncer push`` in a process, SIGKILL it at a random moment of its push: (was it
    still pushing, did it die between sending and recording)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SYNCER_")}
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "syncer",
        "--config",
        str(child_config(rig, tmp_path, worker)),
        "push",
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        for _ in range(1200):  # polling: the child's start-up time varies with the machine
            if child.returncode is not None or await push_started(rig, worker):
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(rng.uniform(0, 0.4))
        alive = child.returncode is None and await push_started(rig, worker)
    finally:
        if child.returncode is None:
            child.send_signal(signal.SIGKILL)
        await child.wait()
    mid_send = await in_flight(rig) > 0
    await recover(rig, worker)
    return alive, mid_send


async def recover(rig: PushRig, worker: str) -> None:
    """What the daemon does for a dead worker: fail its runs and free its leases."""
    async with rig.runtime.database.write() as connection:
        await run_store.recover_interrupted(
            connection, now=rig.clock.now(), stale_before=rig.clock.now(), dead_workers=[worker]
        )


@pytest.mark.soak
@pytest.mark.listings(120)
async def test_pushes_killed_with_sigkill_at_random_points_converge(
    push_rig: PushRig, tmp_path: Path
) -> None:
    """At least 20 kill -9s of a pushing process, with changes, sales, pulls and propagation
    in between: every shop ends at the master's values; each sale counted exactly once."""
    rng = random.Random(20261127)
    products, expected = await prepared(push_rig, 4)
    for shop in push_rig.shops:
        await push_rig.control_post(shop, "faults", {"latency_ms": 100})
    kills = mid_send = 0
    for attempt in range(60):
        product = rng.choice(products)
        if rng.random() < 0.5:
            expected.stock[product.sku] = rng.randint(5, 30)
            await push_rig.changes.set_stock(product.sku, expected.stock[product.sku])
        else:
            # near the original: Shopee refuses models priced 7x apart within an item
            price = int(product.price * rng.uniform(0.8, 1.2)) // 100 * 100
            expected.price[product.sku] = price
            await push_rig.changes.set_price(product.sku, expected.price[product.sku])
        alive, sending = await kill_a_pushing_child(push_rig, tmp_path, f"crash-{attempt}", rng)
        kills, mid_send = kills + alive, mid_send + sending
        if attempt % 4 == 3:
            await sell_one(push_rig, rng, products, expected)
        if attempt % 3 == 2:
            await push_rig.pull_all()  # sees half-done pushes: they must not count as sales
            await push_rig.pusher().propagator.run_once()
            await assert_master(push_rig, products, expected)
        if kills >= 20 and attempt >= 24:
            break
    assert kills >= 20
    assert mid_send >= 3  # some kills landed between sending and recording
    await assert_converged(push_rig, products, expected)


async def sell_one(
    rig: PushRig, rng: random.Random, products: list[ProductRecord], expected: Expected
) -> None:
    """Quiesce (finish every push), then sell one unit on a random shop."""
    await drain(rig)
    product = rng.choice(products)
    if expected.stock[product.sku] == 0:
        return
    row = rng.choice(await linked_rows(rig, product.sku))
    shop = next(s for s in rig.shops if s.id == row.shop_id)
    model = {"model_id": int(row.key[1])} if row.key[1] else {}
    await rig.mutate(shop, action="sell", item_id=int(row.key[0]), quantity=1, **model)
    expected.stock[product.sku] -= 1
    expected.units_sold += 1
    await rig.pull_all()
    await rig.pusher().propagator.run_once()


async def assert_master(rig: PushRig, products: list[ProductRecord], expected: Expected) -> None:
    async with rig.runtime.database.read() as connection:
        for product in products:
            master = await catalog.find_product(connection, product.sku)
            assert master.stock == expected.stock[product.sku], product.sku
