"""Single-site Gibbs and Metropolis samplers, and the checkerboard update of lattice systems.

All samplers act on a batch of independent chains ``(n_chains, n_units)`` of a
:class:`~energynets.models.boltzmann.BoltzmannMachine` with energy

    E(s) = -1/2 s^T W s - b^T s,    p(s) = exp(-E(s)) / Z,

over units with two values lo < hi (spins -1, +1 or bits 0, 1). With the local field
h_i = sum_j W_ij s_j + b_i and c = hi - lo, setting unit i high rather than low lowers the
energy by c h_i, and the two single-site rules are

- Gibbs, or heat bath (Geman & Geman 1984): draw s_i from its conditional,
  p(s_i = hi | rest) = sigma(c h_i), sigma(x) = 1 / (1 + exp(-x));
- Metropolis (Metropolis et al. 1953): propose the other value and accept with probability
  min(1, exp(-dE)), dE = -(s_i' - s_i) h_i.

Both leave p invariant. A *sweep* visits every unit once, in the order 0, ..., N - 1
("sequential" scan) or in a fresh uniformly random permutation ("random" scan, one permutation
per sweep shared by all chains; chains use independent random numbers). The checkerboard
sampler updates all the sites of one colour of a bipartite lattice at once, which is exact
because same-coloured sites do not interact.

Every function is ``(model, states, n_sweeps, rng, ...) -> ChainResult``: the model is never
changed and the caller's ``states`` are copied, never modified.

Implementation
--------------
Both rules compare the field with a threshold drawn before the sweep, all the random numbers
and logarithms of a sweep at once; the single-site sweep is exact sequential single-unit
dynamics vectorised over chains (about one (n_units x n_units) @ (n_units x n_chains) product
per sweep), the checkerboard half-sweep O(N) rolls of the packed lattice. The chains and
their notes are in the private module ``energynets.sampling._chains``, shared with parallel
tempering and simulated annealing, which run the same chains with one beta per chain.

References
----------
Geman, S. & Geman, D. (1984). Stochastic relaxation, Gibbs distributions, and the Bayesian
restoration of images. IEEE Trans. PAMI 6, 721-741.
Metropolis, N., Rosenbluth, A. W., Rosenbluth, M. N., Teller, A. H. & Teller, E. (1953).
Equation of state calculations by fast computing machines. J. Chem. Phys. 21, 1087-1092.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from energynets._validation import RNGLike, check_choice, check_rng
from energynets.models.boltzmann import BoltzmannMachine
from energynets.models.lattice import LatticeIsing
from energynets.sampling._chains import (
    Checkerboard,
    SingleSite,
    check_lattice_model,
    check_model,
    check_run,
    run,
)

__all__ = ["RULES", "SAMPLERS", "SCANS", "ChainResult", "checkerboard", "gibbs", "metropolis"]

SCANS = ("random", "sequential")
RULES = ("gibbs", "metropolis")
#: The kernels that parallel tempering and simulated annealing can run.
SAMPLERS = ("gibbs", "metropolis", "checkerboard")


@dataclass(frozen=True)
class ChainResult:
    """What the samplers return.

    Attributes
    ----------
    states : ndarray, shape (n_chains, n_units)
        The final state of every chain (the model's dtype).
    samples : ndarray, shape (n_samples, n_chains, n_units), or None
        The states after sweeps ``burn_in + thin, burn_in + 2 thin, ...`` up to ``n_sweeps``,
        so ``n_samples = (n_sweeps - burn_in) // thin``; None unless ``record=True``.
    energies : ndarray, shape (n_sweeps + 1, n_chains)
        The energy E(s) of every chain before the first sweep and after each sweep (the
        energy of the model itself, not of a tempered copy).
    acceptance : ndarray, shape (n_chains,)
        Per chain: Metropolis, accepted / proposed flips; Gibbs, the fraction of unit updates
        that changed the unit. NaN when no sweep was run.

    Examples
    --------
    >>> from energynets.models.boltzmann import frustrated_ring
    >>> ring = frustrated_ring(5)
    >>> res = gibbs(ring, ring.random_states(4, rng=0), n_sweeps=10, rng=1, burn_in=4, thin=2,
    ...             record=True)
    >>> res.states.shape, res.samples.shape, res.energies.shape, res.acceptance.shape
    ((4, 5), (3, 4, 5), (11, 4), (4,))
    """

    states: np.ndarray
    samples: np.ndarray | None
    energies: np.ndarray
    acceptance: np.ndarray


# -- argument checks --------------------------------------------------------------------------


def _single_site(
    rule: str,
    model: Any,
    states: Any,
    n_sweeps: Any,
    rng: RNGLike,
    scan: str,
    burn_in: Any,
    thin: Any,
    record: bool,
) -> ChainResult:
    bm = check_model(model)
    s, _ = bm.check_states(states)
    n, burn, every = check_run(n_sweeps, burn_in, thin)
    check_choice(scan, "scan", SCANS)
    gen = check_rng(rng)
    chains = SingleSite(bm, s, rule, scan)
    return ChainResult(*run(chains, n, gen, burn_in=burn, thin=every, record=bool(record)))


def gibbs(
    model: BoltzmannMachine,
    states: Any,
    n_sweeps: int,
    rng: RNGLike = 0,
    *,
    scan: str = "random",
    burn_in: int = 0,
    thin: int = 1,
    record: bool = False,
) -> ChainResult:
    """Single-site Gibbs sampling (heat bath) of many independent chains.

    Each update draws one unit from its conditional given all the others,

        p(s_i = hi | rest) = sigma(c h_i),   h_i = sum_j W_ij s_j + b_i,   c = hi - lo,

    i.e. sigma(2 h_i) for spins and sigma(h_i) for bits (``model.conditional_high``); a sweep
    updates every unit once. The Boltzmann distribution p(s) ~ exp(-E(s)) is invariant.

    Parameters
    ----------
    model : BoltzmannMachine
        Not modified. For inverse temperature beta pass ``model.tempered(beta)``.
    states : array_like, shape (n_chains, n_units) or (n_units,)
        Starting states (unit values of the model); a 1-D state is one chain. Not modified.
    n_sweeps : int >= 0
    rng : int, numpy.random.Generator or None
        The only source of randomness.
    scan : {"random", "sequential"}
        Visiting order: a fresh random permutation of the units each sweep (shared by all
        chains), or 0, 1, ..., N - 1.
    burn_in : int, 0 <= burn_in <= n_sweeps
        Sweeps before the first recorded sample.
    thin : int >= 1
        Record every ``thin``-th sweep after the burn-in.
    record : bool
        Keep the samples (memory n_samples x n_chains x n_units).

    Returns
    -------
    ChainResult
        ``states`` (n_chains, n_units), ``samples`` (n_samples, n_chains, n_units) or None,
        ``energies`` (n_sweeps + 1, n_chains), ``acceptance`` (n_chains,): the fraction of
        unit updates that changed the unit.

    Notes
    -----
    A sweep costs about one (n_chains x n_units) @ (n_units x n_units) matrix product (see the
    module notes) plus O(n_units) vectorised steps over the chains.

    References
    ----------
    Geman & Geman (1984), see the module notes.

    Examples
    --------
    >>> from energynets.models.boltzmann import frustrated_ring
    >>> ring = frustrated_ring(5)
    >>> res = gibbs(ring, ring.random_states(100, rng=0), n_sweeps=20, rng=1)
    >>> res.states.shape, res.energies.shape
    ((100, 5), (21, 100))
    """
    return _single_site("gibbs", model, states, n_sweeps, rng, scan, burn_in, thin, record)


def metropolis(
    model: BoltzmannMachine,
    states: Any,
    n_sweeps: int,
    rng: RNGLike = 0,
    *,
    scan: str = "random",
    burn_in: int = 0,
    thin: int = 1,
    record: bool = False,
) -> ChainResult:
    """Single-site Metropolis sampling of many independent chains.

    Each update proposes to flip one unit to its other value s_i' and accepts with probability

        min(1, exp(-dE)),   dE = E(s') - E(s) = -(s_i' - s_i) h_i,

    (2 s_i h_i for spins); a sweep proposes a flip of every unit once. The Boltzmann
    distribution is invariant (detailed balance).

    Parameters
    ----------
    model, states, n_sweeps, rng, scan, burn_in, thin, record
        As in :func:`gibbs`.

    Returns
    -------
    ChainResult
        ``acceptance`` is accepted / proposed flips per chain.

    References
    ----------
    Metropolis et al. (1953), see the module notes.
    """
    return _single_site("metropolis", model, states, n_sweeps, rng, scan, burn_in, thin, record)


def checkerboard(
    model: BoltzmannMachine | LatticeIsing,
    states: Any,
    n_sweeps: int,
    rng: RNGLike = 0,
    *,
    rule: str = "gibbs",
    burn_in: int = 0,
    thin: int = 1,
    record: bool = False,
) -> ChainResult:
    """Checkerboard (two-colour) updates of a periodic 2-D lattice with nearest-neighbour couplings.

    Colour the sites of an L1 x L2 periodic lattice (even sides) like a chessboard: every
    neighbour of a black site is white, so given the white sites the black ones are independent
    and can all be updated at once with the single-site rule, then the white ones. A sweep is
    one black and one white half-sweep. Local fields are neighbour sums computed by rolling the
    lattice (``np.roll``), O(N) per half-sweep. A
    :class:`~energynets.models.lattice.LatticeIsing` gives its bonds directly (O(N) memory,
    no dense matrix anywhere); the dense coupling matrix of a BoltzmannMachine is read once
    per machine, to extract and check the bonds. Both give the same chains for the same seed.

    Parameters
    ----------
    model : LatticeIsing, or BoltzmannMachine with ``lattice_shape = (L1, L2)``; sides even
        E.g. :func:`~energynets.models.lattice.ising_lattice` or
        :func:`~energynets.models.boltzmann.ising_2d`; couplings may vary from bond to
        bond but must link nearest neighbours only. Not modified.
    states : array_like, shape (n_chains, L1 * L2) or (L1 * L2,)
        Row-major lattice states. Not modified.
    n_sweeps, rng, burn_in, thin, record
        As in :func:`gibbs`.
    rule : {"gibbs", "metropolis"}
        The single-site rule applied to each site of the active colour.

    Returns
    -------
    ChainResult

    Raises
    ------
    ValueError
        If the model has no 2-D lattice, an odd side, or couplings between non-neighbours.

    References
    ----------
    Geman & Geman (1984); Metropolis et al. (1953), see the module notes.

    Newman, M. E. J. & Barkema, G. T. (1999). Monte Carlo Methods in Statistical Physics. Oxford
    University Press.

    Examples
    --------
    >>> from energynets.models.boltzmann import ising_2d
    >>> model = ising_2d(8).tempered(1 / 2.0)
    >>> res = checkerboard(model, model.random_states(10, rng=0), n_sweeps=50, rng=1)
    >>> res.energies.shape
    (51, 10)

    A 128 x 128 lattice stored by its bonds, one chain: one frame of an animation

    >>> from energynets.models.lattice import ising_lattice
    >>> big = ising_lattice(128, dtype=np.float32).tempered(1 / 2.0)
    >>> frame = checkerboard(big, big.random_states(1, rng=0), n_sweeps=1, rng=1)
    >>> frame.states.shape, frame.energies.shape
    ((1, 16384), (2, 1))
    """
    lattice = check_lattice_model(model)
    check_choice(rule, "rule", RULES)
    s, _ = lattice.check_states(states)
    n, burn, every = check_run(n_sweeps, burn_in, thin)
    gen = check_rng(rng)
    chains = Checkerboard(lattice, s, rule)
    return ChainResult(*run(chains, n, gen, burn_in=burn, thin=every, record=bool(record)))
