"""Request and response bodies of ``/api/v1`` (they are the OpenAPI schema clients read)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from syncer.domain import ListingStatus, RunKind
from syncer.web.marketplaces import marketplace_info

SLUG = r"^[a-z0-9][a-z0-9-]{0,63}$"


MARKETPLACE = r"^[a-z][a-z0-9_]{0,31}$"
MAX_ID = 2**63 - 1  # ids are 64-bit in every backend; larger numbers are refused as input


class ListingQuery(BaseModel):
    """The query string of ``GET /api/v1/listings`` (read by ``syncer.web.query``)."""

    business: str | None = Field(
        default=None,
        pattern=SLUG,
        description="Operators: only this business. Businesses: their own.",
    )
    marketplace: str | None = Field(default=None, pattern=MARKETPLACE)
    shop: int | None = Field(default=None, ge=1, le=MAX_ID, description="Shop id.")
    status: ListingStatus | None = None
    sku: str | None = Field(default=None, min_length=1, max_length=200, description="Exact SKU.")
    q: str | None = Field(
        default=None, min_length=1, max_length=200, description="Text in title or SKU."
    )
    cursor: str | None = Field(default=None, max_length=100, description="`next_cursor` of a page.")
    limit: int = Field(default=100, ge=1, le=500, description="Page size.")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ErrorDetail(BaseModel):
    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["shop 7 not found"])
    field: str | None = Field(default=None, description="The input at fault, for 422 answers.")


class ErrorOut(BaseModel):
    error: ErrorDetail


class MeOut(BaseModel):
    role: Literal["business", "operator"]
    business: str | None
    label: str


class ListingOut(_Out):
    id: int
    shop_id: int
    shop: str
    marketplace: str
    item_id: str
    variant_id: str
    sku: str
    title: str
    variant: str
    status: ListingStatus
    marketplace_status: str = Field(description="The marketplace's own status, as it said it.")
    reason: str = Field(description="Why the listing is not live, in the marketplace's words.")
    price: int = Field(description="Whole rupiah.")
    stock: int
    image_url: str
    changed_at: datetime
    remote_updated_at: datetime | None

    @computed_field(description="The marketplace is synced through a product feed.")  # type: ignore[prop-decorator]
    @property
    def feed_only(self) -> bool:
        return marketplace_info(self.marketplace).feed_only


class ListingPage(BaseModel):
    items: list[ListingOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: end.")


class EventOut(_Out):
    id: int
    listing_id: int
    shop_id: int
    field: str
    old_value: str
    new_value: str
    source: str
    run_id: int | None
    created_at: datetime


class ListingDetail(BaseModel):
    listing: ListingOut
    events: list[EventOut]


class MasterOut(_Out):
    """The business's master product (the push engine's catalog), when the SKU has one."""

    sku: str
    title: str
    price: int = Field(description="Whole rupiah: what every marketplace should show.")
    stock: int


class ProductOut(BaseModel):
    sku: str
    master: MasterOut | None
    listings: list[ListingOut]
    events: list[EventOut]


class RunOut(_Out):
    id: int
    shop_id: int
    shop: str | None = None
    marketplace: str | None = None
    kind: str
    trigger: str
    requested_by: str
    state: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None
    due_at: datetime | None
    progress_done: int = Field(description="Items passed in this run's pass, when known.")
    progress_total: int = Field(
        description="Items in the pass; 0 when the marketplace does not say."
    )
    pages: int
    fetched: int
    created: int
    updated: int
    unchanged: int
    deleted: int
    quarantined: int
    pushed: int
    failed: int
    error_class: str
    error_message: str


class RunDetail(RunOut):
    issues: list[dict[str, str]] = Field(description="Items set aside, with their reasons.")


class RunPage(BaseModel):
    items: list[RunOut]
    next_cursor: str | None


class ShopOut(_Out):
    id: int
    business: str
    marketplace: str
    feed_only: bool
    external_shop_id: str
    name: str
    auth_state: str
    auth_error: str
    token_expires_at: datetime | None
    enabled: bool
    pull_interval_minutes: int
    listings: int
    last_runs: list[RunOut] = Field(description="The newest run of each kind.")


class ShopIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    business: str = Field(pattern=SLUG, description="Business slug; created if new.")
    marketplace: str = Field(min_length=1, max_length=32, examples=["shopee"])
    external_shop_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    credentials: dict[str, str] = Field(
        default_factory=dict, description="App keys (and shop keys for key-based marketplaces)."
    )
    code: str = Field(default="", max_length=500, description="The seller's one-time code.")
    pull_interval_minutes: int | None = Field(default=None, ge=1, le=1440)


class SyncIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    full: bool = Field(default=False, description="A full reconcile instead of incremental.")


class SyncOut(BaseModel):
    shop_id: int
    run_id: int = Field(description="The queued (or joined) run; follow it at /api/v1/runs/{id}.")
    kind: RunKind
    joined: bool = Field(description="True: the request joined a run already queued or going.")
    running_run_id: int | None = Field(description="The run going now that this one waits for.")
    executor_alive: bool = Field(description="False: no daemon is running to execute it.")
    message: str


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    business: str | None = Field(default=None, pattern=SLUG)
    operator: bool = False
    label: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _one_scope(self) -> TokenIn:
        if self.operator == (self.business is not None):
            raise ValueError("give either business (a slug) or operator: true, not both")
        return self


class TokenOut(BaseModel):
    token: str = Field(description="Shown once; only its hash is stored.")
    role: Literal["business", "operator"]
    business: str | None
    label: str


PushState = Literal[
    "pending", "in_flight", "applied", "verified", "mismatch", "failed", "superseded"
]


class PushOut(_Out):
    id: int
    listing_id: int
    shop_id: int
    shop: str
    marketplace: str
    sku: str
    title: str
    field: str = Field(description="price, stock or status.")
    value: int = Field(description="Rupiah, units, or 1/0 for listed/unlisted.")
    previous_value: int | None
    origin: str
    state: PushState
    attempts: int
    next_attempt_at: datetime
    reason: str = Field(description="Why it failed, in words a business understands.")
    error_code: str
    created_at: datetime
    updated_at: datetime


class PushPage(BaseModel):
    items: list[PushOut]
    next_cursor: str | None
