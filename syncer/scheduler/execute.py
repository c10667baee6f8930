"""Executing one queued run: shared by the single-node executor and the cluster worker.

A queued run is claimed in the same transaction that takes the shop's lease, so it starts at
most once anywhere; a shop that cannot run (disabled, needs re-authorization) has its queued
runs cancelled with the reason instead of retried forever.
"""

from __future__ import annotations

from enum import StrEnum

import structlog

from syncer.domain import AuthState, RunKind
from syncer.engine.pull_items import pull_items
from syncer.errors import NotFoundError, SyncerError
from syncer.runtime import Runtime
from syncer.store import queue as queue_store
from syncer.store import shops as shop_store
from syncer.store.queue import QueuedRun
from syncer.store.runs import RunConflictError, RunGoneError

log = structlog.get_logger("syncer.daemon")


class Outcome(StrEnum):
    RAN = "ran"
    BUSY = "busy"  # another run of the shop holds its lease: try again later
    GONE = "gone"  # claimed elsewhere, or nothing queued any more
    CANCELLED = "cancelled"  # the shop cannot run now


async def execute_queued(runtime: Runtime, run: QueuedRun) -> Outcome:
    """Run one queued pull (whole-shop or items) to its end; its failures are recorded on
    the run, not raised."""
    shop = await _runnable_shop(runtime, run.shop_id)
    if shop is None:
        return Outcome.CANCELLED
    try:
        if run.kind is RunKind.PULL_ITEMS:
            await pull_items(
                runtime.pull_engine,
                shop,
                trigger=run.trigger,
                requested_by=run.requested_by,
                run_id=run.id,
            )
        else:
            await runtime.pull_engine.run(
                shop,
                full=run.kind is RunKind.PULL_FULL,
                trigger=run.trigger,
                requested_by=run.requested_by,
                run_id=run.id,
            )
    except RunConflictError:
        return Outcome.BUSY
    except RunGoneError:
        return Outcome.GONE
    except SyncerError as exc:  # a setup failure (e.g. no adapter): the run row says why
        log.error("daemon.run_error", shop_id=run.shop_id, run_id=run.id, error=str(exc))
    await _runnable_shop(runtime, run.shop_id)  # a refused grant stops the runs queued behind
    return Outcome.RAN


async def _runnable_shop(runtime: Runtime, shop_id: int) -> shop_store.ShopRecord | None:
    """The shop, or None after cancelling its queued runs with the reason it cannot run."""
    async with runtime.database.read() as connection:
        try:
            shop: shop_store.ShopRecord | None = await shop_store.find_shop(
                connection, str(shop_id)
            )
        except NotFoundError:
            shop = None
    reason = _why_not(shop)
    if not reason:
        return shop
    async with runtime.database.write() as connection:
        cancelled = await queue_store.cancel_queued(
            connection, shop_id, reason=reason, now=runtime.clock.now()
        )
    if cancelled:
        log.warning("daemon.runs_cancelled", shop_id=shop_id, runs=cancelled, reason=reason)
    return None


async def execute_next(runtime: Runtime, shop_id: int) -> Outcome:
    """Run the shop's queued pull, if there is one (the cluster job's body)."""
    async with runtime.database.read() as connection:
        run = await queue_store.queued_for(connection, shop_id)
    if run is None:
        return Outcome.GONE
    return await execute_queued(runtime, run)


def _why_not(shop: shop_store.ShopRecord | None) -> str:
    if shop is None:
        return "the shop no longer exists"
    if not shop.enabled:
        return "the shop is disabled"
    if shop.auth_state is AuthState.NEEDS_REAUTH:
        return (
            "the shop needs re-authorization (`syncer shops reauth`): "
            f"{shop.auth_error or 'the marketplace refused its credentials'}"
        )
    return ""
