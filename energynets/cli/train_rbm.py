"""``energynets train-rbm``: train an RBM on bars-and-stripes, the digits or (Fashion-)MNIST.

Writes the model (rbm.npz, for ``energynets eval-rbm`` and :func:`energynets.io.load`), its
filters, Gibbs samples, learning curve and history.json
(:func:`energynets.cli._rbm_training.train_rbm_scene`). Ctrl-C keeps the model of the last
completed epoch and writes all its files from it (``history.json`` says
``"interrupted": true``, exit status 130); before the first epoch ends nothing is written.
With ``--checkpoint`` the whole training state is saved every ``--checkpoint-every`` epochs,
and ``--resume`` continues it bit-identically (:mod:`energynets.cli._checkpointing`), as does
the same command run again after a kill (a run that ended, its files unchanged, has nothing
left to do).

The ``--output`` folder is locked for the whole run, before the checkpoint options are
checked: a second run on it is refused, naming the first. The files are written into a
hidden folder and published together with ``manifest.json``, all of them or none, a
publication cut short completed by the next run (:class:`energynets.cli._output.Publication`).
"""

from __future__ import annotations

import argparse
import functools
from typing import Any

import numpy as np

from energynets.cli._args import (
    SCHEDULES,
    add_count,
    add_float32,
    add_output,
    add_seed,
    command,
    int_at_least,
    nonnegative,
    positive,
)
from energynets.cli._checkpointing import (
    add_checkpoint_options,
    checkpointing,
    finished_files,
    prepare_checkpoint,
    resume_advice,
)
from energynets.cli._data import (
    DATASETS,
    add_dataset_options,
    check_dataset_options,
    load_bits,
    rbm_streams,
)
from energynets.cli._output import MANIFEST_NAME, Publication, output_folder, report, wrap
from energynets.cli._rbm_training import RBM_PRESETS, bars_and_stripes_optimum, train_rbm_scene

# the negative phases of energynets.learning.contrastive.METHODS (not imported, likewise)
METHODS = ("cd", "pcd", "pt")
#: What train-rbm writes.
FILES = {
    "model": "rbm.npz",
    "filters": "filters.png",
    "samples": "samples.png",
    "curve": "learning_curve.png",
    "history": "history.json",
}
#: The settings taken from their options as given (the others: the data set's presets), in
#: the order of history.json (bars-and-stripes is bits: its --binarize stays None).
_AS_GIVEN = (
    "dataset", "size", "binarize", "limit", "k", "centering", "replicas", "float32", "seed",
)  # fmt: skip
_PER_DATA_SET = "(default: per data set, see below)"
_HINTON = "a number in [0, 1), or hinton: 0.5 for 5 epochs, then 0.9"

HELP = "train an RBM on bars-and-stripes, digits or MNIST; filters, samples, curves"
DESCRIPTION = wrap(
    "Train a restricted Boltzmann machine with CD-k, persistent CD or parallel "
    "tempering and write the model (rbm.npz, for energynets eval-rbm and "
    "energynets.io.load), its receptive fields (filters.png), Gibbs chains run from "
    "noise (samples.png), the monitored quantities per epoch (learning_curve.png: the "
    "exact log-likelihood when the model is small enough to enumerate, else the "
    "pseudo-likelihood, reconstruction error and free energies, on training and "
    "validation data) and everything measured (history.json). Ctrl-C stops the "
    "training and saves the model and files of the last completed epoch "
    "(history.json then says interrupted: true); nothing is written when no epoch "
    "completed, and no file is ever half-written. With --checkpoint the whole "
    "training state is saved every --checkpoint-every epochs, and Ctrl-C prints the "
    "command that resumes from it (--resume): the resumed run ends bit-identical to "
    "one never interrupted."
)


def _momentum(text: str) -> float | str:
    if text.strip().lower() == "hinton":
        return "hinton"
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number in [0, 1) or 'hinton', got {text!r}"
        ) from None
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1) or 'hinton', got {text}")
    return value


def _presets_epilog() -> str:
    lines = ["defaults per data set:"]
    for dataset in DATASETS:
        preset = RBM_PRESETS[dataset]
        options = ", ".join(
            f"--{n.replace('_', '-')} {v}" for n, v in preset.items() if v is not None
        )
        lines.append(f"  {dataset}:")
        lines.append(wrap(options, indent="    "))
    return "\n".join(lines)


def _add_model_options(p: argparse.ArgumentParser) -> None:
    """--hidden, --method and -k."""
    add_count(p, "--hidden", "N", "hidden units (default: per data set, see below)")
    p.add_argument(
        "--method",
        choices=METHODS,
        default=None,
        help=(
            "negative phase: contrastive divergence from the batch, persistent chains, or "
            "persistent chains with parallel tempering (default: pcd)"
        ),
    )
    add_count(p, "-k", "K", "Gibbs steps per update (default: %(default)s)", default=1)


def _add_descent_options(p: argparse.ArgumentParser) -> None:
    """--epochs, --batch-size, --learning-rate, --momentum, --schedule, --weight-decay."""
    for option, kind, metavar, what in (
        ("--epochs", int_at_least(1), "E", "passes over the training data"),
        ("--batch-size", int_at_least(1), "B", "rows per gradient step"),
        ("--learning-rate", positive, "ETA", "step size of the first epoch"),
        ("--momentum", _momentum, "M", _HINTON),
    ):
        p.add_argument(
            option, type=kind, default=None, metavar=metavar, help=f"{what} {_PER_DATA_SET}"
        )
    p.add_argument(
        "--schedule",
        choices=SCHEDULES,
        default=None,
        help=f"factor on the learning rate along the epochs {_PER_DATA_SET}",
    )
    p.add_argument(
        "--weight-decay",
        type=nonnegative,
        default=None,
        metavar="L2",
        help=f"L2 penalty on the weights {_PER_DATA_SET}",
    )


def _add_sampler_options(p: argparse.ArgumentParser) -> None:
    """--centering, --chains, --replicas and --float32."""
    p.add_argument(
        "--centering",
        action="store_true",
        help="the centred gradient of Melchior, Fischer & Wiskott (2016)",
    )
    add_count(
        p,
        "--chains",
        "C",
        "persistent chains of pcd and pt (default: per data set, else the batch size)",
    )
    add_count(p, "--replicas", "R", "temperatures of the pt ladder (default: 10)", minimum=2)
    add_float32(p)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``train-rbm`` to the subcommands ``subparsers``; return its parser."""
    p = command(subparsers, "train-rbm", HELP, DESCRIPTION, raw=True, epilog=_presets_epilog())
    add_dataset_options(p, evaluate=False)
    _add_model_options(p)
    _add_descent_options(p)
    _add_sampler_options(p)
    add_checkpoint_options(p)
    add_seed(p)
    add_output(p)
    return p


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    """The training settings: the options given, the data set's presets for the others."""
    preset = RBM_PRESETS[args.dataset]
    settings = {
        name: preset[name] if getattr(args, name) is None else getattr(args, name)
        for name in preset
    }
    if args.chains is not None and settings["method"] == "cd":
        raise ValueError(
            "--chains applies to --method pcd and pt (CD runs one chain per row of the batch), "
            "got --method cd"
        )
    if args.replicas is not None and settings["method"] != "pt":
        raise ValueError(f"--replicas applies to --method pt, got --method {settings['method']}")
    if settings["method"] == "cd":
        settings["chains"] = None
    settings.update({name: getattr(args, name) for name in _AS_GIVEN})
    if args.dataset != "bars-and-stripes":
        settings["binarize"] = args.binarize or "stochastic"
    return settings


def run(args: argparse.Namespace) -> int:
    """Run ``energynets train-rbm``; return the exit status (130 when interrupted)."""
    check_dataset_options(args)
    settings = _settings(args)
    with output_folder(args.output) as folder:  # locked: the checks below hold till the end
        outputs = [*FILES.values(), MANIFEST_NAME]
        plan = checkpointing(args, add_parser, "fit_rbm", settings, outputs)
        if finished_files(plan, folder, FILES) is not None:  # a run over: it says so
            return 0
        streams = rbm_streams(args.seed)
        dtype = np.float32 if args.float32 else np.float64
        train = load_bits(args, "train", streams, dtype)
        valid = None
        optimum = None
        if args.dataset == "bars-and-stripes":
            optimum = bars_and_stripes_optimum(train)
        else:
            valid = load_bits(args, "test", streams, dtype)
        prepare_checkpoint(plan)
        advice = functools.partial(resume_advice, plan)
        publication = Publication(folder, "train-rbm", advice, list(FILES.values()))
        written, summary = train_rbm_scene(
            folder, train, valid, settings, FILES, optimum=optimum, plan=plan, publish=publication
        )
    report(written)
    return 130 if summary["interrupted"] else 0
