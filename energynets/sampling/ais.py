"""Annealed importance sampling (AIS): log partition functions of models too large to enumerate.

AIS (Neal 2001) estimates Z_1 = sum_s f_1(s) of a target distribution p_1 = f_1 / Z_1 from a
base distribution p_0 = f_0 / Z_0 whose Z_0 is known and which can be sampled exactly, through
a sequence of intermediate distributions

    f_beta(s) = f_0(s)^(1 - beta) f_1(s)^beta,    0 = beta_0 < beta_1 < ... < beta_K = 1.

Each run draws s_0 ~ p_0, then for k = 1, ..., K - 1 moves s_k = T_k(s_{k-1}) with a Markov
transition T_k that leaves p_{beta_k} invariant, and accumulates the importance weight

    log w = sum_{k=1}^{K} [log f_{beta_k}(s_{k-1}) - log f_{beta_{k-1}}(s_{k-1})].

Then E[w] = Z_1 / Z_0 exactly, whatever the schedule and however poorly the transitions mix:
the schedule and the transitions only decide the variance of w. With M independent runs

    log Z_1 ~ log Z_0 + log( (1/M) sum_m w_m ),

an unbiased estimate of Z_1 and, by Jensen's inequality, a stochastic lower bound on log Z_1.
With K = 1 (``betas = [0, 1]``) AIS is plain importance sampling from p_0.

What is annealed is described by a *path*: any object with

- ``log_z_base`` (float): log Z_0;
- ``sample_base(n_samples, rng) -> states``: exact samples of p_0, shape (n_samples, ...);
- ``log_unnormalized(states, beta) -> (n_samples,)``: log f_beta(s) = -E_beta(s);
- ``transition(states, beta, rng) -> states``: a Markov step leaving p_beta invariant;
- optionally ``log_weight_increment(states, beta_from, beta_to) -> (n_samples,)``:
  log f_beta_to(s) - log f_beta_from(s), when the path can compute it faster than twice
  ``log_unnormalized`` (for a geometric path it is (beta_to - beta_from) (log f_1 - log f_0)).

:class:`BoltzmannPath` is the path of a :class:`~energynets.models.boltzmann.BoltzmannMachine`;
other models (restricted Boltzmann machines) provide their own path, and :func:`ais` runs any of
them, all runs at once as the rows of one batch.

This module deliberately leaves out reverse AIS (which starts from data and anneals towards the
base) and adaptive schedules.

References
----------
Neal, R. M. (2001). Annealed importance sampling. Statistics and Computing 11, 125-139.
Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief networks.
ICML 2008, 872-879.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from energynets._validation import (
    RNGLike,
    as_float_array,
    check_int,
    check_rng,
)
from energynets.models.boltzmann import BoltzmannMachine
from energynets.sampling.gibbs import gibbs

__all__ = [
    "AISResult",
    "AnnealingPath",
    "BoltzmannPath",
    "ais",
    "linear_betas",
    "salakhutdinov_murray_betas",
]

#: Width of the reported interval, in standard errors of the mean importance weight.
N_STANDARD_ERRORS = 3.0


@runtime_checkable
class AnnealingPath(Protocol):
    """What :func:`ais` needs from a model: a tractable base and a path of distributions.

    The path runs from the base p_0 (beta = 0) to the target p_1 (beta = 1) through
    f_beta(s) = f_0(s)^(1 - beta) f_1(s)^beta (or any other family that a path defines;
    :func:`ais` only uses the four members below). A path may also define
    ``log_weight_increment(states, beta_from, beta_to)``, see the module docstring.
    """

    @property
    def log_z_base(self) -> float:
        """log Z_0, the log partition function of the base distribution."""
        ...

    def sample_base(self, n_samples: int, rng: np.random.Generator) -> np.ndarray:
        """``n_samples`` exact, independent samples of the base distribution p_0."""
        ...

    def log_unnormalized(self, states: np.ndarray, beta: float) -> np.ndarray:
        """log f_beta(s) = -E_beta(s) for each row of ``states``, shape (n_samples,)."""
        ...

    def transition(self, states: np.ndarray, beta: float, rng: np.random.Generator) -> np.ndarray:
        """One Markov step from ``states`` that leaves p_beta invariant (same shape)."""
        ...


class BoltzmannPath:
    """The annealing path of a Boltzmann machine from independent units to the machine.

    Base: independent units with biases b0, E_0(s) = -b0 . s, so

        p_0(s_i = high) = sigma(b0_i) (bits),  sigma(2 b0_i) (spins),
        log Z_0 = sum_i log(1 + e^{b0_i}) (bits),  sum_i log(2 cosh b0_i) (spins);

    intermediate energies (the geometric path between E_0 and E)

        E_beta(s) = -(beta / 2) s^T W s - ((1 - beta) b0 + beta b) . s,

    so log f_beta(s) - log f_beta'(s) = (beta - beta') (1/2 s^T W s + (b - b0) . s).
    The transition at beta is one sequential sweep of single-site Gibbs updates of E_beta.

    Parameters
    ----------
    model : BoltzmannMachine
        The target, p_1(s) = exp(-E(s)) / Z over all its units (visible and hidden).
    base_bias : array_like, shape (n_units,), optional
        b0. The default, zero, makes the base uniform (log Z_0 = n log 2). A base closer to the
        target (e.g. biases matching the target's mean activities) lowers the variance.

    Examples
    --------
    >>> from energynets.models.boltzmann import sherrington_kirkpatrick
    >>> path = BoltzmannPath(sherrington_kirkpatrick(4, rng=0))
    >>> bool(np.isclose(path.log_z_base, 4 * np.log(2)))  # uniform base over 2**4 states
    True
    """

    def __init__(self, model: BoltzmannMachine, base_bias: Any = None) -> None:
        if not isinstance(model, BoltzmannMachine):
            raise TypeError(f"model must be a BoltzmannMachine, got {type(model).__name__}")
        n = model.n_units
        dtype = model.dtype
        if base_bias is None:
            b0 = np.zeros(n, dtype=dtype)
        else:
            b0 = np.array(as_float_array(base_bias, "base_bias", ndim=1), dtype=dtype, copy=True)
            if b0.shape != (n,):
                raise ValueError(
                    f"base_bias must have shape ({n},) to match the model's n_units, got {b0.shape}"
                )
        self.model = model
        self.base_bias = b0
        self.base_bias.setflags(write=False)

    def __repr__(self) -> str:
        return f"BoltzmannPath({self.model!r})"

    @property
    def log_z_base(self) -> float:
        """log Z_0 = sum_i log(1 + e^{b0_i}) (bits) or sum_i log(2 cosh b0_i) (spins)."""
        b0 = self.base_bias.astype(np.float64)
        if self.model.units == "bits":
            return float(np.sum(np.logaddexp(0.0, b0)))
        # log(2 cosh b) = log(e^b + e^-b), stable for large |b|
        return float(np.sum(np.logaddexp(b0, -b0)))

    def sample_base(self, n_samples: int, rng: np.random.Generator) -> np.ndarray:
        """Independent units: s_i = high with probability sigma(b0_i) or sigma(2 b0_i).

        Returns
        -------
        ndarray, shape (n_samples, n_units), the model's dtype.
        """
        from scipy.special import expit

        b0 = self.base_bias
        p_high = expit(2.0 * b0 if self.model.units == "spins" else b0)
        lo, hi = self.model.unit_values
        u = rng.random((n_samples, self.model.n_units))
        return np.where(u < p_high, hi, lo).astype(self.model.dtype)

    def _log_ratio(self, states: np.ndarray) -> np.ndarray:
        """log f_1(s) - log f_0(s) = 1/2 s^T W s + (b - b0) . s, shape (n_samples,)."""
        m = self.model
        pair = 0.5 * np.einsum("bi,bi->b", states @ m.weights, states)
        return pair + states @ (m.bias - self.base_bias)

    def log_unnormalized(self, states: np.ndarray, beta: float) -> np.ndarray:
        """log f_beta(s) = -E_beta(s) = beta/2 s^T W s + ((1 - beta) b0 + beta b) . s."""
        return states @ self.base_bias + beta * self._log_ratio(states)

    def log_weight_increment(
        self, states: np.ndarray, beta_from: float, beta_to: float
    ) -> np.ndarray:
        """log f_beta_to(s) - log f_beta_from(s) = (beta_to - beta_from) (log f_1 - log f_0)."""
        return (beta_to - beta_from) * self._log_ratio(states)

    def intermediate(self, beta: float) -> BoltzmannMachine:
        """The machine of energy E_beta: couplings beta W, biases (1 - beta) b0 + beta b."""
        m = self.model
        bias = (1.0 - beta) * self.base_bias + beta * m.bias
        return BoltzmannMachine(m.weights * beta, bias, m.n_visible, units=m.units, dtype=m.dtype)

    def transition(self, states: np.ndarray, beta: float, rng: np.random.Generator) -> np.ndarray:
        """One sequential single-site Gibbs sweep of E_beta (leaves p_beta invariant).

        Each unit i in turn is set high with probability sigma(h_i) (bits) or sigma(2 h_i)
        (spins), h_i = beta sum_j W_ij s_j + (1 - beta) b0_i + beta b_i, in every row of
        ``states`` at once (:func:`energynets.sampling.gibbs.gibbs` on
        :meth:`intermediate`); ``states`` is not modified.
        """
        return gibbs(self.intermediate(beta), states, 1, rng, scan="sequential").states


@dataclass(frozen=True)
class AISResult:
    """The outcome of :func:`ais`.

    Attributes
    ----------
    log_z : float
        log Z_0 + log mean(w): the AIS estimate of the log partition function.
    log_z_low, log_z_high : float
        log Z_0 + log(mean(w) -+ 3 std(w) / sqrt(M)): the mean importance weight plus or minus
        three standard errors, on the log scale (Salakhutdinov & Murray 2008). ``log_z_low`` is
        ``-inf`` when mean(w) - 3 std(w) / sqrt(M) <= 0 (the weights are too spread out for a
        lower end), and both ends are infinite for a single run.
    log_weights : ndarray, shape (n_runs,)
        log w of each run (float64), without log Z_0.
    ess : float
        Effective sample size (sum w)^2 / sum w^2 of the importance weights, between 1 and
        n_runs: near n_runs when the runs agree, near 1 when one run dominates.
    """

    log_z: float
    log_z_low: float
    log_z_high: float
    log_weights: np.ndarray
    ess: float

    def __repr__(self) -> str:
        return (
            f"AISResult(log_z={self.log_z:.6g}, interval=[{self.log_z_low:.6g}, "
            f"{self.log_z_high:.6g}], n_runs={self.log_weights.shape[0]}, ess={self.ess:.3g})"
        )


def linear_betas(n_betas: int) -> np.ndarray:
    """``n_betas`` equally spaced inverse temperatures from 0 to 1 (both included).

    Examples
    --------
    >>> linear_betas(5)
    array([0.  , 0.25, 0.5 , 0.75, 1.  ])
    """
    n = check_int(n_betas, "n_betas", minimum=2)
    return np.linspace(0.0, 1.0, n)


def salakhutdinov_murray_betas() -> np.ndarray:
    """The AIS schedule of Salakhutdinov & Murray (2008): 14,500 steps from 0 to 1.

    0 to 0.5 in steps of 1e-3 (500 steps), 0.5 to 0.9 in steps of 1e-4 (4,000 steps), 0.9 to 1
    in steps of 1e-5 (10,000 steps): finer where the distributions change fastest.

    Returns
    -------
    ndarray, shape (14501,)
        Strictly increasing, starting at exactly 0.0 and ending at exactly 1.0 (each segment
        is a ``numpy.linspace``, so no rounding drift accumulates; the joins 0.5 and 0.9
        appear once).

    References
    ----------
    Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief
    networks. ICML 2008.
    """
    return np.concatenate(
        [
            np.linspace(0.0, 0.5, 501)[:-1],
            np.linspace(0.5, 0.9, 4001)[:-1],
            np.linspace(0.9, 1.0, 10001),
        ]
    )


def _check_betas(betas: Any) -> np.ndarray:
    b = np.array(as_float_array(betas, "betas", ndim=1, dtype=np.float64), copy=True)
    if b.shape[0] < 2:
        raise ValueError(f"betas must hold at least 2 values (0 and 1), got {b.shape[0]}")
    if b[0] != 0.0:
        raise ValueError(f"betas must start at 0 (the base distribution), got betas[0] = {b[0]}")
    if b[-1] != 1.0:
        raise ValueError(f"betas must end at 1 (the target model), got betas[-1] = {b[-1]}")
    steps = np.diff(b)
    if np.any(steps <= 0):
        k = int(np.argmax(steps <= 0))
        raise ValueError(
            f"betas must be strictly increasing, got betas[{k + 1}] = {b[k + 1]} "
            f"<= betas[{k}] = {b[k]}"
        )
    return b


def _as_path(model_or_path: Any, base_bias: Any) -> Any:
    if isinstance(model_or_path, BoltzmannMachine):
        return BoltzmannPath(model_or_path, base_bias)
    if isinstance(model_or_path, AnnealingPath):
        if base_bias is not None:
            raise ValueError(
                "base_bias applies only when a model is given; a path defines its own base, "
                f"got base_bias together with a {type(model_or_path).__name__}"
            )
        return model_or_path
    raise TypeError(
        "model_or_path must be a BoltzmannMachine or an annealing path (an object with "
        "log_z_base, sample_base, log_unnormalized and transition), "
        f"got {type(model_or_path).__name__}"
    )


def _interval(log_weights: np.ndarray, log_z_base: float) -> tuple[float, float, float, float]:
    """(log_z, low, high, ess) from the log importance weights, all on the log scale."""
    n = log_weights.shape[0]
    shift = float(np.max(log_weights))
    w = np.exp(log_weights - shift)  # the largest weight is 1: no overflow
    mean = float(np.mean(w))
    log_z = log_z_base + shift + float(np.log(mean))
    ess = float(np.sum(w) ** 2 / np.sum(w * w))
    if n < 2:
        return log_z, -np.inf, np.inf, ess
    half_width = N_STANDARD_ERRORS * float(np.std(w, ddof=1)) / np.sqrt(n)
    high = log_z_base + shift + float(np.log(mean + half_width))
    low_w = mean - half_width
    low = log_z_base + shift + float(np.log(low_w)) if low_w > 0 else -np.inf
    return log_z, low, high, ess


def ais(
    model_or_path: Any,
    n_runs: int = 100,
    betas: Any = None,
    n_betas: int = 1000,
    rng: RNGLike = 0,
    *,
    base_bias: Any = None,
    progress: bool = False,
) -> AISResult:
    """Annealed importance sampling estimate of log Z, with a +-3 standard error interval.

    Runs ``n_runs`` independent annealing runs, as the rows of one batch, from the base p_0 to
    the model along ``betas`` (Neal 2001):

        s_0 ~ p_0;  log w = sum_{k=1}^{K} [log f_{beta_k}(s_{k-1}) - log f_{beta_{k-1}}(s_{k-1})],
        s_k = T_{beta_k}(s_{k-1}) for k = 1, ..., K - 1,

    and returns log Z = log Z_0 + log mean(w) with the interval log Z_0 + log(mean(w) -+
    3 std(w) / sqrt(n_runs)) (Salakhutdinov & Murray 2008).

    Parameters
    ----------
    model_or_path : BoltzmannMachine or AnnealingPath
        A machine is annealed along :class:`BoltzmannPath` (``base_bias`` sets its base);
        any other model needs a path object (see :class:`AnnealingPath`).
    n_runs : int >= 1
        M, the number of independent runs (importance weights).
    betas : array_like, shape (K + 1,), optional
        Inverse temperatures, strictly increasing from exactly 0 to exactly 1. ``[0, 1]`` is
        plain importance sampling from the base. Default: ``linear_betas(n_betas)``. See
        :func:`salakhutdinov_murray_betas` for the published 14,500-step schedule.
    n_betas : int >= 2
        Number of equally spaced inverse temperatures when ``betas`` is None; ignored otherwise.
    rng : int, numpy.random.Generator or None
        The only source of randomness. The base samples are drawn first, then the transitions.
    base_bias : array_like, shape (n_units,), optional
        The base biases b0 of a :class:`BoltzmannPath`; only with a model.
    progress : bool
        Show a tqdm progress bar over the inverse temperatures.

    Returns
    -------
    AISResult
        ``log_z``, ``log_z_low``, ``log_z_high``, ``log_weights`` (n_runs,), ``ess``.

    Notes
    -----
    Cost: K transitions and K log-weight increments on a batch of ``n_runs`` states; for a
    Boltzmann machine of n units a transition is one sweep, O(n_runs n^2). The weights are
    accumulated in float64 whatever the model's dtype. The interval measures the spread of
    the weights seen; when the weights are heavy-tailed (too few betas, poor mixing) the
    spread itself is underestimated and log Z tends to be too low, so check that the
    estimate is stable as ``n_betas`` grows.

    References
    ----------
    Neal, R. M. (2001). Annealed importance sampling. Statistics and Computing 11, 125-139.
    Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief
    networks. ICML 2008, 872-879.

    Examples
    --------
    >>> from energynets import exact
    >>> from energynets.models.boltzmann import sherrington_kirkpatrick
    >>> bm = sherrington_kirkpatrick(10, rng=1)
    >>> res = ais(bm, n_runs=100, n_betas=200, rng=0)
    >>> bool(res.log_z_low <= exact.log_partition(bm) <= res.log_z_high)
    True
    """
    path = _as_path(model_or_path, base_bias)
    runs = check_int(n_runs, "n_runs", minimum=1)
    schedule = linear_betas(n_betas) if betas is None else _check_betas(betas)
    if not isinstance(progress, bool | np.bool_):
        raise TypeError(f"progress must be a bool, got {type(progress).__name__}")
    gen = check_rng(rng)
    increment = getattr(path, "log_weight_increment", None)
    if not callable(increment):

        def increment(states: np.ndarray, beta_from: float, beta_to: float) -> np.ndarray:
            return path.log_unnormalized(states, beta_to) - path.log_unnormalized(states, beta_from)

    states = path.sample_base(runs, gen)
    log_weights = np.zeros(runs, dtype=np.float64)
    n_steps = schedule.shape[0] - 1
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n_steps, desc="AIS", unit="beta")
    try:
        for k in range(1, n_steps + 1):
            beta_prev, beta = float(schedule[k - 1]), float(schedule[k])
            log_weights += np.asarray(increment(states, beta_prev, beta), dtype=np.float64)
            if k < n_steps:  # the last sample is never used: no transition at beta = 1
                states = path.transition(states, beta, gen)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    if not np.all(np.isfinite(log_weights)):
        raise ValueError(
            "the log importance weights must be finite; the path returned NaN or inf "
            "(check its log_unnormalized / log_weight_increment)"
        )
    log_z, low, high, ess = _interval(log_weights, float(path.log_z_base))
    log_weights.setflags(write=False)
    return AISResult(log_z=log_z, log_z_low=low, log_z_high=high, log_weights=log_weights, ess=ess)
