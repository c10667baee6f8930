"""Typed ids of our own rows. Marketplace ids stay plain ``str`` (TikTok ids exceed 2^53)."""

from __future__ import annotations

from typing import NewType

BusinessId = NewType("BusinessId", int)
ShopId = NewType("ShopId", int)
RunId = NewType("RunId", int)
