"""The ``energynets`` command: pattern recall, capacity, sampling and RBMs from the shell.

``energynets demo`` writes a small gallery (recall of corrupted letters, an animation of the
energy falling, a capacity sweep, the 2D Ising transition, a sampler race on a spin glass and
an RBM learning bars-and-stripes); ``energynets recall``, ``energynets capacity`` and
``energynets sample`` run each scene with every setting exposed. ``energynets train-rbm``
trains an RBM on bars-and-stripes, the embedded digits or (Fashion-)MNIST and writes the
model, its filters, samples and learning curve; ``energynets eval-rbm`` measures a saved RBM's
log-likelihood, exactly or with AIS and reverse AIS. ``energynets train-mlp`` trains a
feedforward network by backpropagation (:mod:`energynets._cli_mlp`) and writes the model, its
learning curves, a confusion matrix and its first-layer weights. ``energynets compare`` sets
energy-based and backprop learning side by side on the same data (:mod:`energynets._cli_compare`)
and writes a Markdown report with tables and figures. ``python -m energynets`` is the same
command.

Ctrl-C during ``train-rbm`` keeps the model of the last completed epoch and writes all its
files from it (``history.json`` says ``"interrupted": true``, exit status 130); before the
first epoch ends nothing is written. Every file is written atomically (a temporary sibling,
then a rename), ``history.json`` last, so no file is ever half-written. With ``--checkpoint``
``train-rbm`` and ``train-mlp`` also write a checkpoint of the whole training state every
``--checkpoint-every`` epochs (:mod:`energynets._checkpoint`; the command's settings and the
exact curve travel in the trainer's history); after Ctrl-C they print the command that
resumes from it (``--resume``), which ends bit-identical to a run never interrupted.

Every command prints what it does and where it wrote its files. A mistake in the arguments, or
a ``ValueError``, ``TypeError`` or ``FileNotFoundError`` from the library, ends the command
with one line ``energynets <command>: error: <message>`` on stderr and exit status 2, never a
traceback. Pictures are drawn with matplotlib's Agg backend (no display needed) and written
atomically.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

import numpy as np

__all__ = ["build_parser", "main"]

#: Letters recalled by default: with the Hebbian rule these four glyphs are all fixed points and
#: are recalled exactly from 20% flipped pixels (checked over 100 seeds); longer words of
#: correlated glyphs (HOPFIELD) end in mixture states unless stored with the pseudo-inverse rule.
DEFAULT_LETTERS = "AIVX"
DEFAULT_OUTPUT = "energynets-output"
#: The checkpoint of train-rbm and train-mlp given --checkpoint without a path (in --output).
CHECKPOINT_NAME = "checkpoint.npz"
RULES = ("hebbian", "storkey", "pseudoinverse")
DYNAMICS = ("async", "sync")
# the sampling systems and samplers (energynets.experiments.sampling.SYSTEMS and SAMPLERS; not
# imported here so that the parser builds without loading the experiments)
SYSTEMS = ("ising", "sk", "ring")
SAMPLERS = ("gibbs", "metropolis", "checkerboard", "tempering")
# the RBM commands (energynets.learning.contrastive.METHODS and optim's schedules, likewise)
DATASETS = ("bars-and-stripes", "digits", "mnist", "fashion-mnist")
RBM_METHODS = ("cd", "pcd", "pt")
SCHEDULES = ("constant", "linear", "exponential")
BINARIZE = ("stochastic", "threshold")
ESTIMATORS = ("auto", "exact", "ais")

#: Training settings of ``energynets train-rbm`` that depend on the data set (each is the
#: default of its option). Bars-and-stripes 3 x 3: 600 epochs of PCD-1 with 50 chains reach
#: a mean log-likelihood of about -2.9 nats (optimum log(1/14) = -2.64) in about 2 s.
RBM_PRESETS: dict[str, dict[str, Any]] = {
    "bars-and-stripes": {
        "hidden": 16,
        "method": "pcd",
        "epochs": 600,
        "batch_size": 2,
        "learning_rate": 0.1,
        "momentum": 0.5,
        "schedule": "linear",
        "weight_decay": 0.0,
        "chains": 50,
    },
    "digits": {
        "hidden": 64,
        "method": "pcd",
        "epochs": 50,
        "batch_size": 20,
        "learning_rate": 0.05,
        "momentum": "hinton",
        "schedule": "linear",
        "weight_decay": 1e-4,
        "chains": None,
    },
    "mnist": {
        "hidden": 500,
        "method": "pcd",
        "epochs": 20,
        "batch_size": 100,
        "learning_rate": 0.05,
        "momentum": "hinton",
        "schedule": "linear",
        "weight_decay": 2e-4,
        "chains": None,
    },
}
RBM_PRESETS["fashion-mnist"] = RBM_PRESETS["mnist"]
#: Rows at the end of the embedded digits set that form its test split (the rest: training).
DIGITS_TEST_ROWS = 360


class _UsageError(Exception):
    """A bad command line; the message is the full one-line report."""


class _Parser(argparse.ArgumentParser):
    """An argparse parser whose errors are one line (no usage block) and exit status 2."""

    #: The subcommand parsers by name (top-level parser only).
    commands: dict[str, argparse.ArgumentParser]

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: error: {message}")


# -- argument types (their messages follow "argument --name: ") ------------------------------


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text}")
    return value


#: The largest count an option takes (the largest C int): a larger one is a mistake, would
#: overflow the libraries it reaches, or would run for ages.
MAX_COUNT = 2**31 - 1


def _int_at_least(minimum: int, maximum: int | None = MAX_COUNT) -> Any:
    """An argparse type for an integer in [minimum, maximum] (no upper bound: None)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {_clip(text)!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"expected an integer <= {maximum}, got {value}")
        return value

    parse.minimum = minimum  # type: ignore[attr-defined]  # read by the tests
    parse.maximum = maximum  # type: ignore[attr-defined]
    return parse


def _clip(text: str, width: int = 40) -> str:
    """``text`` cut to ``width`` characters (for error messages that quote what was given)."""
    return text if len(text) <= width else text[: width - 3] + "..."


#: Seeds: any integer >= 0 (numpy's SeedSequence takes integers of any size).
_seed = _int_at_least(0, maximum=None)


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}") from None
    if not (np.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text}")
    return value


def _positive_floats(
    what: str, example: str, maximum: float | None = None, why: str = ""
) -> Callable[[str], list[float]]:
    """An argparse type for comma-separated numbers > 0 (loads, temperatures), each at most
    ``maximum`` (``why``: the reason, for the message)."""

    def parse(text: str) -> list[float]:
        items = [t.strip() for t in text.split(",") if t.strip()]
        if not items:
            raise argparse.ArgumentTypeError(f"expected comma-separated {what}, got {text!r}")
        values = []
        for item in items:
            try:
                value = float(item)
            except ValueError:
                raise argparse.ArgumentTypeError(
                    f"expected comma-separated numbers such as {example}, got {item!r}"
                ) from None
            if not (np.isfinite(value) and value > 0):
                raise argparse.ArgumentTypeError(f"{what} must be > 0, got {item}")
            if maximum is not None and value > maximum:
                raise argparse.ArgumentTypeError(f"{what} must be <= {maximum:g}{why}, got {item}")
            values.append(value)
        return values

    return parse


def _names(what: str, choices: Sequence[str]) -> Callable[[str], list[str]]:
    """An argparse type for comma-separated names, each one of ``choices``."""

    def parse(text: str) -> list[str]:
        items = [t.strip() for t in text.split(",") if t.strip()]
        if not items:
            raise argparse.ArgumentTypeError(f"expected comma-separated {what}s, got {text!r}")
        for item in items:
            if item not in choices:
                raise argparse.ArgumentTypeError(
                    f"unknown {what} {item!r} (choose from {', '.join(choices)})"
                )
        return items

    return parse


def _nonnegative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}") from None
    if not (np.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text}")
    return value


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


_temperatures = _positive_floats("temperatures", "2.0,2.2,2.4")
_samplers = _names("sampler", SAMPLERS)
#: The largest load P / N of the capacity commands: far beyond any capacity (the Hebbian rule
#: stops recalling at 0.138), and P x N numbers must fit in memory.
MAX_LOAD = 10.0
_alphas = _positive_floats(
    "loads", "0.05,0.1,0.2", MAX_LOAD, " (far beyond the capacity of every rule)"
)
_rules = _names("rule", RULES)


def _letters(text: str) -> str:
    from energynets._glyphs import GLYPHS

    letters = text.upper()
    if not letters:
        raise argparse.ArgumentTypeError("expected at least one letter or digit")
    bad = sorted({c for c in letters if c not in GLYPHS})
    if bad:
        raise argparse.ArgumentTypeError(
            f"no glyph for {''.join(bad)!r} (the built-in glyphs are A-Z and 0-9)"
        )
    repeated = sorted({c for c in letters if letters.count(c) > 1})
    if repeated:
        raise argparse.ArgumentTypeError(
            f"each glyph can be stored once, got {''.join(repeated)!r} more than once"
        )
    return letters


# -- the parser -------------------------------------------------------------------------------


def _add_output(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--output",
        "-o",
        metavar="DIR",
        type=_folder_name,
        default=DEFAULT_OUTPUT,
        help="folder for the pictures, created if missing (default: %(default)s)",
    )


def _add_seed(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--seed",
        type=_seed,
        default=0,
        help="seed of all randomness; the same seed gives the same output (default: %(default)s)",
    )


def _add_recall_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--letters",
        type=_letters,
        default=DEFAULT_LETTERS,
        help=(
            "glyphs to store, from A-Z and 0-9 (default: %(default)s, which the Hebbian rule "
            "recalls well; glyphs are correlated, so for long words such as HOPFIELD use "
            "--rule pseudoinverse)"
        ),
    )
    p.add_argument(
        "--rule",
        choices=RULES,
        default="hebbian",
        help="learning rule that stores the glyphs (default: %(default)s)",
    )
    p.add_argument(
        "--dynamics",
        choices=DYNAMICS,
        default="async",
        help=(
            "recall dynamics: one unit at a time or all at once (default: %(default)s); the "
            "animation always shows the asynchronous dynamics"
        ),
    )
    p.add_argument(
        "--flip-fraction",
        type=_fraction,
        default=0.2,
        metavar="F",
        help="fraction of the pixels flipped in each probe (default: %(default)s)",
    )
    p.add_argument(
        "--max-sweeps",
        type=_int_at_least(1),
        default=100,
        metavar="N",
        help="upper bound on the sweeps of the dynamics (default: %(default)s)",
    )
    p.add_argument(
        "--animate",
        metavar="LETTER",
        default=None,
        help="which probe recall.gif shows (default: the first letter)",
    )


def _file_name(text: str) -> str:
    """An argparse type for a file path: any non-empty text."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"expected a file name, got {text!r}")
    return text


def _folder_name(text: str) -> str:
    """An argparse type for a folder path: any non-empty text."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"expected a folder name, got {text!r}")
    return text


def add_checkpoint_options(p: argparse.ArgumentParser) -> None:
    """--checkpoint, --checkpoint-every and --resume of the training commands."""
    p.add_argument(
        "--checkpoint",
        nargs="?",
        type=_file_name,
        const=True,
        default=None,
        metavar="PATH",
        help=(
            "write a checkpoint (model, optimiser state, persistent chains, random state, "
            "history) to PATH every --checkpoint-every epochs and after the last one, "
            "atomically, the one it replaces kept as PATH.prev; --checkpoint alone writes "
            f"{CHECKPOINT_NAME} in the --output folder (default: none; with --resume, the "
            "file resumed from). An existing PATH is only continued, with --resume"
        ),
    )
    p.add_argument(
        "--checkpoint-every",
        type=_int_at_least(1),
        default=None,
        metavar="K",
        help="epochs between checkpoints (default: 1)",
    )
    p.add_argument(
        "--resume",
        type=_file_name,
        default=None,
        metavar="PATH",
        help=(
            "continue the run saved in the checkpoint PATH, given the same options as that "
            "run (--epochs may grow with --schedule constant only); it ends bit-identical to "
            "a run never interrupted (default: start afresh)"
        ),
    )


def _add_data_home(p: argparse.ArgumentParser) -> None:
    """--data-home: where MNIST / Fashion-MNIST are read from."""
    p.add_argument(
        "--data-home",
        metavar="DIR",
        type=_folder_name,
        default=None,
        help=(
            "folder holding mnist/ or fashion-mnist/ with the original *-ubyte.gz files "
            "(default: $ENERGYNETS_DATA, then the cache folder)"
        ),
    )


def add_load_options(p: argparse.ArgumentParser) -> None:
    """--alphas, --rules and --flip-fraction: the options of a capacity measurement shared by
    ``capacity`` and ``sweep``."""
    p.add_argument(
        "--alphas",
        type=_alphas,
        default=None,
        metavar="A,B,...",
        help="comma-separated loads P / N (default: 13 loads from 0.02 to 0.5)",
    )
    p.add_argument(
        "--rules",
        type=_rules,
        default=list(RULES),
        metavar="R,S,...",
        help=f"comma-separated learning rules (default: {','.join(RULES)})",
    )
    p.add_argument(
        "--flip-fraction",
        type=_fraction,
        default=0.1,
        metavar="F",
        help="fraction of the bits flipped in each recall probe (default: %(default)s)",
    )


def build_parser() -> _Parser:
    """The ``energynets`` argument parser (``demo``, ``recall``, ``capacity``, ``sample``,
    ``train-rbm``, ``eval-rbm``, ``train-mlp``, ``compare``)."""
    from energynets import __version__

    parser = _Parser(
        prog="energynets",
        description=(
            "Hopfield networks and Boltzmann machines from explicit energy functions. "
            "Start with 'energynets demo'."
        ),
        epilog="Run 'energynets COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"energynets {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser(
        "demo",
        help="a tour in pictures: recall, capacity, Ising, samplers, RBMs, energy vs backprop",
        description=(
            "Store glyphs in a Hopfield network, corrupt them and recall them (recall.png, "
            "recall.gif, energy.png); store the similar letters of HOPFIELD with each "
            "learning rule and compare what they recall (rules.png); measure the storage "
            "capacity of the three rules on random patterns (capacity.png); sample the 2D "
            "Ising model across its transition (ising_scan.png) and race Gibbs sampling "
            "against parallel tempering on a spin glass (compare.png); train a restricted "
            "Boltzmann machine on 3 x 3 bars-and-stripes and follow its exact log-likelihood "
            "up to the optimum log(1/14) (rbm_learning_curve.png, rbm_filters.png, "
            "rbm_samples.png); store all 36 glyphs in classical, dense and modern memories "
            "(dense.png); classify digits from raw pixels, from RBM features and with an MLP "
            "trained by backprop (energy_vs_backprop.png). Takes well under a minute."
        ),
    )
    _add_seed(demo)
    demo.add_argument(
        "--n-units",
        type=_int_at_least(10),
        default=200,
        metavar="N",
        help="units of the capacity scene (default: %(default)s)",
    )
    _add_output(demo)

    recall = sub.add_parser(
        "recall",
        help="store glyphs, corrupt them, recall them; pictures and an overlap table",
        description=(
            "Store glyphs with a learning rule, flip a fraction of the pixels of each, and "
            "let the network relax at zero temperature. Prints each probe's overlap "
            "m = s . xi / N with its pattern before and after, and writes recall.png "
            "(stored / corrupted / recalled), recall.gif (one probe relaxing, its energy "
            "falling) and energy.png (energy and overlap along the dynamics)."
        ),
    )
    _add_recall_options(recall)
    _add_seed(recall)
    _add_output(recall)

    capacity = sub.add_parser(
        "capacity",
        help="storage capacity of the learning rules against the load P / N",
        description=(
            "Store random patterns at a range of loads alpha = P / N with each rule and "
            "measure the one-step bit error, the fraction of fixed points, recall from noisy "
            "probes and the error after relaxing. Prints the table and writes capacity.png, "
            "with the Hebbian theory and the McEliece, Storkey and alpha_c = 0.138 loads."
        ),
    )
    capacity.add_argument(
        "--n-units",
        type=_int_at_least(2),
        default=200,
        metavar="N",
        help="number of units N (default: %(default)s)",
    )
    add_load_options(capacity)
    capacity.add_argument(
        "--trials",
        type=_int_at_least(1),
        default=1,
        metavar="T",
        help="independent pattern sets to average over (default: %(default)s)",
    )
    capacity.add_argument(
        "--max-probes",
        type=_int_at_least(1),
        default=None,
        metavar="K",
        help="probe at most K stored patterns per load, to save time (default: all)",
    )
    _add_seed(capacity)
    _add_output(capacity)
    from energynets._cli_sweep import add_cluster_options

    add_cluster_options(capacity)

    sample = sub.add_parser(
        "sample",
        help="sample the Ising model, a spin glass or a frustrated ring; Ising scans; races",
        description=(
            "Run many chains of a sampler on a system at temperature T and print the energy "
            "and magnetisation statistics (mean, standard error, autocorrelation time, "
            "effective sample size, R-hat), with a chi-square test against the exact "
            "distribution for systems of at most 16 units; writes sample.png and sample.json. "
            "--scan measures the 2D Ising magnetisation and heat capacity against T next to "
            "Onsager's T_c = 2.269 (ising_scan.png, ising_scan.json); --compare gives several "
            "samplers the same budget on a hard system and shows which one mixes "
            "(compare.png, compare.json)."
        ),
    )
    sample.add_argument(
        "--system",
        choices=SYSTEMS,
        default=None,
        help=(
            "2D Ising model (periodic lattice, J = 1), Sherrington-Kirkpatrick spin glass, or "
            "antiferromagnetic ring (default: ising; sk with --compare)"
        ),
    )
    sample.add_argument(
        "--size",
        type=_int_at_least(2),
        default=None,
        metavar="N",
        help=(
            "lattice side for ising (default 16; 32 with --scan), number of spins for sk "
            "(default 64) and ring (default 9)"
        ),
    )
    sample.add_argument(
        "--sampler",
        choices=SAMPLERS,
        default=None,
        help="default: checkerboard for ising, gibbs otherwise",
    )
    sample.add_argument(
        "--temperature",
        type=_positive,
        default=None,
        metavar="T",
        help=(
            "temperature (default: ising 2.5, sk 0.5, ring 0.5; with --compare: ising 1.5, "
            "sk 0.25, ring 0.5)"
        ),
    )
    sample.add_argument(
        "--chains",
        type=_int_at_least(1),
        default=16,
        metavar="K",
        help="independent chains, run as one batch (default: %(default)s)",
    )
    sample.add_argument(
        "--sweeps",
        type=_int_at_least(2),
        default=None,
        metavar="S",
        help=(
            "sweeps per chain (per temperature with --scan; the budget in sweep-equivalents "
            "with --compare) (default: 1000; 2000 with --compare)"
        ),
    )
    sample.add_argument(
        "--burn-in",
        type=_int_at_least(0),
        default=None,
        metavar="B",
        help="sweeps left out of the statistics (default: a fifth of --sweeps)",
    )
    sample.add_argument(
        "--replicas",
        type=_int_at_least(2),
        default=None,
        metavar="R",
        help="rungs of the parallel-tempering ladder (default: 8)",
    )
    sample.add_argument(
        "--hottest",
        type=_positive,
        default=None,
        metavar="T",
        help="temperature of the hottest tempering rung (default: from the couplings)",
    )
    mode = sample.add_mutually_exclusive_group()
    mode.add_argument(
        "--scan",
        action="store_true",
        help="2D Ising magnetisation and heat capacity against temperature (system ising)",
    )
    mode.add_argument(
        "--compare",
        action="store_true",
        help="compare samplers on the same budget (see --samplers)",
    )
    sample.add_argument(
        "--temperatures",
        type=_temperatures,
        default=None,
        metavar="T1,T2,...",
        help="with --scan: the temperatures (default: 1.5, 1.6, ..., 3.0)",
    )
    sample.add_argument(
        "--samplers",
        type=_samplers,
        default=None,
        metavar="A,B,...",
        help="with --compare: the samplers to race (default: gibbs,tempering)",
    )
    _add_seed(sample)
    _add_output(sample)

    train = sub.add_parser(
        "train-rbm",
        help="train an RBM on bars-and-stripes, digits or MNIST; filters, samples, curves",
        description=_wrap(
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
        ),
        epilog=_presets_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_dataset_options(train, evaluate=False)
    train.add_argument(
        "--hidden",
        type=_int_at_least(1),
        default=None,
        metavar="N",
        help="hidden units (default: per data set, see below)",
    )
    train.add_argument(
        "--method",
        choices=RBM_METHODS,
        default=None,
        help=(
            "negative phase: contrastive divergence from the batch, persistent chains, or "
            "persistent chains with parallel tempering (default: pcd)"
        ),
    )
    train.add_argument(
        "-k",
        type=_int_at_least(1),
        default=1,
        metavar="K",
        help="Gibbs steps per update (default: %(default)s)",
    )
    per_data_set = "(default: per data set, see below)"
    train.add_argument(
        "--epochs",
        type=_int_at_least(1),
        default=None,
        metavar="E",
        help=f"passes over the training data {per_data_set}",
    )
    train.add_argument(
        "--batch-size",
        type=_int_at_least(1),
        default=None,
        metavar="B",
        help=f"rows per gradient step {per_data_set}",
    )
    train.add_argument(
        "--learning-rate",
        type=_positive,
        default=None,
        metavar="ETA",
        help=f"step size of the first epoch {per_data_set}",
    )
    train.add_argument(
        "--momentum",
        type=_momentum,
        default=None,
        metavar="M",
        help=f"a number in [0, 1), or hinton: 0.5 for 5 epochs, then 0.9 {per_data_set}",
    )
    train.add_argument(
        "--schedule",
        choices=SCHEDULES,
        default=None,
        help=f"factor on the learning rate along the epochs {per_data_set}",
    )
    train.add_argument(
        "--weight-decay",
        type=_nonnegative,
        default=None,
        metavar="L2",
        help=f"L2 penalty on the weights {per_data_set}",
    )
    train.add_argument(
        "--centering",
        action="store_true",
        help="the centred gradient of Melchior, Fischer & Wiskott (2016)",
    )
    train.add_argument(
        "--chains",
        type=_int_at_least(1),
        default=None,
        metavar="C",
        help="persistent chains of pcd and pt (default: per data set, else the batch size)",
    )
    train.add_argument(
        "--replicas",
        type=_int_at_least(2),
        default=None,
        metavar="R",
        help="temperatures of the pt ladder (default: 10)",
    )
    train.add_argument(
        "--float32",
        action="store_true",
        help="train and save in float32 (faster on large data; default float64)",
    )
    add_checkpoint_options(train)
    _add_seed(train)
    _add_output(train)

    evaluate = sub.add_parser(
        "eval-rbm",
        help="mean log-likelihood of data under a saved RBM: exact, or AIS and reverse AIS",
        description=(
            "Load an RBM saved by energynets train-rbm (or energynets.io.save) and print the "
            "mean log-likelihood of a data set. When the smaller layer has at most 25 units "
            "and enumerating it is quick, log Z is summed exactly; otherwise it is estimated "
            "by annealed importance sampling (AIS, which tends to overestimate the "
            "log-likelihood) and by reverse AIS from the data (which tends to underestimate "
            "it), with the protocol of Salakhutdinov & Murray (2008): base-rate model of the "
            "training split, 100 runs, 14,500 inverse temperatures. Each log Z comes with a "
            "+-3 standard error interval."
        ),
    )
    evaluate.add_argument(
        "model", metavar="MODEL", type=_file_name, help="the .npz file of the RBM"
    )
    _add_dataset_options(evaluate, evaluate=True)
    evaluate.add_argument(
        "--estimator",
        choices=ESTIMATORS,
        default="auto",
        help=(
            "exact enumeration, AIS with reverse AIS, or auto: exact when the smaller layer "
            "has at most 25 units and 2**n x (units of the other layer) <= 2**30 "
            "(default: %(default)s)"
        ),
    )
    evaluate.add_argument(
        "--runs",
        type=_int_at_least(2),
        default=100,
        metavar="M",
        help="runs of AIS and of reverse AIS (default: %(default)s)",
    )
    evaluate.add_argument(
        "--betas",
        type=_int_at_least(2),
        default=None,
        metavar="K",
        help=(
            "inverse temperatures of the AIS schedule, 0 and 1 included (default: the "
            "published 14,501; a number keeps its shape: 0-0.5-0.9-1 in the proportions "
            "500 : 4,000 : 10,000)"
        ),
    )
    evaluate.add_argument(
        "--json",
        action="store_true",
        help="print the results as one JSON object instead of text",
    )
    evaluate.add_argument(
        "--seed",
        type=_seed,
        default=0,
        help=(
            "seed of the stochastic binarisation and of AIS; give the seed of train-rbm to "
            "measure the very bits it trained and validated on (default: %(default)s)"
        ),
    )
    from energynets._cli_compare import add_compare_parser
    from energynets._cli_mlp import add_train_mlp_parser
    from energynets._cli_sweep import add_sweep_parser

    parser.commands = {
        "demo": demo,
        "recall": recall,
        "capacity": capacity,
        "sample": sample,
        "train-rbm": train,
        "eval-rbm": evaluate,
        "train-mlp": add_train_mlp_parser(sub),
        "compare": add_compare_parser(sub),
        "sweep": add_sweep_parser(sub),
    }
    return parser


def _presets_epilog() -> str:
    lines = ["defaults per data set:"]
    for dataset in DATASETS:
        preset = RBM_PRESETS[dataset]
        options = ", ".join(
            f"--{n.replace('_', '-')} {v}" for n, v in preset.items() if v is not None
        )
        lines.append(f"  {dataset}:")
        lines.append(_wrap(options, indent="    "))
    return "\n".join(lines)


def _wrap(text: str, indent: str = "") -> str:
    """``text`` filled to 78 columns (for parsers whose help text is printed as it is)."""
    import textwrap

    return textwrap.fill(text, 78, initial_indent=indent, subsequent_indent=indent)


def _add_dataset_options(p: argparse.ArgumentParser, *, evaluate: bool) -> None:
    p.add_argument(
        "--dataset",
        choices=DATASETS,
        default=None if evaluate else "bars-and-stripes",
        required=evaluate,
        help=(
            "all n x n bars-and-stripes patterns, the embedded 8 x 8 UCI digits (1,437 "
            "training and 360 test images), or MNIST / Fashion-MNIST from their IDX files"
            + ("" if evaluate else " (default: %(default)s)")
        ),
    )
    p.add_argument(
        "--size",
        type=_int_at_least(2),
        default=None,
        metavar="N",
        help=(
            "side of the bars-and-stripes images (default: "
            + ("the model's, sqrt(n_visible))" if evaluate else "3)")
        ),
    )
    if evaluate:
        p.add_argument(
            "--split",
            choices=("train", "test"),
            default="test",
            help=(
                "which part of digits / MNIST to measure (default: %(default)s; "
                "bars-and-stripes has one set)"
            ),
        )
    _add_data_home(p)
    p.add_argument(
        "--binarize",
        choices=BINARIZE,
        default=None,
        help=(
            "grey levels to bits for digits and MNIST: each pixel on with probability equal "
            "to its intensity (seeded by --seed, the convention of Salakhutdinov & Murray), "
            "or on above half intensity (default: stochastic)"
        ),
    )
    p.add_argument(
        "--limit",
        type=_int_at_least(1),
        default=None,
        metavar="N",
        help="use only the first N rows (of each split), for quick runs (default: all)",
    )


# -- the scenes -------------------------------------------------------------------------------


def _use_agg() -> None:
    import matplotlib

    matplotlib.use("Agg")


def _output_folder(name: str) -> Path:
    """The folder ``--output name``, created if missing; one-line errors naming --output."""
    folder = Path(name)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"--output {name!r} exists and is not a folder")
    for parent in folder.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ValueError(
                    f"--output {name!r} cannot be created: {os.fspath(parent)!r} is not a folder"
                )
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OSError(f"--output {name!r} cannot be created ({reason})") from None
    return folder


def _pad_rows(series: Sequence[np.ndarray]) -> np.ndarray:
    """Stack series of different lengths along axis 1, each held at its last row.

    ``series[k]`` has shape (n_rows_k, ...); the result (max n_rows_k, n_series, ...), the
    layout of :attr:`energynets.RecallResult.energies` and ``overlaps``.
    """
    n_rows = max(len(s) for s in series)
    out = np.empty((n_rows, len(series), *series[0].shape[1:]))
    for k, s in enumerate(series):
        out[: len(s), k] = s
        out[len(s) :, k] = s[-1]
    return out


def _animated_letter(args: argparse.Namespace) -> str:
    """The glyph of --animate (default: the first of --letters); one of --letters."""
    animate = args.letters[0] if args.animate is None else args.animate.upper()
    if len(animate) != 1 or animate not in args.letters:
        raise ValueError(
            f"--animate must be one of the stored letters {args.letters!r}, got {args.animate!r}"
        )
    return animate


def _recall_scene(args: argparse.Namespace, folder: Path) -> list[Path]:
    """Store, corrupt, recall; print the overlap table; write the three pictures."""
    _use_agg()
    from matplotlib.figure import Figure

    from energynets import datasets, plotting
    from energynets.models.hopfield import HopfieldNetwork
    from energynets.sampling.dynamics import trajectory
    from energynets.states import corrupt

    letters = args.letters
    animate = _animated_letter(args)
    patterns, labels = datasets.glyphs(letters)
    shape = datasets.glyph_shape()
    n_units = patterns.shape[1]
    gen = np.random.default_rng(args.seed)
    net = HopfieldNetwork.from_patterns(patterns, rule=args.rule)
    probes = corrupt(patterns, args.flip_fraction, rng=gen)
    n_flipped = round(args.flip_fraction * n_units)
    print(
        f"Storing {len(labels)} glyphs {letters} ({shape[0]} x {shape[1]} = {n_units} units) "
        f"with the {args.rule} rule; flipping {n_flipped} pixels of each "
        f"({args.flip_fraction:.0%}) and recalling with {args.dynamics} dynamics."
    )
    res = net.recall(probes, dynamics=args.dynamics, max_sweeps=args.max_sweeps, rng=gen)

    # the table: each probe against its own pattern, before and after
    m_before = np.sum(probes * patterns, axis=1) / n_units
    m_after = np.sum(res.states * patterns, axis=1) / n_units
    closest = np.argmax(res.states @ patterns.T / n_units, axis=1)
    exact = np.all(res.states == patterns, axis=1)
    header = f"{'glyph':>5}  {'m before':>8}  {'m after':>8}  {'sweeps':>6}  result"
    print()
    print(header)
    print("-" * (len(header) + 12))
    for k, label in enumerate(labels):
        if exact[k]:
            outcome = "recalled"
        elif res.cycled[k]:
            outcome = "2-cycle"
        elif closest[k] != k:
            outcome = f"wrong: closest to {labels[closest[k]]}"
        else:
            outcome = f"{int(np.sum(res.states[k] != patterns[k]))} pixels wrong"
        print(
            f"{label:>5}  {m_before[k]:8.3f}  {m_after[k]:8.3f}  {int(res.n_sweeps[k]):6d}  "
            f"{outcome}"
        )
    print(f"{int(exact.sum())} of {len(labels)} recalled exactly.")
    print()

    written = []
    fig = plotting.recall_figure(
        patterns,
        probes,
        res.states,
        shape,
        labels=labels,
        title=(
            f"{args.rule} rule, {args.flip_fraction:.0%} of the pixels flipped, "
            f"{'asynchronous' if args.dynamics == 'async' else 'synchronous'} dynamics"
        ),
    )
    written.append(plotting.save_figure(fig, folder / "recall.png"))

    # unit-by-unit asynchronous runs from the same probes, for the animation and energy.png
    runs = [
        trajectory(net, probes[k], max_sweeps=args.max_sweeps, record_every=1, rng=gen)
        for k in range(len(labels))
    ]
    fig = Figure(figsize=(10.0, 3.8), layout="constrained")
    ax_e, ax_m = fig.subplots(1, 2)
    if args.dynamics == "async":
        energies = _pad_rows([e for _, e in runs])
        overlaps = _pad_rows([f @ patterns.T / n_units for f, _ in runs])
        sweeps = np.arange(energies.shape[0]) / n_units
        plotting.energy_trace(energies, ax_e, labels=labels, sweeps=sweeps)
        ax_e.set_title("energy falls with every flip (asynchronous, unit by unit)")
        plotting.overlap_trace(overlaps, ax_m, labels=labels, sweeps=sweeps)
        ax_m.set_title("overlap with the stored patterns")
    else:
        plotting.energy_trace(res.energies, ax_e, labels=labels)
        ax_e.set_title("energy per synchronous step")
        if res.overlaps is not None:
            plotting.overlap_trace(res.overlaps, ax_m, labels=labels)
        ax_m.set_title("overlap with the stored patterns")
    written.append(plotting.save_figure(fig, folder / "energy.png"))

    k = letters.index(animate)
    frames, energies_k = runs[k]
    step = max(1, n_units // 32)  # about 32 frames per sweep
    keep = np.unique(np.append(np.arange(0, len(frames), step), len(frames) - 1))
    written.append(
        plotting.recall_animation(
            frames[keep],
            energies_k[keep],
            shape,
            folder / "recall.gif",
            pattern=patterns[k],
            times=keep / n_units,
            title=f"recalling {animate} from {args.flip_fraction:.0%} flipped pixels",
        )
    )
    return written


def _rules_scene(letters: str, flip_fraction: float, seed: int, folder: Path) -> list[Path]:
    """The same corrupted glyphs recalled by networks stored with each rule: rules.png."""
    _use_agg()
    from energynets import datasets, plotting
    from energynets.models.hopfield import HopfieldNetwork
    from energynets.states import corrupt

    patterns, labels = datasets.glyphs(letters)
    gen = np.random.default_rng(seed)
    probes = corrupt(patterns, flip_fraction, rng=gen)
    print(
        f"Storing the {len(labels)} correlated glyphs {letters} with each rule and recalling "
        f"them from {flip_fraction:.0%} flipped pixels:"
    )
    recalled = {}
    for rule in RULES:
        res = HopfieldNetwork.from_patterns(patterns, rule=rule).recall(probes, rng=gen)
        recalled[rule] = res.states
        n_exact = int(np.all(res.states == patterns, axis=1).sum())
        print(f"  {rule:<14} {n_exact} of {len(labels)} recalled exactly")
    fig = plotting.recall_figure(
        patterns,
        probes,
        recalled,
        datasets.glyph_shape(),
        labels=labels,
        title=f"the same probes ({flip_fraction:.0%} flipped) recalled by three learning rules",
    )
    return [plotting.save_figure(fig, folder / "rules.png")]


def _capacity_scene(
    folder: Path,
    *,
    n_units: int,
    alphas: list[float] | None,
    rules: list[str],
    flip_fraction: float,
    n_trials: int,
    max_probes: int | None,
    seed: int,
    workers: int | None = None,
    scheduler: str | None = None,
) -> list[Path]:
    """Run the capacity experiment, print its table, write capacity.png.

    With ``workers`` > 1 or a Dask ``scheduler`` address the (rule, load) cells run as tasks
    of :func:`energynets.sweep.sweep` (:mod:`energynets._cli_sweep`): the same table."""
    _use_agg()
    from energynets import plotting
    from energynets.experiments.capacity import run_capacity

    print(
        f"Capacity: N = {n_units} units, rules {', '.join(rules)}, {n_trials} trial(s), "
        f"{flip_fraction:.0%} of bits flipped in the recall probes."
    )
    settings: dict[str, Any] = {
        "n_units": n_units,
        "alphas": alphas,
        "rules": rules,
        "flip_fraction": flip_fraction,
        "n_trials": n_trials,
        "max_probes": max_probes,
    }
    if scheduler is not None or (workers is not None and workers > 1):
        from energynets._cli_sweep import cluster_executor, run_capacity_parallel

        with cluster_executor(scheduler, workers) as executor:
            local = None if executor is not None else workers
            result = run_capacity_parallel(executor, local, **settings, seed=seed)
    else:
        result = run_capacity(**settings, rng=seed, progress=True)
    print(result.to_text())
    fig = plotting.capacity_figure(result)
    return [plotting.save_figure(fig, folder / "capacity.png")]


def _write_json(data: Any, path: Path) -> Path:
    """Write ``data`` as indented JSON, atomically (a temporary sibling, then os.replace)."""
    import json

    return _write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", path)


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


def _scan_scene(
    folder: Path,
    *,
    side: int,
    temperatures: list[float] | None,
    n_sweeps: int,
    burn_in: int,
    n_chains: int,
    seed: int,
    write_json: bool,
) -> list[Path]:
    """Run the Ising temperature scan, print its table, write ising_scan.png (and .json)."""
    _use_agg()
    from energynets import plotting
    from energynets.experiments.sampling import ising_temperature_scan

    n_temps = "16" if temperatures is None else str(len(temperatures))
    print(
        f"2D Ising model on a {side} x {side} periodic lattice: {n_chains} chains x "
        f"{n_sweeps} checkerboard sweeps at each of {n_temps} temperatures."
    )
    result = ising_temperature_scan(
        side,
        temperatures,
        n_sweeps=n_sweeps,
        burn_in=burn_in,
        n_chains=n_chains,
        rng=seed,
        progress=True,
    )
    print(result.to_text())
    written = [plotting.save_figure(plotting.ising_scan_figure(result), folder / "ising_scan.png")]
    if write_json:
        written.append(_write_json(result.summary(), folder / "ising_scan.json"))
    return written


def _compare_scene(
    folder: Path,
    *,
    system: str,
    size: int | None,
    samplers: list[str],
    temperature: float | None,
    n_chains: int,
    n_sweeps: int,
    burn_in: int,
    n_temperatures: int,
    hottest: float | None,
    seed: int,
    write_json: bool,
) -> list[Path]:
    """Race samplers on one system with one budget, print the table, write compare.png."""
    _use_agg()
    from energynets import plotting
    from energynets.experiments.sampling import compare_samplers

    print(f"Comparing {', '.join(samplers)} on the same budget of {n_sweeps} sweep-equivalents:")
    result = compare_samplers(
        system,
        samplers,
        size=size,
        temperature=temperature,
        n_chains=n_chains,
        n_sweeps=n_sweeps,
        burn_in=burn_in,
        n_temperatures=n_temperatures,
        hottest_temperature=hottest,
        rng=seed,
        progress=True,
    )
    print(result.to_text())
    fig = plotting.sampler_comparison_figure(result)
    written = [plotting.save_figure(fig, folder / "compare.png")]
    if write_json:
        written.append(_write_json(result.summary(), folder / "compare.json"))
    return written


def _sample_scene(
    args: argparse.Namespace, folder: Path, system: str, n_sweeps: int, burn_in: int
) -> list[Path]:
    """Sample one system with one sampler, print the table, write sample.png and .json."""
    _use_agg()
    from energynets import plotting
    from energynets.experiments.sampling import sample_system

    sampler = args.sampler or ("checkerboard" if system == "ising" else "gibbs")
    print(f"Sampling the {system} system with the {sampler} sampler ({args.chains} chains):")
    result = sample_system(
        system,
        sampler,
        size=args.size,
        n_chains=args.chains,
        n_sweeps=n_sweeps,
        burn_in=burn_in,
        temperature=args.temperature,
        n_temperatures=args.replicas or 8,
        hottest_temperature=args.hottest,
        rng=args.seed,
        progress=True,
    )
    print(result.to_text())
    return [
        plotting.save_figure(plotting.sampling_figure(result), folder / "sample.png"),
        _write_json(result.summary(), folder / "sample.json"),
    ]


# -- checkpoints of the training commands ------------------------------------------------------

#: The entries train-rbm and train-mlp add to the trainer's history (one per epoch, so they are
#: saved in its checkpoints with everything else and cut with it on Ctrl-C): the command's
#: settings (at epoch 0; None after) and, for train-rbm, the exact log-likelihood curve (None
#: at the epochs not measured). They are left out of history.json's "history".
SETTINGS_KEY = "cli_settings"
OWN_KEY_PREFIX = "cli_"


class Checkpointing(NamedTuple):
    """Where a training command writes its checkpoints and what it resumes from."""

    args: argparse.Namespace  # the command line, to print the command that resumes
    trainer: str  # "fit_rbm" or "fit_mlp"
    settings: dict[str, Any]  # the command's settings (JSON values), which a resume must match
    path: Path | None  # the checkpoint written, or None
    every: int
    resume: Path | None
    resumed_epochs: int  # epochs completed in the checkpoint resumed from (0: none)

    def keyword_arguments(self) -> dict[str, Any]:
        """checkpoint=, checkpoint_every= and resume= of fit_rbm / fit_mlp."""
        return {
            "checkpoint": None if self.path is None else os.fspath(self.path),
            "checkpoint_every": self.every,
            "resume": None if self.resume is None else os.fspath(self.resume),
        }

    def summary(self) -> dict[str, Any]:
        """What history.json says about the checkpoints."""
        return {
            "file": None if self.path is None else os.fspath(self.path),
            "every": self.every if self.path is not None else None,
            "resumed_from": None if self.resume is None else os.fspath(self.resume),
            "resumed_after_epoch": self.resumed_epochs if self.resume is not None else None,
        }


def _show_setting(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return ",".join(str(v) for v in value) if value else "none"
    return str(value)


def _option_of(name: str) -> str:
    return "-k" if name == "k" else "--" + name.replace("_", "-")


def _setting_differences(saved: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """For each setting but --epochs that differs: "--option SAVED (now CURRENT)"."""
    return [
        f"{_option_of(name)} {_show_setting(saved.get(name))} (now {_show_setting(value)})"
        for name, value in current.items()
        if name != "epochs" and saved.get(name) != value
    ]


def _read_checkpoint(path: Path, trainer: str) -> dict[str, Any]:
    """The meta entry of the checkpoint ``path`` of ``trainer``; one-line errors naming
    --resume when it is missing, a folder, damaged, or not such a checkpoint."""
    from energynets import _checkpoint

    if path.is_dir():
        raise ValueError(f"argument --resume: {os.fspath(path)!r} is a folder, not a checkpoint")
    if not path.exists():
        raise FileNotFoundError(f"argument --resume: no such file {os.fspath(path)!r}")
    try:
        _, meta = _checkpoint.load_checkpoint(path, trainer)
    except ValueError as exc:
        raise ValueError(f"argument --resume: {_one_line(exc)}") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OSError(f"argument --resume: cannot read {os.fspath(path)!r} ({reason})") from None
    return meta


def _saved_settings(meta: dict[str, Any]) -> dict[str, Any] | None:
    column = meta.get("history", {}).get(SETTINGS_KEY)
    if not column or not isinstance(column[0], dict):
        return None
    return dict(column[0])


def _check_checkpoint_path(path: Path, outputs: Sequence[Path]) -> None:
    """A checkpoint file can be written at ``path``: one-line errors otherwise."""
    text = os.fspath(path)
    if path.is_dir():
        raise ValueError(
            f"argument --checkpoint: {text!r} is a folder; give a file such as "
            f"{os.fspath(path / CHECKPOINT_NAME)!r}"
        )
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ValueError(
                    f"argument --checkpoint: cannot write {text!r}: {os.fspath(parent)!r} is "
                    "not a folder"
                )
            break
    for output in outputs:
        if path.resolve() == output.resolve():
            raise ValueError(
                f"argument --checkpoint: {text!r} is the command's own output file "
                f"{output.name}; give another file"
            )


def checkpointing(
    args: argparse.Namespace, trainer: str, settings: dict[str, Any], files: Sequence[str]
) -> Checkpointing:
    """The checkpoint options of ``args`` checked (before any work): the file to write (its
    folder not yet created) and the one to resume from, whose settings must be ``settings``.

    ``files`` are the names the command writes in its --output folder, which the checkpoint
    must not be.
    """
    if args.checkpoint_every is not None and args.checkpoint is None and args.resume is None:
        raise ValueError("--checkpoint-every applies with --checkpoint or --resume, got neither")
    current = json_settings(settings)
    resume = None if args.resume is None else Path(args.resume)
    done = 0
    if resume is not None:
        meta = _read_checkpoint(resume, trainer)
        saved = _saved_settings(meta)
        if saved is None:
            raise ValueError(
                f"argument --resume: {os.fspath(resume)!r} was not written by energynets "
                f"{args.command} (it holds no settings of the command); resume it from Python "
                f"with {trainer}(..., resume=...)"
            )
        different = _setting_differences(saved, current)
        if different:
            raise ValueError(
                f"argument --resume: {os.fspath(resume)!r} was written with "
                f"{', '.join(different)}; resume with the options of that run"
            )
        done = int(meta["epoch"])
        epochs = current["epochs"]
        if epochs != saved["epochs"] and current.get("schedule") != "constant":
            raise ValueError(
                f"argument --resume: {os.fspath(resume)!r} was written with --epochs "
                f"{saved['epochs']} (now {epochs}); with --schedule {current.get('schedule')} "
                "the learning rate of every epoch depends on the number of epochs, so only "
                "--schedule constant can go on for more"
            )
        if epochs < done:
            raise ValueError(
                f"argument --resume: {os.fspath(resume)!r} holds {done} completed epochs, more "
                f"than --epochs {epochs}"
            )
    if args.checkpoint is True:
        path: Path | None = Path(args.output) / CHECKPOINT_NAME
    elif args.checkpoint is not None:
        path = Path(args.checkpoint)
    else:
        path = resume
    if path is not None:
        folder = Path(args.output)
        _check_checkpoint_path(path, [folder / name for name in files])
        continues = resume is not None and path.resolve() == resume.resolve()
        if path.exists() and not continues:
            raise ValueError(
                f"argument --checkpoint: {os.fspath(path)!r} already exists; continue it with "
                f"--resume {os.fspath(path)}, or remove it to start afresh"
            )
    every = 1 if args.checkpoint_every is None else args.checkpoint_every
    return Checkpointing(args, trainer, current, path, every, resume, done)


def json_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """``settings`` as they read back from JSON (lists for tuples, plain numbers)."""
    import json

    result: dict[str, Any] = json.loads(json.dumps(_jsonable(settings)))
    return result


def prepare_checkpoint(plan: Checkpointing) -> None:
    """Create the folder of the checkpoint file (after the output folder)."""
    if plan.path is not None:
        plan.path.parent.mkdir(parents=True, exist_ok=True)


def describe_checkpoints(plan: Checkpointing | None) -> None:
    """Say what the run resumes from and where its checkpoints go."""
    if plan is None:
        return
    if plan.resume is not None:
        print(f"Resuming from {plan.resume}, which holds {plan.resumed_epochs} completed epochs.")
    if plan.path is not None:
        every = "every epoch" if plan.every == 1 else f"every {plan.every} epochs"
        print(f"Writing a checkpoint to {plan.path} {every} and after the last.")


def describe_time(n_done: int, seconds: float, plan: Checkpointing | None) -> str:
    """How many epochs this run trained (not those of the checkpoint) and how long."""
    resumed = 0 if plan is None else plan.resumed_epochs
    if not resumed:
        return f"Trained {n_done} epochs in {seconds:.1f} s."
    if n_done <= resumed:
        return f"Nothing left to train: the checkpoint holds all {n_done} epochs."
    return (
        f"Trained epochs {resumed + 1} to {n_done} in {seconds:.1f} s (1 to {resumed} came "
        "from the checkpoint)."
    )


def record_settings(history: dict[str, list[Any]], plan: Checkpointing) -> None:
    """Add this epoch's entry of the command's settings to ``history`` (see SETTINGS_KEY)."""
    column = history.setdefault(SETTINGS_KEY, [])
    column.append(plan.settings if len(history["epoch"]) == 1 else None)


def own_entries_removed(history: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """``history`` without the command's own entries (see SETTINGS_KEY)."""
    return {k: v for k, v in history.items() if not k.startswith(OWN_KEY_PREFIX)}


def command_line(args: argparse.Namespace, **values: Any) -> str:
    """The ``energynets`` command of ``args`` (the options that differ from their defaults),
    with ``values`` replacing some of them: a line for the shell."""
    import shlex

    parser = build_parser().commands[args.command]
    words = ["energynets", args.command]
    for action in parser._actions:
        if not action.option_strings or action.dest == "help":
            continue
        value = values.get(action.dest, getattr(args, action.dest, None))
        if value is None or value is False or value == action.default:
            continue
        option = max(action.option_strings, key=len)
        if value is True:
            words.append(option)
        elif isinstance(value, list):
            shown = ",".join(str(v) for v in value) if value else "none"
            words += [option, shown]
        else:
            words += [option, str(value)]
    return " ".join(shlex.quote(word) for word in words)


def _resumable_epoch(path: Path, plan: Checkpointing) -> int | None:
    """The completed epochs of the checkpoint ``path`` when it is one of this run (same
    trainer and settings), else None."""
    from energynets import _checkpoint

    try:
        _, meta = _checkpoint.load_checkpoint(path, plan.trainer)
    except (OSError, ValueError):
        return None
    saved = _saved_settings(meta)
    if saved is None or _setting_differences(saved, plan.settings):
        return None
    return int(meta["epoch"])


def diverged(exc: Exception, options: str) -> FloatingPointError:
    """A training run that diverged (:class:`energynets.TrainingDiverged`), said for the
    command line: the trainer's diagnosis, and which ``options`` to lower."""
    diagnosis = str(exc).split("; ")[0].rstrip(".")
    return FloatingPointError(f"{diagnosis}; nothing was written: try a smaller {options}")


def resume_advice(plan: Checkpointing) -> str:
    """What to do after Ctrl-C: where the checkpoint is and the command that resumes."""
    if plan.path is None:
        return (
            "No checkpoint was written: give --checkpoint to be able to resume an interrupted run."
        )
    for source in (plan.path, plan.resume):
        if source is None:
            continue
        epoch = _resumable_epoch(source, plan)
        if epoch is not None:
            command = command_line(
                plan.args, checkpoint=os.fspath(plan.path), resume=os.fspath(source)
            )
            return (
                f"The checkpoint {source} holds {epoch} completed epochs; resume with:\n  {command}"
            )
    return f"No checkpoint was written yet (the first comes after epoch {plan.every})."


# -- the RBM scenes ---------------------------------------------------------------------------

#: Gibbs steps after which samples.png shows the chains (started from uniform noise).
SAMPLE_STEPS = (1, 10, 100, 1000)
#: Chains drawn in samples.png.
SAMPLE_CHAINS = 10
#: The exact log-likelihood is tracked during training when enumerating the smaller layer
#: costs at most this many elements (2**n x units of the other layer): about 0.05 s per
#: evaluation, at up to CURVE_POINTS epochs.
EXACT_CURVE_ELEMENTS = 2**20
CURVE_POINTS = 100
#: ... and measured once after training up to this many (about a second).
EXACT_FINAL_ELEMENTS = 2**26
#: ... and by ``eval-rbm --estimator auto`` up to this many (tens of seconds).
EXACT_EVAL_ELEMENTS = 2**30
#: Rows of the fixed subsets on which the exact curve is measured during training.
CURVE_ROWS = 1000
#: Rows binarised at a time (bounded memory on the 60,000 rows of MNIST).
_BINARIZE_ROWS = 10000
#: What train-rbm and the demo write (absent keys are not written).
_TRAIN_FILES = {
    "model": "rbm.npz",
    "filters": "filters.png",
    "samples": "samples.png",
    "curve": "learning_curve.png",
    "history": "history.json",
}
_DEMO_FILES = {
    "filters": "rbm_filters.png",
    "samples": "rbm_samples.png",
    "curve": "rbm_learning_curve.png",
}


class _RBMData(NamedTuple):
    """Binary rows of a data set split and how to show them."""

    rows: np.ndarray  # (n_samples, height * width) of 0.0 / 1.0
    shape: tuple[int, int]  # (height, width) of one image
    name: str  # e.g. "digits, training split (1437 rows, stochastic binarisation)"


def _streams(seed: int) -> dict[str, np.random.SeedSequence]:
    """Independent seed sequences of one --seed, one per use, so that (for instance) the same
    seed binarises the same data in train-rbm and eval-rbm whatever else changes."""
    root = np.random.SeedSequence(seed)
    data, init, fit, sample, monitor, evaluate = root.spawn(6)
    train, test = data.spawn(2)
    return {
        "train": train,
        "test": test,
        "init": init,
        "fit": fit,
        "sample": sample,
        "monitor": monitor,
        "evaluate": evaluate,
    }


def _check_dataset_options(args: argparse.Namespace) -> None:
    """Options that belong to another data set: one-line errors before any work."""
    bas = args.dataset == "bars-and-stripes"
    if args.size is not None and not bas:
        raise ValueError(
            f"--size applies to --dataset bars-and-stripes, got --dataset {args.dataset}"
        )
    if args.size is not None and args.size > 12:
        raise ValueError(
            f"--size must be <= 12 (bars-and-stripes has 2 * 2**n - 2 patterns), got {args.size}"
        )
    if args.binarize is not None and bas:
        raise ValueError(
            "--binarize does not apply to --dataset bars-and-stripes (its patterns are bits)"
        )
    if args.data_home is not None and args.dataset not in ("mnist", "fashion-mnist"):
        raise ValueError(
            f"--data-home applies to --dataset mnist and fashion-mnist, got --dataset "
            f"{args.dataset}"
        )


def _binarized_chunks(
    grey: np.ndarray, mode: str, maximum: float, seq: np.random.SeedSequence, dtype: Any
) -> Any:
    """Yield (start, bits) over blocks of rows of ``grey``, binarised with one generator."""
    from energynets import datasets

    gen = np.random.default_rng(seq)
    threshold = 0.5 if mode == "threshold" else None
    for start in range(0, grey.shape[0], _BINARIZE_ROWS):
        block = grey[start : start + _BINARIZE_ROWS]
        yield (
            start,
            datasets.binarize(block, rng=gen, threshold=threshold, maximum=maximum, dtype=dtype),
        )


def _grey_split(args: argparse.Namespace, split: str) -> tuple[np.ndarray, float, tuple[int, int]]:
    """The grey levels of a digits / MNIST split (first --limit rows), their maximum, shape."""
    grey, _, maximum, shape = labelled_split(args, split)
    return grey, maximum, shape


def labelled_split(
    args: argparse.Namespace, split: str
) -> tuple[np.ndarray, np.ndarray, float, tuple[int, int]]:
    """Grey levels and labels of the ``split`` ("train" or "test") of ``args.dataset`` (digits:
    the last DIGITS_TEST_ROWS rows are the test split; MNIST / Fashion-MNIST from
    ``args.data_home``), first ``args.limit`` rows; their maximum and the image shape."""
    from energynets import datasets

    if args.dataset == "digits":
        grey, labels = datasets.load_digits()
        rows = (
            slice(None, -DIGITS_TEST_ROWS) if split == "train" else slice(-DIGITS_TEST_ROWS, None)
        )
        grey, labels = grey[rows], labels[rows]
        maximum, shape = 16.0, (8, 8)
    else:
        loader = datasets.load_mnist if args.dataset == "mnist" else datasets.load_fashion_mnist
        try:
            grey, labels = loader(split, data_home=args.data_home)
        except FileNotFoundError as exc:
            # the library's message ends with advice for Python callers (data_home=,
            # download=True): keep its first sentence and give the command's options instead
            first = str(exc).split(". ")[0]
            raise FileNotFoundError(
                f"--dataset {args.dataset}: {first}. Put the original *-ubyte.gz files in a "
                f"folder {args.dataset}/ and give the folder above it with --data-home or "
                "ENERGYNETS_DATA"
            ) from None
        maximum, shape = 255.0, (28, 28)
    if args.limit is not None:
        grey, labels = grey[: args.limit], labels[: args.limit]
    return grey, labels, maximum, shape


def _load_split(
    args: argparse.Namespace, split: str, streams: dict[str, np.random.SeedSequence], dtype: Any
) -> _RBMData:
    """The rows of ``split`` ("train" or "test") of the data set of ``args``, as bits."""
    from energynets import datasets

    if args.dataset == "bars-and-stripes":
        n = 3 if args.size is None else args.size
        rows = datasets.bars_and_stripes(n).astype(dtype)
        if args.limit is not None:
            rows = rows[: args.limit]
        return _RBMData(rows, (n, n), f"bars-and-stripes {n} x {n} ({rows.shape[0]} patterns)")
    grey, maximum, shape = _grey_split(args, split)
    mode = args.binarize or "stochastic"
    rows = np.empty(grey.shape, dtype=dtype)
    for start, bits in _binarized_chunks(grey, mode, maximum, streams[split], dtype):
        rows[start : start + bits.shape[0]] = bits
    part = "training" if split == "train" else "test"
    return _RBMData(
        rows,
        shape,
        f"{args.dataset}, {part} split ({rows.shape[0]} rows, {mode} binarisation)",
    )


def _exact_cost(rbm: Any) -> int | None:
    """2**n x n_other for enumerating the smaller layer (n <= 25), or None (too large)."""
    from energynets.metrics import MAX_ENUMERATED_UNITS

    small, other = sorted((rbm.n_visible, rbm.n_hidden))
    if small > MAX_ENUMERATED_UNITS:
        return None
    return 2**small * other


def _exact_within(rbm: Any, budget: int) -> bool:
    cost = _exact_cost(rbm)
    return cost is not None and cost <= budget


def _fixed_rows(rows: np.ndarray, n_rows: int, seq: np.random.SeedSequence) -> np.ndarray:
    """All of ``rows`` when there are at most ``n_rows``, else a fixed random subset."""
    if rows.shape[0] <= n_rows:
        return rows
    pick = np.random.default_rng(seq).choice(rows.shape[0], size=n_rows, replace=False)
    return rows[np.sort(pick)]


def _jsonable(value: Any) -> Any:
    """``value`` with numpy scalars and arrays as Python numbers and lists, NaN and inf as
    None (JSON has neither)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_jsonable(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if np.isfinite(value) else None
    return value


def _describe_training(settings: dict[str, Any], rbm_shape: tuple[int, int], data: str) -> str:
    method = settings["method"]
    how = f"{method.upper()}-{settings['k']}"
    if method != "cd":
        how += f" with {settings['chains'] or settings['batch_size']} chains"
    if method == "pt":
        how += f" at {settings['replicas'] or 10} temperatures"
    momentum = settings["momentum"]
    return (
        f"Training an RBM of {rbm_shape[0]} visible x {rbm_shape[1]} hidden units on {data}: "
        f"{how}, {settings['epochs']} epochs of batches of {settings['batch_size']}, learning "
        f"rate {settings['learning_rate']:g} ({settings['schedule']} schedule), momentum "
        f"{momentum if isinstance(momentum, str) else format(momentum, 'g')}"
        + (f", weight decay {settings['weight_decay']:g}" if settings["weight_decay"] else "")
        + (", centred" if settings["centering"] else "")
        + f", seed {settings['seed']}."
    )


def _curve_figure(
    history: dict[str, list[Any]],
    exact: dict[str, list[Any]] | None,
    optimum: float | None,
    title: str,
) -> Any:
    """learning_curve.png: the exact log-likelihood (when tracked) or the pseudo-likelihood,
    then the reconstruction error, then the free energies when there are validation data."""
    from matplotlib.figure import Figure

    from energynets import plotting

    panels: list[tuple[dict[str, list[Any]], str]] = []
    if exact is not None:
        panels.append((exact, "log_likelihood"))
    elif "pseudo_likelihood" in history:
        panels.append((history, "pseudo_likelihood"))
    if "reconstruction_error" in history:
        panels.append((history, "reconstruction_error"))
    if exact is None and "free_energy_validation" in history:
        panels.append((history, "free_energy"))
    fig = Figure(figsize=(4.2 * len(panels) + 0.4, 3.5), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (series, quantity) in zip(axes, panels, strict=True):
        best = optimum if quantity == "log_likelihood" else None
        label = "optimum log(1 / n_patterns)"
        plotting.learning_curve(series, quantity, ax, optimum=best, optimum_label=label)
    axes[0].set_title(
        "exact, by enumeration" if exact is not None else "on a fixed subset of the rows",
        fontsize="small",
    )
    fig.suptitle(title, fontsize="medium")
    return fig


def _train_rbm_scene(
    folder: Path,
    train: _RBMData,
    valid: _RBMData | None,
    settings: dict[str, Any],
    files: dict[str, str],
    *,
    optimum: float | None = None,
    plan: Checkpointing | None = None,
) -> tuple[list[Path], dict[str, Any]]:
    """Train an RBM, print what it learned and write ``files`` (see _TRAIN_FILES).

    Ctrl-C during the training keeps the model and history of the last completed epoch and
    writes the files from them (the summary then says ``interrupted``); with no epoch
    completed it re-raises, and nothing is written. Either way it says where the checkpoint
    is and how to resume (``plan``: the checkpoint options). Every file is written
    atomically, the history last.
    """
    _use_agg()
    from matplotlib.figure import Figure
    from scipy.special import logsumexp

    from energynets import io, metrics, plotting
    from energynets.learning import contrastive
    from energynets.learning.divergence import TrainingDiverged
    from energynets.models.rbm import RBM

    streams = _streams(settings["seed"])
    X = train.rows
    dtype = X.dtype
    rbm = RBM(
        X.shape[1], settings["hidden"], rng=np.random.default_rng(streams["init"]), dtype=dtype
    )
    method = settings["method"]
    print(_describe_training(settings, (rbm.n_visible, rbm.n_hidden), train.name))
    if valid is not None:
        print(f"Validation data: {valid.name}.")
    describe_checkpoints(plan)

    # the exact log-likelihood, at up to CURVE_POINTS epochs, when enumeration is cheap
    track = _exact_within(rbm, EXACT_CURVE_ELEMENTS)
    n_epochs = settings["epochs"]
    points = set(np.linspace(0, n_epochs - 1, min(n_epochs, CURVE_POINTS)).round().astype(int))
    curve_train = _fixed_rows(X, CURVE_ROWS, streams["monitor"])
    curve_valid = None if valid is None else _fixed_rows(valid.rows, CURVE_ROWS, streams["monitor"])
    # the curve is kept in the trainer's history (one entry per epoch, None where it is not
    # measured), so that it is saved in the checkpoints and a resumed run has all of it
    curve_keys = {"log_likelihood": OWN_KEY_PREFIX + "exact_log_likelihood"}
    if curve_valid is not None:
        curve_keys["log_likelihood_validation"] = OWN_KEY_PREFIX + "exact_log_likelihood_validation"
    done: dict[str, Any] = {"model": None, "epochs": 0, "history": None}

    def on_epoch(epoch: int, model: RBM, history: dict[str, list[Any]]) -> bool:
        if track:
            values: dict[str, float | None] = dict.fromkeys(curve_keys)
            if epoch in points:
                log_z = metrics.rbm_log_partition(model)
                values["log_likelihood"] = metrics.log_likelihood(model, curve_train, log_z)
                if curve_valid is not None:
                    ll_valid = metrics.log_likelihood(model, curve_valid, log_z)
                    values["log_likelihood_validation"] = ll_valid
            for name, key in curve_keys.items():
                history.setdefault(key, []).append(values[name])
        if plan is not None:
            record_settings(history, plan)
        done.update(model=model.copy(), epochs=epoch + 1, history=history)
        return False

    start = time.perf_counter()
    interrupted = False
    try:
        model, history = contrastive.fit_rbm(
            rbm,
            X,
            method=method,
            k=settings["k"],
            n_epochs=n_epochs,
            batch_size=settings["batch_size"],
            learning_rate=settings["learning_rate"],
            momentum=settings["momentum"],
            weight_decay=settings["weight_decay"],
            centering=settings["centering"],
            n_chains=settings["chains"] if method != "cd" else None,
            n_temperatures=settings["replicas"] or 10,
            learning_rate_schedule=settings["schedule"],
            validation_data=None if valid is None else valid.rows,
            rng=np.random.default_rng(streams["fit"]),
            callbacks=[on_epoch],
            progress=True,
            **({} if plan is None else plan.keyword_arguments()),
        )
    except TrainingDiverged as exc:
        raise diverged(exc, "--learning-rate (or --momentum, --weight-decay)") from None
    except KeyboardInterrupt:
        advice = None if plan is None else resume_advice(plan)
        if done["model"] is None:
            if advice is not None:
                print(advice, file=sys.stderr)
            raise
        interrupted = True
        model = done["model"]
        history = {key: values[: done["epochs"]] for key, values in done["history"].items()}
        print(
            f"Interrupted: keeping the model after epoch {done['epochs']} of {n_epochs}.",
            file=sys.stderr,
        )
        if advice is not None:
            print(advice, file=sys.stderr)
    seconds = time.perf_counter() - start
    n_done = len(history["epoch"])
    print(describe_time(n_done, seconds, plan))
    exact: dict[str, list[Any]] | None = None
    if track:
        measured = [k for k, v in enumerate(history[curve_keys["log_likelihood"]]) if v is not None]
        exact = {"epoch": [history["epoch"][k] for k in measured]}
        for name, key in curve_keys.items():
            exact[name] = [history[key][k] for k in measured]
    history = own_entries_removed(history)

    # what it learned
    final: dict[str, Any] = {}
    if _exact_within(model, EXACT_FINAL_ELEMENTS):
        log_z = metrics.rbm_log_partition(model)
        layer = "visible" if model.n_visible <= model.n_hidden else "hidden"
        n_enum = min(model.n_visible, model.n_hidden)
        final["log_partition"] = log_z
        final["log_likelihood"] = metrics.log_likelihood(model, X, log_z)
        print(
            f"Exact mean log-likelihood (log Z = {log_z:.4f}, enumerating the {n_enum} "
            f"{layer} units):"
        )
        print(f"  training    {final['log_likelihood']:9.4f} nats ({X.shape[0]} rows)")
        if valid is not None:
            final["log_likelihood_validation"] = metrics.log_likelihood(model, valid.rows, log_z)
            print(
                f"  validation  {final['log_likelihood_validation']:9.4f} nats "
                f"({valid.rows.shape[0]} rows)"
            )
        if optimum is not None:
            mass = float(np.exp(logsumexp(-model.free_energy(X).astype(np.float64)) - log_z))
            final["probability_of_the_data"] = mass
            print(
                f"  optimum     {optimum:9.4f} nats (log 1/{X.shape[0]}: each pattern equally "
                "likely, nothing else)"
            )
            print(f"The model puts {mass:.1%} of its probability on the {X.shape[0]} patterns.")
    else:
        for key in ("pseudo_likelihood", "reconstruction_error", "free_energy_gap"):
            if history.get(key):
                final[key] = history[key][-1]
        parts = [
            f"{name} {final[key]:.4f}"
            for key, name in (
                ("pseudo_likelihood", "pseudo-log-likelihood"),
                ("reconstruction_error", "reconstruction error"),
                ("free_energy_gap", "free-energy gap (validation - training)"),
            )
            if key in final
        ]
        if parts:
            print("After the last epoch (on a fixed subset of the rows): " + "; ".join(parts) + ".")
        if "model" in files:
            print(
                "For the log-likelihood (AIS and reverse AIS): energynets eval-rbm "
                f"{folder / files['model']} --dataset {settings['dataset']}"
                + (f" --limit {settings['limit']}" if settings["limit"] else "")
                + (f" --seed {settings['seed']}" if settings["seed"] else "")
            )

    # the files, the history last
    written: list[Path] = []
    if "model" in files:
        io.save(model, folder / files["model"])
        written.append(folder / files["model"])
    name = train.name.split(" (")[0]
    if "filters" in files:
        ax = plotting.rbm_filters(
            model.weights,
            train.shape,
            title=f"receptive fields of the hidden units, {name}",
        )
        figure = ax.get_figure()
        assert isinstance(figure, Figure)  # a new figure of its own
        written.append(plotting.save_figure(figure, folder / files["filters"]))
    if "samples" in files:
        gen = np.random.default_rng(streams["sample"])
        v = None
        records = []
        for previous, step in zip((0, *SAMPLE_STEPS), SAMPLE_STEPS, strict=False):
            if v is None:
                v = model.sample(SAMPLE_CHAINS, n_steps=step, rng=gen)
            else:
                v = model.sample(n_steps=step - previous, rng=gen, init=v)
            records.append(v)
        show = X[np.linspace(0, X.shape[0] - 1, min(X.shape[0], SAMPLE_CHAINS)).astype(int)]
        fig = plotting.rbm_samples_figure(
            np.stack(records),
            train.shape,
            steps=SAMPLE_STEPS,
            data=show,
            title=f"{SAMPLE_CHAINS} Gibbs chains from noise, and training data ({name})",
        )
        written.append(plotting.save_figure(fig, folder / files["samples"]))
    if "curve" in files:
        fig = _curve_figure(history, exact, optimum, f"training an RBM on {name}")
        written.append(plotting.save_figure(fig, folder / files["curve"]))
    summary = {
        "command": "train-rbm",
        "settings": settings,
        "data": {
            "training": train.name,
            "validation": None if valid is None else valid.name,
            "image_shape": list(train.shape),
        },
        "model": {
            "n_visible": model.n_visible,
            "n_hidden": model.n_hidden,
            "dtype": str(model.dtype),
            "file": files.get("model"),
        },
        "epochs_completed": n_done,
        "interrupted": interrupted,
        "seconds": seconds,
        "checkpoint": None if plan is None else plan.summary(),
        "optimum_log_likelihood": optimum,
        "final": final,
        "history": history,
        "exact": exact,
    }
    if "history" in files:
        written.append(_write_json(_jsonable(summary), folder / files["history"]))
    return written, summary


def _bars_and_stripes_optimum(data: _RBMData) -> float:
    """log(1 / n): the best mean log-likelihood of a set of n distinct patterns."""
    return float(-np.log(data.rows.shape[0]))


def _load_rbm(path: str) -> Any:
    """The RBM saved at ``path``, or a one-line error naming the argument."""
    from energynets import io
    from energynets.models.rbm import RBM

    if not Path(path).is_file():
        raise FileNotFoundError(f"argument MODEL: no such file {path!r}")
    try:
        model = io.load(path)
    except ValueError as exc:
        raise ValueError(f"argument MODEL: {_one_line(exc)}") from None
    if not isinstance(model, RBM):
        raise ValueError(f"argument MODEL: {path!r} holds a {type(model).__name__}, not an RBM")
    if model.visible != "bernoulli":
        raise ValueError(
            f"argument MODEL: {path!r} has {model.visible} visible units; eval-rbm measures "
            "binary data, which needs Bernoulli visible units"
        )
    return model


def _base_rates(args: argparse.Namespace, streams: dict[str, np.random.SeedSequence]) -> Any:
    """The base-rate visible biases of Salakhutdinov & Murray: log(p / (1 - p)) with p the
    mean of the binarised training split, (sum + 1) / (N + 2) (pseudo-count 1, as
    :func:`energynets.sampling.ais.base_rate_bias`), accumulated block by block."""
    from energynets.sampling.ais import base_rate_bias

    if args.dataset == "bars-and-stripes":
        return None  # the data themselves (log_likelihood_bounds' default)
    grey, maximum, _ = _grey_split(args, "train")
    mode = args.binarize or "stochastic"
    total = np.zeros(grey.shape[1])
    for _, bits in _binarized_chunks(grey, mode, maximum, streams["train"], np.float64):
        total += bits.sum(axis=0)
    # base_rate_bias of the column means with the counts as weights: the same formula
    p = (total + 1.0) / (grey.shape[0] + 2.0)
    return base_rate_bias(p[None, :], pseudo_count=0.0)


def _interval(low: float, high: float) -> str:
    def show(x: float) -> str:
        return f"{x:.4f}" if np.isfinite(x) else ("-inf" if x < 0 else "inf")

    return f"[{show(low)}, {show(high)}]"


def _cmd_eval_rbm(args: argparse.Namespace) -> int:
    from energynets import metrics

    _check_dataset_options(args)
    model = _load_rbm(args.model)
    if args.dataset == "bars-and-stripes" and args.size is None:
        side = math.isqrt(model.n_visible)
        if side * side != model.n_visible or side < 2:
            raise ValueError(
                f"--dataset bars-and-stripes: the model's {model.n_visible} visible units are "
                "not the pixels of an n x n image"
            )
        args.size = side
    streams = _streams(args.seed)
    data = _load_split(args, args.split, streams, np.float64)
    X = data.rows
    if X.shape[1] != model.n_visible:
        raise ValueError(
            f"--dataset {args.dataset} has {X.shape[1]} columns ({data.shape[0]} x "
            f"{data.shape[1]} images) but the model in {args.model!r} has {model.n_visible} "
            "visible units"
        )
    cost = _exact_cost(model)
    if args.estimator == "exact" and cost is None:
        raise ValueError(
            f"--estimator exact needs a layer of at most {metrics.MAX_ENUMERATED_UNITS} units, "
            f"the model has {model.n_visible} visible and {model.n_hidden} hidden; use "
            "--estimator ais"
        )
    use_exact = args.estimator == "exact" or (
        args.estimator == "auto" and cost is not None and cost <= EXACT_EVAL_ELEMENTS
    )
    result: dict[str, Any] = {
        "model": args.model,
        "n_visible": model.n_visible,
        "n_hidden": model.n_hidden,
        "dtype": str(model.dtype),
        "data": data.name,
        "rows": X.shape[0],
        "seed": args.seed,
    }
    lines = [
        f"Model: {args.model}, an RBM of {model.n_visible} visible x {model.n_hidden} hidden "
        f"units ({model.dtype}).",
        f"Data: {data.name}.",
    ]
    if use_exact:
        log_z = metrics.rbm_log_partition(model)
        ll = metrics.log_likelihood(model, X, log_z)
        layer = "visible" if model.n_visible <= model.n_hidden else "hidden"
        result.update(estimator="exact", log_partition=log_z, log_likelihood=ll)
        lines.append(
            f"Exact, enumerating the {min(model.n_visible, model.n_hidden)} {layer} units: "
            f"log Z = {log_z:.4f}"
        )
        lines.append(f"mean log-likelihood: {ll:.4f} nats")
    else:
        from energynets.sampling.ais import log_likelihood_bounds, salakhutdinov_murray_betas

        n_betas = salakhutdinov_murray_betas(args.betas).shape[0]
        base = _base_rates(args, streams)
        bounds = log_likelihood_bounds(
            model,
            X,
            n_runs=args.runs,
            n_betas=args.betas,
            rng=np.random.default_rng(streams["evaluate"]),
            base_visible_bias=base,
            progress=True,
        )
        f = bounds.mean_free_energy
        base_text = "the data" if base is None else "the training split"
        result.update(
            estimator="ais",
            runs=args.runs,
            betas=n_betas,
            mean_free_energy=f,
        )
        lines.append(
            f"AIS and reverse AIS from the data, {args.runs} runs each, {n_betas} inverse "
            f"temperatures (Salakhutdinov & Murray), base rates of {base_text}; mean free "
            f"energy {f:.4f}."
        )
        lines.append(
            f"  {'':<12} {'log Z':>10}  {'+-3 s.e.':<22} {'log-likelihood':>14}  {'+-3 s.e.':<22}"
        )
        for key, label, est, ll in (
            ("ais", "AIS", bounds.ais, bounds.ais_log_likelihood),
            ("reverse_ais", "reverse AIS", bounds.reverse, bounds.reverse_log_likelihood),
        ):
            ll_low, ll_high = -f - est.log_z_high, -f - est.log_z_low
            result[key] = {
                "log_partition": est.log_z,
                "log_partition_interval": [est.log_z_low, est.log_z_high],
                "log_likelihood": ll,
                "log_likelihood_interval": [ll_low, ll_high],
                "effective_sample_size": est.ess,
            }
            lines.append(
                f"  {label:<12} {est.log_z:10.4f}  {_interval(est.log_z_low, est.log_z_high):<22} "
                f"{ll:14.4f}  {_interval(ll_low, ll_high):<22}"
            )
        lines.append(
            "AIS tends to overestimate the log-likelihood and reverse AIS to underestimate it: "
            "when they agree, trust them."
        )
    if args.json:
        import json

        print(json.dumps(_jsonable(result), indent=2, allow_nan=False))
    else:
        print("\n".join(line.rstrip() for line in lines))
    return 0


def _rbm_settings(args: argparse.Namespace) -> dict[str, Any]:
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
    settings.update(
        dataset=args.dataset,
        size=args.size,
        binarize=None if args.dataset == "bars-and-stripes" else args.binarize or "stochastic",
        limit=args.limit,
        k=args.k,
        centering=args.centering,
        replicas=args.replicas,
        float32=args.float32,
        seed=args.seed,
    )
    return settings


def _cmd_train_rbm(args: argparse.Namespace) -> int:
    _check_dataset_options(args)
    settings = _rbm_settings(args)
    plan = checkpointing(args, "fit_rbm", settings, list(_TRAIN_FILES.values()))
    streams = _streams(args.seed)
    dtype = np.float32 if args.float32 else np.float64
    train = _load_split(args, "train", streams, dtype)
    valid = None
    optimum = None
    if args.dataset == "bars-and-stripes":
        optimum = _bars_and_stripes_optimum(train)
    else:
        valid = _load_split(args, "test", streams, dtype)
    folder = _output_folder(args.output)
    prepare_checkpoint(plan)
    written, summary = _train_rbm_scene(
        folder, train, valid, settings, _TRAIN_FILES, optimum=optimum, plan=plan
    )
    _report(written)
    return 130 if summary["interrupted"] else 0


def _rbm_demo_scene(folder: Path, seed: int) -> list[Path]:
    """Train a small RBM on 3 x 3 bars-and-stripes and compare its exact log-likelihood with
    the optimum; rbm_filters.png, rbm_samples.png, rbm_learning_curve.png."""
    from energynets import datasets

    rows = datasets.bars_and_stripes(3)
    train = _RBMData(rows, (3, 3), f"bars-and-stripes 3 x 3 ({rows.shape[0]} patterns)")
    settings = dict(RBM_PRESETS["bars-and-stripes"])
    settings.update(
        dataset="bars-and-stripes",
        size=3,
        binarize=None,
        limit=None,
        k=1,
        centering=False,
        replicas=None,
        float32=False,
        seed=seed,
    )
    written, _ = _train_rbm_scene(
        folder, train, None, settings, _DEMO_FILES, optimum=_bars_and_stripes_optimum(train)
    )
    return written


def _dense_scene(folder: Path, seed: int) -> list[Path]:
    """All 36 glyphs stored at once in classical, dense and modern memories: dense.png."""
    _use_agg()
    from energynets import datasets, plotting
    from energynets.experiments.capacity import run_correlated_recall

    patterns, labels = datasets.glyphs()
    models = ["hebbian", "pseudoinverse", "polynomial-3", "polynomial-20", "exponential", "modern"]
    flip = 0.1
    print(
        f"Storing all {len(labels)} glyphs ({patterns.shape[1]} pixels, strongly correlated) "
        f"and recalling them from {flip:.0%} flipped pixels:"
    )
    result, recalled, probes = run_correlated_recall(
        patterns, models=models, flip_fraction=flip, beta=0.5, rng=seed
    )
    for record in result.records:
        n_exact = round(record["fraction_recalled"] * record["n_patterns"])
        print(f"  {record['model']:<14} {n_exact:>2} of {record['n_patterns']} recalled exactly")
    shown = [labels.index(c) for c in "HOPFIELD"]
    fig = plotting.recall_figure(
        patterns[shown],
        probes[shown],
        {name: states[shown] for name, states in recalled.items()},
        datasets.glyph_shape(),
        labels=[labels[k] for k in shown],
        title=(
            f"all {len(labels)} glyphs stored, {flip:.0%} flipped:\nclassical rules, dense "
            "(F = z^3, z^20, e^z) and modern (β = 0.5) memories"
        ),
    )
    return [plotting.save_figure(fig, folder / "dense.png")]


def _energy_vs_backprop_scene(folder: Path, seed: int) -> list[Path]:
    """Softmax regression on raw pixels and on RBM features against an MLP, on the nudged
    digits (the quick features experiment of ``energynets compare``): energy_vs_backprop.png."""
    _use_agg()
    from energynets import plotting
    from energynets._cli_compare import presets
    from energynets.experiments.compare import features_experiment

    print(
        "Classifying the nudged 8 x 8 digits from raw pixels, from the features of an RBM "
        "trained without labels, and with an MLP trained by backprop (same batches):"
    )
    result = features_experiment(**presets("digits", quick=True)["features"], rng=seed)
    print(result.to_text())
    fig = plotting.features_figure(result)
    return [plotting.save_figure(fig, folder / "energy_vs_backprop.png")]


def _report(written: Sequence[Path]) -> None:
    print("Wrote:")
    for path in written:
        print(f"  {path}")


# -- the commands -----------------------------------------------------------------------------


def _cmd_recall(args: argparse.Namespace) -> int:
    _animated_letter(args)  # a one-line error before any work
    folder = _output_folder(args.output)
    _report(_recall_scene(args, folder))
    return 0


def _cmd_capacity(args: argparse.Namespace) -> int:
    from energynets._cli_sweep import check_cluster_options

    check_cluster_options(args)
    folder = _output_folder(args.output)
    written = _capacity_scene(
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
    _report(written)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    folder = _output_folder(args.output)
    print("== 1. Associative memory: recalling corrupted letters ==")
    recall_args = argparse.Namespace(
        letters=DEFAULT_LETTERS,
        rule="hebbian",
        dynamics="async",
        flip_fraction=0.2,
        max_sweeps=100,
        animate=None,
        seed=args.seed,
    )
    written = _recall_scene(recall_args, folder)
    print()
    print("== 2. Learning rules: storing a word of similar letters ==")
    written += _rules_scene("HOPFIELD", 0.2, args.seed, folder)
    print()
    print("== 3. Storage capacity: how many random patterns fit in N units ==")
    written += _capacity_scene(
        folder,
        n_units=args.n_units,
        alphas=None,
        rules=list(RULES),
        flip_fraction=0.1,
        n_trials=2,
        max_probes=20,
        seed=args.seed,
    )
    print()
    print("== 4. Sampling: the 2D Ising transition, and a spin glass that Gibbs cannot cross ==")
    written += _scan_scene(
        folder,
        side=16,
        temperatures=None,
        n_sweeps=300,
        burn_in=100,
        n_chains=8,
        seed=args.seed,
        write_json=False,
    )
    print()
    written += _compare_scene(
        folder,
        system="sk",
        size=64,
        samplers=["gibbs", "tempering"],
        temperature=0.25,
        n_chains=16,
        n_sweeps=1600,
        burn_in=320,
        n_temperatures=8,
        hottest=None,
        seed=args.seed,
        write_json=False,
    )
    print()
    print("== 5. Learning: a restricted Boltzmann machine on bars-and-stripes, exact likelihood ==")
    written += _rbm_demo_scene(folder, args.seed)
    print()
    print("== 6. Dense associative memories: many correlated patterns, where Hebb fails ==")
    written += _dense_scene(folder, args.seed)
    print()
    print("== 7. Energy-based vs backprop: RBM features, raw pixels and an MLP on digits ==")
    written += _energy_vs_backprop_scene(folder, args.seed)
    _report(written)
    print(f"Done in {time.perf_counter() - start:.1f} s; open the pictures in {folder}/")
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    # options that belong to another mode: one-line errors before any work
    if args.scan:
        mode = "--scan"
        wrong = {
            "--sampler": args.sampler,
            "--temperature": args.temperature,
            "--samplers": args.samplers,
            "--replicas": args.replicas,
            "--hottest": args.hottest,
        }
        if args.system not in (None, "ising"):
            raise ValueError(f"--scan is for --system ising, got --system {args.system}")
    else:
        if args.compare:
            mode = "--compare"
            wrong = {"--sampler": args.sampler, "--temperatures": args.temperatures}
            tempering = "tempering" in (args.samplers or ["tempering"])
        else:
            mode = "a single run (without --scan or --compare)"
            wrong = {"--temperatures": args.temperatures, "--samplers": args.samplers}
            tempering = args.sampler == "tempering"
        if not tempering:
            mode += " without the tempering sampler"
            wrong.update({"--replicas": args.replicas, "--hottest": args.hottest})
    for option, value in wrong.items():
        if value is not None:
            hint = {
                "--sampler": " (use --samplers with --compare)",
                "--temperature": " (use --temperatures with --scan)",
                "--temperatures": " (it belongs to --scan)",
                "--samplers": " (it belongs to --compare)",
                "--replicas": " (it belongs to the tempering sampler)",
                "--hottest": " (it belongs to the tempering sampler)",
            }[option]
            raise ValueError(f"{option} does not apply to {mode}{hint}")
    n_sweeps = args.sweeps if args.sweeps is not None else (2000 if args.compare else 1000)
    burn_in = args.burn_in if args.burn_in is not None else n_sweeps // 5
    if burn_in > n_sweeps - 2:
        raise ValueError(
            f"--burn-in must leave at least 2 sweeps to measure (<= --sweeps - 2 = "
            f"{n_sweeps - 2}), got {burn_in}"
        )
    folder = _output_folder(args.output)
    if args.scan:
        side = 32 if args.size is None else args.size
        if side % 2:
            raise ValueError(f"--size must be even for --scan (checkerboard updates), got {side}")
        written = _scan_scene(
            folder,
            side=side,
            temperatures=args.temperatures,
            n_sweeps=n_sweeps,
            burn_in=burn_in,
            n_chains=args.chains,
            seed=args.seed,
            write_json=True,
        )
    elif args.compare:
        written = _compare_scene(
            folder,
            system=args.system or "sk",
            size=args.size,
            samplers=args.samplers or ["gibbs", "tempering"],
            temperature=args.temperature,
            n_chains=args.chains,
            n_sweeps=n_sweeps,
            burn_in=burn_in,
            n_temperatures=args.replicas or 8,
            hottest=args.hottest,
            seed=args.seed,
            write_json=True,
        )
    else:
        written = _sample_scene(args, folder, args.system or "ising", n_sweeps, burn_in)
    _report(written)
    return 0


def _cmd_train_mlp(args: argparse.Namespace) -> int:
    from energynets._cli_mlp import train_mlp_command

    return train_mlp_command(args)


def _cmd_compare(args: argparse.Namespace) -> int:
    from energynets._cli_compare import compare_command

    return compare_command(args)


def _cmd_sweep(args: argparse.Namespace) -> int:
    from energynets._cli_sweep import sweep_command

    return sweep_command(args)


_COMMANDS = {
    "demo": _cmd_demo,
    "recall": _cmd_recall,
    "capacity": _cmd_capacity,
    "sample": _cmd_sample,
    "train-rbm": _cmd_train_rbm,
    "eval-rbm": _cmd_eval_rbm,
    "train-mlp": _cmd_train_mlp,
    "compare": _cmd_compare,
    "sweep": _cmd_sweep,
}


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def _silence_stdout() -> None:
    """Point stdout at devnull so that the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    """Run the ``energynets`` command line.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        The exit status: 0 on success (and for ``--help`` and ``--version``), 2 for a bad
        command line or an error reported by the library, 130 when interrupted.
    """
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # reported by the subcommand, like its other errors
            parser.commands[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    except _UsageError as exc:
        print(_one_line(exc), file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help and --version print and exit
        return exc.code if isinstance(exc.code, int) else 0
    prog = f"energynets {args.command}"
    try:
        return _COMMANDS[args.command](args)
    except BrokenPipeError:  # e.g. piped into head: stop quietly
        _silence_stdout()
        return 1
    except (ValueError, TypeError, OSError, ArithmeticError) as exc:
        # ArithmeticError: a training run that diverged (energynets' TrainingDiverged is a
        # FloatingPointError), or a number too large for the C code it reached
        print(f"{prog}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"{prog}: error: out of memory; use smaller sizes", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
