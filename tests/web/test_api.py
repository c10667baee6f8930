"""The API as a client meets it: filters, pages, one product, shops, runs, pushes, errors."""

from __future__ import annotations

from tests.web.conftest import Site


async def get(site: Site, path: str, token: str, **params: object) -> dict:  # type: ignore[type-arg]
    response = await site.client.get(path, params=params, headers=site.as_(token))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_business_token_says_who_it_is(site: Site) -> None:
    """/me names the role and the business of the token."""
    body = await get(site, "/api/v1/me", site.data.a.token)
    assert body == {"role": "business", "business": "toko-a", "label": "test"}


async def test_listings_filter_by_marketplace_shop_status_sku_and_text(site: Site) -> None:
    """Each filter narrows the list to exactly the matching listings."""
    a = site.data.a
    token = a.token
    everything = (await get(site, "/api/v1/listings", token))["items"]
    assert len(everything) == len(a.listing_ids) == 10
    belanja = (await get(site, "/api/v1/listings", token, marketplace="belanja"))["items"]
    assert {row["marketplace"] for row in belanja} == {"belanja"}
    assert len(belanja) == 5
    assert all(row["feed_only"] for row in belanja)
    shop = (await get(site, "/api/v1/listings", token, shop=a.shop_ids[0]))["items"]
    assert {row["shop_id"] for row in shop} == {a.shop_ids[0]}
    banned = (await get(site, "/api/v1/listings", token, status="banned"))["items"]
    assert [row["reason"] for row in banned] == ["Foto melanggar aturan"] * 2
    by_sku = (await get(site, "/api/v1/listings", token, sku=a.skus[2]))["items"]
    assert {row["sku"] for row in by_sku} == {a.skus[2]}
    assert len(by_sku) == 2
    text = (await get(site, "/api/v1/listings", token, q="sambal roa"))["items"]
    assert {row["title"] for row in text} == {"Sambal Roa Manado Botol 150 ml"}


async def test_text_search_takes_like_wildcards_literally(site: Site) -> None:
    """%, _ and the escape character match themselves, not any text."""
    token = site.data.a.token
    for needle in ("%", "_", "/", "Sambal%Botol", "Sambal_Roa"):
        found = (await get(site, "/api/v1/listings", token, q=needle))["items"]
        assert found == [], needle
    found = (await get(site, "/api/v1/listings", token, q="SAMBAL roa"))["items"]
    assert len(found) == 2


async def test_the_cursor_walks_every_listing_once(site: Site) -> None:
    """Pages of 3 follow next_cursor to the end, each listing exactly once."""
    seen: list[int] = []
    params: dict[str, object] = {"limit": 3}
    while True:
        body = await get(site, "/api/v1/listings", site.data.operator_token, **params)
        seen += [row["id"] for row in body["items"]]
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert sorted(seen) == sorted(site.data.a.listing_ids + site.data.b.listing_ids)
    assert len(seen) == len(set(seen))


async def test_one_product_shows_its_listings_on_every_marketplace_and_history(site: Site) -> None:
    """The product view has the SKU's listing on each shop and the ban in its events."""
    sku = site.data.a.skus[0]
    body = await get(site, f"/api/v1/products/{sku}", site.data.a.token)
    assert {row["marketplace"] for row in body["listings"]} == {"shopee", "belanja"}
    changes = {(e["field"], e["old_value"], e["new_value"]) for e in body["events"]}
    assert ("status", "active", "banned") in changes


async def test_one_listing_with_its_history(site: Site) -> None:
    """A repriced listing shows the old and new price in its events."""
    listing_id = site.data.a.listing_ids[1]
    body = await get(site, f"/api/v1/listings/{listing_id}", site.data.a.token)
    assert body["listing"]["id"] == listing_id
    assert [(e["field"], e["source"]) for e in body["events"]] == [("price", "pull")]


async def test_shops_show_auth_state_listing_counts_and_last_runs(site: Site) -> None:
    """Each shop carries its auth state, its listing count and the newest run of each kind."""
    shops = await get(site, "/api/v1/shops", site.data.a.token)
    assert [shop["id"] for shop in shops] == site.data.a.shop_ids  # type: ignore[index]
    first = shops[0]  # type: ignore[index]
    assert (first["auth_state"], first["listings"]) == ("ok", 5)
    assert {run["kind"]: run["state"] for run in first["last_runs"]} == {
        "pull_full": "succeeded",
        "pull_incremental": "running",
    }
    one = await get(site, f"/api/v1/shops/{first['id']}", site.data.a.token)
    assert one["name"] == first["name"]
    belanja = shops[1]  # type: ignore[index]
    assert belanja["feed_only"] is True


async def test_runs_newest_first_with_progress_filters_and_pages(site: Site) -> None:
    """Runs list newest first, filter by state and kind, page by cursor; one run has counts."""
    token = site.data.a.token
    body = await get(site, "/api/v1/runs", token, limit=1)
    assert body["items"][0]["id"] == max(site.data.a.run_ids)
    second = await get(site, "/api/v1/runs", token, limit=1, cursor=body["next_cursor"])
    assert second["items"][0]["id"] < body["items"][0]["id"]
    running = (await get(site, "/api/v1/runs", token, state="running"))["items"]
    assert {run["state"] for run in running} == {"running"}
    assert len(running) == 2
    full = (await get(site, "/api/v1/runs", token, kind="pull_full"))["items"]
    assert {run["kind"] for run in full} == {"pull_full"}
    run = await get(site, f"/api/v1/runs/{full[0]['id']}", token)
    assert (run["fetched"], run["created"], run["issues"]) == (5, 5, [])


async def test_pushes_pending_and_failed_with_their_reasons(site: Site) -> None:
    """By default pending and failed pushes are listed; a failed one says why."""
    pushes = (await get(site, "/api/v1/pushes", site.data.a.token))["items"]
    assert {p["state"] for p in pushes} == {"pending", "failed"}
    failed = (await get(site, "/api/v1/pushes", site.data.a.token, state="failed"))["items"]
    assert [p["reason"] for p in failed] == ["Harga di luar batas yang diizinkan marketplace"]


async def test_an_operator_sees_every_business_and_can_narrow_to_one(site: Site) -> None:
    """Operator tokens list both businesses' listings; business=slug narrows to one."""
    token = site.data.operator_token
    everything = (await get(site, "/api/v1/listings", token, limit=500))["items"]
    assert len(everything) == len(site.data.a.listing_ids) + len(site.data.b.listing_ids)
    only_b = (await get(site, "/api/v1/listings", token, business="toko-b"))["items"]
    assert {row["id"] for row in only_b} == set(site.data.b.listing_ids)
    shops = await get(site, "/api/v1/shops", token)
    assert {shop["business"] for shop in shops} == {"toko-a", "toko-b"}  # type: ignore[union-attr]


async def test_an_operator_creates_tokens_that_work_and_are_stored_hashed(site: Site) -> None:
    """A created business token reads its business; the plaintext is nowhere in the database."""
    response = await site.client.post(
        "/api/v1/tokens",
        json={"business": "toko-b", "label": "kasir"},
        headers=site.as_(site.data.operator_token),
    )
    assert response.status_code == 201, response.text
    token = response.json()["token"]
    me = await get(site, "/api/v1/me", token)
    assert (me["business"], me["label"]) == ("toko-b", "kasir")
    async with site.runtime.database.read() as connection:
        stored = (await connection.exec_driver_sql("SELECT token_hash FROM api_token")).all()
    assert token not in {row[0] for row in stored}


async def test_the_openapi_document_and_docs_page_are_served(site: Site) -> None:
    """/openapi.json lists the API's paths and /docs serves the interactive page."""
    schema = (await site.client.get("/openapi.json")).json()
    assert {"/api/v1/listings", "/api/v1/products/{sku}", "/api/v1/pushes"} <= set(schema["paths"])
    docs = await site.client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


async def test_a_product_row_holds_its_linked_listings_and_master_values(site: Site) -> None:
    """The master SKU gathers the listings linked to it, a hand-linked one included, and
    shows the master price the channels drifted from."""
    a = site.data.a
    body = await get(site, f"/api/v1/products/{a.skus[1]}", a.token)
    assert body["master"] == {
        "sku": a.skus[1],
        "title": "Keripik Balado (master)",
        "price": 19_000,
        "stock": 40,
    }
    skus = sorted(row["sku"] for row in body["listings"])
    assert skus == sorted([a.skus[1], a.skus[1], a.skus[-1]])
    assert {row["price"] for row in body["listings"] if row["sku"] == a.skus[1]} == {20_000}
    plain = await get(site, f"/api/v1/products/{a.skus[2]}", a.token)
    assert plain["master"] is None
