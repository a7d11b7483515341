"""Every public function and class has a numpydoc docstring, and its examples run.

The public objects are the functions and classes named in the ``__all__`` of every public
module of the package (modules whose names do not start with ``_``; the command line and the
scikit-learn front, which follow their own conventions, are left out), together with the
public methods and properties each class defines itself. Each docstring is parsed with
``numpydoc.docscrape`` and must have

- a summary line;
- a Parameters section naming every parameter of the signature (``self`` / ``cls`` aside) and
  nothing else (records, the dataclasses and named tuples a function returns, may list their
  fields under Attributes instead, the numpydoc convention for them; protocols have no
  constructor to document);
- a Returns (or Yields) section, for functions and methods that return a value (those not
  annotated ``-> None``; properties are documented like attributes, by their summary);
- a References section, for functions and classes that implement a model, an algorithm or a
  formula: all of them apart from records (they hold values computed, and referenced, by the
  function that returns them) and the modules and objects in the exemption tables below;
- an Examples section, for every name of ``energynets.__all__`` and every public class.

The examples of every public module then run as doctests (one test per module, reporting
the failures as doctest prints them), and :func:`test_counts` keeps the totals from falling.
"""

from __future__ import annotations

import dataclasses
import doctest
import importlib
import inspect
import pkgutil
import warnings
from typing import Any

import pytest

pytest.importorskip("numpydoc")

from numpydoc.docscrape import NumpyDocString

import energynets

#: Modules not checked: they follow other conventions (argparse help texts; scikit-learn's).
SKIPPED_MODULES = ("energynets.cli", "energynets.estimators")

#: Modules whose public objects implement no published model, algorithm or formula, so their
#: docstrings need no References section; the reason for each.
NO_REFERENCE_MODULES = {
    "energynets.io": "saving and loading models is a file format of the package's own",
    "energynets.sweep": "running a grid of jobs on an executor is bookkeeping, not a method",
    "energynets.plotting": "the plots draw arrays computed, and referenced, elsewhere",
}

#: Single objects that need no References section, and why.
NO_REFERENCE = {
    "energynets.datasets.cache_dir": "a path helper: where downloaded files are kept",
    "energynets.datasets.glyphs": "the package's own bitmaps, drawn for the recall demos",
    "energynets.datasets.glyph_shape": "the height and width of those bitmaps",
    "energynets.datasets.read_idx": "a reader of the IDX file format, not a method",
    "energynets.experiments.capacity.theory.double_factorial": (
        "k!!, arithmetic in a capacity formula"
    ),
    "energynets.experiments.compare.pretraining.balanced_subset": (
        "draws a class-balanced subset of rows"
    ),
    "energynets.experiments.compare.filters.filter_redundancy": (
        "a descriptive statistic defined here"
    ),
    "energynets.experiments.compare.filters.filter_smoothness": (
        "a descriptive statistic defined here"
    ),
    "energynets.states.all_states": "lists the 2**n binary states in counting order",
    "energynets.learning.divergence.TrainingDiverged": "an exception, raised on a diverged run",
    "energynets.learning.optim.make_optimizer": "a factory; the optimiser classes cite",
    "energynets.models.rbm.check_softmax_groups": "input validation of a model argument",
    "energynets.sampling.tempering.check_ladder": "input validation of a temperature ladder",
    "energynets.sampling.diagnostics.acceptance_summary": "collects the rates the samplers count",
}

#: Objects that need no Examples section although public, and why.
NO_EXAMPLES: dict[str, str] = {}


@dataclasses.dataclass(frozen=True)
class PublicObject:
    """One public function, class, method or property and what its docstring must hold."""

    name: str  # the dotted path, module.qualname
    obj: Any
    kind: str  # "function", "class", "method" or "property"
    top_level: bool  # named in energynets.__all__


def _public_modules() -> list[str]:
    names = ["energynets"]
    for info in pkgutil.walk_packages(energynets.__path__, "energynets."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        if info.name.startswith(SKIPPED_MODULES):
            continue
        names.append(info.name)
    return sorted(names)


PUBLIC_MODULES = _public_modules()


def _defined_here(obj: Any) -> bool:
    module = getattr(obj, "__module__", None) or ""
    return module.startswith("energynets") and not module.startswith(SKIPPED_MODULES)


def _collect() -> dict[str, PublicObject]:
    top_level = {
        id(getattr(energynets, name))
        for name in energynets.__all__
        if inspect.isfunction(getattr(energynets, name))
        or inspect.isclass(getattr(energynets, name))
    }
    found: dict[str, PublicObject] = {}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)) or not _defined_here(obj):
                continue
            path = f"{obj.__module__}.{obj.__qualname__}"
            if path in found:
                continue
            if inspect.isfunction(obj):
                found[path] = PublicObject(path, obj, "function", id(obj) in top_level)
                continue
            found[path] = PublicObject(path, obj, "class", id(obj) in top_level)
            for attr, value in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if isinstance(value, staticmethod | classmethod):
                    value = value.__func__
                if isinstance(value, property):
                    found[f"{path}.{attr}"] = PublicObject(
                        f"{path}.{attr}", value, "property", False
                    )
                elif inspect.isfunction(value):
                    found[f"{path}.{attr}"] = PublicObject(f"{path}.{attr}", value, "method", False)
    return found


PUBLIC_OBJECTS = _collect()


def _parse(item: PublicObject) -> NumpyDocString:
    doc = inspect.getdoc(item.obj)
    assert doc, f"{item.name} has no docstring"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an unknown section name would not render
        return NumpyDocString(doc)


def _documented_names(section: list) -> list[str]:
    names = []
    for parameter in section:
        names.extend(part.strip().lstrip("*") for part in parameter.name.split(","))
    return names


def _signature_names(item: PublicObject) -> list[str] | None:
    try:
        signature = inspect.signature(item.obj)
    except (TypeError, ValueError):  # pragma: no cover - builtins only
        return None
    names = [p.name for p in signature.parameters.values()]
    if item.kind == "method" and names and names[0] in ("self", "cls"):
        names = names[1:]
    return names


def _is_record(obj: Any) -> bool:
    """A dataclass or a named tuple: a record of values, documented by its Attributes."""
    return inspect.isclass(obj) and (
        dataclasses.is_dataclass(obj) or (issubclass(obj, tuple) and hasattr(obj, "_fields"))
    )


def _is_protocol(obj: Any) -> bool:
    return inspect.isclass(obj) and bool(getattr(obj, "_is_protocol", False))


def _returns_value(item: PublicObject) -> bool:
    annotation = inspect.signature(item.obj).return_annotation
    return annotation not in (None, "None", type(None))


def _needs_reference(item: PublicObject) -> bool:
    if item.kind not in ("function", "class") or _is_record(item.obj):
        return False
    return item.obj.__module__ not in NO_REFERENCE_MODULES and item.name not in NO_REFERENCE


def _ids(items: Any) -> list[str]:
    return [item.name for item in items]


OBJECTS = list(PUBLIC_OBJECTS.values())


@pytest.mark.parametrize("item", OBJECTS, ids=_ids(OBJECTS))
def test_docstring(item: PublicObject) -> None:
    doc = _parse(item)
    problems = []
    if not " ".join(doc["Summary"]).strip():
        problems.append("no summary line")

    if item.kind in ("function", "method") or (item.kind == "class" and not _is_protocol(item.obj)):
        expected = _signature_names(item)
        documented = _documented_names(doc["Parameters"])
        fields = _documented_names(doc["Attributes"]) if _is_record(item.obj) else []
        if expected is not None:
            missing = [name for name in expected if name not in documented + fields]
            extra = [name for name in documented if name not in expected]
            if missing:
                problems.append(f"Parameters does not document {missing}")
            if extra:
                problems.append(f"Parameters documents {extra}, not in the signature")

    if item.kind in ("function", "method") and _returns_value(item):
        if not (doc["Returns"] or doc["Yields"]):
            problems.append("no Returns section (the function returns a value)")

    if _needs_reference(item) and not doc["References"]:
        problems.append("no References section")

    if (item.top_level or item.kind == "class") and item.name not in NO_EXAMPLES:
        if not doc["Examples"]:
            problems.append("no Examples section")

    assert not problems, f"{item.name}: " + "; ".join(problems)


def test_exemptions_name_public_objects() -> None:
    # a stale exemption would hide nothing, but would claim a reason for something gone
    for name in (*NO_REFERENCE, *NO_EXAMPLES):
        assert name in PUBLIC_OBJECTS, f"the exemption {name!r} names no public object"
    for module in NO_REFERENCE_MODULES:
        assert module in PUBLIC_MODULES, f"the exemption {module!r} names no public module"


def _doctests(module_name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    return [test for test in finder.find(module) if test.examples]


def _run_doctests(module_name: str) -> tuple[int, str]:
    """Run the doctests of one module; return the number of examples and the failure report."""
    import io

    report = io.StringIO()
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    n_examples = 0
    for test in _doctests(module_name):
        n_examples += len(test.examples)
        runner.run(test, out=report.write)
    return n_examples, report.getvalue() if runner.failures else ""


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_doctests(module_name: str) -> None:
    _, failures = _run_doctests(module_name)
    assert not failures, failures


#: Lower bounds of the counts: they rise as the documentation grows; a drop means public
#: objects, or examples, were lost (or are no longer found).
MINIMUM_COUNTS = {
    "public modules": 35,
    "functions and classes": 170,
    "methods": 140,
    "properties": 50,
    "objects checked": 365,
    "with an Examples section": 125,
    "with a References section": 110,
    "doctest examples": 390,
}


def test_counts() -> None:
    kinds = [item.kind for item in OBJECTS]
    parsed = [_parse(item) for item in OBJECTS]
    counts = {
        "public modules": len(PUBLIC_MODULES),
        "functions and classes": kinds.count("function") + kinds.count("class"),
        "methods": kinds.count("method"),
        "properties": kinds.count("property"),
        "objects checked": len(OBJECTS),
        "with an Examples section": sum(bool(doc["Examples"]) for doc in parsed),
        "with a References section": sum(bool(doc["References"]) for doc in parsed),
        "doctest examples": sum(
            len(test.examples) for name in PUBLIC_MODULES for test in _doctests(name)
        ),
    }
    low = {name: (counts[name], minimum) for name, minimum in MINIMUM_COUNTS.items()}
    low = {name: pair for name, pair in low.items() if pair[0] < pair[1]}
    assert not low, f"counts below their minimum (count, minimum): {low}; all counts: {counts}"
    assert counts["doctest examples"] > 0
