"""Storage (learning) rules of the classical Hopfield network.

Each rule maps patterns xi^mu in {-1, +1}^N (the rows of ``patterns``) to a symmetric weight
matrix with zero diagonal:

- Hebbian (Hopfield 1982): W = (1/N) sum_mu xi^mu xi^mu^T, diagonal set to zero. The 1/N
  scaling makes the local fields O(1) and the signal term of a stored pattern equal to
  (N - 1)/N; the dynamics at zero temperature do not depend on the scale.
- Storkey (1997): a local, incremental rule whose capacity grows as N / sqrt(2 ln N).
- Pseudo-inverse / projection (Personnaz, Guyon & Dreyfus 1985): W is the orthogonal projector
  onto the span of the patterns, W = X^T (X X^T)^+ X, diagonal set to zero; every linearly
  independent pattern is a fixed point for P < N.

Rules are functions of (patterns, previous weights) so that storage can be incremental.
"""

from __future__ import annotations

import numpy as np

__all__ = ["RULES", "hebbian", "pseudoinverse", "storkey"]

RULES = ("hebbian", "storkey", "pseudoinverse")


def hebbian(patterns: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Hebbian weights W_ij = (1/N) sum_mu xi_i^mu xi_j^mu (i != j), added to ``weights``.

    Parameters
    ----------
    patterns : ndarray, shape (n_patterns, n_units), spins +-1
    weights : ndarray, shape (n_units, n_units), optional
        Weights of patterns stored earlier; the Hebbian rule is additive, so storing patterns
        one batch at a time gives exactly the weights of storing them all at once.

    Returns
    -------
    ndarray, shape (n_units, n_units), a new array.

    References
    ----------
    Hopfield, J. J. (1982). Neural networks and physical systems with emergent collective
    computational abilities. PNAS 79, 2554-2558.

    Examples
    --------
    >>> hebbian(np.array([[1.0, -1.0, 1.0]])) * 3
    array([[ 0., -1.,  1.],
           [-1.,  0., -1.],
           [ 1., -1.,  0.]])
    """
    n_units = patterns.shape[1]
    w = patterns.T @ patterns
    w /= n_units
    np.fill_diagonal(w, 0.0)
    if weights is not None:
        w += weights
    return w


def storkey(patterns: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Storkey's (1997) incremental rule, O(N^2) per pattern.

    For each pattern xi in turn, with h_ij = sum_{k != i, j} W_ik xi_k,

        W_ij <- W_ij + (1/N) (xi_i xi_j - xi_i h_ji - h_ij xi_j),

    which, with h_i = sum_k W_ik xi_k and a zero diagonal, is the vectorised update
    dW = (1/N) (xi xi^T - xi h^T - h xi^T + 2 W); the diagonal is kept at zero.

    Parameters
    ----------
    patterns : ndarray, shape (n_patterns, n_units)
    weights : ndarray, shape (n_units, n_units), optional
        Starting weights (zero when None); storage continues from them.

    Returns
    -------
    ndarray, shape (n_units, n_units), a new array.

    References
    ----------
    Storkey, A. (1997). Increasing the capacity of a Hopfield network without sacrificing
    functionality. ICANN'97, LNCS 1327, 451-456.
    """
    n_units = patterns.shape[1]
    w = np.zeros((n_units, n_units), dtype=patterns.dtype) if weights is None else weights.copy()
    inv_n = 1.0 / n_units
    for xi in patterns:
        h = w @ xi
        # dW = (xi xi^T - xi h^T - h xi^T) / N + 2 W / N; written so W stays exactly symmetric
        u = np.outer(xi, h)
        u += u.T
        w *= 1.0 + 2.0 * inv_n
        w += inv_n * (np.outer(xi, xi) - u)
        np.fill_diagonal(w, 0.0)
    return w


def pseudoinverse(patterns: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Projection-rule weights W = X^T (X X^T)^+ X with zero diagonal.

    The projector maps every pattern onto itself; removing the diagonal (W_ii = P/N on average)
    scales the field of unit i by (1 - P_ii) > 0, so the patterns stay fixed points while
    P < N. ``weights`` is ignored: the projector depends on all patterns together, and
    :meth:`energynets.HopfieldNetwork.store` recomputes it from every stored pattern.

    Parameters
    ----------
    patterns : ndarray, shape (n_patterns, n_units), spins +-1
    weights : ndarray, shape (n_units, n_units), optional
        Ignored (accepted so that every rule has the same signature).

    Returns
    -------
    ndarray, shape (n_units, n_units), a new array.

    References
    ----------
    Personnaz, L., Guyon, I. & Dreyfus, G. (1985). Information storage and retrieval in
    spin-glass like neural networks. J. Physique Lett. 46, L359-L365.

    Examples
    --------
    >>> xi = np.array([[1.0, 1.0, -1.0, -1.0], [1.0, -1.0, 1.0, -1.0]])
    >>> w = pseudoinverse(xi)
    >>> bool(np.all(np.sign(xi @ w) == xi))  # every pattern is a fixed point
    True
    """
    del weights
    # pinv via SVD is stable for rank-deficient pattern sets (duplicates, P > N)
    w = np.linalg.pinv(patterns) @ patterns
    w = 0.5 * (w + w.T)
    np.fill_diagonal(w, 0.0)
    return w
