"""Pure planning of push calls: coalescing, and cutting tasks into calls at an adapter's limits.

``plan_calls`` uses as few calls as the adapter's declared limits allow: rows of one field in
chunks of ``push_batch_limits[primitive]``, grouped by item first where one call may only carry
one item's rows (``push_batch_per_item``). ``minimum_calls`` is the same count from keys alone,
for benchmarks and tests.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

from syncer.domain import ListingKey
from syncer.store.push_tasks import ClaimedTask

PRIMITIVE = {"price": "price", "stock": "stock", "status": "listed"}
T = TypeVar("T")


def coalesce(tasks: Sequence[ClaimedTask]) -> tuple[list[ClaimedTask], list[ClaimedTask]]:
    """(latest task of each listing and field, the older ones it supersedes)."""
    latest: dict[tuple[int, str], ClaimedTask] = {}
    older: list[ClaimedTask] = []
    for task in sorted(tasks, key=lambda t: t.id):
        key = (task.listing_id, task.field)
        if key in latest:
            older.append(latest[key])
        latest[key] = task
    return list(latest.values()), older


def _chunks(rows: Sequence[T], size: int) -> Iterable[list[T]]:
    for start in range(0, len(rows), size):
        yield list(rows[start : start + size])


def batch_limit(limits: Mapping[str, int], field: str) -> int:
    return max(1, int(limits.get(PRIMITIVE[field], 1)))


def plan_calls(
    tasks: Sequence[ClaimedTask], *, field: str, limit: int, per_item: bool
) -> list[list[ClaimedTask]]:
    """Tasks of one field cut into calls. Status tasks act on whole items: the tasks of one
    item make one row, so an item is never split across calls."""
    rows = _rows(tasks, field)
    if not per_item:
        return [_flat(chunk) for chunk in _chunks(rows, limit)]
    by_item: dict[str, list[list[ClaimedTask]]] = defaultdict(list)
    for row in rows:
        by_item[row[0].key.external_item_id].append(row)
    return [_flat(chunk) for item_rows in by_item.values() for chunk in _chunks(item_rows, limit)]


def _flat(rows: Iterable[list[ClaimedTask]]) -> list[ClaimedTask]:
    return [task for row in rows for task in row]


def _rows(tasks: Sequence[ClaimedTask], field: str) -> list[list[ClaimedTask]]:
    """One row per listing (per item for status), in task order."""
    if field != "status":
        return [[task] for task in tasks]
    grouped: dict[str, list[ClaimedTask]] = {}
    for task in tasks:
        grouped.setdefault(task.key.external_item_id, []).append(task)
    return list(grouped.values())


def minimum_calls(keys: Iterable[ListingKey], *, limit: int, per_item: bool) -> int:
    """The fewest calls that can carry one row per key under these limits."""
    unique = set(keys)
    if not per_item:
        return -(-len(unique) // limit)
    per_item_rows: dict[str, int] = defaultdict(int)
    for key in unique:
        per_item_rows[key.external_item_id] += 1
    return sum(-(-rows // limit) for rows in per_item_rows.values())
