"""Tests of the exact enumeration oracle, energynets.exact.

The oracle is what everything else is checked against, so it is checked against cases worked
out by hand, against direct (unchunked, unstabilised) sums, and against its own definitions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from scipy import stats
from scipy.special import expit, logsumexp

from energynets import HopfieldNetwork, exact
from energynets.states import all_states


# -- test-only models ------------------------------------------------------------------------
class IndependentBits:
    """E(b) = -h . b over bits b in {0, 1}^n: independent units, P(b_i = 1) = expit(h_i)."""

    unit_kind = "bits"

    def __init__(self, fields: Any) -> None:
        self.fields = np.asarray(fields, dtype=np.float64)
        self.n_units = self.fields.shape[0]
        self.calls = 0

    def energy(self, states: np.ndarray) -> np.ndarray:
        states = np.asarray(states)
        assert np.all((states == 0) | (states == 1)), "bits model received non-bit states"
        self.calls += 1
        return -states @ self.fields


class Scaled:
    """A model whose energy is ``factor`` times that of ``model`` (same states)."""

    def __init__(self, model: Any, factor: float) -> None:
        self.model = model
        self.factor = factor
        self.n_units = model.n_units

    def energy(self, states: np.ndarray) -> np.ndarray:
        return self.factor * self.model.energy(states)


class NeverEvaluated:
    """A model too large to enumerate; calling its energy would be a bug."""

    def __init__(self, n_units: int) -> None:
        self.n_units = n_units

    def energy(self, states: np.ndarray) -> np.ndarray:  # pragma: no cover - must not run
        raise AssertionError("energy must not be evaluated for a model that is too large")


def random_network(n_units: int, seed: int, scale: float = 1.0) -> HopfieldNetwork:
    rng = np.random.default_rng(seed)
    a = rng.normal(scale=scale, size=(n_units, n_units))
    weights = np.triu(a, 1) + np.triu(a, 1).T
    return HopfieldNetwork(weights, rng.normal(scale=scale, size=n_units))


def state_index(states: np.ndarray) -> np.ndarray:
    """Row index of each state in all_states (first unit most significant)."""
    bits = (states > 0).astype(np.int64)
    return bits @ (2 ** np.arange(states.shape[1] - 1, -1, -1))


# -- worked by hand ---------------------------------------------------------------------------
def test_two_spins_by_hand() -> None:
    # W_12 = 1, b = (0.5, 0):  E(s) = -1/2 s^T W s - b^T s = -s1 s2 - 0.5 s1
    #   s = (-1, -1):  E = -1 + 0.5 = -0.5
    #   s = (-1, +1):  E = +1 + 0.5 = +1.5
    #   s = (+1, -1):  E = +1 - 0.5 = +0.5
    #   s = (+1, +1):  E = -1 - 0.5 = -1.5
    # Z = e^0.5 + e^-1.5 + e^-0.5 + e^1.5 = 2 cosh(1.5) + 2 cosh(0.5) = 6.960071...
    # <s1> = (-e^0.5 - e^-1.5 + e^-0.5 + e^1.5) / Z,  <s2> = (-e^0.5 + e^-1.5 - e^-0.5 + e^1.5) / Z
    # <s1 s2> = (e^0.5 - e^-1.5 - e^-0.5 + e^1.5) / Z
    net = HopfieldNetwork([[0.0, 1.0], [1.0, 0.0]], [0.5, 0.0])
    weights = np.exp([0.5, -1.5, -0.5, 1.5])
    z = 2 * np.cosh(1.5) + 2 * np.cosh(0.5)
    assert z == pytest.approx(6.960071, abs=1e-6)
    assert exact.log_partition(net) == pytest.approx(np.log(z), rel=1e-13)

    states, probs = exact.probabilities(net)
    np.testing.assert_array_equal(states, [[-1, -1], [-1, 1], [1, -1], [1, 1]])
    np.testing.assert_allclose(probs, weights / z, rtol=1e-13)

    mean, second = exact.expectations(net)
    np.testing.assert_allclose(mean, [(-1, -1, 1, 1) @ weights / z, (-1, 1, -1, 1) @ weights / z])
    s12 = (1, -1, -1, 1) @ weights / z
    np.testing.assert_allclose(second, [[1.0, s12], [s12, 1.0]], rtol=1e-13)

    ground, energy = exact.ground_states(net)
    np.testing.assert_array_equal(ground, [[1, 1]])
    assert energy == pytest.approx(-1.5)


def test_three_spin_ferromagnet_by_hand() -> None:
    # All couplings W_ij = 1, no bias: E(s) = -(s1 s2 + s1 s3 + s2 s3).
    #   the 2 aligned states (all -1, all +1): E = -3
    #   the 6 states with one spin against the other two: the pair sum is -1, E = +1
    # Z(T) = 2 e^(3/T) + 6 e^(-1/T);  at T = 1: Z = 2 e^3 + 6 / e = 42.378...
    # <s_i> = 0 by the s -> -s symmetry. For the pair (1, 2): s1 s2 = +1 in the 2 aligned
    # states and in the 2 states where spin 3 is the odd one, -1 in the other 4:
    # <s1 s2> = (2 e^(3/T) + 2 e^(-1/T) - 4 e^(-1/T)) / Z = (2 e^(3/T) - 2 e^(-1/T)) / Z.
    net = HopfieldNetwork(np.ones((3, 3)) - np.eye(3))
    for t in (1.0, 0.5, 3.0):
        z = 2 * np.exp(3 / t) + 6 * np.exp(-1 / t)
        assert exact.log_partition(net, temperature=t) == pytest.approx(np.log(z), rel=1e-13)
        mean, second = exact.expectations(net, temperature=t)
        np.testing.assert_allclose(mean, 0.0, atol=1e-15)
        pair = (2 * np.exp(3 / t) - 2 * np.exp(-1 / t)) / z
        np.testing.assert_allclose(second, np.where(np.eye(3) == 1, 1.0, pair), rtol=1e-13)
    assert exact.log_partition(net) == pytest.approx(np.log(42.378), abs=1e-4)

    ground, energy = exact.ground_states(net)
    np.testing.assert_array_equal(ground, [[-1, -1, -1], [1, 1, 1]])
    assert energy == -3.0


def test_bits_model_enumerates_bits_by_hand() -> None:
    # Independent bits with E(b) = -(1 b1 + 0 b2 - 1 b3):
    # Z = sum_b prod_i e^(h_i b_i) = (1 + e)(1 + 1)(1 + e^-1), P(b_i = 1) = e^h_i / (1 + e^h_i).
    model = IndependentBits([1.0, 0.0, -1.0])
    z = (1 + np.e) * 2 * (1 + 1 / np.e)
    assert exact.log_partition(model) == pytest.approx(np.log(z), rel=1e-13)

    states, probs = exact.probabilities(model)
    np.testing.assert_array_equal(states, all_states(3, "bits"))
    np.testing.assert_allclose(probs, np.exp(states @ model.fields) / z, rtol=1e-13)

    mean, second = exact.expectations(model)
    p = expit(model.fields)
    np.testing.assert_allclose(mean, p, rtol=1e-13)
    # independent units: <b_i b_j> = p_i p_j off the diagonal, <b_i^2> = <b_i> on it
    np.testing.assert_allclose(second, np.outer(p, p) - np.diag(p * p) + np.diag(p), rtol=1e-13)

    ground, energy = exact.ground_states(model)
    np.testing.assert_array_equal(ground, [[1, 0, 0], [1, 1, 0]])  # b2 has no field: a tie
    assert energy == -1.0

    draws = exact.sample(model, 50, rng=0)
    assert set(np.unique(draws)) <= {0.0, 1.0}


# -- against direct sums -----------------------------------------------------------------------
def test_log_partition_matches_direct_sum_for_random_network() -> None:
    net = random_network(8, seed=1, scale=0.5)
    energies = net.energy(all_states(8))
    direct = np.log(np.sum(np.exp(-energies)))
    assert exact.log_partition(net) == pytest.approx(direct, rel=1e-12)
    assert exact.log_partition(net, temperature=2.5) == pytest.approx(
        np.log(np.sum(np.exp(-energies / 2.5))), rel=1e-12
    )


@pytest.mark.parametrize("temperature", [0.1, 0.7, 1.0, 4.0])
def test_temperature_scales_the_energy(temperature: float) -> None:
    # exp(-E / T) is the Boltzmann weight of the energy E / T at temperature 1
    net = random_network(6, seed=2)
    expected = exact.log_partition(Scaled(net, 1.0 / temperature))
    assert exact.log_partition(net, temperature=temperature) == pytest.approx(expected, rel=1e-12)
    same = HopfieldNetwork(net.weights / temperature, net.bias / temperature)
    assert exact.log_partition(same) == pytest.approx(expected, rel=1e-12)


def test_probabilities_sum_to_one_and_follow_all_states() -> None:
    net = random_network(7, seed=3)
    for t in (0.2, 1.0, 10.0):
        states, probs = exact.probabilities(net, temperature=t)
        np.testing.assert_array_equal(states, all_states(7))
        assert probs.shape == (2**7,)
        assert np.all(probs >= 0)
        assert np.sum(probs) == pytest.approx(1.0, abs=1e-12)
        # log P = -E / T - log Z
        log_z = exact.log_partition(net, temperature=t)
        np.testing.assert_allclose(np.log(probs), -net.energy(states) / t - log_z, atol=1e-10)


def test_expectations_match_sums_over_probabilities() -> None:
    net = random_network(6, seed=4)
    states, probs = exact.probabilities(net, temperature=1.3)
    mean, second = exact.expectations(net, temperature=1.3)
    assert mean.shape == (6,)
    assert second.shape == (6, 6)
    np.testing.assert_allclose(mean, probs @ states, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(second, (states * probs[:, None]).T @ states, atol=1e-13)
    np.testing.assert_array_equal(second, second.T)
    np.testing.assert_allclose(np.diag(second), 1.0, rtol=1e-13)


def test_large_energies_neither_overflow_nor_underflow() -> None:
    # energies of order 1e4: exp(-E) overflows float64, the stabilised sums must not
    net = random_network(5, seed=5, scale=3000.0)
    energies = net.energy(all_states(5))
    assert exact.log_partition(net) == pytest.approx(logsumexp(-energies), rel=1e-13)
    _, probs = exact.probabilities(net)
    assert np.isfinite(probs).all()
    assert np.sum(probs) == pytest.approx(1.0)
    mean, second = exact.expectations(net)
    ground, _ = exact.ground_states(net)
    # at such a scale the distribution is a point mass on the ground state
    np.testing.assert_allclose(mean, ground[0], atol=1e-12)
    np.testing.assert_allclose(second, np.outer(ground[0], ground[0]), atol=1e-12)


@pytest.mark.parametrize("kind", ["spins", "bits"])
def test_blocks_cover_all_states_in_order(monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    for block_bits in (1, 3, 16):
        monkeypatch.setattr(exact, "_BLOCK_BITS", block_bits)
        for n_units in (1, 2, 5):
            starts, blocks = zip(*exact._blocks(n_units, kind), strict=True)
            np.testing.assert_array_equal(np.concatenate(blocks), all_states(n_units, kind))
            assert starts == tuple(range(0, 2**n_units, blocks[0].shape[0]))


def test_results_do_not_depend_on_the_block_size(monkeypatch: pytest.MonkeyPatch) -> None:
    # Force many small blocks so the block-wise logsumexp, the running-maximum rescaling of
    # expectations and the two passes of ground_states are all exercised.
    net = random_network(7, seed=6, scale=0.8)
    whole = (
        exact.log_partition(net, 0.6),
        exact.probabilities(net, 0.6),
        exact.expectations(net, 0.6),
        exact.ground_states(net),
    )
    monkeypatch.setattr(exact, "_BLOCK_BITS", 3)
    assert exact.log_partition(net, 0.6) == pytest.approx(whole[0], rel=1e-13)
    states, probs = exact.probabilities(net, 0.6)
    np.testing.assert_array_equal(states, whole[1][0])
    np.testing.assert_allclose(probs, whole[1][1], rtol=1e-12)
    mean, second = exact.expectations(net, 0.6)
    np.testing.assert_allclose(mean, whole[2][0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(second, whole[2][1], rtol=1e-12, atol=1e-14)
    ground, energy = exact.ground_states(net)
    np.testing.assert_array_equal(ground, whole[3][0])
    assert energy == whole[3][1]


# -- ground states -----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_hebbian_one_pattern_ground_states_are_pattern_and_mirror(dtype: Any) -> None:
    n_units = 12
    pattern = np.random.default_rng(7).choice([-1.0, 1.0], size=n_units)
    net = HopfieldNetwork.from_patterns(pattern[None, :], rule="hebbian", dtype=dtype)
    ground, energy = exact.ground_states(net)
    assert ground.shape == (2, n_units)
    assert {tuple(row) for row in ground} == {tuple(pattern), tuple(-pattern)}
    # W = (xi xi^T - I) / N gives E(xi) = -1/2 (N^2 - N) / N = -(N - 1) / 2
    assert energy == pytest.approx(-(n_units - 1) / 2, rel=1e-6)


def test_ground_states_tolerance_groups_rounding_ties() -> None:
    # two energies equal in exact arithmetic that differ by rounding: 0.1 + 0.2 and 0.3
    class Ties:
        n_units = 2

        def energy(self, states: np.ndarray) -> np.ndarray:
            index = state_index(states)
            return np.array([0.1 + 0.2, 0.3, 1.0, 2.0])[index]

    assert 0.1 + 0.2 != 0.3
    ground, energy = exact.ground_states(Ties())
    np.testing.assert_array_equal(ground, [[-1, -1], [-1, 1]])
    assert energy == 0.3
    strict, _ = exact.ground_states(Ties(), rtol=0.0)
    np.testing.assert_array_equal(strict, [[-1, 1]])


# -- the exact sampler -------------------------------------------------------------------------
def pool_small_bins(
    observed: np.ndarray, expected: np.ndarray, minimum: float = 5.0
) -> tuple[np.ndarray, np.ndarray]:
    """Merge the least likely bins into one until it expects >= ``minimum`` counts.

    The chi-square approximation needs expected counts of about 5 or more in every bin.
    """
    order = np.argsort(expected)
    n_merge = int(np.searchsorted(np.cumsum(expected[order]), minimum)) + 1
    if n_merge <= 1:
        return observed, expected
    merged, kept = order[:n_merge], order[n_merge:]
    return (
        np.append(observed[kept], observed[merged].sum()),
        np.append(expected[kept], expected[merged].sum()),
    )


@pytest.mark.parametrize(
    ("make_model", "temperature", "block_bits"),
    [
        (lambda: random_network(4, seed=8, scale=0.4), 1.0, None),
        (lambda: random_network(4, seed=9, scale=0.4), 0.7, 2),  # many blocks: two-stage draw
        (lambda: IndependentBits([0.5, -0.5, 1.0, 0.0]), 1.0, None),
    ],
)
def test_sampler_histogram_passes_chi_square(
    monkeypatch: pytest.MonkeyPatch,
    make_model: Callable[[], Any],
    temperature: float,
    block_bits: int | None,
) -> None:
    if block_bits is not None:
        monkeypatch.setattr(exact, "_BLOCK_BITS", block_bits)
    model = make_model()
    _, probs = exact.probabilities(model, temperature)
    n_samples = 4000
    p_values = []
    for seed in range(5):
        draws = exact.sample(model, n_samples, temperature, rng=seed)
        assert draws.shape == (n_samples, model.n_units)
        counts = np.bincount(state_index(draws), minlength=probs.size)
        observed, expected = pool_small_bins(counts, probs * n_samples)
        p_values.append(stats.chisquare(observed, expected).pvalue)
    combined = stats.combine_pvalues(p_values, method="fisher").pvalue
    # The seeds are fixed, so this is deterministic; a correct sampler would fail a fresh set
    # of seeds with probability 1e-4. A sampler whose temperature is off by 7% gives combined
    # p-values below 1e-10 here.
    assert combined > 1e-4, f"p-values {p_values}, combined {combined}"


def test_sampler_rng_contract() -> None:
    net = random_network(5, seed=10)
    np.testing.assert_array_equal(exact.sample(net, 200, rng=3), exact.sample(net, 200, rng=3))
    gen = np.random.default_rng(11)
    first = exact.sample(net, 200, rng=gen)
    second = exact.sample(net, 200, rng=gen)  # a Generator is shared: its stream continues
    assert not np.array_equal(first, second)
    assert exact.sample(net, 0).shape == (0, 5)
    with pytest.raises(TypeError, match="rng must be an int seed"):
        exact.sample(net, 10, rng="seed")
    with pytest.raises(ValueError, match="n_samples must be >= 0, got -1"):
        exact.sample(net, -1)


def test_sampler_at_low_temperature_finds_the_ground_states() -> None:
    pattern = np.array([1.0, -1.0, 1.0, 1.0, -1.0, -1.0])
    net = HopfieldNetwork.from_patterns(pattern[None, :])
    draws = exact.sample(net, 300, temperature=0.01, rng=12)
    assert {tuple(row) for row in draws} == {tuple(pattern), tuple(-pattern)}


# -- errors ------------------------------------------------------------------------------------
ALL_FUNCTIONS: list[Callable[[Any], Any]] = [
    exact.log_partition,
    exact.probabilities,
    exact.expectations,
    exact.ground_states,
    lambda model: exact.sample(model, 10),
]


@pytest.mark.parametrize("function", ALL_FUNCTIONS)
def test_too_many_units_is_refused_before_any_work(function: Callable[[Any], Any]) -> None:
    assert exact.MAX_UNITS == 24
    with pytest.raises(
        ValueError, match=r"model\.n_units must be <= MAX_UNITS = 24 .*got n_units = 25"
    ):
        function(NeverEvaluated(25))


WITH_TEMPERATURE: list[Callable[[Any, float], Any]] = [
    exact.log_partition,
    exact.probabilities,
    exact.expectations,
    lambda model, temperature: exact.sample(model, 10, temperature),
]


@pytest.mark.parametrize("function", WITH_TEMPERATURE)
@pytest.mark.parametrize("temperature", [0.0, -1.0])
def test_non_positive_temperature_is_refused(
    function: Callable[[Any, float], Any], temperature: float
) -> None:
    net = random_network(3, seed=13)
    with pytest.raises(ValueError, match=rf"temperature must be > 0\.0, got {temperature}"):
        function(net, temperature)
    with pytest.raises(ValueError, match="temperature must be finite, got inf"):
        function(net, float("inf"))


def test_bad_models_are_refused_with_clear_messages() -> None:
    with pytest.raises(TypeError, match="model must have an n_units attribute and an energy"):
        exact.log_partition(object())

    class WrongKind(IndependentBits):
        unit_kind = "ternary"

    with pytest.raises(ValueError, match="model.unit_kind must be one of 'spins', 'bits', got"):
        exact.log_partition(WrongKind([0.0]))

    class WrongShape(IndependentBits):
        def energy(self, states: np.ndarray) -> np.ndarray:
            return np.zeros((states.shape[0], 1))

    with pytest.raises(ValueError, match=r"must return shape \(2,\) .* got shape \(2, 1\)"):
        exact.log_partition(WrongShape([0.0]))

    class NotFinite(IndependentBits):
        def energy(self, states: np.ndarray) -> np.ndarray:
            return np.full(states.shape[0], np.nan)

    with pytest.raises(ValueError, match="must be finite for every state"):
        exact.expectations(NotFinite([0.0]))

    with pytest.raises(ValueError, match="rtol must be >= 0.0, got -1.0"):
        exact.ground_states(IndependentBits([0.0]), rtol=-1.0)


def test_models_are_not_modified() -> None:
    net = random_network(5, seed=14)
    weights, bias = net.weights.copy(), net.bias.copy()
    exact.log_partition(net)
    exact.probabilities(net)
    exact.expectations(net)
    exact.ground_states(net)
    exact.sample(net, 10)
    np.testing.assert_array_equal(net.weights, weights)
    np.testing.assert_array_equal(net.bias, bias)
