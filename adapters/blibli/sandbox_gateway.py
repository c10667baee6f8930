"""Blibli sandbox gateway: what every API call passes before and after its handler.

Order: common query parameters, Basic auth of the API client, the store and its Api-Seller-Key,
the signature (when the store has a signature key) within its time window, then the store's
budget for this operation (token buckets on the sandbox's time base, answered 429
``ERR-PA429001`` with ``Retry-After``), the JSON body, the handler, and the envelope.
"""

from __future__ import annotations

import base64
import math
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adapters.blibli import codes, signing
from adapters.blibli.sandbox_errors import (
    OPERATION_PATHS,
    BlibliError,
    BlibliSandboxSettings,
    bad_request,
)
from syncer.adapter.budgets import TimeBase
from syncer.adapter.webhooks import signatures_match
from syncer.sandbox import (
    ControlError,
    LimitRule,
    RateLimiter,
    SandboxKit,
    json_response,
    parse_json_object,
    retry_after_seconds,
)

JSONObject = dict[str, object]


@dataclass(frozen=True, slots=True)
class Identity:
    client_id: str
    client_secret: str
    store_code: str
    api_seller_key: str
    username: str
    signature_key: str = ""
    bound: bool = True


@dataclass(frozen=True, slots=True)
class Call:
    query: dict[str, str]
    body: JSONObject
    params: dict[str, str]
    request_id: str


Handler = Callable[[Call], Awaitable[JSONObject]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str
    operation: str
    handler: Handler
    legacy: bool = False  # MTA family: {success, value} envelope, businessPartnerCode


class BlibliGateway:
    def __init__(
        self, *, kit: SandboxKit, settings: BlibliSandboxSettings, time_base: TimeBase
    ) -> None:
        self.kit = kit
        self.settings = settings
        self.time_base = time_base
        self.identity: Identity | None = None
        self.budgets = RateLimiter(None, monotonic=time_base.monotonic)
        # When each admitted call of a budgeted operation arrived (time base seconds), so a
        # test can prove no window ever held more than the budget, beyond "no 429 was sent".
        self.arrivals: dict[str, list[float]] = {}
        self.configure_budgets(settings.budgets)

    def configure_budgets(self, budgets: dict[str, tuple[int, float]]) -> None:
        self.settings.budgets = dict(budgets)
        rules = {op: LimitRule(limit / window, limit) for op, (limit, window) in budgets.items()}
        self.budgets.configure(default=None, overrides=rules)

    def routes(self, endpoints: list[Endpoint]) -> list[BaseRoute]:
        return [Route(e.path, self._endpoint(e), methods=[e.method]) for e in endpoints]

    def _endpoint(self, endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            return await self.handle(request, endpoint)

        return handle

    async def handle(self, request: Request, endpoint: Endpoint) -> Response:
        query = dict(request.query_params)
        rid = query.get("requestId") or str(uuid.uuid4())
        try:
            raw = await request.body()
            self._check_query(query, endpoint)
            self._authenticate(request, raw, query, endpoint)
            self._spend(endpoint.operation)
            body = _json_body(raw) if endpoint.method in ("POST", "PUT") else {}
            call = Call(query, body, {k: str(v) for k, v in request.path_params.items()}, rid)
            payload = await endpoint.handler(call)
        except BlibliError as error:
            return self.error(error, rid)
        if endpoint.legacy:
            return json_response({"requestId": rid, "success": True, **payload})
        return json_response({"requestId": rid, **payload})

    def _check_query(self, query: dict[str, str], endpoint: Endpoint) -> None:
        code_param = "businessPartnerCode" if endpoint.legacy else "storeCode"
        for name in ("requestId", "storeId", "channelId", "username", code_param):
            if not query.get(name):
                raise bad_request(f"query parameter {name} is required")
        if query["storeId"] != "10001":
            raise bad_request(f"storeId must be 10001, got {query['storeId']!r}")

    def _authenticate(
        self, request: Request, raw: bytes, query: dict[str, str], endpoint: Endpoint
    ) -> None:
        ident = self.identity
        assert ident is not None, "the sandbox sets its identity before serving"
        basic = base64.b64encode(f"{ident.client_id}:{ident.client_secret}".encode()).decode()
        if not signatures_match(f"Basic {basic}", request.headers.get("Authorization", "")):
            raise BlibliError(codes.CLIENT_INVALID)
        store = query["businessPartnerCode" if endpoint.legacy else "storeCode"]
        if store != ident.store_code or not ident.bound:
            raise bad_request(codes.NOT_BOUND_MESSAGE)
        if not signatures_match(ident.api_seller_key, request.headers.get("Api-Seller-Key", "")):
            raise BlibliError(codes.SELLER_KEY_INVALID)
        if query["username"] != ident.username:
            raise bad_request(f"username {query['username']!r} is not a user of store {store}")
        if ident.signature_key:
            self._check_signature(request, raw, ident.signature_key)

    def _check_signature(self, request: Request, raw: bytes, key: str) -> None:
        given = request.headers.get("Signature", "")
        stamp = request.headers.get("Signature-Time", "")
        if not given or not stamp.isdigit():
            raise BlibliError(codes.SIGNATURE_INVALID, "Signature and Signature-Time are required")
        moment = signing.from_millis(int(stamp))
        skew = abs(self.kit.clock.timestamp() - moment.timestamp())
        if skew > self.settings.signature_window_s:
            raise BlibliError(codes.SIGNATURE_EXPIRED)
        candidates = _raw_strings(request.method, raw, moment, request.url.path, request.url.query)
        if not self.settings.accept_signature_variants:
            candidates = candidates[:1]
        if not any(signatures_match(signing.sign(key, text), given) for text in candidates):
            raise BlibliError(codes.SIGNATURE_INVALID)

    def _spend(self, operation: str) -> None:
        """The toolkit's switchable limit (``/_sandbox/limits``, scoped by the operation's
        path template), then Blibli's documented budget for the operation."""
        assert self.identity is not None
        store = self.identity.store_code
        path = OPERATION_PATHS.get(operation, operation)
        wait = self.kit.limiter.acquire((store, path), scope=path)
        if wait > 0:
            raise _Throttled(retry_after_seconds(wait))  # real seconds: the toolkit's clock
        wait = self.budgets.acquire((store, operation), scope=operation)
        if wait > 0:
            raise _Throttled(self.retry_after(wait))
        if operation in self.settings.budgets:
            self.arrivals.setdefault(operation, []).append(self.time_base.monotonic())

    def error(self, error: BlibliError, rid: str) -> Response:
        if isinstance(error, _Throttled):
            return self.throttled(error.seconds)
        payload = {
            "requestId": rid,
            "success": False,
            "errorCode": error.code,
            "errorMessage": error.message,
        }
        return json_response(payload, error.status)

    def retry_after(self, wait: float) -> int:
        """Whole real seconds (the header's unit) for a wait on the sandbox's time base."""
        scale = getattr(self.time_base, "scale", 1.0)
        return max(1, math.ceil(wait / (scale if isinstance(scale, int | float) else 1.0)))

    def throttled(self, retry_after: int) -> Response:
        payload = {
            "requestId": str(uuid.uuid4()),
            "success": False,
            "errorCode": codes.QUOTA_EXCEEDED,
            "errorMessage": codes.MESSAGES[codes.QUOTA_EXCEEDED],
        }
        return json_response(payload, 429, headers={"Retry-After": str(retry_after)})

    def server_error(self, status: int) -> Response:
        payload = {
            "requestId": str(uuid.uuid4()),
            "success": False,
            "errorCode": codes.SERVER_ERROR,
            "errorMessage": codes.MESSAGES[codes.SERVER_ERROR],
        }
        return json_response(payload, status)

    def unrouted(self, status: int) -> Response:
        message = "API path not found" if status == 404 else "HTTP method not allowed"
        payload = {
            "requestId": str(uuid.uuid4()),
            "success": False,
            "errorCode": codes.BAD_REQUEST,
            "errorMessage": message,
        }
        return json_response(payload, status)


class _Throttled(BlibliError):
    def __init__(self, seconds: int) -> None:
        super().__init__(codes.QUOTA_EXCEEDED)
        self.seconds = seconds  # Retry-After, whole real seconds


def _raw_strings(method: str, raw: bytes, moment: datetime, path: str, query: str) -> list[str]:
    """The official raw string first, then the community variants README 4.2 lists."""
    official = signing.raw_string(method, raw or None, moment, path)
    with_type = "\n".join(
        (method, signing.body_digest(raw or None), signing.JSON, signing.wib_date(moment))
    )
    variants = [official, f"{with_type}\n{signing.signed_path(path)}"]
    if query:
        variants.append(f"{official}?{query}")
    return variants


def _json_body(raw: bytes) -> JSONObject:
    try:
        return parse_json_object(raw)
    except ControlError as exc:
        raise bad_request(f"request {exc}") from None
