"""``bench schedule``: how late scheduled runs start, for a fleet on a 15-minute interval.

2,000 Shopee shops (one sandbox each, behind one loopback server in its own process) are
pulled once, then the single-node daemon (SQLite, 4 runs at a time) schedules them every 15
minutes with time compressed (``time_compression`` times faster: the load per real second is that
much higher than in production). The lag of a run is its start minus its due time (the
jittered time APScheduler fired it); runs still queued at the end count with their lag so far.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from starlette.types import Receive, Scope, Send

from bench.common import Report
from syncer.domain import RunTrigger
from syncer.runtime import Runtime
from syncer.scheduler.daemon import Daemon
from syncer.settings import Settings
from syncer.store import queries
from syncer.store import shops as shop_store

INTERVAL_MINUTES = 15
WORKERS = 4
LISTINGS = 4
PARTNER_ID = 2_000_001
PARTNER_KEY = "bench-partner-key-" + "0" * 46
FIRST_SHOP = 700_000_000


def serve_fleet(shops: int, listings: int) -> None:
    """(In the fleet process) one Shopee sandbox per shop behind one socket, by ``shop_id``."""
    from urllib.parse import parse_qs

    from adapters.shopee.sandbox import ShopeeSandbox
    from syncer.sandbox import LimitRule, serve_forever

    sandboxes = {
        FIRST_SHOP + n: ShopeeSandbox(
            seed=n + 1,
            listings=listings,
            partner_id=PARTNER_ID,
            partner_key=PARTNER_KEY,
            shop_id=FIRST_SHOP + n,
            limit=LimitRule(5000, 5000),
        )
        for n in range(shops)
    }

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        query = parse_qs(scope.get("query_string", b"").decode())
        shop = query.get("shop_id", [""])[0]
        # Partner-level calls (lost pushes) name no shop: any one sandbox answers them.
        await sandboxes[int(shop) if shop else FIRST_SHOP].app(scope, receive, send)

    def ready(base_url: str) -> None:
        tokens = {
            shop: {k: sandbox.credentials()[k] for k in ("access_token", "refresh_token")}
            for shop, sandbox in sandboxes.items()
        }
        print(json.dumps({"base_url": base_url, "tokens": tokens}), flush=True)

    serve_forever(app, on_ready=ready)


def start_fleet(shops: int) -> tuple[subprocess.Popen[str], dict[str, object]]:
    code = f"from bench.schedule import serve_fleet; serve_fleet({shops}, {LISTINGS})"
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    line = child.stdout.readline()
    if not line:
        raise RuntimeError("the sandbox fleet did not start")
    info: dict[str, object] = json.loads(line)
    return child, info


def settings_for(folder: Path, base_url: str) -> Settings:
    far = (datetime.now(UTC) + timedelta(hours=12)).time().replace(second=0, microsecond=0)
    return Settings(
        database={"url": f"sqlite:///{folder / 'bench.db'}"},
        secrets={"key_file": folder / "secret.key"},
        daemon={
            "concurrency": WORKERS,
            "full_reconcile_at": far,  # no daily reconcile during the measurement
            "timezone": "UTC",
        },
        marketplaces={"shopee": {"base_url": base_url, "requests_per_second": 1000, "burst": 100}},
    )


async def connect(runtime: Runtime, tokens: dict[str, dict[str, str]]) -> None:
    now = runtime.clock.now()
    expires = str(int(now.timestamp()) + 4 * 3600)
    async with runtime.database.write() as connection:
        business = await shop_store.ensure_business(connection, "bench", "Bench", now)
        for shop, pair in tokens.items():
            secret = {"partner_id": str(PARTNER_ID), "partner_key": PARTNER_KEY}
            secret |= pair | {"access_expires_at": expires}
            await shop_store.add_shop(
                connection,
                business_id=business,
                marketplace="shopee",
                external_shop_id=shop,
                name=f"Toko {shop}",
                credentials=runtime.cipher.encrypt(secret),
                pull_interval_minutes=INTERVAL_MINUTES,
                now=now,
            )


async def serve(daemon: Daemon, seconds: float | None) -> None:
    """Run ``daemon`` for ``seconds`` (None: until its queue is empty)."""
    stop = asyncio.Event()
    task = asyncio.create_task(daemon.run(stop))
    await daemon.ready.wait()
    if seconds is None:
        await daemon.idle()
    else:
        await asyncio.sleep(seconds)
    stop.set()
    await task


async def lags(runtime: Runtime, since: datetime, until: datetime) -> tuple[list[float], float]:
    """Start lags of the scheduled runs due since ``since``, and their mean duration."""
    async with runtime.database.read() as connection:
        runs = await queries.recent_runs(connection, limit=1_000_000)
    took = [
        (r["finished_at"] - r["started_at"]).total_seconds()
        for r in runs
        if isinstance(r["finished_at"], datetime) and isinstance(r["started_at"], datetime)
    ]
    found = []
    for run in runs:
        due, started = run["due_at"], run["started_at"]
        if run["trigger"] != RunTrigger.SCHEDULE.value or not isinstance(due, datetime):
            continue
        if due < since:
            continue
        start = started if isinstance(started, datetime) else until  # still waiting
        found.append(max(0.0, (start - due).total_seconds()))
    return found, statistics.fmean(took) if took else 0.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(*, quick: bool = False) -> Report:
    # 5x: a 3-minute interval, so the daemon serves 11 runs a second (5x production's load).
    shops, compress, cycles = (200, 60, 2) if quick else (2000, 5, 1)
    fleet, info = start_fleet(shops)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-schedule-") as folder:
            settings = settings_for(Path(folder), str(info["base_url"]))
            runtime = Runtime.from_settings(settings)
            await asyncio.to_thread(runtime.migrate)
            await connect(runtime, info["tokens"])  # type: ignore[arg-type]
            primed = time.perf_counter()
            await serve(Daemon(runtime, cluster=False), None)  # every shop's first (full) pull
            primed_s = time.perf_counter() - primed
            await runtime.close()
            daemon = settings.daemon.model_copy(update={"catch_up": False})
            runtime = Runtime.from_settings(settings.model_copy(update={"daemon": daemon}))
            measured_from = runtime.clock.now()
            window_s = cycles * INTERVAL_MINUTES * 60 / compress
            await serve(Daemon(runtime, cluster=False, time_scale=compress), window_s)
            measured, run_s = await lags(runtime, measured_from, runtime.clock.now())
            await runtime.close()
    finally:
        fleet.terminate()
        fleet.wait()
    return _report(shops, compress, window_s, primed_s, measured, run_s=run_s)


def _report(
    shops: int,
    compress: int,
    window_s: float,
    primed_s: float,
    measured: list[float],
    *,
    run_s: float,
) -> Report:
    report = Report(title="Schedule: start lag of scheduled runs (due -> started)")
    p50 = percentile(measured, 0.50) if measured else float("nan")
    p99 = percentile(measured, 0.99) if measured else float("nan")
    report.figures = {
        "shops": shops,
        "interval_minutes": INTERVAL_MINUTES,
        "workers": WORKERS,
        "time_compression": compress,
        "runs": len(measured),
        "p50_lag_s": round(p50, 3),
        "p99_lag_s": round(p99, 3),
        "max_lag_s": round(max(measured), 3) if measured else None,
        "mean_lag_s": round(statistics.fmean(measured), 3) if measured else None,
        "first_pull_of_all_s": round(primed_s, 1),
        "mean_run_s": round(run_s, 3),
    }
    note = f"{shops} shops every {INTERVAL_MINUTES} min, {compress}x compressed"
    report.add("scheduled runs measured", str(len(measured)), f"over {window_s:.0f} s; {note}")
    report.add("p50 start lag", f"{p50:.3f} s", f"{WORKERS} runs at a time, SQLite")
    report.add("p99 start lag", f"{p99:.3f} s", "acceptance: at most 60 s")
    report.add("first pull of every shop", f"{primed_s:.1f} s", "catch-up before measuring")
    report.add("mean run", f"{run_s:.3f} s", "lease, pull, cursor, run row")
    return report
