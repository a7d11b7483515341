"""benchmarks/scaling.py: the log-log fit, the comparison with theory, the worker model, the
Markdown section that the script owns, the command line, and one quick curve.

No timing is asserted: the quick curve only has to give finite positive times.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from benchmarks import scaling
from benchmarks.runner import NOTES_MARKER
from benchmarks.scaling import (
    SECTION_END,
    SECTION_START,
    Config,
    Series,
    WorkerModel,
    compare,
    fit_power_law,
    fit_series,
    fit_worker_model,
    replace_section,
    write_section,
)


# -- the fit ------------------------------------------------------------------------------
def test_fit_of_an_exact_power_law():
    x = np.array([500.0, 1000.0, 2000.0, 5000.0, 100000.0])
    slope, intercept = fit_power_law(x, 3.0 * x**2)
    assert f"{slope:.3f}" == "2.000"
    assert slope == pytest.approx(2.0, abs=1e-12)
    assert intercept == pytest.approx(math.log(3.0), abs=1e-9)
    slope, _ = fit_power_law(x, 7.0 / x)
    assert slope == pytest.approx(-1.0, abs=1e-12)


@pytest.mark.parametrize(
    ("xs", "ys", "word"),
    [
        ([1, 2, 3], [1, 0, 4], "ys"),
        ([1, -2, 3], [1, 2, 4], "xs"),
        ([1, 2, 3], [1, float("nan"), 4], "ys"),
        ([2, 2, 2], [1, 2, 4], "distinct"),
        ([1, 2, 3], [1, 2], "one length"),
    ],
)
def test_fit_rejects_what_a_log_cannot_take(xs, ys, word):
    with pytest.raises(ValueError, match=word):
        fit_power_law(xs, ys)


def test_compare_relative_and_absolute_at_theory_zero():
    assert compare(1.7, 2.0) == (pytest.approx(-0.15), True)
    diff, ok = compare(1.6, 2.0)
    assert diff == pytest.approx(-0.2) and not ok
    assert compare(0.1, 0.0) == (pytest.approx(0.1), True)  # absolute: no division by 0
    assert compare(-0.2, 0.0)[1] is False


def _series(xs, ys, theory=2.0, timed=True):
    return Series("c", "label", "N", "seconds", tuple(xs), tuple(ys), theory, "t", timed=timed)


def test_fit_series_fits_the_top_decade_of_sizes():
    xs = [10.0, 100.0, 1000.0, 2000.0, 4000.0, 8000.0]
    # the two smallest are "overhead": 1e-5 s, flat; the rest 1e-9 x^2, x >= 8000 / 10
    ys = [1e-5, 1e-5] + [1e-9 * x**2 for x in xs[2:]]
    fit = fit_series(_series(xs, ys))
    assert fit.fit_xs == tuple(xs[2:])
    assert fit.slope == pytest.approx(2.0, abs=1e-9) and fit.within
    everything = fit_series(_series(xs, ys, timed=False))  # bytes: every point counts
    assert everything.fit_xs == tuple(xs) and everything.slope < 1.9


def test_fit_series_keeps_the_three_largest_points_when_the_top_decade_has_fewer():
    xs = [1.0, 100.0, 1000.0, 2000.0]
    fit = fit_series(_series(xs, [1e-7 * x for x in xs], theory=1.0))
    assert fit.fit_xs == (100.0, 1000.0, 2000.0)
    assert fit.slope == pytest.approx(1.0, abs=1e-9)


# -- the worker model ---------------------------------------------------------------------
def test_worker_model_by_hand():
    # c = 10 ms a task, o = 1 ms a task in the parent, s = 0.2 s a worker, 1000 tasks, 8
    # workers: T = 8 * 0.2 + 1000 * (0.01 / 8 + 0.001) = 1.6 + 2.25 = 3.85 s
    model = WorkerModel(task_cost=0.01, task_overhead=0.001, worker_start=0.2)
    assert model.seconds(8, 1000) == pytest.approx(3.85)
    assert model.throughput(8, 1000) == pytest.approx(1000 / 3.85)
    assert model.throughput(1, 1000) == pytest.approx(1000 / (0.2 + 11.0))
    # 512 workers: the start (102.4 s) dominates, throughput falls below 8 workers'
    assert model.throughput(512, 1000) < model.throughput(8, 1000)


def test_worker_model_fitted_from_exact_times():
    # in process: 1000 tasks in 10 s (c = 0.01); 2 workers: T(n) = 2 * 0.2 + n (0.005 + 0.001)
    pool = [(100, 0.4 + 100 * 0.006), (1000, 0.4 + 1000 * 0.006)]
    model = fit_worker_model(10.0, 1000, pool)
    assert model.task_cost == pytest.approx(0.01)
    assert model.task_overhead == pytest.approx(0.001)
    assert model.worker_start == pytest.approx(0.2)
    with pytest.raises(ValueError, match="at least 2 task counts"):
        fit_worker_model(10.0, 1000, [(100, 1.0), (100, 1.1)])


def test_worker_model_clips_noise_below_zero():
    # 2 workers faster than half the serial time per task: the overhead would be negative
    model = fit_worker_model(10.0, 1000, [(100, 0.3), (1000, 4.0)])
    assert model.task_overhead == 0.0 and model.worker_start >= 0.0


# -- the Markdown section -----------------------------------------------------------------
def _section(body: str) -> str:
    return f"{SECTION_START}\n## Cost curves\n\n{body}\n{SECTION_END}\n"


def test_section_replaces_only_its_own_text_and_is_idempotent():
    before = f"# Benchmarks\n\ngenerated\n\n{NOTES_MARKER}\n\n## Notes\n\nhand-written A\n\n"
    after = "\n\nhand-written B, after the section\n"
    text = before + _section("old numbers").rstrip("\n") + after
    new = replace_section(text, _section("new numbers"))
    assert new == before + _section("new numbers").rstrip("\n") + after
    assert "old numbers" not in new
    assert replace_section(new, _section("new numbers")) == new


def test_section_added_below_the_notes_marker():
    text = f"# Benchmarks\n\n{NOTES_MARKER}\n\n## Notes\n\nkept\n"
    new = replace_section(text, _section("numbers"))
    assert new.startswith(text.rstrip("\n"))
    assert new.index(NOTES_MARKER) < new.index(SECTION_START)
    assert replace_section(new, _section("numbers")) == new
    # no marker yet (a file of notes only): the marker comes first, so the runner keeps it
    bare = replace_section("some text\n", _section("numbers"))
    assert bare.index("some text") < bare.index(NOTES_MARKER) < bare.index(SECTION_START)


@pytest.mark.parametrize(
    "text",
    [f"a\n{SECTION_START}\nb\n", f"a\n{SECTION_END}\nb\n", f"{SECTION_END}\n{SECTION_START}"],
)
def test_section_with_broken_markers_is_refused(text):
    with pytest.raises(ValueError, match="benchmarks.md: expected both"):
        replace_section(text, _section("x"), "benchmarks.md")


def test_write_section_on_a_file(tmp_path):
    path = tmp_path / "benchmarks.md"
    path.write_text(f"# B\n\n{NOTES_MARKER}\n\nnotes\n", encoding="utf-8")
    write_section(path, _section("one"))
    first = path.read_text(encoding="utf-8")
    write_section(path, _section("one"))
    assert path.read_text(encoding="utf-8") == first
    write_section(path, _section("two"))
    assert path.read_text(encoding="utf-8") == first.replace("one", "two")
    assert [p.name for p in tmp_path.iterdir()] == ["benchmarks.md"]  # no temporary left


# -- the command line and one quick curve -------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--only", "recall-n,bogus"], ["--only", "bogus", "recall-n, recall-p"]),
        (["--only", ","], ["--only", "expected curve names"]),
        (["--repeat", "0"], ["--repeat", "got 0"]),
        (["--threads", "two"], ["--threads", "'two'"]),
    ],
)
def test_bad_command_line(argv, words, capsys):
    with pytest.raises(SystemExit) as exc:
        scaling.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    for word in words:
        assert word in err


def test_markdown_needs_a_figure(tmp_path, capsys):
    assert scaling.main(["--quick", "--markdown", str(tmp_path / "b.md")]) == 2
    assert "--markdown needs --figure" in capsys.readouterr().err
    assert not (tmp_path / "b.md").exists()


def test_quick_curve_gives_finite_positive_times():
    series = scaling.curve_recall_p(Config(quick=True, repeat=1, log=lambda s: None))
    labels = {s.label for s in series}
    assert labels == {
        f"{st}, {dy}, {scaling.PROBES[d]} probes"
        for st in ("factored", "dense")
        for d, dy in (("sync", "sync step"), ("async", "async sweep"))
    }
    for s in series:
        ys = np.array(s.ys)
        assert len(ys) == len(s.xs) == 3
        assert np.all(np.isfinite(ys) & (ys > 0)), (s.label, ys)


def test_quick_run_writes_section_and_figure(tmp_path, capsys):
    md, png = tmp_path / "docs" / "benchmarks.md", tmp_path / "docs" / "_static" / "scaling.png"
    md.parent.mkdir()
    md.write_text(f"# B\n\n{NOTES_MARKER}\n\nnotes\n", encoding="utf-8")
    argv = ["--quick", "--repeat", "1", "--only", "memory", "--markdown", str(md)]
    assert scaling.main([*argv, "--figure", str(png)]) == 0
    text = md.read_text(encoding="utf-8")
    assert text.startswith(f"# B\n\n{NOTES_MARKER}\n\nnotes\n")
    assert text.count(SECTION_START) == text.count(SECTION_END) == 1
    assert "](_static/scaling.png)" in text
    assert "memory: dense, alpha = 0.05, held" in text
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
