"""Swendsen-Wang and Wolff cluster updates: the exact oracle, the lattice against the dense
machine, limits that cannot be wrong, bad input.

Statistical tests as in test_gibbs.py (whose helpers they use): many independent chains from
random starts, the final states (or thinned recorded samples) as samples, a chi-square test of
their histogram against ``exact.probabilities`` over all 2**N states, repeated over fixed
seeds and combined with Fisher's method at the level ALPHA fixed there; the power tests must
reject a wrong temperature. The cases include low temperature (T = 1.5, where the lattice
orders and single-site samplers stick) and T_c; lattices of odd side and 4 x 2, which the
checkerboard sampler cannot run; antiferromagnets (frustrated on the 3 x 3 torus), a frustrated
ring, an SK spin glass and bonds of random sign.
"""

import importlib

import numpy as np
import pytest
from scipy import stats

import energynets as en
from energynets.models.boltzmann import (
    BoltzmannMachine,
    frustrated_ring,
    ising_2d,
    sherrington_kirkpatrick,
)
from energynets.models.lattice import LatticeIsing, ising_lattice
from energynets.sampling import ChainResult, swendsen_wang, wolff
from energynets.sampling.cluster import SwendsenWangChains, WolffChains, model_bonds
from tests.sampling.test_gibbs import ALPHA, SEEDS, chi_square_pvalue, state_codes

cluster_module = importlib.import_module("energynets.sampling.cluster")

T_C = 2.0 / np.log(1.0 + np.sqrt(2.0))
N_CHAINS = 3000
# enough to forget a random start on these small systems, even at T = 1.5
N_SWEEPS = {"swendsen_wang": 30, "wolff": 60}
SAMPLERS = {"swendsen_wang": swendsen_wang, "wolff": wolff}


def lattice(rows, cols, coupling=1.0):
    """A uniform-coupling LatticeIsing of any shape (ising_lattice is square)."""
    bonds = np.full((rows, cols), coupling)
    return LatticeIsing(bonds, bonds)


def random_sign_lattice(rows, cols, seed):
    """Bonds of random sign and size, zero field (frustrated plaquettes)."""
    g = np.random.default_rng(seed)
    return LatticeIsing(
        g.normal(scale=0.8, size=(rows, cols)), g.normal(scale=0.8, size=(rows, cols))
    )


def sparse_machine():
    """8 spins, bonds of random sign on a random graph: degrees 0 (spin 7) to 4."""
    g = np.random.default_rng(12)
    upper = np.triu(g.normal(scale=0.9, size=(8, 8)) * (g.random((8, 8)) < 0.4), 1)
    upper[:, 7] = 0.0
    upper[0, 1] = 0.7  # not all couplings drawn zero
    w = upper + upper.T
    return BoltzmannMachine(w, units="spins")


def pvalue(sampler, model, temperature, *, sampled_temperature=None, n_updates=None):
    """Fisher-combined p-value of the final states of N_CHAINS chains of ``model`` tempered
    to ``sampled_temperature`` (default ``temperature``), after ``n_updates`` (default
    N_SWEEPS) updates, against the exact law at ``temperature``."""
    run = SAMPLERS[sampler]
    n = N_SWEEPS[sampler] if n_updates is None else n_updates
    hot = model.tempered(1.0 / (sampled_temperature or temperature))
    _, probs = en.exact.probabilities(model, temperature)
    pvalues = []
    for seed in SEEDS:
        states = run(hot, hot.random_states(N_CHAINS, rng=seed), n, rng=seed).states
        # (a p-value of 0 would make Fisher's method warn about log(0))
        pvalues.append(max(chi_square_pvalue(state_codes(states, model), probs), 1e-300))
    return stats.combine_pvalues(pvalues, method="fisher").pvalue


# -- the exact distribution ----------------------------------------------------------------------
MODELS = {
    "ising 2x2": lambda: ising_2d(2),
    "ising 3x3": lambda: ising_2d(3),
    "ising 4x2": lambda: lattice(4, 2).to_boltzmann(),
    "antiferromagnet 3x3": lambda: ising_2d(3, coupling=-1.0),
    "antiferromagnet 4x2": lambda: lattice(4, 2, -1.0).to_boltzmann(),
    "lattice 2x2": lambda: ising_lattice(2),
    "lattice 3x3": lambda: ising_lattice(3),
    "lattice 4x2": lambda: lattice(4, 2),
    "lattice antiferromagnet 3x3": lambda: ising_lattice(3, coupling=-1.0),
    "lattice random signs 3x3": lambda: random_sign_lattice(3, 3, seed=3),
}


@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize("temperature", [1.5, T_C, 3.5])
@pytest.mark.parametrize("name", MODELS)
def test_lattices_follow_the_boltzmann_distribution(sampler, temperature, name):
    assert pvalue(sampler, MODELS[name](), temperature) > ALPHA


@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize(
    ("model", "temperature"),
    [
        (frustrated_ring(7), 0.8),
        (frustrated_ring(8, coupling=0.7), 0.5),
        (sherrington_kirkpatrick(8, rng=2), 0.5),
        (sherrington_kirkpatrick(8, rng=3), 1.0),
        (sparse_machine(), 0.7),
    ],
    ids=["ring7", "ring8", "sk8-cold", "sk8", "sparse"],
)
def test_frustrated_systems_follow_the_boltzmann_distribution(sampler, model, temperature):
    # 200 updates: in a cold spin glass the clusters percolate, most Swendsen-Wang sweeps flip
    # nearly all or nothing, and leaving a valley of the energy takes tens of sweeps (after
    # 30 sweeps from random starts the SK case at T = 0.5 is still far from equilibrium)
    assert pvalue(sampler, model, temperature, n_updates=200) > ALPHA


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_a_wrong_temperature_is_rejected(sampler):
    # power: chains at T_c tested against the law at T = 2, and at T = 1.5 against 1.3
    assert pvalue(sampler, ising_lattice(3), 2.0, sampled_temperature=T_C) < ALPHA
    sk = sherrington_kirkpatrick(8, rng=2)
    assert pvalue(sampler, sk, 0.4, sampled_temperature=0.5, n_updates=200) < ALPHA


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_exact_samples_stay_exact(sampler):
    # invariance alone: started in the Boltzmann distribution of a cold spin glass, two updates
    model = sherrington_kirkpatrick(8, rng=5)
    cold = model.tempered(1 / 0.4)
    _, probs = en.exact.probabilities(cold)
    pvalues = []
    for seed in SEEDS:
        start = en.exact.sample(cold, N_CHAINS, rng=seed)
        states = SAMPLERS[sampler](cold, start, 2, rng=seed + 1).states
        pvalues.append(chi_square_pvalue(state_codes(states, cold), probs))
    assert stats.combine_pvalues(pvalues, method="fisher").pvalue > ALPHA


@pytest.mark.parametrize(("sampler", "thin"), [("swendsen_wang", 4), ("wolff", 8)])
def test_thinned_samples_of_few_chains(sampler, thin):
    # 60 recorded samples of each of 50 chains at T_c on the 4 x 2 lattice
    model = lattice(4, 2)
    hot = model.tempered(1 / T_C)
    _, probs = en.exact.probabilities(model, T_C)
    pvalues = []
    for seed in SEEDS:
        res = SAMPLERS[sampler](
            hot,
            hot.random_states(50, rng=seed),
            20 + 60 * thin,
            rng=seed,
            burn_in=20,
            thin=thin,
            record=True,
        )
        assert res.samples is not None and res.samples.shape == (60, 50, 8)
        pvalues.append(chi_square_pvalue(state_codes(res.samples.reshape(-1, 8), model), probs))
    assert stats.combine_pvalues(pvalues, method="fisher").pvalue > ALPHA


# -- the lattice and the dense machine -----------------------------------------------------------
def assert_same_result(a, b):
    np.testing.assert_array_equal(a.states, b.states)
    np.testing.assert_array_equal(a.energies, b.energies)
    np.testing.assert_array_equal(a.acceptance, b.acceptance)
    np.testing.assert_array_equal(a.samples, b.samples)


@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize("shape", [(2, 2), (3, 3), (4, 2), (2, 6), (5, 4), (8, 8)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_lattice_and_dense_machine_give_identical_chains(sampler, shape, dtype):
    # the same bonds in the same order, so the same random numbers do the same things; on a
    # side of 2 the lattice's two bonds between a pair act as the dense machine's one coupling
    g = np.random.default_rng(shape[0] * 10 + shape[1])
    lat = LatticeIsing(*g.normal(size=(2, *shape)), dtype=dtype).tempered(1 / T_C)
    dense = lat.to_boltzmann()
    start = lat.random_states(6, rng=1)
    kwargs = {"burn_in": 3, "thin": 2, "record": True}
    ours = SAMPLERS[sampler](lat, start, 15, rng=4, **kwargs)
    assert_same_result(ours, SAMPLERS[sampler](dense, start, 15, rng=4, **kwargs))
    assert ours.states.dtype == dtype and ours.energies.dtype == dtype
    # ising_lattice and ising_2d too
    side = shape[0]
    square = ising_2d(side, dtype=dtype).random_states(6, rng=2)
    a = SAMPLERS[sampler](ising_lattice(side, dtype=dtype).tempered(0.4), square, 5, record=True)
    b = SAMPLERS[sampler](ising_2d(side, dtype=dtype).tempered(0.4), square, 5, record=True)
    assert_same_result(a, b)


def test_the_bonds_are_read_once_per_model():
    dense = ising_2d(4)
    first = model_bonds(dense)
    assert model_bonds(dense) is first
    assert first.first.size == 32 and first.table.shape == (16, 4)
    assert np.all(first.first < first.second) and not first.strength.flags.writeable
    # a 2-wide lattice: the two bonds between a pair are one coupling of their sum
    two = model_bonds(ising_lattice(2))
    np.testing.assert_array_equal(two.strength, [2.0, 2.0, 2.0, 2.0])
    np.testing.assert_array_equal(two.table, model_bonds(ising_2d(2)).table)


# -- limits that cannot be wrong -----------------------------------------------------------------
@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize("model", [ising_lattice(4, 0.7), ising_2d(4, -1.0), frustrated_ring(8)])
def test_a_cold_ground_state_flips_as_one_cluster(sampler, model):
    # every bond satisfied and activated with probability 1 - exp(-2 * 50): one cluster, so
    # each update flips everything (Wolff) or everything or nothing (Swendsen-Wang)
    start = en.exact.ground_states(model)[0][:1]
    res = SAMPLERS[sampler](model.tempered(50.0), np.repeat(start, 40, axis=0), 1, rng=2)
    flipped = np.all(res.states == -start, axis=1)
    assert np.all(flipped | np.all(res.states == start, axis=1))
    if sampler == "wolff":
        assert flipped.all() and np.all(res.acceptance == 1.0)
    else:
        assert 0 < flipped.sum() < 40


def test_at_infinite_temperature_single_spins():
    # beta = 0: no bond is ever activated; Wolff flips its seed alone, Swendsen-Wang every
    # spin independently with probability 1/2
    model = ising_lattice(8).tempered(0.0)
    start = model.random_states(500, rng=0)
    res = wolff(model, start, 3, rng=1, record=True)
    assert res.samples is not None
    steps = np.concatenate([start[None], res.samples])
    assert np.all((steps[1:] != steps[:-1]).sum(axis=2) == 1)
    np.testing.assert_allclose(res.acceptance, 1 / 64)
    sw = swendsen_wang(model, start, 1, rng=1)
    changed = int((sw.states != start).sum())
    assert stats.binomtest(changed, start.size, 0.5).pvalue > ALPHA
    # a model without bonds: the same, at any temperature
    free = BoltzmannMachine(np.zeros((5, 5)))
    res = wolff(free, free.random_states(4, rng=0), 2, rng=0)
    np.testing.assert_array_equal(res.energies, 0.0)
    np.testing.assert_allclose(res.acceptance, 1 / 5)
    assert swendsen_wang(free, free.random_states(4, rng=0), 2, rng=0).states.shape == (4, 5)


@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize(
    "model",
    [
        random_sign_lattice(6, 5, seed=1).tempered(0.9),
        ising_lattice(6).tempered(0.44),
        frustrated_ring(9, 0.8),
        sherrington_kirkpatrick(12, rng=1).tempered(2.0),
    ],
    ids=["random-signs", "ising", "ring", "sk"],
)
def test_energies_and_acceptance_are_those_of_the_states(sampler, model):
    # Wolff's energies are updated from the cluster boundary (one coupling, or a table):
    # beyond the refresh they must still be the energies of the states; acceptance is the
    # fraction of spins changed
    start = model.random_states(7, rng=0)
    n = 2 * cluster_module._REFRESH + 3
    res = SAMPLERS[sampler](model, start, n, rng=3, record=True)
    assert res.samples is not None
    np.testing.assert_allclose(res.energies[1:], [model.energy(s) for s in res.samples], atol=1e-9)
    path = np.concatenate([start[None], res.samples])
    changed = (path[1:] != path[:-1]).sum(axis=(0, 2))
    np.testing.assert_allclose(res.acceptance, changed / (n * model.n_units))


@pytest.mark.parametrize("chains", [SwendsenWangChains, WolffChains])
def test_an_inverse_temperature_is_the_tempered_model(chains):
    # set_inverse_temperature (the Chains protocol) runs the tempered model's chains
    model = ising_lattice(5)
    start = model.random_states(4, rng=0)
    a = chains(model, start)
    a.set_inverse_temperature(0.5)
    b = chains(model.tempered(0.5), start)
    gen_a, gen_b = np.random.default_rng(1), np.random.default_rng(1)
    for _ in range(5):
        np.testing.assert_array_equal(a.sweep(gen_a), b.sweep(gen_b))
    np.testing.assert_array_equal(a.states(), b.states())
    np.testing.assert_array_equal(a.energies(), 2.0 * b.energies())  # the model's own energy
    with pytest.raises(ValueError, match="one inverse temperature"):
        a.set_inverse_temperature(np.array([0.5, 1.0]))


# -- contract: reproducibility, no mutation, shapes, bad input ----------------------------------
@pytest.mark.parametrize("sampler", SAMPLERS)
def test_same_seed_same_result_and_inputs_untouched(sampler):
    model = ising_lattice(5).tempered(1 / T_C)
    start = model.random_states(9, rng=2)
    start.setflags(write=False)  # a read-only input must work and stay as it was
    copy = start.copy()
    a = SAMPLERS[sampler](model, start, 7, rng=5)
    b = SAMPLERS[sampler](model, start, 7, rng=np.random.default_rng(5))
    assert_same_result(a, b)
    np.testing.assert_array_equal(start, copy)
    assert not np.array_equal(a.states, SAMPLERS[sampler](model, start, 7, rng=6).states)
    assert isinstance(a, ChainResult)
    zero = SAMPLERS[sampler](model, start, 0)
    np.testing.assert_array_equal(zero.states, start)
    assert zero.energies.shape == (1, 9) and np.all(np.isnan(zero.acceptance))
    one = SAMPLERS[sampler](model, start[0], 3, rng=1)  # a 1-D state is one chain
    assert one.states.shape == (1, 25) and one.energies.shape == (4, 1)


def test_bad_input_is_named():
    model = ising_2d(3)
    good = model.random_states(2, rng=0)
    bits = BoltzmannMachine(model.weights, units="bits")
    for sampler in (swendsen_wang, wolff):
        with pytest.raises(ValueError, match="model must have spin units.*got units='bits'"):
            sampler(bits, np.zeros((2, 9)), 1)
        with pytest.raises(ValueError, match=r"model must have a zero field \(bias\)"):
            sampler(ising_2d(3, field=0.1), good, 1)
        with pytest.raises(ValueError, match=r"model must have a zero field \(bias\)"):
            sampler(ising_lattice(3, field=-0.2), good, 1)
        with pytest.raises(TypeError, match="model must be a BoltzmannMachine or a LatticeIsing"):
            sampler(en.HopfieldNetwork(np.zeros((9, 9))), good, 1)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="states must have 9 units"):
            sampler(model, np.ones((2, 8)), 1)
        with pytest.raises(ValueError, match="states must contain only -1 and 1"):
            sampler(model, np.zeros((2, 9)), 1)
        with pytest.raises(ValueError, match="thin must be >= 1"):
            sampler(model, good, 3, thin=0)
        with pytest.raises(TypeError, match="rng must be"):
            sampler(model, good, 1, rng="seed")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n_sweeps must be >= 0"):
        swendsen_wang(model, good, -1)
    with pytest.raises(ValueError, match="burn_in must be <= n_sweeps"):
        swendsen_wang(model, good, 3, burn_in=4)
    with pytest.raises(ValueError, match="n_steps must be >= 0"):
        wolff(model, good, -1)
    with pytest.raises(TypeError, match="n_steps must be an int"):
        wolff(model, good, 2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="burn_in must be <= n_steps = 3"):
        wolff(model, good, 3, burn_in=4)
