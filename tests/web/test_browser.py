"""The web pages in a real browser (Debian's chromium, driven by Playwright) over a socket:
the grid of a pulled Shopee sandbox shop, filtered to one SKU, and that SKU's detail page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright

from syncer.store.access import create_token
from tests.engine.shopee_rig import ShopeeRig
from tests.web.conftest import served

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="Debian's chromium is not installed (apt-get install chromium; .ci/run does it)",
)


async def pulled_shop_with_history(rig: ShopeeRig) -> tuple[str, str]:
    """A full pull, a repriced and a banned listing, an incremental pull; returns (sku, title)."""
    engine = rig.runtime.pull_engine
    await engine.run(rig.shop, full=True)
    truth = await rig.truth()
    item, model = next(key for key, row in truth.items() if row[0] and key[1])
    await rig.mutate(action="set_price", item_id=int(item), model_id=int(model), price=123_400)
    banned = next(key[0] for key in sorted(truth) if key[0] != item)
    await rig.mutate(action="ban", item_id=int(banned))
    await engine.run(rig.shop)
    sku, title = truth[(item, model)][0], truth[(item, model)][1]
    return str(sku), str(title)


async def log_in(page: Page, base: str, token: str) -> None:
    await page.goto(f"{base}/grid")
    assert "/login" in page.url  # the pages ask for a token first
    await page.fill("#token", token)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/grid")


@pytest.mark.listings(300)
async def test_grid_filter_to_one_sku_and_its_detail_page(
    shopee_rig: ShopeeRig, tmp_path: Path
) -> None:
    """Log in, see the grid, search one SKU, open it: its listing, new price and history."""
    sku, title = await pulled_shop_with_history(shopee_rig)
    token = await create_token(
        shopee_rig.runtime.database, business="toko", operator=False, label="browser"
    )
    async with served(shopee_rig.runtime) as base, async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            await log_in(page, base, token)
            rows = page.locator("table.grid tbody tr")
            assert await rows.count() == 100  # the first page of SKUs
            await page.screenshot(path=tmp_path / "grid.png", full_page=False)

            await page.fill("input[name=q]", sku)
            await page.press("input[name=q]", "Enter")
            await page.wait_for_url(f"**/grid?*q={sku}*")
            assert await rows.count() == 1, (sku, page.url, await page.content())
            assert await rows.first.locator("th.product a").inner_text() == sku
            assert "Rp123.400" in await rows.first.inner_text()

            await rows.first.locator("th.product a").click()
            await page.wait_for_url(f"**/products/{sku}")
            assert await page.locator("h1.sku").inner_text() == sku
            assert title in await page.locator(".subtitle").inner_text()
            history = page.locator("table.list tbody tr")
            assert await history.count() >= 1
            assert "Rp123.400" in await page.locator("table.list").inner_text()
            await page.screenshot(path=tmp_path / "product.png", full_page=True)

            await page.set_viewport_size({"width": 390, "height": 844})  # a phone
            await page.goto(f"{base}/grid?lang=en")
            assert await page.locator("header nav a").first.inner_text() == "Products"
            await page.screenshot(path=tmp_path / "grid-phone.png")
        finally:
            await browser.close()
    assert (tmp_path / "grid.png").stat().st_size > 10_000
    assert (tmp_path / "product.png").stat().st_size > 10_000
