"""The chains behind the samplers: batches of single-site or checkerboard chains of a
Boltzmann machine, swept at one inverse temperature per chain, and the loop that runs them.

:func:`energynets.sampling.gibbs.gibbs`, :func:`~energynets.sampling.gibbs.metropolis` and
:func:`~energynets.sampling.gibbs.checkerboard` run one kind of chains at beta = 1; simulated
annealing (:mod:`energynets.sampling.annealing`) and parallel tempering
(:mod:`energynets.sampling.tempering`) run the same chains with a schedule or a ladder of
inverse temperatures. A batch of chains (:class:`Chains`) is private working state, owned by
one sampler call: it is built from the caller's states (:func:`make_chains`), swept, and read
back.

Implementation
--------------
Both rules compare the field with a threshold drawn before the sweep: with u ~ U(0, 1) and
inverse temperature beta (1 for the plain kernels),

    Gibbs:       s_i <- hi  iff  h_i > logit(u) / (c beta),
    Metropolis:  s_i <- hi  iff  h_i > sign_i log(u) / (c beta),  sign_i = +1 if s_i = lo, else -1,

(u < sigma(x) iff logit(u) < x; a low unit goes high iff u < exp(c beta h_i), a high one stays
iff u >= exp(-c beta h_i)), so all the random numbers and logarithms of a sweep are computed at
once, vectorised. Dividing the thresholds by beta is the same Markov chain as the plain kernel
on ``model.tempered(beta)``; parallel tempering and simulated annealing use it to run many
temperatures in one batch (one beta per chain).

The single-site sweep is exact sequential single-unit dynamics, vectorised over chains. States
and fields are stored transposed, (n_units, n_chains), in the sweep's visiting order (a random
scan permutes the rows first), and the units are taken in blocks of ``_BLOCK``. Inside a
block, unit k's field is completed just before its update with the changes d_j of the block's
earlier units: one short product ``W[k, block[:k]] @ d[:k]`` and two elementwise steps per
unit, each over all chains. After the block, the fields of all units are brought up to date
with one matrix product ``h += W[:, block] @ d``. A sweep thus costs about one
(n_units x n_units) @ (n_units x n_chains) product plus O(n_units) vectorised steps. The fields
are recomputed from scratch every ``_REFRESH`` sweeps so that rounding cannot accumulate.

The checkerboard sampler stores each colour of the lattice packed, (L1, L2 / 2, n_chains), so
that the neighbour sums of one colour are four rolls (``np.roll``) of the other: O(N) work per
half-sweep on exactly the sites being updated.

The two rules are those of Geman & Geman (1984) and Metropolis et al. (1953); see
:mod:`energynets.sampling.gibbs` for the references.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from energynets._validation import check_int
from energynets.models.boltzmann import BoltzmannMachine
from energynets.models.lattice import LatticeIsing, lattice_bonds

__all__ = [
    "Chains",
    "Checkerboard",
    "SingleSite",
    "acceptance_rates",
    "check_lattice_model",
    "check_model",
    "check_run",
    "lattice_couplings",
    "make_chains",
    "run",
]

# Units per block of the single-site sweep: longer blocks mean fewer full-width matrix products
# per sweep, shorter ones cheaper per-unit products inside the block.
_BLOCK = 64
# Sweeps between recomputations of the fields from scratch (against accumulated rounding).
_REFRESH = 64


def check_model(model: Any) -> BoltzmannMachine:
    """``model`` itself when it is a BoltzmannMachine, else a TypeError naming it."""
    if isinstance(model, LatticeIsing):
        raise TypeError(
            "model must be a BoltzmannMachine, got LatticeIsing (the checkerboard sampler runs "
            "on it directly; model.to_boltzmann() gives the dense machine)"
        )
    if not isinstance(model, BoltzmannMachine):
        raise TypeError(f"model must be a BoltzmannMachine, got {type(model).__name__}")
    return model


def check_lattice_model(model: Any) -> BoltzmannMachine | LatticeIsing:
    """``model`` itself when it is a BoltzmannMachine or a LatticeIsing, else a TypeError."""
    if not isinstance(model, BoltzmannMachine | LatticeIsing):
        raise TypeError(
            f"model must be a BoltzmannMachine or a LatticeIsing, got {type(model).__name__}"
        )
    return model


def check_run(
    n_sweeps: Any, burn_in: Any, thin: Any, name: str = "n_sweeps"
) -> tuple[int, int, int]:
    """(n_sweeps, burn_in, thin) checked: counts, burn_in <= n_sweeps, thin >= 1 (``name``:
    how the messages call the count, e.g. Wolff's "n_steps")."""
    n = check_int(n_sweeps, name, minimum=0)
    burn = check_int(burn_in, "burn_in", minimum=0)
    if burn > n:
        raise ValueError(f"burn_in must be <= {name} = {n}, got {burn}")
    return n, burn, check_int(thin, "thin", minimum=1)


def lattice_couplings(
    model: BoltzmannMachine | LatticeIsing,
) -> tuple[tuple[int, int], np.ndarray]:
    """Nearest-neighbour couplings of a model on a periodic 2-D lattice with even sides, checked.

    Returns the lattice shape (L1, L2) and an array ``bonds`` of shape (4, L1, L2): for each
    site, the coupling to its neighbour below, above, to the right and to the left (in that
    order; a neighbour that coincides with an earlier one, on a side of length 2, gets 0 so that
    it is counted once). A LatticeIsing gives them from its bonds, a dense machine by
    :func:`energynets.models.lattice.lattice_bonds` (read once per machine).

    Raises
    ------
    ValueError
        If the model has no 2-D ``lattice_shape``, a side is odd (the lattice cannot be
        two-coloured), or a coupling links two sites that are not nearest neighbours.
    """
    shape = model.lattice_shape
    if shape is not None and len(shape) == 2 and (shape[0] % 2 or shape[1] % 2):
        raise ValueError(
            "the checkerboard sampler needs even lattice sides (a periodic lattice with an odd "
            f"side cannot be two-coloured), got lattice_shape={shape}"
        )
    bonds = lattice_bonds(model, " for the checkerboard sampler")
    return (int(bonds.shape[1]), int(bonds.shape[2])), bonds


# -- the chains ---------------------------------------------------------------------------------
class Chains(Protocol):
    """Working state of a batch of chains; private, owned by one sampler call."""

    n_units: int
    n_chains: int

    def set_inverse_temperature(self, beta: float | np.ndarray) -> None: ...

    def sweep(self, gen: np.random.Generator) -> np.ndarray: ...

    def energies(self) -> np.ndarray: ...

    def states(self) -> np.ndarray: ...


def _thresholds_scale(rule: str, width: float, beta: float | np.ndarray, dtype: np.dtype) -> Any:
    """What the log-uniforms of a sweep are multiplied by: 1 / (c beta) for Gibbs, and for
    Metropolis 1 / (c beta) / (c / 2), its thresholds being multiplied by y = (c / 2) sign
    later; a scalar or a row (1, n_chains). None at beta = 0 (the sweeps draw uniformly)."""
    if np.ndim(beta) == 0 and float(beta) == 0.0:
        return None
    if np.ndim(beta) == 0:
        scale = dtype.type(1.0 / (width * float(beta)))
    else:
        scale = (1.0 / (width * np.asarray(beta, dtype=np.float64))).astype(dtype)[None, :]
    if rule == "metropolis":
        scale = scale / dtype.type(0.5 * width)
    return scale


class SingleSite:
    """Single-site chains, stored transposed, (n_units, n_chains), in visiting-order layout.

    Row p of ``s`` and ``h`` holds unit ``pos[p]``; a random-scan sweep first permutes the rows
    (and ``w``, ``bias``) into its visiting order, so every block is a contiguous slice.
    """

    def __init__(self, model: BoltzmannMachine, states: np.ndarray, rule: str, scan: str) -> None:
        self.rule, self.scan = rule, scan
        self.weights = model.weights
        self.bias_units = model.bias
        self.dtype = self.weights.dtype
        self.lo, self.hi = model.unit_values
        self.width = self.hi - self.lo
        self.n_chains, self.n_units = n_chains, n = states.shape
        self.pos = np.arange(n)
        self.w = self.weights
        self.bias = self.bias_units[:, None]
        self.s = np.ascontiguousarray(states.T)
        self.h = np.empty_like(self.s)
        self.work = np.empty_like(self.s)  # the uniforms' complements, then matrix products
        self.noise = np.empty_like(self.s)
        self.blocks = [(a, min(a + _BLOCK, n)) for a in range(0, n, _BLOCK)]
        k = min(_BLOCK, n)
        self.y = np.empty((k, n_chains), dtype=self.dtype)
        self.z = np.empty(n_chains, dtype=self.dtype)
        self.half_row = np.full(n_chains, 0.5 * self.width, dtype=self.dtype)
        # couplings inside each block, with -1 on the diagonal (see sweep)
        self.coef = np.empty((len(self.blocks), k, k), dtype=self.dtype)
        self._set_block_couplings()
        # the views the unit loop works on, made once: numpy slicing costs as much as a ufunc
        self.unit_views = [
            [
                (self.coef[i, k, : k + 1], self.noise[a : a + k + 1], self.y[k], self.noise[a + k])
                for k in range(b - a)
            ]
            for i, (a, b) in enumerate(self.blocks)
        ]
        self.scale: Any = None
        self.set_inverse_temperature(1.0)
        self.n_since_refresh = 0
        self._refresh()

    def set_inverse_temperature(self, beta: float | np.ndarray) -> None:
        self.scale = _thresholds_scale(self.rule, self.width, beta, self.dtype)

    def _set_block_couplings(self) -> None:
        for i, (a, b) in enumerate(self.blocks):
            coef = self.coef[i, : b - a, : b - a]
            coef[...] = self.w[a:b, a:b]
            np.fill_diagonal(coef, -1.0)

    def _refresh(self) -> None:
        np.matmul(self.w, self.s, out=self.h)
        self.h += self.bias
        self.n_since_refresh = 0

    def energies(self) -> np.ndarray:
        # E = -1/2 s.(W s) - b.s = -1/2 (s.h + b.s)
        return -0.5 * (np.einsum("ij,ij->j", self.s, self.h) + self.bias[:, 0] @ self.s)

    def states(self) -> np.ndarray:
        out = np.empty((self.n_chains, self.n_units), dtype=self.dtype)
        out[:, self.pos] = self.s.T
        return out

    def _permute(self, order: np.ndarray) -> None:
        """Lay the rows out in the visiting order ``order`` (unit indices)."""
        where = np.empty_like(self.pos)
        where[self.pos] = np.arange(self.n_units)
        rows = where[order]
        self.s = self.s[rows]
        self.h = self.h[rows]
        self.pos = order
        self.w = self.weights.take(order, axis=0).take(order, axis=1)
        self.bias = self.bias_units[order][:, None]
        self._set_block_couplings()

    def _draw_thresholds(self, gen: np.random.Generator) -> np.ndarray:
        """Gibbs: logit(u) / (c beta); Metropolis: log(u) / (c beta) / (c / 2), per position."""
        t = self.noise
        gen.random(out=t, dtype=self.dtype)
        with np.errstate(divide="ignore"):  # u = 0 gives -inf: always accept / go high
            if self.rule == "gibbs":
                np.subtract(1.0, t, out=self.work)
                np.divide(t, self.work, out=t)
            np.log(t, out=t)
        t *= self.scale
        return t

    def sweep(self, gen: np.random.Generator) -> np.ndarray:
        c = self.width
        mid = 0.5 * (self.lo + self.hi)
        if self.scan == "random":
            self._permute(gen.permutation(self.n_units))
        if self.scale is None:
            return self._sweep_infinite_temperature(gen)
        t = self._draw_thresholds(gen)
        s, h, w, z = self.s, self.h, self.w, self.z
        changes = np.zeros(self.n_chains, dtype=self.dtype)
        matmul, copysign, add = np.matmul, np.copysign, np.add
        half_row = self.half_row  # c / 2 for every chain: an array is faster than a scalar
        for (a, b), views in zip(self.blocks, self.unit_views, strict=True):
            s_old = s[a:b]
            y = np.subtract(mid, s_old, out=self.y[: b - a])  # (c/2) sign: -s_old for spins
            # Row k of d first holds m_k = theta_k - h_k (unit k goes high iff the change of its
            # field within the block exceeds m_k), then the change d_k = s_new_k - s_old_k.
            d = t[a:b]
            if self.rule == "metropolis":  # + log(u) when the unit is low, - log(u) when high
                d *= y
            d -= h[a:b]
            for coef_k, d_upto_k, y_k, d_k in views:
                # z = sum_{j<k} W_kj d_j - m_k; the new value is mid + (c/2) sign(z)
                matmul(coef_k, d_upto_k, z)
                copysign(half_row, z, z)
                add(y_k, z, d_k)
            changes += np.einsum("ij,ij->j", d, d)
            s_old += d
            matmul(w[:, a:b], d, out=self.work)
            h += self.work
        self._after_sweep()
        return np.rint(changes / c**2).astype(np.int64)

    def _sweep_infinite_temperature(self, gen: np.random.Generator) -> np.ndarray:
        """beta = 0: Gibbs draws every unit uniformly, Metropolis accepts every flip."""
        if self.rule == "gibbs":
            u = gen.random(self.s.shape, dtype=self.dtype)
            new = np.where(u < 0.5, self.hi, self.lo).astype(self.dtype)
        else:
            new = (self.lo + self.hi - self.s).astype(self.dtype)
        changes = np.count_nonzero(new != self.s, axis=0).astype(np.int64)
        self.s[...] = new
        self._refresh()
        return changes

    def _after_sweep(self) -> None:
        self.n_since_refresh += 1
        if self.n_since_refresh >= _REFRESH:
            self._refresh()


class Checkerboard:
    """Checkerboard chains on an L1 x L2 periodic lattice (both sides even).

    Each colour k is stored packed, shape (L1, L2 / 2, n_chains): ``packed[k][a, j]`` is site
    (a, 2 j + (a + k) % 2). The neighbours of a site are of the other colour: above and below at
    the same packed column j (a roll along the rows), and left and right at columns j and
    j - 1 (rows with (a + k) even) or j + 1 and j (odd), a roll along the row by -1 or +1
    depending on the row's parity. So every half-sweep only touches the sites it updates.
    """

    def __init__(
        self, model: BoltzmannMachine | LatticeIsing, states: np.ndarray, rule: str
    ) -> None:
        (rows, cols), bonds = lattice_couplings(model)
        self.rule = rule
        self.dtype = model.dtype
        self.lo, self.hi = model.unit_values
        self.width = self.hi - self.lo
        self.n_chains, self.n_units = states.shape
        half = cols // 2
        a = np.arange(rows)[:, None]
        j = np.arange(half)[None, :]
        s_t = states.T
        # the common case, every bond equal and non-zero (ising_2d with sides > 2): one
        # multiplication per neighbour sum, and no coupling arrays
        first = bonds.flat[0]
        self.uniform = float(first) if first != 0 and np.all(bonds == first) else None
        self.sites, self.packed, self.couplings, self.bias = [], [], [], []
        for k in (0, 1):
            parity = (a + k) % 2  # 0: right neighbour at j, left at j - 1; 1: at j + 1 and j
            col = 2 * j + parity
            if self.uniform is None:
                below, above, right, left = (bonds[i][a, col] for i in range(4))
                same = np.where(parity == 0, right, left)
                shifted = np.where(parity == 0, left, right)
                self.couplings.append(np.stack([below, above, same, shifted])[..., None])
            site = a * cols + col
            self.sites.append(site)
            self.packed.append(np.ascontiguousarray(s_t[site]))  # (rows, half, n_chains)
            self.bias.append(model.bias[site][..., None].astype(self.dtype))
        self.scale: Any = None
        self.set_inverse_temperature(1.0)
        self.neighbours0 = self._neighbour_sum(0)  # kept up to date for energies and sweeps

    def set_inverse_temperature(self, beta: float | np.ndarray) -> None:
        self.scale = _thresholds_scale(self.rule, self.width, beta, self.dtype)

    def _neighbour_sum(self, k: int) -> np.ndarray:
        """sum over the 4 neighbours of J s_neighbour for the sites of colour k."""
        other = self.packed[1 - k]
        moved = np.empty_like(other)  # the horizontal neighbour that is not at column j
        even, odd = slice(k, None, 2), slice(1 - k, None, 2)  # rows with (a + k) even / odd
        moved[even] = np.roll(other[even], 1, axis=1)
        moved[odd] = np.roll(other[odd], -1, axis=1)
        if self.uniform is not None:
            h = np.roll(other, -1, axis=0)
            h += np.roll(other, 1, axis=0)
            h += other
            h += moved
            h *= self.dtype.type(self.uniform)
            return h
        below, above, same, shifted = self.couplings[k]
        h = below * np.roll(other, -1, axis=0)
        h += above * np.roll(other, 1, axis=0)
        h += same * other
        moved *= shifted
        h += moved
        return h

    def energies(self) -> np.ndarray:
        # every bond has exactly one endpoint of colour 0: E = -s_0 . (J s_1) - b . s
        p0, p1 = self.packed
        e = np.einsum("ijk,ijk->k", p0, self.neighbours0)
        e += np.einsum("ijk,ijk->k", p0, np.broadcast_to(self.bias[0], p0.shape))
        e += np.einsum("ijk,ijk->k", p1, np.broadcast_to(self.bias[1], p1.shape))
        return -e

    def states(self) -> np.ndarray:
        out = np.empty((self.n_chains, self.n_units), dtype=self.dtype)
        for site, packed in zip(self.sites, self.packed, strict=True):
            out[:, site.ravel()] = packed.reshape(-1, self.n_chains).T
        return out

    def sweep(self, gen: np.random.Generator) -> np.ndarray:
        lo, hi = self.dtype.type(self.lo), self.dtype.type(self.hi)
        changes = np.zeros(self.n_chains, dtype=self.dtype)
        for k in (0, 1):
            s = self.packed[k]
            u = gen.random(s.shape, dtype=self.dtype)
            if self.scale is None:  # beta = 0
                new = np.where(u < 0.5, hi, lo) if self.rule == "gibbs" else lo + hi - s
            else:
                with np.errstate(divide="ignore"):  # u = 0: -inf, always high / accepted
                    if self.rule == "gibbs":
                        theta = np.log(u / (1.0 - u))
                    else:
                        theta = np.log(u)
                theta *= self.scale
                if self.rule == "metropolis":  # + log(u) / (c beta) when low, - when high
                    theta *= 0.5 * (lo + hi) - s
                theta -= self.bias[k]
                field = self.neighbours0 if k == 0 else self._neighbour_sum(1)
                new = np.where(field > theta, hi, lo)
            diff = new - s
            changes += np.einsum("ijk,ijk->k", diff, diff)
            self.packed[k] = new
        self.neighbours0 = self._neighbour_sum(0)
        return np.rint(changes / self.width**2).astype(np.int64)


def make_chains(
    model: BoltzmannMachine, states: np.ndarray, sampler: str, scan: str = "random"
) -> Chains:
    """A batch of chains for ``sampler`` in "gibbs", "metropolis", "checkerboard"."""
    if sampler == "checkerboard":
        return Checkerboard(model, states, "gibbs")
    return SingleSite(model, states, sampler, scan)


# -- the run loop -----------------------------------------------------------------------------
def run(
    chains: Chains,
    n_sweeps: int,
    gen: np.random.Generator,
    *,
    burn_in: int = 0,
    thin: int = 1,
    record: bool = False,
    betas: np.ndarray | None = None,
    sweeps_per_beta: int = 1,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """Sweep ``chains`` ``n_sweeps`` times: (states, samples, energies, acceptance), the fields
    of a ChainResult. With ``betas``, sweeps 1 to ``sweeps_per_beta`` run at ``betas[0]``, the
    next ``sweeps_per_beta`` at ``betas[1]``, and so on (simulated annealing)."""
    n_chains = chains.n_chains
    first = chains.energies()
    energies = np.empty((n_sweeps + 1, n_chains), dtype=first.dtype)
    energies[0] = first
    n_samples = (n_sweeps - burn_in) // thin
    samples = None
    if record:
        samples = np.empty((n_samples, n_chains, chains.n_units), dtype=first.dtype)
    changes = np.zeros(n_chains, dtype=np.int64)
    for t in range(1, n_sweeps + 1):
        if betas is not None and (t - 1) % sweeps_per_beta == 0:
            chains.set_inverse_temperature(float(betas[(t - 1) // sweeps_per_beta]))
        changes += chains.sweep(gen)
        energies[t] = chains.energies()
        if samples is not None and t > burn_in and (t - burn_in) % thin == 0:
            samples[(t - burn_in) // thin - 1] = chains.states()
    return chains.states(), samples, energies, acceptance_rates(changes, n_sweeps, chains.n_units)


def acceptance_rates(changes: np.ndarray, n_sweeps: int, n_units: int) -> np.ndarray:
    """Changed (or accepted) unit updates per update made, per chain; NaN without sweeps."""
    if n_sweeps:
        return changes / float(n_sweeps * n_units)
    return np.full(changes.shape[0], np.nan)
