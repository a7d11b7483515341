"""The divergence guard: a learning rate that blows training up stops it with a clear error,
keeping the last good parameters and checkpoint, without a warning storm."""

import warnings

import numpy as np
import pytest

import energynets as en
from energynets.learning.divergence import bad_parameters


def _jump(at_epoch, factor):
    """A learning-rate schedule that is 1 until ``at_epoch``, then ``factor``."""
    return lambda epoch: 1.0 if epoch < at_epoch else factor


@pytest.fixture
def regression():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 5))
    return X, X @ rng.normal(size=(5, 2))


def test_bad_parameters_finds_nan_inf_and_overflowing_sizes():
    ok = {"a": np.ones(3), "b": np.zeros(0)}
    assert bad_parameters(ok) is None
    assert bad_parameters({"a": np.array([1.0, np.nan])})[0] == "a"
    assert "non-finite" in bad_parameters({"w": np.array([-np.inf])})[1]
    limit32 = float(np.sqrt(np.finfo(np.float32).max))
    big = np.array([0.0, -1.01 * limit32], dtype=np.float32)
    name, what = bad_parameters({"v": np.ones(2), "w": big})
    assert name == "w" and "beyond" in what and "float32" in what
    # the same size is harmless in float64
    assert bad_parameters({"w": big.astype(np.float64)}) is None


def test_fit_mlp_divergence_in_the_first_epoch(regression):
    X, Y = regression
    mlp = en.MLP([5, 8, 2], activation="identity", output="identity", rng=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings on the way
        with pytest.raises(en.TrainingDiverged) as info:
            en.fit_mlp(mlp, X, Y, optimizer="sgd", learning_rate=1e6, n_epochs=5, batch_size=10)
    err = info.value
    message = str(err)
    assert "fit_mlp diverged" in message and "learning_rate=1e+06" in message
    assert err.epoch == 0 and err.step is not None and 0 < err.step < 6
    assert f"update {err.step} of the run" in message
    assert err.history["epoch"] == []
    # the last good parameters are the initial ones
    for a, b in zip(err.model.weights, mlp.weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_fit_mlp_divergence_later_keeps_the_last_good_epoch_and_checkpoint(tmp_path, regression):
    X, Y = regression
    mlp = en.MLP([5, 8, 2], activation="tanh", output="identity", rng=0)
    common = {"optimizer": "sgd", "learning_rate": 0.01, "batch_size": 10, "rng": 1}
    path = tmp_path / "mlp.npz"
    with pytest.raises(en.TrainingDiverged) as info:
        en.fit_mlp(
            mlp, X, Y, **common, n_epochs=6, learning_rate_schedule=_jump(3, 1e12),
            checkpoint=path,
        )  # fmt: skip
    err = info.value
    k = err.epoch  # the first epoch with the huge rate, or one soon after (tanh saturates)
    assert k >= 3 and len(err.history["epoch"]) == k
    assert err.checkpoint == str(path) and f"holds the good state after {k} epoch(s)" in str(err)
    # the model carried by the error is the model after k good epochs, bit for bit
    good, _ = en.fit_mlp(mlp, X, Y, **common, n_epochs=k, learning_rate_schedule=_jump(3, 1e12))
    for a, b in zip(err.model.weights, good.weights, strict=True):
        np.testing.assert_array_equal(a, b)
    # and the checkpoint holds those k epochs
    resumed, history = en.fit_mlp(
        mlp, X, Y, **common, n_epochs=k, learning_rate_schedule=_jump(3, 1e12), resume=path
    )
    np.testing.assert_array_equal(resumed.weights[0], good.weights[0])
    assert len(history["epoch"]) == k


def test_fit_mlp_parameters_beyond_the_safe_size_stop_it():
    # one full-batch step with a huge rate: the loss of that step (at the initial weights) is
    # finite, the weights after it are finite but absurd; the end-of-epoch check catches them
    X, y = en.datasets.load_digits()
    mlp = en.MLP([64, 16, 10], activation="relu", rng=0)
    with pytest.raises(en.TrainingDiverged, match="beyond .* float64") as info:
        en.fit_mlp(
            mlp, X[:300], y[:300], optimizer="sgd", learning_rate=1e160, n_epochs=3,
            batch_size=300,
        )  # fmt: skip
    assert info.value.step is None and "during epoch 0" in str(info.value)


def test_fit_rbm_divergence_of_a_gaussian_rbm(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 6)) * 3
    rbm = en.RBM(6, 4, visible="gaussian", rng=0)
    common = {"batch_size": 10, "learning_rate": 0.01, "rng": 2, "monitor": ()}
    path = tmp_path / "rbm.npz"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(en.TrainingDiverged) as info:
            en.fit_rbm(
                rbm, X, **common, n_epochs=8, learning_rate_schedule=_jump(2, 1e5),
                checkpoint=path,
            )  # fmt: skip
    err = info.value
    assert err.epoch >= 2 and err.quantity in {
        "the weights",
        "the visible biases",
        "the hidden biases",
    }
    assert "fit_rbm diverged" in str(err) and f"during epoch {err.epoch}" in str(err)
    good, _ = en.fit_rbm(rbm, X, **common, n_epochs=err.epoch, learning_rate_schedule=_jump(2, 1e5))
    np.testing.assert_array_equal(err.model.weights, good.weights)
    np.testing.assert_array_equal(err.model.hidden_bias, good.hidden_bias)
    assert np.isfinite(err.model.weights).all()
    resumed, _ = en.fit_rbm(
        rbm, X, **common, n_epochs=err.epoch, learning_rate_schedule=_jump(2, 1e5), resume=path
    )
    np.testing.assert_array_equal(resumed.weights, good.weights)


def _blow_up_layer(layer_index):
    """A callback that poisons the weights of one layer during its training (a stand-in for an
    update that overflowed; callbacks run before the end-of-epoch check)."""

    def callback(layer, epoch, rbm, history):
        if layer == layer_index and epoch == 1:
            rbm.weights[0, 0] = np.inf

    return callback


def test_fit_dbn_names_the_layer():
    X = en.datasets.bars_and_stripes(3).reshape(-1, 9)
    # binary data bound each CD step by the learning rate: only an absurd one diverges
    with pytest.raises(en.TrainingDiverged, match="^layer 1 of the DBN: fit_rbm diverged") as info:
        en.fit_dbn(
            [9, 6, 3], X, n_epochs=3, learning_rate=0.1, batch_size=7,
            learning_rate_schedule=lambda epoch: 1.0, callbacks=[_blow_up_layer(1)],
        )  # fmt: skip
    err = info.value
    assert isinstance(err.model, en.DBN) and err.history["diverged_layer"] == [1]
    assert all(np.isfinite(rbm.weights).all() for rbm in err.model.rbms)


def test_the_guard_leaves_sane_training_alone():
    X, y = en.datasets.load_digits()
    _, history = en.fit_mlp(en.MLP([64, 16, 10], rng=0), X[:200] / 16, y[:200], n_epochs=2)
    assert len(history["loss"]) == 2 and np.isfinite(history["loss"]).all()


def test_fit_classification_rbm_divergence():
    X, y = en.datasets.load_digits()
    X = (X[:200] > 8).astype(float)
    common = {"n_epochs": 3, "batch_size": 20, "rng": 0, "objective": "discriminative"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(en.TrainingDiverged, match="fit_classification_rbm diverged") as info:
            en.fit_classification_rbm(X, y[:200], 8, learning_rate=1e200, **common)
    err = info.value
    assert err.epoch == 0 and "the initial parameters" in str(err)
    start = en.ClassificationRBM(64, 10, 8, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(err.model.rbm.weights, start.rbm.weights)
