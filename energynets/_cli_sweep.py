"""``energynets sweep`` and the ``--workers`` / ``--scheduler`` options: experiments at scale.

``energynets sweep capacity`` measures the Hopfield capacity phase diagram: every learning
rule at every network size N and load alpha = P / N, with ``--seeds`` independent pattern sets
per point, as one :func:`energynets.sweep.sweep` whose tasks run on local processes
(``--workers N``) or on a Dask cluster (``--scheduler ADDRESS``, the address of a running
``dask scheduler``; needs ``pip install 'energynets[dask]'``). Each finished task is appended
to ``capacity_sweep.jsonl`` in the output folder as it finishes, so the same command run again
after an interruption skips the finished points. At the end it writes the mean over seeds as
a Markdown table (``capacity_phase_diagram.md``) and a picture (``capacity_phase_diagram.png``:
the fraction of noisy probes recalled exactly, one panel per rule, N against alpha).

``energynets capacity --workers N`` (or ``--scheduler``) splits the capacity experiment into
one task per rule and load; every task uses the command's ``--seed``, and a measurement of
:func:`~energynets.experiments.capacity.run_capacity` does not depend on the other rules and
loads, so the table is exactly that of the serial command.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np

from energynets.cli import (
    MAX_COUNT,
    _add_output,
    _int_at_least,
    _output_folder,
    _report,
    _seed,
    _use_agg,
    add_load_options,
)

__all__ = [
    "add_cluster_options",
    "add_sweep_parser",
    "capacity_cell",
    "cluster_executor",
    "run_capacity_parallel",
    "sweep_command",
]

EXPERIMENTS = ("capacity",)
RESULTS_NAME = "capacity_sweep.jsonl"
#: The measured columns of a capacity cell (energynets.experiments.capacity.COLUMNS after
#: the settings), averaged over seeds in the phase diagram's table.
MEASURED = ("one_step_error", "fraction_fixed", "fraction_recalled", "error_after_relax")


def _sizes(text: str) -> list[int]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise argparse.ArgumentTypeError(f"expected comma-separated sizes, got {text!r}")
    values = []
    for item in items:
        try:
            value = int(item)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated integers such as 100,200,400, got {item!r}"
            ) from None
        if value < 2:
            raise argparse.ArgumentTypeError(f"sizes must be >= 2, got {value}")
        if value > MAX_COUNT:
            raise argparse.ArgumentTypeError(f"sizes must be <= {MAX_COUNT}, got {value}")
        values.append(value)
    return sorted(set(values))


#: A Dask scheduler's address: [protocol://]host:port, the host a name, an IPv4 address or an
#: IPv6 address in brackets.
_ADDRESS = re.compile(r"(?:[a-z][a-z0-9+.-]*://)?(?:\[[0-9a-fA-F:.]+\]|[^\s:/\[\]]+):(\d{1,5})")


def _address(text: str) -> str:
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
    p.add_argument(
        "--workers",
        type=_int_at_least(1),
        default=None,
        metavar="N",
        help="run the tasks on N local processes (default: one process for capacity, all "
        "cores for sweep)",
    )
    p.add_argument(
        "--scheduler",
        type=_address,
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
        yield client.get_executor()
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
    from energynets.experiments.capacity import _check_alphas

    return sorted({max(1, round(float(a) * n_units)) for a in _check_alphas(alphas)})


def run_capacity_parallel(
    executor: Executor | None,
    workers: int | None,
    *,
    n_units: int,
    alphas: list[float] | None,
    rules: list[str],
    flip_fraction: float,
    n_trials: int,
    max_probes: int | None,
    seed: int,
    dynamics: str = "async",
    max_sweeps: int = 50,
) -> Any:
    """:func:`run_capacity` with one task per (rule, load), on ``executor`` or ``workers``
    local processes; the same :class:`CapacityResult` as the serial run with ``rng=seed``."""
    from energynets.experiments.capacity import CapacityResult, _check_alphas
    from energynets.sweep import sweep

    points = [
        {
            "rule": rule,
            "n_units": n_units,
            "n_patterns": p,
            "flip_fraction": flip_fraction,
            "n_trials": n_trials,
            "dynamics": dynamics,
            "max_sweeps": max_sweeps,
            "max_probes": max_probes,
        }
        for rule in rules
        for p in _loads(n_units, alphas)
        if not (rule == "pseudoinverse" and p >= n_units)
    ]
    try:
        result = sweep(
            capacity_cell, points, seeds=[seed], executor=executor, workers=workers, progress=True
        )
    except RuntimeError as exc:  # a task failed, or the pool broke: one line in the command
        raise ValueError(str(exc)) from None
    settings = {
        "n_units": n_units,
        "flip_fraction": flip_fraction,
        "dynamics": dynamics,
        "max_sweeps": max_sweeps,
        "n_trials": n_trials,
        "max_probes": max_probes,
        "rules": list(rules),
        "alphas": _check_alphas(alphas).tolist(),
        "rng": seed,
    }
    return CapacityResult(records=[r["result"] for r in result.records], settings=settings)


# -- energynets sweep --------------------------------------------------------------------------


def add_sweep_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``sweep`` subcommand to the subparsers ``sub``; return its parser."""
    p = sub.add_parser(
        "sweep",
        help="a parameter sweep on local processes or a Dask cluster (capacity phase diagram)",
        description=(
            "Measure the capacity phase diagram of the Hopfield learning rules: every rule "
            "at every size N and load alpha = P / N, --seeds independent pattern sets each, "
            "as tasks on local processes or a Dask cluster. Each finished task is appended to "
            f"{RESULTS_NAME} in the output folder, so running the same command again after "
            "an interruption skips the finished points. Writes the mean over seeds as "
            "capacity_phase_diagram.md and capacity_phase_diagram.png (the fraction of "
            "noisy probes recalled exactly, N against alpha, one panel per rule)."
        ),
    )
    p.add_argument(
        "experiment",
        nargs="?",
        choices=EXPERIMENTS,
        default="capacity",
        metavar="EXPERIMENT",
        help=f"what to sweep, one of: {', '.join(EXPERIMENTS)} (default: %(default)s)",
    )
    p.add_argument(
        "--n-units",
        type=_sizes,
        default=[100, 200, 400],
        metavar="N,M,...",
        help="comma-separated network sizes (default: 100,200,400)",
    )
    add_load_options(p)
    p.add_argument(
        "--seeds",
        type=_int_at_least(1),
        default=3,
        metavar="S",
        help="independent pattern sets per point (default: %(default)s)",
    )
    p.add_argument(
        "--seed",
        type=_seed,
        default=0,
        help="root seed from which every task's seed is spawned (default: %(default)s)",
    )
    p.add_argument(
        "--max-probes",
        type=_int_at_least(1),
        default=50,
        metavar="K",
        help="probe at most K stored patterns per point (default: %(default)s)",
    )
    p.add_argument(
        "--max-sweeps",
        type=_int_at_least(1),
        default=50,
        metavar="N",
        help="upper bound on the sweeps of the recall dynamics (default: %(default)s)",
    )
    add_cluster_options(p)
    _add_output(p)
    return p


def phase_diagram_points(
    rules: Sequence[str],
    sizes: Sequence[int],
    alphas: Sequence[float] | None,
    *,
    flip_fraction: float = 0.1,
    max_probes: int | None = 50,
    max_sweeps: int = 50,
) -> list[dict[str, Any]]:
    """The grid points of the capacity phase diagram: rule x N x load (the pseudo-inverse
    rule only at P < N), for :func:`capacity_cell`."""
    return [
        {
            "rule": rule,
            "n_units": n,
            "n_patterns": p,
            "flip_fraction": flip_fraction,
            "n_trials": 1,
            "dynamics": "async",
            "max_sweeps": max_sweeps,
            "max_probes": max_probes,
        }
        for rule in rules
        for n in sizes
        for p in _loads(n, alphas)
        if not (rule == "pseudoinverse" and p >= n)
    ]


def mean_over_seeds(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a capacity sweep averaged over replicates, one per (rule, N, P), in order."""
    groups: dict[tuple[str, int, int], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["rule"], row["n_units"], row["n_patterns"]), []).append(row)
    table = []
    for (rule, n, p), members in groups.items():
        entry: dict[str, Any] = {"rule": rule, "n_units": n, "n_patterns": p, "alpha": p / n}
        for name in MEASURED:
            entry[name] = float(np.mean([m[name] for m in members]))
        entry["n_seeds"] = len(members)
        table.append(entry)
    return table


def _write_text(text: str, path: Path) -> Path:
    """Write ``text`` atomically (a temporary sibling, then os.replace)."""
    import secrets

    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _markdown(table: Sequence[dict[str, Any]]) -> str:
    names = list(table[0])
    lines = ["| " + " | ".join(names) + " |", "| :--- |" + " ---: |" * (len(names) - 1)]
    for entry in table:
        cells = [f"{v:.4g}" if isinstance(v, float) else str(v) for v in (entry[k] for k in names)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def phase_diagram_figure(table: Sequence[dict[str, Any]], column: str = "fraction_recalled") -> Any:
    """One panel per rule: ``column`` (mean over seeds) against alpha, one line per N, with
    the Hebbian critical load alpha_c = 0.138."""
    import matplotlib.pyplot as plt

    from energynets.experiments.capacity import ALPHA_C

    rules = list(dict.fromkeys(e["rule"] for e in table))
    sizes = sorted({e["n_units"] for e in table})
    fig, axes = plt.subplots(
        1, len(rules), figsize=(4.2 * len(rules), 3.6), sharey=True, squeeze=False
    )
    colours = plt.get_cmap("viridis")(np.linspace(0.1, 0.9, len(sizes)))
    for ax, rule in zip(axes[0], rules, strict=True):
        for n, colour in zip(sizes, colours, strict=True):
            rows = [e for e in table if e["rule"] == rule and e["n_units"] == n]
            ax.plot(
                [e["alpha"] for e in rows],
                [e[column] for e in rows],
                "o-",
                ms=3,
                color=colour,
                label=f"N = {n}",
            )
        ax.axvline(ALPHA_C, color="0.5", ls="--", lw=1)
        ax.set_title(rule)
        ax.set_xlabel("load α = P / N")
    axes[0, 0].set_ylabel(column.replace("_", " "))
    axes[0, -1].legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def sweep_command(args: argparse.Namespace) -> int:
    """Run ``energynets sweep``."""
    from energynets import plotting
    from energynets.sweep import sweep

    check_cluster_options(args)
    points = phase_diagram_points(
        args.rules,
        args.n_units,
        args.alphas,
        flip_fraction=args.flip_fraction,
        max_probes=args.max_probes,
        max_sweeps=args.max_sweeps,
    )
    with cluster_executor(args.scheduler, args.workers) as executor:
        folder = _output_folder(args.output)
        results = folder / RESULTS_NAME
        where = (
            f"the Dask cluster at {args.scheduler}"
            if executor is not None
            else f"{args.workers or os.cpu_count()} local process(es)"
        )
        print(
            f"Capacity phase diagram: {len(points)} points x {args.seeds} seeds on {where}; "
            f"results appended to {results}"
        )
        try:
            result = sweep(
                capacity_cell,
                points,
                seeds=args.seeds,
                rng=args.seed,
                executor=executor,
                workers=None if executor is not None else args.workers,
                results=results,
                progress=True,
            )
        except KeyboardInterrupt:
            print(
                f"The finished tasks are in {results}; run the same command again to resume.",
                file=sys.stderr,
            )
            raise
        except RuntimeError as exc:  # a task failed, or the pool broke: one line, status 2
            raise ValueError(
                f"{exc} (the finished tasks are in {results}; rerun the command to resume)"
            ) from None
    if result.n_resumed:
        print(f"Resumed: {result.n_resumed} tasks read back, {result.n_computed} computed.")
    table = mean_over_seeds([r["result"] for r in result.records])
    text = _markdown(table)
    print(text)
    _use_agg()
    written = [results, _write_text(text, folder / "capacity_phase_diagram.md")]
    fig = phase_diagram_figure(table)
    written.append(plotting.save_figure(fig, folder / "capacity_phase_diagram.png"))
    _report(written)
    return 0
