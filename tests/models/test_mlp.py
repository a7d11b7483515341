"""The feedforward network: forward pass by hand, gradients against finite differences, stable
losses at extreme logits, initialisations, RBM layers, input checks and saving."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import energynets as en
from energynets.models.mlp import ACTIVATIONS, INITIALIZERS, MLP, OUTPUTS, check_labels

ACTIVATION_NAMES = sorted(ACTIVATIONS)
OUTPUT_NAMES = sorted(OUTPUTS)


def _targets(output: str, n: int, k: int, gen: np.random.Generator) -> np.ndarray:
    if output == "softmax":
        return gen.integers(0, k, n)
    if output == "sigmoid":
        return gen.random((n, k))  # soft targets in [0, 1] are allowed for the loss
    return gen.standard_normal((n, k))


# -- the forward pass, worked by hand ----------------------------------------------------------
def test_forward_by_hand():
    # 2 inputs -> 2 tanh units -> 2 softmax outputs, one row
    W1 = np.array([[0.5, -1.0], [0.25, 2.0]])
    b1 = np.array([0.1, -0.2])
    W2 = np.array([[1.0, -1.0], [0.5, 0.0]])
    b2 = np.array([0.0, 0.3])
    net = MLP.from_params([W1, W2], [b1, b2], activation="tanh", output="softmax")
    x = np.array([[2.0, -4.0]])
    # z1 = (2 * 0.5 - 4 * 0.25 + 0.1, 2 * -1 - 4 * 2 - 0.2) = (0.1, -10.2)
    h = np.tanh([0.1, -10.2])
    z2 = np.array([h[0] * 1.0 + h[1] * 0.5, -h[0] + 0.3])
    p = np.exp(z2) / np.exp(z2).sum()
    acts = net.forward(x)
    assert len(acts) == 3
    np.testing.assert_allclose(acts[1][0], h, rtol=1e-14)
    np.testing.assert_allclose(acts[2][0], z2, rtol=1e-14)
    np.testing.assert_allclose(net.predict_proba(x)[0], p, rtol=1e-14)
    assert net.predict(x).tolist() == [int(np.argmax(p))]
    np.testing.assert_allclose(net.loss(x, [1]), -np.log(p[1]), rtol=1e-13)


# -- gradients: every activation and every output against finite differences ------------------
@pytest.mark.parametrize("output", OUTPUT_NAMES)
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_gradient_check_every_activation_and_output(activation, output):
    gen = np.random.default_rng(1)
    k = 3
    net = MLP([4, 5, 3, k], activation=activation, output=output, init="xavier_normal", rng=2)
    net.biases = [gen.standard_normal(b.shape) * 0.1 for b in net.biases]  # non-zero biases
    X = gen.standard_normal((6, 4))
    result = en.gradient_check(net, X, _targets(output, 6, k, gen))
    assert result.max_relative_error < 1e-6, result.relative_errors
    assert set(result.relative_errors) == {
        "weights[0]", "weights[1]", "weights[2]", "biases[0]", "biases[1]", "biases[2]",
    }  # fmt: skip
    # every entry was checked
    assert all(np.all(np.isfinite(v)) for v in result.numeric.values())


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_each_derivative_matches_finite_differences(activation):
    act = ACTIVATIONS[activation]
    z = np.linspace(-3.0, 3.0, 41) + 0.013  # off the kink of the (leaky) ReLU
    h = 1e-6
    up = act.function(z + h, np.empty_like(z))
    down = act.function(z - h, np.empty_like(z))
    a = act.function(z, np.empty_like(z))
    np.testing.assert_allclose(
        act.derivative(a, np.empty_like(a)), (up - down) / (2 * h), atol=1e-8
    )
    # in place gives the same
    b = a.copy()
    np.testing.assert_allclose(act.derivative(b, b), act.derivative(a, np.empty_like(a)))
    zz = z.copy()
    np.testing.assert_allclose(act.function(zz, zz), a)


def test_gradient_check_detects_a_wrong_gradient(monkeypatch):
    net = MLP([3, 4, 2], activation="tanh", rng=0)
    X = np.random.default_rng(0).standard_normal((5, 3))
    y = [0, 1, 1, 0, 1]
    wrong = ACTIVATIONS["tanh"]._replace(derivative=lambda a, out: np.ones_like(a))
    monkeypatch.setitem(ACTIVATIONS, "tanh", wrong)
    result = en.gradient_check(net, X, y)
    assert result.max_relative_error > 1e-2
    assert result.relative_errors["weights[1]"] < 1e-7  # the last layer does not use f'


def test_gradient_check_subset_and_float32_model():
    net = MLP([5, 6, 3], activation="sigmoid", rng=0, dtype=np.float32)
    X = np.random.default_rng(0).standard_normal((4, 5))
    result = en.gradient_check(net, X, [0, 1, 2, 0], n_entries=3, rng=0)
    assert result.max_relative_error < 1e-6  # checked in float64 on a copy
    assert int(np.sum(np.isfinite(result.numeric["weights[0]"]))) == 3
    assert net.dtype == np.float32
    with pytest.raises(ValueError, match="eps"):
        en.gradient_check(net, X, [0, 1, 2, 0], eps=0.0)


def test_backward_is_vectorised_mean_of_per_row_gradients():
    gen = np.random.default_rng(3)
    net = MLP([3, 4, 2], activation="relu", rng=3)
    X = gen.standard_normal((5, 3))
    y = gen.integers(0, 2, 5)
    _, gw, gb = net.gradient(X, y)
    rows = [net.gradient(X[i : i + 1], y[i : i + 1]) for i in range(5)]
    for layer in range(2):
        np.testing.assert_allclose(gw[layer], np.mean([r[1][layer] for r in rows], axis=0))
        np.testing.assert_allclose(gb[layer], np.mean([r[2][layer] for r in rows], axis=0))


# -- stable losses at extreme logits -----------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_cross_entropy_at_extreme_logits(dtype):
    # one linear layer whose logits are +-1e4
    net = MLP.from_params([np.array([[1e4, -1e4]], dtype=dtype)], activation="relu", dtype=dtype)
    X = np.array([[1.0], [-1.0]], dtype=dtype)  # logits (1e4, -1e4) and (-1e4, 1e4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = net.predict_proba(X)
        right = net.loss(X, [0, 1])
        wrong = net.loss(X, [1, 0])
        _, gw, gb = net.gradient(X, [1, 0])
    np.testing.assert_array_equal(p, np.array([[1.0, 0.0], [0.0, 1.0]], dtype=dtype))
    assert right == 0.0
    assert wrong == pytest.approx(2e4, rel=1e-6)  # logsumexp - z_y = 1e4 - (-1e4)
    assert all(np.all(np.isfinite(g)) for g in gw + gb)
    # the output error y_hat - t is exactly +-1, so dL/dW = mean of x (p - t)
    np.testing.assert_allclose(gw[0], [[1.0, -1.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_binary_cross_entropy_at_extreme_logits(dtype):
    net = MLP.from_params([np.array([[1e4]], dtype=dtype)], output="sigmoid", dtype=dtype)
    X = np.array([[1.0], [-1.0]], dtype=dtype)  # logits 1e4 and -1e4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = net.predict_proba(X)
        right = net.loss(X, [1.0, 0.0])
        wrong = net.loss(X, [0.0, 1.0])
        _, gw, _ = net.gradient(X, [0.0, 1.0])
    np.testing.assert_array_equal(p[:, 0], [1.0, 0.0])
    assert right == 0.0
    assert wrong == pytest.approx(1e4, rel=1e-6)  # softplus(1e4) - 0 = 1e4, each row
    assert np.all(np.isfinite(gw[0]))
    assert net.predict(X).tolist() == [1, 0]


def test_sigmoid_hidden_units_saturate_without_warnings():
    net = MLP.from_params(
        [np.array([[1e4, -1e4]]), np.ones((2, 2))], activation="sigmoid", output="softmax"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        acts = net.forward(np.array([[1.0], [-1.0]]))
    np.testing.assert_array_equal(acts[1], [[1.0, 0.0], [0.0, 1.0]])


def test_output_losses_match_plain_formulas_at_moderate_logits():
    gen = np.random.default_rng(0)
    z = gen.standard_normal((4, 3))
    t = np.eye(3)[[0, 2, 1, 1]]
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(OUTPUTS["softmax"].loss(z, t), -np.log((p * t).sum(axis=1)))
    s = 1 / (1 + np.exp(-z))
    q = gen.random((4, 3))
    bce = -(q * np.log(s) + (1 - q) * np.log(1 - s)).sum(axis=1)
    np.testing.assert_allclose(OUTPUTS["sigmoid"].loss(z, q), bce)
    np.testing.assert_allclose(OUTPUTS["identity"].loss(z, q), 0.5 * ((z - q) ** 2).sum(axis=1))


# -- initialisation ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("init", "std"),
    [
        ("normal", 0.01),
        ("xavier_normal", np.sqrt(2 / 700)),
        ("xavier_uniform", np.sqrt(2 / 700)),
        ("he", np.sqrt(2 / 400)),
        ("lecun", np.sqrt(1 / 400)),
    ],
)
def test_initialisations_have_their_variance(init, std):
    net = MLP([400, 300, 2], init=init, rng=0)
    w = net.weights[0]
    assert w.std() == pytest.approx(std, rel=0.02)
    assert abs(w.mean()) < 0.01 * std * 10
    assert all(np.all(b == 0) for b in net.biases)
    if init == "xavier_uniform":
        assert np.abs(w).max() <= np.sqrt(6 / 700)


def test_constant_initialisation_keeps_hidden_units_identical():
    net = MLP([4, 3, 2], activation="tanh", init="constant")
    assert np.all(net.weights[0] == 0.25)
    X = np.random.default_rng(0).standard_normal((5, 4))
    acts = net.forward(X)
    assert np.all(acts[1] == acts[1][:, :1])  # every hidden unit computes the same
    _, gw, _ = net.gradient(X, [0, 1, 0, 1, 1])
    assert np.all(gw[0] == gw[0][:, :1])  # ... and gets the same gradient: symmetry stays


def test_same_seed_same_weights_and_custom_init():
    a, b = MLP([5, 4, 3], rng=7), MLP([5, 4, 3], rng=7)
    for wa, wb in zip(a.weights, b.weights, strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert not np.array_equal(a.weights[0], MLP([5, 4, 3], rng=8).weights[0])
    single = MLP([5, 4, 3], rng=7, dtype=np.float32)
    np.testing.assert_array_equal(single.weights[0], a.weights[0].astype(np.float32))
    custom = MLP([5, 4, 3], init=lambda n_in, n_out, gen: np.ones((n_in, n_out)))
    assert custom.init == "custom" and np.all(custom.weights[1] == 1)
    assert set(INITIALIZERS) == {
        "normal",
        "xavier_uniform",
        "xavier_normal",
        "he",
        "lecun",
        "constant",
    }


# -- RBM layers --------------------------------------------------------------------------------
def test_layers_from_rbms_compute_hidden_probabilities():
    rbm1 = en.RBM(6, 4, rng=1, weight_scale=0.5)
    rbm1.hidden_bias = np.linspace(-1, 1, 4)
    rbm2 = en.RBM(4, 3, rng=2, weight_scale=0.5)
    net = MLP.from_rbms([rbm1, rbm2], n_outputs=2)
    assert net.layer_sizes == (6, 4, 3, 2) and net.activation == "sigmoid"
    np.testing.assert_array_equal(net.weights[0], rbm1.weights)
    np.testing.assert_array_equal(net.biases[0], rbm1.hidden_bias)
    v = np.random.default_rng(0).integers(0, 2, (5, 6)).astype(float)
    acts = net.forward(v)
    np.testing.assert_allclose(acts[1], rbm1.hidden_probabilities(v), rtol=1e-12)
    # copies, not views
    net.weights[0][0, 0] = 99.0
    assert rbm1.weights[0, 0] != 99.0


def test_init_from_rbm_checks_sizes():
    net = MLP([6, 4, 2], rng=0, dtype=np.float32)
    net.init_from_rbm(0, en.RBM(6, 4, rng=0))
    assert net.weights[0].dtype == np.float32
    with pytest.raises(ValueError, match="layer sizes do not match"):
        net.init_from_rbm(1, en.RBM(6, 4, rng=0))
    with pytest.raises(ValueError, match="layer must be <= 1"):
        net.init_from_rbm(2, en.RBM(2, 2))
    with pytest.raises(TypeError, match="rbm must be an energynets RBM"):
        net.init_from_rbm(0, "rbm")
    with pytest.raises(ValueError, match="rbms must hold"):
        MLP.from_rbms([], 2)


# -- input checks ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"layer_sizes": [784]}, ValueError, "layer_sizes must give at least"),
        ({"layer_sizes": [3, 0, 2]}, ValueError, r"layer_sizes\[1\] must be >= 1"),
        ({"layer_sizes": [3, 2.5, 2]}, TypeError, r"layer_sizes\[1\] must be an int"),
        ({"layer_sizes": "784-10"}, TypeError, "layer_sizes must be a sequence"),
        ({"activation": "swish"}, ValueError, "activation must be one of"),
        ({"output": "softplus"}, ValueError, "output must be one of"),
        ({"init": "orthogonal"}, ValueError, "init must be one of"),
        ({"layer_sizes": [3, 1]}, ValueError, "softmax' needs at least 2 output units"),
        ({"dtype": np.int32}, ValueError, "dtype must be numpy.float32"),
        ({"rng": -1}, ValueError, "rng must be a non-negative"),
        ({"init": lambda i, o, g: np.ones((o, i))}, ValueError, "init must return an array"),
    ],
)
def test_bad_constructor_arguments(kwargs, error, match):
    args = {"layer_sizes": [3, 4, 2], **kwargs}
    with pytest.raises(error, match=match):
        MLP(**args)


def test_bad_inputs_and_targets_are_rejected_with_names():
    net = MLP([3, 4, 2], rng=0)
    X = np.zeros((4, 3))
    with pytest.raises(ValueError, match=r"X must have 3 columns \(the input layer size\)"):
        net.predict(np.zeros((4, 5)))
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        net.predict(np.zeros(3))
    bad = X.copy()
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match="X must contain only finite values"):
        net.predict_proba(bad)
    with pytest.raises(ValueError, match=r"class labels in \[0, 2\) for the 2 output units"):
        net.loss(X, [0, 1, 2, 0])
    with pytest.raises(ValueError, match=r"class labels in \[0, 2\)"):
        net.loss(X, [0, 1, -1, 0])
    with pytest.raises(ValueError, match="non-integer values such as"):
        net.loss(X, [0.0, 1.5, 1.0, 0.0])
    with pytest.raises(TypeError, match="y must hold integer class labels"):
        net.loss(X, np.array([True, False, True, False]))
    with pytest.raises(ValueError, match="y must be a 1-D array of integer class labels"):
        net.loss(X, np.eye(2)[[0, 1, 0, 1]])
    with pytest.raises(ValueError, match="one label per row of X: X has 4 rows, y has 3"):
        net.loss(X, [0, 1, 0])
    with pytest.raises(ValueError, match="finite"):
        net.loss(X, [0.0, np.nan, 1.0, 0.0])
    assert net.loss(X, [0.0, 1.0, 1.0, 0.0]) == net.loss(X, [0, 1, 1, 0])  # whole floats
    regressor = MLP([3, 4, 2], output="sigmoid", rng=0)
    with pytest.raises(ValueError, match=r"y must lie in \[0, 1\] for sigmoid outputs"):
        regressor.loss(X, np.full((4, 2), 2.0))
    with pytest.raises(ValueError, match=r"y must have shape \(4, 2\)"):
        regressor.loss(X, np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"y must have shape \(n_samples, 2\)"):
        regressor.loss(X, np.zeros(4))


def test_from_params_checks_layer_sizes():
    with pytest.raises(ValueError, match=r"layer sizes do not match: weights\[0\] has shape"):
        MLP.from_params([np.zeros((3, 4)), np.zeros((5, 2))])
    with pytest.raises(ValueError, match=r"biases\[1\] must have shape \(2,\)"):
        MLP.from_params([np.zeros((3, 4)), np.zeros((4, 2))], [np.zeros(4), np.zeros(3)])
    with pytest.raises(ValueError, match="one array per layer"):
        MLP.from_params([np.zeros((3, 4)), np.zeros((4, 2))], [np.zeros(4)])
    with pytest.raises(TypeError, match="weights must be a non-empty list"):
        MLP.from_params(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="weights\\[0\\] must be a 2-D array"):
        MLP.from_params([np.zeros(3)])


def test_check_labels_returns_int64_copy():
    y = np.array([2.0, 0.0, 1.0])
    labels = check_labels(y, 3)
    assert labels.dtype == np.int64 and labels.tolist() == [2, 0, 1]
    labels[0] = 0
    assert y[0] == 2.0


# -- predictions, dtype, copies, saving --------------------------------------------------------
def test_predictions_scores_and_shapes():
    gen = np.random.default_rng(0)
    X = gen.standard_normal((7, 3))
    binary = MLP([3, 4, 1], output="sigmoid", rng=0)
    assert binary.predict(X).shape == (7,) and binary.predict_proba(X).shape == (7, 1)
    y_bin = binary.predict(X)
    assert binary.score(X, y_bin) == 1.0
    multi = MLP([3, 4, 2], output="sigmoid", rng=0)
    assert multi.predict(X).shape == (7, 2)
    regressor = MLP([3, 4, 2], output="identity", rng=0)
    assert regressor.score(X, regressor.predict(X)) == 1.0  # R^2 of a perfect fit
    assert regressor.score(X, gen.standard_normal((7, 2))) < 0.5
    clf = MLP([3, 4, 3], rng=0)
    p = clf.predict_proba(X)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert clf.score(X, clf.predict(X)) == 1.0
    loss, score = clf.evaluate(X, clf.predict(X))
    assert loss == clf.loss(X, clf.predict(X)) and score == 1.0
    big = np.tile(X, (1300, 1))  # more rows than one chunk of the forward pass
    np.testing.assert_allclose(clf.predict_proba(big)[-7:], p)


def test_float32_stays_float32_and_inputs_are_not_modified():
    gen = np.random.default_rng(0)
    net = MLP([3, 5, 2], activation="sigmoid", rng=0, dtype=np.float32)
    X = gen.standard_normal((6, 3))
    X_before = X.copy()
    acts = net.forward(X)
    assert all(a.dtype == np.float32 for a in acts)
    _, gw, gb = net.gradient(X, [0, 1, 0, 1, 1, 0])
    assert all(g.dtype == np.float32 for g in gw + gb)
    assert net.predict_proba(X).dtype == np.float32
    np.testing.assert_array_equal(X, X_before)
    X32 = X.astype(np.float32)
    assert net.forward(X32)[0] is X32 or np.shares_memory(net.forward(X32)[0], X32)
    acts = net.forward(X32)
    kept = [a.copy() for a in acts]
    net.backward(acts, [0, 1, 0, 1, 1, 0])
    for a, k in zip(acts, kept, strict=True):
        np.testing.assert_array_equal(a, k)


def test_copy_is_deep_and_repr():
    net = MLP([3, 4, 2], rng=0)
    twin = net.copy()
    twin.weights[0][0, 0] += 1.0
    twin.biases[1][0] += 1.0
    assert net.weights[0][0, 0] != twin.weights[0][0, 0] and net.biases[1][0] == 0.0
    assert (
        repr(net)
        == "MLP(layer_sizes=[3, 4, 2], activation='relu', output='softmax', dtype=float64)"
    )
    assert net.n_parameters == 3 * 4 + 4 + 4 * 2 + 2 and net.n_layers == 2


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_io_round_trip(tmp_path, dtype):
    net = MLP([5, 4, 3, 2], activation="leaky_relu", output="sigmoid", rng=1, dtype=dtype)
    net.biases[0][:] = 0.5
    path = tmp_path / "mlp.npz"
    en.io.save(net, path)
    again = en.io.load(path)
    assert isinstance(again, MLP) and repr(again) == repr(net)
    for a, b in zip(again.weights + again.biases, net.weights + net.biases, strict=True):
        assert a.dtype == dtype
        np.testing.assert_array_equal(a, b)
    X = np.random.default_rng(0).standard_normal((3, 5))
    np.testing.assert_array_equal(again.predict_proba(X), net.predict_proba(X))
