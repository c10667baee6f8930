"""TikTok Shop sandbox gateway: what every API call goes through around its handler.

Order per request: settle due audits, rate limit (per app, shop and API, [I] before auth),
common parameters, signature, access token and ``shop_cipher``, JSON body, handler, then the
envelope ``{code, message, request_id, data}``. Token endpoints (the auth host's, served here on
the same address) take their app key and secret in the query and are not signed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adapters.tiktok.sandbox_auth import TikTokAuth
from adapters.tiktok.sandbox_errors import (
    INTERNAL_ERROR,
    INVALID_FORMAT,
    INVALID_METHOD,
    INVALID_PATH,
    TOO_MANY_REQUESTS,
    JSONObject,
    Pair,
    TikTokError,
    TikTokSandboxSettings,
)
from adapters.tiktok.sandbox_params import Call
from syncer.sandbox import (
    ControlError,
    SandboxKit,
    json_response,
    parse_json_object,
    retry_after_seconds,
)

Kind = Literal["token", "app", "shop"]  # unsigned token call, signed without / with shop_cipher
TokenHandler = Callable[[Mapping[str, str]], JSONObject]
Handler = Callable[[Call], JSONObject]


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str  # template, e.g. /product/202309/products/{product_id}; also the limit scope
    kind: Kind
    handler: Handler | None = None
    token_handler: TokenHandler | None = None


def request_id() -> str:
    """Like TikTok's: a UTC timestamp followed by hex, e.g. ``20220808094623010245...``."""
    return time.strftime("%Y%m%d%H%M%S", time.gmtime()) + os.urandom(10).hex().upper()


class TikTokGateway:
    def __init__(
        self,
        *,
        auth: TikTokAuth,
        kit: SandboxKit,
        settings: TikTokSandboxSettings,
        endpoints: Sequence[Endpoint],
        settle: Callable[[], None],
    ) -> None:
        self.auth = auth
        self.kit = kit
        self.settings = settings
        self.endpoints = list(endpoints)
        self.settle = settle

    def routes(self) -> list[BaseRoute]:
        return [
            Route(endpoint.path, self._endpoint(endpoint), methods=[endpoint.method])
            for endpoint in self.endpoints
        ]

    def _endpoint(self, endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            return await self.handle(request, endpoint)

        return handle

    async def handle(self, request: Request, endpoint: Endpoint) -> Response:
        rid = request_id()
        query = dict(request.query_params)
        self.settle()
        key = (query.get("app_key", ""), query.get("shop_cipher", ""), endpoint.path)
        wait = self.kit.limiter.acquire(key, scope=endpoint.path)
        if wait > 0:
            return self.throttled(retry_after_seconds(wait))
        try:
            data = await self._run(request, endpoint, query)
        except TikTokError as error:
            return self.error((error.code, error.message), rid, data=error.data)
        return json_response({"code": 0, "message": "Success", "request_id": rid, "data": data})

    async def _run(
        self, request: Request, endpoint: Endpoint, query: Mapping[str, str]
    ) -> JSONObject:
        if endpoint.kind == "token":
            assert endpoint.token_handler is not None
            return endpoint.token_handler(query)
        raw = await request.body()
        token = request.headers.get("x-tts-access-token", "")
        self.auth.verify(request.url.path, query, token, raw, shop_scoped=endpoint.kind == "shop")
        body = _json_body(request, raw) if endpoint.method in ("POST", "PUT") else {}
        assert endpoint.handler is not None
        call = Call(endpoint.path, dict(request.path_params), query, body, self.kit.clock.unix())
        return endpoint.handler(call)

    def error(self, pair: Pair, rid: str, *, data: JSONObject | None = None) -> Response:
        payload: JSONObject = {"code": pair[0], "message": pair[1], "request_id": rid}
        if data is not None:
            payload["data"] = data
        return json_response(payload, self.settings.status_for_code.get(pair[0], 200))

    def unrouted(self, status: int) -> Response:
        return self.error(INVALID_PATH if status == 404 else INVALID_METHOD, request_id())

    def server_error(self, status: int) -> Response:
        """An injected 5xx (fault switches) in TikTok's envelope; 503 is "service protection"."""
        payload = {
            "code": INTERNAL_ERROR[0],
            "message": INTERNAL_ERROR[1],
            "request_id": request_id(),
        }
        return json_response(payload, status)

    def throttled(self, retry_after: int) -> Response:
        """429 with code 36009002 (rate-limits guide); [I] plus a ``Retry-After`` header."""
        payload = {
            "code": TOO_MANY_REQUESTS[0],
            "message": TOO_MANY_REQUESTS[1],
            "request_id": request_id(),
        }
        return json_response(payload, 429, headers={"Retry-After": str(retry_after)})


def _json_body(request: Request, raw: bytes) -> JSONObject:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if raw.strip() and media != "application/json":
        raise TikTokError(INVALID_FORMAT)
    try:
        return parse_json_object(raw)
    except ControlError:
        raise TikTokError(INVALID_FORMAT) from None
