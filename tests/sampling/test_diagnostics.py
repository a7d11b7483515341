"""Diagnostics against processes whose autocorrelation is known exactly."""

import json

import numpy as np
import pytest
from scipy.signal import lfilter

from energynets.sampling.annealing import simulated_annealing
from energynets.sampling.diagnostics import (
    acceptance_summary,
    autocorrelation,
    effective_sample_size,
    integrated_autocorrelation_time,
)
from energynets.sampling.gibbs import ChainResult, gibbs
from energynets.sampling.tempering import TemperingState, parallel_tempering
from tests.sampling.test_gibbs import random_machine


def ar1(a, n_steps, n_chains, seed):
    """x_t = a x_{t-1} + e_t, e_t ~ N(0, 1), started in its stationary law N(0, 1/(1 - a^2))."""
    g = np.random.default_rng(seed)
    noise = g.normal(size=(n_steps, n_chains))
    noise[0] /= np.sqrt(1.0 - a * a)  # x_0 stationary
    return lfilter([1.0], [1.0, -a], noise, axis=0)


@pytest.mark.parametrize(("a", "n_steps"), [(0.0, 50_000), (0.5, 50_000), (0.9, 200_000)])
def test_ar1_integrated_autocorrelation_time(a, n_steps):
    # rho(t) = a^t, so tau = 1 + 2 sum_t a^t = (1 + a) / (1 - a): 1, 3 and 19. The relative
    # standard error of the estimate is about sqrt(2 (2 M + 1) / n) (Sokal 1997), M ~ 5 tau the
    # window: 0.5 %, 0.9 % and 1.1 % here, so 4 % is a generous bound.
    x = ar1(a, n_steps, 16, seed=1)
    tau = integrated_autocorrelation_time(x)
    assert abs(tau / ((1 + a) / (1 - a)) - 1) < 0.04
    ess = effective_sample_size(x)
    assert ess == pytest.approx(x.size / tau)


def test_ar1_autocorrelation_function():
    x = ar1(0.8, 100_000, 8, seed=2)
    rho = autocorrelation(x, max_lag=10)
    np.testing.assert_allclose(rho, 0.8 ** np.arange(11), atol=0.01)
    assert rho[0] == 1.0


def test_autocorrelation_by_hand():
    # x = (1, -1, 1, -1): mean 0, C(0) = 4/4, C(1) = -3/4, C(2) = 2/4, C(3) = -1/4
    np.testing.assert_allclose(autocorrelation([1.0, -1.0, 1.0, -1.0]), [1, -0.75, 0.5, -0.25])
    # two chains: the autocovariances are averaged, then normalised
    x = np.array([[1.0, 2.0], [-1.0, 2.0], [1.0, -2.0], [-1.0, -2.0]])
    # chain 2: C(0) = 4, C(1) = (4 - 4 + 4) / 4 = 1; average C(0) = 2.5, C(1) = (-0.75 + 1) / 2
    np.testing.assert_allclose(autocorrelation(x, max_lag=1), [1.0, 0.125 / 2.5])


def test_constant_series_and_bad_input():
    assert np.all(np.isnan(autocorrelation(np.ones(10))))
    assert np.isnan(integrated_autocorrelation_time(np.ones((10, 3))))
    assert np.isnan(effective_sample_size(np.ones(10)))
    with pytest.raises(ValueError, match="x must have at least 2 steps"):
        autocorrelation([1.0])
    with pytest.raises(ValueError, match="max_lag must be <= 3"):
        autocorrelation(np.arange(4.0), max_lag=4)
    with pytest.raises(ValueError, match="x must be a 1-D or 2-D array"):
        integrated_autocorrelation_time(np.zeros((3, 3, 3)))
    with pytest.raises(ValueError, match="c must be > 0"):
        integrated_autocorrelation_time(np.arange(5.0), c=0)


def test_sampler_energy_traces():
    # at beta = 0 each Gibbs sweep draws every unit afresh: the energies are independent
    model = random_machine(10, seed=0)
    hot = simulated_annealing(model, model.random_states(20, rng=0), np.zeros(2000), rng=1)
    assert abs(integrated_autocorrelation_time(hot.energies[1:]) - 1.0) < 0.1
    # at beta = 1 the chain is correlated from sweep to sweep
    cold = gibbs(model, model.random_states(20, rng=0), 2000, rng=1)
    assert integrated_autocorrelation_time(cold.energies[100:]) > 1.5


def test_acceptance_summary():
    res = ChainResult(np.ones((3, 2)), None, np.zeros((2, 3)), np.array([0.2, 0.4, 0.9]))
    summary = acceptance_summary(res)
    assert summary == {"n_chains": 3, "mean": pytest.approx(0.5), "min": 0.2, "max": 0.9}
    model = random_machine(5, seed=0)
    pair = parallel_tempering(model, [0.3, 0.6, 1.0], model.random_states(4), 5, rng=0)
    both = acceptance_summary(pair)
    assert len(both["swap_rates"]) == 2 and both["n_chains"] == 4
    assert both["swap_min"] <= both["swap_mean"] <= both["swap_max"]
    json.dumps(both)  # plain Python numbers, ready for a JSON summary
    empty = TemperingState(np.ones((2, 1, 5)), np.array([0.5, 1.0]), np.zeros(1), np.zeros(1))
    assert np.isnan(acceptance_summary(empty)["swap_mean"])
    zero = gibbs(model, model.random_states(2), 0)
    assert np.isnan(acceptance_summary(zero)["mean"])
    with pytest.raises(TypeError, match="result must be a ChainResult"):
        acceptance_summary({"acceptance": 1})


def test_a_chain_that_never_moves_has_no_autocorrelation_time():
    # 0.1 repeated: the float mean differs from 0.1 in the last bit, which must not look like
    # a perfectly correlated signal
    from energynets.sampling.diagnostics import autocorrelation, integrated_autocorrelation_time

    x = np.full((1000, 3), 0.1)
    assert np.all(np.isnan(autocorrelation(x)))
    assert np.isnan(integrated_autocorrelation_time(x))
