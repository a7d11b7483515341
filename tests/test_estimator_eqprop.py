"""EqPropClassifier: scikit-learn's checks, and bit-for-bit agreement with fit_eqprop.

The estimator is thin: with the same seed it must give exactly what ``EnergyNetwork`` and
``fit_eqprop`` give when called by hand, so most tests compare against that.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn", minversion="1.6")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import energynets as en  # noqa: E402
from energynets import estimators as est  # noqa: E402
from energynets.estimators import (  # noqa: E402
    EXPECTED_FAILED_CHECKS,
    EqPropClassifier,
    NotFittedError,
    expected_failed_checks,
)


# -- scikit-learn's own checks ---------------------------------------------------------------------
@parametrize_with_checks(
    [EqPropClassifier(), EqPropClassifier((8, 8), output="squared", nudging="symmetric")],
    expected_failed_checks=expected_failed_checks,
    xfail_strict=True,
)
def test_check_estimator(estimator, check):
    """Every check passes: the network takes any real input, and no check is expected to
    fail."""
    state = np.random.get_state()  # noqa: NPY002 - some checks draw from the global state
    try:
        check(estimator)
    finally:
        np.random.set_state(state)  # noqa: NPY002


def test_no_expected_failures():
    assert "EqPropClassifier" not in EXPECTED_FAILED_CHECKS
    assert expected_failed_checks(EqPropClassifier()) == {}
    assert "EqPropClassifier" in est.__all__


# -- data ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def digits():
    """300 digits as grey levels in [0, 1], and their labels."""
    X, y = en.datasets.load_digits()
    return X[:300] / 16.0, y[:300]


# -- agreement with the model trained directly -----------------------------------------------------
def test_equals_energy_network_and_fit_eqprop(digits):
    X, y = digits
    labels = np.array([f"digit {d}" for d in y])  # any labels: classes_ holds them sorted
    clf = EqPropClassifier(
        (20,), beta=0.3, n_free=20, n_nudged=6, solver="momentum", learning_rate_init=0.1,
        max_iter=3, batch_size=25, random_state=5,
    ).fit(X, labels)  # fmt: skip
    gen = np.random.default_rng(5)
    net = en.EnergyNetwork([64, 20, 10], "softmax", rng=gen)
    net, history = en.fit_eqprop(
        net, X, y, rule="ep", beta=0.3, nudging="random", n_free=20, n_nudged=6, dt=1.0,
        optimizer="momentum", learning_rate=0.1, momentum=0.9, n_epochs=3, batch_size=25,
        rng=gen,
    )  # fmt: skip
    fitted = clf.network_
    for a, b in zip(fitted.weights + fitted.biases, net.weights + net.biases, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(clf.classes_, [f"digit {d}" for d in range(10)])
    np.testing.assert_array_equal(clf.predict_proba(X), net.predict_proba(X, n_steps=20))
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[net.predict(X, n_steps=20)])
    assert clf.loss_curve_ == history["loss"] and clf.n_iter_ == 3
    assert clf.history_["relaxation_residual"] == history["relaxation_residual"]
    assert clf.network_.layer_sizes == (64, 20, 10) and clf.n_features_in_ == 64


def test_one_learning_rate_per_layer_and_the_other_rules(digits):
    X, y = digits
    for rule, output in (("chl", "squared"), ("bptt", "softmax"), ("rbp", "squared")):
        clf = EqPropClassifier(
            (12, 8), output=output, rule=rule, dt=0.5, learning_rate_init=[0.1, 0.05, 0.02],
            max_iter=2, random_state=1,
        ).fit(X, y)  # fmt: skip
        gen = np.random.default_rng(1)
        net, _ = en.fit_eqprop(
            en.EnergyNetwork([64, 12, 8, 10], output, rng=gen), X, y, rule=rule, dt=0.5,
            learning_rate=[0.1, 0.05, 0.02], n_epochs=2, rng=gen,
        )  # fmt: skip
        for a, b in zip(clf.network_.weights, net.weights, strict=True):
            np.testing.assert_array_equal(a, b)


def test_squared_outputs_are_normalised_into_probabilities(digits):
    X, y = digits
    clf = EqPropClassifier((16,), output="squared", max_iter=5, random_state=0).fit(X, y)
    states = clf.network_.predict_proba(X)  # the output layer's states, in [0, 1]
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[np.argmax(states, axis=1)])
    rows = states.sum(axis=1) > 0
    np.testing.assert_allclose(proba[rows], states[rows] / states[rows].sum(axis=1)[:, None])
    # all outputs at 0: the probabilities are uniform (here: a network that outputs nothing)
    silent = clone(clf).fit(X, y)
    silent.network_.biases[-1][:] = -10.0
    np.testing.assert_array_equal(silent.predict_proba(X[:2]), np.full((2, 10), 0.1))


def test_a_prediction_does_not_depend_on_the_batch(digits):
    X, y = digits
    clf = EqPropClassifier((16,), max_iter=2, random_state=0).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X[5:6]), clf.predict_proba(X)[5:6], atol=1e-12)
    # the relaxation of a prediction is the current n_free: longer relaxation, the same
    # fixed point here (the free phase settles well within 30 steps)
    longer = clf.predict_proba(X)
    np.testing.assert_allclose(clf.set_params(n_free=100).predict_proba(X), longer, atol=1e-12)


def test_same_random_state_same_result(digits):
    X, y = digits

    def make(seed):
        return EqPropClassifier((8,), max_iter=2, random_state=seed).fit(X, y)

    a, b, c = make(1), make(1), make(2)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))
    legacy = [
        EqPropClassifier((8,), max_iter=1, random_state=np.random.RandomState(0)).fit(X, y)
        for _ in range(2)
    ]
    np.testing.assert_array_equal(legacy[0].network_.weights[0], legacy[1].network_.weights[0])


def test_caller_arrays_are_not_modified(digits):
    X, y = digits
    X_in, y_in = X.copy(), y.copy()
    X_in.flags.writeable = False  # any write would raise
    clf = EqPropClassifier((6,), max_iter=1, random_state=0).fit(X_in, y_in)
    clf.predict(X_in), clf.predict_proba(X_in), clf.score(X_in, y_in)
    np.testing.assert_array_equal(X_in, X)
    np.testing.assert_array_equal(y_in, y)


def test_pipeline_grid_search_clone_and_pickle(digits):
    X, y = digits
    pipe = Pipeline(
        [
            ("scale", MinMaxScaler(clip=True)),
            ("eqprop", EqPropClassifier((16,), max_iter=3, random_state=0)),
        ]
    )
    search = GridSearchCV(pipe, {"eqprop__beta": [0.2, 0.5]}, cv=2).fit(X, y)
    assert search.best_params_["eqprop__beta"] in (0.2, 0.5)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    fitted = search.best_estimator_.named_steps["eqprop"]
    assert fitted.network_.layer_sizes == (64, 16, 10)
    again = pickle.loads(pickle.dumps(search.best_estimator_))
    np.testing.assert_array_equal(again.predict(X), search.predict(X))
    model = EqPropClassifier((4, 4), learning_rate_init=[0.1, 0.1, 0.05])
    assert clone(model).get_params()["learning_rate_init"] == [0.1, 0.1, 0.05]
    assert "hidden_layer_sizes=(4, 4)" in repr(model)


def test_unfitted_raises_not_fitted_error():
    for method in ("predict", "predict_proba"):
        with pytest.raises(NotFittedError, match="not fitted yet"):
            getattr(EqPropClassifier(), method)(np.zeros((2, 3)))


# -- bad input -------------------------------------------------------------------------------------
X4 = np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0], [0, 0, 1]], dtype=float)
Y4 = np.array([0, 1, 0, 1])


@pytest.mark.parametrize(
    ("params", "y", "error", "match"),
    [
        ({"beta": 0.0}, Y4, ValueError, "beta must be > 0"),
        ({"beta": float("nan")}, Y4, ValueError, "beta must be finite"),
        ({"rule": "hebb"}, Y4, ValueError, "rule must be one of"),
        ({"nudging": "both"}, Y4, ValueError, "nudging must be one of"),
        ({"output": "sigmoid"}, Y4, ValueError, "output must be one of"),
        ({"dt": 1.5}, Y4, ValueError, "dt must be <= 1"),
        ({"dt": 0.0}, Y4, ValueError, "dt must be > 0"),
        ({"n_free": 0}, Y4, ValueError, "n_free must be >= 1"),
        ({"n_nudged": 2.5}, Y4, TypeError, "n_nudged must be an int"),
        ({"solver": "lbfgs"}, Y4, ValueError, "solver must be one of"),
        ({"momentum": 1.5}, Y4, ValueError, "momentum must be <= 1"),
        ({"max_iter": 0}, Y4, ValueError, "max_iter must be >= 1"),
        ({"hidden_layer_sizes": ()}, Y4, ValueError, "hidden_layer_sizes must give at least"),
        ({"learning_rate_init": -1}, Y4, ValueError, "learning_rate_init must be > 0"),
        ({"learning_rate_init": "fast"}, Y4, TypeError, "learning_rate_init must be a real"),
        ({"learning_rate_init": [0.1, 0]}, Y4, ValueError, r"learning_rate_init\[1\] must be > 0"),
        ({"learning_rate_init": [0.1]}, Y4, ValueError, "one per layer of weights \\(2"),
        (
            {"learning_rate_init": [0.1, 0.2], "solver": "adam"},
            Y4,
            ValueError,
            "needs solver 'sgd', 'momentum' or 'nesterov'",
        ),
        ({"rule": "chl"}, Y4, ValueError, "rule 'chl' needs output='squared'"),
        ({}, None, ValueError, "requires y to be passed"),
        ({}, [0.5, 1, 0, 1], ValueError, "Unknown label type: continuous"),
        ({}, [1, 1, 1, 1], ValueError, "at least 2 classes"),
        ({}, Y4[:3], ValueError, "y must have one entry per row of X"),
    ],
)
def test_bad_input_names_the_argument(params, y, error, match):
    with pytest.raises(error, match=match):
        EqPropClassifier(**{"hidden_layer_sizes": (3,), "max_iter": 1, **params}).fit(X4, y)


def test_bad_input_after_fit():
    clf = EqPropClassifier((3,), max_iter=1, random_state=0).fit(X4, Y4)
    with pytest.raises(ValueError, match="X has 2 features, but EqPropClassifier is expecting 3"):
        clf.predict(X4[:, :2])
    with pytest.raises(ValueError, match="Reshape your data"):
        clf.predict_proba(X4[0])
    with pytest.raises(ValueError, match="n_free must be >= 1"):
        clf.set_params(n_free=0).predict(X4)


# -- scikit-learn stays optional -------------------------------------------------------------------
WITHOUT_SKLEARN = textwrap.dedent(
    """
    import sys

    import numpy as np
    import energynets as en

    sys.modules["sklearn"] = None  # every "import sklearn..." now raises ImportError
    est = en.estimators
    assert not est.SKLEARN_AVAILABLE
    X = en.datasets.bars_and_stripes(3)
    y = np.where(X[:, 0] > 0.5, "on", "off")
    clf = est.EqPropClassifier((8,), max_iter=20, learning_rate_init=0.2, random_state=0)
    assert clf.set_params(beta=0.3) is clf and clf.get_params()["beta"] == 0.3
    assert "hidden_layer_sizes=(8,)" in repr(clf) and "beta=0.3" in repr(clf), repr(clf)
    clf.fit(X, y)
    assert clf.score(X, y) == np.mean(clf.predict(X) == y) == 1.0
    assert "sklearn" not in {m.split(".")[0] for m in sys.modules if sys.modules[m]}
    print("ok")
    """
)


def test_works_without_sklearn():
    out = subprocess.run(
        [sys.executable, "-c", WITHOUT_SKLEARN], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
