"""Large feeds stream through the adapter in bounded memory (a folder file, and HTTP)."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from adapters.belanja import BelanjaAdapter
from syncer.adapter import PullWindow
from syncer.sandbox import SandboxProcess
from tests.adapters.belanja.folder import csv_bytes, folder_adapter, row, write

ROWS = 100_000
FILE_ROWS = 50_000  # the file case traces allocations too; half the rows keep it quick
BOUND = 8 * 1024 * 1024  # what the adapter may hold at once, whatever the feed's size


async def _peak_while_pulling(adapter: BelanjaAdapter) -> tuple[int, int]:
    """(rows seen, peak traced bytes) over a whole pass; pages are dropped as a store would."""
    window = PullWindow(since=None, until=datetime.now(UTC))
    seen = 0
    tracemalloc.start()
    try:
        async for page in adapter.pull(window):
            seen += len(page.listings) + len(page.quarantined)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        await adapter.aclose()
    return seen, peak


async def test_a_50k_row_feed_file_is_read_in_bounded_memory(tmp_path: Path) -> None:
    rows = (row(f"SKU-{n:06d}", description="Deskripsi produk " * 16) for n in range(FILE_ROWS))
    feed = write(tmp_path / "besar.csv", csv_bytes(rows))
    seen, peak = await _peak_while_pulling(folder_adapter(str(tmp_path), page_rows="500"))
    assert seen == FILE_ROWS
    assert feed.stat().st_size > 2 * BOUND
    assert peak < BOUND


async def test_a_100k_row_feed_over_http_is_streamed_in_bounded_memory() -> None:
    """The sandbox runs in another process, so only the adapter's memory is traced."""
    with SandboxProcess(
        "adapters.belanja.sandbox:BelanjaSandbox", {"seed": 2, "listings": ROWS, "limit": None}
    ) as sandbox:
        seen, peak = await _peak_while_pulling(folder_adapter(sandbox.base_url, page_rows="500"))
    assert seen == ROWS
    assert peak < BOUND
