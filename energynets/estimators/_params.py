"""Constructor parameters checked from a table, in the style of scikit-learn's
``_parameter_constraints``.

Each estimator class states, as data, what each of its parameters must be: a dictionary
``_parameter_checks`` from the parameter's name to a constraint below. ``fit`` calls
:func:`check_params` with the names it needs, in the order they are checked, and gets the
checked values back. Every message names the parameter, what was expected and what was
received (the checks of :mod:`energynets._validation`), e.g. "alpha must be >= 0, got -0.1".
``random_state`` is not in the tables: ``fit`` converts it once, at its own moment
(:func:`~energynets.estimators._base.as_generator`).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from energynets._validation import check_choice, check_float, check_int

__all__ = [
    "Boolean",
    "Constraint",
    "Either",
    "Integer",
    "IntegerOrInf",
    "LayerSizes",
    "OneOf",
    "OpenFraction",
    "Real",
    "check_params",
]


class Constraint(Protocol):
    """What a parameter must be: ``check(value, name)`` returns the value, or raises."""

    def check(self, value: Any, name: str) -> Any: ...


@dataclass(frozen=True)
class Integer:
    """An int (not a bool) in [minimum, maximum]."""

    minimum: int | None = None
    maximum: int | None = None

    def check(self, value: Any, name: str) -> int:
        return check_int(value, name, minimum=self.minimum, maximum=self.maximum)


@dataclass(frozen=True)
class IntegerOrInf:
    """An int >= minimum, or infinity (``np.inf``: never)."""

    minimum: int = 1

    def check(self, value: Any, name: str) -> float:
        if isinstance(value, float | np.floating) and value == np.inf:
            return float("inf")
        return check_int(value, name, minimum=self.minimum)


@dataclass(frozen=True)
class Real:
    """A finite real number in [minimum, maximum] (or (minimum, maximum])."""

    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False

    def check(self, value: Any, name: str) -> float:
        return check_float(
            value,
            name,
            minimum=self.minimum,
            maximum=self.maximum,
            exclusive_minimum=self.exclusive_minimum,
        )


@dataclass(frozen=True)
class OneOf:
    """One of the strings ``choices``, or of ``aliases`` (returned as the name they stand for);
    with ``or_callable``, a callable is accepted too and returned as it is."""

    choices: tuple[str, ...]
    aliases: Mapping[str, str] = field(default_factory=dict)
    or_callable: bool = False

    def check(self, value: Any, name: str) -> Any:
        if self.or_callable and callable(value):
            return value
        choice = check_choice(value, name, (*self.choices, *self.aliases))
        return self.aliases.get(choice, choice)


@dataclass(frozen=True)
class Boolean:
    """True or False (numpy bools and ints are accepted, as scikit-learn does)."""

    def check(self, value: Any, name: str) -> bool:
        if not isinstance(value, bool | np.bool_ | numbers.Integral):
            raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
        return bool(value)


@dataclass(frozen=True)
class LayerSizes:
    """An int or a sequence of ints >= 1: the hidden layer sizes, as a tuple."""

    allow_empty: bool

    def check(self, value: Any, name: str) -> tuple[int, ...]:
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            value = (value,)
        if isinstance(value, str | bytes) or not isinstance(value, Sequence | np.ndarray):
            raise TypeError(
                f"{name} must be an int or a sequence of ints such as (100,), got "
                f"{type(value).__name__} {value!r}"
            )
        sizes = tuple(check_int(s, f"{name}[{i}]", minimum=1) for i, s in enumerate(list(value)))
        if not sizes and not self.allow_empty:
            raise ValueError(f"{name} must give at least one hidden layer size, got {value!r}")
        return sizes


@dataclass(frozen=True)
class OpenFraction:
    """A real number strictly between 0 and 1."""

    def check(self, value: Any, name: str) -> float:
        fraction = check_float(value, name, minimum=0.0, maximum=1.0)
        if not 0.0 < fraction < 1.0:
            raise ValueError(f"{name} must lie in (0, 1), got {fraction}")
        return fraction


@dataclass(frozen=True)
class Either:
    """Satisfies ``first`` if ``value`` is a string, else ``second`` (e.g. "auto" or an int)."""

    first: Constraint
    second: Constraint

    def check(self, value: Any, name: str) -> Any:
        return (self.first if isinstance(value, str) else self.second).check(value, name)


def check_params(estimator: Any, names: Iterable[str] | None = None) -> dict[str, Any]:
    """The parameters ``names`` of ``estimator`` (default: every one its class's table lists),
    each checked by its entry in ``type(estimator)._parameter_checks``, in that order."""
    checks: Mapping[str, Constraint] = type(estimator)._parameter_checks
    order = checks if names is None else names
    return {name: checks[name].check(getattr(estimator, name), name) for name in order}
