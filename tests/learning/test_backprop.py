"""Backprop training and the optimisers: one step worked by hand, Adam against Kingma & Ba,
agreement with the reference backward pass, dtype, reproducibility, early stopping,
callbacks, input checks and a small learning test."""

from __future__ import annotations

import numpy as np
import pytest

import energynets as en
from energynets.datasets import load_digits
from energynets.learning import optim
from energynets.learning._mlp_kernel import Kernel
from energynets.learning.backprop import fit_mlp
from energynets.models.mlp import ACTIVATIONS, MLP, OUTPUTS


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# -- one SGD step worked by hand ---------------------------------------------------------------
@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_one_sgd_step_by_hand(weight_decay):
    # 2 inputs -> 2 sigmoid units -> 2 softmax outputs; a batch of two rows, labels 1 and 0
    W1 = np.array([[0.1, -0.2], [0.3, 0.4]])
    b1 = np.array([0.01, -0.02])
    W2 = np.array([[0.5, -0.6], [-0.7, 0.8]])
    b2 = np.array([0.03, 0.0])
    X = np.array([[1.0, 2.0], [-1.0, 0.5]])
    y = np.array([1, 0])
    T = np.array([[0.0, 1.0], [1.0, 0.0]])
    lr = 0.5

    # forward, row by row with the formulas written out
    h = _sigmoid(X @ W1 + b1)  # z1 = x W1 + b1, h = sigma(z1)
    z2 = h @ W2 + b2
    p = np.exp(z2) / np.exp(z2).sum(axis=1, keepdims=True)
    # backward: the mean loss is -1/2 sum_i log p_{i, y_i}
    d2 = (p - T) / 2.0  # dL/dz2
    gW2 = np.zeros((2, 2))
    for i in range(2):  # sum over the rows of outer products h_i d2_i
        for j in range(2):
            for k in range(2):
                gW2[j, k] += h[i, j] * d2[i, k]
    gb2 = d2.sum(axis=0)
    d1 = (d2 @ W2.T) * h * (1.0 - h)  # dL/dz1 = (d2 W2^T) * sigma'(z1)
    gW1 = np.array(
        [[sum(X[i, j] * d1[i, k] for i in range(2)) for k in range(2)] for j in range(2)]
    )
    gb1 = d1.sum(axis=0)
    # the update, weight decay on the weights only
    want = [
        W1 - lr * (gW1 + weight_decay * W1),
        W2 - lr * (gW2 + weight_decay * W2),
        b1 - lr * gb1,
        b2 - lr * gb2,
    ]

    net = MLP.from_params([W1, W2], [b1, b2], activation="sigmoid", output="softmax")
    trained, history = fit_mlp(
        net, X, y, optimizer="sgd", learning_rate=lr, n_epochs=1, batch_size=2,
        weight_decay=weight_decay, rng=0,
    )  # fmt: skip
    got = trained.weights + trained.biases
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-13, atol=1e-15)
    # the recorded loss is the loss before the step
    np.testing.assert_allclose(history["loss"][0], -np.mean(np.log(p[[0, 1], [1, 0]])))
    np.testing.assert_allclose(history["accuracy"][0], np.mean(np.argmax(p, axis=1) == y))


@pytest.mark.parametrize("output", sorted(OUTPUTS))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_trainer_step_matches_the_reference_backward_pass(activation, output):
    # the in-place training kernel against MLP.backward: one full-batch SGD step
    gen = np.random.default_rng(4)
    k = 3
    net = MLP([4, 6, 5, k], activation=activation, output=output, init="xavier_normal", rng=4)
    X = gen.standard_normal((8, 4))
    if output == "softmax":
        y = gen.integers(0, k, 8)
    elif output == "sigmoid":
        y = gen.integers(0, 2, (8, k)).astype(float)
    else:
        y = gen.standard_normal((8, k))
    loss, gw, gb = net.gradient(X, y)
    trained, history = fit_mlp(
        net, X, y, optimizer="sgd", learning_rate=0.1, n_epochs=1, batch_size=8
    )
    params = zip(trained.weights + trained.biases, net.weights + net.biases, gw + gb, strict=True)
    for new, old, g in params:
        np.testing.assert_allclose(new, old - 0.1 * g, rtol=1e-12, atol=1e-14)
    assert history["loss"][0] == pytest.approx(loss, rel=1e-12)
    if output in ("softmax", "sigmoid"):  # the classifying outputs
        _, score = net.evaluate(X, y)
        assert history["accuracy"][0] == pytest.approx(score)


@pytest.mark.parametrize("sizes", [[6, 5, 3], [6, 3], [6, 4, 4, 3]])
@pytest.mark.parametrize("zero_columns", [[], [0, 2, 5], [0, 1, 2, 3, 4, 5]])
def test_input_columns_that_are_zero_are_skipped_exactly(sizes, zero_columns):
    # the input layer skips columns that are zero in the whole batch: same step as the dense
    # reference (with no hidden layer, too)
    gen = np.random.default_rng(5)
    X = gen.standard_normal((10, 6))
    X[:, zero_columns] = 0.0
    y = gen.integers(0, 3, 10)
    net = MLP(sizes, activation="tanh", rng=5)
    net.weights[0][zero_columns] = 0.5  # must not move under SGD
    _, gw, gb = net.gradient(X, y)
    trained, _ = fit_mlp(net, X, y, optimizer="sgd", learning_rate=0.1, n_epochs=1, batch_size=10)
    params = zip(trained.weights + trained.biases, net.weights + net.biases, gw + gb, strict=True)
    for new, old, g in params:
        np.testing.assert_allclose(new, old - 0.1 * g, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(trained.weights[0][zero_columns], 0.5)


# -- the optimisers against their formulas -----------------------------------------------------
def _grads(n_steps: int, shape=(3, 2), seed: int = 0) -> list[np.ndarray]:
    gen = np.random.default_rng(seed)
    return [gen.standard_normal(shape) for _ in range(n_steps)]


@pytest.mark.parametrize("scale", [1.0, 0.1, -2.0])
def test_adam_first_steps_follow_kingma_and_ba(scale):
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.01
    theta = np.linspace(-1.0, 1.0, 6).reshape(3, 2)
    want = theta.copy()
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    opt = optim.Adam([theta], betas=(b1, b2), epsilon=eps)
    for t, g in enumerate(_grads(4), start=1):
        # Algorithm 1 of Kingma & Ba (2015), line by line
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        want = want - lr * m_hat / (np.sqrt(v_hat) + eps)
        opt.step_([g * scale], lr, scale=scale)
        np.testing.assert_allclose(theta, want, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(opt.first_moments[0], m, rtol=1e-12)
        np.testing.assert_allclose(opt.second_moments[0], v, rtol=1e-12)
    # the first step moves every parameter by almost exactly lr against its gradient's sign
    theta2 = np.zeros(3)
    optim.Adam([theta2]).step_([np.array([0.5, -3.0, 1e-3])], 0.01)
    np.testing.assert_allclose(theta2, [-0.01, 0.01, -0.01], rtol=1e-4)


def test_adam_weight_decay_only_on_flagged_parameters():
    w, b = np.ones(2), np.ones(2)
    opt = optim.Adam([w, b], weight_decay=0.5, decay=[True, False])
    # gradient zero: the weights see g = 0.5 w and move by lr, the biases do not move
    opt.step_([np.zeros(2), np.zeros(2)], 0.1)
    np.testing.assert_allclose(w, 0.9, rtol=1e-6)
    np.testing.assert_array_equal(b, 1.0)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_and_nesterov_follow_their_formulas(nesterov):
    mu = 0.9
    theta = np.linspace(-1.0, 1.0, 6).reshape(3, 2)
    want = theta.copy()
    v = np.zeros_like(theta)
    opt = optim.make_optimizer("nesterov" if nesterov else "momentum", [theta], momentum=mu)
    for lr, g in zip([0.1, 0.1, 0.05, 0.05], _grads(4), strict=True):  # a learning-rate change
        v = mu * v + g
        want = want - lr * (g + mu * v if nesterov else v)
        opt.step_([g * -lr], lr, scale=-lr)
        np.testing.assert_allclose(theta, want, rtol=1e-12)
        np.testing.assert_allclose(opt.velocities[0], v, rtol=1e-12)


def test_sgd_with_weight_decay_and_any_scale():
    theta = np.array([1.0, -2.0])
    opt = optim.SGD([theta], weight_decay=0.1)
    opt.step_([np.array([0.5, 0.5])], 0.2)  # theta - 0.2 (g + 0.1 theta)
    np.testing.assert_allclose(theta, [1.0 - 0.2 * 0.6, -2.0 - 0.2 * 0.3])
    opt.step_([np.array([1.5, 1.5])], 0.2, scale=3.0)  # the same gradient 0.5, pre-scaled
    np.testing.assert_allclose(theta, [0.88 - 0.2 * (0.5 + 0.088), -2.06 - 0.2 * (0.5 - 0.206)])


def test_optimizer_argument_checks():
    p = np.zeros(2)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        optim.make_optimizer("rmsprop", [p])
    with pytest.raises(ValueError, match="momentum must be < 1"):
        optim.Momentum([p], momentum=1.0)
    with pytest.raises(ValueError, match=r"betas must lie in \[0, 1\)"):
        optim.Adam([p], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="epsilon must be > 0"):
        optim.Adam([p], epsilon=0.0)
    with pytest.raises(ValueError, match="decay must have one flag per parameter"):
        optim.SGD([p], decay=[True, False])
    with pytest.raises(TypeError, match=r"params\[0\] must be a float32 or float64 array"):
        optim.SGD([np.zeros(2, dtype=int)])
    with pytest.raises(ValueError, match="grads must have 1 arrays"):
        optim.SGD([p]).step_([p, p], 0.1)
    assert "Adam(n_params=1" in repr(optim.Adam([p]))


# -- the trainer: dtype, reproducibility, caller data ------------------------------------------
def _digits(n: int | None = None):
    X, y = load_digits()
    return (X[:n] / 16.0, y[:n]) if n else (X / 16.0, y)


def test_float32_stays_float32_in_every_buffer():
    X, y = _digits(200)
    net = MLP([64, 16, 10], rng=0, dtype=np.float32)
    model = net.copy()
    kernel = Kernel(model, X, 50)  # X is float64: gathered rows are cast batch by batch
    arrays = [v for v in vars(kernel).values() if isinstance(v, np.ndarray)]
    arrays += [a for v in vars(kernel).values() if isinstance(v, list) for a in v]
    floats = [a for a in arrays if a.dtype.kind == "f" and a is not kernel.x_raw]
    assert floats and all(a.dtype == np.float32 for a in floats)
    opt = optim.make_optimizer("adam", [kernel.params])
    state = [v for v in vars(opt).values() if isinstance(v, list)]
    assert all(a.dtype == np.float32 for lst in state for a in lst if isinstance(a, np.ndarray))

    def check(epoch, mlp, history):
        assert all(w.dtype == np.float32 for w in mlp.weights + mlp.biases)

    trained, _ = fit_mlp(net, X.astype(np.float32), y, n_epochs=2, batch_size=50,
                               callbacks=[check])  # fmt: skip
    assert all(w.dtype == np.float32 for w in trained.weights + trained.biases)
    # float32 and float64 training agree to float32 precision after a few steps
    t64, _ = fit_mlp(net.astype(np.float64), X, y, n_epochs=2, batch_size=50)
    np.testing.assert_allclose(trained.weights[0], t64.weights[0], atol=2e-5)


@pytest.mark.parametrize("dropout", [0.0, 0.5])
@pytest.mark.parametrize("output", sorted(OUTPUTS))
@pytest.mark.parametrize("optimizer", optim.OPTIMIZERS)
def test_training_steps_allocate_no_arrays(optimizer, output, dropout):
    import tracemalloc

    # sizes such that every batch-sized array has at least 128 kB, e.g. (512, 64) float32,
    # well above the fixed 32 kB iteration buffer numpy may use for a broadcast ufunc
    gen = np.random.default_rng(0)
    n, k = 600, 64
    X = gen.random((n, 300), dtype=np.float32)
    X[:, :100] = 0.0  # the input layer's zero-column path
    net = MLP([300, 200, 100, k], output=output, rng=0, dtype=np.float32)
    if output == "softmax":
        y = gen.integers(0, k, n)
    else:
        y = gen.integers(0, 2, (n, k)).astype(np.float32)
    model = net.copy()
    targets = model.check_targets(y, n)
    labels = y if output == "softmax" else np.empty(0, dtype=np.int64)
    kernel = Kernel(model, X, 512, dropout, dropout / 2, np.random.default_rng(0))
    opt = optim.make_optimizer(optimizer, [kernel.params], weight_decay=1e-4)
    index = np.arange(512)
    scale = opt.gradient_scale(0.01)
    kernel.step(X, targets, labels, index, scale)  # warm-up
    opt.step_([kernel.grads], 0.01, scale=scale)
    tracemalloc.start()
    try:
        for _ in range(2):
            kernel.step(X, targets, labels, index, scale)
            opt.step_([kernel.grads], 0.01, scale=scale)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 80_000, f"a training step allocated {peak} bytes"


@pytest.mark.parametrize("optimizer", optim.OPTIMIZERS)
def test_same_seed_same_result_and_caller_data_untouched(optimizer):
    X, y = _digits(150)
    X_before, y_before = X.copy(), y.copy()
    net = MLP([64, 8, 10], rng=0)
    w_before = [w.copy() for w in net.weights]
    a, ha = fit_mlp(net, X, y, optimizer=optimizer, learning_rate=0.01, n_epochs=2,
                    batch_size=32, weight_decay=1e-3, rng=5)  # fmt: skip
    b, hb = fit_mlp(net, X, y, optimizer=optimizer, learning_rate=0.01, n_epochs=2,
                    batch_size=32, weight_decay=1e-3, rng=5)  # fmt: skip
    for wa, wb in zip(a.weights + a.biases, b.weights + b.biases, strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert ha["loss"] == hb["loss"]
    c, _ = fit_mlp(net, X, y, optimizer=optimizer, learning_rate=0.01, n_epochs=2,
                   batch_size=32, weight_decay=1e-3, rng=6)  # fmt: skip
    assert not np.array_equal(a.weights[0], c.weights[0])  # another batch order
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    for w, wb in zip(net.weights, w_before, strict=True):
        np.testing.assert_array_equal(w, wb)
    # the result owns its arrays (no views of the training buffer)
    assert all(w.base is None for w in a.weights + a.biases)


def test_uint8_inputs_are_converted_batch_by_batch():
    X, y = load_digits()  # uint8 grey levels 0..16
    net = MLP([64, 8, 10], rng=0, dtype=np.float32)
    a, _ = fit_mlp(net, X[:100], y[:100], n_epochs=1, batch_size=25)
    b, _ = fit_mlp(net, X[:100].astype(np.float32), y[:100], n_epochs=1, batch_size=25)
    np.testing.assert_array_equal(a.weights[0], b.weights[0])


# -- learning ----------------------------------------------------------------------------------
def test_digits_are_learned_in_seconds():
    X, y = _digits()
    gen = np.random.default_rng(0)
    order = gen.permutation(len(y))
    train, test = order[:1400], order[1400:]
    net = MLP([64, 64, 10], activation="relu", rng=0, dtype=np.float32)
    net, history = fit_mlp(net, X[train], y[train], n_epochs=15, batch_size=32,
                           learning_rate=3e-3, rng=0)  # fmt: skip
    assert history["loss"][-1] < history["loss"][0] / 5
    assert net.score(X[test], y[test]) > 0.93


def test_sigmoid_and_identity_outputs_train():
    gen = np.random.default_rng(0)
    X = gen.standard_normal((200, 3))
    targets = np.stack([X[:, 0] > 0, X[:, 1] + X[:, 2] > 0], axis=1).astype(float)
    net, history = fit_mlp(MLP([3, 16, 2], output="sigmoid", rng=0), X, targets, n_epochs=30,
                           batch_size=20, learning_rate=0.01)  # fmt: skip
    assert history["accuracy"][-1] > 0.9 and net.score(X, targets) > 0.9
    values = np.stack([X[:, 0] - 2 * X[:, 1], X[:, 2] ** 2], axis=1)
    reg, history = fit_mlp(MLP([3, 32, 2], activation="tanh", output="identity", rng=0), X,
                           values, n_epochs=40, batch_size=20, learning_rate=0.01)  # fmt: skip
    assert "accuracy" not in history
    assert history["loss"][-1] < 0.1 * history["loss"][0]
    assert reg.score(X, values) > 0.9


# -- validation, early stopping, schedules, callbacks, progress ---------------------------------
def test_validation_split_and_history():
    X, y = _digits(300)
    _, history = fit_mlp(MLP([64, 16, 10], rng=0), X, y, n_epochs=3, batch_size=50,
                         validation_data=0.2, learning_rate_schedule="linear")  # fmt: skip
    assert sorted(history) == [
        "accuracy", "epoch", "learning_rate", "loss", "time", "validation_accuracy",
        "validation_loss",
    ]  # fmt: skip
    assert all(len(v) == 3 for v in history.values())
    np.testing.assert_allclose(history["learning_rate"], [1e-3, 1e-3 * 2 / 3, 1e-3 / 3])
    net2, history2 = fit_mlp(MLP([64, 16, 10], rng=0), X, y, n_epochs=1, batch_size=50,
                             validation_data=(X[:50], y[:50]))  # fmt: skip
    assert history2["validation_loss"][0] == pytest.approx(net2.loss(X[:50], y[:50]))


def test_early_stopping_returns_the_best_network():
    # random labels: the validation loss soon rises while the training loss falls
    gen = np.random.default_rng(0)
    X = gen.standard_normal((120, 10))
    y = gen.integers(0, 3, 120)
    Xv, yv = gen.standard_normal((60, 10)), gen.integers(0, 3, 60)
    net, history = fit_mlp(MLP([10, 64, 3], rng=0), X, y, n_epochs=200, batch_size=20,
                           learning_rate=0.01, validation_data=(Xv, yv),
                           early_stopping=3)  # fmt: skip
    n = len(history["loss"])
    assert n < 200
    best = int(np.argmin(history["validation_loss"]))
    assert n == best + 1 + 3  # three epochs without improvement, then stop
    assert net.loss(Xv, yv) == pytest.approx(history["validation_loss"][best], rel=1e-12)


def test_callbacks_stop_training_and_see_the_history():
    X, y = _digits(100)
    seen = []

    def record(epoch, mlp, history):
        seen.append((epoch, len(history["loss"]), type(mlp).__name__))
        return epoch == 2

    _, history = fit_mlp(MLP([64, 8, 10], rng=0), X, y, n_epochs=10, batch_size=50,
                         callbacks=record, progress=True)  # fmt: skip
    assert seen == [(0, 1, "MLP"), (1, 2, "MLP"), (2, 3, "MLP")]
    assert len(history["loss"]) == 3


# -- bad arguments -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"optimizer": "rmsprop"}, ValueError, "optimizer must be one of"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate must be > 0"),
        ({"n_epochs": 0}, ValueError, "n_epochs must be >= 1"),
        ({"batch_size": 0}, ValueError, "batch_size must be >= 1"),
        ({"weight_decay": -1.0}, ValueError, "weight_decay must be >= 0"),
        ({"momentum": 1.5, "optimizer": "momentum"}, ValueError, "momentum must be < 1"),
        ({"early_stopping": 3}, ValueError, "early_stopping needs validation_data"),
        ({"early_stopping": 0, "validation_data": 0.5}, ValueError, "early_stopping must be"),
        ({"validation_data": 1.5}, ValueError, r"must lie in \(0, 1\)"),
        ({"validation_data": "half"}, TypeError, "validation_data must be a pair"),
        ({"learning_rate_schedule": "cosine"}, ValueError, "learning_rate_schedule must be"),
        ({"callbacks": [1]}, TypeError, r"callbacks\[0\] must be callable"),
        ({"rng": "seed"}, TypeError, "rng must be an int seed"),
    ],
)
def test_bad_training_arguments(kwargs, error, match):
    X, y = _digits(40)
    with pytest.raises(error, match=match):
        fit_mlp(MLP([64, 8, 10], rng=0), X, y, **kwargs)


def test_bad_training_data():
    X, y = _digits(40)
    net = MLP([64, 8, 10], rng=0)
    with pytest.raises(TypeError, match="mlp must be an energynets MLP"):
        fit_mlp("net", X, y)
    with pytest.raises(ValueError, match=r"X must have 64 columns \(the input layer size\)"):
        fit_mlp(net, X[:, :60], y)
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        fit_mlp(net, X[0], y[:1])
    bad = X.copy()
    bad[3, 3] = np.nan
    with pytest.raises(ValueError, match="X must contain only finite values"):
        fit_mlp(net, bad, y)
    with pytest.raises(ValueError, match="X has 40 rows, y has 39"):
        fit_mlp(net, X, y[:39])
    with pytest.raises(ValueError, match=r"class labels in \[0, 10\)"):
        fit_mlp(net, X, y + 1)
    with pytest.raises(ValueError, match="non-integer values"):
        fit_mlp(net, X, y + 0.5)
    with pytest.raises(ValueError, match=r"validation_data\[0\] must have 64 columns"):
        fit_mlp(net, X, y, validation_data=(X[:, :3], y))
    with pytest.raises(ValueError, match=r"validation_data\[1\] must hold class labels"):
        fit_mlp(net, X, y, validation_data=(X, y + 10))


def test_trained_model_round_trips_through_io(tmp_path):
    X, y = _digits(100)
    net, _ = fit_mlp(MLP([64, 8, 10], rng=0, dtype=np.float32), X, y, n_epochs=1)
    en.io.save(net, tmp_path / "net.npz")
    again = en.io.load(tmp_path / "net.npz")
    np.testing.assert_array_equal(again.predict_proba(X), net.predict_proba(X))
    assert again.dtype == np.float32


def test_public_names():
    assert en.MLP is MLP and en.fit_mlp is fit_mlp
    assert en.gradient_check is en.learning.gradient_check
