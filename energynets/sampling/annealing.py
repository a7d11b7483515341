"""Simulated annealing: sample while the inverse temperature rises, to find low-energy states.

At inverse temperature beta a sampler targets p_beta(s) ~ exp(-beta E(s)); as beta grows,
p_beta concentrates on the ground states argmin E. Simulated annealing runs a sampler through
an increasing schedule beta_1 <= beta_2 <= ... <= beta_K, a few sweeps at each, so that the
chains follow the slowly sharpening distribution down into deep minima instead of freezing in
the first local minimum, as zero-temperature dynamics would. With a slow enough (logarithmic)
schedule it finds a ground state with probability one (Geman & Geman 1984); in practice a
linear or geometric schedule of a few hundred sweeps does well on small systems.

References
----------
Kirkpatrick, S., Gelatt, C. D. & Vecchi, M. P. (1983). Optimization by simulated annealing.
Science 220, 671-680.
Geman, S. & Geman, D. (1984). Stochastic relaxation, Gibbs distributions, and the Bayesian
restoration of images. IEEE Trans. PAMI 6, 721-741.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from energynets._validation import (
    RNGLike,
    as_float_array,
    check_choice,
    check_float,
    check_int,
    check_rng,
)
from energynets.models.boltzmann import BoltzmannMachine
from energynets.sampling._chains import check_model, make_chains, run
from energynets.sampling.gibbs import SAMPLERS, ChainResult

__all__ = ["SCHEDULES", "schedule", "simulated_annealing"]

SCHEDULES = ("linear", "geometric")


def schedule(kind: str, n_steps: int, beta_start: float, beta_end: float) -> np.ndarray:
    """An annealing schedule of inverse temperatures from ``beta_start`` to ``beta_end``.

    - "linear": beta_k = beta_start + (beta_end - beta_start) k / (K - 1);
    - "geometric": beta_k = beta_start (beta_end / beta_start)^(k / (K - 1)), a constant
      cooling factor T_{k+1} / T_k = (beta_start / beta_end)^(1 / (K - 1)) as in Kirkpatrick,
      Gelatt & Vecchi (1983); needs beta_start > 0.

    Parameters
    ----------
    kind : {"linear", "geometric"}
    n_steps : int >= 1
        K; with 1 the schedule is ``[beta_end]``.
    beta_start : float >= 0
    beta_end : float >= beta_start

    Returns
    -------
    ndarray, shape (n_steps,)
        Non-decreasing, starting at ``beta_start`` (when K >= 2) and ending exactly at
        ``beta_end``.

    References
    ----------
    Kirkpatrick, Gelatt & Vecchi (1983), see the module notes.

    Examples
    --------
    >>> schedule("linear", 3, 0.0, 2.0)
    array([0., 1., 2.])
    >>> schedule("geometric", 3, 0.5, 2.0)
    array([0.5, 1. , 2. ])
    """
    check_choice(kind, "kind", SCHEDULES)
    n = check_int(n_steps, "n_steps", minimum=1)
    start = check_float(beta_start, "beta_start", minimum=0.0)
    end = check_float(beta_end, "beta_end", minimum=0.0)
    if end < start:
        raise ValueError(
            f"beta_end must be >= beta_start = {start} (annealing cools: beta rises), got {end}"
        )
    if kind == "geometric" and start == 0.0:
        raise ValueError("beta_start must be > 0 for a geometric schedule, got 0.0")
    if n == 1:
        return np.array([end])
    frac = np.arange(n) / (n - 1)
    if kind == "linear":
        betas = start + (end - start) * frac
    else:
        betas = start * (end / start) ** frac
    betas[0], betas[-1] = start, end
    return betas


def _check_schedule(betas: Any) -> np.ndarray:
    arr = as_float_array(betas, "betas", ndim=1, dtype=np.float64)
    if np.any(arr < 0):
        raise ValueError(
            f"betas must be >= 0 (inverse temperatures), got values such as {arr[arr < 0][:3]}"
        )
    if np.any(np.diff(arr) < 0):
        k = int(np.flatnonzero(np.diff(arr) < 0)[0])
        raise ValueError(
            "betas must be non-decreasing (annealing cools, so the inverse temperature rises; "
            f"pass 1 / T, not T), got betas[{k}] = {arr[k]:g} > betas[{k + 1}] = {arr[k + 1]:g}"
        )
    return arr


def simulated_annealing(
    model: BoltzmannMachine,
    states: Any,
    betas: Any,
    rng: RNGLike = 0,
    *,
    sampler: str = "gibbs",
    sweeps_per_beta: int = 1,
) -> ChainResult:
    """Run many chains through an annealing schedule of inverse temperatures.

    For each beta of the schedule in turn, every chain makes ``sweeps_per_beta`` sweeps of
    ``sampler`` targeting p_beta(s) ~ exp(-beta E(s)) (the same Markov chain as the plain
    kernel on ``model.tempered(beta)``).

    Parameters
    ----------
    model : BoltzmannMachine
        Not modified.
    states : array_like, shape (n_chains, n_units) or (n_units,)
        Starting states (e.g. ``model.random_states(n_chains)``). Not modified.
    betas : array_like, shape (n_steps,)
        The schedule: >= 0 and non-decreasing (see :func:`schedule`). At beta = 0 a Gibbs
        sweep draws every unit uniformly and a Metropolis sweep flips every unit.
    rng : int, numpy.random.Generator or None
    sampler : {"gibbs", "metropolis", "checkerboard"}
        Single-site kernels use random scan; "checkerboard" needs a lattice model.
    sweeps_per_beta : int >= 1

    Returns
    -------
    ChainResult
        ``states`` the final states, ``samples`` None, ``energies`` (n_steps * sweeps_per_beta
        + 1, n_chains) the energy E (of the model itself) of every chain at the start and after
        each sweep, ``acceptance`` over all sweeps. The lowest energy found is
        ``energies.min()``, the final one ``energies[-1]``.

    References
    ----------
    Kirkpatrick, Gelatt & Vecchi (1983), see the module notes.

    Examples
    --------
    >>> from energynets.models.boltzmann import frustrated_ring
    >>> ring = frustrated_ring(7)
    >>> res = simulated_annealing(ring, ring.random_states(20), schedule("linear", 50, 0.1, 5))
    >>> float(res.energies[-1].min())
    -5.0
    """
    bm = check_model(model)
    s, _ = bm.check_states(states)
    ladder = _check_schedule(betas)
    check_choice(sampler, "sampler", SAMPLERS)
    per_beta = check_int(sweeps_per_beta, "sweeps_per_beta", minimum=1)
    gen = check_rng(rng)
    chains = make_chains(bm, s, sampler)
    n_sweeps = ladder.size * per_beta
    return ChainResult(*run(chains, n_sweeps, gen, betas=ladder, sweeps_per_beta=per_beta))
