"""Dense associative memories, modern and continuous Hopfield networks.

Oracles: energies and energy differences by brute force (every single flip evaluated as two
full energies), the classical Hebbian network (degree 2 is the same model), cases worked by
hand, and retrieval checks at N = 100 inside the capacities that Krotov & Hopfield (2016)
estimate and Demircigil et al. (2017) and Ramsauer et al. (2020) prove (asymptotic theorems,
not measured numbers: the checks test that a load well inside them is retrieved).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import energynets as en
from energynets.models.dense import DenseAssociativeMemory, ModernHopfield

KINDS = [
    ("polynomial", 2),
    ("polynomial", 3),
    ("polynomial", 4),
    ("rectified", 3),
    ("rectified", 4),
    ("exponential", 2),
]


def _brute_differences(model, states):
    n = states.shape[1]
    out = np.empty(states.shape)
    for i in range(n):
        flipped = states.copy()
        flipped[:, i] *= -1
        out[:, i] = model.energy(flipped) - model.energy(states)
    return out


# -- energy ----------------------------------------------------------------------------------
def test_energy_by_hand():
    # patterns (1, 1, 1) and (1, -1, 1); state (1, 1, -1): overlaps 1 and -1
    xi = np.array([[1.0, 1.0, 1.0], [1.0, -1.0, 1.0]])
    s = np.array([1.0, 1.0, -1.0])
    assert DenseAssociativeMemory(xi, "polynomial", 3).energy(s) == -(1.0 + -1.0)
    assert DenseAssociativeMemory(xi, "polynomial", 4).energy(s) == -2.0
    assert DenseAssociativeMemory(xi, "rectified", 3).energy(s) == -1.0
    np.testing.assert_allclose(
        DenseAssociativeMemory(xi, "exponential").energy(s), -(np.e + 1 / np.e)
    )
    np.testing.assert_array_equal(
        DenseAssociativeMemory(xi).overlaps([s, -s]), [[1.0, -1.0], [-1.0, 1.0]]
    )


@pytest.mark.parametrize(("interaction", "degree"), KINDS)
def test_energy_differences_equal_brute_force(interaction, degree):
    xi = en.datasets.random_patterns(9, 14, rng=1)
    model = DenseAssociativeMemory(xi, interaction, degree)
    states = en.datasets.random_patterns(6, 14, rng=2)
    states[:2] = en.corrupt(xi[:2], 0.2, rng=3)  # near a pattern too
    np.testing.assert_allclose(
        model.energy_differences(states), _brute_differences(model, states), rtol=1e-10, atol=1e-9
    )


def test_exponential_is_stable_for_large_n():
    # N = 2000: exp(2000) overflows, but the dynamics only use shifted differences
    xi = en.datasets.random_patterns(20, 2000, rng=0)
    model = DenseAssociativeMemory(xi, "exponential")
    probes = en.corrupt(xi[:5], 0.2, rng=1)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        res = model.recall(probes, dynamics="sync", max_sweeps=2)
        fixed = model.is_fixed_point(xi)
    np.testing.assert_array_equal(res.states, xi[:5])
    assert fixed.all()
    single = model.is_fixed_point(xi[0])  # one 1-D state: one bool, not an array
    assert np.ndim(single) == 0 and single
    # the energy itself is below the float range: -inf, never NaN
    assert np.all(model.energy(xi[:2]) == -np.inf)
    small = DenseAssociativeMemory(xi[:, :600], "exponential")
    assert np.all(np.isfinite(small.energy(xi[:3, :600])))


# -- dynamics --------------------------------------------------------------------------------
@given(
    seed=st.integers(0, 2**32 - 1),
    n_units=st.integers(2, 24),
    n_patterns=st.integers(1, 30),
    kind=st.sampled_from(KINDS),
    order=st.sampled_from(["random", "sequential"]),
)
def test_async_energy_never_rises_and_ends_at_a_fixed_point(seed, n_units, n_patterns, kind, order):
    gen = np.random.default_rng(seed)
    xi = en.datasets.random_patterns(n_patterns, n_units, rng=gen)
    model = DenseAssociativeMemory(xi, *kind)
    probes = en.datasets.random_patterns(5, n_units, rng=gen)
    res = model.recall(probes, max_sweeps=200, rng=gen, order=order)
    e = res.energies
    scale = np.abs(e).max() + 1.0
    assert np.all(np.diff(e, axis=0) <= 1e-9 * scale)
    assert res.converged.all()
    assert model.is_fixed_point(res.states).all()
    # no single flip lowers the final energy (brute force)
    assert np.all(_brute_differences(model, res.states) >= -1e-9 * scale)
    np.testing.assert_allclose(e[-1], model.energy(res.states), rtol=1e-12)


def test_async_flips_follow_the_differences_one_unit_at_a_time():
    # sequential order, one probe, worked out with brute-force differences unit by unit
    xi = en.datasets.random_patterns(12, 16, rng=4)
    model = DenseAssociativeMemory(xi, "polynomial", 3)
    probe = en.corrupt(xi[0], 0.4, rng=5)
    s = probe.copy()
    for _ in range(50):
        changed = False
        for i in range(16):
            flipped = s.copy()
            flipped[i] *= -1
            if model.energy(flipped) < model.energy(s) - 1e-9:
                s, changed = flipped, True
        if not changed:
            break
    res = model.recall(probe, order="sequential")
    np.testing.assert_array_equal(res.states, s)


@pytest.mark.parametrize("dynamics", ["async", "sync"])
@pytest.mark.parametrize("order", ["random", "sequential"])
def test_degree_two_is_the_classical_hebbian_network(dynamics, order):
    # E_dense = -sum (xi.s)^2 = 2 N E_Hebb - N P, and Delta E_dense = 2 N Delta E_Hebb: the
    # same flips in the same order, hence the same trajectory with the same rng
    n_units, n_patterns = 64, 30  # above capacity: long, non-trivial trajectories
    xi = en.datasets.random_patterns(n_patterns, n_units, rng=5)
    probes = en.corrupt(xi, 0.3, rng=6)
    classical = en.HopfieldNetwork.from_patterns(xi).recall(
        probes, dynamics=dynamics, order=order, rng=7
    )
    dense = DenseAssociativeMemory(xi, "polynomial", 2).recall(
        probes, dynamics=dynamics, order=order, rng=7, record_overlaps=True
    )
    np.testing.assert_array_equal(dense.states, classical.states)
    np.testing.assert_array_equal(dense.n_sweeps, classical.n_sweeps)
    np.testing.assert_array_equal(dense.converged, classical.converged)
    np.testing.assert_array_equal(dense.cycled, classical.cycled)
    np.testing.assert_allclose(
        dense.energies, 2 * n_units * classical.energies - n_units * n_patterns, atol=1e-8
    )
    np.testing.assert_allclose(dense.overlaps, classical.overlaps, atol=1e-12)
    assert np.any(classical.n_sweeps > 1)


def test_chunked_batch_equals_one_probe_at_a_time(monkeypatch):
    from energynets.models import _chunks

    xi = en.datasets.random_patterns(40, 30, rng=8)
    probes = en.corrupt(xi[:9], 0.3, rng=9)
    model = DenseAssociativeMemory(xi, "polynomial", 3)
    whole = model.recall(probes, rng=10)
    monkeypatch.setattr(_chunks, "CHUNK_ELEMENTS", 2 * 40)  # chunks of two probes
    chunked = model.recall(probes, rng=10)
    np.testing.assert_array_equal(chunked.states, whole.states)
    np.testing.assert_array_equal(chunked.energies, whole.energies)
    np.testing.assert_array_equal(chunked.n_sweeps, whole.n_sweeps)


def test_sync_two_cycle_is_reported():
    # one pattern (1, 1), degree 2: the classical two-unit ring with W12 = 1. From (1, -1)
    # (m = 0, E = 0) either flip alone gives m = +-2, E = -4, so both flip at once: (-1, 1),
    # and back again, a 2-cycle; asynchronous updates settle instead
    xi = np.array([[1.0, 1.0]])
    model = DenseAssociativeMemory(xi, "polynomial", 2)
    res = model.recall([[1.0, -1.0], [1.0, 1.0]], dynamics="sync")
    assert res.cycled.tolist() == [True, False]
    assert res.converged.tolist() == [False, True]
    res = model.recall([[1.0, -1.0]], rng=0)
    assert abs(res.states.sum()) == 2 and res.converged.all()
    xi = np.array([[1.0, 1.0, 1.0]])
    res = DenseAssociativeMemory(xi, "polynomial", 3).recall([[1.0, -1.0, -1.0]], dynamics="sync")
    # m = -1, E = -F(-1) = 1; flipping unit 0 gives m = -3, E = 27 (higher); flipping unit 1
    # or 2 gives m = 1, E = -1 (lower): both flip at once -> (1, 1, 1), E = -27, a fixed point
    np.testing.assert_array_equal(res.states, [[1.0, 1.0, 1.0]])
    np.testing.assert_array_equal(res.energies[:, 0], [1.0, -27.0])
    assert res.converged.all() and not res.cycled.any() and res.n_sweeps.tolist() == [1]


def test_same_seed_same_result_and_inputs_untouched():
    xi = en.datasets.random_patterns(50, 40, rng=11)
    probes = en.corrupt(xi[:10], 0.25, rng=12)
    xi_copy, probes_copy = xi.copy(), probes.copy()
    model = DenseAssociativeMemory(xi, "rectified", 3)
    a = model.recall(probes, rng=13)
    b = model.recall(probes, rng=13)
    np.testing.assert_array_equal(a.states, b.states)
    np.testing.assert_array_equal(a.energies, b.energies)
    np.testing.assert_array_equal(xi, xi_copy)
    np.testing.assert_array_equal(probes, probes_copy)
    assert not model.patterns.flags.writeable
    one = model.recall(probes[0], rng=13)
    assert one.states.shape == (40,)


# -- retrieval inside the proven capacities, N = 100, 10% of the bits flipped ----------------------
def test_degree_four_retrieves_all_of_1000_patterns():
    # Krotov & Hopfield 2016: capacity ~ N^3 / (2 * 5!! ln N) = 7240 error-free at N = 100;
    # from 10% noise one asynchronous sweep restores every one of P = 1000 patterns
    xi = en.datasets.random_patterns(1000, 100, rng=0)
    probes = en.corrupt(xi, 0.1, rng=1)
    res = DenseAssociativeMemory(xi, "polynomial", 4).recall(probes, max_sweeps=1, rng=2)
    assert np.all(res.states == xi)


def _exponential_check(n_probes):
    xi = en.datasets.random_patterns(10000, 100, rng=0)
    idx = np.random.default_rng(1).choice(10000, n_probes, replace=False)
    probes = en.corrupt(xi[idx], 0.1, rng=2)
    model = DenseAssociativeMemory(xi, "exponential")
    one_step = model.recall(probes, dynamics="sync", max_sweeps=1)  # one update, all units
    assert np.all(one_step.states == xi[idx])
    modern = ModernHopfield(xi, beta=1.0).retrieve(probes, n_steps=1)
    assert np.all(np.abs(modern.states - xi[idx]) < 1e-6)
    assert np.all(modern.top_pattern == idx) and np.all(modern.fixed_point == "single")


def test_exponential_and_softmax_retrieve_from_10000_patterns():
    # P = 10000 stored at N = 100: Demircigil et al. (2017) prove that exp(alpha N) patterns
    # are retrieved with high probability from probes with rho N flipped spins when
    # alpha < I(1 - 2 rho) / 2, I(x) = ((1 + x) ln(1 + x) + (1 - x) ln(1 - x)) / 2: for
    # rho = 0.1, alpha < 0.184, about 1e8 patterns at N = 100 (asymptotically; 10000 is far
    # inside). Probes of 300 of them, chosen at random, keep this fast; the slow test probes
    # all 10000
    rho = 0.1
    x = 1 - 2 * rho
    bound = ((1 + x) * np.log(1 + x) + (1 - x) * np.log(1 - x)) / 4
    assert np.log(10000) / 100 < bound
    _exponential_check(300)


@pytest.mark.slow
def test_exponential_and_softmax_retrieve_all_of_10000_patterns():
    _exponential_check(10000)


# -- modern Hopfield -------------------------------------------------------------------------
def _brute_modern_energy(x, beta, q):
    z = beta * (x @ q)
    lse = (np.log(np.sum(np.exp(z - z.max()))) + z.max()) / beta
    m = np.max(np.linalg.norm(x, axis=1))
    return -lse + 0.5 * q @ q + np.log(x.shape[0]) / beta + 0.5 * m**2


def test_modern_energy_and_update_by_hand():
    x = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    net = ModernHopfield(x, beta=0.7)
    q = np.array([[0.3, -0.2], [1.0, 1.0]])
    np.testing.assert_allclose(net.energy(q), [_brute_modern_energy(x, 0.7, r) for r in q])
    z = 0.7 * q @ x.T
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(net.attention(q), p)
    np.testing.assert_allclose(net.update(q), p @ x)
    # the energy is >= 0 on the convex hull of the patterns (Ramsauer et al., lemma)
    assert np.all(net.energy(p @ x) >= -1e-12)


@given(
    seed=st.integers(0, 2**32 - 1),
    beta=st.floats(0.01, 20.0),
    n_patterns=st.integers(1, 12),
    n_features=st.integers(1, 8),
)
def test_modern_update_never_raises_the_energy_and_converges(seed, beta, n_patterns, n_features):
    gen = np.random.default_rng(seed)
    x = gen.standard_normal((n_patterns, n_features))
    net = ModernHopfield(x, beta=beta)
    q = 2.0 * gen.standard_normal((4, n_features))
    res = net.retrieve(q, n_steps=500, tol=1e-10)
    e = res.energies
    assert np.all(np.diff(e, axis=0) <= 1e-9 * (1.0 + np.abs(e[:-1])))
    assert res.converged.all()
    np.testing.assert_allclose(net.update(res.states), res.states, atol=1e-8)


def test_fixed_point_types_on_constructed_cases():
    # eight orthogonal patterns 5 e_k (k < 8) and a near-duplicate pair 5 e_8 +- 0.1 e_9
    x = np.zeros((10, 10))
    x[np.arange(8), np.arange(8)] = 5.0
    x[8, 8] = x[9, 8] = 5.0
    x[8, 9], x[9, 9] = 0.1, -0.1
    sharp = ModernHopfield(x, beta=4.0)
    q = np.zeros((2, 10))
    q[0, :2] = [4.0, 0.5]  # near pattern 0
    q[1, [0, 8]] = [0.3, 4.0]  # between the twins
    res = sharp.retrieve(q, n_steps=20)
    # the first query retrieves pattern 0 alone; the second settles on the twins' mean: a
    # metastable state averaging 2 of the 10 patterns
    assert res.fixed_point.tolist() == ["single", "metastable"]
    assert res.top_pattern[0] == 0 and res.top_weight[0] > 0.999
    np.testing.assert_allclose(res.n_effective[1], 2.0, atol=0.01)
    np.testing.assert_allclose(res.states[1], 5.0 * np.eye(10)[8], atol=1e-3)
    # beta -> 0: the global average of all patterns
    flat = sharp.with_beta(1e-4).retrieve(q[:1], n_steps=5)
    assert flat.fixed_point.tolist() == ["global"]
    np.testing.assert_allclose(flat.states[0], x.mean(axis=0), atol=0.01)
    assert sharp.beta == 4.0  # with_beta made a new model
    # the classifier on weights directly: n_eff = 1.2, 2 and 4 out of 4
    kinds = ModernHopfield.fixed_point_types(
        [[0.9, 0.05, 0.05, 0.0], [0.5, 0.5, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]]
    )
    assert kinds.tolist() == ["single", "metastable", "global"]


def test_separation_and_beta():
    x = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]])
    # Delta_mu = x_mu . x_mu - max_{nu != mu} x_mu . x_nu
    np.testing.assert_allclose(ModernHopfield(x).separation(), [0.2, 0.2, 0.4])
    # larger beta: the softmax is sharper around the query's nearest pattern
    q = np.array([[0.9, 0.1]])
    weights = [ModernHopfield(x, beta=b).attention(q)[0, 0] for b in (0.1, 1.0, 10.0, 100.0)]
    assert np.all(np.diff(weights) > 0)


def test_modern_float32_and_1d():
    xi = en.datasets.random_patterns(50, 32, rng=3)
    net = ModernHopfield(xi, beta=1.0, dtype=np.float32)
    res = net.retrieve(en.corrupt(xi[0], 0.1, rng=4))
    assert res.states.shape == (32,) and res.states.dtype == np.float32
    np.testing.assert_allclose(res.states, xi[0], atol=1e-4)
    assert res.energies.shape == (2, 1)


# -- the continuous (1984) network ------------------------------------------------------------
def test_continuous_energy_never_rises_and_recalls():
    xi = en.datasets.random_patterns(3, 40, rng=0)
    net = en.ContinuousHopfield.from_patterns(xi, gain=4.0)
    u0 = net.potentials_from(en.corrupt(xi, 0.15, rng=1))
    traj = net.simulate(u0, t_max=8.0, n_times=81)
    assert traj.potentials.shape == (81, 3, 40) and traj.energies.shape == (81, 3)
    assert np.all(np.diff(traj.energies, axis=0) <= 1e-8)
    np.testing.assert_array_equal(np.sign(traj.final), xi)
    # dE/dt = -sum g'(u) (du/dt)^2: finite differences of the energy along the path
    net1 = en.ContinuousHopfield(net.weights, gain=4.0)
    u = traj.potentials[10]
    du = net1.velocity(u)
    g_prime = 4.0 * (1 - np.tanh(4.0 * u) ** 2)
    h = 1e-6
    rate = (net1.energy(net1.output(u + h * du)) - net1.energy(net1.output(u - h * du))) / (2 * h)
    np.testing.assert_allclose(rate, -np.sum(g_prime * du**2, axis=1), rtol=1e-5)


def test_continuous_energy_by_hand():
    # one unit, no coupling: E(V) = -b V + (V artanh V + 1/2 log(1 - V^2)) / (gain tau)
    net = en.ContinuousHopfield([[0.0]], bias=[0.5], gain=2.0, tau=0.5)
    v = 0.3
    expected = -0.5 * v + (v * np.arctanh(v) + 0.5 * np.log(1 - v * v)) / 1.0
    np.testing.assert_allclose(net.energy([v]), expected)
    # its fixed point: u / tau = b -> u = 0.25
    traj = net.simulate([0.0], t_max=10.0)
    np.testing.assert_allclose(traj.potentials[-1, 0, 0], 0.25, atol=1e-5)


# -- persistence -----------------------------------------------------------------------------
def test_save_and_load(tmp_path):
    xi = en.datasets.random_patterns(5, 12, rng=0)
    models = [
        DenseAssociativeMemory(xi, "rectified", 5),
        ModernHopfield(xi, beta=0.25, dtype=np.float32),
        en.ContinuousHopfield.from_patterns(xi, gain=2.0, tau=3.0),
    ]
    for model in models:
        path = tmp_path / f"{type(model).__name__}.npz"
        en.io.save(model, path)
        loaded = en.io.load(path)
        assert type(loaded) is type(model) and repr(loaded) == repr(model)
        for key, value in model.get_params().items():
            np.testing.assert_array_equal(loaded.get_params()[key], value)


# -- bad input -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"patterns": [[1, 0, 1]]}, ValueError, "patterns must contain only -1 and \\+1"),
        ({"patterns": [1, -1, 1]}, ValueError, "patterns must be a 2-D array"),
        ({"patterns": [[1, np.nan]]}, ValueError, "patterns must contain only finite"),
        ({"interaction": "cubic"}, ValueError, "interaction must be one of"),
        ({"degree": 1}, ValueError, "degree must be >= 2, got 1"),
        ({"degree": 2.5}, TypeError, "degree must be an int"),
    ],
)
def test_dense_rejects_bad_input(kwargs, error, match):
    args = {"patterns": [[1, -1, 1], [-1, 1, 1]], "interaction": "polynomial", "degree": 3}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        DenseAssociativeMemory(**args)


def test_dense_rejects_bad_probes_and_options():
    model = DenseAssociativeMemory([[1, -1, 1], [-1, 1, 1]])
    with pytest.raises(ValueError, match="probes must have 3 units"):
        model.recall([[1, 1]])
    with pytest.raises(ValueError, match="probes must contain only -1 and \\+1"):
        model.recall([[1, 0.5, 1]])
    with pytest.raises(ValueError, match="dynamics must be one of"):
        model.recall([[1, 1, 1]], dynamics="parallel")
    with pytest.raises(ValueError, match="max_sweeps must be >= 0"):
        model.recall([[1, 1, 1]], max_sweeps=-1)
    with pytest.raises(TypeError, match="record_overlaps must be a bool"):
        model.recall([[1, 1, 1]], record_overlaps="yes")
    with pytest.raises(ValueError, match="states must have 3 units"):
        model.energy([1, 1])


@pytest.mark.parametrize(
    ("beta", "error", "match"),
    [
        (0.0, ValueError, "beta must be > 0"),
        (-1.0, ValueError, "beta must be > 0"),
        (np.nan, ValueError, "beta must be finite"),
        ("1", TypeError, "beta must be a real"),
    ],
)
def test_modern_rejects_bad_beta(beta, error, match):
    with pytest.raises(error, match=match):
        ModernHopfield([[1.0, 0.0]], beta=beta)


def test_modern_rejects_bad_input():
    with pytest.raises(ValueError, match="patterns must contain only finite"):
        ModernHopfield([[1.0, np.inf]])
    with pytest.raises(ValueError, match="patterns must be a 2-D array"):
        ModernHopfield([1.0, 2.0])
    net = ModernHopfield([[1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="queries must have 2 features"):
        net.retrieve([[1.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="n_steps must be >= 1"):
        net.retrieve([[1.0, 0.0]], n_steps=0)
    with pytest.raises(ValueError, match="queries must contain only finite"):
        net.retrieve([[np.nan, 0.0]])
    with pytest.raises(ValueError, match="attention must hold non-negative rows"):
        ModernHopfield.fixed_point_types([[0.5, 0.2]])


def test_continuous_rejects_bad_input():
    with pytest.raises(ValueError, match="weights must be symmetric"):
        en.ContinuousHopfield([[0.0, 1.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match="gain must be > 0"):
        en.ContinuousHopfield([[0.0]], gain=0.0)
    net = en.ContinuousHopfield([[0.0, 1.0], [1.0, 0.0]])
    with pytest.raises(ValueError, match="outputs must lie strictly inside"):
        net.energy([1.0, 0.0])
    with pytest.raises(ValueError, match="potentials must have 2 units"):
        net.simulate([0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="t_max must be > 0"):
        net.simulate([0.0, 0.0], t_max=0.0)


def test_modern_and_continuous_leave_inputs_untouched():
    xi = en.datasets.random_patterns(20, 16, rng=0)
    queries = en.corrupt(xi[:4], 0.2, rng=1)
    xi_copy, q_copy = xi.copy(), queries.copy()
    net = ModernHopfield(xi, beta=0.5)
    a = net.retrieve(queries, n_steps=3)
    b = net.retrieve(queries, n_steps=3)
    np.testing.assert_array_equal(a.states, b.states)
    np.testing.assert_array_equal(queries, q_copy)
    np.testing.assert_array_equal(xi, xi_copy)
    assert not net.patterns.flags.writeable
    cont = en.ContinuousHopfield.from_patterns(xi, gain=2.0)
    u0 = cont.potentials_from(queries)
    u_copy = u0.copy()
    cont.simulate(u0, t_max=1.0, n_times=5)
    np.testing.assert_array_equal(u0, u_copy)
