"""Dropout in fit_mlp: the gradient of the thinned network, the masks, resuming, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from energynets.learning.backprop import fit_mlp
from energynets.models.mlp import ACTIVATIONS, MLP, OUTPUTS


def _thinned_loss(net, params, x, t, output, masks_in, masks_hidden, keep_in, keep_hidden):
    """Mean loss of the network with the dropout masks applied, written out plainly."""
    n_layers = len(net.weights)
    weights, biases = params[:n_layers], params[n_layers:]
    f = ACTIVATIONS[net.activation].function
    a = x * masks_in / keep_in if masks_in is not None else x
    for layer in range(n_layers - 1):
        z = a @ weights[layer] + biases[layer]
        a = f(z, np.empty_like(z))
        if masks_hidden is not None:
            a = a * masks_hidden[layer] / keep_hidden
    logits = a @ weights[-1] + biases[-1]
    return float(np.mean(OUTPUTS[output].loss(logits, t)))


@pytest.mark.parametrize("output", sorted(OUTPUTS))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize(("dropout", "input_dropout"), [(0.5, 0.0), (0.0, 0.3), (0.4, 0.2)])
@pytest.mark.parametrize("zero_column", [False, True])
def test_one_step_follows_the_gradient_of_the_thinned_network(
    activation, output, dropout, input_dropout, zero_column
):
    # one full-batch SGD step against central finite differences of the mean loss of the
    # thinned network, with the masks drawn as documented: after the batch order, per batch,
    # the input's uniforms, then each hidden layer's; a unit is kept when its draw < 1 - p
    gen = np.random.default_rng(7)
    n, k = 8, 3
    net = MLP([4, 6, 5, k], activation=activation, output=output, init="xavier_normal", rng=7)
    for b in net.biases:  # non-zero, so that no pre-activation sits on ReLU's kink (a row
        b[...] = gen.uniform(0.1, 0.3, b.shape)  # whose inputs are all dropped has z = b)
    X = gen.standard_normal((n, 4))
    if zero_column:  # the first layer's path that skips the columns zero in the whole batch
        X[:, 1] = 0.0
    if output == "softmax":
        y = gen.integers(0, k, n)
    elif output == "sigmoid":
        y = gen.integers(0, 2, (n, k)).astype(float)
    else:
        y = gen.standard_normal((n, k))
    lr = 0.1
    trained, history = fit_mlp(
        net, X, y, optimizer="sgd", learning_rate=lr, n_epochs=1, batch_size=n,
        dropout=dropout, input_dropout=input_dropout, rng=11,
    )  # fmt: skip

    draws = np.random.default_rng(11)
    order = draws.permutation(n)
    keep_in, keep_hidden = 1.0 - input_dropout, 1.0 - dropout
    masks_in = draws.random((n, 4)) < keep_in if input_dropout else None
    masks_hidden = [draws.random((n, m)) < keep_hidden for m in (6, 5)] if dropout else None
    x, t = X[order], net.check_targets(y, n)[order]
    params = [p.copy() for p in net.weights + net.biases]

    def loss() -> float:
        return _thinned_loss(
            net, params, x, t, output, masks_in, masks_hidden, keep_in, keep_hidden
        )

    assert history["loss"][0] == pytest.approx(loss(), rel=1e-12)
    h = 1e-6
    for p, new in zip(params, trained.weights + trained.biases, strict=True):
        grad = np.empty_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + h
            up = loss()
            p[i] = old - h
            down = loss()
            p[i] = old
            grad[i] = (up - down) / (2 * h)
        np.testing.assert_allclose(new, p - lr * grad, rtol=1e-6, atol=1e-8)


def test_masks_drop_the_stated_share_of_units_and_scale_the_rest():
    # identity network with one hidden layer whose units all carry the same value: the kept
    # fraction of each row shows in the thinned output, and over many rows it is 1 - p
    n, m, p = 4000, 50, 0.3
    net = MLP([1, m, 1], activation="identity", output="identity", rng=0)
    net.weights[0][...] = 1.0
    net.biases[0][...] = 0.0
    net.weights[1][...] = 1.0 / m
    net.biases[1][...] = 0.0
    X = np.ones((n, 1))
    y = np.zeros((n, 1))
    # with learning rate tiny the loss recorded is that of the thinned network before the step:
    # the output of row i is (kept_i / m) / (1 - p), so mean(output^2)/2 has a known mean
    _, history = fit_mlp(
        net, X, y, optimizer="sgd", learning_rate=1e-12, n_epochs=1, batch_size=n, dropout=p,
        rng=3,
    )  # fmt: skip
    # E[(K / (m (1 - p)))^2] / 2 with K ~ Binomial(m, 1 - p)
    q = 1.0 - p
    expected = 0.5 * (m * q * p + (m * q) ** 2) / (m * q) ** 2
    # the sample mean of n rows: its standard error from the variance of (K / (m q))^2 / 2
    draws = np.random.default_rng(0).binomial(m, q, 200_000) / (m * q)
    se = np.std(0.5 * draws**2) / np.sqrt(n)
    assert abs(history["loss"][0] - expected) < 4 * se


def test_no_dropout_is_the_default_and_trains_identically():
    gen = np.random.default_rng(1)
    X = gen.standard_normal((30, 5))
    y = gen.integers(0, 3, 30)
    net = MLP([5, 7, 3], rng=1)
    a, _ = fit_mlp(net, X, y, n_epochs=3, batch_size=10, rng=2)
    b, _ = fit_mlp(net, X, y, n_epochs=3, batch_size=10, rng=2, dropout=0.0, input_dropout=0.0)
    for u, v in zip(a.weights + a.biases, b.weights + b.biases, strict=True):
        np.testing.assert_array_equal(u, v)
    c, _ = fit_mlp(net, X, y, n_epochs=3, batch_size=10, rng=2, dropout=0.5)
    assert not np.array_equal(a.weights[0], c.weights[0])


def test_dropout_is_reproducible_float32_and_leaves_the_data_alone():
    gen = np.random.default_rng(2)
    X = gen.random((60, 8), dtype=np.float32)
    X[:, :3] = 0.0  # the input layer's zero-column path
    X_before = X.copy()
    y = gen.integers(0, 4, 60)
    net = MLP([8, 10, 6, 4], rng=2, dtype=np.float32)
    runs = [
        fit_mlp(net, X, y, n_epochs=2, batch_size=16, rng=5, dropout=0.5, input_dropout=0.2)
        for _ in range(2)
    ]
    for u, v in zip(runs[0][0].weights, runs[1][0].weights, strict=True):
        assert u.dtype == np.float32
        np.testing.assert_array_equal(u, v)
    np.testing.assert_array_equal(X, X_before)


def test_an_interrupted_dropout_run_resumes_bit_identically(tmp_path):
    gen = np.random.default_rng(3)
    X = gen.standard_normal((40, 5))
    y = gen.integers(0, 3, 40)
    net = MLP([5, 8, 3], rng=3)
    options = dict(n_epochs=4, batch_size=8, rng=4, dropout=0.5, input_dropout=0.1)
    whole, _ = fit_mlp(net, X, y, **options)
    path = tmp_path / "run.npz"
    fit_mlp(net, X, y, **{**options, "n_epochs": 2}, checkpoint=path)
    resumed, history = fit_mlp(net, X, y, **options, resume=path)
    assert history["epoch"] == [0, 1, 2, 3]
    for u, v in zip(whole.weights + whole.biases, resumed.weights + resumed.biases, strict=True):
        np.testing.assert_array_equal(u, v)
    with pytest.raises(ValueError, match=r"dropout=0.5 \(now 0.0\)"):
        fit_mlp(net, X, y, **{**options, "dropout": 0.0}, resume=path)


def test_dropout_without_hidden_layers_drops_inputs_only():
    gen = np.random.default_rng(4)
    X = gen.standard_normal((20, 5))
    y = gen.integers(0, 3, 20)
    net = MLP([5, 3], rng=4)
    a, _ = fit_mlp(net, X, y, n_epochs=2, batch_size=5, rng=1, dropout=0.5)
    b, _ = fit_mlp(net, X, y, n_epochs=2, batch_size=5, rng=1)
    np.testing.assert_array_equal(a.weights[0], b.weights[0])


@pytest.mark.parametrize("name", ["dropout", "input_dropout"])
@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        (1.0, ValueError, r"must be a probability in \[0, 1\)"),
        (-0.1, ValueError, "must be >= 0"),
        (float("nan"), ValueError, "must be finite"),
        ("half", TypeError, "must be a real number"),
        (True, TypeError, "must be a real number"),
    ],
)
def test_bad_dropout_is_refused_by_name(name, value, error, match):
    X = np.zeros((4, 3))
    y = np.array([0, 1, 0, 1])
    with pytest.raises(error, match=f"{name} {match}"):
        fit_mlp(MLP([3, 2, 2], rng=0), X, y, **{name: value})
