"""Shopee Open Platform v2: adapter, pure mapping, signing and a local sandbox."""

from __future__ import annotations

from adapters.shopee.adapter import ShopeeAdapter

__all__ = ["ShopeeAdapter"]
