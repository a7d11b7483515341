"""The energy functions of the package, as plain functions of parameters and states.

Every model in energynets is an energy over states; these functions are the single place where
each energy is written down. Models call them; the exact oracle and the tests call them too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from energynets._validation import as_float_array

__all__ = ["quadratic_energy", "quadratic_fields"]


def _check_quadratic(
    states: Any, weights: Any, bias: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three arguments of a quadratic energy as float arrays of matching shapes (the
    states in the weights' dtype), or a ValueError / TypeError naming the one that is wrong."""
    w = as_float_array(weights, "weights", ndim=2, allow_empty=True)
    if w.shape[0] != w.shape[1]:
        raise ValueError(f"weights must be a square matrix (n_units, n_units), got {w.shape}")
    n = w.shape[0]
    b = as_float_array(bias, "bias", ndim=1, dtype=w.dtype, allow_empty=True)
    if b.shape != (n,):
        raise ValueError(f"bias must have shape ({n},) to match weights {w.shape}, got {b.shape}")
    s = as_float_array(states, "states", ndim=2, dtype=w.dtype, allow_empty=True)
    if s.shape[1] != n:
        raise ValueError(
            f"states must have {n} columns (one per unit of weights {w.shape}), got shape {s.shape}"
        )
    return s, w, b


def quadratic_fields(states: Any, weights: Any, bias: Any) -> np.ndarray:
    """Local fields h = s W + b of a quadratic (Hopfield / Boltzmann) energy.

    Parameters
    ----------
    states : array_like, shape (n_samples, n_units)
        Finite numbers (spins or bits; any real values are allowed).
    weights : array_like, shape (n_units, n_units), symmetric
    bias : array_like, shape (n_units,)

    Returns
    -------
    ndarray, shape (n_samples, n_units)
        h_i = sum_j W_ij s_j + b_i, so that with a zero diagonal the energy change of flipping
        unit i is 2 s_i h_i (spins).

    Raises
    ------
    ValueError, TypeError
        Naming the argument that is not a finite real array of the right shape.

    References
    ----------
    Hertz, J., Krogh, A. & Palmer, R. G. (1991). Introduction to the Theory of Neural Computation.
    Addison-Wesley, chapter 2 (the local field h_i).

    Hopfield, J. J. (1982). Neural networks and physical systems with emergent collective
    computational abilities. PNAS 79, 2554-2558.
    """
    return unchecked_fields(*_check_quadratic(states, weights, bias))


def unchecked_fields(states: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """:func:`quadratic_fields` without the checks (for models that checked already)."""
    return states @ weights + bias


def quadratic_energy(states: Any, weights: Any, bias: Any) -> np.ndarray:
    """Energy E(s) = -1/2 s^T W s - b^T s, vectorised over the rows of ``states``.

    Parameters
    ----------
    states : array_like, shape (n_samples, n_units)
    weights : array_like, shape (n_units, n_units), symmetric
    bias : array_like, shape (n_units,)

    Returns
    -------
    ndarray, shape (n_samples,)

    References
    ----------
    Hopfield, J. J. (1982). Neural networks and physical systems with emergent collective
    computational abilities. PNAS 79, 2554-2558.

    Raises
    ------
    ValueError, TypeError
        Naming the argument that is not a finite real array of the right shape.
    """
    return unchecked_energy(*_check_quadratic(states, weights, bias))


def unchecked_energy(states: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """:func:`quadratic_energy` without the checks (for models that checked already)."""
    return -0.5 * np.einsum("bi,bi->b", states @ weights, states) - states @ bias
