"""The Belanja.com sandbox's HTTP face: the product feed, the upload endpoint, control routes.

    GET  /feed/products.csv | /feed/products.jsonl   ETag, If-None-Match (304), Range with
                                                     If-Range (206), X-Feed-Rows, Content-Length
    POST /feed/updates      an update feed as the raw body (text/csv) or a multipart/form-data
                            field "file"; answers {file, accepted, rejected, rows: [{line,
                            seller_sku, ok, reason, code}]}, or 422 {error} for a bad file
    GET  /_sandbox/truth    every row as the marketplace holds it
    POST /_sandbox/mutate   {action: sell|set_price|set_stock|unlist|relist|delete|malform|fix,
                             seller_sku, value}
    POST /_sandbox/inject   {kind: price|status|sku|broken, count} | {clear: true}

The whole feed path shares one budget per shop [I] (``BelanjaSandbox.documented_limit_per_minute``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from adapters.belanja.sandbox_store import BelanjaStore
from adapters.belanja.sandbox_updates import UpdateFileError, apply_update_feed
from syncer.sandbox import ControlError, SandboxKit, json_response, retry_after_seconds

CHUNK = 64 * 1024
MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
_RANGE = re.compile(r"^bytes=(\d+)-$")


def error_response(status: int, code: str = "server_error", message: str = "") -> Response:
    body = {"error": {"code": code, "message": message or f"HTTP {status}"}}
    return json_response(body, status)


def throttled_response(retry_after: int) -> Response:
    body = {"error": {"code": "too_many_requests", "message": "request budget exhausted"}}
    return json_response(body, 429, headers={"Retry-After": str(retry_after)})


def unrouted_response(status: int) -> Response:
    return error_response(status, "not_found" if status == 404 else "method_not_allowed")


class FeedRoutes:
    """Feed and upload endpoints over one store, rate limited per shop."""

    def __init__(self, store: BelanjaStore, kit: SandboxKit, shop_id: str) -> None:
        self.store = store
        self.kit = kit
        self.shop_id = shop_id

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/feed/products.csv", self.feed, methods=["GET", "HEAD"]),
            Route("/feed/products.jsonl", self.feed, methods=["GET", "HEAD"]),
            Route("/feed/updates", self.upload, methods=["POST"]),
        ]

    def _throttled(self, request: Request) -> Response | None:
        wait = self.kit.limiter.acquire(self.shop_id, scope=request.url.path)
        return throttled_response(retry_after_seconds(wait)) if wait > 0 else None

    async def feed(self, request: Request) -> Response:
        if (refused := self._throttled(request)) is not None:
            return refused
        fmt = "csv" if request.url.path.endswith(".csv") else "jsonl"
        with self.store.lock:
            body, etag, rows = self.store.render(fmt), self.store.etag, self.store.rows_in_feed()
        headers = {"ETag": etag, "Accept-Ranges": "bytes", "X-Feed-Rows": str(rows)}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        start, status = 0, 200
        wanted = _RANGE.match(request.headers.get("range", "").strip())
        if wanted and request.headers.get("if-range", etag) == etag:
            start = int(wanted.group(1))
            if start >= len(body):
                return Response(status_code=416, headers={"Content-Range": f"bytes */{len(body)}"})
            status = 206
            headers["Content-Range"] = f"bytes {start}-{len(body) - 1}/{len(body)}"
        headers["Content-Length"] = str(len(body) - start)
        if request.method == "HEAD":
            return Response(status_code=status, headers=headers, media_type=MEDIA[fmt])
        return StreamingResponse(
            _chunks(body, start), status_code=status, headers=headers, media_type=MEDIA[fmt]
        )

    async def upload(self, request: Request) -> Response:
        if (refused := self._throttled(request)) is not None:
            return refused
        raw = await request.body()
        name = request.headers.get("x-feed-name", "upload.csv")
        content_type = request.headers.get("content-type", "")
        try:
            if content_type.startswith("multipart/form-data"):
                name, raw = _multipart_file(content_type, raw)
            verdicts = apply_update_feed(self.store, raw)
        except UpdateFileError as exc:
            return json_response({"file": name, "error": str(exc), "rows": []}, 422)
        rows = [verdict.as_json() for verdict in verdicts]
        accepted = sum(1 for verdict in verdicts if verdict.ok)
        body = {"file": name, "accepted": accepted, "rejected": len(rows) - accepted, "rows": rows}
        return json_response(body)


def _chunks(body: bytes, start: int) -> Iterator[bytes]:
    view = memoryview(body)
    for offset in range(start, len(body), CHUNK):
        yield bytes(view[offset : offset + CHUNK])


def _multipart_file(content_type: str, raw: bytes) -> tuple[str, bytes]:
    """The ``file`` field of a multipart/form-data body (parsed with the stdlib)."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
    )
    for part in message.iter_parts() if isinstance(message, Message) else ():
        if part.get_param("name", header="content-disposition") == "file":
            payload = part.get_payload(decode=True)
            filename = part.get_filename() or "upload.csv"
            if isinstance(payload, bytes):
                return filename, payload
    raise UpdateFileError('a multipart upload needs a "file" field holding the CSV')


def require_sku(body: dict[str, object]) -> str:
    sku = body.get("seller_sku")
    if not isinstance(sku, str) or not sku:
        raise ControlError("seller_sku is required")
    return sku
