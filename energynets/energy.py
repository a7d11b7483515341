"""The energy functions of the package, as plain functions of parameters and states.

Every model in energynets is an energy over states; these functions are the single place where
each energy is written down. Models call them; the exact oracle and the tests call them too.
"""

from __future__ import annotations

import numpy as np

__all__ = ["quadratic_energy", "quadratic_fields"]


def quadratic_fields(states: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Local fields h = s W + b of a quadratic (Hopfield / Boltzmann) energy.

    Parameters
    ----------
    states : ndarray, shape (n_samples, n_units)
    weights : ndarray, shape (n_units, n_units), symmetric
    bias : ndarray, shape (n_units,)

    Returns
    -------
    ndarray, shape (n_samples, n_units): h_i = sum_j W_ij s_j + b_i, so that with a zero
    diagonal the energy change of flipping unit i is 2 s_i h_i (spins) .
    """
    return states @ weights + bias


def quadratic_energy(states: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Energy E(s) = -1/2 s^T W s - b^T s, vectorised over the rows of ``states``.

    Parameters
    ----------
    states : ndarray, shape (n_samples, n_units)
    weights : ndarray, shape (n_units, n_units), symmetric
    bias : ndarray, shape (n_units,)

    Returns
    -------
    ndarray, shape (n_samples,)

    References
    ----------
    Hopfield, J. J. (1982). Neural networks and physical systems with emergent collective
    computational abilities. PNAS 79, 2554-2558.
    """
    return -0.5 * np.einsum("bi,bi->b", states @ weights, states) - states @ bias
