"""``energynets compare``: energy-based versus backprop learning, side by side, as a report.

Runs the experiments of :mod:`energynets.experiments.compare` (features, pretraining,
associative recall, filters, cost) on the nudged 8 x 8 digits embedded in the package, or on
MNIST when its files are present (``--dataset mnist``), and writes a Markdown report
(``report.md``: the settings, every table, the figures), one PNG per experiment
(``compare_<experiment>.png``) and everything measured (``report.json``). ``--quick`` runs
small versions of all of them (about 15 seconds on the digits).

The conventions are those of the other commands (:mod:`energynets.cli`): the options and the
data are checked before the output folder is created, a mistake ends the command with one line
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

from energynets.cli import (
    _add_output,
    _add_seed,
    _folder_name,
    _int_at_least,
    _jsonable,
    _names,
    _output_folder,
    _report,
    _use_agg,
    _wrap,
    _write_json,
    _write_text,
)

__all__ = ["EXPERIMENTS", "add_compare_parser", "compare_command", "presets"]

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


def presets(dataset: str, quick: bool) -> dict[str, dict[str, Any]]:
    """The keyword arguments of each experiment function for a data set and mode.

    Parameters
    ----------
    dataset : {"digits", "mnist"}
    quick : bool
        Small versions of every experiment (seconds each on the digits).

    Returns
    -------
    dict of str to dict
        ``presets(...)["features"]`` etc., passed to the experiment functions.
    """
    if dataset == "digits":
        if quick:
            return {
                "features": {
                    "n_hidden": 100, "rbm_epochs": 10, "classifier_epochs": 10, "batch_size": 20,
                    "rbm_learning_rate": 0.1, "mlp_epochs": 20,
                },
                "pretraining": {
                    "hidden": (64,), "n_labels": (100, None), "seeds": (0, 1),
                    "pretrain_epochs": 10, "finetune_epochs": 5, "min_updates": 200,
                    "batch_size": 20,
                },
                "recall": {
                    "n_units": 64, "n_patterns": 5, "noise_levels": (0.0, 0.1, 0.2, 0.3),
                    "pattern_counts": (2, 5, 10, 20), "n_epochs": 20, "n_copies": 20,
                    "n_probes": 3,
                },
                "filters": {},
                "cost": {
                    "target_accuracy": 0.8, "n_hidden": 100, "checkpoints": (1, 10),
                    "classifier_epochs": 10, "mlp_epochs": 15, "batch_size": 20,
                },
            }  # fmt: skip
        return {
            "features": {},
            "pretraining": {"seeds": (0, 1, 2, 3, 4)},
            "recall": {},
            "filters": {},
            "cost": {},
        }
    # MNIST: grey levels / 255, the network sizes of the RBM and MLP chapters
    if quick:
        return {
            "features": {
                "n_hidden": 200, "rbm_epochs": 3, "rbm_learning_rate": 0.1,
                "classifier_epochs": 5, "classifier_learning_rate": 3e-3, "mlp_hidden": 200,
                "mlp_epochs": 8, "batch_size": 20,
            },
            "pretraining": {
                "hidden": (200, 200), "n_labels": (100, 1000), "seeds": (0, 1),
                "pretrain_epochs": 2, "pretrain_learning_rate": 0.05, "finetune_epochs": 10,
                "batch_size": 100, "learning_rate": 1e-3,
            },
            "recall": {
                "n_units": 64, "n_patterns": 5, "noise_levels": (0.0, 0.1, 0.2, 0.3),
                "pattern_counts": (2, 5, 10, 20), "n_epochs": 20, "n_copies": 20,
                "n_probes": 3,
            },
            "filters": {},
            "cost": {
                "target_accuracy": 0.9, "n_hidden": 200, "checkpoints": (1, 3),
                "rbm_learning_rate": 0.1, "classifier_epochs": 5,
                "classifier_learning_rate": 3e-3, "mlp_hidden": 200, "mlp_epochs": 8,
                "batch_size": 20,
            },
        }  # fmt: skip
    return {
        "features": {
            "n_hidden": 500, "rbm_epochs": 10, "rbm_learning_rate": 0.05,
            "classifier_epochs": 20, "classifier_learning_rate": 1e-3, "mlp_hidden": 500,
            "mlp_epochs": 30, "batch_size": 20,
        },
        "pretraining": {
            "hidden": (500, 500), "n_labels": (100, 1000, 10000, None),
            "seeds": (0, 1, 2, 3, 4), "pretrain_epochs": 10, "pretrain_learning_rate": 0.05,
            "finetune_epochs": 20, "batch_size": 100, "learning_rate": 1e-3,
        },
        "recall": {},
        "filters": {},
        "cost": {
            "target_accuracy": 0.95, "n_hidden": 500, "checkpoints": (1, 2, 5, 10),
            "rbm_learning_rate": 0.05, "classifier_epochs": 20, "classifier_learning_rate": 1e-3,
            "mlp_hidden": 500, "mlp_epochs": 20, "batch_size": 20,
        },
    }  # fmt: skip


def add_compare_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``compare`` subcommand to the subparsers ``sub``; return its parser."""
    p: argparse.ArgumentParser = sub.add_parser(
        "compare",
        help="energy-based vs backprop learning, side by side; a Markdown report with figures",
        description=_wrap(
            "Compare learning from an energy function with learning by backprop on the same "
            "data, batches, budget and seeds: softmax regression on raw pixels vs on RBM "
            "features vs an MLP (features); DBN-initialised vs randomly initialised networks "
            "as labels get scarce (pretraining); a Hopfield network vs a denoising autoencoder "
            "(recall); RBM filters vs first-layer MLP weights (filters); passes and seconds to "
            "reach an accuracy (cost). Writes report.md with the settings, tables and figures, "
            "one compare_<experiment>.png per experiment and report.json."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
    p.add_argument(
        "--data-home",
        metavar="DIR",
        type=_folder_name,
        default=None,
        help=(
            "folder holding mnist/ with the original *-ubyte.gz files (default: "
            "$ENERGYNETS_DATA, then the cache folder)"
        ),
    )
    p.add_argument(
        "--limit",
        type=_int_at_least(1),
        default=None,
        metavar="N",
        help="MNIST: use only the first N rows of each split (default: all)",
    )
    p.add_argument(
        "--experiments",
        type=_names("experiment", EXPERIMENTS),
        default=list(EXPERIMENTS),
        metavar="NAME[,NAME...]",
        help=f"which experiments to run (default: all of {','.join(EXPERIMENTS)})",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="small versions of every experiment (about 15 seconds on the digits)",
    )
    _add_seed(p)
    _add_output(p)
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
    from energynets import datasets

    try:
        X, y = datasets.load_mnist("train", data_home=args.data_home)
        X_test, y_test = datasets.load_mnist("test", data_home=args.data_home)
    except FileNotFoundError as exc:
        first = str(exc).split(". ")[0]
        raise FileNotFoundError(
            f"--dataset mnist: {first}. Put the original *-ubyte.gz files in a folder mnist/ "
            "and give the folder above it with --data-home or ENERGYNETS_DATA"
        ) from None
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
    for key, value in _jsonable(settings).items():
        out.append(f"`{key}` = {value}")
    return out


def run_experiments(
    names: list[str],
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
        if name not in names:
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
        lines += ["", f"## {k}. {name}", "", _wrap(INTRODUCTIONS[name]), "", result.table()]
        if name in figures:
            lines += [f"![{name}]({figures[name]})", ""]
        lines += ["<details><summary>settings</summary>", ""]
        lines += [f"- {line}" for line in _settings_lines(result.settings)]
        lines += ["", "</details>"]
    return "\n".join(lines).rstrip() + "\n"


def compare_command(args: argparse.Namespace) -> int:
    """Run ``energynets compare`` (see the module docstring); return the exit status."""
    from energynets import __version__

    names = list(dict.fromkeys(args.experiments))
    data = _load(args)
    folder = _output_folder(args.output)
    _use_agg()
    from energynets import plotting

    mode = "quick" if args.quick else "full"
    data_name = (
        "nudged 8 x 8 digits (scikit-learn's RBM-features example)"
        if args.dataset == "digits"
        else f"MNIST ({len(data['X'])} training and {len(data['X_test'])} test rows, grey / 255)"
    )
    print(f"Comparing energy-based and backprop learning on {data_name}, {mode} mode, "
          f"seed {args.seed}: {', '.join(names)}.\n", flush=True)  # fmt: skip
    start = time.perf_counter()
    results = run_experiments(names, data, args.dataset, args.quick, args.seed)
    written: list[Path] = []
    figures: dict[str, str] = {}
    for name, result in results.items():
        path = folder / f"compare_{name}.png"
        written.append(plotting.save_figure(_figure(name, result), path))
        figures[name] = path.name
    command = f"energynets compare --dataset {args.dataset} --seed {args.seed}"
    command += (" --quick" if args.quick else "") + (
        f" --limit {args.limit}" if args.limit is not None else ""
    )
    if names != list(EXPERIMENTS):
        command += f" --experiments {','.join(names)}"
    header = {
        "command": command,
        "data": data_name,
        "mode": mode,
        "seed": args.seed,
        "experiments": ", ".join(names),
        "energynets": __version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "seconds": f"{time.perf_counter() - start:.1f}",
    }
    summary = {
        "command": "compare",
        "header": header,
        "results": {name: result.summary() for name, result in results.items()},
    }
    written.append(_write_json(_jsonable(summary), folder / "report.json"))
    written.append(_write_text(report_markdown(results, header, figures), folder / "report.md"))
    _report(written)
    return 0
