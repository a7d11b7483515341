"""What every experiment does around its measurements: one seed, a progress bar, flag checks.

An experiment turns its ``rng`` into a Generator once and draws one integer from it
(:func:`draw_entropy`); every part of the experiment then takes its own stream
``rng_stream(entropy, *key)``, so a part's random numbers do not depend on which other parts
run or in what order. :func:`progress_bar` shows a tqdm bar (imported only when asked for)
and always closes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from energynets._validation import RNGLike, check_rng


def draw_entropy(rng: RNGLike) -> int:
    """The one integer an experiment draws from ``rng`` to seed its streams."""
    return int(check_rng(rng).integers(2**63))


def check_bool(value: Any, name: str) -> bool:
    """``value`` as a bool; a TypeError naming ``name`` unless it is a (numpy) bool."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
    return bool(value)


@contextmanager
def progress_bar(
    show: bool, total: int, desc: str, unit: str, *, leave: bool = True
) -> Iterator[Any]:
    """A tqdm bar over ``total`` ``unit``\\ s while the block runs, or None when not ``show``."""
    if not show:
        yield None
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit, leave=leave)
    try:
        yield bar
    finally:
        bar.close()
