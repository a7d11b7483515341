"""Dense associative memories and the modern Hopfield network against the classical rules.

:func:`run_dense_capacity` stores random patterns in classical networks, dense associative
memories with F(z) = z^n, rectified or exp(z) (Krotov & Hopfield 2016; Demircigil et al.
2017) and the modern Hopfield network (Ramsauer et al. 2020), and measures their fixed points
and recall against the load; :class:`DenseCapacityResult` holds the records, also those of
:func:`~energynets.experiments.capacity.run_correlated_recall`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from energynets._validation import (
    RNGLike,
    check_float,
    check_int,
    describe_rng,
    rng_stream,
)
from energynets.datasets import random_patterns
from energynets.experiments._runs import draw_entropy
from energynets.experiments.capacity._memories import (
    Memory,
    check_models,
    check_recall,
    draw_probes,
    pseudoinverse_skipped,
)
from energynets.experiments.capacity.records import DenseCapacityResult

__all__ = ["run_dense_capacity"]


def dense_record(
    model: str,
    n_units: int,
    n_patterns: int,
    fixed: float,
    recalled: float,
    n_probes: int,
    n_trials: int,
) -> dict[str, Any]:
    """One record of a :class:`DenseCapacityResult` (the keys of :data:`DENSE_COLUMNS`)."""
    return {
        "model": model,
        "n_units": n_units,
        "n_patterns": n_patterns,
        "fraction_fixed": float(fixed),
        "fraction_recalled": float(recalled),
        "n_probes": n_probes,
        "n_trials": n_trials,
    }


def run_dense_capacity(
    n_units: int = 100,
    n_patterns: Iterable[int] = (5, 10, 20, 50, 100, 200, 500, 1000, 2000),
    models: Iterable[str] = ("hebbian", "polynomial-3", "polynomial-4", "exponential", "modern"),
    flip_fraction: float = 0.1,
    n_trials: int = 1,
    dynamics: str = "async",
    max_sweeps: int = 50,
    max_probes: int | None = 200,
    beta: float = 1.0,
    rng: RNGLike = 0,
) -> DenseCapacityResult:
    """Storage and recall of random patterns by classical, dense and modern memories.

    For each trial, random unbiased patterns xi^mu in {-1, +1}^N are drawn and the first P
    of them stored in every model (the loads of a trial are nested). ``fraction_fixed``
    counts the stored patterns that are fixed points; ``fraction_recalled`` relaxes up to
    ``max_probes`` stored patterns with round(flip_fraction N) bits flipped and counts those
    that end exactly on their pattern (classical rules and dense memories: the
    zero-temperature dynamics to convergence; the modern network: the signs after one
    update xi <- X^T softmax(beta X xi), Ramsauer et al. 2020).

    Predictions to compare with: :func:`mceliece_capacity` (Hebbian, N / (2 ln N)),
    :func:`krotov_hopfield_capacity` (F(z) = z^n, N^(n-1) / (2 (2n-3)!! ln N)),
    :func:`demircigil_capacity` (F(z) = exp(z), exponential in N);
    :func:`energynets.plotting.dense_capacity_figure` draws them over the measurements.

    Parameters
    ----------
    n_units : int >= 2
    n_patterns : iterable of int >= 1
        The loads P.
    models : iterable of str
        Rules of the classical network (``"hebbian"``, ``"storkey"``, ``"pseudoinverse"``),
        ``"polynomial-<n>"``, ``"rectified-<n>"``, ``"exponential"``, ``"modern"``. The
        pseudo-inverse rule is skipped at P >= N (as in :func:`run_capacity`).
    flip_fraction : float in [0, 1]
    n_trials : int >= 1
    dynamics : {"async", "sync"}
    max_sweeps : int >= 1
    max_probes : int >= 1 or None
        Probe at most this many patterns per load and trial (chosen at random, the same for
        every model).
    beta : float > 0
        Inverse temperature of the modern network.
    rng : int, Generator, SeedSequence or None
        One integer drawn from it seeds independent streams for the patterns of each trial,
        the probes of each load and the dynamics of each model, as in :func:`run_capacity`.

    Returns
    -------
    DenseCapacityResult

    References
    ----------
    Krotov & Hopfield (2016); Demircigil et al. (2017); Ramsauer et al. (2021). Full citations in
    :mod:`energynets.experiments.capacity`.

    Examples
    --------
    >>> res = run_dense_capacity(n_units=30, n_patterns=[5, 50], models=["hebbian", "exponential"])
    >>> res.column("fraction_recalled", "exponential").tolist()
    [1.0, 1.0]
    """
    n = check_int(n_units, "n_units", minimum=2)
    loads = sorted({check_int(p, "n_patterns", minimum=1) for p in n_patterns})
    if not loads:
        raise ValueError("n_patterns must hold at least one load, got none")
    names = check_models(models)
    flip = check_float(flip_fraction, "flip_fraction", minimum=0.0, maximum=1.0)
    trials = check_int(n_trials, "n_trials", minimum=1)
    sweeps = check_recall(dynamics, max_sweeps)
    cap = None if max_probes is None else check_int(max_probes, "max_probes", minimum=1)
    b = check_float(beta, "beta", minimum=0.0, exclusive_minimum=True)
    entropy = draw_entropy(rng)

    sums: dict[tuple[str, int], np.ndarray] = {}
    n_probes: dict[int, int] = {}
    for trial in range(trials):
        xi_all = random_patterns(loads[-1], n, rng=rng_stream(entropy, trial))
        for p in loads:
            xi = xi_all[:p]
            idx, noisy = draw_probes(xi, cap, flip, rng_stream(entropy, trial, p, 0))
            n_probes[p] = idx.size
            for k, name in enumerate(names):
                if pseudoinverse_skipped(name, p, n):
                    continue
                memory = Memory(name, xi, b)
                fixed = memory.fixed()
                final = memory.recall(noisy, dynamics, sweeps, rng_stream(entropy, trial, p, 1 + k))
                recalled = np.all(final == xi[idx], axis=1)
                sums.setdefault((name, p), np.zeros(2))
                sums[(name, p)] += [fixed.mean(), recalled.mean()]
    records = []
    for name in names:
        for p in loads:
            if (name, p) in sums:
                mean_fixed, mean_recalled = sums[(name, p)] / trials
                records.append(
                    dense_record(name, n, p, mean_fixed, mean_recalled, n_probes[p], trials)
                )
    settings = {
        "n_units": n,
        "n_patterns": loads,
        "models": names,
        "flip_fraction": flip,
        "n_trials": trials,
        "dynamics": dynamics,
        "max_sweeps": sweeps,
        "max_probes": cap,
        "beta": b,
        "rng": describe_rng(rng),
    }
    return DenseCapacityResult(records, settings)
