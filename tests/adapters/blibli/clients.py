"""Blibli adapters pointed at a sandbox on a real socket, built the way the engine builds them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from adapters.blibli import BlibliAdapter
from adapters.blibli.sandbox import BlibliSandbox
from syncer.adapter import AdapterContext, AdapterSettings, Credentials, RetryPolicy
from syncer.adapter.budgets import ScaledClock as BaseScaledClock
from syncer.domain import Clock, SystemClock


class ScaledClock(BaseScaledClock):
    """The SDK's scaled clock, optionally skewed (to test the signature time window)."""

    def __init__(self, scale: float, *, skew: timedelta = timedelta(0)) -> None:
        super().__init__(scale)
        self.skew = skew

    def now(self) -> datetime:
        return super().now() + self.skew


async def _discard(_credentials: Credentials) -> None:
    return None


def credentials_of(sandbox: BlibliSandbox) -> dict[str, str]:
    creds = sandbox.credentials()
    return {key: str(value) for key, value in creds.items() if key != "shop_id"}


def make_adapter(
    base_url: str,
    sandbox: BlibliSandbox,
    *,
    clock: Clock | None = None,
    extra: Mapping[str, str] | None = None,
    page_size: int = 50,
    credentials: Mapping[str, str] | None = None,
) -> BlibliAdapter:
    settings = AdapterSettings(
        base_url=base_url,
        requests_per_second=1000,
        burst=100,
        concurrency=8,
        page_size=page_size,
        timeout_s=10,
        retry=RetryPolicy(max_attempts=8, max_elapsed_s=60, initial_wait_s=0.01, max_wait_s=0.2),
        extra=dict(extra or {}),
    )
    context = AdapterContext(
        shop_external_id=str(sandbox.credentials()["shop_id"]),
        credentials=dict(credentials or credentials_of(sandbox)),
        settings=settings,
        save_credentials=_discard,
        clock=clock or SystemClock(),
    )
    return BlibliAdapter(context)


def _snapshot_map(sandbox: BlibliSandbox, name: str) -> dict[str, int]:
    value = sandbox.kit.stats.snapshot().get(name, {})
    assert isinstance(value, dict)
    return {str(key): int(count) for key, count in value.items()}


def requests_by_path(sandbox: BlibliSandbox) -> dict[str, int]:
    """Requests the sandbox received per path (faulted and refused ones included)."""
    return _snapshot_map(sandbox, "requests")


def statuses(sandbox: BlibliSandbox) -> dict[str, int]:
    """Answers the sandbox gave per HTTP status."""
    return _snapshot_map(sandbox, "statuses")


def recorded(sandbox: BlibliSandbox, name: str) -> list[str]:
    """Ids the sandbox recorded under ``name`` (e.g. ``variant_product_skus``), in order."""
    value = sandbox.kit.stats.snapshot().get(name, [])
    assert isinstance(value, list)
    return [str(item) for item in value]
