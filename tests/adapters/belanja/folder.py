"""Build a Belanja.com adapter over a feed folder, and write feed files for it (tests)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from adapters.belanja import BelanjaAdapter
from adapters.belanja.columns import FEED_COLUMNS
from syncer.adapter import AdapterContext, AdapterSettings, Credentials, Page, PullWindow
from syncer.domain import SystemClock


async def _discard(_credentials: Credentials) -> None:
    """Feed shops have no credentials to rotate."""


def folder_adapter(base_url: str, **extra: str) -> BelanjaAdapter:
    settings = AdapterSettings(base_url=base_url, page_size=100, extra=extra)
    context = AdapterContext(
        shop_external_id="toko-1",
        credentials={},
        settings=settings,
        save_credentials=_discard,
        clock=SystemClock(),
    )
    return BelanjaAdapter(context)


def row(sku: str, **values: object) -> dict[str, object]:
    base: dict[str, object] = {
        "seller_sku": sku,
        "name": f"Produk {sku}",
        "price_idr": 15_000,
        "stock": 4,
        "status": "active",
        "updated_at": "2025-01-10T09:00:00+07:00",
    }
    return base | values


def csv_bytes(rows: Iterable[Mapping[str, object]], columns: Iterable[str] = FEED_COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=list(columns), lineterminator="\r\n", extrasaction="ignore"
    )
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def write(path: Path, data: bytes, *, mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


async def pull_all(
    adapter: BelanjaAdapter, since: datetime | None = None, token: str | None = None
) -> list[Page]:
    window = PullWindow(since=since, until=datetime.now(UTC), resume_token=token)
    return [page async for page in adapter.pull(window)]
