"""Tests of RBM training (energynets.learning.contrastive) against things that cannot be wrong.

- The gradient estimates are checked statistically against expectations computed by
  enumeration: PCD-k with chains drawn exactly from the model must average to the exact
  log-likelihood gradient; CD-k started at the data must average to the exact CD-k expectation
  (data term minus the moments after k Gibbs steps from the data, written with the transition
  matrix of the visible chain), which is *not* the gradient.
- Parallel tempering's cold replicas are checked by a chi-square test against the exact
  distribution of a bimodal model on which plain Gibbs sampling fails the same test.
- Centering: conversion keeps the distribution; the centred gradient is the chain rule; one
  centred update equals the plain one transformed by hand.
- Quality: bars-and-stripes 4 x 4 reaches a mean exact log-likelihood >= -3.6 nats.
"""

from __future__ import annotations

import itertools
import tracemalloc

import numpy as np
import pytest
from scipy import stats
from scipy.special import expit, logsumexp

from energynets import metrics
from energynets.datasets import bars_and_stripes
from energynets.learning import optim
from energynets.learning._negative_phases import Replicas
from energynets.learning._rbm_kernel import Kernel
from energynets.learning.contrastive import (
    center,
    centered_gradient,
    contrastive_gradient,
    fit_rbm,
    uncenter,
)
from energynets.models.rbm import RBM

# A few standard errors: the largest |z| over ~20 gradient components of a correct estimator
# exceeds 4.5 with probability about 20 * 7e-6.
Z_MAX = 4.5


def bits(n: int) -> np.ndarray:
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def random_rbm(n_visible: int, n_hidden: int, seed: int, scale: float = 1.0, **kw) -> RBM:
    gen = np.random.default_rng(seed)
    return RBM.from_params(
        scale * gen.standard_normal((n_visible, n_hidden)),
        scale * gen.standard_normal(n_visible),
        scale * gen.standard_normal(n_hidden),
        **kw,
    )


def flat(gradient) -> np.ndarray:
    return np.concatenate([np.ravel(g) for g in gradient]).astype(np.float64)


def bernoulli_probabilities(states: np.ndarray, means: np.ndarray) -> np.ndarray:
    """P[r, s] = prod_i means[r, i]^states[s, i] (1 - means[r, i])^(1 - states[s, i])."""
    return np.prod(
        np.where(states[None, :, :] == 1, means[:, None, :], 1 - means[:, None, :]), axis=2
    )


def exact_visible_probabilities(rbm: RBM) -> tuple[np.ndarray, np.ndarray]:
    vs = bits(rbm.n_visible)
    log_w = -rbm.free_energy(vs).astype(np.float64)
    return vs, np.exp(log_w - logsumexp(log_w))


def exact_cd_expectation(rbm: RBM, data: np.ndarray, k: int) -> np.ndarray:
    """E[CD-k estimate] by enumeration: T(v -> v') = sum_h p(h | v) p(v' | h)."""
    w, a, b = (x.astype(np.float64) for x in (rbm.weights, rbm.visible_bias, rbm.hidden_bias))
    vs, hs = bits(rbm.n_visible), bits(rbm.n_hidden)
    q = expit(vs @ w + b)  # p(h_j = 1 | v) for every v
    p_h_given_v = bernoulli_probabilities(hs, q)  # (2^nv, 2^nh)
    p_v_given_h = bernoulli_probabilities(vs, expit(hs @ w.T + a))  # (2^nh, 2^nv)
    transition = p_h_given_v @ p_v_given_h
    index = [int("".join(str(int(x)) for x in row), 2) for row in data]
    start = np.zeros((len(data), len(vs)))
    start[np.arange(len(data)), index] = 1.0
    after = (start @ np.linalg.matrix_power(transition, k)).mean(axis=0)  # mean over rows
    q_data = expit(data @ w + b)
    grad_w = data.T @ q_data / len(data) - (vs * after[:, None]).T @ q
    grad_a = data.mean(axis=0) - after @ vs
    grad_b = q_data.mean(axis=0) - after @ q
    return flat((grad_w, grad_a, grad_b))


def mean_and_error(estimates: list) -> tuple[np.ndarray, np.ndarray]:
    arr = np.array([flat(g) for g in estimates])
    return arr.mean(axis=0), arr.std(axis=0, ddof=1) / np.sqrt(len(arr))


# -- the gradient estimates, statistically ---------------------------------------------------------
TINY_DATA = np.array(
    [[1, 0, 1, 1], [0, 0, 1, 0], [1, 1, 1, 1], [0, 1, 0, 0], [1, 0, 0, 1]], dtype=float
)


@pytest.mark.parametrize("k", [1, 3])
def test_cd_k_averages_to_the_exact_cd_k_expectation(k):
    # a model whose Gibbs chain mixes slowly enough that CD-3 is still visibly biased
    rbm = random_rbm(4, 3, seed=2, scale=1.5)
    batch = np.repeat(TINY_DATA, 40, axis=0)  # 200 chains per estimate
    gen = np.random.default_rng(1)
    estimates = [contrastive_gradient(rbm, batch, k=k, rng=gen)[0] for _ in range(400)]
    mean, error = mean_and_error(estimates)
    expected = exact_cd_expectation(rbm, TINY_DATA, k)
    assert np.max(np.abs(mean - expected) / error) < Z_MAX
    # the test has power: CD-k's expectation is measurably not the log-likelihood gradient
    exact = flat(metrics.log_likelihood_gradient(rbm, TINY_DATA))
    assert np.max(np.abs(expected - exact) / error) > 2 * Z_MAX


@pytest.mark.parametrize(("k", "dtype"), [(1, np.float64), (2, np.float64), (1, np.float32)])
def test_pcd_from_exact_samples_averages_to_the_exact_gradient(k, dtype):
    rbm = random_rbm(4, 3, seed=2, scale=1.5, dtype=dtype)
    vs, probs = exact_visible_probabilities(rbm)
    gen = np.random.default_rng(3)
    estimates = []
    for _ in range(150):
        chains = vs[gen.choice(len(vs), size=200, p=probs)]
        estimates.append(contrastive_gradient(rbm, TINY_DATA, k=k, chains=chains, rng=gen)[0])
    mean, error = mean_and_error(estimates)
    exact = flat(metrics.log_likelihood_gradient(rbm, TINY_DATA))
    assert np.max(np.abs(mean - exact) / error) < Z_MAX
    # power: CD-1 from the data would be rejected
    assert np.max(np.abs(exact_cd_expectation(rbm, TINY_DATA, 1) - exact) / error) > 2 * Z_MAX


def test_pcd_gaussian_visible_units_from_exact_samples():
    sigma = np.array([0.5, 1.0, 2.0])
    rbm = random_rbm(3, 3, seed=4, scale=0.7, visible="gaussian", sigma=sigma)
    w, a, b = rbm.weights, rbm.visible_bias, rbm.hidden_bias
    hs = bits(3)
    u = hs @ w.T
    log_w = hs @ b + (u * (a / sigma + 0.5 * u)).sum(axis=1)
    p_h = np.exp(log_w - logsumexp(log_w))
    gen = np.random.default_rng(5)
    data = gen.normal(size=(8, 3)) * sigma + a
    estimates = []
    for _ in range(150):
        h = hs[gen.choice(len(hs), size=200, p=p_h)]
        chains = a + sigma * (h @ w.T) + sigma * gen.standard_normal((200, 3))
        estimates.append(contrastive_gradient(rbm, data, chains=chains, rng=gen)[0])
    mean, error = mean_and_error(estimates)
    exact = flat(metrics.log_likelihood_gradient(rbm, data))
    assert np.max(np.abs(mean - exact) / error) < Z_MAX


def test_negative_statistics_are_visible_samples_and_hidden_probabilities():
    # the estimate is exactly <v q(v)>_data - <v' q(v')>_chains for the returned chains v'
    rbm = random_rbm(4, 3, seed=6)
    grad, final = contrastive_gradient(rbm, TINY_DATA, k=2, chains=TINY_DATA[[0, 2, 4]], rng=0)
    assert set(np.unique(final)) <= {0.0, 1.0}
    q_data, q_neg = rbm.hidden_probabilities(TINY_DATA), rbm.hidden_probabilities(final)
    np.testing.assert_allclose(grad.weights, TINY_DATA.T @ q_data / 5 - final.T @ q_neg / 3)
    np.testing.assert_allclose(grad.visible_bias, TINY_DATA.mean(axis=0) - final.mean(axis=0))
    np.testing.assert_allclose(grad.hidden_bias, q_data.mean(axis=0) - q_neg.mean(axis=0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_uniforms_are_uniform(dtype):
    from energynets.learning._rbm_kernel import uniform_

    gen = np.random.default_rng(17)
    for shape in [(400, 250), (3, 7)]:  # the fast float32 path, and an odd size
        u = uniform_(gen, np.empty(shape, dtype=dtype))
        assert u.dtype == dtype and u.min() >= 0.0 and u.max() < 1.0
        assert stats.kstest(u.ravel(), "uniform").pvalue > 1e-3
    pairs = uniform_(gen, np.empty((50000, 2), dtype=dtype))  # no correlation within a draw
    assert abs(np.corrcoef(pairs.T)[0, 1]) < 0.02


def test_contrastive_gradient_leaves_its_arguments_alone():
    rbm = random_rbm(4, 3, seed=6)
    before = [p.copy() for p in (rbm.weights, rbm.visible_bias, rbm.hidden_bias)]
    data = TINY_DATA.copy()
    data.flags.writeable = False
    chains = TINY_DATA[::-1].copy()
    chains.flags.writeable = False
    _, final = contrastive_gradient(rbm, data, chains=chains, rng=0)
    for p, q in zip((rbm.weights, rbm.visible_bias, rbm.hidden_bias), before, strict=True):
        np.testing.assert_array_equal(p, q)
    assert final.shape == chains.shape
    assert set(np.unique(final)) <= {0.0, 1.0}


# -- parallel tempering ----------------------------------------------------------------------------
def bimodal_rbm() -> RBM:
    """Two hidden units, one switching all five visible units on, the other off: modes
    v = 11111 and v = 00000 of similar weight, separated by a barrier Gibbs rarely crosses;
    visible biases of both signs give the states in between unequal weights."""
    w = np.array([[4.0, -4.0]] * 5)
    return RBM.from_params(w, np.array([2.0, -2.0, 1.0, -1.0, 0.0]), np.array([-10.0, 10.0]))


def chi_square_p_value(samples: np.ndarray, rbm: RBM) -> float:
    vs, probs = exact_visible_probabilities(rbm)
    codes = samples @ (2 ** np.arange(rbm.n_visible - 1, -1, -1))
    counts = np.bincount(codes.astype(int), minlength=len(vs))
    expected = probs * len(samples)
    big = expected >= 5  # pool the rare states into one cell
    obs = np.append(counts[big], counts[~big].sum())
    exp = np.append(expected[big], expected[~big].sum())
    return float(stats.chisquare(obs, exp).pvalue)


def test_parallel_tempering_samples_a_bimodal_model_exactly():
    rbm = bimodal_rbm()
    n_chains = 10000
    start = np.zeros((1, 5))  # every replica of every chain starts in the mode 00000
    gen = np.random.default_rng(7)
    kernel = Kernel(rbm, 1, n_chains, gen)
    tempering = Replicas(kernel, np.linspace(0.0, 1.0, 5))
    tempering.init_chains(start, np.zeros(5 * n_chains, dtype=int))
    tempering.negative(40)
    samples = kernel.v[1 : 1 + n_chains]
    assert chi_square_p_value(samples, rbm) > 1e-3
    assert np.all(tempering.swap_rates() > 0.05)
    # the hidden probabilities of the cold replicas are p(h | v) at beta = 1
    np.testing.assert_allclose(
        kernel.h[1 : 1 + n_chains], rbm.hidden_probabilities(samples), rtol=1e-6, atol=1e-12
    )
    # the same test rejects plain Gibbs chains from the same start (the test has power)
    plain = Kernel(rbm, 1, n_chains, np.random.default_rng(8))
    plain.init_chains(np.zeros((n_chains, 5)), np.arange(n_chains))
    for _ in range(40):
        plain.gibbs_negative(1, 1, persistent=True)
    assert chi_square_p_value(plain.v[1 : 1 + n_chains], rbm) < 1e-6


def test_parallel_tempering_gaussian_visible_moments():
    # Gaussian visible units: the tempered model keeps the visible Gaussian (a, sigma) and
    # scales the interaction; the cold replicas must have the exact first and second moments
    sigma = np.array([0.5, 2.0])
    rbm = random_rbm(2, 3, seed=15, scale=1.0, visible="gaussian", sigma=sigma)
    w, a, b = rbm.weights, rbm.visible_bias, rbm.hidden_bias
    hs = bits(3)
    u = hs @ w.T
    log_w = hs @ b + (u * (a / sigma + 0.5 * u)).sum(axis=1)
    p_h = np.exp(log_w - logsumexp(log_w))
    mean = a + sigma * u  # E[v | h]
    exact = np.concatenate([p_h @ mean, p_h @ (mean**2 + sigma**2)])
    n_chains = 10000
    kernel = Kernel(rbm, 1, n_chains, np.random.default_rng(16))
    tempering = Replicas(kernel, np.linspace(0.0, 1.0, 4))
    tempering.init_chains(a[None, :], np.zeros(4 * n_chains, dtype=int))
    tempering.negative(30)
    v = kernel.v[1 : 1 + n_chains] * sigma  # the kernel holds v / sigma
    moments = np.concatenate([v, v**2], axis=1)
    error = moments.std(axis=0, ddof=1) / np.sqrt(n_chains)
    assert np.max(np.abs(moments.mean(axis=0) - exact) / error) < Z_MAX


# -- centering -------------------------------------------------------------------------------------
def centred_free_energy(c, v: np.ndarray, visible: str = "bernoulli", sigma=1.0) -> np.ndarray:
    """-log sum_h exp(-E_c(v, h)) with E_c written out from its definition (CenteredRBM)."""
    hs = bits(len(c.hidden_bias))
    sigma = np.broadcast_to(np.asarray(sigma, dtype=float), v.shape[1:])
    out = []
    for row in v:
        s = row / sigma if visible == "gaussian" else row
        energies = []
        for h in hs:
            e = -(s - c.visible_offset) @ c.weights @ (h - c.hidden_offset)
            e -= c.hidden_bias @ (h - c.hidden_offset)
            if visible == "gaussian":
                e += np.sum((row - c.visible_bias) ** 2 / (2 * sigma**2))
            else:
                e -= c.visible_bias @ (row - c.visible_offset)
            energies.append(-e)
        out.append(-logsumexp(energies))
    return np.array(out)


@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
def test_centering_keeps_the_distribution(visible):
    sigma = [0.5, 1.0, 1.5, 2.0] if visible == "gaussian" else 1.0
    rbm = random_rbm(4, 3, seed=9, visible=visible, sigma=sigma)
    gen = np.random.default_rng(10)
    mu, lam = gen.random(4), gen.random(3)
    centred = center(rbm, mu, lam)
    v = bits(4) if visible == "bernoulli" else gen.normal(size=(10, 4))
    diff = centred_free_energy(centred, v, visible, sigma) - rbm.free_energy(v)
    np.testing.assert_allclose(diff, diff[0], atol=1e-10)  # equal up to a constant
    back = uncenter(centred, visible=visible, sigma=sigma)
    for name in ("weights", "visible_bias", "hidden_bias", "sigma"):
        np.testing.assert_allclose(getattr(back, name), getattr(rbm, name), atol=1e-12)


def test_centered_gradient_is_the_chain_rule():
    rbm = random_rbm(4, 3, seed=11, scale=0.8)
    mu, lam = np.array([0.2, 0.7, 0.5, 0.1]), np.array([0.3, 0.6, 0.9])
    data = TINY_DATA
    centred = center(rbm, mu, lam)
    got = centered_gradient(metrics.log_likelihood_gradient(rbm, data), mu, lam)
    eps = 1e-5
    for index, name in enumerate(("weights", "visible_bias", "hidden_bias")):
        want = np.zeros_like(getattr(centred, name))
        for idx in np.ndindex(want.shape):
            shifted = []
            for sign in (1, -1):
                params = [p.copy() for p in centred]
                params[index][idx] += sign * eps
                shifted.append(metrics.log_likelihood(uncenter(type(centred)(*params)), data))
            want[idx] = (shifted[0] - shifted[1]) / (2 * eps)
        np.testing.assert_allclose(got[index], want, atol=1e-7)


def test_one_centred_update_is_the_plain_update_transformed():
    # full batch, CD-1, no momentum: the same random numbers in both runs, so the plain run
    # reveals the gradient estimate g and the centred run must move by the centred step
    rbm = random_rbm(4, 3, seed=12, scale=0.5)
    eta = 0.1
    kw = dict(n_epochs=1, batch_size=5, learning_rate=eta, init_visible_bias=None, monitor=())
    plain, _ = fit_rbm(rbm, TINY_DATA, rng=13, **kw)
    centred, _ = fit_rbm(rbm, TINY_DATA, rng=13, centering=True, **kw)
    g_w = (plain.weights - rbm.weights) / eta
    g_a = (plain.visible_bias - rbm.visible_bias) / eta
    g_b = (plain.hidden_bias - rbm.hidden_bias) / eta
    mu = TINY_DATA.mean(axis=0)
    lam = 0.99 * 0.5 + 0.01 * rbm.hidden_probabilities(TINY_DATA).mean(axis=0)
    step_w = eta * (g_w - np.outer(g_a, lam) - np.outer(mu, g_b))
    np.testing.assert_allclose(centred.weights, rbm.weights + step_w, atol=1e-12)
    np.testing.assert_allclose(
        centred.visible_bias, rbm.visible_bias + eta * g_a - step_w @ lam, atol=1e-12
    )
    np.testing.assert_allclose(
        centred.hidden_bias, rbm.hidden_bias + eta * g_b - mu @ step_w, atol=1e-12
    )


# -- the trainer -----------------------------------------------------------------------------------
def test_bars_and_stripes_reaches_near_optimal_likelihood():
    """4 x 4 bars and stripes, 16 hidden units: optimum -ln 30 = -3.40, scikit-learn -5.39."""
    data = bars_and_stripes(4)
    # the recipe, fixed once: centred parallel tempering (10 temperatures, 10 chains), batches
    # of 10, momentum 0.9, learning rate 0.05 decaying linearly over 2000 epochs (about 4 s)
    rbm, _ = fit_rbm(
        RBM(16, 16, rng=0),
        data,
        method="pt",
        n_temperatures=10,
        centering=True,
        n_epochs=2000,
        batch_size=10,
        learning_rate=0.05,
        learning_rate_schedule="linear",
        momentum=0.9,
        monitor=(),
        rng=0,
    )
    assert metrics.log_likelihood(rbm, data) >= -3.6


def test_same_seed_same_result_and_inputs_untouched():
    data = bars_and_stripes(3)
    data.flags.writeable = False  # any write into the caller's data would raise
    rbm = RBM(9, 6, rng=1)
    before = [p.copy() for p in (rbm.weights, rbm.visible_bias, rbm.hidden_bias)]
    runs = [
        fit_rbm(rbm, data, method="pcd", n_epochs=3, batch_size=4, momentum="hinton", rng=2)
        for _ in range(2)
    ]
    other, _ = fit_rbm(rbm, data, method="pcd", n_epochs=3, batch_size=4, momentum="hinton", rng=3)
    for name in ("weights", "visible_bias", "hidden_bias"):
        np.testing.assert_array_equal(getattr(runs[0][0], name), getattr(runs[1][0], name))
    assert not np.array_equal(runs[0][0].weights, other.weights)
    assert runs[0][1]["reconstruction_error"] == runs[1][1]["reconstruction_error"]
    for p, q in zip((rbm.weights, rbm.visible_bias, rbm.hidden_bias), before, strict=True):
        np.testing.assert_array_equal(p, q)
    assert runs[0][0] is not rbm


@pytest.mark.parametrize(
    "kw",
    [
        {"method": "cd", "k": 2},
        {"method": "pcd", "n_chains": 7, "centering": True},
        {"method": "pcd", "fast_weights": True, "sparsity_target": 0.1, "sparsity_cost": 0.1},
        {"method": "pt", "n_temperatures": 3, "weight_decay": 1e-3, "l1": 1e-4},
    ],
    ids=["cd", "pcd-centred", "fpcd-sparse", "pt"],
)
@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
def test_float32_stays_float32(kw, visible):
    data = bars_and_stripes(3).astype(np.float32)
    if visible == "gaussian":
        data = data * 2.0 - 1.0
    rbm = RBM(9, 5, visible=visible, dtype=np.float32, rng=0)
    model, history = fit_rbm(rbm, data, n_epochs=2, batch_size=5, momentum=0.5, **kw)
    for name in ("weights", "visible_bias", "hidden_bias", "sigma"):
        assert getattr(model, name).dtype == np.float32, name
        assert np.all(np.isfinite(getattr(model, name)))
    grad, chains = contrastive_gradient(model, data, rng=0)
    assert all(g.dtype == np.float32 for g in grad) and chains.dtype == np.float32
    assert len(history["epoch"]) == 2


def test_training_does_not_copy_the_data_wholesale():
    gen = np.random.default_rng(14)
    data = (gen.random((20000, 50)) < 0.3).astype(np.float32)  # 4 MB
    for array in (data, data.astype(np.uint8)):
        rbm = RBM(50, 20, dtype=np.float32)
        tracemalloc.start()
        fit_rbm(rbm, array, method="pcd", n_epochs=1, batch_size=100, monitor=())
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < data.nbytes / 4, peak


def test_fast_weights_with_zero_rate_is_plain_pcd():
    data = bars_and_stripes(3)
    kw = dict(method="pcd", n_epochs=3, batch_size=5, learning_rate=0.1, rng=4, monitor=())
    plain, _ = fit_rbm(RBM(9, 4), data, **kw)
    fast0, _ = fit_rbm(RBM(9, 4), data, fast_weights=True, fast_learning_rate=0.0, **kw)
    fast, _ = fit_rbm(RBM(9, 4), data, fast_weights=True, **kw)
    np.testing.assert_allclose(plain.weights, fast0.weights, rtol=1e-12, atol=1e-14)
    assert not np.array_equal(plain.weights, fast.weights)


def test_one_update_with_regularisers_by_hand():
    # one full-batch update with the same random numbers: the regularised run differs from the
    # plain one by exactly the penalty gradients times the learning rate
    rbm = random_rbm(4, 3, seed=5, scale=0.5)
    eta, wd, l1, target, cost = 0.1, 0.3, 0.02, 0.1, 0.5
    kw = dict(n_epochs=1, batch_size=5, learning_rate=eta, init_visible_bias=None, monitor=())
    plain, _ = fit_rbm(rbm, TINY_DATA, rng=6, **kw)
    regularised, _ = fit_rbm(
        rbm, TINY_DATA, rng=6, weight_decay=wd, l1=l1, sparsity_target=target,
        sparsity_cost=cost, **kw,
    )  # fmt: skip
    excess = cost * (rbm.hidden_probabilities(TINY_DATA).mean(axis=0) - target)
    penalty_w = wd * rbm.weights + l1 * np.sign(rbm.weights)
    penalty_w += np.outer(TINY_DATA.mean(axis=0), excess)
    np.testing.assert_allclose(regularised.weights - plain.weights, -eta * penalty_w, atol=1e-12)
    np.testing.assert_allclose(regularised.hidden_bias - plain.hidden_bias, -eta * excess)
    np.testing.assert_allclose(regularised.visible_bias, plain.visible_bias, atol=1e-15)


def test_sparsity_lowers_the_hidden_activity():
    data = bars_and_stripes(3)
    kw = dict(method="cd", n_epochs=100, batch_size=7, learning_rate=0.1, rng=5, monitor=())
    free, _ = fit_rbm(RBM(9, 8), data, **kw)
    sparse, _ = fit_rbm(RBM(9, 8), data, sparsity_target=0.02, sparsity_cost=2.0, **kw)
    assert sparse.hidden_probabilities(data).mean() < 0.1 < free.hidden_probabilities(data).mean()


def test_visible_bias_initialisation_from_data():
    data = np.array([[1, 0, 1], [1, 0, 0], [1, 0, 1], [0, 0, 1]], dtype=float)
    model, _ = fit_rbm(RBM(3, 2), data, n_epochs=1, learning_rate=1e-12, monitor=())
    p = np.clip([0.75, 0.0, 0.75], 1e-3, 1 - 1e-3)
    np.testing.assert_allclose(model.visible_bias, np.log(p / (1 - p)), atol=1e-9)
    kept, _ = fit_rbm(RBM(3, 2), data, n_epochs=1, learning_rate=1e-12, init_visible_bias=None)
    np.testing.assert_allclose(kept.visible_bias, 0.0, atol=1e-9)


def test_history_callbacks_and_progress(capsys):
    data = bars_and_stripes(3)
    seen = []

    def stop_after_three(epoch, rbm, history):
        seen.append((epoch, len(history["epoch"])))
        return epoch == 2

    model, history = fit_rbm(
        RBM(9, 6),
        data[:10],
        n_epochs=10,
        batch_size=5,
        validation_data=data[10:],
        learning_rate_schedule="linear",
        monitor=("reconstruction_error", "pseudo_likelihood", "free_energy", "log_likelihood"),
        callbacks=[stop_after_three],
        progress=True,
    )
    assert seen == [(0, 1), (1, 2), (2, 3)]
    assert history["epoch"] == [0, 1, 2]
    np.testing.assert_allclose(history["learning_rate"], [0.01, 0.009, 0.008])
    np.testing.assert_allclose(
        history["free_energy_gap"],
        np.subtract(history["free_energy_validation"], history["free_energy_train"]),
        atol=1e-9,
    )
    assert history["log_likelihood"][-1] == pytest.approx(metrics.log_likelihood(model, data[:10]))
    assert all(len(v) == 3 for v in history.values())
    assert "fit_rbm" in capsys.readouterr().err


def test_default_monitors_follow_the_data():
    _, binary = fit_rbm(RBM(9, 4), bars_and_stripes(3), n_epochs=1)
    assert {"reconstruction_error", "free_energy_train", "pseudo_likelihood"} <= set(binary)
    _, grey = fit_rbm(RBM(9, 4), bars_and_stripes(3) * 0.5, n_epochs=1)
    assert "pseudo_likelihood" not in grey
    _, gaussian = fit_rbm(RBM(9, 4, visible="gaussian"), bars_and_stripes(3), n_epochs=1)
    assert "pseudo_likelihood" not in gaussian


# -- bad input -------------------------------------------------------------------------------------
BAD_ARGUMENTS = [
    ({"method": "adam"}, ValueError, "method must be one of 'cd', 'pcd', 'pt', got 'adam'"),
    ({"k": 0}, ValueError, "k must be >= 1, got 0"),
    ({"k": 1.5}, TypeError, "k must be an int"),
    ({"n_epochs": 0}, ValueError, "n_epochs must be >= 1, got 0"),
    ({"batch_size": 0}, ValueError, "batch_size must be >= 1, got 0"),
    ({"learning_rate": -0.1}, ValueError, r"learning_rate must be > 0.0, got -0.1"),
    ({"learning_rate": 0.0}, ValueError, r"learning_rate must be > 0.0, got 0.0"),
    ({"momentum": 1.0}, ValueError, r"momentum must be < 1, got 1.0"),
    ({"momentum": -0.5}, ValueError, r"momentum must be >= 0.0, got -0.5"),
    ({"momentum": "nesterov"}, ValueError, "momentum must be one of 'hinton', got 'nesterov'"),
    ({"weight_decay": -1e-4}, ValueError, r"weight_decay must be >= 0.0, got -0.0001"),
    ({"l1": -1.0}, ValueError, r"l1 must be >= 0.0, got -1.0"),
    ({"sparsity_cost": 0.1}, ValueError, "sparsity_cost > 0 needs a sparsity_target"),
    ({"sparsity_target": 1.5}, ValueError, r"sparsity_target must lie in \(0, 1\), got 1.5"),
    ({"n_chains": 10}, ValueError, "n_chains applies to method 'pcd' and 'pt'"),
    ({"method": "pcd", "n_chains": 0}, ValueError, "n_chains must be >= 1, got 0"),
    ({"fast_weights": True}, ValueError, "fast_weights \\(FPCD\\) needs method='pcd'"),
    ({"method": "pcd", "fast_decay": 1.5}, ValueError, r"fast_decay must be <= 1.0, got 1.5"),
    ({"method": "pt", "n_temperatures": 1}, ValueError, "n_temperatures must be >= 2, got 1"),
    ({"learning_rate_schedule": "cosine"}, ValueError, "learning_rate_schedule must be one of"),
    ({"init_visible_bias": "zeros"}, ValueError, "init_visible_bias must be 'data' or None"),
    ({"monitor": ("accuracy",)}, ValueError, "monitor entries must be one of"),
    ({"callbacks": [42]}, TypeError, r"callbacks\[0\] must be callable, got int"),
    ({"rng": -1}, ValueError, "rng must be a non-negative int seed, got -1"),
    ({"centering": "yes"}, TypeError, "centering must be True or False, got 'yes'"),
    ({"validation_data": np.ones((3, 4))}, ValueError, "validation_data must have 9 columns"),
]


@pytest.mark.parametrize(("kw", "error", "message"), BAD_ARGUMENTS)
def test_bad_arguments_are_named(kw, error, message):
    with pytest.raises(error, match=message):
        fit_rbm(RBM(9, 4), bars_and_stripes(3), **kw)


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (
            np.full((5, 9), 255, dtype=np.uint8),
            ValueError,
            r"must lie in \[0, 1\].*got values in \[255, 255\]",
        ),
        (np.array([[np.nan] * 9]), ValueError, "data must contain only finite values"),
        (np.ones((5, 8)), ValueError, r"data must have 9 columns \(n_visible of the model\)"),
        (np.ones(9), ValueError, r"data must be a 2-D array"),
        (np.ones((0, 9)), ValueError, "data must have at least one row"),
        (np.array([["a"] * 9]), TypeError, "data must be an array of numbers"),
    ],
    ids=["uint8-255", "nan", "columns", "1-d", "empty", "strings"],
)
def test_bad_data_is_named(data, error, message):
    with pytest.raises(error, match=message):
        fit_rbm(RBM(9, 4), data)


def test_bad_model_and_schedule_values():
    with pytest.raises(TypeError, match="rbm must be an energynets RBM, got dict"):
        fit_rbm({}, bars_and_stripes(3))
    with pytest.raises(
        ValueError, match=r"learning_rate_schedule\(0\) \(the factor\) must be >= 0"
    ):
        fit_rbm(RBM(9, 4), bars_and_stripes(3), learning_rate_schedule=lambda epoch: -1.0)
    with pytest.raises(ValueError, match="monitor 'pseudo_likelihood' needs Bernoulli"):
        fit_rbm(RBM(9, 4), bars_and_stripes(3) * 0.5, monitor=("pseudo_likelihood",))
    with pytest.raises(ValueError, match="pass log_z from energynets.ais"):
        fit_rbm(RBM(30, 30), np.zeros((4, 30)), monitor=("log_likelihood",))


# -- optim -----------------------------------------------------------------------------------------
def test_momentum_by_hand():
    theta = np.zeros(2)
    opt = optim.Momentum([theta], rescale=False)  # Hinton's convention: the steps are given
    for _ in range(3):
        opt.step_([np.array([1.0, 2.0])], 1.0, scale=-1.0, momentum=0.5)
    # velocities 1, 1.5, 1.75 times the step
    np.testing.assert_allclose(theta, [4.25, 8.5])
    plain = optim.Momentum([theta], rescale=False, velocity=False)
    plain.step_([np.array([1.0, 1.0])], 1.0, scale=-1.0, momentum=0.0)
    np.testing.assert_allclose(theta, [5.25, 9.5])
    with pytest.raises(ValueError, match="momentum must be 0"):
        plain.step_([np.ones(2)], 1.0, scale=-1.0, momentum=0.5)


def test_schedules():
    lin = optim.learning_rate_schedule("linear", 4)
    assert [lin(t) for t in range(4)] == [1.0, 0.75, 0.5, 0.25]
    exp = optim.learning_rate_schedule("exponential", 3)
    np.testing.assert_allclose([exp(t) for t in range(3)], [1.0, 0.1, 0.01])
    assert optim.learning_rate_schedule("constant", 3)(2) == 1.0
    hinton, uses_velocity = optim.momentum_schedule("hinton")
    assert [hinton(t) for t in (0, 4, 5, 9)] == [0.5, 0.5, 0.9, 0.9] and uses_velocity
    assert optim.momentum_schedule(0.0)[1] is False
    with pytest.raises(TypeError, match="momentum must be a number"):
        optim.momentum_schedule([0.5])


@pytest.mark.parametrize("method", ["cd", "pcd"])
def test_skipping_zero_columns_changes_nothing_but_rounding(method, monkeypatch):
    # a third of the columns are zero in every row (as MNIST's border pixels): training that
    # skips them in the products must give the same model as training that does not
    from energynets.learning import _rbm_kernel

    gen = np.random.default_rng(5)
    data = (gen.random((60, 30)) < 0.4).astype(np.float64)
    data[:, :10] = 0.0
    models = {}
    for sparse in (0.0, 2.0):  # 0: skip whenever a column is all zero; 2: never skip
        monkeypatch.setattr(_rbm_kernel, "SPARSE_COLUMNS", sparse)
        kernel = Kernel(RBM(30, 7, rng=1), 10, 10, np.random.default_rng(0))
        cols = kernel._used_columns(data[:10])
        if sparse == 0.0:  # the skipping path is taken, and keeps exactly the used columns
            assert cols is not None
            np.testing.assert_array_equal(cols, np.flatnonzero(data[:10].max(axis=0)))
        else:
            assert cols is None
        models[sparse], _ = fit_rbm(
            RBM(30, 7, rng=1), data, method=method, n_epochs=4, batch_size=10,
            learning_rate=0.1, momentum=0.5, weight_decay=1e-3, monitor=(), rng=2,
        )  # fmt: skip
    skip, full = models[0.0], models[2.0]
    for name in ("weights", "visible_bias", "hidden_bias"):
        np.testing.assert_allclose(
            getattr(skip, name), getattr(full, name), rtol=0, atol=1e-12, err_msg=name
        )
    assert np.abs(skip.weights[:10]).max() < np.abs(skip.weights[10:]).max()
