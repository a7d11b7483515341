"""Simulated annealing: schedules by hand, exact ground states, equivalence with tempered models."""

import numpy as np
import pytest
from scipy import stats

import energynets as en
from energynets.models.boltzmann import frustrated_ring, ising_2d, sherrington_kirkpatrick
from energynets.sampling.annealing import schedule, simulated_annealing
from energynets.sampling.gibbs import checkerboard, gibbs, metropolis
from tests.sampling.test_gibbs import chi_square_pvalue, random_machine, state_codes


def test_schedules_by_hand():
    np.testing.assert_allclose(schedule("linear", 5, 0.0, 1.0), [0.0, 0.25, 0.5, 0.75, 1.0])
    # geometric: constant ratio (2 / 0.5)^(1/2) = 2
    np.testing.assert_allclose(schedule("geometric", 3, 0.5, 2.0), [0.5, 1.0, 2.0])
    np.testing.assert_allclose(schedule("geometric", 4, 0.01, 10.0), [0.01, 0.1, 1.0, 10.0])
    assert schedule("geometric", 17, 0.3, 7.0)[-1] == 7.0
    np.testing.assert_array_equal(schedule("linear", 1, 0.0, 3.0), [3.0])
    with pytest.raises(ValueError, match="kind must be one of"):
        schedule("logarithmic", 3, 0.1, 1.0)
    with pytest.raises(ValueError, match="beta_end must be >= beta_start"):
        schedule("linear", 3, 2.0, 1.0)
    with pytest.raises(ValueError, match="beta_start must be > 0 for a geometric schedule"):
        schedule("geometric", 3, 0.0, 1.0)
    with pytest.raises(ValueError, match="n_steps must be >= 1"):
        schedule("linear", 0, 0.0, 1.0)


@pytest.mark.parametrize(
    "model",
    [sherrington_kirkpatrick(10, rng=3), frustrated_ring(9)],
    ids=["sk10", "ring9"],
)
@pytest.mark.parametrize("sampler", ["gibbs", "metropolis"])
def test_reaches_the_exact_ground_state_energy(model, sampler):
    ground, e0 = en.exact.ground_states(model)
    betas = schedule("geometric", 200, 0.1, 10.0)
    res = simulated_annealing(model, model.random_states(40, rng=1), betas, rng=2, sampler=sampler)
    final = res.energies[-1]
    assert np.all(final >= e0 - 1e-9)
    best = res.states[np.argmin(final)]
    assert np.isclose(final.min(), e0, atol=1e-9)
    assert np.any(np.all(ground == best, axis=1))  # the state itself is a ground state
    np.testing.assert_allclose(final, model.energy(res.states), atol=1e-9)
    # cold chains have stopped changing; the acceptance is over the whole schedule
    assert res.energies.shape == (201, 40) and np.all(res.acceptance > 0)


def test_checkerboard_annealing_orders_the_ising_lattice():
    model = ising_2d(8)  # ground states: all up or all down, E = -2 N = -128
    betas = schedule("geometric", 150, 0.05, 3.0)
    res = simulated_annealing(
        model, model.random_states(20, rng=0), betas, rng=1, sampler="checkerboard"
    )
    assert res.energies[-1].min() == -128.0
    assert res.energies[0].mean() > -40  # it started disordered


@pytest.mark.parametrize(("sampler", "plain"), [("gibbs", gibbs), ("metropolis", metropolis)])
def test_constant_schedule_is_the_plain_kernel_on_the_tempered_model(sampler, plain):
    # annealing divides the noise thresholds by beta instead of multiplying the couplings: the
    # same Markov chain, and with the same random numbers the same states
    model = random_machine(40, seed=4)
    start = model.random_states(12, rng=0)
    beta = 0.7
    annealed = simulated_annealing(model, start, np.full(9, beta), rng=5, sampler=sampler)
    direct = plain(model.tempered(beta), start, 9, rng=5)
    np.testing.assert_array_equal(annealed.states, direct.states)
    np.testing.assert_allclose(beta * annealed.energies, direct.energies, atol=1e-9)
    np.testing.assert_allclose(annealed.acceptance, direct.acceptance)
    lattice = ising_2d(4)
    start = lattice.random_states(5, rng=0)
    annealed = simulated_annealing(lattice, start, [beta] * 3, rng=6, sampler="checkerboard")
    direct = checkerboard(lattice.tempered(beta), start, 3, rng=6)
    np.testing.assert_array_equal(annealed.states, direct.states)


def test_infinite_temperature_is_uniform():
    model = random_machine(6, "bits", scale=2.0, seed=1)  # strong couplings, ignored at beta 0
    res = simulated_annealing(model, model.random_states(3000, rng=0), [0.0, 0.0], rng=1)
    assert chi_square_pvalue(state_codes(res.states, model), np.full(64, 1 / 64)) > 1e-3
    flipped = simulated_annealing(model, res.states, [0.0], rng=0, sampler="metropolis")
    np.testing.assert_array_equal(flipped.states, 1 - res.states)  # every flip accepted
    assert stats.binomtest(int(res.acceptance.sum() * 12), 3000 * 12, 0.5).pvalue > 1e-3


def test_sweeps_per_beta_and_inputs_untouched():
    model = frustrated_ring(5)
    start = model.random_states(4, rng=0)
    copy = start.copy()
    res = simulated_annealing(model, start, [0.5, 1.0, 2.0], rng=0, sweeps_per_beta=4)
    assert res.energies.shape == (13, 4) and res.samples is None
    np.testing.assert_array_equal(start, copy)
    again = simulated_annealing(model, start, [0.5, 1.0, 2.0], rng=0, sweeps_per_beta=4)
    np.testing.assert_array_equal(res.energies, again.energies)


def test_bad_input_is_named():
    model = frustrated_ring(5)
    start = model.random_states(2)
    with pytest.raises(ValueError, match="betas must be non-decreasing"):
        simulated_annealing(model, start, [10.0, 1.0, 0.1])
    with pytest.raises(ValueError, match="betas must be >= 0"):
        simulated_annealing(model, start, [-1.0, 1.0])
    with pytest.raises(ValueError, match="betas must not be empty"):
        simulated_annealing(model, start, [])
    with pytest.raises(ValueError, match="sampler must be one of"):
        simulated_annealing(model, start, [1.0], sampler="swendsen-wang")
    with pytest.raises(ValueError, match="sweeps_per_beta must be >= 1"):
        simulated_annealing(model, start, [1.0], sweeps_per_beta=0)
    with pytest.raises(ValueError, match="lattice_shape"):
        simulated_annealing(model, start, [1.0], sampler="checkerboard")
