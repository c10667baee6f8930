"""The whole service in one process: the daemon with the pusher and the web app beside it.

``syncer run`` and ``syncer demo`` both start it this way, so what an operator runs is what the
demo shows. Each part is a ``Service`` (a coroutine taking the stop event) the daemon starts and
stops with itself.
"""

from __future__ import annotations

import asyncio
import socket

import structlog

from syncer.runtime import Runtime
from syncer.scheduler.daemon import Daemon, Role

log = structlog.get_logger("syncer.service")
PUSHER_RESTART_S = 5.0


def build_daemon(
    runtime: Runtime,
    *,
    role: Role | None = None,
    web: bool = True,
    web_socket: socket.socket | None = None,
    time_scale: float = 1.0,
) -> Daemon:
    """The daemon for ``role``, with the continuous pusher (where runs execute) and the web
    app and API (on ``web_socket``, else ``[web]`` host and port; ``web=False`` leaves it
    out)."""
    daemon = Daemon(runtime, role=role, time_scale=time_scale)
    daemon.add_pusher(lambda stop: keep_pushing(runtime, stop))
    if web:
        from syncer.web import serve  # FastAPI is imported only by processes that serve it

        daemon.add_web(lambda stop: serve(runtime, stop, launcher=daemon, sock=web_socket))
    return daemon


async def keep_pushing(runtime: Runtime, stop: asyncio.Event) -> None:
    """Push cycles until ``stop``; a crash of the loop itself is logged and the loop restarted,
    because pending changes must not wait for an operator to notice."""
    while not stop.is_set():
        try:
            await runtime.pusher.run_forever(stop)
        except Exception:  # logged with its traceback; restarting is the remedy
            log.exception("push.loop_crashed", restart_in_s=PUSHER_RESTART_S)
            try:
                await asyncio.wait_for(stop.wait(), timeout=PUSHER_RESTART_S)
            except TimeoutError:
                continue
