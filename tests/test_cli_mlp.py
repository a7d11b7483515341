"""``energynets train-mlp``, called in-process through main().

The oracle is the saved model itself: whatever the command prints and writes about the test
split (the accuracy, the confusion matrix) must be what the model in mlp.npz gives on the
same rows, and the network kept by early stopping must be the one with the lowest recorded
validation loss.
"""

import re

import numpy as np
import pytest

import energynets as en
from energynets import io
from energynets.cli import main
from energynets.cli._data import DIGITS_TEST_ROWS
from tests.cli_helpers import one_line_error, read_json, resume_command, same_npz

FILES = ["confusion_matrix.png", "history.json", "learning_curve.png", "mlp.npz", "weights.png"]
#: ... and the folder after a run: those files and the manifest of the run.
LISTED = sorted([*FILES, "manifest.json"])


def _digits(split, limit=None):
    X, y = en.datasets.load_digits()
    rows = slice(None, -DIGITS_TEST_ROWS) if split == "train" else slice(-DIGITS_TEST_ROWS, None)
    X, y = X[rows][:limit] / 16.0, y[rows][:limit]
    return X, y


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    """train-mlp on the digits, 6 epochs (about a second): (folder, stdout, exit status)."""
    import contextlib
    import io as text_io

    out = tmp_path_factory.mktemp("digits")
    stdout = text_io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(text_io.StringIO()):
        status = main(["train-mlp", "--epochs", "6", "--seed", "3", "-o", str(out)])
    return out, stdout.getvalue(), status


def test_train_mlp_writes_the_model_pictures_and_history(digits_run):
    out, stdout, status = digits_run
    assert status == 0
    assert sorted(p.name for p in out.iterdir()) == LISTED  # no temporary files left
    for name in FILES:
        if name.endswith(".png"):
            assert (out / name).read_bytes()[:4] == b"\x89PNG"
    summary = read_json(out / "history.json")
    assert summary["command"] == "train-mlp"
    settings = summary["settings"]
    assert settings["dataset"] == "digits" and settings["hidden"] == [100]
    assert settings["optimizer"] == "adam" and settings["learning_rate"] == 0.001
    assert settings["init"] == "he" and settings["schedule"] == "linear"
    assert settings["momentum"] is None and settings["validation_fraction"] == 0.1
    # 10% of the 1437 training rows held out; the 360 test rows untouched
    assert summary["data"]["training_rows"] == 1293 and summary["data"]["validation_rows"] == 144
    assert summary["data"]["test"] == "digits, test split (360 rows)"
    assert summary["data"]["image_shape"] == [8, 8]
    assert summary["model"] == {
        "layer_sizes": [64, 100, 10],
        "activation": "relu",
        "output": "softmax",
        "init": "he",
        "n_parameters": 64 * 100 + 100 + 100 * 10 + 10,
        "dtype": "float64",
        "file": "mlp.npz",
    }
    assert summary["epochs_completed"] == 6 and summary["epoch_kept"] == 5
    assert summary["interrupted"] is False
    history = summary["history"]
    for key in ("loss", "accuracy", "validation_loss", "validation_accuracy", "learning_rate"):
        assert len(history[key]) == 6, key
    # the linear schedule: eta (1 - t / 6)
    assert history["learning_rate"] == pytest.approx([1e-3 * (1 - t / 6) for t in range(6)])
    for word in ("64-100-10", "144 rows held out", "adam", "6 epochs", str(out / "mlp.npz")):
        assert word in stdout


def test_train_mlp_test_accuracy_is_that_of_the_saved_model(digits_run):
    out, stdout, _ = digits_run
    model = io.load(out / "mlp.npz")
    assert isinstance(model, en.MLP) and model.layer_sizes == (64, 100, 10)
    X_test, y_test = _digits("test")
    summary = read_json(out / "history.json")
    final = summary["final"]
    accuracy = model.score(X_test, y_test)
    assert final["test_accuracy"] == accuracy
    assert final["test_loss"] == pytest.approx(model.loss(X_test, y_test), rel=1e-12)
    n_right = int(np.sum(model.predict(X_test) == y_test))
    printed = re.search(r"Test accuracy: (\d+\.\d+)% \((\d+) of 360 images\)", stdout)
    assert printed is not None, stdout
    assert float(printed.group(1)) == round(100 * accuracy, 2)
    assert int(printed.group(2)) == n_right
    # the confusion matrix counts the same predictions
    counts = np.array(summary["confusion_matrix"])
    assert counts.shape == (10, 10) and counts.sum() == DIGITS_TEST_ROWS
    assert np.trace(counts) == n_right
    assert np.array_equal(counts.sum(axis=1), np.bincount(y_test, minlength=10))
    # and the last validation loss recorded during training is that of the saved network
    assert final["validation_loss"] == pytest.approx(summary["history"]["validation_loss"][-1])
    # six epochs of Adam on 1293 digits: well above chance (the test split is written by
    # other people than the training split, and harder)
    assert final["training_accuracy"] > 0.9 and accuracy > 0.8


def test_train_mlp_is_reproducible_and_float32_stays_float32(tmp_path, capsys):
    argv = ["train-mlp", "--limit", "200", "--hidden", "8", "--epochs", "3", "--seed", "5"]
    assert main([*argv, "-o", str(tmp_path / "a")]) == 0
    assert main([*argv, "-o", str(tmp_path / "b")]) == 0
    assert main([*argv, "--float32", "-o", str(tmp_path / "c")]) == 0
    capsys.readouterr()
    a, b = read_json(tmp_path / "a" / "history.json"), read_json(tmp_path / "b" / "history.json")
    for summary in (a, b):
        del summary["seconds"], summary["history"]["time"]
    assert a == b
    model_a, model_b = io.load(tmp_path / "a" / "mlp.npz"), io.load(tmp_path / "b" / "mlp.npz")
    for wa, wb in zip(model_a.weights, model_b.weights, strict=True):
        assert np.array_equal(wa, wb)
    model_c = io.load(tmp_path / "c" / "mlp.npz")
    assert model_c.dtype == np.float32 and model_a.dtype == np.float64
    c = read_json(tmp_path / "c" / "history.json")
    assert c["model"]["dtype"] == "float32" and c["settings"]["float32"] is True
    # the same seed: the same split, initial weights and batches, up to float32 rounding
    assert c["history"]["loss"] == pytest.approx(a["history"]["loss"], rel=1e-3)


@pytest.mark.parametrize(
    ("options", "expect", "sizes"),
    [
        (
            ["--optimizer", "momentum", "--momentum", "0.5", "--activation", "tanh"],
            {"optimizer": "momentum", "momentum": 0.5, "learning_rate": 0.01,
             "init": "xavier_uniform", "activation": "tanh"},
            [64, 7, 10],
        ),
        (
            ["--optimizer", "nesterov", "--init", "lecun", "--hidden", "6,5"],
            {"optimizer": "nesterov", "momentum": 0.9, "init": "lecun", "hidden": [6, 5]},
            [64, 6, 5, 10],
        ),
        (
            ["--optimizer", "sgd", "--schedule", "constant", "--weight-decay", "0.001",
             "--batch-size", "7", "--learning-rate", "0.05", "--hidden", "none"],
            {"optimizer": "sgd", "schedule": "constant", "weight_decay": 0.001, "batch_size": 7,
             "learning_rate": 0.05, "hidden": []},
            [64, 10],
        ),
        (
            ["--activation", "leaky_relu", "--validation-fraction", "0"],
            {"init": "he", "activation": "leaky_relu", "validation_fraction": 0.0},
            [64, 7, 10],
        ),
    ],
)  # fmt: skip
def test_train_mlp_options_reach_the_training(options, expect, sizes, tmp_path, capsys):
    argv = ["train-mlp", "--limit", "100", "--hidden", "7", "--epochs", "3", *options]
    assert main([*argv, "-o", str(tmp_path)]) == 0
    capsys.readouterr()
    summary = read_json(tmp_path / "history.json")
    for key, value in expect.items():
        assert summary["settings"][key] == value, key
    assert summary["model"]["layer_sizes"] == sizes
    model = io.load(tmp_path / "mlp.npz")
    assert list(model.layer_sizes) == sizes and model.activation == expect.get("activation", "relu")
    history = summary["history"]
    eta = summary["settings"]["learning_rate"]
    if expect.get("schedule") == "constant":
        assert history["learning_rate"] == [eta] * 3
    if summary["settings"]["validation_fraction"] == 0:
        assert "validation_loss" not in history and "validation_loss" not in summary["final"]
        assert summary["data"]["training_rows"] == 100


def test_early_stopping_keeps_the_network_with_the_lowest_validation_loss(tmp_path, capsys):
    # 60 training rows and a large step: the validation loss soon rises again
    argv = ["train-mlp", "--limit", "60", "--hidden", "30", "--epochs", "200",
            "--learning-rate", "0.01", "--schedule", "constant", "--validation-fraction", "0.5",
            "--early-stopping", "3", "-o", str(tmp_path)]  # fmt: skip
    assert main(argv) == 0
    stdout = capsys.readouterr().out
    summary = read_json(tmp_path / "history.json")
    losses = summary["history"]["validation_loss"]
    n_done = summary["epochs_completed"]
    assert n_done < 200 and len(losses) == n_done
    best = int(np.argmin(losses))
    assert summary["epoch_kept"] == best and n_done - 1 - best == 3  # the patience ran out
    # the saved network is the best epoch's: its validation loss is the minimum recorded
    assert summary["final"]["validation_loss"] == pytest.approx(losses[best], rel=1e-12)
    assert "Stopped early" in stdout and f"epoch {best + 1} (lowest validation loss)" in stdout


def test_train_mlp_on_mnist_and_fashion_mnist(tmp_path, capsys, data_home):
    for dataset in ("mnist", "fashion-mnist"):
        argv = ["train-mlp", "--dataset", dataset, "--data-home", str(data_home),
                "--limit", "100", "--hidden", "5", "--epochs", "1", "--float32",
                "-o", str(tmp_path / dataset)]  # fmt: skip
        assert main(argv) == 0
        capsys.readouterr()
        summary = read_json(tmp_path / dataset / "history.json")
        assert summary["data"]["image_shape"] == [28, 28]
        assert summary["model"]["layer_sizes"] == [784, 5, 10]
        assert summary["settings"]["batch_size"] == 100
        assert summary["data"]["test"] == f"{dataset}, test split (100 rows)"


def _interrupt_after(monkeypatch, epoch):
    """Make fit_mlp raise KeyboardInterrupt (as Ctrl-C would) at the end of ``epoch``."""
    from energynets.learning import backprop

    real = backprop.fit_mlp

    def interrupted(mlp, X, y, *, callbacks=(), **kwargs):
        def ctrl_c(e, model, history):
            if e == epoch:
                raise KeyboardInterrupt

        return real(mlp, X, y, callbacks=[*callbacks, ctrl_c], **kwargs)

    monkeypatch.setattr(backprop, "fit_mlp", interrupted)


def test_ctrl_c_saves_the_last_completed_epoch(tmp_path, capsys, monkeypatch):
    _interrupt_after(monkeypatch, 2)
    argv = ["train-mlp", "--limit", "100", "--hidden", "5", "--epochs", "50", "-o", str(tmp_path)]
    assert main(argv) == 130
    captured = capsys.readouterr()
    assert "Interrupted: keeping the model after epoch 3 of 50" in captured.err
    assert "No checkpoint was written: give --checkpoint to be able to resume" in captured.err
    assert sorted(p.name for p in tmp_path.iterdir()) == LISTED
    summary = read_json(tmp_path / "history.json")
    assert summary["interrupted"] is True and summary["epochs_completed"] == 3
    assert all(len(values) == 3 for values in summary["history"].values())
    model = io.load(tmp_path / "mlp.npz")
    X_test, y_test = _digits("test", 100)
    assert summary["final"]["test_accuracy"] == model.score(X_test, y_test)
    assert summary["final"]["validation_loss"] == pytest.approx(
        summary["history"]["validation_loss"][-1], rel=1e-12
    )


def test_ctrl_c_before_the_first_epoch_writes_nothing(tmp_path, capsys, monkeypatch):
    from energynets.learning import backprop

    def interrupted_at_once(mlp, X, y, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(backprop, "fit_mlp", interrupted_at_once)
    assert main(["train-mlp", "--limit", "50", "-o", str(tmp_path / "out")]) == 130
    assert capsys.readouterr().err.strip().endswith("energynets train-mlp: interrupted")
    assert not any((tmp_path / "out").iterdir())


def test_a_diverging_run_is_a_one_line_error_that_says_what_to_lower(tmp_path, capsys):
    argv = ["train-mlp", "--limit", "50", "--hidden", "3", "--epochs", "3", "--optimizer", "sgd",
            "--weight-decay", "1e30", "-o", str(tmp_path)]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]  # after the progress bar
    assert last.startswith("energynets train-mlp: error: fit_mlp diverged: the parameters grew")
    assert last.endswith("try a smaller --learning-rate (or --weight-decay)")
    assert not any(tmp_path.iterdir())


SMALL = ["train-mlp", "--limit", "100", "--hidden", "5", "--epochs", "7", "--seed", "4"]


@pytest.mark.parametrize(
    "options",
    [[], ["--optimizer", "nesterov", "--weight-decay", "0.01", "--early-stopping", "20"]],
)
def test_interrupted_and_resumed_with_the_printed_command_is_bit_identical(
    options, tmp_path, capsys, monkeypatch
):
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    assert main([*SMALL, *options, "-o", str(whole)]) == 0
    _interrupt_after(monkeypatch, 3)  # Ctrl-C in epoch 4: the checkpoint holds 3 epochs
    checkpoint = tmp_path / "checkpoints" / "mlp.npz"  # its folder is created
    argv = [*SMALL, *options, "--checkpoint", str(checkpoint), "-o", str(parts)]
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert f"The checkpoint {checkpoint} holds 3 completed epochs; resume with:" in err
    monkeypatch.undo()
    assert main(resume_command(err)) == 0
    out = capsys.readouterr().out
    assert "holds 3 completed epochs" in out and "Trained epochs 4 to 7" in out
    assert same_npz(whole / "mlp.npz", parts / "mlp.npz")
    a, b = read_json(whole / "history.json"), read_json(parts / "history.json")
    for summary in (a, b):
        for key in ("seconds", "interrupted", "checkpoint"):
            del summary[key]
        del summary["history"]["time"]
    assert a == b
    assert read_json(parts / "history.json")["checkpoint"]["resumed_after_epoch"] == 3


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    """A checkpoint of SMALL, one of fit_rbm."""
    import contextlib
    import io as text_io

    folder = tmp_path_factory.mktemp("checkpoints")
    paths = {"cli": folder / "cli.npz", "rbm": folder / "rbm.npz"}
    with (
        contextlib.redirect_stdout(text_io.StringIO()),
        contextlib.redirect_stderr(text_io.StringIO()),
    ):
        argv = [*SMALL, "--checkpoint", str(paths["cli"]), "-o", str(folder / "out")]
        assert main(argv) == 0
    en.fit_rbm(en.RBM(4, 3, rng=0), en.datasets.bars_and_stripes(2), checkpoint=paths["rbm"])
    return paths


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--resume", "{rbm}"], "it is a checkpoint of fit_rbm, not fit_mlp"),
        (["--resume", "{cli}", "--hidden", "6"], "was written with --hidden 5 (now 6)"),
        (["--resume", "{cli}", "--epochs", "8"], "--epochs 7 (now 8); with --schedule linear"),
        (["--resume", "{missing}"], "argument --resume: no such file"),
        (["--checkpoint", "{cli}", "--seed", "5"], "already exists; continue it with --resume"),
        (["--checkpoint", "{out}/history.json"], "the command's own output file history.json"),
        (["--checkpoint-every", "3"], "--checkpoint-every applies with --checkpoint or --resume"),
    ],
)
def test_bad_checkpoint_options_give_one_line_before_any_work(
    argv, match, checkpoints, tmp_path, capsys
):
    names = {name: str(path) for name, path in checkpoints.items()}
    names.update(missing=str(tmp_path / "missing.npz"), out=str(tmp_path / "out"))
    argv = [a.format(**names) for a in argv]
    assert main([*SMALL, *argv, "-o", str(tmp_path / "out")]) == 2
    assert match in one_line_error(capsys, "energynets train-mlp")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--data-home", "x"], "--data-home applies to --dataset mnist and fashion-mnist"),
        (["--momentum", "0.5"], "--momentum applies to --optimizer momentum and nesterov, got"),
        (["--optimizer", "momentum", "--momentum", "1"], "argument --momentum: expected a number"),
        (["--early-stopping", "2", "--validation-fraction", "0"], "--early-stopping needs"),
        (["--early-stopping", "0"], "argument --early-stopping: expected an integer >= 1, got 0"),
        (["--validation-fraction", "1"], "argument --validation-fraction: expected a number in"),
        (["--limit", "5", "--validation-fraction", "0.05"], "leaves no validation or no training"),
        (["--hidden", "0"], "argument --hidden: layer sizes must be >= 1, got 0"),
        (["--hidden", "10,x"], "expected comma-separated layer sizes such as 500 or 256,128"),
        (["--activation", "softplus"], "argument --activation: invalid choice: 'softplus'"),
        (["--init", "zeros"], "argument --init: invalid choice: 'zeros'"),
        (["--optimizer", "rmsprop"], "argument --optimizer: invalid choice: 'rmsprop'"),
        (["--learning-rate", "0"], "argument --learning-rate: expected a number > 0, got 0"),
        (["--weight-decay", "-1"], "argument --weight-decay: expected a number >= 0, got -1"),
        (["--epochs", "0"], "argument --epochs: expected an integer >= 1, got 0"),
        (["--dataset", "bars-and-stripes"], "argument --dataset: invalid choice"),
        (["--unknown"], "unrecognized arguments: --unknown"),
        (
            ["--dataset", "mnist", "--data-home", "{tmp}"],
            "--dataset mnist: could not download mnist file train-images-idx3-ubyte.gz",
        ),
        (["--dataset", "fashion-mnist", "--data-home", "{tmp}"], "with --data-home or"),
    ],
)
def test_train_mlp_bad_arguments_give_one_line_and_status_2(argv, match, tmp_path, capsys):
    # a --data-home without the files: the download fails offline (the tests are offline)
    argv = [a.replace("{tmp}", str(tmp_path / "no-data")) for a in argv]
    assert main(["train-mlp", *argv, "-o", str(tmp_path / "out")]) == 2
    assert match in one_line_error(capsys, "energynets train-mlp")
    assert not (tmp_path / "out").exists()


def test_help_lists_the_options(capsys):
    assert main(["--help"]) == 0
    assert "train-mlp" in capsys.readouterr().out
    assert main(["train-mlp", "--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: energynets train-mlp")
    for name in ["--dataset", "--data-home", "--limit", "--hidden", "--activation", "--init",
                 "--optimizer", "--learning-rate", "--momentum", "--schedule", "--epochs",
                 "--batch-size", "--weight-decay", "--validation-fraction", "--early-stopping",
                 "--float32", "--checkpoint", "--checkpoint-every", "--resume", "--seed",
                 "--output", "defaults per data set"]:  # fmt: skip
        assert name in text, name


def test_the_parser_offers_the_library_names():
    from energynets.cli import train_mlp as _cli_mlp
    from energynets.learning import optim
    from energynets.models import mlp

    assert _cli_mlp.ACTIVATIONS == tuple(mlp.ACTIVATIONS)
    assert _cli_mlp.INITS == tuple(mlp.INITIALIZERS)
    assert _cli_mlp.OPTIMIZERS == tuple(optim.OPTIMIZERS)
    assert set(_cli_mlp.LEARNING_RATES) == set(optim.OPTIMIZERS)
