"""Markov chain diagnostics: autocorrelation, integrated autocorrelation time, effective sample
size, acceptance rates.

Successive states of a Markov chain are correlated, so n correlated samples carry the
information of fewer independent ones. For a stationary scalar series x_t (an energy, a
magnetisation) with normalised autocorrelation function

    rho(t) = Cov(x_s, x_{s+t}) / Var(x_s),

the integrated autocorrelation time

    tau = 1 + 2 sum_{t>=1} rho(t)

is the factor by which correlation inflates the variance of the sample mean,
Var(mean) ~ tau Var(x) / n, and n / tau is the effective sample size. tau is estimated with
Sokal's automatic window: tau(M) = 1 + 2 sum_{t=1}^{M} rho(t), with M the smallest window such
that M >= c tau(M), c = 5, which balances the bias of a short window against the noise of a
long one. The estimate is reliable when the series is much longer than tau (say > 50 tau).

References
----------
Sokal, A. (1997). Monte Carlo methods in statistical mechanics: foundations and new
algorithms. In Functional Integration (Cargese 1996), NATO ASI Series B 361, 131-192.
Goodman, J. & Weare, J. (2010). Ensemble samplers with affine invariance. Comm. App. Math.
Comp. Sci. 5, 65-80 (averaging the autocorrelation over chains before windowing).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from energynets._validation import as_float_array, check_float, check_int
from energynets.sampling.gibbs import ChainResult
from energynets.sampling.tempering import TemperingState

__all__ = [
    "acceptance_summary",
    "autocorrelation",
    "effective_sample_size",
    "integrated_autocorrelation_time",
]

#: Sokal's window constant: the window M is the smallest with M >= SOKAL_C * tau(M).
SOKAL_C = 5.0


def _series(x: Any) -> np.ndarray:
    """A time series as float64 (n_steps, n_chains), at least 2 steps."""
    arr = as_float_array(x, "x", ndim=(1, 2), dtype=np.float64)
    arr = arr[:, None] if arr.ndim == 1 else arr
    if arr.shape[0] < 2:
        raise ValueError(f"x must have at least 2 steps (rows), got shape {arr.shape}")
    return arr


def autocorrelation(x: Any, max_lag: int | None = None) -> np.ndarray:
    """Normalised autocorrelation function rho(t), averaged over chains, by FFT.

    For each chain the mean is subtracted and the autocovariance
    C(t) = (1/n) sum_{s=0}^{n-1-t} (x_s - mean)(x_{s+t} - mean) is computed with a zero-padded
    FFT (O(n log n)); the autocovariances are averaged over chains and divided by their value at
    lag 0, so rho(0) = 1.

    Parameters
    ----------
    x : array_like, shape (n_steps,) or (n_steps, n_chains)
        One series, or one per chain (columns), e.g. ``ChainResult.energies``.
    max_lag : int, optional
        The largest lag returned, 0 <= max_lag < n_steps; default n_steps - 1.

    Returns
    -------
    ndarray, shape (max_lag + 1,)
        rho(0), ..., rho(max_lag); NaN everywhere when every chain is constant (the
        autocorrelation of a constant series is undefined).

    References
    ----------
    Sokal, A. (1997). Monte Carlo methods in statistical mechanics: foundations and new algorithms.
    In Functional Integration, NATO ASI Series B 361, 131-192.

    Goodman, J. & Weare, J. (2010). Ensemble samplers with affine invariance. Comm. App. Math. Comp.
    Sci. 5, 65-80.

    Examples
    --------
    >>> rho = autocorrelation([1.0, -1.0, 1.0, -1.0])
    >>> rho[:2]
    array([ 1.  , -0.75])
    """
    arr = _series(x)
    n = arr.shape[0]
    lag = n - 1 if max_lag is None else check_int(max_lag, "max_lag", minimum=0, maximum=n - 1)
    centred = arr - arr.mean(axis=0)
    # a chain that never moves is constant, but its mean can differ from its values in the last
    # bit; treat deviations at rounding level as exactly zero
    scale = np.abs(arr).max(axis=0, initial=0.0)
    centred[np.abs(centred) <= 1e-12 * scale] = 0.0
    size = 1 << int(2 * n - 1).bit_length()  # >= 2n - 1: no wrap-around
    spectrum = np.fft.rfft(centred, n=size, axis=0)
    acov = np.fft.irfft(spectrum * np.conj(spectrum), n=size, axis=0)[: lag + 1] / n
    acov = acov.mean(axis=1)
    if acov[0] <= 0.0:
        return np.full(lag + 1, np.nan)
    return acov / acov[0]


def integrated_autocorrelation_time(x: Any, c: float = SOKAL_C) -> float:
    """Integrated autocorrelation time tau = 1 + 2 sum_t rho(t), with Sokal's window.

    tau(M) = 1 + 2 sum_{t=1}^{M} rho(t) for the smallest M with M >= c tau(M); if no window of
    the series qualifies (series too short for its correlation), the largest one is used.

    Parameters
    ----------
    x : array_like, shape (n_steps,) or (n_steps, n_chains)
    c : float > 0
        Sokal's window constant (5 by default; larger for slowly decaying correlations).

    Returns
    -------
    float
        tau >= 0 in steps (sweeps); 1 for independent samples, (1 + a) / (1 - a) for an AR(1)
        process x_t = a x_{t-1} + noise. NaN for constant series.

    References
    ----------
    Sokal, A. (1997), section 3 (see the module notes).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=20000)
    >>> bool(abs(integrated_autocorrelation_time(x) - 1.0) < 0.1)
    True
    """
    window_c = check_float(c, "c", minimum=0.0, exclusive_minimum=True)
    rho = autocorrelation(x)
    if np.isnan(rho[0]):
        return float("nan")
    taus = 2.0 * np.cumsum(rho) - 1.0  # taus[M] = 1 + 2 sum_{t=1}^{M} rho(t)
    ok = np.arange(taus.size) >= window_c * taus
    window = int(np.argmax(ok)) if ok.any() else taus.size - 1
    return float(taus[window])


def effective_sample_size(x: Any) -> float:
    """Effective number of independent samples: n_steps * n_chains / tau.

    Parameters
    ----------
    x : array_like, shape (n_steps,) or (n_steps, n_chains)

    Returns
    -------
    float
        NaN for constant series.

    References
    ----------
    Sokal, A. (1997). Monte Carlo methods in statistical mechanics: foundations and new algorithms.
    In Functional Integration, NATO ASI Series B 361, 131-192.

    Examples
    --------
    Independent draws give about as many effective samples as there are draws; a slowly moving
    series far fewer:

    >>> x = np.random.default_rng(0).standard_normal(1000)
    >>> 800 < effective_sample_size(x) < 1200
    True
    >>> effective_sample_size(np.cumsum(x)) < 50
    True
    """
    arr = _series(x)
    tau = integrated_autocorrelation_time(arr)
    return float(arr.shape[0] * arr.shape[1] / tau) if tau > 0 else float("nan")


def _summary(values: np.ndarray, prefix: str) -> dict[str, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        nan = float("nan")
        return {f"{prefix}mean": nan, f"{prefix}min": nan, f"{prefix}max": nan}
    return {
        f"{prefix}mean": float(finite.mean()),
        f"{prefix}min": float(finite.min()),
        f"{prefix}max": float(finite.max()),
    }


def acceptance_summary(result: Any) -> dict[str, Any]:
    """Acceptance and exchange rates as plain floats, ready for a JSON summary.

    Parameters
    ----------
    result : ChainResult, TemperingState, or the (TemperingState, ChainResult) pair returned by
        :func:`~energynets.sampling.tempering.parallel_tempering`

    Returns
    -------
    dict
        For a ChainResult: ``n_chains`` and the ``mean``, ``min`` and ``max`` over chains of the
        acceptance (Metropolis: accepted / proposed flips; Gibbs: fraction of updates that
        changed the unit); NaN when no sweep was run. For a TemperingState: ``swap_rates`` (a
        list, one per neighbouring pair of the ladder) and their ``swap_mean``, ``swap_min``,
        ``swap_max``. For the pair, both.

    Examples
    --------
    >>> import numpy as np
    >>> res = ChainResult(np.ones((2, 3)), None, np.zeros((2, 2)), np.array([0.25, 0.75]))
    >>> acceptance_summary(res)
    {'n_chains': 2, 'mean': 0.5, 'min': 0.25, 'max': 0.75}
    """
    if isinstance(result, tuple) and len(result) == 2:
        state, chain = result
        if isinstance(state, TemperingState) and isinstance(chain, ChainResult):
            return {**acceptance_summary(chain), **acceptance_summary(state)}
    if isinstance(result, ChainResult):
        acc = np.asarray(result.acceptance, dtype=np.float64)
        return {"n_chains": int(acc.size), **_summary(acc, "")}
    if isinstance(result, TemperingState):
        rates = result.swap_rates
        return {"swap_rates": [float(r) for r in rates], **_summary(rates, "swap_")}
    raise TypeError(
        "result must be a ChainResult, a TemperingState or a (TemperingState, ChainResult) "
        f"pair, got {type(result).__name__}"
    )
