"""Input checks and their messages, in one place.

Every public function validates its arguments here, so that a user's mistake produces a
``ValueError`` or ``TypeError`` that names the argument, says what was expected and what was
received, instead of an obscure error from deep inside numpy.

The random-number convention of the package also lives here: every stochastic function takes
``rng`` (an int seed, a :class:`numpy.random.Generator`, or None) and turns it into a Generator
once, at the public boundary, with :func:`check_rng` (SPEC 7).
"""

from __future__ import annotations

import numbers
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

RNGLike = int | np.random.Generator | np.random.SeedSequence | None

#: The largest count (of epochs, steps, samples, units, ...) any argument takes: the largest C
#: int. A larger one is a mistake, would overflow the int-typed numpy and scipy calls it
#: reaches, or would run for ages. :func:`check_int` applies it unless told otherwise.
MAX_COUNT = 2**31 - 1


def is_sparse(x: Any) -> bool:
    """Whether x is a ``scipy.sparse`` matrix or array, without importing scipy: when
    ``scipy.sparse`` was never imported, nothing can be one (``import energynets`` stays
    light)."""
    module = sys.modules.get("scipy.sparse")
    return module is not None and bool(module.issparse(x))


def check_rng(rng: Any, name: str = "rng") -> np.random.Generator:
    """Turn ``rng`` into a :class:`numpy.random.Generator`.

    Parameters
    ----------
    rng : int, numpy.random.Generator, numpy.random.SeedSequence or None
        An int seed (>= 0) gives a reproducible generator; a Generator is used as it is
        (shared, not copied, so successive calls continue its stream); None draws fresh
        entropy from the operating system. Numpy's global random state is never used.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, np.random.SeedSequence):
        return np.random.default_rng(rng)
    if isinstance(rng, bool) or not isinstance(rng, numbers.Integral):
        raise TypeError(
            f"{name} must be an int seed, a numpy.random.Generator or None, "
            f"got {type(rng).__name__}"
        )
    if int(rng) < 0:
        raise ValueError(f"{name} must be a non-negative int seed, got {int(rng)}")
    return np.random.default_rng(int(rng))


def describe_rng(rng: Any) -> Any:
    """A JSON-friendly record of how ``rng`` was given, for an experiment's settings."""
    if rng is None:
        return "None (fresh OS entropy, not reproducible)"
    if isinstance(rng, np.random.Generator):
        return f"numpy.random.Generator ({type(rng.bit_generator).__name__}), as passed"
    if isinstance(rng, np.random.SeedSequence):
        return f"numpy.random.SeedSequence(entropy={rng.entropy})"
    return int(rng)


def rng_stream(entropy: int, *key: int) -> np.random.Generator:
    """An independent generator for one part of an experiment, named by its ``key``.

    Streams come from ``SeedSequence(entropy, spawn_key=key)``, so a part's random numbers do
    not depend on which other parts run or in what order.
    """
    return np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=key))


def _describe(x: Any) -> str:
    if isinstance(x, np.ndarray):
        return f"array of shape {x.shape} and dtype {x.dtype}"
    return f"{type(x).__name__} {x!r}"[:120]


def as_float_array(
    x: Any,
    name: str,
    *,
    ndim: int | Sequence[int] | None = None,
    dtype: Any = None,
    allow_empty: bool = False,
    finite: bool = True,
) -> np.ndarray:
    """Return ``x`` as a floating-point array, checking dimensions and finiteness.

    The result may share memory with ``x``; callers that write into it must copy first.
    """
    if (isinstance(x, np.ndarray) and x.dtype == object) or (
        not isinstance(x, np.ndarray) and isinstance(x, str | bytes)
    ):
        raise TypeError(f"{name} must be an array of numbers, got {_describe(x)}")
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be a rectangular array of numbers: {exc}") from None
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must be an array of numbers, got {_describe(arr)}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must be real-valued, got dtype {arr.dtype}")
    target = np.dtype(dtype) if dtype is not None else None
    if target is None:
        target = arr.dtype if arr.dtype in (np.float32, np.float64) else np.dtype(np.float64)
    arr = arr.astype(target, copy=False)
    _check_ndim(arr, name, ndim)
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got an array of shape {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (no NaN or inf)")
    return arr


def _check_ndim(arr: np.ndarray, name: str, ndim: int | Sequence[int] | None) -> None:
    if ndim is None:
        return
    allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if arr.ndim not in allowed:
        want = " or ".join(f"{d}-D" for d in allowed)
        raise ValueError(f"{name} must be a {want} array, got shape {arr.shape}")


def as_rows(
    x: Any, name: str, n_columns: int, columns: str, dtype: Any = np.float64
) -> tuple[np.ndarray, bool]:
    """``x`` as a 2-D float array of rows (one row for a 1-D input) with ``n_columns`` columns.

    Returns the rows (a view, possibly of ``x`` itself: copy before writing) and whether the
    input was 1-D. A wrong number of columns raises a ValueError saying "``name`` must
    have ``n_columns`` ``columns``, got shape ...", ``columns`` being the words that follow
    the count (e.g. "units (columns) to match the model").
    """
    arr = as_float_array(x, name, ndim=(1, 2), dtype=dtype)
    was_1d = arr.ndim == 1
    rows = arr[None, :] if was_1d else arr
    if rows.shape[1] != n_columns:
        raise ValueError(f"{name} must have {n_columns} {columns}, got shape {arr.shape}")
    return rows, was_1d


def as_spins(
    x: Any,
    name: str,
    *,
    n_units: int | None = None,
    dtype: Any = np.float64,
    allow_1d: bool = True,
) -> tuple[np.ndarray, bool]:
    """Check that ``x`` holds +-1 spins and return it as a 2-D array of ``dtype``.

    Returns the array, shape ``(n_samples, n_units)``, and whether the input was 1-D (so the
    caller can give back a 1-D result). The returned array is always a fresh copy.
    """
    arr = as_float_array(x, name, ndim=(1, 2) if allow_1d else 2, dtype=np.float64)
    was_1d = arr.ndim == 1
    arr2 = arr[None, :] if was_1d else arr
    if arr2.shape[1] == 0:
        raise ValueError(f"{name} must have at least one unit, got shape {arr.shape}")
    if not np.all(np.abs(arr2) == 1.0):
        bad = arr2[np.abs(arr2) != 1.0].ravel()[:3]
        raise ValueError(f"{name} must contain only -1 and +1 spins, got values such as {bad}")
    if n_units is not None and arr2.shape[1] != n_units:
        raise ValueError(
            f"{name} must have {n_units} units (columns) to match the model, got shape {arr.shape}"
        )
    return np.array(arr2, dtype=dtype, order="C", copy=True), was_1d


def as_bits(x: Any, name: str) -> np.ndarray:
    """Check that ``x`` holds 0/1 bits; return it as a float array (may share memory)."""
    arr = as_float_array(x, name, allow_empty=True)
    if not np.all((arr == 0.0) | (arr == 1.0)):
        bad = arr[(arr != 0.0) & (arr != 1.0)].ravel()[:3]
        raise ValueError(f"{name} must contain only 0 and 1 bits, got values such as {bad}")
    return arr


def check_square_symmetric(
    weights: np.ndarray, name: str = "weights", *, zero_diagonal: bool = True, rtol: float = 1e-10
) -> None:
    """Check that ``weights`` is square, symmetric and (optionally) has a zero diagonal."""
    if weights.ndim != 2 or weights.shape[0] != weights.shape[1]:
        raise ValueError(f"{name} must be a square 2-D array, got shape {weights.shape}")
    scale = max(float(np.max(np.abs(weights), initial=0.0)), 1e-300)
    asym = float(np.max(np.abs(weights - weights.T), initial=0.0))
    if asym > rtol * scale:
        raise ValueError(
            f"{name} must be symmetric, got max |W - W.T| = {asym:.3g} (max |W| = {scale:.3g})"
        )
    if zero_diagonal and np.any(np.diag(weights) != 0):
        raise ValueError(
            f"{name} must have a zero diagonal (no self-couplings), got max |W_ii| = "
            f"{float(np.max(np.abs(np.diag(weights)))):.3g}"
        )


def check_bias(bias: Any, n_units: int, dtype: Any) -> np.ndarray:
    """A fresh bias vector of shape (n_units,) and ``dtype``; zeros when ``bias`` is None."""
    if bias is None:
        return np.zeros(n_units, dtype=dtype)
    b = np.array(as_float_array(bias, "bias", ndim=1), dtype=dtype, copy=True)
    if b.shape != (n_units,):
        raise ValueError(f"bias must have shape ({n_units},) to match weights, got {b.shape}")
    return b


def check_couplings(weights: Any, bias: Any, dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    """Fresh copies of symmetric, zero-diagonal ``weights`` and their ``bias`` (zeros if None).

    The checks and messages shared by every quadratic-energy model (Hopfield, Boltzmann).
    """
    w = np.array(as_float_array(weights, "weights", ndim=2), dtype=dtype, copy=True)
    check_square_symmetric(w, "weights")
    return w, check_bias(bias, w.shape[0], dtype)


def check_int(
    value: Any, name: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """Check that ``value`` is an integer within ``[minimum, maximum]`` and return it.

    Every count and index of the package comes through here, so no int reaches a loop, an
    allocation or an int-typed numpy call unbounded: without ``maximum`` the bound is
    :data:`MAX_COUNT` (and ``-MAX_COUNT`` without ``minimum``).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {_describe(value)}")
    v = int(value)
    low = -MAX_COUNT if minimum is None else minimum
    high = MAX_COUNT if maximum is None else maximum
    if v < low:
        raise ValueError(f"{name} must be >= {low}, got {_clip_int(v)}")
    if v > high:
        raise ValueError(f"{name} must be <= {high}, got {_clip_int(v)}")
    return v


def check_seed(value: Any, name: str) -> int:
    """Check that ``value`` is a non-negative int seed and return it. Not a count: any size
    is a seed (numpy's SeedSequence takes them all), so no :data:`MAX_COUNT` bound."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int seed, got {_describe(value)}")
    if int(value) < 0:
        raise ValueError(f"{name} must be a non-negative int seed, got {_clip_int(int(value))}")
    return int(value)


def check_int_tuple(
    values: Any,
    name: str,
    *,
    length: int | None = None,
    minimum: int = 1,
    expected: str = "a sequence of ints",
) -> tuple[int, ...]:
    """A sequence of ints (a shape, sizes) as a tuple, each checked by :func:`check_int`
    (in ``[minimum, MAX_COUNT]``, named ``name[i]``); ``length`` values when given.
    ``expected`` says what it must be in the TypeError ("a pair (height, width) of ints")."""
    if (
        isinstance(values, str | bytes)
        or not isinstance(values, Sequence | np.ndarray)
        or (isinstance(values, np.ndarray) and values.ndim != 1)
    ):
        raise TypeError(f"{name} must be {expected}, got {_describe(values)}")
    items = list(values)
    if length is not None and len(items) != length:
        raise TypeError(f"{name} must be {expected}, got {len(items)} values: {_describe(values)}")
    return tuple(check_int(v, f"{name}[{i}]", minimum=minimum) for i, v in enumerate(items))


def _clip_int(v: int) -> str:
    """``v`` as text, shortened when huge (a message quotes it; 10**5000 is 5,000 digits, and
    Python refuses to print ints of more than 4,300)."""
    if abs(v) < 10**30:
        return str(v)
    return f"{'-' if v < 0 else ''}about 2**{abs(v).bit_length() - 1}"


def check_float(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
) -> float:
    """Check that ``value`` is a finite real number within bounds and return it as float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    try:
        v = float(value)
    except OverflowError:  # an int (or Fraction) beyond the float range
        raise ValueError(f"{name} must be finite, got a number beyond the float range") from None
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v}")
    if minimum is not None:
        if exclusive_minimum and v <= minimum:
            raise ValueError(f"{name} must be > {minimum}, got {v}")
        if not exclusive_minimum and v < minimum:
            raise ValueError(f"{name} must be >= {minimum}, got {v}")
    if maximum is not None and v > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {v}")
    return v


def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    """Check that ``value`` is one of the strings in ``choices``."""
    if not isinstance(value, str) or value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


def check_choices(
    values: Any, name: str, choices: Sequence[str], what: str = "choice"
) -> tuple[str, ...]:
    """Check a name or a sequence of names, each one of ``choices``; repeats dropped, order kept."""
    if isinstance(values, str):
        values = (values,)
    try:
        items = list(values)
    except TypeError:
        raise TypeError(
            f"{name} must be a sequence of {what} names, got {type(values).__name__}"
        ) from None
    if not items:
        raise ValueError(f"{name} must name at least one {what}, got an empty sequence")
    for item in items:
        check_choice(item, name, choices)
    return tuple(dict.fromkeys(items))


def check_dtype(dtype: Any, name: str = "dtype") -> np.dtype:
    """Check that ``dtype`` is float32 or float64."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name} must be numpy.float32 or numpy.float64, got {dtype!r}") from None
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"{name} must be numpy.float32 or numpy.float64, got {dt}")
    return dt


def check_data_matrix(data: Any, name: str, n_columns: int, axis: str, columns: str) -> np.ndarray:
    """``data`` without copying it: a 2-D array of real numbers (any numeric dtype) with
    ``n_columns`` columns and at least one row. ``axis`` names the columns ("n_visible") and
    ``columns`` what fixes their number ("n_visible of the model") in the messages.
    Finiteness and ranges are the caller's to check."""
    arr = data if isinstance(data, np.ndarray) else np.asarray(data)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must be real-valued, got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n_samples, {axis}), got shape {arr.shape}")
    if arr.shape[1] != n_columns:
        raise ValueError(f"{name} must have {n_columns} columns ({columns}), got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must have at least one row, got shape {arr.shape}")
    return arr
