"""Prometheus metrics: store aggregates read at scrape time plus this process's counters.

Store figures (runs, durations, listings, pushes, shops, token expiries) are the same from
every process; the counters (API calls, retries, 429s, rate-limit waits) are this process's
own, so scrape every daemon and worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from syncer.adapter.http import CALL_TOTALS
from syncer.adapter.ratelimit import LimiterStats
from syncer.store import metric_queries as q
from syncer.store import web_push_queries as push_queries
from syncer.web.state import WebState

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
EXPIRY_HORIZONS = (("expired", 0.0), ("1h", 3600.0), ("24h", 86400.0), ("7d", 7 * 86400.0))


@dataclass
class Snapshot:
    listings: list[tuple[str, str, int]]
    runs: list[tuple[str, str, int]]
    durations: list[q.DurationHistogram]
    shops: list[tuple[str, str, int]]
    expiries: list[tuple[str, str, int]]
    pushes: list[tuple[str, str, int]]
    limiters: dict[str, LimiterStats]


class SnapshotCollector(Collector):
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        snap = self.snapshot
        runs = CounterMetricFamily(
            "syncer_runs", "Sync runs by kind and state (outcome).", labels=["kind", "state"]
        )
        for kind, state, count in snap.runs:
            runs.add_metric([kind, state], count)
        yield runs
        durations = HistogramMetricFamily(
            "syncer_run_duration_seconds", "Duration of finished runs.", labels=["kind"]
        )
        for item in snap.durations:
            buckets = [(_le(bound), count) for bound, count in item.buckets]
            durations.add_metric(
                [item.kind], [*buckets, ("+Inf", item.count)], sum_value=item.total_s
            )
        yield durations
        yield _gauge(
            "syncer_listings",
            "Listings by marketplace and status.",
            ["marketplace", "status"],
            snap.listings,
        )
        yield _gauge(
            "syncer_shops",
            "Shops by marketplace and auth state.",
            ["marketplace", "auth_state"],
            snap.shops,
        )
        yield _gauge(
            "syncer_shop_tokens_expiring",
            "Enabled shops whose marketplace token expires within the horizon (or has expired).",
            ["marketplace", "within"],
            snap.expiries,
        )
        yield _gauge(
            "syncer_pushes",
            "Push tasks by marketplace and state (pending, failed, ...).",
            ["marketplace", "state"],
            snap.pushes,
        )
        yield from self._limiters()

    def _limiters(self) -> Iterator[Metric]:
        calls = _counter("syncer_api_calls", "Marketplace API calls sent by this process.")
        retries = _counter("syncer_api_retries", "Marketplace API calls retried by this process.")
        throttled = _counter("syncer_api_rate_limited", "Calls the marketplace answered with 429.")
        for marketplace, count in sorted(CALL_TOTALS.calls.items()):
            calls.add_metric([marketplace], count)
            retries.add_metric([marketplace], CALL_TOTALS.retries[marketplace])
            throttled.add_metric([marketplace], CALL_TOTALS.rate_limited[marketplace])
        waits = _counter("syncer_rate_limit_waits", "Calls held back by this process's limiter.")
        waited = _counter("syncer_rate_limit_wait_seconds", "Time calls waited for the limiter.")
        for marketplace, stats in sorted(self.snapshot.limiters.items()):
            waits.add_metric([marketplace], stats.waits)
            waited.add_metric([marketplace], stats.waited_s)
        yield from (calls, retries, throttled, waits, waited)


def _counter(name: str, documentation: str) -> CounterMetricFamily:
    return CounterMetricFamily(name, documentation, labels=["marketplace"])


def _le(bound: float) -> str:
    return str(bound)


def _gauge(
    name: str, documentation: str, labels: list[str], rows: list[tuple[str, str, int]]
) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=labels)
    for first, second, value in rows:
        family.add_metric([first, second], value)
    return family


async def snapshot(state: WebState) -> Snapshot:
    async with state.database.read() as connection:
        return Snapshot(
            listings=await q.listings_by_status(connection),
            runs=await q.runs_by_outcome(connection),
            durations=await q.run_durations(connection),
            shops=await q.shops_by_auth_state(connection),
            expiries=await q.token_expiries(
                connection, now=state.clock.now(), horizons=EXPIRY_HORIZONS
            ),
            pushes=await push_queries.pushes_by_state(connection),
            limiters=_limiter_totals(state),
        )


def _limiter_totals(state: WebState) -> dict[str, LimiterStats]:
    """Only if this process has built adapters: a page view must not create the secret key."""
    if "adapters" not in state.runtime.__dict__:
        return {}
    return state.runtime.adapters.limiter_totals()


async def render_metrics(state: WebState) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(await snapshot(state)))
    return generate_latest(registry)
