"""The output folders of the commands against a hostile user: two runs at once, kills and
Ctrl-C while the files are written or published, an unwritable folder, names too long.

The oracles: a run never interrupted (its model, bit for bit, and its manifest's hashes),
and the manifest itself (every file it lists has its size and SHA-256). On today's main a
second run on a folder in use exits 0, an interrupted write leaves a lone rbm.npz, an
unwritable folder is found after training, and a 300-character name is a bare "File name
too long": every test below fails there.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import energynets
from energynets import cli
from energynets.cli import _output, main
from tests.cli_helpers import one_line_error, read_json, resume_command, same_npz

#: A train-rbm run of about a second, and the same with another seed.
SMALL = ["train-rbm", "--size", "2", "--hidden", "3", "--epochs", "4", "--seed", "4"]
OTHER = [*SMALL[:-1], "5"]
#: What train-rbm publishes, in the order it moves them (the manifest last).
RBM_FILES = ["rbm.npz", "filters.png", "samples.png", "learning_curve.png", "history.json"]
ROOT = Path(energynets.__file__).resolve().parents[1]

#: A child process that runs ``energynets ARGS`` with a signal sent to itself at an injected
#: point: before the publication's move number AT ("move"), or before the staged picture
#: number AT ("picture"); or that pauses before training until its stdin closes ("pause":
#: it prints "paused" then); or that only holds the lock of the folder ARGS[0] until its
#: stdin closes ("hold": it prints "locked" once it holds it).
CHILD = """
import os, signal, sys
from energynets import plotting
from energynets.cli import _output, main
from energynets.learning import contrastive

point, at, how, args = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
if point == "hold":
    with _output.output_folder(args[0]):
        print("locked", flush=True)
        sys.stdin.read()
    sys.exit(0)
if point == "pause":
    fit_rbm = contrastive.fit_rbm

    def paused(*a, **k):
        print("paused", flush=True)
        sys.stdin.read()
        return fit_rbm(*a, **k)

    contrastive.fit_rbm = paused
    sys.exit(main(args))
count = [0]

def injected(real):
    def step(*a, **k):
        if count[0] == at:
            os.kill(os.getpid(), getattr(signal, how))
        count[0] += 1
        return real(*a, **k)
    return step

if point == "move":
    _output._move = injected(_output._move)
else:
    plotting.save_figure = injected(plotting.save_figure)
sys.exit(main(args))
"""


def _child(tmp_path: Path, *argv: str, **options) -> subprocess.Popen:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    return subprocess.Popen(
        [sys.executable, str(script), *argv], env=env, text=True, cwd=tmp_path, **options
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _complete_set(folder: Path, others: tuple[str, ...] = ()) -> dict:
    """The manifest of ``folder``, checked: every file it lists has its size and hash, and
    the folder holds those, the manifest and ``others``, nothing hidden left behind."""
    manifest = read_json(folder / "manifest.json")
    names = [entry["name"] for entry in manifest["files"]]
    for entry in manifest["files"]:
        path = folder / entry["name"]
        assert path.stat().st_size == entry["bytes"], entry["name"]
        assert _sha256(path) == entry["sha256"], entry["name"]
    assert sorted(p.name for p in folder.iterdir()) == sorted([*names, "manifest.json", *others])
    return manifest


def _hashes(manifest: dict) -> dict[str, str]:
    """The hashes of a train-rbm manifest, history.json aside (it holds the time taken)."""
    return {e["name"]: e["sha256"] for e in manifest["files"] if e["name"] != "history.json"}


def _run(argv: list[str]) -> int:
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(argv)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two folders, each the complete output of a run never interrupted: SMALL ("reference")
    and OTHER ("old", the one found in the folder before a run)."""
    folders = {}
    for name, argv in (("reference", SMALL), ("old", OTHER)):
        folders[name] = tmp_path_factory.mktemp(name)
        assert _run([*argv, "-o", str(folders[name])]) == 0
    return folders


def _old_run_in(tmp_path: Path, runs: dict[str, Path]) -> tuple[Path, dict]:
    out = tmp_path / "out"
    shutil.copytree(runs["old"], out)
    return out, _complete_set(out)


def _stopped_at_once(monkeypatch) -> None:
    """The next train-rbm is stopped by Ctrl-C before its first epoch (after it took the
    folder's lock, and completed what an earlier run left half published)."""
    from energynets.learning import contrastive

    def ctrl_c(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(contrastive, "fit_rbm", ctrl_c)


# -- two runs on one folder ---------------------------------------------------------------------


def test_a_second_run_on_a_folder_in_use_is_refused_naming_the_first(tmp_path, capsys, runs):
    out = tmp_path / "out"
    argv = [*SMALL, "--checkpoint", "-o", str(out)]
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE}
    child = _child(tmp_path, "pause", "0", "-", *argv, **pipes)
    try:  # the first run holds the lock; it trains once the second has been refused
        assert child.stdout is not None
        lines = [child.stdout.readline() for _ in range(3)]
        assert lines[-1] == "paused\n", lines
        assert main([*OTHER, "--checkpoint", "-o", str(out)]) == 2
        message = one_line_error(capsys, "energynets train-rbm")
    finally:
        child.communicate(timeout=300)
    assert child.returncode == 0
    assert f"is in use by another run (pid {child.pid}: " in message
    assert shlex.join(argv) in message  # its command line
    # the first run's files alone, all of them, bit-identical to a run never disturbed
    manifest = _complete_set(out, ("checkpoint.npz", "checkpoint.npz.prev"))
    assert _hashes(manifest) == _hashes(read_json(runs["reference"] / "manifest.json"))
    assert same_npz(out / "rbm.npz", runs["reference"] / "rbm.npz")
    # and once it ended, the folder is free again
    assert _run([*SMALL, "--resume", str(out / "checkpoint.npz"), "-o", str(out)]) == 0
    assert same_npz(out / "rbm.npz", runs["reference"] / "rbm.npz")


def _commands_with_output() -> list[str]:
    parser = cli.build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return [
        name
        for name, command in sub.choices.items()
        if any("--output" in action.option_strings for action in command._actions)
    ]


def test_every_command_refuses_a_folder_in_use_then_takes_it_after_a_kill(tmp_path, capsys):
    out = tmp_path / "out"
    holder = _child(
        tmp_path, "hold", "0", "-", str(out), stdout=subprocess.PIPE, stdin=subprocess.PIPE
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    commands = _commands_with_output()
    assert len(commands) == 8, commands  # demo, recall, capacity, sample, train-rbm, ...
    try:
        for command in commands:  # refused before any work (demo would take half a minute)
            assert main([command, "--output", str(out)]) == 2, command
            message = one_line_error(capsys, f"energynets {command}")
            assert f"--output {str(out)!r} is in use by another run (pid {holder.pid}" in message
    finally:
        holder.kill()  # SIGKILL: its lock file stays, and its lock goes with it
        holder.wait()
    assert (out / ".energynets.lock").read_text().split("\n")[0] == str(holder.pid)
    assert _run([*SMALL, "-o", str(out)]) == 0
    _complete_set(out)  # the lock file removed at the end


# -- kills and Ctrl-C while the files are published ----------------------------------------------


@pytest.mark.parametrize("at", range(len(RBM_FILES) + 1))
def test_ctrl_c_while_publishing_is_completed_by_the_next_run(
    at, runs, tmp_path, capsys, monkeypatch
):
    out, _ = _old_run_in(tmp_path, runs)
    real, count = _output._move, iter(range(100))

    def interrupted(source, target):
        if next(count) == at:
            raise KeyboardInterrupt
        real(source, target)

    monkeypatch.setattr(_output, "_move", interrupted)
    assert main([*SMALL, "-o", str(out)]) == 130
    assert "Interrupted while publishing the files" in capsys.readouterr().err
    assert not (out / "manifest.json").exists()  # the folder claims no complete set
    monkeypatch.undo()
    _stopped_at_once(monkeypatch)  # the next run completes it before anything else
    assert main([*SMALL, "-o", str(out)]) == 130
    assert "Completed the publication of the files of an interrupted run" in capsys.readouterr().err
    manifest = _complete_set(out)
    assert [entry["name"] for entry in manifest["files"]] == RBM_FILES
    assert _hashes(manifest) == _hashes(read_json(runs["reference"] / "manifest.json"))
    assert read_json(out / "history.json")["settings"]["seed"] == 4


@pytest.mark.parametrize(("how", "at", "status"), [("SIGKILL", 0, -9), ("SIGKILL", 3, -9),
                                                   ("SIGINT", 2, 130)])  # fmt: skip
def test_a_signal_while_publishing_then_the_same_command_gives_the_whole_run(
    how, at, status, runs, tmp_path
):
    out, _ = _old_run_in(tmp_path, runs)
    argv = [*SMALL, "-o", str(out)]
    child = _child(tmp_path, "move", str(at), how, *argv, stderr=subprocess.PIPE)
    _, err = child.communicate(timeout=300)
    assert child.returncode == status, err
    assert (out / ".energynets-staging" / "manifest.json").exists()
    assert _run(argv) == 0  # the same command again
    assert _hashes(_complete_set(out)) == _hashes(read_json(runs["reference"] / "manifest.json"))
    assert same_npz(out / "rbm.npz", runs["reference"] / "rbm.npz")


# -- kills and Ctrl-C while the files are written -----------------------------------------------


def test_ctrl_c_while_writing_publishes_nothing_and_says_how_to_resume(
    runs, tmp_path, capsys, monkeypatch
):
    from energynets import plotting

    out = tmp_path / "fresh"
    real, count = plotting.save_figure, iter(range(100))

    def interrupted(*args, **kwargs):
        if next(count) == 1:  # after rbm.npz and filters.png were staged
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(plotting, "save_figure", interrupted)
    assert main([*SMALL, "--checkpoint", "-o", str(out)]) == 130
    err = capsys.readouterr().err
    assert "Interrupted while writing the files: none was published" in err
    assert sorted(p.name for p in out.iterdir()) == ["checkpoint.npz", "checkpoint.npz.prev"]
    monkeypatch.undo()
    assert main(resume_command(err)) == 0
    checkpoints = ("checkpoint.npz", "checkpoint.npz.prev")
    manifest = _complete_set(out, checkpoints)
    assert _hashes(manifest) == _hashes(read_json(runs["reference"] / "manifest.json"))


def test_a_kill_while_writing_keeps_the_old_run_whole(runs, tmp_path):
    out, old = _old_run_in(tmp_path, runs)
    argv = [*SMALL, "-o", str(out)]
    child = _child(tmp_path, "picture", "2", "SIGKILL", *argv, stderr=subprocess.PIPE)
    _, err = child.communicate(timeout=300)
    assert child.returncode == -9, err
    assert (out / ".energynets-staging" / "rbm.npz").exists()  # staged, never published
    assert _complete_set(out, (".energynets-staging", ".energynets.lock")) == old
    assert _run(argv) == 0
    assert _hashes(_complete_set(out)) == _hashes(read_json(runs["reference"] / "manifest.json"))


@pytest.mark.parametrize(
    ("argv", "files"),
    [
        (["train-mlp", "--limit", "30", "--hidden", "3", "--epochs", "1"], 5),
        (["compare", "--quick", "--experiments", "recall"], 3),
    ],
    ids=["train-mlp", "compare"],
)
def test_train_mlp_and_compare_publish_all_their_files_or_none(
    argv, files, tmp_path, capsys, monkeypatch
):
    out = tmp_path / "out"
    real, count = _output._move, iter(range(100))

    def interrupted(source, target):
        if next(count) == 2:
            raise KeyboardInterrupt
        real(source, target)

    monkeypatch.setattr(_output, "_move", interrupted)
    assert main([*argv, "-o", str(out)]) == 130
    assert not (out / "manifest.json").exists()
    monkeypatch.undo()
    staged = read_json(out / ".energynets-staging" / "manifest.json")
    assert len(staged["files"]) == files and staged["command"] == argv[0]
    capsys.readouterr()
    assert main([*argv, "-o", str(out)]) == 0
    assert "Completed the publication" in capsys.readouterr().err
    assert len(_complete_set(out)["files"]) == files


@pytest.mark.parametrize("thing", ["a folder", "a link"])
def test_an_output_file_that_is_not_a_file_is_refused_before_any_work(
    thing, tmp_path, capsys, monkeypatch
):
    from energynets.learning import contrastive

    out = tmp_path / "out"
    out.mkdir()
    if thing == "a folder":
        (out / "samples.png").mkdir()
    else:
        (out / "samples.png").symlink_to(tmp_path / "elsewhere.png")

    def never(*args, **kwargs):
        raise AssertionError("trained before checking the files it replaces")

    monkeypatch.setattr(contrastive, "fit_rbm", never)
    assert main([*SMALL, "-o", str(out)]) == 2
    message = one_line_error(capsys, "energynets train-rbm")
    assert f"--output {str(out)!r} holds 'samples.png', which is not a regular file" in message
    assert sorted(p.name for p in out.iterdir()) == ["samples.png"]
    assert not (tmp_path / "elsewhere.png").exists()


def test_a_file_replaced_keeps_its_permissions(runs, tmp_path):
    out, _ = _old_run_in(tmp_path, runs)
    (out / "history.json").chmod(0o600)
    (out / "rbm.npz").chmod(0o640)
    assert _run([*SMALL, "-o", str(out)]) == 0
    _complete_set(out)
    assert (out / "history.json").stat().st_mode & 0o777 == 0o600
    assert (out / "rbm.npz").stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    "damage",
    ["not json", "a name with a folder", "a hidden name", "a changed file", "a fifo"],
)
def test_a_damaged_staging_folder_is_removed_and_never_published(damage, runs, tmp_path):
    out, old = _old_run_in(tmp_path, runs)
    staging = out / ".energynets-staging"
    shutil.copytree(runs["reference"], staging)
    manifest = staging / "manifest.json"
    data = read_json(manifest)
    if damage == "not json":
        manifest.write_text("{")
    elif damage in ("a name with a folder", "a hidden name"):
        data["files"][0]["name"] = "../rbm.npz" if damage == "a name with a folder" else ".x"
        manifest.write_text(json.dumps(data))
    elif damage == "a changed file":
        (staging / "samples.png").write_bytes(b"not the picture")
    else:
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs here")
        manifest.unlink()
        os.mkfifo(manifest)  # read, it would hang
    _output.finish_publication(out)
    assert _complete_set(out) == old  # nothing published, the staging folder removed


# -- an unwritable folder, names too long ---------------------------------------------------------


def _writable(folder: Path) -> bool:
    import tempfile

    try:
        fd, name = tempfile.mkstemp(dir=folder)
    except OSError:
        return False
    os.close(fd)
    os.unlink(name)
    return True


@pytest.mark.parametrize("where", ["a folder of mode 0o500", "/sys"])
def test_an_unwritable_output_is_an_error_before_any_work(where, tmp_path, capsys, monkeypatch):
    from energynets.learning import contrastive

    if where == "/sys":  # where even root cannot make a file (sysfs)
        out = Path("/sys")
    else:
        out = tmp_path / "read-only"
        out.mkdir()
        out.chmod(0o500)
    if not out.is_dir() or _writable(out):  # root writes into folders of mode 0o500
        pytest.skip(f"this user can write into {where}")

    def never(*args, **kwargs):
        raise AssertionError("trained before checking --output")

    monkeypatch.setattr(contrastive, "fit_rbm", never)
    for command in _commands_with_output():
        assert main([command, "--output", str(out)]) == 2, command
        message = one_line_error(capsys, f"energynets {command}")
        assert f"--output {str(out)!r} is not writable" in message, message


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("-o", "{tmp}/" + "a" * 300, "is 300 bytes long; the file system allows"),
        ("-o", "{tmp}/" + "b" * 256 + "/run", "is 256 bytes long; the file system allows"),
        ("-o", "{tmp}/" + "/".join(["c" * 200] * 25), "the file system allows"),
        ("--checkpoint", "{tmp}/" + "d" * 300 + ".npz", "is 304 bytes long"),
        ("--resume", "{tmp}/" + "e" * 300 + ".npz", "is 304 bytes long"),
        ("-o", "{tmp}/nul\0byte", "which holds a NUL character"),
    ],
    ids=["a long name", "a long folder", "a long path", "--checkpoint", "--resume", "NUL"],
)
def test_a_name_too_long_is_one_line_naming_the_option(option, value, says, tmp_path, capsys):
    value = value.format(tmp=tmp_path)
    argv = [*SMALL, option, value]
    if option != "-o":
        argv += ["-o", str(tmp_path / "out")]
    assert main(argv) == 2
    message = one_line_error(capsys, "energynets train-rbm")
    named = "--output/-o" if option == "-o" else option
    assert message.startswith(f"energynets train-rbm: error: argument {named}: "), message
    assert says in message
    assert not any(tmp_path.iterdir())  # nothing created
