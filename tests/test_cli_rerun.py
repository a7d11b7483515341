"""A killed run resumes by running the same command again (issue 22): train-rbm, train-mlp
and compare, killed (SIGKILL) at epochs drawn at random with a fixed seed, inside a
checkpoint write, or while publishing their files, then run again, once or several times.

The oracle: the same command run once, never interrupted, in a folder of its own. The model
files and the pictures must be byte-identical to its, and history.json too but for the time
taken and what it says of the checkpoint resumed from; compare, which has no checkpoints and
runs again from the start, must give the same report but for the times measured.

On the main branch before this change, running train-rbm or train-mlp again with the
checkpoint of the run killed was refused ("already exists; continue it with --resume"):
every train-rbm and train-mlp case below fails there.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import energynets
from energynets.cli import main
from tests.cli_helpers import one_line_error, read_json, same_npz

ROOT = Path(energynets.__file__).resolve().parents[1]
#: train-rbm and train-mlp runs of a second or two each (a checkpoint in --output), and
#: their epochs.
RBM = ["train-rbm", "--size", "2", "--hidden", "3", "--epochs", "6", "--seed", "4"]
MLP = ["train-mlp", "--limit", "100", "--hidden", "5", "--epochs", "7", "--seed", "4"]
EPOCHS = {"train-rbm": 6, "train-mlp": 7}
#: compare: three tiny experiments (the presets of the child below), a few seconds.
COMPARE = ["compare", "--experiments", "features,recall,filters", "--seed", "2"]

#: A child process that runs ``energynets ARGS`` and kills itself (SIGKILL) at an injected
#: point: after the training epoch number AT (1 for the first) has ended, before its
#: checkpoint is written ("epoch"; "interrupt" sends SIGINT, Ctrl-C, instead); halfway
#: through writing checkpoint number AT (0 for the first: "save"); before the publication's
#: move number AT ("move"); as compare's experiment number AT starts ("experiment"); or
#: never ("none"). compare runs tiny presets.
CHILD = """
import os, signal, sys
from energynets import _checkpoint, _npz
from energynets.cli import _checkpointing, _output, compare, main

point, at, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
TINY = {
    "features": {"n_hidden": 8, "rbm_epochs": 1, "mlp_hidden": 16, "mlp_epochs": 1,
                 "batch_size": 200, "classifier_tol": 1e-3},
    "recall": {"n_units": 32, "n_patterns": 2, "noise_levels": (0.0, 0.1),
               "pattern_counts": (2, 4), "n_epochs": 2, "n_copies": 5, "n_probes": 1},
    "filters": {"n_hidden": 8, "rbm_epochs": 1, "mlp_epochs": 1, "batch_size": 200},
}
compare.presets = lambda dataset, quick: TINY
count = [0]

def kill():
    os.kill(os.getpid(), signal.SIGKILL)

def nth(real):
    def step(*a, **k):
        count[0] += 1
        if count[0] - 1 == at:
            kill()
        return real(*a, **k)
    return step

if point in ("epoch", "interrupt"):
    ended = _checkpointing.LastEpoch.__call__

    def after(self, epoch, model, history):
        result = ended(self, epoch, model, history)
        if epoch + 1 == at:
            os.kill(os.getpid(), signal.SIGKILL if point == "epoch" else signal.SIGINT)
        return result

    _checkpointing.LastEpoch.__call__ = after
elif point == "save":
    save = _checkpoint.save_checkpoint

    def half_written(file, arrays):
        file.write(b"PK\\x03\\x04 half a checkpoint")
        file.flush()
        kill()

    def saving(*a, **k):
        if count[0] == at:
            _npz.write_npz = half_written
        count[0] += 1
        return save(*a, **k)

    _checkpoint.save_checkpoint = saving
elif point == "move":
    _output._move = nth(_output._move)
elif point == "experiment":
    for name in list(compare._RUNNERS):
        compare._RUNNERS[name] = nth(compare._RUNNERS[name])
sys.exit(main(args))
"""


def _child(tmp_path: Path, point: str, at: int, argv: list[str]) -> subprocess.CompletedProcess:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, str(script), point, str(at), *argv],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _published(folder: Path) -> dict[str, str]:
    """The files of the manifest of ``folder``, each checked to have its size and hash, the
    folder holding nothing else but the checkpoints (no lock, no staging folder; the
    temporary of a checkpoint write killed stays until it is old enough to be stale)."""
    manifest = read_json(folder / "manifest.json")
    names = [entry["name"] for entry in manifest["files"]]
    for entry in manifest["files"]:
        assert _sha256(folder / entry["name"]) == entry["sha256"], entry["name"]
    checkpoints = ["checkpoint.npz", "checkpoint.npz.prev"]
    found = [
        p.name
        for p in folder.iterdir()
        if p.name not in checkpoints
        and not re.fullmatch(r"\.checkpoint\.npz\.\w+\.tmp\.npz", p.name)
    ]
    assert sorted(found) == sorted([*names, "manifest.json"])
    return {entry["name"]: entry["sha256"] for entry in manifest["files"]}


def _same_files(folder: Path, reference: Path) -> None:
    """``folder`` holds the files of ``reference``, byte-identical but for history.json, which
    is the same but for the time taken and the checkpoint resumed from (see _history)."""
    hashes, expected = _published(folder), _published(reference)
    assert sorted(hashes) == sorted(expected)
    assert {k: v for k, v in hashes.items() if k != "history.json"} == {
        k: v for k, v in expected.items() if k != "history.json"
    }
    assert _history(folder / "history.json") == _history(reference / "history.json")


def _history(path: Path) -> dict:
    """history.json but for the time taken (per epoch and in all) and what it says of the
    checkpoint resumed from."""
    summary = read_json(path)
    summary.pop("seconds")
    summary.pop("checkpoint")
    summary["history"].pop("time")
    return summary


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    """The output folder of each training command run once, never interrupted."""
    folders = {}
    for argv in (RBM, MLP):
        folders[argv[0]] = tmp_path_factory.mktemp(argv[0])
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            assert main([*argv, "--checkpoint", "-o", str(folders[argv[0]])]) == 0
    return folders


def _kill_points(command: str) -> list[list[tuple[str, int]]]:
    """Single kills, one run killed twice and one Ctrl-C: at epochs drawn at random (seeded),
    at the first and the last, in a checkpoint write, while publishing."""
    rng = np.random.default_rng(22)
    n = EPOCHS[command]
    first, second = sorted(rng.choice(np.arange(1, n + 1), size=2, replace=False).tolist())
    write = int(rng.integers(0, n))
    return [
        [("epoch", first)],
        [("epoch", second)],
        [("save", write)],
        [("move", 1)],
        [("epoch", first), ("save", second - first)],  # the rerun killed too
        [("interrupt", second)],  # Ctrl-C: the files of epoch `second` published, then resumed
        [("epoch", 1)],  # before the first checkpoint: the run again starts afresh
        [("epoch", n)],  # before the last checkpoint
    ]


CASES = [
    pytest.param(
        argv, every, kills, id=f"{argv[0]}-every{every}-" + "-".join(f"{p}{a}" for p, a in kills)
    )
    for argv in (RBM, MLP)
    for every in (1, 2)
    for kills in _kill_points(argv[0])
    if every == 1 or kills[0][0] == "epoch"  # with --checkpoint-every 2: from 2 epochs before
]


@pytest.mark.parametrize(("argv", "every", "kills"), CASES)
def test_a_killed_training_run_again_ends_as_one_never_killed(
    argv, every, kills, references, tmp_path
):
    out = tmp_path / "out"
    command = [*argv, "--checkpoint", "-o", str(out)]
    if every != 1:
        command += ["--checkpoint-every", str(every)]
    for point, at in kills:
        killed = _child(tmp_path, point, at, command)
        assert killed.returncode == (130 if point == "interrupt" else -9), killed.stderr
    resumes = (out / "checkpoint.npz").exists()  # else killed before the first was written
    again = _child(tmp_path, "none", 0, command)  # the same command, to the end
    assert again.returncode == 0, again.stderr
    assert ("written by the same command" in again.stdout) == resumes
    reference = references[argv[0]]
    _same_files(out, reference)  # the model and the pictures, byte for byte
    model = "rbm.npz" if argv[0] == "train-rbm" else "mlp.npz"
    assert same_npz(out / model, reference / model)
    assert read_json(out / "history.json")["epochs_completed"] == EPOCHS[argv[0]]


@pytest.mark.parametrize("argv", [RBM, MLP], ids=["train-rbm", "train-mlp"])
def test_a_finished_run_again_has_nothing_to_do(argv, references, tmp_path, capsys):
    out = tmp_path / "out"
    shutil.copytree(references[argv[0]], out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert main([*argv, "--checkpoint", "-o", str(out)]) == 0
    stdout = capsys.readouterr().out
    n = EPOCHS[argv[0]]
    assert stdout == (
        f"Nothing to do: {out / 'checkpoint.npz'} holds epoch {n} of {n}, written by the same "
        f"command, the run over, and {out} holds its files, unchanged.\n"
    )
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # history.json too


@pytest.mark.parametrize(
    "change", ["removed", "edited", "no manifest", "partial manifest", "another run's history"]
)
@pytest.mark.parametrize("argv", [RBM, MLP], ids=["train-rbm", "train-mlp"])
def test_a_finished_run_whose_files_changed_again_writes_them_again(
    argv, change, references, tmp_path, capsys
):
    out = tmp_path / "out"
    shutil.copytree(references[argv[0]], out)
    if change == "removed":
        (out / "learning_curve.png").unlink()
    elif change == "edited":
        (out / "history.json").write_text("{}")
    elif change == "no manifest":
        (out / "manifest.json").unlink()
    else:  # a manifest that holds, but of a part of the files, or of another run's history
        manifest = read_json(out / "manifest.json")
        history = out / "history.json"
        if change == "partial manifest":
            manifest["files"] = [e for e in manifest["files"] if e["name"] == "history.json"]
        else:
            summary = read_json(history)
            summary["settings"]["seed"] = 5
            history.write_text(json.dumps(summary))
        for entry in manifest["files"]:
            if entry["name"] == "history.json":
                entry.update(bytes=history.stat().st_size, sha256=_sha256(history))
        (out / "manifest.json").write_text(json.dumps(manifest))
    assert main([*argv, "--checkpoint", "-o", str(out)]) == 0
    stdout = capsys.readouterr().out
    n = EPOCHS[argv[0]]
    checkpoint = out / "checkpoint.npz"
    assert f"Resuming from {checkpoint}: epoch {n} of {n}, written by the same command." in stdout
    assert f"Nothing left to train: the checkpoint holds all {n} epochs." in stdout
    _same_files(out, references[argv[0]])


def test_an_early_stopped_run_killed_while_publishing_again_keeps_the_same_network(tmp_path):
    argv = ["train-mlp", "--limit", "100", "--hidden", "20", "--epochs", "30", "--learning-rate",
            "0.3", "--schedule", "constant", "--early-stopping", "2", "--validation-fraction",
            "0.5", "--seed", "4", "--checkpoint"]  # fmt: skip
    reference = _child(tmp_path, "none", 0, [*argv, "-o", str(tmp_path / "reference")])
    assert reference.returncode == 0, reference.stderr
    # the case named: it stops after 10 of the 30 epochs and keeps the network of the 8th
    assert "Stopped early" in reference.stdout and "of epoch 8 " in reference.stdout
    out = tmp_path / "out"
    assert _child(tmp_path, "move", 2, [*argv, "-o", str(out)]).returncode == -9
    again = _child(tmp_path, "none", 0, [*argv, "-o", str(out)])
    assert again.returncode == 0, again.stderr
    _same_files(out, tmp_path / "reference")


def test_a_damaged_checkpoint_is_resumed_from_its_previous_one(references, tmp_path, capsys):
    out = tmp_path / "out"
    command = [*RBM, "--checkpoint", "-o", str(out)]
    assert _child(tmp_path, "epoch", 4, command).returncode == -9  # 3 epochs in the checkpoint
    checkpoint = out / "checkpoint.npz"
    checkpoint.write_bytes(checkpoint.read_bytes()[:300])  # damaged after it was written
    assert main(command) == 0
    stdout = capsys.readouterr().out
    assert f"Cannot resume from '{checkpoint}': not a valid .npz" in stdout
    assert f"Resuming from {checkpoint}.prev: epoch 2 of 6, written by the same command." in stdout
    _same_files(out, references["train-rbm"])


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (["--seed", "5"], "--seed 4 (now 5)"),
        (["--epochs", "8"], "--epochs 6 (now 8)"),
        (["--hidden", "4", "--batch-size", "3"], "--hidden 3 (now 4), --batch-size 2 (now 3)"),
    ],
)
def test_a_checkpoint_of_other_settings_is_refused_naming_them(
    change, says, references, tmp_path, capsys
):
    out = tmp_path / "out"
    shutil.copytree(references["train-rbm"], out)
    before = _published(out)
    checkpoint = out / "checkpoint.npz"
    assert main([*RBM, *change, "--checkpoint", "-o", str(out)]) == 2
    message = one_line_error(capsys, "energynets train-rbm")
    assert (
        f"argument --checkpoint: {str(checkpoint)!r} already exists; continue it with " in message
    )
    assert (
        f"--resume {checkpoint} and the options of that run (it was written with {says})" in message
    )
    assert message.endswith("or remove it to start afresh")
    assert _published(out) == before  # nothing changed


@pytest.mark.parametrize("damage", ["both", "no previous"])
def test_a_damaged_checkpoint_without_a_usable_previous_is_refused(
    damage, references, tmp_path, capsys
):
    out = tmp_path / "out"
    shutil.copytree(references["train-rbm"], out)
    checkpoint = out / "checkpoint.npz"
    for path in (checkpoint, Path(f"{checkpoint}.prev")):
        path.write_bytes(b"not a checkpoint")
    if damage == "no previous":
        Path(f"{checkpoint}.prev").unlink()
    assert main([*RBM, "--checkpoint", "-o", str(out)]) == 2
    message = one_line_error(capsys, "energynets train-rbm")
    assert f"argument --checkpoint: cannot resume from {str(checkpoint)!r}: " in message
    assert message.endswith("; remove it to start afresh")


def test_a_checkpoint_written_from_python_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    energynets.fit_rbm(
        energynets.RBM(4, 3, rng=0),
        energynets.datasets.bars_and_stripes(2),
        n_epochs=2,
        checkpoint=out / "checkpoint.npz",
    )
    assert main([*RBM, "--checkpoint", "-o", str(out)]) == 2
    message = one_line_error(capsys, "energynets train-rbm")
    assert "already exists and was not written by energynets train-rbm; remove it" in message


# -- compare: no checkpoints, it runs again from the start --------------------------------------


def _without_times(value):
    """``value`` (a report) without the entries that hold times measured."""
    if isinstance(value, dict):
        return {
            k: _without_times(v) for k, v in value.items() if "seconds" not in k and k != "time"
        }
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def _report(folder: Path) -> dict:
    report = json.loads((folder / "report.json").read_text())
    return _without_times(report["results"])


def _compare_kill_points() -> list[tuple[str, int]]:
    rng = np.random.default_rng(22)
    return [("experiment", int(k)) for k in rng.choice(3, size=2, replace=False)] + [
        ("move", 0),
        ("move", 3),
    ]


@pytest.fixture(scope="module")
def compare_reference(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    done = _child(folder, "none", 0, [*COMPARE, "-o", str(folder / "out")])
    assert done.returncode == 0, done.stderr
    return folder / "out"


@pytest.mark.parametrize(("point", "at"), _compare_kill_points())
def test_a_killed_compare_run_again_gives_the_same_report(point, at, compare_reference, tmp_path):
    out = tmp_path / "out"
    killed = _child(tmp_path, point, at, [*COMPARE, "-o", str(out)])
    assert killed.returncode == -9, killed.stderr
    again = _child(tmp_path, "none", 0, [*COMPARE, "-o", str(out)])
    assert again.returncode == 0, again.stderr
    assert sorted(_published(out)) == sorted(_published(compare_reference))
    assert _report(out) == _report(compare_reference)
