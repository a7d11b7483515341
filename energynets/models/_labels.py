"""Class labels and target matrices: what the supervised models compare their outputs with.

:func:`check_labels` and :func:`one_hot` serve every model with a softmax over classes;
:func:`target_matrix` is the check behind :meth:`energynets.MLP.check_targets`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from energynets._validation import as_float_array

__all__ = ["check_labels", "one_hot", "target_matrix"]


def check_labels(y: Any, n_classes: int, name: str = "y") -> np.ndarray:
    """Integer class labels in [0, n_classes) as a 1-D int64 array (a new array).

    Float arrays are accepted when every value is a whole number (e.g. labels read from a
    text file); booleans, fractions, NaN and out-of-range labels are refused with a message
    naming ``name``.
    """
    arr = y if isinstance(y, np.ndarray) else np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(
            f"{name} must be a 1-D array of integer class labels, got shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must not be empty")
    if arr.dtype == np.bool_ or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must contain only finite values (no NaN or inf)")
        fractional = arr[arr != np.round(arr)]
        if fractional.size:
            raise ValueError(
                f"{name} must hold integer class labels, got non-integer values such as "
                f"{fractional[:3].tolist()}"
            )
    lo, hi = arr.min(), arr.max()
    if lo < 0 or hi >= n_classes:
        raise ValueError(
            f"{name} must hold class labels in [0, {n_classes}) for the {n_classes} output "
            f"units, got values in [{lo:g}, {hi:g}]"
        )
    return arr.astype(np.int64)


def one_hot(labels: np.ndarray, n_classes: int, dtype: Any = np.float64) -> np.ndarray:
    """The one-hot matrix of integer labels, shape (n_samples, n_classes)."""
    out = np.zeros((labels.shape[0], n_classes), dtype=dtype)
    out[np.arange(labels.shape[0]), labels] = 1.0
    return out


def target_matrix(
    y: Any, output: str, n_outputs: int, n_samples: int, dtype: Any, name: str = "y"
) -> np.ndarray:
    """The targets of a network with ``n_outputs`` units of kind ``output`` as a new matrix T,
    shape (n_samples, n_outputs), of ``dtype`` (see :meth:`energynets.MLP.check_targets`)."""
    k = n_outputs
    if output == "softmax":
        labels = check_labels(y, k, name)
        if labels.shape[0] != n_samples:
            raise ValueError(
                f"{name} must have one label per row of X: X has {n_samples} rows, {name} "
                f"has {labels.shape[0]}"
            )
        return one_hot(labels, k, dtype)
    arr = as_float_array(y, name, ndim=(1, 2), dtype=dtype)
    if arr.ndim == 1:
        if k != 1:
            raise ValueError(
                f"{name} must have shape (n_samples, {k}) for {k} outputs, got {arr.shape}"
            )
        arr = arr[:, None]
    if arr.shape != (n_samples, k):
        raise ValueError(
            f"{name} must have shape ({n_samples}, {k}) (one row per row of X, one column "
            f"per output), got {arr.shape}"
        )
    if output == "sigmoid" and (arr.min() < 0 or arr.max() > 1):
        raise ValueError(
            f"{name} must lie in [0, 1] for sigmoid outputs, got values in "
            f"[{arr.min():g}, {arr.max():g}]"
        )
    return np.array(arr, dtype=dtype, order="C", copy=True)
