"""The scikit-learn front: check_estimator, agreement with the models trained directly, pipelines.

The estimators are thin: every result must equal, bit for bit, what the energynets model and
trainer give when called by hand with the same seed, so most tests here compare against that.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

# parametrize_with_checks(expected_failed_checks=...) and the Tags API need scikit-learn >= 1.6
sklearn = pytest.importorskip("sklearn", minversion="1.6")

from scipy import sparse  # noqa: E402
from scipy.special import expit  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.utils.estimator_checks import (  # noqa: E402
    check_estimator,
    parametrize_with_checks,
)

import energynets as en  # noqa: E402
from energynets import estimators as est  # noqa: E402
from energynets.estimators import (  # noqa: E402
    EXPECTED_FAILED_CHECKS,
    BernoulliRBM,
    DBNClassifier,
    GaussianRBM,
    HopfieldMemory,
    MLPClassifier,
    MLPRegressor,
    NotFittedError,
    expected_failed_checks,
)
from energynets.estimators._base import check_X  # noqa: E402

ESTIMATORS = [
    HopfieldMemory(),
    BernoulliRBM(),
    GaussianRBM(),
    MLPClassifier(),
    MLPRegressor(),
    DBNClassifier(),
]


# -- scikit-learn's own checks ---------------------------------------------------------------------
@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=expected_failed_checks, xfail_strict=True
)
def test_check_estimator(estimator, check):
    """Every check passes, except those listed (with the reason) in EXPECTED_FAILED_CHECKS."""
    _run_check(estimator, check)


# checks whose own code draws from numpy's global random state (np.random.permutation), which
# the conftest guard forbids to tests: the state is restored after them
_GLOBAL_RNG_CHECKS = {"check_methods_sample_order_invariance"}


def _check_name(check):
    return _check_name(check.func) if hasattr(check, "func") else check.__name__


def _run_check(estimator, check):
    if _check_name(check) not in _GLOBAL_RNG_CHECKS:
        check(estimator)
        return
    state = np.random.get_state()  # noqa: NPY002 - restoring it is the point
    try:
        check(estimator)
    finally:
        np.random.set_state(state)  # noqa: NPY002


class _BitsBernoulliRBM(BernoulliRBM):
    """Test harness: the usual checks of X, then a fixed elementwise map onto 0/1 bits.

    scikit-learn's checks feed real-valued data; mapped this way they reach every method
    (score_samples included, which needs bits) as valid input, so the checks test the code
    paths that the [0, 1] check stops them from reaching in BernoulliRBM itself.
    """

    def _check_X(self, X, *, reset, name="X"):
        arr = check_X(self, X, reset=reset, name=name, accept_sparse=True)
        if sparse.issparse(arr):  # the same map on the stored values (it keeps 0 at 0)
            bits = arr.copy()
            bits.data = (np.floor(4.0 * bits.data) % 2.0).astype(arr.dtype)
            return bits
        return (np.floor(4.0 * arr) % 2.0).astype(arr.dtype)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = False  # any real X is mapped onto bits
        return tags


class _SquashedDBNClassifier(DBNClassifier):
    """Test harness: the usual checks of X, then X -> sigmoid(X), into (0, 1)."""

    def _check_X(self, X, *, reset):
        arr = check_X(self, X, reset=reset)
        return expit(arr)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = False  # any real X is squashed into (0, 1)
        return tags


# scikit-learn's own BernoulliRBM is expected to fail these two for the same reason
_STOCHASTIC_SCORE = dict.fromkeys(
    ("check_methods_sample_order_invariance", "check_methods_subset_invariance"),
    "score_samples flips one randomly drawn unit per row, as scikit-learn's does",
)


@parametrize_with_checks(
    [_BitsBernoulliRBM(n_components=16), _SquashedDBNClassifier((16,), pretrain_n_iter=2)],
    expected_failed_checks=lambda e: _STOCHASTIC_SCORE if isinstance(e, BernoulliRBM) else {},
    xfail_strict=True,
)
def test_check_estimator_with_valid_bernoulli_data(estimator, check):
    """With X mapped into [0, 1], the Bernoulli estimators pass every check, the expected
    failures included: those fail only because the checks' data leave [0, 1] (and, for
    BernoulliRBM, two because score_samples is random, as scikit-learn's)."""
    _run_check(estimator, check)


@pytest.mark.parametrize(
    "estimator", [BernoulliRBM(), DBNClassifier()], ids=lambda e: type(e).__name__
)
def test_expected_failures_are_the_unit_interval_check(estimator):
    state = np.random.get_state()  # noqa: NPY002 - see _GLOBAL_RNG_CHECKS
    try:
        results = check_estimator(estimator, on_skip=None, on_fail=None)
    finally:
        np.random.set_state(state)  # noqa: NPY002
    failed = {r["check_name"]: r["exception"] for r in results if r["status"] == "failed"}
    assert set(failed) == set(EXPECTED_FAILED_CHECKS[type(estimator).__name__])
    for name, exc in failed.items():
        message = f"{exc} {exc.__cause__}"
        assert "must lie in [0, 1]" in message, (name, message)


def test_expected_failures_are_documented():
    for name, checks in EXPECTED_FAILED_CHECKS.items():
        assert getattr(est, name).__name__ == name
        assert all(check.startswith("check_") and reason for check, reason in checks.items())
    assert expected_failed_checks(MLPClassifier()) == {}
    assert expected_failed_checks(BernoulliRBM()) == EXPECTED_FAILED_CHECKS["BernoulliRBM"]


# -- data ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def digits():
    """200 digits as grey levels in [0, 1], their bits, and their labels."""
    X, y = en.datasets.load_digits()
    grey = X[:200] / 16.0
    return grey, (grey > 0.5).astype(np.float64), y[:200]


# -- agreement with the models trained directly ----------------------------------------------------
def test_bernoulli_rbm_equals_fit_rbm(digits):
    _, bits, _ = digits
    model = BernoulliRBM(
        n_components=12, learning_rate=0.05, batch_size=20, n_iter=3, random_state=7, k=2
    ).fit(bits)
    gen = np.random.default_rng(7)
    rbm = en.RBM(64, 12, "bernoulli", rng=gen)
    rbm, history = en.fit_rbm(
        rbm, bits, method="pcd", k=2, n_epochs=3, batch_size=20, learning_rate=0.05, rng=gen
    )
    np.testing.assert_array_equal(model.rbm_.weights, rbm.weights)
    np.testing.assert_array_equal(model.rbm_.visible_bias, rbm.visible_bias)
    np.testing.assert_array_equal(model.rbm_.hidden_bias, rbm.hidden_bias)
    np.testing.assert_array_equal(model.components_, rbm.weights.T)
    np.testing.assert_array_equal(model.transform(bits), rbm.hidden_probabilities(bits))
    assert model.n_iter_ == 3 and model.history_["epoch"] == history["epoch"]


def test_gaussian_rbm_equals_fit_rbm(digits):
    grey, _, _ = digits
    X = (grey - grey.mean(axis=0)) / (grey.std(axis=0) + 0.1)
    model = GaussianRBM(n_components=10, n_iter=2, method="cd", random_state=3).fit(X)
    gen = np.random.default_rng(3)
    rbm, _ = en.fit_rbm(
        en.RBM(64, 10, "gaussian", rng=gen),
        X,
        method="cd",
        n_epochs=2,
        batch_size=10,
        learning_rate=0.01,
        rng=gen,
    )
    np.testing.assert_array_equal(model.rbm_.weights, rbm.weights)
    np.testing.assert_array_equal(model.transform(X), rbm.hidden_probabilities(X))
    # score_samples: the negative free energy, exactly
    np.testing.assert_array_equal(model.score_samples(X[:5]), -rbm.free_energy(X[:5]))


def test_mlp_classifier_equals_fit_mlp(digits):
    # with energynets' momentum solver and no L2 term, the estimator's epochs are fit_mlp's
    grey, _, y = digits
    labels = np.array([f"digit {d}" for d in y])  # any labels: classes_ holds them sorted
    clf = MLPClassifier(
        (16,), max_iter=4, batch_size=32, dropout=0.3, input_dropout=0.1, random_state=5,
        solver="momentum", alpha=0.0,
    )  # fmt: skip
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        clf.fit(grey, labels)
    gen = np.random.default_rng(5)
    mlp = en.MLP([64, 16, 10], "relu", "softmax", "he", rng=gen)
    mlp, history = en.fit_mlp(
        mlp,
        grey,
        y,
        optimizer="momentum",
        learning_rate=1e-3,
        n_epochs=4,
        batch_size=32,
        dropout=0.3,
        input_dropout=0.1,
        rng=gen,
    )
    for a, b in zip(clf.coefs_ + clf.intercepts_, mlp.weights + mlp.biases, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(clf.classes_, [f"digit {d}" for d in range(10)])
    np.testing.assert_array_equal(clf.predict_proba(grey), mlp.predict_proba(grey))
    np.testing.assert_array_equal(clf.predict(grey), clf.classes_[mlp.predict(grey)])
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(grey)), clf.predict_proba(grey))
    np.testing.assert_allclose(clf.loss_curve_, history["loss"], rtol=1e-12)
    assert clf.n_iter_ == 4 and clf.out_activation_ == "softmax"


def test_mlp_is_the_fitted_network_until_its_arrays_are_replaced(digits):
    grey, _, y = digits
    clf = MLPClassifier((8,), max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(grey, y)
    net = clf.mlp_
    assert clf.mlp_ is net  # predict does not rebuild the network
    assert all(a is b for a, b in zip(net.weights, clf.coefs_, strict=True))
    # new arrays in coefs_ (not an in-place change): mlp_ and predict follow them
    clf.coefs_ = [2.0 * w for w in clf.coefs_]
    doubled = en.MLP.from_params(clf.coefs_, clf.intercepts_, activation="relu")
    assert clf.mlp_ is not net
    np.testing.assert_array_equal(clf.predict_proba(grey), doubled.predict_proba(grey))
    clf.set_params(activation="tanh")  # as before: mlp_ reads the current activation
    assert clf.mlp_.activation == "tanh"


def test_mlp_regressor_equals_fit_mlp():
    gen_data = np.random.default_rng(0)
    X = gen_data.standard_normal((60, 3))
    Y = np.column_stack([X @ [1.0, -1.0, 0.5], np.sin(X[:, 0])])
    reg = MLPRegressor(
        hidden_layer_sizes=(8,), activation="tanh", solver="nesterov", alpha=0.0, max_iter=3,
        random_state=2,
    )  # fmt: skip
    with pytest.warns(ConvergenceWarning):
        reg.fit(X, Y)
    gen = np.random.default_rng(2)
    mlp, _ = en.fit_mlp(
        en.MLP([3, 8, 2], "tanh", "identity", "he", rng=gen),
        X,
        Y,
        optimizer="nesterov",
        learning_rate=1e-3,
        n_epochs=3,
        batch_size=60,
        rng=gen,
    )
    np.testing.assert_array_equal(reg.predict(X), mlp.predict_proba(X))
    assert reg.n_outputs_ == 2
    # one output: predictions are 1-D, and "logistic" names the sigmoid as in scikit-learn
    one = MLPRegressor(hidden_layer_sizes=(4,), activation="logistic", max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning):
        one.fit(X, Y[:, 0])
    assert one.predict(X).shape == (60,) and one.mlp_.activation == "sigmoid"


def test_dbn_classifier_equals_fit_dbn_then_fit_mlp(digits):
    grey, _, y = digits
    clf = DBNClassifier((20, 12), pretrain_n_iter=2, max_iter=3, dropout=0.2, random_state=11)
    clf.fit(grey, y)
    gen = np.random.default_rng(11)
    dbn, _ = en.fit_dbn([64, 20, 12], grey, n_epochs=2, batch_size=10, learning_rate=0.1, rng=gen)
    mlp = dbn.to_mlp(10, rng=gen)
    mlp, _ = en.fit_mlp(
        mlp, grey, y, n_epochs=3, batch_size=200, weight_decay=1e-4, dropout=0.2, rng=gen
    )
    for a, b in zip(clf.dbn_.rbms, dbn.rbms, strict=True):
        np.testing.assert_array_equal(a.weights, b.weights)
    np.testing.assert_array_equal(clf.predict_proba(grey), mlp.predict_proba(grey))
    assert clf.pretrain_history_["n_epochs"] == [2, 2]


def test_hopfield_memory_equals_recall():
    patterns = en.datasets.random_patterns(4, 48, rng=0)
    bits = en.to_bits(patterns)  # 0/1 bits map onto the same spins at threshold 0
    memory = HopfieldMemory("storkey", random_state=9).fit(bits)
    np.testing.assert_array_equal(memory.patterns_, patterns)
    net = en.HopfieldNetwork.from_patterns(patterns, "storkey")
    probes = en.corrupt(patterns, 0.15, rng=1)
    seed = int(np.random.default_rng(9).integers(2**63))
    expected = net.recall(probes, rng=seed).states
    np.testing.assert_array_equal(memory.predict(en.to_bits(probes)), expected)
    np.testing.assert_array_equal(memory.predict(probes), patterns)  # recalled
    np.testing.assert_array_equal(memory.energy(patterns), net.energy(patterns))
    # the recall of a probe does not depend on the rest of the batch (temperature 0)
    np.testing.assert_array_equal(memory.predict(probes[2:3]), expected[2:3])


# -- the RBM methods -------------------------------------------------------------------------------
def test_score_samples_flips_one_random_unit_per_row(digits):
    """scikit-learn's estimate, worked out with the free energy written out in full."""
    grey, _, _ = digits
    model = BernoulliRBM(n_components=8, n_iter=2, random_state=0).fit(grey)
    X = grey[:6]
    scores = model.score_samples(X)
    W, a, b = model.rbm_.weights, model.rbm_.visible_bias, model.rbm_.hidden_bias
    units = np.random.default_rng(0).integers(0, 64, 6)  # the generator of random_state=0
    for row, unit, score in zip(X, units, scores, strict=True):
        flipped = row.copy()
        flipped[unit] = 1.0 - flipped[unit]
        F = [-(v @ a) - sum(np.log1p(np.exp(b[j] + v @ W[:, j])) for j in range(8))
             for v in (row, flipped)]  # fmt: skip
        np.testing.assert_allclose(score, 64 * np.log(1.0 / (1.0 + np.exp(F[0] - F[1]))))
    # the same draws at every call (random_state is converted afresh), any finite values
    np.testing.assert_array_equal(model.score_samples(X), scores)
    assert np.all(np.isfinite(model.score_samples(100.0 * np.arange(64.0)[None, :])))


def test_partial_fit_is_one_update_with_x_as_the_mini_batch(digits):
    _, bits, _ = digits
    model = BernoulliRBM(n_components=8, batch_size=20, random_state=4)
    assert model.partial_fit(bits[:100]) is model
    assert model.h_samples_.shape == (20, 8)
    first, chains = model.rbm_, model.h_samples_.copy()
    assert model.partial_fit(bits[100:]) is model
    assert model.n_iter_ == 2 and len(model.history_["epoch"]) == 2
    # fit_rbm with one epoch of one batch of all the rows and batch_size persistent chains;
    # the second call continues the chains and the generator, and keeps the visible biases
    gen = np.random.default_rng(4)
    common = dict(method="pcd", n_epochs=1, n_chains=20, learning_rate=0.1, monitor=(), rng=gen)
    rbm, _ = en.fit_rbm(en.RBM(64, 8, rng=gen), bits[:100], batch_size=100, **common)
    np.testing.assert_array_equal(first.weights, rbm.weights)
    rbm, _ = en.fit_rbm(
        rbm, bits[100:], batch_size=100, init_visible_bias=None, chains=chains, **common
    )
    np.testing.assert_array_equal(model.rbm_.weights, rbm.weights)
    np.testing.assert_array_equal(model.rbm_.visible_bias, rbm.visible_bias)
    with pytest.raises(ValueError, match="X has 10 features, but BernoulliRBM is expecting 64"):
        model.partial_fit(bits[:5, :10])


def test_sample_and_gibbs(digits):
    _, bits, _ = digits
    model = BernoulliRBM(n_components=8, n_iter=1, random_state=0).fit(bits)
    a = model.sample(5, n_steps=3, random_state=1)
    b = model.sample(5, n_steps=3, random_state=1)
    assert a.shape == (5, 64) and set(np.unique(a)) <= {0.0, 1.0}
    np.testing.assert_array_equal(a, b)
    # without random_state: the fitted generator continues, new samples each call
    assert not np.array_equal(model.sample(20, 3), model.sample(20, 3))
    assert model.gibbs(bits[:3]).shape == (3, 64)
    gaussian = GaussianRBM(n_components=4, n_iter=1, random_state=0).fit(bits - 0.5)
    assert gaussian.sample(3, 2, random_state=0).shape == (3, 64)


# -- scikit-learn machinery ------------------------------------------------------------------------
def test_pipeline_and_grid_search(digits):
    grey, _, y = digits
    pipe = Pipeline(
        [
            ("rbm", BernoulliRBM(n_iter=2, batch_size=20, random_state=0)),
            ("logistic", LogisticRegression(max_iter=200)),
        ]
    )
    search = GridSearchCV(pipe, {"rbm__n_components": [8, 24], "logistic__C": [1.0]}, cv=2)
    search.fit(grey, y)
    assert search.best_params_["rbm__n_components"] in (8, 24)
    assert search.best_estimator_.named_steps["rbm"].components_.shape[1] == 64
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert set(search.predict(grey)) <= set(y)
    # the fitted pipeline pickles
    again = pickle.loads(pickle.dumps(search.best_estimator_))
    np.testing.assert_array_equal(again.predict(grey), search.predict(grey))


def test_grid_search_over_a_classifier(digits):
    grey, _, y = digits
    search = GridSearchCV(
        MLPClassifier(max_iter=3, random_state=0), {"hidden_layer_sizes": [(8,), 16]}, cv=2
    ).fit(grey, y)
    assert search.best_estimator_.coefs_[0].shape[0] == 64


def test_clone_and_params():
    model = BernoulliRBM(n_components=3, random_state=np.random.default_rng(0))
    params = model.get_params()
    assert params["n_components"] == 3 and params["method"] == "pcd"
    assert clone(model).get_params()["n_components"] == 3
    assert model.set_params(n_iter=4) is model and model.n_iter == 4
    assert "n_components=3" in repr(model)


def test_same_random_state_same_result(digits):
    grey, bits, y = digits
    for make, X in (
        (lambda s: BernoulliRBM(n_components=6, n_iter=2, random_state=s), bits),
        (lambda s: MLPClassifier((6,), max_iter=2, random_state=s), grey),
        (lambda s: DBNClassifier((6,), pretrain_n_iter=1, max_iter=2, random_state=s), grey),
    ):
        a, b, c = make(1).fit(X, y), make(1).fit(X, y), make(2).fit(X, y)
        out = "transform" if hasattr(a, "transform") else "predict_proba"
        np.testing.assert_array_equal(getattr(a, out)(X), getattr(b, out)(X))
        assert not np.array_equal(getattr(a, out)(X), getattr(c, out)(X))
    # a legacy RandomState is accepted: one seed is drawn from it
    r1 = BernoulliRBM(6, n_iter=1, random_state=np.random.RandomState(0)).fit(bits)
    r2 = BernoulliRBM(6, n_iter=1, random_state=np.random.RandomState(0)).fit(bits)
    np.testing.assert_array_equal(r1.components_, r2.components_)


def test_caller_arrays_are_not_modified(digits):
    grey, bits, y = digits
    cases = [
        (HopfieldMemory(random_state=0), bits, None, ("predict", "energy")),
        (BernoulliRBM(6, n_iter=1, random_state=0), bits, None, ("transform", "score_samples")),
        (GaussianRBM(6, n_iter=1, random_state=0), grey, None, ("transform", "score_samples")),
        (MLPClassifier((6,), max_iter=2, random_state=0), grey, y, ("predict", "predict_proba")),
        (
            MLPRegressor(hidden_layer_sizes=(6,), max_iter=2, random_state=0),
            grey,
            grey[:, 0],
            ("predict",),
        ),
        (DBNClassifier((6,), pretrain_n_iter=1, max_iter=1, random_state=0), grey, y, ("predict",)),
    ]
    for model, X, target, methods in cases:
        X_in = X.copy()
        X_in.flags.writeable = False  # any write would raise
        y_in = None if target is None else target.copy()
        model.fit(X_in, y_in)
        for method in methods:
            getattr(model, method)(X_in)
        np.testing.assert_array_equal(X_in, X)
        if target is not None:
            np.testing.assert_array_equal(y_in, target)


def test_unfitted_estimators_raise_not_fitted_error():
    X = np.zeros((2, 3))
    for model, method in (
        (HopfieldMemory(), "predict"),
        (BernoulliRBM(), "transform"),
        (GaussianRBM(), "sample"),
        (MLPClassifier(), "predict_proba"),
        (MLPRegressor(), "predict"),
        (DBNClassifier(), "predict"),
    ):
        with pytest.raises(NotFittedError, match="not fitted yet"):
            getattr(model, method)(X) if method != "sample" else model.sample()


# -- bad input -------------------------------------------------------------------------------------
BITS = np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0], [0, 0, 1]], dtype=float)
LABELS = np.array([0, 1, 0, 1])


@pytest.mark.parametrize(
    ("model", "X", "y", "error", "match"),
    [
        (BernoulliRBM(n_components=0), BITS, None, ValueError, "n_components must be >= 1"),
        (BernoulliRBM(n_iter=2.5), BITS, None, TypeError, "n_iter must be an int"),
        (BernoulliRBM(learning_rate=-1), BITS, None, ValueError, "learning_rate must be > 0"),
        (BernoulliRBM(method="adam"), BITS, None, ValueError, "method must be one of"),
        (BernoulliRBM(random_state="x"), BITS, None, TypeError, "random_state must be an int"),
        (BernoulliRBM(), BITS * 2, None, ValueError, r"X must lie in \[0, 1\].*got values in"),
        (BernoulliRBM(), -BITS, None, ValueError, "Negative values in data passed to"),
        (BernoulliRBM(), BITS[0], None, ValueError, "X must be a 2-D array"),
        (GaussianRBM(), sparse.csr_matrix(BITS), None, TypeError, "X must be a dense array"),
        (GaussianRBM(), [[1.0, np.nan]], None, ValueError, "X must contain only finite"),
        (GaussianRBM(), np.zeros((3, 0)), None, ValueError, r"X has 0 feature\(s\)"),
        (GaussianRBM(), [["a", "b"]], None, TypeError, "X must be an array of numbers"),
        (GaussianRBM(), BITS + 1j, None, ValueError, "Complex data not supported"),
        (HopfieldMemory(rule="hebb"), BITS, None, ValueError, "rule must be one of"),
        (HopfieldMemory(temperature=-1), BITS, None, ValueError, "temperature must be >= 0"),
        (HopfieldMemory(threshold="0"), BITS, None, TypeError, "threshold must be a real"),
        (MLPClassifier(solver="newton"), BITS, LABELS, ValueError, "solver must be one of"),
        (MLPClassifier((0,)), BITS, LABELS, ValueError, r"hidden_layer_sizes\[0\] must be >= 1"),
        (MLPClassifier("big"), BITS, LABELS, TypeError, "hidden_layer_sizes must be an int"),
        (MLPClassifier(activation="softmax"), BITS, LABELS, ValueError, "activation must be"),
        (MLPClassifier(batch_size="all"), BITS, LABELS, ValueError, "batch_size must be one of"),
        (MLPClassifier(alpha=-0.1), BITS, LABELS, ValueError, "alpha must be >= 0"),
        (MLPClassifier(), BITS, None, ValueError, "requires y to be passed"),
        (MLPClassifier(), BITS, LABELS[:3], ValueError, "y must have one entry per row of X"),
        (MLPClassifier(), BITS, [0.5, 1, 0, 1], ValueError, "Unknown label type: continuous"),
        (MLPRegressor(), BITS, [0.0, np.inf, 1, 1], ValueError, "y must contain only finite"),
        (
            MLPRegressor(early_stopping=True, validation_fraction=1.0),
            BITS,
            LABELS,
            ValueError,
            r"validation_fraction must lie in \(0, 1\)",
        ),
        (DBNClassifier(()), BITS, LABELS, ValueError, "hidden_layer_sizes must give at least"),
        (DBNClassifier(pretrain_method="pt"), BITS, LABELS, ValueError, "pretrain_method must"),
        (DBNClassifier(), BITS * 3, LABELS, ValueError, r"X must lie in \[0, 1\]"),
    ],
    ids=lambda v: type(v).__name__ if hasattr(v, "get_params") else None,
)
def test_bad_input_names_the_argument(model, X, y, error, match):
    with pytest.raises(error, match=match):
        model.fit(X, y)


def test_bad_input_after_fit():
    model = BernoulliRBM(n_components=2, n_iter=1, random_state=0).fit(BITS)
    with pytest.raises(ValueError, match="X has 2 features, but BernoulliRBM is expecting 3"):
        model.transform(BITS[:, :2])
    with pytest.raises(ValueError, match=r"v must lie in \[0, 1\]"):
        model.gibbs(BITS + 1)
    with pytest.raises(ValueError, match="n_samples must be >= 1"):
        model.sample(0)
    clf = MLPClassifier((2,), max_iter=1, random_state=0).fit(BITS, LABELS)
    with pytest.raises(ValueError, match="Reshape your data"):
        clf.predict(BITS[0])


def test_column_vector_y_warns_and_is_flattened():
    from sklearn.exceptions import DataConversionWarning

    clf = MLPClassifier((2,), max_iter=1, random_state=0)
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        clf.fit(BITS, LABELS[:, None])
    assert clf.classes_.tolist() == [0, 1]


# -- scikit-learn stays optional -------------------------------------------------------------------
WITHOUT_SKLEARN = textwrap.dedent(
    """
    import sys

    import numpy as np
    import energynets as en

    # importing the package loads neither scikit-learn nor the estimators
    assert "sklearn" not in sys.modules and "energynets.estimators" not in sys.modules
    sys.modules["sklearn"] = None  # every "import sklearn..." now raises ImportError
    est = en.estimators  # loaded on first access, with the fallback base

    assert not est.SKLEARN_AVAILABLE and "estimators" in en.__all__
    X = en.datasets.bars_and_stripes(3)
    y = np.arange(len(X)) % 2

    rbm = est.BernoulliRBM(n_components=4, n_iter=2, random_state=0)
    assert rbm.get_params()["n_components"] == 4
    assert rbm.set_params(n_components=5) is rbm and rbm.n_components == 5
    assert repr(rbm) == "BernoulliRBM(n_components=5, n_iter=2, random_state=0)", repr(rbm)
    try:
        rbm.set_params(n_hidden=3)
    except ValueError as exc:
        assert "n_hidden" in str(exc)
    else:
        raise AssertionError("set_params accepted an unknown name")
    try:
        rbm.transform(X)
    except est.NotFittedError as exc:
        assert isinstance(exc, ValueError) and isinstance(exc, AttributeError)
    features = rbm.fit_transform(X)
    assert features.shape == (len(X), 5)
    again = type(rbm)(**rbm.get_params()).fit(X)  # what clone does
    assert np.array_equal(again.transform(X), features)
    from scipy import sparse

    assert rbm.get_feature_names_out().tolist() == [f"bernoullirbm{i}" for i in range(5)]
    assert np.allclose(rbm.transform(sparse.csr_matrix(X)), features)
    assert rbm.score_samples(sparse.csr_matrix(X)).shape == (len(X),)

    clf = est.MLPClassifier((4,), max_iter=50, learning_rate_init=0.05, random_state=0)
    assert 0.0 <= clf.fit(X, y).score(X, y) <= 1.0
    assert clf.score(X, y) == np.mean(clf.predict(X) == y)
    reg = est.MLPRegressor(
        hidden_layer_sizes=(4,), max_iter=200, learning_rate_init=0.05, random_state=0
    )
    r2 = reg.fit(X, X[:, 0] + X[:, 1]).score(X, X[:, 0] + X[:, 1])
    assert 0.5 < r2 <= 1.0, r2
    memory = est.HopfieldMemory().fit(X[:2])
    assert memory.predict(X[:2]).shape == (2, 9)
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
