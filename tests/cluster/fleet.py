"""Many Shopee shops on one loopback server: one real sandbox per shop, routed by ``shop_id``.

Every Shopee call names its shop in the query string, so one ASGI dispatcher can put a whole
fleet of independent sandboxes (own catalog, tokens, stats and in-flight counter) behind one
socket, as one partner app sees the real API. Control calls take ``?shop_id=`` too.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

from starlette.types import Receive, Scope, Send

from adapters.shopee.sandbox import ShopeeSandbox
from syncer.domain import Clock
from syncer.sandbox import LimitRule, SandboxServer
from syncer.store import CredentialCipher, Database
from syncer.store import shops as shop_store

PARTNER_ID = 2_000_001
PARTNER_KEY = "fleet-partner-key-" + "0" * 46
FIRST_SHOP = 700_000_000


class FleetApp:
    def __init__(self, sandboxes: dict[int, ShopeeSandbox]) -> None:
        self.sandboxes = sandboxes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = parse_qs(scope.get("query_string", b"").decode())
        shop = query.get("shop_id", [""])[0]
        sandbox = self.sandboxes.get(int(shop)) if shop.isdigit() else None
        if sandbox is None:
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b'{"error": "no such shop"}'})
            return
        await sandbox.app(scope, receive, send)


@dataclass
class Fleet:
    sandboxes: dict[int, ShopeeSandbox]  # by external shop id
    base_url: str
    shop_ids: dict[int, int]  # external shop id -> our shop id

    def sandbox_of(self, shop_id: int) -> ShopeeSandbox:
        external = {ours: ext for ext, ours in self.shop_ids.items()}[shop_id]
        return self.sandboxes[external]

    def max_in_flight(self) -> int:
        return max(s.kit.stats.max_in_flight for s in self.sandboxes.values())


@contextmanager
def fleet_server(shops: int, listings: int) -> Iterator[tuple[dict[int, ShopeeSandbox], str]]:
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
    with SandboxServer(FleetApp(sandboxes)) as server:
        yield sandboxes, server.base_url


async def connect_fleet(
    database: Database, cipher: CredentialCipher, clock: Clock, sandboxes: dict[int, ShopeeSandbox]
) -> dict[int, int]:
    """Store every shop with its current tokens, as ``syncer shops add`` would have."""
    now = clock.now()
    ids: dict[int, int] = {}
    async with database.write() as connection:
        business = await shop_store.ensure_business(connection, "fleet", "Fleet", now)
        for external, sandbox in sandboxes.items():
            creds = sandbox.credentials()
            expires = int(now.timestamp()) + int(str(creds["access_token_expire_in"]))
            secret = {
                "partner_id": str(PARTNER_ID),
                "partner_key": PARTNER_KEY,
                "access_token": str(creds["access_token"]),
                "refresh_token": str(creds["refresh_token"]),
                "access_expires_at": str(expires),
            }
            ids[external] = await shop_store.add_shop(
                connection,
                business_id=business,
                marketplace="shopee",
                external_shop_id=str(external),
                name=f"Toko {external}",
                credentials=cipher.encrypt(secret),
                pull_interval_minutes=15,
                now=now,
            )
    return ids


def write_config(
    path: Path, *, database_url: str, key_file: Path, base_url: str, **daemon: object
) -> Path:
    """A config file for worker processes; ``daemon`` adds [daemon] keys."""
    lines = [
        f'[database]\nurl = "{database_url}"',
        f'[secrets]\nkey_file = "{key_file}"',
        "[daemon]",
        *(f"{key} = {_toml(value)}" for key, value in daemon.items()),
        f'[marketplaces.shopee]\nbase_url = "{base_url}"',
        "requests_per_second = 1000.0\nburst = 100\nconcurrency = 1\ntimeout_seconds = 10.0",
        "[marketplaces.shopee.retry]\ninitial_wait_seconds = 0.05\nmax_wait_seconds = 0.5",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def syncer_command(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "syncer", "--config", str(config), *args]


def clean_environment() -> dict[str, str]:
    """The test's environment without SYNCER_* (the config file says everything)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SYNCER_")}
