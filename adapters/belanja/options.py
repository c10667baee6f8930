"""The Belanja.com adapter's own settings, read from ``[marketplaces.belanja.extra]``.

feed         file name in the folder, or path/URL of the feed (default: newest file in the
             folder; over HTTP, base_url itself, or /feed/products.csv on a bare host)
feed_format  csv | jsonl (default: from the file name or the Content-Type)
page_rows    rows per page the engine stores at once (default 500, 1..10000)
update_dir   folder for update feeds, one sub-folder per shop (default var/belanja/updates)
upload       true | false: also upload each update feed (default false)
upload_url   where uploads go (default: /feed/updates on the feed's host)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from syncer.adapter import AdapterSettings
from syncer.errors import ConfigError

KNOWN = ("feed", "feed_format", "page_rows", "update_dir", "upload", "upload_url")
DEFAULT_UPDATE_DIR = Path("var/belanja/updates")
DEFAULT_UPLOAD_PATH = "/feed/updates"  # [I] our sandbox's upload endpoint
_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off", "")


def _key(name: str) -> str:
    return f"marketplaces.belanja.extra.{name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedOptions:
    feed: str = ""
    feed_format: str = ""
    page_rows: int = 100
    update_dir: Path = DEFAULT_UPDATE_DIR
    upload: bool = False
    upload_url: str = ""

    @classmethod
    def from_settings(cls, settings: AdapterSettings) -> FeedOptions:
        extra: Mapping[str, str] = settings.extra
        unknown = sorted(set(extra) - set(KNOWN))
        if unknown:
            raise ConfigError(
                f"key {_key(unknown[0])}: unknown setting; allowed: {', '.join(KNOWN)}"
            )
        fmt = extra.get("feed_format", "").strip().lower()
        if fmt not in ("", "csv", "jsonl"):
            raise ConfigError(f"key {_key('feed_format')}: must be csv or jsonl, got {fmt!r}")
        upload_text = extra.get("upload", "").strip().lower()
        if upload_text not in _TRUE + _FALSE:
            raise ConfigError(f"key {_key('upload')}: must be true or false, got {upload_text!r}")
        upload = upload_text in _TRUE
        upload_url = _upload_url(settings.base_url, extra.get("upload_url", "").strip())
        if upload and not upload_url:
            raise ConfigError(
                f"key {_key('upload')}: upload = true needs an http(s) base_url or an upload_url"
            )
        return cls(
            feed=extra.get("feed", "").strip(),
            feed_format=fmt,
            page_rows=_page_rows(extra.get("page_rows", str(settings.page_size))),
            update_dir=Path(extra.get("update_dir", "") or DEFAULT_UPDATE_DIR),
            upload=upload,
            upload_url=upload_url,
        )


def _page_rows(text: str) -> int:
    value = text.strip()
    if not value.isdigit() or not 1 <= int(value) <= 10_000:
        raise ConfigError(f"key {_key('page_rows')}: must be a whole number in 1..10000")
    return int(value)


def _upload_url(base_url: str, configured: str) -> str:
    """``upload_url`` as given (joined to the base when relative), else the default path on
    the feed's host; "" when the feed is a folder and nothing is configured."""
    parts = urlsplit(base_url)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""
    if configured:
        if "://" in configured:
            return configured
        return f"{origin}/{configured.lstrip('/')}" if origin else ""
    return origin + DEFAULT_UPLOAD_PATH if origin else ""
