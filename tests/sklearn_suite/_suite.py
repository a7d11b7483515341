"""Load scikit-learn's own test files with the estimators imported from energynets.

scikit-learn ships its tests inside the installed package
(``sklearn/neural_network/tests/test_rbm.py`` and ``test_mlp.py``). :func:`load_suite` reads
one of them, changes the single statement ``from sklearn.neural_network import ...`` into
``from energynets.estimators import ...`` (the same names), compiles the result under the
file's own path (so tracebacks point at scikit-learn's lines) and executes it as a fresh
module. Nothing else in the file is changed: the test bodies, their ``parametrize`` marks and
every other import stay scikit-learn's.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import types
from pathlib import Path
from typing import Any

import pytest

#: The import that is rewritten, and what it becomes.
SKLEARN_MODULE = "sklearn.neural_network"
ENERGYNETS_MODULE = "energynets.estimators"

#: The scikit-learn minor version the expected-failure lists were checked against.
REFERENCE_VERSION = "1.9"

#: Set to 1 to run the suite on another scikit-learn version (to update the lists).
FORCE_ENV = "ENERGYNETS_SKLEARN_SUITE_ANY_VERSION"


def sklearn_version() -> str | None:
    """The installed scikit-learn's ``major.minor``, or None when it is not installed."""
    if importlib.util.find_spec("sklearn") is None:
        return None
    import sklearn

    major, minor = sklearn.__version__.split(".")[:2]
    return f"{major}.{minor}"


def suite_path(name: str) -> Path | None:
    """The installed ``sklearn/neural_network/tests/<name>``, or None when it is absent."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "neural_network" / "tests" / name
    return path if path.is_file() else None


def skip_reason(name: str) -> str | None:
    """Why the suite file ``name`` cannot run here (None when it can)."""
    version = sklearn_version()
    if version is None:
        return "scikit-learn is not installed"
    if suite_path(name) is None:
        return f"the installed scikit-learn {version} does not ship neural_network/tests/{name}"
    if version != REFERENCE_VERSION and os.environ.get(FORCE_ENV) != "1":
        return (
            f"the expected failures are written for scikit-learn {REFERENCE_VERSION}, "
            f"installed is {version}; run with {FORCE_ENV}=1 and update "
            "tests/sklearn_suite/expected_failures.py"
        )
    return None


def rewrite_import(
    source: str, filename: str = "<suite>", target: str = ENERGYNETS_MODULE
) -> ast.Module:
    """Parse ``source`` and point its one ``from sklearn.neural_network import`` at ``target``.

    Parameters
    ----------
    source : str
        The text of a scikit-learn test file.
    filename : str, default="<suite>"
        The name used in error messages.
    target : str, default="energynets.estimators"
        The module the names are imported from instead.

    Returns
    -------
    ast.Module
        The parsed module with the import rewritten; line numbers are unchanged.
    """
    tree = ast.parse(source, filename=filename)
    found = [
        node
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == SKLEARN_MODULE and node.level == 0
    ]
    if len(found) != 1:
        raise ValueError(
            f"{filename}: expected exactly one top-level 'from {SKLEARN_MODULE} import ...', "
            f"found {len(found)}"
        )
    others = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        and node not in found
        and SKLEARN_MODULE in _imported_modules(node)
    ]
    if others:
        raise ValueError(
            f"{filename}: {SKLEARN_MODULE} is also imported on line {others[0].lineno}; "
            "only the top-level 'from ... import' can be rewritten"
        )
    found[0].module = target
    return tree


def _imported_modules(node: ast.Import | ast.ImportFrom) -> set[str]:
    if isinstance(node, ast.ImportFrom):
        base = node.module or ""
        return {base} | {f"{base}.{alias.name}" for alias in node.names}
    return {alias.name for alias in node.names}


def load_suite(path: Path, module_name: str, target: str = ENERGYNETS_MODULE) -> types.ModuleType:
    """Execute the scikit-learn test file ``path`` with the import rewritten.

    Parameters
    ----------
    path : pathlib.Path
        The installed scikit-learn test file.
    module_name : str
        The ``__name__`` of the new module (it is not put in ``sys.modules``).
    target : str, default="energynets.estimators"
        The module the estimators are imported from.

    Returns
    -------
    types.ModuleType
        The executed module: its ``test_*`` functions carry scikit-learn's marks.
    """
    tree = rewrite_import(path.read_text(encoding="utf-8"), str(path), target)
    module = types.ModuleType(module_name)
    module.__file__ = str(path)
    exec(compile(tree, str(path), "exec"), module.__dict__)
    return module


def suite_functions(module: types.ModuleType) -> dict[str, types.FunctionType]:
    """The module's own top-level ``test_*`` functions, by name."""
    return {
        name: obj
        for name, obj in vars(module).items()
        if name.startswith("test_")
        and isinstance(obj, types.FunctionType)
        and obj.__module__ == module.__name__
    }


def install_suite(
    namespace: dict[str, Any],
    name: str,
    expected_failures: dict[str, str],
    target: str = ENERGYNETS_MODULE,
) -> None:
    """Fill a test module's ``namespace`` with the tests of scikit-learn's file ``name``.

    Skips the calling module (at import) when :func:`skip_reason` gives a reason. Otherwise
    sets ``SUITE`` (the executed file), ``EXPECTED_FAILURES`` (read by this folder's
    conftest, which turns the entries into strict ``xfail`` marks), ``pytestmark`` and the
    file's ``test_*`` functions.

    scikit-learn's tests run under scikit-learn's warning settings: a RuntimeWarning
    (overflow in ``exp``, say) is reported, not raised as this repository's configuration
    would; the tests that care about a warning catch or expect it themselves.

    Parameters
    ----------
    namespace : dict
        The ``globals()`` of the test module.
    name : str
        The file name in ``sklearn/neural_network/tests``, e.g. ``"test_rbm.py"``.
    expected_failures : dict of str to str
        Item name -> reason.
    target : str, default="energynets.estimators"
        The module the estimators are imported from.
    """
    reason = skip_reason(name)
    if reason is not None:
        pytest.skip(reason, allow_module_level=True)
    path = suite_path(name)
    assert path is not None
    suite = load_suite(path, f"sklearn_suite.{Path(name).stem}", target)
    namespace["SUITE"] = suite
    namespace["EXPECTED_FAILURES"] = expected_failures
    namespace["pytestmark"] = [pytest.mark.filterwarnings("default::RuntimeWarning")]
    namespace.update(suite_functions(suite))
