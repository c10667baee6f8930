"""Connecting a shop stores what operators watch from the first minute."""

from __future__ import annotations

from datetime import timedelta

from tests.engine.shopee_rig import ShopeeRig, shopee_rig

__all__ = ["shopee_rig"]  # the fixture, imported for pytest


async def test_a_shop_connected_with_a_code_shows_when_its_token_lapses(
    shopee_rig: ShopeeRig,
) -> None:
    expires = shopee_rig.shop.token_expires_at
    assert expires is not None
    now = shopee_rig.clock.now()
    assert now < expires <= now + timedelta(days=1)  # Shopee access tokens last 4 hours
