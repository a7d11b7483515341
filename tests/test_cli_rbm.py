"""``energynets train-rbm`` and ``energynets eval-rbm``, called in-process through main().

The oracle is exact enumeration (energynets.metrics): what the commands print and write must
equal the exact log-likelihood of the model they saved, and AIS must bracket it.
"""

import json
import re

import numpy as np
import pytest

import energynets as en
from energynets import io, metrics
from energynets.cli import main
from tests.cli_helpers import one_line_error, read_json, resume_command, same_npz

BAS3 = en.datasets.bars_and_stripes(3)


def _printed(pattern, text):
    match = re.search(pattern, text)
    assert match is not None, text
    return float(match.group(1))


@pytest.fixture(scope="module")
def bas_run(tmp_path_factory):
    """train-rbm with its defaults (3 x 3 bars-and-stripes, 600 epochs of PCD-1, about 3 s):
    (folder, stdout, exit status)."""
    import contextlib
    import io as text_io

    out = tmp_path_factory.mktemp("bas")
    stdout = text_io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(text_io.StringIO()):
        status = main(["train-rbm", "--seed", "3", "-o", str(out)])
    return out, stdout.getvalue(), status


# -- train-rbm ----------------------------------------------------------------------------------


def test_train_rbm_writes_the_model_pictures_and_history(bas_run):
    out, stdout, status = bas_run
    assert status == 0
    names = [
        "filters.png",
        "history.json",
        "learning_curve.png",
        "manifest.json",
        "rbm.npz",
        "samples.png",
    ]
    assert sorted(p.name for p in out.iterdir()) == names  # no temporary files left
    for name in ("filters.png", "samples.png", "learning_curve.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"
    summary = read_json(out / "history.json")
    assert summary["settings"]["dataset"] == "bars-and-stripes"
    assert summary["settings"]["method"] == "pcd" and summary["settings"]["chains"] == 50
    assert summary["epochs_completed"] == 600 and summary["interrupted"] is False
    assert summary["model"] == {
        "n_visible": 9,
        "n_hidden": 16,
        "dtype": "float64",
        "file": "rbm.npz",
    }
    assert len(summary["history"]["epoch"]) == 600
    assert summary["optimum_log_likelihood"] == pytest.approx(-np.log(14), abs=1e-15)
    for word in ("PCD-1 with 50 chains", "600 epochs", "optimum", str(out / "rbm.npz")):
        assert word in stdout


def test_train_rbm_log_likelihood_is_the_exact_one_of_the_saved_model(bas_run):
    out, stdout, _ = bas_run
    model = io.load(out / "rbm.npz")
    assert isinstance(model, en.RBM) and (model.n_visible, model.n_hidden) == (9, 16)
    exact = metrics.log_likelihood(model, BAS3)
    summary = read_json(out / "history.json")
    assert summary["final"]["log_likelihood"] == pytest.approx(exact, abs=1e-12)
    assert summary["final"]["log_partition"] == pytest.approx(metrics.rbm_log_partition(model))
    assert _printed(r"training\s+(-?\d+\.\d+) nats", stdout) == round(exact, 4)
    # the curve measured during training ends at the same model
    curve = summary["exact"]
    assert curve["epoch"][0] == 0 and curve["epoch"][-1] == 599 and len(curve["epoch"]) == 100
    assert curve["log_likelihood"][-1] == pytest.approx(exact, abs=1e-12)
    # 14 distinct patterns: mean log p <= log(1/14) (Gibbs' inequality); from near the
    # uniform model (9 log 1/2 = -6.24) the defaults get within 0.7 nats of that optimum
    assert curve["log_likelihood"][0] < -6.0
    assert -np.log(14) - 0.7 < exact <= -np.log(14)
    # the probability the model puts on the 14 patterns, from the free energies
    log_p = -model.free_energy(BAS3) - summary["final"]["log_partition"]
    mass = summary["final"]["probability_of_the_data"]
    assert mass == pytest.approx(np.exp(log_p).sum(), rel=1e-12)
    assert f"{mass:.1%} of its probability" in stdout


def test_train_rbm_is_reproducible_and_float32_stays_float32(tmp_path, capsys):
    argv = ["train-rbm", "--size", "2", "--hidden", "3", "--epochs", "20", "--seed", "5"]
    assert main([*argv, "-o", str(tmp_path / "a")]) == 0
    assert main([*argv, "-o", str(tmp_path / "b")]) == 0
    assert main([*argv, "--float32", "-o", str(tmp_path / "c")]) == 0
    capsys.readouterr()
    a, b = read_json(tmp_path / "a" / "history.json"), read_json(tmp_path / "b" / "history.json")
    for summary in (a, b):
        del summary["seconds"], summary["history"]["time"]
    assert a == b
    model_a, model_b = io.load(tmp_path / "a" / "rbm.npz"), io.load(tmp_path / "b" / "rbm.npz")
    assert np.array_equal(model_a.weights, model_b.weights)
    model_c = io.load(tmp_path / "c" / "rbm.npz")
    assert model_c.dtype == np.float32 and model_a.dtype == np.float64
    assert read_json(tmp_path / "c" / "history.json")["model"]["dtype"] == "float32"


@pytest.mark.parametrize(
    ("options", "expect"),
    [
        (["--method", "cd", "-k", "2"], {"method": "cd", "k": 2, "chains": None}),
        (["--method", "pt", "--replicas", "3", "--chains", "4"], {"replicas": 3, "chains": 4}),
        (
            ["--centering", "--momentum", "hinton", "--schedule", "exponential"],
            {"centering": True, "momentum": "hinton", "schedule": "exponential"},
        ),
        (
            ["--weight-decay", "0.001", "--batch-size", "5", "--learning-rate", "0.02"],
            {"weight_decay": 0.001, "batch_size": 5, "learning_rate": 0.02},
        ),
    ],
)
def test_train_rbm_options_reach_the_training(options, expect, tmp_path, capsys):
    argv = ["train-rbm", "--hidden", "4", "--epochs", "6", *options, "-o", str(tmp_path)]
    assert main(argv) == 0
    capsys.readouterr()
    summary = read_json(tmp_path / "history.json")
    for key, value in expect.items():
        assert summary["settings"][key] == value, key
    history = summary["history"]
    assert len(history["epoch"]) == 6
    if "schedule" in expect:  # hinton momentum: 0.5 for five epochs, then 0.9
        assert history["momentum"] == [0.5] * 5 + [0.9]
    if "replicas" in expect:
        assert "swap_rate" in history


def test_train_rbm_on_digits_measures_the_test_split_as_eval_rbm_does(tmp_path, capsys):
    argv = ["train-rbm", "--dataset", "digits", "--limit", "120", "--hidden", "6",
            "--epochs", "3", "--seed", "2", "-o", str(tmp_path)]  # fmt: skip
    assert main(argv) == 0
    stdout = capsys.readouterr().out
    summary = read_json(tmp_path / "history.json")
    assert summary["data"]["training"].startswith("digits, training split (120 rows")
    assert summary["data"]["validation"].startswith("digits, test split (120 rows")
    assert summary["data"]["image_shape"] == [8, 8]
    # free energies on validation data; with 6 hidden units the exact curve is tracked too
    assert len(summary["history"]["free_energy_validation"]) == 3
    assert len(summary["exact"]["log_likelihood_validation"]) == 3
    final = summary["final"]
    assert "validation" in stdout
    # eval-rbm with the same data options and seed binarises the same test rows
    model = str(tmp_path / "rbm.npz")
    eval_argv = ["eval-rbm", model, "--dataset", "digits", "--limit", "120", "--seed", "2"]
    assert main([*eval_argv, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["estimator"] == "exact"
    assert result["log_likelihood"] == pytest.approx(final["log_likelihood_validation"], abs=1e-12)
    assert main([*eval_argv, "--split", "train", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["log_likelihood"] == pytest.approx(final["log_likelihood"], abs=1e-12)
    # a different seed binarises other bits
    assert main([*eval_argv[:-1], "3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["log_likelihood"] != pytest.approx(
        final["log_likelihood_validation"], abs=1e-9
    )


def test_binarize_dynamic_trains_on_the_grey_levels_and_reports_on_one_binarization(
    tmp_path, capsys, monkeypatch
):
    from energynets.learning import contrastive

    seen = {}
    real = contrastive.fit_rbm

    def spy(rbm, data, **options):
        seen.update(data=np.array(data), dynamic=options["dynamic_binarization"])
        return real(rbm, data, **options)

    monkeypatch.setattr(contrastive, "fit_rbm", spy)
    argv = ["train-rbm", "--dataset", "digits", "--limit", "50", "--hidden", "6",
            "--epochs", "2", "--binarize", "dynamic", "-o", str(tmp_path)]  # fmt: skip
    assert main(argv) == 0
    capsys.readouterr()
    grey = en.datasets.load_digits()[0][:50] / 16.0
    assert seen["dynamic"] is True
    np.testing.assert_array_equal(seen["data"], grey)  # the grey levels themselves
    summary = read_json(tmp_path / "history.json")
    assert summary["settings"]["binarize"] == "dynamic"
    assert "binarised anew every visit" in summary["data"]["training"]
    assert "stochastic binarisation" in summary["data"]["validation"]
    # the exact figures are of bits: the same as eval-rbm's on the stochastic binarization
    model = str(tmp_path / "rbm.npz")
    eval_argv = ["eval-rbm", model, "--dataset", "digits", "--limit", "50", "--json"]
    assert main([*eval_argv, "--split", "train"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["log_likelihood"] == pytest.approx(summary["final"]["log_likelihood"], abs=1e-12)


def test_eval_rbm_has_no_dynamic_binarization(models, capsys):
    argv = ["eval-rbm", str(models["small"]), "--dataset", "digits", "--binarize", "dynamic"]
    assert main(argv) == 2
    assert "argument --binarize: invalid choice: 'dynamic'" in one_line_error(
        capsys, "energynets eval-rbm"
    )


def test_train_rbm_without_exact_enumeration_reports_the_monitors(tmp_path, capsys):
    # 64 visible, 40 hidden: too large to enumerate, so pseudo-likelihood and friends
    argv = ["train-rbm", "--dataset", "digits", "--binarize", "threshold", "--limit", "60",
            "--hidden", "40", "--epochs", "2", "-o", str(tmp_path)]  # fmt: skip
    assert main(argv) == 0
    stdout = capsys.readouterr().out
    summary = read_json(tmp_path / "history.json")
    assert summary["exact"] is None
    assert set(summary["final"]) == {"pseudo_likelihood", "reconstruction_error", "free_energy_gap"}
    assert summary["final"]["pseudo_likelihood"] == summary["history"]["pseudo_likelihood"][-1]
    assert "threshold binarisation" in summary["data"]["training"]
    assert "pseudo-log-likelihood" in stdout
    assert f"energynets eval-rbm {tmp_path / 'rbm.npz'} --dataset digits --limit 60" in stdout


def test_train_rbm_on_mnist(tmp_path, capsys, data_home):
    argv = ["train-rbm", "--dataset", "mnist", "--data-home", str(data_home), "--limit", "50",
            "--hidden", "5", "--epochs", "1", "--batch-size", "10",
            "-o", str(tmp_path)]  # fmt: skip
    assert main(argv) == 0
    capsys.readouterr()
    summary = read_json(tmp_path / "history.json")
    assert summary["data"]["image_shape"] == [28, 28]
    assert summary["model"]["n_visible"] == 784
    assert "log_likelihood_validation" in summary["final"]  # 5 hidden units: exact


def _interrupt_after(monkeypatch, epoch):
    """Make fit_rbm raise KeyboardInterrupt (as Ctrl-C would) at the end of ``epoch``."""
    from energynets.learning import contrastive

    real = contrastive.fit_rbm

    def interrupted(rbm, data, *, callbacks=(), **kwargs):
        def ctrl_c(e, model, history):
            if e == epoch:
                raise KeyboardInterrupt

        return real(rbm, data, callbacks=[*callbacks, ctrl_c], **kwargs)

    monkeypatch.setattr(contrastive, "fit_rbm", interrupted)


def test_ctrl_c_saves_the_last_completed_epoch(tmp_path, capsys, monkeypatch):
    _interrupt_after(monkeypatch, 3)
    argv = ["train-rbm", "--epochs", "50", "--seed", "1", "-o", str(tmp_path)]
    assert main(argv) == 130
    captured = capsys.readouterr()
    assert "Interrupted: keeping the model after epoch 4 of 50" in captured.err
    assert "No checkpoint was written: give --checkpoint to be able to resume" in captured.err
    names = [
        "filters.png",
        "history.json",
        "learning_curve.png",
        "manifest.json",
        "rbm.npz",
        "samples.png",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == names
    summary = read_json(tmp_path / "history.json")
    assert summary["interrupted"] is True and summary["epochs_completed"] == 4
    assert all(len(values) == 4 for values in summary["history"].values())
    assert summary["exact"]["epoch"][-1] <= 3
    model = io.load(tmp_path / "rbm.npz")
    assert summary["final"]["log_likelihood"] == pytest.approx(
        metrics.log_likelihood(model, BAS3), abs=1e-12
    )


def test_ctrl_c_before_the_first_epoch_writes_nothing(tmp_path, capsys, monkeypatch):
    from energynets.learning import contrastive

    def interrupted_at_once(rbm, data, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(contrastive, "fit_rbm", interrupted_at_once)
    assert main(["train-rbm", "-o", str(tmp_path / "out")]) == 130
    assert capsys.readouterr().err.strip().endswith("energynets train-rbm: interrupted")
    assert not any((tmp_path / "out").iterdir())


def test_a_diverging_run_is_a_one_line_error_that_says_what_to_lower(tmp_path, capsys):
    argv = ["train-rbm", "--size", "2", "--hidden", "2", "--epochs", "2", "--weight-decay", "1e30"]
    assert main([*argv, "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]  # after the progress bar
    assert last.startswith("energynets train-rbm: error: fit_rbm diverged: the weights grew")
    assert last.endswith("nothing was written: try a smaller --learning-rate (or --momentum, "
                         "--weight-decay)")  # fmt: skip
    assert not any(tmp_path.iterdir())


# -- checkpoints --------------------------------------------------------------------------------

SMALL = ["train-rbm", "--size", "2", "--hidden", "3", "--epochs", "9", "--seed", "4"]


def _same_run(a, b):
    """The history.json of two runs agree on everything but timings and how they ran."""
    a, b = read_json(a / "history.json"), read_json(b / "history.json")
    for summary in (a, b):
        for key in ("seconds", "interrupted", "checkpoint"):
            del summary[key]
        del summary["history"]["time"]
    assert a == b


@pytest.mark.parametrize(
    "options", [[], ["--method", "pt", "--replicas", "3", "--chains", "4", "--centering"]]
)
def test_interrupted_and_resumed_with_the_printed_command_is_bit_identical(
    options, tmp_path, capsys, monkeypatch
):
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    assert main([*SMALL, *options, "-o", str(whole)]) == 0
    _interrupt_after(monkeypatch, 4)  # Ctrl-C in epoch 5: the checkpoint holds 4 epochs
    argv = [*SMALL, *options, "--checkpoint", "--checkpoint-every", "2", "-o", str(parts)]
    assert main(argv) == 130
    err = capsys.readouterr().err
    checkpoint = parts / "checkpoint.npz"
    assert f"The checkpoint {checkpoint} holds 4 completed epochs; resume with:" in err
    assert read_json(parts / "history.json")["epochs_completed"] == 5
    monkeypatch.undo()
    command = resume_command(err)
    assert command[command.index("--resume") + 1] == str(checkpoint)
    assert main(command) == 0
    out = capsys.readouterr().out
    assert "holds 4 completed epochs" in out and "Trained epochs 5 to 9" in out
    assert same_npz(whole / "rbm.npz", parts / "rbm.npz")
    _same_run(whole, parts)  # the exact curve too, half of it from the checkpoint
    summary = read_json(parts / "history.json")
    assert summary["checkpoint"] == {
        "file": str(checkpoint),
        "every": 2,
        "resumed_from": str(checkpoint),
        "resumed_after_epoch": 4,
    }
    assert not any(key.startswith("cli_") for key in summary["history"])
    assert sorted(p.name for p in parts.iterdir()) == [
        "checkpoint.npz", "checkpoint.npz.prev", "filters.png", "history.json",
        "learning_curve.png", "manifest.json", "rbm.npz", "samples.png",
    ]  # fmt: skip


def test_a_finished_run_with_a_constant_schedule_goes_on_for_more_epochs(tmp_path, capsys):
    constant = [*SMALL, "--schedule", "constant"]
    longer = [a if a != "9" else "12" for a in constant]
    assert main([*longer, "-o", str(tmp_path / "whole")]) == 0
    checkpoint = str(tmp_path / "run.npz")
    assert main([*constant, "--checkpoint", checkpoint, "-o", str(tmp_path / "parts")]) == 0
    assert main([*longer, "--resume", checkpoint, "-o", str(tmp_path / "parts")]) == 0
    assert "Trained epochs 10 to 12" in capsys.readouterr().out
    assert same_npz(tmp_path / "whole" / "rbm.npz", tmp_path / "parts" / "rbm.npz")
    # nothing left to do: the files are written again from the checkpoint
    assert main([*longer, "--resume", checkpoint, "-o", str(tmp_path / "again")]) == 0
    assert "Nothing left to train: the checkpoint holds all 12 epochs" in capsys.readouterr().out
    assert same_npz(tmp_path / "whole" / "rbm.npz", tmp_path / "again" / "rbm.npz")


def test_ctrl_c_of_a_resumed_run_before_its_first_epoch_says_how_to_resume(
    tmp_path, capsys, monkeypatch
):
    checkpoint = tmp_path / "run.npz"
    _interrupt_after(monkeypatch, 2)
    assert main([*SMALL, "--checkpoint", str(checkpoint), "-o", str(tmp_path / "a")]) == 130
    from energynets.learning import contrastive

    def interrupted_at_once(rbm, data, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(contrastive, "fit_rbm", interrupted_at_once)  # Ctrl-C at once
    command = resume_command(capsys.readouterr().err)
    assert main([*command[:-1], str(tmp_path / "b")]) == 130
    err = capsys.readouterr().err
    assert f"The checkpoint {checkpoint} holds 2 completed epochs" in err
    assert err.strip().endswith("energynets train-rbm: interrupted")
    assert not any((tmp_path / "b").iterdir())


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    """Checkpoints of SMALL for 5 epochs (with its linear schedule, and a constant one), of
    fit_rbm and fit_mlp called from Python; an RBM model file, a text file."""
    import contextlib
    import io as text_io

    folder = tmp_path_factory.mktemp("checkpoints")
    names = ("cli", "constant", "python", "mlp", "model", "text")
    paths = {name: folder / f"{name}.npz" for name in names}
    with (
        contextlib.redirect_stdout(text_io.StringIO()),
        contextlib.redirect_stderr(text_io.StringIO()),
    ):
        for name, schedule in (("cli", "linear"), ("constant", "constant")):
            argv = [*SMALL, "--epochs", "5", "--schedule", schedule]
            argv += ["--checkpoint", str(paths[name]), "-o", str(folder / name)]
            assert main(argv) == 0
    en.fit_rbm(en.RBM(4, 3, rng=0), en.datasets.bars_and_stripes(2), checkpoint=paths["python"])
    X = np.eye(4)
    en.fit_mlp(en.MLP([4, 2]), X, [0, 1, 0, 1], n_epochs=1, checkpoint=paths["mlp"])
    io.save(en.RBM(4, 3, rng=0), paths["model"])
    paths["text"].write_text("not a checkpoint")
    return paths


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--resume", "{missing}"], "argument --resume: no such file"),
        (["--resume", "{folder}"], "is a folder, not a checkpoint"),
        (["--resume", "{text}"], "argument --resume: cannot resume from"),
        (["--resume", "{model}"], "not an energynets checkpoint"),
        (["--resume", "{mlp}"], "it is a checkpoint of fit_mlp, not fit_rbm"),
        (["--resume", "{python}"], "was not written by energynets train-rbm"),
        (["--resume", "{cli}", "--seed", "5"], "was written with --seed 4 (now 5)"),
        (
            ["--resume", "{cli}", "--method", "cd", "-k", "2"],
            "was written with --method pcd (now cd), --chains 50 (now unset), -k 1 (now 2)",
        ),
        (["--resume", "{cli}"], "--epochs 5 (now 9); with --schedule linear the learning rate"),
        (["--resume", "{cli}", "--schedule", "constant"], "--schedule linear (now constant)"),
        (
            ["--resume", "{constant}", "--schedule", "constant", "--epochs", "3"],
            "holds 5 completed epochs, more than --epochs 3",
        ),
        (["--resume", ""], "argument --resume: expected a file name, got ''"),
        (["--checkpoint-every", "2"], "--checkpoint-every applies with --checkpoint or --resume"),
        (["--checkpoint-every", "0"], "argument --checkpoint-every: expected an integer >= 1"),
        (["--checkpoint", "{cli}"], "already exists; continue it with --resume"),
        (["--checkpoint", "{folder}"], "is a folder; give a file such as"),
        (["--checkpoint", "{text}/c.npz"], "text.npz' is not a folder"),
        (["--checkpoint", "{out}/rbm.npz"], "is the command's own output file rbm.npz"),
        (["--checkpoint", ""], "argument --checkpoint: expected a file name, got ''"),
    ],
)
def test_bad_checkpoint_options_give_one_line_before_any_work(
    argv, match, checkpoints, tmp_path, capsys
):
    names = {name: str(path) for name, path in checkpoints.items()}
    names.update(missing=str(tmp_path / "missing.npz"), folder=str(tmp_path), out="{out}")
    argv = [a.format(**names).replace("{out}", str(tmp_path / "out")) for a in argv]
    assert main([*SMALL, *argv, "-o", str(tmp_path / "out")]) == 2
    assert match in one_line_error(capsys, "energynets train-rbm")
    assert not (tmp_path / "out").exists()


# -- eval-rbm -----------------------------------------------------------------------------------


def test_eval_rbm_exact_equals_metrics(bas_run, capsys):
    out, _, _ = bas_run
    model = io.load(out / "rbm.npz")
    exact = metrics.log_likelihood(model, BAS3)
    assert main(["eval-rbm", str(out / "rbm.npz"), "--dataset", "bars-and-stripes"]) == 0
    stdout = capsys.readouterr().out
    assert "Exact, enumerating the 9 visible units" in stdout
    assert _printed(r"mean log-likelihood: (-?\d+\.\d+) nats", stdout) == round(exact, 4)
    assert main(["eval-rbm", str(out / "rbm.npz"), "--dataset", "bars-and-stripes", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["estimator"] == "exact" and result["rows"] == 14
    assert result["log_likelihood"] == pytest.approx(exact, abs=1e-12)
    assert result["log_partition"] == pytest.approx(metrics.rbm_log_partition(model), abs=1e-12)


def test_eval_rbm_ais_brackets_the_exact_log_partition(bas_run, capsys):
    out, _, _ = bas_run
    model = io.load(out / "rbm.npz")
    argv = ["eval-rbm", str(out / "rbm.npz"), "--dataset", "bars-and-stripes",
            "--estimator", "ais", "--betas", "1000", "--json"]  # fmt: skip
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    log_z = metrics.rbm_log_partition(model)
    mean_f = float(np.mean(model.free_energy(BAS3)))
    assert result["mean_free_energy"] == pytest.approx(mean_f, abs=1e-12)
    assert result["runs"] == 100 and result["betas"] == 1000
    for key in ("ais", "reverse_ais"):
        est = result[key]
        low, high = est["log_partition_interval"]
        assert low <= log_z <= high, (key, est)  # the +-3 standard error interval
        assert est["log_likelihood"] == pytest.approx(-mean_f - est["log_partition"], abs=1e-12)
        assert est["log_likelihood_interval"] == pytest.approx([-mean_f - high, -mean_f - low])


def test_eval_rbm_ais_on_a_model_too_large_to_enumerate(tmp_path, capsys):
    # 36 visible (6 x 6 bars-and-stripes) and 30 hidden units: both layers > 25
    path = tmp_path / "big.npz"
    io.save(en.RBM(36, 30, rng=0, weight_scale=0.05), path)
    argv = ["eval-rbm", str(path), "--dataset", "bars-and-stripes", "--runs", "8", "--betas", "60"]
    assert main(argv) == 0
    stdout = capsys.readouterr().out
    assert "Data: bars-and-stripes 6 x 6 (126 patterns)" in stdout
    assert "8 runs each, 60 inverse temperatures" in stdout
    rows = {line.split()[0]: line for line in stdout.splitlines() if line.startswith("  ")}
    assert set(rows) == {"log", "AIS", "reverse"}
    for label in ("AIS", "reverse"):
        numbers = re.findall(r"-?\d+\.\d+|-?inf", rows[label])
        log_z, z_low, z_high, ll, ll_low, ll_high = (float(x) for x in numbers)
        assert z_low <= log_z <= z_high and ll_low <= ll <= ll_high
    # --json: the same numbers, machine-readable
    assert main([*argv, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["estimator"] == "ais" and result["n_visible"] == 36
    assert set(result) >= {"ais", "reverse_ais", "mean_free_energy"}


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--dataset", "digits", "--size", "3"], "--size applies to --dataset bars-and-stripes"),
        (["--size", "13"], "--size must be <= 12"),
        (["--size", "1"], "argument --size: expected an integer >= 2, got 1"),
        (["--binarize", "threshold"], "--binarize does not apply to --dataset bars-and-stripes"),
        (["--dataset", "digits", "--data-home", "x"], "--data-home applies to --dataset mnist"),
        (["--method", "cd", "--chains", "5"], "--chains applies to --method pcd and pt"),
        (["--replicas", "3"], "--replicas applies to --method pt, got --method pcd"),
        (["--momentum", "1"], "argument --momentum: expected a number in [0, 1) or 'hinton'"),
        (["--momentum", "fast"], "expected a number in [0, 1) or 'hinton', got 'fast'"),
        (["--learning-rate", "0"], "argument --learning-rate: expected a number > 0, got 0"),
        (["--weight-decay", "-1"], "argument --weight-decay: expected a number >= 0, got -1"),
        (["--epochs", "0"], "argument --epochs: expected an integer >= 1, got 0"),
        (["--method", "sgd"], "argument --method: invalid choice: 'sgd'"),
        (["--dataset", "cifar"], "argument --dataset: invalid choice: 'cifar'"),
        (
            ["--dataset", "mnist", "--data-home", "/nonexistent/folder"],
            "--dataset mnist: could not download mnist file train-images-idx3-ubyte.gz",
        ),
    ],
)
def test_train_rbm_bad_arguments_give_one_line_and_status_2(argv, match, tmp_path, capsys):
    assert main(["train-rbm", *argv, "-o", str(tmp_path / "out")]) == 2
    assert match in one_line_error(capsys, "energynets train-rbm")
    assert not (tmp_path / "out").exists()


@pytest.fixture
def models(tmp_path):
    paths = {}
    paths["hopfield"] = tmp_path / "hopfield.npz"
    io.save(en.HopfieldNetwork.from_patterns(np.array([[1.0, -1.0, 1.0, -1.0]])), paths["hopfield"])
    paths["small"] = tmp_path / "small.npz"
    io.save(en.RBM(9, 4, rng=0), paths["small"])
    paths["odd"] = tmp_path / "odd.npz"
    io.save(en.RBM(10, 3, rng=0), paths["odd"])
    paths["big"] = tmp_path / "big.npz"
    io.save(en.RBM(36, 30, rng=0), paths["big"])
    paths["gaussian"] = tmp_path / "gaussian.npz"
    io.save(en.RBM(9, 3, visible="gaussian", rng=0), paths["gaussian"])
    paths["text"] = tmp_path / "notes.npz"
    paths["text"].write_text("not a model")
    paths["missing"] = tmp_path / "missing.npz"
    return paths


@pytest.mark.parametrize(
    ("model", "argv", "match"),
    [
        ("missing", [], "argument MODEL: no such file"),
        ("hopfield", [], "holds a HopfieldNetwork, not an RBM"),
        ("text", [], "argument MODEL: cannot load"),
        ("gaussian", [], "has gaussian visible units"),
        ("small", ["--dataset", "digits"], "--dataset digits has 64 columns (8 x 8 images) but"),
        ("small", ["--size", "4"], "--dataset bars-and-stripes has 16 columns (4 x 4 images)"),
        ("odd", [], "the model's 10 visible units are not the pixels of an n x n image"),
        ("big", ["--estimator", "exact"], "--estimator exact needs a layer of at most 25 units"),
        ("small", ["--runs", "1"], "argument --runs: expected an integer >= 2, got 1"),
        ("small", ["--betas", "1"], "argument --betas: expected an integer >= 2, got 1"),
    ],
)
def test_eval_rbm_bad_input_gives_one_line_and_status_2(models, model, argv, match, capsys):
    dataset = [] if "--dataset" in argv else ["--dataset", "bars-and-stripes"]
    assert main(["eval-rbm", str(models[model]), *dataset, *argv]) == 2
    assert match in one_line_error(capsys, "energynets eval-rbm")


def test_eval_rbm_needs_a_model_and_a_dataset(models, capsys):
    assert main(["eval-rbm", str(models["small"])]) == 2
    assert "the following arguments are required: --dataset" in one_line_error(
        capsys, "energynets eval-rbm"
    )
    assert main(["eval-rbm"]) == 2
    assert "MODEL" in one_line_error(capsys, "energynets eval-rbm")


def test_help_lists_the_options(capsys):
    options = {
        "train-rbm": ["--dataset", "--size", "--data-home", "--binarize", "--limit", "--hidden",
                      "--method", "-k", "--epochs", "--batch-size", "--learning-rate",
                      "--momentum", "--schedule", "--weight-decay", "--centering", "--chains",
                      "--float32", "--checkpoint", "--checkpoint-every", "--resume", "--seed",
                      "--output", "defaults per data set"],
        "eval-rbm": ["MODEL", "--dataset", "--split", "--estimator", "--runs", "--betas",
                     "--json", "--seed"],
    }  # fmt: skip
    assert main(["--help"]) == 0
    top = capsys.readouterr().out
    for command, names in options.items():
        assert command in top
        assert main([command, "--help"]) == 0
        text = capsys.readouterr().out
        assert text.startswith(f"usage: energynets {command}")
        for name in names:
            assert name in text, (command, name)
