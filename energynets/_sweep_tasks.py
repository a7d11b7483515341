"""The tasks of a sweep as a worker runs them: one call, or a batch of calls in one
submission, and how many a batch holds.

:func:`energynets.sweep.sweep` submits :func:`run_task` (serially, one task at a time) or
:func:`run_batch` (on a pool or a cluster) to its executor; a worker imports this module to run
them. A batch's tasks run one after another and come back together, each as a
:class:`Finished` that the sweep reads as it would read a future.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from energynets._json import plain
from energynets._validation import check_int
from energynets._workers import undo_malloc_trimming

__all__ = ["Finished", "batch_size", "run_batch", "run_task"]


def run_task(
    function: Callable[..., Any], params: dict[str, Any], seed: int, seed_argument: str | None
) -> tuple[Any, float]:
    """Call the function in a worker; return its result (plain Python) and the time taken.
    The first task in a Dask worker undoes the nanny's malloc trimming there
    (:func:`energynets._workers.undo_malloc_trimming`)."""
    undo_malloc_trimming()
    start = time.perf_counter()
    kwargs = dict(params)
    if seed_argument is not None:
        kwargs[seed_argument] = seed
    value = plain(function(**kwargs))
    return value, time.perf_counter() - start


def run_batch(
    function: Callable[..., Any],
    inputs: list[tuple[dict[str, Any], int]],
    seed_argument: str | None,
) -> list[tuple[bool, Any, float]]:
    """Run tasks (params, seed) one after another in a worker: (True, result, seconds) for
    each, up to the first that raises, (False, its exception, 0.0), where the batch stops."""
    entries: list[tuple[bool, Any, float]] = []
    for params, seed in inputs:
        try:
            value, elapsed = run_task(function, params, seed, seed_argument)
        except Exception as exc:
            entries.append((False, exc, 0.0))
            break
        entries.append((True, value, elapsed))
    return entries


class Finished:
    """One finished task of a batch, read as its future would be (by the sweep's records)."""

    def __init__(self, ok: bool, value: Any, elapsed: float) -> None:
        self.ok, self.value, self.elapsed = ok, value, elapsed

    def exception(self) -> BaseException | None:
        return None if self.ok else self.value

    def result(self) -> tuple[Any, float]:
        return self.value, self.elapsed


def batch_size(value: Any, executor: Executor | None, n_tasks: int, maximum: int) -> int:
    """The tasks per submission: ``value`` checked (at most ``maximum``), or by default 1 on
    the sweep's own pool and ``n_tasks // 32`` within [1, 16] on an executor it is given."""
    if value is not None:
        return check_int(value, "batch_size", minimum=1, maximum=maximum)
    if executor is None:
        return 1
    return min(max(n_tasks // 32, 1), 16)
