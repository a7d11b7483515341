"""Sampling experiments: exact Ising results, structure, reproducibility, exact checks, bad input.

The statistical tests run the experiment with three fixed seeds, chosen before the tests were
run, and combine the chi-square p-values of its histogram-against-exact check with Fisher's
method; a twin test checks the same counts against a wrong temperature, to show the test has
the power to reject.
"""

import json
import math

import numpy as np
import pytest
from scipy import stats

import energynets as en
from energynets.experiments import sampling as sx
from energynets.experiments.sampling import (
    COMPARE_COLUMNS,
    ONSAGER_TC,
    SAMPLE_COLUMNS,
    SCAN_COLUMNS,
    compare_samplers,
    gelman_rubin,
    ising_temperature_scan,
    make_system,
    onsager_critical_temperature,
    onsager_energy,
    onsager_magnetisation,
    sample_system,
)
from energynets.models.boltzmann import BoltzmannMachine

SEEDS = (11, 12, 13)
ALPHA = 1e-3


def _pooled_pvalue(counts, probs):
    """Chi-square p-value of counts against probabilities, cells expecting < 5 pooled."""
    counts = np.asarray(counts, dtype=float)
    expected = probs * counts.sum()
    small = expected < 5
    obs = np.append(counts[~small], counts[small].sum())
    exp = np.append(expected[~small], expected[small].sum())
    keep = exp > 0
    return stats.chisquare(obs[keep], exp[keep] * obs.sum() / exp[keep].sum()).pvalue


# -- Onsager and Yang ---------------------------------------------------------------------------
def test_critical_temperature_is_onsagers():
    # sinh(2 / T_c) = 1  <=>  T_c = 2 / asinh(1) = 2 / ln(1 + sqrt 2)
    assert ONSAGER_TC == pytest.approx(2.269185314213022, abs=1e-12)
    assert math.sinh(2.0 / ONSAGER_TC) == pytest.approx(1.0, abs=1e-12)
    assert onsager_critical_temperature(2.0) == pytest.approx(2.0 * ONSAGER_TC)


def test_spontaneous_magnetisation_by_hand():
    # T = 2: sinh(1) = 1.17520, sinh(1)^4 = 1.90733, 1 - 1/1.90733 = 0.47571, ^(1/8) = 0.91132
    assert onsager_magnetisation(2.0) == pytest.approx(0.911319377877496, abs=1e-12)
    m = onsager_magnetisation([0.1, ONSAGER_TC, 2.5, 10.0])
    np.testing.assert_allclose(m, [1.0, 0.0, 0.0, 0.0], atol=1e-12)
    # M ~ (T_c - T)^(1/8): shrinking the distance 256-fold halves M
    eps = 1e-4
    ratio = onsager_magnetisation(ONSAGER_TC - eps) / onsager_magnetisation(ONSAGER_TC - eps / 256)
    assert ratio == pytest.approx(2.0, rel=1e-4)
    # J scales the temperature
    assert onsager_magnetisation(4.0, coupling=2.0) == pytest.approx(onsager_magnetisation(2.0))


def test_onsager_energy_limits_and_series():
    # at T_c the elliptic term vanishes: u = -coth(2 / T_c) = -sqrt(2)
    assert onsager_energy(ONSAGER_TC) == pytest.approx(-math.sqrt(2.0), abs=1e-12)
    # low T: one flipped spin costs 8 J, u = -2 + 8 exp(-8 / T) + ...
    assert onsager_energy(0.8) == pytest.approx(-2.0 + 8.0 * math.exp(-10.0), abs=2e-5)
    # high T: u = -2 t - 4 t^3 (1 - t^2) - 12 t^5 (1 - t^2) + O(t^7), t = tanh(1 / T)
    t = math.tanh(0.1)
    series = -2 * t - 4 * t**3 * (1 - t**2) - 12 * t**5 * (1 - t**2)
    assert onsager_energy(10.0) == pytest.approx(series, abs=1e-5)
    # continuous through T_c and increasing in T
    u = onsager_energy(np.linspace(1.0, 4.0, 301))
    assert np.all(np.diff(u) > 0)
    assert onsager_energy(ONSAGER_TC * (1 + 1e-9)) == pytest.approx(-math.sqrt(2.0), abs=1e-6)


@pytest.mark.parametrize("bad", [0.0, -1.0, [1.0, -2.0]])
def test_onsager_functions_reject_non_positive_temperatures(bad):
    with pytest.raises(ValueError, match="temperature must be > 0"):
        onsager_magnetisation(bad)
    with pytest.raises(ValueError, match="temperature must be > 0"):
        onsager_energy(bad)
    with pytest.raises(ValueError, match="coupling must be > 0"):
        onsager_energy(1.0, coupling=0.0)


# -- helpers ------------------------------------------------------------------------------------
def test_gelman_rubin_by_hand():
    # chains [0, 2] and [1, 3]: W = 2, B = n var(means) = 2 * 0.5 = 1,
    # R = sqrt((1/2 * 2 + 1/2) / 2) = sqrt(0.75)
    assert gelman_rubin([[0.0, 1.0], [2.0, 3.0]]) == pytest.approx(math.sqrt(0.75))
    assert gelman_rubin(np.ones((5, 3))) != gelman_rubin(np.ones((5, 3)))  # NaN
    assert gelman_rubin([[1.0, 2.0], [1.0, 2.0]]) == math.inf  # stuck, and disagreeing
    iid = np.random.default_rng(0).normal(size=(4000, 8))
    assert gelman_rubin(iid) == pytest.approx(1.0, abs=0.01)


def test_make_system():
    ising = make_system("ising", 4)
    assert ising.lattice_shape == (4, 4) and ising.n_units == 16
    assert make_system("ring").n_units == 9
    sk = make_system("sk", 10, rng=3)
    np.testing.assert_array_equal(sk.weights, make_system("sk", 10, rng=3).weights)
    with pytest.raises(ValueError, match="system must be one of"):
        make_system("potts")
    with pytest.raises(ValueError, match="size must be >= 3"):
        make_system("ring", 2)
    with pytest.raises(ValueError, match="size must be <= 64"):
        make_system("ising", 65)


# -- sample_system ------------------------------------------------------------------------------
def test_sample_system_structure():
    res = sample_system(
        "ring", "gibbs", temperature=1.0, n_chains=6, n_sweeps=120, burn_in=20, rng=0
    )
    assert res.energies.shape == (121, 6)
    assert res.magnetisations.shape == (121, 6)
    assert res.acceptance.shape == (6,)
    assert [r["observable"] for r in res.records] == ["energy", "magnetisation", "|magnetisation|"]
    for r in res.records:
        assert tuple(r) == SAMPLE_COLUMNS
    # energies are E of the ring itself (J = 1, 9 spins): J sum s_i s_(i+1) in {-7, -3, ..., 9}
    assert set(np.unique(res.energies)) <= {-7.0, -3.0, 1.0, 5.0, 9.0}
    # m = (2 k - 9) / 9 for k spins up
    np.testing.assert_allclose(np.round(res.magnetisations * 9) / 9, res.magnetisations)
    assert res.swap_rates is None and res.temperatures is None
    assert res.histogram is not None and res.histogram.kind == "states"
    assert res.histogram.probabilities.sum() == pytest.approx(1.0)
    assert set(res.autocorrelations) == {"energy", "magnetisation"}
    assert res.autocorrelations["energy"][0] == pytest.approx(1.0)
    text = res.to_text()
    assert "energy" in text and "chi2" in text and "antiferromagnetic ring" in text
    assert res.to_markdown().startswith("| observable | mean |")
    summary = res.summary()
    json.dumps(summary, allow_nan=False)
    assert summary["settings"]["temperature"] == 1.0
    assert summary["histogram"]["kind"] == "states"
    assert res.record("energy")["mean"] == res.records[0]["mean"]


def test_sample_system_same_seed_same_result():
    kw = dict(size=12, n_chains=4, n_sweeps=60, burn_in=10)
    a = sample_system("sk", "metropolis", rng=5, **kw)
    b = sample_system("sk", "metropolis", rng=5, **kw)
    c = sample_system("sk", "metropolis", rng=6, **kw)
    np.testing.assert_array_equal(a.energies, b.energies)
    np.testing.assert_array_equal(a.magnetisations, b.magnetisations)
    assert a.records == b.records
    assert not np.array_equal(a.energies, c.energies)


def test_tempering_reports_its_ladder_and_swap_rates():
    res = sample_system(
        "sk", "tempering", size=10, temperature=0.4, n_temperatures=5, hottest_temperature=2.0,
        n_chains=4, n_sweeps=40, burn_in=10, rng=0,
    )  # fmt: skip
    np.testing.assert_allclose(res.temperatures[[0, -1]], [2.0, 0.4])
    assert np.all(np.diff(res.temperatures) < 0)
    assert res.swap_rates.shape == (4,)
    assert np.all((res.swap_rates >= 0) & (res.swap_rates <= 1))
    assert res.summary()["settings"]["n_temperatures"] == 5


def test_ordered_start_and_checkerboard_on_the_lattice():
    res = sample_system(
        "ising", "checkerboard", size=4, temperature=1.0, initial="ordered", n_chains=3,
        n_sweeps=30, burn_in=5, rng=0,
    )  # fmt: skip
    # all spins up: E = -2 N J = -32, m = 1
    np.testing.assert_array_equal(res.energies[0], [-32.0] * 3)
    np.testing.assert_array_equal(res.magnetisations[0], [1.0] * 3)
    assert res.histogram.kind == "energies"


@pytest.mark.parametrize(
    ("system", "sampler", "kw"),
    [
        ("ring", "gibbs", {"temperature": 1.0}),  # 9 units: histogram of states
        ("ring", "metropolis", {"temperature": 1.0}),
        ("sk", "tempering", {"size": 12, "temperature": 0.5}),  # 12 units: of energies
        ("ising", "checkerboard", {"size": 4, "temperature": 3.0}),
    ],
)
def test_histogram_matches_the_exact_distribution(system, sampler, kw):
    pvalues = []
    for seed in SEEDS:
        res = sample_system(system, sampler, n_chains=32, n_sweeps=400, burn_in=50, rng=seed, **kw)
        h = res.histogram
        assert h.n_samples == h.counts.sum() >= 32
        pvalues.append(h.p_value)
    assert stats.combine_pvalues(pvalues, method="fisher").pvalue > ALPHA, pvalues


def test_histogram_check_has_power():
    # the same samples against the distribution at a wrong temperature: rejected
    ring = en.models.boltzmann.frustrated_ring(9)
    _, wrong = en.exact.probabilities(ring, 1.3)
    pvalues = []
    for seed in SEEDS:
        res = sample_system("ring", "gibbs", temperature=1.0, n_chains=32, n_sweeps=400,
                            burn_in=50, rng=seed)  # fmt: skip
        pvalues.append(_pooled_pvalue(res.histogram.counts, wrong))
    assert stats.combine_pvalues(pvalues, method="fisher").pvalue < ALPHA


def test_any_boltzmann_machine_with_bit_units():
    g = np.random.default_rng(0)
    w = np.triu(g.normal(scale=0.8, size=(6, 6)), 1)
    bm = BoltzmannMachine(w + w.T, g.normal(scale=0.5, size=6), units="bits")
    res = sample_system(bm, "gibbs", n_chains=32, n_sweeps=300, burn_in=50, rng=1)
    assert res.settings["system"] == "BoltzmannMachine"
    assert res.settings["temperature"] == 1.0
    assert np.all((res.magnetisations >= 0) & (res.magnetisations <= 1))
    _, probs = en.exact.probabilities(bm)
    np.testing.assert_allclose(res.histogram.probabilities, probs)
    assert res.histogram.p_value > ALPHA


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"system": "potts"}, ValueError, "system must be one of"),
        ({"system": 3}, TypeError, "system must be one of .* or a BoltzmannMachine, got int"),
        ({"sampler": "hmc"}, ValueError, "sampler must be one of"),
        ({"temperature": 0.0}, ValueError, "temperature must be > 0.0, got 0.0"),
        ({"temperature": -2}, ValueError, "temperature must be > 0.0, got -2.0"),
        ({"n_chains": 0}, ValueError, "n_chains must be >= 1, got 0"),
        ({"n_sweeps": 50, "burn_in": 49}, ValueError, "burn_in must leave at least 2 sweeps"),
        ({"initial": "hot"}, ValueError, "initial must be one of"),
        ({"system": "sk", "sampler": "checkerboard"}, ValueError, "needs a lattice system"),
        ({"system": "ising", "size": 5, "sampler": "checkerboard"}, ValueError, "even"),
        ({"sampler": "tempering", "n_temperatures": 1}, ValueError, "n_temperatures must be >="),
        (
            {"sampler": "tempering", "temperature": 2.0, "hottest_temperature": 1.0},
            ValueError,
            "hottest_temperature must be > temperature = 2",
        ),
        ({"progress": "yes"}, TypeError, "progress must be a bool"),
        ({"rng": -1}, ValueError, "rng must be a non-negative int seed"),
    ],
)
def test_sample_system_bad_input(kwargs, error, match):
    args = {"system": "ring", "n_sweeps": 20, "burn_in": 5, **kwargs}
    with pytest.raises(error, match=match):
        sample_system(**args)


def test_size_with_a_machine_is_an_error():
    with pytest.raises(ValueError, match="size applies only to the named systems"):
        sample_system(make_system("ring"), size=9, n_sweeps=10, burn_in=0)


# -- ising_temperature_scan ---------------------------------------------------------------------
def test_scan_structure_and_order():
    res = ising_temperature_scan(8, [3.5, 1.5, 2.3], n_sweeps=150, burn_in=30, n_chains=4, rng=0)
    np.testing.assert_array_equal(res.temperatures, [1.5, 2.3, 3.5])
    for r in res.records:
        assert tuple(r) == SCAN_COLUMNS
    np.testing.assert_allclose(
        res.column("exact_magnetisation"), onsager_magnetisation([1.5, 2.3, 3.5])
    )
    np.testing.assert_allclose(res.column("exact_energy"), onsager_energy([1.5, 2.3, 3.5]))
    m = res.column("abs_magnetisation")
    assert m[0] > 0.9 > m[-1]
    assert np.all(res.column("heat_capacity") > 0)
    assert np.all(res.column("abs_magnetisation_err") > 0)
    assert res.steepest_drop()[0] in (1.5, 2.3)
    assert res.critical_temperature == ONSAGER_TC
    summary = res.summary()
    json.dumps(summary, allow_nan=False)
    assert summary["onsager_critical_temperature"] == ONSAGER_TC
    assert "Onsager T_c" in res.to_text()
    assert res.to_markdown().startswith("| T |")


def test_scan_is_reproducible_and_independent_per_temperature():
    kw = dict(n_sweeps=40, burn_in=10, n_chains=2, rng=3)
    a = ising_temperature_scan(4, [2.0, 3.0], **kw)
    b = ising_temperature_scan(4, [2.0, 3.0], **kw)
    c = ising_temperature_scan(4, [2.0], **kw)
    assert a.records == b.records
    # a temperature's stream is named by its position in the grid, not by the other points
    assert a.records[0] == c.records[0]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"side": 5}, ValueError, "side must be even"),
        ({"side": 66}, ValueError, "side must be <= 64"),
        ({"temperatures": [2.0, 0.0]}, ValueError, "temperatures must be > 0"),
        ({"temperatures": [[2.0]]}, ValueError, "1-D"),
        ({"n_sweeps": 10, "burn_in": 9}, ValueError, "burn_in must leave at least 2 sweeps"),
        ({"initial": "cold"}, ValueError, "initial must be one of"),
    ],
)
def test_scan_bad_input(kwargs, error, match):
    args = {"side": 4, "temperatures": [2.0], "n_sweeps": 10, "burn_in": 2, **kwargs}
    with pytest.raises(error, match=match):
        ising_temperature_scan(**args)


# -- compare_samplers ---------------------------------------------------------------------------
def test_compare_structure_and_equal_budgets():
    res = compare_samplers(
        "ring", ["gibbs", "metropolis", "tempering"], n_chains=4, n_sweeps=160, burn_in=40,
        n_temperatures=4, rng=0,
    )  # fmt: skip
    assert res.samplers == ["gibbs", "metropolis", "tempering"]
    for r in res.records:
        assert tuple(r) == COMPARE_COLUMNS
        assert r["sweeps"] * r["replicas"] == 160
    assert res.record("tempering")["replicas"] == 4
    assert res.costs["tempering"][-1] == res.costs["gibbs"][-1] == 160
    assert res.energies["tempering"].shape == (41, 4)
    # the odd ring's ground state: 8 satisfied bonds and one frustrated, E0 = -8 + 1 = -7
    assert res.ground_kind == "exact" and res.ground_energy == pytest.approx(-7.0)
    assert set(res.swap_rates) == {"tempering"}
    assert res.record("gibbs")["swap_rate_min"] is None
    json.dumps(res.summary(), allow_nan=False)
    assert "ground-state energy E0 = -7 (exact)" in res.to_text()
    assert res.column("found_ground").shape == (3,)


def test_compare_same_seed_same_result_and_independent_streams():
    kw = dict(system="sk", size=16, n_chains=3, n_sweeps=80, burn_in=16, rng=4)
    a = compare_samplers(samplers=["gibbs", "tempering"], **kw)
    b = compare_samplers(samplers=["gibbs", "tempering"], **kw)
    c = compare_samplers(samplers=["gibbs"], **kw)
    for name in ("gibbs", "tempering"):
        np.testing.assert_array_equal(a.energies[name], b.energies[name])
    # the gibbs run does not depend on which other samplers were asked for
    np.testing.assert_array_equal(a.energies["gibbs"], c.energies["gibbs"])


def test_tempering_crosses_the_spin_glass_barriers_that_trap_gibbs():
    # SK, 64 spins, T = 0.25 (a quarter of the glass temperature), same budget of updates
    res = compare_samplers("sk", ["gibbs", "tempering"], n_chains=16, n_sweeps=1600,
                           burn_in=320, rng=0)  # fmt: skip
    gibbs, tempering = res.record("gibbs"), res.record("tempering")
    assert tempering["found_ground"] >= 0.9
    assert gibbs["found_ground"] < tempering["found_ground"]
    assert tempering["rhat"] < 1.1 < gibbs["rhat"]


def test_chains_frozen_in_the_ground_state_have_no_autocorrelation_time():
    # at T = 0.2 an energy-raising flip of the ring costs 4 J: p ~ exp(-20), never seen; the
    # energy of every chain is the constant E0 = -7 (its mean in floats differs in the last
    # bit), which must read as "undefined", not as a perfectly correlated series
    res = compare_samplers(
        "ring", ["gibbs"], temperature=0.2, n_chains=4, n_sweeps=200, burn_in=50, rng=0
    )
    r = res.record("gibbs")
    assert r["found_ground"] == 1.0
    assert math.isnan(r["tau"]) and math.isnan(r["ess"]) and math.isnan(r["rhat"])
    assert np.all(np.isnan(res.autocorrelations["gibbs"]))
    assert res.summary()["records"][0]["tau"] is None


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"samplers": ["gibbs", "hmc"]}, "samplers must be one of"),
        ({"samplers": []}, "samplers must name at least one sampler"),
        ({"samplers": ["checkerboard"]}, "needs a lattice system"),
        ({"n_sweeps": 20, "burn_in": 10}, "at least 2 measured sweeps per replica"),
        ({"temperature": -1.0}, "temperature must be > 0"),
    ],
)
def test_compare_bad_input(kwargs, match):
    args = {"system": "ring", "n_sweeps": 40, "burn_in": 8, **kwargs}
    with pytest.raises(ValueError, match=match):
        compare_samplers(**args)


# -- pictures -----------------------------------------------------------------------------------
def test_the_figures_draw_and_save(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from energynets import plotting

    sample = sample_system("ring", n_chains=4, n_sweeps=60, burn_in=10, rng=0)
    big = sample_system("ising", "checkerboard", size=6, n_chains=2, n_sweeps=30, burn_in=5)
    scan = ising_temperature_scan(4, [1.5, 3.0], n_sweeps=30, burn_in=5, n_chains=2)
    race = compare_samplers("ring", n_chains=2, n_sweeps=64, burn_in=16)
    figures = {
        "sample.png": plotting.sampling_figure(sample),
        "big.png": plotting.sampling_figure(big),
        "scan.png": plotting.ising_scan_figure(scan),
        "race.png": plotting.sampler_comparison_figure(race),
    }
    for name, fig in figures.items():
        assert len(fig.axes) >= 4
        plotting.save_figure(fig, tmp_path / name, dpi=40)
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
    ax = plotting.chain_traces(sample.energies, burn_in=10, reference=-7.0, reference_label="E0")
    assert len(ax.lines) >= 2
    ax = plotting.autocorrelation_plot([np.array([1.0, 0.5, 0.2]), np.array([1.0, 0.1])])
    assert len(ax.lines) == 3  # two series and the zero line
    with pytest.raises(ValueError, match="counts and probabilities must have the same shape"):
        plotting.histogram_vs_exact([1, 2, 3], [0.5, 0.5])
    with pytest.raises(ValueError, match="result must be a SampleResult"):
        plotting.sampling_figure(scan)
    from energynets.cli import sample as cli

    assert sx.SYSTEMS == cli.SYSTEMS and sx.SAMPLERS == cli.SAMPLERS


def test_chi_square_with_nothing_to_test_is_nan_with_zero_dof():
    probs = np.array([0.5, 0.25, 0.25])
    for counts in ([0, 0, 0], [2, 1, 0]):  # no samples; 3 samples: every cell pooled into one
        chi2, dof, p = sx.histogram._chi_square(np.array(counts, dtype=float), probs)
        assert math.isnan(chi2) and math.isnan(p) and dof == 0
    # 40 samples: three cells of expected count >= 5, two degrees of freedom, scipy's p-value
    chi2, dof, p = sx.histogram._chi_square(np.array([24.0, 8.0, 8.0]), probs)
    assert dof == 2
    assert chi2 == pytest.approx((24 - 20) ** 2 / 20 + 2 * (8 - 10) ** 2 / 10)
    assert p == pytest.approx(stats.chi2.sf(chi2, 2))
