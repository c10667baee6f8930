"""Tables of push tasks, shared by ``syncer status``, ``syncer products show`` and ``push``."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from syncer.store import Connection
from syncer.store import push_tasks as task_store

PROBLEM_STATES = ("failed", "mismatch")


def push_table(tasks: list[task_store.TaskView], *, title: str) -> Table:
    from syncer.cli.status_commands import rupiah

    table = Table(title=title)
    for column in ("Shop", "SKU", "Field", "Value", "State", "Tries", "Reason"):
        table.add_column(column, overflow="fold" if column == "Reason" else "ellipsis")
    for task in tasks:
        value = rupiah(task.value) if task.field == "price" else str(task.value)
        if task.field == "status":
            value = "listed" if task.value else "unlisted"
        cells = (task.shop, task.seller_sku, task.field, value, task.state, str(task.attempts))
        table.add_row(*cells, task.reason)
    return table


async def push_overview(connection: Connection) -> tuple[dict[str, int], list[task_store.TaskView]]:
    """Counts of tasks by state, and the latest pending and failed ones (for ``syncer status``)."""
    counts = await task_store.state_counts(connection)
    shown = await task_store.tasks_in(
        connection, ("pending", "in_flight", *PROBLEM_STATES), limit=20
    )
    return counts, shown


def print_push_overview(
    console: Console, counts: dict[str, int], tasks: list[task_store.TaskView]
) -> None:
    if not counts:
        return
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    console.print(f"Pushes: {summary}")
    if tasks:
        console.print(push_table(tasks, title="Pending and failed pushes"))
