"""The OAuth code and refresh flow against the sandbox over a real socket."""

from __future__ import annotations

from dataclasses import replace

import pytest
from structlog.testing import capture_logs

from syncer.errors import FatalError, NeedsReauthError
from tests.adapters.tiktok.rig import Bare, bare

__all__ = ["bare"]


async def test_a_code_gives_tokens_with_absolute_expiry_and_the_shop_cipher(bare: Bare) -> None:
    """Get Access Token, then Get Authorized Shops: the shop's cipher is stored with the tokens."""
    creds = await bare.connect()
    now = bare.clock.now().timestamp()
    assert creds["shop_cipher"] == bare.sandbox.credentials()["shop_cipher"]
    assert creds["shop_name"]
    assert creds["shop_region"] == "ID"
    assert 7 * 86_400 - 60 < int(creds["access_expires_at"]) - now <= 7 * 86_400
    assert int(creds["refresh_expires_at"]) > int(creds["access_expires_at"])
    assert creds["app_secret"] == bare.app_credentials()["app_secret"]


async def test_a_code_works_once(bare: Bare) -> None:
    code = str(bare.sandbox.credentials()["code"])
    adapter = bare.adapter(bare.app_credentials())
    try:
        await adapter.authorize(code)
        with pytest.raises(NeedsReauthError, match="auth_code"):
            await adapter.authorize(code)
    finally:
        await adapter.aclose()


async def test_a_shop_that_did_not_authorize_the_app_is_named(bare: Bare) -> None:
    """Connecting with the wrong shop id says which shops did authorize the app."""
    adapter = bare.adapter(bare.app_credentials())
    adapter.context = replace(adapter.context, shop_external_id="123")
    try:
        with pytest.raises(FatalError, match=str(bare.sandbox.credentials()["shop_id"])):
            await adapter.authorize(str(bare.sandbox.credentials()["code"]))
    finally:
        await adapter.aclose()


async def test_the_token_is_refreshed_ahead_of_its_expiry_and_saved_first(bare: Bare) -> None:
    """Six days and 23.5 hours later a pull refreshes first, saves, then reads."""
    creds = await bare.connect()
    bare.advance(7 * 86_400 - 1_800)
    adapter = bare.adapter()
    try:
        page = await adapter.fetch_items([])
    finally:
        await adapter.aclose()
    assert page.listings == []
    assert bare.vault.saves == 1
    assert bare.vault.stored["access_token"] != creds["access_token"]
    assert int(bare.vault.stored["access_expires_at"]) > int(creds["access_expires_at"])


async def test_an_expired_token_is_refreshed_once_and_the_call_succeeds(bare: Bare) -> None:
    """105002 on a call: one refresh, then the same call again."""
    await bare.connect()
    bare.control("auth/expire", {})
    adapter = bare.adapter()
    try:
        item_id = next(iter(bare.sandbox.store.products))
        page = await adapter.fetch_items([str(item_id)])
    finally:
        await adapter.aclose()
    assert page.listings
    assert adapter.keeper.refreshes == 1


async def test_a_revoked_grant_needs_reauthorization(bare: Bare) -> None:
    """After the seller deauthorizes: token refused, refresh refused → needs re-auth."""
    await bare.connect()
    bare.control("auth/revoke", {})
    adapter = bare.adapter()
    try:
        with pytest.raises(NeedsReauthError):
            await adapter.fetch_items([str(next(iter(bare.sandbox.store.products)))])
    finally:
        await adapter.aclose()


async def test_missing_shop_credentials_ask_for_a_reconnect(bare: Bare) -> None:
    adapter = bare.adapter(bare.app_credentials())
    try:
        with pytest.raises(NeedsReauthError, match="access_token, shop_cipher"):
            await adapter.fetch_items(["1"])
    finally:
        await adapter.aclose()


async def test_an_expired_refresh_token_needs_reauthorization_without_a_call(bare: Bare) -> None:
    """A year later the stored refresh expiry has passed: say so instead of trying."""
    await bare.connect()
    bare.advance(366 * 86_400)
    adapter = bare.adapter()
    try:
        with pytest.raises(NeedsReauthError, match="refresh token has expired"):
            await adapter.fetch_items(["1"])
    finally:
        await adapter.aclose()


async def test_no_secret_reaches_the_logs_through_retries_and_refreshes(bare: Bare) -> None:
    """Token calls carry the app secret in their query; retried and refreshed, it is never
    logged, nor are the tokens."""
    with capture_logs() as logs:
        creds = await bare.connect()
        bare.control("auth/expire", {})
        bare.sandbox.kit.faults.reseed(3)  # the same fates every run: retries, then success
        bare.sandbox.kit.faults.configure({"error_rate": 0.3, "error_status": 503})
        adapter = bare.adapter()
        try:
            await adapter.fetch_items([str(item) for item in list(bare.sandbox.store.products)[:6]])
        finally:
            await adapter.aclose()
            bare.sandbox.kit.faults.reset()
    text = repr(logs)
    assert any(entry["event"] == "http.retry_scheduled" for entry in logs)
    assert any(entry["event"] == "auth.token_refreshed" for entry in logs)
    for secret in (creds["app_secret"], creds["access_token"], creds["refresh_token"]):
        assert secret not in text
