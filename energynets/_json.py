"""Plain Python values for JSON: the one converter every JSON file of the package goes through
(checkpoint metadata, sweep results, experiment records, command-line summaries)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["plain"]


def plain(value: Any, *, finite: bool = False) -> Any:
    """``value`` with numpy scalars and arrays turned into Python numbers and lists, mapping
    keys into strings, tuples into lists.

    Parameters
    ----------
    value : object
        Nested mappings, lists, tuples, arrays and scalars.
    finite : bool
        Also turn NaN and infinities into None (JSON has neither; without this they stay
        floats, for ``json.dumps(..., allow_nan=True)``).

    Returns
    -------
    object
        The same structure in plain Python.

    Examples
    --------
    >>> plain({"a": np.arange(2), "b": (np.float32(0.5), np.inf)}, finite=True)
    {'a': [0, 1], 'b': [0.5, None]}
    """
    if isinstance(value, Mapping):
        return {str(k): plain(v, finite=finite) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, finite=finite) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist(), finite=finite)
    if isinstance(value, np.generic):
        value = value.item()
    if finite and isinstance(value, float) and not math.isfinite(value):
        return None
    return value
