"""The server-rendered pages: login, the grid and its filters, a product, runs, languages."""

from __future__ import annotations

from tests.web.conftest import Site


async def log_in(site: Site, token: str) -> None:
    response = await site.client.post("/login", content=f"token={token}&next=/shops", headers=FORM)
    assert (response.status_code, response.headers["location"]) == (303, "/shops")


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def test_pages_ask_for_a_token_and_remember_it(site: Site) -> None:
    """Without a cookie the grid redirects to /login; logging in sets an HttpOnly cookie."""
    first = await site.client.get("/grid?status=banned")
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=/grid%3Fstatus%3Dbanned"
    await log_in(site, site.data.a.token)
    cookie = site.client.cookies.get("syncer_token")
    assert cookie == site.data.a.token
    assert (await site.client.get("/grid")).status_code == 200


async def test_a_bad_token_is_refused_on_the_login_page(site: Site) -> None:
    response = await site.client.post("/login", content="token=syn_wrong", headers=FORM)
    assert response.status_code == 401
    assert "Token tidak dikenal" in response.text


async def test_login_never_redirects_off_site(site: Site) -> None:
    body = f"token={site.data.a.token}&next=//evil.example/x"
    response = await site.client.post("/login", content=body, headers=FORM)
    assert response.headers["location"] == "/grid"


async def test_the_grid_shows_each_sku_per_shop_with_status_price_and_reason(site: Site) -> None:
    """One row per SKU, a column per shop, the ban's reason, and Belanja marked feed only."""
    await log_in(site, site.data.a.token)
    page = (await site.client.get("/grid")).text
    assert page.count("<tr>") - 1 == len(site.data.a.skus)  # header row + one per SKU
    assert "Foto melanggar aturan" in page
    assert "hanya feed" in page
    assert "Rp85.000" in page


async def test_the_grid_filters_by_status_and_text(site: Site) -> None:
    await log_in(site, site.data.a.token)
    banned = (await site.client.get("/grid?status=banned&marketplace=&q=")).text
    assert site.data.a.skus[0] in banned
    assert site.data.a.skus[2] not in banned
    found = (await site.client.get("/grid?q=sambal")).text
    assert site.data.a.skus[2] in found
    assert site.data.a.skus[0] not in found
    bad = await site.client.get("/grid?status=sold")
    assert bad.status_code == 422
    assert "status" in bad.text


async def test_english_labels_on_request_and_kept_in_a_cookie(site: Site) -> None:
    await log_in(site, site.data.a.token)
    english = await site.client.get("/grid?lang=en")
    assert "Products" in english.text
    assert "feed only" in english.text
    assert "Products" in (await site.client.get("/shops")).text  # the cookie keeps it


async def test_the_product_page_shows_history(site: Site) -> None:
    await log_in(site, site.data.a.token)
    page = (await site.client.get(f"/products/{site.data.a.skus[1]}")).text
    assert "Rp18.500" in page
    assert "Rp20.000" in page  # repriced by the second pull


async def test_the_product_page_shows_its_pushes_with_reasons(site: Site) -> None:
    """The push to the product's listing, failed with the marketplace's reason, in Indonesian
    and in English; a product without pushes says so; another business's pushes never show."""
    await log_in(site, site.data.a.token)
    page = (await site.client.get(f"/products/{site.data.a.skus[1]}")).text
    pushes = page.split("Riwayat pembaruan ke marketplace", 1)[1]
    assert "Harga di luar batas yang diizinkan marketplace" in pushes
    assert "Rp90.000" in pushes
    assert "gagal" in pushes
    assert "\u00d71" in pushes  # one attempt so far
    english = (await site.client.get(f"/products/{site.data.a.skus[1]}?lang=en")).text
    assert "Pushes to marketplaces" in english
    assert "failed" in english
    quiet = (await site.client.get(f"/products/{site.data.a.skus[2]}?lang=id")).text
    assert "Belum ada pembaruan yang dikirim." in quiet
    await log_in(site, site.data.b.token)
    other = (await site.client.get(f"/products/{site.data.b.skus[1]}")).text
    assert other.count("Harga di luar batas") == 1  # b's own failed push, not a's as well


async def test_runs_page_and_its_live_fragment(site: Site) -> None:
    """Running runs mark the table live; the fragment holds only the rows."""
    await log_in(site, site.data.a.token)
    page = (await site.client.get("/runs")).text
    assert 'data-active="yes"' in page
    fragment = (await site.client.get("/runs?fragment=1")).text
    assert fragment.lstrip().startswith("<tr")
    assert fragment.count('data-state="running"') == 2


async def test_operators_get_a_sync_button_that_queues_a_run(site: Site) -> None:
    """The button asks for an incremental pull; the shop's running one absorbs it (nothing
    runs twice) and the runs page of that shop shows it."""
    await log_in(site, site.data.operator_token)
    shops = (await site.client.get("/shops")).text
    shop = site.data.a.shop_ids[0]
    assert f'action="/shops/{shop}/sync"' in shops
    response = await site.client.post(f"/shops/{shop}/sync")
    assert (response.status_code, response.headers["location"]) == (303, f"/runs?shop={shop}")
    runs = (await site.client.get(f"/runs?shop={shop}")).text
    assert runs.count('data-state="running"') == 1


async def test_businesses_get_no_sync_button_and_cannot_post_one(site: Site) -> None:
    await log_in(site, site.data.a.token)
    assert "/sync" not in (await site.client.get("/shops")).text
    response = await site.client.post(f"/shops/{site.data.a.shop_ids[0]}/sync")
    assert response.status_code == 403


async def test_the_grid_shows_master_values_and_drifted_prices(site: Site) -> None:
    await log_in(site, site.data.a.token)
    page = (await site.client.get("/grid")).text
    assert "Harga induk: Rp19.000" in page
    assert page.count('class="price drift"') == 2
