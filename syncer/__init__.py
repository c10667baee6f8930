"""Marketplace listing sync service: one normalized catalog kept in step with every shop."""

from __future__ import annotations

__version__ = "0.1.0"
