"""The command line, called in-process through main(): files, exit codes, one-line errors."""

import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import energynets as en
from energynets.cli import main
from tests.cli_helpers import one_line_error


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
    assert names == [
        "capacity.png",
        "compare.png",
        "dense.png",
        "energy.png",
        "energy_vs_backprop.png",
        "eqprop_vs_backprop.png",
        "ising_scan.png",
        "rbm_filters.png",
        "rbm_learning_curve.png",
        "rbm_samples.png",
        "recall.gif",
        "recall.png",
        "rules.png",
    ]
    assert str(tmp_path) in stdout
    # the sampling scene: the Ising table with Onsager's T_c, and the sampler race
    assert "Onsager T_c = 2 / ln(1 + sqrt 2) = 2.2692" in stdout
    assert "tempering swap rates" in stdout
    # the RBM scene: the exact log-likelihood of 3 x 3 bars-and-stripes, below its optimum
    # log(1/14) (Gibbs' inequality) and well above the uniform model's 9 log(1/2) = -6.24
    match = re.search(r"training\s+(-?\d+\.\d+) nats \(14 rows\)", stdout)
    assert match is not None, stdout
    assert -3.4 < float(match.group(1)) <= -np.log(14)
    assert "optimum       -2.6391 nats" in stdout
    for name in ("rbm_filters.png", "rbm_samples.png", "rbm_learning_curve.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
    # the dense-memory scene: all 36 correlated glyphs, lost by Hebb, kept by e^z and softmax
    assert re.search(r"hebbian\s+0 of 36 recalled exactly", stdout), stdout
    assert re.search(r"exponential\s+36 of 36 recalled exactly", stdout), stdout
    assert re.search(r"modern\s+36 of 36 recalled exactly", stdout), stdout
    assert (tmp_path / "dense.png").read_bytes()[:4] == b"\x89PNG"
    # the energy-vs-backprop scene: RBM features beat raw pixels, the MLP beats both
    accuracy = {
        name: float(m.group(1))
        for name in ("raw pixels", "RBM features", "MLP")
        if (m := re.search(rf"^{name}\s+\d+\s+\S+\s+(\d\.\d+)", stdout, re.MULTILINE))
    }
    assert len(accuracy) == 3, stdout
    assert accuracy["raw pixels"] < accuracy["RBM features"] < accuracy["MLP"]
    assert (tmp_path / "energy_vs_backprop.png").read_bytes()[:4] == b"\x89PNG"


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
    line = one_line_error(capsys, prefix)
    assert match in line


def test_library_errors_give_one_line_and_status_2(tmp_path, capsys):
    # a letter to animate that is not stored: a ValueError raised while running
    assert main(["recall", "--letters", "AI", "--animate", "X", "-o", str(tmp_path)]) == 2
    assert "--animate must be one of the stored letters" in one_line_error(
        capsys, "energynets recall"
    )
    # an output path that is a file
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["capacity", "--n-units", "20", "--alphas", "0.1", "-o", str(blocker)]) == 2
    assert "is not a folder" in one_line_error(capsys, "energynets capacity")


def test_library_value_error_from_run_capacity(tmp_path, capsys, monkeypatch):
    import energynets.experiments.capacity as capacity

    def broken(**kwargs):
        raise ValueError("alphas must all be > 0\n(loads P / N)")

    monkeypatch.setattr(capacity, "run_capacity", broken)
    assert main(["capacity", "-o", str(tmp_path)]) == 2
    line = one_line_error(capsys, "energynets capacity")
    assert line.endswith("alphas must all be > 0 (loads P / N)")


def test_version_and_help(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"energynets {en.__version__}"
    assert main(["--help"]) == 0
    top = capsys.readouterr().out
    for command in ("demo", "recall", "capacity", "sample", "train-rbm", "eval-rbm"):
        assert command in top
    options = {
        "demo": ["--seed", "--n-units", "--output"],
        "recall": ["--letters", "--rule", "--dynamics", "--flip-fraction", "--seed", "--output"],
        "capacity": ["--n-units", "--alphas", "--rules", "--flip-fraction", "--trials", "--seed"],
        "sample": [
            "--system",
            "--size",
            "--sampler",
            "--temperature",
            "--chains",
            "--sweeps",
            "--burn-in",
            "--seed",
            "--scan",
            "--compare",
            "--samplers",
            "--output",
        ],
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


# -- energynets sample ------------------------------------------------------------------------


def _json(path):
    import json

    with open(path, encoding="utf-8") as f:
        return json.load(f)


def test_sample_writes_picture_and_json_and_prints_the_table(tmp_path, capsys):
    argv = ["sample", "--system", "ring", "--temperature", "1", "--chains", "8",
            "--sweeps", "300", "--seed", "1", "--output", str(tmp_path)]  # fmt: skip
    assert main(argv) == 0
    stdout = capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sample.json", "sample.png"]
    assert (tmp_path / "sample.png").read_bytes()[:4] == b"\x89PNG"
    summary = _json(tmp_path / "sample.json")
    assert summary["experiment"] == "sample"
    assert summary["settings"]["sampler"] == "gibbs"  # the default off the lattice
    assert summary["settings"]["burn_in"] == 60  # a fifth of the sweeps
    assert summary["records"][0]["observable"] == "energy"
    assert summary["histogram"]["kind"] == "states"
    assert 0.0 <= summary["histogram"]["p_value"] <= 1.0
    for word in ("observable", "tau", "ess", "rhat", "chi2", str(tmp_path / "sample.json")):
        assert word in stdout


def test_sample_is_reproducible(tmp_path, capsys):
    argv = ["sample", "--size", "8", "--sweeps", "60", "--chains", "4"]
    assert main([*argv, "-o", str(tmp_path / "a")]) == 0
    assert main([*argv, "-o", str(tmp_path / "b")]) == 0
    capsys.readouterr()
    a, b = _json(tmp_path / "a" / "sample.json"), _json(tmp_path / "b" / "sample.json")
    assert a["settings"].pop("seconds") > 0 and b["settings"].pop("seconds") > 0
    assert a == b
    assert a["settings"]["sampler"] == "checkerboard"  # the default on the Ising lattice
    assert a["histogram"] is None  # 64 units: no exact check


def test_sample_scan_writes_the_ising_figure(tmp_path, capsys):
    argv = ["sample", "--scan", "--size", "8", "--temperatures", "1.5,3.5", "--sweeps", "80",
            "--chains", "4", "-o", str(tmp_path)]  # fmt: skip
    assert main(argv) == 0
    stdout = capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ising_scan.json", "ising_scan.png"]
    summary = _json(tmp_path / "ising_scan.json")
    assert [r["temperature"] for r in summary["records"]] == [1.5, 3.5]
    assert summary["onsager_critical_temperature"] == pytest.approx(2.269185, abs=1e-6)
    assert summary["steepest_drop"] == [1.5, 3.5]
    assert "Onsager T_c" in stdout and "exact m" in stdout


def test_sample_compare_writes_the_race(tmp_path, capsys):
    argv = ["sample", "--compare", "--system", "ring", "--samplers", "gibbs,metropolis,tempering",
            "--replicas", "4", "--sweeps", "200", "--chains", "4", "-o", str(tmp_path)]  # fmt: skip
    assert main(argv) == 0
    stdout = capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["compare.json", "compare.png"]
    summary = _json(tmp_path / "compare.json")
    assert [r["sampler"] for r in summary["records"]] == ["gibbs", "metropolis", "tempering"]
    assert [r["sweeps"] for r in summary["records"]] == [200, 200, 50]
    assert summary["ground_energy"] == -7.0 and summary["ground_kind"] == "exact"
    assert len(summary["swap_rates"]["tempering"]) == 3
    assert "ground-state energy E0 = -7 (exact)" in stdout


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--system", "potts"], "argument --system: invalid choice: 'potts'"),
        (["--sampler", "hmc"], "argument --sampler: invalid choice: 'hmc'"),
        (["--temperature", "0"], "argument --temperature: expected a number > 0, got 0"),
        (["--temperature", "hot"], "expected a number > 0, got 'hot'"),
        (["--chains", "0"], "argument --chains: expected an integer >= 1, got 0"),
        (["--sweeps", "1"], "argument --sweeps: expected an integer >= 2, got 1"),
        (["--burn-in", "-3"], "argument --burn-in: expected an integer >= 0, got -3"),
        (["--sweeps", "100", "--burn-in", "99"], "--burn-in must leave at least 2 sweeps"),
        (["--scan", "--compare"], "argument --compare: not allowed with argument --scan"),
        (["--scan", "--system", "sk"], "--scan is for --system ising, got --system sk"),
        (["--scan", "--size", "7"], "--size must be even for --scan"),
        (["--scan", "--temperature", "2"], "--temperature does not apply to --scan"),
        (["--scan", "--temperatures", "2,-1"], "temperatures must be > 0, got -1"),
        (["--temperatures", "2,3"], "--temperatures does not apply to a single run"),
        (["--compare", "--sampler", "gibbs"], "--sampler does not apply to --compare"),
        (["--compare", "--samplers", "gibbs,hmc"], "unknown sampler 'hmc'"),
        (["--samplers", "gibbs"], "--samplers does not apply to a single run"),
        (["--system", "sk", "--sampler", "checkerboard"], "needs a lattice system"),
        (["--system", "ising", "--size", "65"], "size must be <= 64, got 65"),
        (["--replicas", "1"], "argument --replicas: expected an integer >= 2, got 1"),
        (
            ["--replicas", "4"],
            "--replicas does not apply to a single run (without --scan or "
            "--compare) without the tempering sampler",
        ),
        (["--compare", "--samplers", "gibbs", "--hottest", "3"], "--hottest does not apply"),
        (["--scan", "--replicas", "4"], "--replicas does not apply to --scan"),
    ],
)
def test_sample_bad_arguments_give_one_line_and_status_2(argv, match, tmp_path, capsys):
    assert main(["sample", *argv, "-o", str(tmp_path / "out")]) == 2
    line = one_line_error(capsys, "energynets sample")
    assert match in line
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
