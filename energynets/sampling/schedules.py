"""Schedules of inverse temperatures for annealed importance sampling, from 0 to 1.

An AIS run moves through 0 = beta_0 < beta_1 < ... < beta_K = 1 (see
:mod:`energynets.sampling.ais`): the schedule never biases the estimate of Z, it only decides
its variance, which is lowest where the steps are small where the intermediate distributions
change fastest. :func:`linear_betas` spaces the betas evenly (the default for a Boltzmann
machine); :func:`salakhutdinov_murray_betas` is the published schedule for RBMs, finer near
beta = 1. :func:`check_betas` checks a schedule given by hand.

References
----------
Neal, R. M. (2001). Annealed importance sampling. Statistics and Computing 11, 125-139.
Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief networks.
ICML 2008, 872-879.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from energynets._validation import as_float_array, check_int

__all__ = ["linear_betas", "salakhutdinov_murray_betas"]


def linear_betas(n_betas: int) -> np.ndarray:
    """``n_betas`` equally spaced inverse temperatures from 0 to 1 (both included).

    Parameters
    ----------
    n_betas : int >= 2

    Returns
    -------
    ndarray of float64, shape (n_betas,)

    References
    ----------
    Neal (2001), see the module notes.

    Examples
    --------
    >>> linear_betas(5)
    array([0.  , 0.25, 0.5 , 0.75, 1.  ])
    """
    n = check_int(n_betas, "n_betas", minimum=2)
    return np.linspace(0.0, 1.0, n)


def salakhutdinov_murray_betas(n_betas: int | None = None) -> np.ndarray:
    """The AIS schedule of Salakhutdinov & Murray (2008): 14,500 steps from 0 to 1.

    0 to 0.5 in steps of 1e-3 (500 steps), 0.5 to 0.9 in steps of 1e-4 (4,000 steps), 0.9 to 1
    in steps of 1e-5 (10,000 steps): finer where the distributions change fastest.

    Parameters
    ----------
    n_betas : int >= 2, optional
        The number of inverse temperatures (0 and 1 included). None gives the published
        schedule (14,501 values); a number gives the same shape with n_betas - 1 steps shared
        among the three segments in the proportions 500 : 4,000 : 10,000 (at least one each;
        ``n_betas`` < 4 gives :func:`linear_betas`). ``n_betas=14501`` is the published schedule.

    Returns
    -------
    ndarray, shape (14501,) or (n_betas,)
        Strictly increasing, starting at exactly 0.0 and ending at exactly 1.0 (each segment
        is a ``numpy.linspace``, so no rounding drift accumulates; the joins 0.5 and 0.9
        appear once).

    References
    ----------
    Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief
    networks. ICML 2008.

    Examples
    --------
    >>> salakhutdinov_murray_betas().shape
    (14501,)
    >>> salakhutdinov_murray_betas(5)
    array([0.  , 0.5 , 0.9 , 0.95, 1.  ])
    """
    if n_betas is None:
        counts = (500, 4000, 10000)
    else:
        n = check_int(n_betas, "n_betas", minimum=2)
        if n < 4:
            return linear_betas(n)
        steps = n - 1
        first = max(1, round(steps * 500 / 14500))
        second = max(1, round(steps * 4000 / 14500))
        counts = (first, second, steps - first - second)
    return np.concatenate(
        [
            np.linspace(0.0, 0.5, counts[0] + 1)[:-1],
            np.linspace(0.5, 0.9, counts[1] + 1)[:-1],
            np.linspace(0.9, 1.0, counts[2] + 1),
        ]
    )


def check_betas(betas: Any) -> np.ndarray:
    """``betas`` as a new float64 array, checked: at least 2 values, strictly increasing from
    exactly 0 (the base distribution) to exactly 1 (the target)."""
    b = np.array(as_float_array(betas, "betas", ndim=1, dtype=np.float64), copy=True)
    if b.shape[0] < 2:
        raise ValueError(f"betas must hold at least 2 values (0 and 1), got {b.shape[0]}")
    if b[0] != 0.0:
        raise ValueError(f"betas must start at 0 (the base distribution), got betas[0] = {b[0]}")
    if b[-1] != 1.0:
        raise ValueError(f"betas must end at 1 (the target model), got betas[-1] = {b[-1]}")
    steps = np.diff(b)
    if np.any(steps <= 0):
        k = int(np.argmax(steps <= 0))
        raise ValueError(
            f"betas must be strictly increasing, got betas[{k + 1}] = {b[k + 1]} "
            f"<= betas[{k}] = {b[k]}"
        )
    return b
