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

What is annealed is described by a *path* (:class:`AnnealingPath`, see
:mod:`energynets.sampling.annealing_paths`): a base with known log Z_0 that can be sampled
exactly, log f_beta, and a transition at each beta. :class:`BoltzmannPath` is the path of a
:class:`~energynets.models.boltzmann.BoltzmannMachine`, :class:`RBMPath` the path of
Salakhutdinov & Murray (2008) for a :class:`~energynets.models.rbm.RBM` (hidden units summed
out, :mod:`energynets.sampling.rbm_path`), and the schedules of inverse temperatures are in
:mod:`energynets.sampling.schedules`. :func:`ais` and :func:`reverse_ais` run any path, all
runs at once as the rows of one batch, and :func:`log_likelihood_bounds` turns both into mean
log-likelihoods of data.

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
from typing import Any

import numpy as np

from energynets._validation import RNGLike, as_float_array, check_int, check_rng
from energynets.models.boltzmann import BoltzmannMachine
from energynets.models.rbm import RBM
from energynets.sampling.annealing_paths import AnnealingPath, BoltzmannPath
from energynets.sampling.rbm_path import RBMPath, base_rate_bias
from energynets.sampling.schedules import check_betas, linear_betas, salakhutdinov_murray_betas

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
    """The inverse temperatures: given, or the default of the path's kind (the two schedules
    are looked up in this module's namespace when called, where the tests replace them)."""
    if betas is not None:
        return check_betas(betas)
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
    Neal (2001); Salakhutdinov & Murray (2008), see the module notes.

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
    Burda, Grosse & Salakhutdinov (2015); Neal (2001), see the module notes.

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
    Salakhutdinov & Murray (2008); Burda, Grosse & Salakhutdinov (2015), see the module notes.

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
