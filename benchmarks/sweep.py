"""Sweep benchmark: the capacity phase diagram on 2 local workers against 1.

The task: the Hopfield capacity phase diagram of ``energynets sweep`` (the Hebbian, Storkey and
pseudo-inverse rules, N = 200 and 400, ten loads alpha = P / N from 0.05 to 0.5, three seeds
each, at most 30 probes per point: 180 tasks of
:func:`energynets.cli._cluster.capacity_cell`), run by :func:`energynets.sweep.sweep`.

- ours: ``sweep(..., workers=2)``, a local process pool of 2 workers (its start and shutdown
  are timed: they are part of what a user waits for);
- ``1 process``: the same sweep with ``workers=1`` (one task after another in this process),
  the baseline of the speed-up, which is the ratio reported;
- ``dask 2 workers``: the same sweep on a Dask ``LocalCluster`` of 2 worker processes (one
  thread each) on loopback, through ``Client.get_executor()``; the cluster is started before
  timing, as a user's cluster would already be running. Skipped without ``distributed``.

The check: every implementation gives exactly the same table (the seeds are spawned from the
grid position, so scheduling cannot change a result), and the fractions lie in [0, 1]. The
target is a speed-up of at least 1.6 on 2 cores (the tasks are independent; the rest is
process start-up, pickling and the tail of the last tasks).
"""

from __future__ import annotations

import atexit
import os
from dataclasses import dataclass, field
from typing import Any

from benchmarks.runner import Case, Job, Target
from energynets.cli._cluster import capacity_cell
from energynets.cli.sweep import phase_diagram_points
from energynets.sweep import sweep

SERIAL = "1 process"
DASK = "dask 2 workers"


@dataclass
class Inputs:
    points: list[dict[str, Any]]
    seeds: int
    reference: list[dict[str, Any]] = field(default_factory=list)


def _setup(quick: bool) -> Inputs:
    if quick:
        rules = ["hebbian", "storkey", "pseudoinverse"]
        points = phase_diagram_points(rules, [150], [0.05, 0.1, 0.2, 0.3], max_probes=20)
        return Inputs(points, seeds=2)
    alphas = [round(0.05 * k, 2) for k in range(1, 11)]
    points = phase_diagram_points(
        ["hebbian", "storkey", "pseudoinverse"], [200, 400], alphas, max_probes=30
    )
    return Inputs(points, seeds=3)


def _rows(result: Any) -> list[dict[str, Any]]:
    return result.to_rows()


def _ours(inputs: Inputs) -> Job:
    def run() -> Any:
        return _rows(sweep(capacity_cell, inputs.points, seeds=inputs.seeds, workers=2))

    return Job(run, note="sweep(workers=2): a process pool of 2, started and closed per call")


def _serial(inputs: Inputs) -> Job:
    def run() -> Any:
        return _rows(sweep(capacity_cell, inputs.points, seeds=inputs.seeds, workers=1))

    return Job(run, note="sweep(workers=1): the tasks one after another in this process")


def _dask(inputs: Inputs) -> Job:
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster)
    atexit.register(cluster.close)
    atexit.register(client.close)
    executor = client.get_executor(pure=False)  # no result reused between timed runs

    def run() -> Any:
        return _rows(sweep(capacity_cell, inputs.points, seeds=inputs.seeds, executor=executor))

    return Job(run, note="LocalCluster(n_workers=2, processes=True), started before timing")


def _check(name: str, rows: Any, inputs: Inputs) -> None:
    assert len(rows) == len(inputs.points) * inputs.seeds, name
    for row in rows:
        for key in ("one_step_error", "fraction_fixed", "fraction_recalled"):
            assert 0.0 <= row[key] <= 1.0, (name, key, row[key])
    if not inputs.reference:
        inputs.reference.extend(rows)
    assert rows == inputs.reference, f"{name} gave another table than the first run"


CASES = [
    Case(
        name="sweep-capacity",
        description=(
            "capacity phase diagram (3 rules x N = 200, 400 x 10 loads x 3 seeds, 180 tasks; "
            "--quick: N = 150, 4 loads, 2 seeds, 24 tasks) on 2 local worker processes "
            f"against 1; {os.cpu_count()} CPUs"
        ),
        setup=_setup,
        ours=_ours,
        peers={SERIAL: _serial, DASK: _dask},
        unit="per sweep",
        check=_check,
        targets=(Target(SERIAL, 1.6, "2 workers at least 1.6x faster than 1"),),
        max_repeat=3,
    )
]
