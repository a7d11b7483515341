"""The modern (continuous) Hopfield network of Ramsauer et al. (2020).

States xi in R^d and patterns X (P, d); with lse(beta, z) = beta^-1 log sum_mu exp(beta z_mu)
and M the largest pattern norm,

    E(xi) = -lse(beta, X xi) + 1/2 xi . xi + beta^-1 log P + 1/2 M^2,

whose concave-convex procedure gives the update xi <- X^T softmax(beta X xi): for a batch of
queries Q (B, d), Q <- softmax(beta Q X^T) X, the attention of transformers with the stored
patterns as keys and values and beta = 1 / sqrt(d_k). :class:`ModernHopfield` and
:class:`ModernRetrieval` are also importable from :mod:`energynets.models.dense`, beside the
dense associative memory of binary states.

References
----------
Ramsauer, H. et al. (2021). Hopfield networks is all you need. ICLR 2021 (arXiv:2008.02217,
2020).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from energynets._validation import as_float_array, as_rows, check_dtype, check_float, check_int
from energynets.models._chunks import CHUNK_ELEMENTS, row_chunks
from energynets.models._units import softmax

__all__ = ["FIXED_POINT_TYPES", "ModernHopfield", "ModernRetrieval"]

#: What a fixed point of the network is (:meth:`ModernHopfield.fixed_point_types`): near one
#: stored pattern, an average of a few similar ones, or the average of all of them.
FIXED_POINT_TYPES = ("single", "metastable", "global")

#: About how many scores (queries x patterns) one chunk of queries holds: 128 MB in float32.
SCORE_CHUNK = 1 << 25


@dataclass(frozen=True)
class ModernRetrieval:
    """What :meth:`ModernHopfield.retrieve` returns.

    Attributes
    ----------
    states : ndarray, shape (n_queries, n_features)
        The states after the last update (1-D for a 1-D query).
    fixed_point : ndarray of str, shape (n_queries,), or None
        ``"single"``, ``"metastable"`` or ``"global"``: what the final state is, from the
        softmax weights p = softmax(beta X xi) there (:meth:`ModernHopfield.fixed_point_types`).
    top_pattern : ndarray of int, shape (n_queries,), or None
        The pattern with the largest weight in p (the one retrieved when ``"single"``).
    top_weight : ndarray of float, shape (n_queries,), or None
        That weight, max_mu p_mu.
    n_effective : ndarray of float, shape (n_queries,), or None
        1 / sum_mu p_mu^2: how many patterns the state averages (1 to P).
    converged : ndarray of bool, shape (n_queries,)
        True where the last update moved the state by at most ``tol``.
    n_steps : ndarray of int, shape (n_queries,)
        Updates applied to each query.
    energies : ndarray, shape (max(n_steps) + 1, n_queries), or None
        Energy before the first update and after each one (a query that stopped keeps its
        last value).

    ``fixed_point``, ``top_pattern``, ``top_weight``, ``n_effective`` and ``energies`` are
    None when :meth:`ModernHopfield.retrieve` was called with ``details=False`` (they need
    the scores of the final states, one more matrix product).

    The full weights p, an (n_queries, n_patterns) array, are not kept (at P = 60000 they
    would dwarf everything else); :meth:`ModernHopfield.attention` gives them.

    Examples
    --------
    >>> import energynets as en
    >>> xi = en.datasets.random_patterns(20, 32, rng=0)
    >>> res = en.ModernHopfield(xi, beta=0.5).retrieve(xi[:3], n_steps=2)
    >>> res.states.shape, res.fixed_point.tolist(), res.top_pattern.tolist()
    ((3, 32), ['single', 'single', 'single'], [0, 1, 2])
    """

    states: np.ndarray
    fixed_point: np.ndarray | None
    top_pattern: np.ndarray | None
    top_weight: np.ndarray | None
    n_effective: np.ndarray | None
    converged: np.ndarray
    n_steps: np.ndarray
    energies: np.ndarray | None


def _softmax_lse(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unnormalised softmax e, its row sums and the logsumexp of each row of z (overwritten).

    e = exp(z - max z) (its largest entry is 1), so softmax(z) = e / total and
    logsumexp(z) = max z + log(total): the normalisation is left to the caller, who divides
    the much smaller product e X instead of e itself.
    """
    top = z.max(axis=1, keepdims=True)
    z -= top
    np.exp(z, out=z)
    total = z.sum(axis=1, keepdims=True)
    return z, total, (top + np.log(total))[:, 0]


def _classify(
    top_weight: np.ndarray, n_eff: np.ndarray, n_patterns: int, single: float, fraction: float
) -> np.ndarray:
    out = np.full(top_weight.shape[0], "metastable", dtype="<U10")
    out[n_eff > fraction * n_patterns] = "global"
    out[top_weight > single] = "single"
    return out


class ModernHopfield:
    """The modern (continuous) Hopfield network of Ramsauer et al. (2020).

    Energy of a state xi in R^d, with the patterns as the rows of X (P, d):

        E(xi) = -lse(beta, X xi) + 1/2 xi . xi + beta^-1 log P + 1/2 M^2,

    lse(beta, z) = beta^-1 log sum_mu exp(beta z_mu), M = max_mu norm(x_mu); 0 <= E <= 2 M^2 on
    the convex hull of the patterns. The update

        xi_new = X^T softmax(beta X xi)

    (a batch of queries Q (B, d): Q_new = softmax(beta Q X^T) X, the attention of
    transformers with keys = values = the patterns and beta = 1 / sqrt(d_k)) never raises
    the energy and converges to a fixed point (concave-convex procedure; Ramsauer et al.,
    theorems 1 and 2).

    The inverse temperature ``beta`` decides what the fixed points are. Large beta (or well
    separated patterns: separation Delta_mu = x_mu . x_mu - max_{nu != mu} x_mu . x_nu large
    against log(P) / beta) makes the softmax nearly one-hot: a query is retrieved as a
    *single* pattern, usually in one update. Smaller beta, or patterns that are similar,
    gives *metastable* states that average a subset of similar patterns; beta -> 0 gives the
    *global* fixed point, the average of all patterns. :meth:`fixed_point_types` names them;
    :meth:`separation` measures the patterns; :meth:`with_beta` changes beta.

    Parameters
    ----------
    patterns : array_like, shape (n_patterns, n_features)
        The stored patterns, real numbers (copied).
    beta : float > 0
        Inverse temperature of the softmax.
    dtype : numpy.float32 or numpy.float64

    References
    ----------
    Ramsauer, H. et al. (2021). Hopfield networks is all you need. ICLR 2021
    (arXiv:2008.02217).

    Examples
    --------
    >>> import numpy as np, energynets as en
    >>> xi = en.datasets.random_patterns(1000, 64, rng=0)
    >>> net = en.ModernHopfield(xi, beta=1.0)
    >>> res = net.retrieve(en.corrupt(xi[:5], 0.1, rng=1), n_steps=1)
    >>> bool(np.allclose(res.states, xi[:5], atol=1e-6)), res.fixed_point.tolist()
    (True, ['single', 'single', 'single', 'single', 'single'])
    """

    def __init__(self, patterns: Any, beta: float = 1.0, *, dtype: Any = np.float64) -> None:
        dt = check_dtype(dtype)
        x = np.array(as_float_array(patterns, "patterns", ndim=2), dtype=dt, copy=True)
        if x.shape[1] == 0:
            raise ValueError(f"patterns must have at least one feature, got shape {x.shape}")
        self.beta = check_float(beta, "beta", minimum=0.0, exclusive_minimum=True)
        x.setflags(write=False)
        self._patterns = x
        self._max_norm = float(np.sqrt(np.max(np.einsum("ij,ij->i", x, x))))

    @property
    def patterns(self) -> np.ndarray:
        """The stored patterns X, shape (n_patterns, n_features), read-only."""
        return self._patterns

    @property
    def n_patterns(self) -> int:
        """Number of stored patterns P."""
        return int(self._patterns.shape[0])

    @property
    def n_features(self) -> int:
        """Dimension d of the states and patterns."""
        return int(self._patterns.shape[1])

    @property
    def dtype(self) -> np.dtype:
        """Floating-point type of the patterns and of the states computed."""
        return self._patterns.dtype

    @property
    def max_norm(self) -> float:
        """M = max_mu norm(x_mu), the largest pattern norm."""
        return self._max_norm

    def __repr__(self) -> str:
        return (
            f"ModernHopfield(n_patterns={self.n_patterns}, n_features={self.n_features}, "
            f"beta={self.beta:g})"
        )

    def get_params(self) -> dict[str, Any]:
        """Arrays and settings that define the model (used by :mod:`energynets.io`).

        Returns
        -------
        dict
            ``patterns`` and ``beta``.
        """
        return {"patterns": self._patterns, "beta": np.array(self.beta, dtype=np.float64)}

    def with_beta(self, beta: float) -> ModernHopfield:
        """The same patterns at another inverse temperature (this model is not modified).

        Parameters
        ----------
        beta : float > 0

        Returns
        -------
        ModernHopfield
        """
        return ModernHopfield(self._patterns, beta, dtype=self.dtype)

    def _queries(self, states: Any, name: str) -> tuple[np.ndarray, bool]:
        columns = "features (columns) to match the patterns"
        q2, was_1d = as_rows(states, name, self.n_features, columns, self.dtype)
        return np.array(q2, copy=True, order="C"), was_1d

    # -- energy and update --------------------------------------------------------------------
    def _energy(self, q: np.ndarray, lse_beta_scores: np.ndarray) -> np.ndarray:
        """E from the states and logsumexp(beta X xi) (float64)."""
        b = self.beta
        sq = 0.5 * np.einsum("ij,ij->i", q, q, dtype=np.float64)
        lse = lse_beta_scores.astype(np.float64) / b
        return -lse + sq + math.log(self.n_patterns) / b + 0.5 * self._max_norm**2

    def _rows(self, n_rows: int) -> list[slice]:
        # about SCORE_CHUNK scores per chunk: large enough that the products stay efficient
        # GEMMs (500 MNIST queries against 60000 images in one chunk), small enough that
        # memory stays bounded whatever the batch
        return row_chunks(n_rows, max(1, (self.n_patterns * CHUNK_ELEMENTS) // SCORE_CHUNK))

    def _scores(self, q: np.ndarray) -> np.ndarray:
        """beta X xi for each row of ``q``: (n_rows, n_patterns), the queries scaled first
        (B d multiplications instead of B P)."""
        return (self.beta * q) @ self._patterns.T

    def _step(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """softmax(beta X xi) of each row of ``q`` as (e, total, lse) (:func:`_softmax_lse`)."""
        return _softmax_lse(self._scores(q))

    def energy(self, states: Any) -> np.ndarray:
        """E(xi) = -lse(beta, X xi) + 1/2 xi . xi + beta^-1 log P + 1/2 M^2 (stable lse).

        Parameters
        ----------
        states : array_like, shape (n_states, n_features) or (n_features,)

        Returns
        -------
        ndarray of float64, shape (n_states,) (a float for a 1-D state)
        """
        q, was_1d = self._queries(states, "states")
        e = np.empty(q.shape[0])
        for rows in self._rows(q.shape[0]):
            _, _, lse = self._step(q[rows])
            e[rows] = self._energy(q[rows], lse)
        return e[0] if was_1d else e

    def attention(self, states: Any) -> np.ndarray:
        """softmax(beta X xi) for each state: shape (n_states, n_patterns), rows sum to 1.

        Parameters
        ----------
        states : array_like, shape (n_states, n_features) or (n_features,)

        Returns
        -------
        ndarray, shape (n_states, n_patterns) (shape (n_patterns,) for a 1-D state)
            p_mu = exp(beta x_mu . xi) / sum_nu exp(beta x_nu . xi), the weight of each
            pattern in the next state.
        """
        q, was_1d = self._queries(states, "states")
        p = softmax(self.beta * (q @ self._patterns.T))
        return p[0] if was_1d else p

    def update(self, states: Any) -> np.ndarray:
        """One update xi <- X^T softmax(beta X xi) of each state, shape like ``states``.

        Parameters
        ----------
        states : array_like, shape (n_states, n_features) or (n_features,)

        Returns
        -------
        ndarray, shape (n_states, n_features) (shape (n_features,) for a 1-D state)
            The new states; the energy never rises.
        """
        q, was_1d = self._queries(states, "states")
        out = np.empty_like(q)
        for rows in self._rows(q.shape[0]):
            out[rows] = softmax(self._scores(q[rows])) @ self._patterns
        return out[0] if was_1d else out

    def retrieve(
        self,
        queries: Any,
        n_steps: int = 1,
        *,
        tol: float | None = None,
        single_weight: float = 0.5,
        global_fraction: float = 0.5,
        details: bool = True,
    ) -> ModernRetrieval:
        """Apply up to ``n_steps`` updates to a batch of queries (vectorised over them).

        A query stops early when an update moves it by at most ``tol`` (Euclidean norm).
        Each update costs two matrix products, beta Q X^T and softmax(.) X; the energy and
        the softmax weights of the result take one more product, beta Q_new X^T, which is
        also the first product of the next update: with ``details=False`` it is skipped after
        the last update (one update then costs what the bare update softmax(beta Q X^T) X
        costs). Queries go through in chunks of about :data:`SCORE_CHUNK` (32 million)
        scores, so memory stays bounded whatever the batch.

        Parameters
        ----------
        queries : array_like, shape (n_queries, n_features) or (n_features,)
            Not modified.
        n_steps : int >= 1
            Ramsauer et al.: one update retrieves a well-separated pattern.
        tol : float >= 0, optional
            Default: 1e-6 M (1e-3 M in float32).
        single_weight, global_fraction : float in [0, 1]
            Thresholds of :meth:`fixed_point_types`.
        details : bool
            Compute the energies, the fixed-point types and the summaries of the final
            softmax weights (default). False: the result's ``energies``, ``fixed_point``,
            ``top_pattern``, ``top_weight`` and ``n_effective`` are None, and the states,
            ``converged`` and ``n_steps`` are those of ``details=True``, bit for bit.

        Returns
        -------
        ModernRetrieval

        Examples
        --------
        >>> import energynets as en
        >>> xi = en.datasets.random_patterns(50, 32, rng=0)
        >>> res = en.ModernHopfield(xi).retrieve(xi[:2], details=False)
        >>> res.states.shape, res.energies is None, res.fixed_point is None
        ((2, 32), True, True)
        """
        q, was_1d = self._queries(queries, "queries")
        n_max = check_int(n_steps, "n_steps", minimum=1)
        if tol is None:
            tol_v = (1e-3 if self.dtype == np.float32 else 1e-6) * max(self._max_norm, 1e-300)
        else:
            tol_v = check_float(tol, "tol", minimum=0.0)
        w = check_float(single_weight, "single_weight", minimum=0.0, maximum=1.0)
        g = check_float(global_fraction, "global_fraction", minimum=0.0, maximum=1.0)
        if not isinstance(details, bool | np.bool_):
            raise TypeError(f"details must be a bool, got {type(details).__name__}")
        n_q = q.shape[0]
        if not details:
            steps = np.zeros(n_q, dtype=np.int64)
            converged = np.zeros(n_q, dtype=bool)
            for rows in self._rows(n_q):
                self._update_rows(q[rows], n_max, tol_v, steps[rows], converged[rows])
            states = q[0] if was_1d else q
            return ModernRetrieval(states, None, None, None, None, converged, steps, None)
        energies = np.empty((n_max + 1, n_q))
        steps = np.zeros(n_q, dtype=np.int64)
        converged = np.zeros(n_q, dtype=bool)
        top = np.empty(n_q, dtype=np.int64)
        top_w = np.empty(n_q)
        n_eff = np.empty(n_q)
        for rows in self._rows(n_q):
            self._retrieve_rows(
                q[rows],
                n_max,
                tol_v,
                energies[:, rows],
                steps[rows],
                converged[rows],
                top[rows],
                top_w[rows],
                n_eff[rows],
            )
        n_rows = int(steps.max()) + 1
        kinds = _classify(top_w, n_eff, self.n_patterns, w, g)
        states = q[0] if was_1d else q
        return ModernRetrieval(
            states, kinds, top, top_w, n_eff, converged, steps, energies[:n_rows].copy()
        )

    def _retrieve_rows(
        self,
        q: np.ndarray,
        n_max: int,
        tol: float,
        energies: np.ndarray,
        steps: np.ndarray,
        converged: np.ndarray,
        top: np.ndarray,
        top_w: np.ndarray,
        n_eff: np.ndarray,
    ) -> None:
        """Retrieve one chunk of queries; ``q`` and the output views are filled in place."""
        x = self._patterns
        e, total, lse = self._step(q)
        energies[:] = self._energy(q, lse)  # rows past a query's last step keep its value
        active = np.arange(q.shape[0])
        for step in range(1, n_max + 1):
            new = e @ x
            new /= total  # softmax(.) X = (e X) / total
            diff = new - q[active]
            moved = np.sqrt(np.einsum("ij,ij->i", diff, diff, dtype=np.float64))
            q[active] = new
            steps[active] += 1
            e, total, lse = self._step(new)
            energies[step:, active] = self._energy(new, lse)
            done = moved <= tol
            converged[active[done]] = True
            if step == n_max or done.all():
                break
            # queries that stopped keep their final weights' summaries now
            stop = np.flatnonzero(done)
            self._summaries(e[stop], total[stop], active[stop], top, top_w, n_eff)
            keep = np.flatnonzero(~done)
            active, e, total = active[keep], e[keep], total[keep]
        self._summaries(e, total, active, top, top_w, n_eff)

    def _update_rows(
        self, q: np.ndarray, n_max: int, tol: float, steps: np.ndarray, converged: np.ndarray
    ) -> None:
        """:meth:`_retrieve_rows` without energies or summaries: no product after the last
        update (the same states, step counts and convergence, bit for bit)."""
        x = self._patterns
        e, total, _ = self._step(q)
        active = np.arange(q.shape[0])
        for step in range(1, n_max + 1):
            new = e @ x
            new /= total
            diff = new - q[active]
            moved = np.sqrt(np.einsum("ij,ij->i", diff, diff, dtype=np.float64))
            q[active] = new
            steps[active] += 1
            done = moved <= tol
            converged[active[done]] = True
            if step == n_max or done.all():
                break
            # the scores of every row, as _retrieve_rows forms them, then the rows that go on
            e, total, _ = self._step(new)
            keep = np.flatnonzero(~done)
            active, e, total = active[keep], e[keep], total[keep]

    @staticmethod
    def _summaries(
        e: np.ndarray,
        total: np.ndarray,
        rows: np.ndarray,
        top: np.ndarray,
        top_w: np.ndarray,
        n_eff: np.ndarray,
    ) -> None:
        """Top pattern, its weight and n_eff of the softmax weights p = e / total."""
        if rows.size == 0:
            return
        idx = e.argmax(axis=1)
        t = total[:, 0].astype(np.float64)
        top[rows] = idx
        top_w[rows] = e[np.arange(e.shape[0]), idx] / t
        n_eff[rows] = t * t / np.einsum("ij,ij->i", e, e, dtype=np.float64)

    # -- what the fixed points are ------------------------------------------------------------
    @staticmethod
    def fixed_point_types(
        attention: Any, *, single_weight: float = 0.5, global_fraction: float = 0.5
    ) -> np.ndarray:
        """Name the kind of state each row of softmax weights describes.

        With p the weights (a row of :meth:`attention`) and n_eff = 1 / sum_mu p_mu^2 the
        effective number of patterns it averages:

        - ``"single"``: one pattern holds more than ``single_weight`` of the weight (the
          state is near that stored pattern: retrieval);
        - ``"global"``: n_eff > ``global_fraction`` * P (the state is near the mean of all
          patterns: the fixed point of small beta);
        - ``"metastable"``: otherwise, an average over a subset of similar patterns.

        Parameters
        ----------
        attention : array_like, shape (n_states, n_patterns) or (n_patterns,)
            Non-negative rows summing to 1.
        single_weight, global_fraction : float in [0, 1]

        Returns
        -------
        ndarray of str, shape (n_states,)
        """
        p = as_float_array(attention, "attention", ndim=(1, 2), dtype=np.float64)
        p = np.atleast_2d(p)
        if np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-4):
            raise ValueError(
                "attention must hold non-negative rows that sum to 1 (softmax weights)"
            )
        w = check_float(single_weight, "single_weight", minimum=0.0, maximum=1.0)
        g = check_float(global_fraction, "global_fraction", minimum=0.0, maximum=1.0)
        n_eff = 1.0 / np.einsum("ij,ij->i", p, p)
        return _classify(p.max(axis=1), n_eff, p.shape[1], w, g)

    def separation(self) -> np.ndarray:
        """Delta_mu = x_mu . x_mu - max_{nu != mu} x_mu . x_nu for every pattern, shape (P,).

        Ramsauer et al. (theorem 4): a pattern is retrieved in one update from queries near
        it, with an exponentially small error, once Delta_mu is large compared with
        2 / (beta P) + beta^-1 log(2 (P - 1) P beta M^2); a negative Delta_mu means the
        pattern is never a single-pattern fixed point.

        Returns
        -------
        ndarray of float64, shape (n_patterns,)
            Delta_mu (+inf for a single pattern).
        """
        x = self._patterns.astype(np.float64)
        n = x.shape[0]
        out = np.empty(n)
        for rows in row_chunks(n, n):
            a = rows.start
            g = x[rows] @ x.T
            diag = g[np.arange(g.shape[0]), np.arange(a, a + g.shape[0])].copy()
            g[np.arange(g.shape[0]), np.arange(a, a + g.shape[0])] = -np.inf
            out[rows] = diag - (g.max(axis=1) if n > 1 else np.inf)
        return out
