"""``python -m bench.rss N``: one full pull of N listings; prints this process's peak RSS.

Run in a fresh process per size, with the sandbox in yet another process, so the figure is
the engine's own memory and nothing else.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import tempfile
from pathlib import Path

from bench.pull import FACTORY, engine_pull, unlimited
from syncer.sandbox import SandboxProcess


async def main(listings: int) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="bench-rss-") as tmp,
        SandboxProcess(FACTORY, {"seed": 1, "listings": listings}) as sandbox,
    ):
        unlimited(sandbox)
        _, fetched = await engine_pull(sandbox, Path(tmp), "rss")
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"listings": fetched, "peak_rss_mb": peak_kb / 1024}))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
