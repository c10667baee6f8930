"""Errors as JSON with a code and a human message; HTML pages get the same words in a page.

Every failure a client can cause maps to one ``ApiError`` (or a ``SyncerError`` the store
raised); validation errors name the field; anything else is a logged 500 without details.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from syncer.errors import (
    ConfigError,
    FatalError,
    NeedsReauthError,
    NotFoundError,
    SyncerError,
    UnknownAdapterError,
)
from syncer.store.shops import ShopExistsError

log = structlog.get_logger("syncer.web")
_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    422: "invalid_input",
    503: "unavailable",
}


class ApiError(Exception):
    """A refusal the client can act on: HTTP status, a stable code, and words for people."""

    def __init__(self, status: int, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


def not_found(what: str) -> ApiError:
    """The same answer for "absent" and "another business's": existence is not disclosed."""
    return ApiError(404, "not_found", f"{what} not found")


def invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "invalid_input", f"{field}: {message}", field=field)


def _body(code: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    return {"error": error | extra}


def _field_of(location: tuple[Any, ...] | list[Any]) -> str:
    """``("query", "limit")`` -> ``limit``; ``("body", "a", "b")`` -> ``a.b``."""
    parts = [str(part) for part in location]
    if parts and parts[0] in ("query", "path", "header", "cookie"):
        parts = parts[1:2]  # the parameter's name (a repeated one adds an index: dropped)
    elif parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or "body"


def _validation_response(exc: RequestValidationError) -> JSONResponse:
    problems = [
        {"field": _field_of(item.get("loc", ())), "message": str(item.get("msg", "invalid"))}
        for item in exc.errors()
    ]
    first = problems[0] if problems else {"field": "body", "message": "invalid input"}
    message = "; ".join(f"{p['field']}: {p['message']}" for p in problems) or "invalid input"
    body = _body("invalid_input", message, first["field"], problems=problems)
    return JSONResponse(body, status_code=422)


def _api_error_response(exc: ApiError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return JSONResponse(
        _body(exc.code, exc.message, exc.field), status_code=exc.status, headers=headers
    )


def translate(exc: SyncerError) -> ApiError:
    """A store or engine error as the HTTP answer it deserves."""
    if isinstance(exc, NotFoundError):
        return ApiError(404, "not_found", str(exc))
    if isinstance(exc, ShopExistsError):
        return ApiError(409, "conflict", str(exc))
    if isinstance(exc, ConfigError | UnknownAdapterError):
        return ApiError(422, "invalid_input", str(exc))
    if isinstance(exc, FatalError | NeedsReauthError):  # e.g. a used code, wrong app keys
        return ApiError(422, "marketplace_refused", f"the marketplace refused: {exc}")
    return ApiError(502, "upstream_failed", f"the marketplace did not answer usefully: {exc}")


def install(app: FastAPI, render_page_error: Any) -> None:
    """Register the handlers; ``render_page_error(request, ApiError)`` draws HTML pages."""

    def respond(request: Request, error: ApiError) -> Response:
        if request.url.path.startswith("/api/") or render_page_error is None:
            return _api_error_response(error)
        return render_page_error(request, error)  # type: ignore[no-any-return]

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return respond(request, exc)

    @app.exception_handler(SyncerError)
    async def syncer_error(request: Request, exc: SyncerError) -> Response:
        return respond(request, translate(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        response = _validation_response(exc)
        if request.url.path.startswith("/api/"):
            return response
        first = exc.errors()[0] if exc.errors() else {}
        field = _field_of(first.get("loc", ()))
        return respond(request, invalid(field, str(first.get("msg", "invalid"))))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = _CODES.get(exc.status_code, f"http_{exc.status_code}")
        return respond(request, ApiError(exc.status_code, code, str(exc.detail)))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("web.request_failed", path=request.url.path, method=request.method)
        error = ApiError(500, "internal_error", "the server failed; the error is logged")
        return respond(request, error)
