"""``/api/v1``: listings, products, shops, runs for businesses (their own) and operators (all).

Operator-only: adding shops, creating tokens, triggering syncs. Lists page with opaque cursors.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import timedelta
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy import Connection as SyncConnection

from syncer.domain import RunKind, RunState, RunTrigger
from syncer.engine.connect import connect_shop
from syncer.store import access, web_json
from syncer.store import queue as queue_store
from syncer.store import web_prepared as prepared
from syncer.store import web_push_queries as push_queries
from syncer.store import web_queries as queries
from syncer.store.access import Principal
from syncer.store.web_queries import EventRow, ListingFilter, ListingRow, ShopRow
from syncer.web import encode, query
from syncer.web import schemas as s
from syncer.web.auth import Caller, Operator, scope_for
from syncer.web.errors import ApiError, invalid, not_found
from syncer.web.marketplaces import marketplace_info
from syncer.web.state import WebState, web_state

State = Annotated[WebState, Depends(web_state)]
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": s.ErrorOut, "description": text}
    for code, text in (
        (401, "No token, or an unknown or revoked one."),
        (404, "Not found, or outside the token's business."),
        (422, "Invalid input; `error.field` names it."),
    )
}
router = APIRouter(prefix="/api/v1", responses=ERRORS)
MARKETPLACE = s.MARKETPLACE
EXECUTING_ROLES = ("all", "worker")  # daemon roles that execute queued runs
MAX_ID = s.MAX_ID
BusinessParam = Annotated[
    str | None,
    Query(pattern=s.SLUG, description="Operators: only this business. Businesses: their own."),
]
Limit = Annotated[int, Query(ge=1, le=500, description="Page size.")]
Cursor = Annotated[str | None, Query(max_length=100, description="`next_cursor` of a page.")]


def json_response(body: BaseModel) -> Response:
    """The body serialized once (FastAPI would validate a returned model again first)."""
    return Response(body.model_dump_json(), media_type="application/json")


def encode_cursor(kind: str, value: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([kind, value]).encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        found_kind, value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise invalid(
            "cursor", "not a cursor this API gave out; omit it for the first page"
        ) from None
    if found_kind != kind or type(value) is not int or not 0 <= value <= MAX_ID:
        raise invalid("cursor", "not a cursor of this list; omit it for the first page")
    return value


def listing_out(row: ListingRow) -> s.ListingOut:
    return s.ListingOut.model_validate(row)


def shop_out(shop: ShopRow) -> s.ShopOut:
    feed_only = marketplace_info(shop.marketplace).feed_only
    return s.ShopOut.model_validate({**_fields(shop), "feed_only": feed_only})


def _fields(row: object) -> dict[str, object]:
    return {name: getattr(row, name) for name in row.__dataclass_fields__}  # type: ignore[attr-defined]


@router.get("/me", summary="Who this token is", response_model=s.MeOut)
async def me(who: Caller) -> s.MeOut:
    role = "operator" if who.is_operator else "business"
    return s.MeOut(role=role, business=who.business_slug, label=who.label)


@router.get(
    "/listings",
    summary="Listings, filtered, a page at a time",
    response_model=s.ListingPage,
    openapi_extra=query.parameters(s.ListingQuery),
)
async def list_listings(request: Request, state: State, who: Caller) -> Response:
    asked = query.parse(s.ListingQuery, request)  # the hottest endpoint: one validation call
    wanted = ListingFilter(
        business_id=await scope_for(state, who, asked.business),
        marketplace=asked.marketplace,
        shop_id=asked.shop,
        status=asked.status.value if asked.status else None,
        sku=asked.sku,
        text=asked.q,
    )
    after = decode_cursor("listing", asked.cursor) or 0
    body = await state.database.read_sync(
        partial(_listing_page, wanted=wanted, after_id=after, limit=asked.limit)
    )
    return Response(body, media_type="application/json")


def _listing_page(
    connection: SyncConnection, wanted: ListingFilter, *, after_id: int, limit: int
) -> bytes:
    """The page's JSON, written by SQLite where it can (``web_json``), else from rows."""
    found = web_json.listings_json(connection, wanted, after_id=after_id, limit=limit)
    if found is not None:
        items, next_id = found
        return encode.listing_page_json(items, _listing_cursor(next_id))
    rows, next_id = prepared.listings_page(connection, wanted, after_id=after_id, limit=limit)
    return encode.listing_page(rows, _listing_cursor(next_id))


def _listing_cursor(next_id: int | None) -> str | None:
    return None if next_id is None else encode_cursor("listing", next_id)


@router.get(
    "/listings/{listing_id}", summary="One listing and its history", response_model=s.ListingDetail
)
async def get_listing(
    state: State, who: Caller, listing_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> s.ListingDetail:
    def read(connection: SyncConnection) -> tuple[ListingRow | None, list[EventRow]]:
        row = queries.listing_sync(connection, who.business_id, listing_id)
        return row, ([] if row is None else prepared.events(connection, [row.id]))

    row, history = await state.database.read_sync(read)
    if row is None:
        raise not_found(f"listing {listing_id}")
    return s.ListingDetail(
        listing=listing_out(row), events=[s.EventOut.model_validate(e) for e in history]
    )


@router.get(
    "/products/{sku}",
    summary="One product (master SKU): its listings on every marketplace, and their history",
    response_model=s.ProductOut,
)
async def get_product(
    state: State,
    who: Caller,
    sku: Annotated[str, Path(min_length=1, max_length=200)],
    business: BusinessParam = None,
) -> Response:
    scope = await scope_for(state, who, business)

    rows, master, history = await state.database.read_sync(
        partial(prepared.product, scope=scope, sku=sku)
    )
    if not rows:
        raise not_found(f"product {sku!r}")
    product = s.ProductOut(
        sku=sku,
        master=None if master is None else s.MasterOut.model_validate(master),
        listings=[listing_out(row) for row in rows],
        events=[s.EventOut.model_validate(e) for e in history],
    )
    return json_response(product)


@router.get(
    "/shops", summary="Shops with auth state and their latest runs", response_model=list[s.ShopOut]
)
async def list_shops(state: State, who: Caller, business: BusinessParam = None) -> list[s.ShopOut]:
    scope = await scope_for(state, who, business)
    async with state.database.read() as connection:
        shops = await queries.shops_with_runs(connection, scope)
    return [shop_out(shop) for shop in shops]


@router.get("/shops/{shop_id}", summary="One shop", response_model=s.ShopOut)
async def get_shop(
    state: State, who: Caller, shop_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> s.ShopOut:
    return shop_out(await _shop(state, who, shop_id))


async def _shop(state: WebState, who: Principal, shop_id: int) -> ShopRow:
    async with state.database.read() as connection:
        shops = await queries.shops_with_runs(connection, who.business_id, shop_id=shop_id)
    if not shops:
        raise not_found(f"shop {shop_id}")
    return shops[0]


@router.post(
    "/shops",
    summary="Connect a shop (operators)",
    status_code=201,
    response_model=s.ShopOut,
    responses={
        403: {"model": s.ErrorOut},
        409: {"model": s.ErrorOut},
        502: {"model": s.ErrorOut, "description": "The marketplace could not be reached."},
    },
)
async def add_shop(state: State, who: Operator, body: s.ShopIn) -> s.ShopOut:
    interval = body.pull_interval_minutes or state.settings.daemon.pull_interval_minutes
    async with state.database.read() as connection:  # before the code is spent on it
        existing = await queries.shop_id_of(connection, body.marketplace, body.external_shop_id)
    if existing is not None:
        raise ApiError(
            409,
            "conflict",
            f"{body.marketplace} shop {body.external_shop_id} is already connected as shop "
            f"{existing}",
        )
    record = await connect_shop(
        state.database,
        state.adapters,
        business=body.business,
        marketplace=body.marketplace,
        external_shop_id=body.external_shop_id,
        name=body.name,
        credentials=body.credentials,
        code=body.code,
        pull_interval_minutes=interval,
    )
    return shop_out(await _shop(state, who, record.id))


@router.post(
    "/shops/{shop_id}/sync",
    summary="Queue a pull of one shop now (operators); it joins a run already queued",
    status_code=202,
    response_model=s.SyncOut,
    responses={403: {"model": s.ErrorOut}},
)
async def trigger_sync(
    state: State,
    who: Operator,
    shop_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    body: s.SyncIn | None = None,
) -> s.SyncOut:
    shop = await _shop(state, who, shop_id)
    kind = RunKind.PULL_FULL if body is not None and body.full else RunKind.PULL_INCREMENTAL
    requested_by = f"api:{who.label or who.token_id}"[:200]
    if state.launcher is not None:  # the daemon of this process: it wakes its executor too
        enqueued = await state.launcher.request(
            shop.id, kind, RunTrigger.MANUAL, requested_by=requested_by
        )
    else:  # a daemon elsewhere polls the queue
        async with state.database.write() as connection:
            enqueued = await queue_store.enqueue_run(
                connection,
                shop_id=shop.id,
                kind=kind,
                trigger=RunTrigger.MANUAL,
                requested_by=requested_by,
                now=state.clock.now(),
                join_running=True,
            )
    executing = state.launcher is not None or await _executor_alive(state)
    message = enqueued.describe()
    if not executing:
        message += "; no daemon is running to execute it: start `syncer run`"
    return s.SyncOut(
        shop_id=shop.id,
        run_id=enqueued.run_id,
        kind=enqueued.kind,
        joined=enqueued.joined,
        running_run_id=enqueued.running_run_id,
        executor_alive=executing,
        message=message,
    )


async def _executor_alive(state: WebState) -> bool:
    since = state.clock.now() - timedelta(seconds=state.settings.daemon.node_timeout_seconds)
    async with state.database.read() as connection:
        nodes = await queue_store.live_nodes(connection, seen_since=since, roles=EXECUTING_ROLES)
    return bool(nodes)


@router.get(
    "/runs", summary="Sync runs, newest first, with their progress", response_model=s.RunPage
)
async def list_runs(
    state: State,
    who: Caller,
    business: BusinessParam = None,
    shop: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    run_state: Annotated[RunState | None, Query(alias="state")] = None,
    kind: RunKind | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> s.RunPage:
    scope = await scope_for(state, who, business)
    async with state.database.read() as connection:
        rows, next_id = await queries.runs_page(
            connection,
            scope,
            shop_id=shop,
            state=run_state.value if run_state else None,
            kind=kind.value if kind else None,
            before_id=decode_cursor("run", cursor),
            limit=limit,
        )
    return s.RunPage(
        items=[s.RunOut.model_validate(row) for row in rows],
        next_cursor=None if next_id is None else encode_cursor("run", next_id),
    )


@router.get(
    "/runs/{run_id}", summary="One run with its progress and issues", response_model=s.RunDetail
)
async def get_run(
    state: State, who: Caller, run_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> s.RunDetail:
    async with state.database.read() as connection:
        row = await queries.run(connection, who.business_id, run_id)
    if row is None:
        raise not_found(f"run {run_id}")
    issues = json.loads(str(row.pop("issues") or "[]"))
    return s.RunDetail.model_validate({**row, "issues": issues})


@router.post(
    "/tokens",
    summary="Create an API token (operators); it is shown once",
    status_code=201,
    response_model=s.TokenOut,
    responses={403: {"model": s.ErrorOut}},
)
async def create_token(state: State, who: Operator, body: s.TokenIn) -> s.TokenOut:
    label = body.label or f"created by token {who.token_id}"
    token = await access.create_token(
        state.database,
        business=body.business,
        operator=body.operator,
        label=label,
        now=state.clock.now(),
    )
    role = "operator" if body.operator else "business"
    return s.TokenOut(token=token, role=role, business=body.business, label=label)


@router.get(
    "/pushes",
    summary="Pushes to marketplaces: pending and failed (by default), with reasons",
    response_model=s.PushPage,
)
async def list_pushes(
    state: State,
    who: Caller,
    business: BusinessParam = None,
    push_state: Annotated[
        list[s.PushState] | None,
        Query(
            alias="state",
            description="Repeat to combine; default: pending, in_flight, failed, mismatch.",
        ),
    ] = None,
    shop: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    cursor: Cursor = None,
    limit: Limit = 100,
) -> s.PushPage:
    scope = await scope_for(state, who, business)
    states = tuple(push_state) if push_state else (*push_queries.UNFINISHED, *push_queries.PROBLEMS)
    async with state.database.read() as connection:
        rows, next_id = await push_queries.pushes_page(
            connection,
            scope,
            states=states,
            shop_id=shop,
            before_id=decode_cursor("push", cursor),
            limit=limit,
        )
    return s.PushPage(
        items=[s.PushOut.model_validate(row) for row in rows],
        next_cursor=None if next_id is None else encode_cursor("push", next_id),
    )
