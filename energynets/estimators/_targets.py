"""The targets y of the supervised estimators: class labels, or regression values.

Both checks name y in their messages and use the phrases scikit-learn's checks look for
("requires y to be passed", "Unknown label type: continuous").
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from energynets.estimators._base import DataConversionWarning, as_numbers

__all__ = [
    "check_class_labels",
    "check_label_array",
    "check_multilabel",
    "check_sample_weight",
    "check_targets",
    "is_multilabel",
]


def _check_n_rows(X: np.ndarray, y: np.ndarray, y_name: str = "y") -> None:
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"{y_name} must have one entry per row of X: X has {X.shape[0]} rows, {y_name} "
            f"has {y.shape[0]}"
        )


def _require_y(estimator: Any, y: Any) -> np.ndarray:
    if y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y is None"
        )
    try:
        arr = np.asarray(y)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"y must be a rectangular array: {exc}") from None
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"y must be real-valued: Complex data not supported, got {arr.dtype}")
    return arr


def is_multilabel(y: Any) -> bool:
    """Whether ``y`` is a label-indicator matrix: 2-D with at least 2 columns."""
    arr = np.asarray(y) if y is not None else None
    return arr is not None and arr.ndim == 2 and arr.shape[1] > 1


def check_multilabel(estimator: Any, X: np.ndarray, y: Any) -> np.ndarray:
    """A multilabel target: a 2-D array of 0/1 (or bool), one row per row of X, as int64."""
    arr = as_numbers(_require_y(estimator, y), "y")
    _check_n_rows(X, arr)
    if not np.all((arr == 0) | (arr == 1)):
        raise ValueError(
            "y must be a label-indicator matrix of 0 and 1 for a multilabel problem (a 2-D y "
            "with several columns), got other values"
        )
    return arr.astype(np.int64)


def check_sample_weight(sample_weight: Any, n_samples: int) -> np.ndarray | None:
    """``sample_weight`` as a float64 array of shape (n_samples,), finite and >= 0, or None."""
    if sample_weight is None:
        return None
    arr = np.asarray(sample_weight, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(n_samples, float(arr))
    if arr.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must have shape ({n_samples},), one weight per row of X, got "
            f"shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError("sample_weight must hold finite numbers >= 0")
    if not np.any(arr > 0):
        raise ValueError("sample_weight must contain at least one non-zero number, got all 0")
    return arr


def check_class_labels(estimator: Any, X: np.ndarray, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """(classes, indices): the sorted distinct labels and each row's index into them."""
    arr = check_label_array(estimator, X, y)
    try:
        classes, indices = np.unique(arr, return_inverse=True)
    except TypeError as exc:
        raise TypeError(f"y must hold labels of one comparable type: {exc}") from None
    if classes.shape[0] < 2:
        raise ValueError(
            f"y must hold at least 2 classes to train {type(estimator).__name__}, got 1 class "
            f"({classes[0]!r})"
        )
    return classes, indices.reshape(-1).astype(np.int64)


def check_label_array(estimator: Any, X: np.ndarray, y: Any) -> np.ndarray:
    """y as a 1-D array of class labels, one per row of X (a column vector is flattened with
    a warning)."""
    arr = _require_y(estimator, y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please change the "
            "shape of y to (n_samples,), for example using ravel().",
            DataConversionWarning,
            stacklevel=4,
        )
        arr = arr.ravel()
    if arr.ndim != 1:
        raise ValueError(
            f"y must be a 1-D array of class labels (one per row of X), got shape {arr.shape}"
        )
    _check_n_rows(X, arr)
    if arr.dtype == object:
        values = [v for v in arr.tolist() if isinstance(v, float)]
        if values and not all(np.isfinite(v) and v == round(v) for v in values):
            raise ValueError(
                "Unknown label type: continuous; y must hold class labels (integers or "
                "strings), got non-integer numbers"
            )
    elif np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)):
            raise ValueError("y must contain only finite values (no NaN or inf)")
        if np.any(arr != np.round(arr)):
            raise ValueError(
                "Unknown label type: continuous; y must hold class labels (integers or "
                f"strings), got non-integer values such as {arr[arr != np.round(arr)][:3]}"
            )
    return arr


def check_targets(estimator: Any, X: np.ndarray, y: Any) -> np.ndarray:
    """Regression targets as a float64 array of shape (n_samples,) or (n_samples, n_outputs)."""
    arr = as_numbers(_require_y(estimator, y), "y")
    if arr.ndim not in (1, 2):
        raise ValueError(f"y must be a 1-D or 2-D array of targets, got shape {arr.shape}")
    _check_n_rows(X, arr)
    if arr.ndim == 2 and arr.shape[1] == 0:
        raise ValueError(f"y must have at least one column (output), got shape {arr.shape}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError("y must contain only finite values (no NaN or inf)")
    return arr


def validation_split(
    n_samples: int, fraction: float, gen: np.random.Generator, strata: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(train_rows, validation_rows): ceil(fraction n) rows held out, at random.

    With ``strata`` (one class index per row) the split is stratified: each class gives its
    share of the validation rows (rounded, the remainders to the largest fractions), which
    needs at least 2 rows per class.
    """
    counts = None if strata is None else np.bincount(strata)
    if counts is not None and counts[counts > 0].min() < 2:
        raise ValueError(
            f"The least populated classes in y have only {counts[counts > 0].min()} member, "
            "which is too few. The minimum number of groups for any class cannot be less than "
            "2 (to hold out a stratified validation split). Classes with too few members are: "
            f"{_few_names(counts)}"
        )
    n_valid = int(np.ceil(fraction * n_samples))
    if n_valid < 2 or n_samples - n_valid < 1:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' or the size of "
            f"your dataset (validation_fraction={fraction} of {n_samples} rows gives "
            f"{n_valid} validation rows; at least 2 are needed, and 1 training row)."
        )
    if counts is None:
        order = gen.permutation(n_samples)
        return np.sort(order[n_valid:]), np.sort(order[:n_valid])
    share = counts * (n_valid / n_samples)
    take = np.floor(share).astype(np.int64)
    rest = n_valid - int(take.sum())
    take[np.argsort(-(share - take), kind="stable")[:rest]] += 1
    valid = []
    for c in np.flatnonzero(counts):
        rows = np.flatnonzero(strata == c)
        valid.append(rows[gen.permutation(rows.shape[0])[: take[c]]])
    held = np.zeros(n_samples, dtype=bool)
    held[np.concatenate(valid)] = True
    return np.flatnonzero(~held), np.flatnonzero(held)


def _few_names(counts: np.ndarray) -> list[str]:
    """The classes with fewer than 2 rows, named as the strata of a binary problem are
    ('True' for the positive class, as scikit-learn's split names them) or by index."""
    few = [int(c) for c in np.flatnonzero((counts > 0) & (counts < 2))]
    if counts.shape[0] == 2:
        return [str(bool(c)) for c in few]
    return [str(c) for c in few]
