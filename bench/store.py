"""Store: the catalog's bulk upsert against plain ``sqlite3.executemany`` of the same rows.

Both sides start from the same normalized listings and write the same columns (content hash,
raw JSON, timestamps) into the same schema, in batches of the same size with a commit each,
with the same pragmas. Ratio = baseline time / store time (1.0 = as fast as raw sqlite3).
"""

from __future__ import annotations

import json
import random
import sqlite3
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bench.common import Report, best_of
from syncer.domain import Listing, ListingStatus, content_hash
from syncer.store import Database, migrate
from syncer.store import listings as listing_store

BATCH = 1000
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
# The same statement text the store sends: the comparison is about the path to the driver.
_UPSERT = listing_store.upsert_sql("sqlite")


def make_listings(count: int, seed: int = 7) -> list[Listing]:
    rng = random.Random(seed)
    listings = []
    for n in range(count):
        item, variant = divmod(n, 3)
        listings.append(
            Listing(
                external_item_id=str(1_000_000_000 + item),
                external_variant_id=str(5_000_000_000 + n),
                seller_sku=f"SKU-{item:07d}-{variant}",
                title=f"Kopi Arabika Gayo {item} gr",
                variant_name=rng.choice(["Merah / S", "Hitam / M", "Navy / XL"]),
                price=rng.randrange(150, 7500) * 100,
                stock=rng.randrange(0, 300),
                status=ListingStatus.ACTIVE,
                raw_status="NORMAL/MODEL_NORMAL",
                image_url=f"https://cf.shopee.co.id/file/{item:x}",
                remote_updated_at=NOW,
                raw={
                    "model": {
                        "model_id": 5_000_000_000 + n,
                        "model_sku": f"SKU-{item:07d}-{variant}",
                    }
                },
            )
        )
    return listings


def changed(listings: list[Listing], share: float, seed: int = 11) -> list[Listing]:
    rng = random.Random(seed)
    return [
        replace(item, stock=item.stock + 1) if rng.random() < share else item for item in listings
    ]


def _stamp(value: datetime | None) -> str | None:
    """The text SQLAlchemy writes for a UTC datetime on SQLite."""
    return (
        None
        if value is None
        else value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    )


def raw_rows(shop_id: int, batch: list[Listing]) -> list[tuple[object, ...]]:
    now = _stamp(NOW)
    return [
        (
            shop_id,
            row.external_item_id,
            row.external_variant_id,
            row.seller_sku,
            row.title,
            row.variant_name,
            row.price,
            row.stock,
            row.status.value,
            row.raw_status,
            row.status_reason,
            row.image_url,
            _stamp(row.remote_updated_at),
            content_hash(row),
            json.dumps(row.raw, separators=(",", ":"), ensure_ascii=False),
            now,
            now,
        )
        for row in batch
    ]


def fresh_database(folder: Path, name: str) -> tuple[str, Path]:
    path = folder / f"{name}.db"
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    connection = sqlite3.connect(path)
    connection.execute(
        "INSERT INTO business (slug, name, created_at) VALUES ('b', 'b', '2026-01-01')"
    )
    connection.execute(
        "INSERT INTO shop (business_id, marketplace, external_shop_id, name, credentials, "
        "auth_state, auth_error, enabled, pull_interval_minutes, settings, created_at, "
        "updated_at) VALUES (1, 'shopee', '1', 's', '', 'ok', '', 1, 15, '{}', "
        "'2026-01-01', '2026-01-01')"
    )
    connection.commit()
    connection.close()
    return url, path


Writer = Callable[[], Awaitable[None]]


def baseline_writer(path: Path, listings: list[Listing]) -> Writer:
    async def write() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        for start in range(0, len(listings), BATCH):
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(_UPSERT, raw_rows(1, listings[start : start + BATCH]))
            connection.execute("COMMIT")
        connection.close()

    return write


def store_writer(url: str, listings: list[Listing]) -> Writer:
    async def write() -> None:
        database = Database(url)
        for start in range(0, len(listings), BATCH):
            async with database.write() as connection:
                await listing_store.upsert_listings(
                    connection, 1, listings[start : start + BATCH], now=NOW
                )
        await database.dispose()

    return write


def writer(kind: str, url: str, path: Path, listings: list[Listing]) -> Writer:
    return baseline_writer(path, listings) if kind == "raw" else store_writer(url, listings)


async def once(folder: Path, kind: str, load: list[Listing], then: list[Listing] | None) -> float:
    """Time of writing ``then`` over a table holding ``load`` (or ``load`` into an empty one)."""
    url, path = fresh_database(folder, kind)
    if then is not None:
        await writer(kind, url, path, load)()
    return await best_of(1, writer(kind, url, path, then or load))


async def compare(
    folder: Path, load: list[Listing], then: list[Listing] | None, runs: int
) -> tuple[float, float]:
    """Best (raw, store) times, the two interleaved so a noisy spell hits both alike."""
    raw, ours = float("inf"), float("inf")
    for _ in range(runs):
        raw = min(raw, await once(folder, "raw", load, then))
        ours = min(ours, await once(folder, "store", load, then))
    return raw, ours


async def run(*, quick: bool = False) -> Report:
    count = 20_000 if quick else 100_000
    runs = 2 if quick else 5
    listings = make_listings(count)
    report = Report(title=f"bench store: bulk upsert of {count:,} listings (SQLite)")
    with tempfile.TemporaryDirectory(prefix="bench-store-") as folder:
        raw, ours = await compare(Path(folder), listings, None, runs)
        ratio = raw / ours
        report.add(
            "initial load, sqlite3.executemany", f"{raw:.2f} s", f"{count / raw:,.0f} rows/s"
        )
        report.add("initial load, syncer store", f"{ours:.2f} s", f"{count / ours:,.0f} rows/s")
        report.add("ratio (raw time / store time)", f"{ratio:.2f}x", "acceptance: >= 0.6")
        resync = changed(listings, 0.10)
        raw_re, ours_re = await compare(Path(folder), listings, resync, runs)
        report.add("re-sync with 10% changed, raw", f"{raw_re:.2f} s", "same hash-guarded upsert")
        report.add(
            "re-sync with 10% changed, store",
            f"{ours_re:.2f} s",
            "reads stored hashes, writes changed rows + events",
        )
        report.add("re-sync ratio", f"{raw_re / ours_re:.2f}x")
    report.figures = {
        "ratio": round(ratio, 3),
        "rows": count,
        "raw_s": round(raw, 3),
        "store_s": round(ours, 3),
        "resync_ratio": round(raw_re / ours_re, 3),
    }
    return report
