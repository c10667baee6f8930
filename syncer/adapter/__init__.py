"""The adapter SDK: everything a marketplace adapter needs, and nothing else, in one import."""

from __future__ import annotations

from syncer.adapter.base import (
    Adapter,
    AdapterContext,
    AdapterSettings,
    CredentialLoader,
    Credentials,
    CredentialSaver,
    ListedChange,
    Page,
    PriceChange,
    PullWindow,
    RefreshLock,
    RowResult,
    StockChange,
)
from syncer.adapter.cursor_pager import CursorPage, CursorPager, CursorStep
from syncer.adapter.feed_writer import content_name, render_csv, write_atomic
from syncer.adapter.feeds import (
    FeedError,
    FeedFormat,
    FeedPosition,
    FeedRow,
    format_for,
    read_feed,
)
from syncer.adapter.http import HttpAdapter, HttpStats, QueryParams, error_for_status
from syncer.adapter.pagination import OffsetPager
from syncer.adapter.payload import (
    JsonObject,
    PayloadError,
    decode_object,
    get_bool,
    get_id,
    get_int,
    get_list,
    get_obj,
    get_objects,
    get_str,
)
from syncer.adapter.ratelimit import RateLimiter
from syncer.adapter.registry import available_adapters, load_adapter
from syncer.adapter.retry import RetryPolicy, parse_retry_after
from syncer.adapter.webhooks import WebhookEvent, WebhookRejectedError, signatures_match

__all__ = [
    "Adapter",
    "AdapterContext",
    "AdapterSettings",
    "CredentialLoader",
    "CredentialSaver",
    "Credentials",
    "CursorPage",
    "CursorPager",
    "CursorStep",
    "FeedError",
    "FeedFormat",
    "FeedPosition",
    "FeedRow",
    "HttpAdapter",
    "HttpStats",
    "JsonObject",
    "ListedChange",
    "OffsetPager",
    "Page",
    "PayloadError",
    "PriceChange",
    "PullWindow",
    "QueryParams",
    "RateLimiter",
    "RefreshLock",
    "RetryPolicy",
    "RowResult",
    "StockChange",
    "WebhookEvent",
    "WebhookRejectedError",
    "available_adapters",
    "content_name",
    "decode_object",
    "error_for_status",
    "format_for",
    "get_bool",
    "get_id",
    "get_int",
    "get_list",
    "get_obj",
    "get_objects",
    "get_str",
    "load_adapter",
    "parse_retry_after",
    "read_feed",
    "render_csv",
    "signatures_match",
    "write_atomic",
]
