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
