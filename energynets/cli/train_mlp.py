"""``energynets train-mlp``: a feedforward network trained by backpropagation, from the shell.

Trains an :class:`~energynets.MLP` with :func:`~energynets.fit_mlp` on the embedded 8 x 8
digits, MNIST or Fashion-MNIST and writes the model (``mlp.npz``, for
:func:`energynets.io.load`), the learning curves (``learning_curve.png``: loss and accuracy per
epoch on the training and validation rows), the confusion matrix of the test split
(``confusion_matrix.png``), the first layer's weights as images (``weights.png``) and
everything measured (``history.json``), and prints the test accuracy.

The command follows the conventions of ``train-rbm``: every option is checked, and the data
are loaded, before the output folder is created; a mistake ends the command with one line
``energynets train-mlp: error: <message>`` and exit status 2; Ctrl-C keeps the model of the
last completed epoch and writes all the files from it (``history.json`` says
``"interrupted": true``, exit status 130), and nothing when no epoch completed; every file is
written atomically, ``history.json`` last, and published together with ``manifest.json``
(all of them or none), into an output folder locked for the whole run, as ``train-rbm``
does. ``--checkpoint``, ``--checkpoint-every`` and ``--resume`` are those of ``train-rbm``
(:mod:`energynets.cli._checkpointing`): the same command run again after a kill resumes too.

The test split is used once, after training: the validation rows (``--validation-fraction``,
held out from the training split) are the ones the curves and early stopping look at.
"""

from __future__ import annotations

import argparse
import functools
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from energynets.cli._args import (
    SCHEDULES,
    add_count,
    add_data_home,
    add_float32,
    add_limit,
    add_output,
    add_seed,
    command,
    fraction_below_one,
    nonnegative,
    positive,
    size_in_range,
)
from energynets.cli._checkpointing import (
    Checkpointing,
    LastEpoch,
    add_checkpoint_options,
    checkpointing,
    describe_checkpoints,
    describe_time,
    finished_files,
    own_entries_removed,
    prepare_checkpoint,
    resume_advice,
    train,
)
from energynets.cli._data import check_data_home, labelled_split
from energynets.cli._output import (
    MANIFEST_NAME,
    Publication,
    jsonable,
    output_folder,
    report,
    use_agg,
    wrap,
    write_json,
)

# the library's names (energynets.models.mlp.ACTIVATIONS, INITIALIZERS and
# energynets.learning.optim.OPTIMIZERS), repeated so that the parser builds without importing
# the models; a test checks that they agree
MLP_DATASETS = ("digits", "mnist", "fashion-mnist")
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "identity")
INITS = ("normal", "xavier_uniform", "xavier_normal", "he", "lecun", "constant")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam")

#: The default learning rate of each optimiser (Adam's is that of Kingma & Ba 2015; momentum
#: and Nesterov take a tenth of plain SGD's, as their steps add up over about 1 / (1 - 0.9)
#: updates).
LEARNING_RATES = {"sgd": 0.1, "momentum": 0.01, "nesterov": 0.01, "adam": 1e-3}
#: The default momentum of "momentum" and "nesterov".
MOMENTUM = 0.9

#: Settings of ``train-mlp`` that depend on the data set (each the default of its option).
#: MNIST: the network and recipe of the quality check benchmarks/mlp_quality.py (98.35% test
#: accuracy, trained on all 60,000 images as --validation-fraction 0 does). Digits: about 1 s.
MLP_PRESETS: dict[str, dict[str, Any]] = {
    "digits": {"hidden": [100], "epochs": 30, "batch_size": 20},
    "mnist": {"hidden": [500], "epochs": 20, "batch_size": 100},
}
MLP_PRESETS["fashion-mnist"] = MLP_PRESETS["mnist"]

#: The classes of Fashion-MNIST, in label order (Xiao, Rasul & Vollgraf 2017).
FASHION_CLASSES = (
    "T-shirt/top",
    "trouser",
    "pullover",
    "dress",
    "coat",
    "sandal",
    "shirt",
    "sneaker",
    "bag",
    "ankle boot",
)

#: What train-mlp writes.
FILES = {
    "model": "mlp.npz",
    "curve": "learning_curve.png",
    "confusion": "confusion_matrix.png",
    "weights": "weights.png",
    "history": "history.json",
}
#: The classes of every data set of the command.
N_CLASSES = 10


# -- the parser -------------------------------------------------------------------------------

HELP = "train a feedforward network by backprop on digits or MNIST; curves, confusion"
DESCRIPTION = wrap(
    "Train a multilayer perceptron (softmax output, cross-entropy loss) by "
    "backpropagation and mini-batch gradient descent, and write the model (mlp.npz, "
    "for energynets.io.load), the loss and accuracy per epoch on the training and "
    "validation rows (learning_curve.png), the confusion matrix of the test split "
    "(confusion_matrix.png), the first layer's weights as images (weights.png) and "
    "everything measured (history.json). The validation rows are held out from the "
    "training split (--validation-fraction); the test split is used once, at the end. "
    "Ctrl-C stops the training and saves the model and files of the last completed "
    "epoch (history.json then says interrupted: true); nothing is written when no "
    "epoch completed, and no file is ever half-written. With --checkpoint the whole "
    "training state is saved every --checkpoint-every epochs, and Ctrl-C prints the "
    "command that resumes from it (--resume): the resumed run ends bit-identical to "
    "one never interrupted."
)


def _hidden_sizes(text: str) -> list[int]:
    """Comma-separated hidden layer sizes, or ``none`` for no hidden layer."""
    if text.strip().lower() == "none":
        return []
    sizes = []
    for item in (t.strip() for t in text.split(",")):
        try:
            value = int(item)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated layer sizes such as 500 or 256,128 (or none), got "
                f"{text!r}"
            ) from None
        sizes.append(size_in_range(value, "layer sizes", 1))
    return sizes


def _epilog() -> str:
    lines = ["defaults per data set:"]
    for dataset in MLP_DATASETS:
        preset = MLP_PRESETS[dataset]
        hidden = ",".join(str(n) for n in preset["hidden"])
        lines.append(
            f"  {dataset}: --hidden {hidden}, --epochs {preset['epochs']}, --batch-size "
            f"{preset['batch_size']}"
        )
    return "\n".join(lines)


def _add_network_options(p: argparse.ArgumentParser) -> None:
    """--hidden, --activation and --init."""
    p.add_argument(
        "--hidden",
        type=_hidden_sizes,
        default=None,
        metavar="N[,N...]",
        help=(
            "hidden layer sizes, e.g. 500 or 256,128; none for no hidden layer (softmax "
            "regression) (default: per data set, see below)"
        ),
    )
    p.add_argument(
        "--activation",
        choices=ACTIVATIONS,
        default="relu",
        help="hidden-unit nonlinearity (default: %(default)s)",
    )
    p.add_argument(
        "--init",
        choices=INITS,
        default=None,
        help=(
            "weight initialisation: normal N(0, 0.01^2), xavier_uniform and xavier_normal "
            "(Glorot & Bengio), he (He et al.), lecun (LeCun et al.), or constant (all weights "
            "equal) (default: he for relu and leaky_relu, else xavier_uniform)"
        ),
    )


def _add_descent_options(p: argparse.ArgumentParser) -> None:
    """--optimizer, --learning-rate, --momentum, --schedule, --epochs, --batch-size."""
    p.add_argument(
        "--optimizer",
        choices=OPTIMIZERS,
        default="adam",
        help="gradient method (default: %(default)s)",
    )
    rates = ", ".join(f"{v:g} for {k}" for k, v in LEARNING_RATES.items())
    p.add_argument(
        "--learning-rate",
        type=positive,
        default=None,
        metavar="ETA",
        help=f"step size (default: {rates})",
    )
    p.add_argument(
        "--momentum",
        type=fraction_below_one,
        default=None,
        metavar="M",
        help=f"for --optimizer momentum and nesterov, in [0, 1) (default: {MOMENTUM:g})",
    )
    p.add_argument(
        "--schedule",
        choices=SCHEDULES,
        default="linear",
        help="factor on the learning rate along the epochs (default: %(default)s)",
    )
    for option, metavar, what in (
        ("--epochs", "E", "passes over the training rows"),
        ("--batch-size", "B", "rows per gradient step"),
    ):
        add_count(p, option, metavar, f"{what} (default: per data set, see below)")


def _add_regularisation_options(p: argparse.ArgumentParser) -> None:
    """--weight-decay, --dropout, --input-dropout, --validation-fraction, --early-stopping."""
    p.add_argument(
        "--weight-decay",
        type=nonnegative,
        default=0.0,
        metavar="L2",
        help="L2 penalty on the weights, not the biases (default: %(default)s)",
    )
    p.add_argument(
        "--dropout",
        type=fraction_below_one,
        default=0.0,
        metavar="P",
        help=(
            "probability of dropping each hidden unit in each training example (inverted "
            "dropout; default: %(default)s)"
        ),
    )
    p.add_argument(
        "--input-dropout",
        type=fraction_below_one,
        default=0.0,
        metavar="P",
        help="the same for the input pixels (default: %(default)s)",
    )
    p.add_argument(
        "--validation-fraction",
        type=fraction_below_one,
        default=0.1,
        metavar="F",
        help=(
            "share of the training split held out for the validation curves and early "
            "stopping, drawn with --seed; 0 trains on every row (default: %(default)s)"
        ),
    )
    add_count(
        p,
        "--early-stopping",
        "PATIENCE",
        "stop when the validation loss has not improved for PATIENCE epochs and keep the "
        "network of the best epoch (default: train all epochs)",
    )


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``train-mlp`` to the subcommands ``subparsers``; return its parser."""
    p = command(subparsers, "train-mlp", HELP, DESCRIPTION, raw=True, epilog=_epilog())
    p.add_argument(
        "--dataset",
        choices=MLP_DATASETS,
        default="digits",
        help=(
            "the embedded 8 x 8 UCI digits (1,437 training and 360 test images), or MNIST / "
            "Fashion-MNIST from their IDX files (default: %(default)s)"
        ),
    )
    add_data_home(p)
    add_limit(p)
    _add_network_options(p)
    _add_descent_options(p)
    _add_regularisation_options(p)
    add_float32(p)
    add_checkpoint_options(p)
    add_seed(p)
    add_output(p)
    return p


# -- settings and data ------------------------------------------------------------------------


def _check_options(args: argparse.Namespace) -> None:
    """Options that do not go together: one-line errors before any work."""
    check_data_home(args)
    if args.momentum is not None and args.optimizer not in ("momentum", "nesterov"):
        raise ValueError(
            f"--momentum applies to --optimizer momentum and nesterov, got --optimizer "
            f"{args.optimizer}"
        )
    if args.early_stopping is not None and args.validation_fraction == 0:
        raise ValueError(
            "--early-stopping needs validation rows: give --validation-fraction > 0, got 0"
        )


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    """The training settings from the options and the data set's presets; one-line errors
    for options that do not go together (before any work)."""
    _check_options(args)
    preset = MLP_PRESETS[args.dataset]
    init = args.init
    if init is None:
        init = "he" if args.activation in ("relu", "leaky_relu") else "xavier_uniform"
    momentum = None
    if args.optimizer in ("momentum", "nesterov"):
        momentum = MOMENTUM if args.momentum is None else args.momentum
    return {
        "dataset": args.dataset,
        "limit": args.limit,
        "hidden": preset["hidden"] if args.hidden is None else args.hidden,
        "activation": args.activation,
        "init": init,
        "optimizer": args.optimizer,
        "learning_rate": (
            LEARNING_RATES[args.optimizer] if args.learning_rate is None else args.learning_rate
        ),
        "momentum": momentum,
        "schedule": args.schedule,
        "epochs": preset["epochs"] if args.epochs is None else args.epochs,
        "batch_size": preset["batch_size"] if args.batch_size is None else args.batch_size,
        "weight_decay": args.weight_decay,
        "dropout": args.dropout,
        "input_dropout": args.input_dropout,
        "validation_fraction": args.validation_fraction,
        "early_stopping": args.early_stopping,
        "float32": args.float32,
        "seed": args.seed,
    }


class _Split(NamedTuple):
    """Inputs and labels of one split of a data set, and how to show them."""

    X: np.ndarray  # (n_samples, height * width), grey levels scaled to [0, 1]
    y: np.ndarray  # (n_samples,) int64 labels
    shape: tuple[int, int]  # (height, width) of one image
    name: str  # e.g. "digits, training split (1437 rows)"


def _load_split(args: argparse.Namespace, split: str, dtype: Any) -> _Split:
    """The ``split`` ("train" or "test") of the data set of ``args``, first --limit rows,
    grey levels divided by their maximum (16 for digits, 255 for MNIST)."""
    grey, labels, maximum, shape = labelled_split(args, split)
    X = grey.astype(dtype)
    X /= dtype(maximum)
    part = "training" if split == "train" else "test"
    return _Split(
        X, labels.astype(np.int64), shape, f"{args.dataset}, {part} split ({len(X)} rows)"
    )


def _streams(seed: int) -> dict[str, np.random.SeedSequence]:
    """Independent seed sequences of one --seed: the validation split, the initial weights
    and the training (batch order)."""
    split, init, fit = np.random.SeedSequence(seed).spawn(3)
    return {"split": split, "init": init, "fit": fit}


def _hold_out(
    train_split: _Split, fraction: float, seq: np.random.SeedSequence
) -> tuple[np.ndarray, np.ndarray | None]:
    """(training rows, validation rows or None): ``round(fraction * n)`` random rows held
    out, both sorted."""
    n = train_split.X.shape[0]
    if fraction == 0:
        return np.arange(n), None
    n_valid = round(fraction * n)
    if n_valid < 1 or n_valid > n - 1:
        raise ValueError(
            f"--validation-fraction {fraction:g} of {n} training rows leaves no validation or "
            "no training rows; use 0 to train on every row, or a larger fraction"
        )
    order = np.random.default_rng(seq).permutation(n)
    return np.sort(order[n_valid:]), np.sort(order[:n_valid])


# -- the training and what it writes ----------------------------------------------------------


def _describe(settings: dict[str, Any], sizes: list[int], data: str, n_valid: int) -> str:
    how = settings["optimizer"]
    if settings["momentum"] is not None:
        how += f" (momentum {settings['momentum']:g})"
    held = f"{n_valid} rows held out for validation" if n_valid else "no validation rows"
    return (
        f"Training an MLP {'-'.join(str(n) for n in sizes)} ({settings['activation']} hidden "
        f"units, {settings['init']} initialisation, softmax output) on {data}, {held}: {how}, "
        f"learning rate {settings['learning_rate']:g} ({settings['schedule']} schedule), "
        f"{settings['epochs']} epochs of batches of {settings['batch_size']}"
        + (f", weight decay {settings['weight_decay']:g}" if settings["weight_decay"] else "")
        + (f", dropout {settings['dropout']:g}" if settings["dropout"] else "")
        + (f", input dropout {settings['input_dropout']:g}" if settings["input_dropout"] else "")
        + (
            f", early stopping after {settings['early_stopping']} epochs without progress"
            if settings["early_stopping"]
            else ""
        )
        + f", seed {settings['seed']}."
    )


def _confusion_counts(y_true: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    """C[i, j]: the rows of class i predicted as class j."""
    return np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)


def _fit_options(
    settings: dict[str, Any],
    valid: tuple[np.ndarray, np.ndarray] | None,
    seq: np.random.SeedSequence,
    last: LastEpoch,
    plan: Checkpointing,
) -> dict[str, Any]:
    """The keyword arguments of :func:`~energynets.learning.backprop.fit_mlp` for the
    command's settings."""
    return {
        "optimizer": settings["optimizer"],
        "learning_rate": settings["learning_rate"],
        "n_epochs": settings["epochs"],
        "batch_size": settings["batch_size"],
        "momentum": MOMENTUM if settings["momentum"] is None else settings["momentum"],
        "weight_decay": settings["weight_decay"],
        "dropout": settings["dropout"],
        "input_dropout": settings["input_dropout"],
        "learning_rate_schedule": settings["schedule"],
        "validation_data": valid,
        "early_stopping": settings["early_stopping"],
        "rng": np.random.default_rng(seq),
        "callbacks": [last],
        "progress": True,
        **plan.keyword_arguments(),
    }


def _kept_epoch(history: dict[str, list[Any]], settings: dict[str, Any], interrupted: bool) -> int:
    """The epoch of the network kept (the last, or with early stopping the best); said."""
    n_done = len(history["epoch"])
    kept_epoch = n_done - 1
    if settings["early_stopping"] is not None and not interrupted:
        kept_epoch = int(np.argmin(history["validation_loss"]))  # fit_mlp keeps the first best
        if n_done < settings["epochs"]:
            print(
                f"Stopped early: the validation loss did not improve for "
                f"{settings['early_stopping']} epochs."
            )
        print(f"Keeping the network of epoch {kept_epoch + 1} (lowest validation loss).")
    return kept_epoch


def _evaluate(model: Any, parts: list[tuple[str, np.ndarray, np.ndarray]]) -> dict[str, Any]:
    """Loss and accuracy of the network kept on each (name, X, y) of ``parts``; printed."""
    final: dict[str, Any] = {}
    print(f"  {'':<11} {'loss':>8}  {'accuracy':>8}")
    for part, X, y in parts:
        loss, accuracy = model.evaluate(X, y)
        final[f"{part}_loss"], final[f"{part}_accuracy"] = loss, accuracy
        print(f"  {part:<11} {loss:8.4f}  {accuracy:8.2%}  ({X.shape[0]} rows)")
    return final


def _curve_figure(
    history: dict[str, list[Any]], test_accuracy: float, kept_epoch: int, title: str
) -> Any:
    """learning_curve.png: loss and accuracy per epoch, the epoch kept marked."""
    from matplotlib.figure import Figure

    from energynets import plotting

    fig = Figure(figsize=(9.4, 3.6), layout="constrained")
    ax_loss, ax_acc = fig.subplots(1, 2)
    plotting.learning_curve(history, "loss", ax_loss, title="cross-entropy")
    plotting.learning_curve(
        history,
        "accuracy",
        ax_acc,
        optimum=test_accuracy,
        optimum_label="test split, network kept",
        title="accuracy",
    )
    if kept_epoch != len(history["epoch"]) - 1:
        for ax in (ax_loss, ax_acc):
            ax.axvline(kept_epoch + 1, color="0.5", linestyle=":", linewidth=1.2)
    fig.suptitle(title, fontsize="medium")
    return fig


def _own_figure(ax: Any) -> Any:
    """The figure of ``ax``, a new figure of its own."""
    from matplotlib.figure import Figure

    figure = ax.get_figure()
    assert isinstance(figure, Figure)  # a new figure of its own
    return figure


class _Outcome(NamedTuple):
    """What the training gave: the network kept and what was measured on it."""

    model: Any
    sizes: list[int]  # the layer sizes, input to output
    history: dict[str, list[Any]]  # without the command's own entries
    interrupted: bool  # by Ctrl-C: the network of the last completed epoch
    seconds: float  # of training
    kept_epoch: int
    final: dict[str, Any]  # loss and accuracy on each part of the data
    predicted: np.ndarray  # (n_test,) classes predicted on the test split
    counts: np.ndarray  # (N_CLASSES, N_CLASSES) confusion counts of the test split


def _write_pictures(
    folder: Path, outcome: _Outcome, train_split: _Split, test: _Split, dataset: str
) -> list[Path]:
    """The model, learning_curve.png, confusion_matrix.png and weights.png."""
    from energynets import io, plotting

    io.save(outcome.model, folder / FILES["model"])
    written = [folder / FILES["model"]]
    name = train_split.name.split(",")[0]
    sizes = outcome.sizes
    accuracy = outcome.final["test_accuracy"]
    title = f"training an MLP {'-'.join(map(str, sizes))} on {name}"
    fig = _curve_figure(outcome.history, accuracy, outcome.kept_epoch, title)
    written.append(plotting.save_figure(fig, folder / FILES["curve"]))
    n_right = int(np.trace(outcome.counts))
    ax = plotting.confusion_matrix_plot(
        test.y,
        outcome.predicted,
        n_classes=N_CLASSES,
        class_names=FASHION_CLASSES if dataset == "fashion-mnist" else None,
        title=f"{name}, test split: accuracy {accuracy:.2%} ({n_right} of {test.X.shape[0]})",
    )
    written.append(plotting.save_figure(_own_figure(ax), folder / FILES["confusion"]))
    ax = plotting.rbm_filters(
        outcome.model.weights[0],
        train_split.shape,
        title=f"first-layer weights of {min(sizes[1], 100)} units, {name}",
    )
    written.append(plotting.save_figure(_own_figure(ax), folder / FILES["weights"]))
    return written


def _train(
    train_split: _Split,
    test: _Split,
    rows: tuple[np.ndarray, np.ndarray | None],
    settings: dict[str, Any],
    plan: Checkpointing,
) -> _Outcome:
    """Train the network and print what it learned."""
    from energynets.learning import backprop
    from energynets.models.mlp import MLP

    streams = _streams(settings["seed"])
    train_rows, valid_rows = rows
    data = (train_split.X[train_rows], train_split.y[train_rows])
    valid = None if valid_rows is None else (train_split.X[valid_rows], train_split.y[valid_rows])
    sizes = [train_split.X.shape[1], *settings["hidden"], N_CLASSES]
    init = np.random.default_rng(streams["init"])
    mlp = MLP(
        sizes,
        activation=settings["activation"],
        output="softmax",
        init=settings["init"],
        rng=init,
        dtype=train_split.X.dtype,
    )
    n_valid = 0 if valid is None else valid[0].shape[0]
    print(_describe(settings, sizes, train_split.name, n_valid))
    describe_checkpoints(plan)
    last = LastEpoch(plan)

    options = _fit_options(settings, valid, streams["fit"], last, plan)

    def fit() -> tuple[Any, dict[str, list[Any]]]:
        return backprop.fit_mlp(mlp, *data, **options)  # an attribute: the tests patch it

    trained = train(fit, last, settings["epochs"], "--learning-rate (or --weight-decay)")
    history = own_entries_removed(trained.history)
    n_done = len(history["epoch"])
    print(describe_time(n_done, trained.seconds, plan))
    kept_epoch = _kept_epoch(history, settings, trained.interrupted)

    # what it learned: loss and accuracy of the network kept, on each part of the data
    parts = [("training", *data)]
    if valid is not None:
        parts.append(("validation", *valid))
    parts.append(("test", test.X, test.y))
    final = _evaluate(trained.model, parts)
    predicted = trained.model.predict(test.X)
    counts = _confusion_counts(test.y, predicted, N_CLASSES)
    n_right = int(np.trace(counts))
    print(f"Test accuracy: {final['test_accuracy']:.2%} ({n_right} of {test.X.shape[0]} images).")
    return _Outcome(
        trained.model,
        sizes,
        history,
        trained.interrupted,
        trained.seconds,
        kept_epoch,
        final,
        predicted,
        counts,
    )


def _train_mlp_scene(
    publication: Publication,
    train_split: _Split,
    test: _Split,
    rows: tuple[np.ndarray, np.ndarray | None],
    settings: dict[str, Any],
    plan: Checkpointing,
) -> tuple[list[Path], dict[str, Any]]:
    """Train, print the accuracies, write the files (the history last) and publish them
    together (all of them or none)."""
    use_agg()
    outcome = _train(train_split, test, rows, settings, plan)
    with publication as staging:
        written = _write_pictures(staging, outcome, train_split, test, settings["dataset"])
        summary = _summary(outcome, train_split, test, rows, settings, plan)
        written.append(write_json(jsonable(summary), staging / FILES["history"]))
        return publication.publish(written), summary


def _summary(
    outcome: _Outcome,
    train_split: _Split,
    test: _Split,
    rows: tuple[np.ndarray, np.ndarray | None],
    settings: dict[str, Any],
    plan: Checkpointing,
) -> dict[str, Any]:
    """What history.json holds."""
    model = outcome.model
    train_rows, valid_rows = rows
    return {
        "command": "train-mlp",
        "settings": settings,
        "data": {
            "training": train_split.name,
            "training_rows": int(train_rows.shape[0]),
            "validation_rows": 0 if valid_rows is None else int(valid_rows.shape[0]),
            "test": test.name,
            "image_shape": list(train_split.shape),
        },
        "model": {
            "layer_sizes": outcome.sizes,
            "activation": model.activation,
            "output": model.output,
            "init": settings["init"],
            "n_parameters": model.n_parameters,
            "dtype": str(model.dtype),
            "file": FILES["model"],
        },
        "epochs_completed": len(outcome.history["epoch"]),
        "epoch_kept": outcome.kept_epoch,
        "interrupted": outcome.interrupted,
        "seconds": outcome.seconds,
        "checkpoint": plan.summary(),
        "final": outcome.final,
        "confusion_matrix": outcome.counts,
        "history": outcome.history,
    }


# -- the command ------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    """Run ``energynets train-mlp`` (see the module docstring); return the exit status."""
    settings = _settings(args)
    with output_folder(args.output) as folder:  # locked: the checks below hold till the end
        outputs = [*FILES.values(), MANIFEST_NAME]
        plan = checkpointing(args, add_parser, "fit_mlp", settings, outputs)
        if finished_files(plan, folder, FILES) is not None:  # a run over: it says so
            return 0
        dtype = np.float32 if args.float32 else np.float64
        train_split = _load_split(args, "train", dtype)
        test = _load_split(args, "test", dtype)
        streams = _streams(args.seed)
        rows = _hold_out(train_split, settings["validation_fraction"], streams["split"])
        prepare_checkpoint(plan)
        advice = functools.partial(resume_advice, plan)
        publication = Publication(folder, "train-mlp", advice, list(FILES.values()))
        written, summary = _train_mlp_scene(publication, train_split, test, rows, settings, plan)
    report(written)
    return 130 if summary["interrupted"] else 0
