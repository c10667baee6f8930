"""Belanja.com feed adapter: import the product feed, export update feeds (no seller API exists).

Pull streams the feed (folder or HTTP) into pages of at most ``page_rows`` listings, resumable
mid-feed. An incremental pull keeps rows whose ``updated_at`` falls in the window and, over HTTP,
first asks whether the feed changed at all since this process last read it whole. Pushes write
an update feed per batch (see ``updates``) and, with ``upload = true``, upload it.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import ClassVar

from adapters.belanja import mapping, pages
from adapters.belanja.columns import MAX_PRICE_IDR, MAX_STOCK, MIN_PRICE_IDR
from adapters.belanja.options import FeedOptions
from adapters.belanja.source import FeedSource, FolderSource, HttpSource, Resume, folder_of, is_http
from adapters.belanja.updates import Uploader, UploadVerdict, WrittenFeed, write_update_feed
from syncer.adapter import (
    Adapter,
    AdapterContext,
    ListedChange,
    Page,
    PriceChange,
    PullWindow,
    RateLimiter,
    RowResult,
    StockChange,
)
from syncer.domain import Listing, ListingKey, QuarantinedItem
from syncer.errors import AdapterError, MalformedResponseError, RetriableError

# Validators of feeds read whole, by (shop, feed location): an incremental pull sends it back
# and skips an unchanged feed. Per process on purpose: a restart just reads the feed once more.
_READ_WHOLE: dict[tuple[str, str], str] = {}
AWAITING_UPLOAD = "awaiting_upload"
UPLOADED = "uploaded"
UPDATE_FEED_ROWS = 1_000  # [I] rows per update feed


class BelanjaAdapter(Adapter):
    name = "belanja"
    display_name = "Belanja.com"
    feed_only = True
    sandbox = "adapters.belanja.sandbox:BelanjaSandbox"
    # One update-feed file per call: batches as large as a business would still upload by hand.
    push_batch_limits: ClassVar[Mapping[str, int]] = {
        "price": UPDATE_FEED_ROWS,
        "stock": UPDATE_FEED_ROWS,
        "listed": UPDATE_FEED_ROWS,
    }

    def __init__(self, context: AdapterContext) -> None:
        super().__init__(context)
        settings = context.settings
        self.options = FeedOptions.from_settings(settings)
        self.log = context.log.bind(marketplace=self.name)
        self.limiter = context.limiter or RateLimiter(settings.requests_per_second, settings.burst)
        self.source: FeedSource = (
            HttpSource(
                settings,
                limiter=self.limiter,
                transport=context.transport,
                feed=self.options.feed,
                feed_format=self.options.feed_format,
            )
            if is_http(settings.base_url)
            else FolderSource(
                folder_of(settings.base_url),
                feed=self.options.feed,
                feed_format=self.options.feed_format,
            )
        )
        self.uploader = (
            Uploader(
                self.options.upload_url,
                limiter=self.limiter,
                timeout_s=settings.timeout_s,
                transport=context.transport,
            )
            if self.options.upload
            else None
        )
        self.update_folder = self.options.update_dir / _safe(context.shop_external_id)

    # -- pull ----------------------------------------------------------------------------

    async def pull(self, window: PullWindow) -> AsyncIterator[Page]:
        resume = pages.decode_token(window.resume_token)
        cache_key = (self.context.shop_external_id, self.source.location)
        unless = _READ_WHOLE.get(cache_key, "") if window.since and resume is None else ""
        failures = 0
        while True:
            try:
                async with self.source.open(resume, unless=unless) as opened:
                    if opened is None:
                        self.log.info("belanja.feed_unchanged", feed=self.source.location)
                        return
                    stream = pages.pages(
                        opened,
                        page_rows=self.options.page_rows,
                        since=window.since,
                        log=self.log,
                    )
                    async for page, position in stream:
                        yield page
                        resume, failures = Resume(identity=opened.identity, position=position), 0
                    if opened.identity:
                        _READ_WHOLE[cache_key] = opened.identity
                    return
            except RetriableError as exc:
                failures, unless = failures + 1, ""
                await self._backoff(failures, exc, "pull")

    async def fetch_items(self, external_item_ids: Sequence[str]) -> Page:
        """One pass over the feed keeping the named SKUs (the feed has no per-item read)."""
        wanted = set(external_item_ids)
        failures = 0
        while True:
            try:
                async with self.source.open() as opened:
                    found: dict[str, Listing] = {}
                    bad: list[QuarantinedItem] = []
                    if opened is None:  # only answered to a validator, and none was sent
                        raise MalformedResponseError("the feed answered 'not modified' unasked")
                    stream = pages.pages(opened, page_rows=1 << 30, wanted=wanted, log=self.log)
                    async for page, _position in stream:
                        found.update({item.seller_sku: item for item in page.listings})
                        bad.extend(page.quarantined)
                    return Page(listings=list(found.values()), quarantined=bad)
            except RetriableError as exc:
                failures += 1
                await self._backoff(failures, exc, "fetch_items")

    async def _backoff(self, failures: int, error: RetriableError, operation: str) -> None:
        policy = self.context.settings.retry
        if failures >= policy.max_attempts:
            raise error
        wait = error.retry_after
        if wait is None:
            wait = random.uniform(0, min(policy.max_wait_s, policy.initial_wait_s * 2**failures))
        self.log.warning(
            "http.retry_scheduled",
            operation=operation,
            attempt=failures,
            wait_s=round(wait, 3),
            error=type(error).__name__,
            detail=str(error)[:200],
        )
        await asyncio.sleep(wait)

    # -- push primitives -----------------------------------------------------------------

    async def update_price(self, changes: Sequence[PriceChange]) -> list[RowResult]:
        rows = {c.key.external_item_id: {"price_idr": str(c.price)} for c in changes}
        refused = {
            c.key.external_item_id: f"price must be in {MIN_PRICE_IDR}..{MAX_PRICE_IDR} rupiah, "
            f"got {c.price}"
            for c in changes
            if not MIN_PRICE_IDR <= c.price <= MAX_PRICE_IDR
        }
        return await self._push("price", [c.key for c in changes], rows, refused)

    async def update_stock(self, changes: Sequence[StockChange]) -> list[RowResult]:
        rows = {c.key.external_item_id: {"stock": str(c.stock)} for c in changes}
        refused = {
            c.key.external_item_id: f"stock must be in 0..{MAX_STOCK}, got {c.stock}"
            for c in changes
            if not 0 <= c.stock <= MAX_STOCK
        }
        return await self._push("stock", [c.key for c in changes], rows, refused)

    async def set_listed(self, changes: Sequence[ListedChange]) -> list[RowResult]:
        rows = {
            c.external_item_id: {"status": mapping.status_for_listed(c.listed)} for c in changes
        }
        keys = [ListingKey(c.external_item_id, "") for c in changes]
        return await self._push("status", keys, rows, {})

    async def _push(
        self,
        kind: str,
        keys: Sequence[ListingKey],
        rows: Mapping[str, Mapping[str, str]],
        refused: Mapping[str, str],
    ) -> list[RowResult]:
        """Write the batch's update feed (refused rows left out), upload it if configured."""
        accepted = {sku: row for sku, row in rows.items() if sku not in refused}
        feed = write_update_feed(self.update_folder, kind, accepted) if accepted else None
        verdicts: dict[int, UploadVerdict] = {}
        upload_error: AdapterError | None = None
        if feed is not None and self.uploader is not None:
            verdicts, upload_error = await self._upload(self.uploader, feed)
        if feed is not None:
            self.log.info(
                "belanja.update_feed_written",
                kind=kind,
                path=str(feed.path),
                rows=len(accepted),
                uploaded=bool(verdicts),
            )
        return [self._result(key, feed, refused, verdicts, upload_error) for key in keys]

    async def _upload(
        self, uploader: Uploader, feed: WrittenFeed
    ) -> tuple[dict[int, UploadVerdict], AdapterError | None]:
        failures = 0
        while True:
            try:
                return await uploader.upload(feed), None
            except RetriableError as exc:
                failures += 1
                try:
                    await self._backoff(failures, exc, "upload")
                except RetriableError as final:
                    return {}, final
            except AdapterError as exc:
                return {}, exc

    def _result(
        self,
        key: ListingKey,
        feed: WrittenFeed | None,
        refused: Mapping[str, str],
        verdicts: Mapping[int, UploadVerdict],
        upload_error: AdapterError | None,
    ) -> RowResult:
        sku = key.external_item_id
        if sku in refused or feed is None:
            return RowResult(key=key, ok=False, reason=refused.get(sku, ""), code="invalid_value")
        line = feed.lines[sku]
        if upload_error is not None:
            reason = f"written to {feed.path} (line {line}) but the upload failed: {upload_error}"
            return RowResult(
                key=key,
                ok=False,
                reason=reason,
                code=upload_error.code,
                retriable=upload_error.retriable,
            )
        if self.uploader is None:
            reason = (
                f"written to update feed {feed.path} (line {line}); waiting for the business to "
                "upload it to Belanja.com"
            )
            return RowResult(key=key, ok=True, reason=reason, code=AWAITING_UPLOAD)
        verdict = verdicts.get(line)
        if verdict is None:
            reason = f"Belanja.com gave no verdict for line {line} of {feed.path.name}"
            return RowResult(key=key, ok=False, reason=reason, code="no_verdict", retriable=True)
        if not verdict.ok:
            reason = f"Belanja.com refused line {line} of {feed.path.name}: {verdict.reason}"
            return RowResult(key=key, ok=False, reason=reason, code=verdict.code)
        reason = f"uploaded to Belanja.com in {feed.path.name} (line {line})"
        return RowResult(key=key, ok=True, reason=reason, code=UPLOADED)

    async def aclose(self) -> None:
        await self.source.aclose()
        if self.uploader is not None:
            await self.uploader.aclose()


def _safe(name: str) -> str:
    """A shop id as one folder name (no separators, no leading dot)."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
    return cleaned or "shop"
