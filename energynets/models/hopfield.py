"""The classical Hopfield network (Hopfield 1982) over spins s in {-1, +1}^N.

Energy
    E(s) = -1/2 s^T W s - b^T s,   W symmetric with zero diagonal, b the bias (threshold).

Local field
    h_i = sum_j W_ij s_j + b_i; flipping unit i changes the energy by 2 s_i h_i, so the
    zero-temperature asynchronous dynamics s_i <- sign(h_i) never raises the energy.

The network holds its parameters (and, when built from patterns, the patterns and the rule
that stored them, so that recall can report overlaps and more patterns can be stored). It holds
no state of any dynamics and no random generator: :meth:`HopfieldNetwork.recall` takes the
probes and an ``rng`` and returns a :class:`~energynets.sampling.dynamics.RecallResult`.

Storage
    Hebbian weights of P patterns are W = F F^T - (P / N) I with F = X^T / sqrt(N): a network
    built by :meth:`HopfieldNetwork.from_patterns` may hold only the patterns ("factored"
    storage, O(N P) memory, every field in O(N P) per state) instead of the N x N matrix
    ("dense", O(N^2)). By default the factored form is taken when the dense matrix would not
    fit in :func:`dense_memory_budget` (half the physical memory), with a
    :class:`FactoredStorageWarning` saying so. N = 100,000 units: the dense float64 matrix
    takes 80 GB; factored with P = 5,000 patterns in float32, 4 GB (the patterns and F).
"""

from __future__ import annotations

import os
import warnings
from functools import partial
from typing import Any

import numpy as np

from energynets._validation import (
    RNGLike,
    as_float_array,
    as_spins,
    check_bias,
    check_choice,
    check_couplings,
    check_dtype,
    check_int,
)
from energynets.energy import unchecked_energy, unchecked_fields
from energynets.learning import hopfield_rules
from energynets.sampling.dynamics import (
    RecallResult,
    factor_tolerance,
    run_dynamics,
    tolerance,
    unstable,
)
from energynets.states import apply_to_rows

__all__ = ["STORAGES", "FactoredStorageWarning", "HopfieldNetwork", "dense_memory_budget"]


#: How :meth:`HopfieldNetwork.from_patterns` may hold Hebbian weights.
STORAGES = ("auto", "dense", "factored")

#: The share of the physical memory the dense N x N weights may take with ``storage="auto"``.
DENSE_MEMORY_FRACTION = 0.5

# the budget where the physical memory cannot be read (no os.sysconf, e.g. Windows)
_FALLBACK_BUDGET = 4 << 30


class FactoredStorageWarning(UserWarning):
    """Hebbian weights held in factored form because the dense matrix would not fit.

    Raised by :meth:`HopfieldNetwork.from_patterns` with ``storage="auto"``; silence it with
    ``warnings.simplefilter("ignore", FactoredStorageWarning)`` or choose the storage.

    References
    ----------
    Hertz, J., Krogh, A. & Palmer, R. G. (1991). Introduction to the Theory of Neural Computation.
    Addison-Wesley, chapter 2 (the Hebbian matrix as a sum of P outer products).

    Examples
    --------
    >>> import warnings
    >>> import energynets as en
    >>> xi = en.datasets.random_patterns(2, 100, rng=0)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     net = en.HopfieldNetwork.from_patterns(xi, memory_budget=1000)
    >>> net.storage, caught[0].category.__name__
    ('factored', 'FactoredStorageWarning')
    """


def dense_memory_budget() -> int:
    """The bytes the dense weights of ``from_patterns(storage="auto")`` may take.

    :data:`DENSE_MEMORY_FRACTION` of the physical memory (``os.sysconf``), or 4 GiB where it
    cannot be read. Dense Hebbian weights of N units take 8 N^2 bytes to build (float64),
    plus 4 N^2 for a float32 copy.

    Returns
    -------
    int

    References
    ----------
    Hertz, J., Krogh, A. & Palmer, R. G. (1991). Introduction to the Theory of Neural Computation.
    Addison-Wesley, chapter 2 (the Hebbian matrix as a sum of P outer products).

    Examples
    --------
    >>> dense_memory_budget() > 0
    True
    """
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return _FALLBACK_BUDGET
    return int(DENSE_MEMORY_FRACTION * total) if total > 0 else _FALLBACK_BUDGET


def dense_bytes(n_units: int, dtype: np.dtype) -> int:
    """Bytes that building dense Hebbian weights of ``n_units`` takes at its peak: the
    float64 matrix of the rule, plus its copy in ``dtype`` when that is narrower."""
    extra = 0 if dtype == np.float64 else dtype.itemsize
    return n_units * n_units * (8 + extra)


def _factored(storage: str, shape: tuple[int, ...], dtype: np.dtype, budget: int | None) -> bool:
    """Whether Hebbian weights of ``shape`` (patterns, units) are held factored; under "auto",
    when the dense matrix would exceed ``budget`` bytes, which a warning says."""
    if storage != "auto":
        return storage == "factored"
    n_pat, n = shape
    need = dense_bytes(n, dtype)
    budget = dense_memory_budget() if budget is None else budget
    if need <= budget:
        return False
    warnings.warn(
        f"the dense Hebbian weights of N = {n} units would take {need / 2**30:.3g} GiB, over "
        f"the budget of {budget / 2**30:.3g} GiB: holding them in factored form "
        f"({2 * n * n_pat * dtype.itemsize / 2**30:.3g} GiB for P = {n_pat} patterns); pass "
        "storage='dense' or storage='factored' to choose",
        FactoredStorageWarning,
        stacklevel=3,
    )
    return True


def _hebbian_factor(patterns: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """F = X^T / sqrt(N), shape (N, P), C-ordered (a block of units' rows is contiguous, as
    the dynamics gather them), rounded once from float64, a block of units at a time."""
    n_pat, n = patterns.shape
    f = np.empty((n, n_pat), dtype=dtype)
    scale = np.sqrt(n)
    step = max(1, (1 << 22) // max(n_pat, 1))
    for a in range(0, n, step):
        f[a : a + step] = patterns[:, a : a + step].T.astype(np.float64) / scale
    return f


class HopfieldNetwork:
    """A Hopfield network: symmetric weights with zero diagonal and a bias.

    The energy of spins s in {-1, +1}^N is E(s) = -1/2 s^T W s - b^T s; the stored patterns
    are (for few enough of them) local minima of E, which the zero-temperature dynamics
    reach from a corrupted probe.

    Parameters
    ----------
    weights : array_like, shape (n_units, n_units)
        Symmetric couplings with a zero diagonal.
    bias : array_like, shape (n_units,), optional
        Biases (negative thresholds); zero when omitted.
    patterns : array_like, shape (n_patterns, n_units), optional
        The stored patterns, kept for overlaps and incremental storage.
    rule : str, optional
        The rule that produced ``weights`` from ``patterns``.
    dtype : numpy.float32 or numpy.float64

    References
    ----------
    Hopfield, J. J. (1982). Neural networks and physical systems with emergent collective
    computational abilities. PNAS 79, 2554-2558.

    Hertz, J., Krogh, A. & Palmer, R. G. (1991). Introduction to the Theory of Neural Computation.
    Addison-Wesley, chapter 2.

    Examples
    --------
    >>> import energynets as en
    >>> xi = en.datasets.random_patterns(3, 64, rng=0)
    >>> net = en.HopfieldNetwork.from_patterns(xi, rule="hebbian")
    >>> probes = en.corrupt(xi, 0.1, rng=1)
    >>> res = net.recall(probes, rng=2)
    >>> bool((res.states == xi).all()), bool(res.converged.all())
    (True, True)
    """

    def __init__(
        self,
        weights: Any,
        bias: Any = None,
        *,
        patterns: Any = None,
        rule: str | None = None,
        dtype: Any = np.float64,
    ) -> None:
        dt = check_dtype(dtype)
        w, b = check_couplings(weights, bias, dt)
        n = w.shape[0]
        self._weights: np.ndarray | None = w  # None: factored storage (_hebbian_factored)
        self._bias = b
        w.setflags(write=False)
        self._bias.setflags(write=False)
        if patterns is not None:
            p, _ = as_spins(patterns, "patterns", n_units=n, dtype=dt, allow_1d=False)
            p.setflags(write=False)
            self._patterns: np.ndarray | None = p
        else:
            self._patterns = None
        if rule is not None:
            check_choice(rule, "rule", hopfield_rules.RULES)
        self.rule = rule
        self._factor: tuple[np.ndarray, np.ndarray] | bool | None = False  # False: not computed

    @classmethod
    def _trusted(
        cls, weights: np.ndarray, bias: np.ndarray | None, patterns: np.ndarray, rule: str
    ) -> HopfieldNetwork:
        """Build from arrays a storage rule has just produced (symmetric, zero diagonal,
        finite, owned by nobody else), skipping the O(N^2) checks and copies of __init__."""
        net = cls.__new__(cls)
        n = weights.shape[0]
        dt = weights.dtype
        b = check_bias(bias, n, dt)
        patterns = np.asarray(patterns, dtype=dt)
        for arr in (weights, b, patterns):
            arr.setflags(write=False)
        net._weights, net._bias, net._patterns = weights, b, patterns
        net.rule = rule
        net._factor = False
        return net

    @classmethod
    def _hebbian_factored(cls, patterns: np.ndarray, bias: Any, dtype: np.dtype) -> HopfieldNetwork:
        """Hebbian weights held as their factor: F = X^T / sqrt(N), D = P / N (no N x N)."""
        net = cls.__new__(cls)
        n_pat, n = patterns.shape
        b = check_bias(bias, n, dtype)
        f = _hebbian_factor(patterns, dtype)
        d = np.full(n, n_pat / n, dtype=dtype)
        for arr in (patterns, b, f, d):
            arr.setflags(write=False)
        net._weights, net._bias, net._patterns = None, b, patterns
        net.rule = "hebbian"
        net._factor = (f, d)
        return net

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_patterns(
        cls,
        patterns: Any,
        rule: str = "hebbian",
        *,
        bias: Any = None,
        dtype: Any = np.float64,
        storage: str = "auto",
        memory_budget: int | None = None,
    ) -> HopfieldNetwork:
        """Store ``patterns`` with a learning rule.

        Parameters
        ----------
        patterns : array_like, shape (n_patterns, n_units) or (n_units,)
            Spins +-1. Not modified.
        rule : {"hebbian", "storkey", "pseudoinverse"}
            Hebbian: W = (1/N) X^T X with zero diagonal (Hopfield 1982). Storkey (1997):
            incremental, capacity about N / sqrt(2 ln N). Pseudo-inverse (Personnaz et al.
            1985): the projector onto the patterns' span; all linearly independent patterns
            are fixed points.
        bias : array_like, shape (n_units,), optional
        dtype : numpy.float32 or numpy.float64
        storage : {"auto", "dense", "factored"}
            How Hebbian weights are held (module docstring). "dense": the N x N matrix.
            "factored": only the patterns, W = F F^T - (P / N) I never formed; same dynamics,
            fields equal to rounding; :attr:`weights` is then unavailable. "auto": factored
            when the dense matrix would take more than ``memory_budget`` bytes, with a
            :class:`FactoredStorageWarning`. The other rules are always dense.
        memory_budget : int, optional
            Bytes the dense weights may take under "auto" (default:
            :func:`dense_memory_budget`, half the physical memory).

        Returns
        -------
        HopfieldNetwork

        Examples
        --------
        >>> import energynets as en
        >>> xi = en.datasets.random_patterns(5, 200, rng=0)
        >>> net = en.HopfieldNetwork.from_patterns(xi, storage="factored")
        >>> net.storage, net.recall(xi, rng=1).converged.all()
        ('factored', np.True_)
        """
        check_choice(rule, "rule", hopfield_rules.RULES)
        check_choice(storage, "storage", STORAGES)
        dt = check_dtype(dtype)
        if storage == "factored" and rule != "hebbian":
            raise ValueError(f"storage='factored' needs rule='hebbian', got rule={rule!r}")
        budget = None
        if memory_budget is not None:
            budget = check_int(memory_budget, "memory_budget", minimum=0)
        p, _ = as_spins(patterns, "patterns", dtype=dt if rule == "hebbian" else np.float64)
        if rule == "hebbian" and _factored(storage, p.shape, dt, budget):
            return cls._hebbian_factored(p, bias, dt)
        p = p.astype(np.float64, copy=False)
        w = getattr(hopfield_rules, rule)(p)
        return cls._trusted(w.astype(dt, copy=False), bias, p, rule)

    @classmethod
    def from_gaussian_rbm(
        cls, weights: Any, visible_bias: Any = None, *, dtype: Any = np.float64
    ) -> HopfieldNetwork:
        """The Hopfield network that an RBM with Gaussian hidden units integrates out to.

        For spin visible units v and standard Gaussian hidden units h with energy
        ``E(v, h) = -v^T W h + |h|^2 / 2 - a^T v``, the Gaussian integral over h gives::

            -log int exp(-E(v, h)) dh = -1/2 v^T (W W^T) v - a^T v - (m / 2) log(2 pi),

        and since v_i^2 = 1 the diagonal of W W^T only adds a constant: the marginal of v is
        the Boltzmann distribution of a Hopfield network with weights J = W W^T (zero
        diagonal) and bias a. With W = X^T / sqrt(N) (the patterns as columns) J is exactly
        the Hebbian matrix.

        Parameters
        ----------
        weights : array_like, shape (n_visible, n_hidden)
        visible_bias : array_like, shape (n_visible,), optional
            The bias a of the spins; zero when omitted.
        dtype : numpy.float32 or numpy.float64

        Returns
        -------
        HopfieldNetwork
            Weights J = W W^T with a zero diagonal, shape (n_visible, n_visible), bias a.

        References
        ----------
        Barra, A., Bernacchia, A., Santucci, E. & Contucci, P. (2012). On the equivalence of
        Hopfield networks and Boltzmann machines. Neural Networks 34, 1-9.
        """
        dt = check_dtype(dtype)
        w = as_float_array(weights, "weights", ndim=2).astype(np.float64)
        j = w @ w.T
        np.fill_diagonal(j, 0.0)
        j = 0.5 * (j + j.T)
        return cls(j.astype(dt), visible_bias, dtype=dt)

    def store(self, patterns: Any) -> HopfieldNetwork:
        """Return a new network that also stores ``patterns`` with the same rule.

        Hebbian and Storkey storage continue from the current weights (storing in batches
        equals storing all at once); the pseudo-inverse rule recomputes the projector from
        every stored pattern. This network is not modified.

        Parameters
        ----------
        patterns : array_like, shape (n_patterns, n_units) or (n_units,)
            Spins +-1. Not modified.

        Returns
        -------
        HopfieldNetwork
            A new network storing the old patterns and then ``patterns``.

        Raises
        ------
        ValueError
            If the network was not built by :meth:`from_patterns` (its rule is unknown).
        """
        if self.rule is None:
            raise ValueError(
                "store needs a network built by from_patterns (its rule is unknown); "
                "use HopfieldNetwork.from_patterns on all the patterns instead"
            )
        if self._weights is None:  # factored Hebbian: the patterns are the weights
            assert self._patterns is not None
            p, _ = as_spins(patterns, "patterns", n_units=self.n_units, dtype=self.dtype)
            allp = np.concatenate([self._patterns, p])
            return HopfieldNetwork._hebbian_factored(allp, self._bias.copy(), self.dtype)
        p, _ = as_spins(patterns, "patterns", n_units=self.n_units, dtype=np.float64)
        old = self._patterns if self._patterns is not None else np.empty((0, self.n_units))
        allp = np.concatenate([old.astype(np.float64), p])
        if self.rule == "pseudoinverse":
            w = hopfield_rules.pseudoinverse(allp)
        else:
            rule = getattr(hopfield_rules, self.rule)
            w = rule(p, self._weights.astype(np.float64))
        return HopfieldNetwork._trusted(
            w.astype(self.dtype, copy=False), self._bias.copy(), allp, self.rule
        )

    # -- parameters -----------------------------------------------------------------------
    @property
    def weights(self) -> np.ndarray:
        """Couplings W, shape (n_units, n_units), read-only.

        Raises
        ------
        ValueError
            If the network holds its weights in factored form (:attr:`storage`).
        """
        if self._weights is None:
            raise ValueError(
                f"this network holds its Hebbian weights in factored form (N = {self.n_units}: "
                f"the dense matrix would take {dense_bytes(self.n_units, self.dtype) / 2**30:.1f}"
                " GiB); use local_fields, energy, recall or field_factor, or build it with "
                "from_patterns(..., storage='dense')"
            )
        return self._weights

    @property
    def storage(self) -> str:
        """ "dense" (the N x N weights are held) or "factored" (only the patterns)."""
        return "dense" if self._weights is not None else "factored"

    @property
    def bias(self) -> np.ndarray:
        """Biases b, shape (n_units,), read-only."""
        return self._bias

    @property
    def patterns(self) -> np.ndarray | None:
        """Stored patterns, shape (n_patterns, n_units), read-only; None if unknown."""
        return self._patterns

    @property
    def n_units(self) -> int:
        """Number of units N."""
        return int(self._bias.shape[0])

    @property
    def dtype(self) -> np.dtype:
        """Floating-point type of the parameters and of every computation."""
        return self._bias.dtype

    def __repr__(self) -> str:
        n_pat = 0 if self._patterns is None else self._patterns.shape[0]
        extra = "" if self._weights is not None else ", storage='factored'"
        return (
            f"HopfieldNetwork(n_units={self.n_units}, n_patterns={n_pat}, rule={self.rule!r}"
            f"{extra})"
        )

    # -- energy ---------------------------------------------------------------------------
    def _spins(self, states: Any) -> tuple[np.ndarray, bool]:
        """``states`` checked as spins of this network: (rows, whether it was one 1-D state)."""
        return as_spins(states, "states", n_units=self.n_units, dtype=self.dtype)

    def energy(self, states: Any) -> np.ndarray:
        """Energy E(s) = -1/2 s^T W s - b^T s.

        Parameters
        ----------
        states : array_like, shape (n_states, n_units) or (n_units,)
            Spins +-1, one state per row.

        Returns
        -------
        ndarray, shape (n_states,) (a float for a single 1-D state)
            No zero-temperature update raises it: a recall lowers the energy sweep by sweep.
        """
        if self._weights is None:

            def energy(s: np.ndarray) -> np.ndarray:
                h = self._fields(s)  # E = -1/2 s.(h - b) - b.s
                return -0.5 * (np.einsum("bi,bi->b", s, h) + s @ self._bias)

            return apply_to_rows(self._spins(states), energy)
        dense = partial(unchecked_energy, weights=self._weights, bias=self._bias)
        return apply_to_rows(self._spins(states), dense)

    def local_fields(self, states: Any) -> np.ndarray:
        """Local fields h = s W + b, shape like ``states``.

        h_i = sum_j W_ij s_j + b_i is the input unit i receives from the others; flipping unit
        i changes the energy by 2 s_i h_i.

        Parameters
        ----------
        states : array_like, shape (n_states, n_units) or (n_units,)
            Spins +-1.

        Returns
        -------
        ndarray, shape (n_states, n_units) (shape (n_units,) for a single 1-D state)
        """
        return apply_to_rows(self._spins(states), self._fields)

    def _fields(self, s: np.ndarray) -> np.ndarray:
        """h = s W + b of checked spins: s F F^T - s D + b in O(N P) per state when factored."""
        if self._weights is not None:
            return unchecked_fields(s, self._weights, self._bias)
        factor = self.field_factor()
        assert factor is not None  # always known in factored storage
        f, d = factor
        h = (s @ f) @ f.T
        h -= s * d
        h += self._bias
        return h

    def is_fixed_point(self, states: Any) -> np.ndarray:
        """True for each state that no zero-temperature update changes (s_i h_i >= 0 for all i).

        A field within the dynamics' tolerance of zero counts as zero (the unit keeps its
        state), as in :meth:`recall`.

        Parameters
        ----------
        states : array_like, shape (n_states, n_units) or (n_units,)
            Spins +-1, e.g. the stored patterns (are they fixed points?).

        Returns
        -------
        ndarray of bool, shape (n_states,) (a numpy bool for a single 1-D state)
        """
        return apply_to_rows(self._spins(states), lambda s: ~np.any(self._unstable(s), axis=1))

    def unstable_units(self, states: Any) -> np.ndarray:
        """True for each unit that the first zero-temperature update would flip (s_i h_i < 0).

        On the stored patterns, the mean is the one-step error (1/2 erfc(sqrt(N / (2 P))) for
        Hebbian weights of random patterns). Fields within the dynamics' tolerance of zero
        count as zero, as in :meth:`recall`.

        Parameters
        ----------
        states : array_like, shape (n_states, n_units) or (n_units,)
            Spins +-1.

        Returns
        -------
        ndarray of bool, shape like ``states``
        """
        return apply_to_rows(self._spins(states), self._unstable)

    def _unstable(self, s: np.ndarray) -> np.ndarray:
        if self._weights is not None:
            tol = tolerance(self._weights, self._bias)
        else:
            tol = factor_tolerance(self._factor, self._bias)  # type: ignore[arg-type]
        return unstable(s, self._fields(s), tol)

    # -- dynamics -------------------------------------------------------------------------
    def recall(
        self,
        probes: Any,
        dynamics: str = "async",
        temperature: float = 0.0,
        max_sweeps: int = 100,
        rng: RNGLike = 0,
        *,
        order: str = "random",
        clamp: Any = None,
    ) -> RecallResult:
        """Relax a batch of probes under the network's dynamics.

        Parameters
        ----------
        probes : array_like, shape (n_probes, n_units) or (n_units,)
            Starting states, spins +-1. Not modified.
        dynamics : {"async", "sync"}
            Asynchronous (one unit at a time) or synchronous (all at once, with 2-cycle
            detection).
        temperature : float >= 0
            0: deterministic dynamics to a fixed point (a unit with zero field keeps its
            state). T > 0: Glauber dynamics, P(s_i = +1) = 1 / (1 + exp(-2 h_i / T)), run for
            exactly ``max_sweeps`` sweeps.
        max_sweeps : int
            Upper bound on the sweeps (synchronous: steps).
        rng : int, Generator or None
            Randomness of the visiting order and of Glauber dynamics.
        order : {"random", "sequential"}
            Asynchronous visiting order.
        clamp : bool array, shape (n_units,) or (n_probes, n_units), optional
            Units held at their probe value (pattern completion).

        Returns
        -------
        RecallResult
            ``states``, ``converged``, ``n_sweeps``, ``energies`` (one row per sweep,
            ``(n_rows, n_probes)``), ``overlaps`` with the stored patterns after each sweep
            ``(n_rows, n_probes, n_patterns)``, and ``cycled`` (synchronous 2-cycles).
        """
        return run_dynamics(
            self,
            probes,
            dynamics=dynamics,
            order=order,
            temperature=temperature,
            max_sweeps=max_sweeps,
            clamp=clamp,
            patterns=self._patterns,
            rng=rng,
        )

    def field_factor(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(F, D) with W = F F^T - diag(D) when that is cheaper than W itself, else None.

        Hebbian weights of P patterns: F = X^T / sqrt(N), D = P / N. Pseudo-inverse weights:
        F an orthonormal basis of the patterns' span, D = diag(F F^T). Used by the dynamics
        (:class:`~energynets.sampling.dynamics.QuadraticModel`) to compute fields in O(N P)
        per state instead of O(N^2) when P < N / 4. Computed once, on first use.

        Returns
        -------
        tuple of ndarray or None
            F of shape (n_units, r) and D of shape (n_units,), the network's dtype; None for
            other rules, for networks built from weights, or when P >= N / 4; always the factor
            for a network in factored storage.
        """
        if self._factor is False:
            self._factor = None
            p = self._patterns
            if p is not None and self.rule in ("hebbian", "pseudoinverse"):
                n_pat, n = p.shape
                if 4 * n_pat < n:
                    p64 = p.astype(np.float64)
                    if self.rule == "hebbian":
                        f = _hebbian_factor(p64, self.dtype)
                        d = np.full(n, n_pat / n)
                    else:
                        _, sv, vt = np.linalg.svd(p64, full_matrices=False)
                        rank = int(np.sum(sv > sv[0] * max(p.shape) * np.finfo(float).eps))
                        f = np.ascontiguousarray(vt[:rank].T)
                        d = np.einsum("ij,ij->i", f, f)
                    self._factor = (
                        np.ascontiguousarray(f, dtype=self.dtype),
                        d.astype(self.dtype),
                    )
        return self._factor if self._factor is not False else None  # type: ignore[return-value]

    # -- persistence ----------------------------------------------------------------------
    def get_params(self) -> dict[str, Any]:
        """Arrays and settings that define the network (used by :mod:`energynets.io`).

        Returns
        -------
        dict
            ``weights`` and ``bias``, and ``patterns`` and ``rule`` when they are known.

        Raises
        ------
        ValueError
            For a network in factored storage.
        """
        if self._weights is None:
            raise ValueError(
                "a network in factored storage cannot be saved (io stores dense weights); save "
                "its patterns and rebuild it with HopfieldNetwork.from_patterns"
            )
        params: dict[str, Any] = {"weights": self._weights, "bias": self._bias}
        if self._patterns is not None:
            params["patterns"] = self._patterns
        if self.rule is not None:
            params["rule"] = self.rule
        return params
