"""Server-rendered pages (Jinja2): the listing grid, a product's history, shops, runs, pushes.

Pages use the API's token, kept in an HttpOnly cookie after /login; the same scoping rules
apply. A little JavaScript (``static/live.js``) refreshes running syncs; without it the pages
work the same, only without live updates.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from syncer.domain import ListingStatus, RunState
from syncer.store import web_grid
from syncer.store import web_push_queries as push_queries
from syncer.store import web_queries as queries
from syncer.store.access import Principal, verify_token
from syncer.store.web_queries import ListingFilter
from syncer.web.api import MAX_ID, trigger_sync
from syncer.web.auth import COOKIE, Caller, scope_for
from syncer.web.errors import ApiError, invalid, not_found
from syncer.web.i18n import DEFAULT, LANGUAGES, translator
from syncer.web.marketplaces import marketplace_info
from syncer.web.state import WebState, web_state

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))
State = Annotated[WebState, Depends(web_state)]
GRID_ROWS = 100
LANG_COOKIE = "syncer_lang"


def rupiah(value: int) -> str:
    return "Rp" + f"{value:,}".replace(",", ".")


def when(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M:%S UTC")


templates.env.filters["rupiah"] = rupiah
templates.env.filters["when"] = when
templates.env.globals["marketplace"] = marketplace_info


def language(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE, DEFAULT)
    return chosen if chosen in LANGUAGES else DEFAULT


def render(
    request: Request, name: str, who: Principal | None, status: int = 200, **context: Any
) -> HTMLResponse:
    lang = language(request)
    response = templates.TemplateResponse(
        request,
        name,
        {"who": who, "lang": lang, "t": translator(lang), "path": request.url.path, **context},
        status_code=status,
    )
    if "lang" in request.query_params and lang == request.query_params["lang"]:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


def render_error(request: Request, error: ApiError) -> Response:
    if error.status == 401:
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/login?next={target}", status_code=303)
    return render(request, "error.html", None, status=error.status, error=error)


def _safe_next(target: str) -> str:
    """Only a path on this site (never ``//host``): the login form is no open redirect."""
    return target if target.startswith("/") and not target.startswith("//") else "/grid"


@router.get("/", response_class=RedirectResponse)
async def home() -> RedirectResponse:
    return RedirectResponse("/grid", status_code=303)


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str = "/grid") -> HTMLResponse:
    return render(request, "login.html", None, next=_safe_next(next), failed=False)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, state: State) -> Response:
    form = parse_qs((await request.body()).decode(errors="replace"))
    token = (form.get("token") or [""])[0].strip()
    target = _safe_next((form.get("next") or ["/grid"])[0])
    async with state.database.read() as connection:
        found = await verify_token(connection, token) if token else None
    if found is None:
        return render(request, "login.html", None, status=401, next=target, failed=True)
    response = RedirectResponse(target, status_code=303)
    secure = request.url.scheme == "https"
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure)
    return response


@router.get("/logout", response_class=RedirectResponse)
async def logout() -> RedirectResponse:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/grid", response_class=HTMLResponse)
async def grid_page(
    request: Request,
    state: State,
    who: Caller,
    business: Annotated[str | None, Query(max_length=64)] = None,
    marketplace: Annotated[str | None, Query(max_length=32)] = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    after: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    business = business or None  # the filter form sends "" for "all"
    chosen = _status(status)
    slugs = await state.business_ids() if who.is_operator else {}
    if who.is_operator and business is None and slugs:
        business = next(iter(sorted(slugs)))  # a grid spans one business's shops
    scope = await scope_for(state, who, business)
    wanted = ListingFilter(
        business_id=scope,
        marketplace=marketplace or None,
        status=chosen,
        text=q or None,
    )
    async with state.database.read() as connection:
        page = await web_grid.grid(connection, wanted, after_sku=after, limit=GRID_ROWS)
        summary = await queries.status_summary(connection, wanted)
        all_shops = await queries.shops_in(connection, scope)
    filters = {"business": business or "", "marketplace": marketplace or "", "q": q or ""}
    filters["status"] = chosen or ""
    next_link = None
    if page.next_sku is not None:
        next_link = "/grid?" + urlencode({**_nonempty(filters), "after": page.next_sku})
    return render(
        request,
        "grid.html",
        who,
        page=page,
        summary=summary,
        filters=filters,
        businesses=sorted(slugs),
        marketplaces=sorted({shop.marketplace for shop in all_shops}),
        statuses=[s.value for s in ListingStatus],
        next_link=next_link,
        paged=bool(after),
    )


def _status(value: str | None) -> str | None:
    if not value:
        return None
    allowed = [s.value for s in ListingStatus]
    if value not in allowed:
        raise invalid("status", f"{value!r} is not a status; allowed: {', '.join(allowed)}")
    return value


def _nonempty(values: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in values.items() if value}


@router.get("/products/{sku:path}", response_class=HTMLResponse)
async def product_page(
    request: Request,
    state: State,
    who: Caller,
    sku: str,
    business: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    scope = await scope_for(state, who, business or None)
    async with state.database.read() as connection:
        rows, master = await web_grid.product_listings(connection, scope, sku)
        if not rows:
            raise not_found(f"product {sku!r}")
        history = await queries.events(connection, [row.id for row in rows])
        pushes = await push_queries.pushes_of_listings(connection, [row.id for row in rows])
    by_id = {row.id: row for row in rows}
    return render(
        request,
        "product.html",
        who,
        sku=sku,
        listings=rows,
        events=history,
        pushes=pushes,
        by_id=by_id,
        master=master,
    )


@router.get("/shops", response_class=HTMLResponse)
async def shops_page(request: Request, state: State, who: Caller) -> HTMLResponse:
    async with state.database.read() as connection:
        shops = await queries.shops_with_runs(connection, who.business_id)
    return render(request, "shops.html", who, shops=shops)


@router.get("/runs", response_class=HTMLResponse)
async def runs_page(
    request: Request,
    state: State,
    who: Caller,
    shop: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    fragment: bool = False,
) -> HTMLResponse:
    async with state.database.read() as connection:
        runs, _ = await queries.runs_page(
            connection,
            who.business_id,
            shop_id=shop,
            state=None,
            kind=None,
            before_id=None,
            limit=100,
        )
    live = any(run["state"] in (RunState.RUNNING, RunState.QUEUED) for run in runs)
    name = "_runs_rows.html" if fragment else "runs.html"
    return render(request, name, who, runs=runs, live=live, now=state.clock.now(), shop=shop)


@router.post("/shops/{shop_id}/sync", response_class=RedirectResponse)
async def sync_from_page(
    state: State, who: Caller, shop_id: Annotated[int, PathParam(ge=1, le=MAX_ID)]
) -> RedirectResponse:
    """The shops page's button (operators); the same rule as the API's trigger."""
    await trigger_sync(state, await _operator(who), shop_id, None)
    return RedirectResponse(f"/runs?shop={shop_id}", status_code=303)


async def _operator(who: Principal) -> Principal:
    if not who.is_operator:
        raise ApiError(403, "forbidden", "only an operator token may do this")
    return who


@router.get("/pushes", response_class=HTMLResponse)
async def pushes_page(request: Request, state: State, who: Caller) -> HTMLResponse:
    states = (*push_queries.PROBLEMS, *push_queries.UNFINISHED)
    async with state.database.read() as connection:
        rows, _ = await push_queries.pushes_page(
            connection, who.business_id, states=states, shop_id=None, before_id=None, limit=200
        )
    failed = [row for row in rows if row.state in push_queries.PROBLEMS]
    pending = [row for row in rows if row.state in push_queries.UNFINISHED]
    return render(request, "pushes.html", who, failed=failed, pending=pending)
