"""Run records (SyncRun) and per-shop sync state (SyncState: cursor, lease, fencing epoch).

Every checkpoint is fenced: it names the epoch its lease was granted under and is refused
(``StaleLeaseError``) once another worker has taken the lease and bumped the epoch.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from syncer.domain import RunCounts, RunKind, RunState, RunTrigger
from syncer.errors import StaleLeaseError, SyncerError
from syncer.store.sql import dialect_insert
from syncer.store.tables import SyncRun, SyncState

RUN = SyncRun.__table__  # type: ignore[attr-defined]
STATE = SyncState.__table__  # type: ignore[attr-defined]
LISTINGS_STREAM = "listings"
MAX_ISSUES_KEPT = 200  # a run keeps the first issues in full and counts the rest


class RunGoneError(SyncerError):
    """The queued run to start was already claimed by another worker, or cancelled."""


class RunConflictError(SyncerError):
    """A run of this shop (and kind) is already running."""

    def __init__(self, shop_id: int, kind: str, run_id: int | None) -> None:
        self.run_id = run_id
        which = f"run {run_id}" if run_id is not None else "its lease is held"
        super().__init__(f"a {kind} run of shop {shop_id} is already running ({which})")


@dataclass(frozen=True, slots=True, kw_only=True)
class Lease:
    shop_id: int
    owner: str
    epoch: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StateRow:
    cursor: Mapping[str, object]
    high_water_at: datetime | None
    last_full_at: datetime | None
    epoch: int


async def start_run(
    connection: AsyncConnection,
    *,
    shop_id: int,
    kind: RunKind,
    trigger: RunTrigger,
    requested_by: str,
    worker: str,
    now: datetime,
    queued_run_id: int | None = None,
) -> int:
    """Insert a ``running`` run, or turn the queued run ``queued_run_id`` into one.

    The partial unique index refuses a second running run of the kind (``RunConflictError``);
    a queued run claimed elsewhere (or cancelled) meanwhile raises ``RunGoneError``.
    """
    values: dict[str, object] = {
        "kind": kind.value,
        "state": RunState.RUNNING.value,
        "started_at": now,
        "heartbeat_at": now,
        "worker": worker,
    }
    try:
        async with connection.begin_nested():
            if queued_run_id is not None:
                await _claim(connection, queued_run_id, values)
                return queued_run_id
            values |= {
                "shop_id": shop_id,
                "trigger": trigger.value,
                "requested_by": requested_by,
                "created_at": now,
                "due_at": now,
            }
            result = await connection.execute(sa.insert(RUN).values(values).returning(RUN.c.id))
    except IntegrityError:
        running = await connection.scalar(
            sa.select(RUN.c.id).where(
                RUN.c.shop_id == shop_id, RUN.c.kind == kind.value, RUN.c.state == "running"
            )
        )
        raise RunConflictError(shop_id, kind.value, running) from None
    return int(result.scalar_one())


async def _claim(connection: AsyncConnection, run_id: int, values: Mapping[str, object]) -> None:
    result = await connection.execute(
        RUN.update()
        .where(RUN.c.id == run_id, RUN.c.state == RunState.QUEUED.value)
        .values(**values)
    )
    if not result.rowcount:
        raise RunGoneError(f"run {run_id} is no longer queued (claimed or cancelled elsewhere)")


async def record_progress(
    connection: AsyncConnection,
    run_id: int,
    counts: RunCounts,
    now: datetime,
    position: tuple[int, int] | None = None,
) -> None:
    """Counters and heartbeat; ``position`` (done, total) feeds progress bars elsewhere."""
    values: dict[str, object] = {**counts.as_dict(), "heartbeat_at": now}
    if position is not None:
        values |= {"progress_done": position[0], "progress_total": max(position[1], 0)}
    await connection.execute(RUN.update().where(RUN.c.id == run_id).values(**values))


async def finish_run(
    connection: AsyncConnection,
    run_id: int,
    *,
    state: RunState,
    counts: RunCounts,
    now: datetime,
    issues: Sequence[Mapping[str, str]] = (),
    error: BaseException | None = None,
    cursor_before: Mapping[str, object] | None = None,
    cursor_after: Mapping[str, object] | None = None,
) -> None:
    values: dict[str, object] = {
        **counts.as_dict(),
        "state": state.value,
        "finished_at": now,
        "heartbeat_at": now,
        "issues": json.dumps(list(issues[:MAX_ISSUES_KEPT]), ensure_ascii=False),
    }
    if error is not None:
        values |= {"error_class": type(error).__name__, "error_message": str(error)[:2000]}
    if cursor_before is not None:
        values["cursor_before"] = json.dumps(cursor_before)
    if cursor_after is not None:
        values["cursor_after"] = json.dumps(cursor_after)
    # Only a run still ``running`` is finished: a zombie whose run was superseded (its lease
    # passed to another worker) must not overwrite the verdict recorded for it.
    await connection.execute(
        RUN.update()
        .where(RUN.c.id == run_id, RUN.c.state == RunState.RUNNING.value)
        .values(**values)
    )


async def running_workers(connection: AsyncConnection) -> set[str]:
    """Workers that hold a ``running`` run."""
    query = sa.select(RUN.c.worker).where(RUN.c.state == RunState.RUNNING.value).distinct()
    return set((await connection.execute(query)).scalars())


@dataclass(frozen=True, slots=True, kw_only=True)
class Interrupted:
    """A run failed by recovery; the daemon queues it again so the shop runs again soon."""

    id: int
    shop_id: int
    kind: RunKind
    trigger: RunTrigger
    requested_by: str
    due_at: datetime | None


async def recover_interrupted(
    connection: AsyncConnection,
    *,
    now: datetime,
    stale_before: datetime,
    dead_workers: Collection[str] = (),
) -> list[Interrupted]:
    """Fail runs left ``running`` by a process that died, and free the leases it held.

    A run is orphaned when its worker is known dead, or when it has sent no heartbeat since
    ``stale_before`` (every stored page is a heartbeat).
    """
    orphaned = RUN.c.heartbeat_at < stale_before
    if dead_workers:
        orphaned = sa.or_(orphaned, RUN.c.worker.in_(list(dead_workers)))
    result = await connection.execute(
        RUN.update()
        .where(RUN.c.state == RunState.RUNNING.value, orphaned)
        .values(
            state=RunState.FAILED.value,
            finished_at=now,
            error_class="Interrupted",
            error_message="the process running this sync stopped before it finished; "
            "the next run resumes from the last saved page",
        )
        .returning(
            RUN.c.id, RUN.c.shop_id, RUN.c.kind, RUN.c.trigger, RUN.c.requested_by, RUN.c.due_at
        )
    )
    recovered = [
        Interrupted(
            id=row[0],
            shop_id=row[1],
            kind=RunKind(row[2]),
            trigger=RunTrigger(row[3]),
            requested_by=row[4],
            due_at=row[5],
        )
        for row in result
    ]
    for worker in dead_workers:
        await connection.execute(
            STATE.update()
            .where(STATE.c.lease_owner.startswith(f"{worker}#", autoescape=True))
            .values(lease_owner="", lease_expires_at=None)
        )
    return recovered


async def supersede_running(
    connection: AsyncConnection, shop_id: int, *, kinds: Collection[str], now: datetime
) -> int:
    """Fail the shop's runs still marked ``running``: whoever holds the lease fenced them out.

    Called by a run that has just taken the shop's lease: a run without the lease cannot write
    any more, so a row still ``running`` belongs to a process that died or stalled.
    """
    result = await connection.execute(
        RUN.update()
        .where(
            RUN.c.shop_id == shop_id,
            RUN.c.state == RunState.RUNNING.value,
            RUN.c.kind.in_(list(kinds)),
        )
        .values(
            state=RunState.FAILED.value,
            finished_at=now,
            error_class="Interrupted",
            error_message="its worker lost the shop's lease (stopped or stalled); the next "
            "run resumed from the last saved page",
        )
    )
    return result.rowcount or 0


async def running_run_id(connection: AsyncConnection, shop_id: int) -> int | None:
    return await connection.scalar(
        sa.select(RUN.c.id)
        .where(RUN.c.shop_id == shop_id, RUN.c.state == RunState.RUNNING.value)
        .order_by(RUN.c.id.desc())
        .limit(1)
    )


async def load_state(connection: AsyncConnection, shop_id: int) -> StateRow:
    row = (
        await connection.execute(
            sa.select(
                STATE.c.cursor, STATE.c.high_water_at, STATE.c.last_full_at, STATE.c.epoch
            ).where(STATE.c.shop_id == shop_id, STATE.c.stream == LISTINGS_STREAM)
        )
    ).first()
    if row is None:
        return StateRow(cursor={}, high_water_at=None, last_full_at=None, epoch=0)
    return StateRow(
        cursor=json.loads(row[0] or "{}"), high_water_at=row[1], last_full_at=row[2], epoch=row[3]
    )


async def acquire_lease(
    connection: AsyncConnection, shop_id: int, *, owner: str, now: datetime, until: datetime
) -> Lease:
    """Take the shop's lease if it is free or expired, and bump the fencing epoch.

    ``owner`` names one run attempt (worker plus a token), so two runs in one process never
    share a lease.
    """
    insert = dialect_insert(connection, STATE).values(
        shop_id=shop_id, stream=LISTINGS_STREAM, cursor="{}", epoch=0
    )
    await connection.execute(insert.on_conflict_do_nothing())
    free = sa.or_(
        STATE.c.lease_owner == "",
        STATE.c.lease_expires_at.is_(None),
        STATE.c.lease_expires_at < now,
    )
    result = await connection.execute(
        STATE.update()
        .where(STATE.c.shop_id == shop_id, STATE.c.stream == LISTINGS_STREAM, free)
        .values(lease_owner=owner, lease_expires_at=until, epoch=STATE.c.epoch + 1)
        .returning(STATE.c.epoch)
    )
    epoch = result.scalar_one_or_none()
    if epoch is None:
        raise StaleLeaseError(f"shop {shop_id} is leased by another worker")
    return Lease(shop_id=shop_id, owner=owner, epoch=int(epoch))


async def checkpoint(
    connection: AsyncConnection,
    lease: Lease,
    *,
    cursor: Mapping[str, object],
    lease_until: datetime,
    high_water_at: datetime | None = None,
    last_full_at: datetime | None = None,
) -> None:
    """Save the cursor under the lease; refused if the epoch moved on (a zombie's write)."""
    values: dict[str, object] = {"cursor": json.dumps(cursor), "lease_expires_at": lease_until}
    if high_water_at is not None:
        values["high_water_at"] = high_water_at
    if last_full_at is not None:
        values["last_full_at"] = last_full_at
    result = await connection.execute(
        STATE.update()
        .where(
            STATE.c.shop_id == lease.shop_id,
            STATE.c.stream == LISTINGS_STREAM,
            STATE.c.epoch == lease.epoch,
        )
        .values(**values)
    )
    if not result.rowcount:
        raise StaleLeaseError(
            f"shop {lease.shop_id}: lease epoch {lease.epoch} is no longer current; write refused"
        )


async def release_lease(connection: AsyncConnection, lease: Lease) -> None:
    await connection.execute(
        STATE.update()
        .where(
            STATE.c.shop_id == lease.shop_id,
            STATE.c.stream == LISTINGS_STREAM,
            STATE.c.epoch == lease.epoch,
        )
        .values(lease_owner="", lease_expires_at=None)
    )
