"""SQLModel tables of the normalized catalog (DESIGN section 3). Only ``store`` imports these.

Times are stored as UTC (``UtcDateTime``); money as integer rupiah; marketplace ids as text.
JSON documents (cursors, raw payloads, counts of issues) are stored as text: portable between
SQLite and PostgreSQL and serialized exactly once.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _time(*, nullable: bool = False, index: bool = False) -> sa.Column[datetime]:
    return sa.Column(UtcDateTime(), nullable=nullable, index=index)


class Business(SQLModel, table=True):
    __tablename__ = "business"
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, max_length=64)
    name: str = Field(max_length=200)
    created_at: datetime = Field(sa_column=_time())


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    business_id: int | None = Field(default=None, foreign_key="business.id", index=True)
    role: str = Field(max_length=16)  # "business" (scoped to business_id) or "operator"
    name: str = Field(default="", max_length=200)
    token_hash: str = Field(unique=True, max_length=128)
    created_at: datetime = Field(sa_column=_time())
    revoked_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))


class Shop(SQLModel, table=True):
    __tablename__ = "shop"
    __table_args__ = (sa.UniqueConstraint("marketplace", "external_shop_id"),)
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    marketplace: str = Field(max_length=32)
    external_shop_id: str = Field(max_length=64)
    name: str = Field(max_length=200)
    credentials: str = Field(default="", sa_type=sa.Text)  # Fernet token, never plaintext
    auth_state: str = Field(default="ok", max_length=16)
    auth_error: str = Field(default="", sa_type=sa.Text)
    token_expires_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    enabled: bool = Field(default=True)
    pull_interval_minutes: int = Field(default=15)
    settings: str = Field(default="{}", sa_type=sa.Text)  # per-shop rules (JSON)
    created_at: datetime = Field(sa_column=_time())
    updated_at: datetime = Field(sa_column=_time())


class Listing(SQLModel, table=True):
    __tablename__ = "listing"
    __table_args__ = (
        sa.UniqueConstraint("shop_id", "external_item_id", "external_variant_id"),
        sa.Index("ix_listing_shop_status", "shop_id", "status"),
        sa.Index("ix_listing_seller_sku", "seller_sku"),
    )
    id: int | None = Field(default=None, primary_key=True)
    shop_id: int = Field(foreign_key="shop.id")
    external_item_id: str = Field(max_length=64)
    external_variant_id: str = Field(default="", max_length=64)
    # Marketplace text has no length we can promise: Text, so PostgreSQL never refuses a page.
    seller_sku: str = Field(default="", sa_type=sa.Text)
    title: str = Field(sa_type=sa.Text)
    variant_name: str = Field(default="", sa_type=sa.Text)
    price: int = Field(sa_type=sa.BigInteger)
    stock: int
    status: str = Field(max_length=16)
    raw_status: str = Field(sa_type=sa.Text)
    status_reason: str = Field(default="", sa_type=sa.Text)
    image_url: str = Field(default="", sa_type=sa.Text)
    remote_updated_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    content_hash: str = Field(max_length=32)
    raw: str = Field(default="{}", sa_type=sa.Text)
    first_seen_at: datetime = Field(sa_column=_time())
    changed_at: datetime = Field(sa_column=_time())


class ListingEvent(SQLModel, table=True):
    __tablename__ = "listing_event"
    __table_args__ = (sa.Index("ix_listing_event_listing", "listing_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    listing_id: int = Field(foreign_key="listing.id")
    shop_id: int = Field(foreign_key="shop.id", index=True)
    field: str = Field(max_length=16)  # price, stock or status
    old_value: str = Field(max_length=64)
    new_value: str = Field(max_length=64)
    source: str = Field(max_length=16)  # pull, push, webhook, operator
    run_id: int | None = Field(default=None, foreign_key="sync_run.id")
    created_at: datetime = Field(sa_column=_time())


class SyncRun(SQLModel, table=True):
    __tablename__ = "sync_run"
    __table_args__ = (
        # The one-run rule, enforced by the database: one running and one queued per kind.
        sa.Index(
            "uq_sync_run_running",
            "shop_id",
            "kind",
            unique=True,
            sqlite_where=sa.text("state = 'running'"),
            postgresql_where=sa.text("state = 'running'"),
        ),
        sa.Index(
            "uq_sync_run_queued",
            "shop_id",
            "kind",
            unique=True,
            sqlite_where=sa.text("state = 'queued'"),
            postgresql_where=sa.text("state = 'queued'"),
        ),
        sa.Index("ix_sync_run_shop_created", "shop_id", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    shop_id: int = Field(foreign_key="shop.id")
    kind: str = Field(max_length=24)
    trigger: str = Field(max_length=16)
    requested_by: str = Field(default="", max_length=200)
    state: str = Field(max_length=16, index=True)
    created_at: datetime = Field(sa_column=_time())
    started_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    heartbeat_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    pages: int = 0
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    quarantined: int = 0
    pushed: int = 0
    failed: int = 0
    cursor_before: str = Field(default="", sa_type=sa.Text)
    cursor_after: str = Field(default="", sa_type=sa.Text)
    error_class: str = Field(default="", max_length=64)
    error_message: str = Field(default="", sa_type=sa.Text)
    issues: str = Field(default="[]", sa_type=sa.Text)  # quarantined items: [{item, reason}]
    worker: str = Field(default="", max_length=200)
    # The queue: when the run was due (its start lag is measured from here), how many triggers
    # collapsed into it, and how far the pass has come (for progress bars in other processes).
    due_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    triggers: int = 1
    progress_done: int = 0
    progress_total: int = 0  # 0: unknown


class SyncState(SQLModel, table=True):
    __tablename__ = "sync_state"
    __table_args__ = (sa.UniqueConstraint("shop_id", "stream"),)
    id: int | None = Field(default=None, primary_key=True)
    shop_id: int = Field(foreign_key="shop.id")
    stream: str = Field(default="listings", max_length=32)
    cursor: str = Field(default="{}", sa_type=sa.Text)
    high_water_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    last_full_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    lease_owner: str = Field(default="", max_length=200)
    lease_expires_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    epoch: int = 0


class PullSeen(SQLModel, table=True):
    """Keys seen by an unfinished full pass; what is absent at its end may be deleted."""

    __tablename__ = "pull_seen"
    pass_id: str = Field(primary_key=True, max_length=40)
    external_item_id: str = Field(primary_key=True, max_length=64)
    external_variant_id: str = Field(primary_key=True, max_length=64)
    shop_id: int = Field(foreign_key="shop.id", index=True)


from syncer.store import daemon_tables as _daemon_tables  # noqa: E402,F401  registers them
from syncer.store import limit_tables as _limit_tables  # noqa: E402,F401  registers them
from syncer.store import push_tables as _push_tables  # noqa: E402,F401  registers them
