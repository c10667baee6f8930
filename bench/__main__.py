"""``python -m bench store|pull|push|web|schedule [--json]``."""

from __future__ import annotations

import argparse
import asyncio

from bench import pull, push, schedule, store, web
from syncer.logging import configure_logging


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("name", choices=["store", "pull", "push", "web", "schedule"])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    args = parser.parse_args()
    configure_logging("warning")  # the tables and the JSON are the output
    modules = {"store": store, "pull": pull, "push": push, "web": web, "schedule": schedule}
    module = modules[args.name]
    report = asyncio.run(module.run(quick=args.quick))
    report.emit(args.json)


main()
