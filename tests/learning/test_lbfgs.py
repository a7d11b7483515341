"""The L-BFGS objective of the MLP estimators: its gradient against central finite
differences, and the minimiser on a problem solved by hand."""

from __future__ import annotations

import numpy as np
import pytest

from energynets.learning.lbfgs import FlatObjective, fit_lbfgs
from energynets.models.mlp import MLP


def _problem(output: str, n_outputs: int, weighted: bool):
    gen = np.random.default_rng(7)
    X = gen.standard_normal((9, 3))
    if output == "softmax":
        labels = gen.integers(0, n_outputs, 9)
        targets = np.eye(n_outputs)[labels]
    else:
        labels = np.empty(0, dtype=np.int64)
        targets = {
            "sigmoid": lambda: (gen.random((9, n_outputs)) > 0.5).astype(float),
            "exp": lambda: gen.poisson(1.5, (9, n_outputs)).astype(float),
            "identity": lambda: gen.standard_normal((9, n_outputs)),
        }[output]()
    w = gen.uniform(0.1, 2.0, 9) if weighted else None
    return X, targets, labels, w


@pytest.mark.parametrize(
    ("output", "n_outputs", "activation", "weighted"),
    [
        ("softmax", 3, "tanh", False),
        ("sigmoid", 2, "sigmoid", True),
        ("sigmoid", 1, "relu", False),
        ("identity", 2, "tanh", True),
        ("exp", 2, "tanh", True),
    ],
)
def test_gradient_matches_central_differences(output, n_outputs, activation, weighted):
    X, targets, labels, w = _problem(output, n_outputs, weighted)
    net = MLP([3, 4, n_outputs], activation, output, "xavier_normal", rng=1)
    net.biases = [np.random.default_rng(2).normal(size=b.shape) * 0.1 for b in net.biases]
    divisor = float(n_outputs) if output == "identity" else 1.0
    objective = FlatObjective(net, X, targets, labels, 0.3, divisor, w)
    theta = objective.initial()
    value, grad = objective(theta)
    h = 1e-6
    numeric = np.empty_like(theta)
    for i in range(theta.size):
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        numeric[i] = (objective(up)[0] - objective(down)[0]) / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)
    # the value at theta is unchanged by the probes (the buffer is set at every call)
    assert objective(theta)[0] == value


def test_loss_value_worked_by_hand():
    # one linear output, weights (2,), bias 1, alpha 0.5 on 2 rows:
    # residuals z - t = (2*1 + 1 - 1, 2*2 + 1 - 6) = (2, -1); loss = (4 + 1) / (2 * 2) = 1.25;
    # penalty 0.5 / (2 * 2) * 4 = 0.5
    net = MLP.from_params([np.array([[2.0]])], [np.array([1.0])], output="identity")
    X, t = np.array([[1.0], [2.0]]), np.array([[1.0], [6.0]])
    objective = FlatObjective(net, X, t, np.empty(0, np.int64), 0.5)
    value, grad = objective(objective.initial())
    assert value == pytest.approx(1.75)
    # dL/dw = (2 * 1 + (-1) * 2) / 2 + 0.5 * 2 / 2 = 0.5; dL/db = (2 - 1) / 2 = 0.5
    np.testing.assert_allclose(grad, [0.5, 0.5])


def test_fit_lbfgs_reaches_the_least_squares_line():
    gen = np.random.default_rng(0)
    X = gen.standard_normal((30, 2))
    t = X @ [[1.5], [-0.5]] + 0.25 + 0.1 * gen.standard_normal((30, 1))
    net = MLP([2, 1], output="identity", rng=0)
    objective = FlatObjective(net, X, t, np.empty(0, np.int64), 0.0)
    result = fit_lbfgs(objective, max_iter=200, max_fun=1000, tol=1e-12)
    A = np.column_stack([X, np.ones(30)])
    exact = np.linalg.lstsq(A, t[:, 0], rcond=None)[0]
    np.testing.assert_allclose(net.weights[0][:, 0], exact[:2], atol=1e-6)
    np.testing.assert_allclose(net.biases[0], exact[2:], atol=1e-6)
    assert result.status == 0 and not isinstance(net.weights[0].base, np.ndarray)


def test_poisson_output_kernel_model_and_finite_differences_agree():
    # the exp output's loss in the training kernel equals the model's half Poisson deviance,
    # and backprop through the model passes its own gradient check
    from energynets.learning.backprop import gradient_check

    X, targets, labels, _ = _problem("exp", 2, False)
    net = MLP([3, 4, 2], "tanh", "exp", "xavier_normal", rng=3)
    model_loss = net.loss(X, targets)
    value, _ = FlatObjective(net.copy(), X, targets, labels, 0.0)(np.concatenate(
        [w.ravel() for w in net.weights] + [b.ravel() for b in net.biases]
    ))  # fmt: skip
    assert value == pytest.approx(model_loss, rel=1e-12)
    # by hand for one row: t = (0, 2), z = (0, log 2): mu = (1, 2), deviance 1 + 0 = 1
    z, t = np.array([[0.0, np.log(2.0)]]), np.array([[0.0, 2.0]])
    from energynets.models.mlp import OUTPUTS

    assert OUTPUTS["exp"].loss(z, t)[0] == pytest.approx(1.0)
    assert gradient_check(net, X, targets).max_relative_error < 1e-6
