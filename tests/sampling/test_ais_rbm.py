"""AIS and reverse AIS for RBMs: against log Z by enumeration, worked by hand, bad input.

The exact log partition function of an RBM with few hidden units sums the visible units out
analytically and enumerates the hidden states:

    Bernoulli: log Z = logsumexp_h [b.h + sum_i softplus(a_i + (W h)_i)]
    Gaussian:  log Z = logsumexp_h [b.h + sum_i (log(sqrt(2 pi) sigma_i) + a_i c_i / sigma_i
                                                 + c_i^2 / 2)],  c = W h
"""

import importlib

import numpy as np
import pytest
from scipy.special import expit, logsumexp
from scipy.stats import chisquare

from energynets.models.boltzmann import sherrington_kirkpatrick
from energynets.models.rbm import RBM
from energynets.sampling.ais import (
    AISResult,
    LikelihoodBounds,
    RBMPath,
    ais,
    base_rate_bias,
    log_likelihood_bounds,
    reverse_ais,
    salakhutdinov_murray_betas,
)


def _hidden_states(n_hidden: int) -> np.ndarray:
    return ((np.arange(2**n_hidden)[:, None] >> np.arange(n_hidden)) & 1).astype(np.float64)


def _log_hidden_marginal(rbm: RBM) -> np.ndarray:
    """log sum_v exp(-E(v, h)) for every hidden state h (rows of _hidden_states)."""
    h = _hidden_states(rbm.n_hidden)
    w, a, b = (x.astype(np.float64) for x in (rbm.weights, rbm.visible_bias, rbm.hidden_bias))
    c = h @ w.T
    if rbm.visible == "bernoulli":
        return h @ b + np.logaddexp(0.0, c + a).sum(axis=1)
    sigma = rbm.sigma.astype(np.float64)
    per_unit = 0.5 * np.log(2 * np.pi) + np.log(sigma) + a * c / sigma + c**2 / 2
    return h @ b + per_unit.sum(axis=1)


def _exact_log_z(rbm: RBM) -> float:
    return float(logsumexp(_log_hidden_marginal(rbm)))


def _exact_samples(rbm: RBM, n: int, rng: int) -> np.ndarray:
    """Exact samples of a Bernoulli RBM: h from its enumerated marginal, then v | h."""
    gen = np.random.default_rng(rng)
    log_p = _log_hidden_marginal(rbm)
    h = _hidden_states(rbm.n_hidden)[
        gen.choice(log_p.size, size=n, p=np.exp(log_p - logsumexp(log_p)))
    ]
    p_v = expit(h @ rbm.weights.T.astype(np.float64) + rbm.visible_bias)
    return (gen.random(p_v.shape) < p_v).astype(np.float64)


def _random_rbm(seed: int, n_visible: int = 20, n_hidden: int = 16, scale: float = 1.0, **kw):
    gen = np.random.default_rng(seed)
    return RBM.from_params(
        gen.normal(0.0, scale, (n_visible, n_hidden)),
        gen.normal(0.0, 1.0, n_visible),
        gen.normal(0.0, 1.0, n_hidden),
        **kw,
    )


# -- against the exact log Z ---------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_ais_is_within_three_standard_errors_of_exact(dtype):
    rbm = _random_rbm(0, scale=2.0, dtype=dtype)
    exact = _exact_log_z(rbm)  # 93.92: enumerating the 2**16 hidden states
    a0 = base_rate_bias(_exact_samples(rbm, 5000, rng=7))
    res = ais(rbm, n_runs=100, n_betas=1000, rng=0, base_visible_bias=a0)
    # measured over 30 seeds at the time of writing, in both dtypes: all inside, errors with
    # a standard deviation of 0.006, interval half-width 0.017
    assert res.log_z_low <= exact <= res.log_z_high
    assert res.log_z_high - res.log_z_low < 0.1
    assert res.log_weights.dtype == np.float64 and res.log_weights.shape == (100,)
    assert res.ess > 90


def test_gaussian_visible_units_against_exact():
    rbm = _random_rbm(3, n_visible=6, n_hidden=8, scale=0.5, visible="gaussian", sigma=0.7)
    exact = _exact_log_z(rbm)
    res = ais(rbm, n_runs=100, n_betas=1000, rng=0)
    # measured: 11.257 exact (also by plain Monte Carlo over v), error +0.003, half-width 0.06
    assert res.log_z_low <= exact <= res.log_z_high
    assert res.log_z_high - res.log_z_low < 0.2
    upper = reverse_ais(rbm, rbm.sample(200, n_steps=200, rng=1), n_betas=1000, rng=2)
    assert abs(upper.log_z - exact) < 0.1


def test_ais_and_reverse_ais_bracket_exact_in_most_runs():
    # A short schedule (10 temperatures, 10 runs) on a strongly coupled model: both estimators
    # are noisy, and the bias of each pushes it to its side of the truth. Reverse AIS starts
    # from exact samples. Measured at the time of writing over 300 seeds: both orderings hold
    # in 98% of them (mean errors -10.6 and +7.3 nats), at least 8 in every group of 10;
    # here seeds 0-9, as they come.
    rbm = _random_rbm(0, scale=2.0)
    exact = _exact_log_z(rbm)
    forward = [ais(rbm, n_runs=10, n_betas=10, rng=seed).log_z for seed in range(10)]
    starts = _exact_samples(rbm, 100, rng=1000).reshape(10, 10, 20)  # 10 runs for each seed
    backward = [reverse_ais(rbm, starts[seed], n_betas=10, rng=seed).log_z for seed in range(10)]
    bracketed = sum(lo <= exact <= hi for lo, hi in zip(forward, backward, strict=True))
    assert bracketed >= 7
    assert np.mean(forward) < exact < np.mean(backward)


def test_log_likelihood_bounds():
    rbm = _random_rbm(1, n_visible=12, n_hidden=10)
    data = _exact_samples(rbm, 300, rng=5)
    exact_ll = float(-np.mean(rbm.free_energy(data)) - _exact_log_z(rbm))
    bounds = log_likelihood_bounds(rbm, data, n_runs=100, n_betas=300, rng=0)
    assert isinstance(bounds, LikelihoodBounds)
    # the same numbers as the two estimators run in turn on one generator
    gen = np.random.default_rng(0)
    a0 = base_rate_bias(data)
    forward = ais(rbm, 100, n_betas=300, rng=gen, base_visible_bias=a0)
    backward = reverse_ais(rbm, data, 100, n_betas=300, rng=gen, base_visible_bias=a0)
    assert bounds.ais.log_z == forward.log_z and bounds.reverse.log_z == backward.log_z
    assert bounds.mean_free_energy == pytest.approx(np.mean(rbm.free_energy(data)))
    assert bounds.ais_log_likelihood == -bounds.mean_free_energy - forward.log_z
    assert bounds.reverse_log_likelihood == -bounds.mean_free_energy - backward.log_z
    # both within 0.05 nats of the exact value (measured: errors below 0.01)
    assert abs(bounds.ais_log_likelihood - exact_ll) < 0.05
    assert abs(bounds.reverse_log_likelihood - exact_ll) < 0.05
    assert "LikelihoodBounds(ais=" in repr(bounds)


# -- worked by hand --------------------------------------------------------------------------------
def test_plain_importance_sampling_by_hand():
    # 2 visible, 1 hidden unit: W = (1, -1)^T, a = (0.5, -0.5), b = 0. Summing h out,
    # f_1(v) = exp(a.v) (1 + exp(v W)):
    #   v = (0, 0): 1 * 2 = 2            v = (1, 0): e^0.5 (1 + e)
    #   v = (0, 1): e^-0.5 (1 + e^-1)    v = (1, 1): 1 * (1 + e^0) = 2
    # so Z = 4 + e^0.5 + e^1.5 + e^-0.5 + e^-1.5. The base a0 = (0, 0) is uniform with
    # f_0(v) = 2 (the hidden unit free), Z_0 = 2 * 2^2 = 8, and with betas [0, 1] each run's
    # log weight is log f_1(v) - log f_0(v) = log(f_1(v) / 2) for its base sample v.
    rbm = RBM.from_params([[1.0], [-1.0]], [0.5, -0.5], [0.0])
    path = RBMPath(rbm, base_visible_bias=[0.0, 0.0])
    assert path.log_z_base == pytest.approx(np.log(8.0))
    by_hand = {
        (0, 0): 0.0,
        (1, 0): np.log(np.exp(0.5) * (1 + np.e) / 2),
        (0, 1): np.log(np.exp(-0.5) * (1 + np.exp(-1.0)) / 2),
        (1, 1): 0.0,
    }
    base = path.sample_base(2000, np.random.default_rng(0))
    res = ais(rbm, n_runs=2000, betas=[0.0, 1.0], rng=0, base_visible_bias=[0.0, 0.0])
    expected = [by_hand[(int(v[0]), int(v[1]))] for v in base]
    np.testing.assert_allclose(res.log_weights, expected, rtol=1e-12)
    z = 4 + np.exp(0.5) + np.exp(1.5) + np.exp(-0.5) + np.exp(-1.5)
    assert np.log(z) == pytest.approx(_exact_log_z(rbm))
    assert abs(res.log_z - np.log(z)) < 0.03  # 2000 runs of a low-variance estimator
    # reverse, also with betas [1, 0]: log w_rev(v) = log f_0(v) - log f_1(v) for each start
    starts = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    rev = reverse_ais(rbm, starts, betas=[0.0, 1.0], base_visible_bias=[0.0, 0.0])
    np.testing.assert_allclose(rev.log_weights, [-by_hand[(1, 0)], -by_hand[(0, 1)], 0.0])
    w_rev = np.exp(rev.log_weights)
    assert rev.log_z == pytest.approx(np.log(8.0) - np.log(w_rev.mean()))


def test_base_model_by_hand():
    # a0 = (1, -1): log Z_0 = 1 * log 2 + softplus(1) + softplus(-1) = log 2 + log(1 + e) +
    # log(1 + e^-1) = log 2 + 1 + 2 log(1 + e^-1); the base draws v_1 = 1 with probability
    # sigma(1) = 0.731 and v_2 = 1 with sigma(-1) = 0.269
    rbm = RBM(2, 1, rng=0)
    path = RBMPath(rbm, base_visible_bias=[1.0, -1.0])
    assert path.log_z_base == pytest.approx(np.log(2) + 1 + 2 * np.log1p(np.exp(-1.0)))
    v = path.sample_base(20000, np.random.default_rng(1))
    np.testing.assert_allclose(v.mean(axis=0), expit([1.0, -1.0]), atol=0.013)  # 4 s.e.
    # the default base is the model's own visible biases
    rbm.visible_bias[:] = [0.3, -0.2]
    np.testing.assert_array_equal(RBMPath(rbm).base_visible_bias, [0.3, -0.2])
    # Gaussian: n_hidden log 2 + sum_i log(sqrt(2 pi) sigma_i)
    gauss = RBM(2, 3, "gaussian", rng=0, sigma=[0.5, 2.0])
    expected = 3 * np.log(2) + np.log(np.sqrt(2 * np.pi) * 0.5) + np.log(np.sqrt(2 * np.pi) * 2.0)
    assert RBMPath(gauss).log_z_base == pytest.approx(expected)


def test_base_rate_bias_by_hand():
    data = np.array([[1, 0, 1], [1, 0, 0], [1, 1, 0], [0, 0, 1]])
    # p = (3 + 1) / (4 + 2), (1 + 1) / 6, (2 + 1) / 6 with one pseudo-count
    np.testing.assert_allclose(
        base_rate_bias(data), np.log([4 / 2, 2 / 4, 3 / 3]), rtol=1e-12, atol=1e-15
    )
    np.testing.assert_allclose(
        base_rate_bias(data[:, 1:], pseudo_count=0.0), [np.log(1 / 3), 0.0], atol=1e-15
    )
    np.testing.assert_allclose(
        base_rate_bias([[1.5, -2.0], [0.5, 0.0]], visible="gaussian"), [1, -1]
    )


# -- the path ------------------------------------------------------------------------------------
@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
def test_intermediate_distributions(visible):
    rbm = _random_rbm(4, n_visible=5, n_hidden=3, visible=visible, sigma=1.5)
    a0 = np.linspace(-1.0, 1.0, 5)
    path = RBMPath(rbm, base_visible_bias=a0)
    gen = np.random.default_rng(0)
    v = path.sample_base(7, gen)
    # the ends of the path: log f_1 = -F, log f_0 = a0.v + n_hidden log 2 (Bernoulli)
    np.testing.assert_allclose(path.log_unnormalized(v, 1.0), -rbm.free_energy(v), rtol=1e-12)
    if visible == "bernoulli":
        np.testing.assert_allclose(path.log_unnormalized(v, 0.0), v @ a0 + 3 * np.log(2))
    # in between, the free energy of the intermediate RBM (up to a constant if Gaussian)
    beta = 0.3
    shift = beta * (1 - beta) * np.sum((rbm.visible_bias - a0) ** 2 / (2 * rbm.sigma**2))
    expected = -path.intermediate(beta).free_energy(v) - (shift if visible == "gaussian" else 0)
    np.testing.assert_allclose(path.log_unnormalized(v, beta), expected, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    ("beta_from", "beta_to"),
    [(0.3, 0.30001), (0.5, 0.5001), (0.2, 0.201), (0.2, 0.25), (0.0, 1.0), (0.9, 0.89999)],
)
def test_log_weight_increments_are_accurate(dtype, beta_from, beta_to):
    # the increments are summed by a series (small steps) or exactly (large steps): either
    # way they agree with the difference of log f computed in float64 from the same
    # parameters, to float32 precision, or to the rounding error of that difference itself
    # (1e-16 of log f, about 100 here) in float64
    rbm = _random_rbm(2, scale=3.0, dtype=dtype)
    a0 = np.full(20, -0.5)
    path = RBMPath(rbm, base_visible_bias=a0)
    v = path.sample_base(40, np.random.default_rng(0))
    as64 = RBM.from_params(rbm.weights, rbm.visible_bias, rbm.hidden_bias, dtype=np.float64)
    reference = RBMPath(as64, base_visible_bias=path.base_visible_bias)
    v64 = v.astype(np.float64)
    exact = reference.log_unnormalized(v64, beta_to) - reference.log_unnormalized(v64, beta_from)
    got = path.log_weight_increment(v, beta_from, beta_to)
    assert got.dtype == np.float64
    if dtype == np.float32:
        np.testing.assert_allclose(got, exact, rtol=1e-6, atol=1e-6 * np.abs(exact).max())
    else:
        np.testing.assert_allclose(got, exact, rtol=1e-11, atol=1e-12)
    # step() is the increment and then the transition, on the same random numbers
    inc, after = path.step(v, beta_from, beta_to, np.random.default_rng(3))
    np.testing.assert_array_equal(inc, got)
    np.testing.assert_array_equal(after, path.transition(v, beta_to, np.random.default_rng(3)))


def test_transition_leaves_the_intermediate_distribution_invariant():
    # 3 visible, 2 hidden units at beta = 0.6: start 30000 chains from exact samples of p_beta
    # (8 visible states, enumerated), make one transition, chi-square against p_beta
    rbm = _random_rbm(5, n_visible=3, n_hidden=2, scale=1.5)
    path = RBMPath(rbm, base_visible_bias=[0.5, -1.0, 0.0])
    beta = 0.6
    states = _hidden_states(3)  # all 8 visible states
    log_p = path.log_unnormalized(states, beta)
    p = np.exp(log_p - logsumexp(log_p))
    gen = np.random.default_rng(0)
    start = states[gen.choice(8, size=30000, p=p)]
    start_copy = start.copy()
    after = path.transition(start, beta, gen)
    assert after.dtype == np.float64 and set(np.unique(after)) <= {0.0, 1.0}
    counts = np.bincount((after @ [1, 2, 4]).astype(int), minlength=8)
    assert chisquare(counts, 30000 * p).pvalue > 1e-3
    np.testing.assert_array_equal(start, start_copy)  # the states given are not modified


def test_float32_stays_float32():
    rbm = _random_rbm(6, n_visible=8, n_hidden=4, dtype=np.float32)
    path = RBMPath(rbm)
    gen = np.random.default_rng(0)
    v = path.sample_base(5, gen)
    assert v.dtype == np.float32
    inc, after = path.step(v, 0.1, 0.2, gen)
    assert after.dtype == np.float32 and inc.dtype == np.float64
    assert path.transition(v, 0.5, gen).dtype == np.float32
    assert path.base_visible_bias.dtype == np.float32
    gauss = RBMPath(_random_rbm(6, n_visible=8, n_hidden=4, dtype=np.float32, visible="gaussian"))
    assert gauss.step(gauss.sample_base(3, gen), 0.1, 0.2, gen)[1].dtype == np.float32


# -- schedules and defaults --------------------------------------------------------------------
def test_schedule_of_salakhutdinov_and_murray():
    published = salakhutdinov_murray_betas()
    np.testing.assert_array_equal(salakhutdinov_murray_betas(14501), published)
    np.testing.assert_array_equal(salakhutdinov_murray_betas(5), [0.0, 0.5, 0.9, 0.95, 1.0])
    np.testing.assert_array_equal(salakhutdinov_murray_betas(3), [0.0, 0.5, 1.0])
    short = salakhutdinov_murray_betas(1451)  # a tenth: 50, 400 and 1000 steps
    steps = np.diff(short)
    assert short.shape == (1451,) and short[50] == 0.5 and short[450] == 0.9
    np.testing.assert_allclose(steps[:50], 1e-2)
    np.testing.assert_allclose(steps[50:450], 1e-3)
    np.testing.assert_allclose(steps[450:], 1e-4)


def test_rbm_default_schedule_is_the_published_one(monkeypatch):
    # an RBM is annealed along salakhutdinov_murray_betas(n_betas): the published schedule
    # by default (a spy returns a short stand-in so the test stays fast), its shape otherwise
    ais_module = importlib.import_module("energynets.sampling.ais")  # not the function ais

    asked = []

    def spy(n_betas=None):
        asked.append(n_betas)
        return np.array([0.0, 0.5, 1.0])

    rbm = _random_rbm(7, n_visible=3, n_hidden=2)
    monkeypatch.setattr(ais_module, "salakhutdinov_murray_betas", spy)
    monkeypatch.setattr(ais_module, "linear_betas", spy)
    ais(rbm, n_runs=2, rng=0)
    reverse_ais(rbm, np.ones((2, 3)), rng=0)
    ais(sherrington_kirkpatrick(4, rng=0), n_runs=2, rng=0)  # a machine keeps linear_betas(1000)
    assert asked == [None, None, 1000]
    monkeypatch.undo()
    shaped = ais(rbm, n_runs=2, n_betas=101, rng=0)
    by_hand = ais(rbm, n_runs=2, betas=salakhutdinov_murray_betas(101), rng=0)
    np.testing.assert_array_equal(shaped.log_weights, by_hand.log_weights)


def test_reverse_ais_options_and_inputs_not_modified():
    rbm = _random_rbm(8, n_visible=6, n_hidden=4)
    weights = rbm.weights.copy()
    data = _exact_samples(rbm, 50, rng=0)
    data_copy = data.copy()
    res = reverse_ais(rbm, data, n_betas=50, rng=0)
    assert isinstance(res, AISResult) and res.log_weights.shape == (50,)
    assert res.log_z_low <= res.log_z <= res.log_z_high
    more = reverse_ais(rbm, data, n_runs=80, n_betas=50, rng=0, n_gibbs_steps=5)
    assert more.log_weights.shape == (80,)  # more runs than rows: rows drawn with replacement
    np.testing.assert_array_equal(data, data_copy)
    np.testing.assert_array_equal(rbm.weights, weights)
    # reverse AIS works on a Boltzmann machine too (full states)
    bm = sherrington_kirkpatrick(6, rng=0)
    states = bm.random_states(20, rng=1)
    assert np.isfinite(reverse_ais(bm, states, n_betas=20, rng=0).log_z)


# -- bad input -------------------------------------------------------------------------------------
def test_bad_inputs():
    rbm = _random_rbm(9, n_visible=4, n_hidden=3)
    with pytest.raises(ValueError, match=r"base_visible_bias must have shape \(4,\)"):
        ais(rbm, base_visible_bias=np.zeros(3))
    with pytest.raises(ValueError, match="base_bias applies to a BoltzmannMachine"):
        ais(rbm, base_bias=np.zeros(4))
    with pytest.raises(ValueError, match="base_visible_bias applies only when an RBM"):
        ais(sherrington_kirkpatrick(4, rng=0), base_visible_bias=np.zeros(4))
    with pytest.raises(TypeError, match="rbm must be an RBM, got str"):
        RBMPath("not a model")
    with pytest.raises(TypeError, match="model_or_path must be a BoltzmannMachine or an RBM"):
        reverse_ais(np.zeros((4, 4)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"data must have 4 columns \(n_visible\)"):
        reverse_ais(rbm, np.zeros((2, 5)))
    with pytest.raises(ValueError, match="data must hold binary states"):
        reverse_ais(rbm, np.full((2, 4), 0.5))
    with pytest.raises(ValueError, match="data must lie in"):
        log_likelihood_bounds(rbm, np.full((2, 4), 2.0))
    with pytest.raises(ValueError, match="n_gibbs_steps must be >= 0"):
        reverse_ais(rbm, np.zeros((2, 4)), n_gibbs_steps=-1)
    with pytest.raises(ValueError, match="n_runs must be >= 1"):
        reverse_ais(rbm, np.zeros((2, 4)), n_runs=0)
    with pytest.raises(ValueError, match="betas must end at 1"):
        reverse_ais(rbm, np.zeros((2, 4)), betas=[0.0, 0.5])
    with pytest.raises(TypeError, match="rbm must be an RBM"):
        log_likelihood_bounds(sherrington_kirkpatrick(4, rng=0), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="data must hold at least one row"):
        log_likelihood_bounds(rbm, np.zeros((0, 4)))
    with pytest.raises(ValueError, match="use pseudo_count > 0, got pseudo_count = 0"):
        base_rate_bias(np.zeros((3, 4)), pseudo_count=0.0)
    with pytest.raises(ValueError, match=r"data must lie in \[0, 1\]"):
        base_rate_bias([[2.0]])
    with pytest.raises(ValueError, match="visible must be one of"):
        base_rate_bias([[1.0]], visible="softmax")
    with pytest.raises(ValueError, match="beta must be <= 1"):
        RBMPath(rbm).intermediate(1.5)
