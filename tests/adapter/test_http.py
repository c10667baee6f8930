"""The SDK's request loop: retries, Retry-After, bounded attempts, token refresh, logging."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime

import httpx
import pytest
from structlog.testing import capture_logs

from syncer.adapter import (
    AdapterContext,
    AdapterSettings,
    Credentials,
    HttpAdapter,
    JsonObject,
    ListedChange,
    Page,
    PriceChange,
    PullWindow,
    QueryParams,
    RateLimiter,
    RetryPolicy,
    RowResult,
    StockChange,
    decode_body,
    decode_object,
    error_for_status,
    require_credentials,
)
from syncer.domain import Listing, ListingStatus, QuarantinedItem
from syncer.errors import (
    FatalError,
    MalformedResponseError,
    NeedsReauthError,
    RetriableError,
    TokenExpiredError,
)

Handler = Callable[[httpx.Request], httpx.Response]


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 11, 27, tzinfo=UTC)


class EchoAdapter(HttpAdapter):
    """A minimal adapter: bearer token, ``{"ok": ...}`` envelope, 401 means expired token."""

    name = "echo"
    display_name = "Echo"
    refreshes_to = "fresh"

    def build_request(
        self, method: str, path: str, params: QueryParams, body: JsonObject | None
    ) -> httpx.Request:
        headers = {"Authorization": f"Bearer {self.credentials['token']}"}
        return self.client.build_request(method, path, params=params, json=body, headers=headers)

    def parse_response(self, response: httpx.Response, operation: str) -> JsonObject:
        error = error_for_status(response, f"{operation}: HTTP {response.status_code}")
        if error is not None:
            raise error
        return decode_object(response)

    async def refresh_credentials_now(self) -> Credentials:
        await asyncio.sleep(0.01)
        if self.refreshes_to == "refused":
            raise NeedsReauthError("refresh token revoked")
        return {"token": self.refreshes_to}

    def pull(self, window: PullWindow) -> AsyncIterator[Page]:
        raise NotImplementedError

    async def fetch_items(self, external_item_ids: Sequence[str]) -> Page:
        raise NotImplementedError

    async def update_price(self, changes: Sequence[PriceChange]) -> list[RowResult]:
        raise NotImplementedError

    async def update_stock(self, changes: Sequence[StockChange]) -> list[RowResult]:
        raise NotImplementedError

    async def set_listed(self, changes: Sequence[ListedChange]) -> list[RowResult]:
        raise NotImplementedError


def adapter(
    handler: Handler, *, attempts: int = 4, saved: list[Credentials] | None = None
) -> EchoAdapter:
    store = saved if saved is not None else []

    async def save(credentials: Credentials) -> None:
        store.append(dict(credentials))

    context = AdapterContext(
        shop_external_id="1",
        credentials={"token": "old"},
        settings=AdapterSettings(
            base_url="http://marketplace.test",
            requests_per_second=1000,
            burst=1000,
            retry=RetryPolicy(max_attempts=attempts, initial_wait_s=0.001, max_wait_s=0.01),
        ),
        save_credentials=save,
        clock=FixedClock(),
        transport=httpx.MockTransport(handler),
    )
    return EchoAdapter(context)


def sequence(*responses: httpx.Response) -> tuple[Handler, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handler, seen


async def test_transient_failures_are_retried_and_each_retry_is_logged() -> None:
    handler, seen = sequence(
        httpx.Response(503), httpx.Response(502), httpx.Response(200, json={"ok": 1})
    )
    client = adapter(handler)
    with capture_logs() as logs:
        answer = await client.call("GET", "/items")
    assert answer == {"ok": 1}
    assert len(seen) == 3
    retries = [entry for entry in logs if entry["event"] == "http.retry_scheduled"]
    assert [entry["attempt"] for entry in retries] == [1, 2]
    assert {entry["status"] for entry in retries} == {503, 502}
    assert client.stats.retries == 2


async def test_retries_are_bounded() -> None:
    handler, seen = sequence(httpx.Response(500))
    with pytest.raises(RetriableError):
        await adapter(handler, attempts=3).call("GET", "/items")
    assert len(seen) == 3


async def test_retry_after_is_honoured() -> None:
    handler, _ = sequence(
        httpx.Response(429, headers={"Retry-After": "0.3"}), httpx.Response(200, json={"ok": 1})
    )
    client = adapter(handler)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with capture_logs() as logs:
        await client.call("GET", "/items")
    [retry] = [entry for entry in logs if entry["event"] == "http.retry_scheduled"]
    assert retry["wait_s"] >= 0.3
    assert loop.time() - started >= 0.3
    assert client.stats.rate_limited == 1


async def test_client_errors_are_fatal_and_not_retried() -> None:
    handler, seen = sequence(httpx.Response(400, json={"error": "bad"}))
    with pytest.raises(FatalError):
        await adapter(handler).call("GET", "/items")
    assert len(seen) == 1


async def test_malformed_bodies_are_retried_as_transient() -> None:
    handler, seen = sequence(
        httpx.Response(200, content=b'{"ok": tru'), httpx.Response(200, json={"ok": 2})
    )
    assert await adapter(handler).call("GET", "/items") == {"ok": 2}
    assert len(seen) == 2


async def test_connection_errors_become_retriable_errors() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json={"ok": 3})

    assert await adapter(handler).call("GET", "/items") == {"ok": 3}


async def test_an_expired_token_is_refreshed_once_saved_before_use_and_retried() -> None:
    saved: list[Credentials] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.headers["Authorization"] == "Bearer old":
            return httpx.Response(401)
        return httpx.Response(200, json={"ok": 4})

    client = adapter(handler, saved=saved)
    results = await asyncio.gather(*(client.call("GET", f"/items/{i}") for i in range(5)))
    assert results == [{"ok": 4}] * 5
    assert saved == [{"token": "fresh"}]  # five callers, one refresh
    assert client.keeper.refreshes == 1


async def test_a_refused_refresh_means_the_shop_needs_reauthorization() -> None:
    handler, _ = sequence(httpx.Response(401))
    client = adapter(handler)
    client.refreshes_to = "refused"
    with pytest.raises(NeedsReauthError):
        await client.call("GET", "/items")


async def test_a_token_refused_again_after_refresh_needs_reauthorization() -> None:
    handler, _ = sequence(httpx.Response(401))
    with pytest.raises(NeedsReauthError):
        await adapter(handler).call("GET", "/items")


def test_decode_object_names_what_was_wrong() -> None:
    with pytest.raises(MalformedResponseError, match="not JSON"):
        decode_object(httpx.Response(200, content=b"<html>"))
    with pytest.raises(MalformedResponseError, match="JSON object"):
        decode_object(httpx.Response(200, content=json.dumps([1]).encode()))


def test_error_for_status_classes() -> None:
    assert isinstance(error_for_status(httpx.Response(401), "x"), TokenExpiredError)
    assert isinstance(error_for_status(httpx.Response(503), "x"), RetriableError)
    assert error_for_status(httpx.Response(204), "x") is None


def test_decode_body_lets_the_status_speak_for_a_body_that_is_no_envelope() -> None:
    """An HTML 503 is retriable, a bare 401 an expired token; a 200 that is no JSON malformed."""
    with pytest.raises(RetriableError, match="get_items: HTTP 503") as caught:
        decode_body(httpx.Response(503, content=b"<html>busy</html>"), "get_items")
    assert not isinstance(caught.value, MalformedResponseError)
    with pytest.raises(TokenExpiredError, match="get_items: HTTP 401"):
        decode_body(httpx.Response(401, content=b""), "get_items")
    with pytest.raises(MalformedResponseError, match="not JSON"):
        decode_body(httpx.Response(200, content=b"<html>"), "get_items")
    assert decode_body(httpx.Response(400, json={"ok": 1}), "get_items") == {"ok": 1}


async def test_rate_limiter_spaces_requests_after_the_burst() -> None:
    limiter = RateLimiter(rate=50, burst=5)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(15):
        await limiter.acquire()
    elapsed = loop.time() - started
    assert elapsed >= (15 - 5) / 50 * 0.95
    assert limiter.stats.waits >= 9


async def test_a_parent_budget_holds_when_many_shops_wait_on_their_own_buckets() -> None:
    """Shop tokens and the app's token are taken at one instant: shops whose own waits end
    together must still go out one app token apart, not in a burst."""
    app = RateLimiter(rate=20, burst=1)
    shops = [RateLimiter(rate=2, burst=1) for _ in range(5)]
    for shop in shops:  # every shop's own bucket runs dry at the same moment...
        await shop.acquire()
        shop.parent = app  # ...and from now on they also spend from the app's
    sent: list[tuple[float, int]] = []
    started = time.monotonic()

    async def calls(index: int) -> None:
        for _ in range(2):
            await shops[index].acquire()
            sent.append((time.monotonic(), index))

    await asyncio.gather(*(calls(i) for i in range(5)))
    times = sorted(t for t, _ in sent)
    slack = 0.003  # timer granularity
    for i, j in itertools.combinations(range(len(times)), 2):
        assert j - i + 1 <= 1 + 20 * (times[j] - times[i] + slack), "app budget exceeded"
    for shop in range(5):
        own = sorted(t for t, index in sent if index == shop)
        assert own[0] >= started + 0.5 - slack
        assert own[1] - own[0] >= 0.5 - slack
    assert app.stats.acquired == 10


def test_rate_limiter_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="rate"):
        RateLimiter(rate=0, burst=1)


def _listing(item: str, variant: str) -> Listing:
    return Listing(
        external_item_id=item,
        external_variant_id=variant,
        title="Kopi",
        price=25_000,
        stock=3,
        status=ListingStatus.ACTIVE,
        raw_status="NORMAL",
    )


def test_a_page_from_items_keeps_each_items_listings_and_quarantines_in_order() -> None:
    """Items with several listings, none (gone) or a quarantine all land on one page."""
    bad = QuarantinedItem(external_item_id="2", reason="price is not a number")
    first, second, third = _listing("1", "a"), _listing("1", "b"), _listing("3", "")
    page = Page.from_items([[first, second], bad, [], [third]])
    assert page == Page(listings=[first, second, third], quarantined=[bad])


def test_a_quarantined_item_is_logged_with_its_reason() -> None:
    """The engine holds the item back; the log says which and why."""
    with capture_logs() as logs:
        held = adapter(sequence(httpx.Response(200))[0]).quarantine("42", "title is missing")
    assert held == QuarantinedItem(external_item_id="42", reason="title is missing")
    assert [{k: v for k, v in e.items() if k in ("event", "item_id", "reason")} for e in logs] == [
        {"event": "pull.item_quarantined", "item_id": "42", "reason": "title is missing"}
    ]


def test_missing_credentials_are_named_with_the_way_to_connect_again() -> None:
    """Only the empty or absent keys are listed; the secrets present never appear."""
    stored = {"partner_id": "7", "partner_key": "s3cret", "access_token": ""}
    with pytest.raises(NeedsReauthError) as caught:
        require_credentials(stored, ("partner_id", "partner_key", "access_token", "refresh"))
    assert str(caught.value) == (
        "the shop's stored credentials lack access_token, refresh; connect it again with "
        "`syncer shops add ... --code` or `syncer shops reauth`"
    )
    with pytest.raises(NeedsReauthError, match=r"with `syncer shops add --marketplace x`$"):
        require_credentials({}, ("key",), reconnect="`syncer shops add --marketplace x`")
    require_credentials(stored, ("partner_id", "partner_key"))
