"""What the comparisons share: their data, random streams and argument checks.

- :class:`Stream`: the keys of the independent random streams of one experiment,
  ``rng_stream(entropy, key)``;
- :class:`Data`: the training and test rows of a classification experiment, checked once
  (default: the nudged digits, split at random);
- small argument checks (:func:`check_positive`, :func:`check_counts`, :func:`check_seeds`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from energynets._validation import (
    as_float_array,
    check_float,
    check_int,
    check_int_tuple,
    check_seed,
    rng_stream,
)
from energynets.experiments.compare.data import nudged_digits


class Stream:
    """The keys of the independent random streams of one experiment: rng_stream(entropy, key)."""

    SPLIT, RBM_INIT, RBM_FIT, CLS_INIT, FIT, MLP_INIT, PATTERNS, PROBES = range(8)


def check_positive(value: Any, name: str) -> float:
    """A finite float > 0 (a learning rate)."""
    return check_float(value, name, minimum=0.0, exclusive_minimum=True)


def _items(values: Any, name: str) -> list[Any]:
    """One value (an int) or the values of a non-empty sequence, as a list."""
    if isinstance(values, int | np.integer):
        return [values]
    if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
        raise TypeError(
            f"{name} must be an int or a sequence of ints, got {type(values).__name__} {values!r}"
        )
    items = list(values)
    if not items:
        raise ValueError(f"{name} must hold at least one value")
    return items


def check_counts(values: Any, name: str, minimum: int = 1) -> tuple[int, ...]:
    """One int or a non-empty sequence of ints, each in [``minimum``, MAX_COUNT]."""
    items = _items(values, name)
    return tuple(check_int(v, f"{name}[{i}]", minimum=minimum) for i, v in enumerate(items))


def check_seeds(values: Any, name: str = "seeds") -> tuple[int, ...]:
    """One int seed or a non-empty sequence of them (seeds are not counts: any size)."""
    return tuple(check_seed(v, f"{name}[{i}]") for i, v in enumerate(_items(values, name)))


class Data:
    """Training and test rows of a classification experiment, checked once."""

    def __init__(
        self,
        X: Any,
        y: Any,
        X_test: Any,
        y_test: Any,
        test_fraction: float,
        image_shape: Any,
        entropy: int,
        split_random_state: int | None = None,
    ) -> None:
        self.nudged = X is None
        if X is None:
            if y is not None or X_test is not None or y_test is not None:
                raise ValueError(
                    "X is None (the nudged digits) but y, X_test or y_test was given; pass X "
                    "with them"
                )
            X, y = nudged_digits()
            image_shape = (8, 8) if image_shape is None else image_shape
            self.name = "nudged 8 x 8 digits (scikit-learn's RBM-features example)"
        else:
            self.name = "the given data"
        X, labels = _check_rows(X, y)
        if (X_test is None) != (y_test is None):
            raise ValueError("X_test and y_test must be given together")
        self.split = "given"
        if X_test is None:
            self.X_train, self.y_train, self.X_test, self.y_test = _split(
                X, labels, test_fraction, entropy, split_random_state
            )
            self.split = (
                "at random"
                if split_random_state is None
                else f"train_test_split(random_state={split_random_state})"
            )
        else:
            self.X_train, self.y_train = X, labels
            self.X_test, self.y_test = _check_test_rows(X_test, y_test, X.shape[1])
        self.n_classes = int(max(self.y_train.max(), self.y_test.max())) + 1
        if self.n_classes < 2:
            raise ValueError("y must hold at least 2 classes")
        self.n_inputs = X.shape[1]
        self.image_shape = _check_image_shape(image_shape, self.n_inputs)

    def settings(self) -> dict[str, Any]:
        """The data's part of an experiment's settings."""
        return {
            "data": self.name,
            "nudged": self.nudged,
            "n_train": int(self.X_train.shape[0]),
            "n_test": int(self.X_test.shape[0]),
            "n_inputs": int(self.n_inputs),
            "n_classes": self.n_classes,
        }


def _check_rows(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """X in [0, 1] and one integer label per row."""
    from energynets.models.mlp import check_labels

    X = as_float_array(X, "X", ndim=2, dtype=np.float64)
    if X.min() < 0 or X.max() > 1:
        raise ValueError(
            f"X must hold values in [0, 1] (grey levels for a Bernoulli RBM), got values "
            f"in [{X.min():g}, {X.max():g}]"
        )
    if y is None:
        raise ValueError("y must be given with X (integer class labels, one per row)")
    y_arr = np.asarray(y)
    if y_arr.ndim != 1 or y_arr.shape[0] != X.shape[0]:
        raise ValueError(
            f"y must have one label per row of X ({X.shape[0]}), got shape {y_arr.shape}"
        )
    return X, check_labels(y_arr, int(y_arr.max()) + 1 if y_arr.size else 1, "y")


def _split(
    X: np.ndarray,
    labels: np.ndarray,
    test_fraction: Any,
    entropy: int,
    split_random_state: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, y_train, X_test, y_test): ``test_fraction`` of the rows drawn for testing.

    With ``split_random_state`` the rows of scikit-learn's ``train_test_split(X, y,
    test_size=test_fraction, random_state=split_random_state)``: the first ceil(test_fraction
    n) of ``RandomState(split_random_state).permutation(n)`` for testing (each part kept in
    the order of X); otherwise round(test_fraction n) rows drawn from the experiment's stream.
    """
    frac = check_float(test_fraction, "test_fraction", minimum=0.0, maximum=1.0)
    if split_random_state is None:
        n_test = round(frac * X.shape[0])
    else:
        n_test = int(np.ceil(frac * X.shape[0]))
    if not 1 <= n_test <= X.shape[0] - 1:
        raise ValueError(
            f"test_fraction {frac:g} of {X.shape[0]} rows leaves no test or no training rows"
        )
    if split_random_state is None:
        order = rng_stream(entropy, Stream.SPLIT).permutation(X.shape[0])
    else:
        seed = check_int(split_random_state, "split_random_state", minimum=0, maximum=2**32 - 1)
        # numpy's legacy generator, as scikit-learn seeds it: a local one, not the global state
        order = np.random.RandomState(seed).permutation(X.shape[0])
    test, train = np.sort(order[:n_test]), np.sort(order[n_test:])
    return X[train], labels[train], X[test], labels[test]


def _check_test_rows(X_test: Any, y_test: Any, n_inputs: int) -> tuple[np.ndarray, np.ndarray]:
    """The held-out rows given: the columns of X, one integer label per row."""
    from energynets.models.mlp import check_labels

    Xt = as_float_array(X_test, "X_test", ndim=2, dtype=np.float64)
    if Xt.shape[1] != n_inputs:
        raise ValueError(f"X_test must have the {n_inputs} columns of X, got shape {Xt.shape}")
    yt = np.asarray(y_test)
    if yt.ndim != 1 or yt.shape[0] != Xt.shape[0]:
        raise ValueError(
            f"y_test must have one label per row of X_test ({Xt.shape[0]}), got shape {yt.shape}"
        )
    return Xt, check_labels(yt, int(yt.max()) + 1, "y_test")


def _check_image_shape(image_shape: Any, n_inputs: int) -> tuple[int, int] | None:
    """(height, width) with height * width = n_inputs, or None."""
    if image_shape is None:
        return None
    h, w = check_int_tuple(
        image_shape, "image_shape", length=2, expected="a pair (height, width) of ints"
    )
    if h * w != n_inputs:
        raise ValueError(
            f"image_shape must have height * width = {n_inputs} (the columns of X), got {(h, w)}"
        )
    return (h, w)
