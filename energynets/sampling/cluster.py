"""Cluster updates of zero-field Ising models: Swendsen-Wang (1987) and Wolff (1989).

Both act on spin models E(s) = -sum_(i<j) J_ij s_i s_j with no field, any couplings of any
sign: a :class:`~energynets.models.boltzmann.BoltzmannMachine` with ``units="spins"`` (e.g.
:func:`~energynets.models.boltzmann.ising_2d`, :func:`~energynets.models.boltzmann.frustrated_ring`,
:func:`~energynets.models.boltzmann.sherrington_kirkpatrick` with ``field=0``) or a
:class:`~energynets.models.lattice.LatticeIsing`. Write the Boltzmann weight of each bond as

    exp(J s_i s_j) = exp(|J|) [(1 - p) + p 1{J s_i s_j > 0}],    p = 1 - exp(-2 |J|)

(Fortuin-Kasteleyn): a bond can be *activated* only when it is satisfied, J s_i s_j > 0, and
then with probability p. Flipping every spin of a cluster of activated bonds leaves the
satisfied or broken state of every activated bond as it was, which makes both updates exact.

- Swendsen-Wang *sweep*: activate every bond, label the connected clusters of activated bonds
  (isolated spins are clusters too) and flip each cluster with probability 1/2. Every spin is
  visited once per sweep.
- Wolff *step*: pick a uniformly random seed spin, grow the single cluster that contains it
  (each bond from a new cluster member to an aligned -- satisfying -- spin not yet in the
  cluster is tried once, when its first endpoint joins), and flip the whole cluster. A step
  costs work proportional to the cluster size, not to N: near T_c the mean cluster size
  <|C|> grows like the susceptibility, so one step is worth about <|C|> / N sweeps of work.

Temperature lives in the model, as for the other samplers: pass ``model.tempered(beta)``.
The models' bonds are read once per model (and remembered while it lives): the non-zero
couplings of a dense machine's upper triangle, or a lattice model's bonds (its neighbour
couplings, with the sites of the neighbours found by index arithmetic; no dense matrix).
Both give the same bonds in the same order, so :func:`~energynets.models.boltzmann.ising_2d`
and :func:`~energynets.models.lattice.ising_lattice` give identical chains for the same seed.

Implementation
--------------
Both updates are vectorised over chains: chain c's sites are numbered c N, ..., c N + N - 1
in one flat array of spins. Swendsen-Wang activates the bonds of all chains with one array
of uniforms, (n_chains, n_bonds), and labels the clusters of all chains in ONE call of
:func:`scipy.sparse.csgraph.connected_components` on the block-diagonal graph of activated
bonds (built directly in CSR form: the bonds are in row order); then one uniform per cluster.
Wolff grows the clusters of all chains at once, breadth first: per level, the neighbours of
the frontier (a padded neighbour table laid out for all chains, (n_chains N, max degree), the
padding pointing at the site itself) are gathered and tested with about fifteen array
operations, and the ones that join, each once, form the next frontier. A step thus costs
O(|C| x max degree) work plus a fixed overhead per level of the deepest cluster (about 190
levels for 32 chains of a 64 x 64 lattice at T_c). Its energy is updated from the bonds on
the cluster's boundary, O(|C|) per step (recomputed from scratch every 64 steps against
rounding). Where every bond has the same strength or sign (ising_2d, ising_lattice, an
antiferromagnet) one number replaces the per-bond tables.

In frustrated systems (spin glasses) the clusters percolate even well above the glass
transition, most Swendsen-Wang sweeps flip nearly everything or nothing and neither update
has its advantage over local updates; they stay exact.

References
----------
Swendsen, R. H. & Wang, J.-S. (1987). Nonuniversal critical dynamics in Monte Carlo
simulations. Phys. Rev. Lett. 58, 86-88.

Wolff, U. (1989). Collective Monte Carlo updating for spin systems. Phys. Rev. Lett. 62,
361-364.

Fortuin, C. M. & Kasteleyn, P. W. (1972). On the random-cluster model: I. Introduction and
relation to other models. Physica 57, 536-564.

Newman, M. E. J. & Barkema, G. T. (1999). Monte Carlo Methods in Statistical Physics. Oxford
University Press, chapter 4.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from energynets._validation import RNGLike, check_rng
from energynets.models._per_model import PerModel
from energynets.models.boltzmann import BoltzmannMachine
from energynets.models.lattice import LatticeIsing
from energynets.sampling._chains import check_lattice_model, check_run, run
from energynets.sampling.gibbs import ChainResult

__all__ = ["swendsen_wang", "wolff"]

# Wolff steps between recomputations of the energies from scratch (against rounding).
_REFRESH = 64


# -- the bonds of a model ---------------------------------------------------------------------
@dataclass(frozen=True)
class Bonds:
    """The non-zero couplings of a model, two views of the same bonds.

    ``table`` (N, d) and ``couplings`` (N, d): each site's neighbours in increasing order,
    padded to the largest degree d with the site itself and coupling 0. ``first``, ``second``,
    ``strength`` (n_bonds,): every bond once, (i, j) with i < j, in row-major order.
    """

    table: np.ndarray
    couplings: np.ndarray
    first: np.ndarray
    second: np.ndarray
    strength: np.ndarray


def _from_pairs(n: int, rows: np.ndarray, cols: np.ndarray, j: np.ndarray) -> Bonds:
    """Bonds from the directed pairs (row, col, J) of a symmetric coupling structure."""
    keep = j != 0
    rows, cols, j = rows[keep], cols[keep], j[keep]
    order = np.lexsort((cols, rows))
    rows, cols, j = rows[order], cols[order], j[order]
    degree = np.bincount(rows, minlength=n)
    width = int(degree.max()) if rows.size else 0
    starts = np.concatenate(([0], np.cumsum(degree)[:-1]))
    slot = np.arange(rows.size) - starts[rows]
    table = np.repeat(np.arange(n, dtype=np.int64)[:, None], max(width, 1), axis=1)
    couplings = np.zeros(table.shape, dtype=j.dtype)
    table[rows, slot] = cols
    couplings[rows, slot] = j
    upper = rows < cols
    parts = (table, couplings, rows[upper], cols[upper], j[upper])
    for a in parts:
        a.setflags(write=False)
    return Bonds(*parts)


def _lattice_pairs(model: LatticeIsing) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(site, neighbour, coupling) for the four neighbours of every site, from the bonds."""
    rows, cols = model.lattice_shape
    a, b = np.divmod(np.arange(rows * cols), cols)
    neighbours = (
        ((a + 1) % rows) * cols + b,  # below
        ((a - 1) % rows) * cols + b,  # above
        a * cols + (b + 1) % cols,  # right
        a * cols + (b - 1) % cols,  # left
    )
    site = np.tile(np.arange(rows * cols), 4)
    # a neighbour met twice (a side of 2) holds the sum of the two bonds once, 0 the other time
    return site, np.concatenate(neighbours), model.neighbour_couplings().reshape(-1)


#: Bonds already read, per model, for the array they were read from.
_READ: PerModel[Bonds] = PerModel()


def model_bonds(model: BoltzmannMachine | LatticeIsing) -> Bonds:
    """The bonds of a zero-field spin model, checked, read once per model.

    Raises
    ------
    ValueError
        If the model has bit units or a non-zero field (bias).
    """
    units = model.units
    if units != "spins":
        raise ValueError(
            f"model must have spin units for cluster updates (bonds are activated between "
            f"aligned spins), got units={units!r}"
        )
    if np.any(model.bias != 0):
        raise ValueError(
            "model must have a zero field (bias) for cluster updates (flipping a cluster "
            f"would change the field energy), got bias with {int(np.count_nonzero(model.bias))} "
            "non-zero entries"
        )
    if isinstance(model, LatticeIsing):
        lattice = model
        return _READ.get(
            model, model.bonds_down, lambda: _from_pairs(lattice.n_units, *_lattice_pairs(lattice))
        )
    return _READ.get(model, model.weights, lambda: _dense_bonds(model.weights))


def _dense_bonds(w: np.ndarray) -> Bonds:
    """The bonds of a dense coupling matrix: its non-zero entries."""
    rows, cols = np.nonzero(w)
    return _from_pairs(w.shape[0], rows, cols, w[rows, cols])


def _activation(strength: np.ndarray, beta: float) -> np.ndarray:
    """p = 1 - exp(-2 beta |J|), float64."""
    return -np.expm1(-2.0 * float(beta) * np.abs(strength.astype(np.float64)))


def _check_beta(beta: float | np.ndarray) -> float:
    if np.ndim(beta) != 0:
        raise ValueError(
            "cluster chains run at one inverse temperature for all chains, got an array of "
            f"shape {np.shape(beta)}"
        )
    return float(beta)


# -- the chains -------------------------------------------------------------------------------
class _ClusterChains:
    """What both kinds of chains share: flat int8 spins (chain c's sites at c N, ..., c N +
    N - 1), the bonds, exact energies and the states."""

    def __init__(self, model: BoltzmannMachine | LatticeIsing, states: np.ndarray) -> None:
        self.bonds = model_bonds(model)
        self.dtype = model.dtype
        self.n_chains, self.n_units = states.shape
        self.s = np.where(states > 0, 1, -1).astype(np.int8).reshape(-1)
        self.offsets = np.arange(self.n_chains, dtype=np.intp) * self.n_units

    def _exact_energies(self) -> np.ndarray:
        s = self.s.reshape(self.n_chains, self.n_units)
        bonds = self.bonds
        products = s.take(bonds.first, axis=1)
        products *= s.take(bonds.second, axis=1)
        return -(products.astype(np.float64) @ bonds.strength.astype(np.float64))

    def energies(self) -> np.ndarray:
        return self._exact_energies().astype(self.dtype)

    def states(self) -> np.ndarray:
        return self.s.reshape(self.n_chains, self.n_units).astype(self.dtype)


class SwendsenWangChains(_ClusterChains):
    """Swendsen-Wang chains; a sweep activates, labels and flips the clusters of all chains."""

    def __init__(self, model: BoltzmannMachine | LatticeIsing, states: np.ndarray) -> None:
        super().__init__(model, states)
        bonds = self.bonds
        self.sign = np.sign(bonds.strength).astype(np.int8)
        # the bonds' endpoints in every chain, (n_chains, n_bonds), global site numbers
        index = np.int32 if self.n_chains * self.n_units < 2**31 else np.intp
        self.first = (self.offsets[:, None] + bonds.first).astype(index)
        self.second = (self.offsets[:, None] + bonds.second).astype(index)
        self.activation = np.empty(0, dtype=self.dtype)
        self.set_inverse_temperature(1.0)

    def set_inverse_temperature(self, beta: float | np.ndarray) -> None:
        self.activation = _activation(self.bonds.strength, _check_beta(beta)).astype(self.dtype)

    def sweep(self, gen: np.random.Generator) -> np.ndarray:
        from scipy.sparse import csr_array  # scipy loads on first use, never at import
        from scipy.sparse.csgraph import connected_components

        n, n_chains, bonds = self.n_units, self.n_chains, self.bonds
        s = self.s.reshape(n_chains, n)
        active = s.take(bonds.first, axis=1) == s.take(bonds.second, axis=1) * self.sign
        active &= gen.random(active.shape, dtype=self.dtype) < self.activation
        # row-major, so the first endpoints come in non-decreasing order: CSR directly (with
        # the index type and float data that connected_components would otherwise convert to)
        which = np.flatnonzero(active)
        rows, cols = self.first.take(which), self.second.take(which)
        total = n_chains * n
        indptr = np.zeros(total + 1, dtype=self.first.dtype)
        np.cumsum(np.bincount(rows, minlength=total), out=indptr[1:])
        graph = csr_array((np.ones(rows.size), cols, indptr), shape=(total, total))
        n_clusters, labels = connected_components(graph, directed=False)
        flipped = (gen.random(n_clusters) < 0.5).take(labels)
        np.negative(self.s, out=self.s, where=flipped)
        return np.count_nonzero(flipped.reshape(n_chains, n), axis=1).astype(np.int64)


class WolffChains(_ClusterChains):
    """Wolff chains; a step grows one cluster per chain, breadth first, and flips it.

    While a cluster grows its spins are set to 0 in ``s`` (``spins`` keeps their values),
    so that "aligned and not yet in the cluster" is one comparison. The neighbour tables are
    laid out for every chain, (n_chains N, d), global site numbers, so a level gathers them
    with one index.
    """

    def __init__(self, model: BoltzmannMachine | LatticeIsing, states: np.ndarray) -> None:
        super().__init__(model, states)
        bonds, total = self.bonds, self.n_chains * self.n_units
        width = bonds.table.shape[1]
        self.table = (self.offsets[:, None, None] + bonds.table).reshape(total, width)
        # the value a neighbour must have to be aligned is sign(J) s_i; the padding asks for
        # 2 times s_i, which no spin (-1, 0 in the cluster, +1) has
        sign = np.where(bonds.couplings != 0, np.sign(bonds.couplings), 2).astype(np.int8)
        self.sign = np.tile(sign, (self.n_chains, 1))
        # one sign for every bond (a ferro- or an antiferromagnet): no table needed, and the
        # padding (the site itself, 0 while it is in the cluster) never matches +-1 either
        signs = np.unique(np.sign(bonds.strength))
        self.same_sign = int(signs[0]) if signs.size == 1 else 0
        strengths = np.unique(bonds.strength)
        self.coupling = float(strengths[0]) if strengths.size == 1 else None
        self.couplings = bonds.couplings.astype(np.float64)
        # (n_chains N, d), or one number when every bond has the same strength
        self.activation: Any = None
        self.set_inverse_temperature(1.0)
        self.spins = self.s.copy()  # s, but with the spins of a growing cluster, not 0
        self.stamp = np.zeros(total, dtype=np.intp)  # to keep the first of repeated joiners
        self.count = np.arange(total * width, dtype=np.intp)
        self.energy = self._exact_energies()
        self.n_since_refresh = 0

    def set_inverse_temperature(self, beta: float | np.ndarray) -> None:
        beta = _check_beta(beta)
        strength = np.unique(np.abs(self.bonds.strength))
        if strength.size == 1:  # the common case, ising_2d and ising_lattice: no table
            self.activation = _activation(strength, beta).astype(self.dtype)[0]
        else:
            p = _activation(self.bonds.couplings, beta).astype(self.dtype)
            self.activation = np.tile(p, (self.n_chains, 1))

    def energies(self) -> np.ndarray:
        return self.energy.astype(self.dtype)

    def _grow(self, seeds: np.ndarray, gen: np.random.Generator) -> np.ndarray:
        """The clusters of the seeds (global sites); sets their spins to 0 in ``s``."""
        s, spins, table, sign = self.s, self.spins, self.table, self.sign
        activation, stamp, count, dtype = self.activation, self.stamp, self.count, self.dtype
        uniform, same_sign = np.ndim(activation) == 0, self.same_sign
        # ndarray.take, not fancy indexing: several times faster on these short arrays
        s.put(seeds, 0)
        members = [seeds]
        frontier = seeds
        while True:
            neighbour = table.take(frontier, axis=0)  # (k, d)
            # the value a joining neighbour has: sign(J) s_i
            if same_sign == 1:
                aligned = spins.take(frontier)[:, None]
            elif same_sign == -1:
                aligned = -spins.take(frontier)[:, None]
            else:
                aligned = sign.take(frontier, axis=0)
                aligned *= spins.take(frontier)[:, None]
            trial = s.take(neighbour) == aligned  # aligned and not yet in the cluster
            p = activation if uniform else activation.take(frontier, axis=0)
            trial &= gen.random(trial.shape, dtype=dtype) < p
            joined = neighbour.take(np.flatnonzero(trial))
            if not joined.size:
                break
            order = count[: joined.size]  # a spin reached by several bonds joins once
            stamp.put(joined, order)
            frontier = joined.compress(stamp.take(joined) == order)
            s.put(frontier, 0)
            members.append(frontier)
        return np.concatenate(members)

    def sweep(self, gen: np.random.Generator) -> np.ndarray:
        n = self.n_units
        seeds = self.offsets + gen.integers(n, size=self.n_chains)
        cluster = self._grow(seeds, gen)
        chain = cluster // n
        values = self.spins.take(cluster)
        # E' - E = 2 sum over the bonds (i in C, j outside) of J s_i s_j; the spins of the
        # cluster are 0 now, so the bonds inside it drop out
        outside = self.s.take(self.table.take(cluster, axis=0)).astype(np.float64)
        if self.coupling is not None:  # every bond the same: J times the sum (padding: 0)
            local = outside @ np.full(outside.shape[1], self.coupling)
        else:
            local = np.einsum("ij,ij->i", outside, self.couplings.take(cluster - chain * n, axis=0))
        self.energy += 2.0 * np.bincount(chain, weights=local * values, minlength=self.n_chains)
        values *= -1
        self.s.put(cluster, values)
        self.spins.put(cluster, values)
        self.n_since_refresh += 1
        if self.n_since_refresh >= _REFRESH:
            self.energy = self._exact_energies()
            self.n_since_refresh = 0
        return np.bincount(chain, minlength=self.n_chains).astype(np.int64)


# -- the samplers -----------------------------------------------------------------------------
def swendsen_wang(
    model: BoltzmannMachine | LatticeIsing,
    states: Any,
    n_sweeps: int,
    rng: RNGLike = 0,
    *,
    burn_in: int = 0,
    thin: int = 1,
    record: bool = False,
) -> ChainResult:
    """Swendsen-Wang cluster sweeps of a zero-field Ising model, many chains at once.

    A sweep activates every satisfied bond (J_ij s_i s_j > 0) with probability
    1 - exp(-2 ``|J_ij|``), labels the clusters of activated bonds of all chains at once, and
    flips each cluster (an isolated spin too) with probability 1/2. Every spin is visited once
    per sweep. The Boltzmann distribution p(s) ~ exp(-E(s)) is invariant, and near the
    critical point the chains decorrelate far faster than with local updates.

    Parameters
    ----------
    model : BoltzmannMachine with spin units, or LatticeIsing; zero field
        Any couplings of any sign (ferro- or antiferromagnetic, frustrated). For inverse
        temperature beta pass ``model.tempered(beta)``. Not modified.
    states : array_like, shape (n_chains, n_units) or (n_units,)
        Starting spins. Not modified.
    n_sweeps : int >= 0
    rng : int, numpy.random.Generator or None
        The only source of randomness.
    burn_in : int, 0 <= burn_in <= n_sweeps
        Sweeps before the first recorded sample.
    thin : int >= 1
        Record every ``thin``-th sweep after the burn-in.
    record : bool
        Keep the samples (memory n_samples x n_chains x n_units).

    Returns
    -------
    ChainResult
        As for :func:`~energynets.sampling.gibbs.checkerboard`; ``acceptance`` is the mean
        fraction of spins flipped per sweep (about 1/2).

    Raises
    ------
    TypeError
        If ``model`` is neither a BoltzmannMachine nor a LatticeIsing.
    ValueError
        If the model has bit units or a non-zero field, or an argument is out of range.

    Notes
    -----
    A sweep costs O(n_chains x n_bonds) array work plus one
    :func:`scipy.sparse.csgraph.connected_components` call on a graph of n_chains x n_units
    vertices (see the module notes).

    References
    ----------
    Swendsen & Wang (1987), see the module notes.

    Examples
    --------
    >>> from energynets.models.lattice import ising_lattice
    >>> model = ising_lattice(16).tempered(1 / 2.269)
    >>> res = swendsen_wang(model, model.random_states(8, rng=0), n_sweeps=20, rng=1)
    >>> res.states.shape, res.energies.shape
    ((8, 256), (21, 8))
    """
    lattice = check_lattice_model(model)
    model_bonds(lattice)  # spins, no field: checked before the states
    s, _ = lattice.check_states(states)
    n, burn, every = check_run(n_sweeps, burn_in, thin)
    gen = check_rng(rng)
    chains = SwendsenWangChains(lattice, s)
    return ChainResult(*run(chains, n, gen, burn_in=burn, thin=every, record=bool(record)))


def wolff(
    model: BoltzmannMachine | LatticeIsing,
    states: Any,
    n_steps: int,
    rng: RNGLike = 0,
    *,
    burn_in: int = 0,
    thin: int = 1,
    record: bool = False,
) -> ChainResult:
    """Wolff single-cluster steps of a zero-field Ising model, many chains at once.

    A step picks a uniformly random seed spin in each chain, grows its cluster -- each bond
    from a spin that joins to a spin not yet in the cluster that satisfies it
    (J_ij s_i s_j > 0) is activated once, with probability 1 - exp(-2 ``|J_ij|``), and the spin
    joins -- and flips the cluster. The Boltzmann distribution is invariant.

    A Wolff *step* is not a sweep: it flips one cluster per chain, of mean size ``<|C|>`` =
    ``acceptance * n_units``, and costs work proportional to that size. Compare chains at
    equal work: n_steps Wolff steps are about ``n_steps * acceptance`` sweeps.

    Parameters
    ----------
    model : BoltzmannMachine with spin units, or LatticeIsing; zero field
        As in :func:`swendsen_wang`. Not modified.
    states : array_like, shape (n_chains, n_units) or (n_units,)
        Starting spins. Not modified.
    n_steps : int >= 0
        Wolff steps (clusters flipped per chain).
    rng : int, numpy.random.Generator or None
    burn_in : int, 0 <= burn_in <= n_steps
        Steps before the first recorded sample.
    thin : int >= 1
        Record every ``thin``-th step after the burn-in.
    record : bool

    Returns
    -------
    ChainResult
        ``energies`` has shape (n_steps + 1, n_chains) (before and after each step);
        ``acceptance`` is the mean fraction of spins flipped per step, i.e. the mean cluster
        size divided by ``n_units``.

    Raises
    ------
    TypeError
        If ``model`` is neither a BoltzmannMachine nor a LatticeIsing.
    ValueError
        If the model has bit units or a non-zero field, or an argument is out of range.

    Notes
    -----
    The clusters of all chains grow together, breadth first, a few array operations per
    level (see the module notes); a step costs O(``<|C|>`` x max degree) work and as many levels
    as the deepest cluster.

    References
    ----------
    Wolff (1989), see the module notes.

    Examples
    --------
    >>> from energynets.models.lattice import ising_lattice
    >>> model = ising_lattice(16).tempered(1 / 2.269)
    >>> res = wolff(model, np.ones((8, 256)), n_steps=50, rng=1)
    >>> res.states.shape, res.energies.shape
    ((8, 256), (51, 8))
    >>> mean_cluster_size = float(res.acceptance.mean()) * model.n_units
    """
    lattice = check_lattice_model(model)
    model_bonds(lattice)  # spins, no field: checked before the states
    s, _ = lattice.check_states(states)
    n, burn, every = check_run(n_steps, burn_in, thin, "n_steps")
    gen = check_rng(rng)
    chains = WolffChains(lattice, s)
    return ChainResult(*run(chains, n, gen, burn_in=burn, thin=every, record=bool(record)))
