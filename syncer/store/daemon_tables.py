"""Tables of the daemon (issue 5): live nodes, deployment-wide locks, received webhook events.

Imported at the bottom of ``tables.py`` so every table is registered on the same metadata.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from syncer.store.tables import _time


class SyncNode(SQLModel, table=True):
    """A running daemon, scheduler or worker process; ``seen_at`` is its heartbeat."""

    __tablename__ = "sync_node"
    name: str = Field(primary_key=True, max_length=200)
    role: str = Field(max_length=16)  # all, scheduler, worker
    started_at: datetime = Field(sa_column=_time())
    seen_at: datetime = Field(sa_column=_time())


class SyncLock(SQLModel, table=True):
    """A named lock with an expiry (SQLite cannot hold a lock across an HTTP call otherwise)."""

    __tablename__ = "sync_lock"
    name: str = Field(primary_key=True, max_length=200)
    owner: str = Field(max_length=200)
    expires_at: datetime = Field(sa_column=_time())


class WebhookEventRecord(SQLModel, table=True):
    """A verified marketplace notification, kept once however often it is redelivered."""

    __tablename__ = "webhook_event"
    __table_args__ = (
        sa.UniqueConstraint("marketplace", "event_id"),
        # An items pull reads its shop's pending events (consumed_at IS NULL) through this.
        sa.Index("ix_webhook_event_pending", "shop_id", "consumed_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    marketplace: str = Field(max_length=32)
    event_id: str = Field(max_length=200)
    shop_id: int | None = Field(default=None, foreign_key="shop.id", index=True)
    shop_external_id: str = Field(max_length=64)
    kind: str = Field(max_length=64)
    item_ids: str = Field(default="[]", sa_type=sa.Text)  # JSON array of external item ids
    occurred_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    received_at: datetime = Field(sa_column=_time())
    run_id: int | None = Field(default=None, foreign_key="sync_run.id")
    raw: str = Field(default="{}", sa_type=sa.Text)
    consumed_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    """When a pull stored the event's items (None: pending, an items pull will read them)."""
