"""Helpers shared by the command-line tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def one_line_error(capsys: Any, prefix: str) -> str:
    """The single line a failed command wrote to stderr, checked to start with
    ``"<prefix>: error: "`` and to carry no traceback."""
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"{prefix}: error: "), lines[0]
    assert "Traceback" not in err
    return lines[0]


def read_json(path: str | Path) -> Any:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def same_npz(a: str | Path, b: str | Path) -> bool:
    """Whether two ``.npz`` files hold the same arrays bit for bit: the same members with the
    same bytes (the zip headers' timestamps aside, which record when each file was written)."""
    import zipfile

    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        names = za.namelist()
        return names == zb.namelist() and all(za.read(n) == zb.read(n) for n in names)


def resume_command(stderr: str) -> list[str]:
    """The arguments of the command that an interrupted training command said resumes it
    (the line after "resume with:"), without the leading "energynets"."""
    import shlex

    lines = stderr.splitlines()
    at = [k for k, line in enumerate(lines) if line.endswith("resume with:")]
    assert len(at) == 1, stderr
    words = shlex.split(lines[at[0] + 1])
    assert words[0] == "energynets", words
    return words[1:]
