"""Per-shop push rule overrides, kept in the shop's ``settings`` JSON under ``"rules"``.

The store keeps only what was set for the shop; the engine merges it over the config's
``[rules.default]`` and ``[rules.shops."ID"]`` (see ``syncer.engine.push_rules``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from syncer.errors import NotFoundError
from syncer.store.tables import Shop

SHOP = Shop.__table__  # type: ignore[attr-defined]
RuleValue = str | int | float | bool


async def _settings(connection: AsyncConnection, shop_id: int) -> dict[str, object]:
    raw = await connection.scalar(sa.select(SHOP.c.settings).where(SHOP.c.id == shop_id))
    if raw is None:
        raise NotFoundError(f"no shop {shop_id}")
    loaded = json.loads(raw or "{}")
    return loaded if isinstance(loaded, dict) else {}


async def shop_rules(connection: AsyncConnection, shop_id: int) -> dict[str, RuleValue]:
    rules = (await _settings(connection, shop_id)).get("rules", {})
    return dict(rules) if isinstance(rules, dict) else {}


async def all_shop_rules(connection: AsyncConnection) -> dict[int, dict[str, RuleValue]]:
    found: dict[int, dict[str, RuleValue]] = {}
    for shop_id, raw in await connection.execute(sa.select(SHOP.c.id, SHOP.c.settings)):
        loaded = json.loads(raw or "{}")
        rules = loaded.get("rules", {}) if isinstance(loaded, dict) else {}
        found[shop_id] = dict(rules) if isinstance(rules, dict) else {}
    return found


async def save_shop_rules(
    connection: AsyncConnection,
    shop_id: int,
    rules: Mapping[str, RuleValue],
    *,
    now: datetime,
) -> None:
    """Replace the shop's overrides (validated by the caller)."""
    settings = await _settings(connection, shop_id)
    settings["rules"] = dict(rules)
    await connection.execute(
        SHOP.update()
        .where(SHOP.c.id == shop_id)
        .values(settings=json.dumps(settings, sort_keys=True), updated_at=now)
    )
