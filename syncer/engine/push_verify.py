"""Read-back verification: compare what the marketplace shows with what was pushed.

Pure: the pusher fetches the items (``Adapter.fetch_items``) and hands the page here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from syncer.adapter import Page
from syncer.domain import Listing, ListingStatus
from syncer.store.push_tasks import ClaimedTask, TaskResult, TaskState


def shown_value(field: str, listings: Sequence[Listing]) -> int | None:
    """The value of ``field`` the marketplace shows for a listing (status: any variant of
    the item listed = 1), or None when it was not found."""
    if not listings:
        return None
    if field == "price":
        return listings[0].price
    if field == "stock":
        return listings[0].stock
    return int(any(listing.status is not ListingStatus.INACTIVE for listing in listings))


def verdicts(tasks: Sequence[ClaimedTask], page: Page) -> list[TaskResult]:
    """``verified`` where the marketplace shows the pushed value, else ``mismatch`` with what
    it shows instead."""
    by_key = {listing.key: listing for listing in page.listings}
    by_item: dict[str, list[Listing]] = defaultdict(list)
    for listing in page.listings:
        by_item[listing.external_item_id].append(listing)
    results = []
    for task in tasks:
        if task.field == "status":
            found = by_item.get(task.key.external_item_id, [])
        else:
            found = [by_key[task.key]] if task.key in by_key else []
        shown = shown_value(task.field, found)
        if shown == task.value:
            results.append(TaskResult(task=task, state=TaskState.VERIFIED, reason="verified"))
        elif shown is None:
            results.append(
                TaskResult(
                    task=task,
                    state=TaskState.MISMATCH,
                    reason="accepted, but the listing was not found when read back",
                    code="mismatch",
                )
            )
        else:
            results.append(
                TaskResult(
                    task=task,
                    state=TaskState.MISMATCH,
                    reason=f"accepted {task.field} {task.value}, but the marketplace shows {shown}",
                    code="mismatch",
                    shown=shown,
                )
            )
    return results
