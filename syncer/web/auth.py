"""Who is asking: a bearer token (API) or the same token in a cookie (web pages).

A business token is scoped to its business: every query it drives filters by that business,
and whatever lies outside answers 404 exactly like something that does not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from syncer.store.access import Principal
from syncer.web.errors import ApiError, not_found
from syncer.web.state import WebState, web_state

COOKIE = "syncer_token"
_bearer = HTTPBearer(
    auto_error=False,
    description="An API token from `syncer tokens create --business SLUG` or `--operator`.",
)


def presented_token(request: Request, header: HTTPAuthorizationCredentials | None) -> str:
    if header is not None and header.credentials:
        return header.credentials
    return request.cookies.get(COOKIE, "")


async def principal(
    request: Request,
    state: Annotated[WebState, Depends(web_state)],
    header: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    token = presented_token(request, header)
    if not token:
        raise ApiError(401, "unauthorized", "send an API token: Authorization: Bearer <token>")
    found = await state.principal(token)
    if found is None:
        raise ApiError(401, "unauthorized", "this API token is unknown or revoked")
    return found


async def operator(who: Annotated[Principal, Depends(principal)]) -> Principal:
    if not who.is_operator:
        raise ApiError(403, "forbidden", "only an operator token may do this")
    return who


Caller = Annotated[Principal, Depends(principal)]
Operator = Annotated[Principal, Depends(operator)]


async def scope_for(state: WebState, who: Principal, business: str | None) -> int | None:
    """The business id a request reads (None: all, for an operator who named none)."""
    if not who.is_operator:
        if business is not None and business != who.business_slug:
            raise not_found(f"business {business!r}")
        return who.business_id
    if business is None:
        return None
    ids = await state.business_ids()
    if business not in ids:
        raise not_found(f"business {business!r}")
    return ids[business]
