"""Annealed importance sampling: against exact log Z, worked by hand, stand-in paths, bad input."""

import numpy as np
import pytest

from energynets import exact
from energynets.models.boltzmann import BoltzmannMachine, sherrington_kirkpatrick
from energynets.sampling.ais import (
    AISResult,
    AnnealingPath,
    BoltzmannPath,
    ais,
    linear_betas,
    salakhutdinov_murray_betas,
)


def _random_bits_machine(n_units: int, seed: int, scale: float = 1.0) -> BoltzmannMachine:
    gen = np.random.default_rng(seed)
    upper = np.triu(gen.normal(0.0, scale, (n_units, n_units)), k=1)
    return BoltzmannMachine(upper + upper.T, gen.normal(0.0, scale, n_units), units="bits")


class _Recorded:
    """A path that records what ais() asked of it (and otherwise defers to another path)."""

    def __init__(self, path):
        self.path = path
        self.base_samples = None
        self.transition_betas = []

    @property
    def log_z_base(self):
        return self.path.log_z_base

    def sample_base(self, n_samples, rng):
        self.base_samples = self.path.sample_base(n_samples, rng)
        return self.base_samples

    def log_unnormalized(self, states, beta):
        return self.path.log_unnormalized(states, beta)

    def transition(self, states, beta, rng):
        self.transition_betas.append(beta)
        return self.path.transition(states, beta, rng)


class _ScalarPath:
    """A stand-in path over one real "unit": f_beta(x) = exp(beta x), base samples given.

    log f_beta(x) - log f_beta'(x) = (beta - beta') x; the transition is deterministic, x -> x + 1
    (not p_beta-invariant: this path only checks the bookkeeping of the weights).
    """

    def __init__(self, values, log_z_base=0.0):
        self.values = np.asarray(values, dtype=float)
        self.log_z_base = log_z_base

    def sample_base(self, n_samples, rng):
        assert n_samples == self.values.shape[0]
        return self.values[:, None].copy()

    def log_unnormalized(self, states, beta):
        return beta * states[:, 0]

    def transition(self, states, beta, rng):
        return states + 1.0


# -- against the exact oracle ----------------------------------------------------------------
@pytest.mark.parametrize(
    "model",
    [
        # the SK spin glass at T = 1/2, below its glass transition (T = 1)
        sherrington_kirkpatrick(12, rng=0).tempered(2.0),
        _random_bits_machine(12, seed=1),
    ],
    ids=["sk-12-spins", "random-12-bits"],
)
def test_ais_is_within_three_standard_errors_of_exact(model):
    exact_log_z = exact.log_partition(model)
    res = ais(model, n_runs=100, n_betas=1000, rng=0)
    # measured at the time of writing: errors -0.03 (SK) and +0.007 (bits), interval
    # half-widths about 0.035 and 0.03
    assert res.log_z_low <= exact_log_z <= res.log_z_high
    assert res.log_z_high - res.log_z_low < 0.2
    assert res.log_weights.shape == (100,)
    assert 80 < res.ess <= 100


def test_ais_with_a_base_closer_to_the_target():
    # base biases = the model's biases: a different base, the same log Z
    model = _random_bits_machine(12, seed=1)
    res = ais(model, n_runs=100, n_betas=300, rng=1, base_bias=model.bias)
    assert res.log_z_low <= exact.log_partition(model) <= res.log_z_high


def test_ais_weights_are_unbiased_for_z():
    # E[w] = Z / Z_0 exactly, however short the schedule: a 4-unit machine, 3 temperatures,
    # 20000 runs, the mean weight within 4 standard errors of the exact ratio
    model = _random_bits_machine(4, seed=2)
    res = ais(model, n_runs=20000, betas=[0.0, 0.5, 1.0], rng=3)
    w = np.exp(res.log_weights)
    ratio = np.exp(exact.log_partition(model) - 4 * np.log(2))
    assert abs(w.mean() - ratio) < 4 * w.std(ddof=1) / np.sqrt(w.size)


def test_ais_converges_as_the_schedule_gets_finer():
    model = sherrington_kirkpatrick(12, rng=0).tempered(2.0)
    exact_log_z = exact.log_partition(model)
    results = [ais(model, n_runs=100, n_betas=n, rng=0) for n in (3, 30, 300)]
    spreads = [np.std(r.log_weights) for r in results]
    assert spreads[0] > spreads[1] > spreads[2]
    assert results[0].ess < results[1].ess < results[2].ess
    assert abs(results[2].log_z - exact_log_z) < abs(results[0].log_z - exact_log_z)
    assert abs(results[2].log_z - exact_log_z) < 0.15


def test_float32_model():
    model = sherrington_kirkpatrick(8, rng=4, dtype=np.float32)
    res = ais(model, n_runs=50, n_betas=200, rng=0)
    assert res.log_weights.dtype == np.float64
    assert res.log_z_low <= exact.log_partition(model) <= res.log_z_high


# -- worked by hand ----------------------------------------------------------------------------
def test_plain_importance_sampling_by_hand():
    # two spins, W_12 = 1, b = (0.5, -0.5): E(s) = -s1 s2 - 0.5 s1 + 0.5 s2
    #   s = (-1, -1): E = -1 + 0.5 - 0.5 = -1     s = (-1, +1): E = 1 + 0.5 + 0.5 = 2
    #   s = (+1, -1): E = 1 - 0.5 - 0.5 = 0       s = (+1, +1): E = -1 - 0.5 + 0.5 = -1
    # base b0 = (1, 0): E_0(s) = -s1; with betas = [0, 1] each log weight is -E(s) + E_0(s)
    # = -E(s) - s1 for the base sample s
    model = BoltzmannMachine([[0.0, 1.0], [1.0, 0.0]], [0.5, -0.5])
    path = _Recorded(BoltzmannPath(model, base_bias=[1.0, 0.0]))
    res = ais(path, n_runs=1000, betas=[0.0, 1.0], rng=0)
    by_hand = {(-1, -1): 1 + 1, (-1, 1): -2 + 1, (1, -1): 0 - 1, (1, 1): 1 - 1}
    expected = [by_hand[tuple(int(x) for x in s)] for s in path.base_samples]
    np.testing.assert_allclose(res.log_weights, expected)
    assert path.transition_betas == []  # no transition with a single step
    # log Z_0 = log(2 cosh 1) + log 2; log Z = log mean(w) + log Z_0
    log_z_base = np.log(2 * np.cosh(1.0)) + np.log(2.0)
    assert np.isclose(path.log_z_base, log_z_base)
    assert np.isclose(res.log_z, np.log(np.mean(np.exp(expected))) + log_z_base)
    # the base draws s1 = +1 with probability sigma(2 b0_1) = sigma(2) = 0.88, s2 uniformly
    assert abs(np.mean(path.base_samples[:, 0] == 1) - 1 / (1 + np.exp(-2.0))) < 0.04
    assert abs(np.mean(path.base_samples[:, 1] == 1) - 0.5) < 0.05
    # and with 1000 runs the estimate is close to the truth, Z = 2e + e^-2 + 1
    assert abs(res.log_z - np.log(2 * np.e + np.exp(-2.0) + 1.0)) < 0.05


def test_log_z_base_by_hand():
    w = np.zeros((3, 3))
    b0 = np.array([0.0, 1.0, -2.0])
    bits = BoltzmannPath(BoltzmannMachine(w, units="bits"), base_bias=b0)
    spins = BoltzmannPath(BoltzmannMachine(w, units="spins"), base_bias=b0)
    assert np.isclose(bits.log_z_base, np.sum(np.log1p(np.exp(b0))))
    assert np.isclose(spins.log_z_base, np.sum(np.log(2 * np.cosh(b0))))
    # large base biases neither overflow nor lose the value: log(2 cosh 800) = 800
    assert np.isclose(
        BoltzmannPath(BoltzmannMachine(np.zeros((1, 1))), base_bias=[800.0]).log_z_base, 800.0
    )


def test_intermediate_energy_by_hand():
    model = BoltzmannMachine([[0.0, 2.0], [2.0, 0.0]], [1.0, -1.0], units="bits")
    path = BoltzmannPath(model, base_bias=[0.5, 0.5])
    s = np.array([[1.0, 1.0], [1.0, 0.0]])
    # E_beta(s) = -(beta/2) s W s - ((1 - beta) b0 + beta b) . s at beta = 0.25:
    # s = (1, 1): -(0.25 * 2) - (0.75 * 1 + 0.25 * 0) = -0.5 - 0.75 = -1.25
    # s = (1, 0): 0 - (0.75 * 0.5 + 0.25 * 1) = -0.625
    np.testing.assert_allclose(path.log_unnormalized(s, 0.25), [1.25, 0.625])
    np.testing.assert_allclose(path.intermediate(0.25).energy(s), [-1.25, -0.625])
    np.testing.assert_allclose(path.log_unnormalized(s, 1.0), -model.energy(s))
    np.testing.assert_allclose(
        path.log_weight_increment(s, 0.25, 0.75),
        path.log_unnormalized(s, 0.75) - path.log_unnormalized(s, 0.25),
    )


def test_weight_bookkeeping_with_a_stand_in_path():
    # betas 0, 0.5, 1 on the scalar path: x_0 from the base, x_1 = x_0 + 1 after the transition
    # at beta = 0.5, none at beta = 1, so
    # log w = (0.5 - 0) x_0 + (1 - 0.5) x_1 = 0.5 x_0 + 0.5 (x_0 + 1) = x_0 + 0.5
    x0 = np.array([0.0, 1.0, -2.0])
    path = _Recorded(_ScalarPath(x0))
    assert isinstance(path, AnnealingPath)
    res = ais(path, n_runs=3, betas=[0.0, 0.5, 1.0], rng=0)
    np.testing.assert_allclose(res.log_weights, x0 + 0.5)
    assert path.transition_betas == [0.5]


def test_interval_and_ess_by_hand():
    # log weights log 1, log 2, log 3 (betas [0, 1] on the scalar path): w = 1, 2, 3,
    # mean 2, std (ddof 1) 1, standard error 1 / sqrt(3): 3 standard errors = sqrt(3)
    log_z_base = 0.7
    res = ais(_ScalarPath(np.log([1.0, 2.0, 3.0]), log_z_base), n_runs=3, betas=[0, 1])
    assert isinstance(res, AISResult)
    assert np.isclose(res.log_z, np.log(2.0) + log_z_base)
    assert np.isclose(res.log_z_high, np.log(2.0 + np.sqrt(3.0)) + log_z_base)
    assert np.isclose(res.log_z_low, np.log(2.0 - np.sqrt(3.0)) + log_z_base)
    assert np.isclose(res.ess, 6.0**2 / 14.0)  # (sum w)^2 / sum w^2
    # one dominant weight: mean - 3 standard errors < 0, so no lower end
    spread = ais(_ScalarPath([0.0, 0.0, 0.0, 10.0]), n_runs=4, betas=[0, 1])
    assert spread.log_z_low == -np.inf and np.isfinite(spread.log_z_high)
    assert spread.ess < 1.01
    # a single run has no spread to measure
    single = ais(_ScalarPath([2.0]), n_runs=1, betas=[0, 1])
    assert single.log_z == 2.0 and single.log_z_low == -np.inf and single.log_z_high == np.inf


# -- schedules ---------------------------------------------------------------------------------
def test_salakhutdinov_murray_schedule():
    betas = salakhutdinov_murray_betas()
    assert betas.shape == (14501,)  # 500 + 4000 + 10000 steps
    assert betas[0] == 0.0 and betas[-1] == 1.0
    assert betas[500] == 0.5 and betas[4500] == 0.9
    steps = np.diff(betas)
    np.testing.assert_allclose(steps[:500], 1e-3)
    np.testing.assert_allclose(steps[500:4500], 1e-4)
    np.testing.assert_allclose(steps[4500:], 1e-5)
    assert np.all(steps > 0)


def test_linear_betas():
    np.testing.assert_array_equal(linear_betas(3), [0.0, 0.5, 1.0])
    with pytest.raises(ValueError, match="n_betas must be >= 2, got 1"):
        linear_betas(1)


# -- bad input -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("betas", "message"),
    [
        ([0.1, 0.5, 1.0], r"betas must start at 0 .*got betas\[0\] = 0.1"),
        ([0.0, 0.5, 0.9], r"betas must end at 1 .*got betas\[-1\] = 0.9"),
        ([0.0, 0.6, 0.4, 1.0], r"betas must be strictly increasing, got betas\[2\] = 0.4"),
        ([0.0, 0.5, 0.5, 1.0], r"strictly increasing, got betas\[2\] = 0.5 <= betas\[1\]"),
        ([1.0], "betas must hold at least 2 values"),
        ([[0.0, 1.0]], "betas must be a 1-D array"),
        ([0.0, np.nan, 1.0], "betas must contain only finite values"),
    ],
)
def test_bad_betas(betas, message):
    with pytest.raises(ValueError, match=message):
        ais(sherrington_kirkpatrick(4, rng=0), n_runs=5, betas=betas)


def test_bad_arguments():
    model = sherrington_kirkpatrick(4, rng=0)
    with pytest.raises(ValueError, match="n_runs must be >= 1, got 0"):
        ais(model, n_runs=0)
    with pytest.raises(TypeError, match="n_runs must be an int"):
        ais(model, n_runs=2.5)
    with pytest.raises(ValueError, match="n_betas must be >= 2, got 1"):
        ais(model, n_betas=1)
    with pytest.raises(ValueError, match=r"base_bias must have shape \(4,\)"):
        ais(model, base_bias=np.zeros(3))
    with pytest.raises(ValueError, match="base_bias applies only when a model is given"):
        ais(BoltzmannPath(model), base_bias=np.zeros(4))
    with pytest.raises(TypeError, match="model_or_path must be a BoltzmannMachine or an"):
        ais(np.zeros((4, 4)))
    with pytest.raises(TypeError, match="model must be a BoltzmannMachine"):
        BoltzmannPath("not a model")
    with pytest.raises(TypeError, match="progress must be a bool"):
        ais(model, progress="yes")


def test_path_returning_nan_is_reported():
    path = _ScalarPath([0.0, np.nan])
    with pytest.raises(ValueError, match="log importance weights must be finite"):
        ais(path, n_runs=2, betas=[0, 1])


def test_base_biases_copies_the_default_or_checks_the_value():
    from energynets.sampling.annealing_paths import base_biases

    default = np.array([1.0, -2.0], dtype=np.float32)
    out = base_biases(None, "b", default, "n_units")
    assert out.dtype == np.float32 and not out.flags.writeable
    np.testing.assert_array_equal(out, default)
    assert not np.shares_memory(out, default)
    given = base_biases([0.5, 0.25], "b", default, "n_units")
    assert given.dtype == np.float32 and not given.flags.writeable
    np.testing.assert_array_equal(given, [0.5, 0.25])
    with pytest.raises(ValueError, match=r"b must have shape \(2,\) to match the model's n_units"):
        base_biases(np.zeros(3), "b", default, "n_units")
