"""The run queue: queued SyncRun rows, collapsed per (shop, kind), and the nodes serving them.

At most one run per (shop, kind) is ``queued`` (a partial unique index says so), so repeated
triggers join it instead of piling up, and a manual trigger is never dropped: it joins the
queued run or queues behind the running one, and the caller learns which. Nodes (daemons,
schedulers, workers) heartbeat in ``sync_node`` so a CLI can tell whether anyone will run a
queued run, and a scheduler can tell which workers died.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from syncer.domain import RunCounts, RunKind, RunState, RunTrigger
from syncer.store.daemon_tables import SyncNode
from syncer.store.database import async_url
from syncer.store.sql import dialect_insert
from syncer.store.tables import SyncRun

RUN = SyncRun.__table__  # type: ignore[attr-defined]
NODE = SyncNode.__table__  # type: ignore[attr-defined]
PULL_KINDS = (RunKind.PULL_FULL.value, RunKind.PULL_INCREMENTAL.value)
"""Pulls that read the shop's catalog (a catch-up is decided from these)."""
RUNNABLE_KINDS = (*PULL_KINDS, RunKind.PULL_ITEMS.value)
"""Runs the executors take from this queue (the pusher has its own loop)."""
# A queued run of a kind on the right absorbs a trigger of the kind on the left: a full
# reconcile reads everything an incremental pull would. A webhook's items pull joins only
# another items pull: its events stay pending until an items pull stores them.
_ABSORBED_BY = {
    RunKind.PULL_INCREMENTAL: (RunKind.PULL_FULL.value, RunKind.PULL_INCREMENTAL.value),
    RunKind.PULL_FULL: (RunKind.PULL_FULL.value,),
    RunKind.PULL_ITEMS: (RunKind.PULL_ITEMS.value,),
    RunKind.PUSH: (RunKind.PUSH.value,),
}
# Runs that exclude each other (one lease per shop for pulls).
_EXCLUSIVE = {
    RunKind.PULL_INCREMENTAL: RUNNABLE_KINDS,
    RunKind.PULL_FULL: RUNNABLE_KINDS,
    RunKind.PULL_ITEMS: RUNNABLE_KINDS,
    RunKind.PUSH: (RunKind.PUSH.value,),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Enqueued:
    """What became of a trigger: its run, whether it joined one, and what runs before it."""

    run_id: int
    shop_id: int
    kind: RunKind
    joined: bool
    running_run_id: int | None
    """The run going now that this one waits for (None: it starts when a worker is free)."""
    already_running: bool = False
    """True when the trigger joined the run going now (``run_id`` is that run)."""

    def describe(self) -> str:
        what = self.kind.value.replace("_", " ")
        if self.already_running:
            return f"joined {what} run {self.run_id}, running now"
        text = (
            f"joined queued {what} run {self.run_id}"
            if self.joined
            else f"queued {what} run {self.run_id}"
        )
        if self.running_run_id is not None:
            text += f"; it starts when run {self.running_run_id} (running now) ends"
        return text


@dataclass(frozen=True, slots=True, kw_only=True)
class QueuedRun:
    id: int
    shop_id: int
    kind: RunKind
    trigger: RunTrigger
    requested_by: str
    due_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RunView:
    """A run as a progress bar in another process sees it."""

    id: int
    shop_id: int
    kind: RunKind
    state: RunState
    counts: RunCounts
    progress_done: int
    progress_total: int
    error_message: str
    issues: list[dict[str, str]]
    ahead: int | None  # the running run this queued one waits for


async def enqueue_run(
    connection: AsyncConnection,
    *,
    shop_id: int,
    kind: RunKind,
    trigger: RunTrigger,
    requested_by: str,
    now: datetime,
    due_at: datetime | None = None,
    join_running: bool = False,
) -> Enqueued:
    """Queue a run of ``kind`` for the shop, or join the one already queued.

    ``join_running`` (manual syncs): a run of the shop that is going now and reads at least
    what was asked is joined instead, so asking twice at once runs the shop once.
    """
    due = due_at or now
    if join_running and (going := await _going(connection, shop_id, _ABSORBED_BY[kind])):
        return Enqueued(
            run_id=going[0],
            shop_id=shop_id,
            kind=RunKind(going[1]),
            joined=True,
            running_run_id=going[0],
            already_running=True,
        )
    running = await _running(connection, shop_id, _EXCLUSIVE[kind])
    existing = await _queued(connection, shop_id, _ABSORBED_BY[kind])
    existing = existing or await _upgrade(connection, shop_id, kind)
    if existing is None:
        values = {
            "shop_id": shop_id,
            "kind": kind.value,
            "trigger": trigger.value,
            "requested_by": requested_by,
            "state": RunState.QUEUED.value,
            "created_at": now,
            "due_at": due,
        }
        try:
            async with connection.begin_nested():
                result = await connection.execute(sa.insert(RUN).values(values).returning(RUN.c.id))
            return Enqueued(
                run_id=int(result.scalar_one()),
                shop_id=shop_id,
                kind=kind,
                joined=False,
                running_run_id=running,
            )
        except IntegrityError:  # queued by another process since we looked
            existing = await _queued(connection, shop_id, _ABSORBED_BY[kind])
            if existing is None:
                raise
    run_id, queued_kind = existing
    await connection.execute(
        RUN.update()
        .where(RUN.c.id == run_id)
        .values(
            triggers=RUN.c.triggers + 1,
            due_at=sa.case(
                (sa.or_(RUN.c.due_at.is_(None), RUN.c.due_at > due), due), else_=RUN.c.due_at
            ),
        )
    )
    return Enqueued(
        run_id=run_id,
        shop_id=shop_id,
        kind=RunKind(queued_kind),
        joined=True,
        running_run_id=running,
    )


async def _running(connection: AsyncConnection, shop_id: int, kinds: Collection[str]) -> int | None:
    return await connection.scalar(
        sa.select(RUN.c.id)
        .where(
            RUN.c.shop_id == shop_id,
            RUN.c.state == RunState.RUNNING.value,
            RUN.c.kind.in_(list(kinds)),
        )
        .order_by(RUN.c.id.desc())
        .limit(1)
    )


async def _upgrade(
    connection: AsyncConnection, shop_id: int, kind: RunKind
) -> tuple[int, str] | None:
    """A full trigger turns the shop's queued incremental run into a full one (one waits)."""
    if kind is not RunKind.PULL_FULL:
        return None
    queued = await _queued(connection, shop_id, (RunKind.PULL_INCREMENTAL.value,))
    if queued is None:
        return None
    try:
        async with connection.begin_nested():
            result = await connection.execute(
                RUN.update()
                .where(RUN.c.id == queued[0], RUN.c.state == RunState.QUEUED.value)
                .values(kind=kind.value)
            )
    except IntegrityError:  # another process queued a full run meanwhile: join that
        return await _queued(connection, shop_id, _ABSORBED_BY[kind])
    return (queued[0], kind.value) if result.rowcount else None


async def _going(
    connection: AsyncConnection, shop_id: int, kinds: Collection[str]
) -> tuple[int, str] | None:
    row = (
        await connection.execute(
            sa.select(RUN.c.id, RUN.c.kind).where(
                RUN.c.shop_id == shop_id,
                RUN.c.state == RunState.RUNNING.value,
                RUN.c.kind.in_(list(kinds)),
            )
        )
    ).first()
    return None if row is None else (int(row[0]), str(row[1]))


async def _queued(
    connection: AsyncConnection, shop_id: int, kinds: Collection[str]
) -> tuple[int, str] | None:
    # A full run first, so an incremental trigger prefers joining it.
    row = (
        await connection.execute(
            sa.select(RUN.c.id, RUN.c.kind)
            .where(
                RUN.c.shop_id == shop_id,
                RUN.c.state == RunState.QUEUED.value,
                RUN.c.kind.in_(list(kinds)),
            )
            .order_by(RUN.c.kind)  # pull_full sorts before pull_incremental
            .limit(1)
        )
    ).first()
    return None if row is None else (int(row[0]), str(row[1]))


def _queued_run(data: sa.RowMapping) -> QueuedRun:
    return QueuedRun(
        id=data["id"],
        shop_id=data["shop_id"],
        kind=RunKind(data["kind"]),
        trigger=RunTrigger(data["trigger"]),
        requested_by=data["requested_by"],
        due_at=data["due_at"],
    )


_QUEUED_COLUMNS = (
    RUN.c.id,
    RUN.c.shop_id,
    RUN.c.kind,
    RUN.c.trigger,
    RUN.c.requested_by,
    RUN.c.due_at,
)


async def next_queued(
    connection: AsyncConnection,
    *,
    limit: int,
    skip_shops: Collection[int] = (),
    kinds: Collection[str] = RUNNABLE_KINDS,
) -> list[QueuedRun]:
    """The queued runs to start next: manual ones first, then by due time."""
    query = (
        sa.select(*_QUEUED_COLUMNS)
        .where(RUN.c.state == RunState.QUEUED.value, RUN.c.kind.in_(list(kinds)))
        .order_by(
            sa.case((RUN.c.trigger == RunTrigger.MANUAL.value, 0), else_=1),
            RUN.c.due_at,
            RUN.c.id,
        )
        .limit(limit)
    )
    if skip_shops:
        query = query.where(RUN.c.shop_id.not_in(list(skip_shops)))
    return [_queued_run(row._mapping) for row in await connection.execute(query)]


async def queued_for(
    connection: AsyncConnection, shop_id: int, kinds: Collection[str] = RUNNABLE_KINDS
) -> QueuedRun | None:
    """The shop's queued run of those kinds (a full one first), if any."""
    row = (
        await connection.execute(
            sa.select(*_QUEUED_COLUMNS)
            .where(
                RUN.c.shop_id == shop_id,
                RUN.c.state == RunState.QUEUED.value,
                RUN.c.kind.in_(list(kinds)),
            )
            .order_by(RUN.c.kind)  # pull_full, pull_incremental, then pull_items
            .limit(1)
        )
    ).first()
    return None if row is None else _queued_run(row._mapping)


async def cancel_queued(
    connection: AsyncConnection, shop_id: int, *, reason: str, now: datetime
) -> int:
    """Cancel the shop's queued runs (it was disabled, or needs re-authorization)."""
    result = await connection.execute(
        RUN.update()
        .where(RUN.c.shop_id == shop_id, RUN.c.state == RunState.QUEUED.value)
        .values(
            state=RunState.CANCELLED.value,
            finished_at=now,
            error_class="Cancelled",
            error_message=reason[:2000],
        )
    )
    return result.rowcount or 0


async def view_run(connection: AsyncConnection, run_id: int) -> RunView | None:
    row = (await connection.execute(sa.select(RUN).where(RUN.c.id == run_id))).first()
    if row is None:
        return None
    data = row._mapping
    state, kind = RunState(data["state"]), RunKind(data["kind"])
    ahead = None
    if state is RunState.QUEUED:
        ahead = await _running(connection, data["shop_id"], _EXCLUSIVE[kind])
    return RunView(
        id=run_id,
        shop_id=data["shop_id"],
        kind=kind,
        state=state,
        counts=RunCounts(**{name: data[name] for name in RunCounts().as_dict()}),
        progress_done=data["progress_done"],
        progress_total=data["progress_total"],
        error_message=data["error_message"],
        issues=json.loads(data["issues"] or "[]"),
        ahead=ahead,
    )


async def last_pull_started(connection: AsyncConnection) -> dict[int, datetime]:
    """Per shop, when its latest pull started (or was queued, if it has not started)."""
    started = sa.func.coalesce(RUN.c.started_at, RUN.c.created_at)
    query = (
        sa.select(RUN.c.shop_id, sa.func.max(started))
        .where(RUN.c.kind.in_(PULL_KINDS), RUN.c.state != RunState.CANCELLED.value)
        .group_by(RUN.c.shop_id)
    )
    return {int(row[0]): row[1] for row in await connection.execute(query) if row[1] is not None}


# -- nodes -------------------------------------------------------------------------------


async def heartbeat(
    connection: AsyncConnection, name: str, *, role: str, now: datetime, started_at: datetime
) -> None:
    insert = dialect_insert(connection, NODE).values(
        name=name, role=role, started_at=started_at, seen_at=now
    )
    await connection.execute(
        insert.on_conflict_do_update(
            index_elements=["name"], set_={"role": role, "seen_at": now, "started_at": started_at}
        )
    )


async def leave(connection: AsyncConnection, name: str) -> None:
    await connection.execute(NODE.delete().where(NODE.c.name == name))


async def live_nodes(
    connection: AsyncConnection, *, seen_since: datetime, roles: Collection[str]
) -> list[str]:
    query = sa.select(NODE.c.name).where(NODE.c.seen_at >= seen_since, NODE.c.role.in_(list(roles)))
    return list((await connection.execute(query)).scalars())


async def silent_nodes(connection: AsyncConnection, *, seen_before: datetime) -> list[str]:
    """Nodes whose heartbeat stopped: dead, or paused (their leases may be taken)."""
    query = sa.select(NODE.c.name).where(NODE.c.seen_at < seen_before)
    return list((await connection.execute(query)).scalars())


def libpq_url(url: str) -> str:
    """The database URL as psycopg's own conninfo (procrastinate connects without SQLAlchemy)."""
    parsed = make_url(async_url(url))
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


async def procrastinate_schema_present(connection: AsyncConnection) -> bool:
    return bool(await connection.scalar(sa.text("SELECT to_regclass('procrastinate_jobs')")))
