"""Softmax (one-of-K) groups of the visible units of an RBM: their entries, clamps and labels.

A group names K >= 2 visible units of which exactly one is on (the label block of a
classification RBM, Larochelle & Bengio 2008). :func:`energynets.models.rbm.check_softmax_groups`
validates the whole ``softmax_groups`` argument with :func:`group_units`; the model describes
groups in its messages with :func:`describe_group`, checks clamp masks with
:func:`check_clamp` and computes the exact label conditional with
:func:`label_probabilities`.

References
----------
Larochelle, H. & Bengio, Y. (2008). Classification using discriminative restricted Boltzmann
machines. ICML 2008, 536-543.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from energynets._validation import as_float_array
from energynets.models._units import softmax

__all__ = [
    "check_clamp",
    "check_rows_sum_to_one",
    "describe_group",
    "disjoint_groups",
    "group_units",
    "label_probabilities",
]


def group_units(group: Any, i: int, n_visible: int) -> np.ndarray:
    """The visible indices of one entry of ``softmax_groups`` (see check_softmax_groups)."""
    where = f"softmax_groups[{i}]"
    if isinstance(group, slice):
        return np.arange(n_visible, dtype=np.int64)[group]
    if isinstance(group, tuple):
        if len(group) != 2 or not all(
            isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in group
        ):
            raise ValueError(
                f"{where} must be a (start, stop) pair of ints, a slice or a list of visible "
                f"indices, got the tuple {group!r}"
            )
        start, stop = int(group[0]), int(group[1])
        if not 0 <= start <= stop <= n_visible:
            raise ValueError(
                f"{where} = (start, stop) must satisfy 0 <= start <= stop <= n_visible = "
                f"{n_visible}, got {group!r}"
            )
        return np.arange(start, stop, dtype=np.int64)
    if isinstance(group, str | bytes) or isinstance(group, numbers.Number):
        raise TypeError(
            f"{where} must be a (start, stop) pair, a slice or a list of visible indices, got "
            f"{type(group).__name__} {group!r}"
        )
    arr = np.asarray(group)
    if arr.ndim != 1 or not (arr.size == 0 or np.issubdtype(arr.dtype, np.integer)):
        raise TypeError(
            f"{where} must be a 1-D list of int visible indices, got an array of shape "
            f"{arr.shape} and dtype {arr.dtype}"
        )
    units = arr.astype(np.int64)
    if units.size and (units.min() < 0 or units.max() >= n_visible):
        bad = units[(units < 0) | (units >= n_visible)][0]
        raise ValueError(
            f"{where} must hold visible indices in [0, {n_visible}) (n_visible = {n_visible}), "
            f"got {int(bad)}"
        )
    return units


def disjoint_groups(items: list[Any], n_visible: int) -> tuple[np.ndarray, ...]:
    """One read-only int64 index array per entry of ``items``: each of at least 2 distinct
    units, no unit in two groups (the checks of check_softmax_groups on the entries)."""
    owner = np.full(n_visible, -1, dtype=np.int64)
    out = []
    for i, group in enumerate(items):
        units = group_units(group, i, n_visible)
        if units.size < 2:
            raise ValueError(
                f"softmax_groups[{i}] must hold at least 2 visible units (a one-of-K group of "
                f"one unit is always on), got {units.size} unit(s): {units.tolist()}"
            )
        uniq, counts = np.unique(units, return_counts=True)
        if np.any(counts > 1):
            raise ValueError(
                f"softmax_groups[{i}] must not repeat a visible unit, got unit "
                f"{int(uniq[counts > 1][0])} twice"
            )
        taken = owner[units] >= 0
        if np.any(taken):
            unit = int(units[taken][0])
            raise ValueError(
                f"softmax_groups must be disjoint, got visible unit {unit} in both "
                f"softmax_groups[{int(owner[unit])}] and softmax_groups[{i}]"
            )
        owner[units] = i
        units.setflags(write=False)
        out.append(units)
    return tuple(out)


def describe_group(units: np.ndarray) -> str:
    """``(start, stop)`` for a run of consecutive increasing indices, else the list."""
    if np.array_equal(units, np.arange(units[0], units[0] + units.size)):
        return f"({int(units[0])}, {int(units[0]) + units.size})"
    return str(units.tolist())


def check_rows_sum_to_one(
    groups: tuple[np.ndarray, ...], v: np.ndarray, name: str, tolerance: float
) -> None:
    """Raise ValueError naming ``name``, the first row and the group, unless every group of
    every row of ``v`` sums to 1 within ``tolerance`` (see ``RBM.check_group_rows``)."""
    for i, g in enumerate(groups):
        if v.shape[0] == 0:
            return
        total = v[:, g].sum(axis=1, dtype=np.float64)
        bad = np.abs(total - 1.0) > tolerance
        if np.any(bad):
            row = int(np.argmax(bad))
            raise ValueError(
                f"{name} must have exactly one unit on in each softmax group (values "
                f"summing to 1 over the group), got row {row} summing to {total[row]:g} "
                f"over softmax_groups[{i}] = {describe_group(g)}"
            )


def check_clamp(groups: tuple[np.ndarray, ...], clamp: Any, shape: tuple[int, ...]) -> np.ndarray:
    """The clamp mask broadcast to ``shape``; a softmax group is clamped whole or not."""
    try:
        mask = np.broadcast_to(np.asarray(clamp, dtype=bool), shape)
    except ValueError:
        raise ValueError(
            f"clamp must be a bool mask of shape ({shape[1]},) or {shape}, got shape "
            f"{np.shape(clamp)}"
        ) from None
    for i, g in enumerate(groups):
        part = mask[:, g]
        if np.any(part.any(axis=1) != part.all(axis=1)):
            raise ValueError(
                f"clamp must hold each softmax group whole or leave it free (a one-of-K "
                f"group cannot be partly clamped), got softmax_groups[{i}] = "
                f"{describe_group(g)} partly clamped"
            )
    return mask


def _rows_with_placeholder_label(rbm: Any, v: Any, g: np.ndarray, group: int) -> np.ndarray:
    """Full visible rows from ``v`` (full rows, or the units outside group ``g``), checked,
    with the group's units set to 0."""
    k = g.size
    nv = rbm.n_visible
    arr = as_float_array(v, "v", ndim=(1, 2), dtype=rbm.dtype, allow_empty=True)
    arr2 = arr[None, :] if arr.ndim == 1 else arr
    if arr2.shape[1] == nv:
        full = np.array(arr2, copy=True)
    elif arr2.shape[1] == nv - k:
        rest = np.ones(nv, dtype=bool)
        rest[g] = False
        full = np.zeros((arr2.shape[0], nv), dtype=rbm.dtype)
        full[:, rest] = arr2
    else:
        raise ValueError(
            f"v must have {nv} columns (n_visible; the label group's columns are ignored) "
            f"or {nv - k} (the visible units outside softmax_groups[{group}]), got shape "
            f"{arr.shape}"
        )
    full[:, g] = 0.0
    full[:, g[0]] = 1.0  # a valid placeholder label, so that check_visible can run
    rbm.check_visible(full, "v")
    full[:, g[0]] = 0.0
    return full


def label_probabilities(rbm: Any, v: Any, g: np.ndarray, group: int) -> np.ndarray:
    """Exact p(v_g = e_k | rest of v), shape (n_samples, K) (see ``RBM.label_probabilities``).

    -F(x, e_k) = a_k + sum_j softplus(b_j + W_kj + sum_{i not in g} x_i W_ij) + const,
    normalised by a softmax over k, in blocks of rows of about 2**20 elements.
    """
    k = g.size
    full = _rows_with_placeholder_label(rbm, v, g, group)
    x0 = full @ rbm.weights + rbm.hidden_bias  # hidden input without the label
    w_label = rbm.weights[g]  # (K, n_hidden)
    a_label = rbm.visible_bias[g]
    out = np.empty((full.shape[0], k), dtype=rbm.dtype)
    rows = max(1, 2**20 // (k * rbm.n_hidden))
    for start in range(0, full.shape[0], rows):
        xb = x0[start : start + rows, None, :] + w_label[None, :, :]
        logits = a_label + np.logaddexp(0, xb).sum(axis=2)
        out[start : start + rows] = softmax(logits)
    return out
