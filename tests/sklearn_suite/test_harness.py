"""The harness that runs scikit-learn's own tests against energynets must be able to fail.

It must (1) import the energynets estimators and nothing else from
``sklearn.neural_network``, (2) change that one import and nothing else, (3) collect exactly
the items scikit-learn's own conftest collects from the installed files, (4) name only
existing items in its expected failures, and (5) not make scikit-learn's own estimators fail:
run with the import left as it is, no item fails, so a failure under energynets is the
estimators', not the harness's. The checks that read the installed files skip where the suite
modules skip (no scikit-learn, or a version the lists were not written for).
"""

from __future__ import annotations

import ast
import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

import energynets.estimators
from tests.sklearn_suite import _suite
from tests.sklearn_suite.expected_failures import MLP_EXPECTED_FAILURES, RBM_EXPECTED_FAILURES

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
FILES = {"test_rbm.py": RBM_EXPECTED_FAILURES, "test_mlp.py": MLP_EXPECTED_FAILURES}


def _path_or_skip(name: str) -> Path:
    """The installed file; skip, as the suite modules do, where they would skip."""
    reason = _suite.skip_reason(name)
    if reason is not None:
        pytest.skip(reason)
    path = _suite.suite_path(name)
    assert path is not None
    return path


def _collect(args: list[str], cwd: Path) -> set[str]:
    """The ``path::name`` lines that ``pytest --collect-only -q`` prints."""
    env = {k: v for k, v in os.environ.items() if k != "SKLEARN_TESTS_GLOBAL_RANDOM_SEED"}
    env[_suite.FORCE_ENV] = "1"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return {line for line in done.stdout.splitlines() if "::" in line}


def _by_file(items: set[str]) -> dict[str, set[str]]:
    """``path::name`` lines grouped by the file's name: {"test_rbm.py": {names}, ...}."""
    grouped: dict[str, set[str]] = {}
    for item in items:
        path, name = item.split("::", 1)
        grouped.setdefault(Path(path).name.replace("test_sklearn_", "test_"), set()).add(name)
    return grouped


@pytest.fixture(scope="module")
def sklearn_items(tmp_path_factory) -> dict[str, set[str]]:
    """The items scikit-learn's own conftest collects from its installed test files."""
    paths = [_path_or_skip(name) for name in sorted(FILES)]
    site = paths[0].parents[3]  # .../site-packages/sklearn/neural_network/tests/<name>
    tmp = tmp_path_factory.mktemp("collect")
    (tmp / "pytest.ini").write_text("[pytest]\n")
    args = ["-c", str(tmp / "pytest.ini"), "--rootdir", str(site), "--confcutdir", str(site)]
    return _by_file(_collect([*args, *map(str, paths)], tmp))


def test_the_suites_import_the_energynets_estimators():
    for name in FILES:
        suite = _suite.load_suite(_path_or_skip(name), f"check_{name[:-3]}")
        estimators = {
            key: value
            for key, value in vars(suite).items()
            if inspect.isclass(value) and key in {"BernoulliRBM", "MLPClassifier", "MLPRegressor"}
        }
        assert estimators, f"{name} imports none of the estimators"
        for key, cls in estimators.items():
            assert cls is getattr(energynets.estimators, key), (name, key, cls)
        leftovers = [
            key
            for key, value in vars(suite).items()
            if str(getattr(value, "__module__", "")).startswith(_suite.SKLEARN_MODULE)
        ]
        assert leftovers == [], f"{name} still uses {leftovers} from {_suite.SKLEARN_MODULE}"


def test_every_test_function_of_the_file_is_exposed():
    for name in FILES:
        path = _path_or_skip(name)
        defined = {
            node.name
            for node in ast.parse(path.read_text(encoding="utf-8")).body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
        }
        exposed = _suite.suite_functions(_suite.load_suite(path, f"check_{name[:-3]}"))
        assert set(exposed) == defined
        assert len(defined) > 10


def test_rewrite_changes_that_import_and_nothing_else():
    source = (
        "from sklearn.datasets import load_iris\n"
        "from sklearn.neural_network import MLPClassifier, MLPRegressor\n"
        "def test_a():\n"
        "    return MLPClassifier, load_iris\n"
    )
    rewritten = ast.unparse(_suite.rewrite_import(source))
    expected = source.replace("sklearn.neural_network", "energynets.estimators")
    assert rewritten == ast.unparse(ast.parse(expected))
    assert "from sklearn.datasets import load_iris" in rewritten


@pytest.mark.parametrize(
    "source",
    [
        "from sklearn.datasets import load_iris\n",
        "from sklearn.neural_network import BernoulliRBM\n"
        "from sklearn.neural_network import MLPClassifier\n",
        "from sklearn.neural_network import BernoulliRBM\n"
        "def test_a():\n"
        "    from sklearn.neural_network import MLPRegressor\n",
        "import sklearn.neural_network\nfrom sklearn.neural_network import BernoulliRBM\n",
    ],
    ids=["absent", "twice", "nested", "plain-import"],
)
def test_rewrite_refuses_a_file_it_cannot_rewrite_completely(source):
    with pytest.raises(ValueError, match="sklearn.neural_network"):
        _suite.rewrite_import(source, "example.py")


def test_the_collected_items_are_the_files_items(sklearn_items):
    here = Path(__file__).parent.relative_to(ROOT)
    modules = [str(here / f"test_sklearn_{name[5:]}") for name in sorted(FILES)]
    collected = _by_file(_collect(modules, ROOT))
    assert collected == sklearn_items
    assert all(len(items) > 10 for items in sklearn_items.values())


def test_the_expected_failures_name_collected_items(sklearn_items):
    if _suite.sklearn_version() != _suite.REFERENCE_VERSION:
        pytest.skip("on another scikit-learn version an entry may name an item it lacks")
    for name, expected_failures in FILES.items():
        unknown = set(expected_failures) - sklearn_items[name]
        assert unknown == set(), f"{name}: no such items {sorted(unknown)}"


def test_scikit_learns_estimators_pass_under_the_harness(pytester, monkeypatch):
    for name in FILES:
        _path_or_skip(name)
    pytester.makeconftest(Path(__file__).with_name("conftest.py").read_text(encoding="utf-8"))
    for name in FILES:
        pytester.makepyfile(
            **{
                f"test_original_{name[5:-3]}": (
                    "from tests.sklearn_suite._suite import install_suite\n"
                    f"install_suite(globals(), {name!r}, {{}}, target='sklearn.neural_network')\n"
                )
            }
        )
    monkeypatch.setenv(_suite.FORCE_ENV, "1")
    monkeypatch.delenv("SKLEARN_TESTS_GLOBAL_RANDOM_SEED", raising=False)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--strict-markers", "-W", "error::RuntimeWarning"
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) > 60, result.stdout.str()
    for bad in ("failed", "errors", "xfailed", "xpassed"):
        assert bad not in outcomes, result.stdout.str()
