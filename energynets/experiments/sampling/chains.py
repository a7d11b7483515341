"""Many chains of one sampler on one system, in chunks of recorded sweeps.

:func:`run_chains` runs Gibbs, Metropolis, checkerboard or parallel-tempering chains of
exp(-E / T) (vectorised over the chains) and keeps, after every sweep, each chain's energy E
(of the untempered system), its magnetisation and, for the exact histogram test, the index
of its state: the :class:`Run` every sampling experiment measures.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from energynets.models.boltzmann import BoltzmannMachine
from energynets.sampling.gibbs import ChainResult, checkerboard, gibbs, metropolis
from energynets.sampling.tempering import TemperingState, parallel_tempering

# Sweeps per sampler call: the recorded states of a call take at most _CHUNK_ELEMENTS numbers.
_CHUNK_ELEMENTS = 1 << 22
_MAX_CHUNK = 100


@dataclass
class Run:
    """Traces of one batch of chains: rows are sweeps, row 0 the start."""

    energies: np.ndarray  # (n_sweeps + 1, n_chains), E of the untempered system
    magnetisations: np.ndarray  # (n_sweeps + 1, n_chains)
    codes: np.ndarray | None  # (n_sweeps, n_chains) state indices after each sweep
    acceptance: np.ndarray  # (n_chains,)
    swap_rates: np.ndarray | None  # (n_betas - 1,)
    seconds: float


def _state_codes(samples: np.ndarray, high: float) -> np.ndarray:
    """Row index in ``exact.probabilities`` of each state (first unit most significant)."""
    n_units = samples.shape[-1]
    weights = np.left_shift(1, np.arange(n_units - 1, -1, -1, dtype=np.int64))
    return (samples == high).astype(np.int64) @ weights


def run_chains(
    model: BoltzmannMachine,
    sampler: str,
    states: np.ndarray,
    n_sweeps: int,
    temperature: float,
    gen: np.random.Generator,
    *,
    record_codes: bool,
    betas: np.ndarray | None = None,
    kernel: str = "gibbs",
    bar: Any = None,
) -> Run:
    """Run ``n_sweeps`` sweeps of ``sampler`` on exp(-E / T), in chunks of recorded sweeps."""
    target = model.tempered(1.0 / temperature)
    n_chains, n_units = states.shape
    energies = np.empty((n_sweeps + 1, n_chains))
    magnetisations = np.empty((n_sweeps + 1, n_chains))
    codes = np.empty((n_sweeps, n_chains), dtype=np.int64) if record_codes else None
    energies[0] = model.energy(states)
    magnetisations[0] = states.mean(axis=1)
    high = model.unit_values[1]
    accepted = np.zeros(n_chains)
    chunk = int(max(1, min(_MAX_CHUNK, _CHUNK_ELEMENTS // (n_chains * n_units))))
    kernels: dict[str, Callable[..., ChainResult]] = {
        "gibbs": gibbs,
        "metropolis": metropolis,
        "checkerboard": checkerboard,
    }
    current: Any = states
    tempering_state: TemperingState | None = None
    done = 0
    start = time.perf_counter()
    while done < n_sweeps:
        k = min(chunk, n_sweeps - done)
        if sampler == "tempering":
            assert betas is not None
            tempering_state, res = parallel_tempering(
                target, betas, current, k, rng=gen, sampler=kernel, record=True
            )
            current = tempering_state
        else:
            res = kernels[sampler](target, current, k, rng=gen, record=True)
            current = res.states
        samples = res.samples
        assert samples is not None
        # the samplers report the energy of the model they run, E / T
        energies[done + 1 : done + k + 1] = res.energies[1:] * temperature
        magnetisations[done + 1 : done + k + 1] = samples.mean(axis=2)
        if codes is not None:
            codes[done : done + k] = _state_codes(samples, high)
        accepted += res.acceptance * k
        done += k
        if bar is not None:
            bar.update(k)
    seconds = time.perf_counter() - start
    swap_rates = None if tempering_state is None else tempering_state.swap_rates
    return Run(energies, magnetisations, codes, accepted / n_sweeps, swap_rates, seconds)
