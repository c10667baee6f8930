"""Adapters are found by marketplace name through the ``syncer.adapters`` entry point group."""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points

from syncer.adapter.base import Adapter
from syncer.errors import UnknownAdapterError

ENTRY_POINT_GROUP = "syncer.adapters"


@cache
def available_adapters() -> tuple[str, ...]:
    """Names of every installed adapter, sorted."""
    return tuple(sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)))


@cache  # scanning entry points costs milliseconds, and the daemon builds an adapter per run
def load_adapter(name: str) -> type[Adapter]:
    """The adapter class registered as ``name``; the error lists what is available."""
    matches = entry_points(group=ENTRY_POINT_GROUP, name=name)
    if not matches:
        raise UnknownAdapterError(name, list(available_adapters()))
    adapter = next(iter(matches)).load()
    if not (isinstance(adapter, type) and issubclass(adapter, Adapter)):
        raise TypeError(f"entry point {name!r} in {ENTRY_POINT_GROUP} is not an Adapter subclass")
    return adapter
