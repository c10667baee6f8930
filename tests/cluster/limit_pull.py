"""A worker process that reads one shop's items through the runtime's real adapter (run by the
shared-limit cluster tests).

    python -m tests.cluster.limit_pull SPEC_JSON

``SPEC_JSON``: ``config`` (a syncer config file), ``shop_id``, ``items`` (external item ids),
``start`` (wall-clock time to begin at, so that every process calls at once). The adapter comes
from ``Runtime.adapters`` exactly as a ``syncer worker`` builds it, so its rate limiter is the
deployment's: shared through PostgreSQL or Redis, or this process's own. Prints one JSON line:
listings read, when the calls began and ended, and the limiter's counters.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from syncer.limits.limiter import SharedRateLimiter
from syncer.runtime import Runtime
from syncer.settings import load_settings
from syncer.store import shops as shop_store


async def main(spec: dict[str, Any]) -> dict[str, Any]:
    runtime = Runtime.from_settings(load_settings(Path(spec["config"])))
    try:
        await runtime.check_limits()
        async with runtime.database.read() as connection:
            shop = await shop_store.find_shop(connection, str(spec["shop_id"]))
        adapter = runtime.adapters.create(shop)
        limiter = adapter.context.limiter
        assert limiter is not None  # the factory always gives one
        await asyncio.sleep(max(0.0, spec["start"] - time.time()))
        began = time.time()
        try:
            page = await adapter.fetch_items(spec["items"])
        finally:
            await adapter.aclose()
        ended = time.time()
        return {
            "listings": len(page.listings),
            "quarantined": len(page.quarantined),
            "began": began,
            "ended": ended,
            "shared": isinstance(limiter, SharedRateLimiter),
            "acquired": limiter.stats.acquired,
            "reservations": limiter.stats.reservations,
        }
    finally:
        await runtime.close()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(json.loads(sys.argv[1])))), flush=True)
