"""Critical slowing down: tau estimator on a known process, z fit, physics on quick runs, input.

The physics checks run L = 4 and 8 at fixed seeds with margins far wider than the spread of
the estimates: heat-bath tau ~ 1 at high T, growing with L at T_c, and Wolff's tau per unit of
work several times shorter than heat-bath's at T_c.
"""

import json
import math

import numpy as np
import pytest

from energynets.experiments.sampling import (
    CSD_SAMPLERS,
    ONSAGER_TC,
    SLOWING_DOWN_COLUMNS,
    SLOWING_DOWN_PRESETS,
    critical_slowing_down,
    fit_dynamic_exponent,
)
from energynets.experiments.sampling.slowing_down import SlowingDownResult, per_chain_tau


def _ar1(phi, n_steps, n_chains, seed):
    """x_t = phi x_(t-1) + e_t, started in its stationary law; tau = (1 + phi) / (1 - phi)."""
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((n_steps, n_chains))
    x = np.empty_like(noise)
    x[0] = noise[0] / math.sqrt(1 - phi**2)
    for t in range(1, n_steps):
        x[t] = phi * x[t - 1] + noise[t]
    return x


@pytest.mark.parametrize("phi", [0.0, 0.5, 0.8])
def test_per_chain_tau_recovers_the_ar1_value(phi):
    taus = per_chain_tau(_ar1(phi, 40000, 4, seed=1))
    exact = (1 + phi) / (1 - phi)  # 1, 3, 9
    assert taus.shape == (4,)
    assert np.all(np.abs(taus - exact) < 0.15 * exact)


def test_per_chain_tau_is_per_chain():
    x = np.column_stack([_ar1(0.0, 20000, 1, seed=2)[:, 0], _ar1(0.9, 20000, 1, seed=3)[:, 0]])
    taus = per_chain_tau(x)
    assert taus[0] < 1.3 and 15 < taus[1] < 23  # exact 1 and 19
    assert np.isnan(per_chain_tau(np.ones((10, 1))))[0]


@pytest.mark.parametrize("z", [0.25, 1.0, 2.172])
def test_fit_recovers_an_exact_power_law(z):
    sides = [8, 16, 32, 64]
    fitted, err = fit_dynamic_exponent(sides, [3.7 * L**z for L in sides])
    assert fitted == pytest.approx(z, abs=1e-12)
    assert err == pytest.approx(0.0, abs=1e-12)


def test_fit_error_is_the_slope_standard_error():
    sides = np.array([8.0, 16.0, 32.0, 64.0])
    taus = 2.0 * sides**2 * np.exp([0.1, -0.1, -0.1, 0.1])  # a symmetric bow: slope 2 stays
    z, err = fit_dynamic_exponent(sides, taus)
    x = np.log(sides)
    sxx = np.sum((x - x.mean()) ** 2)
    assert z == pytest.approx(2.0, abs=1e-12)
    assert err == pytest.approx(math.sqrt(4 * 0.1**2 / 2 / sxx), rel=1e-12)


def test_fit_with_too_few_points_or_bad_input():
    z, err = fit_dynamic_exponent([8, 16], [1.0, 4.0])
    assert z == pytest.approx(2.0) and math.isnan(err)
    assert all(math.isnan(v) for v in fit_dynamic_exponent([8, 16], [1.0, float("nan")]))
    with pytest.raises(ValueError, match="same length, got 2 and 3"):
        fit_dynamic_exponent([8, 16], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="sides must be finite and > 0"):
        fit_dynamic_exponent([0, 16], [1.0, 2.0])


@pytest.fixture(scope="module")
def quick():
    """The quick preset: all four samplers at T_c on L = 4 and 8."""
    return critical_slowing_down(**SLOWING_DOWN_PRESETS["quick"], rng=0)


def test_records_columns_and_units(quick):
    assert quick.samplers == list(CSD_SAMPLERS) and quick.sides == [4, 8]
    assert len(quick.records) == 8
    for r in quick.records:
        assert list(r) == list(SLOWING_DOWN_COLUMNS)
        if r["sampler"] == "wolff":
            assert r["unit"] == "step" and 0.2 < r["work_per_update"] < 1.0
            assert r["tau_abs_m_work"] < r["tau_abs_m"]
        else:
            assert r["unit"] == "sweep" and r["work_per_update"] == 1.0
            assert r["tau_abs_m_work"] == r["tau_abs_m"]
            assert r["tau_energy_work_err"] == r["tau_energy_err"]
        assert r["updates"] == 3000 and r["burn_in"] == 600
        assert r["run_in_tau"] == pytest.approx(2400 / max(r["tau_abs_m"], r["tau_energy"]))
    assert len(quick.fits) == 8  # 4 samplers x 2 observables


def test_the_careful_preset_runs_every_sampler_100_taus_at_l_64():
    # heat-bath tau of |m| is about 250 sweeps at L = 32 (the medium preset); L^2.17 scaling
    # gives about 1100 at L = 64, Metropolis about 2.5 times less, the cluster samplers < 20
    careful = SLOWING_DOWN_PRESETS["careful"]
    assert max(careful["sides"]) == 64
    measured = {s: 0.8 * n for s, n in careful["n_updates"].items()}  # the default burn-in
    expected_tau = {"heat-bath": 250 * 2**2.17, "metropolis": 100 * 2**2.17, "wolff": 20,
                    "swendsen-wang": 20}  # fmt: skip
    assert all(measured[s] >= 100 * expected_tau[s] for s in CSD_SAMPLERS)
    for preset in SLOWING_DOWN_PRESETS.values():  # the presets are valid arguments
        small = {**preset, "sides": (4,), "n_chains": 2, "n_updates": 20}
        assert critical_slowing_down(**small, samplers=("wolff",)).sides == [4]


def test_heat_bath_slows_down_with_l_at_tc(quick):
    tau = quick.column("tau_abs_m", "heat-bath")  # L = 4, 8: about 3.5 and 10
    assert tau[1] > 2 * tau[0] > 4
    assert 1.0 < quick.fit("heat-bath", "|m|")["z"] < 2.5


def test_wolff_per_unit_of_work_beats_heat_bath_at_tc(quick):
    # L = 8: about 2 sweep-equivalents against about 10
    for key in ("tau_abs_m_work", "tau_energy_work"):
        wolff = quick.column(key, "wolff")[1]
        heat_bath = quick.column(key, "heat-bath")[1]
        assert wolff < heat_bath / 2.5, key


def test_heat_bath_tau_is_about_one_at_high_temperature():
    res = critical_slowing_down((8,), ("heat-bath",), temperature=20.0, n_chains=4,
                                n_updates=3000, rng=1)  # fmt: skip
    r = res.records[0]
    assert 0.7 < r["tau_abs_m"] < 1.4 and 0.7 < r["tau_energy"] < 1.4


def test_same_seed_same_table_and_other_seed_another():
    def run(seed):
        res = critical_slowing_down((4, 6), ("metropolis", "swendsen-wang"), n_chains=3,
                                    n_updates=200, rng=seed)  # fmt: skip
        return [{k: v for k, v in r.items() if k != "seconds"} for r in res.records]

    assert run(5) == run(5)
    assert run(5) != run(6)


def test_a_sampler_does_not_depend_on_the_others():
    one = critical_slowing_down((4,), ("wolff",), n_chains=3, n_updates=200, rng=2)
    two = critical_slowing_down((4,), ("heat-bath", "wolff"), n_chains=3, n_updates=200, rng=2)
    assert one.records[0]["tau_abs_m"] == two.records[1]["tau_abs_m"]


def test_per_sampler_budgets():
    res = critical_slowing_down((4,), ("heat-bath", "wolff"), n_chains=2,
                                n_updates={"heat-bath": 300, "wolff": 100},
                                burn_in={"heat-bath": 50, "wolff": 10}, rng=0)  # fmt: skip
    assert [(r["updates"], r["burn_in"]) for r in res.records] == [(300, 50), (100, 10)]


def test_reports(quick):
    text = quick.to_text()
    assert "z (heat-bath, |m|, work units, 2 sides)" in text
    assert "published 2.172 +- 0.006 (Grassberger 1995" in text
    assert "sweep-equivalents" in text
    markdown = quick.to_markdown()
    assert "| sampler | L |" in markdown
    # the 15 columns in every row, header included: the | of tau|m| is escaped
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert len(rows) == 2 + len(quick.records)
    assert {len(line.replace("\\|", "").split("|")) - 2 for line in rows} == {15}
    summary = json.loads(json.dumps(quick.summary()))
    assert summary["experiment"] == "critical_slowing_down"
    assert summary["settings"]["temperature"] == ONSAGER_TC
    assert len(summary["fits"]) == 8
    # read back from JSON (NaN errors become None), the result still reports
    again = SlowingDownResult(summary["records"], summary["fits"], summary["settings"])
    assert again.to_text() == text
    with pytest.raises(ValueError, match="no fit for sampler='gibbs'"):
        quick.fit("gibbs")


def test_figure(quick):
    from energynets.plotting import slowing_down_figure

    fig = slowing_down_figure(quick)
    assert len(fig.axes) == 2
    assert "heat-bath: z =" in fig.axes[0].get_legend_handles_labels()[1][0]
    with pytest.raises(ValueError, match="result must be a SlowingDownResult"):
        slowing_down_figure(object())


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"sides": (4, 7)}, ValueError, "sides must be even .* got 7"),
        ({"sides": (2, 4)}, ValueError, "sides must be >= 4, got 2"),
        ({"sides": ()}, ValueError, "sides must name at least one lattice side"),
        ({"sides": (8, 8)}, ValueError, r"sides must be distinct, got \[8, 8\]"),
        ({"sides": 3.5}, TypeError, "sides"),
        ({"samplers": ("gibbs",)}, ValueError, "samplers"),
        ({"temperature": 0.0}, ValueError, "temperature must be > 0"),
        ({"n_chains": 1}, ValueError, "n_chains must be >= 2, got 1"),
        ({"n_updates": 10}, ValueError, "n_updates must be >= 17, got 10"),
        ({"n_updates": 100, "burn_in": 90}, ValueError, "burn_in must leave at least 16"),
        ({"n_updates": {"wolff": 100}}, ValueError, r"missing \['heat-bath'"),
        ({"n_updates": {"hmc": 100}}, ValueError, r"unknown samplers \['hmc'\]"),
        ({"progress": "yes"}, TypeError, "progress must be a bool, got str"),
    ],
)
def test_bad_input_is_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        critical_slowing_down(**{"sides": (4,), "n_updates": 50, **kwargs})


def test_cli_writes_the_table_and_figure(tmp_path, capsys):
    from energynets.cli import main

    argv = ["sample", "--slowing-down", "--sides", "4,6", "--samplers", "heat-bath,wolff",
            "--sweeps", "200", "--chains", "3", "-o", str(tmp_path)]  # fmt: skip
    assert main(argv) == 0
    assert "z (wolff, E, work units" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slowing_down.json", "slowing_down.png"]
    summary = json.loads((tmp_path / "slowing_down.json").read_text(encoding="utf-8"))
    assert [(r["sampler"], r["side"]) for r in summary["records"]] == [
        ("heat-bath", 4), ("wolff", 4), ("heat-bath", 6), ("wolff", 6),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--slowing-down", "--size", "8"], "--size does not apply to --slowing-down"),
        (["--slowing-down", "--samplers", "gibbs"], "--samplers with --slowing-down must be"),
        (["--compare", "--samplers", "wolff"], "--samplers with --compare must be from"),
        (["--sides", "8,16"], "--sides does not apply to a single run"),
        (["--scan", "--sides", "8,16"], "--sides does not apply to --scan"),
        (["--slowing-down", "--sides", "8,7"], "lattice sides must be even"),
        (["--slowing-down", "--sides", "8,x"], "expected comma-separated integers"),
        (["--slowing-down", "--chains", "1"], "--chains must be >= 2 with --slowing-down"),
        (["--slowing-down", "--sweeps", "20", "--burn-in", "10"], "at least 16 measured"),
        (["--slowing-down", "--system", "sk"], "--slowing-down is for --system ising"),
        (["--slowing-down", "--scan"], "not allowed with argument"),
    ],
)
def test_cli_bad_arguments(argv, match, tmp_path, capsys):
    from energynets.cli import main
    from tests.cli_helpers import one_line_error

    assert main(["sample", *argv, "-o", str(tmp_path / "out")]) == 2
    assert match in one_line_error(capsys, "energynets sample")
    assert not (tmp_path / "out").exists()
