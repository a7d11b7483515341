"""Tests of energynets.experiments.capacity at small N (the N = 1000 published numbers live in
tests/test_published_hopfield.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import energynets as en
from energynets.experiments import capacity
from energynets.experiments.capacity import (
    ALPHA_C,
    COLUMNS,
    CapacityResult,
    mceliece_capacity,
    one_step_error_theory,
    run_capacity,
    storkey_capacity,
)

N = 40


@pytest.fixture(scope="module")
def small() -> CapacityResult:
    return run_capacity(n_units=N, alphas=[0.05, 0.1, 0.3, 0.6, 1.2], n_trials=2, rng=3)


# -- theory ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alpha", "p_err"),
    # Hertz, Krogh & Palmer (1991), table 2.1: P_err against P_max / N
    [(0.105, 0.001), (0.138, 0.0036), (0.185, 0.01), (0.37, 0.05)],
)
def test_one_step_error_theory_matches_the_published_table(alpha, p_err):
    assert float(one_step_error_theory(alpha)) == pytest.approx(p_err, rel=0.06)


def test_one_step_error_theory_by_hand():
    # alpha = 1/2: 1/2 erfc(1) = 0.0786496; alpha -> infinity: 1/2
    assert float(one_step_error_theory(0.5)) == pytest.approx(0.5 * math.erfc(1.0), rel=1e-12)
    assert float(one_step_error_theory(1e12)) == pytest.approx(0.5, abs=1e-6)
    values = one_step_error_theory([[0.1, 0.2], [0.3, 0.4]])
    assert values.shape == (2, 2)
    assert np.all(np.diff(values.ravel()) > 0)  # more load, more errors
    assert isinstance(one_step_error_theory(0.2), np.ndarray)


@pytest.mark.parametrize("bad", [0.0, -0.1, [0.1, -1.0]])
def test_one_step_error_theory_rejects_non_positive_loads(bad):
    with pytest.raises(ValueError, match=r"alpha must be > 0"):
        one_step_error_theory(bad)


def test_capacities_by_hand():
    ln = math.log(1000)  # 6.907755
    assert mceliece_capacity(1000) == pytest.approx(1000 / (2 * ln))  # 72.38
    assert mceliece_capacity(1000, all_patterns=True) == pytest.approx(1000 / (4 * ln))
    assert storkey_capacity(1000) == pytest.approx(269.0, abs=0.1)  # 1000 / sqrt(2 ln 1000)
    assert storkey_capacity(1000) == pytest.approx(1000 / math.sqrt(2 * ln))
    assert ALPHA_C == 0.138


@pytest.mark.parametrize("func", [mceliece_capacity, storkey_capacity])
def test_capacities_reject_bad_n_units(func):
    with pytest.raises(ValueError, match=r"n_units must be >= 2, got 1"):
        func(1)
    with pytest.raises(TypeError, match=r"n_units must be an int"):
        func(10.5)


# -- result structure --------------------------------------------------------------------------


def test_records_have_exactly_the_documented_keys_and_types(small):
    assert small.records
    for rec in small.records:
        assert tuple(rec) == COLUMNS
        assert isinstance(rec["rule"], str)
        for key in ("n_units", "n_patterns", "n_trials"):
            assert type(rec[key]) is int
        for key in ("alpha", "one_step_error", "fraction_fixed", "fraction_recalled"):
            assert type(rec[key]) is float
            assert 0.0 <= rec[key] <= (math.inf if key == "alpha" else 1.0)
        assert rec["n_units"] == N and rec["n_trials"] == 2
        assert rec["alpha"] == rec["n_patterns"] / N


def test_loads_rules_and_pseudoinverse_skip(small):
    # P = round(alpha N): 2, 4, 12, 24, 48; the pseudo-inverse rule skips P >= N = 40
    assert small.column("n_patterns", rule="hebbian").tolist() == [2, 4, 12, 24, 48]
    assert small.column("n_patterns", rule="storkey").tolist() == [2, 4, 12, 24, 48]
    assert small.column("n_patterns", rule="pseudoinverse").tolist() == [2, 4, 12, 24]
    assert small.rules == ["hebbian", "storkey", "pseudoinverse"]
    assert small.column("rule").tolist()[:5] == ["hebbian"] * 5
    assert small.column("alpha", rule="hebbian") == pytest.approx([0.05, 0.1, 0.3, 0.6, 1.2])
    assert small.column("n_units").dtype == np.int64
    assert small.settings["n_units"] == N
    assert small.settings["flip_fraction"] == 0.1
    assert small.settings["dynamics"] == "async"
    assert small.settings["n_trials"] == 2
    assert small.settings["max_probes"] is None
    assert small.settings["rng"] == 3


def test_measurements_are_consistent(small):
    for rec in small.records:
        # a pattern with an unstable bit is not a fixed point, and only fixed points are
        # recalled exactly
        if rec["one_step_error"] == 0.0:
            assert rec["fraction_fixed"] == 1.0
            assert rec["error_after_relax"] == 0.0
        assert rec["fraction_recalled"] <= rec["fraction_fixed"]
        assert rec["one_step_error"] <= 1.0 - rec["fraction_fixed"]
    # the pseudo-inverse stores every (independent) pattern as a fixed point for P < N
    assert np.all(small.column("fraction_fixed", rule="pseudoinverse") == 1.0)
    assert np.all(small.column("one_step_error", rule="pseudoinverse") == 0.0)
    # at alpha = 1.2 the Hebbian network has forgotten everything
    assert small.column("fraction_recalled", rule="hebbian")[-1] == 0.0


@pytest.mark.parametrize("rule", ["hebbian", "storkey", "pseudoinverse"])
def test_stability_measures_match_a_plain_numpy_oracle(monkeypatch, rule):
    # Feed known patterns in, and recount the unstable bits and the fixed points with plain
    # numpy. Two loads of one trial are nested (P = 10 uses the first 10 of the 20 patterns);
    # for Storkey the second load is built incrementally, which must equal storing all 20.
    n_units = 50
    xi = en.datasets.random_patterns(20, n_units, rng=123)
    monkeypatch.setattr(capacity.classical, "random_patterns", lambda p, n, rng: xi[:p].copy())
    res = run_capacity(n_units=n_units, alphas=[0.2, 0.4], rules=[rule], rng=0)
    for rec, p in zip(res.records, (10, 20), strict=True):
        x = xi[:p]
        if rule == "hebbian":
            w = x.T @ x / n_units
            np.fill_diagonal(w, 0.0)
        else:  # the rules themselves are tested in tests/learning
            w = en.HopfieldNetwork.from_patterns(x, rule=rule).weights
        tol = 1e-9 * np.abs(w).sum(axis=1).max()  # a zero field keeps its bit
        unstable = x * (x @ w) < -tol
        assert rec["n_patterns"] == p
        assert rec["one_step_error"] == pytest.approx(unstable.mean(), abs=1e-15)
        assert rec["fraction_fixed"] == pytest.approx(np.mean(~unstable.any(axis=1)), abs=1e-15)
        if rule == "pseudoinverse":
            assert rec["one_step_error"] == 0.0  # P < N independent patterns are fixed points
    if rule == "hebbian":
        assert res.records[-1]["one_step_error"] > 0  # the check is not vacuous


def test_hand_example_all_patterns_fixed_without_noise():
    # one pattern under the Hebbian rule: W = xi xi^T / N (zero diagonal), h_i = (N-1)/N xi_i,
    # so the pattern is a fixed point, and with no flipped bits it is recalled at once
    res = run_capacity(n_units=10, alphas=[0.1], rules=["hebbian"], flip_fraction=0.0, rng=0)
    (rec,) = res.records
    assert rec["n_patterns"] == 1
    assert rec["one_step_error"] == 0.0
    assert rec["fraction_fixed"] == 1.0
    assert rec["fraction_recalled"] == 1.0
    assert rec["error_after_relax"] == 0.0


def test_one_step_error_follows_theory_on_average():
    # N = 200, alpha = 0.3: 60 x 200 x 4 = 48,000 bits; finite-N theory 1/2 erfc(sqrt(N/(2P)))
    res = run_capacity(
        n_units=200, alphas=[0.3], rules=["hebbian"], n_trials=4, max_probes=5, rng=11
    )
    measured = res.records[0]["one_step_error"]
    assert measured == pytest.approx(float(one_step_error_theory(0.3)), rel=0.15)


def test_default_alpha_grid():
    res = run_capacity(n_units=20, rules=["hebbian"], max_sweeps=5, rng=0)
    # 0.02 .. 0.5 in 13 steps; at N = 20 they round to P = 1 (clipped) ... 10, repeats merged
    expected = sorted({max(1, round(a * 20)) for a in np.round(np.linspace(0.02, 0.5, 13), 3)})
    assert res.column("n_patterns").tolist() == expected
    assert res.settings["alphas"] == pytest.approx(np.linspace(0.02, 0.5, 13).tolist())


def test_max_probes_caps_the_recall_batch():
    res = run_capacity(n_units=60, alphas=[0.5], rules=["storkey"], max_probes=7, rng=0)
    rec = res.records[0]
    # fraction_recalled is a count out of 7 probes
    assert rec["fraction_recalled"] * 7 == pytest.approx(round(rec["fraction_recalled"] * 7))
    assert res.settings["max_probes"] == 7


def test_sync_dynamics_runs():
    res = run_capacity(n_units=40, alphas=[0.05, 0.5], rules=["hebbian"], dynamics="sync", rng=0)
    assert res.settings["dynamics"] == "sync"
    assert res.column("fraction_recalled")[0] == 1.0


# -- randomness --------------------------------------------------------------------------------


def test_same_seed_same_table(small):
    again = run_capacity(n_units=N, alphas=[0.05, 0.1, 0.3, 0.6, 1.2], n_trials=2, rng=3)
    assert again.records == small.records
    assert again.to_text() == small.to_text()


def test_generator_and_seed_agree_and_different_seeds_differ():
    kw = {"n_units": 30, "alphas": [0.2, 0.5], "rules": ["hebbian"]}
    by_seed = run_capacity(**kw, rng=5)
    by_gen = run_capacity(**kw, rng=np.random.default_rng(5))
    assert by_seed.records == by_gen.records
    assert "Generator" in by_gen.settings["rng"]
    other = run_capacity(**kw, rng=6)
    assert other.records != by_seed.records


def test_a_cell_does_not_depend_on_the_other_loads_or_rules():
    # each (trial, load, rule) has its own stream, so adding loads or rules changes nothing
    alone = run_capacity(n_units=40, alphas=[0.3], rules=["storkey"], rng=9)
    among = run_capacity(
        n_units=40, alphas=[0.6, 0.3, 0.1], rules=["pseudoinverse", "storkey"], rng=9
    )
    (rec,) = alone.records
    assert rec in among.records


def test_trials_are_independent():
    # the first trial of a two-trial run is not repeated as the second: averaging two trials
    # differs from the one-trial result for a load where the outcome is random
    one = run_capacity(n_units=40, alphas=[0.4], rules=["hebbian"], n_trials=1, rng=2)
    two = run_capacity(n_units=40, alphas=[0.4], rules=["hebbian"], n_trials=2, rng=2)
    assert two.records[0]["n_trials"] == 2
    assert two.records[0]["one_step_error"] != one.records[0]["one_step_error"]


def test_inputs_untouched_and_no_global_random_state():
    alphas = np.array([0.1, 0.2])
    before = alphas.copy()
    gen = np.random.default_rng(0)
    run_capacity(n_units=20, alphas=alphas, rules=("hebbian",), rng=gen)
    np.testing.assert_array_equal(alphas, before)  # the conftest fixture checks np.random


# -- tables ------------------------------------------------------------------------------------


def test_to_text_and_to_markdown_show_every_rule_and_column(small):
    text = small.to_text()
    md = small.to_markdown()
    for rule in ("hebbian", "storkey", "pseudoinverse"):
        assert rule in text
        assert rule in md
    for name in COLUMNS:
        assert name in text
        assert name in md
    lines = text.splitlines()
    assert len(lines) == 2 + len(small.records)  # header, rule, one line per record
    # aligned: the numeric columns end at the same place in every line
    assert len({len(line) for line in lines}) == 1
    md_lines = md.splitlines()
    assert len(md_lines) == 2 + len(small.records)
    assert all(line.startswith("| ") and line.endswith(" |") for line in md_lines)
    assert md_lines[1].startswith("| :---")


def test_column_errors(small):
    with pytest.raises(ValueError, match=r"name must be one of .* got 'accuracy'"):
        small.column("accuracy")
    with pytest.raises(ValueError, match=r"rule must be one of .* got 'oja'"):
        small.column("alpha", rule="oja")


def test_progress_bar(capsys):
    res = run_capacity(n_units=20, alphas=[0.1, 0.2], rules=["hebbian"], progress=True, rng=0)
    assert len(res.records) == 2
    assert "capacity" in capsys.readouterr().err


# -- argument errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_units": 1}, ValueError, r"n_units must be >= 2, got 1"),
        ({"n_units": 20.0}, TypeError, r"n_units must be an int, got float"),
        ({"alphas": [0.1, 0.0]}, ValueError, r"alphas must all be > 0 .* got values such as"),
        ({"alphas": [-0.5]}, ValueError, r"alphas must all be > 0"),
        ({"alphas": [[0.1]]}, ValueError, r"alphas must be a 0-D or 1-D array, got shape"),
        ({"alphas": [0.1, np.nan]}, ValueError, r"alphas must contain only finite values"),
        ({"alphas": "0.1"}, TypeError, r"alphas must be an array of numbers"),
        ({"rules": ["hebbian", "oja"]}, ValueError, r"rules must be one of .* got 'oja'"),
        ({"rules": "oja"}, ValueError, r"rules must be one of .* got 'oja'"),
        ({"rules": []}, ValueError, r"rules must name at least one rule"),
        ({"rules": 3}, TypeError, r"rules must be a sequence of rule names, got int"),
        ({"flip_fraction": 1.5}, ValueError, r"flip_fraction must be <= 1.0, got 1.5"),
        ({"flip_fraction": -0.1}, ValueError, r"flip_fraction must be >= 0.0, got -0.1"),
        ({"n_trials": 0}, ValueError, r"n_trials must be >= 1, got 0"),
        ({"dynamics": "glauber"}, ValueError, r"dynamics must be one of .* got 'glauber'"),
        ({"max_sweeps": 0}, ValueError, r"max_sweeps must be >= 1, got 0"),
        ({"max_probes": 0}, ValueError, r"max_probes must be >= 1, got 0"),
        ({"rng": -1}, ValueError, r"rng must be a non-negative int seed, got -1"),
        ({"rng": "seed"}, TypeError, r"rng must be an int seed"),
        ({"progress": "yes"}, TypeError, r"progress must be a bool, got str"),
    ],
)
def test_argument_errors_name_the_argument(kwargs, error, message):
    args = {"n_units": 10, "alphas": [0.1], "rules": ["hebbian"], **kwargs}
    with pytest.raises(error, match=message):
        run_capacity(**args)


def test_single_rule_name_and_repeats_are_accepted():
    res = run_capacity(n_units=20, alphas=[0.1], rules="storkey", rng=0)
    assert res.rules == ["storkey"]
    res = run_capacity(n_units=20, alphas=[0.1], rules=["hebbian", "hebbian"], rng=0)
    assert len(res.records) == 1


# -- dense associative memories and modern Hopfield networks -----------------------------------


def test_dense_capacities_by_hand():
    from energynets.experiments.capacity import (
        demircigil_capacity,
        double_factorial,
        krotov_hopfield_capacity,
    )

    assert [double_factorial(k) for k in (-1, 0, 1, 3, 5, 7)] == [1, 1, 1, 3, 15, 105]
    ln = math.log(100)
    # n = 2 is McEliece's Hebbian capacity; n = 4: 100^3 / (2 * 5!! * ln 100) = 7238.2
    assert krotov_hopfield_capacity(100, 2) == pytest.approx(mceliece_capacity(100))
    assert krotov_hopfield_capacity(100, 4) == pytest.approx(1e6 / (30 * ln))
    assert krotov_hopfield_capacity(100, 3) == pytest.approx(1e4 / (6 * ln))
    # no noise: 2^(N/2); with noise rho: exp(N I(1 - 2 rho) / 2)
    assert demircigil_capacity(100) == 2.0**50
    x = 0.8
    info = 0.5 * ((1 + x) * math.log(1 + x) + (1 - x) * math.log(1 - x))
    assert demircigil_capacity(100, 0.1) == pytest.approx(math.exp(100 * info / 2))
    assert demircigil_capacity(100, 1e-9) == pytest.approx(2.0**50, rel=1e-5)
    with pytest.raises(ValueError, match="flip_fraction must be < 0.5"):
        demircigil_capacity(100, 0.5)
    with pytest.raises(ValueError, match="degree must be >= 2"):
        krotov_hopfield_capacity(100, 1)


_DENSE_MODELS = [
    "hebbian",
    "pseudoinverse",
    "polynomial-2",
    "polynomial-4",
    "exponential",
    "modern",
]


@pytest.fixture(scope="module")
def dense_small():
    from energynets.experiments.capacity import run_dense_capacity

    return run_dense_capacity(
        n_units=40,
        n_patterns=[4, 40, 400],
        models=_DENSE_MODELS,
        max_probes=40,
        rng=0,
    )


def test_dense_capacity_orders_the_models(dense_small):
    from energynets.experiments.capacity import DENSE_COLUMNS

    res = dense_small
    assert all(tuple(r) == DENSE_COLUMNS for r in res.records)
    # the pseudo-inverse rule has no record at P >= N
    assert res.column("n_patterns", "pseudoinverse").tolist() == [4]
    # degree 2 is the Hebbian network: the same fixed points
    np.testing.assert_array_equal(
        res.column("fraction_fixed", "hebbian"), res.column("fraction_fixed", "polynomial-2")
    )
    # P = 40 = N: far above the Hebbian capacity (N / (2 ln N) = 5.4), below degree 4's
    # (40^3 / (30 ln 40) = 578); the exponential and modern memories keep all 400
    assert res.column("fraction_recalled", "hebbian")[1] == 0.0
    assert res.column("fraction_recalled", "polynomial-4")[1] == 1.0
    assert res.column("fraction_recalled", "exponential").tolist() == [1.0, 1.0, 1.0]
    assert res.column("fraction_recalled", "modern").tolist() == [1.0, 1.0, 1.0]
    assert res.column("n_probes").max() == 40
    assert "polynomial-4" in res.to_text()


def test_dense_capacity_same_seed_same_result(dense_small):
    from energynets.experiments.capacity import run_dense_capacity

    again = run_dense_capacity(
        n_units=40,
        n_patterns=[4, 40, 400],
        models=_DENSE_MODELS,
        max_probes=40,
        rng=0,
    )
    assert again.records == dense_small.records


def test_correlated_glyphs_break_hebb_but_not_dense_memories():
    from energynets.experiments.capacity import run_correlated_recall

    patterns, _ = en.datasets.glyphs()
    before = patterns.copy()
    res, recalled, probes = run_correlated_recall(
        patterns, models=["hebbian", "exponential", "modern"], beta=0.5, rng=1
    )
    np.testing.assert_array_equal(patterns, before)
    rates = dict(zip(res.column("model"), res.column("fraction_recalled"), strict=True))
    assert rates["hebbian"] == 0.0  # 36 correlated glyphs in 192 units
    assert rates["exponential"] == 1.0 and rates["modern"] == 1.0
    assert recalled["exponential"].shape == patterns.shape
    assert np.mean(probes != patterns) == pytest.approx(0.1, abs=0.01)


def test_correlated_mnist_digits(data_home):
    from energynets.experiments.capacity import run_correlated_recall

    x, _ = en.datasets.load_mnist("test", data_home=data_home, download=False)
    digits = 2.0 * (x[:200] > 127) - 1.0
    res, _, _ = run_correlated_recall(digits, models=["hebbian", "exponential"], rng=0)
    rates = dict(zip(res.column("model"), res.column("fraction_recalled"), strict=True))
    assert rates["hebbian"] == 0.0 and rates["exponential"] >= 0.95


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"models": ["quartic"]}, ValueError, "models must name a rule"),
        ({"models": ["polynomial-1"]}, ValueError, "models must name a rule"),
        ({"models": []}, ValueError, "models must name at least one"),
        ({"n_patterns": [0]}, ValueError, "n_patterns must be >= 1"),
        ({"beta": 0.0}, ValueError, "beta must be > 0"),
        ({"flip_fraction": 1.5}, ValueError, "flip_fraction must be <= 1"),
    ],
)
def test_dense_capacity_rejects_bad_input(kwargs, error, match):
    from energynets.experiments.capacity import run_dense_capacity

    args = {"n_units": 10, "n_patterns": [2], "models": ["hebbian"]}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        run_dense_capacity(**args)


def test_dense_capacity_figure(dense_small):
    from matplotlib.figure import Figure

    from energynets import plotting

    fig = plotting.dense_capacity_figure(dense_small)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any(text.startswith("Krotov-Hopfield") for text in labels)
    assert any("off scale" in text for text in labels)  # Demircigil: 2^20-ish at N = 40
    with pytest.raises(ValueError, match="non-empty list of records"):
        plotting.dense_capacity_figure(object())
