"""Tables of the push side (DESIGN section 3): master products, listing links, the push outbox,
and the stock-propagation ledger. Imported at the bottom of ``tables.py`` so they register.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from syncer.store.tables import UtcDateTime


def _time(*, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(UtcDateTime(), nullable=nullable)


class Product(SQLModel, table=True):
    """A business's master SKU; ``revision`` is bumped on every change."""

    __tablename__ = "product"
    __table_args__ = (sa.UniqueConstraint("business_id", "sku"),)
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id")
    sku: str = Field(max_length=200)
    title: str = Field(sa_type=sa.Text)
    description: str = Field(default="", sa_type=sa.Text)
    price: int = Field(sa_type=sa.BigInteger)
    stock: int
    weight_grams: int = 0
    image_url: str = Field(default="", sa_type=sa.Text)
    attributes: str = Field(default="{}", sa_type=sa.Text)  # JSON object
    listed: bool = Field(default=True)
    revision: int = 0
    created_at: datetime = Field(sa_column=_time())
    updated_at: datetime = Field(sa_column=_time())


class ListingLink(SQLModel, table=True):
    """Binds a listing to its product. ``method``: ``auto`` (by seller SKU), ``manual``, or
    ``unlinked`` (unlinked by hand: auto-linking leaves it alone, ``product_id`` is NULL).

    ``stock_baseline``: the channel stock from which the next sale is measured (see
    ``syncer.engine.propagate``); it only goes down with sales and is reset by our pushes.
    """

    __tablename__ = "listing_link"
    listing_id: int = Field(primary_key=True, foreign_key="listing.id")
    product_id: int | None = Field(default=None, foreign_key="product.id", index=True)
    method: str = Field(max_length=16)
    stock_baseline: int | None = None
    created_at: datetime = Field(sa_column=_time())
    updated_at: datetime = Field(sa_column=_time())


class PushTask(SQLModel, table=True):
    """The outbox: one desired value of one field of one listing, written with the change."""

    __tablename__ = "push_task"
    __table_args__ = (
        sa.Index("ix_push_task_queue", "shop_id", "state", "next_attempt_at"),
        sa.Index("ix_push_task_listing", "listing_id", "field", "id"),
        # Coalescing, enforced: at most one pending value per listing and field.
        sa.Index(
            "uq_push_task_pending",
            "listing_id",
            "field",
            unique=True,
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    listing_id: int = Field(foreign_key="listing.id")
    shop_id: int = Field(foreign_key="shop.id")
    product_id: int | None = Field(default=None, foreign_key="product.id")
    field: str = Field(max_length=16)  # price, stock, status (content: not pushed yet)
    value: int = Field(sa_type=sa.BigInteger)  # rupiah, units, or 1/0 for listed/unlisted
    previous_value: int | None = Field(default=None, sa_type=sa.BigInteger)
    origin: str = Field(max_length=16)  # operator, propagate, listing, reassert
    source_revision: int = 0
    idempotency_key: str = Field(max_length=64, unique=True)
    state: str = Field(max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=_time())
    reason: str = Field(default="", sa_type=sa.Text)  # readable by a business
    error_code: str = Field(default="", max_length=64)
    run_id: int | None = Field(default=None, foreign_key="sync_run.id")
    created_at: datetime = Field(sa_column=_time())
    updated_at: datetime = Field(sa_column=_time())
    sent_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))


class StockDelta(SQLModel, table=True):
    """The propagation ledger: one row per consumed stock event, so none is applied twice."""

    __tablename__ = "stock_delta"
    event_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("listing_event.id"), primary_key=True, autoincrement=False
        )
    )
    listing_id: int = Field(foreign_key="listing.id")
    product_id: int | None = Field(default=None, foreign_key="product.id")
    delta: int = 0  # units sold (subtracted from the master stock)
    outcome: str = Field(max_length=16)  # sale, restock, echo, unlinked, ignored
    created_at: datetime = Field(sa_column=_time())


class PropagationMark(SQLModel, table=True):
    """How far the stock events have been consumed; events above it may still be unseen."""

    __tablename__ = "propagation_mark"
    name: str = Field(primary_key=True, max_length=32)
    event_id: int = 0
