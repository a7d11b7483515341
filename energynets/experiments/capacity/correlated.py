"""Correlated patterns (glyphs, digits) in classical, dense and modern memories.

:func:`run_correlated_recall` stores a given set of patterns in every model asked for and
recalls them from noisy probes: correlated patterns break the classical rules far below their
random-pattern capacity, while dense memories and the modern network still retrieve them.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike

from energynets._validation import RNGLike, check_float, describe_rng, rng_stream
from energynets.experiments._runs import draw_entropy
from energynets.experiments.capacity._memories import (
    Memory,
    check_models,
    check_recall,
    pseudoinverse_skipped,
)
from energynets.experiments.capacity.dense import dense_record
from energynets.experiments.capacity.records import DenseCapacityResult
from energynets.states import corrupt

__all__ = ["run_correlated_recall"]


def run_correlated_recall(
    patterns: ArrayLike,
    models: Iterable[str] = ("hebbian", "pseudoinverse", "polynomial-3", "exponential", "modern"),
    flip_fraction: float = 0.1,
    dynamics: str = "async",
    max_sweeps: int = 50,
    beta: float = 1.0,
    rng: RNGLike = 0,
) -> tuple[DenseCapacityResult, dict[str, np.ndarray], np.ndarray]:
    """Store correlated patterns (glyphs, digits) in several memories and recall them.

    Correlated patterns break the Hebbian network far below its random-pattern capacity:
    their crosstalk does not average out. Dense memories, whose interaction F amplifies the
    largest overlap, and the modern network still retrieve them.

    Parameters
    ----------
    patterns : array_like, shape (n_patterns, n_units)
        Spins +-1, e.g. :func:`energynets.datasets.glyphs` or binarized MNIST digits
        (``2 * bits - 1``).
    models : iterable of str
        As in :func:`run_dense_capacity`.
    flip_fraction : float in [0, 1]
    dynamics : {"async", "sync"}
    max_sweeps : int >= 1
    beta : float > 0
        Inverse temperature of the modern network (for +-1 patterns of N units, beta of
        order 1 / sqrt(N) to 1).
    rng : int, Generator, SeedSequence or None

    Returns
    -------
    result : DenseCapacityResult
        One record per model (``n_patterns`` = all the patterns, each probed once).
    recalled : dict of str -> ndarray, shape (n_patterns, n_units)
        The final states of each model.
    probes : ndarray, shape (n_patterns, n_units)
        The corrupted probes (the same for every model).

    References
    ----------
    Those of :func:`run_dense_capacity`: Krotov & Hopfield (2016), Demircigil et al. (2017),
    Ramsauer et al. (2021).

    Examples
    --------
    >>> import energynets as en
    >>> xi, _ = en.datasets.glyphs("HOPFIELD")
    >>> res, recalled, probes = run_correlated_recall(xi, models=["hebbian", "modern"], rng=0)
    >>> recalled["modern"].shape, probes.shape
    ((8, 192), (8, 192))
    """
    from energynets._validation import as_spins

    xi, _ = as_spins(patterns, "patterns", allow_1d=False)
    names = check_models(models)
    flip = check_float(flip_fraction, "flip_fraction", minimum=0.0, maximum=1.0)
    sweeps = check_recall(dynamics, max_sweeps)
    b = check_float(beta, "beta", minimum=0.0, exclusive_minimum=True)
    entropy = draw_entropy(rng)
    p, n = xi.shape
    probes = corrupt(xi, flip, rng=rng_stream(entropy, 0))
    records, recalled = [], {}
    for k, name in enumerate(names):
        if pseudoinverse_skipped(name, p, n):
            continue
        memory = Memory(name, xi, b)
        final = memory.recall(probes, dynamics, sweeps, rng_stream(entropy, 1 + k))
        recalled[name] = final
        fixed = memory.fixed().mean()
        records.append(dense_record(name, n, p, fixed, np.all(final == xi, axis=1).mean(), p, 1))
    settings = {
        "models": names,
        "flip_fraction": flip,
        "dynamics": dynamics,
        "max_sweeps": sweeps,
        "beta": b,
        "rng": describe_rng(rng),
    }
    return DenseCapacityResult(records, settings), recalled, probes
