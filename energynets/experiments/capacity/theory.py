"""The published capacities of Hopfield networks and dense memories, as formulas.

What the measurements of :mod:`energynets.experiments.capacity` are compared with: the
Hebbian one-step bit error 1/2 erfc(sqrt(1 / (2 alpha))) and the critical load alpha_c = 0.138
(Amit, Gutfreund & Sompolinsky 1985; Hertz, Krogh & Palmer 1991), the fixed-point capacities
of the Hebbian rule N / (2 ln N) (McEliece et al. 1987) and of the Storkey rule
N / sqrt(2 ln N) (Storkey 1997), and those of the dense associative memories,
N^(n-1) / (2 (2n-3)!! ln N) for F(z) = z^n (Krotov & Hopfield 2016) and exponential in N for
F(z) = exp(z) (Demircigil et al. 2017). Full citations in :mod:`energynets.experiments.capacity`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import erfc

from energynets._validation import as_float_array, check_float, check_int

__all__ = [
    "ALPHA_C",
    "demircigil_capacity",
    "double_factorial",
    "krotov_hopfield_capacity",
    "mceliece_capacity",
    "one_step_error_theory",
    "storkey_capacity",
]

#: Critical load P / N of the Hebbian network, above which the retrieval states disappear
#: (Amit, Gutfreund & Sompolinsky 1985).
ALPHA_C = 0.138


def one_step_error_theory(alpha: ArrayLike) -> np.ndarray:
    """Large-N probability that a stored bit of the Hebbian network is unstable.

    With W = (1/N) sum_mu xi^mu xi^mu^T the field on bit i of pattern nu is a signal of 1 plus
    a crosstalk term, a sum of about P N random +-1/N terms, which is Gaussian with variance
    alpha = P / N. The bit flips on the first update when the crosstalk is below -1:

        P_err = 1/2 erfc(sqrt(1 / (2 alpha))).

    It is 0.001 at alpha = 0.105, 0.0036 at 0.138, 0.01 at 0.185 and 0.05 at 0.370
    (Hertz, Krogh & Palmer 1991, eq. 2.13 and table 2.1). At finite N the exact argument is
    sqrt(N / (2 P)), so pass P / N for alpha.

    Parameters
    ----------
    alpha : array_like of float > 0
        Loads P / N, any shape.

    Returns
    -------
    ndarray of float, the shape of ``alpha`` (0-d for a scalar).

    References
    ----------
    Hertz, J., Krogh, A. & Palmer, R. G. (1991). Introduction to the Theory of Neural Computation.
    Addison-Wesley, chapter 2.

    Amit, D. J., Gutfreund, H. & Sompolinsky, H. (1985). Storing infinite numbers of patterns in a
    spin-glass model of neural networks. Phys. Rev. Lett. 55, 1530-1533.

    Examples
    --------
    >>> float(one_step_error_theory(0.138))  # doctest: +ELLIPSIS
    0.0035...
    """
    a = as_float_array(alpha, "alpha", dtype=np.float64)
    if np.any(a <= 0):
        bad = a[a <= 0].ravel()[:3]
        raise ValueError(f"alpha must be > 0 (a load P / N), got values such as {bad}")
    return np.asarray(0.5 * erfc(np.sqrt(1.0 / (2.0 * a))))


def check_n_units_for_log(n_units: Any) -> int:
    """N for a formula in ln N, which needs N >= 2 (ln N > 0)."""
    return check_int(n_units, "n_units", minimum=2)


def mceliece_capacity(n_units: int, all_patterns: bool = False) -> float:
    """Hebbian capacity for error-free fixed points (McEliece et al. 1987).

    The number of random patterns that the Hebbian network stores as exact fixed points with
    probability tending to one as N -> infinity:

        P_max = N / (2 ln N)   (almost every pattern is a fixed point),
        P_max = N / (4 ln N)   (all patterns are fixed points at once).

    Parameters
    ----------
    n_units : int >= 2
        N, the number of units.
    all_patterns : bool
        Ask for the stricter criterion that every pattern be a fixed point.

    Returns
    -------
    float

    References
    ----------
    McEliece, R. J., Posner, E. C., Rodemich, E. R. & Venkatesh, S. S. (1987). The capacity of the
    Hopfield associative memory. IEEE Trans. Inf. Theory 33, 461-482.

    Examples
    --------
    >>> round(mceliece_capacity(1000), 1), round(mceliece_capacity(1000, all_patterns=True), 1)
    (72.4, 36.2)
    """
    n = check_n_units_for_log(n_units)
    if not isinstance(all_patterns, bool | np.bool_):
        raise TypeError(f"all_patterns must be a bool, got {type(all_patterns).__name__}")
    return n / ((4.0 if all_patterns else 2.0) * math.log(n))


def storkey_capacity(n_units: int) -> float:
    """Capacity of the Storkey (1997) learning rule: P_max = N / sqrt(2 ln N).

    Parameters
    ----------
    n_units : int >= 2

    Returns
    -------
    float

    References
    ----------
    Storkey, A. (1997). Increasing the capacity of a Hopfield network without sacrificing
    functionality. ICANN'97, LNCS 1327, 451-456.

    Examples
    --------
    >>> round(storkey_capacity(1000))
    269
    """
    n = check_n_units_for_log(n_units)
    return n / math.sqrt(2.0 * math.log(n))


def double_factorial(k: int) -> int:
    """k!! = k (k - 2) (k - 4) ... down to 1 or 2; (-1)!! = 0!! = 1.

    Parameters
    ----------
    k : int >= -1

    Returns
    -------
    int

    Examples
    --------
    >>> double_factorial(5), double_factorial(6), double_factorial(-1)
    (15, 48, 1)
    """
    k = check_int(k, "k", minimum=-1)
    return math.prod(range(k, 0, -2)) if k > 0 else 1


def krotov_hopfield_capacity(n_units: int, degree: int) -> float:
    """Error-free capacity of the dense associative memory with F(z) = z^n.

    The number of random patterns that are all stable under one update, for large N
    (Krotov & Hopfield 2016, eq. 6):

        P_max = N^(n - 1) / (2 (2n - 3)!! ln N).

    n = 2 gives N / (2 ln N), the Hebbian result of McEliece et al. (1987).

    Parameters
    ----------
    n_units : int >= 2
    degree : int >= 2

    Returns
    -------
    float

    References
    ----------
    Krotov, D. & Hopfield, J. J. (2016). Dense associative memory for pattern recognition. NeurIPS
    2016, 1172-1180.

    Examples
    --------
    >>> round(krotov_hopfield_capacity(100, 4))  # 100^3 / (2 * 15 * ln 100)
    7238
    """
    n = check_n_units_for_log(n_units)
    k = check_int(degree, "degree", minimum=2)
    return n ** (k - 1) / (2.0 * double_factorial(2 * k - 3) * math.log(n))


def demircigil_capacity(n_units: int, flip_fraction: float = 0.0) -> float:
    """Capacity of the exponential dense memory F(z) = exp(z): exponential in N.

    The sufficient condition that Demircigil et al. (2017) prove for F(z) = exp(z): with
    M = exp(a N) + 1 patterns drawn independently and uniformly from {-1, +1}^N,
    0 < a < ln(2) / 2 and a noise level rho in [0, 1/2) (rho N an integer), a probe drawn
    uniformly from the Hamming sphere of radius rho N around a stored pattern is mapped onto
    that pattern in one step (every unit's update computed from the probe), with probability
    tending to 1 as N -> infinity, provided

        a < I(1 - 2 rho) / 2,   I(x) = ((1 + x) ln(1 + x) + (1 - x) ln(1 - x)) / 2.

    This returns the largest load the condition covers, exp(N I(1 - 2 rho) / 2) (the "+ 1"
    of M dropped); without noise (rho = 0, I(1) = ln 2) it is 2^(N / 2). It is an
    asymptotic, sufficient condition (a lower bound on the capacity), not a threshold at
    which retrieval is shown to fail, and not a guarantee at finite N.

    Parameters
    ----------
    n_units : int >= 1
        N.
    flip_fraction : float in [0, 1/2)
        rho, the fraction of the probe's bits flipped.

    Returns
    -------
    float
        exp(N I(1 - 2 rho) / 2); inf when it exceeds the float range.

    References
    ----------
    Demircigil, M., Heusel, J., Loewe, M., Upgang, S. & Vermet, F. (2017). On a model of associative
    memory with huge storage capacity. J. Stat. Phys. 168, 288-299 (arXiv:1702.01929).

    Examples
    --------
    >>> demircigil_capacity(40) == 2.0**20
    True
    >>> demircigil_capacity(4096)  # 2^2048, beyond the float range
    inf
    """
    n = check_int(n_units, "n_units", minimum=1)
    rho = check_float(flip_fraction, "flip_fraction", minimum=0.0)
    if rho >= 0.5:
        raise ValueError(f"flip_fraction must be < 0.5, got {rho}")
    x = 1.0 - 2.0 * rho
    info = 0.5 * ((1 + x) * math.log1p(x) + ((1 - x) * math.log1p(-x) if x < 1 else 0.0))
    try:
        # rho = 0: 2^(N/2) exactly (I(1) = ln 2), rather than exp(N ln 2 / 2) rounded
        return 2.0 ** (n / 2.0) if rho == 0.0 else math.exp(n * info / 2.0)
    except OverflowError:
        return math.inf
