"""Writing update feeds: deterministic CSV bytes and an atomic file write.

An update feed is what a business uploads to a marketplace without an API. The same rows must
give the same bytes (so a re-pushed batch rewrites an identical file), and a reader must never
see half a file (so the file appears by rename, after its bytes are on disk).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path


def render_csv(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 CSV with a header row, ``\\r\\n`` line ends (RFC 4180) and minimal quoting."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def content_name(prefix: str, data: bytes, suffix: str = ".csv") -> str:
    """A file name that depends only on the content: the same batch always lands in one file."""
    return f"{prefix}-{hashlib.sha256(data).hexdigest()[:16]}{suffix}"


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    The folder is created if needed. A crash leaves either the old file or the new one (plus,
    at worst, a ``.tmp`` file that readers ignore), never a partial feed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return path
