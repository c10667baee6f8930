"""``syncer products``, ``push``, ``links``, ``rules`` and the pushes in ``status``, as a user
runs them: a real Shopee sandbox over loopback, the CLI in a subprocess."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from adapters.shopee.sandbox import ShopeeSandbox
from syncer.engine.connect import connect_shop
from syncer.runtime import Runtime
from syncer.sandbox import LimitRule, SandboxServer
from syncer.settings import load_settings
from syncer.store import catalog, migrate
from syncer.store.catalog_links import auto_link
from tests.cli.test_cli import assert_one_line_error, config, syncer


@dataclass
class Setup:
    config: Path
    cwd: Path
    control: httpx.AsyncClient
    sku: str
    item_id: str
    variant_id: str
    listing_id: int

    def run(self, *args: str) -> tuple[int, str, str]:
        result = syncer("--config", str(self.config), *args, cwd=self.cwd)
        return result.returncode, result.stdout, result.stderr

    async def shown_stock(self) -> int:
        response = await self.control.get("/_sandbox/truth")
        rows = {(r["item_id"], r["model_id"]): r for r in response.json()["listings"]}
        return int(rows[(self.item_id, self.variant_id)]["stock"])


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[Setup]:
    sandbox = ShopeeSandbox(seed=5, listings=60, limit=LimitRule(5000, 5000))
    with SandboxServer(sandbox.app) as server:
        path = config(tmp_path, f'[marketplaces.shopee]\nbase_url = "{server.base_url}"\n')
        migrate.upgrade(f"sqlite:///{tmp_path}/syncer.db")
        runtime = Runtime.from_settings(load_settings(path))
        creds = sandbox.credentials()
        shop = await connect_shop(
            runtime.database,
            runtime.adapters,
            business="toko",
            marketplace="shopee",
            external_shop_id=str(creds["shop_id"]),
            name="Toko Kopi",
            credentials={k: str(creds[k]) for k in ("partner_id", "partner_key")},
            code=str(creds["code"]),
            pull_interval_minutes=15,
        )
        await runtime.pull_engine.run(shop, full=True)
        async with runtime.database.write() as connection:
            await auto_link(connection, now=runtime.clock.now())
            chosen = next(
                row
                for row in await catalog.shop_listings(connection, shop.id)
                if row.status == "active" and row.product_id is not None
            )
            product = await catalog.get_product(connection, chosen.product_id or 0)
        await runtime.close()
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as control:
            await control.post(
                "/_sandbox/mutate", json={"action": "unpromote", "item_id": int(chosen.key[0])}
            )
            yield Setup(
                path,
                tmp_path,
                control,
                product.sku,
                chosen.key[0],
                chosen.key[1],
                chosen.listing_id,
            )


async def test_set_stock_then_push_shows_the_stock_on_the_marketplace(setup: Setup) -> None:
    """products set-stock SKU 7, then push: the sandbox reads 7, the push is verified."""
    code, out, err = setup.run("products", "set-stock", setup.sku, "7")
    assert code == 0, err
    assert "1 push(es) queued" in out

    code, out, err = setup.run("push", "--json")
    assert code == 0, err
    assert json.loads(out)["states"] == {"verified": 1}
    assert await setup.shown_stock() == 7

    code, out, _ = setup.run("products", "list", "--json")
    [product] = [p for p in json.loads(out) if p["sku"] == setup.sku]
    assert product["stock"] == 7
    code, out, err = setup.run("products", "show", setup.sku)
    assert code == 0, err
    assert "verified" in out


async def test_status_lists_failed_pushes_with_their_reason(setup: Setup) -> None:
    """A price change refused by a promotion: push exits 1, status names the reason."""
    await setup.control.post(
        "/_sandbox/mutate", json={"action": "promote", "item_id": int(setup.item_id)}
    )
    assert setup.run("products", "set-price", setup.sku, "Rp150.000")[0] == 0

    code, _, err = setup.run("push")
    assert code == 1
    assert "some pushes failed" in err
    code, out, _ = setup.run("status", "--limit", "1")
    assert code == 0
    assert "1 failed" in out
    assert "promotion" in out


def test_a_bad_amount_is_refused_with_what_is_allowed(setup: Setup) -> None:
    result = syncer(
        "--config", str(setup.config), "products", "set-price", setup.sku, "12.5", cwd=setup.cwd
    )
    assert_one_line_error(result, "'12.5'", "whole rupiah")
    unknown = syncer(
        "--config", str(setup.config), "products", "set-stock", "NOPE", "3", cwd=setup.cwd
    )
    assert_one_line_error(unknown, "no product with SKU 'NOPE'")


def test_links_unlink_and_link_by_hand(setup: Setup) -> None:
    """An unlinked listing is reported as such and not auto-linked again until linked."""
    listing_id = str(setup.listing_id)
    assert setup.run("links", "unlink", listing_id)[0] == 0
    assert setup.run("links", "auto")[1].startswith("linked 0 listing(s)")
    _, out, _ = setup.run("links", "unlinked", "--json")
    assert {"listing_id": int(listing_id), "reason": "unlinked by hand"}.items() <= next(
        issue for issue in json.loads(out) if issue["listing_id"] == int(listing_id)
    ).items()
    assert setup.run("links", "link", listing_id, setup.sku)[0] == 0
    _, out, _ = setup.run("links", "unlinked", "--json")
    assert int(listing_id) not in {issue["listing_id"] for issue in json.loads(out)}


def test_rules_set_and_show(setup: Setup) -> None:
    assert setup.run("rules", "set", "Toko Kopi", "stock_buffer=2", "price_rounding=100")[0] == 0
    code, out, _ = setup.run("rules", "show", "Toko Kopi")
    assert code == 0
    assert "stock_buffer" in out
    assert "this shop" in out
    bad = syncer(
        "--config",
        str(setup.config),
        "rules",
        "set",
        "Toko Kopi",
        "stock_percent=150",
        cwd=setup.cwd,
    )
    assert_one_line_error(bad, "stock_percent", "less than or equal to 100")


async def test_a_product_added_by_hand_and_a_value_for_one_listing(setup: Setup) -> None:
    """products add creates a master product; set-listing pushes to that listing alone."""
    code, out, err = setup.run(
        "products",
        "add",
        "TEH-TARIK-01",
        "--business",
        "toko",
        "--title",
        "Teh Tarik",
        "--price",
        "Rp12.500",
        "--stock",
        "3",
    )
    assert code == 0, err
    _, out, _ = setup.run("products", "list", "--json")
    assert {"sku": "TEH-TARIK-01", "price": 12_500, "stock": 3}.items() <= next(
        p for p in json.loads(out) if p["sku"] == "TEH-TARIK-01"
    ).items()

    assert setup.run("products", "set-listing", str(setup.listing_id), "--stock", "5")[0] == 0
    code, out, err = setup.run("push", "--json")
    assert code == 0, err
    assert json.loads(out)["states"] == {"verified": 1}
    assert await setup.shown_stock() == 5
