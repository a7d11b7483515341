"""The task lines of a sweep's results file: written sealed, read back checked.

Each task line is a JSON object with the keys of :data:`RECORD_KEYS`: the task's index, its
grid point, replicate and seed, its parameters, the function's result, the seconds it took,
and ``check``, a digest (BLAKE2b, 8 bytes, hex) of the line's other entries as written. A
line read back when a sweep resumes must be a task of that sweep (its index in range, its
point, replicate, seed and parameters those of that task of the grid), appear once, and match
its check, so that a line edited by hand (a result set to NaN, 1e9 or null, a parameter
renamed) or copied from another sweep is refused, naming the file and the line, instead of
changing the table. The digest guards against edits and mistakes, not against an attacker,
who can recompute it.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
from pathlib import Path
from typing import Any

__all__ = ["RECORD_KEYS", "check_records", "sealed_line"]

#: The keys of a task line, in the order written.
RECORD_KEYS = ("task", "point", "replicate", "seed", "params", "result", "elapsed", "check")

#: (task index, point index, replicate, point, seed), as in energynets.sweep.
Task = tuple[int, int, int, dict[str, Any], int]


def _digest(record: dict[str, Any]) -> str:
    text = json.dumps(record, allow_nan=True)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def sealed_line(record: dict[str, Any]) -> bytes:
    """The line (with its newline) of a task ``record`` (every key of :data:`RECORD_KEYS` but
    ``check``, values plain JSON), sealed with its check.

    Raises
    ------
    TypeError, ValueError
        A value that JSON cannot hold.
    """
    # the digest of the record as it will be read back (json.loads of its JSON), so that
    # the reader recomputes it from the parsed line
    read_back = json.loads(json.dumps(record, allow_nan=True))
    line = json.dumps({**read_back, "check": _digest(read_back)}, allow_nan=True)
    return (line + "\n").encode("utf-8")


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON, types included (1 is not 1.0 nor true)."""
    return json.dumps(a, sort_keys=True, allow_nan=True) == json.dumps(
        b, sort_keys=True, allow_nan=True
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _problem(entry: Any, tasks: list[Task], seen: dict[int, int]) -> str | None:
    """What is wrong with one task line ``entry`` of a sweep of ``tasks`` (``seen``: task ->
    line of those read before it); None when it is that task's line, unchanged."""
    if not isinstance(entry, dict):
        return f"is a JSON {type(entry).__name__}, not a task record"
    missing = [k for k in RECORD_KEYS if k not in entry]
    if missing:
        return f"has no {', '.join(repr(k) for k in missing)} (a task record has {RECORD_KEYS})"
    extra = [k for k in entry if k not in RECORD_KEYS]
    if extra:
        return f"has unexpected entries {extra} (a task record has {RECORD_KEYS})"
    index = entry["task"]
    if not _is_int(index):
        return f"has task {index!r:.60}, expected an integer task index"
    if not 0 <= index < len(tasks):
        return f"has task {index}, not a task of this sweep (0 to {len(tasks) - 1})"
    if index in seen:
        return f"holds task {index} again (already on line {seen[index]})"
    _, point, replicate, params, seed = tasks[index]
    if not _same(entry["params"], params):
        return (
            f"gives task {index} the parameters {json.dumps(entry['params'])[:200]}, but "
            f"that task of this grid has {json.dumps(params)[:200]}"
        )
    found = (entry["point"], entry["replicate"], entry["seed"])
    if not all(_is_int(v) for v in found) or found != (point, replicate, seed):
        return (
            f"gives task {index} point, replicate and seed {list(found)!r:.120}, but that "
            f"task of this sweep has {[point, replicate, seed]}"
        )
    elapsed = entry["elapsed"]
    if (
        isinstance(elapsed, bool)
        or not isinstance(elapsed, numbers.Real)
        or not math.isfinite(elapsed)
        or elapsed < 0
    ):
        return f"has elapsed {elapsed!r:.60}, expected seconds: a finite number >= 0"
    body = {k: v for k, v in entry.items() if k != "check"}
    if entry["check"] != _digest(body):
        return f"(task {index}) does not match its check: it was changed after the sweep wrote it"
    return None


def check_records(
    path: Path | None, numbered: list[tuple[int, Any]], tasks: list[Task]
) -> dict[int, dict[str, Any]]:
    """The task records read back from a results file, checked against the sweep's tasks.

    Parameters
    ----------
    path : Path
        The results file (for the messages).
    numbered : list of (int, object)
        Each task line's number in the file and its parsed JSON.
    tasks : list of tuple
        The sweep's tasks, in order: (index, point, replicate, parameters, seed).

    Returns
    -------
    dict
        Task index -> its record (without ``check``).

    Raises
    ------
    ValueError
        A line that is not that of a task of this sweep as the sweep wrote it; the message
        names the file and the line.
    """
    done: dict[int, dict[str, Any]] = {}
    seen: dict[int, int] = {}
    for number, entry in numbered:
        problem = _problem(entry, tasks, seen)
        if problem is not None:
            raise ValueError(
                f"results file '{path}' line {number} {problem}; a line this sweep did not "
                "write cannot be resumed from (restore it, delete the line to run its task "
                "again, or pass another results path)"
            )
        seen[entry["task"]] = number
        done[entry["task"]] = {k: v for k, v in entry.items() if k != "check"}
    return done
