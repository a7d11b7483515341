"""Dense associative memories (Krotov & Hopfield 2016).

Dense associative memory
    Spins s in {-1, +1}^N and P stored patterns xi^mu, the rows of X (P, N). With the
    overlaps m_mu = xi^mu . s (the vector m = X s), the energy is

        E(s) = -sum_mu F(m_mu),

    with an interaction function F that grows faster than the classical quadratic one:

    - ``"polynomial"``: F(z) = z^n (Krotov & Hopfield 2016). n = 2 is the classical Hebbian
      network: E = 2 N E_Hebb - N P, the same dynamics (see :meth:`DenseAssociativeMemory.recall`);
    - ``"rectified"``: F(z) = max(z, 0)^n, the rectified polynomial of the same paper;
    - ``"exponential"``: F(z) = exp(z) (Demircigil, Heusel, Loewe, Upgang & Vermet 2017).

    Flipping unit i changes every overlap by c_mu = -2 s_i xi_i^mu = +-2, so with
    A_mu = (F(m_mu + 2) + F(m_mu - 2)) / 2 and D_mu = (F(m_mu + 2) - F(m_mu - 2)) / 2 one gets
    F(m_mu + c_mu) = A_mu - s_i xi_i^mu D_mu and the energy difference of the flip is

        Delta E_i = E(s with s_i flipped) - E(s) = -sum_mu (A_mu - F(m_mu)) + s_i (D X)_i,

    one product of D (per probe, length P) with the patterns for all N units at once. For the
    exponential interaction every term carries a factor exp(m_mu): they are computed as
    exp(m_mu - max_nu m_nu), which never overflows, and the sign of Delta E (all the dynamics
    need) is unchanged by the shift.

Capacity: about N^(n-1) / (2 (2n - 3)!! ln N) random patterns for F(z) = z^n
(Krotov & Hopfield 2016), exponential in N for F(z) = exp(z) (Demircigil et al. 2017); see
:mod:`energynets.experiments.capacity`.

The modern (continuous) Hopfield network of Ramsauer et al. (2020), :class:`ModernHopfield`,
lives in :mod:`energynets.models.modern` and is importable from here too.

References
----------
Krotov, D. & Hopfield, J. J. (2016). Dense associative memory for pattern recognition.
NeurIPS 29, 1172-1180.

Demircigil, M., Heusel, J., Loewe, M., Upgang, S. & Vermet, F. (2017). On a model of
associative memory with huge storage capacity. J. Stat. Phys. 168, 288-299 (arXiv:1702.01929).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from energynets._validation import (
    RNGLike,
    as_float_array,
    as_spins,
    check_choice,
    check_int,
    check_rng,
)
from energynets.models._chunks import row_chunks
from energynets.models.modern import FIXED_POINT_TYPES, ModernHopfield, ModernRetrieval
from energynets.sampling.dynamics import DYNAMICS, ORDERS, RecallResult, sync_step

__all__ = [
    "FIXED_POINT_TYPES",
    "INTERACTIONS",
    "DenseAssociativeMemory",
    "ModernHopfield",
    "ModernRetrieval",
]

#: The interaction functions F by name: z^n, max(z, 0)^n and exp(z).
INTERACTIONS = ("polynomial", "rectified", "exponential")

# asynchronous sweeps take the visiting order in blocks of this many units
_BLOCK = 16
# sinh(2) and cosh(2) - 1: the exponential's D and A - F per unit of exp(m - shift)
_SINH2 = math.sinh(2.0)
_COSH2M1 = math.cosh(2.0) - 1.0
_EXP2 = math.exp(2.0)


def _power(x: np.ndarray, n: int) -> np.ndarray:
    """x ** n for an int n >= 1 by repeated squaring (exact for integers below 2^53)."""
    result: np.ndarray | None = None
    base = x
    while n:
        if n & 1:
            result = base.copy() if result is None else result * base
        n >>= 1
        if n:
            base = base * base
    assert result is not None
    return result


@dataclass(frozen=True)
class _Terms:
    """What the energy differences of a batch of overlaps need (see the module docstring).

    ``delta = scale * (-const + s_i (d @ X)_i)``; ``tol`` (same units as the bracket) is the
    size below which a difference counts as zero; ``log_scale`` is log(scale) (0 except for
    the exponential, where it is max_mu m_mu + log sinh 2); ``energy`` is E itself.
    """

    d: np.ndarray  # (R, P)
    const: np.ndarray  # (R,)
    tol: np.ndarray  # (R,)
    log_scale: np.ndarray  # (R,)
    energy: np.ndarray  # (R,): E = -sum_mu F(m_mu)


class DenseAssociativeMemory:
    """A dense associative memory: E(s) = -sum_mu F(xi^mu . s) over spins s in {-1, +1}^N.

    Parameters
    ----------
    patterns : array_like, shape (n_patterns, n_units)
        The stored patterns xi^mu, spins +-1 (copied; the caller's array is not modified).
    interaction : {"polynomial", "rectified", "exponential"}
        F(z) = z^n, max(z, 0)^n (Krotov & Hopfield 2016) or exp(z) (Demircigil et al. 2017).
    degree : int >= 2
        n of the (rectified) polynomial; ignored by the exponential. n = 2 with the polynomial
        is the classical Hebbian Hopfield network.

    Notes
    -----
    The model stores the patterns themselves, not a weight tensor: an energy or a sweep costs
    O(N P) per probe, and memory is O(N P) instead of the O(N^n) of an explicit n-body tensor.
    Computations are in float64 (the overlaps and polynomial terms are then exact integers up
    to 2^53).

    References
    ----------
    Krotov & Hopfield (2016); Demircigil et al. (2017). Full citations in the module docstring.

    Examples
    --------
    >>> import energynets as en
    >>> xi = en.datasets.random_patterns(100, 40, rng=0)  # 2.5 patterns per unit
    >>> dam = en.DenseAssociativeMemory(xi, interaction="polynomial", degree=4)
    >>> res = dam.recall(en.corrupt(xi, 0.1, rng=1), rng=2)
    >>> float((res.states == xi).all(axis=1).mean())
    1.0
    """

    def __init__(self, patterns: Any, interaction: str = "polynomial", degree: int = 3) -> None:
        check_choice(interaction, "interaction", INTERACTIONS)
        n = check_int(degree, "degree", minimum=2)
        p, _ = as_spins(patterns, "patterns", dtype=np.float64, allow_1d=False)
        p.setflags(write=False)
        self._patterns = p
        self._columns = np.ascontiguousarray(p.T)  # (N, P): rows xi_i^mu for one unit i
        self._columns.setflags(write=False)
        self.interaction = interaction
        self.degree = n

    # -- parameters -------------------------------------------------------------------------
    @property
    def patterns(self) -> np.ndarray:
        """The stored patterns, shape (n_patterns, n_units), read-only."""
        return self._patterns

    @property
    def n_units(self) -> int:
        """Number of units N."""
        return int(self._patterns.shape[1])

    @property
    def n_patterns(self) -> int:
        """Number of stored patterns P."""
        return int(self._patterns.shape[0])

    def __repr__(self) -> str:
        deg = "" if self.interaction == "exponential" else f", degree={self.degree}"
        return (
            f"DenseAssociativeMemory(n_units={self.n_units}, n_patterns={self.n_patterns}, "
            f"interaction={self.interaction!r}{deg})"
        )

    def get_params(self) -> dict[str, Any]:
        """Arrays and settings that define the model (used by :mod:`energynets.io`).

        Returns
        -------
        dict
            ``patterns``, ``interaction`` and ``degree``.
        """
        return {
            "patterns": self._patterns,
            "interaction": self.interaction,
            "degree": np.array(self.degree, dtype=np.int64),
        }

    # -- the interaction --------------------------------------------------------------------
    def interaction_function(self, z: Any) -> np.ndarray:
        """F(z): z^n, max(z, 0)^n or exp(z), elementwise.

        Parameters
        ----------
        z : array_like of float, any shape

        Returns
        -------
        ndarray of float64, the shape of ``z``
        """
        x = np.asarray(as_float_array(z, "z", dtype=np.float64, allow_empty=True))
        return self._f(x)

    def _f(self, z: np.ndarray) -> np.ndarray:
        if self.interaction == "exponential":
            with np.errstate(over="ignore"):
                return np.exp(z)
        if self.interaction == "rectified":
            z = np.maximum(z, 0.0)
        return _power(z, self.degree)

    def _terms(self, m: np.ndarray) -> _Terms:
        """D, sum_mu (A - F), the tolerance and the energy of overlaps m (R, P).

        The bracket -const + s_i (d X)_i is Delta E_i divided by a positive scale
        exp(log_scale) (module docstring), which changes no sign.
        """
        if self.interaction == "exponential":
            shift = m.max(axis=1)
            e = np.exp(m - shift[:, None])
            total = e.sum(axis=1)
            # D = exp(m) sinh 2 and A - F = exp(m) (cosh 2 - 1): divided by exp(shift) sinh 2
            with np.errstate(over="ignore"):
                energy = -np.exp(shift) * total
            return _Terms(
                e,
                total * (_COSH2M1 / _SINH2),
                (1e-12 * _EXP2 / _SINH2) * total,
                shift + math.log(_SINH2),
                energy,
            )
        plus = self._f(m + 2.0)
        minus = self._f(m - 2.0)
        f0 = self._f(m)
        sum_plus, sum_minus, sum_f0 = plus.sum(axis=1), minus.sum(axis=1), f0.sum(axis=1)
        const = 0.5 * (sum_plus + sum_minus) - sum_f0
        # every term is an integer; the sums are exact (so a difference is 0 or >= 1 in
        # size) while they stay below 2^53, beyond which rounding is relative to their size
        if self.interaction == "polynomial" and self.degree % 2:
            bound = np.abs(plus).sum(axis=1) + np.abs(minus).sum(axis=1)
        else:  # F >= 0
            bound = sum_plus + sum_minus
        d = plus
        d -= minus
        d *= 0.5
        tol = np.maximum(0.5, 1e-12 * bound)
        return _Terms(d, const, tol, np.zeros(m.shape[0]), -sum_f0)

    def _deltas(self, s: np.ndarray, terms: _Terms, columns: Any = slice(None)) -> np.ndarray:
        """Scaled energy differences of flipping each unit in ``columns``: (R, n_columns)."""
        cols = self._patterns[:, columns]  # (P, K)
        return s[:, columns] * (terms.d @ cols) - terms.const[:, None]

    # -- energy -----------------------------------------------------------------------------
    def _states(self, states: Any, name: str = "states") -> tuple[np.ndarray, bool]:
        return as_spins(states, name, n_units=self.n_units, dtype=np.float64)

    def _energy_from_overlaps(self, m: np.ndarray) -> np.ndarray:
        if self.interaction == "exponential":
            # -exp(logsumexp(m)): finite while |E| < 1.8e308, -inf beyond (no warning)
            shift = m.max(axis=1)
            with np.errstate(over="ignore"):
                return -np.exp(shift) * np.exp(m - shift[:, None]).sum(axis=1)
        return -self._f(m).sum(axis=1)

    def overlaps(self, states: Any) -> np.ndarray:
        """Overlaps m = s X^T (unnormalised: m_mu = xi^mu . s), shape (n_states, n_patterns).

        Parameters
        ----------
        states : array_like, shape (n_states, n_units) or (n_units,), spins +-1

        Returns
        -------
        ndarray, shape (n_states, n_patterns) (shape (n_patterns,) for a single 1-D state)
            Integers from -N to N: N for a stored pattern itself.
        """
        s, was_1d = self._states(states)
        m = s @ self._columns
        return m[0] if was_1d else m

    def energy(self, states: Any) -> np.ndarray:
        """Energy E(s) = -sum_mu F(xi^mu . s).

        For the exponential interaction it is computed as -exp(logsumexp(m)), exactly
        representable while -E < 1.8e308 (always for N <= 709), and -inf beyond; the
        dynamics never form it (they use shifted energy differences).

        Parameters
        ----------
        states : array_like, shape (n_states, n_units) or (n_units,), spins +-1

        Returns
        -------
        ndarray, shape (n_states,) (a float for a single 1-D state)
        """
        s, was_1d = self._states(states)
        e = self._energy_from_overlaps(s @ self._columns)
        return e[0] if was_1d else e

    def energy_differences(self, states: Any) -> np.ndarray:
        """Delta E_i = E(s with unit i flipped) - E(s) for every unit, from the overlaps.

        Delta E_i = -sum_mu (A_mu - F(m_mu)) + s_i sum_mu xi_i^mu D_mu with
        A, D = (F(m + 2) +- F(m - 2)) / 2 (module docstring): O(N P) per state, like one
        energy, instead of N energies.

        Parameters
        ----------
        states : array_like, shape (n_states, n_units) or (n_units,), spins +-1

        Returns
        -------
        ndarray, shape (n_states, n_units) (or (n_units,))
        """
        s, was_1d = self._states(states)
        terms = self._terms(s @ self._columns)
        with np.errstate(over="ignore"):
            out = self._deltas(s, terms) * np.exp(terms.log_scale)[:, None]
        return out[0] if was_1d else out

    def is_fixed_point(self, states: Any) -> np.ndarray:
        """True for each state where no single flip lowers the energy.

        Parameters
        ----------
        states : array_like, shape (n_states, n_units) or (n_units,), spins +-1

        Returns
        -------
        ndarray of bool, shape (n_states,) (a numpy bool for a single 1-D state)
        """
        s, was_1d = self._states(states)
        out = np.empty(s.shape[0], dtype=bool)
        for rows in self._chunks(s.shape[0]):
            terms = self._terms(s[rows] @ self._columns)
            out[rows] = ~np.any(self._deltas(s[rows], terms) < -terms.tol[:, None], axis=1)
        return out[0] if was_1d else out

    def _chunks(self, n_rows: int) -> list[slice]:
        # probes go in chunks of about CHUNK_ELEMENTS overlaps (chunk rows x P), so that the
        # per-probe arrays (overlaps, D) stay a few tens of MB whatever the batch
        return row_chunks(n_rows, self.n_patterns)

    # -- dynamics ---------------------------------------------------------------------------
    def recall(
        self,
        probes: Any,
        dynamics: str = "async",
        max_sweeps: int = 100,
        rng: RNGLike = 0,
        *,
        order: str = "random",
        record_overlaps: bool = False,
    ) -> RecallResult:
        """Zero-temperature dynamics from a batch of probes: flip a unit when that lowers E.

        Asynchronous: one unit at a time, in a fresh random order per sweep (shared by the
        probes of the batch) or in the order 0..N-1; a unit is flipped when Delta E_i < 0, so
        the energy never rises; a probe stops when no flip lowers its energy. Synchronous:
        every unit with Delta E_i < 0 flips at once (one "update" in the sense of the capacity
        results), stopping at a fixed point or a 2-cycle.

        Each probe keeps its overlaps m = X s (length P) and, after a flip of unit i, updates
        them by 2 s_i xi_i (O(P)); energy differences come from the overlaps (module
        docstring), a block of units at a time with one matrix product, never from the whole
        energy. A difference within rounding of zero counts as zero (the unit keeps its
        state), as in :meth:`HopfieldNetwork.recall`.

        Parameters
        ----------
        probes : array_like, shape (n_probes, n_units) or (n_units,)
            Starting states, spins +-1. Not modified.
        dynamics : {"async", "sync"}
        max_sweeps : int >= 0
            Upper bound on the sweeps (synchronous: steps).
        rng : int, Generator or None
            Randomness of the visiting order (drawn exactly as in
            :meth:`HopfieldNetwork.recall`: one permutation per sweep in which some probe
            moves, so degree 2 follows the classical network's trajectory).
        order : {"random", "sequential"}
        record_overlaps : bool
            Record the overlaps m / N with every pattern after each sweep (an array of
            n_sweeps x n_probes x n_patterns: off by default, P is large here).

        Returns
        -------
        RecallResult
            ``states``, ``converged``, ``n_sweeps``, ``energies`` (one row per sweep,
            ``(max(n_sweeps) + 1, n_probes)``), ``overlaps`` (or None), ``cycled``.

        Notes
        -----
        Cost per sweep and probe: O(N P) for the differences of all units, plus O(P) per
        flip and O(P) per unit visited after a flip within a block of ``_BLOCK`` units.
        """
        s, was_1d = self._states(probes, "probes")
        check_choice(dynamics, "dynamics", DYNAMICS)
        check_choice(order, "order", ORDERS)
        n_max = check_int(max_sweeps, "max_sweeps", minimum=0)
        if not isinstance(record_overlaps, bool | np.bool_):
            raise TypeError(f"record_overlaps must be a bool, got {type(record_overlaps).__name__}")
        gen = check_rng(rng)
        perms = _Orders(gen, order, self.n_units)
        parts = []
        for rows in self._chunks(s.shape[0]):
            sub = s[rows]
            if dynamics == "async":
                parts.append(self._async(sub, n_max, perms, bool(record_overlaps)))
            else:
                parts.append(self._sync(sub, n_max, bool(record_overlaps)))
        out = _join(parts, s.shape[0])
        if was_1d:
            out = RecallResult(
                out.states[0], out.converged, out.n_sweeps, out.energies, out.overlaps, out.cycled
            )
        return out

    def _async(self, s: np.ndarray, n_max: int, perms: _Orders, record: bool) -> RecallResult:
        m = s @ self._columns
        trace = _Trace(m, self.n_units, record)
        active = np.arange(s.shape[0])  # probes whose state changed in the last sweep
        for sweep in range(n_max + 1):
            # a probe that did not move is still where it was: only the others are checked
            terms = self._terms(m[active])
            trace.add_energies(active, terms.energy)
            sub_s = s[active]
            delta = self._deltas(sub_s, terms)
            unstable = np.any(delta < -terms.tol[:, None], axis=1)
            trace.converged[active[~unstable]] = True
            if sweep == n_max or not unstable.any():
                break
            keep = np.flatnonzero(unstable)
            active = active[keep]
            trace.n_sweeps[active] += 1
            sub_terms = _Terms(*(getattr(terms, f)[keep] for f in _Terms.__dataclass_fields__))
            sub_s, sub_m = sub_s[keep], m[active]
            self._sweep(sub_s, sub_m, delta[keep], sub_terms, perms.get(sweep))
            s[active], m[active] = sub_s, sub_m
            trace.add_overlaps(m)
        return trace.result(s, np.zeros(s.shape[0], dtype=bool))

    def _sweep(
        self, s: np.ndarray, m: np.ndarray, delta: np.ndarray, terms: _Terms, perm: np.ndarray
    ) -> None:
        """One asynchronous sweep in the order ``perm``; ``s`` and ``m`` updated in place.

        ``delta`` (R, N) holds the differences of the state at the start of the sweep, exact
        for a probe until it flips a unit. A probe that flipped ("dirty") gets its D and
        constant recomputed from its new overlaps (O(P)), then its difference for each
        further unit of the block one dot product at a time, and for the next block one
        matrix product with that block's pattern columns.
        """
        d, const, tol = terms.d.copy(), terms.const.copy(), terms.tol.copy()
        ever = np.zeros(s.shape[0], dtype=bool)  # flipped a unit during this sweep
        cols = self._columns
        for start in range(0, perm.size, _BLOCK):
            block = perm[start : start + _BLOCK]
            stale = np.flatnonzero(ever)
            if stale.size:  # the sweep-start differences of these rows are out of date
                delta[np.ix_(stale, block)] = (
                    s[np.ix_(stale, block)] * (d[stale] @ self._patterns[:, block])
                    - const[stale, None]
                )
            moved = np.zeros(s.shape[0], dtype=bool)  # flipped earlier in this block
            for i in block:
                di = delta[:, i]
                inside = np.flatnonzero(moved)
                if 4 * inside.size > s.shape[0]:  # many rows moved: one product, no gather
                    di = np.where(moved, s[:, i] * (d @ cols[i]) - const, di)
                elif inside.size:
                    di = di.copy()
                    di[inside] = s[inside, i] * (d[inside] @ cols[i]) - const[inside]
                flip = np.flatnonzero(di < -tol)
                if flip.size == 0:
                    continue
                s[flip, i] *= -1.0
                # m_mu += 2 s_i(new) xi_i^mu
                m[flip] += (2.0 * s[flip, i])[:, None] * cols[i]
                t = self._terms(m[flip])
                d[flip], const[flip], tol[flip] = t.d, t.const, t.tol
                moved[flip] = True
                ever[flip] = True

    def _sync(self, s: np.ndarray, n_max: int, record: bool) -> RecallResult:
        m = s @ self._columns
        trace = _Trace(m, self.n_units, record)
        cycled = np.zeros(s.shape[0], dtype=bool)
        prev = s.copy()  # the state one step back, for 2-cycle detection
        active = np.arange(s.shape[0])
        for step in range(n_max + 1):
            terms = self._terms(m[active])
            trace.add_energies(active, terms.energy)
            flip = self._deltas(s[active], terms) < -terms.tol[:, None]
            if step == n_max:  # out of steps: those at a fixed point still count as converged
                trace.converged[active[~flip.any(axis=1)]] = True
                break
            new = np.where(flip, -s[active], s[active])
            active, new = sync_step(s, prev, active, new, trace.converged, cycled)
            if active.size == 0:
                break
            m[active] = new @ self._columns
            trace.n_sweeps[active] += 1
            trace.add_overlaps(m)
        return trace.result(s, cycled)


class _Trace:
    """What the dynamics of one chunk of probes record, sweep by sweep.

    The energy of every probe before the first sweep and after each (a probe that stopped
    keeps its last value), the overlaps m / N after each sweep when ``record`` is set, the
    sweeps (or steps) that moved each probe and the probes that reached a fixed point.
    """

    def __init__(self, m: np.ndarray, n_units: int, record: bool) -> None:
        n_probes = m.shape[0]
        self.n_units = n_units
        self.energy = np.empty(n_probes)
        self.energies: list[np.ndarray] = []
        self.overlaps = [m / n_units] if record else None
        self.n_sweeps = np.zeros(n_probes, dtype=np.int64)
        self.converged = np.zeros(n_probes, dtype=bool)

    def add_energies(self, active: np.ndarray, energy: np.ndarray) -> None:
        """The energies of the ``active`` probes now; the others keep theirs."""
        self.energy[active] = energy
        self.energies.append(self.energy.copy())

    def add_overlaps(self, m: np.ndarray) -> None:
        """The overlaps m / N of every probe now, when they are recorded."""
        if self.overlaps is not None:
            self.overlaps.append(m / self.n_units)

    def result(self, s: np.ndarray, cycled: np.ndarray) -> RecallResult:
        """The records, with the final states ``s`` and the probes that ``cycled``."""
        overlaps = None if self.overlaps is None else np.stack(self.overlaps)
        return RecallResult(
            s, self.converged, self.n_sweeps, np.stack(self.energies), overlaps, cycled
        )


class _Orders:
    """The visiting order of each sweep, drawn once and shared by every chunk of probes.

    Sweep t's permutation is drawn when some probe first needs it, in order t = 0, 1, ...;
    as a probe needs sweep t only after sweeps 0..t-1, the permutations are the ones an
    unchunked run draws, so results do not depend on the chunking.
    """

    def __init__(self, gen: np.random.Generator, order: str, n_units: int) -> None:
        self.gen, self.order, self.n_units = gen, order, n_units
        self.drawn: list[np.ndarray] = []

    def get(self, sweep: int) -> np.ndarray:
        if self.order == "sequential":
            return np.arange(self.n_units)
        while len(self.drawn) <= sweep:
            self.drawn.append(self.gen.permutation(self.n_units))
        return self.drawn[sweep]


def _join(parts: list[RecallResult], n_probes: int) -> RecallResult:
    """One RecallResult from those of consecutive chunks (rows held at their last value)."""
    if len(parts) == 1:
        return parts[0]
    n_rows = max(p.energies.shape[0] for p in parts)

    def pad(a: np.ndarray) -> np.ndarray:
        extra = n_rows - a.shape[0]
        return a if extra == 0 else np.concatenate([a, np.repeat(a[-1:], extra, axis=0)])

    energies = np.concatenate([pad(p.energies) for p in parts], axis=1)
    overlaps = None
    if parts[0].overlaps is not None:
        overlaps = np.concatenate([pad(p.overlaps) for p in parts], axis=1)  # type: ignore[arg-type]
    return RecallResult(
        np.concatenate([p.states for p in parts]),
        np.concatenate([p.converged for p in parts]),
        np.concatenate([p.n_sweeps for p in parts]),
        energies,
        overlaps,
        np.concatenate([p.cycled for p in parts]),
    )
