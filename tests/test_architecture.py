"""The shape of the house: imports go one way (the import-linter contract in pyproject.toml).

The layers and their few exceptions are written, with their reasons, in the contract itself;
docs/architecture.rst draws them.
"""

from __future__ import annotations

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
