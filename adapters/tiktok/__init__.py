"""TikTok Shop Partner API (Tokopedia and TikTok Shop): adapter, pure mapping, signing, sandbox."""

from __future__ import annotations

from adapters.tiktok.adapter import TikTokAdapter

__all__ = ["TikTokAdapter"]
