"""Classification RBMs (Larochelle & Bengio 2008): the exact discriminative gradient against
finite differences, p(y | x) against brute force over the hidden states, the update rule of
each objective reproduced by hand, and learning on the embedded digits.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.special import logsumexp

import energynets as en
from energynets import io as enio
from energynets.datasets import binarize, load_digits
from energynets.learning import classification
from energynets.learning.classification import (
    ClassificationRBM,
    discriminative_gradient,
    fit_classification_rbm,
)
from energynets.learning.contrastive import contrastive_gradient
from energynets.models.rbm import RBM


def random_model(n_features=4, n_classes=3, n_hidden=5, seed=0, scale=1.0, dtype=np.float64):
    gen = np.random.default_rng(seed)
    nv = n_features + n_classes
    rbm = RBM.from_params(
        scale * gen.standard_normal((nv, n_hidden)),
        scale * gen.standard_normal(nv),
        scale * gen.standard_normal(n_hidden),
        softmax_groups=[(n_features, nv)],
        dtype=dtype,
    )
    return ClassificationRBM.from_rbm(rbm)


def toy_data(n=8, n_features=4, n_classes=3, seed=1):
    gen = np.random.default_rng(seed)
    X = (gen.random((n, n_features)) < 0.5).astype(np.float64)
    X[0, 0] = 0.3  # a grey level: the formulas hold for probabilities too
    return X, gen.integers(0, n_classes, size=n)


# -- the oracle: brute force over every hidden state ------------------------------------------
def brute_force_log_p_y_given_x(model: ClassificationRBM, X):
    """log p(y | x) for every row and class from E(x, y, h) = -v.W.h - a.v - b.h, v = [x, e_y],
    summing exp(-E) over all 2**H hidden vectors."""
    rbm = model.rbm
    d, k = model.n_features, model.n_classes
    hidden = np.array(list(itertools.product([0.0, 1.0], repeat=rbm.n_hidden)))
    out = np.empty((X.shape[0], k))
    for i, x in enumerate(X):
        for y in range(k):
            v = np.concatenate([x, np.eye(k)[y]])
            neg_energy = (
                v @ rbm.weights @ hidden.T + v @ rbm.visible_bias + hidden @ rbm.hidden_bias
            )
            out[i, y] = logsumexp(neg_energy)
        out[i] -= logsumexp(out[i])
    assert d == X.shape[1]
    return out


def test_p_y_given_x_matches_brute_force():
    model = random_model(scale=1.5)
    X, y = toy_data()
    expected = brute_force_log_p_y_given_x(model, X)
    np.testing.assert_allclose(np.log(model.predict_proba(X)), expected, rtol=1e-10, atol=1e-12)
    log_lik, _ = discriminative_gradient(model, X, y)
    np.testing.assert_allclose(log_lik, np.mean(expected[np.arange(len(y)), y]), rtol=1e-12)
    np.testing.assert_allclose(model.log_loss(X, y), -log_lik, rtol=1e-12)
    # lowest free energy = most probable label, and softmax(-F) = p(y | x)
    free = model.free_energies(X)
    np.testing.assert_allclose(-free - logsumexp(-free, axis=1, keepdims=True), expected)
    np.testing.assert_array_equal(model.predict(X), np.argmin(free, axis=1))
    assert model.score(X, y) == np.mean(np.argmax(expected, axis=1) == y)


def test_discriminative_gradient_matches_finite_differences():
    model = random_model(scale=1.0)
    X, y = toy_data()
    _, grad = discriminative_gradient(model, X, y)
    eps = 1e-6
    for name in ("weights", "visible_bias", "hidden_bias"):
        param = getattr(model.rbm, name)
        numeric = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            old = param[index]
            param[index] = old + eps
            up = -model.log_loss(X, y)
            param[index] = old - eps
            down = -model.log_loss(X, y)
            param[index] = old
            numeric[index] = (up - down) / (2 * eps)
        np.testing.assert_allclose(getattr(grad, name), numeric, rtol=1e-6, atol=1e-9)
    # the feature biases cancel out of p(y | x): their gradient is exactly zero
    assert np.all(grad.visible_bias[: model.n_features] == 0)
    assert np.any(grad.visible_bias[model.n_features :] != 0)


def test_discriminative_gradient_in_row_blocks_equals_one_block(monkeypatch):
    model = random_model(seed=3)
    X, y = toy_data(n=11, seed=4)
    whole_ll, whole = discriminative_gradient(model, X, y)
    monkeypatch.setattr(classification, "_BLOCK_ELEMENTS", 2 * 3 * 5)  # two rows per block
    ll, blocked = discriminative_gradient(model, X, y)
    np.testing.assert_allclose(ll, whole_ll, rtol=1e-13)
    for a, b in zip(blocked, whole, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_gradient_accepts_an_rbm_and_leaves_everything_untouched():
    model = random_model()
    X, y = toy_data()
    X_copy, y_copy, w_copy = X.copy(), y.copy(), model.rbm.weights.copy()
    _, from_model = discriminative_gradient(model, X, y)
    _, from_rbm = discriminative_gradient(model.rbm, X, y)
    np.testing.assert_array_equal(from_model.weights, from_rbm.weights)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)
    np.testing.assert_array_equal(model.rbm.weights, w_copy)


# -- the update rules ---------------------------------------------------------------------------
@pytest.mark.parametrize("objective", ["generative", "discriminative", "hybrid"])
def test_one_full_batch_update_is_the_objectives_gradient_step(objective):
    X, y = toy_data(n=12, seed=5)
    lr, alpha, wd = 0.3, 0.25, 0.01
    model, _ = fit_classification_rbm(
        X,
        y,
        5,
        objective=objective,
        alpha=alpha,
        learning_rate=lr,
        weight_decay=wd,
        n_epochs=1,
        batch_size=12,
        n_classes=3,
        k=2,
        rng=9,
    )
    # by hand, with the same stream: initial weights, the monitor subset's seed, the batch order
    gen = np.random.default_rng(9)
    start = ClassificationRBM(4, 3, 5, rng=gen)
    p = np.clip(X.mean(axis=0), 1e-3, 1 - 1e-3)
    start.rbm.visible_bias[:4] = np.log(p / (1 - p))
    start.rbm.visible_bias[4:] = np.log(np.maximum(np.bincount(y, minlength=3) / 12, 1e-3))
    gen.integers(2**63)
    order = gen.permutation(12)
    _, g_disc = discriminative_gradient(start, X[order], y[order])
    direction = [np.zeros_like(a) for a in g_disc]
    if objective != "generative":
        direction = [d + g for d, g in zip(direction, g_disc, strict=True)]
    if objective != "discriminative":
        g_gen, _ = contrastive_gradient(start.rbm, start.joint(X[order], y[order]), k=2, rng=gen)
        scale = 1.0 if objective == "generative" else alpha
        direction = [d + scale * g for d, g in zip(direction, g_gen, strict=True)]
    direction[0] = direction[0] - wd * start.rbm.weights
    for name, d in zip(("weights", "visible_bias", "hidden_bias"), direction, strict=True):
        expected = getattr(start.rbm, name) + lr * d
        np.testing.assert_allclose(getattr(model.rbm, name), expected, rtol=1e-12, atol=1e-14)
    assert np.max(np.abs(direction[0])) > 1e-3  # the step is not trivially zero


# -- learning -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def digits():
    X, y = load_digits()
    bits = binarize(X, threshold=0.5, maximum=16)
    order = np.random.default_rng(0).permutation(len(y))
    train, test = order[:1200], order[1200:]
    return bits[train], y[train], bits[test], y[test]


@pytest.mark.parametrize("objective", ["generative", "discriminative", "hybrid"])
def test_learns_the_digits(digits, objective):
    X, y, X_test, y_test = digits
    model, history = fit_classification_rbm(
        X,
        y,
        50,
        objective=objective,
        learning_rate=0.3,
        n_epochs=8,
        batch_size=20,
        rng=0,
        validation_data=(X_test, y_test),
    )
    # chance is 0.1; logistic regression on these bits reaches about 0.9
    assert model.score(X_test, y_test) > 0.85
    assert history["validation_accuracy"][-1] == model.score(X_test, y_test)
    assert history["log_loss"][-1] < 0.6 * history["log_loss"][0]
    assert len(history["epoch"]) == 8 and all(t >= 0 for t in history["time"])


def test_pcd_and_continued_training(digits):
    X, y, X_test, y_test = digits
    model, _ = fit_classification_rbm(
        X[:400], y[:400], 30, objective="generative", method="pcd", n_epochs=3, rng=1
    )
    weights = model.rbm.weights.copy()
    tuned, _ = fit_classification_rbm(
        X[:400], y[:400], model, objective="discriminative", learning_rate=0.3, n_epochs=3
    )
    np.testing.assert_array_equal(model.rbm.weights, weights)  # the given model is untouched
    assert tuned.n_hidden == 30 and tuned is not model
    assert tuned.score(X_test, y_test) > model.score(X_test, y_test) - 0.05


def test_same_seed_same_result_and_inputs_untouched():
    X, y = toy_data(n=30, seed=2)
    X_copy, y_copy = X.copy(), y.copy()
    a, _ = fit_classification_rbm(X, y, 6, n_epochs=3, batch_size=7, method="pcd", rng=4)
    b, _ = fit_classification_rbm(X, y, 6, n_epochs=3, batch_size=7, method="pcd", rng=4)
    c, _ = fit_classification_rbm(X, y, 6, n_epochs=3, batch_size=7, method="pcd", rng=5)
    np.testing.assert_array_equal(a.rbm.weights, b.rbm.weights)
    assert not np.array_equal(a.rbm.weights, c.rbm.weights)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


def test_float32_classes_inferred_and_callbacks():
    X, y = toy_data(n=20, seed=6)
    y = np.minimum(y, 1)  # labels 0 and 1 only
    seen = []

    def stop_after_two(epoch, model, history):
        seen.append((epoch, len(history["epoch"])))
        return epoch == 1

    model, history = fit_classification_rbm(
        X, y, 4, dtype=np.float32, n_epochs=5, callbacks=[stop_after_two]
    )
    assert model.n_classes == 2 and model.dtype == np.float32
    assert model.rbm.weights.dtype == np.float32
    assert model.predict_proba(X).dtype == np.float32
    assert seen == [(0, 1), (1, 2)] and history["epoch"] == [0, 1]


# -- the model ----------------------------------------------------------------------------------
def test_model_layout_and_joint_rows():
    model = ClassificationRBM(4, 3, 5, rng=0)
    assert (model.n_features, model.n_classes, model.n_hidden) == (4, 3, 5)
    assert model.rbm.n_visible == 7
    np.testing.assert_array_equal(model.rbm.softmax_groups[0], [4, 5, 6])
    rows = model.joint([[1, 0, 1, 0], [0, 0, 0, 1]], [2, 0])
    np.testing.assert_array_equal(rows, [[1, 0, 1, 0, 0, 0, 1], [0, 0, 0, 1, 1, 0, 0]])
    # the default initial scale is max(D + K, H)^(-1/2)
    assert 0.2 < np.std(ClassificationRBM(40, 10, 200, rng=0).rbm.weights) * np.sqrt(200) < 1.2
    assert repr(model) == "ClassificationRBM(n_features=4, n_classes=3, n_hidden=5, dtype=float64)"


def test_from_rbm_needs_the_label_block_last():
    with pytest.raises(ValueError, match="exactly one softmax group holding its last"):
        ClassificationRBM.from_rbm(RBM(6, 3, softmax_groups=[(0, 3)]))
    with pytest.raises(ValueError, match="exactly one softmax group"):
        ClassificationRBM.from_rbm(RBM(6, 3))
    with pytest.raises(TypeError, match="rbm must be an energynets RBM"):
        ClassificationRBM.from_rbm("rbm")
    rbm = RBM(6, 3, softmax_groups=[(3, 6)])
    model = ClassificationRBM.from_rbm(rbm)
    model.rbm.weights += 1.0
    assert not np.array_equal(model.rbm.weights, rbm.weights)  # a copy


def test_generate_features_of_a_class(digits):
    X, y, _, _ = digits
    model, _ = fit_classification_rbm(
        X, y, 50, objective="generative", learning_rate=0.3, n_epochs=8, rng=0
    )
    labels = np.repeat(np.arange(10), 10)
    images = model.generate(labels, n_gibbs=50, rng=1)
    assert images.shape == (100, 64) and set(np.unique(images)) <= {0.0, 1.0}
    np.testing.assert_array_equal(images, model.generate(labels, n_gibbs=50, rng=1))
    # the images carry their class: the model itself mostly recognises them (chance: 0.1)
    assert model.score(images, labels) > 0.5
    means = model.generate([3, 3], n_gibbs=5, probabilities=True)
    assert means.shape == (2, 64) and np.all((means > 0) & (means < 1))
    with pytest.raises(ValueError, match=r"labels must hold class labels in \[0, 10\)"):
        model.generate([10])
    with pytest.raises(ValueError, match="labels must be a 1-D array"):
        model.generate(3)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_save_and_load(tmp_path, dtype):
    model = random_model(dtype=dtype)
    enio.save(model, tmp_path / "crbm.npz")
    again = enio.load(tmp_path / "crbm.npz")
    assert isinstance(again, ClassificationRBM) and again.n_classes == 3
    for name in ("weights", "visible_bias", "hidden_bias"):
        np.testing.assert_array_equal(getattr(again.rbm, name), getattr(model.rbm, name))
    assert again.rbm.weights.dtype == dtype


# -- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"y": np.array([0, 1, 3, 0])}, ValueError, r"y must hold class labels in \[0, 3\)"),
        ({"y": np.array([0, -1, 2, 0])}, ValueError, r"y must hold class labels in \[0, 3\)"),
        ({"y": np.array([0, 1, 2])}, ValueError, "y must have one label per row of X"),
        ({"y": np.array([0.5, 1, 2, 0])}, ValueError, "y must hold integer class labels"),
        ({"X": np.zeros(4)}, ValueError, "X must be a 2-D array"),
        ({"X": np.full((4, 4), 2.0)}, ValueError, r"X must lie in \[0, 1\]"),
        ({"objective": "joint"}, ValueError, "objective must be one of 'generative'"),
        ({"method": "pt"}, ValueError, "method must be one of 'cd', 'pcd', got 'pt'"),
        ({"alpha": -0.1}, ValueError, "alpha must be >= 0"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate must be > 0"),
        ({"n_hidden": 0}, ValueError, "n_hidden must be >= 1"),
        ({"n_classes": 1}, ValueError, "n_classes must be >= 2"),
        ({"validation_data": (np.zeros((2, 5)), [0, 1])}, ValueError, r"validation_data\[0\]"),
        ({"validation_data": (np.zeros((2, 4)), [0, 5])}, ValueError, r"validation_data\[1\]"),
        ({"validation_data": np.zeros((2, 4))}, TypeError, "validation_data must be a pair"),
        ({"init_visible_bias": "zeros"}, ValueError, "init_visible_bias must be 'data' or None"),
        ({"callbacks": [3]}, TypeError, r"callbacks\[0\] must be callable"),
    ],
)
def test_bad_input_names_the_argument(kwargs, error, match):
    args = {
        "X": np.array([[1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0], [0, 0, 1, 1]], dtype=float),
        "y": np.array([0, 1, 2, 0]),
        "n_hidden": 3,
        "n_classes": 3,
        "n_epochs": 1,
    }
    args.update(kwargs)
    with pytest.raises(error, match=match):
        fit_classification_rbm(args.pop("X"), args.pop("y"), args.pop("n_hidden"), **args)


def test_model_methods_check_their_input():
    model = random_model()
    with pytest.raises(ValueError, match=r"X must have 4 columns \(n_features\)"):
        model.predict(np.zeros((2, 7)))
    with pytest.raises(ValueError, match=r"y must hold class labels in \[0, 3\)"):
        model.score(np.zeros((2, 4)), [0, 3])
    with pytest.raises(ValueError, match="n_classes must match the given model's 3 classes"):
        fit_classification_rbm(np.zeros((2, 4)), [0, 1], model, n_classes=4)
    with pytest.raises(ValueError, match="X must have 4 columns"):
        fit_classification_rbm(np.zeros((2, 5)), [0, 1], model)
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        fit_classification_rbm(np.zeros(4), [0], model)
    with pytest.raises(TypeError, match="model must be a ClassificationRBM or an RBM"):
        discriminative_gradient("model", np.zeros((1, 4)), [0])


def test_public_names():
    assert en.fit_classification_rbm is fit_classification_rbm
    assert en.ClassificationRBM is ClassificationRBM
    assert en.learning.discriminative_gradient is discriminative_gradient
