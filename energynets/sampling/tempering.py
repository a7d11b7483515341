"""Parallel tempering (replica exchange) over a ladder of inverse temperatures.

Parallel tempering runs one replica of the system at each inverse temperature of a ladder
beta_1 < beta_2 < ... < beta_R = 1 (hot replicas cross energy barriers, the beta = 1 replica
samples the target) and now and then proposes to exchange the states of two neighbouring
replicas i and j = i + 1. The joint distribution prod_k exp(-beta_k E(s_k)) / Z(beta_k) is left
invariant when the exchange is accepted with probability

    min(1, exp((beta_i - beta_j) (E_i - E_j))),

E_k = E(s_k) the (untempered) energy of the replica at beta_k; between exchanges every replica
makes one sweep of a single-site or checkerboard kernel at its own temperature. The chain at
beta = 1 then samples p(s) = exp(-E(s)) / Z, and typically mixes much faster than a plain
sampler on rugged (frustrated, low-temperature) landscapes.

Each exchange step here attempts every neighbouring pair once: first the pairs (0, 1), (2, 3),
... (disjoint, so attempted together), then (1, 2), (3, 4), ... . The exchange itself is the
pure function :func:`swap_step`, which takes the uniforms as an argument so that it can be
checked by hand. The implementation exchanges temperatures rather than states (the same Markov
chain, without moving states in memory) and sweeps all replicas of all chains as one batch.

References
----------
Swendsen, R. H. & Wang, J.-S. (1986). Replica Monte Carlo simulation of spin-glasses. PRL 57,
2607-2609.
Geyer, C. J. (1991). Markov chain Monte Carlo maximum likelihood. Computing Science and
Statistics: Proc. 23rd Symposium on the Interface, 156-163.
Hukushima, K. & Nemoto, K. (1996). Exchange Monte Carlo method and application to spin glass
simulations. J. Phys. Soc. Japan 65, 1604-1608.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
from energynets.sampling._chains import acceptance_rates, check_model, make_chains
from energynets.sampling.gibbs import SAMPLERS, ChainResult

__all__ = [
    "TemperingState",
    "check_ladder",
    "geometric_ladder",
    "parallel_tempering",
    "swap_order",
    "swap_step",
]


def geometric_ladder(n_temperatures: int, beta_min: float, beta_max: float = 1.0) -> np.ndarray:
    """Inverse temperatures in geometric progression from ``beta_min`` to ``beta_max``.

    beta_k = beta_min (beta_max / beta_min)^(k / (R - 1)), k = 0, ..., R - 1: a constant ratio
    between neighbours. The acceptance of an exchange is set by the overlap of the two
    replicas' energy distributions (Kofke 2002 derives it exactly in terms of that overlap, and
    in more detail for a constant heat capacity). For nearby temperatures it depends only on
    the energy fluctuations (the heat capacity) and on the ratio of the temperatures, so a
    geometric progression is the best first guess, giving roughly equal exchange rates where
    the heat capacity is roughly constant (Predescu, Predescu & Ciobanu 2004, who also propose
    how to compute optimal ladders).

    Parameters
    ----------
    n_temperatures : int >= 1
        R, the number of rungs; with 1 the ladder is ``[beta_max]``.
    beta_min : float, 0 < beta_min <= beta_max
        The hottest rung (< beta_max when R >= 2).
    beta_max : float > 0
        The coldest rung, exactly (1.0 for a ladder that :func:`parallel_tempering` accepts).

    Returns
    -------
    ndarray, shape (n_temperatures,)
        Strictly increasing, ending exactly at ``beta_max``.

    References
    ----------
    Kofke, D. A. (2002). On the acceptance probability of replica-exchange Monte Carlo trials. J.
    Chem. Phys. 117, 6911-6914.

    Predescu, C., Predescu, M. & Ciobanu, C. V. (2004). The incomplete beta function law for
    parallel tempering sampling of classical canonical systems. J. Chem. Phys. 120, 4119
    (doi:10.1063/1.1644093).

    Examples
    --------
    >>> geometric_ladder(3, 0.25)
    array([0.25, 0.5 , 1.  ])
    """
    n = check_int(n_temperatures, "n_temperatures", minimum=1)
    top = check_float(beta_max, "beta_max", minimum=0.0, exclusive_minimum=True)
    low = check_float(beta_min, "beta_min", minimum=0.0, exclusive_minimum=True)
    if n == 1:
        return np.array([top])
    if low >= top:
        raise ValueError(
            f"beta_min must be < beta_max = {top} for a ladder of {n} temperatures, got {low}"
        )
    betas = low * (top / low) ** (np.arange(n) / (n - 1))
    betas[-1] = top
    return betas


def check_ladder(betas: Any, name: str = "betas") -> tuple[np.ndarray, int]:
    """Check a tempering ladder: 1-D, positive, strictly increasing, containing 1.0.

    Parameters
    ----------
    betas : array_like, shape (n_betas,)
    name : str
        The argument name the error messages use.

    Returns
    -------
    betas : ndarray of float64, shape (n_betas,)
        The ladder.
    index : int
        The index of beta = 1.

    Raises
    ------
    ValueError
        Naming ``name``, if the ladder is not 1-D, positive, strictly increasing and
        containing 1.0.

    Examples
    --------
    >>> check_ladder([0.25, 0.5, 1.0, 2.0])
    (array([0.25, 0.5 , 1.  , 2.  ]), 2)
    """
    arr = as_float_array(betas, name, ndim=1, dtype=np.float64)
    if np.any(arr <= 0):
        raise ValueError(
            f"{name} must be > 0 (inverse temperatures), got values such as {arr[arr <= 0][:3]}"
        )
    if np.any(np.diff(arr) <= 0):
        k = int(np.flatnonzero(np.diff(arr) <= 0)[0])
        raise ValueError(
            f"{name} must be strictly increasing, got {name}[{k}] = {arr[k]:g} >= "
            f"{name}[{k + 1}] = {arr[k + 1]:g}"
        )
    one = np.flatnonzero(np.abs(arr - 1.0) <= 1e-12)
    if one.size == 0:
        raise ValueError(
            f"{name} must contain 1.0 (the target distribution; e.g. geometric_ladder(n, "
            f"beta_min) ends at 1.0), got {name} from {arr[0]:g} to {arr[-1]:g}"
        )
    return arr, int(one[0])


@dataclass(frozen=True)
class TemperingState:
    """The replicas of parallel tempering, to pass back in and continue.

    Attributes
    ----------
    states : ndarray, shape (n_betas, n_chains, n_units)
        ``states[k]`` are the replicas currently at ``betas[k]``, one per independent chain.
    betas : ndarray, shape (n_betas,)
        The ladder, strictly increasing, containing 1.0.
    swap_attempts : ndarray of int, shape (n_betas - 1,)
        Exchanges attempted between ``betas[i]`` and ``betas[i + 1]``, summed over chains and
        over all runs that led to this state.
    swap_accepts : ndarray of int, shape (n_betas - 1,)
        Exchanges accepted, likewise.

    Examples
    --------
    Pass the state back in to continue the same replicas:

    >>> from energynets.models.boltzmann import frustrated_ring
    >>> ring = frustrated_ring(5).tempered(2.0)
    >>> betas = geometric_ladder(3, 0.25)
    >>> state, _ = parallel_tempering(ring, betas, ring.random_states(4), n_sweeps=10)
    >>> state, _ = parallel_tempering(ring, betas, state, n_sweeps=10, rng=1)
    >>> state.states.shape, state.swap_attempts.tolist()  # 20 rounds x 4 chains per pair
    ((3, 4, 5), [80, 80])
    """

    states: np.ndarray
    betas: np.ndarray
    swap_attempts: np.ndarray
    swap_accepts: np.ndarray

    @property
    def swap_rates(self) -> np.ndarray:
        """Accepted / attempted exchanges per neighbouring pair, shape (n_betas - 1,); NaN where
        none was attempted. Rates near 0 mean a gap in the ladder (add rungs there)."""
        return swap_rates(self.swap_attempts, self.swap_accepts)


def swap_rates(attempts: np.ndarray, accepts: np.ndarray) -> np.ndarray:
    """accepts / attempts per neighbouring pair, NaN where none was attempted (float64)."""
    rates = np.full(attempts.shape, np.nan)
    tried = attempts > 0
    rates[tried] = accepts[tried] / attempts[tried]
    return rates


def exchange_round(
    slot: np.ndarray,
    order: np.ndarray,
    log_ratio: Callable[[int, np.ndarray, np.ndarray], np.ndarray],
    uniforms: np.ndarray,
) -> np.ndarray:
    """One round of replica exchanges, in place on ``slot``: the mechanics every parallel
    tempering of the package shares (:func:`parallel_tempering`, and the RBM trainer's
    tempered negative phase).

    ``slot[k, c]`` is the stored replica of chain c at rung k. For each pair index i in
    ``order``, in turn, the replicas ``a = slot[i]`` and ``b = slot[i + 1]`` of every chain
    exchange rungs iff ``uniforms[r] < min(1, exp(log_ratio(i, a, b)))`` (r the position of i
    in ``order``); ``log_ratio`` gives, per chain, the log of the ratio of the joint tempered
    densities after and before the exchange. Returns which attempts were accepted, shape
    ``(len(order), n_chains)``.
    """
    accepted = np.zeros((len(order), slot.shape[1]), dtype=bool)
    for r, i in enumerate(order):
        lower, upper = slot[i].copy(), slot[i + 1].copy()
        acc = uniforms[r] < np.exp(np.minimum(log_ratio(int(i), lower, upper), 0.0))
        accepted[r] = acc
        slot[i, acc], slot[i + 1, acc] = upper[acc], lower[acc]
    return accepted


def swap_order(n_betas: int) -> np.ndarray:
    """The pairs one exchange step attempts: (0, 1), (2, 3), ..., then (1, 2), (3, 4), ...

    Parameters
    ----------
    n_betas : int >= 1
        The number of rungs of the ladder.

    Returns
    -------
    ndarray of int, shape (n_betas - 1,)
        The lower index i of each pair (i, i + 1), in the order attempted.

    References
    ----------
    Hukushima & Nemoto (1996), see the module notes.

    Examples
    --------
    >>> swap_order(5)
    array([0, 2, 1, 3])
    """
    n = check_int(n_betas, "n_betas", minimum=1)
    return np.concatenate([np.arange(0, n - 1, 2), np.arange(1, n - 1, 2)])


def swap_step(
    energies: Any, betas: Any, order: Sequence[int] | np.ndarray, uniforms: Any
) -> tuple[np.ndarray, np.ndarray]:
    """One round of replica exchanges, with the random numbers given: a pure function.

    For each pair index i in ``order``, in turn, and independently for every chain c, the
    replicas at ``betas[i]`` and ``betas[i + 1]`` exchange temperatures iff

        uniforms[r, c] < min(1, exp((beta_i - beta_{i+1}) (E_i - E_{i+1}))),

    r the position of i in ``order`` and E_k the energy of the replica at beta_k at that
    moment (earlier exchanges of the round included).

    Parameters
    ----------
    energies : array_like, shape (n_betas, n_chains)
        The (untempered) energy E of the replica at each inverse temperature.
    betas : array_like, shape (n_betas,)
    order : sequence of int
        Lower indices i of the pairs (i, i + 1) to attempt, in order (see :func:`swap_order`).
    uniforms : array_like, shape (len(order), n_chains)
        Uniform random numbers in [0, 1), one per attempt.

    Returns
    -------
    permutation : ndarray of int, shape (n_betas, n_chains)
        ``permutation[k, c]`` is the index k' (in the input) of the replica of chain c that is at
        ``betas[k]`` after the round: new_states[k, c] = states[permutation[k, c], c].
    accepted : ndarray of bool, shape (len(order), n_chains)
        Which attempts were accepted.

    References
    ----------
    Swendsen & Wang (1986); Geyer (1991); Hukushima & Nemoto (1996), see the module notes.

    Examples
    --------
    Two replicas, beta = (0.5, 1), energies (-1, 0): exp((0.5 - 1)(-1 - 0)) = e^0.5 > 1, so the
    exchange (which brings the lower energy to the colder replica) is always accepted:

    >>> perm, acc = swap_step([[-1.0], [0.0]], [0.5, 1.0], [0], [[0.99]])
    >>> perm[:, 0], bool(acc[0, 0])
    (array([1, 0]), True)
    """
    e = as_float_array(energies, "energies", ndim=2, dtype=np.float64)
    b = as_float_array(betas, "betas", ndim=1, dtype=np.float64)
    n_betas, n_chains = e.shape
    if b.shape != (n_betas,):
        raise ValueError(f"betas must have shape ({n_betas},) to match energies, got {b.shape}")
    pairs = np.asarray(order, dtype=np.int64).reshape(-1)
    if np.any(pairs < 0) or np.any(pairs >= n_betas - 1):
        raise ValueError(
            f"order must hold pair indices in [0, {n_betas - 2}] (pairs (i, i + 1)), got {pairs}"
        )
    u = as_float_array(uniforms, "uniforms", ndim=2, dtype=np.float64, allow_empty=True)
    if u.shape != (pairs.size, n_chains):
        raise ValueError(
            f"uniforms must have shape ({pairs.size}, {n_chains}) (one per pair and chain), "
            f"got {u.shape}"
        )
    chains = np.arange(n_chains)

    def log_ratio(i: int, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
        # the energies travel with the replicas: E_k is e[slot[k]] of the input
        return (b[i] - b[i + 1]) * (e[lower, chains] - e[upper, chains])

    perm = np.repeat(np.arange(n_betas)[:, None], n_chains, axis=1)
    accepted = exchange_round(perm, pairs, log_ratio, u)
    return perm, accepted


def _initial_replicas(
    model: BoltzmannMachine, betas: np.ndarray, states: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Replicas (n_betas, n_chains, n_units) and the swap counts to continue from."""
    n_betas = betas.size
    if isinstance(states, TemperingState):
        if states.betas.shape != betas.shape or not np.allclose(states.betas, betas, 0, 1e-12):
            raise ValueError(
                "betas must equal the ladder of the TemperingState given as states, got "
                f"{betas} and {states.betas}"
            )
        reps = np.asarray(states.states)
        if reps.ndim != 3 or reps.shape[0] != n_betas:
            raise ValueError(
                f"states.states must have shape ({n_betas}, n_chains, n_units), got {reps.shape}"
            )
        flat, _ = model.check_states(reps.reshape(-1, reps.shape[-1]), "states.states")
        attempts = np.array(states.swap_attempts, dtype=np.int64)
        accepts = np.array(states.swap_accepts, dtype=np.int64)
        if attempts.shape != (n_betas - 1,) or accepts.shape != (n_betas - 1,):
            raise ValueError(
                f"states.swap_attempts and swap_accepts must have shape ({n_betas - 1},), got "
                f"{attempts.shape} and {accepts.shape}"
            )
        return flat.reshape(reps.shape), attempts, accepts
    s, _ = model.check_states(states)
    reps = np.broadcast_to(s, (n_betas, *s.shape)).copy()
    zeros = np.zeros(n_betas - 1, dtype=np.int64)
    return reps, zeros, zeros.copy()


def parallel_tempering(
    model: BoltzmannMachine,
    betas: Any,
    states: Any,
    n_sweeps: int,
    rng: RNGLike = 0,
    *,
    sampler: str = "gibbs",
    swap_every: int = 1,
    record: bool = False,
) -> tuple[TemperingState, ChainResult]:
    """Parallel tempering: replicas at a ladder of inverse temperatures, with exchanges.

    Every sweep, each replica of each chain makes one sweep of ``sampler`` at its own beta
    (the same Markov chain as the plain kernel on ``model.tempered(beta)``); every
    ``swap_every`` sweeps, every neighbouring pair attempts an exchange (:func:`swap_step`,
    pairs in the order of :func:`swap_order`), accepted with probability
    min(1, exp((beta_i - beta_j)(E_i - E_j))).

    Parameters
    ----------
    model : BoltzmannMachine
        The target, at beta = 1. Not modified.
    betas : array_like, shape (n_betas,)
        Strictly increasing, > 0, containing 1.0 (e.g. :func:`geometric_ladder`).
    states : array_like, shape (n_chains, n_units), or TemperingState
        Starting states, copied to every rung; or the state returned by an earlier call, to
        continue (its ladder must equal ``betas``). Not modified.
    n_sweeps : int >= 0
    rng : int, numpy.random.Generator or None
    sampler : {"gibbs", "metropolis", "checkerboard"}
        The kernel each replica runs (single-site ones with random scan).
    swap_every : int >= 1
        Sweeps between exchange rounds (counted from the start of this call).
    record : bool
        Keep the beta = 1 states after every sweep (and its exchanges) as ``samples``.

    Returns
    -------
    state : TemperingState
        All replicas, sorted by beta, and the cumulative exchange counts (``swap_rates``).
    result : ChainResult
        The beta = 1 chain: ``states`` (n_chains, n_units), ``samples`` (n_sweeps, n_chains,
        n_units) or None, ``energies`` (n_sweeps + 1, n_chains) after each sweep and exchange
        round, ``acceptance`` of the kernel's updates at beta = 1.

    References
    ----------
    Swendsen & Wang (1986); Geyer (1991); Hukushima & Nemoto (1996), see the module notes.

    Examples
    --------
    >>> from energynets.models.boltzmann import frustrated_ring
    >>> ring = frustrated_ring(9).tempered(3.0)
    >>> state, res = parallel_tempering(ring, geometric_ladder(4, 0.1), ring.random_states(8),
    ...                                 n_sweeps=50)
    >>> state.states.shape, res.energies.shape, state.swap_rates.shape
    ((4, 8, 9), (51, 8), (3,))
    """
    bm = check_model(model)
    ladder, k_one = check_ladder(betas)
    check_choice(sampler, "sampler", SAMPLERS)
    n = check_int(n_sweeps, "n_sweeps", minimum=0)
    every = check_int(swap_every, "swap_every", minimum=1)
    gen = check_rng(rng)
    reps, attempts, accepts = _initial_replicas(bm, ladder, states)
    n_betas, n_chains, n_units = reps.shape

    # Column r * n_chains + c of the batch is replica slot r of chain c; slot[k, c] is the slot
    # at ladder[k]. Exchanges permute slot (and the columns' temperatures), never the states.
    chains = make_chains(bm, reps.reshape(-1, n_units), sampler)
    chain_index = np.arange(n_chains)
    slot = np.repeat(np.arange(n_betas)[:, None], n_chains, axis=1)
    column_beta = np.repeat(ladder, n_chains)
    chains.set_inverse_temperature(column_beta)
    order = swap_order(n_betas)

    energies_all = chains.energies()
    target = slot[k_one] * n_chains + chain_index
    energies = np.empty((n + 1, n_chains), dtype=energies_all.dtype)
    energies[0] = energies_all[target]
    samples = np.empty((n, n_chains, n_units), dtype=reps.dtype) if record else None
    changes = np.zeros(n_chains, dtype=np.int64)
    for t in range(1, n + 1):
        changes += chains.sweep(gen)[target]
        energies_all = chains.energies()
        if t % every == 0 and n_betas > 1:
            level_energies = energies_all[slot * n_chains + chain_index]
            perm, accepted = swap_step(
                level_energies, ladder, order, gen.random((order.size, n_chains))
            )
            slot = np.take_along_axis(slot, perm, axis=0)
            np.add.at(attempts, order, n_chains)
            np.add.at(accepts, order, accepted.sum(axis=1))
            column_beta[(slot * n_chains + chain_index).ravel()] = np.repeat(ladder, n_chains)
            chains.set_inverse_temperature(column_beta)
            target = slot[k_one] * n_chains + chain_index
        energies[t] = energies_all[target]
        if samples is not None:
            samples[t - 1] = chains.states()[target]

    final = chains.states()[slot * n_chains + chain_index]  # (n_betas, n_chains, n_units)
    state = TemperingState(final, ladder.copy(), attempts, accepts)
    acceptance = acceptance_rates(changes, n, n_units)
    return state, ChainResult(final[k_one].copy(), samples, energies, acceptance)
