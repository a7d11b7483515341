"""The targets y of the supervised estimators: class labels, or regression values.

Both checks name y in their messages and use the phrases scikit-learn's checks look for
("requires y to be passed", "Unknown label type: continuous").
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from energynets.estimators._base import DataConversionWarning, as_numbers

__all__ = ["check_class_labels", "check_targets"]


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


def check_class_labels(estimator: Any, X: np.ndarray, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """(classes, indices): the sorted distinct labels and each row's index into them."""
    arr = _require_y(estimator, y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please change the "
            "shape of y to (n_samples,), for example using ravel().",
            DataConversionWarning,
            stacklevel=3,
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
