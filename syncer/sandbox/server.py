"""Running sandboxes on real loopback sockets: in a background thread, in the foreground, or in a
separate process (benchmarks keep the sandbox out of the measured process)."""

from __future__ import annotations

import asyncio
import json
import selectors
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp

READY_EVENT = "sandbox.ready"


def _bind(host: str, port: int) -> socket.socket:
    """A bound TCP socket (port 0 = ephemeral), so the address is known before serving."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def _base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _config(app: ASGIApp) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_keep_alive=60,  # clients keep pooled connections; don't reset them under load
        timeout_graceful_shutdown=1,  # hanging (timeout-fault) requests must not block stop()
    )


class SandboxServer:
    """An ASGI app served by uvicorn in a daemon thread; a context manager."""

    def __init__(
        self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0, *, startup_timeout: float = 10.0
    ) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.startup_timeout = startup_timeout
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._base_url = ""

    @property
    def base_url(self) -> str:
        """E.g. ``http://127.0.0.1:54321``; set once started."""
        if not self._base_url:
            raise RuntimeError("the sandbox server is not running")
        return self._base_url

    def start(self) -> SandboxServer:
        if self._thread is not None:
            raise RuntimeError("the sandbox server is already running")
        sock = _bind(self.host, self.port)
        server = uvicorn.Server(_config(self.app))
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="sandbox-server", daemon=True
        )
        thread.start()
        deadline = time.monotonic() + self.startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                sock.close()
                raise RuntimeError(f"sandbox server did not start on {self.host}:{self.port}")
            time.sleep(0.002)
        self._server, self._thread, self._base_url = server, thread, _base_url(sock)
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._server = self._thread = None
        self._base_url = ""

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def serve_forever(
    app: ASGIApp,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve in the foreground until SIGINT/SIGTERM; ``on_ready(base_url)`` once listening."""
    sock = _bind(host, port)
    config = _config(app)
    server = uvicorn.Server(config)

    async def main() -> None:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():  # noqa: ASYNC110  uvicorn only has a flag
            await asyncio.sleep(0.005)
        if server.started and on_ready is not None:
            on_ready(_base_url(sock))
        await task

    with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
        runner.run(main())


def _parse_ready(line: str) -> dict[str, object] | None:
    """The ready message if ``line`` is one (anything else a library printed is skipped)."""
    try:
        message = json.loads(line)
    except json.JSONDecodeError:
        return None
    if isinstance(message, dict) and message.get("event") == READY_EVENT:
        return message
    return None


class SandboxProcess:
    """A sandbox in a child process (``python -m syncer.sandbox``), started and awaited.

    ``factory`` is ``"module:attribute"`` of a ``SandboxFactory``, e.g.
    ``"adapters.shopee.sandbox:ShopeeSandbox"``; ``kwargs`` go to it (``seed``, ``listings`` ...).
    """

    def __init__(
        self,
        factory: str,
        kwargs: Mapping[str, object] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        startup_timeout: float = 120.0,
    ) -> None:
        self.factory = factory
        self.kwargs = dict(kwargs or {})
        self.host = host
        self.port = port
        self.startup_timeout = startup_timeout
        self._proc: subprocess.Popen[str] | None = None
        self._ready: dict[str, object] = {}

    @property
    def base_url(self) -> str:
        url = self._ready.get("base_url")
        if not isinstance(url, str):
            raise RuntimeError("the sandbox process is not running")
        return url

    @property
    def credentials(self) -> dict[str, object]:
        """The credentials the sandbox reported when it became ready."""
        creds = self._ready.get("credentials")
        return dict(creds) if isinstance(creds, dict) else {}

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise RuntimeError("the sandbox process is not running")
        return self._proc.pid

    def start(self) -> SandboxProcess:
        if self._proc is not None:
            raise RuntimeError("the sandbox process is already running")
        command = [
            *(sys.executable, "-m", "syncer.sandbox", "--factory", self.factory),
            *("--kwargs", json.dumps(self.kwargs), "--host", self.host, "--port", str(self.port)),
        ]
        # stderr is inherited so a failing sandbox explains itself; stdout carries one ready line.
        self._proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603  our own module
        try:
            self._ready = self._await_ready(self._proc)
        except BaseException:
            self.stop()
            raise
        return self

    def _await_ready(self, proc: subprocess.Popen[str]) -> dict[str, object]:
        assert proc.stdout is not None  # Popen(stdout=PIPE) always sets it
        deadline = time.monotonic() + self.startup_timeout
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            while (remaining := deadline - time.monotonic()) > 0:
                if selector.select(timeout=min(remaining, 0.5)):
                    line = proc.stdout.readline()
                    if not line:
                        break  # the child closed stdout: it is exiting
                    message = _parse_ready(line)
                    if message is not None:
                        proc.stdout.close()
                        return message
                if proc.poll() is not None:
                    break
        code = proc.poll()
        raise RuntimeError(f"sandbox {self.factory} did not become ready (exit code {code})")

    def stop(self, timeout: float = 10.0) -> None:
        proc, self._proc, self._ready = self._proc, None, {}
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()  # SIGTERM: uvicorn shuts down gracefully
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        if proc.stdout is not None:
            proc.stdout.close()

    def __enter__(self) -> SandboxProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
