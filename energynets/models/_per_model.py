"""Values computed once from a model and kept while it lives: the bonds a sampler reads from
its couplings, say.

Models are immutable and their arrays read-only, so a value is reused only for the very array
object it was computed from (and the same ``key``); it goes when its model is collected.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

__all__ = ["PerModel"]

T = TypeVar("T")


class PerModel(Generic[T]):
    """A cache of one value per model, valid for one source array (by identity) and key."""

    def __init__(self) -> None:
        self._values: weakref.WeakKeyDictionary[Any, tuple[Any, Any, T]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, model: Any, source: Any, compute: Callable[[], T], key: Any = None) -> T:
        """The value of ``model``: the one kept if it was computed from ``source`` (the same
        object) with an equal ``key``, else ``compute()``, kept."""
        kept = self._values.get(model)
        if kept is not None and kept[0] is source and kept[1] == key:
            return kept[2]
        value = compute()
        self._values[model] = (source, key, value)
        return value
