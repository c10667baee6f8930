"""Display names and the "feed only" flag of marketplaces, from their adapter classes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from syncer.adapter import load_adapter
from syncer.errors import UnknownAdapterError


@dataclass(frozen=True, slots=True)
class MarketplaceInfo:
    name: str
    display_name: str
    feed_only: bool


@cache
def marketplace_info(name: str) -> MarketplaceInfo:
    """What the pages show for a marketplace; a shop of an uninstalled adapter still shows."""
    try:
        adapter = load_adapter(name)
    except (UnknownAdapterError, ImportError):
        return MarketplaceInfo(name, name.title(), feed_only=False)
    return MarketplaceInfo(name, adapter.display_name, feed_only=adapter.feed_only)
