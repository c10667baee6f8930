"""``python -m syncer.sandbox --factory module:Class``: serve one sandbox in this process.

``SandboxProcess`` starts this; it prints one JSON line ``{"event": "sandbox.ready", "base_url",
"credentials", "pid"}`` on stdout once listening, then keeps stdout quiet (later output goes to
stderr) so the parent never has to drain the pipe.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys

from syncer.sandbox import MarketplaceSandbox, SandboxFactory
from syncer.sandbox.server import READY_EVENT, serve_forever


def load_factory(path: str) -> SandboxFactory:
    """The object at ``"package.module:attribute"``."""
    module_name, _, attribute = path.partition(":")
    if not module_name or not attribute:
        raise SystemExit(f"--factory must look like package.module:Class, got {path!r}")
    factory: SandboxFactory = getattr(importlib.import_module(module_name), attribute)
    return factory


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m syncer.sandbox", description=__doc__)
    parser.add_argument("--factory", required=True, help="package.module:Class of the sandbox")
    parser.add_argument("--kwargs", default="{}", help="JSON object of constructor arguments")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args(argv)
    kwargs = json.loads(args.kwargs)
    if not isinstance(kwargs, dict):
        raise SystemExit("--kwargs must be a JSON object")
    sandbox = load_factory(args.factory)(**kwargs)
    if not isinstance(sandbox, MarketplaceSandbox):
        raise SystemExit(f"{args.factory} did not build a sandbox (needs .app and .credentials())")

    def ready(base_url: str) -> None:
        message = {
            "event": READY_EVENT,
            "base_url": base_url,
            "credentials": sandbox.credentials(),
            "pid": os.getpid(),
        }
        print(json.dumps(message), flush=True)
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    serve_forever(sandbox.app, args.host, args.port, on_ready=ready)


if __name__ == "__main__":
    main()
