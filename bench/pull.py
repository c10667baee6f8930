"""Pull: a full pull end to end against fetching the same pages raw and writing them raw.

The sandbox runs in its own process (so neither side pays for it). The raw side signs and
sends the same requests with the same concurrency (item list pages, 50-id base info batches,
model lists), turns the JSON straight into rows and writes each page with
``sqlite3.executemany``. Ratio = raw time / engine time. Memory: peak RSS of a pull of 200,000
listings over a pull of 20,000, each in a fresh process.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import httpx

from adapters.shopee.signing import sign
from bench.common import Report
from bench.store import fresh_database
from syncer.domain import SystemClock
from syncer.engine.connect import connect_shop
from syncer.runtime import Runtime
from syncer.sandbox import SandboxProcess
from syncer.settings import Settings

FACTORY = "adapters.shopee.sandbox:ShopeeSandbox"
CONCURRENCY = 8
STATUSES = ("NORMAL", "BANNED", "UNLIST", "REVIEWING", "SELLER_DELETE", "SHOPEE_DELETE")
_RAW_INSERT = (
    "INSERT INTO listing (shop_id, external_item_id, external_variant_id, seller_sku, title, "
    "variant_name, price, stock, status, raw_status, status_reason, image_url, "
    "remote_updated_at, content_hash, raw, first_seen_at, changed_at) "
    "VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?, '', '', ?, '', ?, ?, ?) "
    "ON CONFLICT (shop_id, external_item_id, external_variant_id) DO UPDATE SET "
    "price = excluded.price, stock = excluded.stock, raw = excluded.raw"
)


def unlimited(sandbox: SandboxProcess) -> None:
    """Lift the sandbox's rate limit: this benchmark measures the client, not the limiter."""
    httpx.post(
        f"{sandbox.base_url}/_sandbox/limits",
        json={"per_second": 1e6, "burst": 1_000_000},
        timeout=10,
    ).raise_for_status()


class RawPuller:
    """The minimum a client must do: signed requests and rows, nothing else."""

    def __init__(self, base_url: str, creds: dict[str, object], db: Path) -> None:
        self.creds = {key: str(value) for key, value in creds.items()}
        self.client = httpx.AsyncClient(
            base_url=base_url, timeout=30, limits=httpx.Limits(max_connections=CONCURRENCY * 2)
        )
        self.db = sqlite3.connect(db, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.gate = asyncio.Semaphore(CONCURRENCY)

    async def get(self, path: str, params: dict[str, object]) -> dict[str, object]:
        ts = int(time.time())
        token, shop = self.creds["access_token"], self.creds["shop_id"]
        common = {
            "partner_id": self.creds["partner_id"],
            "timestamp": ts,
            "access_token": token,
            "shop_id": shop,
            "sign": sign(
                self.creds["partner_key"],
                self.creds["partner_id"],
                path,
                ts,
                access_token=token,
                shop_id=shop,
            ),
        }
        async with self.gate:
            response = await self.client.get(path, params={**params, **common})
        body: dict[str, object] = json.loads(response.content)
        return body["response"]  # type: ignore[return-value]

    async def run(self) -> int:
        offset, written = 0, 0
        while True:
            page = await self.get(
                "/api/v2/product/get_item_list",
                {"offset": offset, "page_size": 100, "item_status": list(STATUSES)},
            )
            ids = [str(entry["item_id"]) for entry in page["item"]]  # type: ignore[union-attr,index]
            written += await self.page(ids)
            if not page["has_next_page"]:
                return written
            offset = int(page["next_offset"])  # type: ignore[call-overload]

    async def page(self, ids: Sequence[str]) -> int:
        batches = await asyncio.gather(
            *(
                self.get(
                    "/api/v2/product/get_item_base_info",
                    {"item_id_list": ",".join(ids[i : i + 50])},
                )
                for i in range(0, len(ids), 50)
            )
        )
        items = [item for batch in batches for item in batch["item_list"]]  # type: ignore[attr-defined]
        models = await asyncio.gather(
            *(
                self.get("/api/v2/product/get_model_list", {"item_id": item["item_id"]})
                for item in items
                if item["has_model"]
            )
        )
        rows = self.rows(items, iter(models))
        self.db.execute("BEGIN IMMEDIATE")
        self.db.executemany(_RAW_INSERT, rows)
        self.db.execute("COMMIT")
        return len(rows)

    @staticmethod
    def rows(items: list[dict[str, object]], models: object) -> list[tuple[object, ...]]:
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
        rows = []
        for item in items:
            records = next(models)["model"] if item["has_model"] else [item]  # type: ignore[call-overload,index]
            for record in records:
                stock = sum(s["stock"] for s in record["stock_info_v2"]["seller_stock"])
                rows.append(
                    (
                        1,
                        str(item["item_id"]),
                        str(record.get("model_id", "")),
                        record.get("model_sku") or item.get("item_sku", ""),
                        item["item_name"],
                        int(record["price_info"][0]["original_price"]),
                        stock,
                        "active",
                        item["item_status"],
                        now,
                        json.dumps(record),
                        now,
                        now,
                    )
                )
        return rows

    async def close(self) -> None:
        await self.client.aclose()
        self.db.close()


def engine_settings(db_url: str, base_url: str, folder: Path) -> Settings:
    return Settings(
        database={"url": db_url},
        secrets={"key_file": folder / "secret.key"},
        marketplaces={
            "shopee": {
                "base_url": base_url,
                "requests_per_second": 1e6,
                "burst": 1_000_000,
                "concurrency": CONCURRENCY,
            }
        },
        logging={"level": "warning"},
    )


async def engine_pull(sandbox: SandboxProcess, folder: Path, name: str) -> tuple[float, int]:
    """Seconds and listings of one full pull through the engine into a fresh database."""
    url, _ = fresh_database(folder, name)
    runtime = Runtime.from_settings(engine_settings(url, sandbox.base_url, folder), SystemClock())
    creds = sandbox.credentials
    shop = await connect_shop(
        runtime.database,
        runtime.adapters,
        business="bench",
        marketplace="shopee",
        external_shop_id=str(creds["shop_id"]),
        name=name,
        credentials={
            "partner_id": str(creds["partner_id"]),
            "partner_key": str(creds["partner_key"]),
            "access_token": str(creds["access_token"]),
            "refresh_token": str(creds["refresh_token"]),
        },
        pull_interval_minutes=15,
    )
    started = time.perf_counter()
    outcome = await runtime.pull_engine.run(shop, full=True)
    elapsed = time.perf_counter() - started
    await runtime.close()
    return elapsed, outcome.counts.fetched


async def raw_pull(sandbox: SandboxProcess, folder: Path, name: str) -> tuple[float, int]:
    _, path = fresh_database(folder, name)
    puller = RawPuller(sandbox.base_url, sandbox.credentials, path)
    started = time.perf_counter()
    count = await puller.run()
    elapsed = time.perf_counter() - started
    await puller.close()
    return elapsed, count


def peak_rss_mb(listings: int) -> float:
    """Peak RSS of a full pull of ``listings`` in a fresh process (sandbox in another one)."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.rss", str(listings)],
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    ).stdout
    return float(json.loads(output.strip().splitlines()[-1])["peak_rss_mb"])


async def run(*, quick: bool = False) -> Report:
    listings = 10_000 if quick else 50_000
    small, large = (5_000, 50_000) if quick else (20_000, 200_000)
    report = Report(title=f"bench pull: full pull of {listings:,} Shopee listings over loopback")
    with (
        tempfile.TemporaryDirectory(prefix="bench-pull-") as tmp,
        SandboxProcess(FACTORY, {"seed": 1, "listings": listings}) as sandbox,
    ):
        unlimited(sandbox)
        folder = Path(tmp)
        raw_times, engine_times = [], []
        for attempt in range(2):
            raw_s, raw_count = await raw_pull(sandbox, folder, f"raw{attempt}")
            engine_s, engine_count = await engine_pull(sandbox, folder, f"engine{attempt}")
            raw_times.append(raw_s)
            engine_times.append(engine_s)
    raw_best, engine_best = min(raw_times), min(engine_times)
    ratio = raw_best / engine_best
    small_rss, large_rss = peak_rss_mb(small), peak_rss_mb(large)
    report.add(
        "raw fetch + sqlite3", f"{raw_best:.2f} s", f"{raw_count / raw_best:,.0f} listings/s"
    )
    report.add(
        "engine full pull", f"{engine_best:.2f} s", f"{engine_count / engine_best:,.0f} listings/s"
    )
    report.add("ratio (raw time / engine time)", f"{ratio:.2f}x", "acceptance: >= 0.5")
    report.add(f"peak RSS, {small:,} listings", f"{small_rss:.0f} MB")
    report.add(f"peak RSS, {large:,} listings", f"{large_rss:.0f} MB")
    report.add("RSS ratio", f"{large_rss / small_rss:.2f}x", "acceptance: <= 1.3")
    report.figures = {
        "ratio": round(ratio, 3),
        "rss_ratio": round(large_rss / small_rss, 3),
        "listings": listings,
        "raw_s": round(raw_best, 3),
        "engine_s": round(engine_best, 3),
        "rss_small_mb": round(small_rss, 1),
        "rss_large_mb": round(large_rss, 1),
    }
    return report
