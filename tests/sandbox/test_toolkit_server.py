"""Serving sandboxes: in a thread, in a child process, and the common control API."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from adapters.shopee.sandbox import ShopeeSandbox
from syncer.sandbox import MarketplaceSandbox, SandboxProcess, SandboxServer
from tests.sandbox.shopee_raw import SHOP_INFO, RawShopee


async def hello(request: Request) -> PlainTextResponse:
    return PlainTextResponse("halo")


def test_server_serves_on_an_ephemeral_loopback_port_and_stops() -> None:
    """Port 0 picks a free port; the base URL answers until stop()."""
    server = SandboxServer(Starlette(routes=[Route("/", hello)]))
    with server:
        assert server.base_url.startswith("http://127.0.0.1:")
        assert httpx.get(server.base_url + "/").text == "halo"
        url = server.base_url
    with pytest.raises(RuntimeError):
        _ = server.base_url
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/")


def test_shopee_sandbox_satisfies_the_sandbox_protocol() -> None:
    """Every marketplace sandbox has ``app`` and ``credentials()`` and takes seed/listings."""
    sandbox = ShopeeSandbox(seed=1, listings=10)
    assert isinstance(sandbox, MarketplaceSandbox)
    assert {"partner_id", "partner_key", "shop_id", "access_token"} <= set(sandbox.credentials())


def test_a_sandbox_runs_in_a_separate_process() -> None:
    """SandboxProcess starts ``python -m syncer.sandbox`` and reports URL and credentials."""
    factory = "adapters.shopee.sandbox:ShopeeSandbox"
    with SandboxProcess(factory, {"seed": 3, "listings": 50}) as process:
        assert process.pid > 0
        with httpx.Client(base_url=process.base_url, timeout=10) as client:
            shopee = RawShopee(client, process.credentials)
            assert shopee.ok(SHOP_INFO)["region"] == "ID"
            assert len(shopee.truth()) == 50


def test_a_broken_factory_fails_to_start_with_a_clear_error() -> None:
    """A factory that does not exist makes start() raise instead of hanging."""
    with pytest.raises(RuntimeError, match="did not become ready"):
        SandboxProcess("adapters.shopee.sandbox:NoSuchSandbox", startup_timeout=30).start()


def test_common_control_api_moves_the_clock_and_resets(shopee: RawShopee) -> None:
    """clock, limits, faults and reset are shared by every sandbox under /_sandbox/."""
    before = shopee.control("GET", "clock")["unix"]
    after = shopee.control("POST", "clock", {"advance_seconds": 3600})["unix"]
    assert after - before in range(3599, 3603)
    assert shopee.control("POST", "clock", {"set": 1_700_000_000})["unix"] in range(
        1_700_000_000, 1_700_000_003
    )
    limits = shopee.control("POST", "limits", {"rate": 5, "burst": 7})
    assert limits["default"] == {"rate": 5.0, "burst": 7}
    faults = shopee.control("POST", "faults", {"latency_ms": 5})
    assert faults["latency_ms"] == 5.0
    shopee.control("POST", "reset")
    assert shopee.control("GET", "faults")["latency_ms"] == 0.0
    assert shopee.control("GET", "limits")["default"] == {"rate": 100.0, "burst": 100}
    assert abs(shopee.control("GET", "clock")["offset"]) < 1


def test_control_api_refuses_bad_bodies_with_a_reason(shopee: RawShopee) -> None:
    """A 400 with the reason, never a silent partial change."""
    response = shopee.client.post("/_sandbox/faults", json={"error_rate": 2})
    assert response.status_code == 400
    assert "0..1" in response.json()["error"]
    assert shopee.client.post("/_sandbox/limits", json={"rat": 5}).status_code == 400
    assert shopee.client.post("/_sandbox/clock", json={"advance": 5}).status_code == 400
    response = shopee.client.post("/_sandbox/mutate", content=b"{not json")
    assert response.status_code == 400


def test_limits_accept_per_second_as_the_rate(shopee: RawShopee) -> None:
    """``per_second`` is an alias of ``rate``."""
    limits = shopee.control("POST", "limits", {"per_second": 1e6, "burst": 1_000_000})
    assert limits["default"] == {"rate": 1e6, "burst": 1_000_000}


def test_faults_can_be_reseeded(shopee: RawShopee) -> None:
    """``seed`` restarts the fault RNG, so a run can be replayed."""
    shopee.control("POST", "faults", {"error_rate": 0.5, "seed": 5})
    first = [shopee.client.get("/api/v2/shop/get_shop_info").status_code for _ in range(20)]
    shopee.control("POST", "faults", {"seed": 5})
    second = [shopee.client.get("/api/v2/shop/get_shop_info").status_code for _ in range(20)]
    assert first == second
    assert 500 in first
