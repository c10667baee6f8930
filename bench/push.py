"""Push: API calls used against the fewest the batch limits allow, and pushes per second against
what the sandbox's rate limit allows.

A Shopee sandbox in its own process limits the shop to ``RATE`` calls a second; the client's
budget is set to the same figure (as an operator would from the marketplace's documentation).
Every listing of the shop gets a new stock value in the outbox, then one push cycle sends them
all. ``calls_ratio`` = update calls the sandbox served / the minimum for these rows (Shopee: one
item and at most 50 models a call). ``throughput_ratio`` = the time the limit forces on those
minimum calls / the time the cycle spent sending. Read-back verification is measured apart
(``verify_calls``, ``cycle_throughput_ratio``: the whole cycle, reads included).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import httpx

from bench.common import Report
from bench.store import fresh_database
from syncer.domain import RunTrigger, SystemClock
from syncer.engine.connect import connect_shop
from syncer.engine.push import Pusher
from syncer.engine.push_batches import minimum_calls
from syncer.runtime import Runtime
from syncer.sandbox import SandboxProcess
from syncer.settings import Settings
from syncer.store import catalog
from syncer.store import push_tasks as task_store
from syncer.store.push_tasks import NewTask
from syncer.store.shops import ShopRecord

FACTORY = "adapters.shopee.sandbox:ShopeeSandbox"
RATE = 50.0  # calls a second the sandbox allows the shop (TikTok documents 50 per API)
UPDATE = "/api/v2/product/update_stock"
READS = ("/api/v2/product/get_item_base_info", "/api/v2/product/get_model_list")


class SendClock:
    """Sums the time between recording a batch's intent and having all its answers."""

    def __init__(self) -> None:
        self.sending = 0.0
        self._started = 0.0

    async def __call__(self, step: str) -> None:
        if step == "intent_recorded":
            self._started = time.perf_counter()
        elif step == "sent":
            self.sending += time.perf_counter() - self._started


def settings_for(db_url: str, base_url: str, folder: Path) -> Settings:
    return Settings(
        database={"url": db_url},
        secrets={"key_file": folder / "secret.key"},
        marketplaces={
            "shopee": {
                "base_url": base_url,
                "requests_per_second": RATE,
                "burst": 5,  # a call delayed by a busy machine may be made up for
                "concurrency": 8,
            }
        },
        logging={"level": "warning"},
    )


def limit_sandbox(sandbox: SandboxProcess, rate: float, burst: int) -> None:
    httpx.post(
        f"{sandbox.base_url}/_sandbox/limits",
        json={"per_second": rate, "burst": burst},
        timeout=10,
    ).raise_for_status()


def sandbox_stats(sandbox: SandboxProcess, *, reset: bool = False) -> dict[str, object]:
    path = "reset_stats" if reset else "stats"
    response = httpx.post(f"{sandbox.base_url}/_sandbox/{path}", timeout=10)
    response.raise_for_status()
    result: dict[str, object] = response.json()
    return result


async def connected(runtime: Runtime, sandbox: SandboxProcess) -> ShopRecord:
    creds = sandbox.credentials
    return await connect_shop(
        runtime.database,
        runtime.adapters,
        business="bench",
        marketplace="shopee",
        external_shop_id=str(creds["shop_id"]),
        name="bench push",
        credentials={
            key: str(creds[key])
            for key in ("partner_id", "partner_key", "access_token", "refresh_token")
        },
        pull_interval_minutes=15,
    )


async def queue_stock_changes(runtime: Runtime, shop: ShopRecord) -> list[catalog.LinkedListing]:
    async with runtime.database.write() as connection:
        rows = await catalog.shop_listings(connection, shop.id)
        tasks = [
            NewTask(
                listing_id=row.listing_id,
                shop_id=shop.id,
                field="stock",
                value=row.stock + 1,
                origin="operator",
            )
            for row in rows
        ]
        await task_store.enqueue(connection, tasks, now=runtime.clock.now())
    return rows


async def run(*, quick: bool = False) -> Report:
    listings = 2_000 if quick else 10_000
    report = Report(title=f"bench push: {listings:,} stock changes to one Shopee shop")
    with (
        tempfile.TemporaryDirectory(prefix="bench-push-") as tmp,
        SandboxProcess(FACTORY, {"seed": 1, "listings": listings}) as sandbox,
    ):
        folder = Path(tmp)
        limit_sandbox(sandbox, 1e6, 1_000_000)  # the setup pull is not measured
        url, _ = fresh_database(folder, "push")
        runtime = Runtime.from_settings(settings_for(url, sandbox.base_url, folder), SystemClock())
        shop = await connected(runtime, sandbox)
        await runtime.pull_engine.run(shop, full=True)
        rows = await queue_stock_changes(runtime, shop)
        # The sandbox's bucket holds 0.4 s of calls (its default holds a whole second), so
        # calls bunched by a busy machine are not refused; over time it allows RATE a second.
        limit_sandbox(sandbox, RATE, 20)
        sandbox_stats(sandbox, reset=True)
        clock = SendClock()
        pusher = Pusher(
            settings=runtime.settings,
            database=runtime.database,
            adapters=runtime.adapters,
            clock=runtime.clock,
            worker=runtime.worker,
            on_step=clock,
        )
        started = time.perf_counter()
        outcome = await pusher.run_once(shop, trigger=RunTrigger.MANUAL)
        cycle = time.perf_counter() - started
        stats = sandbox_stats(sandbox)
        await runtime.close()
    requests = stats["requests"]
    assert isinstance(requests, dict)
    used = int(requests.get(UPDATE, 0))
    reads = sum(int(requests.get(path, 0)) for path in READS)
    minimum = minimum_calls([row.key for row in rows], limit=50, per_item=True)
    floor_s = minimum / RATE
    calls_ratio = used / minimum
    throughput_ratio = floor_s / clock.sending
    cycle_ratio = ((minimum + reads) / RATE) / cycle
    states = outcome.states()
    report.add("stock changes", f"{len(rows):,}", ", ".join(f"{n} {s}" for s, n in states.items()))
    report.add("update_stock calls", f"{used:,}", f"minimum {minimum:,} (one item, <= 50 models)")
    report.add("calls ratio", f"{calls_ratio:.3f}x", "acceptance: <= 1.05")
    report.add(
        "sending time",
        f"{clock.sending:.2f} s",
        f"{len(rows) / clock.sending:,.0f} pushes/s; "
        f"the limit allows {minimum:,} calls in {floor_s:.2f} s",
    )
    report.add("throughput ratio", f"{throughput_ratio:.3f}x", "acceptance: >= 0.9")
    report.add(
        "whole cycle with read-back",
        f"{cycle:.2f} s",
        f"{reads:,} read calls; {cycle_ratio:.3f}x the limit's floor",
    )
    report.figures = {
        "calls_ratio": round(calls_ratio, 4),
        "throughput_ratio": round(throughput_ratio, 4),
        "cycle_throughput_ratio": round(cycle_ratio, 4),
        "changes": len(rows),
        "update_calls": used,
        "minimum_calls": minimum,
        "verify_calls": reads,
        "rate_limit_per_s": RATE,
        "sending_s": round(clock.sending, 3),
        "cycle_s": round(cycle, 3),
        "states": states,
    }
    return report
