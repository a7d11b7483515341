"""HopfieldNetwork: energies by hand, recall, bad input, no mutation, reproducibility."""

import numpy as np
import pytest

import energynets as en


def _two_unit_net():
    return en.HopfieldNetwork([[0.0, 1.0], [1.0, 0.0]], bias=[0.5, -0.5])


def test_energy_by_hand():
    # E(s) = -W12 s1 s2 - b1 s1 - b2 s2 with W12 = 1, b = (0.5, -0.5)
    net = _two_unit_net()
    states = [[1, 1], [1, -1], [-1, 1], [-1, -1]]
    # [1,1]: -1 - 0 = -1; [1,-1]: +1 - 1 = 0; [-1,1]: +1 + 1 = 2; [-1,-1]: -1 - 0 = -1
    np.testing.assert_allclose(net.energy(states), [-1.0, 0.0, 2.0, -1.0])
    assert net.energy([1, 1]) == -1.0
    np.testing.assert_allclose(net.local_fields([[1, -1]]), [[-0.5, 0.5]])


def test_fixed_points_by_hand_for_a_batch_and_a_single_state():
    # h = W s + b: [1, 1] has h = (1.5, 0.5), s h >= 0, fixed; [-1, 1] has h_1 = 1.5 against
    # s_1 = -1, so flipping unit 1 lowers the energy
    net = _two_unit_net()
    assert net.is_fixed_point([[1, 1], [-1, 1]]).tolist() == [True, False]
    single = net.is_fixed_point([-1, 1])
    assert np.ndim(single) == 0 and not single
    assert np.ndim(net.is_fixed_point([1, 1])) == 0 and net.is_fixed_point([1, 1])


def test_single_flip_recalled_in_one_sweep_by_hand():
    # one stored pattern: W = (xi xi^T - I) / 4, field of unit i in the probe is xi_i * (3 - 2)/4
    # for unflipped units and xi_i * 3/4 for the flipped one, so one sweep restores the pattern
    xi = np.array([[1.0, -1.0, 1.0, 1.0]])
    net = en.HopfieldNetwork.from_patterns(xi)
    probe = np.array([1.0, 1.0, 1.0, 1.0])
    res = net.recall(probe, rng=0)
    assert np.array_equal(res.states, xi[0])
    assert res.converged.tolist() == [True]
    assert res.n_sweeps.tolist() == [1]
    assert res.energies.shape == (2, 1)
    np.testing.assert_allclose(res.energies[:, 0], [net.energy(probe), net.energy(xi[0])])
    np.testing.assert_allclose(res.overlaps[:, 0, 0], [0.5, 1.0])


def test_zero_field_keeps_state_in_both_dynamics():
    net = en.HopfieldNetwork(np.zeros((3, 3)))
    probe = np.array([[1.0, -1.0, 1.0]])
    for dynamics in ("async", "sync"):
        res = net.recall(probe, dynamics=dynamics)
        assert np.array_equal(res.states, probe)
        assert res.converged.all() and res.n_sweeps.tolist() == [0]


def test_synchronous_two_cycle_is_reported():
    # W12 = 1: from (+1, -1) synchronous updates swap the two units forever
    net = en.HopfieldNetwork([[0.0, 1.0], [1.0, 0.0]])
    res = net.recall([[1.0, -1.0], [1.0, 1.0]], dynamics="sync")
    assert res.cycled.tolist() == [True, False]
    assert res.converged.tolist() == [False, True]
    # asynchronous dynamics cannot cycle: it ends in one of the two aligned states
    res = net.recall([[1.0, -1.0]], dynamics="async", rng=0)
    assert abs(res.states.sum()) == 2 and res.converged.all()


def test_float32_stays_float32():
    xi = en.datasets.random_patterns(3, 50, rng=0)
    net = en.HopfieldNetwork.from_patterns(xi, dtype=np.float32)
    res = net.recall(en.corrupt(xi, 0.1, rng=1), rng=2)
    assert net.weights.dtype == np.float32
    assert res.states.dtype == np.float32 and res.energies.dtype == np.float32
    assert np.array_equal(res.states, xi)


def test_inputs_are_never_modified_and_parameters_read_only():
    xi = en.datasets.random_patterns(4, 30, rng=0)
    xi_before = xi.copy()
    net = en.HopfieldNetwork.from_patterns(xi)
    probes = en.corrupt(xi, 0.2, rng=1)
    probes_before = probes.copy()
    w_before = net.weights.copy()
    net.recall(probes, rng=0)
    net.recall(probes, dynamics="sync")
    net.recall(probes, temperature=0.5, max_sweeps=3, rng=0)
    net.store(en.datasets.random_patterns(1, 30, rng=5))
    assert np.array_equal(xi, xi_before)
    assert np.array_equal(probes, probes_before)
    assert np.array_equal(net.weights, w_before)
    with pytest.raises(ValueError, match="read-only"):
        net.weights[0, 1] = 3.0
    weights = np.array([[0.0, 2.0], [2.0, 0.0]])
    en.HopfieldNetwork(weights).recall([1.0, -1.0])
    assert weights[0, 1] == 2.0


def test_same_seed_same_result_and_seeds_matter():
    xi = en.datasets.random_patterns(30, 100, rng=0)
    net = en.HopfieldNetwork.from_patterns(xi)
    probes = en.corrupt(xi, 0.3, rng=1)
    a = net.recall(probes, rng=7)
    b = net.recall(probes, rng=7)
    assert np.array_equal(a.states, b.states) and np.array_equal(a.energies, b.energies)
    g1, g2 = np.random.default_rng(3), np.random.default_rng(3)
    assert np.array_equal(net.recall(probes, rng=g1).states, net.recall(probes, rng=g2).states)
    hot = [net.recall(probes, temperature=1.0, max_sweeps=2, rng=s).states for s in (0, 1)]
    assert not np.array_equal(hot[0], hot[1])


def test_clamped_units_complete_a_pattern():
    xi = en.datasets.random_patterns(3, 200, rng=0)
    net = en.HopfieldNetwork.from_patterns(xi)
    clamp = np.zeros(200, dtype=bool)
    clamp[:100] = True  # the known half
    probe = xi[1].copy()
    probe[100:] = en.datasets.random_patterns(1, 100, rng=9)[0]
    for dynamics in ("async", "sync"):
        res = net.recall(probe, dynamics=dynamics, clamp=clamp, rng=1)
        assert np.array_equal(res.states, xi[1])
    # a clamped unit keeps its value even against its field
    wrong = xi[1].copy()
    wrong[:5] *= -1
    mask = np.zeros(200, dtype=bool)
    mask[:5] = True
    res = net.recall(wrong, clamp=mask, rng=2)
    assert np.array_equal(res.states[:5], wrong[:5])


def test_store_requires_known_rule_and_keeps_original():
    xi = en.datasets.random_patterns(3, 20, rng=0)
    net = en.HopfieldNetwork.from_patterns(xi)
    bigger = net.store(xi[:1] * -1)
    assert net.patterns.shape == (3, 20) and bigger.patterns.shape == (4, 20)
    with pytest.raises(ValueError, match="store needs a network built by from_patterns"):
        en.HopfieldNetwork(net.weights).store(xi)


W_OK = np.array([[0.0, 1.0], [1.0, 0.0]])


@pytest.mark.parametrize(
    ("call", "err", "match"),
    [
        (lambda: en.HopfieldNetwork([[0, 1], [2, 0]]), ValueError, "weights must be symmetric"),
        (lambda: en.HopfieldNetwork(np.eye(2)), ValueError, "weights must have a zero diagonal"),
        (lambda: en.HopfieldNetwork(np.zeros(3)), ValueError, "weights must be a 2-D array"),
        (lambda: en.HopfieldNetwork(np.zeros((2, 3))), ValueError, "weights must be a square"),
        (lambda: en.HopfieldNetwork([[0, np.nan], [np.nan, 0]]), ValueError, "finite"),
        (lambda: en.HopfieldNetwork(np.zeros((0, 0))), ValueError, "weights must not be empty"),
        (lambda: en.HopfieldNetwork(W_OK, [1.0]), ValueError, "bias must have shape \\(2,\\)"),
        (lambda: en.HopfieldNetwork(W_OK, dtype=int), ValueError, "dtype must be"),
        (lambda: en.HopfieldNetwork.from_patterns([[1, 0, 1]]), ValueError, "only -1 and \\+1"),
        (lambda: en.HopfieldNetwork.from_patterns([[1, 1]], "oja"), ValueError, "rule must be"),
        (lambda: en.HopfieldNetwork.from_patterns(np.ones((0, 4))), ValueError, "not be empty"),
        (lambda: en.HopfieldNetwork.from_patterns([[[1]]]), ValueError, "1-D or 2-D"),
        (lambda: en.HopfieldNetwork.from_patterns([["a"]]), TypeError, "array of numbers"),
        (lambda: en.HopfieldNetwork(W_OK).energy([1, 1, 1]), ValueError, "states must have 2"),
        (lambda: en.HopfieldNetwork(W_OK).recall([1, 0.5]), ValueError, "probes must contain"),
        (lambda: en.HopfieldNetwork(W_OK).recall([1, np.nan]), ValueError, "probes must contain"),
        (
            lambda: en.HopfieldNetwork(W_OK).recall([1, 1], temperature=-1),
            ValueError,
            "temperature must be >= 0",
        ),
        (
            lambda: en.HopfieldNetwork(W_OK).recall([1, 1], dynamics="fast"),
            ValueError,
            "dynamics must be one of",
        ),
        (
            lambda: en.HopfieldNetwork(W_OK).recall([1, 1], order="up"),
            ValueError,
            "order must be one of",
        ),
        (
            lambda: en.HopfieldNetwork(W_OK).recall([1, 1], max_sweeps=-1),
            ValueError,
            "max_sweeps must be >= 0",
        ),
        (
            lambda: en.HopfieldNetwork(W_OK).recall([1, 1], clamp=[True]),
            ValueError,
            "clamp must have shape",
        ),
        (
            lambda: en.HopfieldNetwork(W_OK).recall([1, 1], clamp=[1, 0]),
            TypeError,
            "clamp must be a boolean mask",
        ),
        (lambda: en.HopfieldNetwork(W_OK).recall([1, 1], rng="seed"), TypeError, "rng must be"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message(call, err, match):
    with pytest.raises(err, match=match):
        call()


def test_repr():
    net = en.HopfieldNetwork.from_patterns(np.ones((2, 5)))
    assert repr(net) == "HopfieldNetwork(n_units=5, n_patterns=2, rule='hebbian')"


def test_rbm_with_gaussian_hidden_units_integrates_out_to_a_hopfield_energy():
    """-log of the Gaussian integral over h, by quadrature, equals the Hopfield energy + const."""
    from numpy.polynomial.hermite_e import hermegauss

    g = np.random.default_rng(0)
    w = g.normal(scale=0.5, size=(6, 2))  # 6 spin visible units, 2 Gaussian hidden units
    a = g.normal(scale=0.3, size=6)
    net = en.HopfieldNetwork.from_gaussian_rbm(w, a)
    # int exp(v.W h - |h|^2 / 2) dh on a 2-D Gauss-Hermite grid (weight exp(-x^2 / 2))
    x, wt = hermegauss(60)
    grid = np.stack(np.meshgrid(x, x, indexing="ij"), axis=-1).reshape(-1, 2)
    weight = np.outer(wt, wt).ravel()
    v = en.all_states(6)
    integral = (np.exp((v @ w) @ grid.T) * weight).sum(axis=1)
    minus_log_marginal = -np.log(integral) - v @ a
    difference = minus_log_marginal - net.energy(v)
    # the same constant for all 64 states: -1/2 tr(W W^T) - log(2 pi)
    np.testing.assert_allclose(difference, -0.5 * np.sum(w**2) - np.log(2 * np.pi), atol=1e-10)
    # with W = X^T / sqrt(N) the couplings are exactly the Hebbian ones
    xi = en.datasets.random_patterns(3, 20, rng=1)
    hebb = en.HopfieldNetwork.from_patterns(xi, "hebbian")
    np.testing.assert_allclose(
        en.HopfieldNetwork.from_gaussian_rbm(xi.T / np.sqrt(20)).weights, hebb.weights, atol=1e-15
    )
