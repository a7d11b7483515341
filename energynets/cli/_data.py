"""The data sets of the learning commands, loaded and checked for the command line.

The embedded 8 x 8 digits are split into training rows and the last DIGITS_TEST_ROWS test
rows; MNIST and Fashion-MNIST are read from ``--data-home`` (or ``$ENERGYNETS_DATA``), with an
error that says which options to give when their files are missing. ``train-rbm`` and
``eval-rbm`` binarise the grey levels block by block, with the seed streams of
:func:`rbm_streams`, so that the same ``--seed`` gives the same bits in both commands.
"""

from __future__ import annotations

import argparse
from typing import Any, NamedTuple

import numpy as np

from energynets.cli._args import add_count, add_data_home, add_limit

#: Rows at the end of the embedded digits set that form its test split (the rest: training).
DIGITS_TEST_ROWS = 360
#: The data sets of train-rbm and eval-rbm.
DATASETS = ("bars-and-stripes", "digits", "mnist", "fashion-mnist")
BINARIZE = ("stochastic", "threshold")
#: train-rbm's: "dynamic" trains on the grey levels, binarised anew at every visit.
TRAIN_BINARIZE = (*BINARIZE, "dynamic")
#: Rows binarised at a time (bounded memory on the 60,000 rows of MNIST).
_BINARIZE_ROWS = 10000


class RBMData(NamedTuple):
    """Binary rows of a data set split and how to show them."""

    rows: np.ndarray  # (n_samples, height * width) of 0.0 / 1.0
    shape: tuple[int, int]  # (height, width) of one image
    name: str  # e.g. "digits, training split (1437 rows, stochastic binarisation)"
    #: --binarize dynamic, training split: the grey levels in [0, 1] that fit_rbm binarises
    #: anew at every visit (``rows`` is then one stochastic binarisation, for the reports)
    grey: np.ndarray | None = None


# -- the options ------------------------------------------------------------------------------


def add_dataset_options(p: argparse.ArgumentParser, *, evaluate: bool) -> None:
    """--dataset, --size, (--split,) --data-home, --binarize and --limit of train-rbm
    (``evaluate`` False) and eval-rbm."""
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
    add_count(
        p,
        "--size",
        "N",
        "side of the bars-and-stripes images (default: "
        + ("the model's, sqrt(n_visible))" if evaluate else "3)"),
        minimum=2,
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
    add_data_home(p)
    p.add_argument(
        "--binarize",
        choices=BINARIZE if evaluate else TRAIN_BINARIZE,
        default=None,
        help=(
            "grey levels to bits for digits and MNIST: each pixel on with probability equal "
            "to its intensity (seeded by --seed, the convention of Salakhutdinov & Murray), "
            "or on above half intensity"
            + (
                ""
                if evaluate
                else ", or (dynamic) the training images binarised stochastically anew "
                "every time the training visits them, the validation split once"
            )
            + " (default: stochastic)"
        ),
    )
    add_limit(p)


def check_data_home(args: argparse.Namespace) -> None:
    """--data-home belongs to MNIST and Fashion-MNIST: a one-line error otherwise."""
    if args.data_home is not None and args.dataset not in ("mnist", "fashion-mnist"):
        raise ValueError(
            f"--data-home applies to --dataset mnist and fashion-mnist, got --dataset "
            f"{args.dataset}"
        )


def check_dataset_options(args: argparse.Namespace) -> None:
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
    check_data_home(args)


# -- grey levels and labels -------------------------------------------------------------------


def load_mnist(dataset: str, split: str, data_home: str | None) -> tuple[np.ndarray, np.ndarray]:
    """The images and labels of the ``split`` of MNIST or Fashion-MNIST (``dataset``), with
    an error naming the command's options when the files are missing."""
    from energynets import datasets

    loader = datasets.load_mnist if dataset == "mnist" else datasets.load_fashion_mnist
    try:
        return loader(split, data_home=data_home)
    except FileNotFoundError as exc:
        # the library's message ends with advice for Python callers (data_home=,
        # download=True): keep its first sentence and give the command's options instead
        first = str(exc).split(". ")[0]
        raise FileNotFoundError(
            f"--dataset {dataset}: {first}. Put the original *-ubyte.gz files in a "
            f"folder {dataset}/ and give the folder above it with --data-home or "
            "ENERGYNETS_DATA"
        ) from None


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
        grey, labels = load_mnist(args.dataset, split, args.data_home)
        maximum, shape = 255.0, (28, 28)
    if args.limit is not None:
        grey, labels = grey[: args.limit], labels[: args.limit]
    return grey, labels, maximum, shape


def grey_split(args: argparse.Namespace, split: str) -> tuple[np.ndarray, float, tuple[int, int]]:
    """The grey levels of a digits / MNIST split (first --limit rows), their maximum, shape."""
    grey, _, maximum, shape = labelled_split(args, split)
    return grey, maximum, shape


# -- bits -------------------------------------------------------------------------------------


def rbm_streams(seed: int) -> dict[str, np.random.SeedSequence]:
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


def binarized_chunks(
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


def load_bits(
    args: argparse.Namespace, split: str, streams: dict[str, np.random.SeedSequence], dtype: Any
) -> RBMData:
    """The rows of ``split`` ("train" or "test") of the data set of ``args``, as bits."""
    from energynets import datasets

    if args.dataset == "bars-and-stripes":
        n = 3 if args.size is None else args.size
        rows = datasets.bars_and_stripes(n).astype(dtype)
        if args.limit is not None:
            rows = rows[: args.limit]
        return RBMData(rows, (n, n), f"bars-and-stripes {n} x {n} ({rows.shape[0]} patterns)")
    grey, maximum, shape = grey_split(args, split)
    mode = args.binarize or "stochastic"
    rule = "threshold" if mode == "threshold" else "stochastic"
    rows = np.empty(grey.shape, dtype=dtype)
    for start, bits in binarized_chunks(grey, rule, maximum, streams[split], dtype):
        rows[start : start + bits.shape[0]] = bits
    part = "training" if split == "train" else "test"
    if mode == "dynamic" and split == "train":
        levels = np.divide(grey, maximum, dtype=dtype)
        name = f"{args.dataset}, training split ({rows.shape[0]} rows, binarised anew every visit)"
        return RBMData(rows, shape, name, levels)
    return RBMData(
        rows,
        shape,
        f"{args.dataset}, {part} split ({rows.shape[0]} rows, {rule} binarisation)",
    )
