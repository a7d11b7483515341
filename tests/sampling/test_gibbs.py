"""Gibbs, Metropolis and checkerboard samplers: a literal reference, the exact oracle, bad input.

Statistical tests: many independent chains, the final states as samples, a chi-square test of
their histogram against ``exact.probabilities`` (states whose expected count is below 5 pooled
into one bin), repeated over fixed seeds and combined with Fisher's method. The level ALPHA was
fixed before the tests were run; each sampler test has a twin that must reject a wrong
distribution, to show the test has power.
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
from energynets.sampling.gibbs import ChainResult, checkerboard, gibbs, metropolis

# the private module of the chains the samplers run (its block size moved there from gibbs)
chains_module = importlib.import_module("energynets.sampling._chains")

SEEDS = (101, 102, 103)
ALPHA = 1e-3
N_CHAINS = 3000
N_SWEEPS = 60


# -- helpers (also used by the other sampler tests) --------------------------------------------
def random_machine(n_units, units="spins", scale=0.6, seed=0, dtype=np.float64):
    g = np.random.default_rng(seed)
    w = g.normal(scale=scale, size=(n_units, n_units))
    w = np.triu(w, 1)
    return BoltzmannMachine(w + w.T, g.normal(scale=0.4, size=n_units), units=units, dtype=dtype)


def state_codes(states, model):
    """Row index of each state in ``exact.probabilities`` (first unit most significant)."""
    high = np.asarray(states) == model.unit_values[1]
    return high.astype(np.int64) @ (1 << np.arange(model.n_units - 1, -1, -1))


def chi_square_pvalue(codes, probs):
    """Chi-square goodness of fit of category codes to probabilities, small bins pooled."""
    counts = np.bincount(codes, minlength=probs.size).astype(float)
    expected = probs * codes.size
    small = expected < 5
    if small.any():
        counts = np.append(counts[~small], counts[small].sum())
        expected = np.append(expected[~small], expected[small].sum())
    return stats.chisquare(counts, expected).pvalue


def combined_pvalue(draw, model, temperature=1.0):
    """Fisher-combined p-value of ``draw(seed) -> states`` against the exact distribution."""
    _, probs = en.exact.probabilities(model, temperature)
    pvalues = [chi_square_pvalue(state_codes(draw(seed), model), probs) for seed in SEEDS]
    return stats.combine_pvalues(pvalues, method="fisher").pvalue


def literal_single_site(model, states, n_sweeps, seed, rule, scan):
    """Textbook single-site updates, one chain and one unit at a time.

    Draws the random numbers as the package documents: per sweep a permutation (random scan),
    then one uniform per (position in the visiting order, chain).
    """
    gen = np.random.default_rng(seed)
    s = np.array(states, dtype=float)
    n_chains, n_units = s.shape
    lo, hi = model.unit_values
    w, b = model.weights, model.bias
    for _ in range(n_sweeps):
        order = gen.permutation(n_units) if scan == "random" else np.arange(n_units)
        u = gen.random((n_units, n_chains))
        for p, i in enumerate(order):
            for c in range(n_chains):
                h = w[i] @ s[c] + b[i]
                if rule == "gibbs":  # p(high | rest) = sigma((hi - lo) h)
                    s[c, i] = hi if u[p, c] < 1.0 / (1.0 + np.exp(-(hi - lo) * h)) else lo
                else:  # propose the other value, accept with min(1, exp(-dE))
                    new = lo + hi - s[c, i]
                    if u[p, c] < np.exp(-(-(new - s[c, i]) * h)):
                        s[c, i] = new
    return s


# -- exactness of the blocked kernel -------------------------------------------------------------
@pytest.mark.parametrize("units", ["spins", "bits"])
@pytest.mark.parametrize("rule", ["gibbs", "metropolis"])
@pytest.mark.parametrize("scan", ["random", "sequential"])
def test_equals_literal_single_site_updates(units, rule, scan):
    # more units than two blocks, so the in-block and between-block field updates both count
    n_units = 2 * chains_module._BLOCK + 5
    model = random_machine(n_units, units, scale=0.3, seed=n_units)
    start = model.random_states(6, rng=1)
    sampler = gibbs if rule == "gibbs" else metropolis
    res = sampler(model, start, 4, rng=7, scan=scan)
    expected = literal_single_site(model, start, 4, 7, rule, scan)
    assert np.array_equal(res.states, expected)


def test_energies_acceptance_and_samples_are_consistent():
    model = random_machine(40, seed=3)
    res = gibbs(model, model.random_states(50, rng=0), 80, rng=1, record=True)
    # beyond _REFRESH sweeps: incrementally updated fields must still give exact energies
    assert res.samples is not None and res.samples.shape == (80, 50, 40)
    np.testing.assert_allclose(res.energies[1:], [model.energy(s) for s in res.samples], atol=1e-9)
    np.testing.assert_allclose(res.energies[-1], model.energy(res.states), atol=1e-9)
    # each unit is updated once per sweep: units that differ after a sweep are the changes
    path = np.concatenate([model.random_states(50, rng=0)[None], res.samples])
    changed = (path[1:] != path[:-1]).sum(axis=(0, 2))
    np.testing.assert_allclose(res.acceptance, changed / (80 * 40))


def test_burn_in_and_thin_select_the_recorded_sweeps():
    model = random_machine(6, seed=1)
    start = model.random_states(5, rng=0)
    full = metropolis(model, start, 23, rng=4, record=True)
    part = metropolis(model, start, 23, rng=4, burn_in=5, thin=3, record=True)
    assert part.samples is not None and full.samples is not None
    assert part.samples.shape == ((23 - 5) // 3, 5, 6)
    # samples after sweeps 8, 11, ..., 23 (row t - 1 of the full record)
    np.testing.assert_array_equal(part.samples, full.samples[[7, 10, 13, 16, 19, 22]])
    np.testing.assert_array_equal(part.samples[-1], part.states)
    assert metropolis(model, start, 23, rng=4).samples is None


# -- the exact distribution ----------------------------------------------------------------------
# Two questions per sampler: from random starts, do the chains converge to p (a weakly coupled
# machine whose energy autocorrelation time is a few sweeps, run for N_SWEEPS); and started from
# exact samples of a strongly coupled machine (slow to converge, so only invariance is at
# stake), do a few sweeps keep p exactly?
SINGLE_SITE_CASES = [
    (gibbs, "random", "spins"),
    (gibbs, "sequential", "spins"),
    (metropolis, "random", "spins"),
    (metropolis, "sequential", "spins"),
    (gibbs, "random", "bits"),
    (gibbs, "sequential", "bits"),
    (metropolis, "random", "bits"),
    (metropolis, "sequential", "bits"),
]


def weak_machine(units):
    return random_machine(8, units, scale=0.3 if units == "spins" else 0.6, seed=5)


def strong_machine(units):
    return random_machine(8, units, scale=0.6 if units == "spins" else 1.5, seed=6)


@pytest.mark.parametrize(("sampler", "scan", "units"), SINGLE_SITE_CASES)
def test_single_site_converges_to_the_boltzmann_distribution(sampler, scan, units):
    model = weak_machine(units)

    def draw(seed):
        start = model.random_states(N_CHAINS, rng=seed)
        return sampler(model, start, N_SWEEPS, rng=seed, scan=scan).states

    assert combined_pvalue(draw, model) > ALPHA


@pytest.mark.parametrize(("sampler", "scan", "units"), SINGLE_SITE_CASES)
def test_single_site_keeps_the_boltzmann_distribution(sampler, scan, units):
    model = strong_machine(units)

    def draw(seed):
        start = en.exact.sample(model, N_CHAINS, rng=seed)
        return sampler(model, start, 5, rng=seed + 1, scan=scan).states

    assert combined_pvalue(draw, model) > ALPHA


@pytest.mark.parametrize("sampler", [gibbs, metropolis])
def test_single_site_rejects_a_wrong_temperature(sampler):
    # power: samples of the machine at T = 1 tested against the law at T = 1.25, and a kernel
    # run at T = 1.25 from exact samples at T = 1 (five sweeps) is caught
    weak, strong = weak_machine("spins"), strong_machine("spins")

    def draw_converged(seed):
        start = weak.random_states(N_CHAINS, rng=seed)
        return sampler(weak, start, N_SWEEPS, rng=seed).states

    def draw_drifted(seed):
        start = en.exact.sample(strong, N_CHAINS, rng=seed)
        return sampler(strong.tempered(1 / 1.25), start, 5, rng=seed + 1).states

    assert combined_pvalue(draw_converged, weak, temperature=1.25) < ALPHA
    assert combined_pvalue(draw_drifted, strong) < ALPHA


@pytest.mark.parametrize("units", ["spins", "bits"])
def test_first_update_follows_conditional_high(units):
    # one sequential sweep from a fixed state: unit 0 is updated first, so it is high with
    # probability model.conditional_high(h_0) of the starting state, in every chain
    model = random_machine(5, units, seed=2)
    start = np.tile(model.random_states(1, rng=3), (20000, 1))
    p_high = model.conditional_high(model.local_fields(start[:1]))[0, 0]
    high = gibbs(model, start, 1, rng=4, scan="sequential").states[:, 0] == model.unit_values[1]
    assert stats.binomtest(int(high.sum()), high.size, p_high).pvalue > ALPHA
    wrong = model.conditional_high(1.5 * model.local_fields(start[:1]))[0, 0]  # power
    assert stats.binomtest(int(high.sum()), high.size, wrong).pvalue < ALPHA


def test_tempered_model_and_float32():
    # the frustrated ring at T = 0.8 (two spins per ground state broken bond), float32 kernel
    ring = frustrated_ring(7, dtype=np.float32)
    hot = ring.tempered(1 / 0.8)

    def draw(seed):
        res = gibbs(hot, hot.random_states(N_CHAINS, rng=seed), N_SWEEPS, rng=seed)
        assert res.states.dtype == np.float32 and res.energies.dtype == np.float32
        return res.states

    assert combined_pvalue(draw, ring, temperature=0.8) > ALPHA


def test_thinned_samples_of_few_chains():
    model = random_machine(7, "bits", seed=9)

    def draw(seed):
        res = gibbs(
            model,
            model.random_states(100, rng=seed),
            420,
            rng=seed,
            burn_in=20,
            thin=20,
            record=True,
        )
        assert res.samples is not None
        return res.samples.reshape(-1, 7)  # 20 samples of 100 chains

    assert combined_pvalue(draw, model) > ALPHA


# -- checkerboard ------------------------------------------------------------------------------
def _magnetisation_energy_codes(states, plain):
    m = np.rint(np.sum(states, axis=1)).astype(np.int64)
    e = np.rint(plain.energy(states)).astype(np.int64)
    return (m + plain.n_units) * 10_000 + (e + 10 * plain.n_units)


def _checkerboard_pvalue(temperature_sampled, temperature_exact, rule):
    plain = ising_2d(4)
    states, probs = en.exact.probabilities(plain, temperature_exact)  # all 65536 states
    keys, inverse = np.unique(_magnetisation_energy_codes(states, plain), return_inverse=True)
    class_probs = np.bincount(inverse, weights=probs)
    model = plain.tempered(1 / temperature_sampled)
    pvalues = []
    for seed in SEEDS:
        res = checkerboard(model, model.random_states(N_CHAINS, rng=seed), 80, rng=seed, rule=rule)
        codes = np.searchsorted(keys, _magnetisation_energy_codes(res.states, plain))
        pvalues.append(chi_square_pvalue(codes, class_probs))
    return stats.combine_pvalues(pvalues, method="fisher").pvalue


@pytest.mark.parametrize("rule", ["gibbs", "metropolis"])
def test_checkerboard_ising_4x4_magnetisation_and_energy(rule):
    # the joint law of (M, E) of the 16-spin periodic lattice at T = 2.5, by enumeration
    assert _checkerboard_pvalue(2.5, 2.5, rule) > ALPHA


def test_checkerboard_rejects_a_wrong_temperature():
    assert _checkerboard_pvalue(2.2, 2.5, "gibbs") < ALPHA


def random_lattice(rows, cols, units, seed):
    """Nearest-neighbour couplings that differ from bond to bond (2-wide sides add up)."""
    g = np.random.default_rng(seed)
    site = np.arange(rows * cols).reshape(rows, cols)
    w = np.zeros((rows * cols, rows * cols))
    for nb in (np.roll(site, -1, axis=0), np.roll(site, -1, axis=1)):
        j = g.normal(scale=0.7, size=rows * cols)
        np.add.at(w, (site.ravel(), nb.ravel()), j)
        np.add.at(w, (nb.ravel(), site.ravel()), j)
    bias = g.normal(scale=0.5, size=rows * cols)
    return BoltzmannMachine(w, bias, units=units, lattice_shape=(rows, cols))


@pytest.mark.parametrize(
    ("shape", "units", "rule"),
    [((2, 4), "bits", "gibbs"), ((2, 4), "spins", "metropolis"), ((2, 6), "spins", "gibbs")],
)
def test_checkerboard_irregular_bonds_against_the_full_distribution(shape, units, rule):
    # sides of 2 (both neighbours in that direction are one site) and rows of 3 packed sites
    rows, cols = shape
    model = random_lattice(rows, cols, units, seed=4)

    def draw(seed):
        start = model.random_states(N_CHAINS, rng=seed)
        return checkerboard(model, start, N_SWEEPS, rng=seed, rule=rule).states

    assert combined_pvalue(draw, model) > ALPHA


@pytest.mark.parametrize("model", [ising_2d(6, 0.8, 0.1), random_lattice(4, 6, "bits", seed=1)])
def test_checkerboard_energies_and_acceptance(model):
    # the energies come from the packed neighbour sums; the dense energy must agree
    model = model.tempered(0.7)
    start = model.random_states(20, rng=0)
    res = checkerboard(model, start, 12, rng=3, record=True)
    assert res.samples is not None
    np.testing.assert_allclose(res.energies[1:], [model.energy(s) for s in res.samples], atol=1e-9)
    path = np.concatenate([start[None], res.samples])
    changed = (path[1:] != path[:-1]).sum(axis=(0, 2))
    np.testing.assert_allclose(res.acceptance, changed / (12 * model.n_units))
    # at beta = 0 Metropolis accepts every flip
    flat = ising_2d(4).tempered(0.0)
    res0 = checkerboard(flat, flat.random_states(3, rng=1), 2, rule="metropolis")
    np.testing.assert_array_equal(res0.acceptance, 1.0)


# -- contract: reproducibility, no mutation, shapes, bad input ----------------------------------
@pytest.mark.parametrize("sampler", [gibbs, metropolis, checkerboard])
def test_same_seed_same_result_and_inputs_untouched(sampler):
    model = ising_2d(4).tempered(0.5)
    start = model.random_states(9, rng=2)
    start.setflags(write=False)  # a read-only input must work and stay as it was
    copy = start.copy()
    weights = model.weights.copy()
    a = sampler(model, start, 7, rng=5)
    b = sampler(model, start, 7, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a.states, b.states)
    np.testing.assert_array_equal(a.energies, b.energies)
    np.testing.assert_array_equal(start, copy)
    np.testing.assert_array_equal(model.weights, weights)
    assert not np.array_equal(a.states, sampler(model, start, 7, rng=6).states)
    assert isinstance(a, ChainResult)


def test_zero_sweeps_and_one_chain():
    model = random_machine(5, "bits", seed=0)
    start = model.random_states(4, rng=0)
    res = gibbs(model, start, 0)
    np.testing.assert_array_equal(res.states, start)
    assert res.energies.shape == (1, 4) and np.all(np.isnan(res.acceptance))
    one = metropolis(model, start[0], 3, rng=1)  # a 1-D state is one chain
    assert one.states.shape == (1, 5) and one.energies.shape == (4, 1)


def test_sweep_at_infinite_temperature():
    model = random_machine(6, seed=2).tempered(0.0)
    start = model.random_states(10, rng=0)
    flipped = metropolis(model, start, 1, rng=0)
    np.testing.assert_array_equal(flipped.states, -start)
    assert np.all(flipped.acceptance == 1.0)


def test_bad_input_is_named():
    model = random_machine(4, "bits", seed=0)
    good = model.random_states(3, rng=0)
    with pytest.raises(ValueError, match="states must have 4 units"):
        gibbs(model, np.zeros((3, 5)), 1)
    with pytest.raises(ValueError, match="states must contain only 0 and 1"):
        gibbs(model, -np.ones((3, 4)), 1)
    with pytest.raises(ValueError, match="n_sweeps must be >= 0"):
        gibbs(model, good, -1)
    with pytest.raises(TypeError, match="n_sweeps must be an int"):
        gibbs(model, good, 2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="thin must be >= 1"):
        metropolis(model, good, 3, thin=0)
    with pytest.raises(ValueError, match="burn_in must be <= n_sweeps"):
        metropolis(model, good, 3, burn_in=4)
    with pytest.raises(ValueError, match="scan must be one of"):
        gibbs(model, good, 1, scan="backwards")
    with pytest.raises(TypeError, match="model must be a BoltzmannMachine"):
        gibbs(en.HopfieldNetwork(np.zeros((4, 4))), good, 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="rng must be"):
        gibbs(model, good, 1, rng="seed")  # type: ignore[arg-type]
    lattice = ising_2d(4)
    with pytest.raises(ValueError, match="rule must be one of"):
        checkerboard(lattice, lattice.random_states(2), 1, rule="wolff")
    with pytest.raises(ValueError, match="lattice_shape"):
        checkerboard(sherrington_kirkpatrick(9), np.ones((2, 9)), 1)
    with pytest.raises(ValueError, match="even lattice sides"):
        checkerboard(ising_2d(3), np.ones((2, 9)), 1)
    w = lattice.weights.copy()
    w[0, 5] = w[5, 0] = 0.5  # a diagonal neighbour
    extra = BoltzmannMachine(w, lattice.bias, lattice_shape=(4, 4))
    with pytest.raises(ValueError, match="nearest-neighbour couplings only"):
        checkerboard(extra, np.ones((2, 16)), 1)
