"""The validation of the playground's requests: each field of a JSON body checked by a rule.

An action states its fields as data, a mapping from name to :class:`Field`; :func:`parse`
checks a request body against it and returns the values, or raises :class:`ApiError` naming
the first field that is missing, unknown or wrong, what was expected and what was received.
The server answers an ApiError with its status and the body ``{"error": ..., "field": ...}``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ApiError",
    "Field",
    "bit_string",
    "bit_strings",
    "choice",
    "integer",
    "number",
    "parse",
    "text",
]


class ApiError(Exception):
    """A request the server refuses: the HTTP status, the message and the field it names;
    ``close`` when the connection cannot go on (a body of unknown length is left unread)."""

    def __init__(
        self, status: int, message: str, field: str | None = None, *, close: bool = False
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.close = close

    def body(self) -> dict[str, Any]:
        """The JSON body of the answer."""
        return {"error": self.message, "field": self.field}


def received(value: Any) -> str:
    """A short description of a received JSON value, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        shown = value if len(value) <= 20 else value[:17] + "..."
        return f"a string of length {len(value)} ({shown!r})"
    if isinstance(value, list):
        return f"a list of length {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


@dataclass(frozen=True)
class Field:
    """How to check one field: ``check(value, values) -> value``, raising ValueError with
    the text "expected ..." (and optionally, as its second argument, a description of the
    part received that is wrong); ``values`` holds the fields checked before it."""

    check: Callable[[Any, Mapping[str, Any]], Any]
    required: bool = True
    default: Any = None


def parse(body: Any, fields: Mapping[str, Field]) -> dict[str, Any]:
    """Check a decoded JSON ``body`` against ``fields`` (in their order); return the values."""
    if not isinstance(body, dict):
        raise ApiError(400, f"the body must be a JSON object, got {received(body)}", None)
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise ApiError(
            400, f"unknown field {unknown[0]!r}; the fields are {sorted(fields)}", unknown[0]
        )
    values: dict[str, Any] = {}
    for name, rule in fields.items():
        if name not in body:
            if rule.required:
                raise ApiError(400, f"{name} is required", name)
            values[name] = rule.default
            continue
        try:
            values[name] = rule.check(body[name], values)
        except ValueError as exc:
            # a rule may name the part of the value it refuses: ValueError(expected, got)
            got = exc.args[1] if len(exc.args) > 1 else received(body[name])
            raise ApiError(400, f"{name}: {exc.args[0]}, got {got}", name) from None
    return values


def integer(minimum: int, maximum: int, *, default: int | None = None) -> Field:
    """An integer in [minimum, maximum] (a JSON number with no fraction; not a boolean)."""

    def check(value: Any, _: Mapping[str, Any]) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"expected an integer in [{minimum}, {maximum}]")
        if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
            raise ValueError(f"expected an integer in [{minimum}, {maximum}]")
        if not minimum <= value <= maximum:
            raise ValueError(f"expected an integer in [{minimum}, {maximum}]")
        return int(value)

    return Field(check, required=default is None, default=default)


def number(minimum: float, maximum: float, *, default: float | None = None) -> Field:
    """A finite number in [minimum, maximum] (not a boolean)."""

    def check(value: Any, _: Mapping[str, Any]) -> float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not (ok and math.isfinite(value) and minimum <= value <= maximum):
            raise ValueError(f"expected a number in [{minimum}, {maximum}]")
        return float(value)

    return Field(check, required=default is None, default=default)


def choice(options: Sequence[str], *, default: str | None = None) -> Field:
    """One of the strings ``options``."""

    def check(value: Any, _: Mapping[str, Any]) -> str:
        if not isinstance(value, str) or value not in options:
            raise ValueError(f"expected one of {list(options)}")
        return value

    return Field(check, required=default is None, default=default)


def text(pattern: str, description: str, *, default: str | None = None) -> Field:
    """A string matching the regular expression ``pattern`` in full (``description`` says
    what that is in words)."""
    compiled = re.compile(pattern)

    def check(value: Any, _: Mapping[str, Any]) -> str:
        if not isinstance(value, str) or compiled.fullmatch(value) is None:
            raise ValueError(f"expected {description}")
        return value

    return Field(check, required=default is None, default=default)


_BITS = re.compile("[01]*")


def _bits_of_length(value: Any, n_cells: int) -> str:
    if not isinstance(value, str) or len(value) != n_cells or _BITS.fullmatch(value) is None:
        raise ValueError(f"expected a string of {n_cells} characters '0' or '1'")
    return value


def _cells(values: Mapping[str, Any]) -> int:
    return int(values["height"]) * int(values["width"])


def bit_string() -> Field:
    """A grid of cells as a string of '0' and '1', row by row; its length is height x width
    (the fields ``height`` and ``width``, checked before it)."""
    return Field(lambda value, values: _bits_of_length(value, _cells(values)))


def bit_strings(maximum: int) -> Field:
    """A list of 1 to ``maximum`` grids, each a :func:`bit_string`."""

    def check(value: Any, values: Mapping[str, Any]) -> list[str]:
        n_cells = _cells(values)
        if not isinstance(value, list) or not 1 <= len(value) <= maximum:
            raise ValueError(f"expected a list of 1 to {maximum} strings of {n_cells} '0'/'1'")
        for index, row in enumerate(value):
            try:
                _bits_of_length(row, n_cells)
            except ValueError as exc:
                raise ValueError(f"item {index}: {exc.args[0]}", received(row)) from None
        return list(value)

    return Field(check)
