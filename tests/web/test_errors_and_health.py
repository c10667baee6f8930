"""Bad input answers 422 naming the field; errors are JSON; health, readiness and metrics."""

from __future__ import annotations

import pytest

from syncer.runtime import Runtime
from syncer.web import create_app
from tests.web.conftest import Site

BAD_QUERIES = [
    ("/api/v1/listings", {"limit": "many"}, "limit"),
    ("/api/v1/listings", {"limit": "0"}, "limit"),
    ("/api/v1/listings", {"limit": "501"}, "limit"),
    ("/api/v1/listings", {"status": "sold_out"}, "status"),
    ("/api/v1/listings", {"marketplace": "Shopee!"}, "marketplace"),
    ("/api/v1/listings", {"shop": "-1"}, "shop"),
    ("/api/v1/listings", {"cursor": "not-a-cursor"}, "cursor"),
    ("/api/v1/listings", {"business": "Toko A"}, "business"),
    ("/api/v1/runs", {"state": "done"}, "state"),
    ("/api/v1/runs", {"kind": "pull"}, "kind"),
    ("/api/v1/pushes", {"state": "lost"}, "state"),
    ("/api/v1/listings/abc", {}, "listing_id"),
    ("/api/v1/runs/0", {}, "run_id"),
]


@pytest.mark.parametrize(("path", "params", "field"), BAD_QUERIES)
async def test_bad_query_input_is_422_naming_the_field(
    site: Site, path: str, params: dict[str, str], field: str
) -> None:
    """The error names the field and says what is allowed, in JSON."""
    response = await site.client.get(path, params=params, headers=site.as_(site.data.a.token))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_input", field)
    assert error["message"].startswith(f"{field}: ")


async def test_a_cursor_of_another_list_is_refused(site: Site) -> None:
    """A runs cursor passed to listings is named as the wrong kind of cursor."""
    token = site.data.a.token
    runs = await site.client.get("/api/v1/runs", params={"limit": 1}, headers=site.as_(token))
    cursor = runs.json()["next_cursor"]
    response = await site.client.get(
        "/api/v1/listings", params={"cursor": cursor}, headers=site.as_(token)
    )
    assert response.status_code == 422
    assert "not a cursor of this list" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"operator": True, "business": "toko-a"}, "body"),
        ({"business": "Toko A!"}, "business"),
        ({"business": "toko-a", "label": "x" * 201}, "label"),
        ({"business": "toko-a", "extra": 1}, "extra"),
    ],
)
async def test_bad_bodies_are_422_naming_the_field(
    site: Site, body: dict[str, object], field: str
) -> None:
    response = await site.client.post(
        "/api/v1/tokens", json=body, headers=site.as_(site.data.operator_token)
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


async def test_a_body_that_is_not_json_is_422(site: Site) -> None:
    response = await site.client.post(
        "/api/v1/tokens",
        content=b"{not json",
        headers={**site.as_(site.data.operator_token), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


async def test_a_token_for_an_unknown_business_is_404(site: Site) -> None:
    response = await site.client.post(
        "/api/v1/tokens", json={"business": "toko-z"}, headers=site.as_(site.data.operator_token)
    )
    assert response.status_code == 404
    assert "toko-z" in response.json()["error"]["message"]


async def test_unknown_paths_and_methods_answer_json(site: Site) -> None:
    missing = await site.client.get("/api/v1/nothing", headers=site.as_(site.data.a.token))
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")
    wrong = await site.client.delete("/api/v1/listings", headers=site.as_(site.data.a.token))
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (405, "method_not_allowed")


async def test_a_sync_queued_while_no_daemon_runs_says_so(site: Site) -> None:
    """The run is queued all the same; the answer tells the operator to start the daemon."""
    shop = site.data.a.shop_ids[0]
    response = await site.client.post(
        f"/api/v1/shops/{shop}/sync", headers=site.as_(site.data.operator_token)
    )
    assert response.status_code == 202
    body = response.json()
    assert (body["executor_alive"], body["kind"]) == (False, "pull_incremental")
    assert "start `syncer run`" in body["message"]


async def test_health_and_readiness(site: Site) -> None:
    assert (await site.client.get("/healthz")).json() == {"status": "ok"}
    ready = await site.client.get("/readyz")
    assert (ready.status_code, ready.json()["status"]) == (200, "ready")


async def test_readiness_fails_on_an_unmigrated_database(tmp_path: object) -> None:
    """A database without the schema is not ready, and the answer says what to run."""
    import httpx

    from tests.conftest import make_settings

    runtime = Runtime.from_settings(make_settings(f"sqlite:///{tmp_path}/empty.db", tmp_path))  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/readyz")
    await runtime.close()
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "schema_behind"
    assert "syncer db upgrade" in response.json()["error"]["message"]


async def test_readiness_fails_when_the_database_is_unreachable(tmp_path: object) -> None:
    import httpx

    from tests.conftest import make_settings

    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    runtime = Runtime.from_settings(make_settings(url, tmp_path))  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/readyz")
    await runtime.close()
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_unreachable"


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    prefix = f"{name}{{{wanted}}} " if labels else f"{name} "
    lines = [line for line in text.splitlines() if line.startswith(prefix)]
    assert len(lines) == 1, f"{prefix!r} not in metrics:\n{text}"
    return float(lines[0].rsplit(" ", 1)[1])


async def test_metrics_count_runs_listings_pushes_and_shops(site: Site) -> None:
    """The figures equal the seeded store: 4 full runs succeeded, 4 running, listings by status."""
    text = (await site.client.get("/metrics")).text
    assert metric(text, "syncer_runs_total", kind="pull_full", state="succeeded") == 4
    assert metric(text, "syncer_runs_total", kind="pull_incremental", state="running") == 4
    assert metric(text, "syncer_run_duration_seconds_count", kind="pull_full") == 4
    assert metric(text, "syncer_run_duration_seconds_bucket", kind="pull_full", le="1.0") == 0
    assert metric(text, "syncer_run_duration_seconds_bucket", kind="pull_full", le="5.0") == 4
    assert metric(text, "syncer_run_duration_seconds_sum", kind="pull_full") == pytest.approx(
        12, abs=0.01
    )  # julianday: ms
    assert metric(text, "syncer_listings", marketplace="shopee", status="banned") == 2
    assert metric(text, "syncer_listings", marketplace="shopee", status="active") == 6
    assert metric(text, "syncer_pushes", marketplace="shopee", state="failed") == 2
    assert metric(text, "syncer_pushes", marketplace="shopee", state="pending") == 2
    assert metric(text, "syncer_shops", marketplace="belanja", auth_state="ok") == 2
