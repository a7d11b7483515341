"""Sweeps under a hostile user (issue 22): killed runs whose workers must not keep the results
file locked, hand-edited result lines, and counts beyond any limit."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from energynets.cli import main
from energynets.sweep import MAX_TASKS, sweep

fcntl = pytest.importorskip("fcntl")


def noisy_line(slope, x, rng):
    """slope x plus a uniform number drawn from the task's seed."""
    return {"y": slope * x + float(np.random.default_rng(rng).random()), "x2": x * x}


GRID = {"slope": [1.0, -2.0], "x": [0, 1, 2]}


def _lines(path):
    return path.read_text().splitlines()


def _newlines(path):
    return path.read_bytes().count(b"\n") if path.exists() else 0


def _running(pid):
    """Whether process ``pid`` runs (a zombie, ended but not reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] != "Z"


def _wait_until(condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _pids(path, column=0):
    """The process ids written in a column of a file (none if it is missing)."""
    return {int(line.split()[column]) for line in _lines(path)} if path.exists() else set()


def _kill_all(pids, marker):
    """SIGKILL those of ``pids`` whose command line holds ``marker`` (the test's script or
    folder: a pid may have been reused)."""
    for pid in pids:
        try:
            if str(marker) in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                os.kill(pid, signal.SIGKILL)
        except (OSError, ProcessLookupError):
            pass


needs_proc = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="needs Linux /proc to see the workers"
)

# -- item 2: a killed sweep's workers, and its lock ----------------------------------------------

SCRIPT = """
import multiprocessing, os, sys, time
from energynets.sweep import sweep

def slow_square(x, calls, rng):
    with open(calls, "a") as f:
        f.write(f"{x} {os.getpid()}\\n")
    time.sleep(0.15)
    return {"y": x * x, "seed_digit": rng % 10}

if __name__ == "__main__":
    results, calls, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    multiprocessing.set_start_method(sys.argv[4])
    res = sweep(slow_square, {"x": list(range(24)), "calls": [calls]},
                seeds=1, rng=5, workers=workers, results=results)
    print(res.n_resumed, res.n_computed)
    print(res.table().replace(calls, "CALLS"), end="")
"""


@needs_proc
@pytest.mark.parametrize(
    ("sig", "start_method"),
    [(signal.SIGKILL, "fork"), (signal.SIGTERM, "fork"), (signal.SIGKILL, "forkserver")],
)
def test_a_killed_sweep_on_workers_resumes_at_once_and_its_workers_end(tmp_path, sig, start_method):
    """Killed mid-run on 2 workers, the same command run again at once resumes (on main it
    said 'in use': the forked workers kept the lock) and every task is in the file once,
    the table that of the serial run; the killed run's workers end (on main they ran on,
    those of a fork server too, the default start method from Python 3.14)."""
    script = tmp_path / "run_sweep.py"
    script.write_text(textwrap.dedent(SCRIPT))
    results, calls = tmp_path / "r.jsonl", tmp_path / "calls.txt"
    argv = [sys.executable, str(script), str(results), str(calls)]
    proc = subprocess.Popen([*argv, "2", start_method], stdout=subprocess.DEVNULL)
    try:
        assert _wait_until(lambda: _newlines(results) >= 5)
        proc.send_signal(sig)
        proc.wait(timeout=60)
        workers = _pids(calls, 1)
        finished = _newlines(results) - 1  # a line cut short by the kill aside
        assert 4 <= finished < 24, "the sweep was not killed mid-way"
        again = subprocess.run(
            [*argv, "2", start_method], capture_output=True, text=True, timeout=120
        )
        assert again.returncode == 0, again.stderr[-2000:]
        n_resumed, n_computed = map(int, again.stdout.split("\n", 1)[0].split())
        assert n_resumed == finished and n_resumed + n_computed == 24
        tasks = [json.loads(line)["task"] for line in _lines(results)[1:]]
        assert sorted(tasks) == list(range(24))  # every task once
        serial = subprocess.run(
            [sys.executable, str(script), str(tmp_path / "s.jsonl"), str(calls), "1", "fork"],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        assert again.stdout.split("\n", 1)[1] == serial.stdout.split("\n", 1)[1]
        assert len(workers) >= 2 and os.getpid() not in workers
        assert _wait_until(lambda: not any(_running(pid) for pid in workers), 10.0), (
            "the killed sweep's workers still run"
        )
    finally:
        proc.kill()
        _kill_all(_pids(calls, 1), tmp_path)  # on main they ran on


CLI_SCRIPT = """
import os, sys, time
import energynets.cli.sweep as cli_sweep
from energynets.cli import main
from energynets.cli._cluster import capacity_cell

def slow_cell(**kwargs):
    with open(os.environ["SWEEP_TEST_PIDS"], "a") as f:
        f.write(f"{os.getpid()}\\n")
    time.sleep(0.3)
    return capacity_cell(**kwargs)

if __name__ == "__main__":
    cli_sweep.capacity_cell = slow_cell
    sys.exit(main(sys.argv[1:]))
"""


@needs_proc
def test_the_sweep_command_killed_by_sigterm_resumes_at_once(tmp_path):
    """``energynets sweep`` (its capacity cell slowed down) sent SIGTERM mid-run: the same
    command again resumes and prints the serial run's phase diagram (on main: 'in use')."""
    script = tmp_path / "run_cli.py"
    script.write_text(textwrap.dedent(CLI_SCRIPT))
    options = ["sweep", "--rules", "hebbian,storkey", "--n-units", "16,24", "--seeds", "2"]
    options += ["--alphas", "0.1,0.2", "--max-probes", "4"]
    out = tmp_path / "out"
    argv = [sys.executable, str(script), *options, "-o", str(out)]
    results, pids = out / "capacity_sweep.jsonl", tmp_path / "pids.txt"
    env = dict(os.environ, SWEEP_TEST_PIDS=str(pids))
    proc = subprocess.Popen(
        [*argv, "--workers", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    try:
        assert _wait_until(lambda: _newlines(results) >= 4)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        finished = _newlines(results) - 1
        assert 3 <= finished < 16, "the sweep was not killed mid-way"
        again = subprocess.run(
            [*argv, "--workers", "2"], capture_output=True, text=True, timeout=180, env=env
        )
    finally:
        proc.kill()
        _kill_all(_pids(pids), script)  # on main they ran on
    assert again.returncode == 0, again.stderr[-2000:]
    assert f"Resumed: {finished} tasks read back, {16 - finished} computed." in again.stdout
    assert main([*options, "-o", str(tmp_path / "serial"), "--workers", "1"]) == 0
    assert (out / "capacity_phase_diagram.md").read_text() == (
        tmp_path / "serial" / "capacity_phase_diagram.md"
    ).read_text()
    assert sorted(json.loads(line)["task"] for line in _lines(results)[1:]) == list(range(16))
    assert "| hebbian |" in (out / "capacity_phase_diagram.md").read_text()


def test_a_forked_child_does_not_hold_the_results_lock(tmp_path):
    """The lock of a running sweep belongs to its process only: a child forked while the file
    is locked (a pool worker, a user's os.fork) does not keep it after the sweep closes the
    file. On main the child shared the lock, and the file stayed 'in use' while it lived."""
    path = tmp_path / "r.jsonl"
    read, write = os.pipe()
    ready_read, ready_write = os.pipe()  # each child says it is past the fork (and its hooks)
    children = []

    def fork_and_block(x, rng):
        pid = os.fork()
        if pid == 0:  # the child waits until the test lets it go, holding what it inherited
            os.close(write)
            os.write(ready_write, b"r")
            os.read(read, 1)
            os._exit(0)
        children.append(pid)
        return {"y": x}

    try:
        sweep(fork_and_block, {"x": [0, 1]}, workers=1, results=path)
        assert len(children) == 2 and all(_running(pid) for pid in children)
        assert os.read(ready_read, 1) + os.read(ready_read, 1) == b"rr"
        # the sweep has ended, its forked children live on: the file is free
        assert sweep(fork_and_block, {"x": [0, 1]}, workers=1, results=path).n_resumed == 2
        with open(path, "rb") as other:
            fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(write)
        os.close(read)
        for pid in children:
            os.waitpid(pid, 0)
        os.close(ready_read)
        os.close(ready_write)


LEFTOVER_SCRIPT = """
import fcntl, os, sys, time
file = open(sys.argv[1], "a+b")
fcntl.flock(file.fileno(), fcntl.LOCK_EX)  # as a sweep of an older version did
child = os.fork()
if child == 0:  # a worker left over: it holds the lock, not the output pipes
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 1)
    os.dup2(null, 2)
    time.sleep(120)
    os._exit(0)
print(child, flush=True)
os.kill(os.getpid(), 9)
"""


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux /proc/locks")
def test_a_lock_left_by_orphans_of_a_killed_sweep_is_named(tmp_path, monkeypatch):
    """A lock whose owner was killed while its forked child still holds it (an older sweep's
    worker) is not 'in use by another running sweep': the message names the orphan to end
    (on main it said 'in use')."""
    import energynets._locks as locks

    monkeypatch.setattr(locks, "STALE_WAIT", 0.3)
    path = tmp_path / "r.jsonl"
    sweep(noisy_line, GRID, workers=1, results=path)
    script = tmp_path / "leftover.py"
    script.write_text(textwrap.dedent(LEFTOVER_SCRIPT))
    proc = subprocess.run(
        [sys.executable, str(script), str(path)], capture_output=True, text=True, timeout=60
    )
    orphan = int(proc.stdout.split()[0])
    try:
        assert proc.returncode == -signal.SIGKILL and _running(orphan)
        with pytest.raises(
            ValueError, match=rf"left over from a sweep that was killed \(process ids {orphan}\)"
        ) as err:
            sweep(noisy_line, GRID, workers=1, results=path)
        assert f"kill {orphan}" in str(err.value)
    finally:
        _kill_all([orphan], script)
    assert _wait_until(lambda: not _running(orphan), 10.0)
    assert sweep(noisy_line, GRID, workers=1, results=path).n_resumed == 6


# -- item 9: hand-edited result lines -------------------------------------------------------------


def _set(key, value):
    def edit(entry):
        entry[key] = value
        return entry

    return edit


def _drop(key):
    def edit(entry):
        del entry[key]
        return entry

    return edit


def _set_result(key, value):
    def edit(entry):
        entry["result"][key] = value
        return entry

    return edit


def _rename_parameter(entry):
    entry["params"] = {"slope": entry["params"]["slope"], "X": entry["params"]["x"]}
    return entry


def _float_parameter(entry):
    entry["params"]["x"] = float(entry["params"]["x"])
    return entry


EDITS = {
    "no result": (_drop("result"), r"has no 'result'"),
    "no task": (_drop("task"), r"has no 'task'"),
    "no check": (_drop("check"), r"has no 'check'"),
    "result null": (_set("result", None), "does not match its check"),
    "task a string": (_set("task", "1"), "expected an integer task index"),
    "task a float": (_set("task", 1.0), "expected an integer task index"),
    "task a bool": (_set("task", True), "expected an integer task index"),
    "task out of range": (_set("task", 99), "task 99, not a task of this sweep"),
    "task negative": (_set("task", -1), "task -1, not a task of this sweep"),
    "result NaN": (_set_result("y", float("nan")), "does not match its check"),
    "result 1e9": (_set_result("y", 1e9), "does not match its check"),
    "result column renamed": (lambda e: e | {"result": {"Y": 0.5, "x2": 1}}, "check"),
    "parameter renamed": (_rename_parameter, "the parameters"),
    "parameter 1 -> 1.0": (_float_parameter, "the parameters"),
    "seed changed": (_set("seed", 12345), "point, replicate and seed"),
    "replicate changed": (_set("replicate", 0), "point, replicate and seed"),
    "elapsed negative": (_set("elapsed", -1.0), "elapsed -1.0"),
    "elapsed a string": (_set("elapsed", "fast"), "elapsed 'fast'"),
    "an extra entry": (_set("note", "hand-made"), r"unexpected entries \['note'\]"),
    "a list": (lambda e: [1, 2], "is a JSON list, not a task record"),
    "a number": (lambda e: 3, "is a JSON int, not a task record"),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_an_edited_result_line_is_refused_naming_file_and_line(tmp_path, name):
    """Each edit of line 3 (task 1) is refused with a ValueError naming the file and the line,
    and the file is left as it was; on main these gave KeyErrors, raw Python messages, or
    were read back silently (changing the table). Deleting the line instead runs its task
    again and gives the table of the untouched file."""
    edit, message = EDITS[name]
    path = tmp_path / "r.jsonl"
    full = sweep(noisy_line, GRID, seeds=2, rng=7, workers=1, results=path)
    lines = _lines(path)
    lines[2] = json.dumps(edit(json.loads(lines[2])))
    path.write_text("\n".join(lines) + "\n")
    before = path.read_bytes()
    with pytest.raises(ValueError, match=rf"results file '.*r\.jsonl' line 3 .*{message}"):
        sweep(noisy_line, GRID, seeds=2, rng=7, workers=1, results=path)
    assert path.read_bytes() == before
    del lines[2]
    path.write_text("\n".join(lines) + "\n")
    again = sweep(noisy_line, GRID, seeds=2, rng=7, workers=1, results=path)
    assert (again.n_resumed, again.n_computed) == (11, 1)
    assert again.to_rows() == full.to_rows()


def test_a_line_twice_and_a_line_of_another_sweep_are_refused(tmp_path):
    """A task's line twice, and a line copied from a sweep with another root (the same task,
    another seed), are not lines of this sweep (on main both were read back silently)."""
    path, other = tmp_path / "r.jsonl", tmp_path / "other.jsonl"
    sweep(noisy_line, GRID, rng=7, workers=1, results=path)
    sweep(noisy_line, GRID, rng=8, workers=1, results=other)
    lines = _lines(path)
    path.write_text("\n".join([*lines, lines[2]]) + "\n")
    with pytest.raises(ValueError, match=r"line 8 holds task 1 again \(already on line 3\)"):
        sweep(noisy_line, GRID, rng=7, workers=1, results=path)
    path.write_text("\n".join([*lines[:2], _lines(other)[2], *lines[3:]]) + "\n")
    with pytest.raises(ValueError, match=r"line 3 gives task 1 point, replicate and seed"):
        sweep(noisy_line, GRID, rng=7, workers=1, results=path)


def test_a_deeply_nested_line_is_not_json_rather_than_a_recursion_error(tmp_path):
    path = tmp_path / "r.jsonl"
    sweep(noisy_line, GRID, workers=1, results=path)
    lines = _lines(path)
    lines.insert(2, "[" * 100_000 + "]" * 100_000)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match="line 3 is not JSON"):
        sweep(noisy_line, GRID, workers=1, results=path)


def odd_results(x, rng):
    """Results that a sweep writes and must read back as they were: NaN, infinities,
    non-ASCII and control characters, nesting, integer keys (made strings), a bare value."""
    if x == 2:
        return float("nan")
    return {
        "nan": float("nan"),
        "inf": -np.inf,
        "text": 'é\n\t"',
        "nested": {"a": [1, 2.5, None, True], 3: (np.int64(4), np.float32(0.25))},
        "big": 2**80,
        "tiny": 5e-324,
    }


def test_results_of_every_json_kind_are_read_back_as_written(tmp_path):
    """The check of a line is recomputed from the line as read: what the function returned,
    NaN and infinities included, resumes unchanged (no false alarm)."""
    path = tmp_path / "r.jsonl"
    first = sweep(odd_results, {"x": [0, 1, 2]}, seeds=2, workers=1, results=path)
    again = sweep(odd_results, {"x": [0, 1, 2]}, seeds=2, workers=1, results=path)
    assert (again.n_resumed, again.n_computed) == (6, 0)
    assert json.dumps(again.records) == json.dumps(first.records)


def test_an_edited_capacity_sweep_line_is_a_one_line_error(tmp_path, capsys):
    """``energynets sweep`` with a result of its file set to 1e9 (or its rule renamed): exit
    2 and one line naming the file and the line, no traceback (on main: a silently wrong
    phase diagram)."""
    argv = ["sweep", "--rules", "hebbian", "--n-units", "16", "--alphas", "0.1,0.2"]
    argv += ["--seeds", "2", "--max-probes", "4", "--workers", "1", "-o", str(tmp_path)]
    assert main(argv) == 0
    results = tmp_path / "capacity_sweep.jsonl"
    lines = _lines(results)
    for change in ({"fraction_recalled": 1e9}, {"rule": "storkey"}):
        entry = json.loads(lines[4])
        entry["result"].update(change)
        results.write_text("\n".join([*lines[:4], json.dumps(entry), *lines[5:]]) + "\n")
        capsys.readouterr()
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err
        last = err.strip().splitlines()[-1]
        assert last.startswith("energynets sweep: error: results file ")
        assert "capacity_sweep.jsonl' line 5 (task 3) does not match its check" in last


# -- counts beyond any limit ----------------------------------------------------------------------

COUNTS_SCRIPT = """
import resource
resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))  # main ran out of bounds
from energynets.sweep import sweep

def square(x, rng):
    return x * x

for grid, seeds in [
    ({"x": range(2**70)}, 1),
    ({"x": [1, 2], "y": range(2**70)}, 1),
    ({"a": list(range(4000)), "b": list(range(4000))}, 1),
    ({"x": list(range(4000))}, 4000),
    ({"x": [1]}, range(2**70)),
    ({"x": [1]}, 2**70),
]:
    try:
        sweep(square, grid, seeds=seeds, workers=1)
        print("accepted")
    except Exception as exc:
        print(type(exc).__name__, exc, flush=True)
"""


def test_counts_beyond_max_tasks_are_refused_before_any_work(tmp_path):
    """``seeds=2**70``, ``range(2**70)`` as seeds or grid values, and grids or products past
    MAX_TASKS are refused with the bound at once (on main: OverflowError naming nothing, or
    building tasks until memory ran out: here a 2 GiB limit and a timeout end it)."""
    script = tmp_path / "counts.py"
    script.write_text(textwrap.dedent(COUNTS_SCRIPT))
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, env=env
    )
    lines = proc.stdout.splitlines()
    assert len(lines) == 6, proc.stdout + proc.stderr[-2000:]
    bound = f"a sweep runs at most MAX_TASKS = {MAX_TASKS} tasks, got"
    assert (
        lines[0]
        == f"ValueError {bound} more than 2**63 - 1 grid points; split it into several sweeps"
    )
    assert lines[1].startswith(f"ValueError {bound} more than 2**63 - 1 grid points")
    assert lines[2].startswith(f"ValueError {bound} 16000000 grid points")
    assert lines[3].startswith(f"ValueError {bound} 16000000 tasks (4000 points x 4000 seeds)")
    assert lines[4].startswith(f"ValueError {bound} more than 2**63 - 1 seeds")
    assert lines[5] == (
        f"ValueError seeds (replicates per point) must be <= {MAX_TASKS}, got {2**70}"
    )


def _square_plus_noise(x, rng):
    return {"y": x * x + float(np.random.default_rng(rng).random())}


def _fails_at_three(x, rng):
    if x == 3:
        raise ArithmeticError("three")
    return {"y": x}


@pytest.mark.parametrize("batch_size", [1, 2, 3, 7, 64])
def test_batches_change_no_result(tmp_path, batch_size):
    """Tasks sent several at a time give the table and the results file of one at a time:
    each task's seed comes from its place in the grid, not from its batch."""
    from concurrent.futures import ThreadPoolExecutor

    grid = {"x": list(range(10))}
    serial = sweep(_square_plus_noise, grid, seeds=2, workers=1, rng=5)
    with ThreadPoolExecutor(2) as pool:
        path = tmp_path / f"b{batch_size}.jsonl"
        batched = sweep(_square_plus_noise, grid, seeds=2, rng=5, executor=pool,
                        batch_size=batch_size, results=path)  # fmt: skip
    assert batched.to_rows() == serial.to_rows()
    tasks = [json.loads(line)["task"] for line in path.read_text().splitlines()[1:]]
    assert sorted(tasks) == list(range(20))


def test_a_failing_task_in_a_batch_is_named_and_stops_the_sweep():
    from concurrent.futures import ThreadPoolExecutor

    with (
        ThreadPoolExecutor(2) as pool,
        pytest.raises(RuntimeError, match=r"x=3.*ArithmeticError: three"),
    ):
        sweep(_fails_at_three, {"x": list(range(8))}, executor=pool, batch_size=4)


@pytest.mark.parametrize("value", [0, -1, 1.5, True, 2**70])
def test_a_bad_batch_size_is_refused_before_any_work(tmp_path, value):
    path = tmp_path / "r.jsonl"
    with pytest.raises((ValueError, TypeError), match="batch_size"):
        sweep(_square_plus_noise, {"x": [1]}, batch_size=value, workers=1, results=path)
    assert not path.exists()
