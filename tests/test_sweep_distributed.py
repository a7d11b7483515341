"""``energynets sweep --scheduler`` on a real Dask cluster: a ``dask scheduler`` and two
``dask worker`` processes on loopback, one of them killed (SIGKILL) while it runs a task.

The capacity cell is slowed down (and, on the worker to be killed, held in its third task
until the kill), so the kill always lands in the middle of a task and of the sweep. The sweep
must finish on the surviving worker with every task exactly once in the results file and the
phase diagram of the serial run (``--workers 1``).
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import energynets
from energynets.cli import main

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="process groups and SIGKILL are POSIX"
)

#: The slowed capacity cell, imported by the sweep command and by the workers (by reference).
SLOW_CELL = """
import os, time
from energynets.cli._cluster import capacity_cell

DONE = 0  # tasks finished by this worker process (one thread: no race)

def _log(word):
    with open(os.environ["SWEEP_TEST_LOG"], "a") as f:
        f.write(f"{os.environ.get('SWEEP_TEST_ROLE', '?')} {word} {os.getpid()}\\n")

def slow_cell(**kwargs):
    global DONE
    _log("start")
    if os.environ.get("SWEEP_TEST_ROLE") == "victim" and DONE >= 2:
        _log("held")
        time.sleep(600)  # until the test kills this worker
    time.sleep(0.25)
    DONE += 1
    return capacity_cell(**kwargs)
"""

#: ``energynets sweep`` with the slowed cell.
CLI_SCRIPT = """
import sys
import energynets.cli.sweep as cli_sweep
from energynets.cli import main
from slowcell import slow_cell

if __name__ == "__main__":
    cli_sweep.capacity_cell = slow_cell
    sys.exit(main(sys.argv[1:]))
"""

OPTIONS = ["sweep", "--rules", "hebbian,storkey", "--n-units", "16,24", "--seeds", "2"]
OPTIONS += ["--alphas", "0.1,0.2", "--max-probes", "4"]
N_TASKS = 16  # 2 rules x 2 sizes x 2 loads x 2 seeds


def _wait_until(condition, seconds=45.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _log_lines(path):
    return path.read_text().split() if path.exists() else []


def _words(path):
    """The log as (role, word, pid) triples."""
    words = _log_lines(path)
    return [tuple(words[i : i + 3]) for i in range(0, len(words) - len(words) % 3, 3)]


def _start(argv, env, log):
    """A process in a process group of its own (so that the test can end all it started)."""
    return subprocess.Popen(
        argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def _end(proc):
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait(timeout=30)


def test_the_sweep_finishes_on_a_cluster_that_loses_a_worker_mid_task(tmp_path):
    (tmp_path / "slowcell.py").write_text(textwrap.dedent(SLOW_CELL))
    script = tmp_path / "run_cli.py"
    script.write_text(textwrap.dedent(CLI_SCRIPT))
    log, scheduler_file = tmp_path / "tasks.log", tmp_path / "scheduler.json"
    root = Path(energynets.__file__).resolve().parents[1]  # this energynets, on the workers too
    path = os.pathsep.join([str(tmp_path), str(root), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, PYTHONPATH=path, SWEEP_TEST_LOG=str(log))
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    processes, client = [], None
    with open(tmp_path / "cluster.log", "wb") as cluster_log:
        try:
            processes.append(
                _start(
                    [
                        sys.executable,
                        "-m",
                        "distributed.cli.dask_scheduler",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        "0",
                        "--no-dashboard",
                        "--scheduler-file",
                        str(scheduler_file),
                    ],
                    env,
                    cluster_log,
                )
            )
            # no nanny: a killed worker process stays dead (a nanny would restart it)
            worker = [sys.executable, "-m", "distributed.cli.dask_worker", "--nthreads", "1"]
            worker += ["--no-nanny", "--no-dashboard", "--host", "127.0.0.1"]
            worker += ["--scheduler-file", str(scheduler_file), "--death-timeout", "60"]
            assert _wait_until(lambda: scheduler_file.exists() and scheduler_file.stat().st_size)
            victim = _start(worker, dict(env, SWEEP_TEST_ROLE="victim"), cluster_log)
            processes.append(victim)
            processes.append(_start(worker, dict(env, SWEEP_TEST_ROLE="survivor"), cluster_log))
            address = json.loads(scheduler_file.read_text())["address"]
            assert address.startswith("tcp://127.0.0.1:")
            client = distributed.Client(address, timeout="30s")
            client.wait_for_workers(2, timeout=60)
            (victim_address,) = [a for a, pid in client.run(os.getpid).items() if pid == victim.pid]

            out = tmp_path / "out"
            argv = [sys.executable, str(script), *OPTIONS, "-o", str(out)]
            sweep = subprocess.Popen(
                [*argv, "--scheduler", address],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            processes.append(sweep)
            held = ("victim", "held", str(victim.pid))
            assert _wait_until(lambda: held in _words(log)), _words(log)
            # the results of its two finished tasks were taken by the sweep and released (on
            # main the sweep held them to its end: the cluster computed them again after the
            # kill, and the count of the survivor's tasks below failed)
            _wait_until(lambda: not client.has_what().get(victim_address), seconds=10)
            os.kill(victim.pid, signal.SIGKILL)  # in the middle of its third task
            stdout, stderr = sweep.communicate(timeout=120)
        finally:
            if client is not None:
                client.close()
            for proc in reversed(processes):
                _end(proc)
    assert sweep.returncode == 0, stderr[-3000:]
    assert f"on the Dask cluster at {address}" in stdout
    assert victim.returncode == -signal.SIGKILL

    results = out / "capacity_sweep.jsonl"
    lines = results.read_text().splitlines()
    tasks = [json.loads(line)["task"] for line in lines[1:]]
    assert sorted(tasks) == list(range(N_TASKS)), "every task exactly once"
    starts = [w for w in _words(log) if w[1] == "start"]
    # the victim finished two tasks and was killed in its third; the survivor ran all the
    # others, the lost task included, each once
    assert sum(w[0] == "victim" for w in starts) == 3, starts
    assert sum(w[0] == "survivor" for w in starts) == N_TASKS - 2, starts

    assert main([*OPTIONS, "-o", str(tmp_path / "serial"), "--workers", "1"]) == 0
    table = (out / "capacity_phase_diagram.md").read_text()
    assert table == (tmp_path / "serial" / "capacity_phase_diagram.md").read_text()
    assert "| hebbian |" in table and "| storkey |" in table


#: ``sbatch`` and ``scancel`` for a machine without SLURM: a "job" is the job script run by
#: bash in a session of its own, its id the session's process id.
FAKE_SBATCH = """#!/bin/sh
job="$FAKE_SLURM_DIR/job-$$.sh"
cp "$1" "$job"
setsid bash "$job" > "$job.log" 2>&1 < /dev/null &
echo "$!" >> "$FAKE_SLURM_DIR/jobs"
echo "Submitted batch job $!"
"""
FAKE_SCANCEL = """#!/bin/sh
kill -9 -- "-$1" 2>/dev/null
exit 0
"""


def test_the_dask_jobqueue_recipe_of_the_cluster_page_runs_a_sweep(tmp_path, monkeypatch):
    """docs/user_guide/clusters.rst's SLURMCluster (one process per core, the environment set
    in the job script's prologue) with ``energynets sweep --scheduler
    cluster.scheduler_address``, on a fake ``sbatch`` that runs the job script here: every
    task once, the serial table. Optional: skipped without dask-jobqueue (not a test extra)."""
    jobqueue = pytest.importorskip("dask_jobqueue")
    fake = tmp_path / "bin"
    fake.mkdir()
    for name, text in (("sbatch", FAKE_SBATCH), ("scancel", FAKE_SCANCEL)):
        (fake / name).write_text(text)
        (fake / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_SLURM_DIR", str(tmp_path))
    root = Path(energynets.__file__).resolve().parents[1]
    path = os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])
    out = tmp_path / "out"
    try:
        with jobqueue.SLURMCluster(
            cores=2,
            processes=2,
            memory="2GB",
            walltime="00:10:00",
            python=sys.executable,
            scheduler_options={"host": "127.0.0.1", "dashboard_address": "127.0.0.1:0"},
            worker_extra_args=["--host", "127.0.0.1", "--no-dashboard"],
            job_script_prologue=[
                f"export PYTHONPATH={path}",
                "export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1",
            ],
        ) as cluster:
            script = cluster.job_script()
            assert "--nthreads 1" in script and "--nworkers 2" in script
            assert "export OMP_NUM_THREADS=1" in script
            cluster.scale(jobs=1)
            with cluster.get_client() as client:
                client.wait_for_workers(2, timeout=60)
            address = cluster.scheduler_address
            run = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "energynets",
                    *OPTIONS,
                    "-o",
                    str(out),
                    "--scheduler",
                    address,
                ],
                capture_output=True,
                text=True,
                timeout=120,
                env=dict(os.environ, PYTHONPATH=path),
            )
    finally:
        jobs = tmp_path / "jobs"
        for pid in jobs.read_text().split() if jobs.exists() else []:
            try:
                os.killpg(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
    assert run.returncode == 0, run.stderr[-3000:]
    lines = (out / "capacity_sweep.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["task"] for line in lines[1:]) == list(range(N_TASKS))
    assert main([*OPTIONS, "-o", str(tmp_path / "serial"), "--workers", "1"]) == 0
    assert (out / "capacity_phase_diagram.md").read_text() == (
        tmp_path / "serial" / "capacity_phase_diagram.md"
    ).read_text()
