"""The app served by uvicorn on a loopback port from its own thread and event loop, for
clients that are not asyncio (schemathesis, benchmarks)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from syncer.runtime import Runtime
from syncer.web import serve
from syncer.web.app import bind


@contextmanager
def live_server(make_runtime: Callable[[], Runtime]) -> Iterator[str]:
    """Serve a runtime built inside the server's thread (its engine belongs to that loop)."""
    sock = bind("127.0.0.1", 0)
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def main() -> None:
        runtime = make_runtime()
        try:
            await serve(runtime, stop, sock=sock)
        finally:
            await runtime.close()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    with httpx.Client(base_url=base) as probe:
        for _ in range(500):
            try:
                if probe.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                threading.Event().wait(0.02)
    try:
        yield base
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)
        loop.close()
