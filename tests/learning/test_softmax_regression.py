"""Softmax regression by L-BFGS: the objective by hand, its gradient against central finite
differences, first-order optimality of the solution, agreement with scikit-learn's
LogisticRegression (coefficients, intercepts, probabilities), the two-class case, input checks
and the caller's arrays left alone."""

from __future__ import annotations

import numpy as np
import pytest

from energynets.learning.softmax_regression import (
    SoftmaxRegression,
    fit_softmax_regression,
    softmax_regression_objective,
)


def _problem(n=60, p=4, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    y = rng.integers(0, k, n)
    y[:k] = np.arange(k)  # every class present
    return X, y


def _one_hot(y, k):
    Y = np.zeros((y.shape[0], k))
    Y[np.arange(y.shape[0]), y] = 1.0
    return Y


def test_objective_by_hand():
    # one row x = (1, 2), label 1 of 2; W = [[1, 0], [0, 1]], b = (0, 1), C = 2:
    # scores (1, 3), -log p(1) = log(e + e^3) - 3, penalty ||W||^2 / (2C) = 2 / 4
    W = np.eye(2)
    b = np.array([0.0, 1.0])
    f, g = softmax_regression_objective(
        np.concatenate([W.ravel(), b]), [[1.0, 2.0]], [[0.0, 1.0]], C=2.0
    )
    assert f == pytest.approx(np.log(np.e + np.e**3) - 3.0 + 0.5)
    p1 = np.e**3 / (np.e + np.e**3)
    residual = np.array([1.0 - p1, p1 - 1.0])  # P - Y
    gW = np.outer([1.0, 2.0], residual) + W / 2.0
    assert np.allclose(g, np.concatenate([gW.ravel(), residual]))


@pytest.mark.parametrize("C", [0.01, 1.0, 1000.0])
def test_gradient_matches_central_finite_differences(C):
    X, y = _problem()
    Y = _one_hot(y, 3)
    theta = np.random.default_rng(1).normal(size=(4 + 1) * 3)
    _, grad = softmax_regression_objective(theta, X, Y, C)
    h = 1e-6
    numeric = np.empty_like(theta)
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = h
        up, _ = softmax_regression_objective(theta + step, X, Y, C)
        down, _ = softmax_regression_objective(theta - step, X, Y, C)
        numeric[i] = (up - down) / (2 * h)
    assert np.allclose(grad, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("C", [0.1, 10.0, 6000.0])
def test_the_solution_is_a_minimum_of_the_objective(C):
    # first-order optimality on the rows as given (the fit works on centred rows)
    X, y = _problem(n=80, p=5, k=4, seed=2)
    X += 3.0  # far from centred
    model = fit_softmax_regression(X, y, C=C, tol=1e-9)
    assert isinstance(model, SoftmaxRegression) and model.converged
    theta = np.concatenate([model.weights.ravel(), model.bias])
    f, grad = softmax_regression_objective(theta, X, _one_hot(y, 4), C)
    assert np.max(np.abs(grad)) < 1e-6
    assert f == pytest.approx(model.loss, rel=1e-9)
    # the minimum is in the subspace sum_k W_k = 0
    assert np.allclose(model.weights.sum(axis=1), 0.0, atol=1e-6)


@pytest.mark.parametrize("C", [0.1, 1.0, 100.0])
def test_matches_scikit_learns_logistic_regression(C):
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = _problem(n=90, p=5, k=3, seed=3)
    X[:, 0] += 2.0
    ours = fit_softmax_regression(X, y, C=C, tol=1e-10)
    theirs = linear_model.LogisticRegression(C=C, tol=1e-10, max_iter=10000).fit(X, y)
    assert np.allclose(ours.weights.T, theirs.coef_, atol=1e-6)
    assert np.allclose(ours.bias, theirs.intercept_, atol=1e-6)
    assert np.allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-7)
    assert np.array_equal(ours.predict(X), theirs.predict(X))


def test_two_classes_are_scikit_learns_binomial_model_with_twice_c():
    linear_model = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(4)
    X = rng.normal(size=(50, 3))
    y = (X[:, 0] + rng.normal(size=50) > 0).astype(int)
    ours = fit_softmax_regression(X, y, C=0.5, tol=1e-10)
    theirs = linear_model.LogisticRegression(C=1.0, tol=1e-10, max_iter=10000).fit(X, y)
    assert np.allclose(ours.weights[:, 1] - ours.weights[:, 0], theirs.coef_[0], atol=1e-6)
    assert np.allclose(ours.predict_proba(X)[:, 1], theirs.predict_proba(X)[:, 1], atol=1e-7)


def test_probabilities_predictions_and_the_callers_arrays():
    X, y = _problem()
    X_copy, y_copy = X.copy(), y.copy()
    model = fit_softmax_regression(X, y, C=1.0)
    assert np.array_equal(X, X_copy) and np.array_equal(y, y_copy)
    proba = model.predict_proba(X)
    assert proba.shape == (60, 3) and np.allclose(proba.sum(axis=1), 1.0)
    assert np.array_equal(model.predict(X), np.argmax(proba, axis=1))
    assert model.predict(X).dtype == np.int64
    assert model.n_iter >= 1 and model.n_evaluations >= model.n_iter
    # float32 rows give the same model (the fit is in float64)
    again = fit_softmax_regression(X.astype(np.float32), y, C=1.0)
    assert np.allclose(again.weights, model.weights, atol=1e-4)


def test_more_classes_than_labels_seen_and_a_stronger_penalty_shrinks_the_weights():
    X, y = _problem()
    wide = fit_softmax_regression(X, y, C=1.0, n_classes=3)
    assert wide.weights.shape == (4, 3) and wide.bias.shape == (3,)
    strong = fit_softmax_regression(X, y, C=0.01)
    assert np.linalg.norm(strong.weights) < np.linalg.norm(wide.weights)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"C": 0.0}, ValueError, "C must be > 0"),
        ({"tol": -1.0}, ValueError, "tol must be > 0"),
        ({"max_iter": 0}, ValueError, "max_iter must be >= 1"),
        ({"n_classes": 1}, ValueError, "n_classes must be >= 2"),
        ({"n_classes": 2}, ValueError, r"y must hold class labels in \[0, 2\)"),
    ],
)
def test_errors_name_the_argument(kwargs, error, match):
    X, y = _problem()
    with pytest.raises(error, match=match):
        fit_softmax_regression(X, y, **kwargs)


def test_data_errors():
    X, y = _problem()
    with pytest.raises(ValueError, match="y must have one label per row of X"):
        fit_softmax_regression(X, y[:5])
    with pytest.raises(ValueError, match="X must contain only finite values"):
        fit_softmax_regression(np.full((3, 2), np.nan), [0, 1, 0])
    model = fit_softmax_regression(X, y)
    with pytest.raises(ValueError, match="X must have 4 columns"):
        model.predict(X[:, :3])
    with pytest.raises(ValueError, match="params must have"):
        softmax_regression_objective(np.zeros(3), X, _one_hot(y, 3), 1.0)
    with pytest.raises(ValueError, match="Y must have one row per row of X"):
        softmax_regression_objective(np.zeros(15), X, _one_hot(y[:5], 3), 1.0)
