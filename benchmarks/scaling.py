"""Cost curves: how the time and memory of energynets grow with the size of the problem.

``python -m benchmarks.scaling [--quick] [--repeat N] [--markdown docs/benchmarks.md]
[--figure docs/_static/scaling.png] [--only NAME,...] [--threads N]``

Each curve is a series of sizes x and costs y (the median of ``--repeat`` timed runs after one
untimed warm-up, or a byte count); the slope s of log y = a + s log x is fitted by least
squares and set beside the slope that the algorithm's cost predicts:

- ``recall-n``: Hopfield recall time per probe and sweep against N at a fixed load
  alpha = P / N = 0.05, Hebbian weights held factored (W = F F^T - (P / N) I, fields in
  O(N P) = O(alpha N^2)) or dense (an N x N matrix built from weights, so the dynamics cannot
  use the factor; O(N^2)).
  Glauber dynamics at T = 1 from random probes run exactly ``max_sweeps`` sweeps, so that
  convergence cannot shorten a run; both the synchronous step (all fields at once: one
  product) and the asynchronous sweep (the default of ``recall``; blocks of 128 units, one
  unit at a time inside a block) are timed, with a fixed number of probes per series
  (:data:`PROBES`). Theory: slope 2 for both storages.
- ``recall-p``: the same against P at N = 4000: factored slope 1, dense slope 0.
- ``memory``: bytes of the arrays the network holds and the peak that ``tracemalloc`` (to
  which numpy reports its allocations) measures while ``from_patterns`` builds it: dense
  slope 2; factored at fixed alpha slope 2, at fixed P slope 1.
- ``rbm``: one epoch of CD-1 (``fit_rbm``, batch 100, float32) on 6000 rows of 784 (MNIST
  grey levels when the files are found, else random binary rows) against the hidden layer:
  slope 1.
- ``ais``: ``ais`` on a 784 -> 500 float32 RBM, 100 runs, against the number of
  temperatures: slope 1.
- ``workers``: ``sweep`` throughput (tasks per second) of a fixed-cost numpy task on 1 and 2
  local workers, and a model fitted to those measurements projected to 8 ... 512 workers
  (:class:`WorkerModel`; a projection, not a measurement). Theory: slope 1 (ideal).

A slope is "within 15%" when |s - theory| <= 0.15 |theory| (for theory 0: |s| <= 0.15). Time
slopes are fitted over the top decade of sizes, x >= max x / ``FIT_SPAN`` (the theory is the
cost's leading term; at the smaller sizes the lower-order terms, a fixed cost a call or O(N)
per sweep, are a large part of the time), keeping at least ``MIN_FIT_POINTS``.

The report goes into its own section of the Markdown file (between ``SECTION_START`` and
``SECTION_END``, below the runner's notes marker, so that ``python -m benchmarks --markdown``
keeps it); everything else in the file is left as it is. Files are written atomically.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gc
import math
import os
import shlex
import statistics
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.runner import NOTES_MARKER, format_time, machine_info, markdown_table
from energynets._npz import atomic_file

TOLERANCE = 0.15
FIT_SPAN = 10.0
MIN_FIT_POINTS = 3
SECTION_START = "<!-- scaling start -->"
SECTION_END = "<!-- scaling end -->"
TEMPERATURE = 1.0  # Glauber dynamics: every sweep runs, and units flip in every block
ALPHA = 0.05
RECALL_P_UNITS = 4000
FIXED_P = 50
RBM_ROWS = 6000
FACTORED_N = (500, 1000, 2000, 5000, 10000, 20000, 50000, 100000)
PROJECTED_WORKERS = (8, 16, 32, 64, 128, 256, 512)
PROJECTED_TASKS = 10000  # the projection: a sweep of this many tasks of the measured cost


# -- results ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Series:
    """One measured curve: costs ``ys`` at sizes ``xs`` and the slope that theory predicts.

    ``timed`` series are fitted over their top decade of sizes (:data:`FIT_SPAN`); ``reason``
    says why the slope may miss its theory and is printed only when it does.
    """

    curve: str
    label: str
    x_name: str
    y_name: str
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    theory: float
    theory_text: str
    timed: bool = True
    reason: str = ""
    projected: tuple[tuple[float, float], ...] = ()  # (x, y) of a model, not measured
    note: str = ""


@dataclass(frozen=True)
class Fit:
    """A fitted slope, the points it used, and how it compares with the theory."""

    series: Series
    slope: float
    intercept: float
    fit_xs: tuple[float, ...]
    difference: float  # relative (absolute when the theory is 0)
    within: bool


def fit_power_law(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Least-squares fit of log y = a + s log x; returns (s, a) (natural logarithms).

    Parameters
    ----------
    xs, ys : sequences of positive finite numbers, the same length, at least 2 distinct xs

    Returns
    -------
    tuple of float
        The slope s and the intercept a.
    """
    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"xs and ys must be 1-d of one length, got {x.shape} and {y.shape}")
    for name, arr in (("xs", x), ("ys", y)):
        if not np.all(np.isfinite(arr) & (arr > 0)):
            raise ValueError(f"{name} must be positive and finite for a log-log fit, got {arr}")
    if np.unique(x).size < 2:
        raise ValueError(f"xs must hold at least 2 distinct values, got {x}")
    slope, intercept = np.polyfit(np.log(x), np.log(y), 1)
    return float(slope), float(intercept)


def compare(slope: float, theory: float, tolerance: float = TOLERANCE) -> tuple[float, bool]:
    """(difference, within): relative to |theory|, or absolute when the theory is 0."""
    diff = (slope - theory) / abs(theory) if theory != 0 else slope - theory
    return diff, abs(diff) <= tolerance + 1e-12  # exactly 15% is within, rounding aside


def fit_series(series: Series) -> Fit:
    """Fit a series; a timed one over its top decade of sizes, x >= max x / :data:`FIT_SPAN`
    (keeping at least :data:`MIN_FIT_POINTS` of the largest, or all points when there are
    fewer)."""
    pairs = sorted(zip(series.xs, series.ys, strict=True))
    if series.timed:
        kept = [(x, y) for x, y in pairs if x >= pairs[-1][0] / FIT_SPAN]
        if len(kept) < MIN_FIT_POINTS:
            kept = pairs[-MIN_FIT_POINTS:]
    else:
        kept = pairs
    xs, ys = [p[0] for p in kept], [p[1] for p in kept]
    slope, intercept = fit_power_law(xs, ys)
    diff, ok = compare(slope, series.theory)
    return Fit(series, slope, intercept, tuple(xs), diff, ok)


# -- the worker model ---------------------------------------------------------------------
@dataclass(frozen=True)
class WorkerModel:
    """Time of ``n`` independent tasks on ``w`` worker processes: T = w s + n (c / w + o).

    ``c`` (``task_cost``): seconds of one task in one process; ``o`` (``task_overhead``):
    seconds per task that do not shrink with more workers (the parent's dispatch, pickling,
    collecting); ``s`` (``worker_start``): seconds to start one worker, paid one after
    another. Throughput n / T = w / (c + o w + s w^2 / n): linear in w while c dominates,
    then bounded by 1 / o, then falling as starting the workers dominates. Assumes as many
    free cores as workers and that the tasks do not contend for memory bandwidth.
    """

    task_cost: float
    task_overhead: float
    worker_start: float

    def seconds(self, workers: int, n_tasks: int) -> float:
        """Projected time of ``n_tasks`` tasks on ``workers`` workers."""
        w = float(workers)
        return w * self.worker_start + n_tasks * (self.task_cost / w + self.task_overhead)

    def throughput(self, workers: int, n_tasks: int) -> float:
        """Projected tasks per second."""
        return n_tasks / self.seconds(workers, n_tasks)


def fit_worker_model(
    serial_seconds: float, n_serial: int, pool: Sequence[tuple[int, float]], workers: int = 2
) -> WorkerModel:
    """The :class:`WorkerModel` of measured times.

    Parameters
    ----------
    serial_seconds, n_serial : the time of ``n_serial`` tasks in this process (c = T / n)
    pool : two or more (n_tasks, seconds) on ``workers`` workers: the slope in n gives
        c / w + o, the intercept w s. Negative estimates (noise) are clipped to 0.
    workers : int
    """
    if len(pool) < 2 or len({n for n, _ in pool}) < 2:
        raise ValueError(f"pool must hold times of at least 2 task counts, got {list(pool)}")
    cost = serial_seconds / n_serial
    per_task, fixed = np.polyfit([n for n, _ in pool], [t for _, t in pool], 1)
    overhead = max(0.0, float(per_task) - cost / workers)
    start = max(0.0, float(fixed) / workers)
    return WorkerModel(cost, overhead, start)


# -- timing helpers -----------------------------------------------------------------------
def median_seconds(run: Callable[[], Any], repeat: int, *, warm_up: bool = True) -> float:
    """The median of ``repeat`` timed runs, after one untimed run when ``warm_up``."""
    return interleaved_medians([run], repeat, warm_up=warm_up)[0]


def interleaved_medians(
    runs: Sequence[Callable[[], Any]], repeat: int, *, warm_up: bool = True
) -> list[float]:
    """Medians of ``repeat`` timed runs of each of ``runs``, interleaved (a, b, a, b, ...) so
    that load from other processes falls on all alike; garbage collector off while timed."""
    if warm_up:
        for run in runs:
            run()
    times: list[list[float]] = [[] for _ in runs]
    enabled = gc.isenabled()
    try:
        for _ in range(repeat):
            for run, out in zip(runs, times, strict=True):
                gc.collect()
                gc.disable()
                t0 = time.perf_counter()
                run()
                out.append(time.perf_counter() - t0)
                if enabled:
                    gc.enable()
    finally:
        if enabled:
            gc.enable()
    return [statistics.median(t) for t in times]


def random_spins(n_rows: int, n_units: int, rng: np.random.Generator) -> np.ndarray:
    """Random +-1 float32 spins, built a block of rows at a time (no float64 copy)."""
    out = np.empty((n_rows, n_units), dtype=np.float32)
    step = max(1, (1 << 24) // max(n_units, 1))
    for a in range(0, n_rows, step):
        bits = rng.integers(0, 2, size=(min(step, n_rows - a), n_units), dtype=np.int8)
        out[a : a + step] = 2 * bits - 1
    return out


@dataclass
class Config:
    quick: bool
    repeat: int
    log: Callable[[str], None]


def _series(
    curve: str, label: str, axes: tuple[str, str], xs: Sequence[float], ys: Sequence[float],
    theory: tuple[float, str], reason: str, *, timed: bool = True,
) -> Series:  # fmt: skip
    """A :class:`Series`; ``axes`` is (x name, y unit), ``theory`` (slope, its text)."""
    xs_f, ys_f = tuple(map(float, xs)), tuple(map(float, ys))
    return Series(curve, label, *axes, xs_f, ys_f, *theory, timed=timed, reason=reason)


def _sizes(cfg: Config, quick: Sequence[int], full: Sequence[int]) -> list[int]:
    return list(quick if cfg.quick else full)


# -- recall -------------------------------------------------------------------------------
def _networks(patterns: np.ndarray, dense: bool) -> dict[str, Any]:
    """The factored network of ``patterns`` and, when asked, a dense one from its weights."""
    from energynets import HopfieldNetwork

    nets = {"factored": HopfieldNetwork.from_patterns(patterns, storage="factored", dtype="f4")}
    if dense:
        w = HopfieldNetwork.from_patterns(patterns, storage="dense", dtype=np.float32).weights
        # built from weights alone: no patterns, no field factor, the N x N products only
        nets["dense"] = HopfieldNetwork(w, dtype=np.float32)
    return nets


#: Probes per recall: one count per dynamics for a whole series, so that the time per probe
#: and sweep compares like with like. The asynchronous sweep pays some microseconds of Python
#: per unit whatever the batch; 256 probes make the O(B N P) or O(B N^2) arithmetic outweigh it.
PROBES = {"sync": 16, "async": 256}
ASYNC_MAX_N = {"factored": 20000, "dense": 10000}  # the async sweep's largest N (its time)
DENSE_MAX_N = 20000  # N x N float32 = 1.6 GB


def _sweep_seconds(net: Any, dynamics: str, cfg: Config) -> float:
    """Median seconds per probe and sweep (synchronous: per step) of Glauber recall of
    :data:`PROBES` random probes."""
    n_probes = PROBES[dynamics] if not cfg.quick else 8
    probes = random_spins(n_probes, net.n_units, np.random.default_rng(1))
    sweeps = 2 if dynamics == "async" else 5

    def run() -> Any:
        return net.recall(probes, dynamics, TEMPERATURE, sweeps, rng=0)

    return median_seconds(run, cfg.repeat) / (sweeps * n_probes)


_ASYNC_REASON = (
    "an asynchronous sweep visits the units one by one inside blocks of 128: some microseconds "
    "of Python per unit, O(N), beside the O(B N P) or O(B N^2) arithmetic, which outweighs it "
    "only at the larger sizes"
)


_SYNC_REASON = (
    "the Glauber draws, the sigmoid and the energy trace cost O(B N) a step beside the "
    "products' O(B N P) or O(B N^2); with numpy's fixed cost a call, they weigh at the "
    "smaller sizes"
)


def _recall_series(
    curve: str, x_name: str, xs: list[int], times: dict[tuple[str, str], list[float]], theory: dict
) -> list[Series]:
    out = []
    for (storage, dynamics), ys in times.items():
        step = "sync step" if dynamics == "sync" else "async sweep"
        label = f"{storage}, {step}, {PROBES[dynamics]} probes"
        reason = _ASYNC_REASON if dynamics == "async" else _SYNC_REASON
        if theory[storage][0] == 0:
            reason = "the time does not depend on P: the slope is noise around 0"
        xs_n = xs[: len(ys)]  # dense and async stop at a smaller N
        axes = (x_name, "seconds per probe and sweep")
        out.append(_series(curve, label, axes, xs_n, ys, theory[storage], reason))
    return out


def curve_recall_n(cfg: Config) -> list[Series]:
    """Recall time per probe and sweep against N at alpha = 0.05, factored and dense."""
    factored_n = _sizes(cfg, [500, 1000, 2000], FACTORED_N)
    dense_max = 1000 if cfg.quick else DENSE_MAX_N
    times: dict[tuple[str, str], list[float]] = {}
    for n in factored_n:
        p = max(1, round(ALPHA * n))
        patterns = random_spins(p, n, np.random.default_rng(0))
        nets = _networks(patterns, dense=n <= dense_max)
        del patterns
        for storage, net in nets.items():
            for dynamics in ("sync", "async"):
                if dynamics == "async" and n > ASYNC_MAX_N[storage] and not cfg.quick:
                    continue
                t = _sweep_seconds(net, dynamics, cfg)
                times.setdefault((storage, dynamics), []).append(t)
                cfg.log(f"recall-n: N={n} P={p} {storage} {dynamics}: {format_time(t)}")
        del nets
    theory = {"factored": (2.0, "2: O(N P) = O(alpha N^2)"), "dense": (2.0, "2: O(N^2)")}
    return _recall_series("recall-n", "N", factored_n, times, theory)


def curve_recall_p(cfg: Config) -> list[Series]:
    """Recall time per probe and sweep against P at N = 4000, factored and dense."""
    n = 1000 if cfg.quick else RECALL_P_UNITS
    ps = _sizes(cfg, [10, 20, 40], [50, 100, 200, 400, 800])
    times: dict[tuple[str, str], list[float]] = {}
    for p in ps:
        patterns = random_spins(p, n, np.random.default_rng(0))
        for storage, net in _networks(patterns, dense=True).items():
            for dynamics in ("sync", "async"):
                t = _sweep_seconds(net, dynamics, cfg)
                times.setdefault((storage, dynamics), []).append(t)
                cfg.log(f"recall-p: N={n} P={p} {storage} {dynamics}: {format_time(t)}")
    theory = {"factored": (1.0, "1: O(N P)"), "dense": (0.0, "0: O(N^2), P-free")}
    return _recall_series("recall-p", "P", ps, times, theory)


# -- memory -------------------------------------------------------------------------------
def held_bytes(net: Any) -> int:
    """Bytes of the arrays a Hopfield network holds (weights or factor, bias, patterns)."""
    arrays = [net.bias] + ([] if net.patterns is None else [net.patterns])
    if net.storage == "dense":
        arrays.append(net.weights)
    else:
        arrays.extend(net.field_factor())
    return int(sum(a.nbytes for a in arrays))


def build_peak(patterns: np.ndarray, storage: str) -> tuple[int, int]:
    """(held bytes, traced peak bytes) of ``from_patterns(patterns, storage=...)`` in float32."""
    from energynets import HopfieldNetwork

    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        net = HopfieldNetwork.from_patterns(patterns, storage=storage, dtype=np.float32)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return held_bytes(net), peak


def curve_memory(cfg: Config) -> list[Series]:
    """Bytes held and peak bytes of building, against N."""
    dense_n = _sizes(cfg, [500, 1000, 2000], [500, 1000, 2000, 4000, 8000, 16000])
    factored_n = _sizes(cfg, [500, 1000, 2000], FACTORED_N)
    plans = [
        ("dense, alpha = 0.05", "dense", dense_n, None, 2.0, "2: N^2"),
        ("factored, alpha = 0.05", "factored", factored_n, None, 2.0, "2: N P = alpha N^2"),
        (f"factored, P = {FIXED_P}", "factored", factored_n, FIXED_P, 1.0, "1: N P"),
    ]
    out = []
    for label, storage, ns, fixed_p, theory, text in plans:
        held, peak = [], []
        for n in ns:
            p = fixed_p if fixed_p is not None else max(1, round(ALPHA * n))
            h, k = build_peak(random_spins(p, n, np.random.default_rng(0)), storage)
            held.append(float(h))
            peak.append(float(k))
            cfg.log(f"memory: {label} N={n}: held {h / 2**20:.3g} MiB, peak {k / 2**20:.3g} MiB")
        xs = tuple(map(float, ns))
        for what, ys in (("held", held), ("build peak", peak)):
            axes = ("N", "bytes")
            label_w = f"{label}, {what}"
            theory_t = (theory, text)
            out.append(
                _series("memory", label_w, axes, xs, ys, theory_t, _MEMORY_REASON, timed=False)
            )
    return out


_MEMORY_REASON = (
    "buffers of fixed size (the validation, the loop over blocks of units) weigh at the smallest N"
)


# -- RBM and AIS --------------------------------------------------------------------------
def rbm_rows(n_rows: int) -> tuple[np.ndarray, str]:
    """``n_rows`` MNIST training images as float32 grey levels in [0, 1] when the files are
    found (no download), else random binary rows; and a word saying which."""
    from energynets.datasets import load_mnist

    try:
        images, _ = load_mnist("train", download=False)
    except FileNotFoundError:
        g = np.random.default_rng(0)
        return (g.random((n_rows, 784)) < 0.5).astype(np.float32), "random binary rows"
    return (images[:n_rows] / np.float32(255.0)).astype(np.float32), "MNIST grey levels"


def curve_rbm(cfg: Config) -> list[Series]:
    """One epoch of CD-1 on 6000 x 784 against the hidden layer."""
    from energynets.learning.contrastive import fit_rbm
    from energynets.models.rbm import RBM

    n_rows = 1000 if cfg.quick else RBM_ROWS
    data, what = rbm_rows(n_rows)
    hidden = _sizes(cfg, [50, 100, 200], [200, 400, 800, 1600, 3200, 6400])
    ys: list[float] = []
    for nh in hidden:
        model = RBM(784, nh, dtype=np.float32, rng=0)

        def run(model: Any = model) -> Any:
            return fit_rbm(
                model, data, method="cd", k=1, n_epochs=1, batch_size=100,
                learning_rate=0.01, monitor=(), rng=0,
            )  # fmt: skip

        ys.append(median_seconds(run, cfg.repeat, warm_up=not ys))
        cfg.log(f"rbm: {n_rows} x 784 ({what}), {nh} hidden: {format_time(ys[-1])}")
    reason = (
        "the visible layer's sampling and the data's batches cost O(rows x 784) whatever the "
        "hidden layer: a constant that flattens the small sizes"
    )
    label = f"CD-1 epoch, {n_rows} x 784 ({what})"
    theory = (1.0, "1: O(rows 784 n_hidden)")
    return [
        _series("rbm", label, ("hidden units", "seconds per epoch"), hidden, ys, theory, reason)
    ]


def curve_ais(cfg: Config) -> list[Series]:
    """AIS on a 784 -> 500 RBM, 100 runs, against the number of temperatures."""
    from energynets.models.rbm import RBM
    from energynets.sampling.ais import ais

    rbm = RBM(784, 500, dtype=np.float32, rng=0)
    ks = _sizes(cfg, [100, 200, 400], [250, 500, 1000, 2000, 4000, 8000])
    ys: list[float] = []
    for k in ks:

        def run(k: int = k) -> Any:
            return ais(rbm, n_runs=100, n_betas=k, rng=0)

        ys.append(median_seconds(run, cfg.repeat, warm_up=not ys))  # one warm-up per curve
        cfg.log(f"ais: 784 -> 500, 100 runs, {k} temperatures: {format_time(ys[-1])}")
    reason = (
        "the work per temperature is constant (two 100 x 784 x 500 products and the sampling) "
        "and the K-free part is milliseconds: load from other jobs"
    )
    axes = ("temperatures", "seconds per estimate")
    return [_series("ais", "ais, 784 -> 500, 100 runs", axes, ks, ys, (1.0, "1: O(K)"), reason)]


# -- workers ------------------------------------------------------------------------------
def fixed_cost_task(size: int, rng: int) -> dict[str, float]:
    """A task of fixed cost for the worker curve: 20 passes of sin over ``size`` numbers (no
    BLAS, so no threads); the seed only varies the data."""
    x = np.random.default_rng(rng).random(size)
    for _ in range(20):
        x = np.sin(x + 1.0)
    return {"value": float(x.sum())}


@dataclass(frozen=True)
class WorkerRun:
    """The measurements of the worker curve and the model fitted to them."""

    serial: tuple[int, float]
    pool: tuple[tuple[int, float], ...]
    model: WorkerModel


def measure_workers(cfg: Config) -> WorkerRun:
    """Time ``sweep`` over the fixed-cost task on 1 worker (in process) and 2 (a pool)."""
    from benchmarks import scaling  # the task by its importable name, also under -m
    from energynets.sweep import sweep

    task = scaling.fixed_cost_task
    size = 20000 if cfg.quick else 100000
    counts = (8, 32) if cfg.quick else (24, 96)

    def job(workers: int, n_tasks: int) -> Callable[[], Any]:
        return lambda: sweep(task, {"size": [size]}, seeds=n_tasks, workers=workers)

    plan = [(1, counts[1])] + [(2, n) for n in counts]
    seconds = interleaved_medians([job(w, n) for w, n in plan], cfg.repeat)
    for (w, n), t in zip(plan, seconds, strict=True):
        cfg.log(f"workers: {n} tasks on {w}: {format_time(t)}")
    serial = (counts[1], seconds[0])
    pool = tuple((n, t) for (_, n), t in zip(plan[1:], seconds[1:], strict=True))
    return WorkerRun(serial, pool, fit_worker_model(serial[1], serial[0], pool))


def curve_workers(cfg: Config) -> list[Series]:
    """Throughput against workers: measured at 1 and 2."""
    run = measure_workers(cfg)
    n = run.serial[0]
    two = dict(run.pool)[n]
    reason = (
        "a pool started per call on a 2-core machine: the workers' start and the parent's "
        "dispatch are paid in the time (and any other job on the cores)"
    )
    m = run.model
    note = (
        f"measured: {n} tasks in {format_time(run.serial[1])} in process, "
        + ", ".join(f"{k} tasks in {format_time(t)}" for k, t in run.pool)
        + f" on 2 workers; fitted: c = {format_time(m.task_cost)} a task, o = "
        f"{format_time(m.task_overhead)} a task in the parent, s = {format_time(m.worker_start)} "
        "to start a worker"
    )
    projected = tuple((float(w), m.throughput(w, PROJECTED_TASKS)) for w in PROJECTED_WORKERS)
    return [
        dataclasses.replace(
            _series(
                "workers",
                f"sweep, {n} fixed-cost tasks (measured)",
                ("workers", "tasks per second"),
                (1, 2),
                (n / run.serial[1], n / two),
                (1.0, "1: ideal"),
                reason,
                timed=False,
            ),
            projected=projected,
            note=note,
        )
    ]


CURVES: dict[str, Callable[[Config], list[Series]]] = {
    "recall-n": curve_recall_n,
    "recall-p": curve_recall_p,
    "memory": curve_memory,
    "rbm": curve_rbm,
    "ais": curve_ais,
    "workers": curve_workers,
}


# -- the report ---------------------------------------------------------------------------
def _number(x: float) -> str:
    return f"{x:,.0f}" if x >= 1 else f"{x:.3g}"


def fit_rows(fits: Sequence[Fit]) -> tuple[list[str], list[list[str]]]:
    """The table: curve, x range (and the range fitted), slope, theory, difference, verdict."""
    headers = ["curve", "x range (fitted)", "fitted slope", "theory", "difference", "within 15%"]
    rows = []
    for f in fits:
        s = f.series
        span = f"{s.x_name} = {_number(min(s.xs))} ... {_number(max(s.xs))}"
        if len(f.fit_xs) < len(s.xs):
            span += f" ({_number(min(f.fit_xs))} ... {_number(max(f.fit_xs))})"
        diff = f"{f.difference:+.0%}" if s.theory != 0 else f"{f.difference:+.2f} (absolute)"
        verdict = "yes" if f.within else f"no: {s.reason or 'no reason recorded'}"
        rows.append([f"{s.curve}: {s.label}", span, f"{f.slope:.2f}", s.theory_text, diff, verdict])
    return headers, rows


def points_rows(fits: Sequence[Fit]) -> tuple[list[str], list[list[str]]]:
    """Every measured point, one row per curve."""
    rows = []
    for f in fits:
        s = f.series
        show = format_time if s.y_name.startswith("seconds") else _value_text(s.y_name)
        cells = ", ".join(f"{_number(x)}: {show(y)}" for x, y in zip(s.xs, s.ys, strict=True))
        rows.append([f"{s.curve}: {s.label}", s.y_name, cells])
    return ["curve", "unit", "x: median"], rows


def _value_text(unit: str) -> Callable[[float], str]:
    if unit == "bytes":
        return lambda y: f"{y / 2**20:.3g} MiB"
    return lambda y: f"{y:.3g}"


def markdown_section(
    fits: Sequence[Fit],
    *,
    command: str,
    date: str,
    machine: dict[str, str],
    figure: str,
    repeat: int,
    quick: bool,
    elapsed: float,
    load_note: str = "",
) -> str:
    """The report section, between :data:`SECTION_START` and :data:`SECTION_END`."""
    out = [
        SECTION_START,
        "## Cost curves",
        "",
        "Written by `python -m benchmarks.scaling --markdown` (`benchmarks/scaling.py`, whose "
        "docstring says what each curve times); rerun it rather than editing this section. "
        f"Times are medians of {repeat} run{'s' * (repeat != 1)} after a warm-up; slopes are "
        "least-squares fits "
        "of log cost against log size; a slope is within 15% when |slope - theory| <= 0.15 "
        "|theory| (theory 0: |slope| <= 0.15). Times are fitted over the top decade of sizes "
        "(x >= max x / 10: the theory is the cost's leading term, and at smaller sizes the "
        "lower-order terms, a fixed cost a call or O(N) a sweep, weigh), keeping at least "
        f"{MIN_FIT_POINTS} points; byte counts over every point.",
        "",
        f"- command: `{command}`",
        f"- date: {date}; whole run {elapsed / 60:.1f} min",
        f"- repeats: {repeat}"
        + (" (quick sizes: a smoke test, not a measurement)" if quick else ""),
    ]
    out += [f"- {key}: {value}" for key, value in machine.items()]
    if load_note:
        out += ["", load_note]
    out += ["", f"![cost curves, log-log]({figure})", "", markdown_table(*fit_rows(fits)), ""]
    for f in fits:
        if f.series.projected:
            out += [_projection_text(f.series), ""]
    out += ["Measured points:", "", markdown_table(*points_rows(fits)), "", SECTION_END]
    return "\n".join(out) + "\n"


def _projection_text(s: Series) -> str:
    cells = ", ".join(f"{x:.0f}: {y:,.0f}" for x, y in s.projected)
    return (
        f"**Workers, on paper.** {s.note}. Projected throughput of {PROJECTED_TASKS:,} such "
        f"tasks (tasks/s) by workers: {cells}. A projection from the model T = w s + n (c / w "
        "+ o), not a measurement: it assumes a free core per worker, workers started one "
        "after another, a constant dispatch cost per task in the parent and no contention "
        "for memory bandwidth. On a loaded machine the second worker finds no free core, "
        "which the fit takes for dispatch cost (a larger o): the projection is then "
        "pessimistic."
    )


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def load_text(start: float, end: float, cores: int) -> str:
    """A sentence on the machine's load (1-minute averages at the start and the end)."""
    if max(start, end) <= cores - 0.5:
        return (
            f"The load average ({start:.1f} at the start, {end:.1f} at the end) stayed under "
            f"the {cores} cores."
        )
    return (
        f"**Loaded machine**: load average {start:.1f} at the start and {end:.1f} at the end on "
        f"{cores} cores: other jobs shared the cores, so the times carry "
        "their noise and the slopes are indicative; rerun on a quiet machine to measure."
    )


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (the package's own writer), its folder made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as file:
        file.write(data)


def replace_section(text: str, section: str, name: str = "the Markdown file") -> str:
    """``text`` with its scaling section replaced by ``section`` (which holds the markers), or
    with ``section`` added at the end, below the runner's notes marker (added when missing)."""
    start, end = text.find(SECTION_START), text.find(SECTION_END)
    if (start < 0) != (end < 0) or end < start:
        raise ValueError(
            f"{name}: expected both {SECTION_START} and {SECTION_END}, in that order, or "
            f"neither; found start at {start}, end at {end}"
        )
    if start >= 0:
        return text[:start] + section.rstrip("\n") + text[end + len(SECTION_END) :]
    if NOTES_MARKER not in text:
        text = text.rstrip("\n") + ("\n\n" if text.strip() else "") + NOTES_MARKER + "\n"
    return text.rstrip("\n") + "\n\n" + section


def write_section(path: Path, section: str) -> None:
    """Put ``section`` into the Markdown file ``path`` (see :func:`replace_section`)."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    write_atomic(path, replace_section(old, section, str(path)).encode("utf-8"))


def draw_figure(fits: Sequence[Fit], path: Path) -> None:
    """One log-log panel per curve: points, the fitted line and a guide of the theory's slope
    through the largest point; projections dashed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curves = list(dict.fromkeys(f.series.curve for f in fits))
    n_cols = min(3, len(curves))
    n_rows = math.ceil(len(curves) / n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(5.2 * n_cols, 4.2 * n_rows), squeeze=False)
    for ax, curve in zip(axes.flat, curves, strict=False):
        for i, f in enumerate(g for g in fits if g.series.curve == curve):
            _draw_series(ax, f, f"C{i}")
        first = next(f.series for f in fits if f.series.curve == curve)
        ax.set(xscale="log", yscale="log", title=curve, xlabel=first.x_name, ylabel=first.y_name)
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())  # no 2x10^2 clutter
        ax.legend(fontsize=7)
        ax.grid(True, which="both", alpha=0.3)
    for ax in list(axes.flat)[len(curves) :]:
        ax.set_visible(False)
    fig.tight_layout()
    buffer = _png_bytes(fig)
    plt.close(fig)
    write_atomic(path, buffer)


def _draw_series(ax: Any, f: Fit, color: str) -> None:
    s = f.series
    xs, ys = np.array(s.xs), np.array(s.ys)
    ax.plot(xs, ys, "o", color=color, label=f"{s.label}: slope {f.slope:.2f}")
    fx = np.array([min(f.fit_xs), max(f.fit_xs)])
    ax.plot(fx, np.exp(f.intercept) * fx**f.slope, "-", color=color, lw=1)
    end = int(np.argmax(xs))
    ax.plot(xs, ys[end] * (xs / xs[end]) ** s.theory, ":", color=color, lw=1, alpha=0.7)
    if s.projected:
        px = np.array([x for x, _ in s.projected])
        py = np.array([y for _, y in s.projected])
        ideal = ys[0] * px
        ax.plot(px, py, "s--", color=color, mfc="none", label="projected (model, not measured)")
        ax.plot(px, ideal, ":", color="grey", lw=1, label="ideal: slope 1")


def _png_bytes(fig: Any) -> bytes:
    import io

    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=110)
    return out.getvalue()


# -- command line -------------------------------------------------------------------------
def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value}")
    return value


def _curve_names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in CURVES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"expected curve names from {', '.join(CURVES)} separated by commas, got {text!r}"
            + (f" (unknown: {', '.join(unknown)})" if unknown else "")
        )
    return list(dict.fromkeys(names))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.scaling",
        description="Cost curves of energynets: time and memory against size, slopes fitted "
        "on log-log axes beside the theory.",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--repeat", type=_positive_int, default=3, help="timed runs a point (3)")
    parser.add_argument("--markdown", metavar="PATH", help="write the section into this file")
    parser.add_argument("--figure", metavar="PATH", help="write the figure (PNG) here")
    parser.add_argument(
        "--only", type=_curve_names, metavar="NAME,...", help=f"curves among {', '.join(CURVES)}"
    )
    parser.add_argument(
        "--threads",
        type=_positive_int,
        default=1,
        metavar="N",
        help="BLAS threads for the whole run (1: the curves are per core)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the curves, print the table, and write the section and the figure when asked."""
    args = build_parser().parse_args(argv)
    if args.markdown and not args.figure:
        print("--markdown needs --figure (the section shows the figure)", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        with contextlib.suppress(ImportError):
            from threadpoolctl import threadpool_limits

            stack.enter_context(threadpool_limits(limits=args.threads, user_api="blas"))
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    load_start = os.getloadavg()[0]
    date = datetime.now().astimezone().isoformat(timespec="seconds")
    machine = machine_info()
    machine["BLAS threads for this run"] = str(args.threads)
    cfg = Config(args.quick, args.repeat, log)
    series: list[Series] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # Glauber overflow at tiny T: none
        for name in args.only or list(CURVES):
            log(f"{name} ...")
            series += CURVES[name](cfg)
    machine["load average at end"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    fits = [fit_series(s) for s in series]
    note = load_text(load_start, os.getloadavg()[0], _usable_cores())
    elapsed = time.perf_counter() - started
    headers, rows = fit_rows(fits)
    print("\n".join(" | ".join(r) for r in [headers, *rows]))
    print(f"whole run: {elapsed:.0f} s")
    if args.figure:
        draw_figure(fits, Path(args.figure))
        print(f"wrote {args.figure}")
    if args.markdown:
        md = Path(args.markdown)
        figure = os.path.relpath(Path(args.figure).resolve(), md.resolve().parent)
        command = shlex.join(getattr(sys, "orig_argv", [sys.executable, *sys.argv]))
        section = markdown_section(
            fits,
            command=command,
            date=date,
            machine=machine,
            figure=figure,
            repeat=args.repeat,
            quick=args.quick,
            elapsed=elapsed,
            load_note=note,
        )
        write_section(md, section)
        print(f"wrote {md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
