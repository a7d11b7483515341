"""What the ``energynets`` commands write and print: the output folder, text and JSON files
(written atomically by :func:`energynets._npz.write_text`), the list of files written,
wrapped help texts, one-line error messages and values made fit for JSON."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from energynets._json import plain


def use_agg() -> None:
    """Draw with matplotlib's Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")


def output_folder(name: str) -> Path:
    """The folder ``--output name``, created if missing; one-line errors naming --output."""
    folder = Path(name)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"--output {name!r} exists and is not a folder")
    for parent in folder.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ValueError(
                    f"--output {name!r} cannot be created: {os.fspath(parent)!r} is not a folder"
                )
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OSError(f"--output {name!r} cannot be created ({reason})") from None
    return folder


def write_text(text: str, path: Path) -> Path:
    """Write ``text`` to ``path`` atomically; return ``path``."""
    from energynets import _npz

    return _npz.write_text(path, text)


def write_json(data: Any, path: Path) -> Path:
    """Write ``data`` as indented JSON, atomically; return ``path``."""
    import json

    return write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", path)


def report(written: Sequence[Path]) -> None:
    """Print the files a command wrote."""
    print("Wrote:")
    for path in written:
        print(f"  {path}")


def wrap(text: str, indent: str = "") -> str:
    """``text`` filled to 78 columns (for parsers whose help text is printed as it is)."""
    import textwrap

    return textwrap.fill(text, 78, initial_indent=indent, subsequent_indent=indent)


def one_line(exc: BaseException) -> str:
    """The message of ``exc`` on one line (its type's name when it has none)."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def jsonable(value: Any) -> Any:
    """``value`` with numpy scalars and arrays as Python numbers and lists, NaN and inf as
    None (JSON has neither)."""
    return plain(value, finite=True)
