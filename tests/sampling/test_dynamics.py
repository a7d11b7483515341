"""Hopfield dynamics against a literal single-unit reference and the exact Boltzmann law."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import energynets as en
from energynets.sampling.dynamics import trajectory


def _random_net(n_units, rng, bias=True):
    g = np.random.default_rng(rng)
    w = g.normal(size=(n_units, n_units))
    w = (w + w.T) / 2
    np.fill_diagonal(w, 0.0)
    b = g.normal(size=n_units) if bias else None
    return en.HopfieldNetwork(w, b)


def _literal_async(net, probes, order, max_sweeps, seed):
    """Textbook asynchronous dynamics, one probe and one unit at a time.

    Draws one visiting order per sweep, as the package does, while any probe can still move.
    """
    g = np.random.default_rng(seed)
    w, b = net.weights, net.bias
    s = np.array(probes, dtype=float)
    n = s.shape[1]
    n_sweeps = np.zeros(len(s), dtype=int)

    def unstable(x):
        return (x * (w @ x + b) < -1e-9).any()

    for _ in range(max_sweeps):
        moving = [r for r in range(len(s)) if unstable(s[r])]
        if not moving:
            break
        perm = g.permutation(n) if order == "random" else np.arange(n)
        for r in moving:
            n_sweeps[r] += 1
            for i in perm:
                h = w[i] @ s[r] + b[i]
                if h * s[r, i] < -1e-9:
                    s[r, i] = -s[r, i]
    return s, n_sweeps


@pytest.mark.parametrize(("n_units", "n_probes"), [(12, 1), (40, 3), (300, 20), (130, 9)])
@pytest.mark.parametrize("order", ["random", "sequential"])
def test_async_equals_literal_single_unit_dynamics(n_units, n_probes, order):
    net = _random_net(n_units, rng=n_units)
    probes = en.datasets.random_patterns(n_probes, n_units, rng=1)
    res = net.recall(probes, order=order, rng=5)
    s, n_sweeps = _literal_async(net, probes, order, 100, seed=5)
    assert np.array_equal(res.states, s)
    assert np.array_equal(res.n_sweeps, n_sweeps)
    assert res.converged.all() and np.all(net.is_fixed_point(res.states))
    np.testing.assert_allclose(res.energies[-1], net.energy(s), rtol=1e-9, atol=1e-9)


@given(
    n_units=st.integers(2, 40),
    n_probes=st.integers(1, 12),
    seed=st.integers(0, 2**31),
    order=st.sampled_from(["random", "sequential"]),
)
def test_energy_never_rises_under_zero_temperature_async(n_units, n_probes, seed, order):
    net = _random_net(n_units, rng=seed)
    probes = en.datasets.random_patterns(n_probes, n_units, rng=seed + 1)
    res = net.recall(probes, order=order, rng=seed + 2)
    scale = np.abs(res.energies).max() + 1
    assert np.all(np.diff(res.energies, axis=0) <= 1e-9 * scale)
    np.testing.assert_allclose(res.energies[-1], net.energy(res.states), atol=1e-9 * scale)
    assert res.converged.all()
    frames, energies = trajectory(net, probes[0], order=order, record_every=1, rng=seed)
    assert np.all(np.diff(energies) <= 1e-9 * scale)
    # the animation follows the same dynamics as recall for the same seed
    assert np.array_equal(frames[-1], net.recall(probes[0], order=order, rng=seed).states)


def test_sync_matches_literal_synchronous_updates():
    net = _random_net(25, rng=3, bias=False)
    probes = en.datasets.random_patterns(30, 25, rng=4)
    res = net.recall(probes, dynamics="sync", max_sweeps=200)
    for r, p in enumerate(probes):
        s, prev = p.copy(), None
        for _ in range(200):
            h = net.weights @ s
            new = np.where(h > 0, 1.0, np.where(h < 0, -1.0, s))
            if np.array_equal(new, s) or (prev is not None and np.array_equal(new, prev)):
                break
            prev, s = s, new
        assert np.array_equal(res.states[r], s)
        assert res.converged[r] == np.array_equal(new, s)
        assert res.cycled[r] == (not res.converged[r])


def _exact_boltzmann(net, temperature):
    states = en.all_states(net.n_units)
    logp = -net.energy(states) / temperature
    p = np.exp(logp - logp.max())
    return states, p / p.sum()


@pytest.mark.parametrize("order", ["random", "sequential"])
def test_glauber_samples_the_boltzmann_distribution(order):
    """Chi-square of Glauber samples against the exact distribution, repeats combined."""
    net = _random_net(6, rng=11)
    temperature = 1.5
    _, p = _exact_boltzmann(net, temperature)
    codes = 2 ** np.arange(5, -1, -1)
    pvalues = []
    for seed in range(4):
        g = np.random.default_rng(seed)
        start = en.datasets.random_patterns(3000, 6, rng=g)
        res = net.recall(start, temperature=temperature, max_sweeps=25, order=order, rng=g)
        idx = ((res.states + 1) / 2).astype(int) @ codes
        counts = np.bincount(idx, minlength=64)
        pvalues.append(stats.chisquare(counts, p * counts.sum()).pvalue)
    combined = stats.combine_pvalues(pvalues).pvalue
    assert combined > 1e-3, pvalues
    assert not res.converged.any() and np.all(res.n_sweeps == 25)


def test_glauber_detects_a_wrong_temperature():
    """The chi-square test above has power: sampling at T = 1 is rejected against T = 1.5."""
    net = _random_net(6, rng=11)
    _, p = _exact_boltzmann(net, 1.5)
    codes = 2 ** np.arange(5, -1, -1)
    start = en.datasets.random_patterns(3000, 6, rng=0)
    res = net.recall(start, temperature=1.0, max_sweeps=25, rng=0)
    counts = np.bincount(((res.states + 1) / 2).astype(int) @ codes, minlength=64)
    assert stats.chisquare(counts, p * counts.sum()).pvalue < 1e-6


def test_trajectory_arguments():
    net = _random_net(5, rng=0)
    with pytest.raises(ValueError, match="probe must be a single state"):
        trajectory(net, np.ones((2, 5)))
    with pytest.raises(ValueError, match="record_every must be >= 1"):
        trajectory(net, np.ones(5), record_every=0)


@pytest.mark.parametrize("rule", ["hebbian", "pseudoinverse"])
@pytest.mark.parametrize("dynamics", ["async", "sync"])
def test_low_rank_fields_give_the_same_dynamics_as_the_full_matrix(rule, dynamics):
    """Hebbian and projector weights are used in factored form; nothing may change."""
    xi = en.datasets.random_patterns(30, 400, rng=0)
    net = en.HopfieldNetwork.from_patterns(xi, rule)
    assert net.field_factor() is not None  # the factored path is the one under test
    plain = en.HopfieldNetwork(net.weights)  # same weights, no patterns: full-matrix path
    assert plain.field_factor() is None
    probes = en.corrupt(xi, 0.3, rng=1)
    a = net.recall(probes, dynamics=dynamics, rng=2)
    b = plain.recall(probes, dynamics=dynamics, rng=2)
    assert np.array_equal(a.states, b.states)
    assert np.array_equal(a.n_sweeps, b.n_sweeps)
    np.testing.assert_allclose(a.energies, b.energies, rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize("dynamics", ["async", "sync"])
@pytest.mark.parametrize("temperature", [1e-300, 1e-310, 5e-324])
def test_glauber_at_subnormal_temperatures_is_the_zero_temperature_limit(dynamics, temperature):
    # 2 h / T overflows to +-inf: probability 1 or 0, with no overflow warning (warnings are
    # errors in the tests); from a state one flip away, the ferromagnet aligns at once
    w = np.full((4, 4), 1e4)
    np.fill_diagonal(w, 0.0)
    net = en.HopfieldNetwork(w)
    start = np.array([[1.0, 1.0, -1.0, 1.0]] * 3)
    result = net.recall(start, dynamics=dynamics, temperature=temperature, rng=0, max_sweeps=3)
    np.testing.assert_array_equal(result.states, np.ones((3, 4)))
