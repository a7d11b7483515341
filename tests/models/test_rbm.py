"""RBM: energies by hand, free energy against enumeration, conditionals, sampling, bad input."""

import numpy as np
import pytest
from scipy.special import logsumexp

import energynets as en
from energynets.models.rbm import RBM


def _random_rbm(n_visible, n_hidden, visible="bernoulli", seed=0, dtype=np.float64):
    g = np.random.default_rng(seed)
    return RBM.from_params(
        g.normal(size=(n_visible, n_hidden)),
        g.normal(size=n_visible),
        g.normal(size=n_hidden),
        visible=visible,
        sigma=g.uniform(0.5, 2.0, n_visible) if visible == "gaussian" else 1.0,
        dtype=dtype,
    )


def test_energy_by_hand():
    # W = [[1, -2]], a = [0.5], b = [0.25, -1]; v = [1], h = [1, 1]:
    # E = -(1*1 + 1*(-2)) - 0.5 - (0.25 - 1) = 1 - 0.5 + 0.75 = 1.25
    rbm = RBM.from_params([[1.0, -2.0]], [0.5], [0.25, -1.0])
    assert rbm.energy([[1.0]], [[1.0, 1.0]]) == pytest.approx([1.25])


@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
def test_free_energy_is_minus_log_sum_over_hidden(visible):
    rbm = _random_rbm(5, 4, visible, seed=1)
    g = np.random.default_rng(2)
    v = (g.random((7, 5)) < 0.5).astype(float) if visible == "bernoulli" else g.normal(size=(7, 5))
    hs = en.all_states(4, "bits")
    energies = np.array([rbm.energy(np.repeat(vi[None], 16, 0), hs) for vi in v])
    np.testing.assert_allclose(rbm.free_energy(v), -logsumexp(-energies, axis=1), rtol=1e-12)


def test_free_energy_stable_at_extreme_inputs():
    rbm = RBM.from_params(np.full((3, 2), 1e4), [1e4, -1e4, 0.0], [-1e4, 1e4])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        f = rbm.free_energy([[1, 1, 1], [0, 0, 0]])
    # softplus(x) = x for x >> 0 and 0 for x << 0: worked by hand
    # v = 111: hidden inputs (2e4, 4e4) -> F = -(1e4 - 1e4 + 0) - 6e4
    # v = 000: hidden inputs (-1e4, 1e4) -> F = -1e4
    np.testing.assert_allclose(f, [-6e4, -1e4])


def test_conditionals_match_the_joint_distribution():
    rbm = _random_rbm(3, 2, seed=3)
    vs, hs = en.all_states(3, "bits"), en.all_states(2, "bits")
    joint = np.exp(-np.array([[rbm.energy(v[None], h[None])[0] for h in hs] for v in vs]))
    # p(h_j = 1 | v) from the joint table
    p_h = joint / joint.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(rbm.hidden_probabilities(vs), p_h @ hs, rtol=1e-12)
    p_v = joint / joint.sum(axis=0, keepdims=True)
    np.testing.assert_allclose(rbm.visible_mean(hs), (p_v.T @ vs), rtol=1e-12)


def test_float32_end_to_end():
    rbm = RBM(10, 4, rng=0, dtype=np.float32)
    v = rbm.sample(5, n_steps=3, rng=1)
    assert v.dtype == np.float32
    assert rbm.free_energy(v).dtype == np.float32
    assert rbm.sample_hidden(v, rng=0).dtype == np.float32


def test_sampling_is_reproducible_and_clamps():
    rbm = _random_rbm(8, 5, seed=4)
    a = rbm.sample(20, n_steps=10, rng=7)
    assert np.array_equal(a, rbm.sample(20, n_steps=10, rng=7))
    init = np.zeros((4, 8))
    init[:, :4] = 1
    before = init.copy()
    clamp = np.zeros(8, dtype=bool)
    clamp[:4] = True
    out = rbm.sample(init=init, n_steps=5, clamp=clamp, rng=0)
    assert np.all(out[:, :4] == 1) and np.array_equal(init, before)
    thinned = rbm.sample(3, n_steps=10, burn_in=4, thin=2, rng=0)
    assert thinned.shape == (3, 3, 8)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda r: r.free_energy(np.ones((2, 3))), "v must have 4 columns"),
        (lambda r: r.free_energy(np.full((1, 4), 2.0)), "must lie in \\[0, 1\\]"),
        (lambda r: r.free_energy([[np.nan, 0, 0, 0]]), "finite"),
        (lambda r: r.energy(np.ones((2, 4)), np.ones((3, 2))), "same number of rows"),
        (lambda r: r.sample(), "give n_samples"),
        (lambda r: RBM(0, 2), "n_visible must be >= 1"),
        (lambda r: RBM(2, 2, visible="poisson"), "visible must be one of"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call(RBM(4, 2, rng=0))
