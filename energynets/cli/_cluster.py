"""The ``--workers`` / ``--scheduler`` options, and the capacity measurement as tasks.

``energynets capacity --workers N`` (or ``--scheduler``) splits the capacity experiment into
one task per rule and load (:func:`run_capacity_parallel`); every task uses the command's
``--seed``, and a measurement of :func:`~energynets.experiments.capacity.run_capacity` does
not depend on the other rules and loads, so the table is exactly that of the serial command.
``energynets sweep`` runs the same task, :func:`capacity_cell`, over a grid of sizes and loads.
The tasks run on local processes or on a Dask cluster (``--scheduler ADDRESS``, the address of
a running ``dask scheduler``; needs ``pip install 'energynets[dask]'``).
"""

from __future__ import annotations

import argparse
import contextlib
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from typing import Any

from energynets.cli._args import add_count

#: A Dask scheduler's address: [protocol://]host:port, the host a name, an IPv4 address or an
#: IPv6 address in brackets.
_ADDRESS = re.compile(r"(?:[a-z][a-z0-9+.-]*://)?(?:\[[0-9a-fA-F:.]+\]|[^\s:/\[\]]+):(\d{1,5})")


def address(text: str) -> str:
    """An argparse type for a Dask scheduler's address, such as tcp://10.0.0.5:8786."""
    match = _ADDRESS.fullmatch(text.strip())
    if match is None or not 0 < int(match.group(1)) < 65536:
        raise argparse.ArgumentTypeError(
            f"expected a Dask scheduler address such as tcp://10.0.0.5:8786, got {text!r}"
        )
    return text.strip()


def check_cluster_options(args: argparse.Namespace) -> None:
    """--workers and --scheduler do not go together: a one-line error before any work."""
    if args.scheduler is not None and args.workers is not None:
        raise ValueError("--workers does not apply with --scheduler (the cluster has its workers)")


def add_cluster_options(p: argparse.ArgumentParser) -> None:
    """``--workers N`` and ``--scheduler ADDRESS``."""
    add_count(
        p,
        "--workers",
        "N",
        "run the tasks on N local processes (default: one process for capacity, all "
        "cores for sweep)",
    )
    p.add_argument(
        "--scheduler",
        type=address,
        default=None,
        metavar="ADDRESS",
        help="run the tasks on a Dask cluster: the address of its scheduler, such as "
        "tcp://10.0.0.5:8786 (needs pip install 'energynets[dask]'; default: local processes)",
    )


@contextlib.contextmanager
def cluster_executor(scheduler: str | None, workers: int | None) -> Iterator[Executor | None]:
    """The executor of a Dask scheduler's address (its client closed afterwards), or None.

    Raises ValueError when Dask's ``distributed`` is not installed or when ``workers`` is
    given as well, OSError when the scheduler cannot be reached (10 s).
    """
    if scheduler is None:
        yield None
        return
    check_cluster_options(argparse.Namespace(scheduler=scheduler, workers=workers))
    try:
        from distributed import Client
    except ImportError:
        raise ValueError(
            "--scheduler needs Dask's distributed scheduler, which is not installed "
            "(pip install 'energynets[dask]')"
        ) from None
    try:
        client = Client(scheduler, timeout="10s")
    except (TimeoutError, OSError) as exc:
        raise OSError(f"cannot reach the Dask scheduler at {scheduler!r} ({exc})") from None
    except ValueError as exc:
        raise ValueError(f"--scheduler {scheduler!r}: {exc}") from None
    try:
        yield client.get_executor(pure=False)  # every task run, none reused from memory
    finally:
        client.close()


# -- the tasks (module level, so that other processes can import them) -------------------------


def capacity_cell(
    rule: str,
    n_units: int,
    n_patterns: int,
    flip_fraction: float,
    n_trials: int,
    dynamics: str,
    max_sweeps: int,
    max_probes: int | None,
    rng: int,
) -> dict[str, Any]:
    """One record of :func:`~energynets.experiments.capacity.run_capacity`: one rule at
    P = ``n_patterns`` stored patterns of ``n_units`` units (the same numbers as in a run over
    all rules and loads with the same seed)."""
    from energynets.experiments.capacity import run_capacity

    result = run_capacity(
        n_units=n_units,
        alphas=[n_patterns / n_units],
        rules=[rule],
        flip_fraction=flip_fraction,
        n_trials=n_trials,
        dynamics=dynamics,
        max_sweeps=max_sweeps,
        max_probes=max_probes,
        rng=rng,
    )
    if len(result.records) != 1 or result.records[0]["n_patterns"] != n_patterns:
        raise ValueError(
            f"no capacity record for rule {rule!r} at N = {n_units}, P = {n_patterns} "
            "(the pseudo-inverse rule needs P < N)"
        )
    return result.records[0]


def _loads(n_units: int, alphas: Sequence[float] | None) -> list[int]:
    from energynets.experiments.capacity import check_alphas

    return sorted({max(1, round(float(a) * n_units)) for a in check_alphas(alphas)})


def capacity_points(
    rules: Sequence[str],
    sizes: Sequence[int],
    alphas: Sequence[float] | None,
    **measurement: Any,
) -> list[dict[str, Any]]:
    """The keyword arguments of :func:`capacity_cell` (all but ``rng``) over rule x N x load,
    the pseudo-inverse rule only at P < N; ``measurement`` holds the others (flip_fraction,
    n_trials, dynamics, max_sweeps, max_probes), the same at every point."""
    return [
        {"rule": rule, "n_units": n, "n_patterns": p, **measurement}
        for rule in rules
        for n in sizes
        for p in _loads(n, alphas)
        if not (rule == "pseudoinverse" and p >= n)
    ]


def run_tasks(
    task: Callable[..., dict[str, Any]],
    points: list[dict[str, Any]],
    executor: Executor | None,
    workers: int | None,
    failed: str = "",
    **options: Any,
) -> Any:
    """The :func:`energynets.sweep.sweep` of ``task`` (such as :func:`capacity_cell`) over
    ``points``, with a progress bar, on ``executor`` or else ``workers`` local processes
    (``options``: its other keyword arguments). A task that failed, or a pool that broke, is
    a ValueError with the sweep's message followed by ``failed``: one line in the command."""
    from energynets.sweep import sweep

    local = None if executor is not None else workers
    try:
        return sweep(task, points, executor=executor, workers=local, progress=True, **options)
    except RuntimeError as exc:
        raise ValueError(f"{exc}{failed}") from None


def run_capacity_parallel(
    executor: Executor | None,
    workers: int | None,
    settings: dict[str, Any],
    seed: int,
    *,
    dynamics: str = "async",
    max_sweeps: int = 50,
) -> Any:
    """:func:`run_capacity` with one task per (rule, load), on ``executor`` or ``workers``
    local processes (``settings``: the keyword arguments of run_capacity but ``rng``,
    ``dynamics`` and ``max_sweeps``); the same :class:`CapacityResult` as the serial run
    with ``rng=seed``."""
    from energynets.experiments.capacity import CapacityResult, check_alphas

    n_units, flip, n_trials = settings["n_units"], settings["flip_fraction"], settings["n_trials"]
    measurement = {
        "flip_fraction": flip,
        "n_trials": n_trials,
        "dynamics": dynamics,
        "max_sweeps": max_sweeps,
        "max_probes": settings["max_probes"],
    }
    points = capacity_points(settings["rules"], [n_units], settings["alphas"], **measurement)
    result = run_tasks(capacity_cell, points, executor, workers, seeds=[seed])
    serial = {  # the settings of run_capacity's result, in its order
        "n_units": n_units,
        "flip_fraction": flip,
        "dynamics": dynamics,
        "max_sweeps": max_sweeps,
        "n_trials": n_trials,
        "max_probes": settings["max_probes"],
        "rules": list(settings["rules"]),
        "alphas": check_alphas(settings["alphas"]).tolist(),
        "rng": seed,
    }
    return CapacityResult(records=[r["result"] for r in result.records], settings=serial)
