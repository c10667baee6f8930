"""What every benchmark shares: timing the best of a few runs, tables and JSON output."""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table


@dataclass
class Report:
    title: str
    rows: list[tuple[str, str, str]] = field(default_factory=list)
    figures: dict[str, object] = field(default_factory=dict)

    def add(self, name: str, value: str, note: str = "") -> None:
        self.rows.append((name, value, note))

    def emit(self, as_json: bool) -> None:
        if as_json:
            print(json.dumps({**self.figures, "machine": machine()}))
            return
        table = Table(title=self.title)
        for column in ("measure", "value", "note"):
            table.add_column(column)
        for row in self.rows:
            table.add_row(*row)
        console = Console()
        console.print(table)
        console.print(f"machine: {machine()}")


def machine() -> str:
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return f"{python}, {os.cpu_count()} CPUs, {platform.machine()}"


async def best_of(runs: int, body: Callable[[], Awaitable[None]]) -> float:
    """Fastest wall time of ``runs`` runs: the least disturbed by a noisy neighbour."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await body()
        times.append(time.perf_counter() - started)
    return min(times)
