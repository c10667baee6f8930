"""Tables in our database that the models do not describe, kept out of schema comparisons.

Cluster mode's job queue (procrastinate) creates its own tables beside ours; Alembic's
autogenerate (``syncer db revision``, the schema test) would otherwise propose dropping them.
"""

from __future__ import annotations

FOREIGN_TABLE_PREFIXES = ("procrastinate_",)


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object | None
) -> bool:
    """Alembic's ``include_object`` hook: False for a reflected table (or a column, index or
    constraint of one) that another component owns and our models do not mention."""
    if not reflected or compare_to is not None:
        return True
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return not (isinstance(table, str) and table.startswith(FOREIGN_TABLE_PREFIXES))
