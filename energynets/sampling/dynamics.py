"""Hopfield dynamics: deterministic (zero temperature) and Glauber (temperature T > 0).

All dynamics act on a batch of states ``(n_probes, n_units)`` of spins +-1 under a quadratic
energy E(s) = -1/2 s^T W s - b^T s with symmetric W and zero diagonal. The local field of unit
i is h_i = sum_j W_ij s_j + b_i, and flipping s_i changes the energy by 2 s_i h_i.

Conventions
-----------
- sign(0): a unit whose local field is exactly zero keeps its current state, in every kind of
  dynamics. (Numerically, |h_i| below a tolerance of 1e-9 times the largest row sum of |W| plus
  |b| counts as zero, so rounding in the incrementally updated fields cannot cause spurious
  flips.) With this rule a zero-temperature asynchronous flip always lowers the energy.
- A sweep is one pass over all units. Asynchronous sweeps visit the units one at a time, in a
  fixed order (0, 1, ..., N-1) or in a fresh random permutation per sweep, shared by all probes
  of the batch (each probe on its own follows exactly the single-unit dynamics).
- Glauber dynamics at temperature T sets s_i = +1 with probability 1 / (1 + exp(-2 h_i / T)),
  so that its stationary distribution is the Boltzmann distribution p(s) ~ exp(-E(s) / T).

Implementation
--------------
The asynchronous sweep is exact sequential single-unit dynamics, vectorised over probes. Units
are taken in blocks of ``_BLOCK`` consecutive positions of the visiting order; inside a block the
fields of the block's own units are updated after every flip (a K x K sub-matrix), and the fields
of all units are brought up to date once per block with one matrix product
``h += delta_s_block @ W[block, :]``. A block where no probe has an unstable unit is skipped, as
is every probe that is already at a fixed point, so late sweeps cost almost nothing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from energynets._validation import (
    RNGLike,
    as_spins,
    check_choice,
    check_float,
    check_int,
    check_rng,
)

__all__ = ["RecallResult", "run_dynamics", "trajectory"]

_BLOCK = 128
_FEW_PROBES = 4
DYNAMICS = ("async", "sync")
ORDERS = ("random", "sequential")


class QuadraticModel(Protocol):
    """What the dynamics need from a model: symmetric weights with zero diagonal, and a bias.

    ``field_factor`` is optional: a model without it is run with its full weights, as if it
    returned None. A model whose ``storage`` attribute is ``"factored"`` holds no dense
    weights at all: it is run from its factor alone, and its ``weights`` are never read.
    """

    @property
    def weights(self) -> np.ndarray: ...

    @property
    def bias(self) -> np.ndarray: ...

    def field_factor(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(F, D) with W = F F^T - diag(D), or None: use the weights W themselves.

        F has shape (n_units, r) and D shape (n_units,), in the weights' dtype. A model
        returns them when it knows such a factor of rank r well below n_units (Hebbian or
        projector weights of r patterns): the dynamics then compute a field update in
        O(n_units r) instead of O(n_units^2) per state, with the same results up to rounding.
        None when no factor is known, or when it would not be cheaper.
        """
        ...


@dataclass(frozen=True)
class RecallResult:
    """What :func:`run_dynamics` (and :meth:`HopfieldNetwork.recall`) return.

    Attributes
    ----------
    states : ndarray, shape (n_probes, n_units)
        Final states (1-D when the probes were 1-D).
    converged : ndarray of bool, shape (n_probes,)
        True where the final state is a fixed point of the zero-temperature dynamics (always
        False at temperature > 0, where there are no fixed points).
    n_sweeps : ndarray of int, shape (n_probes,)
        Sweeps that changed the probe (asynchronous), or synchronous steps taken. At
        temperature > 0, every probe runs ``max_sweeps`` sweeps.
    energies : ndarray, shape (n_rows, n_probes)
        Energy of every probe before the first sweep and after each sweep, with
        ``n_rows = max(n_sweeps) + 1``; a probe that has stopped keeps its last value.
    overlaps : ndarray, shape (n_rows, n_probes, n_patterns) or None
        Overlap m = s . xi / N with every stored pattern after each sweep (None when the
        model has no stored patterns).
    cycled : ndarray of bool, shape (n_probes,)
        Synchronous dynamics only: True where the probe ended in a 2-cycle (s(t+2) = s(t) !=
        s(t+1)), the only kind of cycle the synchronous dynamics of a symmetric network can
        reach (Goles, Fogelman-Soulie & Pellegrin 1985).

    Examples
    --------
    >>> import energynets as en
    >>> xi = en.datasets.random_patterns(2, 32, rng=0)
    >>> res = en.HopfieldNetwork.from_patterns(xi).recall(en.corrupt(xi, 0.1, rng=1), rng=2)
    >>> res.states.shape, res.converged.tolist(), res.overlaps.shape[1:]
    ((2, 32), [True, True], (2, 2))
    >>> bool(np.all(np.diff(res.energies, axis=0) <= 0))  # the energy never rises
    True
    """

    states: np.ndarray
    converged: np.ndarray
    n_sweeps: np.ndarray
    energies: np.ndarray
    overlaps: np.ndarray | None
    cycled: np.ndarray


class _Couplings:
    """W, optionally as a low-rank factor W = F F^T - diag(D), for cheaper field updates.

    Hebbian and pseudo-inverse weights with P patterns have rank P plus a diagonal
    correction, so s W costs 2 N P instead of N^2 per state when P is small. ``weights`` is
    None for a model that holds only the factor (never an N x N array).
    """

    def __init__(
        self, weights: np.ndarray | None, factor: tuple[np.ndarray, np.ndarray] | None
    ) -> None:
        if weights is None and factor is None:
            raise ValueError("a model without dense weights must give a field factor")
        self.weights = weights
        self.factor = factor
        self.dtype = weights.dtype if weights is not None else factor[0].dtype  # type: ignore[index]

    def product(self, s: np.ndarray) -> np.ndarray:
        """s W for a batch s of shape (B, N)."""
        if self.factor is not None:
            f, d = self.factor
            return (s @ f) @ f.T - s * d
        assert self.weights is not None
        if s.shape[0] == 1:  # a matrix-vector product: cheaper and never stalls threads
            return (self.weights @ s[0])[None, :]
        return s @ self.weights

    def block_product(self, delta: np.ndarray, block: np.ndarray) -> np.ndarray:
        """delta W[block, :] for delta of shape (B, len(block))."""
        if self.factor is not None:
            f, d = self.factor
            out = (delta @ f[block]) @ f.T
            out[:, block] -= delta * d[block]
            return out
        assert self.weights is not None
        return delta @ self.weights[block]

    def block(self, block: np.ndarray) -> np.ndarray:
        """W[block, block], from the factor when there are no dense weights."""
        if self.weights is not None:
            return self.weights[np.ix_(block, block)]
        f, d = self.factor  # type: ignore[misc]
        fb = f[block]
        w = fb @ fb.T
        w[np.diag_indices_from(w)] -= d[block]
        return w

    def row(self, i: int) -> np.ndarray:
        """Row i of W, from the factor when there are no dense weights: O(N r)."""
        if self.weights is not None:
            return self.weights[i]
        f, d = self.factor  # type: ignore[misc]
        w = f @ f[i]
        w[i] -= d[i]
        return w


def couplings_of(model: QuadraticModel) -> tuple[_Couplings, float]:
    """The couplings the dynamics use for ``model`` and their zero-field tolerance.

    Dense weights (with the model's field factor, when it gives one); for a model whose
    ``storage`` is ``"factored"``, the factor alone and :func:`factor_tolerance`.
    """
    factor_fn = getattr(model, "field_factor", None)  # optional, see QuadraticModel
    factor = factor_fn() if callable(factor_fn) else None
    if factor is not None and getattr(model, "storage", "dense") == "factored":
        return _Couplings(None, factor), factor_tolerance(factor, model.bias)
    return _Couplings(model.weights, factor), tolerance(model.weights, model.bias)


def factor_tolerance(factor: tuple[np.ndarray, np.ndarray], bias: np.ndarray) -> float:
    """The zero-field tolerance of W = F F^T - diag(D) without forming W.

    1e-9 times a bound on the largest |h_i| that also bounds the rounding of the factored
    product: max_i (sum_r |F_ir| sum_j |F_jr| + D_i + |b_i|) (P + P / N + |b_i| for Hebbian
    weights of P patterns). O(N r), a block of rows at a time.
    """
    f, d = factor
    n, r = f.shape
    rows = max(1, (1 << 22) // max(r, 1))
    col = np.zeros(r)
    for a in range(0, n, rows):
        col += np.abs(f[a : a + rows]).sum(axis=0, dtype=np.float64)
    scale = 0.0
    for a in range(0, n, rows):
        part = np.abs(f[a : a + rows]) @ col.astype(f.dtype) + np.abs(d[a : a + rows])
        part += np.abs(bias[a : a + rows])
        scale = max(scale, float(part.max(initial=0.0)))
    return 1e-9 * max(scale, float(np.finfo(f.dtype).tiny))


def tolerance(weights: np.ndarray, bias: np.ndarray) -> float:
    """|h| below this counts as zero: 1e-9 times the largest possible |h_i| (cached)."""
    key = (id(weights), id(bias))
    cached = _TOLERANCE_CACHE.get(key)
    if cached is not None and cached[0] is weights and cached[1] is bias:
        return cached[2]
    scale = float(np.max(np.abs(weights).sum(axis=1) + np.abs(bias), initial=0.0))
    tol = 1e-9 * max(scale, float(np.finfo(weights.dtype).tiny))
    if not weights.flags.writeable and not bias.flags.writeable:  # only immutable arrays
        _TOLERANCE_CACHE.clear()
        _TOLERANCE_CACHE[key] = (weights, bias, tol)
    return tol


_TOLERANCE_CACHE: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, float]] = {}


def unstable(
    s: np.ndarray, h: np.ndarray, tol: float, free: np.ndarray | None = None
) -> np.ndarray:
    """The zero-temperature rule: where a unit flips, s_i h_i < -tol (among ``free`` units).

    A unit whose field is within ``tol`` of zero keeps its state (sign(0) = s_i), so every
    flip lowers the energy. Works on batches, single rows and scalars alike.
    """
    flip = s * h < -tol
    if free is not None:
        flip &= free
    return flip


def _clamp_mask(clamp: Any, n_probes: int, n_units: int) -> np.ndarray | None:
    if clamp is None:
        return None
    arr = np.asarray(clamp)
    if arr.dtype != np.bool_:
        raise TypeError(f"clamp must be a boolean mask, got dtype {arr.dtype}")
    if arr.shape == (n_units,):
        arr = np.broadcast_to(arr, (n_probes, n_units))
    elif arr.shape != (n_probes, n_units):
        raise ValueError(
            f"clamp must have shape ({n_units},) or ({n_probes}, {n_units}), got {arr.shape}"
        )
    return np.ascontiguousarray(arr)


def run_dynamics(
    model: QuadraticModel,
    probes: Any,
    *,
    dynamics: str = "async",
    order: str = "random",
    temperature: float = 0.0,
    max_sweeps: int = 100,
    clamp: Any = None,
    patterns: np.ndarray | None = None,
    rng: RNGLike = 0,
) -> RecallResult:
    """Run Hopfield dynamics from a batch of probe states.

    Parameters
    ----------
    model : object with ``weights`` (N, N) symmetric, zero diagonal, and ``bias`` (N,)
    probes : array_like, shape (n_probes, N) or (N,)
        Starting states, spins +-1. Not modified.
    dynamics : {"async", "sync"}
        One unit at a time (asynchronous) or all units at once (synchronous, Little 1974).
    order : {"random", "sequential"}
        Asynchronous visiting order: a fresh random permutation each sweep, or 0..N-1.
    temperature : float >= 0
        0 gives deterministic dynamics that stop at a fixed point; T > 0 gives Glauber
        dynamics, run for exactly ``max_sweeps`` sweeps.
    max_sweeps : int >= 0
        Upper bound on the number of sweeps (synchronous: steps).
    clamp : bool ndarray, shape (N,) or (n_probes, N), optional
        Units that keep their probe value (pattern completion: clamp the known part).
    patterns : ndarray, shape (n_patterns, N), optional
        Patterns whose overlaps are recorded after each sweep.
    rng : int, Generator or None
        Randomness for the visiting order and for Glauber dynamics.

    Returns
    -------
    RecallResult
        ``states``, ``converged``, ``n_sweeps``, ``energies`` (one row per sweep),
        ``overlaps`` and ``cycled``.

    References
    ----------
    Hopfield, J. J. (1982). Neural networks and physical systems with emergent collective
    computational abilities. PNAS 79, 2554-2558.

    Glauber, R. J. (1963). Time-dependent statistics of the Ising model. J. Math. Phys. 4, 294-307.

    Little, W. A. (1974). The existence of persistent states in the brain. Math. Biosci. 19,
    101-120.

    Goles, E., Fogelman-Soulie, F. & Pellegrin, D. (1985). Decreasing energy functions as a tool for
    studying threshold networks. Discrete Appl. Math. 12, 261-277.

    Examples
    --------
    >>> import energynets as en
    >>> xi = en.datasets.random_patterns(3, 64, rng=0)
    >>> net = en.HopfieldNetwork.from_patterns(xi)
    >>> res = run_dynamics(net, en.corrupt(xi, 0.2, rng=1), dynamics="sync", rng=2)
    >>> float(en.metrics.recall_accuracy(res.states, xi)), res.cycled.tolist()
    (1.0, [False, False, False])
    """
    bias = model.bias
    couplings, tol = couplings_of(model)
    n_units, dtype = bias.shape[0], couplings.dtype
    s, was_1d = as_spins(probes, "probes", n_units=n_units, dtype=dtype)
    check_choice(dynamics, "dynamics", DYNAMICS)
    check_choice(order, "order", ORDERS)
    temp = check_float(temperature, "temperature", minimum=0.0)
    n_max = check_int(max_sweeps, "max_sweeps", minimum=0)
    mask = _clamp_mask(clamp, s.shape[0], n_units)
    gen = check_rng(rng)
    pats = None if patterns is None else np.asarray(patterns, dtype=dtype)

    run = _Run(couplings, bias, tol, temp, gen)
    if dynamics == "sync":
        out = _sync(run, s, n_max, mask, pats)
    else:
        out = _async(run, s, order, n_max, mask, pats)
    return dataclasses.replace(out, states=out.states[0]) if was_1d else out


@dataclass(frozen=True)
class _Run:
    """What stays fixed during one call of the dynamics."""

    couplings: _Couplings
    bias: np.ndarray
    tol: float  # |h| below this counts as zero (see tolerance)
    temp: float  # 0: deterministic; > 0: Glauber
    gen: np.random.Generator


def _energy_from_fields(s: np.ndarray, h: np.ndarray, bias: np.ndarray) -> np.ndarray:
    # E = -1/2 s.(h - b) - b.s = -1/2 (s.h + s.b)
    return -0.5 * (np.einsum("bi,bi->b", s, h) + s @ bias)


class _Trace:
    """Energies and overlaps recorded after each sweep."""

    def __init__(self, s: np.ndarray, h: np.ndarray, bias: np.ndarray, pats: np.ndarray | None):
        self.bias = bias
        self.pats = pats
        self.energy = [_energy_from_fields(s, h, bias)]
        self.overlap = [] if pats is None else [s @ pats.T / s.shape[1]]

    def record(self, s: np.ndarray, h: np.ndarray) -> None:
        # every probe is recomputed: cheaper than gathering the rows that moved, and a probe
        # that did not move gets exactly its previous value again
        self.energy.append(_energy_from_fields(s, h, self.bias))
        if self.pats is not None:
            self.overlap.append(s @ self.pats.T / s.shape[1])

    def arrays(self) -> tuple[np.ndarray, np.ndarray | None]:
        ov = None if self.pats is None else np.stack(self.overlap)
        return np.stack(self.energy), ov


def _async(
    run: _Run,
    s: np.ndarray,
    order: str,
    n_max: int,
    mask: np.ndarray | None,
    pats: np.ndarray | None,
) -> RecallResult:
    n_probes, n_units = s.shape
    h = run.couplings.product(s) + run.bias
    trace = _Trace(s, h, run.bias, pats)
    n_sweeps = np.zeros(n_probes, dtype=np.int64)
    free = None if mask is None else ~mask
    stochastic = run.temp > 0.0

    for _ in range(n_max):
        if stochastic:
            rows = np.arange(n_probes)
        else:
            rows = np.flatnonzero(unstable(s, h, run.tol, free).any(axis=1))
            if rows.size == 0:
                break
        n_sweeps[rows] += 1
        perm = run.gen.permutation(n_units) if order == "random" else np.arange(n_units)
        if rows.size == n_probes:  # every probe moves: work in place, no gathers
            _async_sweep(run, s, h, perm, free)
        else:
            sub_s, sub_h = s[rows], h[rows]
            sub_free = None if free is None else free[rows]
            _async_sweep(run, sub_s, sub_h, perm, sub_free)
            s[rows], h[rows] = sub_s, sub_h
        trace.record(s, h)

    energies, overlaps = trace.arrays()
    if stochastic:
        converged = np.zeros(n_probes, dtype=bool)
    else:
        converged = ~np.any(unstable(s, h, run.tol, free), axis=1)
    return RecallResult(s, converged, n_sweeps, energies, overlaps, np.zeros(n_probes, bool))


def _async_sweep(
    run: _Run, s: np.ndarray, h: np.ndarray, perm: np.ndarray, free: np.ndarray | None
) -> None:
    """One asynchronous sweep in the order ``perm``, updating ``s`` and ``h`` in place."""
    couplings = run.couplings
    if run.temp == 0.0 and s.shape[0] <= _FEW_PROBES and couplings.weights is not None:
        _sweep_events(couplings.weights, s, h, perm, run.tol, free)
    elif couplings.factor is not None:
        # with W = F F^T - diag(D), carry the overlaps m = s F (B x r) through the sweep and
        # form the fields of one block at a time: O(B N r) per sweep instead of O(B N^2)
        f, d = couplings.factor
        m = s @ f
        _sweep_blocks(run, s, h, perm, free, overlaps=m)
        h[...] = m @ f.T - s * d + run.bias
    else:
        _sweep_blocks(run, s, h, perm, free)


def _sweep_events(
    weights: np.ndarray,
    s: np.ndarray,
    h: np.ndarray,
    perm: np.ndarray,
    tol: float,
    free: np.ndarray | None,
) -> None:
    """Zero-temperature sweep for a few probes, one probe at a time, jumping between flips.

    A unit that is stable when the sweep reaches it does not flip, so the sweep goes straight
    to the next unstable position of the visiting order; each flip updates all fields with
    one row of W. The cost is O(N) per flip instead of O(N) Python steps per sweep.
    """
    n_units = perm.size
    buf = np.empty(n_units, dtype=s.dtype)
    for r in range(s.shape[0]):
        sp = s[r, perm]  # state and fields in visiting order
        hp = h[r, perm]
        fp = None if free is None else free[r, perm]
        p = 0
        while p < n_units:
            ahead = unstable(sp[p:], hp[p:], tol, None if fp is None else fp[p:])
            q = int(ahead.argmax())  # the method: np.argmax's wrapper costs a third more
            if not ahead[q]:
                break
            p += q
            d = -2.0 * sp[p]
            sp[p] += d
            np.multiply(weights[perm[p]][perm], d, out=buf)  # row perm[p] of W, in order
            hp += buf
            p += 1
        s[r, perm] = sp
        h[r, perm] = hp


def _sweep_blocks(
    run: _Run,
    s: np.ndarray,
    h: np.ndarray,
    perm: np.ndarray,
    free: np.ndarray | None,
    overlaps: np.ndarray | None = None,
) -> None:
    """Sweep in blocks of ``_BLOCK`` positions: exact inside a block, one GEMM per block.

    With ``overlaps`` (m = s F, for weights W = F F^T - diag(D)) the fields are not kept in
    ``h`` during the sweep: each block's fields come from m, which is updated in place.
    """
    n_rows, n_units = s.shape
    couplings = run.couplings
    for start in range(0, n_units, _BLOCK):
        block = perm[start : start + _BLOCK]
        sb = s[:, block]
        if overlaps is None:
            hb = h[:, block]
        else:
            f, d = couplings.factor  # type: ignore[misc]
            hb = overlaps @ f[block].T - sb * d[block] + run.bias[block]
        fb = None if free is None else free[:, block]
        u = None
        if run.temp > 0.0:
            # Glauber: P(s_i = +1) = expit(2 h_i / T); compare with uniforms drawn per block
            u = run.gen.random(hb.shape, dtype=s.dtype)
        elif not unstable(sb, hb, run.tol, fb).any():
            continue
        w_bb = couplings.block(block)
        sb, delta = _update_block(w_bb, sb, hb, fb, u, run)
        changed = np.flatnonzero(delta.any(axis=1))
        if changed.size == 0:
            continue
        s[:, block] = sb
        if overlaps is not None:
            f_block = couplings.factor[0][block]  # type: ignore[index]
            if 2 * changed.size > n_rows:
                overlaps[...] += delta @ f_block
            else:
                overlaps[changed] += delta[changed] @ f_block
        elif 2 * changed.size > n_rows:
            h += couplings.block_product(delta, block)
        else:
            h[changed] += couplings.block_product(delta[changed], block)


def _update_block(
    w_bb: np.ndarray,
    sb: np.ndarray,
    hb: np.ndarray,
    fb: np.ndarray | None,
    u: np.ndarray | None,
    run: _Run,
) -> tuple[np.ndarray, np.ndarray]:
    """The units of one block in turn, exactly: (new states of the block, their changes).

    Glauber when the uniforms ``u`` are given, else the zero-temperature rule.
    """
    # unit-major copies, so that each unit's column over the batch is contiguous; the
    # field of unit k is its field at the start of the block plus the flips before it
    # in the block: hb_k + sum_{j<k} W_kj delta_j
    sb_t = np.ascontiguousarray(sb.T)
    hb_t = np.ascontiguousarray(hb.T)
    fb_t = None if fb is None else np.ascontiguousarray(fb.T)
    u_t = None if u is None else np.ascontiguousarray(u.T)
    delta_t = np.zeros_like(sb_t)
    for k in range(sb_t.shape[0]):
        h_k = hb_t[k] + w_bb[k, :k] @ delta_t[:k] if k else hb_t[0]
        if u_t is not None:
            new = np.where(u_t[k] < _glauber(h_k, run.temp), 1.0, -1.0)
            flip = new != sb_t[k]
            if fb_t is not None:
                flip &= fb_t[k]
        else:
            flip = unstable(sb_t[k], h_k, run.tol, None if fb_t is None else fb_t[k])
        idx = np.flatnonzero(flip)
        if idx.size == 0:
            continue
        d = -2.0 * sb_t[k, idx]
        sb_t[k, idx] += d
        delta_t[k, idx] = d
    return sb_t.T, delta_t.T


def _glauber(h: np.ndarray, temp: float) -> np.ndarray:
    """P(s_i = +1) = sigmoid(2 h_i / T) under Glauber dynamics. At temperatures so low that
    2 h / T overflows (T near the smallest float), the overflow to +-inf is the right limit
    (probability 1 or 0), so it is not reported."""
    from scipy.special import expit  # imported here: scipy is slow to import

    with np.errstate(over="ignore"):
        x = 2.0 * h / temp
    return expit(x)


def _sync_rule(s: np.ndarray, h: np.ndarray, tol: float, mask: np.ndarray | None) -> np.ndarray:
    """All units at once: s_i <- sign(h_i), sign(0) = s_i (|h_i| <= tol), clamped units kept."""
    new = np.where(h > tol, 1.0, np.where(h < -tol, -1.0, s)).astype(s.dtype)
    return new if mask is None else np.where(mask, s, new)


def sync_step(
    s: np.ndarray,
    prev: np.ndarray,
    active: np.ndarray,
    new: np.ndarray,
    converged: np.ndarray,
    cycled: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """One synchronous step of the probes ``active`` to their next states ``new``, in place.

    A probe whose state would not change has converged, one that would go back to its state
    of the step before is in a 2-cycle: both stop (``converged`` and ``cycled`` are set). The
    others move: ``prev`` keeps their current state and ``s`` takes the new one. Returns
    those probes and their new states (empty when none moved). Shared by :func:`run_dynamics`
    and :meth:`energynets.DenseAssociativeMemory.recall`.
    """
    still = np.all(new == s[active], axis=1)
    back = np.all(new == prev[active], axis=1) & ~still
    converged[active[still]] = True
    cycled[active[back]] = True
    move = ~still & ~back
    active, new = active[move], new[move]
    prev[active] = s[active]
    s[active] = new
    return active, new


def _sync(
    run: _Run, s: np.ndarray, n_max: int, mask: np.ndarray | None, pats: np.ndarray | None
) -> RecallResult:
    n_probes = s.shape[0]
    couplings, bias = run.couplings, run.bias
    h = couplings.product(s) + bias
    trace = _Trace(s, h, bias, pats)
    n_sweeps = np.zeros(n_probes, dtype=np.int64)
    cycled = np.zeros(n_probes, dtype=bool)
    converged = np.zeros(n_probes, dtype=bool)
    if run.temp > 0.0:
        for _ in range(n_max):
            u = run.gen.random(s.shape, dtype=s.dtype)
            new = np.where(u < _glauber(h, run.temp), 1.0, -1.0).astype(s.dtype)
            s = new if mask is None else np.where(mask, s, new)
            h = couplings.product(s) + bias
            n_sweeps += 1
            trace.record(s, h)
        energies, overlaps = trace.arrays()
        return RecallResult(s, converged, n_sweeps, energies, overlaps, cycled)

    prev = s.copy()  # the state one step back, for 2-cycle detection
    active = np.arange(n_probes)
    for _ in range(n_max):
        sub_mask = None if mask is None else mask[active]
        new = _sync_rule(s[active], h[active], run.tol, sub_mask)
        active, new = sync_step(s, prev, active, new, converged, cycled)
        if active.size == 0:
            break
        h[active] = couplings.product(new) + bias
        n_sweeps[active] += 1
        trace.record(s, h)
    if active.size:  # out of steps: those already at a fixed point still count as converged
        sub_mask = None if mask is None else mask[active]
        new = _sync_rule(s[active], h[active], run.tol, sub_mask)
        converged[active] = np.all(new == s[active], axis=1)
    energies, overlaps = trace.arrays()
    return RecallResult(s, converged, n_sweeps, energies, overlaps, cycled)


def trajectory(
    model: QuadraticModel,
    probe: Any,
    *,
    order: str = "random",
    max_sweeps: int = 10,
    record_every: int | None = None,
    rng: RNGLike = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Snapshots of one probe along zero-temperature asynchronous dynamics, for animations.

    Runs the same dynamics as :func:`run_dynamics` (same order, same sign(0) rule) and
    records the state every ``record_every`` unit visits (default: N // 20) and at the end.

    Parameters
    ----------
    model : object with ``weights`` and ``bias``
    probe : array_like, shape (n_units,), spins +-1
    order : {"random", "sequential"}
    max_sweeps : int
    record_every : int, optional
    rng : int, Generator or None

    Returns
    -------
    states : ndarray, shape (n_frames, n_units)
        The first row is the probe, the last the final state.
    energies : ndarray, shape (n_frames,)

    References
    ----------
    Hopfield, J. J. (1982). Neural networks and physical systems with emergent collective
    computational abilities. PNAS 79, 2554-2558 (the asynchronous dynamics, one unit at a time).

    Examples
    --------
    >>> import energynets as en
    >>> xi = en.datasets.random_patterns(1, 40, rng=0)
    >>> net = en.HopfieldNetwork.from_patterns(xi)
    >>> states, energies = trajectory(net, en.corrupt(xi[0], 0.25, rng=1), rng=2)
    >>> bool(np.array_equal(states[-1], xi[0])), bool(np.all(np.diff(energies) <= 0))
    (True, True)
    """
    bias = model.bias
    n_units = bias.shape[0]
    couplings, tol = couplings_of(model)
    s2, _ = as_spins(probe, "probe", n_units=n_units, dtype=couplings.dtype)
    if s2.shape[0] != 1:
        raise ValueError(f"probe must be a single state of shape ({n_units},), got {s2.shape}")
    check_choice(order, "order", ORDERS)
    n_max = check_int(max_sweeps, "max_sweeps", minimum=0)
    every = (
        max(n_units // 20, 1)
        if record_every is None
        else check_int(record_every, "record_every", minimum=1)
    )
    gen = check_rng(rng)
    s = s2[0]
    w = couplings.weights
    h = (s @ w if w is not None else couplings.product(s2)[0]) + bias
    frames = [s.copy()]
    energies = [float(_energy_from_fields(s[None], h[None], bias)[0])]
    visits = 0
    for _ in range(n_max):
        if not np.any(unstable(s, h, tol)):
            break
        perm = gen.permutation(n_units) if order == "random" else np.arange(n_units)
        for i in perm:
            if unstable(s[i], h[i], tol):
                d = -2.0 * s[i]
                s[i] += d
                h += d * couplings.row(i)
            visits += 1
            if visits % every == 0:
                frames.append(s.copy())
                energies.append(float(_energy_from_fields(s[None], h[None], bias)[0]))
    if not np.array_equal(frames[-1], s):
        frames.append(s.copy())
        energies.append(float(_energy_from_fields(s[None], h[None], bias)[0]))
    return np.array(frames), np.array(energies)
