"""Statistics of chains: means with errors over independent chains, tau, ESS and R-hat.

Every chain is independent, so the standard error of a mean is the spread of the chains'
means, and that of a nonlinear statistic a jackknife over the chains (Newman & Barkema 1999);
integrated autocorrelation times use Sokal's automatic window (Sokal 1997), and the
Gelman-Rubin R-hat (Gelman & Rubin 1992) tells chains stuck in different valleys apart.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from energynets._validation import as_float_array
from energynets.sampling.diagnostics import autocorrelation, integrated_autocorrelation_time

__all__ = ["gelman_rubin"]


def stderr_over_chains(per_chain: np.ndarray) -> float:
    """Standard error of the mean of independent chains' estimates (NaN with one chain)."""
    k = per_chain.size
    return float(np.std(per_chain, ddof=1) / math.sqrt(k)) if k > 1 else float("nan")


def jackknife(x: np.ndarray, statistic: Any) -> tuple[float, float]:
    """statistic(x) and its jackknife standard error over the chains (columns of x).

    Leaving out one chain at a time, SE^2 = (K - 1) / K sum_k (theta_(k) - mean theta)^2;
    the chains are independent, so this holds however correlated each chain is in time.
    """
    value = float(statistic(x))
    k = x.shape[1]
    if k < 2:
        return value, float("nan")
    keep = ~np.eye(k, dtype=bool)
    leave_one_out = np.array([statistic(x[:, keep[c]]) for c in range(k)])
    return value, float(
        math.sqrt((k - 1) / k * np.sum((leave_one_out - leave_one_out.mean()) ** 2))
    )


def gelman_rubin(x: Any) -> float:
    """The potential scale reduction factor R-hat of chains of a scalar (Gelman & Rubin 1992).

    With n steps of K chains, W the mean within-chain variance and B / n the variance of the
    chain means,

        R-hat = sqrt(((n - 1) / n W + B / n) / W).

    Near 1 when every chain explores the same distribution; well above 1 (say > 1.1) when the
    chains are stuck in different regions, which a per-chain autocorrelation time cannot see.

    Parameters
    ----------
    x : array_like, shape (n_steps, n_chains)

    Returns
    -------
    float
        NaN with fewer than 2 chains or steps, or when every chain is constant and all agree;
        inf when every chain is constant but they disagree.

    References
    ----------
    Gelman, A. & Rubin, D. B. (1992). Statistical Science 7, 457-472.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(1000, 4))
    >>> bool(abs(gelman_rubin(x) - 1.0) < 0.01)
    True
    """
    arr = as_float_array(x, "x", ndim=2, dtype=np.float64)
    n, k = arr.shape
    if n < 2 or k < 2:
        return float("nan")
    within = float(np.mean(np.var(arr, axis=0, ddof=1)))
    between = n * float(np.var(arr.mean(axis=0), ddof=1))
    rounding = (1e-12 * max(1.0, float(np.max(np.abs(arr))))) ** 2  # variance of rounding
    within = within if within > rounding else 0.0
    between = between if between > n * rounding else 0.0
    if within == 0.0:
        return float("nan") if between == 0.0 else float("inf")
    return float(math.sqrt(((n - 1) / n * within + between / n) / within))


def _is_constant(x: np.ndarray) -> bool:
    """Whether every chain of ``x`` (n, K) is constant up to rounding.

    Such series have no autocorrelation; they are caught here because the mean of identical
    floats can differ from them in the last bit, which would read as a perfectly correlated
    constant offset.
    """
    scale = max(1.0, float(np.max(np.abs(x))))
    return bool(np.all(np.ptp(x, axis=0) <= 1e-12 * scale))


def series_record(name: str, x: np.ndarray) -> dict[str, Any]:
    """Mean, standard error over chains, spread, tau, ESS and R-hat of a series (n, K).

    tau and ESS are NaN when every chain is constant (e.g. all sitting in the ground state).
    """
    tau = float("nan") if _is_constant(x) else integrated_autocorrelation_time(x)
    ess = x.size / tau if tau > 0 else float("nan")
    return {
        "observable": name,
        "mean": float(x.mean()),
        "stderr": stderr_over_chains(x.mean(axis=0)),
        "std": float(x.std()),
        "tau": tau,
        "ess": float(ess),
        "rhat": gelman_rubin(x),
    }


def autocorrelation_curve(x: np.ndarray, tau: float) -> np.ndarray:
    """rho(t) up to a lag that shows its decay: about 10 tau, at least 20, at most 1000.

    NaN for series whose chains are all constant."""
    reach = 20 if not np.isfinite(tau) else max(20, math.ceil(10.0 * tau))
    max_lag = min(x.shape[0] - 1, reach, 1000)
    if _is_constant(x):
        return np.full(max_lag + 1, np.nan)
    return autocorrelation(x, max_lag=max_lag)
