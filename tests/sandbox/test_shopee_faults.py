"""Rate limits and fault switches as a client sees them over the wire (Shopee error format)."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from adapters.shopee.sandbox import ShopeeSandbox
from syncer.sandbox import SandboxServer
from tests.sandbox.shopee_raw import ITEM_LIST, SHOP_INFO, UPDATE_STOCK, RawShopee, pick_item

LIST = {"offset": 0, "page_size": 5, "item_status": "NORMAL"}
TOO_MANY = ("error_server", "Too many requests, please try again later")


def test_rate_limit_answers_429_with_retry_after(shopee: RawShopee) -> None:
    """Per (shop, path) token bucket: over the burst, 429 + Retry-After (whole seconds >= 1)."""
    shopee.control("POST", "limits", {"rate": 0.5, "burst": 2})
    statuses = [shopee.get(ITEM_LIST, LIST).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    throttled = shopee.get(ITEM_LIST, LIST)
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) >= 1
    body = throttled.json()
    assert (body["error"], body["message"]) == TOO_MANY
    assert shopee.get(SHOP_INFO).status_code == 200  # another path has its own bucket
    stats = shopee.control("GET", "stats")
    assert stats["rate_limited"] == 2
    assert stats["statuses_by_path"][ITEM_LIST] == {"200": 2, "429": 2}
    assert shopee.control("GET", "limits")["rejected"] == 2


def test_rate_limit_refills_over_time(shopee: RawShopee) -> None:
    """After waiting Retry-After, the call goes through (real time, not the sandbox clock)."""
    shopee.control("POST", "limits", {"rate": 20, "burst": 1})
    assert shopee.get(ITEM_LIST, LIST).status_code == 200
    assert shopee.get(ITEM_LIST, LIST).status_code == 429
    time.sleep(0.06)
    assert shopee.get(ITEM_LIST, LIST).status_code == 200


def test_limits_can_be_set_per_path_or_switched_off(shopee: RawShopee) -> None:
    """Overrides key on the API path; ``enabled: false`` lifts the default limit."""
    shopee.control(
        "POST", "limits", {"enabled": False, "overrides": {SHOP_INFO: {"rate": 1, "burst": 1}}}
    )
    assert all(shopee.get(ITEM_LIST, LIST).status_code == 200 for _ in range(150))
    assert [shopee.get(SHOP_INFO).status_code for _ in range(2)] == [200, 429]


def test_error_rate_answers_server_errors_in_shopee_format(shopee: RawShopee) -> None:
    """error_server / "Something wrong. Please try later." with the configured 5xx status."""
    shopee.control("POST", "faults", {"error_rate": 1, "error_status": 503})
    response = shopee.get(ITEM_LIST, LIST)
    assert response.status_code == 503
    body = response.json()
    assert (body["error"], body["message"]) == (
        "error_server",
        "Something wrong. Please try later.",
    )
    assert len(body["request_id"]) == 32
    assert shopee.client.get("/_sandbox/truth").status_code == 200  # control is never faulted
    shopee.control("POST", "faults", {"reset": True})
    assert shopee.get(ITEM_LIST, LIST).status_code == 200


def test_faults_can_target_some_paths_only(shopee: RawShopee) -> None:
    """``paths`` prefixes limit the faults; other APIs keep working."""
    shopee.control("POST", "faults", {"error_rate": 1, "paths": ["/api/v2/product/update_"]})
    item_id, _ = pick_item(shopee, models=False)
    assert shopee.get(ITEM_LIST, LIST).status_code == 200
    body = {"item_id": item_id, "stock_list": [{"seller_stock": [{"stock": 3}]}]}
    assert shopee.post(UPDATE_STOCK, body).status_code == 500


def test_timeouts_hang_then_answer_504_without_applying(shopee: RawShopee) -> None:
    """The request hangs past the client's patience; the write it carried never lands."""
    shopee.control("POST", "faults", {"timeout_rate": 1, "timeout_seconds": 0.5})
    item_id, rows = pick_item(shopee, models=False)
    body = {"item_id": item_id, "stock_list": [{"seller_stock": [{"stock": rows[0]["stock"] + 9}]}]}
    query = shopee.common(UPDATE_STOCK)
    with pytest.raises(httpx.ReadTimeout):
        shopee.client.post(UPDATE_STOCK, params=query, json=body, timeout=0.1)
    patient = shopee.client.post(
        UPDATE_STOCK, params=shopee.common(UPDATE_STOCK), json=body, timeout=5
    )
    assert patient.status_code == 504
    assert patient.json()["error"] == "error_server"
    shopee.control("POST", "faults", {"reset": True})
    time.sleep(0.5)
    assert (
        next(r for r in shopee.truth() if r["item_id"] == str(item_id))["stock"] == rows[0]["stock"]
    )


def test_malformed_bodies_are_200_with_broken_json(shopee: RawShopee) -> None:
    """A 200 whose JSON body is cut short: the client must treat it as a failed call."""
    shopee.control("POST", "faults", {"malformed_rate": 1})
    response = shopee.get(ITEM_LIST, LIST)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert response.content.startswith(b'{"request_id":')


def test_a_storm_throttles_the_next_n_requests(shopee: RawShopee) -> None:
    """``storm: N`` answers exactly N requests with 429 and the configured Retry-After."""
    shopee.control("POST", "faults", {"storm": 3, "storm_retry_after": 2})
    responses = [shopee.get(ITEM_LIST, LIST) for _ in range(4)]
    assert [r.status_code for r in responses] == [429, 429, 429, 200]
    assert responses[0].headers["Retry-After"] == "2"
    assert (responses[0].json()["error"], responses[0].json()["message"]) == TOO_MANY
    assert shopee.control("GET", "faults")["counts"] == {"storm": 3}


def test_fault_sequences_are_reproducible_for_a_seed() -> None:
    """Same sandbox seed and switches: the same requests fail."""
    runs = []
    for _ in range(2):
        sandbox = ShopeeSandbox(seed=21, listings=20)
        with SandboxServer(sandbox.app) as server, httpx.Client(base_url=server.base_url) as client:
            shopee = RawShopee(client, sandbox.credentials())
            shopee.control("POST", "faults", {"error_rate": 0.5})
            runs.append([shopee.get(ITEM_LIST, LIST).status_code for _ in range(30)])
    assert runs[0] == runs[1]
    assert set(runs[0]) == {200, 500}


async def test_latency_shows_client_concurrency_in_stats(shopee: RawShopee) -> None:
    """With latency switched on, concurrent requests overlap and max_in_flight counts them."""
    shopee.control("POST", "faults", {"latency_ms": 150, "jitter_ms": 20})
    shopee.control("POST", "reset_stats")
    base_url = str(shopee.client.base_url)
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        started = time.monotonic()
        responses = await asyncio.gather(
            *(client.get(ITEM_LIST, params={**shopee.common(ITEM_LIST), **LIST}) for _ in range(6))
        )
        elapsed = time.monotonic() - started
    assert all(r.status_code == 200 for r in responses)
    assert elapsed >= 0.15
    stats = shopee.control("GET", "stats")
    assert stats["max_in_flight"] == 6
    assert stats["in_flight"] == 0
