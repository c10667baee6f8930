"""Where a Belanja.com product feed comes from: a folder (newest or named file) or an HTTP URL.

A source opens the feed as a byte stream, from its start or, when the feed is unchanged since a
resume token was made (same ``identity``), from a byte offset (a seek, or ``Range`` with
``If-Range``). Given the validator of a feed already read whole, it can answer "not modified"
(``If-None-Match``/``If-Modified-Since``) instead of a body. HTTP and file errors become the
``syncer.errors`` tree here.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

import httpx

from syncer.adapter import (
    AdapterSettings,
    FeedFormat,
    FeedPosition,
    RateLimiter,
    error_for_status,
    format_for,
)
from syncer.errors import FatalError, MalformedResponseError, RetriableError

CHUNK = 64 * 1024
FEED_SUFFIXES = (".csv", ".jsonl", ".ndjson")
DEFAULT_FEED_PATH = "/feed/products.csv"  # where a base URL without a path serves the feed [I]
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-\d+/(?:\d+|\*)$")
ROWS_HEADER = "X-Feed-Rows"  # data rows in the whole feed, so a cut body is noticed [I]


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenedFeed:
    """An open feed. ``start`` is where its bytes begin (a resume point, or the very start)."""

    identity: str  # changes whenever the content does: an ETag, or name, size and mtime
    fmt: FeedFormat
    chunks: AsyncIterator[bytes]
    start: FeedPosition
    expected_rows: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Resume:
    identity: str
    position: FeedPosition


def _fmt(name: str, forced: str, media_type: str = "") -> FeedFormat:
    if forced in ("csv", "jsonl"):
        return "csv" if forced == "csv" else "jsonl"
    fmt = format_for(name, media_type)
    if fmt is None:
        raise FatalError(
            f"cannot tell the format of feed {name!r} (content type {media_type or 'none'}): "
            'name it .csv, .jsonl or .ndjson, or set feed_format = "csv" or "jsonl"'
        )
    return fmt


class FolderSource:
    """Feed files dropped in a folder; ``feed`` names one, else the newest feed file is read."""

    def __init__(self, folder: Path, *, feed: str = "", feed_format: str = "") -> None:
        self.folder = folder
        self.feed = feed
        self.feed_format = feed_format
        self.location = str(folder / feed) if feed else str(folder)

    def _pick(self) -> Path:
        if self.feed:
            path = self.folder / self.feed
            if not path.is_file():
                raise FatalError(f"feed file {path} does not exist (check feed in the settings)")
            return path
        try:
            candidates = [
                entry
                for entry in self.folder.iterdir()
                if entry.suffix.lower() in FEED_SUFFIXES
                and not entry.name.startswith(".")
                and entry.is_file()
            ]
        except OSError as exc:
            raise FatalError(f"cannot read feed folder {self.folder}: {exc.strerror}") from exc
        if not candidates:
            raise FatalError(f"no feed file ({', '.join(FEED_SUFFIXES)}) in folder {self.folder}")
        return max(candidates, key=lambda entry: (entry.stat().st_mtime_ns, entry.name))

    @asynccontextmanager
    async def open(
        self, resume: Resume | None = None, *, unless: str = ""
    ) -> AsyncIterator[OpenedFeed | None]:
        path = self._pick()
        stat = path.stat()
        identity = f"{path.name}|{stat.st_size}|{stat.st_mtime_ns}"
        if unless and unless == identity:
            yield None
            return
        start = resume.position if resume and resume.identity == identity else FeedPosition()
        with path.open("rb") as handle:
            handle.seek(start.offset)
            yield OpenedFeed(
                identity=identity,
                fmt=_fmt(path.name, self.feed_format),
                chunks=_file_chunks(handle),
                start=start,
            )

    async def aclose(self) -> None:
        return None


async def _file_chunks(handle: BinaryIO) -> AsyncIterator[bytes]:
    while chunk := await asyncio.to_thread(handle.read, CHUNK):
        yield chunk


class HttpSource:
    """A feed served over HTTP, streamed (never held whole), rate limited per request."""

    def __init__(
        self,
        settings: AdapterSettings,
        *,
        limiter: RateLimiter,
        transport: httpx.AsyncBaseTransport | None = None,
        feed: str = "",
        feed_format: str = "",
    ) -> None:
        self.url = feed_url(settings.base_url, feed)
        self.location = self.url
        self.feed_format = feed_format
        self.limiter = limiter
        self.client = httpx.AsyncClient(timeout=settings.timeout_s, transport=transport)

    @asynccontextmanager
    async def open(
        self, resume: Resume | None = None, *, unless: str = ""
    ) -> AsyncIterator[OpenedFeed | None]:
        headers = {"Accept": "text/csv, application/x-ndjson;q=0.9, */*;q=0.1"}
        if unless:
            headers["If-None-Match" if '"' in unless else "If-Modified-Since"] = unless
        if resume is not None and resume.identity and resume.position.offset > 0:
            headers["Range"] = f"bytes={resume.position.offset}-"
            headers["If-Range"] = resume.identity
        await self.limiter.acquire()
        request = self.client.build_request("GET", self.url, headers=headers)
        try:
            response = await self.client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise RetriableError(f"feed {self.url}: timed out ({type(exc).__name__})") from exc
        except httpx.RequestError as exc:
            raise RetriableError(f"feed {self.url}: request failed ({type(exc).__name__})") from exc
        try:
            yield self._opened(response, resume)
        finally:
            await response.aclose()

    def _opened(self, response: httpx.Response, resume: Resume | None) -> OpenedFeed | None:
        if response.status_code == 304:
            return None
        if error := error_for_status(response, f"feed {self.url}: HTTP {response.status_code}"):
            if isinstance(error, RetriableError):
                raise error
            raise FatalError(
                f"feed {self.url} answered HTTP {response.status_code}; check base_url and feed "
                "in [marketplaces.belanja]",
                status=response.status_code,
            )
        identity = response.headers.get("ETag") or response.headers.get("Last-Modified", "")
        rows = response.headers.get(ROWS_HEADER, "")
        return OpenedFeed(
            identity=identity,
            fmt=_fmt(self.url, self.feed_format, response.headers.get("Content-Type", "")),
            chunks=_body_chunks(response, self.url),
            start=self._start(response, resume),
            expected_rows=int(rows) if rows.isdigit() else None,
        )

    def _start(self, response: httpx.Response, resume: Resume | None) -> FeedPosition:
        """Where the body begins: ``Content-Range`` decides, not the status alone (a proxy may
        pass a partial body on with status 200, or answer a range we did not ask for)."""
        content_range = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
        if content_range is None:
            if response.status_code == 206:
                raise MalformedResponseError(f"feed {self.url}: 206 without a Content-Range")
            return FeedPosition()
        first = int(content_range.group(1))
        if resume is None or first != resume.position.offset:
            raise MalformedResponseError(
                f"feed {self.url}: answered bytes from {first}, asked from "
                f"{resume.position.offset if resume else 0}"
            )
        return resume.position

    async def aclose(self) -> None:
        await self.client.aclose()


async def _body_chunks(response: httpx.Response, url: str) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.aiter_bytes(CHUNK):
            yield chunk
    except httpx.HTTPError as exc:  # a reset or a body shorter than its Content-Length
        raise MalformedResponseError(f"feed {url}: body cut off ({type(exc).__name__})") from exc


FeedSource = FolderSource | HttpSource


def feed_url(base_url: str, feed: str) -> str:
    """The feed's URL: ``feed`` joined to ``base_url``, else ``base_url`` itself when it has a
    path, else the default path on that host."""
    base = base_url.rstrip("/")
    if feed:
        return feed if "://" in feed else f"{base}/{feed.lstrip('/')}"
    return base if urlsplit(base).path else base + DEFAULT_FEED_PATH


def is_http(base_url: str) -> bool:
    return urlsplit(base_url).scheme in ("http", "https")


def folder_of(base_url: str) -> Path:
    """A folder from ``file:///srv/feeds`` or a plain path."""
    parts = urlsplit(base_url)
    return Path(parts.path if parts.scheme == "file" else base_url)
