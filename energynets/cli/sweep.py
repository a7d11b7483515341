"""``energynets sweep``: the Hopfield capacity phase diagram, as tasks at scale.

``energynets sweep capacity`` measures every learning rule at every network size N and load
alpha = P / N, with ``--seeds`` independent pattern sets per point, as one
:func:`energynets.sweep.sweep` of :func:`energynets.cli._cluster.capacity_cell` tasks on
local processes (``--workers N``) or on a Dask cluster (``--scheduler ADDRESS``). Each
finished task is appended to ``capacity_sweep.jsonl`` in the output folder as it finishes, so
the same command run again after an interruption skips the finished points. At the end it
writes the mean over seeds as a Markdown table (``capacity_phase_diagram.md``) and a picture
(``capacity_phase_diagram.png``: the fraction of noisy probes recalled exactly, one panel per
rule, N against alpha).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from energynets.cli._args import (
    add_count,
    add_load_options,
    add_output,
    comma_separated,
    command,
    seed_number,
    size_in_range,
)
from energynets.cli._cluster import (
    add_cluster_options,
    capacity_cell,
    capacity_points,
    check_cluster_options,
    cluster_executor,
    run_tasks,
)
from energynets.cli._output import output_folder, report, use_agg, write_text

EXPERIMENTS = ("capacity",)
RESULTS_NAME = "capacity_sweep.jsonl"
#: The measured columns of a capacity cell (energynets.experiments.capacity.COLUMNS after
#: the settings), averaged over seeds in the phase diagram's table.
MEASURED = ("one_step_error", "fraction_fixed", "fraction_recalled", "error_after_relax")

HELP = "a parameter sweep on local processes or a Dask cluster (capacity phase diagram)"
DESCRIPTION = (
    "Measure the capacity phase diagram of the Hopfield learning rules: every rule "
    "at every size N and load alpha = P / N, --seeds independent pattern sets each, "
    "as tasks on local processes or a Dask cluster. Each finished task is appended to "
    f"{RESULTS_NAME} in the output folder, so running the same command again after "
    "an interruption skips the finished points. Writes the mean over seeds as "
    "capacity_phase_diagram.md and capacity_phase_diagram.png (the fraction of "
    "noisy probes recalled exactly, N against alpha, one panel per rule)."
)


def _size(item: str) -> int:
    return size_in_range(int(item), "sizes", 2)


def _sizes(text: str) -> list[int]:
    return sorted(set(comma_separated(text, "sizes", _size, "integers", "100,200,400")))


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``sweep`` to the subcommands ``subparsers``; return its parser."""
    p = command(subparsers, "sweep", HELP, DESCRIPTION)
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
    add_count(
        p, "--seeds", "S", "independent pattern sets per point (default: %(default)s)", default=3
    )
    p.add_argument(
        "--seed",
        type=seed_number,
        default=0,
        help="root seed from which every task's seed is spawned (default: %(default)s)",
    )
    add_count(
        p,
        "--max-probes",
        "K",
        "probe at most K stored patterns per point (default: %(default)s)",
        default=50,
    )
    add_count(
        p,
        "--max-sweeps",
        "N",
        "upper bound on the sweeps of the recall dynamics (default: %(default)s)",
        default=50,
    )
    add_cluster_options(p)
    add_output(p)
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
    rule only at P < N), for :func:`~energynets.cli._cluster.capacity_cell`."""
    return capacity_points(
        rules,
        sizes,
        alphas,
        flip_fraction=flip_fraction,
        n_trials=1,
        dynamics="async",
        max_sweeps=max_sweeps,
        max_probes=max_probes,
    )


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


def run(args: argparse.Namespace) -> int:
    """Run ``energynets sweep``; return the exit status."""
    check_cluster_options(args)
    points = phase_diagram_points(
        args.rules,
        args.n_units,
        args.alphas,
        flip_fraction=args.flip_fraction,
        max_probes=args.max_probes,
        max_sweeps=args.max_sweeps,
    )
    with output_folder(args.output) as folder:
        return _sweep(args, points, folder)


def _sweep(args: argparse.Namespace, points: list[dict[str, Any]], folder: Path) -> int:
    """Run the tasks of ``points``, appending to the results file of ``folder``; write the
    table and the figure there."""
    from energynets import plotting

    with cluster_executor(args.scheduler, args.workers) as executor:
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
        failed = f" (the finished tasks are in {results}; rerun the command to resume)"
        try:
            result = run_tasks(
                capacity_cell,
                points,
                executor,
                args.workers,
                failed,
                seeds=args.seeds,
                rng=args.seed,
                results=results,
            )
        except KeyboardInterrupt:
            print(
                f"The finished tasks are in {results}; run the same command again to resume.",
                file=sys.stderr,
            )
            raise
    if result.n_resumed:
        print(f"Resumed: {result.n_resumed} tasks read back, {result.n_computed} computed.")
    table = mean_over_seeds([r["result"] for r in result.records])
    text = _markdown(table)
    print(text)
    use_agg()
    written = [results, write_text(text, folder / "capacity_phase_diagram.md")]
    fig = phase_diagram_figure(table)
    written.append(plotting.save_figure(fig, folder / "capacity_phase_diagram.png"))
    report(written)
    return 0
