"""Checkpoints of fit_rbm and fit_mlp: an interrupted and resumed run is bit-identical."""

import numpy as np
import pytest

import energynets as en


class Interrupt(Exception):
    """Stands for Ctrl-C (KeyboardInterrupt would stop pytest itself)."""


def interrupt_at(epoch_index):
    def callback(epoch, model, history):
        if epoch == epoch_index:
            raise Interrupt

    return callback


def _without_time(history):
    return {k: v for k, v in history.items() if k != "time"}


def _assert_same_history(a, b):
    a, b = _without_time(a), _without_time(b)
    assert sorted(a) == sorted(b)
    for key in a:
        np.testing.assert_array_equal(np.asarray(a[key], float), np.asarray(b[key], float))


@pytest.fixture
def bas():
    data = en.datasets.bars_and_stripes(3).reshape(-1, 9)
    return np.repeat(data, 3, axis=0).astype(np.float64)


RBM_SETTINGS = [
    {"method": "cd", "k": 2, "momentum": 0.5},
    {"method": "pcd", "momentum": "hinton", "n_chains": 7, "monitor": "reconstruction_error"},
    {"method": "pcd", "fast_weights": True, "weight_decay": 1e-3},
    {"method": "pt", "n_temperatures": 3, "n_chains": 4},
    {"method": "pcd", "centering": True, "sparsity_target": 0.2, "sparsity_cost": 0.1},
    {"method": "pcd", "dynamic_binarization": True, "n_chains": 6},
]


@pytest.mark.parametrize("settings", RBM_SETTINGS, ids=lambda s: "-".join(map(str, s.values())))
def test_fit_rbm_interrupted_and_resumed_is_bit_identical(tmp_path, bas, settings):
    rbm = en.RBM(9, 6, rng=1)
    common = {"n_epochs": 7, "batch_size": 5, "learning_rate": 0.1, "rng": 3, **settings}
    whole, history = en.fit_rbm(rbm, bas, **common)
    path = tmp_path / "rbm.npz"
    with pytest.raises(Interrupt):
        en.fit_rbm(
            rbm, bas, **common, checkpoint=path, checkpoint_every=2, callbacks=[interrupt_at(4)]
        )
    resumed, resumed_history = en.fit_rbm(rbm, bas, **common, resume=path)
    assert len(resumed_history["epoch"]) == 7
    for name in ("weights", "visible_bias", "hidden_bias"):
        np.testing.assert_array_equal(getattr(resumed, name), getattr(whole, name))
    _assert_same_history(resumed_history, history)


def test_fit_rbm_checkpoint_after_the_last_epoch_and_prev(tmp_path, bas):
    path = tmp_path / "rbm.npz"
    model, _ = en.fit_rbm(
        en.RBM(9, 4, rng=0), bas, method="pcd", n_epochs=5, checkpoint=path, checkpoint_every=3
    )
    assert path.is_file() and (tmp_path / "rbm.npz.prev").is_file()  # epochs 3 and 5
    again, history = en.fit_rbm(en.RBM(9, 4, rng=0), bas, method="pcd", n_epochs=5, resume=path)
    np.testing.assert_array_equal(again.weights, model.weights)  # nothing left to train
    assert history["epoch"] == [0, 1, 2, 3, 4]
    longer, _ = en.fit_rbm(en.RBM(9, 4, rng=0), bas, method="pcd", n_epochs=6)
    resumed, _ = en.fit_rbm(en.RBM(9, 4, rng=0), bas, method="pcd", n_epochs=6, resume=path)
    # with a constant learning rate a longer run starts as the shorter one: extending a
    # finished run by one epoch gives the 6-epoch run exactly
    np.testing.assert_array_equal(resumed.weights, longer.weights)


def test_a_truncated_checkpoint_is_a_clear_error_and_the_previous_one_is_still_there(tmp_path, bas):
    path = tmp_path / "rbm.npz"
    common = {"method": "pcd", "n_epochs": 4, "batch_size": 6, "rng": 5}
    whole, _ = en.fit_rbm(en.RBM(9, 5, rng=2), bas, **common)
    with pytest.raises(Interrupt):
        en.fit_rbm(en.RBM(9, 5, rng=2), bas, **common, checkpoint=path, callbacks=[interrupt_at(2)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # e.g. a copy cut short
    with pytest.raises(
        ValueError,
        match=r"cannot resume from '.*rbm.npz': .*previous checkpoint is '.*rbm.npz.prev'",
    ):
        en.fit_rbm(en.RBM(9, 5, rng=2), bas, **common, resume=path)
    resumed, _ = en.fit_rbm(en.RBM(9, 5, rng=2), bas, **common, resume=f"{path}.prev")
    np.testing.assert_array_equal(resumed.weights, whole.weights)


def test_resume_checks_the_settings_and_the_trainer(tmp_path, bas):
    path = tmp_path / "rbm.npz"
    en.fit_rbm(en.RBM(9, 4, rng=0), bas, method="pcd", n_epochs=1, checkpoint=path)
    with pytest.raises(ValueError, match=r"written with method='pcd' \(now 'cd'\)"):
        en.fit_rbm(en.RBM(9, 4, rng=0), bas, method="cd", n_epochs=2, resume=path)
    with pytest.raises(ValueError, match=r"shape=\[9, 4\] \(now \[9, 5\]\)"):
        en.fit_rbm(en.RBM(9, 5, rng=0), bas, method="pcd", n_epochs=2, resume=path)
    X, y = en.datasets.load_digits()
    with pytest.raises(ValueError, match="a checkpoint of fit_rbm, not fit_mlp"):
        en.fit_mlp(en.MLP([64, 10]), X[:50] / 16, y[:50], resume=path)
    model_file = tmp_path / "model.npz"
    en.io.save(en.RBM(9, 4), model_file)
    with pytest.raises(ValueError, match="not an energynets checkpoint"):
        en.fit_rbm(en.RBM(9, 4, rng=0), bas, resume=model_file)
    with pytest.raises(ValueError, match="checkpoint_every must be >= 1"):
        en.fit_rbm(en.RBM(9, 4, rng=0), bas, checkpoint=path, checkpoint_every=0)
    with pytest.raises(FileNotFoundError):
        en.fit_rbm(en.RBM(9, 4, rng=0), bas, resume=tmp_path / "missing.npz")


MLP_SETTINGS = [
    {"optimizer": "adam"},
    {"optimizer": "momentum", "learning_rate": 0.05, "weight_decay": 1e-3},
    {"optimizer": "nesterov", "learning_rate": 0.05, "learning_rate_schedule": "linear"},
    {"optimizer": "adam", "validation_data": 0.2, "early_stopping": 2, "learning_rate": 0.05},
]


@pytest.mark.parametrize("settings", MLP_SETTINGS, ids=lambda s: "-".join(map(str, s.values())))
def test_fit_mlp_interrupted_and_resumed_is_bit_identical(tmp_path, settings):
    X, y = en.datasets.load_digits()
    X, y = X[:300] / 16.0, y[:300]
    common = {"n_epochs": 6, "batch_size": 32, "rng": 4, **settings}
    whole, history = en.fit_mlp(en.MLP([64, 16, 10], rng=1), X, y, **common)
    path = tmp_path / "mlp.npz"
    with pytest.raises(Interrupt):
        en.fit_mlp(
            en.MLP([64, 16, 10], rng=1),
            X,
            y,
            **common,
            checkpoint=path,
            callbacks=[interrupt_at(3)],
        )
    resumed, resumed_history = en.fit_mlp(en.MLP([64, 16, 10], rng=1), X, y, **common, resume=path)
    for a, b in zip(resumed.weights + resumed.biases, whole.weights + whole.biases, strict=True):
        np.testing.assert_array_equal(a, b)
    _assert_same_history(resumed_history, history)


def test_fit_mlp_truncated_checkpoint(tmp_path):
    X, y = en.datasets.load_digits()
    X, y = X[:100] / 16.0, y[:100]
    path = tmp_path / "mlp.npz"
    en.fit_mlp(en.MLP([64, 10], rng=0), X, y, n_epochs=2, checkpoint=path)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ValueError, match=r"cannot resume from .*mlp.npz.prev"):
        en.fit_mlp(en.MLP([64, 10], rng=0), X, y, n_epochs=3, resume=path)
    _, history = en.fit_mlp(en.MLP([64, 10], rng=0), X, y, n_epochs=3, resume=f"{path}.prev")
    assert history["epoch"] == [0, 1, 2]


def test_ctrl_c_while_writing_a_checkpoint_leaves_the_last_one_whole(tmp_path, bas, monkeypatch):
    from energynets import _npz

    path = tmp_path / "rbm.npz"
    common = {"method": "pcd", "n_epochs": 4, "batch_size": 6, "rng": 5}
    whole, _ = en.fit_rbm(en.RBM(9, 5, rng=2), bas, **common)
    write = _npz.write_npz
    calls = []

    def interrupted_write(file, arrays):
        calls.append(1)
        if len(calls) == 3:  # the third checkpoint: half written, then Ctrl-C
            file.write(b"PK\x03\x04 half a zip")
            raise KeyboardInterrupt
        write(file, arrays)

    monkeypatch.setattr(_npz, "write_npz", interrupted_write)
    with pytest.raises(KeyboardInterrupt):
        en.fit_rbm(en.RBM(9, 5, rng=2), bas, **common, checkpoint=path)
    monkeypatch.setattr(_npz, "write_npz", write)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rbm.npz", "rbm.npz.prev"]  # no temp
    resumed, history = en.fit_rbm(en.RBM(9, 5, rng=2), bas, **common, resume=path)
    assert len(history["epoch"]) == 4
    np.testing.assert_array_equal(resumed.weights, whole.weights)


def _interrupt_dbn_at(layer_index, epoch_index):
    def callback(layer, epoch, rbm, history):
        if (layer, epoch) == (layer_index, epoch_index):
            raise Interrupt

    return callback


DBN_COMMON = {
    "n_epochs": [4, 5, 3],
    "batch_size": 5,
    "learning_rate": 0.1,
    "momentum": "hinton",
    "rng": 4,
}


def _assert_same_dbn_history(a, b):
    assert a["layer"] == b["layer"] and a["n_epochs"] == b["n_epochs"]
    for x, y in zip(a["rbm_history"], b["rbm_history"], strict=True):
        _assert_same_history(x, y)


@pytest.mark.parametrize(
    ("method", "layer", "epoch"),
    [("cd", 1, 3), ("pcd", 1, 0), ("pcd", 0, 2), ("cd", 2, 1)],
    ids=["mid-layer", "layer-boundary", "first-layer", "last-layer"],
)
def test_fit_dbn_interrupted_and_resumed_is_bit_identical(tmp_path, bas, method, layer, epoch):
    common = {**DBN_COMMON, "method": method}
    whole, history = en.fit_dbn([9, 6, 5, 4], bas, **common)
    path = tmp_path / "dbn.npz"
    with pytest.raises(Interrupt):
        en.fit_dbn(
            [9, 6, 5, 4], bas, **common, checkpoint=path, checkpoint_every=2,
            callbacks=[_interrupt_dbn_at(layer, epoch)],
        )  # fmt: skip
    assert path.is_file()
    resumed, resumed_history = en.fit_dbn([9, 6, 5, 4], bas, **common, resume=path)
    for a, b in zip(resumed.rbms, whole.rbms, strict=True):
        for name in ("weights", "visible_bias", "hidden_bias"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    _assert_same_dbn_history(resumed_history, history)


def test_fit_dbn_resumed_while_checkpointing_again_and_a_finished_run(tmp_path, bas):
    whole, history = en.fit_dbn([9, 6, 4], bas, **{**DBN_COMMON, "n_epochs": 3})
    path = tmp_path / "dbn.npz"
    with pytest.raises(Interrupt):
        en.fit_dbn(
            [9, 6, 4], bas, **{**DBN_COMMON, "n_epochs": 3}, checkpoint=path,
            callbacks=[_interrupt_dbn_at(1, 1)],
        )  # fmt: skip
    # resume and keep writing to the same file; then "resume" the finished run
    resumed, _ = en.fit_dbn(
        [9, 6, 4], bas, **{**DBN_COMMON, "n_epochs": 3}, checkpoint=path, resume=path
    )
    again, again_history = en.fit_dbn([9, 6, 4], bas, **{**DBN_COMMON, "n_epochs": 3}, resume=path)
    for model in (resumed, again):
        for a, b in zip(model.rbms, whole.rbms, strict=True):
            np.testing.assert_array_equal(a.weights, b.weights)
    _assert_same_dbn_history(again_history, history)


def test_fit_dbn_resume_errors(tmp_path, bas):
    path = tmp_path / "dbn.npz"
    en.fit_dbn([9, 6, 4], bas, n_epochs=2, batch_size=5, checkpoint=path)
    with pytest.raises(ValueError, match=r"batch_size=5 \(now 7\)"):
        en.fit_dbn([9, 6, 4], bas, n_epochs=2, batch_size=7, resume=path)
    with pytest.raises(ValueError, match="layer_sizes"):
        en.fit_dbn([9, 5, 4], bas, n_epochs=2, batch_size=5, resume=path)
    rbm_path = tmp_path / "rbm.npz"
    en.fit_rbm(en.RBM(9, 6, rng=0), bas, n_epochs=1, checkpoint=rbm_path)
    with pytest.raises(ValueError, match="checkpoint of fit_rbm, not fit_dbn"):
        en.fit_dbn([9, 6, 4], bas, n_epochs=2, batch_size=5, resume=rbm_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"previous checkpoint is .*dbn\.npz\.prev"):
        en.fit_dbn([9, 6, 4], bas, n_epochs=2, batch_size=5, resume=path)
    # the previous checkpoint still resumes
    en.fit_dbn([9, 6, 4], bas, n_epochs=2, batch_size=5, resume=str(path) + ".prev")
    with pytest.raises(ValueError, match="checkpoint_every"):
        en.fit_dbn([9, 6, 4], bas, n_epochs=2, checkpoint=path, checkpoint_every=0)
