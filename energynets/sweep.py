"""Parameter sweeps on any :class:`concurrent.futures.Executor`: local processes or a cluster.

:func:`sweep` runs a function over the product of a parameter grid and a number of seeds.
Each task is one grid point and one replicate; its seed is spawned from one
:class:`numpy.random.SeedSequence` keyed by the point's position in the grid and the
replicate number, so a result never depends on which worker ran it or when. The tasks run on
a local process pool by default, in this process with ``workers=1``, or on any executor: a
Dask cluster through ``distributed.Client(address).get_executor()``.

Results are appended to a JSON-lines file as they finish (one line per task, flushed and
fsynced, sealed with a check of its content), after a header line that names the function,
the grid, the seeds and the root entropy. Running the same sweep again with the same file
skips the finished tasks, so an interrupted sweep (Ctrl-C, a crash, a lost node, a kill)
resumes where it stopped; a half-written last line is dropped, and any other line that is not
a task of this sweep as the sweep wrote it (edited, copied from another sweep) is an error
naming its line. The file is locked while a sweep runs, by the sweep's process alone: its
workers, which end with it, never hold the lock. The table at the end (:class:`SweepResult`)
is in grid order whatever the order in which tasks finished.

What it leaves out: scheduling policy (the executor's), retries (rerun the sweep), and
results that are not JSON (return numbers, strings, lists or dicts of them; save large
arrays to files of their own and return their paths).
"""

from __future__ import annotations

import itertools
import json
import math
import multiprocessing
import numbers
import os
import pickle
import sys
import time
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from energynets._json import plain
from energynets._locks import FileInUse, lock_exclusive, unlock_and_close
from energynets._sweep_records import check_records, sealed_line
from energynets._sweep_tasks import Finished, run_batch, run_task
from energynets._sweep_tasks import batch_size as batch_size_for
from energynets._validation import RNGLike, check_int
from energynets._workers import init_worker

__all__ = ["FORMAT_NAME", "MAX_TASKS", "SweepResult", "sweep", "task_seed"]

#: The ``format`` entry of a results file's header line.
FORMAT_NAME = "energynets-sweep/1"

#: The most tasks (grid points x replicates) of one sweep: its tasks and records are held in
#: memory, and each finished task is one fsynced line of the results file.
MAX_TASKS = 10**7
#: The most worker processes of a sweep's own pool.
MAX_WORKERS = 4096


def task_seed(entropy: int, point: int, replicate: int, spawn_key: Sequence[int] = ()) -> int:
    """The seed of one task: an integer below 2**63 from ``SeedSequence(entropy, spawn_key=key)``.

    ``key`` is ``(*spawn_key, point, replicate)``: the task's position in the grid and its
    replicate number. The streams of different tasks are independent (the SeedSequence's
    spawn tree) and a task's seed depends only on its position, never on the scheduling.

    Parameters
    ----------
    entropy : int >= 0
        The root of the sweep's seeds.
    point, replicate : int >= 0
        The task's grid point and replicate.
    spawn_key : sequence of int
        A prefix of the key (e.g. to nest sweeps).

    Returns
    -------
    int
        In [0, 2**63).

    Examples
    --------
    >>> task_seed(0, 0, 0) == task_seed(0, 0, 0) != task_seed(0, 0, 1)
    True
    """
    sequence = np.random.SeedSequence(entropy, spawn_key=(*spawn_key, point, replicate))
    return int(sequence.generate_state(1, np.uint64)[0] >> np.uint64(1))  # < 2**63: fits int64


@dataclass
class SweepResult:
    """The results of :func:`sweep`, in grid order.

    Attributes
    ----------
    records : list of dict
        One per task, ordered by grid point then replicate: ``"task"`` (its index),
        ``"params"`` (the grid point), ``"replicate"``, ``"seed"``, ``"result"`` (what the
        function returned) and ``"elapsed"`` (seconds in the function).
    parameters : list of str
        The grid's parameter names, in order.
    n_computed, n_resumed : int
        Tasks run by this call, and tasks read back from the results file.
    results : Path or None
        The JSON-lines file.
    settings : dict
        How the sweep ran: ``"function"``, ``"seeds"``, ``"entropy"`` (the root of the
        seeds), ``"spawn_key"``, ``"n_tasks"`` and ``"wall_time"`` (seconds).

    Examples
    --------
    >>> def square(x, rng):
    ...     return {"y": x * x}
    >>> res = sweep(square, {"x": [1, 2]}, seeds=2, workers=1)
    >>> res.columns()
    ['x', 'replicate', 'seed', 'y']
    >>> res.column("y").tolist(), res.n_computed
    ([1, 1, 4, 4], 4)
    """

    records: list[dict[str, Any]]
    parameters: list[str]
    n_computed: int = 0
    n_resumed: int = 0
    results: Path | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.records)

    def __repr__(self) -> str:
        return (
            f"SweepResult({len(self.records)} tasks over {', '.join(self.parameters)}; "
            f"{self.n_computed} computed, {self.n_resumed} resumed)"
        )

    def to_rows(self) -> list[dict[str, Any]]:
        """A tidy table: one flat dict per task, the parameters, ``replicate`` and ``seed``
        first, then the function's dict result (its keys) or ``result``.

        Returns
        -------
        list of dict
            One per task, in grid order.
        """
        rows = []
        for record in self.records:
            row = dict(record["params"])
            row["replicate"] = record["replicate"]
            row["seed"] = record["seed"]
            value = record["result"]
            if isinstance(value, dict):
                row.update(value)
            else:
                row["result"] = value
            rows.append(row)
        return rows

    def columns(self) -> list[str]:
        """The keys of :meth:`to_rows`, in order of first appearance.

        Returns
        -------
        list of str
        """
        return list(dict.fromkeys(k for row in self.to_rows() for k in row))

    def column(self, name: str) -> np.ndarray:
        """One column of :meth:`to_rows` as an array (missing entries are None).

        Parameters
        ----------
        name : str
            One of :meth:`columns`.

        Returns
        -------
        ndarray, shape (n_tasks,)

        Raises
        ------
        ValueError
            If ``name`` is not a column.
        """
        names = self.columns()
        if name not in names:
            raise ValueError(f"name must be one of the columns {names}, got {name!r}")
        return np.array([row.get(name) for row in self.to_rows()])

    def table(self, float_format: str = ".4g") -> str:
        """:meth:`to_rows` as a Markdown (GitHub pipe) table, numbers right-aligned.

        Parameters
        ----------
        float_format : str
            Format specification of the floats, e.g. ``".4g"``.

        Returns
        -------
        str
            The table, one line per task after the header.
        """
        names = self.columns()

        def cell(value: Any) -> str:
            if isinstance(value, float):
                return format(value, float_format)
            return "" if value is None else str(value)

        rows = [[cell(row.get(k)) for k in names] for row in self.to_rows()]
        numeric = [
            all(isinstance(row.get(k), numbers.Number) for row in self.to_rows()) for k in names
        ]
        align = ["---:" if is_number else ":---" for is_number in numeric]
        lines = ["| " + " | ".join(names) + " |", "| " + " | ".join(align) + " |"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines) + "\n"


# -- checks ----------------------------------------------------------------------------------


def _check_grid(grid: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """The parameter names and the grid points (dicts) of a grid."""
    if isinstance(grid, Mapping):
        if not grid:
            raise ValueError("grid must name at least one parameter, got an empty dict")
        names = []
        values = []
        for name, options in grid.items():
            if not isinstance(name, str) or not name.isidentifier():
                raise ValueError(f"grid keys must be parameter names, got {name!r}")
            if isinstance(options, str | bytes) or not isinstance(options, Sequence | np.ndarray):
                raise TypeError(
                    f"grid[{name!r}] must be a list of values, got {type(options).__name__} "
                    f"{options!r:.60}"
                )
            if _length(options) == 0:
                raise ValueError(f"grid[{name!r}] must hold at least one value, got none")
            names.append(name)
            values.append(options)
        _check_task_count(math.prod(_length(v) for v in values), "grid points")
        values = [[plain(v) for v in options] for options in values]
        points = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]
    elif isinstance(grid, Sequence) and not isinstance(grid, str | bytes):
        if not grid or not all(isinstance(p, Mapping) for p in grid):
            raise TypeError(
                "grid must be a dict of name -> list of values, or a non-empty list of dicts "
                f"(explicit points), got {type(grid).__name__}"
            )
        _check_task_count(len(grid), "grid points")
        names = list(grid[0])
        for i, point in enumerate(grid):
            if list(point) != names:
                raise ValueError(
                    f"every grid point must have the keys {names}, grid[{i}] has {list(point)}"
                )
        points = [{k: plain(v) for k, v in p.items()} for p in grid]
    else:
        raise TypeError(
            "grid must be a dict of name -> list of values, or a list of dicts, got "
            f"{type(grid).__name__}"
        )
    for point in points:
        try:
            json.dumps(point, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"grid values must be JSON numbers, strings, bools or None, got {point} ({exc})"
            ) from None
    keys = [json.dumps(p, sort_keys=True) for p in points]
    if len(set(keys)) != len(keys):
        raise ValueError("grid holds the same point twice")
    return names, points


def _length(values: Sequence[Any] | np.ndarray) -> float:
    """``len(values)``, or infinity for a length beyond Python's sizes (``range(2**70)``)."""
    try:
        return len(values)
    except OverflowError:
        return math.inf


def _check_task_count(count: float, what: str) -> None:
    """At most :data:`MAX_TASKS` grid points, seeds or tasks (checked before any is made)."""
    if count > MAX_TASKS:
        number = "more than 2**63 - 1" if math.isinf(count) else str(count)
        raise ValueError(
            f"a sweep runs at most MAX_TASKS = {MAX_TASKS} tasks, got {number} {what}; split "
            "it into several sweeps"
        )


def _check_seeds(seeds: Any) -> tuple[int, list[int] | None]:
    """(replicates, explicit seeds or None)."""
    if isinstance(seeds, numbers.Integral) and not isinstance(seeds, bool):
        if int(seeds) < 1:
            raise ValueError(f"seeds must be >= 1 (replicates per point), got {int(seeds)}")
        return check_int(seeds, "seeds (replicates per point)", maximum=MAX_TASKS), None
    if isinstance(seeds, Sequence | np.ndarray) and not isinstance(seeds, str | bytes):
        _check_task_count(_length(seeds), "seeds")
        explicit = list(seeds)
        if not explicit or not all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) and int(s) >= 0
            for s in explicit
        ):
            raise ValueError(
                f"seeds must be a count >= 1 or a non-empty list of int seeds >= 0, got {seeds!r}"
            )
        return len(explicit), [int(s) for s in explicit]
    raise TypeError(f"seeds must be an int or a list of ints, got {type(seeds).__name__}")


def _root(rng: RNGLike) -> tuple[int | None, list[int]]:
    """(entropy, spawn key) of the root SeedSequence; entropy None for fresh entropy."""
    if rng is None:
        return None, []
    if isinstance(rng, np.random.SeedSequence):
        if not isinstance(rng.entropy, int):
            raise ValueError("rng must be a SeedSequence with an int entropy")
        return rng.entropy, [int(k) for k in rng.spawn_key]
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(2**63)), []
    if isinstance(rng, bool) or not isinstance(rng, numbers.Integral) or int(rng) < 0:
        raise TypeError(
            "rng must be a non-negative int seed, a numpy.random.SeedSequence, a Generator or "
            f"None, got {rng!r:.60}"
        )
    return int(rng), []


def _function_name(function: Callable[..., Any]) -> str:
    module = getattr(function, "__module__", None) or "?"
    name = getattr(function, "__qualname__", None) or type(function).__name__
    return f"{module}.{name}"


# -- the results file ------------------------------------------------------------------------


def _read_results(path: Path, data: bytes) -> tuple[dict[str, Any] | None, list[Any], int]:
    """(header, the task lines as (line number, parsed JSON), byte length of the complete
    lines) of a results file; the task lines are checked by ``check_records``.

    A last line without its newline (a write cut short) is left out; any other line that is
    not JSON is an error.
    """
    if not data:
        return None, [], 0
    complete = data.rfind(b"\n") + 1
    lines = data[:complete].split(b"\n")[:-1]
    header: dict[str, Any] | None = None
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except (ValueError, RecursionError):
            raise ValueError(
                f"results file '{path}' line {number} is not JSON (a damaged file; only a "
                "half-written last line is skipped)"
            ) from None
        if header is None:
            if not isinstance(entry, dict) or entry.get("format") != FORMAT_NAME:
                raise ValueError(
                    f"'{path}' is not an energynets sweep results file (its first line has no "
                    f"format {FORMAT_NAME!r})"
                )
            header = entry
        else:
            records.append((number, entry))
    return header, records, complete


def _append_line(file: Any, line: bytes) -> None:
    file.write(line)
    file.flush()
    os.fsync(file.fileno())


#: (task index, point index, replicate, point, seed)
_Task = tuple[int, int, int, dict[str, Any], int]


def _open_locked(path: Path) -> Any:
    """Open (create) the results file for reading and writing, with an exclusive lock where
    the platform has one (POSIX ``flock``): a second sweep on the same file is an error. Only
    this process holds the lock (energynets._locks), so that it ends with this process even
    if the workers it forked live on."""
    from energynets._npz import open_regular  # refuses a named pipe or a device unread

    # closed by the caller
    file = open_regular(path, "results file", mode="a+b", refusal=f"results '{path}'")
    try:
        lock_exclusive(file)  # held by this process alone, not by the workers it forks
    except FileInUse as busy:
        file.close()
        if busy.leftover:
            pids = " ".join(str(pid) for pid in busy.leftover)
            raise ValueError(
                f"results file '{path}' is locked by processes left over from a sweep that "
                f"was killed (process ids {pids}), not by a running sweep: end them "
                f"(kill {pids}) and run the same sweep again"
            ) from None
        raise ValueError(
            f"results file '{path}' is in use by another running sweep (wait for it to end, "
            "or pass another results path)"
        ) from None
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return file


class _Serial(Executor):
    """Run each task at submission, in this process (``workers=1``)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            future.set_exception(exc)
        return future


def sweep(
    function: Callable[..., Any],
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
    *,
    seeds: int | Sequence[int] = 1,
    rng: RNGLike = 0,
    executor: Executor | None = None,
    workers: int | None = None,
    results: str | os.PathLike[str] | None = None,
    seed_argument: str | None = "rng",
    progress: bool = False,
    batch_size: int | None = None,
) -> SweepResult:
    """Run ``function`` over the product of a parameter grid and seeds, on an executor.

    Task (i, r) is grid point i and replicate r; it calls
    ``function(**point, rng=seed)`` with the seed

        seed = SeedSequence(entropy, spawn_key=(i, r)).generate_state(1, uint64)[0]

    (:func:`task_seed`), or with ``seeds[r]`` when ``seeds`` is a list of seeds (the same
    seeds at every point: common random numbers). The seed depends only on (i, r), so the
    table is the same on one process, on many, or on a cluster.

    Parameters
    ----------
    function : callable
        Called with the grid's parameters as keyword arguments (and the seed as
        ``seed_argument``); returns a dict of JSON values (numbers, strings, lists, ...; numpy
        scalars and arrays are converted), whose keys become columns, or one such value.
        To run in other processes it must be picklable: a function defined at the top level
        of an importable module (not a lambda, nor a function defined inside another).
    grid : dict of str -> list, or list of dict
        Parameter name -> the values to try; the points are their Cartesian product, the last
        name varying fastest. A list of dicts (all with the same keys) gives the points
        explicitly.
    seeds : int >= 1 or list of int
        Replicates per grid point, or explicit seeds (one replicate per seed); the grid
        points times the replicates at most :data:`MAX_TASKS`.
    rng : int, SeedSequence, Generator or None
        The root of the spawned seeds (for an int ``seeds``). None: fresh OS entropy, written
        to the results file and reused when the sweep resumes from it.
    executor : concurrent.futures.Executor, optional
        Where the tasks run: a ``ProcessPoolExecutor``, a ``ThreadPoolExecutor``, or a Dask
        cluster's ``distributed.Client(address).get_executor()``. The caller keeps ownership
        (it is not shut down). Default: a process pool of ``workers`` processes, closed at
        the end.
    workers : int >= 1, optional
        Processes of the default pool (default: the CPU count), each limited to one BLAS
        thread when threadpoolctl is installed (as Dask's workers are), so that they do not
        oversubscribe the cores, and ended when this process ends, however it ends; 1 runs
        the tasks one after another in this process (no pickling). Not with ``executor``.
    results : str or path-like, optional
        JSON-lines file of the results. Created if missing; if it exists and was written by
        the same sweep (function, grid, seeds and root), its finished tasks are read back and
        only the others run; a file written for another sweep, or being written by a sweep
        that is still running (the file is locked, on POSIX), is an error, and so is a task
        line that this sweep did not write so (the message names the line).
    seed_argument : str or None
        Name of the function's argument that receives the seed ("rng" by default, the
        package's convention); None passes no seed.
    progress : bool
        Show a tqdm progress bar over the tasks.
    batch_size : int >= 1, optional
        Tasks per submission to the executor: a batch runs its tasks one after another in one
        worker, and its results are written when it ends. Default: 1 on the default pool, and
        on a given executor (a Dask cluster, say) ``len(tasks) // 32`` between 1 and 16, so
        that short tasks do not each pay the executor's cost of a task. No result depends on
        it (each task's seed comes from its place in the grid).

    Returns
    -------
    SweepResult
        The records in grid order, with :meth:`SweepResult.to_rows` (a tidy table of dicts)
        and :meth:`SweepResult.table` (Markdown).

    Raises
    ------
    TypeError, ValueError
        A non-callable or unpicklable function, an empty or malformed grid, bad seeds, more
        than :data:`MAX_TASKS` tasks, a results file from another sweep, damaged before its
        last line, or with a line edited or not of this sweep.
    RuntimeError
        A task raised; the message names its parameters. The tasks finished before it are in
        the results file, so fixing the cause and rerunning resumes the sweep.

    Examples
    --------
    >>> def square(x, rng):
    ...     return {"y": x * x}
    >>> res = sweep(square, {"x": [1, 2, 3]}, workers=1)
    >>> [row["y"] for row in res.to_rows()]
    [1, 4, 9]
    """
    if not callable(function):
        raise TypeError(f"function must be callable, got {type(function).__name__}")
    names, points = _check_grid(grid)
    n_replicates, explicit_seeds = _check_seeds(seeds)
    _check_task_count(
        len(points) * n_replicates, f"tasks ({len(points)} points x {n_replicates} seeds)"
    )
    entropy, spawn_key = _root(rng)
    _check_seed_argument(seed_argument, names)
    if not isinstance(progress, bool | np.bool_):
        raise TypeError(f"progress must be a bool, got {type(progress).__name__}")
    serial = _check_executor(function, executor, workers)
    batch_size_for(batch_size, executor, 0, MAX_TASKS)  # checked before any work
    path = None if results is None else Path(results)
    seeds_entry = explicit_seeds if explicit_seeds is not None else n_replicates
    header = _header(function, names, points, seeds_entry, entropy, spawn_key, seed_argument)
    # the results file is held open (and locked) to the end, so two sweeps cannot interleave
    file, old_header, old_records, keep_bytes = _open_results(path)
    try:
        if old_header is not None:
            # a sweep with fresh entropy resumes with the entropy it drew the first time
            old_entropy = old_header.get("entropy")
            if header["entropy"] is None and type(old_entropy) is int and old_entropy >= 0:
                header["entropy"] = old_entropy
            _check_same_sweep(path, header, old_header)
        if header["entropy"] is None:
            header["entropy"] = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
        tasks = _tasks(points, n_replicates, explicit_seeds, header["entropy"], spawn_key)
        # every line read back must be a task of this sweep as the sweep wrote it
        done = check_records(path, old_records, tasks)
        todo = [t for t in tasks if t[0] not in done]
        n_resumed = len(done)
        if file is not None:
            _start_file(file, header, keep_bytes)
        pool, own_pool = _pool(executor, workers, serial)
        bar = _progress_bar(len(tasks), n_resumed) if progress else None
        started = time.perf_counter()
        try:
            batch = batch_size_for(batch_size, executor, len(todo), MAX_TASKS)
            _run_tasks(function, todo, seed_argument, pool, (serial, batch), file, done, bar)
        finally:
            if own_pool is not None:
                own_pool.shutdown(wait=True, cancel_futures=True)
            if bar is not None:
                bar.close()
    finally:
        if file is not None:
            unlock_and_close(file)
    settings = {
        "function": header["function"],
        "seeds": header["seeds"],
        "entropy": header["entropy"],
        "spawn_key": spawn_key,
        "n_tasks": len(tasks),
        "wall_time": time.perf_counter() - started,
    }
    return SweepResult(
        records=[done[t[0]] for t in tasks],
        parameters=names,
        n_computed=len(todo),
        n_resumed=n_resumed,
        results=path,
        settings=settings,
    )


# -- the steps of a sweep --------------------------------------------------------------------


def _check_seed_argument(seed_argument: Any, names: list[str]) -> None:
    """``seed_argument`` must be None or an argument name that is not a grid parameter."""
    if seed_argument is not None and (
        not isinstance(seed_argument, str) or not seed_argument.isidentifier()
    ):
        raise TypeError(f"seed_argument must be an argument name or None, got {seed_argument!r}")
    if seed_argument is not None and seed_argument in names:
        raise ValueError(
            f"the grid has a parameter named {seed_argument!r}, the name of the seed argument "
            "(rename it, or pass seed_argument=None)"
        )


def _check_executor(function: Callable[..., Any], executor: Any, workers: Any) -> bool:
    """Check ``executor`` and ``workers``; return whether the tasks run in this process (then
    ``function`` need not be picklable)."""
    if executor is not None and workers is not None:
        raise ValueError("pass executor or workers, not both")
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise TypeError(
            f"executor must be a concurrent.futures.Executor, got {type(executor).__name__}"
        )
    if workers is not None:
        check_int(workers, "workers", minimum=1, maximum=MAX_WORKERS)
    serial = executor is None and workers == 1
    if not serial:
        try:
            pickle.dumps(function)
        except Exception:
            raise TypeError(
                f"function must be picklable to run in other processes: define "
                f"{_function_name(function)} at the top level of a module (not a lambda or a "
                "nested function), or pass workers=1"
            ) from None
    return serial


def _header(
    function: Callable[..., Any],
    names: list[str],
    points: list[dict[str, Any]],
    seeds: int | list[int],
    entropy: int | None,
    spawn_key: list[int],
    seed_argument: str | None,
) -> dict[str, Any]:
    """The first line of the results file: what makes a sweep (a resumed one must match)."""
    return {
        "format": FORMAT_NAME,
        "function": _function_name(function),
        "parameters": names,
        "points": points,
        "seeds": seeds,
        "spawn_key": spawn_key,
        "entropy": entropy,
        "seed_argument": seed_argument,
    }


def _open_results(
    path: Path | None,
) -> tuple[Any, dict[str, Any] | None, list[Any], int]:
    """Open and lock the results file and read it: (the open file, its header, its task
    records, the byte length of its complete lines); no file without a path."""
    if path is None:
        return None, None, [], 0
    if path.exists() and path.is_dir():
        raise ValueError(f"results '{path}' is a folder, expected a file")
    file = _open_locked(path)
    try:
        header, records, keep_bytes = _read_results(path, file.read())
    except BaseException:
        unlock_and_close(file)
        raise
    return file, header, records, keep_bytes


def _check_same_sweep(path: Path | None, header: dict[str, Any], old: dict[str, Any]) -> None:
    """The results file's header ``old`` must describe the sweep of ``header``."""
    different = [key for key in header if key != "format" and old.get(key) != header[key]]
    if different:
        raise ValueError(
            f"results file '{path}' was written by another sweep (its "
            f"{', '.join(different)} differ); pass another results path or delete it"
        )


def _tasks(
    points: list[dict[str, Any]],
    n_replicates: int,
    explicit_seeds: list[int] | None,
    entropy: int,
    spawn_key: list[int],
) -> list[_Task]:
    """Every task of the sweep, in grid order: each point, each replicate, with its seed."""
    tasks: list[_Task] = []
    for i, point in enumerate(points):
        for r in range(n_replicates):
            seed = (
                explicit_seeds[r]
                if explicit_seeds is not None
                else task_seed(entropy, i, r, spawn_key)
            )
            tasks.append((len(tasks), i, r, point, seed))
    return tasks


def _start_file(file: Any, header: dict[str, Any], keep_bytes: int) -> None:
    """Write the header line to a new results file, or cut a resumed one after its last
    complete line (a half-written last line is dropped) and append from there."""
    if keep_bytes == 0:
        file.truncate(0)
        _append_line(file, (json.dumps(header) + "\n").encode("utf-8"))
    else:
        file.truncate(keep_bytes)
        file.seek(keep_bytes)


def _pool(
    executor: Executor | None, workers: int | None, serial: bool
) -> tuple[Executor, Executor | None]:
    """Where the tasks run, and the process pool of this sweep (to shut down) if it made one."""
    if serial:
        return _Serial(), None
    if executor is None:
        # workers that end with this process (energynets._workers), one BLAS thread each
        context = multiprocessing.get_context()
        own_pool = ProcessPoolExecutor(
            max_workers=None if workers is None else int(workers),
            mp_context=context,
            initializer=init_worker,
            initargs=(os.getpid(), context.get_start_method()),
        )
        return own_pool, own_pool
    return executor, None


def _progress_bar(n_tasks: int, n_resumed: int) -> Any:
    """A tqdm bar over the tasks, the resumed ones already counted."""
    from tqdm.auto import tqdm

    return tqdm(total=n_tasks, initial=n_resumed, desc="sweep", unit="task")


def _run_tasks(
    function: Callable[..., Any],
    todo: list[_Task],
    seed_argument: str | None,
    pool: Executor,
    mode: tuple[bool, int],
    file: Any,
    done: dict[int, dict[str, Any]],
    bar: Any,
) -> None:
    """Run the tasks ``todo`` on ``pool`` (``mode``: whether serially, and the batch size);
    add each record to ``done`` and to the results file as its task finishes. A failed task
    stops the sweep (the others are cancelled).

    ``futures`` holds the unfinished batches only: a finished one is dropped once taken, so
    that a Dask cluster releases its result at once (a worker lost later does not make the
    cluster compute again the tasks it had finished, and the workers do not hold every result
    to the end of the sweep)."""
    futures: dict[Future[Any], list[_Task]] = {}
    try:
        for future, task in _completed(pool, todo, futures, function, seed_argument, mode):
            record = _record(future, task)
            del future  # not held while the next task is awaited
            if file is not None:
                try:
                    line = sealed_line(record)
                except (TypeError, ValueError) as err:
                    raise TypeError(
                        f"the result of task {task[0]} ({_describe_point(task[3])}) is not "
                        f"JSON: {err}"
                    ) from None
                _append_line(file, line)
            done[task[0]] = record
            if bar is not None:
                bar.update(1)
    finally:
        for future in futures:
            future.cancel()


def _record(future: Any, task: _Task) -> dict[str, Any]:
    """The record of a finished task (its future, or its part of a batch's); a RuntimeError
    naming the task if it raised."""
    index, i, r, point, seed = task
    exc = future.exception()
    if exc is not None:
        raise RuntimeError(
            f"sweep task {index} ({_describe_point(point)}, replicate {r}, seed {seed}) "
            f"failed: {type(exc).__name__}: {exc}"
        ) from exc
    value, elapsed = future.result()
    return {
        "task": index,
        "point": i,
        "replicate": r,
        "seed": seed,
        "params": point,
        "result": value,
        "elapsed": elapsed,
    }


def _describe_point(point: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in point.items())


def _completed(
    pool: Executor,
    todo: list[_Task],
    futures: dict[Future[Any], list[_Task]],
    function: Callable[..., Any],
    seed_argument: str | None,
    mode: tuple[bool, int],
) -> Iterator[tuple[Any, _Task]]:
    """Submit the tasks and yield (finished task, task) as they finish: one at a time (each
    written before the next runs) when serial, else in batches of ``mode[1]`` tasks, all
    submitted at once; a finished batch leaves ``futures`` before its tasks are yielded."""
    serial, batch = mode
    if serial:
        for task in todo:
            yield pool.submit(run_task, function, task[3], task[4], seed_argument), task
        return
    for start in range(0, len(todo), batch):
        group = todo[start : start + batch]
        inputs = [(task[3], task[4]) for task in group]
        futures[pool.submit(run_batch, function, inputs, seed_argument)] = group
    for future in as_completed(list(futures)):
        group = futures.pop(future)
        try:
            entries = future.result()
        except Exception as exc:  # the batch itself failed: a lost worker, say
            yield Finished(False, exc, 0.0), group[0]
            return
        del future  # not held while the next batch is awaited
        for entry, task in zip(entries, group, strict=False):
            yield Finished(*entry), task


class _CallableModule(types.ModuleType):
    """``energynets.sweep`` stays callable as the function when the module was imported by
    name first (``import energynets.sweep`` binds the module as the package attribute)."""

    def __call__(self, *args: Any, **kwargs: Any) -> SweepResult:
        return sweep(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
