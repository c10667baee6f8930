"""Belanja.com: a feed adapter (no public seller API exists), its pure mapping and a sandbox."""

from __future__ import annotations

from adapters.belanja.adapter import BelanjaAdapter

__all__ = ["BelanjaAdapter"]
