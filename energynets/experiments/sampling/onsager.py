"""Exact results for the 2D Ising model, the yardstick of the sampling experiments.

Onsager's critical temperature T_c = 2 J / ln(1 + sqrt 2) (Kramers & Wannier 1941; Onsager
1944), the energy per spin of the infinite square lattice (Onsager 1944) and its spontaneous
magnetisation (1 - sinh(2 J / T)^-4)^(1/8) below T_c (Yang 1952).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from energynets._validation import as_float_array, check_float

__all__ = [
    "ONSAGER_TC",
    "onsager_critical_temperature",
    "onsager_energy",
    "onsager_magnetisation",
]

#: Onsager's critical temperature of the square-lattice Ising model, J = k_B = 1.
ONSAGER_TC = 2.0 / math.log(1.0 + math.sqrt(2.0))


def _check_coupling(coupling: Any) -> float:
    return check_float(coupling, "coupling", minimum=0.0, exclusive_minimum=True)


def check_temperatures(temperature: Any, name: str = "temperature") -> np.ndarray:
    """Temperatures as a float64 array of any shape, all > 0 (a ValueError naming ``name``)."""
    t = as_float_array(temperature, name, dtype=np.float64)
    if np.any(t <= 0):
        raise ValueError(f"{name} must be > 0, got values such as {t[t <= 0].ravel()[:3]}")
    return t


def onsager_critical_temperature(coupling: float = 1.0) -> float:
    """Critical temperature of the square-lattice Ising model: T_c = 2 J / ln(1 + sqrt 2).

    Parameters
    ----------
    coupling : float > 0
        The ferromagnetic coupling J (k_B = 1).

    Returns
    -------
    float
        2.269185... J.

    References
    ----------
    Kramers, H. A. & Wannier, G. H. (1941), Phys. Rev. 60, 252; Onsager (1944).

    Examples
    --------
    >>> round(onsager_critical_temperature(), 6)
    2.269185
    """
    return _check_coupling(coupling) * ONSAGER_TC


def onsager_magnetisation(temperature: Any, coupling: float = 1.0) -> np.ndarray:
    """Spontaneous magnetisation per spin of the infinite square-lattice Ising model.

        M(T) = (1 - sinh(2 J / T)^-4)^(1/8)  for T < T_c,   0 for T >= T_c,

    the limit of ``<|m|>`` as the lattice grows (stated by Onsager, first proved by Yang 1952).
    It vanishes as (T_c - T)^(1/8) at the transition.

    Parameters
    ----------
    temperature : array_like of float > 0, any shape
    coupling : float > 0
        J.

    Returns
    -------
    ndarray, the shape of ``temperature``

    References
    ----------
    Yang, C. N. (1952). Phys. Rev. 85, 808-816.

    Examples
    --------
    >>> onsager_magnetisation([1.0, 2.0, 2.5]).round(4)
    array([0.9993, 0.9113, 0.    ])
    """
    t = check_temperatures(temperature)
    j = _check_coupling(coupling)
    with np.errstate(over="ignore"):
        x = 1.0 - np.sinh(2.0 * j / t) ** -4.0
    return np.where(t < j * ONSAGER_TC, np.clip(x, 0.0, None) ** 0.125, 0.0)


def onsager_energy(temperature: Any, coupling: float = 1.0) -> np.ndarray:
    """Energy per spin of the infinite square-lattice Ising model (Onsager 1944).

    With K = J / T and kappa = 2 sinh(2K) / cosh(2K)^2,

        u(T) = -J coth(2K) [1 + (2 / pi) (2 tanh(2K)^2 - 1) K_1(kappa)],

    K_1 the complete elliptic integral of the first kind (``scipy.special.ellipk(kappa^2)``).
    u -> -2 J as T -> 0, u(T_c) = -sqrt(2) J, u ~ -2 J tanh(J / T) at high temperature.

    Parameters
    ----------
    temperature, coupling : array_like of float > 0 (any shape), float > 0
        T and J, as for :func:`onsager_magnetisation`.

    Returns
    -------
    ndarray, the shape of ``temperature``
        u(T) per spin.

    References
    ----------
    Onsager (1944), the energy per site from the partition function of the square lattice.

    Examples
    --------
    >>> onsager_energy([1.0, ONSAGER_TC]).round(4)
    array([-1.9972, -1.4142])
    """
    from scipy.special import ellipk

    t = check_temperatures(temperature)
    j = _check_coupling(coupling)
    k2 = 2.0 * j / t
    kappa_sq = (2.0 * np.sinh(k2) / np.cosh(k2) ** 2) ** 2
    # at T_c kappa = 1: K_1 diverges (logarithmically) where its prefactor vanishes linearly
    with np.errstate(divide="ignore", invalid="ignore"):
        elliptic = (2.0 / np.pi) * (2.0 * np.tanh(k2) ** 2 - 1.0) * ellipk(kappa_sq)
    elliptic = np.where(np.isfinite(elliptic), elliptic, 0.0)
    return -j / np.tanh(k2) * (1.0 + elliptic)
