"""``energynets compare``: energy-based versus backprop learning, side by side, as a report.

Runs the experiments of :mod:`energynets.experiments.compare` (features, pretraining,
associative recall, filters, cost) on the nudged 8 x 8 digits embedded in the package, or on
MNIST when its files are present (``--dataset mnist``), and writes a Markdown report
(``report.md``: the settings, every table, the figures), one PNG per experiment
(``compare_<experiment>.png``) and everything measured (``report.json``). ``--quick`` runs
small versions of all of them (about 15 seconds on the digits); the settings of each mode are
those of :func:`energynets.cli._compare_presets.presets`.

``--experiments eqprop`` (not run by default) adds the three experiments of
:mod:`energynets.experiments.eqprop` as the sections ``eqprop_gdu`` (EP against BPTT step by
step, and its bias as beta -> 0), ``eqprop_backprop`` (EP against backprop on the same data
and batches; on MNIST the 784-500-10 network) and ``eqprop_chl`` (contrastive Hebbian
learning against EP and backprop), each with its figure ``compare_<section>.png``; their
settings are those of :func:`energynets.cli._compare_presets.eqprop_presets`.

The conventions are those of the other commands: the options and the data are checked before
the output folder is created, a mistake ends the command with one line
``energynets compare: error: <message>`` and exit status 2, and every file is written
atomically, ``report.md`` last, then all are published together with ``manifest.json``
(all of them or none: :class:`energynets.cli._output.Publication`) into an output folder
locked for the whole run.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from energynets.cli._args import add_data_home, add_limit, add_output, add_seed, command, names
from energynets.cli._compare_presets import EQPROP_SECTIONS, eqprop_presets, presets
from energynets.cli._data import load_mnist
from energynets.cli._output import (
    Publication,
    jsonable,
    output_folder,
    report,
    use_agg,
    wrap,
    write_json,
    write_text,
)

#: The experiments run by default, in report order.
EXPERIMENTS = ("features", "pretraining", "recall", "filters", "cost")
#: Equilibrium propagation against BPTT, backprop and CHL: run when asked for, after the others,
#: as three sections of the report (EQPROP_SECTIONS).
EQPROP = "eqprop"
#: Every name --experiments takes.
CHOICES = (*EXPERIMENTS, EQPROP)
COMPARE_DATASETS = ("digits", "mnist")
DEFAULT_OUTPUT = "energynets-compare"

#: What each section of the report says before its table.
INTRODUCTIONS = {
    "features": (
        "Softmax regression minimised to convergence by L-BFGS on the raw pixels and on the "
        "hidden probabilities p(h = 1 | v) of an RBM trained without labels by contrastive "
        "divergence, and an MLP trained end to end by backprop, on the same rows, with the "
        "settings of scikit-learn's RBM-features example. If the RBM learned useful features, "
        "the second row beats the first; the MLP, whose hidden layer is learned for the task, "
        "is the yardstick."
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
    "eqprop_gdu": (
        "Does equilibrium propagation compute the gradient? On random layered energy "
        "networks in the prototypical setting (dt = 1), the increments of EP in its nudged "
        "phase against the gradients of backprop through time, step by step and layer by "
        "layer (the GDU property of Ernoult et al. 2019), and the distance of EP's total "
        "update from the exact gradient (recurrent backprop) as beta goes from 1e-1 to "
        "1e-3: one-sided nudging should fall with slope 1, symmetric nudging with slope 2."
    ),
    "eqprop_backprop": (
        "Equilibrium propagation against backprop on the same architecture, data, "
        "mini-batches (in the same order: equal batch_order digests), epochs and seeds: an "
        "energy network trained only by relaxing and by local Hebbian differences, and an "
        "MLP of the same shape (sigmoid hidden units, softmax output) trained by backprop, "
        "both by plain SGD."
    ),
    "eqprop_chl": (
        "Contrastive Hebbian learning (output clamped to the target) against equilibrium "
        "propagation (output nudged) and recurrent backprop (the exact gradient) on the same "
        "networks, remembering random associations. CHL follows the gradient of no loss: "
        "the table counts the runs whose loss rose above their best and whose free phase "
        "stopped settling, and gives the cosine of each rule's update with the gradient."
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
        type=names("experiment", CHOICES),
        default=list(EXPERIMENTS),
        metavar="NAME[,NAME...]",
        help=(
            f"which experiments to run, of {','.join(CHOICES)} (default: {','.join(EXPERIMENTS)})"
        ),
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


class _Run(NamedTuple):
    """What every experiment of one ``energynets compare`` run gets: the data arguments, the
    image shape arguments, the seed, and the results of the experiments before it."""

    data: dict[str, Any]
    image: dict[str, Any]
    seed: int
    results: dict[str, Any]


def _features(run: _Run, kwargs: dict[str, Any]) -> Any:
    from energynets.experiments import compare

    return compare.features_experiment(**run.data, **run.image, **kwargs, rng=run.seed)


def _pretraining(run: _Run, kwargs: dict[str, Any]) -> Any:
    from energynets.experiments import compare

    return compare.pretraining_experiment(**run.data, **kwargs, rng=run.seed, progress=True)


def _recall(run: _Run, kwargs: dict[str, Any]) -> Any:
    from energynets.experiments import compare

    return compare.recall_experiment(**kwargs, rng=run.seed)


def _filters(run: _Run, kwargs: dict[str, Any]) -> Any:
    from energynets.experiments import compare

    if "features" in run.results:  # the models of the features experiment
        feats = run.results["features"]
        result = compare.filters_experiment(
            image_shape=feats.image_shape,
            rbm=feats.rbm,
            mlp=feats.mlp,
            rng=run.seed,
        )
        result.settings["data"] = feats.settings["data"]
        result.settings["rbm"] = "the features experiment's RBM"
        result.settings["mlp"] = "the features experiment's MLP"
        return result
    shape = run.image.get("image_shape")
    return compare.filters_experiment(
        run.data.get("X"), run.data.get("y"), image_shape=shape, **kwargs, rng=run.seed
    )


def _cost(run: _Run, kwargs: dict[str, Any]) -> Any:
    from energynets.experiments import compare

    return compare.cost_experiment(**run.data, **kwargs, rng=run.seed)


def _eqprop_gdu(run: _Run, kwargs: dict[str, Any]) -> Any:
    from energynets.experiments import eqprop

    return eqprop.gdu_experiment(**kwargs, rng=run.seed)


def _eqprop_backprop(run: _Run, kwargs: dict[str, Any]) -> Any:
    from energynets.experiments import eqprop

    return eqprop.backprop_experiment(**run.data, **kwargs, rng=run.seed, progress=True)


def _eqprop_chl(run: _Run, kwargs: dict[str, Any]) -> Any:
    from energynets.experiments import eqprop

    return eqprop.chl_experiment(**kwargs, rng=run.seed, progress=True)


#: Each section of the report and the function that runs it with its preset arguments.
_RUNNERS = {
    "features": _features,
    "pretraining": _pretraining,
    "recall": _recall,
    "filters": _filters,
    "cost": _cost,
    "eqprop_gdu": _eqprop_gdu,
    "eqprop_backprop": _eqprop_backprop,
    "eqprop_chl": _eqprop_chl,
}


def sections(chosen: list[str]) -> list[str]:
    """The sections of the report for the experiments chosen, in report order (eqprop: its
    three sections, last)."""
    out = [name for name in EXPERIMENTS if name in chosen]
    return out + (list(EQPROP_SECTIONS) if EQPROP in chosen else [])


def run_experiments(
    chosen: list[str],
    data: dict[str, Any],
    dataset: str,
    quick: bool,
    seed: int,
) -> dict[str, Any]:
    """Run the named experiments (report order) and print each table; return the results."""
    kwargs = presets(dataset, quick)
    if EQPROP in chosen:
        kwargs.update(eqprop_presets(dataset, quick))
    image: dict[str, Any] = {"image_shape": (28, 28)} if dataset == "mnist" else {}
    results: dict[str, Any] = {}
    for name in sections(chosen):
        print(f"== {name} ==", flush=True)
        start = time.perf_counter()
        result = _RUNNERS[name](_Run(data, image, seed, results), kwargs[name])
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
        "eqprop_gdu": plotting.gdu_figure,
        "eqprop_backprop": plotting.eqprop_backprop_figure,
        "eqprop_chl": plotting.chl_figure,
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
    with output_folder(args.output) as folder:
        written = _compare(args, chosen, data, folder)
    report(written)
    return 0


def _compare(
    args: argparse.Namespace, chosen: list[str], data: dict[str, Any], folder: Path
) -> list[Path]:
    """Run the experiments ``chosen``, print their tables and publish the figures and the
    report in ``folder`` together (all of them or none); return the files published."""
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
    names = [f"compare_{name}.png" for name in sections(chosen)]
    publication = Publication(folder, "compare", names=[*names, "report.json", "report.md"])
    start = time.perf_counter()
    results = run_experiments(chosen, data, args.dataset, args.quick, args.seed)
    with publication as staging:
        written: list[Path] = []
        figures: dict[str, str] = {}
        for name, result in results.items():
            path = staging / f"compare_{name}.png"
            written.append(plotting.save_figure(_figure(name, result), path))
            figures[name] = path.name
        header = _header(args, chosen, data_name, time.perf_counter() - start)
        summary = {
            "command": "compare",
            "header": header,
            "results": {name: result.summary() for name, result in results.items()},
        }
        written.append(write_json(jsonable(summary), staging / "report.json"))
        markdown = report_markdown(results, header, figures)
        written.append(write_text(markdown, staging / "report.md"))
        return publication.publish(written)
