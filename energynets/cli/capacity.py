"""``energynets capacity``: the storage capacity of the learning rules against the load P / N.

Prints the table of :func:`energynets.experiments.capacity.run_capacity` and writes
capacity.png (:func:`energynets.cli._hopfield_scenes.capacity_scene`); with ``--workers`` or
``--scheduler`` the (rule, load) cells run as parallel tasks, with the same table.
"""

from __future__ import annotations

import argparse
from typing import Any

from energynets.cli._args import add_count, add_load_options, add_output, add_seed, command
from energynets.cli._cluster import add_cluster_options, check_cluster_options
from energynets.cli._hopfield_scenes import capacity_scene
from energynets.cli._output import output_folder, report

HELP = "storage capacity of the learning rules against the load P / N"
DESCRIPTION = (
    "Store random patterns at a range of loads alpha = P / N with each rule and "
    "measure the one-step bit error, the fraction of fixed points, recall from noisy "
    "probes and the error after relaxing. Prints the table and writes capacity.png, "
    "with the Hebbian theory and the McEliece, Storkey and alpha_c = 0.138 loads."
)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``capacity`` to the subcommands ``subparsers``; return its parser."""
    p = command(subparsers, "capacity", HELP, DESCRIPTION)
    add_count(
        p, "--n-units", "N", "number of units N (default: %(default)s)", minimum=2, default=200
    )
    add_load_options(p)
    add_count(
        p,
        "--trials",
        "T",
        "independent pattern sets to average over (default: %(default)s)",
        default=1,
    )
    add_count(
        p,
        "--max-probes",
        "K",
        "probe at most K stored patterns per load, to save time (default: all)",
    )
    add_seed(p)
    add_output(p)
    add_cluster_options(p)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``energynets capacity``; return the exit status."""
    check_cluster_options(args)
    with output_folder(args.output) as folder:
        written = capacity_scene(
            folder,
            n_units=args.n_units,
            alphas=args.alphas,
            rules=args.rules,
            flip_fraction=args.flip_fraction,
            n_trials=args.trials,
            max_probes=args.max_probes,
            seed=args.seed,
            workers=args.workers,
            scheduler=args.scheduler,
        )
    report(written)
    return 0
