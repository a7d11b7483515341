"""Tests of energynets.experiments.compare on small data: shapes, seeds, the orderings that must
hold, errors that name the argument, and the figures."""

from __future__ import annotations

import numpy as np
import pytest

from energynets import plotting
from energynets.experiments import compare
from energynets.experiments.compare import (
    CostResult,
    FeaturesResult,
    FiltersResult,
    PretrainingResult,
    RecallComparison,
    balanced_subset,
    cost_experiment,
    features_experiment,
    filter_redundancy,
    filter_smoothness,
    filters_experiment,
    nudge_images,
    nudged_digits,
    pretraining_experiment,
    recall_experiment,
)

# a tiny classification set: the first 1500 nudged digits, split 80/20 by the experiment
TINY = {"n_hidden": 16, "rbm_epochs": 1, "batch_size": 100, "mlp_epochs": 2}


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    return nudged_digits()


def _tables_without_times(result) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in result.TIME_COLUMNS} for r in result.records]


# -- data ----------------------------------------------------------------------------------------


def test_nudge_images_by_hand():
    # the 2 x 2 image [[0, 1], [2, 3]] moved up, left, right and down by one pixel
    X = np.arange(4.0).reshape(1, 4)
    out = nudge_images(X, (2, 2))
    assert out.tolist() == [
        [0, 1, 2, 3],  # the original
        [2, 3, 0, 0],  # up: the bottom row moves to the top
        [1, 0, 3, 0],  # left
        [0, 0, 0, 2],  # right
        [0, 0, 0, 1],  # down: the top row moves to the bottom
    ]
    assert X.tolist() == [[0, 1, 2, 3]]  # not modified


def test_nudged_digits_are_the_five_copies_scaled_to_the_unit_interval(digits):
    X, y = digits
    assert X.shape == (8985, 64) and y.shape == (8985,)
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.array_equal(y[:1797], y[1797:3594])
    # every column min-max scaled; each column holds zeros (moved in at a border), so the
    # minimum is 0 and the scale is the column's maximum
    from energynets.datasets import load_digits

    grey, _ = load_digits()
    nudged = nudge_images(grey, (8, 8))
    assert np.all(nudged.min(axis=0) == 0)
    span = nudged.max(axis=0)
    assert np.allclose(X, nudged / np.where(span > 0, span, 1.0))


def test_nudge_images_errors_name_the_argument():
    with pytest.raises(ValueError, match="shape"):
        nudge_images(np.ones((2, 6)), (2, 2))
    with pytest.raises(TypeError, match="shape must be a pair"):
        nudge_images(np.ones((2, 4)), 4)


# -- 1. features ---------------------------------------------------------------------------------


def test_features_records_settings_and_models(digits):
    X, y = digits
    result = features_experiment(X[:1500], y[:1500], image_shape=(8, 8), **TINY, rng=0)
    assert isinstance(result, FeaturesResult)
    assert [r["model"] for r in result.records] == ["raw pixels", "RBM features", "MLP"]
    assert [r["classifier"] for r in result.records] == [
        "softmax regression, L-BFGS, C = 100",
        "softmax regression, L-BFGS, C = 6000",
        "64-100-10 relu network, Adam, 2 epochs",
    ]
    assert [r["inputs"] for r in result.records] == [64, 16, 64]
    raw, on_features, mlp = (r["passes"] for r in result.records)
    # L-BFGS's evaluations of the objective; the RBM's epoch on top; the MLP's epochs
    assert raw > 1 and on_features > 2 and mlp == 2
    for r in result.records:
        assert set(r) == set(FeaturesResult.COLUMNS)
        assert 0.0 <= r["test_accuracy"] <= 1.0
    s = result.settings
    assert (s["n_train"], s["n_test"], s["n_hidden"], s["batch_size"]) == (1200, 300, 16, 100)
    assert (s["raw_C"], s["features_C"], s["rbm_method"]) == (100.0, 6000.0, "pcd")
    assert s["split"] == "train_test_split(random_state=0)"
    assert s["rng"] == 0 and s["nudged"] is False
    assert result.rbm.weights.shape == (64, 16)
    assert result.mlp.layer_sizes == (64, 100, 10)
    table = result.table()
    assert table.startswith(
        "| model | inputs | train_accuracy | test_accuracy | passes | seconds | classifier |"
    )
    text = result.to_text()
    assert "RBM features" in text and "minimised by L-BFGS" in text
    assert result.summary()["experiment"] == "features"


def test_features_same_seed_same_table(digits):
    X, y = digits
    runs = [features_experiment(X[:600], y[:600], **TINY, rng=seed) for seed in (3, 3, 4)]
    assert _tables_without_times(runs[0]) == _tables_without_times(runs[1])
    assert _tables_without_times(runs[0]) != _tables_without_times(runs[2])
    # the split is scikit-learn's with split_random_state (fixed), or drawn with rng
    assert runs[0].records[0]["test_accuracy"] == runs[2].records[0]["test_accuracy"]
    drawn = features_experiment(X[:600], y[:600], **TINY, split_random_state=None, rng=3)
    assert drawn.settings["split"] == "at random"


def test_features_split_is_scikit_learns_train_test_split():
    model_selection = pytest.importorskip("sklearn.model_selection")
    from energynets.experiments.compare._shared import Data

    n = 8985
    ids = (np.arange(n) / n)[:, None]  # each row names itself
    labels = np.arange(n) % 10
    data = Data(ids, labels, None, None, 0.2, None, entropy=0, split_random_state=0)
    train, test = model_selection.train_test_split(np.arange(n), test_size=0.2, random_state=0)
    assert np.array_equal(np.round(data.X_test[:, 0] * n).astype(int), np.sort(test))
    assert np.array_equal(np.round(data.X_train[:, 0] * n).astype(int), np.sort(train))


def test_features_softmax_regression_is_scikit_learns_logistic_regression(digits):
    # like for like: the raw-pixel row is LogisticRegression(C=100) on the same split
    linear_model = pytest.importorskip("sklearn.linear_model")
    model_selection = pytest.importorskip("sklearn.model_selection")
    X, y = digits
    result = features_experiment(X[:1500], y[:1500], **TINY, rng=0)
    Xtr, Xte, ytr, yte = model_selection.train_test_split(
        X[:1500], y[:1500], test_size=0.2, random_state=0
    )
    theirs = linear_model.LogisticRegression(C=100.0, tol=1e-8, max_iter=20000).fit(Xtr, ytr)
    assert result.accuracy("raw pixels") == pytest.approx(theirs.score(Xte, yte), abs=1.5 / 300)


def test_features_rbm_features_beat_raw_pixels_and_the_mlp_beats_both():
    # the ordering of scikit-learn's example (raw 0.78 < RBM 0.93 < MLP 0.97) on the nudged
    # digits, with the quick settings of `energynets compare` (a few seconds)
    from energynets.cli._compare_presets import presets

    result = features_experiment(**presets("digits", quick=True)["features"], rng=0)
    raw, rbm, mlp = (result.accuracy(m) for m in ("raw pixels", "RBM features", "MLP"))
    assert raw < rbm < mlp
    assert 0.7 < raw < 0.85  # a linear model cannot absorb the shifts
    assert mlp > 0.93


@pytest.mark.slow
def test_features_reproduce_scikit_learns_example():
    # the defaults are the example's settings and split: raw pixels and the MLP land within
    # 0.015 of its published numbers. Its RBM row (0.930) came from a classifier stopped early
    # (newton-cg, tol=1); under the converged classifier scikit-learn's own BernoulliRBM
    # scores as the package's RBM does, and both beat the pixels by far.
    from energynets.experiments.compare import SKLEARN_REFERENCE

    result = features_experiment(rng=0)
    for model in ("raw pixels", "MLP"):
        assert result.accuracy(model) == pytest.approx(SKLEARN_REFERENCE[model], abs=0.015)
    assert result.accuracy("RBM features") > result.accuracy("raw pixels") + 0.1
    neural_network = pytest.importorskip("sklearn.neural_network")
    from energynets.learning.softmax_regression import fit_softmax_regression

    X, y = nudged_digits()
    order = np.random.RandomState(0).permutation(X.shape[0])  # train_test_split's
    train, test = np.sort(order[1797:]), np.sort(order[:1797])
    rbm = neural_network.BernoulliRBM(
        n_components=100, learning_rate=0.06, n_iter=10, random_state=0
    ).fit(X[train])
    top = fit_softmax_regression(rbm.transform(X[train]), y[train], C=6000.0)
    theirs = np.mean(top.predict(rbm.transform(X[test])) == y[test])
    assert result.accuracy("RBM features") == pytest.approx(theirs, abs=0.015)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_hidden": 0}, ValueError, "n_hidden must be >= 1, got 0"),
        ({"rbm_method": "pt"}, ValueError, "rbm_method must be one of"),
        ({"test_fraction": 0.0}, ValueError, "test_fraction 0 of"),
        ({"rbm_learning_rate": -1.0}, ValueError, "rbm_learning_rate must be > 0"),
        ({"mlp_activation": "softplus"}, ValueError, "mlp_activation must be one of"),
        ({"batch_size": 2.5}, TypeError, "batch_size must be an int"),
        ({"raw_C": 0.0}, ValueError, "raw_C must be > 0"),
        ({"features_C": -1.0}, ValueError, "features_C must be > 0"),
        ({"classifier_tol": 0.0}, ValueError, "classifier_tol must be > 0"),
        ({"mlp_alpha": -1.0}, ValueError, "mlp_alpha must be >= 0"),
        ({"mlp_batch_size": 0}, ValueError, "mlp_batch_size must be >= 1"),
        ({"split_random_state": -1}, ValueError, "split_random_state must be >= 0"),
    ],
)
def test_features_errors_name_the_argument(kwargs, error, match):
    X = np.random.default_rng(0).random((20, 4))
    y = np.arange(20) % 2
    with pytest.raises(error, match=match):
        features_experiment(X, y, **{**TINY, **kwargs})


def test_features_data_errors():
    X = np.random.default_rng(0).random((20, 4))
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match=r"X must hold values in \[0, 1\]"):
        features_experiment(X * 3, y, **TINY)
    with pytest.raises(ValueError, match="y must have one label per row of X"):
        features_experiment(X, y[:5], **TINY)
    with pytest.raises(ValueError, match="X_test and y_test must be given together"):
        features_experiment(X, y, X_test=X, **TINY)
    with pytest.raises(ValueError, match="X is None"):
        features_experiment(None, y, **TINY)
    with pytest.raises(ValueError, match="image_shape must have height"):
        features_experiment(X, y, image_shape=(3, 3), **TINY)
    X_copy = X.copy()
    given = features_experiment(X, y, X_test=X[:6], y_test=y[:6], **TINY)
    assert np.array_equal(X, X_copy)  # the caller's data are never modified
    assert given.settings["split"] == "given" and "the test rows given" in given.notes()[0]


# -- 2. pretraining ------------------------------------------------------------------------------


def test_balanced_subset_balances_the_classes_and_follows_the_seed():
    labels = np.repeat(np.arange(4), [10, 3, 20, 7])
    rows = balanced_subset(labels, 10, rng=1)
    assert rows.shape == (10,) and np.all(np.diff(rows) > 0)
    # ranks 0 and 1 of every class (8 rows), then two of the four rows of rank 2
    assert sorted(np.bincount(labels[rows], minlength=4)) == [2, 2, 3, 3]
    assert np.array_equal(rows, balanced_subset(labels, 10, rng=1))
    # a class with few rows gives all it has; the others fill up rank by rank
    counts = np.bincount(labels[balanced_subset(labels, 30, rng=2)], minlength=4)
    assert counts.tolist() == [10, 3, 10, 7]
    with pytest.raises(ValueError, match=r"n must be at most the number of labels \(40\)"):
        balanced_subset(labels, 41)


def test_pretraining_records_runs_and_seeds(digits):
    X, y = digits
    kwargs = dict(
        hidden=(12,), n_labels=(50, None), seeds=(0, 1), pretrain_epochs=1, finetune_epochs=1,
        min_updates=5, batch_size=50,
    )  # fmt: skip
    result = pretraining_experiment(X[:500], y[:500], **kwargs, rng=0)
    assert isinstance(result, PretrainingResult)
    assert [(r["n_labels"], r["init"]) for r in result.records] == [
        (50, "DBN"), (50, "random"), (400, "DBN"), (400, "random"),
    ]  # fmt: skip
    assert len(result.runs) == 2 * 2 * 2
    assert all(r["n_seeds"] == 2 for r in result.records)
    assert result.settings["layer_sizes"] == [64, 12, 10]
    # with 50 labels and batches of 50, min_updates=5 asks for 5 epochs
    assert {r["epochs"] for r in result.runs if r["n_labels"] == 50} == {5}
    assert set(result.gain()) == {50, 400}
    again = pretraining_experiment(X[:500], y[:500], **kwargs, rng=0)
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in result.runs]
    assert strip == [{k: v for k, v in r.items() if k != "seconds"} for r in again.runs]
    assert "mean gain of DBN initialisation" in result.table()


def test_pretraining_errors_name_the_argument(digits):
    X, y = digits
    with pytest.raises(ValueError, match=r"n_labels\[0\] must be at most the 80 training rows"):
        pretraining_experiment(X[:100], y[:100], n_labels=(1000,))
    with pytest.raises(ValueError, match=r"hidden\[0\] must be >= 1"):
        pretraining_experiment(X[:100], y[:100], n_labels=(10,), hidden=(0,))
    with pytest.raises(ValueError, match="dbn_method must be one of"):
        pretraining_experiment(X[:100], y[:100], n_labels=(10,), dbn_method="pt")


# -- 3. recall -----------------------------------------------------------------------------------

RECALL = dict(n_epochs=15, n_copies=20, n_probes=4)


def test_recall_hopfield_is_perfect_at_low_load_and_low_noise():
    result = recall_experiment(
        64, n_patterns=3, noise_levels=(0.0, 0.05, 0.1), pattern_counts=(2, 3), **RECALL, rng=0
    )
    assert isinstance(result, RecallComparison)
    for r in result.rows("noise", "hopfield") + result.rows("load", "hopfield"):
        assert r["recalled"] == 1.0 and r["overlap"] == 1.0
    # the autoencoder learned the same patterns from noisy examples
    assert min(r["recalled"] for r in result.rows("noise", "autoencoder")) >= 0.9
    assert len(result.records) == 2 * 3 + 2 * 2
    assert set(result.records[0]) == set(RecallComparison.COLUMNS)


def test_recall_hebbian_fails_above_capacity_where_the_autoencoder_does_not():
    # N = 64: the Hebbian capacity is about 0.138 N = 9 patterns; at 24 patterns recall from
    # 10% noise collapses, while the autoencoder, trained on noisy copies, keeps most
    result = recall_experiment(
        64, n_patterns=2, noise_levels=(0.1,), pattern_counts=(24,), n_epochs=40,
        n_copies=30, n_probes=2, rng=1,
    )  # fmt: skip
    hop = result.rows("load", "hopfield")[0]
    dae = result.rows("load", "autoencoder")[0]
    assert hop["recalled"] < 0.3
    assert dae["recalled"] > 0.8 > hop["recalled"]


def test_recall_same_seed_same_table_and_given_patterns():
    kwargs = dict(n_patterns=2, noise_levels=(0.1,), pattern_counts=(2,), **RECALL)
    a, b = (recall_experiment(32, **kwargs, rng=5) for _ in range(2))
    assert _tables_without_times(a) == _tables_without_times(b)
    xi = np.where(np.random.default_rng(0).random((3, 20)) < 0.5, -1.0, 1.0)
    result = recall_experiment(patterns=xi, **kwargs, rng=0)
    assert result.records[0]["n_units"] == 20 and result.settings["patterns"] == "given"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"noise_levels": (0.1, 1.5)}, ValueError, r"noise_levels must lie in \[0, 1\]"),
        ({"pattern_counts": (2, 0)}, ValueError, r"pattern_counts\[1\] must be >= 1"),
        ({"rule": "oja"}, ValueError, "rule must be one of"),
        ({"n_units": 1}, ValueError, "n_units must be >= 2"),
        ({"load_noise": -0.1}, ValueError, "load_noise must be >= 0"),
        ({"patterns": np.zeros((3, 5))}, ValueError, "patterns must contain only -1 and"),
        ({"patterns": np.ones((1, 5))}, ValueError, r"patterns must have shape \(n_pool"),
    ],
)
def test_recall_errors_name_the_argument(kwargs, error, match):
    base = dict(n_patterns=2, noise_levels=(0.1,), pattern_counts=(2,), n_epochs=1)
    with pytest.raises(error, match=match):
        recall_experiment(**{**base, **kwargs})


# -- 4. filters ----------------------------------------------------------------------------------


def test_filter_smoothness_and_redundancy_by_hand():
    ramp = np.add.outer(np.arange(4.0), np.arange(4.0)).reshape(16, 1)  # w[i, j] = i + j
    # neighbours (i + j, i + j + 1): a perfect linear relation, correlation 1
    assert filter_smoothness(ramp, (4, 4)) == pytest.approx(1.0)
    checker = ((-1.0) ** np.add.outer(np.arange(4), np.arange(4))).reshape(16, 1)
    assert filter_smoothness(checker, (4, 4)) == pytest.approx(-1.0)
    assert np.isnan(filter_smoothness(np.ones((16, 2)), (4, 4)))  # constant filters skipped
    w = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 0.0]])
    # |cos| pairs: (1, 2) = 0, (1, 3) = 1, (2, 3) = 0 -> mean 1/3
    assert filter_redundancy(w) == pytest.approx(1.0 / 3.0)
    assert np.isnan(filter_redundancy(np.ones((3, 1))))


def test_filters_rbm_filters_are_smoother_than_the_mlp_first_layer(digits):
    X, y = digits
    result = filters_experiment(
        X[:2000], y[:2000], image_shape=(8, 8), n_hidden=16, rbm_epochs=3, mlp_epochs=3,
        batch_size=20, rng=0,
    )  # fmt: skip
    assert isinstance(result, FiltersResult)
    assert [r["model"] for r in result.records] == ["RBM", "MLP"]
    assert result.filters["RBM"].shape == result.filters["MLP"].shape == (64, 16)
    rbm, mlp = result.records
    assert rbm["smoothness"] > mlp["smoothness"] + 0.1


def test_filters_of_given_models_and_errors():
    from energynets.models.mlp import MLP
    from energynets.models.rbm import RBM

    result = filters_experiment(image_shape=(2, 3), rbm=RBM(6, 4), mlp=MLP([6, 5, 2]))
    assert result.filters["RBM"].shape == (6, 4) and result.filters["MLP"].shape == (6, 5)
    assert result.records[0]["seconds"] is None
    with pytest.raises(ValueError, match="image_shape"):
        filters_experiment(rbm=RBM(6, 4), mlp=MLP([6, 5, 2]))
    with pytest.raises(ValueError, match="rbm must have n_visible = 4"):
        filters_experiment(image_shape=(2, 2), rbm=RBM(6, 4), mlp=MLP([4, 5, 2]))
    with pytest.raises(TypeError, match="mlp must be an energynets MLP"):
        filters_experiment(image_shape=(2, 3), rbm=RBM(6, 4), mlp="net")


# -- 5. cost -------------------------------------------------------------------------------------


def test_cost_passes_and_curves(digits):
    X, y = digits
    kwargs = dict(
        n_hidden=16, checkpoints=(2, 1), classifier_epochs=2, mlp_epochs=3, batch_size=100,
    )  # fmt: skip
    reached = cost_experiment(X[:800], y[:800], target_accuracy=1e-9, **kwargs, rng=0)
    assert isinstance(reached, CostResult)
    pipe, mlp = reached.records
    # any accuracy reaches a target near 0: the first epoch after the first checkpoint
    assert (pipe["passes"], mlp["passes"]) == (1 + 1, 1)
    assert pipe["reached"] and mlp["reached"] and pipe["total_passes"] == 2 + 2
    assert sorted(reached.curves) == ["MLP", "RBM 1 epochs + softmax", "RBM 2 epochs + softmax"]
    assert reached.curves["RBM 2 epochs + softmax"][:, 0].tolist() == [3, 4]
    assert reached.curves["MLP"].shape == (3, 3)
    assert np.all(np.diff(reached.curves["MLP"][:, 1]) > 0)  # cumulative seconds
    never = cost_experiment(X[:800], y[:800], target_accuracy=1.0, **kwargs, rng=0)
    for r in never.records:
        assert not r["reached"] and r["passes"] is None and r["seconds"] is None
    assert "| no |" in never.table()
    with pytest.raises(ValueError, match="target_accuracy must be <= 1"):
        cost_experiment(X[:800], y[:800], target_accuracy=1.5, **kwargs)
    with pytest.raises(ValueError, match=r"checkpoints\[0\] must be >= 1"):
        cost_experiment(X[:800], y[:800], **{**kwargs, "checkpoints": (0,)})


# -- figures -------------------------------------------------------------------------------------


def test_figures_of_every_experiment(digits):
    from matplotlib.figure import Figure

    X, y = digits
    feats = features_experiment(X[:400], y[:400], image_shape=(8, 8), **TINY, rng=0)
    results = {
        plotting.features_figure: feats,
        plotting.filters_figure: filters_experiment(
            image_shape=(8, 8), rbm=feats.rbm, mlp=feats.mlp
        ),
        plotting.recall_comparison_figure: recall_experiment(
            32, n_patterns=2, noise_levels=(0.0, 0.1), pattern_counts=(2, 4), n_epochs=1
        ),
        plotting.cost_figure: cost_experiment(
            X[:400], y[:400], n_hidden=8, checkpoints=(1,), classifier_epochs=2, mlp_epochs=2,
            batch_size=100,
        ),
        plotting.pretraining_figure: pretraining_experiment(
            X[:400], y[:400], hidden=(8,), n_labels=(40, None), seeds=(0, 1), pretrain_epochs=1,
            finetune_epochs=1, min_updates=1, batch_size=100,
        ),
    }  # fmt: skip
    for draw, result in results.items():
        fig = draw(result)
        assert isinstance(fig, Figure) and len(fig.axes) >= 1
    assert len(plotting.features_figure(feats).axes) == 3
    assert len(plotting.features_figure(feats, show_weights=False).axes) == 1
    with pytest.raises(ValueError, match="result must be a CostResult"):
        plotting.cost_figure(feats)


def test_module_exports():
    for name in compare.__all__:
        assert hasattr(compare, name)
