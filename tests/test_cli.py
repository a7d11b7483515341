"""The command line, called in-process through main(): files, exit codes, one-line errors."""

import subprocess
import sys

import pytest
from PIL import Image

import energynets as en
from energynets.cli import main


def _one_line_error(capsys, prefix):
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"{prefix}: error: "), lines[0]
    assert "Traceback" not in err
    return lines[0]


def test_recall_writes_its_pictures_and_prints_the_overlaps(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["recall", "--letters", "ix", "--seed", "1", "--output", str(out)]) == 0
    stdout = capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["energy.png", "recall.gif", "recall.png"]
    for name in ("recall.png", "energy.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"
    with Image.open(out / "recall.gif") as gif:
        assert gif.format == "GIF" and gif.is_animated
    # the table: each probe's overlap with its pattern before (0.604 = 1 - 2 * 38/192) and after
    assert "m before" in stdout and "m after" in stdout
    rows = [line.split() for line in stdout.splitlines() if line.split()[:1] in (["I"], ["X"])]
    assert [r[:3] for r in rows] == [["I", "0.604", "1.000"], ["X", "0.604", "1.000"]]
    assert "2 of 2 recalled exactly" in stdout
    assert str(out / "recall.png") in stdout


def test_recall_is_reproducible_and_takes_sync_dynamics(tmp_path, capsys):
    args = ["recall", "--letters", "AX", "--dynamics", "sync", "--flip-fraction", "0.3"]
    assert main([*args, "--output", str(tmp_path / "a")]) == 0
    first = capsys.readouterr().out
    assert main([*args, "--output", str(tmp_path / "b")]) == 0
    second = capsys.readouterr().out
    assert first.replace(str(tmp_path / "a"), "") == second.replace(str(tmp_path / "b"), "")
    assert "recalling with sync dynamics" in first


def test_capacity_writes_the_figure_and_prints_the_table(tmp_path, capsys):
    argv = [
        "capacity",
        "--n-units", "30",
        "--alphas", "0.1,0.3",
        "--rules", "hebbian,storkey",
        "--trials", "1",
        "--seed", "3",
        "--output", str(tmp_path),
    ]  # fmt: skip
    assert main(argv) == 0
    stdout = capsys.readouterr().out
    assert (tmp_path / "capacity.png").read_bytes()[:4] == b"\x89PNG"
    assert "one_step_error" in stdout
    table = [
        line.split() for line in stdout.splitlines() if line.startswith(("hebbian", "storkey"))
    ]
    assert [(r[0], r[2]) for r in table] == [
        ("hebbian", "3"),
        ("hebbian", "9"),
        ("storkey", "3"),
        ("storkey", "9"),
    ]


def test_demo_with_a_small_capacity_scene(tmp_path, capsys):
    assert main(["demo", "--n-units", "30", "--output", str(tmp_path)]) == 0
    stdout = capsys.readouterr().out
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["capacity.png", "energy.png", "recall.gif", "recall.png", "rules.png"]
    assert str(tmp_path) in stdout


@pytest.mark.parametrize(
    ("argv", "prefix", "match"),
    [
        (["recall", "--rule", "oja"], "energynets recall", "invalid choice: 'oja'"),
        (["recall", "--flip-fraction", "2"], "energynets recall", "in [0, 1], got 2"),
        (["recall", "--seed", "-1"], "energynets recall", "integer >= 0, got -1"),
        (["recall", "--letters", "A?"], "energynets recall", "no glyph for '?'"),
        (["recall", "--letters", "ABA"], "energynets recall", "'A' more than once"),
        (["recall", "--colour"], "energynets recall", "unrecognized arguments: --colour"),
        (["capacity", "--rules", "hebbian,oja"], "energynets capacity", "unknown rule 'oja'"),
        (["capacity", "--alphas", "0.1,x"], "energynets capacity", "got 'x'"),
        (["capacity", "--alphas", "0.1,-2"], "energynets capacity", "loads must be > 0"),
        (["capacity", "--n-units", "ten"], "energynets capacity", "expected an integer"),
        (["teleport"], "energynets", "invalid choice: 'teleport'"),
        ([], "energynets", "required: COMMAND"),
    ],
)
def test_bad_arguments_give_one_line_and_status_2(argv, prefix, match, capsys):
    assert main(argv) == 2
    line = _one_line_error(capsys, prefix)
    assert match in line


def test_library_errors_give_one_line_and_status_2(tmp_path, capsys):
    # a letter to animate that is not stored: a ValueError raised while running
    assert main(["recall", "--letters", "AI", "--animate", "X", "-o", str(tmp_path)]) == 2
    assert "--animate must be one of the stored letters" in _one_line_error(
        capsys, "energynets recall"
    )
    # an output path that is a file
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["capacity", "--n-units", "20", "--alphas", "0.1", "-o", str(blocker)]) == 2
    assert "is not a folder" in _one_line_error(capsys, "energynets capacity")


def test_library_value_error_from_run_capacity(tmp_path, capsys, monkeypatch):
    import energynets.experiments.capacity as capacity

    def broken(**kwargs):
        raise ValueError("alphas must all be > 0\n(loads P / N)")

    monkeypatch.setattr(capacity, "run_capacity", broken)
    assert main(["capacity", "-o", str(tmp_path)]) == 2
    line = _one_line_error(capsys, "energynets capacity")
    assert line.endswith("alphas must all be > 0 (loads P / N)")


def test_version_and_help(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"energynets {en.__version__}"
    assert main(["--help"]) == 0
    top = capsys.readouterr().out
    for command in ("demo", "recall", "capacity"):
        assert command in top
    options = {
        "demo": ["--seed", "--n-units", "--output"],
        "recall": ["--letters", "--rule", "--dynamics", "--flip-fraction", "--seed", "--output"],
        "capacity": ["--n-units", "--alphas", "--rules", "--flip-fraction", "--trials", "--seed"],
    }
    for command, names in options.items():
        assert main([command, "--help"]) == 0
        text = capsys.readouterr().out
        assert text.startswith(f"usage: energynets {command}")
        for name in names:
            assert name in text


def test_python_dash_m_energynets_help():
    out = subprocess.run(
        [sys.executable, "-m", "energynets", "--help"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0
    assert out.stdout.startswith("usage: energynets")
    assert out.stderr == ""
