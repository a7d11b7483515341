"""Parallel tempering: exchanges worked by hand, every rung against the exact oracle, bad input."""

import numpy as np
import pytest
from scipy import stats

import energynets as en
from energynets.models.boltzmann import BoltzmannMachine
from energynets.sampling.gibbs import gibbs
from energynets.sampling.tempering import (
    TemperingState,
    geometric_ladder,
    parallel_tempering,
    swap_order,
    swap_step,
)
from tests.sampling.test_gibbs import (
    ALPHA,
    N_CHAINS,
    SEEDS,
    chi_square_pvalue,
    random_lattice,
    random_machine,
    state_codes,
)

N_SWEEPS_PT = 40


# -- the exchange step, by hand -------------------------------------------------------------------
def test_swap_step_two_replicas_by_hand():
    # betas (0.5, 1), energies E_0 = 2 (hot), E_1 = 0 (cold):
    # log ratio (0.5 - 1)(2 - 0) = -1, so the exchange is accepted iff u < e^-1 = 0.3679
    energies = np.array([[2.0, 2.0, 0.0], [0.0, 0.0, 2.0]])
    perm, acc = swap_step(energies, [0.5, 1.0], [0], [[0.36, 0.37, 0.999]])
    # chain 0: u = 0.36 < 0.3679, swapped; chain 1: u = 0.37, kept; chain 2 has the lower
    # energy in the cold replica reversed: log ratio (0.5 - 1)(0 - 2) = +1, always accepted
    np.testing.assert_array_equal(acc, [[True, False, True]])
    np.testing.assert_array_equal(perm, [[1, 0, 1], [0, 1, 0]])


def test_swap_step_three_replicas_in_sequence_by_hand():
    betas = [0.25, 0.5, 1.0]
    # chain 0: E = (1, 3, 0). Pair (0, 1): (0.25 - 0.5)(1 - 3) = +0.5 -> accepted, E = (3, 1, 0).
    #          Pair (1, 2) sees the exchanged E_1 = 1: (0.5 - 1)(1 - 0) = -0.5 -> accepted iff
    #          u < e^-0.5 = 0.6065.
    # chain 1: same energies, u = 0.61 on the second pair: rejected.
    # chain 2: equal energies: log ratio 0, both accepted whatever u.
    energies = np.array([[1.0, 1.0, 0.0], [3.0, 3.0, 0.0], [0.0, 0.0, 0.0]])
    uniforms = [[0.9, 0.9, 0.999], [0.60, 0.61, 0.999]]
    perm, acc = swap_step(energies, betas, [0, 1], uniforms)
    np.testing.assert_array_equal(acc, [[True, True, True], [True, False, True]])
    # chain 0: replica 1 -> beta_0, replica 2 -> beta_1, replica 0 -> beta_2
    np.testing.assert_array_equal(perm[:, 0], [1, 2, 0])
    np.testing.assert_array_equal(perm[:, 1], [1, 0, 2])
    np.testing.assert_array_equal(perm[:, 2], [1, 2, 0])
    # the other order attempts (1, 2) first: (0.5 - 1)(3 - 0) = -1.5 -> needs u < 0.2231
    perm2, acc2 = swap_step(energies[:, :1], betas, [1, 0], [[0.2], [0.9]])
    # after (1, 2): E = (1, 0, 3); pair (0, 1): (0.25 - 0.5)(1 - 0) = -0.25 -> u = 0.9 rejected
    np.testing.assert_array_equal(acc2[:, 0], [True, False])
    np.testing.assert_array_equal(perm2[:, 0], [0, 2, 1])
    # pure: the inputs are not modified
    np.testing.assert_array_equal(energies[0], [1.0, 1.0, 0.0])


def test_swap_acceptance_is_the_metropolis_ratio():
    # for any energies, u just below min(1, exp(log ratio)) is accepted and u just above is not
    g = np.random.default_rng(0)
    energies = g.normal(scale=3.0, size=(2, 400))
    log_ratio = (0.3 - 1.0) * (energies[0] - energies[1])
    p = np.exp(np.minimum(log_ratio, 0.0))
    _, below = swap_step(energies, [0.3, 1.0], [0], [p * (1 - 1e-9)])
    assert below.all()
    uncertain = p < 1.0
    assert 100 < uncertain.sum() < 300  # both kinds of pair occur
    _, above = swap_step(energies, [0.3, 1.0], [0], [np.where(uncertain, p * (1 + 1e-9), 0.999)])
    np.testing.assert_array_equal(above[0], ~uncertain)


def test_swap_order():
    np.testing.assert_array_equal(swap_order(5), [0, 2, 1, 3])
    np.testing.assert_array_equal(swap_order(2), [0])
    assert swap_order(1).size == 0


def test_swap_step_bad_input():
    with pytest.raises(ValueError, match="uniforms must have shape"):
        swap_step(np.zeros((3, 2)), [0.2, 0.5, 1.0], [0, 1], np.zeros((1, 2)))
    with pytest.raises(ValueError, match="order must hold pair indices"):
        swap_step(np.zeros((3, 2)), [0.2, 0.5, 1.0], [2], np.zeros((1, 2)))
    with pytest.raises(ValueError, match="betas must have shape"):
        swap_step(np.zeros((3, 2)), [0.5, 1.0], [0], np.zeros((1, 2)))


# -- ladders ---------------------------------------------------------------------------------------
def test_geometric_ladder_by_hand():
    np.testing.assert_allclose(geometric_ladder(3, 0.25), [0.25, 0.5, 1.0])
    np.testing.assert_allclose(geometric_ladder(4, 0.001, 1.0), [0.001, 0.01, 0.1, 1.0])
    assert geometric_ladder(7, 0.03)[-1] == 1.0  # exactly, so tempering finds beta = 1
    np.testing.assert_array_equal(geometric_ladder(1, 0.5), [1.0])
    with pytest.raises(ValueError, match="beta_min must be > 0"):
        geometric_ladder(3, 0.0)
    with pytest.raises(ValueError, match="beta_min must be < beta_max"):
        geometric_ladder(3, 2.0)
    with pytest.raises(ValueError, match="n_temperatures must be >= 1"):
        geometric_ladder(0, 0.5)


# -- against the exact oracle ------------------------------------------------------------------
@pytest.mark.parametrize(("sampler", "units"), [("gibbs", "spins"), ("metropolis", "bits")])
def test_every_rung_samples_its_temperature(sampler, units):
    # the beta = 1 chain samples p; the other rungs sample p at T = 1 / beta: this checks the
    # per-replica temperatures of the batched kernel as well as the exchanges
    model = random_machine(8, units, scale=0.6, seed=8)
    betas = geometric_ladder(4, 0.3)
    pvalues: dict[int, list[float]] = {k: [] for k in range(4)}
    for seed in SEEDS:
        state, res = parallel_tempering(
            model,
            betas,
            model.random_states(N_CHAINS, rng=seed),
            N_SWEEPS_PT,
            rng=seed,
            sampler=sampler,
        )
        np.testing.assert_array_equal(res.states, state.states[-1])
        for k, beta in enumerate(betas):
            _, probs = en.exact.probabilities(model, 1 / beta)
            pvalues[k].append(chi_square_pvalue(state_codes(state.states[k], model), probs))
    for k in range(4):
        assert stats.combine_pvalues(pvalues[k], method="fisher").pvalue > ALPHA, k


def test_tempering_rejects_a_wrong_temperature():
    model = random_machine(8, "spins", scale=0.6, seed=8)
    _, probs = en.exact.probabilities(model, 1.25)
    pvalues = []
    for seed in SEEDS:
        start = model.random_states(N_CHAINS, rng=seed)
        _, res = parallel_tempering(model, geometric_ladder(4, 0.3), start, N_SWEEPS_PT, rng=seed)
        pvalues.append(chi_square_pvalue(state_codes(res.states, model), probs))
    assert stats.combine_pvalues(pvalues, method="fisher").pvalue < ALPHA


def test_checkerboard_tempering_on_a_lattice():
    # a 2 x 4 periodic lattice with bond-dependent couplings, checkerboard kernel in every replica
    model = random_lattice(2, 4, "spins", seed=2)
    _, probs = en.exact.probabilities(model)
    pvalues = []
    for seed in SEEDS:
        start = model.random_states(N_CHAINS, rng=seed)
        _, res = parallel_tempering(
            model, [0.4, 0.7, 1.0], start, N_SWEEPS_PT, rng=seed, sampler="checkerboard"
        )
        pvalues.append(chi_square_pvalue(state_codes(res.states, model), probs))
    assert stats.combine_pvalues(pvalues, method="fisher").pvalue > ALPHA


def test_tempering_crosses_a_barrier_that_gibbs_does_not():
    # a cold (beta = 3) ferromagnetic ring: the two aligned states hold almost all the mass and are
    # separated by a barrier. Started all-up, Gibbs chains stay up; tempering chains visit both
    # (by symmetry, half of them end down).
    i = np.arange(8)
    w = np.zeros((8, 8))
    w[i, (i + 1) % 8] = w[(i + 1) % 8, i] = 1.0  # E = -sum_i s_i s_{i+1}
    ring = BoltzmannMachine(w).tempered(3.0)
    up = np.ones((400, 8))
    gibbs_down = np.mean(gibbs(ring, up, 100, rng=0).states.sum(axis=1) < 0)
    _, res = parallel_tempering(ring, geometric_ladder(8, 0.05), up, 100, rng=0)
    pt_down = np.mean(res.states.sum(axis=1) < 0)
    assert gibbs_down < 0.02
    assert 0.4 < pt_down < 0.6


# -- state, continuation, counts ----------------------------------------------------------------
def test_state_continues_and_counts_accumulate():
    model = random_machine(6, seed=1)
    betas = geometric_ladder(3, 0.2)
    start = model.random_states(10, rng=0)
    state, res = parallel_tempering(model, betas, start, 12, rng=1, swap_every=3, record=True)
    assert isinstance(state, TemperingState)
    assert state.states.shape == (3, 10, 6)
    # 4 exchange rounds, every pair once per round and chain
    np.testing.assert_array_equal(state.swap_attempts, [40, 40])
    assert np.all((state.swap_accepts >= 0) & (state.swap_accepts <= 40))
    np.testing.assert_allclose(state.swap_rates, state.swap_accepts / 40)
    assert res.samples is not None and res.samples.shape == (12, 10, 6)
    np.testing.assert_array_equal(res.samples[-1], res.states)
    np.testing.assert_allclose(res.energies[1:], [model.energy(s) for s in res.samples])
    assert res.acceptance.shape == (10,) and np.all((0 <= res.acceptance) & (res.acceptance <= 1))
    more, res2 = parallel_tempering(model, betas, state, 5, rng=2)
    np.testing.assert_array_equal(more.swap_attempts, [90, 90])
    np.testing.assert_allclose(res2.energies[0], model.energy(state.states[-1]))
    assert np.all(
        np.isnan(TemperingState(state.states, betas, np.zeros(2), np.zeros(2)).swap_rates)
    )


def test_same_seed_same_result_and_inputs_untouched():
    model = random_machine(6, "bits", seed=3)
    start = model.random_states(7, rng=0)
    copy = start.copy()
    a = parallel_tempering(model, [0.5, 1.0], start, 9, rng=4)
    b = parallel_tempering(model, [0.5, 1.0], start, 9, rng=np.random.default_rng(4))
    np.testing.assert_array_equal(a[0].states, b[0].states)
    np.testing.assert_array_equal(a[1].energies, b[1].energies)
    np.testing.assert_array_equal(start, copy)
    # a single rung is plain sampling at beta = 1
    state, res = parallel_tempering(model, [1.0], start, 3, rng=0)
    assert state.swap_attempts.shape == (0,) and res.states.shape == (7, 6)


def test_bad_input_is_named():
    model = random_machine(4, seed=0)
    start = model.random_states(2)
    with pytest.raises(ValueError, match=r"betas must contain 1\.0"):
        parallel_tempering(model, [0.2, 0.5], start, 1)
    with pytest.raises(ValueError, match="betas must be strictly increasing"):
        parallel_tempering(model, [1.0, 0.5], start, 1)
    with pytest.raises(ValueError, match="betas must be > 0"):
        parallel_tempering(model, [0.0, 1.0], start, 1)
    with pytest.raises(ValueError, match="sampler must be one of"):
        parallel_tempering(model, [0.5, 1.0], start, 1, sampler="wolff")
    with pytest.raises(ValueError, match="swap_every must be >= 1"):
        parallel_tempering(model, [0.5, 1.0], start, 1, swap_every=0)
    with pytest.raises(ValueError, match="states must have 4 units"):
        parallel_tempering(model, [0.5, 1.0], np.ones((2, 3)), 1)
    state, _ = parallel_tempering(model, [0.5, 1.0], start, 1)
    with pytest.raises(ValueError, match="betas must equal the ladder"):
        parallel_tempering(model, [0.25, 1.0], state, 1)
