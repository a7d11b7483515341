"""Hostile input at every public entry point that takes data.

Each entry point gets every value of :data:`TRANSFORMS` in place of one of its array
arguments (a fixed matrix: every transform at every entry point), then arrays drawn by
hypothesis (random shapes, dtypes and values with NaN and infinities). For each case the call
must

- work, and give the same result as the plain float64 array when the transform keeps the
  values (a list, a non-contiguous, Fortran-ordered or read-only array, integers, float32,
  an object array of numbers), or
- raise ``ValueError`` or ``TypeError`` whose message names the argument;

never another exception (an ``IndexError`` from deep inside), never a warning, and never a
change to the caller's data. The counts are in ``docs/reliability.md``.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import energynets as en
from energynets import energy, exact, metrics, sampling, states
from energynets.experiments import compare
from energynets.models.boltzmann import sherrington_kirkpatrick
from tests.data_helpers import random_bits, random_spins

#: hypothesis examples per entry point (random shape, dtype and values)
GENERATED_PER_ENTRY_POINT = 25


@dataclass(frozen=True)
class EntryPoint:
    name: str  # what the call is
    argument: str  # the argument the hostile value replaces, as messages must name it
    kind: str  # "spins", "bits", "real", "labels", "probabilities"
    base: np.ndarray  # a valid value
    call: Callable[[Any], Any]  # the call with the value in place; returns arrays to compare


PATTERNS = random_spins(3, 12, 0)
PROBES = random_spins(4, 12, 1)
HOPFIELD = en.HopfieldNetwork.from_patterns(PATTERNS)
BITS = random_bits(10, 6, 2)
RBM = en.RBM(6, 4, rng=3)
GRBM = en.RBM(6, 4, visible="gaussian", rng=3)
REAL = np.random.default_rng(4).normal(size=(10, 6))
HIDDEN = random_bits(10, 4, 5)
MLP = en.MLP([6, 5, 3], rng=6)
LABELS = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0], dtype=np.float64)
MACHINE = sherrington_kirkpatrick(6, rng=7)
SPINS6 = random_spins(5, 6, 8)
DENSE = en.DenseAssociativeMemory(PATTERNS, interaction="polynomial", degree=3)
MODERN = en.ModernHopfield(REAL[:4], beta=2.0)
DBN = en.DBN([6, 4, 3], rng=9)
CRBM = en.ClassificationRBM(6, 3, 4, rng=10)
SERIES = np.random.default_rng(11).normal(size=(200,))


def _fields(x: Any) -> Any:
    return energy.quadratic_fields(x, HOPFIELD.weights, HOPFIELD.bias)


ENTRY_POINTS = [
    EntryPoint("HopfieldNetwork.from_patterns", "patterns", "spins", PATTERNS,
               lambda x: en.HopfieldNetwork.from_patterns(x).weights),
    EntryPoint("HopfieldNetwork.from_patterns(storkey)", "patterns", "spins", PATTERNS,
               lambda x: en.HopfieldNetwork.from_patterns(x, rule="storkey").weights),
    EntryPoint("HopfieldNetwork.recall", "probes", "spins", PROBES,
               lambda x: HOPFIELD.recall(x, rng=0).states),
    EntryPoint("HopfieldNetwork.recall(sync)", "probes", "spins", PROBES,
               lambda x: HOPFIELD.recall(x, dynamics="sync").states),
    EntryPoint("HopfieldNetwork.energy", "states", "spins", PROBES,
               lambda x: HOPFIELD.energy(x)),
    EntryPoint("energy.quadratic_fields", "states", "spins", PROBES, _fields),
    EntryPoint("corrupt", "patterns", "spins", PATTERNS, lambda x: en.corrupt(x, 0.2, rng=0)),
    EntryPoint("overlap", "a", "spins", PROBES, lambda x: states.overlap(x, PROBES)),
    EntryPoint("to_bits", "spins", "spins", PROBES, lambda x: en.to_bits(x)),
    EntryPoint("to_spins", "bits", "bits", BITS, lambda x: en.to_spins(x)),
    EntryPoint("BoltzmannMachine.energy", "states", "spins", SPINS6,
               lambda x: MACHINE.energy(x)),
    EntryPoint("sampling.gibbs", "states", "spins", SPINS6,
               lambda x: sampling.gibbs(MACHINE, x, n_sweeps=3, rng=0).states),
    EntryPoint("exact.log_partition(weights)", "weights", "real", MACHINE.weights,
               lambda x: exact.log_partition(en.BoltzmannMachine(x))),
    EntryPoint("RBM.free_energy", "v", "bits", BITS, lambda x: RBM.free_energy(x)),
    EntryPoint("RBM.hidden_probabilities", "v", "bits", BITS,
               lambda x: RBM.hidden_probabilities(x)),
    EntryPoint("RBM.visible_mean", "h", "bits", HIDDEN, lambda x: RBM.visible_mean(x)),
    EntryPoint("RBM.sample_hidden", "v", "bits", BITS, lambda x: RBM.sample_hidden(x, rng=0)),
    EntryPoint("RBM(gaussian).free_energy", "v", "real", REAL, lambda x: GRBM.free_energy(x)),
    EntryPoint("metrics.pseudo_likelihood", "data", "bits", BITS,
               lambda x: metrics.pseudo_likelihood(RBM, x)),
    EntryPoint("metrics.log_likelihood", "data", "bits", BITS,
               lambda x: metrics.log_likelihood(RBM, x)),
    EntryPoint("metrics.reconstruction_error", "data", "bits", BITS,
               lambda x: metrics.reconstruction_error(RBM, x)),
    EntryPoint("fit_rbm", "data", "bits", BITS,
               lambda x: en.fit_rbm(RBM, x, n_epochs=2, batch_size=4, monitor=())[0].weights),
    EntryPoint("fit_rbm(gaussian)", "data", "real", REAL,
               lambda x: en.fit_rbm(GRBM, x, n_epochs=2, batch_size=4, monitor=())[0].weights),
    EntryPoint("reverse_ais", "data", "bits", BITS,
               lambda x: en.reverse_ais(RBM, x, n_betas=20, rng=0).log_weights),
    EntryPoint("MLP.predict_proba", "X", "real", REAL, lambda x: MLP.predict_proba(x)),
    EntryPoint("MLP.loss(X)", "X", "real", REAL, lambda x: MLP.loss(x, LABELS.astype(int))),
    EntryPoint("MLP.loss(y)", "y", "labels", LABELS, lambda y: MLP.loss(REAL, y)),
    EntryPoint("fit_mlp(X)", "X", "real", REAL,
               lambda x: en.fit_mlp(MLP, x, LABELS.astype(int), n_epochs=2, batch_size=4)[0]
               .weights[0]),
    EntryPoint("fit_mlp(y)", "y", "labels", LABELS,
               lambda y: en.fit_mlp(MLP, REAL, y, n_epochs=2, batch_size=4)[0].weights[0]),
    EntryPoint("gradient_check", "X", "real", REAL[:3],
               lambda x: en.gradient_check(MLP, x, LABELS[:3].astype(int)).max_relative_error
               < 1e-4),
    EntryPoint("DenseAssociativeMemory", "patterns", "spins", PATTERNS,
               lambda x: en.DenseAssociativeMemory(x, degree=3).recall(x, rng=0).states),
    EntryPoint("DenseAssociativeMemory.recall", "probes", "spins", PROBES,
               lambda x: DENSE.recall(x, rng=0).states),
    EntryPoint("ModernHopfield.retrieve", "queries", "real", REAL,
               lambda x: MODERN.retrieve(x).states),
    EntryPoint("ModernHopfield.attention", "states", "real", REAL,
               lambda x: MODERN.attention(x)),
    EntryPoint("fit_dbn", "X", "bits", BITS,
               lambda x: en.fit_dbn([6, 4, 3], x, n_epochs=1, batch_size=4)[0].rbms[1].weights),
    EntryPoint("DBN.transform", "X", "bits", BITS, lambda x: DBN.transform(x)),
    EntryPoint("ClassificationRBM.predict_proba", "X", "bits", BITS,
               lambda x: CRBM.predict_proba(x)),
    EntryPoint("fit_classification_rbm(y)", "y", "labels", LABELS,
               lambda y: en.fit_classification_rbm(BITS, y, 4, n_epochs=1, batch_size=4)[0]
               .rbm.weights),
    EntryPoint("effective_sample_size", "x", "real", SERIES,
               lambda x: sampling.effective_sample_size(x)),
    EntryPoint("balanced_subset", "labels", "labels", LABELS,
               lambda y: compare.balanced_subset(y, 3, rng=0)),
    EntryPoint("HopfieldNetwork(weights)", "weights", "real", HOPFIELD.weights,
               lambda w: en.HopfieldNetwork(w).recall(PROBES, rng=0).states),
    EntryPoint("BoltzmannMachine(weights)", "weights", "real", MACHINE.weights,
               lambda w: en.BoltzmannMachine(w).energy(SPINS6)),
    EntryPoint("RBM.from_params(weights)", "weights", "real", RBM.weights,
               lambda w: en.RBM.from_params(w, RBM.visible_bias, RBM.hidden_bias)
               .free_energy(BITS)),
    EntryPoint("ContinuousHopfield.from_patterns", "patterns", "spins", PATTERNS,
               lambda x: en.ContinuousHopfield.from_patterns(x).weights),
    EntryPoint("ais(base_visible_bias)", "base_visible_bias", "real", np.zeros(6),
               lambda b: en.ais(RBM, n_runs=5, n_betas=20, rng=0, base_visible_bias=b)
               .log_weights),
    EntryPoint("autocorrelation", "x", "real", SERIES,
               lambda x: sampling.autocorrelation(x, max_lag=10)),
]  # fmt: skip

#: the transforms that keep the values: the call must work and agree with the plain array
SAME_VALUES = ("list", "non-contiguous", "fortran", "read-only", "float32", "object numbers")
#: the transforms that make the value invalid: the call must raise, naming the argument
INVALID = ("nan", "inf", "-inf", "strings", "none", "complex")
#: the rest may work or be refused (naming the argument)
EITHER = ("int64", "bool", "float16", "empty", "one row", "scalar", "1-d", "3-d", "narrower")
TRANSFORMS = SAME_VALUES + INVALID + EITHER


def transform(x: np.ndarray, how: str) -> Any:
    """The value ``x`` made hostile in the way ``how``."""
    if how == "list":
        return x.tolist()
    if how == "non-contiguous":
        return np.repeat(x, 2, axis=-1)[..., ::2]
    if how == "fortran":
        return np.asfortranarray(x)
    if how == "read-only":
        y = x.copy()
        y.flags.writeable = False
        return y
    if how == "float32":
        return x.astype(np.float32)
    if how == "object numbers":
        return x.astype(object)
    if how in ("nan", "inf", "-inf"):
        y = x.astype(np.float64)
        y.flat[y.size // 2] = float(how)
        return y
    if how == "strings":
        return x.astype(str)
    if how == "none":
        y = x.astype(object)
        y.flat[0] = None
        return y
    if how == "complex":
        return x.astype(np.complex128)
    if how == "int64":
        return x.astype(np.int64)
    if how == "bool":
        return x.astype(bool)
    if how == "float16":
        return x.astype(np.float16)
    if how == "empty":
        return x[:0]
    if how == "one row":
        return x[:1]
    if how == "scalar":
        return x.flat[0]
    if how == "1-d":
        return x.ravel() if x.ndim > 1 else x[:, None]
    if how == "3-d":
        return x[None]
    if how == "narrower":
        return x[..., :-1]
    raise AssertionError(how)


def _snapshot(value: Any) -> Any:
    return copy.deepcopy(value)


def _unchanged(before: Any, after: Any) -> bool:
    if isinstance(before, np.ndarray):
        if before.dtype == object:
            return before.shape == after.shape and all(
                (a is b) or (a == b) or (a != a and b != b)
                for a, b in zip(before.flat, after.flat, strict=True)
            )
        if before.dtype.kind not in "fc":
            return before.dtype == after.dtype and np.array_equal(before, after)
        return before.dtype == after.dtype and np.array_equal(before, after, equal_nan=True)
    return before == after


def _call(entry: EntryPoint, value: Any) -> tuple[Any, BaseException | None]:
    """(result, None) or (None, the ValueError/TypeError raised); anything else fails."""
    before = _snapshot(value)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with np.errstate(over="raise", divide="raise", invalid="raise"):
                result = entry.call(value)
    except (ValueError, TypeError) as exc:
        outcome: tuple[Any, BaseException | None] = (None, exc)
    else:
        outcome = (result, None)
    assert _unchanged(before, value), f"{entry.name} modified its {entry.argument}"
    return outcome


def _assert_names_argument(entry: EntryPoint, exc: BaseException, how: str) -> None:
    message = str(exc)
    assert entry.argument in message, (
        f"{entry.name} with {how} {entry.argument}: the {type(exc).__name__} does not name "
        f"'{entry.argument}': {message!r}"
    )
    assert "\n" not in message.strip() or len(message) < 2000


def _same(a: Any, b: Any) -> None:
    if isinstance(a, tuple | list):
        for x, y in zip(a, b, strict=True):
            _same(x, y)
        return
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("how", TRANSFORMS)
@pytest.mark.parametrize("entry", ENTRY_POINTS, ids=lambda e: e.name)
def test_every_transform_at_every_entry_point(entry: EntryPoint, how: str) -> None:
    value = transform(entry.base, how)
    result, exc = _call(entry, value)
    if how in SAME_VALUES:
        if exc is not None:
            _assert_names_argument(entry, exc, how)
            # refusing an object array of numbers is allowed, with a TypeError naming it
            assert how == "object numbers" and isinstance(exc, TypeError), (
                f"{entry.name} refused a {how} {entry.argument}: {exc!r}"
            )
            return
        expected, _ = _call(entry, entry.base.copy())
        _same(result, expected)
    elif how in INVALID:
        assert exc is not None, f"{entry.name} accepted a {how} {entry.argument}"
        _assert_names_argument(entry, exc, how)
    elif exc is not None:
        _assert_names_argument(entry, exc, how)


_DTYPES = st.sampled_from(
    [np.float64, np.float32, np.float16, np.int64, np.int8, np.bool_, np.uint8]
)


@st.composite
def _arrays(draw: Any, entry: EntryPoint) -> np.ndarray:
    dtype = draw(_DTYPES)
    if draw(st.booleans()):
        shape = entry.base.shape
    else:
        shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=7))
    if np.dtype(dtype).kind == "f":
        elements = st.floats(-4, 4, width=np.dtype(dtype).itemsize * 8) | st.sampled_from(
            [np.nan, np.inf, -np.inf, 0.0, 1.0, -1.0]
        )
    else:
        elements = None
    return draw(hnp.arrays(dtype, shape, elements=elements))


@pytest.mark.parametrize("entry", ENTRY_POINTS, ids=lambda e: e.name)
def test_generated_arrays_work_or_are_refused_by_name(entry: EntryPoint) -> None:
    @settings(
        max_examples=GENERATED_PER_ENTRY_POINT, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck), database=None,
    )  # fmt: skip
    @given(value=_arrays(entry))
    def check(value: np.ndarray) -> None:
        _, exc = _call(entry, value)
        if exc is not None:
            _assert_names_argument(entry, exc, f"a generated {value.dtype}{value.shape}")
        elif value.dtype.kind == "f" and not np.isfinite(value).all():
            raise AssertionError(f"{entry.name} accepted a non-finite {entry.argument}")

    check()


#: (call, argument) pairs for the scalar arguments: each hostile value must work or be refused
#: by name
SCALAR_ARGUMENTS = [
    (lambda v: en.corrupt(PATTERNS, v, rng=0), "flip_fraction"),
    (lambda v: HOPFIELD.recall(PROBES, max_sweeps=v), "max_sweeps"),
    (lambda v: HOPFIELD.recall(PROBES, temperature=v, rng=0), "temperature"),
    (lambda v: HOPFIELD.recall(PROBES, rng=v), "rng"),
    (lambda v: sampling.gibbs(MACHINE, SPINS6, n_sweeps=v), "n_sweeps"),
    (lambda v: en.RBM(6, v), "n_hidden"),
    (lambda v: en.fit_rbm(RBM, BITS, n_epochs=v, monitor=()), "n_epochs"),
    (lambda v: en.fit_rbm(RBM, BITS, n_epochs=1, learning_rate=v, monitor=()), "learning_rate"),
    (lambda v: en.fit_rbm(RBM, BITS, n_epochs=1, batch_size=v, monitor=()), "batch_size"),
    (lambda v: en.fit_rbm(RBM, BITS, n_epochs=1, k=v, monitor=()), "k"),
    (lambda v: en.fit_rbm(RBM, BITS, n_epochs=1, momentum=v, monitor=()), "momentum"),
    (lambda v: en.fit_rbm(RBM, BITS, n_epochs=1, weight_decay=v, monitor=()), "weight_decay"),
    (lambda v: en.MLP([6, v, 3]), "layer_sizes"),
    (lambda v: en.fit_mlp(MLP, REAL, LABELS.astype(int), n_epochs=v), "n_epochs"),
    (lambda v: en.fit_mlp(MLP, REAL, LABELS.astype(int), n_epochs=1, learning_rate=v),
     "learning_rate"),
    (lambda v: en.fit_mlp(MLP, REAL, LABELS.astype(int), n_epochs=1, batch_size=v),
     "batch_size"),
    (lambda v: en.ais(RBM, n_runs=v, n_betas=20), "n_runs"),
    (lambda v: en.ais(RBM, n_runs=5, n_betas=v), "n_betas"),
    (lambda v: en.ModernHopfield(REAL[:4], beta=v), "beta"),
    (lambda v: en.DenseAssociativeMemory(PATTERNS, degree=v), "degree"),
    (lambda v: en.fit_dbn([6, 4], BITS, n_epochs=v), "n_epochs"),
    (lambda v: compare.balanced_subset(LABELS, v), "n"),
]  # fmt: skip
SCALAR_VALUES = [
    float("nan"),
    float("inf"),
    -float("inf"),
    -1,
    0,
    1.5,
    "3",
    None,
    [2],
    True,
    np.float64(2.0),
    np.int64(2),
]


@pytest.mark.parametrize("value", SCALAR_VALUES, ids=repr)
@pytest.mark.parametrize(
    ("call", "argument"),
    SCALAR_ARGUMENTS,
    ids=[f"{i}-{a}" for i, (_, a) in enumerate(SCALAR_ARGUMENTS)],
)
def test_hostile_scalars_work_or_are_refused_by_name(call, argument, value) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with np.errstate(over="raise", divide="raise", invalid="raise"):
                call(value)
    except (ValueError, TypeError) as exc:
        assert argument in str(exc), f"{argument}={value!r}: {exc!r} does not name it"
    except MemoryError:  # pragma: no cover - a huge size must be refused before allocating
        raise AssertionError(f"{argument}={value!r} tried to allocate") from None


def test_counts_match_the_reliability_page() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "docs" / "reliability.md").read_text()
    n = len(ENTRY_POINTS)
    assert f"{n} entry points" in page
    assert f"{len(TRANSFORMS)} transforms" in page
    assert f"{GENERATED_PER_ENTRY_POINT} generated arrays per entry point" in page
    assert f"{len(SCALAR_ARGUMENTS)} scalar arguments" in page
    assert f"{len(SCALAR_VALUES)} hostile values" in page
