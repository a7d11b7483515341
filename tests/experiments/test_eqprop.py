"""Tests of energynets.experiments.eqprop: EP against BPTT step by step and its bias against the
theory, EP against backprop on the same batches, CHL against EP and backprop, the records and
the figures."""

from __future__ import annotations

import json

import numpy as np
import pytest

from energynets import datasets, plotting
from energynets.experiments import eqprop
from energynets.experiments.eqprop import (
    BackpropResult,
    CHLResult,
    GDUResult,
    backprop_experiment,
    chl_experiment,
    gdu_experiment,
    unsaturated_network,
)


@pytest.fixture(scope="module")
def gdu() -> GDUResult:
    # the default setting: 10-12-10-5 (two hidden layers), float64, dt = 1, 20 random rows
    return gdu_experiment(rng=0)


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    X, y = datasets.load_digits()
    return X[:400] / 16.0, y[:400]


@pytest.fixture(scope="module")
def small_backprop(digits) -> BackpropResult:
    X, y = digits
    return backprop_experiment(X, y, hidden=16, n_epochs=3, batch_size=25, learning_rate=0.3,
                               mlp_learning_rate=1.0, seeds=[0, 1], rng=0)  # fmt: skip


@pytest.fixture(scope="module")
def small_chl() -> CHLResult:
    return chl_experiment(n_samples=20, seeds=[0], n_epochs=60, n_free=30, n_nudged=30,
                          check_every=10, rng=0)  # fmt: skip


# -- the GDU property ----------------------------------------------------------------------------


def test_ep_increments_equal_bptt_step_by_step(gdu):
    # symmetric nudging with beta = 1e-3: EP's increments differ from -BPTT by O(beta^2)
    # (Ernoult et al. 2019, with the bias of symmetric nudging of Laborieux et al. 2021), here
    # about 1e-6 of the largest value, saturated units included
    assert len(gdu.records) == 2 * 2 * 3  # networks x (states, weights) x relaxed layers
    for r in gdu.records:
        assert r["largest"] > 0
        assert r["max_error"] < 1e-4, r


def test_the_error_reaches_one_layer_per_step_from_the_output_down(gdu):
    # in the prototypical setting every step moves the error one layer down: layer l of L
    # gets a gradient first at step L - l of the nudged phase, exactly zero before
    for r in gdu.records:
        assert r["first_step"] == 3 - r["layer"]
    traces = gdu.traces["default"]
    assert np.all(traces["bptt_states"][0][:2] == 0) and np.all(traces["ep_states"][0][:2] == 0)


def test_the_bias_falls_with_slope_one_one_sided_and_two_symmetric(gdu):
    slopes, off = gdu.slopes["unsaturated"], gdu.off_line["unsaturated"]
    assert slopes["one-sided"] == pytest.approx(1.0, rel=0.1)
    assert slopes["symmetric"] == pytest.approx(2.0, rel=0.1)
    assert max(off.values()) < 0.1  # power laws: every point within 0.1 decade of its line
    assert gdu.free_phase["unsaturated"]["saturated"] == 0.0


def test_symmetric_ep_at_beta_1e_3_is_the_gradient_to_1e_4(gdu):
    rows = [r for r in gdu.bias_records if r["beta"] == pytest.approx(1e-3)]
    assert len(rows) == 2
    for r in rows:
        assert r["symmetric"] < 1e-4
        assert r["one_sided"] < 1e-2  # O(beta)
    assert gdu.free_phase["default"]["saturated"] > 0.2  # the other network does saturate
    assert all(f["residual"] < 1e-12 for f in gdu.free_phase.values())


def test_unsaturated_networks_stay_inside_the_box():
    gen = np.random.default_rng(0)
    net = unsaturated_network([6, 9, 7, 4], rng=1)
    x, y = gen.random((30, 6)), gen.random((30, 4))
    for beta in (0.0, 0.14, -0.14):
        states = net.relax(x, 60, beta=beta, y=y)
        assert all(((s > 0) & (s < 1)).all() for s in states)


def test_gdu_same_seed_same_records_and_bad_arguments():
    small = {"layer_sizes": [4, 5, 4, 2], "n_samples": 3, "betas": [1e-1, 1e-2], "n_steps": 60,
             "n_shown": 4}  # fmt: skip
    a, b = gdu_experiment(**small, rng=3), gdu_experiment(**small, rng=3)
    assert a.records == b.records and a.bias_records == b.bias_records
    assert gdu_experiment(**small, rng=4).bias_records != a.bias_records
    alone = gdu_experiment(**small, networks=["default"], rng=3)  # the same network alone
    assert alone.bias_records == [r for r in a.bias_records if r["network"] == "default"]
    for kwargs, match in [
        ({"betas": [0.1]}, "at least two different values"),
        ({"betas": [0.1, -1.0]}, r"betas\[1\] must be > 0"),
        ({"networks": ["huge"]}, "networks must be one of"),
        ({"n_shown": 61}, "n_shown must be at most n_steps"),
        ({"layer_sizes": [4, 2]}, "at least one hidden layer"),
    ]:
        with pytest.raises(ValueError, match=match):
            gdu_experiment(**{**small, **kwargs})


# -- against backprop ----------------------------------------------------------------------------


def test_both_sides_train_the_same_epochs_on_the_same_batches(small_backprop):
    res = small_backprop
    assert res.column("model").tolist() == ["EP", "backprop", "EP", "backprop"]
    for seed in (0, 1):
        ep, bp = (r for r in res.records if r["seed"] == seed)
        assert ep["epochs"] == bp["epochs"] == 3
        assert ep["updates"] == bp["updates"] == 3 * 13  # 320 training rows in batches of 25
        assert ep["batch_order"] == bp["batch_order"]  # the very same row orders
        assert res.curves[f"EP seed {seed}"].shape == res.curves[f"backprop seed {seed}"].shape
    # another seed, other batches
    assert res.records[0]["batch_order"] != res.records[2]["batch_order"]
    for r in res.records:
        assert 0.0 <= r["test_error"] < 0.6 and r["seconds_per_epoch"] > 0  # chance: 0.9
    assert res.records[0]["relaxation_residual"] == 0.0  # EP's free phase settles
    assert res.models["EP seed 0"].layer_sizes == (64, 16, 10)
    assert 0.0 <= res.test_error("EP") < 0.6


def test_backprop_experiment_same_seed_same_table_and_bad_arguments(digits, small_backprop):
    X, y = digits
    again = backprop_experiment(X, y, hidden=16, n_epochs=3, batch_size=25, learning_rate=0.3,
                                mlp_learning_rate=1.0, seeds=[0, 1], rng=0)  # fmt: skip
    times = BackpropResult.TIME_COLUMNS
    strip = [{k: v for k, v in r.items() if k not in times} for r in again.records]
    assert strip == [{k: v for k, v in r.items() if k not in times} for r in small_backprop.records]
    for kwargs, match in [
        ({"learning_rate": [0.1]}, "one per layer of weights"),
        ({"nudging": "sideways"}, "nudging must be one of"),
        ({"beta": 0.0}, "beta must be > 0"),
        ({"hidden": []}, "hidden must hold at least one value"),
    ]:
        with pytest.raises(ValueError, match=match):
            backprop_experiment(X, y, **kwargs)


# -- contrastive Hebbian learning -----------------------------------------------------------------


def test_ep_and_backprop_follow_the_gradient_and_chl_does_not(small_chl):
    rows = {r["rule"]: r for r in small_chl.records}
    assert list(rows) == ["CHL", "EP", "backprop (RBP)"]
    # recurrent backprop is the gradient; symmetric EP with beta = 0.01 is within O(beta^2)
    assert rows["backprop (RBP)"]["min_cosine"] > 0.999
    assert rows["EP"]["min_cosine"] > 0.9
    # CHL's update is another vector field, far from the gradient
    assert rows["CHL"]["median_cosine"] < 0.8 < rows["EP"]["median_cosine"]
    for rule in ("EP", "backprop (RBP)"):
        assert rows[rule]["unsettled"] == 0 and rows[rule]["rose"] == 0
    curve = small_chl.curves["CHL seed 0"]
    assert curve.shape == (60, 4) and np.isfinite(curve[::10, 3]).all()
    assert np.isnan(curve[1:10, 3]).all()


def test_chl_experiment_bad_arguments():
    with pytest.raises(ValueError, match="rules must be one of"):
        chl_experiment(rules=["hebb"])
    with pytest.raises(ValueError, match="seeds must hold at least one value"):
        chl_experiment(seeds=[])
    with pytest.raises(TypeError, match="progress must be a bool"):
        chl_experiment(n_epochs=1, seeds=[0], progress="yes")


# -- records and figures ---------------------------------------------------------------------------


def test_tables_notes_and_summaries(gdu, small_backprop, small_chl):
    for res, header in [
        (gdu, "| network | quantity | layer | first_step | largest | max_error |"),
        (small_backprop, "| model | seed | epochs | updates | batch_order |"),
        (small_chl, "| rule | runs | final_loss | best_loss | rose | unsettled |"),
    ]:
        assert header in res.table() and res.table() == res.to_markdown()
        assert res.notes() and res.notes()[0] in res.to_text()
        summary = json.loads(json.dumps(res.summary()))
        assert summary["experiment"] == res.EXPERIMENT
    assert "| network | beta | one_sided | symmetric |" in gdu.table()
    assert "slopes" in gdu.summary() and "off_line" in gdu.summary()


def test_figures(tmp_path, gdu, small_backprop, small_chl):
    # one picture written (the others only built: rendering is what takes the time)
    path = plotting.save_figure(plotting.eqprop_backprop_figure(small_backprop), tmp_path / "b.png")
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert len(plotting.gdu_figure(gdu).axes) == 2 * 3 + 1  # two rows per layer, the bias
    assert len(plotting.gdu_figure(gdu, network="unsaturated").axes) == 7
    assert len(plotting.chl_figure(small_chl).axes) == 3
    with pytest.raises(ValueError, match="network must be one of"):
        plotting.gdu_figure(gdu, network="other")
    with pytest.raises(ValueError, match="result must be a GDUResult"):
        plotting.gdu_figure(small_chl)


def test_module_exports():
    for name in eqprop.__all__:
        assert getattr(eqprop, name) is not None
    assert set(eqprop.GDU_NETWORKS) == {"unsaturated", "default"}
