"""The adapter SDK: everything a marketplace adapter needs, and nothing else, in one import."""

from __future__ import annotations

from syncer.adapter.auth import require_credentials
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
from syncer.adapter.budgets import (
    REAL_TIME,
    Budget,
    OperationBudgets,
    ScaledClock,
    ScaledTime,
    TimeBase,
    WindowBudget,
    shared_budgets,
)
from syncer.adapter.cursor_pager import CursorPage, CursorPager, CursorStep
from syncer.adapter.envelope import decode_body
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
from syncer.adapter.polling import JobNotFinishedError, PollPolicy, poll_until_done
from syncer.adapter.ratelimit import RateLimiter
from syncer.adapter.registry import available_adapters, load_adapter
from syncer.adapter.retry import RetryPolicy, parse_retry_after
from syncer.adapter.webhooks import (
    LostWebhooks,
    WebhookEvent,
    WebhookRejectedError,
    signatures_match,
    webhook_payload,
)

__all__ = [
    "REAL_TIME",
    "Adapter",
    "AdapterContext",
    "AdapterSettings",
    "Budget",
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
    "JobNotFinishedError",
    "JsonObject",
    "ListedChange",
    "LostWebhooks",
    "OffsetPager",
    "OperationBudgets",
    "Page",
    "PayloadError",
    "PollPolicy",
    "PriceChange",
    "PullWindow",
    "QueryParams",
    "RateLimiter",
    "RefreshLock",
    "RetryPolicy",
    "RowResult",
    "ScaledClock",
    "ScaledTime",
    "StockChange",
    "TimeBase",
    "WebhookEvent",
    "WebhookRejectedError",
    "WindowBudget",
    "available_adapters",
    "content_name",
    "decode_body",
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
    "poll_until_done",
    "read_feed",
    "render_csv",
    "require_credentials",
    "shared_budgets",
    "signatures_match",
    "webhook_payload",
    "write_atomic",
]
