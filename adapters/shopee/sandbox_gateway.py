"""Shopee sandbox gateway: what every API call goes through before and after its handler.

Order per request: rate limit (per partner, shop and path), common parameters and signature,
JSON body for POST, handler, then the envelope ``{request_id, error, message, warning,
response}`` (token endpoints and ``get_shop_info`` answer at the top level, as their samples do).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adapters.shopee.sandbox_auth import ApiType, ShopeeAuth
from adapters.shopee.sandbox_errors import (
    PARSE_FAILED,
    SERVER_ERROR,
    TOO_MANY_REQUESTS,
    JSONObject,
    Reply,
    ShopeeError,
    ShopeeSandboxSettings,
)
from adapters.shopee.sandbox_params import Call
from syncer.sandbox import (
    ControlError,
    SandboxKit,
    json_response,
    parse_json_object,
    retry_after_seconds,
)

Handler = Callable[[Call], Reply]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One documented API: its method, API type (which sign base string) and envelope style."""

    method: str
    api_type: ApiType
    handler: Handler
    wrapped: bool = True  # False: fields at the top level instead of under "response"


def request_id() -> str:
    """A fresh 32-hex id, like Shopee's."""
    return os.urandom(16).hex()


class ShopeeGateway:
    def __init__(
        self,
        *,
        auth: ShopeeAuth,
        kit: SandboxKit,
        settings: ShopeeSandboxSettings,
        endpoints: Mapping[str, Endpoint],
    ) -> None:
        self.auth = auth
        self.kit = kit
        self.settings = settings
        self.endpoints = dict(endpoints)

    def routes(self) -> list[BaseRoute]:
        return [
            Route(path, self._endpoint(path, endpoint), methods=[endpoint.method])
            for path, endpoint in self.endpoints.items()
        ]

    def _endpoint(self, path: str, endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            return await self.handle(request, path, endpoint)

        return handle

    async def handle(self, request: Request, path: str, endpoint: Endpoint) -> Response:
        rid = request_id()
        query = request.query_params
        # [I] limited before auth, per partner, shop and path (the three scopes Shopee names)
        key = (query.get("partner_id"), query.get("shop_id"), path)
        wait = self.kit.limiter.acquire(key, scope=path)
        if wait > 0:
            return self.throttled(retry_after_seconds(wait))
        try:
            shop_id = self.auth.verify(query, path, endpoint.api_type)
            body = await _json_body(request) if endpoint.method == "POST" else {}
            reply = endpoint.handler(Call(path, query, body, shop_id, self.kit.clock.unix()))
        except ShopeeError as error:
            return self.error(error, rid)
        return self._reply(reply, rid, wrapped=endpoint.wrapped)

    def _reply(self, reply: Reply, rid: str, *, wrapped: bool) -> Response:
        payload: JSONObject = {"request_id": rid, "error": reply.error, "message": reply.message}
        if wrapped:
            payload["warning"] = reply.warning
            if reply.response is not None:
                payload["response"] = reply.response
        elif reply.response is not None:
            payload.update(reply.response)
        return json_response(payload, self._status(reply.error))

    def error(self, error: ShopeeError, rid: str) -> Response:
        """An error answer shaped like the official error examples."""
        payload: JSONObject = {"request_id": rid, "error": error.error, "message": error.message}
        if error.response is not None:
            payload["response"] = error.response
        return json_response(payload, self._status(error.error))

    def _status(self, error: str) -> int:
        return self.settings.status_for_error.get(error, 200) if error else 200

    def unrouted(self, status: int) -> Response:
        """[I] An unknown path (404) or wrong method (405): the docs show no answer, so the
        envelope every answer carries, with ``request_id`` (which the guide says is always
        returned)."""
        message = "API path not found." if status == 404 else "HTTP method not allowed."
        payload = {"request_id": request_id(), "error": "error_param", "message": message}
        return json_response(payload, status)

    def server_error(self, status: int) -> Response:
        """An injected 5xx (fault switches), in Shopee's envelope."""
        payload = {"request_id": request_id(), "error": SERVER_ERROR[0], "message": SERVER_ERROR[1]}
        return json_response(payload, status)

    def throttled(self, retry_after: int) -> Response:
        """429 with the official "Too many requests" error and a ``Retry-After`` header."""
        payload = {
            "request_id": request_id(),
            "error": TOO_MANY_REQUESTS[0],
            "message": TOO_MANY_REQUESTS[1],
        }
        status = self.settings.rate_limited_status
        return json_response(payload, status, headers={"Retry-After": str(retry_after)})


async def _json_body(request: Request) -> JSONObject:
    try:
        return parse_json_object(await request.body())
    except ControlError:
        raise ShopeeError(PARSE_FAILED) from None
