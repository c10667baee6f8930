"""Web: the listing grid and the listings API over 10,000 listings on SQLite.

The server runs as ``syncer web`` in its own process (as in production, no client in its
GIL); 20 concurrent clients page through ``/api/v1/listings`` with filters, and the grid's
server time is read from its ``Server-Timing`` header (network and browser excluded).
Targets (issue 6): grid under 300 ms server time, API p95 under 50 ms at 20 clients. The API
is measured twice: saturating (each client asks again as soon as it is answered, so the p95 is
20 requests' worth of queueing and measures throughput) and paced (each client twice a second).
The clients are lean keep-alive connections (``KeepAlive``): clients and server share this
machine's cores, and httpx's own CPU per request exceeds the server's; the same saturating
load sent through httpx is reported beside it (``api_httpx_p95_ms``).
"""

from __future__ import annotations

import asyncio
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil  # type: ignore[import-untyped]  # no stubs are installed

from bench.common import Report
from syncer.domain import Listing, ListingStatus
from syncer.store import Database, migrate
from syncer.store import listings as listing_store
from syncer.store import shops as shop_store
from syncer.store.access import create_token

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
MARKETPLACES = ("shopee", "tiktok", "blibli", "belanja")
STATUSES = [ListingStatus.ACTIVE] * 8 + [
    ListingStatus.OUT_OF_STOCK,
    ListingStatus.BANNED,
    ListingStatus.INACTIVE,
]
PACE_S = 0.5  # the paced run: each client asks twice a second
WORDS = ("Kopi Gayo", "Keripik Balado", "Sambal Roa", "Batik Tulis", "Teh Melati", "Madu Hutan")


def catalog(skus: int, seed: int = 5) -> list[Listing]:
    """One listing per SKU for one shop (the same SKUs on every shop, as a business has)."""
    rng = random.Random(seed)
    listings = []
    for n in range(skus):
        status = rng.choice(STATUSES)
        listings.append(
            Listing(
                external_item_id=str(7_000_000_000 + n),
                seller_sku=f"SKU-{n:06d}",
                title=f"{WORDS[n % len(WORDS)]} {n} pcs",
                price=rng.randrange(50, 5000) * 100,
                stock=0 if status is ListingStatus.OUT_OF_STOCK else rng.randrange(1, 300),
                status=status,
                raw_status=status.value.upper(),
                status_reason="Melanggar aturan" if status is ListingStatus.BANNED else "",
            )
        )
    return listings


async def seed(url: str, listings: int) -> str:
    """``listings`` listings over four shops of one business; returns a business token."""
    database = Database(url)
    per_shop = listings // len(MARKETPLACES)
    try:
        async with database.write() as connection:
            business = await shop_store.ensure_business(connection, "toko-bench", "Bench", NOW)
        for n, marketplace in enumerate(MARKETPLACES):
            async with database.write() as connection:
                shop = await shop_store.add_shop(
                    connection,
                    business_id=business,
                    marketplace=marketplace,
                    external_shop_id=f"{900 + n}",
                    name=f"{marketplace} toko",
                    credentials="",
                    pull_interval_minutes=15,
                    now=NOW,
                )
            rows = catalog(per_shop, seed=n)
            for start in range(0, len(rows), 1000):
                async with database.write() as connection:
                    await listing_store.upsert_listings(
                        connection, shop, rows[start : start + 1000], now=NOW
                    )
        return await create_token(database, business="toko-bench", operator=False, label="bench")
    finally:
        await database.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(folder: Path, url: str, port: int) -> subprocess.Popen[bytes]:
    config = folder / "syncer.toml"
    config.write_text(
        f'[database]\nurl = "{url}"\n[secrets]\nkey_file = "{folder / "secret.key"}"\n'
        '[logging]\nlevel = "warning"\n'
    )
    return subprocess.Popen(
        [sys.executable, "-m", "syncer", "-c", str(config), "web", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def wait_ready(client: httpx.AsyncClient) -> None:
    for _ in range(300):
        try:
            if (await client.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.05)
    raise RuntimeError("syncer web did not become ready")


def server_ms(response: httpx.Response) -> float:
    return float(response.headers["Server-Timing"].split("dur=")[1])


async def grid_times(client: httpx.AsyncClient, path: str, runs: int) -> tuple[float, float]:
    """Median server and client milliseconds of a grid page."""
    server, wall = [], []
    for _ in range(runs):
        started = time.perf_counter()
        response = await client.get(path)
        wall.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        server.append(server_ms(response))
    return statistics.median(server), statistics.median(wall)


def api_paths(skus: int, rng: random.Random) -> list[str]:
    """A mix a business's tools would send: first pages, filters, searches, one product."""
    choices = [
        lambda: "/api/v1/listings?limit=100",
        lambda: "/api/v1/listings?limit=100&status=banned",
        lambda: f"/api/v1/listings?limit=50&marketplace={rng.choice(MARKETPLACES)}",
        lambda: f"/api/v1/listings?sku=SKU-{rng.randrange(skus):06d}",
        lambda: f"/api/v1/listings?limit=20&q={rng.choice(WORDS).split()[1]}",
        lambda: f"/api/v1/products/SKU-{rng.randrange(skus):06d}",
    ]
    return [rng.choice(choices)() for _ in range(2000)]


Fetch = Callable[[str], Awaitable[tuple[int, float]]]
"""GET a path: its status and the server's time (``Server-Timing``, ms)."""


class KeepAlive:
    """One keep-alive HTTP/1.1 connection that parses just what these answers hold (a status,
    headers, a Content-Length body). It costs a few hundred microseconds of CPU a request where
    httpx costs ~4 ms, more than the server under test, on the same two cores: with httpx the
    saturating run measured the clients' own work (both figures are reported)."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.request_head = f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n"
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, path: str) -> tuple[int, float]:
        if self.streams is None:
            self.streams = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self.streams
        writer.write(f"GET {path} HTTP/1.1\r\n{self.request_head}".encode())
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = dict(line.lower().split(": ", 1) for line in head[1:] if line)
        if "content-length" not in headers:
            raise RuntimeError(f"{path}: expected a Content-Length body, got {head[0]}")
        await reader.readexactly(int(headers["content-length"]))
        return int(head[0].split(" ", 2)[1]), float(headers["server-timing"].split("dur=")[1])

    async def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            await self.streams[1].wait_closed()


def httpx_fetch(client: httpx.AsyncClient) -> Fetch:
    async def fetch(path: str) -> tuple[int, float]:
        response = await client.get(path)
        return response.status_code, server_ms(response)

    return fetch


async def api_latencies(
    fetchers: list[Fetch],
    paths: list[str],
    *,
    every_s: float = 0.0,
    server: list[float] | None = None,
) -> list[float]:
    """Client-side milliseconds of every request from concurrent clients (one per fetcher).

    ``every_s`` 0: each client sends its next request as soon as the last is answered (a
    saturating load: latency then measures throughput). Otherwise each client sends one
    request every ``every_s`` seconds, as dashboards and integrations do. ``server`` collects
    each answer's time inside the app (its ``Server-Timing``), to tell the server's share of a
    latency from queueing and from the clients' own work on this shared machine.
    """
    queue = list(reversed(paths))
    latencies: list[float] = []

    async def worker(fetch: Fetch, offset: float) -> None:
        await asyncio.sleep(offset)
        while queue:
            path = queue.pop()
            started = time.perf_counter()
            status, in_app = await fetch(path)
            elapsed = time.perf_counter() - started
            latencies.append(elapsed * 1000)
            if status != 200:
                raise RuntimeError(f"{path}: HTTP {status}")
            if server is not None:
                server.append(in_app)
            if every_s:
                await asyncio.sleep(max(0.0, every_s - elapsed))

    spread = every_s / len(fetchers)
    await asyncio.gather(*(worker(fetch, n * spread) for n, fetch in enumerate(fetchers)))
    return latencies


def server_cpu_s(pid: int) -> float:
    """CPU seconds the server process has used (user + system, all its threads)."""
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


async def run(*, quick: bool = False) -> Report:
    listings = 2_000 if quick else 10_000
    clients = 20
    report = Report(f"web: grid and listings API over {listings:,} listings (SQLite)")
    with tempfile.TemporaryDirectory(prefix="bench-web-") as name:
        folder = Path(name)
        url = f"sqlite:///{folder / 'syncer.db'}"
        migrate.upgrade(url)
        token = await seed(url, listings)
        port = free_port()
        server = start_server(folder, url, port)
        try:
            limits = httpx.Limits(max_connections=clients)
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}",
                headers={"Authorization": f"Bearer {token}"},
                cookies={"syncer_token": token},
                limits=limits,
                timeout=30,
            ) as client:
                await wait_ready(client)
                await grid_times(client, "/grid", 3)  # warm-up: templates compiled, caches
                grid, grid_wall = await grid_times(client, "/grid", 15)
                search, _ = await grid_times(client, "/grid?q=gayo&status=banned", 15)
                paths = api_paths(listings // len(MARKETPLACES), random.Random(3))
                with_httpx = [httpx_fetch(client)] * clients
                await api_latencies(with_httpx, paths[:200])  # warm-up
                httpx_latencies = await api_latencies(with_httpx, paths)
                lean = [KeepAlive(port, token) for _ in range(clients)]
                fetchers: list[Fetch] = [connection.get for connection in lean]
                in_app: list[float] = []
                cpu_before = server_cpu_s(server.pid)
                client_before = time.process_time()
                started = time.perf_counter()
                latencies = await api_latencies(fetchers, paths, server=in_app)
                wall_s = time.perf_counter() - started
                server_cpu_ms = (server_cpu_s(server.pid) - cpu_before) * 1000 / len(paths)
                client_cpu_ms = (time.process_time() - client_before) * 1000 / len(paths)
                paced = await api_latencies(fetchers, paths[:600], every_s=PACE_S)
                for connection in lean:
                    await connection.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    api = p95(latencies)
    report.add(
        "grid page, first 100 SKUs x 4 shops",
        f"{grid:.1f} ms",
        f"server; {grid_wall:.1f} ms client, target < 300",
    )
    report.add("grid page, search + status filter", f"{search:.1f} ms", "server time")
    report.add(
        f"listings API p95 at {clients} clients",
        f"{api:.1f} ms",
        f"client; {len(latencies)} requests, target < 50",
    )
    report.add("listings API median", f"{statistics.median(latencies):.1f} ms", "client")
    report.add(
        f"listings API p95 / median at {clients} clients, httpx clients",
        f"{p95(httpx_latencies):.1f} / {statistics.median(httpx_latencies):.1f} ms",
        "the same load sent by httpx, whose own CPU is part of these latencies",
    )
    report.add(
        "listings API in the app, p95 / median",
        f"{p95(in_app):.1f} / {statistics.median(in_app):.1f} ms",
        f"server time of the same requests; {server_cpu_ms:.2f} ms server CPU per request",
    )
    report.add(
        "CPU per API request: server / these clients",
        f"{server_cpu_ms:.2f} / {client_cpu_ms:.2f} ms",
        "both on this machine's cores: their sum bounds the saturating rate",
    )
    report.add(
        f"listings API p95, {clients} clients at 1 request / {PACE_S} s each",
        f"{p95(paced):.1f} ms",
        f"client; {len(paced)} requests",
    )
    report.figures = {
        "listings": listings,
        "grid_ms": round(grid, 1),
        "grid_search_ms": round(search, 1),
        "api_p95_ms": round(api, 1),
        "api_median_ms": round(statistics.median(latencies), 1),
        "api_paced_p95_ms": round(p95(paced), 1),
        "api_httpx_p95_ms": round(p95(httpx_latencies), 1),
        "api_httpx_median_ms": round(statistics.median(httpx_latencies), 1),
        "api_requests_per_s": round(len(latencies) / wall_s, 1),
        "api_server_p95_ms": round(p95(in_app), 1),
        "api_server_cpu_ms": round(server_cpu_ms, 2),
        "api_client_cpu_ms": round(client_cpu_ms, 2),
        "clients": clients,
    }
    return report
