"""The push outbox: tasks written with each change, claimed by the pusher, resolved per row.

Before a task is sent, its value is recorded on the listing as a ``push`` event (the intent):
a pull that later sees the value on the marketplace finds nothing changed, so our own pushes
are never mistaken for sales, even when the pusher dies between sending and recording. A task
that does not land restores the listing's previous value the same way.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from syncer.domain import ListingKey
from syncer.store.push_tables import ListingLink, PushTask
from syncer.store.tables import Listing, ListingEvent, Shop

TASK = PushTask.__table__  # type: ignore[attr-defined]
LINK = ListingLink.__table__  # type: ignore[attr-defined]
LISTING = Listing.__table__  # type: ignore[attr-defined]
EVENT = ListingEvent.__table__  # type: ignore[attr-defined]
SHOP = Shop.__table__  # type: ignore[attr-defined]
_CHUNK = 500


class TaskState(StrEnum):
    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    APPLIED = "applied"  # the marketplace accepted it; not (yet) read back
    VERIFIED = "verified"  # read back equal
    MISMATCH = "mismatch"  # accepted, but read back different
    FAILED = "failed"
    SUPERSEDED = "superseded"


OPEN_STATES = (TaskState.PENDING.value, TaskState.IN_FLIGHT.value)
VALUE_FIELDS = ("price", "stock")  # fields mirrored on the listing row


@dataclass(frozen=True, slots=True, kw_only=True)
class NewTask:
    listing_id: int
    shop_id: int
    field: str
    value: int
    origin: str
    product_id: int | None = None
    source_revision: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimedTask:
    id: int
    listing_id: int
    shop_id: int
    field: str
    value: int
    state: str
    attempts: int
    idempotency_key: str
    key: ListingKey
    stored: int
    """The listing's stored value of the field (1/0 for status: listed or not)."""
    previous_value: int | None

    @property
    def before(self) -> int:
        """The listing's value before this push (recorded with the intent)."""
        return self.stored if self.previous_value is None else self.previous_value


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskResult:
    task: ClaimedTask
    state: TaskState
    reason: str = ""
    code: str = ""
    retry_at: datetime | None = None
    shown: int | None = None
    """What the marketplace showed when read back (a mismatch records it on the listing)."""

    @property
    def landed(self) -> bool:
        return self.state in (TaskState.APPLIED, TaskState.VERIFIED, TaskState.MISMATCH)


def _chunks(values: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(values), _CHUNK):
        yield list(values[start : start + _CHUNK])


async def enqueue(connection: AsyncConnection, tasks: Sequence[NewTask], *, now: datetime) -> int:
    """Write tasks in the caller's transaction; each supersedes the pending one it replaces."""
    if not tasks:
        return 0
    latest = {(task.listing_id, task.field): task for task in tasks}
    for field in {field for _, field in latest}:
        ids = [listing_id for listing_id, f in latest if f == field]
        for chunk in _chunks(ids):
            await connection.execute(
                TASK.update()
                .where(
                    TASK.c.state == TaskState.PENDING.value,
                    TASK.c.field == field,
                    TASK.c.listing_id.in_(chunk),
                )
                .values(
                    state=TaskState.SUPERSEDED.value,
                    reason="replaced by a newer value before it was sent",
                    updated_at=now,
                )
            )
    await connection.execute(sa.insert(TASK), [_row(task, now) for task in latest.values()])
    return len(latest)


def _row(task: NewTask, now: datetime) -> dict[str, object]:
    return {
        "listing_id": task.listing_id,
        "shop_id": task.shop_id,
        "product_id": task.product_id,
        "field": task.field,
        "value": task.value,
        "origin": task.origin,
        "source_revision": task.source_revision,
        "idempotency_key": uuid.uuid4().hex,
        "state": TaskState.PENDING.value,
        "attempts": 0,
        "next_attempt_at": now,
        "reason": "",
        "error_code": "",
        "created_at": now,
        "updated_at": now,
    }


async def open_values(
    connection: AsyncConnection, listing_ids: Sequence[int], field: str
) -> dict[int, int]:
    """The value each listing's newest pending or in-flight task of ``field`` will set."""
    found: dict[int, tuple[int, int]] = {}
    for chunk in _chunks(listing_ids):
        query = sa.select(TASK.c.listing_id, TASK.c.id, TASK.c.value).where(
            TASK.c.field == field, TASK.c.state.in_(OPEN_STATES), TASK.c.listing_id.in_(chunk)
        )
        for listing_id, task_id, value in await connection.execute(query):
            if listing_id not in found or found[listing_id][0] < task_id:
                found[listing_id] = (task_id, value)
    return {listing_id: value for listing_id, (_, value) in found.items()}


async def in_flight_previous(
    connection: AsyncConnection, listing_ids: Sequence[int]
) -> dict[int, set[int]]:
    """Stock values listings had before a push that was sent but not yet resolved."""
    found: dict[int, set[int]] = {}
    for chunk in _chunks(listing_ids):
        query = sa.select(TASK.c.listing_id, TASK.c.previous_value).where(
            TASK.c.field == "stock",
            TASK.c.state == TaskState.IN_FLIGHT.value,
            TASK.c.listing_id.in_(chunk),
            TASK.c.previous_value.is_not(None),
        )
        for listing_id, previous in await connection.execute(query):
            found.setdefault(listing_id, set()).add(int(previous))
    return found


_LISTED = sa.case((LISTING.c.status == "inactive", 0), else_=1)


ClaimCursor = tuple[str, str, int]
"""(field, item id, task id) of the last task claimed: claims go item by item, so the rows
of one item arrive together and can share a call."""


async def claim(
    connection: AsyncConnection,
    shop_id: int,
    *,
    now: datetime,
    limit: int,
    after: ClaimCursor = ("", "", 0),
) -> list[ClaimedTask]:
    """Open tasks of the shop by field and item: due pending ones, and in-flight ones a crashed
    attempt left (the caller holds the shop's lease, so nobody else is sending them)."""
    due = sa.or_(
        sa.and_(TASK.c.state == TaskState.PENDING.value, TASK.c.next_attempt_at <= now),
        TASK.c.state == TaskState.IN_FLIGHT.value,
    )
    query = (
        sa.select(
            TASK.c.id,
            TASK.c.listing_id,
            TASK.c.shop_id,
            TASK.c.field,
            TASK.c.value,
            TASK.c.state,
            TASK.c.attempts,
            TASK.c.idempotency_key,
            LISTING.c.external_item_id,
            LISTING.c.external_variant_id,
            sa.case(
                (TASK.c.field == "price", LISTING.c.price),
                (TASK.c.field == "stock", LISTING.c.stock),
                else_=_LISTED,
            ),
            TASK.c.previous_value,
        )
        .join(LISTING, LISTING.c.id == TASK.c.listing_id)
        .where(
            TASK.c.shop_id == shop_id,
            due,
            sa.tuple_(TASK.c.field, LISTING.c.external_item_id, TASK.c.id) > sa.tuple_(*after),
        )
        .order_by(TASK.c.field, LISTING.c.external_item_id, TASK.c.id)
        .limit(limit)
    )
    return [
        ClaimedTask(
            id=row[0],
            listing_id=row[1],
            shop_id=row[2],
            field=row[3],
            value=int(row[4]),
            state=row[5],
            attempts=row[6],
            idempotency_key=row[7],
            key=ListingKey(row[8], row[9]),
            stored=int(row[10]),
            previous_value=None if row[11] is None else int(row[11]),
        )
        for row in await connection.execute(query)
    ]


async def supersede(connection: AsyncConnection, task_ids: Sequence[int], now: datetime) -> None:
    for chunk in _chunks(task_ids):
        await connection.execute(
            TASK.update()
            .where(TASK.c.id.in_(chunk), TASK.c.state.in_(OPEN_STATES))
            .values(
                state=TaskState.SUPERSEDED.value,
                reason="replaced by a newer value before it was sent",
                updated_at=now,
            )
        )


async def mark_in_flight(
    connection: AsyncConnection,
    tasks: Sequence[ClaimedTask],
    *,
    now: datetime,
    run_id: int | None,
) -> None:
    """Record the intent before sending: task in flight, value on the listing, baseline."""
    fresh = [task for task in tasks if task.state == TaskState.PENDING.value]
    if fresh:
        await connection.execute(
            TASK.update()
            .where(TASK.c.id == sa.bindparam("tid"))
            .values(previous_value=sa.bindparam("previous")),
            [{"tid": task.id, "previous": task.stored} for task in fresh],
        )
    for chunk in _chunks([task.id for task in tasks]):
        await connection.execute(
            TASK.update()
            .where(TASK.c.id.in_(chunk))
            .values(
                state=TaskState.IN_FLIGHT.value,
                attempts=TASK.c.attempts + 1,
                sent_at=now,
                updated_at=now,
                run_id=run_id,
            )
        )
    changes = [(t.listing_id, t.shop_id, t.field, t.stored, t.value) for t in tasks]
    await write_listing_values(connection, changes, now=now, run_id=run_id)


async def record_results(
    connection: AsyncConnection,
    results: Sequence[TaskResult],
    *,
    now: datetime,
    run_id: int | None,
) -> None:
    """Resolve tasks; a task that did not land puts the listing's previous value back."""
    if not results:
        return
    await connection.execute(
        TASK.update()
        .where(TASK.c.id == sa.bindparam("tid"))
        .values(
            state=sa.bindparam("new_state"),
            reason=sa.bindparam("new_reason"),
            error_code=sa.bindparam("code"),
            next_attempt_at=sa.bindparam("retry_at"),
            updated_at=now,
        ),
        [
            {
                "tid": r.task.id,
                "new_state": r.state.value,
                "new_reason": r.reason[:2000],
                "code": r.code[:64],
                "retry_at": r.retry_at or now,
            }
            for r in results
        ],
    )
    reverted = [
        (r.task.listing_id, r.task.shop_id, r.task.field, r.task.value, r.task.before)
        for r in results
        if not r.landed
    ]
    observed = [
        (r.task.listing_id, r.task.shop_id, r.task.field, r.task.value, r.shown)
        for r in results
        if r.state is TaskState.MISMATCH and r.shown is not None
    ]
    await write_listing_values(connection, reverted + observed, now=now, run_id=run_id)


async def write_listing_values(
    connection: AsyncConnection,
    changes: Sequence[tuple[int, int, str, int, int | None]],
    *,
    now: datetime,
    run_id: int | None,
) -> None:
    """Set (listing, shop, field, old, new) values as our own (``push`` events); the stock
    baseline follows, since a sale is measured from what we set."""
    changes = [c for c in changes if c[2] in VALUE_FIELDS and c[4] is not None and c[3] != c[4]]
    if not changes:
        return
    for field in VALUE_FIELDS:
        rows = [{"lid": c[0], "value": c[4]} for c in changes if c[2] == field]
        if rows:
            await connection.execute(
                LISTING.update()
                .where(LISTING.c.id == sa.bindparam("lid"))
                .values({field: sa.bindparam("value"), "content_hash": "", "changed_at": now}),
                rows,
            )
    stock_rows = [{"lid": c[0], "baseline": c[4]} for c in changes if c[2] == "stock"]
    if stock_rows:
        await connection.execute(
            LINK.update()
            .where(LINK.c.listing_id == sa.bindparam("lid"))
            .values(stock_baseline=sa.bindparam("baseline")),
            stock_rows,
        )
    await connection.execute(
        sa.insert(EVENT),
        [
            {
                "listing_id": c[0],
                "shop_id": c[1],
                "field": c[2],
                "old_value": str(c[3]),
                "new_value": str(c[4]),
                "source": "push",
                "run_id": run_id,
                "created_at": now,
            }
            for c in changes
        ],
    )


async def shops_with_open_tasks(connection: AsyncConnection, *, now: datetime) -> list[int]:
    due = sa.or_(
        sa.and_(TASK.c.state == TaskState.PENDING.value, TASK.c.next_attempt_at <= now),
        TASK.c.state == TaskState.IN_FLIGHT.value,
    )
    query = sa.select(TASK.c.shop_id).where(due).distinct().order_by(TASK.c.shop_id)
    return list((await connection.execute(query)).scalars())


# Read models live in push_queries (this module is about writing); still importable from here.
from syncer.store.push_queries import TaskView as TaskView  # noqa: E402, PLC0414  re-exported
from syncer.store.push_queries import state_counts as state_counts  # noqa: E402, PLC0414  re-exported
from syncer.store.push_queries import tasks_for_product as tasks_for_product  # noqa: E402, PLC0414  re-exported
from syncer.store.push_queries import tasks_in as tasks_in  # noqa: E402, PLC0414  re-exported
