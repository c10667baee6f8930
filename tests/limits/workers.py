"""Starts ``hammer.py`` worker processes and reads what each admitted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tests.limits.conftest import StoreSpec

ROOT = Path(__file__).resolve().parents[2]


def start(store: StoreSpec, **spec: Any) -> subprocess.Popen[str]:
    """One worker process (an OS process of its own, like a ``syncer worker``)."""
    payload = json.dumps({**asdict(store), **spec})
    return subprocess.Popen(
        [sys.executable, "-m", "tests.limits.hammer", payload],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def run_all(store: StoreSpec, processes: int, **spec: Any) -> list[dict[str, Any]]:
    """Run ``processes`` workers that start together (once all have imported, a few seconds
    from now even on a loaded machine) and return each one's report."""
    spec.setdefault("start", time.time() + 4.0)
    workers = [start(store, **spec) for _ in range(processes)]
    reports = []
    for worker in workers:
        out, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0, f"worker failed: {out}"
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


def most_in_window(times: list[float], window: float) -> int:
    """The most admissions in any closed interval [t, t + window] (one starts at an
    admission, so checking those starts covers every interval)."""
    times = sorted(times)
    best, j = 0, 0
    for i, start in enumerate(times):
        j = max(j, i)
        while j < len(times) and times[j] <= start + window:
            j += 1
        best = max(best, j - i)
    return best


def most_held(calls: list[tuple[float, float]], window: float) -> int:
    """The most calls whose slot (from the call's start to a window after its end) overlaps
    at one moment: a window budget of ``limit`` must never exceed it."""
    events = sorted([(start, 1) for start, _ in calls] + [(end + window, -1) for _, end in calls])
    held = best = 0
    for _, change in events:  # at equal times a release (-1) sorts first: half-open intervals
        held += change
        best = max(best, held)
    return best
