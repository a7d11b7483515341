"""The exact check of a sampler: its histogram against the Boltzmann distribution.

For systems of at most :data:`MAX_EXACT_UNITS` units the sampled states, thinned to one per
ceil(5 tau) sweeps so that they are close to independent, are counted in cells (states up to
10 units, energy levels above) and compared with ``exact.probabilities`` by Pearson's
chi-square test, cells with an expected count below 5 pooled into one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from energynets.experiments._report import jsonable
from energynets.models.boltzmann import BoltzmannMachine

__all__ = ["MAX_EXACT_UNITS", "HistogramCheck"]

#: Systems with at most this many units get a histogram test against the exact distribution.
MAX_EXACT_UNITS = 16
# Up to this many units the histogram is over states (2**10 = 1024 cells), above over energies.
_MAX_STATE_HISTOGRAM_UNITS = 10
# Thin the histogram samples to one per _THIN_TAUS autocorrelation times: the residual
# correlation exp(-5) inflates the chi-square statistic by about 1%.
_THIN_TAUS = 5.0


def _chi_square(counts: np.ndarray, probs: np.ndarray) -> tuple[float, int, float]:
    """Chi-square goodness of fit; cells with expected count below 5 pooled into one."""
    from scipy import stats

    n = counts.sum()
    expected = probs * n
    small = expected < 5.0
    observed = counts[~small]
    expect = expected[~small]
    if small.any():
        observed = np.append(observed, counts[small].sum())
        expect = np.append(expect, expected[small].sum())
    if observed.size < 2 or n == 0:
        return float("nan"), 0, float("nan")
    expect = expect * (n / expect.sum())  # exact totals despite rounding in probs
    res = stats.chisquare(observed, expect)
    return float(res.statistic), int(observed.size - 1), float(res.pvalue)


@dataclass(frozen=True)
class HistogramCheck:
    """Sampled histogram against the exact Boltzmann distribution, with a chi-square test.

    Attributes
    ----------
    kind : {"states", "energies"}
        Cells are states (systems of at most 10 units) or energy levels (11 to 16 units).
    labels : ndarray, shape (n_cells,)
        States: the index of each state in ``exact.probabilities`` (its units read as a binary
        number, first unit most significant); energies: the energy level E.
    counts : ndarray of int, shape (n_cells,)
        How many of the thinned samples fell in each cell.
    probabilities : ndarray, shape (n_cells,)
        The exact probability of each cell at the sampled temperature.
    n_samples : int
        The thinned samples: every chain's state after each ``thin``-th sweep after burn-in.
    thin : int
        ceil(5 tau), tau the largest integrated autocorrelation time of E and m, so that the
        samples are close to independent, as the test assumes.
    chi2, dof, p_value : float, int, float
        Pearson's statistic, its degrees of freedom (cells with expected count below 5 pooled
        into one), and the p-value. A small p-value (say < 1e-3) means the sampler is wrong or
        has not mixed. chi2 and p_value are NaN (and dof 0) when there is nothing to test: no
        samples were kept, or so few that pooling leaves fewer than two cells (under 10
        samples always do).

    Examples
    --------
    >>> from energynets.experiments.sampling import sample_system
    >>> res = sample_system("ring", "gibbs", n_chains=8, n_sweeps=300, burn_in=50, rng=0)
    >>> check = res.histogram
    >>> check.kind, check.labels.shape, bool(check.p_value > 1e-3)
    ('states', (512,), True)
    """

    kind: str
    labels: np.ndarray
    counts: np.ndarray
    probabilities: np.ndarray
    n_samples: int
    thin: int
    chi2: float
    dof: int
    p_value: float

    def summary(self) -> dict[str, Any]:
        """The test's numbers as plain values, for json.dumps.

        Returns
        -------
        dict
            ``kind``, ``n_cells``, ``n_samples``, ``thin``, ``chi2``, ``dof``, ``p_value``.
        """
        return jsonable(
            {
                "kind": self.kind,
                "n_cells": int(self.labels.size),
                "n_samples": self.n_samples,
                "thin": self.thin,
                "chi2": self.chi2,
                "dof": self.dof,
                "p_value": self.p_value,
            }
        )


def histogram_check(
    model: BoltzmannMachine, temperature: float, codes: np.ndarray, thin: int
) -> HistogramCheck:
    """The chi-square check of the states with indices ``codes`` (n_sweeps, n_chains), every
    ``thin``-th sweep kept, against the exact distribution of ``model`` at ``temperature``."""
    from energynets import exact

    states, probs = exact.probabilities(model, temperature)
    kept = codes[thin - 1 :: thin].ravel()
    labels: np.ndarray
    if model.n_units <= _MAX_STATE_HISTOGRAM_UNITS:
        kind = "states"
        labels = np.arange(probs.size)
        cell_of_state = labels
        cell_probs = probs
    else:
        kind = "energies"
        energies = np.asarray(model.energy(states), dtype=np.float64)
        scale = max(1.0, float(np.max(np.abs(energies))))
        levels, cell_of_state = np.unique(np.round(energies / scale, 9), return_inverse=True)
        labels = levels * scale
        cell_probs = np.bincount(cell_of_state, weights=probs, minlength=levels.size)
    counts = np.bincount(cell_of_state[kept], minlength=labels.size)
    chi2, dof, p_value = _chi_square(counts.astype(np.float64), cell_probs)
    return HistogramCheck(
        kind, labels, counts, cell_probs, int(kept.size), thin, chi2, dof, p_value
    )


def thinning(taus: list[float], n_measured: int) -> int:
    """Keep one sample per ceil(5 tau) sweeps (tau the largest finite of ``taus``; 1 if none
    is), at most one per ``n_measured`` sweeps."""
    finite = [x for x in taus if np.isfinite(x)]
    thin = max(1, math.ceil(_THIN_TAUS * max(finite))) if finite else 1
    return min(thin, n_measured)
