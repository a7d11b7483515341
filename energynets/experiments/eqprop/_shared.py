"""What the equilibrium-propagation experiments share: distances between gradients, fitted
log-log slopes and the checks of their arguments.

A gradient here is a list of arrays (one per layer); :func:`relative_error` and
:func:`cosine` compare two of them as one long vector.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from energynets._validation import check_float, check_int


def flat(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """The arrays of a gradient, one after the other, as one float64 vector."""
    return np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])


def relative_error(estimate: Sequence[np.ndarray], reference: Sequence[np.ndarray]) -> float:
    """||estimate - reference|| / ||reference|| over all layers (inf for a zero reference)."""
    a, b = flat(estimate), flat(reference)
    norm = float(np.linalg.norm(b))
    return float(np.linalg.norm(a - b)) / norm if norm > 0 else float("inf")


def cosine(a: Sequence[np.ndarray], b: Sequence[np.ndarray]) -> float:
    """The cosine of the angle between two gradients (0 when either is zero)."""
    u, v = flat(a), flat(b)
    norm = float(np.linalg.norm(u) * np.linalg.norm(v))
    return float(u @ v) / norm if norm > 0 else 0.0


def loglog_fit(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """The slope of the least-squares line through (log x, log y), and the largest distance
    of a point from that line in decades (how far the points are from a power law); NaN
    unless every y > 0."""
    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if xs.size < 2 or not np.all(np.isfinite(ys) & (ys > 0)):
        return float("nan"), float("nan")
    slope, intercept = np.polyfit(np.log10(xs), np.log10(ys), 1)
    off = np.abs(np.log10(ys) - (slope * np.log10(xs) + intercept))
    return float(slope), float(off.max())


def check_sizes(layer_sizes: Any, name: str = "layer_sizes") -> tuple[int, ...]:
    """Layer sizes [n_input, n_1, ..., n_out], each >= 1, with at least one hidden layer."""
    sizes = tuple(check_int(v, f"{name}[{i}]", minimum=1) for i, v in enumerate(layer_sizes))
    if len(sizes) < 3:
        raise ValueError(
            f"{name} must give an input, at least one hidden layer and an output, got {list(sizes)}"
        )
    return sizes


def check_betas(betas: Any) -> tuple[float, ...]:
    """At least two nudging strengths > 0, largest first."""
    values = [check_float(b, f"betas[{i}]", minimum=0.0, exclusive_minimum=True)
              for i, b in enumerate(betas)]  # fmt: skip
    if len(set(values)) < 2:
        raise ValueError(f"betas must hold at least two different values, got {values}")
    return tuple(sorted(set(values), reverse=True))
