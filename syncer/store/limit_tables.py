"""Tables of the rate-limit budgets shared by every process of a PostgreSQL deployment.

Times are epoch seconds of the database server's clock (``clock_timestamp()``): every host
reads the same clock, so budgets hold whatever the hosts' own clocks say.
Imported at the bottom of ``tables.py`` so every table is registered on the same metadata.
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class RateBucket(SQLModel, table=True):
    """A token bucket: ``tokens`` left at ``updated``; refills as time passes."""

    __tablename__ = "rate_bucket"
    key: str = Field(primary_key=True, max_length=400)
    tokens: float
    updated: float


class BudgetSlot(SQLModel, table=True):
    """One of a window budget's ``limit`` slots; free again from ``free_at`` on."""

    __tablename__ = "budget_slot"
    key: str = Field(primary_key=True, max_length=400)
    slot: int = Field(primary_key=True)
    holder: str = Field(default="", max_length=64)
    free_at: float = 0.0
