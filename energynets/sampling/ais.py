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

*Reverse* AIS (Burda, Grosse & Salakhutdinov 2015) runs the same chain backwards: it starts
from samples of the target p_1 (in practice data, or data after a few Gibbs steps), anneals
from beta = 1 down to 0 and accumulates

    log w_rev = sum_{k=0}^{K-1} [log f_{beta_k}(s_{k+1}) - log f_{beta_{k+1}}(s_{k+1})],

with E[w_rev] = Z_0 / Z_1 when the starting states are exact samples of p_1. Then
log Z_0 - log mean(w_rev) is a stochastic *upper* bound on log Z_1: AIS and reverse AIS
bracket log Z from both sides, and their gap says how far either can be trusted.

What is annealed is described by a *path*: any object with

- ``log_z_base`` (float): log Z_0;
- ``sample_base(n_samples, rng) -> states``: exact samples of p_0, shape (n_samples, ...);
- ``log_unnormalized(states, beta) -> (n_samples,)``: log f_beta(s) = -E_beta(s);
- ``transition(states, beta, rng) -> states``: a Markov step leaving p_beta invariant;
- optionally ``log_weight_increment(states, beta_from, beta_to) -> (n_samples,)``:
  log f_beta_to(s) - log f_beta_from(s), when the path can compute it faster than twice
  ``log_unnormalized`` (for a geometric path it is (beta_to - beta_from) (log f_1 - log f_0));
- optionally ``step(states, beta_from, beta_to, rng) -> (increment, states)``: the increment
  above and then one ``transition`` at ``beta_to``, fused, for paths whose two halves share
  work (:class:`RBMPath` computes the hidden inputs v W once for both).

:class:`BoltzmannPath` is the path of a :class:`~energynets.models.boltzmann.BoltzmannMachine`,
:class:`RBMPath` the path of Salakhutdinov & Murray (2008) for a
:class:`~energynets.models.rbm.RBM` (hidden units summed out); :func:`ais` and
:func:`reverse_ais` run any of them, all runs at once as the rows of one batch, and
:func:`log_likelihood_bounds` turns both into mean log-likelihoods of data.

This module deliberately leaves out adaptive schedules and the per-example RAISE estimator
of Burda et al.

References
----------
Neal, R. M. (2001). Annealed importance sampling. Statistics and Computing 11, 125-139.
Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief networks.
ICML 2008, 872-879.
Burda, Y., Grosse, R. B. & Salakhutdinov, R. (2015). Accurate and conservative estimates of
MRF log-likelihood using reverse annealing. AISTATS 2015, 102-110.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

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
from energynets.models.rbm import RBM, _sample_one_hot, _softmax, check_softmax_groups
from energynets.sampling.gibbs import gibbs

__all__ = [
    "AISResult",
    "AnnealingPath",
    "BoltzmannPath",
    "LikelihoodBounds",
    "RBMPath",
    "ais",
    "base_rate_bias",
    "linear_betas",
    "log_likelihood_bounds",
    "reverse_ais",
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
    ``log_weight_increment(states, beta_from, beta_to)`` and ``step(states, beta_from,
    beta_to, rng)``, see the module docstring.

    References
    ----------
    Neal, R. M. (2001). Annealed importance sampling. Statistics and Computing 11, 125-139.

    Examples
    --------
    The protocol can be checked at run time:

    >>> from energynets.models import RBM
    >>> isinstance(RBMPath(RBM(4, 2)), AnnealingPath)
    True
    """

    @property
    def log_z_base(self) -> float:
        """log Z_0, the log partition function of the base distribution."""
        ...

    def sample_base(self, n_samples: int, rng: np.random.Generator) -> np.ndarray:
        """``n_samples`` exact, independent samples of the base distribution p_0.

        Parameters
        ----------
        n_samples : int >= 0
        rng : numpy.random.Generator

        Returns
        -------
        ndarray, shape (n_samples, ...)
        """
        ...

    def log_unnormalized(self, states: np.ndarray, beta: float) -> np.ndarray:
        """log f_beta(s) = -E_beta(s) for each row of ``states``, shape (n_samples,).

        Parameters
        ----------
        states : ndarray, shape (n_samples, ...)
            States of the path's model, one per row.
        beta : float in [0, 1]

        Returns
        -------
        ndarray of float64, shape (n_samples,)
        """
        ...

    def transition(self, states: np.ndarray, beta: float, rng: np.random.Generator) -> np.ndarray:
        """One Markov step from ``states`` that leaves p_beta invariant (same shape).

        Parameters
        ----------
        states : ndarray, shape (n_samples, ...)
            States of the path's model, one per row.
        beta : float in [0, 1]
        rng : numpy.random.Generator

        Returns
        -------
        ndarray, the shape of ``states``
            The new states; ``states`` is not modified.
        """
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

    References
    ----------
    Neal, R. M. (2001). Annealed importance sampling. Statistics and Computing 11, 125-139.

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

        Parameters
        ----------
        n_samples : int >= 0
        rng : numpy.random.Generator

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
        """log f_beta(s) = -E_beta(s) = beta/2 s^T W s + ((1 - beta) b0 + beta b) . s.

        Parameters
        ----------
        states : ndarray, shape (n_samples, n_units)
        beta : float in [0, 1]

        Returns
        -------
        ndarray, shape (n_samples,)
        """
        return states @ self.base_bias + beta * self._log_ratio(states)

    def log_weight_increment(
        self, states: np.ndarray, beta_from: float, beta_to: float
    ) -> np.ndarray:
        """log f_beta_to(s) - log f_beta_from(s) = (beta_to - beta_from) (log f_1 - log f_0).

        Parameters
        ----------
        states : ndarray, shape (n_samples, n_units)
        beta_from, beta_to : float in [0, 1]

        Returns
        -------
        ndarray, shape (n_samples,)
        """
        return (beta_to - beta_from) * self._log_ratio(states)

    def intermediate(self, beta: float) -> BoltzmannMachine:
        """The machine of energy E_beta: couplings beta W, biases (1 - beta) b0 + beta b.

        Parameters
        ----------
        beta : float in [0, 1]

        Returns
        -------
        BoltzmannMachine
        """
        m = self.model
        bias = (1.0 - beta) * self.base_bias + beta * m.bias
        return BoltzmannMachine(m.weights * beta, bias, m.n_visible, units=m.units, dtype=m.dtype)

    def transition(self, states: np.ndarray, beta: float, rng: np.random.Generator) -> np.ndarray:
        """One sequential single-site Gibbs sweep of E_beta (leaves p_beta invariant).

        Each unit i in turn is set high with probability sigma(h_i) (bits) or sigma(2 h_i)
        (spins), h_i = beta sum_j W_ij s_j + (1 - beta) b0_i + beta b_i, in every row of
        ``states`` at once (:func:`energynets.sampling.gibbs.gibbs` on
        :meth:`intermediate`); ``states`` is not modified.

        Parameters
        ----------
        states : ndarray, shape (n_samples, n_units)
        beta : float in [0, 1]
        rng : numpy.random.Generator

        Returns
        -------
        ndarray, shape (n_samples, n_units)
        """
        return gibbs(self.intermediate(beta), states, 1, rng, scan="sequential").states


@dataclass(frozen=True)
class AISResult:
    """The outcome of :func:`ais` or :func:`reverse_ais`.

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
        log w of each run (float64), without log Z_0. For :func:`reverse_ais` these are the
        reverse weights log w_rev, whose mean estimates Z_0 / Z (so log_z = log Z_0 -
        log mean(w_rev), log_z_low = log Z_0 - log(mean(w_rev) + 3 s.e.), and log_z_high is
        ``inf`` when mean(w_rev) - 3 s.e. <= 0).
    ess : float
        Effective sample size (sum w)^2 / sum w^2 of the importance weights, between 1 and
        n_runs: near n_runs when the runs agree, near 1 when one run dominates.

    Examples
    --------
    >>> from energynets.models.boltzmann import sherrington_kirkpatrick
    >>> res = ais(sherrington_kirkpatrick(8, rng=1), n_runs=50, n_betas=100, rng=0)
    >>> res.log_weights.shape, bool(res.log_z_low <= res.log_z <= res.log_z_high)
    ((50,), True)
    >>> bool(1.0 <= res.ess <= 50.0)
    True
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

    Parameters
    ----------
    n_betas : int >= 2

    Returns
    -------
    ndarray of float64, shape (n_betas,)

    References
    ----------
    Neal, R. M. (2001). Annealed importance sampling. Statistics and Computing 11, 125-139.

    Examples
    --------
    >>> linear_betas(5)
    array([0.  , 0.25, 0.5 , 0.75, 1.  ])
    """
    n = check_int(n_betas, "n_betas", minimum=2)
    return np.linspace(0.0, 1.0, n)


def salakhutdinov_murray_betas(n_betas: int | None = None) -> np.ndarray:
    """The AIS schedule of Salakhutdinov & Murray (2008): 14,500 steps from 0 to 1.

    0 to 0.5 in steps of 1e-3 (500 steps), 0.5 to 0.9 in steps of 1e-4 (4,000 steps), 0.9 to 1
    in steps of 1e-5 (10,000 steps): finer where the distributions change fastest.

    Parameters
    ----------
    n_betas : int >= 2, optional
        The number of inverse temperatures (0 and 1 included). None gives the published
        schedule (14,501 values); a number gives the same shape with n_betas - 1 steps shared
        among the three segments in the proportions 500 : 4,000 : 10,000 (at least one each;
        ``n_betas`` < 4 gives :func:`linear_betas`). ``n_betas=14501`` is the published schedule.

    Returns
    -------
    ndarray, shape (14501,) or (n_betas,)
        Strictly increasing, starting at exactly 0.0 and ending at exactly 1.0 (each segment
        is a ``numpy.linspace``, so no rounding drift accumulates; the joins 0.5 and 0.9
        appear once).

    References
    ----------
    Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief
    networks. ICML 2008.

    Examples
    --------
    >>> salakhutdinov_murray_betas().shape
    (14501,)
    >>> salakhutdinov_murray_betas(5)
    array([0.  , 0.5 , 0.9 , 0.95, 1.  ])
    """
    if n_betas is None:
        counts = (500, 4000, 10000)
    else:
        n = check_int(n_betas, "n_betas", minimum=2)
        if n < 4:
            return linear_betas(n)
        steps = n - 1
        first = max(1, round(steps * 500 / 14500))
        second = max(1, round(steps * 4000 / 14500))
        counts = (first, second, steps - first - second)
    return np.concatenate(
        [
            np.linspace(0.0, 0.5, counts[0] + 1)[:-1],
            np.linspace(0.5, 0.9, counts[1] + 1)[:-1],
            np.linspace(0.9, 1.0, counts[2] + 1),
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


# -- restricted Boltzmann machines ---------------------------------------------------------------

#: Largest error allowed, per hidden unit and step, when the softplus increments of
#: :class:`RBMPath` are summed by their Taylor series instead of being computed exactly.
_TAYLOR_TOLERANCE = 1e-11
#: (degree d, largest m = |beta_to - beta_from| max_j |x_j| for which degree d is enough):
#: the remainder after degree d is at most 2 (m / pi)^(d + 1) (see _softplus_increments).
_TAYLOR_LIMITS = tuple((d, float(np.pi * _TAYLOR_TOLERANCE ** (1.0 / (d + 1)))) for d in (2, 3, 4))


def _sigmoid(
    x: np.ndarray, scale: float = 1.0, shift: Any = None, out: np.ndarray | None = None
) -> np.ndarray:
    """sigma(scale x + shift) = 1 / (1 + e^-(scale x + shift)) in the dtype of x (into ``out``).

    e^-(...) is capped at e^80 (float32) or e^700 (float64), so it never overflows; below the
    cap sigma < 2e-35 (or 1e-304), far under any uniform random number compared with it.
    """
    cap = 80.0 if x.dtype == np.float32 else 700.0
    y = np.multiply(x, x.dtype.type(-scale), out=out)
    if shift is not None:
        y -= shift
    np.minimum(y, cap, out=y)
    np.exp(y, out=y)
    y += 1.0
    np.reciprocal(y, out=y)
    return y


def _softplus_increments(
    x: np.ndarray, s: np.ndarray, beta_from: float, beta_to: float
) -> np.ndarray:
    """sum_j [softplus(beta_to x_j) - softplus(beta_from x_j)] for each row, float64.

    Parameters
    ----------
    x : ndarray, shape (n_runs, n_hidden)
        The hidden inputs b + (v / sigma) W.
    s : ndarray, shape (n_runs, n_hidden)
        sigma(beta_to x), computed anyway to sample the hidden units.

    Notes
    -----
    The two softplus terms are nearly equal for the small steps of an annealing schedule
    (1e-5 in most of the Salakhutdinov & Murray schedule), so subtracting them loses most
    digits, all of them in float32. Instead, with delta = (beta_to - beta_from) x,

        softplus(y) - softplus(y - delta) = -log(1 - s + s e^-delta) = -K_s(-delta)
            = s delta - k2 delta^2 / 2 + k3 delta^3 / 6 - k4 delta^4 / 24 + ...,

    K_s the cumulant generating function of a Bernoulli(s) variable and k2 = s (1 - s),
    k3 = k2 (1 - 2 s), k4 = k2 (1 - 6 k2) its cumulants. The singularities of K_s nearest to 0
    lie at distance >= pi, and |k_n / n!| <= pi^-n for n >= 3, so stopping after degree d
    leaves at most 2 (m / pi)^(d + 1) per unit, m = max |delta|. The degree is the smallest
    of 2, 3, 4 with (m / pi)^(d + 1) <= 1e-11; larger steps are computed exactly in float64
    (with hidden inputs up to 50 in the published schedule: degree 2 for the steps of 1e-5,
    3 for those of 1e-4, exact for the 500 steps of 1e-3). Cost: a few elementwise passes
    over (n_runs, n_hidden), about a tenth of exp + log1p.
    """
    dbeta = beta_to - beta_from
    m = abs(dbeta) * max(abs(float(x.max(initial=0.0))), abs(float(x.min(initial=0.0))))
    degree = next((d for d, limit in _TAYLOR_LIMITS if m <= limit), None)
    if degree is None:
        x64 = x.astype(np.float64)
        after = np.logaddexp(0.0, beta_to * x64).sum(axis=1)
        return after - np.logaddexp(0.0, beta_from * x64).sum(axis=1)
    sx = s * x
    total = dbeta * sx.sum(axis=1).astype(np.float64)
    w = sx * x
    w -= w * s  # k2 x^2
    total -= (dbeta**2 / 2.0) * w.sum(axis=1)
    if degree >= 3:
        wx = w * x  # k2 x^3; k3 x^3 = k2 x^3 - 2 s k2 x^3
        total += (dbeta**3 / 6.0) * (wx.sum(axis=1) - 2.0 * (wx * s).sum(axis=1))
        if degree >= 4:  # k4 x^4 = k2 x^4 - 6 (k2 x^2)^2
            total -= (dbeta**4 / 24.0) * ((wx * x).sum(axis=1) - 6.0 * (w * w).sum(axis=1))
    return total


def base_rate_bias(
    data: Any,
    *,
    visible: str = "bernoulli",
    pseudo_count: float = 1.0,
    softmax_groups: Any = None,
) -> np.ndarray:
    """The visible biases a0 of the base-rate model of Salakhutdinov & Murray (2008).

    The base-rate model is the RBM without weights whose visible units match the training
    data's means, a good starting point for :class:`RBMPath`:

        Bernoulli: a0_i = log(p_i / (1 - p_i)),  p_i = (sum_n v_ni + c) / (N + 2 c);
        Gaussian:  a0_i = mean_n v_ni.

    The pseudo-count c keeps a0 finite for pixels that are always 0 or always 1 (MNIST's
    borders): with N = 60,000 and c = 1 they get a0 = -+11. The units of a softmax group g
    (K units) get the log class frequencies instead,

        a0_k = log p_k,  p_k = (sum_n v_nk + c) / (N + K c),

    so that the base model's softmax over the group matches the data.

    Parameters
    ----------
    data : array_like, shape (n_samples, n_visible)
        Training data; values in [0, 1] for Bernoulli units (grey levels count as
        probabilities).
    visible : {"bernoulli", "gaussian"}
    pseudo_count : float >= 0
        c above (Bernoulli only). 0 is allowed when no pixel is constant.
    softmax_groups : sequence, optional
        The one-of-K groups of the visible units (Bernoulli only), as for
        :class:`~energynets.models.rbm.RBM`, e.g. ``rbm.softmax_groups``.

    Returns
    -------
    ndarray, shape (n_visible,), float64

    References
    ----------
    Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief networks.
    ICML 2008, 872-879.

    Examples
    --------
    >>> base_rate_bias([[1, 0], [1, 1], [0, 0], [1, 0]], pseudo_count=0.0)  # p = 3/4, 1/4
    array([ 1.09861229, -1.09861229])
    """
    kind = check_choice(visible, "visible", ("bernoulli", "gaussian"))
    x = as_float_array(data, "data", ndim=2, dtype=np.float64)
    groups = check_softmax_groups(softmax_groups, x.shape[1], kind)
    if kind == "gaussian":
        return x.mean(axis=0)
    c = check_float(pseudo_count, "pseudo_count", minimum=0.0)
    if x.min() < 0 or x.max() > 1:
        raise ValueError(
            f"data must lie in [0, 1] for Bernoulli visible units, got values in "
            f"[{x.min():g}, {x.max():g}]"
        )
    n = x.shape[0]
    counts = x.sum(axis=0)
    if not groups:
        p = (counts + c) / (n + 2.0 * c)
        if np.any((p <= 0) | (p >= 1)):
            raise ValueError(
                "a unit of data is always 0 or always 1, so its base-rate bias is infinite: "
                f"use pseudo_count > 0, got pseudo_count = {c:g}"
            )
        return np.log(p) - np.log1p(-p)
    free = np.ones(x.shape[1], dtype=bool)
    for g in groups:
        free[g] = False
    p = (counts[free] + c) / (n + 2.0 * c)
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError(
            "a unit of data is always 0 or always 1, so its base-rate bias is infinite: "
            f"use pseudo_count > 0, got pseudo_count = {c:g}"
        )
    a0 = np.zeros(x.shape[1])
    a0[free] = np.log(p) - np.log1p(-p)
    for i, g in enumerate(groups):
        p_group = (counts[g] + c) / (n + g.size * c)
        if np.any(p_group <= 0):
            raise ValueError(
                f"a class of softmax_groups[{i}] never occurs in data, so its base-rate bias "
                f"is -inf: use pseudo_count > 0, got pseudo_count = {c:g}"
            )
        a0[g] = np.log(p_group)
    return a0


class RBMPath:
    """The annealing path of Salakhutdinov & Murray (2008) for an RBM, hidden units summed out.

    Base: the RBM with no weights and no hidden biases and visible biases a0 (the base-rate
    model); target: the RBM. The intermediate distributions over the visible units are::

        Bernoulli: f_beta(v) = exp((1 - beta) a0.v + beta a.v) prod_j (1 + exp(beta x_j(v))),
        Gaussian:  f_beta(v) = exp(-sum_i [(1 - beta)(v_i - a0_i)^2 + beta (v_i - a_i)^2]
                   / (2 sigma_i^2)) prod_j (1 + exp(beta x_j(v))),

    with x(v) = b + (v / sigma) W the hidden inputs (sigma = 1 for Bernoulli units): each is
    the marginal of the RBM with weights beta W, hidden biases beta b and visible biases
    (1 - beta) a0 + beta a (:meth:`intermediate`). So

        log Z_0 = n_hidden log 2 + sum_i softplus(a0_i)          (Bernoulli)
        log Z_0 = n_hidden log 2 + sum_i log(sqrt(2 pi) sigma_i)  (Gaussian, N(a0, sigma^2))

    and the base is sampled exactly (independent units). The transition at beta is one block
    Gibbs step v -> h -> v' of the intermediate RBM:

        h_j ~ Bernoulli(sigma(beta x_j(v))),
        v'_i ~ Bernoulli(sigma((1 - beta) a0_i + beta (a_i + (W h)_i)))           (Bernoulli)
        v'_i ~ N((1 - beta) a0_i + beta a_i + beta sigma_i (W h)_i, sigma_i^2)     (Gaussian)

    Softmax (one-of-K) groups of the model keep f_beta (the energy is the same, the states
    one-hot in each group): the base is independent softmax units, one class per group drawn
    from softmax(a0_g), its sum over a group is logsumexp_{k in g}(a0_k) instead of the
    softplus terms, so log Z_0 = n_hidden log 2 + sum_{i free} softplus(a0_i) + sum_g
    logsumexp_{k in g}(a0_k); the transition draws each group from softmax_{k in g}((1 - beta)
    a0_k + beta (a_k + (W h)_k)). :func:`base_rate_bias` gives a group the log class
    frequencies.

    and the log-weight increment between beta and beta' is

        (beta' - beta) c.v + d + sum_j [softplus(beta' x_j) - softplus(beta x_j)],

    c = a - a0 (Bernoulli) or (a - a0) / sigma^2, d = -sum (a^2 - a0^2) / (2 sigma^2)
    (Gaussian). :meth:`step` computes x = b + (v / sigma) W once for the increment and the
    hidden sample: one matrix product v W and one h W^T per temperature, plus O(n_hidden)
    elementwise work per run (the softplus differences by a cancellation-free series, see
    :func:`_softplus_increments`). Float32 models stay float32; weights are summed in float64.

    Parameters
    ----------
    rbm : RBM
        The target. Not modified; the path keeps a reference (do not train it meanwhile).
    base_visible_bias : array_like, shape (n_visible,), optional
        a0. Default: the model's own visible biases (the base is then the RBM with its
        weights and hidden biases switched off). Salakhutdinov & Murray use the base rates of
        the training data, :func:`base_rate_bias`, which usually gives a lower variance.

    References
    ----------
    Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief
    networks. ICML 2008, 872-879.

    Examples
    --------
    >>> rbm = RBM(4, 2, rng=0)
    >>> path = RBMPath(rbm, base_visible_bias=[0.0, 0.0, 1.0, -1.0])
    >>> round(path.log_z_base, 4)  # 2 log 2 + 2 log 2 + log(1 + e) + log(1 + 1/e)
    4.3991
    """

    def __init__(self, rbm: RBM, base_visible_bias: Any = None) -> None:
        if not isinstance(rbm, RBM):
            raise TypeError(f"rbm must be an RBM, got {type(rbm).__name__}")
        dtype = rbm.dtype
        nv = rbm.n_visible
        if base_visible_bias is None:
            a0 = np.array(rbm.visible_bias, dtype=dtype, copy=True)
        else:
            a0 = np.array(
                as_float_array(base_visible_bias, "base_visible_bias", ndim=1), dtype=dtype
            )
            if a0.shape != (nv,):
                raise ValueError(
                    f"base_visible_bias must have shape ({nv},) to match the model's "
                    f"n_visible, got {a0.shape}"
                )
        a0.setflags(write=False)
        self.model = rbm
        self.base_visible_bias = a0
        self._groups = rbm.softmax_groups
        self._free = rbm.free_units
        a = rbm.visible_bias
        if rbm.visible == "bernoulli":
            self._slope = (a - a0).astype(dtype)
            self._offset = 0.0
        else:
            var = rbm.sigma.astype(np.float64) ** 2
            self._slope = ((a - a0) / rbm.sigma**2).astype(dtype)
            a64, a064 = a.astype(np.float64), a0.astype(np.float64)
            self._offset = float(-np.sum((a64**2 - a064**2) / (2.0 * var)))

    def __repr__(self) -> str:
        return f"RBMPath({self.model!r})"

    @property
    def log_z_base(self) -> float:
        """log Z_0 = n_hidden log 2 + sum_i softplus(a0_i), or + sum_i log(sqrt(2 pi) sigma_i);
        a softmax group g contributes logsumexp_{k in g}(a0_k) instead of its softplus terms."""
        m = self.model
        hidden = m.n_hidden * np.log(2.0)
        if m.visible == "bernoulli" and self._groups:
            from scipy.special import logsumexp

            a0 = self.base_visible_bias.astype(float)
            groups = sum(float(logsumexp(a0[g])) for g in self._groups)
            return float(hidden + np.sum(np.logaddexp(0.0, a0[self._free])) + groups)
        if m.visible == "bernoulli":
            return float(hidden + np.sum(np.logaddexp(0.0, self.base_visible_bias.astype(float))))
        return float(hidden + np.sum(0.5 * np.log(2.0 * np.pi) + np.log(m.sigma.astype(float))))

    def sample_base(self, n_samples: int, rng: np.random.Generator) -> np.ndarray:
        """Independent visible units: v_i ~ Bernoulli(sigma(a0_i)) or N(a0_i, sigma_i^2); one
        unit on in each softmax group g, drawn from softmax(a0_g).

        Parameters
        ----------
        n_samples : int >= 0
        rng : numpy.random.Generator

        Returns
        -------
        ndarray, shape (n_samples, n_visible), the model's dtype.
        """
        m = self.model
        shape = (n_samples, m.n_visible)
        if m.visible == "bernoulli":
            p = _sigmoid(self.base_visible_bias)
            u = rng.random(shape, dtype=m.dtype)
            if not self._groups:
                return np.less(u, p, out=u)
            v = np.less(u, p).astype(m.dtype)
            for g in self._groups:
                probs = _softmax(self.base_visible_bias[None, g])
                v[:, g] = _sample_one_hot(np.repeat(probs, n_samples, axis=0), u[:, g[0]])
            return v
        return self.base_visible_bias + m.sigma * rng.standard_normal(shape, dtype=m.dtype)

    def _visible_bias_at(self, beta: float) -> np.ndarray:
        """(1 - beta) a0 + beta a, the visible biases (or means) of the intermediate RBM."""
        a0, a = self.base_visible_bias, self.model.visible_bias
        dt = self.model.dtype.type
        return dt(1.0 - beta) * a0 + dt(beta) * a

    def intermediate(self, beta: float) -> RBM:
        """The RBM whose visible marginal is p_beta: weights beta W, hidden biases beta b,
        visible biases (1 - beta) a0 + beta a (for Gaussian units its free energy differs from
        -log f_beta by a constant, beta (1 - beta) sum (a - a0)^2 / (2 sigma^2)).

        Parameters
        ----------
        beta : float in [0, 1]

        Returns
        -------
        RBM
        """
        bt = check_float(beta, "beta", minimum=0.0, maximum=1.0)
        m = self.model
        return RBM.from_params(
            m.weights * m.dtype.type(bt),
            self._visible_bias_at(bt),
            m.hidden_bias * m.dtype.type(bt),
            visible=m.visible,
            sigma=m.sigma,
            dtype=m.dtype,
            softmax_groups=self._groups,
        )

    def log_unnormalized(self, states: np.ndarray, beta: float) -> np.ndarray:
        """log f_beta(v) (see the class docstring), shape (n_samples,), float64.

        Parameters
        ----------
        states : ndarray, shape (n_samples, n_visible)
        beta : float in [0, 1]

        Returns
        -------
        ndarray of float64, shape (n_samples,)
        """
        m = self.model
        v = states.astype(np.float64)
        sigma = m.sigma.astype(np.float64)
        scaled = v if m.visible == "bernoulli" else v / sigma
        x = scaled @ m.weights.astype(np.float64) + m.hidden_bias.astype(np.float64)
        hidden = np.logaddexp(0.0, beta * x).sum(axis=1)
        a0, a = self.base_visible_bias.astype(np.float64), m.visible_bias.astype(np.float64)
        if m.visible == "bernoulli":
            return hidden + v @ ((1.0 - beta) * a0 + beta * a)
        quad = (1.0 - beta) * (v - a0) ** 2 + beta * (v - a) ** 2
        return hidden - np.sum(quad / (2.0 * sigma**2), axis=1)

    def _increment(
        self, states: np.ndarray, x: np.ndarray, s: np.ndarray, beta_from: float, beta_to: float
    ) -> np.ndarray:
        visible = (beta_to - beta_from) * ((states @ self._slope).astype(np.float64) + self._offset)
        return visible + _softplus_increments(x, s, beta_from, beta_to)

    def log_weight_increment(
        self, states: np.ndarray, beta_from: float, beta_to: float
    ) -> np.ndarray:
        """log f_beta_to(v) - log f_beta_from(v), shape (n_samples,), float64, computed
        without cancellation (see the class docstring).

        Parameters
        ----------
        states : ndarray, shape (n_samples, n_visible)
        beta_from, beta_to : float in [0, 1]

        Returns
        -------
        ndarray of float64, shape (n_samples,)
        """
        x = self.model.hidden_input(states)
        s = _sigmoid(x, beta_to)
        return self._increment(states, x, s, beta_from, beta_to)

    def _gibbs_from_probabilities(
        self, s: np.ndarray, beta: float, rng: np.random.Generator
    ) -> np.ndarray:
        """h ~ Bernoulli(s), then v' ~ p_beta(v | h). ``s`` is overwritten."""
        m = self.model
        dt = m.dtype.type
        h = np.less(rng.random(s.shape, dtype=m.dtype), s, out=s)
        z = h @ m.weights.T
        if m.visible == "bernoulli" and self._groups:
            # (1 - beta) a0 + beta (a + W h): sigmoid for the free units, softmax in a group
            shift = self._visible_bias_at(beta)
            logits = [z[:, g] * dt(beta) + shift[g] for g in self._groups]
            _sigmoid(z, beta, shift, out=z)
            u = rng.random(z.shape, dtype=m.dtype)
            np.less(u, z, out=z)
            for g, x in zip(self._groups, logits, strict=True):
                z[:, g] = _sample_one_hot(_softmax(x), u[:, g[0]])
            return z
        if m.visible == "bernoulli":
            _sigmoid(z, beta, self._visible_bias_at(beta), out=z)
            return np.less(rng.random(z.shape, dtype=m.dtype), z, out=z)
        z *= dt(beta)
        z *= m.sigma
        z += self._visible_bias_at(beta)
        z += m.sigma * rng.standard_normal(z.shape, dtype=m.dtype)
        return z

    def transition(self, states: np.ndarray, beta: float, rng: np.random.Generator) -> np.ndarray:
        """One block-Gibbs step v -> h -> v' of the intermediate RBM at ``beta`` (leaves
        p_beta invariant); ``states`` is not modified.

        Parameters
        ----------
        states : ndarray, shape (n_samples, n_visible)
        beta : float in [0, 1]
        rng : numpy.random.Generator

        Returns
        -------
        ndarray, shape (n_samples, n_visible), a new array
        """
        x = self.model.hidden_input(states)
        return self._gibbs_from_probabilities(_sigmoid(x, beta, out=x), beta, rng)

    def step(
        self, states: np.ndarray, beta_from: float, beta_to: float, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """``log_weight_increment(states, beta_from, beta_to)`` and then
        ``transition(states, beta_to, rng)``, sharing x = b + (v / sigma) W and sigma(beta_to x).

        Parameters
        ----------
        states : ndarray, shape (n_samples, n_visible)
        beta_from, beta_to : float in [0, 1]
        rng : numpy.random.Generator

        Returns
        -------
        increment : ndarray, shape (n_samples,), float64
        states : ndarray, shape (n_samples, n_visible), a new array
        """
        x = self.model.hidden_input(states)
        s = _sigmoid(x, beta_to)
        increment = self._increment(states, x, s, beta_from, beta_to)
        return increment, self._gibbs_from_probabilities(s, beta_to, rng)


# -- running the annealing -----------------------------------------------------------------------


def _as_path(model_or_path: Any, base_bias: Any, base_visible_bias: Any = None) -> Any:
    if isinstance(model_or_path, RBM):
        if base_bias is not None:
            raise ValueError(
                "base_bias applies to a BoltzmannMachine; for an RBM give base_visible_bias"
            )
        return RBMPath(model_or_path, base_visible_bias)
    if base_visible_bias is not None:
        raise ValueError(
            "base_visible_bias applies only when an RBM is given, got base_visible_bias "
            f"together with a {type(model_or_path).__name__}"
        )
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
        "model_or_path must be a BoltzmannMachine or an RBM or an annealing path (an object "
        "with log_z_base, sample_base, log_unnormalized and transition), "
        f"got {type(model_or_path).__name__}"
    )


def _schedule(path: Any, betas: Any, n_betas: int | None) -> np.ndarray:
    """The inverse temperatures: given, or the default of the path's kind."""
    if betas is not None:
        return _check_betas(betas)
    if isinstance(path, RBMPath):
        return salakhutdinov_murray_betas(n_betas)
    return linear_betas(1000 if n_betas is None else n_betas)


def _check_progress(progress: Any) -> bool:
    if not isinstance(progress, bool | np.bool_):
        raise TypeError(f"progress must be a bool, got {type(progress).__name__}")
    return bool(progress)


def _anneal(
    path: Any,
    states: np.ndarray,
    schedule: np.ndarray,
    gen: np.random.Generator,
    progress: bool,
    desc: str,
) -> np.ndarray:
    """Sum the log-weight increments along ``schedule`` (increasing for AIS, decreasing for
    reverse AIS), one transition at each inner temperature; log weights in float64."""
    increment = getattr(path, "log_weight_increment", None)
    if not callable(increment):

        def increment(states: np.ndarray, beta_from: float, beta_to: float) -> np.ndarray:
            return path.log_unnormalized(states, beta_to) - path.log_unnormalized(states, beta_from)

    fused = getattr(path, "step", None)
    log_weights = np.zeros(states.shape[0], dtype=np.float64)
    n_steps = schedule.shape[0] - 1
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n_steps, desc=desc, unit="beta")
    try:
        for k in range(1, n_steps + 1):
            beta_from, beta_to = float(schedule[k - 1]), float(schedule[k])
            if k == n_steps:  # the last state is never used: no transition at the end
                log_weights += np.asarray(increment(states, beta_from, beta_to), dtype=float)
            elif callable(fused):
                inc, states = fused(states, beta_from, beta_to, gen)
                log_weights += np.asarray(inc, dtype=np.float64)
            else:
                log_weights += np.asarray(increment(states, beta_from, beta_to), dtype=float)
                states = path.transition(states, beta_to, gen)
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
    return log_weights


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
    n_betas: int | None = None,
    rng: RNGLike = 0,
    *,
    base_bias: Any = None,
    base_visible_bias: Any = None,
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
    model_or_path : BoltzmannMachine, RBM or AnnealingPath
        A machine is annealed along :class:`BoltzmannPath` (``base_bias`` sets its base), an
        RBM along :class:`RBMPath` (``base_visible_bias`` sets its base); any other model
        needs a path object (see :class:`AnnealingPath`).
    n_runs : int >= 1
        M, the number of independent runs (importance weights).
    betas : array_like, shape (K + 1,), optional
        Inverse temperatures, strictly increasing from exactly 0 to exactly 1. ``[0, 1]`` is
        plain importance sampling from the base.
    n_betas : int >= 2, optional
        Number of inverse temperatures when ``betas`` is None; ignored otherwise. For an RBM
        the default is the published schedule :func:`salakhutdinov_murray_betas` (14,501
        values, 14,500 steps) and a number gives that schedule's shape with ``n_betas``
        values; for anything else the default is ``linear_betas(1000)`` and a number gives
        ``linear_betas(n_betas)``.
    rng : int, numpy.random.Generator or None
        The only source of randomness. The base samples are drawn first, then the transitions.
    base_bias : array_like, shape (n_units,), optional
        The base biases b0 of a :class:`BoltzmannPath`; only with a BoltzmannMachine.
    base_visible_bias : array_like, shape (n_visible,), optional
        The base visible biases a0 of an :class:`RBMPath`; only with an RBM. The protocol of
        Salakhutdinov & Murray uses ``base_rate_bias(training_data)``.
    progress : bool
        Show a tqdm progress bar over the inverse temperatures.

    Returns
    -------
    AISResult
        ``log_z``, ``log_z_low``, ``log_z_high``, ``log_weights`` (n_runs,), ``ess``.

    Notes
    -----
    Cost: K transitions and K log-weight increments on a batch of ``n_runs`` states; for a
    Boltzmann machine of n units a transition is one sweep, O(n_runs n^2); for an RBM two
    matrix products, O(n_runs n_visible n_hidden) (the full published protocol, 100 runs on a
    784-500 float32 RBM, takes about 40 s on two cores, 2.5 ms per temperature). The weights are
    accumulated in float64 whatever the model's dtype. The interval measures the spread of
    the weights seen; when the weights are heavy-tailed (too few betas, poor mixing) the
    spread itself is underestimated and log Z tends to be too low, so check that the
    estimate is stable as ``n_betas`` grows, and compare with :func:`reverse_ais`.

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
    path = _as_path(model_or_path, base_bias, base_visible_bias)
    runs = check_int(n_runs, "n_runs", minimum=1)
    schedule = _schedule(path, betas, n_betas)
    show = _check_progress(progress)
    gen = check_rng(rng)
    states = path.sample_base(runs, gen)
    log_weights = _anneal(path, states, schedule, gen, show, "AIS")
    log_z, low, high, ess = _interval(log_weights, float(path.log_z_base))
    log_weights.setflags(write=False)
    return AISResult(log_z=log_z, log_z_low=low, log_z_high=high, log_weights=log_weights, ess=ess)


def _start_states(path: Any, data: Any) -> np.ndarray:
    """Check the starting states of reverse AIS against the path's model."""
    if np.shape(data)[:1] == (0,):
        raise ValueError(f"data must have at least one row, got shape {np.shape(data)}")
    if isinstance(path, RBMPath):
        m = path.model
        v = m.check_visible(data, "data")
        if m.visible == "bernoulli" and not np.all((v == 0) | (v == 1)):
            raise ValueError(
                "data must hold binary states (0 or 1) for Bernoulli visible units, "
                "not probabilities or grey levels: binarize it first"
            )
        return np.array(v, dtype=m.dtype, order="C", copy=True)
    if isinstance(path, BoltzmannPath):
        return path.model.check_states(data, "data")[0]
    arr = as_float_array(data, "data", ndim=2)
    return np.array(arr, copy=True)


def reverse_ais(
    model_or_path: Any,
    data: Any,
    n_runs: int | None = None,
    betas: Any = None,
    n_betas: int | None = None,
    rng: RNGLike = 0,
    *,
    n_gibbs_steps: int = 0,
    base_bias: Any = None,
    base_visible_bias: Any = None,
    progress: bool = False,
) -> AISResult:
    """Reverse AIS: a stochastic upper bound on log Z, from (approximate) samples of the model.

    Starts ``n_runs`` chains at rows of ``data``, optionally moves them ``n_gibbs_steps``
    transitions at beta = 1, then anneals them from the model to the base along the reversed
    schedule (Burda, Grosse & Salakhutdinov 2015):

        s_K = start,  s_k = T_{beta_k}(s_{k+1}) for k = K - 1, ..., 1,
        log w_rev = sum_{k=0}^{K-1} [log f_{beta_k}(s_{k+1}) - log f_{beta_{k+1}}(s_{k+1})],

    and returns log Z = log Z_0 - log mean(w_rev). When the starting states are exact samples
    of the model, E[w_rev] = Z_0 / Z, so this is an unbiased estimate of 1 / Z and, by
    Jensen's inequality, an estimate of log Z biased *upwards*: with :func:`ais` (biased
    downwards) it brackets log Z. Data are only approximate samples (exact for a perfect
    model); Gibbs steps at beta = 1 bring them closer to the model.

    Parameters
    ----------
    model_or_path : RBM, BoltzmannMachine or AnnealingPath
    data : array_like, shape (n_samples, n_units)
        Starting states: binary visible vectors for a Bernoulli RBM, full states (visible and
        hidden units) for a BoltzmannMachine. Not modified.
    n_runs : int >= 1, optional
        Number of runs. None: one run per row of ``data``, in order; a number: that many rows
        drawn at random with ``rng`` (without replacement when ``n_runs`` <= n_samples).
    betas, n_betas, base_bias, base_visible_bias, progress
        As for :func:`ais` (``betas`` is given increasing, from 0 to 1, and run backwards).
    rng : int, numpy.random.Generator or None
    n_gibbs_steps : int >= 0
        Transitions at beta = 1 before annealing.

    Returns
    -------
    AISResult
        ``log_z`` and its +-3 standard error interval; ``log_weights`` are the reverse log
        weights log w_rev (estimating log(Z_0 / Z)), ``ess`` their effective sample size.

    References
    ----------
    Burda, Y., Grosse, R. B. & Salakhutdinov, R. (2015). Accurate and conservative estimates
    of MRF log-likelihood using reverse annealing. AISTATS 2015, 102-110.
    Neal, R. M. (2001). Annealed importance sampling. Statistics and Computing 11, 125-139.

    Examples
    --------
    >>> from energynets.models.rbm import RBM
    >>> rbm = RBM(6, 4, rng=0, weight_scale=1.0)
    >>> data = rbm.sample(200, n_steps=100, rng=1)
    >>> lower = ais(rbm, n_runs=200, n_betas=500, rng=2)
    >>> upper = reverse_ais(rbm, data, n_betas=500, rng=3)
    >>> bool(abs(upper.log_z - lower.log_z) < 0.1)
    True
    """
    path = _as_path(model_or_path, base_bias, base_visible_bias)
    start = _start_states(path, data)
    n_rows = start.shape[0]
    steps = check_int(n_gibbs_steps, "n_gibbs_steps", minimum=0)
    schedule = _schedule(path, betas, n_betas)
    show = _check_progress(progress)
    gen = check_rng(rng)
    if n_runs is not None:
        runs = check_int(n_runs, "n_runs", minimum=1)
        rows = gen.choice(n_rows, size=runs, replace=runs > n_rows)
        start = start[rows]
    for _ in range(steps):
        start = path.transition(start, 1.0, gen)
    log_weights = _anneal(path, start, schedule[::-1], gen, show, "reverse AIS")
    # the reverse weights estimate Z_0 / Z: their interval, mirrored through log Z_0
    log_ratio, low, high, ess = _interval(log_weights, 0.0)
    log_z_base = float(path.log_z_base)
    log_weights.setflags(write=False)
    return AISResult(
        log_z=log_z_base - log_ratio,
        log_z_low=log_z_base - high,
        log_z_high=log_z_base - low,
        log_weights=log_weights,
        ess=ess,
    )


@dataclass(frozen=True)
class LikelihoodBounds:
    """Mean log-likelihood of data under an RBM, from AIS and from reverse AIS.

    Attributes
    ----------
    ais_log_likelihood : float
        -mean F(v) - log Z_AIS. AIS underestimates log Z in expectation, so this tends to
        *overestimate* the log-likelihood (the optimistic figure papers usually report).
    reverse_log_likelihood : float
        -mean F(v) - log Z_reverse: tends to *underestimate* it (the conservative figure).
    mean_free_energy : float
        mean F(v) over the data.
    ais, reverse : AISResult
        The two estimates of log Z with their +-3 standard error intervals.

    Examples
    --------
    See :func:`log_likelihood_bounds`, which returns one:

    >>> from energynets.models import RBM
    >>> data = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0]])
    >>> bounds = log_likelihood_bounds(RBM(3, 2, rng=0), data, n_runs=10, n_betas=20, rng=0)
    >>> type(bounds.ais).__name__, type(bounds.reverse).__name__
    ('AISResult', 'AISResult')
    """

    ais_log_likelihood: float
    reverse_log_likelihood: float
    mean_free_energy: float
    ais: AISResult
    reverse: AISResult

    def __repr__(self) -> str:
        return (
            f"LikelihoodBounds(ais={self.ais_log_likelihood:.6g}, "
            f"reverse={self.reverse_log_likelihood:.6g})"
        )


def log_likelihood_bounds(
    rbm: RBM,
    data: Any,
    n_runs: int = 100,
    betas: Any = None,
    n_betas: int | None = None,
    rng: RNGLike = 0,
    *,
    base_visible_bias: Any = None,
    reverse_data: Any = None,
    n_gibbs_steps: int = 0,
    progress: bool = False,
) -> LikelihoodBounds:
    """Mean log-likelihood of ``data``, with log Z from AIS and from reverse AIS.

    mean_n log p(v_n) = -mean_n F(v_n) - log Z, with log Z estimated by :func:`ais` (biased
    low, so the log-likelihood tends to come out too high) and by :func:`reverse_ais` (biased
    high, so it tends to come out too low). Report both: when they agree the estimate can be
    trusted; when they do not, the truth usually lies between them.

    Parameters
    ----------
    rbm : RBM
    data : array_like, shape (n_samples, n_visible)
        The points whose log-likelihood is measured (e.g. the test set), binary for
        Bernoulli units. Not modified.
    n_runs : int >= 1
        Runs of each of the two estimators.
    betas, n_betas, progress
        As for :func:`ais`; both directions use the same schedule.
    rng : int, numpy.random.Generator or None
        One generator, used first by AIS, then by reverse AIS.
    base_visible_bias : array_like, shape (n_visible,), optional
        a0 of :class:`RBMPath`; default ``base_rate_bias(data)`` (pass the training data's
        base rates to follow Salakhutdinov & Murray exactly).
    reverse_data : array_like, shape (n, n_visible), optional
        Starting states of reverse AIS; default ``data``. Training data, or model samples,
        are the usual choices.
    n_gibbs_steps : int >= 0
        Gibbs steps at beta = 1 before reverse annealing.

    Returns
    -------
    LikelihoodBounds

    References
    ----------
    Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief
    networks. ICML 2008, 872-879.

    Burda, Y., Grosse, R. B. & Salakhutdinov, R. (2015). Accurate and conservative estimates
    of MRF log-likelihood using reverse annealing. AISTATS 2015, 102-110.

    Examples
    --------
    An RBM with 4 hidden units is small enough to check both figures against the exact value:

    >>> import energynets as en
    >>> from energynets.metrics import log_likelihood
    >>> data = en.datasets.bars_and_stripes(3)
    >>> rbm, _ = en.fit_rbm(en.RBM(9, 4), data, n_epochs=20, batch_size=7, learning_rate=0.1)
    >>> bounds = log_likelihood_bounds(rbm, data, n_runs=50, n_betas=200, rng=0)
    >>> exact = log_likelihood(rbm, data)
    >>> bool(abs(bounds.ais_log_likelihood - exact) < 0.05)
    True
    >>> bool(abs(bounds.reverse_log_likelihood - exact) < 0.05)
    True
    """
    if not isinstance(rbm, RBM):
        raise TypeError(f"rbm must be an RBM, got {type(rbm).__name__}")
    v = rbm.check_visible(data, "data")
    if v.shape[0] == 0:
        raise ValueError("data must hold at least one row, got shape (0, n_visible)")
    if rbm.visible == "bernoulli" and not np.all((v == 0) | (v == 1)):
        raise ValueError(
            "data must hold binary states (0 or 1) for Bernoulli visible units, "
            "not probabilities or grey levels: binarize it first"
        )
    if base_visible_bias is None:
        base_visible_bias = base_rate_bias(
            v, visible=rbm.visible, softmax_groups=rbm.softmax_groups or None
        )
    gen = check_rng(rng)
    forward = ais(
        rbm,
        n_runs,
        betas,
        n_betas,
        gen,
        base_visible_bias=base_visible_bias,
        progress=progress,
    )
    backward = reverse_ais(
        rbm,
        v if reverse_data is None else reverse_data,
        n_runs,
        betas,
        n_betas,
        gen,
        n_gibbs_steps=n_gibbs_steps,
        base_visible_bias=base_visible_bias,
        progress=progress,
    )
    mean_free_energy = float(np.mean(rbm.free_energy(v), dtype=np.float64))
    return LikelihoodBounds(
        ais_log_likelihood=-mean_free_energy - forward.log_z,
        reverse_log_likelihood=-mean_free_energy - backward.log_z,
        mean_free_energy=mean_free_energy,
        ais=forward,
        reverse=backward,
    )
