"""Unit states: the spin (+-1) and bit (0/1) conventions and the operations on them.

Hopfield networks and the physics models use spins s in {-1, +1}; restricted Boltzmann
machines use bits b in {0, 1}. The two are related by s = 2 b - 1. Batches of states are
2-D arrays with the sample axis first, ``(n_samples, n_units)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from energynets._validation import (
    RNGLike,
    as_bits,
    as_float_array,
    as_spins,
    check_float,
    check_int,
    check_rng,
)

__all__ = ["MAX_ENUMERATION_UNITS", "all_states", "corrupt", "overlap", "to_bits", "to_spins"]

#: The largest number of units :func:`all_states` will enumerate (2**24 states, 16.7 million).
MAX_ENUMERATION_UNITS = 24


def to_spins(bits: Any) -> np.ndarray:
    """Map bits {0, 1} to spins {-1, +1}: s = 2 b - 1.

    Parameters
    ----------
    bits : array_like of 0 and 1, any shape

    Returns
    -------
    ndarray of float, same shape, values -1 and +1

    References
    ----------
    Hertz, J., Krogh, A. & Palmer, R. G. (1991). Introduction to the Theory of Neural
    Computation. Addison-Wesley, chapter 2.

    Examples
    --------
    >>> to_spins([0, 1, 1])
    array([-1.,  1.,  1.])
    """
    return 2.0 * as_bits(bits, "bits") - 1.0


def to_bits(spins: Any) -> np.ndarray:
    """Map spins {-1, +1} to bits {0, 1}: b = (s + 1) / 2.

    Parameters
    ----------
    spins : array_like of -1 and +1, any shape

    Returns
    -------
    ndarray of float, same shape, values 0 and 1

    Raises
    ------
    ValueError
        If ``spins`` holds a value other than -1 and +1.

    References
    ----------
    Hopfield, J. J. (1982). Neural networks and physical systems with emergent collective
    computational abilities. PNAS 79, 2554-2558 (its units take the values V_i = 0 and 1).

    Hertz, J., Krogh, A. & Palmer, R. G. (1991). Introduction to the Theory of Neural
    Computation. Addison-Wesley, chapter 2.

    Examples
    --------
    >>> to_bits([-1, 1])
    array([0., 1.])
    """
    arr = as_float_array(spins, "spins", allow_empty=True)
    if not np.all(np.abs(arr) == 1.0):
        bad = arr[np.abs(arr) != 1.0].ravel()[:3]
        raise ValueError(f"spins must contain only -1 and +1, got values such as {bad}")
    return (arr + 1.0) / 2.0


def corrupt(patterns: Any, flip_fraction: float = 0.1, rng: RNGLike = 0) -> np.ndarray:
    """Flip exactly ``round(flip_fraction * n_units)`` randomly chosen spins in each row.

    Parameters
    ----------
    patterns : array_like, shape (n_patterns, n_units) or (n_units,)
        Spins +-1. Not modified.
    flip_fraction : float in [0, 1]
        Fraction of the units to flip in every pattern; the count is rounded to the nearest
        integer (Python's round-half-to-even), the same for every row.
    rng : int, Generator or None
        Source of randomness; each row gets its own independent choice of units.

    Returns
    -------
    ndarray, same shape as ``patterns``, float64 spins.

    References
    ----------
    McEliece, R. J., Posner, E. C., Rodemich, E. R. & Venkatesh, S. S. (1987). The capacity
    of the Hopfield associative memory. IEEE Trans. Inf. Theory 33, 461-482 (recall from a
    probe at Hamming distance rho N from a stored pattern).

    Examples
    --------
    >>> x = np.ones((2, 10))
    >>> (corrupt(x, 0.3, rng=0) == -1).sum(axis=1)
    array([3, 3])
    """
    arr, was_1d = as_spins(patterns, "patterns")
    f = check_float(flip_fraction, "flip_fraction", minimum=0.0, maximum=1.0)
    gen = check_rng(rng)
    n_samples, n_units = arr.shape
    n_flip = round(f * n_units)
    if n_flip:
        # argpartition of uniform keys gives an independent uniformly random subset per row
        keys = gen.random((n_samples, n_units))
        idx = np.argpartition(keys, n_flip - 1, axis=1)[:, :n_flip]
        np.negative.at(arr, (np.arange(n_samples)[:, None], idx))
    return arr[0] if was_1d else arr


def overlap(states: Any, patterns: Any) -> np.ndarray:
    """Overlap m = s . xi / N between every state and every pattern.

    m = 1 means identical, m = -1 the mirror image, m near 0 unrelated (random patterns give
    m of order 1/sqrt(N)).

    Parameters
    ----------
    states : array_like, shape (n_states, n_units) or (n_units,)
    patterns : array_like, shape (n_patterns, n_units) or (n_units,)

    Returns
    -------
    ndarray, shape (n_states, n_patterns); a 1-D argument drops its axis.

    References
    ----------
    Amit, D. J., Gutfreund, H. & Sompolinsky, H. (1985). Storing infinite numbers of patterns
    in a spin-glass model of neural networks. Phys. Rev. Lett. 55, 1530-1533 (the overlaps
    as order parameters of the retrieval states).

    Examples
    --------
    >>> overlap([1, 1, -1, -1], [[1, 1, 1, 1], [1, 1, -1, -1]])
    array([0., 1.])
    """
    s, s1 = as_spins(states, "states")
    p, p1 = as_spins(patterns, "patterns")
    if s.shape[1] != p.shape[1]:
        raise ValueError(
            f"states and patterns must have the same number of units, got {s.shape[1]} "
            f"and {p.shape[1]}"
        )
    m = s @ p.T / s.shape[1]
    if s1:
        m = m[0]
    if p1:
        m = m[..., 0]
    return m


def all_states(n_units: int, kind: str = "spins", dtype: Any = np.float64) -> np.ndarray:
    """Every state of ``n_units`` binary units, shape ``(2**n_units, n_units)``.

    Row k is the binary expansion of k with the first unit as the most significant bit, so
    the rows are in lexicographic order with 0 (or -1) before 1.

    Parameters
    ----------
    n_units : int, 0 <= n_units <= MAX_ENUMERATION_UNITS (24)
    kind : {"spins", "bits"}
    dtype : numpy dtype of the result

    Returns
    -------
    ndarray, shape (2**n_units, n_units)
        Values -1 and +1 (``kind="spins"``) or 0 and 1 (``kind="bits"``).

    Examples
    --------
    >>> all_states(2, "bits")
    array([[0., 0.],
           [0., 1.],
           [1., 0.],
           [1., 1.]])
    """
    n = check_int(n_units, "n_units", minimum=0)
    if n > MAX_ENUMERATION_UNITS:
        raise ValueError(
            f"n_units must be <= {MAX_ENUMERATION_UNITS} to enumerate all 2**n_units states "
            f"(2**{n} states would not fit in memory), got {n}"
        )
    if kind not in ("spins", "bits"):
        raise ValueError(f"kind must be 'spins' or 'bits', got {kind!r}")
    return state_rows(n, kind, 0, 2**n, dtype)


def apply_to_rows(checked: tuple[np.ndarray, bool], compute: Callable[[np.ndarray], Any]) -> Any:
    """``compute(rows)`` of a checked batch ``checked = (rows, was_1d)``, and for a single 1-D
    state (``was_1d``) its first row: one state in, one value (or one row) out."""
    rows, was_1d = checked
    out = compute(rows)
    return out[0] if was_1d else out


def state_rows(n_units: int, kind: str, start: int, stop: int, dtype: Any) -> np.ndarray:
    """Rows ``start:stop`` of ``all_states(n_units, kind, dtype)``, without building the rest:
    row k is the binary expansion of k, the first unit most significant (arguments unchecked).
    """
    codes = np.arange(start, stop, dtype=np.int64)[:, None]
    shifts = np.arange(n_units - 1, -1, -1, dtype=np.int64)[None, :]
    bits = ((codes >> shifts) & 1).astype(dtype)
    return 2 * bits - 1 if kind == "spins" else bits
