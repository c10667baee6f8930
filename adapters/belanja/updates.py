"""Update feeds: the CSV files a business uploads to Belanja.com to change prices, stock, status.

One file per push batch, named by its content (``belanja-price-<hash>.csv``) in a folder per
shop, written atomically. Rows are keyed and sorted by ``seller_sku`` and the last value for a
SKU wins, so pushing the same values again rewrites the very same file. Until the business
uploads it (or ``upload = true`` does), Belanja.com and our stored listings keep the old values:
the next product-feed import is what shows the change landed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from adapters.belanja.columns import UPDATE_COLUMNS
from syncer.adapter import RateLimiter, content_name, render_csv, write_atomic
from syncer.errors import FatalError, MalformedResponseError, RetriableError

UpdateRows = Mapping[str, Mapping[str, str]]
"""seller_sku -> {column: value} for the columns of one push batch."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WrittenFeed:
    path: Path
    lines: dict[str, int]  # seller_sku -> its line in the file (the header is line 1)
    data: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadVerdict:
    """Belanja.com's answer for one row of an uploaded update feed."""

    line: int
    ok: bool
    reason: str = ""
    code: str = ""


def write_update_feed(folder: Path, kind: str, rows: UpdateRows) -> WrittenFeed:
    """Write one update feed for ``rows``; the same rows always give the same path and bytes."""
    columns = ["seller_sku", *(c for c in UPDATE_COLUMNS[1:] if any(c in r for r in rows.values()))]
    skus = sorted(rows)
    data = render_csv(
        columns, ([sku, *(rows[sku].get(c, "") for c in columns[1:])] for sku in skus)
    )
    path = write_atomic(folder / content_name(f"belanja-{kind}", data), data)
    return WrittenFeed(
        path=path, lines={sku: index + 2 for index, sku in enumerate(skus)}, data=data
    )


class Uploader:
    """Posts update feeds to the configured upload URL and reads the per-row verdicts."""

    def __init__(
        self,
        url: str,
        *,
        limiter: RateLimiter,
        timeout_s: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = url
        self.limiter = limiter
        self.client = httpx.AsyncClient(timeout=timeout_s, transport=transport)

    async def upload(self, feed: WrittenFeed) -> dict[int, UploadVerdict]:
        """Verdicts by line; raises ``RetriableError`` for a failure worth retrying."""
        await self.limiter.acquire()
        headers = {"Content-Type": "text/csv; charset=utf-8", "X-Feed-Name": feed.path.name}
        try:
            response = await self.client.post(self.url, content=feed.data, headers=headers)
        except httpx.TimeoutException as exc:
            raise RetriableError(f"upload to {self.url} timed out") from exc
        except httpx.RequestError as exc:
            raise RetriableError(f"upload to {self.url} failed ({type(exc).__name__})") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise RetriableError(
                f"upload to {self.url}: HTTP {response.status_code}", status=response.status_code
            )
        if response.status_code >= 400 and response.status_code != 422:
            raise FatalError(
                f"upload to {self.url} refused: HTTP {response.status_code} {response.text[:200]}",
                status=response.status_code,
            )
        return _verdicts(response, self.url)

    async def aclose(self) -> None:
        await self.client.aclose()


def _verdicts(response: httpx.Response, url: str) -> dict[int, UploadVerdict]:
    """``{"rows": [{"line", "ok", "reason", "code"}]}`` (422 when the file as a whole is bad)."""
    try:
        body = response.json()
        rows = body["rows"]
        verdicts = {
            int(row["line"]): UploadVerdict(
                line=int(row["line"]),
                ok=bool(row["ok"]),
                reason=str(row.get("reason", "")),
                code=str(row.get("code", "")),
            )
            for row in rows
        }
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise MalformedResponseError(
            f"upload to {url}: unexpected answer {response.text[:200]!r}"
        ) from exc
    if response.status_code == 422 and not verdicts:
        raise FatalError(f"upload to {url} refused the file: {body.get('error', body)}", status=422)
    return verdicts
