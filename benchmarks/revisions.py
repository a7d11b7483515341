"""``python -m benchmarks.revisions BEFORE``: energynets' own times, before and after a change.

Runs ``python -m benchmarks`` alternately in a checkout of the earlier revision (``BEFORE``,
e.g. made with ``git worktree add ../before <commit>``) and in this one, ``--rounds`` times
each (before, after, before, after, ...), so that both see the same machine in the same
sitting, and prints for every case the median time of energynets in each, their ratio and
whether the change stays within ``--tolerance`` of before. Each run is a separate process
whose ``energynets`` is the tree it runs in (the tree is put first on ``PYTHONPATH``).

The peers and floors run too (the benchmark cases time them together); only energynets' rows
are compared. Unset ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` for the command where they
are set (they slow NumPy's OpenBLAS), as for ``python -m benchmarks``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

_UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
_ROW = re.compile(r"^\| (?P<case>[\w-]+) \| energynets \| (?P<unit>[^|]+) \| (?P<median>[^|]+) \|")


def read_medians(report: str) -> dict[str, tuple[float, str]]:
    """{case: (median in seconds, the unit of the item)} of energynets' rows of a Markdown
    report written by ``python -m benchmarks --markdown``."""
    medians = {}
    for line in report.splitlines():
        match = _ROW.match(line)
        if match:
            value, unit = match["median"].split()
            medians[match["case"]] = (float(value) * _UNITS[unit], match["unit"].strip())
    return medians


def run_tree(tree: Path, arguments: Sequence[str], report: Path) -> dict[str, tuple[float, str]]:
    """Run the benchmarks of ``tree`` with its own energynets; return its energynets rows."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tree), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-m", "benchmarks", *arguments, "--markdown", str(report)]
    subprocess.run(command, cwd=tree, env=env, check=False, stdout=subprocess.DEVNULL)
    return read_medians(report.read_text(encoding="utf-8"))


def _seconds(value: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value:.3g} s"


def comparison(
    before: list[dict[str, tuple[float, str]]],
    after: list[dict[str, tuple[float, str]]],
    tolerance: float,
) -> list[str]:
    """The Markdown table: per case the median over rounds of each side's median."""
    lines = [
        f"| case | unit | before | after | after / before | within {tolerance:.0%} |",
        "|---|---|---:|---:|---:|---|",
    ]
    for case in sorted(set().union(*before, *after)):
        b = [r[case][0] for r in before if case in r]
        a = [r[case][0] for r in after if case in r]
        if not a or not b:
            lines.append(f"| {case} | | | | | missing |")
            continue
        unit = next(r[case][1] for r in after if case in r)
        mb, ma = statistics.median(b), statistics.median(a)
        ratio = ma / mb
        verdict = "yes" if ratio <= 1.0 + tolerance else "no"
        lines.append(
            f"| {case} | {unit} | {_seconds(mb)} | {_seconds(ma)} | {ratio:.3f} | {verdict} |"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.revisions", description=__doc__)
    parser.add_argument("before", type=Path, help="a checkout of the earlier revision")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each tree (2)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per case (5)")
    parser.add_argument("--filter", default="", help="only cases whose name contains this")
    parser.add_argument("--tolerance", type=float, default=0.05, help="allowed slowdown (0.05)")
    args = parser.parse_args(argv)
    arguments = ["--threads", "1", "--repeat", str(args.repeat), "--filter", args.filter]
    before: list[dict[str, tuple[float, str]]] = []
    after: list[dict[str, tuple[float, str]]] = []
    with tempfile.TemporaryDirectory() as folder:
        for r in range(args.rounds):
            for name, tree, results in (("before", args.before, before), ("after", HERE, after)):
                print(f"round {r + 1}: {name}", file=sys.stderr, flush=True)
                report = Path(folder) / f"{name}-{r}.md"
                results.append(run_tree(tree.resolve(), arguments, report))
    print("\n".join(comparison(before, after, args.tolerance)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
