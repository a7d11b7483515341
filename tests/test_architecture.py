"""The shape of the house: imports go one way (the import-linter contract in pyproject.toml),
and no module reaches into another's private names.

The layers and their few exceptions are written, with their reasons, in the contract itself;
docs/architecture.rst draws them.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "energynets"


def test_the_import_contracts_are_kept(monkeypatch, capsys):
    pytest.importorskip("importlinter")
    from importlinter.cli import lint_imports

    monkeypatch.chdir(ROOT)
    code = lint_imports(config_filename=os.fspath(ROOT / "pyproject.toml"), no_cache=True)
    assert code == 0, capsys.readouterr().out


def _is_module(dotted: str) -> bool:
    """Whether ``energynets.a.b`` names a module or package of the package."""
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _private_imports(path: Path) -> list[str]:
    """``module.name`` of every private name (``_x``, not ``__x__``) that ``path`` imports
    from another energynets module (a private *module* is fine: its names are public)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("energynets"):
            for alias in node.names:
                name, dotted = alias.name, f"{node.module}.{alias.name}"
                if name.startswith("_") and not name.startswith("__") and not _is_module(dotted):
                    found.append(dotted)
    return found


def test_no_module_imports_the_private_names_of_another():
    offenders = {
        str(path.relative_to(ROOT)): names
        for path in sorted(PACKAGE.rglob("*.py"))
        if (names := _private_imports(path))
    }
    assert offenders == {}, (
        "a helper shared by several modules belongs in a private module under a public "
        f"name: {offenders}"
    )


#: The largest module and the longest function (lines of code after the docstring).
MAX_MODULE_LINES = 900
MAX_FUNCTION_LINES = 100


def _function_lengths(tree: ast.Module) -> list[tuple[int, str]]:
    lengths = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            documented = isinstance(body[0], ast.Expr) and isinstance(
                getattr(body[0], "value", None), ast.Constant
            )
            start = (body[1].lineno if len(body) > 1 else node.end_lineno) if documented else None
            first = node.lineno if start is None else start
            lengths.append((int(node.end_lineno or first) - first + 1, node.name))
    return lengths


def test_modules_and_functions_stay_short():
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(ROOT))
        if len(text.splitlines()) > MAX_MODULE_LINES:
            too_long.append(f"{name}: {len(text.splitlines())} lines")
        for n, function in _function_lengths(ast.parse(text)):
            if n > MAX_FUNCTION_LINES:
                too_long.append(f"{name}: {function} has {n} lines of code")
    assert too_long == [], "split them into named steps: " + "; ".join(too_long)
