"""Received webhook events: recorded once however often a marketplace redelivers them.

The HTTP layer verifies the signature, then records the event here; ``(marketplace,
event_id)`` is unique, so a redelivery is recognised and changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from syncer.adapter.webhooks import WebhookEvent
from syncer.store.daemon_tables import WebhookEventRecord
from syncer.store.sql import dialect_insert
from syncer.store.tables import Shop

EVENT = WebhookEventRecord.__table__  # type: ignore[attr-defined]
SHOP = Shop.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedEvent:
    id: int
    duplicate: bool
    shop_id: int | None
    run_id: int | None


async def shop_for(
    connection: AsyncConnection, marketplace: str, external_shop_id: str
) -> int | None:
    return await connection.scalar(
        sa.select(SHOP.c.id).where(
            SHOP.c.marketplace == marketplace, SHOP.c.external_shop_id == external_shop_id
        )
    )


async def record_event(
    connection: AsyncConnection, event: WebhookEvent, *, shop_id: int | None, now: datetime
) -> RecordedEvent:
    """Store the event unless it was stored before; say which."""
    insert = dialect_insert(connection, EVENT).values(
        marketplace=event.marketplace,
        event_id=event.event_id,
        shop_id=shop_id,
        shop_external_id=event.shop_external_id,
        kind=event.kind,
        item_ids=json.dumps(list(event.external_item_ids)),
        occurred_at=event.occurred_at,
        received_at=now,
        raw=json.dumps(dict(event.raw), ensure_ascii=False, default=str),
    )
    inserted = await connection.scalar(
        insert.on_conflict_do_nothing(index_elements=["marketplace", "event_id"]).returning(
            EVENT.c.id
        )
    )
    if inserted is not None:
        return RecordedEvent(id=int(inserted), duplicate=False, shop_id=shop_id, run_id=None)
    row = (
        await connection.execute(
            sa.select(EVENT.c.id, EVENT.c.shop_id, EVENT.c.run_id).where(
                EVENT.c.marketplace == event.marketplace, EVENT.c.event_id == event.event_id
            )
        )
    ).one()
    return RecordedEvent(id=row[0], duplicate=True, shop_id=row[1], run_id=row[2])


async def link_run(connection: AsyncConnection, event_id: int, run_id: int) -> None:
    """The pull that will read the event's items."""
    await connection.execute(EVENT.update().where(EVENT.c.id == event_id).values(run_id=run_id))


async def recent_events(connection: AsyncConnection, *, limit: int = 50) -> list[dict[str, object]]:
    query = sa.select(EVENT).order_by(EVENT.c.id.desc()).limit(limit)
    return [dict(row._mapping) for row in await connection.execute(query)]
