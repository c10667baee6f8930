"""``/healthz`` (the process answers), ``/readyz`` (database reachable, schema current) and
``/metrics`` (Prometheus text)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response

from syncer.store import migrate
from syncer.store.database import describe_database_error
from syncer.web.metrics import CONTENT_TYPE, render_metrics
from syncer.web.state import WebState, web_state

router = APIRouter(tags=["health"])
State = Annotated[WebState, Depends(web_state)]


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The database is reachable and its schema is current")
async def readyz(state: State) -> JSONResponse:
    url = state.settings.database.url
    try:
        current = await asyncio.to_thread(migrate.current_revision, url)
    except Exception as exc:
        problem = describe_database_error(exc, url)
        if problem is None:
            raise
        return _not_ready("database_unreachable", "the database cannot be reached")
    head = migrate.head_revision()
    if current != head:
        return _not_ready(
            "schema_behind",
            f"database schema is at {current or 'none'}, this server needs {head}: "
            "run `syncer db upgrade`",
        )
    return JSONResponse({"status": "ready", "schema": head})


def _not_ready(code: str, message: str) -> JSONResponse:
    return JSONResponse({"status": "not_ready", "error": {"code": code, "message": message}}, 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(state: State) -> Response:
    return Response(await render_metrics(state), media_type=CONTENT_TYPE)
