"""The HTTP side: ``/api/v1``, the web pages, ``/healthz``, ``/readyz`` and ``/metrics``."""

from __future__ import annotations

from syncer.store.access import create_token
from syncer.web.app import create_app, serve
from syncer.web.state import SyncLauncher

__all__ = ["SyncLauncher", "create_app", "create_token", "serve"]
