"""Blibli Seller API: adapter, pure mapping, signing, webhooks and a local sandbox."""

from __future__ import annotations

from adapters.blibli.adapter import BlibliAdapter

__all__ = ["BlibliAdapter"]
