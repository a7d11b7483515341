"""``energynets compare``: energy-based versus backprop learning, side by side, as a report.

Runs the experiments of :mod:`energynets.experiments.compare` (features, pretraining,
associative recall, filters, cost) on the nudged 8 x 8 digits embedded in the package, or on
MNIST when its files are present (``--dataset mnist``), and writes a Markdown report
(``report.md``: the settings, every table, the figures), one PNG per experiment
(``compare_<experiment>.png``) and everything measured (``report.json``). ``--quick`` runs
small versions of all of them (about 15 seconds on the digits); the settings of each mode are
those of :func:`energynets.cli._compare_presets.presets`.

The conventions are those of the other commands: the options and the data are checked before
the output folder is created, a mistake ends the command with one line
``energynets compare: error: <message>`` and exit status 2, and every file is written
atomically, ``report.md`` last.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

from energynets.cli._args import add_data_home, add_limit, add_output, add_seed, command, names
from energynets.cli._compare_presets import presets
from energynets.cli._data import load_mnist
from energynets.cli._output import (
    jsonable,
    output_folder,
    report,
    use_agg,
    wrap,
    write_json,
    write_text,
)

#: The experiments, in report order.
EXPERIMENTS = ("features", "pretraining", "recall", "filters", "cost")
COMPARE_DATASETS = ("digits", "mnist")
DEFAULT_OUTPUT = "energynets-compare"

#: What each section of the report says before its table.
INTRODUCTIONS = {
    "features": (
        "Softmax regression on the raw pixels, the same softmax regression on the hidden "
        "probabilities p(h = 1 | v) of an RBM trained without labels by contrastive "
        "divergence, and an MLP trained end to end by backprop, on the same rows and "
        "mini-batches. If the RBM learned useful features, the second row beats the first; "
        "the MLP, whose hidden layer is learned for the task, is the yardstick."
    ),
    "pretraining": (
        "A deep belief network pretrained greedily on all the training rows (no labels), "
        "turned into an MLP and fine-tuned on a few labelled rows, against the same MLP "
        "trained from random weights on the same rows and batches; mean and spread over "
        "seeds. Pretraining should pay where labels are scarce; the mean gain per number of "
        "labels (below the table) says whether it did."
    ),
    "recall": (
        "Associative memory: a Hopfield network (the patterns written into the weights in one "
        "step by a storage rule, recall by descending the energy) against a denoising "
        "autoencoder trained by backprop to map corrupted patterns to clean ones. The "
        "Hebbian network's capacity is about 0.138 N patterns; the autoencoder pays for its "
        "training in time. A probe counts as recalled only when every unit is right."
    ),
    "filters": (
        "What is learned: the RBM's filters (columns of its weights, learned to model the "
        "images) next to the first-layer weights of the MLP (learned to separate the "
        "classes). Smoothness is the mean correlation of the weights of neighbouring pixels; "
        "redundancy the mean |cosine| between two filters."
    ),
    "cost": (
        "The price of each: passes over the data and training seconds until the held-out "
        "accuracy first reaches the target, for the RBM + softmax-regression pipeline (RBM "
        "epochs included) and for the MLP."
    ),
}

HELP = "energy-based vs backprop learning, side by side; a Markdown report with figures"
DESCRIPTION = wrap(
    "Compare learning from an energy function with learning by backprop on the same "
    "data, batches, budget and seeds: softmax regression on raw pixels vs on RBM "
    "features vs an MLP (features); DBN-initialised vs randomly initialised networks "
    "as labels get scarce (pretraining); a Hopfield network vs a denoising autoencoder "
    "(recall); RBM filters vs first-layer MLP weights (filters); passes and seconds to "
    "reach an accuracy (cost). Writes report.md with the settings, tables and figures, "
    "one compare_<experiment>.png per experiment and report.json."
)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``compare`` to the subcommands ``subparsers``; return its parser."""
    p = command(subparsers, "compare", HELP, DESCRIPTION, raw=True)
    p.add_argument(
        "--dataset",
        choices=COMPARE_DATASETS,
        default="digits",
        help=(
            "the embedded 8 x 8 digits, nudged by one pixel in four directions as in "
            "scikit-learn's RBM-features example (8,985 images, 80/20 split), or MNIST from its "
            "IDX files (default: %(default)s)"
        ),
    )
    add_data_home(p, folders="mnist/")
    add_limit(p, "MNIST: use only the first N rows of each split (default: all)")
    p.add_argument(
        "--experiments",
        type=names("experiment", EXPERIMENTS),
        default=list(EXPERIMENTS),
        metavar="NAME[,NAME...]",
        help=f"which experiments to run (default: all of {','.join(EXPERIMENTS)})",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="small versions of every experiment (about 15 seconds on the digits)",
    )
    add_seed(p)
    add_output(p)
    p.set_defaults(output=DEFAULT_OUTPUT)
    return p


def _load(args: argparse.Namespace) -> dict[str, Any]:
    """The data arguments of the classification experiments (empty for the digits)."""
    if args.dataset == "digits":
        if args.limit is not None:
            raise ValueError("--limit applies to --dataset mnist (the digits are always whole)")
        if args.data_home is not None:
            raise ValueError(
                "--data-home applies to --dataset mnist (the digits are in the package)"
            )
        return {}
    X, y = load_mnist("mnist", "train", args.data_home)
    X_test, y_test = load_mnist("mnist", "test", args.data_home)
    if args.limit is not None:
        X, y, X_test, y_test = (
            X[: args.limit],
            y[: args.limit],
            X_test[: args.limit],
            y_test[: args.limit],
        )
    return {
        "X": X.astype(np.float64) / 255.0,
        "y": y.astype(np.int64),
        "X_test": X_test.astype(np.float64) / 255.0,
        "y_test": y_test.astype(np.int64),
    }


def _settings_lines(settings: dict[str, Any]) -> list[str]:
    out = []
    for key, value in jsonable(settings).items():
        out.append(f"`{key}` = {value}")
    return out


def run_experiments(
    chosen: list[str],
    data: dict[str, Any],
    dataset: str,
    quick: bool,
    seed: int,
) -> dict[str, Any]:
    """Run the named experiments (report order) and print each table; return the results."""
    from energynets.experiments import compare

    kwargs = presets(dataset, quick)
    image: dict[str, Any] = {"image_shape": (28, 28)} if dataset == "mnist" else {}
    results: dict[str, Any] = {}
    for name in EXPERIMENTS:
        if name not in chosen:
            continue
        print(f"== {name} ==", flush=True)
        start = time.perf_counter()
        result: Any
        if name == "features":
            result = compare.features_experiment(**data, **image, **kwargs[name], rng=seed)
        elif name == "pretraining":
            result = compare.pretraining_experiment(**data, **kwargs[name], rng=seed, progress=True)
        elif name == "recall":
            result = compare.recall_experiment(**kwargs[name], rng=seed)
        elif name == "filters":
            if "features" in results:  # the models of the features experiment
                feats = results["features"]
                result = compare.filters_experiment(
                    image_shape=feats.image_shape,
                    rbm=feats.rbm,
                    mlp=feats.mlp,
                    rng=seed,
                )
                result.settings["data"] = feats.settings["data"]
                result.settings["rbm"] = "the features experiment's RBM"
                result.settings["mlp"] = "the features experiment's MLP"
            else:
                shape = image.get("image_shape")
                result = compare.filters_experiment(
                    data.get("X"), data.get("y"), image_shape=shape, **kwargs[name], rng=seed
                )
        else:
            result = compare.cost_experiment(**data, **kwargs[name], rng=seed)
        print(result.to_text())
        print(f"({time.perf_counter() - start:.1f} s)\n", flush=True)
        results[name] = result
    return results


def _figure(name: str, result: Any) -> Any:
    from energynets import plotting

    draw = {
        "features": plotting.features_figure,
        "pretraining": plotting.pretraining_figure,
        "recall": plotting.recall_comparison_figure,
        "filters": plotting.filters_figure,
        "cost": plotting.cost_figure,
    }[name]
    return draw(result)


def report_markdown(
    results: dict[str, Any], header: dict[str, Any], figures: dict[str, str]
) -> str:
    """The Markdown report: settings, then per experiment its introduction, table, figure and
    settings."""
    lines = [
        "# energynets compare: energy-based versus backprop learning",
        "",
        "## Settings",
        "",
    ]
    lines += [f"- {key}: {value}" for key, value in header.items()]
    for k, (name, result) in enumerate(results.items(), start=1):
        lines += ["", f"## {k}. {name}", "", wrap(INTRODUCTIONS[name]), "", result.table()]
        if name in figures:
            lines += [f"![{name}]({figures[name]})", ""]
        lines += ["<details><summary>settings</summary>", ""]
        lines += [f"- {line}" for line in _settings_lines(result.settings)]
        lines += ["", "</details>"]
    return "\n".join(lines).rstrip() + "\n"


def _command(args: argparse.Namespace, chosen: list[str]) -> str:
    """The command line that repeats this run, for the report."""
    command = f"energynets compare --dataset {args.dataset} --seed {args.seed}"
    command += (" --quick" if args.quick else "") + (
        f" --limit {args.limit}" if args.limit is not None else ""
    )
    if chosen != list(EXPERIMENTS):
        command += f" --experiments {','.join(chosen)}"
    return command


def _header(
    args: argparse.Namespace, chosen: list[str], data_name: str, seconds: float
) -> dict[str, Any]:
    """The settings at the top of the report."""
    from energynets import __version__

    return {
        "command": _command(args, chosen),
        "data": data_name,
        "mode": "quick" if args.quick else "full",
        "seed": args.seed,
        "experiments": ", ".join(chosen),
        "energynets": __version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "seconds": f"{seconds:.1f}",
    }


def run(args: argparse.Namespace) -> int:
    """Run ``energynets compare`` (see the module docstring); return the exit status."""
    chosen = list(dict.fromkeys(args.experiments))
    data = _load(args)
    folder = output_folder(args.output)
    use_agg()
    from energynets import plotting

    mode = "quick" if args.quick else "full"
    data_name = (
        "nudged 8 x 8 digits (scikit-learn's RBM-features example)"
        if args.dataset == "digits"
        else f"MNIST ({len(data['X'])} training and {len(data['X_test'])} test rows, grey / 255)"
    )
    print(f"Comparing energy-based and backprop learning on {data_name}, {mode} mode, "
          f"seed {args.seed}: {', '.join(chosen)}.\n", flush=True)  # fmt: skip
    start = time.perf_counter()
    results = run_experiments(chosen, data, args.dataset, args.quick, args.seed)
    written: list[Path] = []
    figures: dict[str, str] = {}
    for name, result in results.items():
        path = folder / f"compare_{name}.png"
        written.append(plotting.save_figure(_figure(name, result), path))
        figures[name] = path.name
    header = _header(args, chosen, data_name, time.perf_counter() - start)
    summary = {
        "command": "compare",
        "header": header,
        "results": {name: result.summary() for name, result in results.items()},
    }
    written.append(write_json(jsonable(summary), folder / "report.json"))
    written.append(write_text(report_markdown(results, header, figures), folder / "report.md"))
    report(written)
    return 0
