"""Tests of energynets.metrics against brute force: every (v, h) pair of a tiny RBM written out.

The oracle here never uses a free energy or a conditional: it sums exp(-E(v, h)) of the joint
energy E(v, h) = -v.W.h - a.v - b.h over all 2**(n_visible + n_hidden) states, or (Gaussian
visible units) integrates the density on a fine grid.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.special import logsumexp

from energynets import metrics
from energynets.models.rbm import RBM


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


def joint_log_weights(rbm: RBM) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All (v, h) pairs and -E(v, h), by the definition of the joint energy."""
    vs, hs = bits(rbm.n_visible), bits(rbm.n_hidden)
    w, a, b = (
        rbm.weights.astype(float),
        rbm.visible_bias.astype(float),
        rbm.hidden_bias.astype(float),
    )
    neg_e = np.array([[v @ w @ h + a @ v + b @ h for h in hs] for v in vs])
    return vs, hs, neg_e


def brute_log_z(rbm: RBM) -> float:
    return float(logsumexp(joint_log_weights(rbm)[2]))


def brute_log_p(rbm: RBM) -> tuple[np.ndarray, np.ndarray]:
    """Every visible state and its exact log-probability (summing h out by brute force)."""
    vs, _, neg_e = joint_log_weights(rbm)
    return vs, logsumexp(neg_e, axis=1) - logsumexp(neg_e)


# -- free energy and log Z ------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4)])
def test_log_partition_matches_brute_force(shape):
    rbm = random_rbm(*shape, seed=1)
    assert metrics.rbm_log_partition(rbm) == pytest.approx(brute_log_z(rbm), abs=1e-10)


def test_free_energy_matches_brute_force():
    rbm = random_rbm(4, 3, seed=2, scale=2.0)
    vs, _, neg_e = joint_log_weights(rbm)
    np.testing.assert_allclose(rbm.free_energy(vs), -logsumexp(neg_e, axis=1), atol=1e-10)


def test_log_partition_float32_model_is_accurate():
    rbm64 = random_rbm(6, 4, seed=3)
    rbm32 = RBM.from_params(rbm64.weights, rbm64.visible_bias, rbm64.hidden_bias, dtype=np.float32)
    assert metrics.rbm_log_partition(rbm32) == pytest.approx(brute_log_z(rbm32), abs=1e-9)


def test_log_partition_in_many_blocks(monkeypatch):
    # blocks of 16 elements: a few rows per block, so the block loop and the log-sum over
    # blocks are exercised; the transposed model enumerates the other layer
    monkeypatch.setattr(metrics, "_BLOCK_ELEMENTS", 16)
    rbm = random_rbm(7, 6, seed=4)
    swapped = RBM.from_params(rbm.weights.T, rbm.hidden_bias, rbm.visible_bias)
    exact = brute_log_z(rbm)
    assert metrics.rbm_log_partition(rbm) == pytest.approx(exact, abs=1e-10)
    assert metrics.rbm_log_partition(swapped) == pytest.approx(exact, abs=1e-10)


def test_log_partition_gaussian_against_numerical_integration():
    rbm = random_rbm(2, 3, seed=5, scale=0.7, visible="gaussian", sigma=[0.8, 1.3])
    grid = np.linspace(-12, 12, 1201)
    v1, v2 = np.meshgrid(grid, grid, indexing="ij")
    v = np.column_stack([v1.ravel(), v2.ravel()])
    density = np.exp(-rbm.free_energy(v)).reshape(v1.shape)
    trapezoid = getattr(np, "trapezoid", None) or np.trapz  # noqa: NPY201 (numpy < 2)
    z = trapezoid(trapezoid(density, grid, axis=1), grid)
    assert metrics.rbm_log_partition(rbm) == pytest.approx(np.log(z), abs=1e-8)


def test_log_partition_refuses_large_models():
    with pytest.raises(ValueError, match="pass log_z from energynets.ais"):
        metrics.rbm_log_partition(RBM(26, 27, weight_scale=0.0))
    with pytest.raises(ValueError, match="n_hidden = 26"):
        metrics.rbm_log_partition(RBM(2, 26, visible="gaussian", weight_scale=0.0))


# -- log-likelihood and its gradient ------------------------------------------------------------
def test_log_likelihood_matches_brute_force():
    rbm = random_rbm(5, 3, seed=6)
    vs, log_p = brute_log_p(rbm)
    data = vs[[0, 3, 3, 17, 31]]
    expected = log_p[[0, 3, 3, 17, 31]].mean()
    assert metrics.log_likelihood(rbm, data) == pytest.approx(expected, abs=1e-10)
    # with log Z given, the same (and exp(log p) sums to one)
    log_z = metrics.rbm_log_partition(rbm)
    assert metrics.log_likelihood(rbm, data, log_z=log_z) == pytest.approx(expected, abs=1e-10)
    assert np.exp(log_p).sum() == pytest.approx(1.0)


def test_log_likelihood_of_a_uniform_model():
    rbm = RBM(6, 3, weight_scale=0.0)
    assert metrics.log_likelihood(rbm, bits(6)) == pytest.approx(-6 * np.log(2))


def test_log_likelihood_checks_its_data():
    rbm = RBM(3, 2)
    with pytest.raises(ValueError, match="only 0 and 1"):
        metrics.log_likelihood(rbm, [[0.5, 0, 1]])
    with pytest.raises(ValueError, match="3 columns"):
        metrics.log_likelihood(rbm, [[0, 1]])
    with pytest.raises(ValueError, match="finite"):
        metrics.log_likelihood(rbm, [[0, np.nan, 1]])
    with pytest.raises(TypeError, match="rbm must be an energynets RBM"):
        metrics.log_likelihood("model", [[0, 1, 1]])
    with pytest.raises(TypeError, match="log_z must be a real number"):
        metrics.log_likelihood(rbm, [[0, 1, 1]], log_z="1.0")


def _finite_difference_gradient(rbm: RBM, data: np.ndarray, eps: float = 1e-5) -> list:
    grads = []
    for name in ("weights", "visible_bias", "hidden_bias"):
        param = getattr(rbm, name)
        g = np.zeros_like(param)
        for idx in np.ndindex(param.shape):
            up, down = rbm.copy(), rbm.copy()
            getattr(up, name)[idx] += eps
            getattr(down, name)[idx] -= eps
            diff = metrics.log_likelihood(up, data) - metrics.log_likelihood(down, data)
            g[idx] = diff / (2 * eps)
        grads.append(g)
    return grads


@pytest.mark.parametrize(
    ("shape", "kw"),
    [((4, 3), {}), ((3, 4), {}), ((3, 2), {"visible": "gaussian", "sigma": [0.5, 1.0, 2.0]})],
    ids=["enumerate-hidden", "enumerate-visible", "gaussian"],
)
def test_log_likelihood_gradient_matches_finite_differences(shape, kw):
    rbm = random_rbm(*shape, seed=7, scale=0.8, **kw)
    gen = np.random.default_rng(8)
    if kw:
        data = gen.normal(size=(6, shape[0]))
    else:
        data = (gen.random((6, shape[0])) < 0.5).astype(float)
    exact = metrics.log_likelihood_gradient(rbm, data)
    for got, want in zip(exact, _finite_difference_gradient(rbm, data), strict=True):
        np.testing.assert_allclose(got, want, atol=1e-7)


# -- pseudo-likelihood ---------------------------------------------------------------------------
def test_pseudo_likelihood_is_exact_over_all_sites():
    rbm = random_rbm(5, 3, seed=9, scale=1.5)
    vs, log_p = brute_log_p(rbm)
    code = {tuple(v): i for i, v in enumerate(vs)}
    data = vs[[1, 6, 6, 22, 30, 31]]
    expected = 0.0
    for v in data:
        for i in range(5):
            flipped = v.copy()
            flipped[i] = 1 - flipped[i]
            lp, lq = log_p[code[tuple(v)]], log_p[code[tuple(flipped)]]
            expected += lp - np.logaddexp(lp, lq)  # log p(v_i | v_-i)
    assert metrics.pseudo_likelihood(rbm, data) == pytest.approx(expected / len(data), abs=1e-10)


def test_pseudo_likelihood_in_blocks(monkeypatch):
    rbm = random_rbm(6, 5, seed=10)
    data = bits(6)[::3]
    whole = metrics.pseudo_likelihood(rbm, data)
    monkeypatch.setattr(metrics, "_BLOCK_ELEMENTS", 7)  # one row, one site per block
    assert metrics.pseudo_likelihood(rbm, data) == pytest.approx(whole, abs=1e-12)


def test_pseudo_likelihood_refuses_what_it_cannot_do():
    with pytest.raises(ValueError, match="Bernoulli visible units"):
        metrics.pseudo_likelihood(RBM(3, 2, visible="gaussian"), [[0.1, 0.2, 0.3]])
    with pytest.raises(ValueError, match="only 0 and 1"):
        metrics.pseudo_likelihood(RBM(3, 2), [[0.1, 0.2, 0.3]])


# -- reconstruction error and free-energy gap -----------------------------------------------------
def test_reconstruction_error_by_hand():
    # zero weights: E[v | h] = sigmoid(a) whatever h
    rbm = RBM.from_params(np.zeros((3, 2)), [0.0, np.log(3.0), -np.log(3.0)])
    data = np.array([[1.0, 1.0, 0.0], [0.0, 0.5, 1.0]])
    means = np.array([0.5, 0.75, 0.25])
    expected = np.mean((data - means) ** 2)
    assert metrics.reconstruction_error(rbm, data) == pytest.approx(expected)


def test_reconstruction_error_uses_hidden_probabilities():
    rbm = random_rbm(4, 3, seed=11)
    data = bits(4)[[2, 5, 9]]
    q = 1 / (1 + np.exp(-(data @ rbm.weights + rbm.hidden_bias)))
    v_hat = 1 / (1 + np.exp(-(q @ rbm.weights.T + rbm.visible_bias)))
    assert metrics.reconstruction_error(rbm, data) == pytest.approx(np.mean((data - v_hat) ** 2))


def test_free_energy_gap_is_the_log_likelihood_difference():
    rbm = random_rbm(5, 3, seed=12)
    train, held_out = bits(5)[:10], bits(5)[10:30]
    gap = metrics.free_energy_gap(rbm, train, held_out)
    ll_diff = metrics.log_likelihood(rbm, train) - metrics.log_likelihood(rbm, held_out)
    assert gap == pytest.approx(ll_diff, abs=1e-10)


# -- associative memory ----------------------------------------------------------------------------
def test_recall_accuracy():
    states = np.array([[1, -1, 1], [1, 1, 1], [-1, -1, 1]])
    patterns = np.array([[1, -1, 1], [1, 1, -1], [-1, -1, 1]])
    assert metrics.recall_accuracy(states, patterns) == pytest.approx(2 / 3)
    assert metrics.recall_accuracy(states, [1, -1, 1]) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="patterns must have shape"):
        metrics.recall_accuracy(states, patterns[:2])


def test_overlap_is_reexported():
    assert metrics.overlap([1, 1, -1, -1], [1, 1, -1, -1]) == pytest.approx(1.0)
