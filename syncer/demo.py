"""``syncer demo``: local sandbox marketplaces, a demo business connected to each, the daemon.

Shops are connected the way an operator would: app keys plus the seller's one-time code,
exchanged for tokens through the marketplace's own token endpoint. A little simulated market
activity (sales, price edits, bans) keeps the incremental pulls busy.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import random
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import structlog

from syncer.adapter import load_adapter
from syncer.engine.connect import authorize, connect_shop
from syncer.errors import ConfigError, NotFoundError
from syncer.runtime import Runtime
from syncer.sandbox import MarketplaceSandbox, SandboxServer
from syncer.sandbox.contract import ContractAction, ContractChange, ContractSandbox
from syncer.service import build_daemon
from syncer.store import shops as shop_store
from syncer.store.access import create_token
from syncer.web.app import bind

log = structlog.get_logger("syncer.demo")
ACTIVITY_EVERY_S = 20.0
ACTIVITY_MUTATIONS = 5
_ACTIVITY: tuple[ContractAction, ...] = ("sell", "set_price", "set_stock", "unlist", "relist")
_ACTIVITY_WEIGHTS = (50, 20, 20, 5, 5)


@dataclass
class RunningSandbox:
    marketplace: str
    sandbox: MarketplaceSandbox
    server: SandboxServer
    credentials: dict[str, object]


def _sandbox_class(marketplace: str) -> Callable[..., MarketplaceSandbox]:
    adapter = load_adapter(marketplace)
    if not adapter.sandbox:
        raise ConfigError(f"marketplace {marketplace!r} has no sandbox to run in the demo")
    module_name, _, class_name = adapter.sandbox.partition(":")
    factory: Callable[..., MarketplaceSandbox] = getattr(
        importlib.import_module(module_name), class_name
    )
    return factory


def start_sandboxes(runtime: Runtime) -> list[RunningSandbox]:
    demo = runtime.settings.demo
    running: list[RunningSandbox] = []
    for marketplace, options in demo.sandboxes.items():
        sandbox = _sandbox_class(marketplace)(seed=demo.seed, listings=demo.listings)
        try:
            server = SandboxServer(sandbox.app, port=options.port).start()
        except OSError as exc:
            raise ConfigError(
                f"demo.sandboxes.{marketplace}.port {options.port}: cannot listen ({exc.strerror});"
                " stop whatever uses it or choose another port in config/demo.toml"
            ) from None
        running.append(RunningSandbox(marketplace, sandbox, server, sandbox.credentials()))
    return running


async def connect_demo_shops(runtime: Runtime, sandboxes: list[RunningSandbox]) -> None:
    """Connect each sandbox's shop, or give an existing one fresh tokens (sandboxes restart)."""
    demo = runtime.settings.demo
    for sandbox in sandboxes:
        adapter = load_adapter(sandbox.marketplace)
        creds = sandbox.credentials
        # What an operator types in: the app's keys, and the shop's own keys where the
        # marketplace has no one-time code (Blibli's Api-Seller-Key).
        wanted = adapter.app_credential_keys + adapter.shop_credential_keys
        app_keys = {key: str(creds[key]) for key in wanted if key in creds}
        shop_id, code = str(creds["shop_id"]), str(creds.get("code", ""))
        async with runtime.database.read() as connection:
            try:
                existing = await shop_store.find_shop(connection, shop_id)
            except NotFoundError:
                existing = None
        if existing is None:
            await connect_shop(
                runtime.database,
                runtime.adapters,
                business=demo.business,
                marketplace=sandbox.marketplace,
                external_shop_id=shop_id,
                name=f"{adapter.display_name} {demo.business_name}",
                credentials=app_keys,
                code=code,
                pull_interval_minutes=runtime.settings.daemon.pull_interval_minutes,
            )
        elif code:
            fresh = await authorize(runtime.adapters, sandbox.marketplace, shop_id, app_keys, code)
            await runtime.adapters.store_credentials(existing.id, fresh)
        else:
            await runtime.adapters.store_credentials(existing.id, app_keys)


async def market_activity(sandboxes: list[RunningSandbox], stop: asyncio.Event) -> None:
    """Random sales, price edits and status changes in the sandboxes, as real shops see."""
    rng = random.Random()
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), ACTIVITY_EVERY_S)
        for running in sandboxes:
            if isinstance(running.sandbox, ContractSandbox):
                await asyncio.to_thread(_stir, running.sandbox, rng)


def _stir(sandbox: ContractSandbox, rng: random.Random) -> None:
    units = sandbox.expected_listings()
    for unit in rng.sample(units, min(ACTIVITY_MUTATIONS, len(units))):
        action, value = rng.choices(_ACTIVITY, _ACTIVITY_WEIGHTS)[0], 0
        if action == "sell":
            if unit.stock == 0:
                continue
            value = rng.randint(1, min(unit.stock, 3))
        elif action == "set_price":
            value = max(1_000, round(unit.price * rng.uniform(0.85, 1.2) / 100) * 100)
        elif action == "set_stock":
            value = rng.randint(0, 200)
        sandbox.apply(ContractChange(action=action, key=unit.key, value=value))


async def demo_tokens(runtime: Runtime) -> tuple[str, str]:
    """A token for the demo business and one for an operator (shown once, stored hashed)."""
    database, business = runtime.database, runtime.settings.demo.business
    return (
        await create_token(database, business=business, operator=False, label="demo business"),
        await create_token(database, business=None, operator=True, label="demo operator"),
    )


def _banner(
    runtime: Runtime,
    sandboxes: list[RunningSandbox],
    web_socket: socket.socket,
    tokens: tuple[str, str],
) -> str:
    host, port = web_socket.getsockname()[:2]
    url = f"http://{host}:{port}"
    lines = ["", "Demo is running (Ctrl+C to stop).", ""]
    lines += [
        f"  web pages and API: {url}/  (API docs: {url}/docs)",
        f"  business token ({runtime.settings.demo.business}): {tokens[0]}",
        f"  operator token: {tokens[1]}",
        "",
    ]
    for sandbox in sandboxes:
        lines.append(
            f"  {sandbox.marketplace} sandbox: {sandbox.server.base_url}"
            f"  (control API: {sandbox.server.base_url}/_sandbox/truth)"
        )
    lines += [
        f"  database: {runtime.settings.database.url}",
        "",
        "In a second shell:",
        "  .venv/bin/syncer status              listings by shop and status",
        "  .venv/bin/syncer status --json       every listing as JSON",
        "  .venv/bin/syncer runs                sync runs with their counts",
        "  .venv/bin/syncer shops list          connected shops and their auth state",
        "  .venv/bin/syncer -c config/demo.toml sync 1 --full --wait   a manual full reconcile",
        "  .venv/bin/syncer products list       master products linked across the four shops",
        "  .venv/bin/syncer products set-stock SKU 7   pushed to every linked listing",
        f'  curl -H "Authorization: Bearer {tokens[0]}" "{url}/api/v1/listings?limit=5"',
        "",
    ]
    return "\n".join(lines)


def _pointed_at(runtime: Runtime, sandboxes: list[RunningSandbox]) -> Runtime:
    """The runtime with each demo marketplace's base URL set to its running sandbox."""
    marketplaces = dict(runtime.settings.marketplaces)
    for sandbox in sandboxes:
        section = runtime.settings.marketplace(sandbox.marketplace)
        update: dict[str, object] = {"base_url": sandbox.server.base_url}
        client_settings = getattr(sandbox.sandbox, "client_settings", None)
        if client_settings is not None:  # its budget, a feed folder for a feed-only one ...
            wanted = dict(client_settings(sandbox.server.base_url, Path("var/demo")))
            extra = {k: str(v) for k, v in dict(wanted.pop("extra", {})).items()}
            update |= wanted
            update["extra"] = {**extra, **section.extra}  # the config file has the last word
        marketplaces[sandbox.marketplace] = section.model_copy(update=update)
    settings = runtime.settings.model_copy(update={"marketplaces": marketplaces})
    return Runtime.from_settings(settings, runtime.clock)


async def run_demo(runtime: Runtime) -> None:
    await asyncio.to_thread(runtime.migrate)
    sandboxes = start_sandboxes(runtime)
    runtime = _pointed_at(runtime, sandboxes)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await connect_demo_shops(runtime, sandboxes)
        web = runtime.settings.web
        web_socket = bind(web.host, web.port)
        tokens = await demo_tokens(runtime)
        print(_banner(runtime, sandboxes, web_socket, tokens), flush=True)
        activity = asyncio.create_task(market_activity(sandboxes, stop))
        await build_daemon(runtime, web_socket=web_socket).run(stop)
        await activity
    finally:
        await runtime.close()
        for sandbox in sandboxes:
            sandbox.server.stop()
