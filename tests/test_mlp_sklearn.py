"""MLPClassifier and MLPRegressor against scikit-learn's own estimators on the same data, the
same starting network and the same batch order (no shuffling), and the schedules and the
stopping rule against cases worked by hand."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn", minversion="1.7")

from sklearn import neural_network as sk  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from energynets import estimators as en  # noqa: E402
from energynets.learning.mlp_sgd import Progress, SGDSettings, StochasticSolver  # noqa: E402


def _data(kind: str, n: int = 45):
    gen = np.random.default_rng(3)
    X = gen.standard_normal((n, 4))
    if kind == "multiclass":
        return X, np.argmax(X[:, :3] + 0.3 * gen.standard_normal((n, 3)), axis=1)
    if kind == "binary":
        return X, np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    if kind == "multilabel":
        return X, (X[:, :3] > 0).astype(int)
    if kind == "counts":
        return X, np.random.default_rng(4).poisson(np.exp(0.5 * X[:, 0] - 0.3 * X[:, 1]))
    if kind == "multioutput":
        return X, np.column_stack([X @ [1.0, -1.0, 0.5, 0.0], np.sin(X[:, 0])])
    return X, X @ [1.0, -1.0, 0.5, 0.2] + np.sin(X[:, 2])


def _same_start(ours, theirs, X, y, **fit):
    """Fit both once (warm_start), then give ours scikit-learn's network: the next fit of
    each starts from the same parameters, with fresh optimisers."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs.fit(X, y, **fit)
        ours.fit(X, y, **fit)
    ours.coefs_ = [c.copy() for c in theirs.coefs_]
    ours.intercepts_ = [b.copy() for b in theirs.intercepts_]


def _fit_both(ours, theirs, X, y, **fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs.fit(X, y, **fit)
        ours.fit(X, y, **fit)
    _assert_same_network(ours, theirs, rtol=1e-9, atol=1e-12)


def _assert_same_network(ours, theirs, **tolerance):
    pairs = zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_, strict=True)
    for a, b in pairs:
        np.testing.assert_allclose(a, b, **tolerance)


CASES = [
    ("multiclass", dict(solver="sgd", learning_rate_init=0.05)),
    ("multiclass", dict(solver="sgd", nesterovs_momentum=False, alpha=0.3)),
    ("binary", dict(solver="sgd", momentum=0.0, learning_rate="invscaling", power_t=0.3)),
    ("multilabel", dict(solver="adam", learning_rate_init=0.01, alpha=0.1)),
    ("regression", dict(solver="sgd", learning_rate_init=0.01, alpha=1.0)),
    ("multioutput", dict(solver="adam", learning_rate_init=0.01)),
    ("counts", dict(solver="sgd", loss="poisson", learning_rate_init=0.01, alpha=0.5)),
]


@pytest.mark.parametrize(("kind", "params"), CASES)
def test_epochs_match_scikit_learn(kind, params):
    # batch 10 of 45 rows: the last batch has 5 rows, so alpha's scaling by the batch size is
    # checked too; several epochs, so are the momentum and Adam states and the schedules
    X, y = _data(kind)
    is_reg = kind in ("regression", "multioutput", "counts")
    ours_cls, their_cls = (
        (en.MLPRegressor, sk.MLPRegressor) if is_reg else (en.MLPClassifier, sk.MLPClassifier)
    )
    common = dict(
        hidden_layer_sizes=(5, 3), activation="tanh", batch_size=10, shuffle=False,
        max_iter=4, warm_start=True, random_state=0, **params,
    )  # fmt: skip
    ours, theirs = ours_cls(**common), their_cls(**common)
    _same_start(ours, theirs, X, y)
    _fit_both(ours, theirs, X, y)
    np.testing.assert_allclose(ours.loss_curve_[-4:], theirs.loss_curve_[-4:], rtol=1e-9)
    assert ours.t_ == theirs.t_ and ours.n_iter_ == theirs.n_iter_ == 4
    assert ours.out_activation_ == theirs.out_activation_
    assert ours.n_outputs_ == theirs.n_outputs_ and ours.n_layers_ == theirs.n_layers_
    np.testing.assert_allclose(ours.predict(X) if is_reg else ours.predict_proba(X),
                               theirs.predict(X) if is_reg else theirs.predict_proba(X),
                               rtol=1e-9, atol=1e-12)  # fmt: skip
    if not is_reg:
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_sample_weight_matches_scikit_learn():
    X, y = _data("multiclass")
    w = np.random.default_rng(1).uniform(0.2, 2.0, X.shape[0])
    common = dict(
        hidden_layer_sizes=(4,), batch_size=10, shuffle=False, max_iter=3, warm_start=True,
        random_state=0, solver="sgd", alpha=0.2, learning_rate_init=0.05,
    )  # fmt: skip
    ours, theirs = en.MLPClassifier(**common), sk.MLPClassifier(**common)
    _same_start(ours, theirs, X, y)
    _fit_both(ours, theirs, X, y, sample_weight=w)
    np.testing.assert_allclose(ours.loss_curve_[-3:], theirs.loss_curve_[-3:], rtol=1e-9)


@pytest.mark.parametrize("kind", ["multiclass", "regression", "counts"])
def test_lbfgs_matches_scikit_learn(kind):
    X, y = _data(kind)
    ours_cls, their_cls = (
        (en.MLPClassifier, sk.MLPClassifier)
        if kind == "multiclass"
        else (en.MLPRegressor, sk.MLPRegressor)
    )
    common = dict(
        hidden_layer_sizes=(5,), solver="lbfgs", alpha=0.01, max_iter=8, warm_start=True,
        random_state=0,
    )  # fmt: skip
    if kind == "counts":
        common["loss"] = "poisson"
    ours, theirs = ours_cls(**common), their_cls(**common)
    _same_start(ours, theirs, X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs.fit(X, y)
        ours.fit(X, y)
    _assert_same_network(ours, theirs, rtol=1e-6, atol=1e-9)
    assert ours.n_iter_ == theirs.n_iter_
    assert math.isclose(ours.loss_, theirs.loss_, rel_tol=1e-9)


def test_invscaling_rate_worked_by_hand():
    # 4 rows, two fits of one epoch: t = 8 rows seen, eta = 0.1 / (8 + 1)^0.25
    X, y = [[3, 2], [1, 6], [5, 6], [-2, -4]], [1, 1, 1, 0]
    clf = en.MLPClassifier(
        solver="sgd", hidden_layer_sizes=4, learning_rate="invscaling", power_t=0.25,
        learning_rate_init=0.1, max_iter=1, warm_start=True, random_state=0,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
        assert clf._optimizer.learning_rate == 0.1 / 5**0.25
        clf.fit(X, y)
    assert clf.t_ == 8 and clf._optimizer.learning_rate == 0.1 / 9**0.25


def _feed(losses, **settings):
    """Run the stopping rule of a solver on given epoch losses; the epochs it stopped at."""
    solver = StochasticSolver(SGDSettings("sgd", **{"learning_rate_init": 1.0, **settings}))
    progress = Progress.start(False)
    stops = []
    for i, loss in enumerate(losses):
        if solver._after_epoch(None, progress, loss, 1, None, False):
            stops.append(i)
            break
    return stops, progress, solver


def test_stopping_rule_worked_by_hand():
    # tol 0.1, patience 2: 1.0 sets the best; 0.95, 0.93, 0.92 each fail to beat the best by
    # 0.1 (counts 1, 2, 3 > 2): stop after the fourth epoch
    stops, progress, _ = _feed([1.0, 0.95, 0.93, 0.92, 0.5], tol=0.1, n_iter_no_change=2)
    assert stops == [3] and progress.no_improvement_count == 3 and progress.best_loss == 0.92
    # a drop of more than tol resets the count
    stops, progress, _ = _feed([1.0, 0.95, 0.8, 0.79, 0.78], tol=0.1, n_iter_no_change=2)
    assert stops == [] and progress.no_improvement_count == 2
    # never with n_iter_no_change = inf
    stops, _, _ = _feed([1.0] * 20, tol=0.1, n_iter_no_change=math.inf)
    assert stops == []


def test_adaptive_rate_worked_by_hand():
    # each time the rule fires the rate is divided by 5 and the count restarts; it stops once
    # the rate is at most 1e-6: 1, 0.2, ..., 0.2^8 = 2.56e-6, 0.2^9 = 5.12e-7 then stop
    stops, _, solver = _feed([1.0] * 100, tol=0.1, n_iter_no_change=1, schedule="adaptive")
    # the first epoch sets the best; then every second epoch the count reaches 2 > 1 and the
    # rule fires (epochs 2, 4, ..., 18: 9 drops), and at epoch 20 the rate is small: stop
    assert stops == [2 * 10]
    assert math.isclose(solver.learning_rate, 0.2**9)


def test_early_stopping_split_is_stratified():
    X, y = _data("multiclass", n=60)
    clf = en.MLPClassifier((3,), early_stopping=True, validation_fraction=0.25, max_iter=3,
                           random_state=0)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    from energynets.estimators._targets import validation_split

    counts = np.bincount(y)
    train, valid = validation_split(60, 0.25, np.random.default_rng(0), y)
    assert valid.shape[0] == 15 and np.intersect1d(train, valid).size == 0
    np.testing.assert_allclose(np.bincount(y[valid], minlength=3), counts * 0.25, atol=1)
    assert len(clf.validation_scores_) == clf.n_iter_ and clf.best_loss_ is None


def test_diverging_network_raises_value_error():
    X = np.finfo(np.float64).max * np.random.default_rng(0).uniform(size=(10, 2))
    y = np.random.default_rng(1).standard_normal(10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="non-finite parameter weights"):
            en.MLPRegressor(max_iter=5).fit(X, y)


def test_partial_fit_needs_classes_and_a_stochastic_solver():
    X, y = [[0.0, 1.0], [1.0, 0.0]], [0, 1]
    with pytest.raises(ValueError, match="classes must be passed"):
        en.MLPClassifier(solver="sgd").partial_fit(X, y)
    assert not hasattr(en.MLPClassifier(solver="lbfgs"), "partial_fit")
    assert not hasattr(en.MLPRegressor(solver="lbfgs"), "partial_fit")
    clf = en.MLPClassifier(solver="sgd", random_state=0).partial_fit(X, y, classes=[0, 1, 2])
    assert clf.classes_.tolist() == [0, 1, 2] and clf.n_iter_ == 1
    with pytest.raises(ValueError, match="not in `self.classes_`"):
        clf.partial_fit(X, [0, 3])


def test_partial_fit_continues_where_fit_would():
    # the first partial_fit draws the network and the batch order from the same generator as
    # fit: one partial_fit is one epoch of fit, bit for bit; the next ones keep the optimiser
    X, y = _data("multiclass")
    common = dict(hidden_layer_sizes=(5,), solver="sgd", batch_size=10, random_state=0)
    with pytest.warns(ConvergenceWarning):
        one = en.MLPClassifier(max_iter=1, **common).fit(X, y)
    inc = en.MLPClassifier(**common).partial_fit(X, y, classes=np.unique(y))
    _assert_same_network(inc, one, rtol=0, atol=0)
    velocity = [v.copy() for v in inc._optimizer.optimizer.steps]
    inc.partial_fit(X, y)
    assert inc.t_ == 2 * X.shape[0] and inc.n_iter_ == 1 and len(inc.loss_curve_) == 2
    assert not np.array_equal(velocity[0], inc._optimizer.optimizer.steps[0])


@pytest.mark.parametrize("cls", [en.MLPClassifier, en.MLPRegressor])
def test_float32_input_trains_in_float32(cls):
    X, y = _data("multiclass" if cls is en.MLPClassifier else "regression")
    with pytest.warns(ConvergenceWarning):
        model = cls(hidden_layer_sizes=(5,), max_iter=3, random_state=0).fit(
            X.astype(np.float32), y
        )
    assert all(a.dtype == np.float32 for a in model.coefs_ + model.intercepts_)
    out = model.predict_proba(X) if cls is en.MLPClassifier else model.predict(X)
    assert out.dtype == np.float32


def test_one_class_is_learned_and_predicted_as_scikit_learn_does():
    # scikit-learn trains one logistic output towards 0 and predicts the one class it saw
    X, _ = _data("multiclass")
    y = np.full(X.shape[0], "only")
    common = dict(hidden_layer_sizes=(3,), solver="sgd", batch_size=10, shuffle=False,
                  max_iter=20, warm_start=True, random_state=0)  # fmt: skip
    ours, theirs = en.MLPClassifier(**common), sk.MLPClassifier(**common)
    _same_start(ours, theirs, X, y)
    _fit_both(ours, theirs, X, y)
    assert ours.predict(X).tolist() == theirs.predict(X).tolist() == y.tolist()
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-9)
