"""Parameter sweeps: seeds by grid position, any executor, resumable JSON-lines results."""

import json
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import energynets as en
from energynets.cli import main
from energynets.sweep import FORMAT_NAME, SweepResult, sweep, task_seed

# -- task functions at module level (picklable) ----------------------------------------------


def noisy_line(slope, x, rng):
    """slope x plus a uniform number drawn from the task's seed."""
    return {"y": slope * x + float(np.random.default_rng(rng).random()), "x2": np.int64(x) ** 2}


def scalar_result(x, rng):
    return x + 1


def fails_at_two(x, rng):
    if x == 2:
        raise ArithmeticError("two is not allowed")
    return {"y": x}


GRID = {"slope": [1.0, -2.0], "x": [0, 1, 2]}


def _serial():
    return sweep(noisy_line, GRID, seeds=3, rng=7, workers=1)


# -- the grid, the seeds and the table --------------------------------------------------------


def test_product_grid_in_order_with_replicates_and_spawned_seeds():
    res = _serial()
    assert isinstance(res, SweepResult) and len(res) == 2 * 3 * 3
    rows = res.to_rows()
    assert [(r["slope"], r["x"], r["replicate"]) for r in rows[:4]] == [
        (1.0, 0, 0),
        (1.0, 0, 1),
        (1.0, 0, 2),
        (1.0, 1, 0),
    ]
    # task (point i, replicate r) gets SeedSequence(7, spawn_key=(i, r)) and nothing else
    for k, row in enumerate(rows):
        i, r = divmod(k, 3)
        assert row["seed"] == task_seed(7, i, r)
        expected = row["slope"] * row["x"] + np.random.default_rng(row["seed"]).random()
        assert row["y"] == expected
        assert row["x2"] == row["x"] ** 2 and type(row["x2"]) is int  # numpy scalar -> int
    assert len({r["seed"] for r in rows}) == len(rows)
    assert res.n_computed == len(rows) and res.n_resumed == 0
    assert res.columns() == ["slope", "x", "replicate", "seed", "y", "x2"]
    np.testing.assert_array_equal(
        res.column("x"), [0] * 3 + [1] * 3 + [2] * 3 + [0] * 3 + [1] * 3 + [2] * 3
    )


def test_markdown_table_and_scalar_results():
    res = sweep(scalar_result, {"x": [1, 2]}, workers=1)
    text = res.table()
    lines = text.splitlines()
    assert lines[0] == "| x | replicate | seed | result |"
    assert lines[1] == "| ---: | ---: | ---: | ---: |"
    assert lines[2].startswith("| 1 | 0 | ") and lines[2].endswith(" | 2 |")
    assert [r["result"] for r in res.to_rows()] == [2, 3]


def test_explicit_seeds_are_used_as_given_at_every_point():
    res = sweep(noisy_line, {"slope": [1.0], "x": [0, 1]}, seeds=[5, 11], workers=1)
    assert [r["seed"] for r in res.to_rows()] == [5, 11, 5, 11]


def test_an_explicit_list_of_points():
    points = [{"slope": 1.0, "x": 3}, {"slope": 0.5, "x": 2}]
    res = sweep(noisy_line, points, workers=1)
    assert [(r["slope"], r["x"]) for r in res.to_rows()] == [(1.0, 3), (0.5, 2)]


def test_threads_give_the_same_table_as_the_serial_run():
    with ThreadPoolExecutor(3) as pool:
        threaded = sweep(noisy_line, GRID, seeds=3, rng=7, executor=pool)
    assert threaded.to_rows() == _serial().to_rows()


def test_local_processes_give_the_same_table_as_the_serial_run():
    assert sweep(noisy_line, GRID, seeds=3, rng=7, workers=2).to_rows() == _serial().to_rows()


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        scheduler_port=0,
        dashboard_address=None,
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_dask_local_cluster_gives_the_same_table_as_the_serial_run(dask_client, tmp_path):
    executor = dask_client.get_executor()
    res = sweep(noisy_line, GRID, seeds=3, rng=7, executor=executor, results=tmp_path / "r.jsonl")
    assert res.to_rows() == _serial().to_rows()
    assert res.table() == _serial().table()


# -- resuming --------------------------------------------------------------------------------


def _lines(path):
    return path.read_text().splitlines()


def test_results_file_has_a_header_and_one_line_per_task(tmp_path):
    path = tmp_path / "r.jsonl"
    res = sweep(noisy_line, GRID, seeds=2, rng=7, workers=1, results=path)
    lines = [json.loads(line) for line in _lines(path)]
    assert lines[0]["format"] == FORMAT_NAME and lines[0]["parameters"] == ["slope", "x"]
    assert lines[0]["function"].endswith("noisy_line") and lines[0]["entropy"] == 7
    assert sorted(e["task"] for e in lines[1:]) == list(range(12))
    again = sweep(noisy_line, GRID, seeds=2, rng=7, workers=1, results=path)
    assert again.n_computed == 0 and again.n_resumed == 12
    assert again.to_rows() == res.to_rows()
    assert len(_lines(path)) == 13  # nothing appended


def test_a_half_written_last_line_is_dropped_and_its_task_rerun(tmp_path):
    path = tmp_path / "r.jsonl"
    full = sweep(noisy_line, GRID, seeds=2, rng=7, workers=1, results=path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 15])  # cut the last record short, no newline
    res = sweep(noisy_line, GRID, seeds=2, rng=7, workers=1, results=path)
    assert (res.n_resumed, res.n_computed) == (11, 1)
    assert res.to_rows() == full.to_rows()
    entries = [json.loads(line) for line in _lines(path)]  # every line is whole again
    assert sorted(e["task"] for e in entries[1:]) == list(range(12))


def test_a_damaged_line_before_the_last_is_an_error(tmp_path):
    path = tmp_path / "r.jsonl"
    sweep(noisy_line, GRID, workers=1, results=path)
    lines = _lines(path)
    lines[2] = lines[2][:10]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match="line 3 is not JSON"):
        sweep(noisy_line, GRID, workers=1, results=path)


@pytest.mark.parametrize(
    "change",
    [
        {"grid": {"slope": [1.0], "x": [0, 1, 2]}},
        {"seeds": 3},
        {"rng": 8},
        {"function": scalar_result, "grid": {"x": [0, 1]}},
    ],
)
def test_a_results_file_of_another_sweep_is_refused(tmp_path, change):
    path = tmp_path / "r.jsonl"
    sweep(noisy_line, GRID, seeds=2, rng=7, workers=1, results=path)
    before = path.read_bytes()
    kwargs = {"function": noisy_line, "grid": GRID, "seeds": 2, "rng": 7} | change
    function = kwargs.pop("function")
    grid = kwargs.pop("grid")
    with pytest.raises(ValueError, match="was written by another sweep"):
        sweep(function, grid, workers=1, results=path, **kwargs)
    assert path.read_bytes() == before


def test_not_a_results_file(tmp_path):
    path = tmp_path / "other.jsonl"
    path.write_text('{"a": 1}\n')
    with pytest.raises(ValueError, match="not an energynets sweep results file"):
        sweep(noisy_line, GRID, workers=1, results=path)


def test_fresh_entropy_is_recorded_and_reused_on_resume(tmp_path):
    path = tmp_path / "r.jsonl"
    first = sweep(noisy_line, {"slope": [1.0], "x": [0, 1]}, rng=None, workers=1, results=path)
    again = sweep(noisy_line, {"slope": [1.0], "x": [0, 1]}, rng=None, workers=1, results=path)
    assert again.n_resumed == 2 and again.to_rows() == first.to_rows()


SCRIPT = """
import os, sys, time
import energynets as en

def slow_square(x, calls, rng):
    with open(calls, "a") as f:
        f.write(f"{x}\\n")
    time.sleep(0.03)
    return {"y": x * x}

if __name__ == "__main__":
    res = en.sweep(slow_square, {"x": list(range(40)), "calls": [sys.argv[2]]},
                   workers=1, results=sys.argv[1])
    print(res.n_resumed, res.n_computed)
"""


def test_a_killed_sweep_resumes_without_recomputing_finished_points(tmp_path):
    script = tmp_path / "run_sweep.py"
    script.write_text(textwrap.dedent(SCRIPT))
    results, calls = tmp_path / "r.jsonl", tmp_path / "calls.txt"
    argv = [sys.executable, str(script), str(results), str(calls)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if results.exists() and len(results.read_bytes().splitlines()) >= 6:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    data = results.read_bytes()
    complete = data[: data.rfind(b"\n") + 1].decode().splitlines()  # a cut last line aside
    finished = {json.loads(line)["params"]["x"] for line in complete[1:]}
    assert 5 <= len(finished) < 40, "the sweep was not killed mid-way"
    n_calls_before = len(_lines(calls))
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout.split()
    assert (int(out[0]), int(out[1])) == (len(finished), 40 - len(finished))
    rerun = [int(x) for x in _lines(calls)[n_calls_before:]]
    assert sorted(rerun) == sorted(set(range(40)) - finished)  # no finished point again
    entries = [json.loads(line) for line in _lines(results)[1:]]
    assert sorted(e["params"]["x"] for e in entries) == list(range(40))
    assert all(e["result"]["y"] == e["params"]["x"] ** 2 for e in entries)


# -- errors ----------------------------------------------------------------------------------


def test_a_failing_task_names_its_point_and_keeps_the_finished_ones(tmp_path):
    path = tmp_path / "r.jsonl"
    with pytest.raises(RuntimeError, match=r"x=2, replicate 0.*ArithmeticError: two is not"):
        sweep(fails_at_two, {"x": [0, 1, 2, 3]}, workers=1, results=path)
    assert [json.loads(line)["params"]["x"] for line in _lines(path)[1:]] == [0, 1]


@pytest.mark.parametrize(
    ("function", "grid", "kwargs", "error", "match"),
    [
        (42, GRID, {}, TypeError, "function must be callable, got int"),
        (noisy_line, {}, {}, ValueError, "at least one parameter"),
        (noisy_line, {"x": 3}, {}, TypeError, r"grid\['x'\] must be a list of values, got int"),
        (noisy_line, {"x": "abc"}, {}, TypeError, r"grid\['x'\] must be a list of values"),
        (noisy_line, {"x": []}, {}, ValueError, r"grid\['x'\] must hold at least one value"),
        (noisy_line, {"x": [1, 1]}, {}, ValueError, "the same point twice"),
        (noisy_line, {"x": [object()]}, {}, TypeError, "grid values must be JSON"),
        (noisy_line, [{"x": 1}, {"y": 2}], {}, ValueError, "every grid point must have"),
        (noisy_line, 5, {}, TypeError, "grid must be a dict"),
        (noisy_line, {"rng": [1]}, {}, ValueError, "parameter named 'rng'"),
        (noisy_line, GRID, {"seeds": 0}, ValueError, "seeds must be >= 1"),
        (noisy_line, GRID, {"seeds": [1, -1]}, ValueError, "list of int seeds >= 0"),
        (noisy_line, GRID, {"seeds": 1.5}, TypeError, "seeds must be an int"),
        (noisy_line, GRID, {"rng": "a"}, TypeError, "rng must be"),
        (noisy_line, GRID, {"workers": 0}, ValueError, "workers must be >= 1"),
        (noisy_line, GRID, {"executor": object()}, TypeError, "concurrent.futures.Executor"),
        (lambda x, rng: x, {"x": [1]}, {"workers": 2}, TypeError, "must be picklable"),
    ],
)
def test_bad_arguments_are_clear_errors(function, grid, kwargs, error, match):
    with pytest.raises(error, match=match):
        sweep(function, grid, **kwargs)


def test_executor_and_workers_together():
    with ThreadPoolExecutor(1) as pool, pytest.raises(ValueError, match="not both"):
        sweep(noisy_line, GRID, executor=pool, workers=2)


def test_a_lambda_runs_serially():
    res = sweep(lambda x, rng: {"y": 2 * x}, {"x": [1, 2]}, workers=1)
    assert [r["y"] for r in res.to_rows()] == [2, 4]


def test_a_non_json_result_is_an_error(tmp_path):
    with pytest.raises(TypeError, match="is not JSON"):
        sweep(lambda x, rng: {"y": object()}, {"x": [1]}, workers=1, results=tmp_path / "r")


# -- the package and the command line --------------------------------------------------------


def test_en_sweep_is_the_function_and_import_stays_light():
    code = (
        "import sys, energynets.sweep, energynets as en; "
        "assert callable(en.sweep) and en.sweep.__name__ in ('sweep', 'energynets.sweep'); "
        "print(','.join(m for m in ('dask', 'distributed', 'scipy', 'matplotlib') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    # en.sweep is the function, or the module (callable as the function) once imported by name
    assert en.sweep(scalar_result, {"x": [1]}, workers=1).to_rows()[0]["result"] == 2
    heavy = "import sys, energynets; print('dask' in sys.modules or 'distributed' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", heavy], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


CAPACITY = ["capacity", "--n-units", "40", "--alphas", "0.05,0.2,0.5", "--trials", "2"]


def _table(stdout):
    return [line for line in stdout.splitlines() if line.startswith(("hebbian", "storkey", "pse"))]


def test_capacity_on_workers_prints_the_serial_table(tmp_path, capsys):
    assert main([*CAPACITY, "-o", str(tmp_path / "a")]) == 0
    serial = _table(capsys.readouterr().out)
    assert len(serial) == 9
    assert main([*CAPACITY, "--workers", "2", "-o", str(tmp_path / "b")]) == 0
    assert _table(capsys.readouterr().out) == serial
    assert (tmp_path / "b" / "capacity.png").read_bytes()[:4] == b"\x89PNG"


def test_capacity_on_a_dask_scheduler_prints_the_serial_table(tmp_path, capsys, dask_client):
    assert main([*CAPACITY, "-o", str(tmp_path / "a")]) == 0
    serial = _table(capsys.readouterr().out)
    address = dask_client.scheduler.address
    assert main([*CAPACITY, "--scheduler", address, "-o", str(tmp_path / "b")]) == 0
    assert _table(capsys.readouterr().out) == serial


def test_scheduler_without_dask_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    argv = [*CAPACITY, "--scheduler", "tcp://127.0.0.1:1", "-o", str(tmp_path)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("energynets capacity: error: --scheduler needs")
    assert "pip install 'energynets[dask]'" in err[0]


def test_workers_with_scheduler_is_an_error(tmp_path, capsys):
    argv = [*CAPACITY, "--scheduler", "tcp://x:1", "--workers", "2", "-o", str(tmp_path)]
    assert main(argv) == 2
    assert "--workers does not apply with --scheduler" in capsys.readouterr().err


def test_sweep_command_writes_results_table_and_figure_and_resumes(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["sweep", "--rules", "hebbian,pseudoinverse", "--n-units", "20,30"]
    argv += ["--alphas", "0.1,0.5,1.2", "--seeds", "2", "--workers", "1", "-o", str(out)]
    assert main(argv) == 0
    stdout = capsys.readouterr().out
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "capacity_phase_diagram.md",
        "capacity_phase_diagram.png",
        "capacity_sweep.jsonl",
    ]
    lines = (out / "capacity_sweep.jsonl").read_text().splitlines()
    # hebbian 2 sizes x 3 loads; pseudo-inverse only P < N: 2 sizes x 2 loads; 2 seeds each
    assert len(lines) == 1 + 2 * (6 + 4)
    table = (out / "capacity_phase_diagram.md").read_text()
    assert table.splitlines()[0].startswith("| rule | n_units | n_patterns | alpha |")
    assert "| pseudoinverse | 30 | 15 |" in table and "| 2 |" in table
    assert "| rule |" in stdout
    assert main(argv) == 0
    assert "Resumed: 20 tasks read back, 0 computed." in capsys.readouterr().out
    assert len((out / "capacity_sweep.jsonl").read_text().splitlines()) == len(lines)


def test_sweep_command_bad_sizes(tmp_path, capsys):
    assert main(["sweep", "--n-units", "1,20", "-o", str(tmp_path)]) == 2
    assert "sizes must be >= 2" in capsys.readouterr().err


def test_help_shows_the_cluster_options(capsys):
    assert main(["capacity", "--help"]) == 0
    text = capsys.readouterr().out
    assert "--workers N" in text and "--scheduler ADDRESS" in text
    assert main(["sweep", "--help"]) == 0
    text = capsys.readouterr().out
    assert "capacity_sweep.jsonl" in text and "--seeds S" in text


def test_sweep_command_task_failure_is_one_line(tmp_path, capsys, monkeypatch):
    import energynets.cli.sweep as cli_sweep

    def broken(**kwargs):
        raise ArithmeticError("no capacity today")

    monkeypatch.setattr(cli_sweep, "capacity_cell", broken)
    argv = ["sweep", "--rules", "hebbian", "--n-units", "20", "--alphas", "0.1", "--seeds", "1"]
    assert main([*argv, "--workers", "1", "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]  # after the progress bar
    assert last.startswith("energynets sweep: error: sweep task 0 ")
    assert "ArithmeticError: no capacity today" in last and "rerun the command" in last


def test_two_sweeps_on_one_results_file_at_once_is_an_error(tmp_path):
    fcntl = pytest.importorskip("fcntl")
    path = tmp_path / "r.jsonl"
    sweep(noisy_line, GRID, workers=1, results=path)
    before = path.read_bytes()
    with open(path, "rb") as other:  # another sweep holding the file
        fcntl.flock(other.fileno(), fcntl.LOCK_EX)
        with pytest.raises(ValueError, match="in use by another running sweep"):
            sweep(noisy_line, GRID, workers=1, results=path)
    assert path.read_bytes() == before
    assert sweep(noisy_line, GRID, workers=1, results=path).n_resumed == 6
