"""The benchmark runner: cases, timing, ratios, and the report.

A :class:`Case` names one task (store 100 patterns, recall 1000 probes, ...) and how to do it
with energynets ("ours"), with one or more peers (other libraries a user would otherwise pick),
and optionally with a "floor": the plainest fast way to do it (a few lines of numpy, or the raw
BLAS GEMM), which says how much of the time is overhead.

Every implementation is given as a *prepare* function ``prepare(inputs) -> Job``: it does the
untimed work (import the peer, build its network) and returns a :class:`Job` whose ``run`` is
the zero-argument callable that is timed. A prepare function that raises ImportError marks a
peer as "not installed"; it is skipped, never fatal. A job may do several items per call (one
recall for each of 10 probes, say, or 50 probes of a peer that is too slow to run on all 1000);
its times are divided by ``n_items`` so that every row of a case is in the case's unit.

Timing: each job runs once to warm up, and that result (and the result of the last timed run)
goes through the case's ``check`` so that a broken run is never timed; then the jobs run
``repeat`` times each, interleaved (ours, peer, floor, ours, peer, ...) so that load from other
processes on a shared machine falls on all of them alike, with the garbage collector off, timed
with :func:`time.perf_counter`. The report gives the median, min and max per item and, for each
peer and the floor, the ratio ``their median / our median`` (above 1: energynets is faster).
The GEMM FLOP rate of the same process is measured first and reported with the machine.

Cases live in the other modules of this package: any module ``benchmarks/<name>.py`` (not
starting with ``_`` or ``test``) that defines ``CASES: list[Case]`` is discovered. Peers must be
imported inside their prepare functions, so that a missing peer only skips that peer.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import importlib.metadata
import os
import pkgutil
import platform
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["SECONDS", "Case", "Job", "Target", "blas_threads", "main", "run_case"]

OURS = "energynets"
SECONDS = "seconds"
_RUNNER_MODULES = frozenset({"run", "runner"})
_BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")


@dataclass(frozen=True)
class Job:
    """A prepared implementation: ``run()`` is timed; it does ``n_items`` units of work."""

    run: Callable[[], Any]
    n_items: int = 1
    note: str = ""


Prepare = Callable[[Any], Job]


@dataclass(frozen=True)
class Target:
    """A speed target: ``median(against) / median(ours) >= min_ratio``.

    ``against`` is the name of a peer or of the floor. "Ours at least 5x faster than the peer"
    is ``min_ratio=5``; "ours within 1.5x of the floor" is ``min_ratio=1 / 1.5``. With
    ``against=SECONDS`` the target is absolute: ``median(ours) <= min_ratio`` seconds per item.
    """

    against: str
    min_ratio: float
    text: str


@dataclass(frozen=True)
class Case:
    """One benchmark task and its implementations.

    Parameters
    ----------
    name : str
        Short unique name, matched by ``--filter``.
    description : str
        One sentence: sizes, dtype, what is being done.
    setup : callable(quick: bool) -> inputs
        Builds the inputs once (untimed); ``quick`` asks for small sizes (smoke test).
    ours : callable(inputs) -> Job
        energynets.
    peers : mapping of name -> callable(inputs) -> Job
        Other libraries; raise ImportError inside when the library is missing.
    floor : (name, callable(inputs) -> Job), optional
        The plainest fast implementation (plain numpy, GEMM).
    unit : str
        What one item is, e.g. "per call", "per probe".
    check : callable(name, result, inputs), optional
        Raises AssertionError when the result of implementation ``name`` is wrong.
    targets : tuple of Target
    max_repeat : int, optional
        At most this many timed runs whatever ``--repeat`` says (for cases that take most of a
        minute per run).
    """

    name: str
    description: str
    setup: Callable[[bool], Any]
    ours: Prepare
    peers: Mapping[str, Prepare] = field(default_factory=dict)
    floor: tuple[str, Prepare] | None = None
    unit: str = "per call"
    check: Callable[[str, Any, Any], None] | None = None
    targets: tuple[Target, ...] = ()
    max_repeat: int | None = None


@dataclass
class Timing:
    """The measurements of one implementation of one case (seconds per item)."""

    name: str
    role: str  # "ours", "peer" or "floor"
    status: str = "ok"  # "ok", "not installed", "check failed", "error"
    message: str = ""
    times: list[float] = field(default_factory=list)
    n_items: int = 1
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok" and bool(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


@dataclass
class CaseResult:
    case: Case
    timings: list[Timing]
    error: str = ""

    def timing(self, name: str) -> Timing | None:
        for t in self.timings:
            if t.name == name:
                return t
        return None

    def ratio(self, name: str) -> float | None:
        """median(name) / median(ours), or None when either is missing."""
        ours, other = self.timing(OURS), self.timing(name)
        if ours is None or other is None or not ours.ok or not other.ok:
            return None
        return other.median / ours.median


# -- discovery ----------------------------------------------------------------------------
def discover_cases() -> tuple[list[Case], list[str]]:
    """Import every case module of this package; return its cases and any import problems."""
    package = importlib.import_module("benchmarks")
    cases: list[Case] = []
    problems: list[str] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        name = info.name
        if name.startswith(("_", "test")) or name in _RUNNER_MODULES:
            continue
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ImportError as exc:
            problems.append(f"benchmarks.{name} skipped: {exc}")
            continue
        cases.extend(getattr(module, "CASES", ()))
    names = [c.name for c in cases]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"benchmark case names must be unique, got duplicates {duplicates}")
    return cases, problems


# -- timing -------------------------------------------------------------------------------
def _check(case: Case, name: str, result: Any, inputs: Any) -> None:
    if case.check is not None:
        case.check(name, result, inputs)


def run_case(
    case: Case, *, repeat: int, quick: bool, log: Callable[[str], None] = lambda s: None
) -> CaseResult:
    """Set up, prepare, check and time every implementation of ``case``."""
    try:
        inputs = case.setup(quick)
    except Exception as exc:  # a broken case must not stop the other cases
        return CaseResult(case, [], error=f"setup failed: {type(exc).__name__}: {exc}")

    impls: list[tuple[str, str, Prepare]] = [(OURS, "ours", case.ours)]
    impls += [(name, "peer", prep) for name, prep in case.peers.items()]
    if case.floor is not None:
        impls.append((case.floor[0], "floor", case.floor[1]))

    timings: list[Timing] = []
    jobs: list[tuple[Timing, Job]] = []
    for name, role, prepare in impls:
        timing = Timing(name, role)
        timings.append(timing)
        log(f"  {case.name}: {name} ...")
        try:
            job = prepare(inputs)
        except ImportError as exc:
            if role == "ours":
                timing.status, timing.message = "error", f"ImportError: {exc}"
            else:
                timing.status, timing.message = "not installed", str(exc.name or exc)
            continue
        except Exception as exc:
            timing.status, timing.message = "error", f"{type(exc).__name__}: {exc}"
            continue
        timing.n_items, timing.note = job.n_items, job.note
        try:
            _check(case, name, job.run(), inputs)  # warm-up run, checked
        except AssertionError as exc:
            timing.status, timing.message = "check failed", str(exc)
            continue
        except Exception as exc:
            timing.status, timing.message = "error", f"{type(exc).__name__}: {exc}"
            continue
        jobs.append((timing, job))

    last: dict[str, Any] = {}
    gc_was_enabled = gc.isenabled()
    try:
        n_runs = repeat if case.max_repeat is None else min(repeat, case.max_repeat)
        for _ in range(n_runs):
            for timing, job in jobs:  # interleaved, so machine noise hits all alike
                gc.collect()
                gc.disable()
                t0 = time.perf_counter()
                result = job.run()
                t1 = time.perf_counter()
                if gc_was_enabled:
                    gc.enable()
                timing.times.append((t1 - t0) / job.n_items)
                last[timing.name] = result
                del result
    finally:
        if gc_was_enabled:
            gc.enable()
    for timing, _ in jobs:  # check the last timed result too (peers with global RNG vary)
        try:
            _check(case, timing.name, last[timing.name], inputs)
        except AssertionError as exc:
            timing.status, timing.message = "check failed", f"last timed run: {exc}"
    return CaseResult(case, timings)


def measure_gemm(n: int, repeat: int) -> tuple[float, float]:
    """FLOP rate of an n x n float64 matrix product: (median, best) in GFLOP/s."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n))
    b = rng.standard_normal((n, n))
    out = np.empty((n, n))
    np.matmul(a, b, out=out)  # warm-up
    times = []
    for _ in range(max(repeat, 3)):
        t0 = time.perf_counter()
        np.matmul(a, b, out=out)
        times.append(time.perf_counter() - t0)
    flops = 2.0 * n**3
    return flops / statistics.median(times) / 1e9, flops / min(times) / 1e9


# -- machine ------------------------------------------------------------------------------
def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def blas_threads() -> int:
    """numpy's BLAS thread count (threadpoolctl), 1 when it cannot be read: the peers
    (PyTorch) get as many threads as numpy, so that both sides use the same cores."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return 1
    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    # numpy's own copy: another one loaded after --threads set the limit (scipy's) keeps its
    # default and must not hand PyTorch more threads than numpy has
    own = [i for i in blas if "numpy" in Path(str(i.get("filepath", ""))).parent.name]
    return max((int(i.get("num_threads") or 1) for i in own or blas), default=1)


def _blas() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl not installed)"
    parts = []
    for info in threadpool_info():
        if info.get("user_api") != "blas":
            continue
        arch = info.get("architecture")
        arch_text = f", {arch}" if arch else ""
        # numpy and scipy may each bundle their own copy: say whose it is
        owner = Path(str(info.get("filepath", ""))).parent.name.removesuffix(".libs")
        owner_text = f"{owner}: " if owner else ""
        parts.append(
            f"{owner_text}{info.get('internal_api')} {info.get('version')} "
            f"({_plural(int(info.get('num_threads') or 0), 'thread')}{arch_text})"
        )
    return "; ".join(parts) or "none found"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def machine_info() -> dict[str, str]:
    """CPU, cores, Python, numpy and BLAS, and the BLAS-related environment variables."""
    n_cpu = os.cpu_count() or 0
    try:
        n_usable = len(os.sched_getaffinity(0))
    except AttributeError:
        n_usable = n_cpu
    env = ", ".join(f"{k}={os.environ[k]}" for k in _BLAS_ENV if k in os.environ)
    return {
        "CPU": _cpu_model(),
        "cores": f"{n_cpu} logical ({n_usable} usable by this process)",
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "numpy": np.__version__,
        "BLAS": _blas(),
        "BLAS environment": env or "none of " + ", ".join(_BLAS_ENV) + " set",
        "energynets": f"{_version('energynets')} ({_git_revision()})",
        "load average at start (1, 5, 15 min)": _load(),
    }


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _git_revision() -> str:
    """The commit of the working tree, and whether tracked files differ from it."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
        )
    except OSError:
        return "git unavailable"
    if head.returncode != 0:
        return "not a git checkout"
    state = ", with uncommitted changes" if dirty.stdout.strip() else ""
    return f"git {head.stdout.strip()}{state}"


def _load() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


# -- formatting ---------------------------------------------------------------------------
def format_time(seconds: float) -> str:
    """Three significant digits with a unit: 1.23 s, 45.6 ms, 789 us, 12.0 ns."""
    for scale, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "us"), (1e-9, "ns")):
        if seconds >= scale or unit == "ns":
            value = seconds / scale
            text = f"{value:.3g}"
            return f"{value:.0f} {unit}" if "e" in text else f"{text} {unit}"
    raise AssertionError("unreachable")


def _ratio_text(ratio: float | None) -> str:
    if ratio is None:
        return "-"
    return f"{ratio:.3g}x" if ratio < 100 else f"{ratio:.0f}x"


def table_rows(results: Sequence[CaseResult]) -> tuple[list[str], list[list[str]]]:
    headers = ["case", "implementation", "unit", "median", "min", "max", "vs ours", "note"]
    rows: list[list[str]] = []
    for res in results:
        if res.error:
            rows.append([res.case.name, "-", "-", "-", "-", "-", "-", res.error])
            continue
        for t in res.timings:
            label = t.name if t.role == "ours" else f"{t.name} ({t.role})"
            if t.ok:
                ratio = "1 (ours)" if t.role == "ours" else _ratio_text(res.ratio(t.name))
                rows.append(
                    [
                        res.case.name,
                        label,
                        res.case.unit,
                        format_time(t.median),
                        format_time(min(t.times)),
                        format_time(max(t.times)),
                        ratio,
                        t.note,
                    ]
                )
            else:
                note = t.status + (f": {t.message}" if t.message else "")
                rows.append([res.case.name, label, res.case.unit, "-", "-", "-", "-", note])
    return headers, rows


def target_rows(results: Sequence[CaseResult]) -> tuple[list[str], list[list[str]]]:
    headers = ["case", "target", "measured", "status"]
    rows: list[list[str]] = []
    for res in results:
        for target in res.case.targets:
            if target.against == SECONDS:
                ours = res.timing(OURS)
                if ours is None or not ours.ok:
                    measured, status = "-", "not measured"
                else:
                    measured = f"ours = {format_time(ours.median)}"
                    status = "met" if ours.median <= target.min_ratio else "MISSED"
                rows.append([res.case.name, target.text, measured, status])
                continue
            ratio = res.ratio(target.against)
            if ratio is None:
                measured, status = "-", "not measured"
            else:
                measured = f"{target.against} / ours = {_ratio_text(ratio)}"
                status = "met" if ratio >= target.min_ratio else "MISSED"
            rows.append([res.case.name, target.text, measured, status])
    return headers, rows


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    right = {"median", "min", "max", "vs ours"}

    def line(cells: Sequence[str]) -> str:
        out = [
            c.rjust(w) if h in right else c.ljust(w)
            for c, w, h in zip(cells, widths, headers, strict=True)
        ]
        return "  ".join(out).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), sep, *(line(r) for r in rows)])


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    right = {"median", "min", "max", "vs ours"}

    def esc(cell: str) -> str:
        return cell.replace("|", "\\|")

    lines = ["| " + " | ".join(headers) + " |"]
    lines.append("|" + "|".join("---:" if h in right else "---" for h in headers) + "|")
    lines += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def markdown_report(
    results: Sequence[CaseResult],
    *,
    command: str,
    date: str,
    machine: Mapping[str, str],
    repeat: int,
    quick: bool,
    problems: Sequence[str],
) -> str:
    out = [
        "# Benchmarks",
        "",
        "Written by `python -m benchmarks --markdown` (see `benchmarks/runner.py`); rerun it "
        "rather than editing this page.",
        "",
        "Every number on this page comes from one process run: the implementations of a case "
        f"run once to warm up (and have their results checked), then {_plural(repeat, 'time')} "
        "each, "
        "interleaved; times are per item (see *unit*). *vs ours* is the implementation's median "
        "divided by energynets' median: above 1, energynets is faster.",
        "",
        "## Run",
        "",
        f"- command: `{command}`",
        f"- date: {date}",
        f"- repeats: {repeat}"
        + (" (quick sizes: a smoke test, not a measurement)" if quick else ""),
    ]
    out += [f"- {key}: {value}" for key, value in machine.items()]
    out += [
        "",
        "The machine is shared with other jobs; medians of interleaved runs are robust to most "
        "of that noise, the min-max spread shows what remains.",
        "",
        "## Results",
        "",
        markdown_table(*table_rows(results)),
        "",
        "## Targets",
        "",
        markdown_table(*target_rows(results)),
        "",
        "## Cases",
        "",
    ]
    out += [f"- **{r.case.name}**: {r.case.description}" for r in results]
    if problems:
        out += ["", "## Problems", ""] + [f"- {p}" for p in problems]
    return "\n".join(out) + "\n"


NOTES_MARKER = "<!-- Generated report above; everything below this line is kept on rerun. -->"


def _kept_notes(path: Path) -> str:
    """The hand-written part of an existing report (after NOTES_MARKER), with the marker."""
    try:
        old = path.read_text(encoding="utf-8")
    except OSError:
        old = ""
    _, found, notes = old.partition(NOTES_MARKER)
    return "\n" + NOTES_MARKER + (notes if found else "\n")


# -- command line -------------------------------------------------------------------------
def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time energynets side by side with its peers and a plain floor; report "
        "medians and the ratios peer / ours measured in one run.",
    )
    parser.add_argument("--filter", default="", help="run only cases whose name contains this")
    parser.add_argument(
        "--repeat", type=_positive_int, default=5, help="timed runs per implementation (5)"
    )
    parser.add_argument("--markdown", metavar="PATH", help="also write the report as Markdown")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument(
        "--threads",
        type=_positive_int,
        metavar="N",
        help="limit BLAS to N threads for the whole run (needs threadpoolctl); default: as "
        "configured",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    cases, problems = discover_cases()
    cases = [c for c in cases if args.filter in c.name]
    if args.list:
        for case in cases:
            print(f"{case.name}: {case.description}")
        return 0
    if not cases:
        print(f"no benchmark case matches --filter {args.filter!r}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem, file=sys.stderr)
    with contextlib.ExitStack() as stack:
        if args.threads is not None:
            import scipy.linalg  # noqa: F401  # scipy's own OpenBLAS: loaded, so limited too
            from threadpoolctl import threadpool_limits

            stack.enter_context(threadpool_limits(limits=args.threads, user_api="blas"))
        return _run(args, cases, problems)


def _run(args: argparse.Namespace, cases: Sequence[Case], problems: Sequence[str]) -> int:
    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    date = datetime.now().astimezone().isoformat(timespec="seconds")
    machine = machine_info()
    gemm_n = 500 if args.quick else 1000

    def gemm(when: str) -> None:
        median, best = measure_gemm(gemm_n, args.repeat)
        key = f"GEMM {gemm_n} x {gemm_n} float64 (same process), {when}"
        machine[key] = f"{median:.1f} GFLOP/s median, {best:.1f} best"
        log(f"{key}: {machine[key]}")

    gemm("before the cases")

    results = []
    for case in cases:
        log(f"{case.name}: {case.description}")
        results.append(run_case(case, repeat=args.repeat, quick=args.quick, log=log))

    gemm("after the cases")
    machine["load average at end"] = _load()
    print()
    for key, value in machine.items():
        print(f"{key}: {value}")
    print(f"repeats: {args.repeat}; 'vs ours' = their median / our median (> 1: ours faster)")
    print()
    print(text_table(*table_rows(results)))
    headers, rows = target_rows(results)
    if rows:
        print()
        print(text_table(headers, rows))

    if args.markdown:
        command = shlex.join(getattr(sys, "orig_argv", [sys.executable, *sys.argv]))
        text = markdown_report(
            results,
            command=command,
            date=date,
            machine=machine,
            repeat=args.repeat,
            quick=args.quick,
            problems=problems,
        )
        path = Path(args.markdown)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + _kept_notes(path), encoding="utf-8")
        print(f"\nwrote {path}")

    failed = any(r.error for r in results) or any(
        t.status in ("check failed", "error") for r in results for t in r.timings
    )
    return 1 if failed else 0
