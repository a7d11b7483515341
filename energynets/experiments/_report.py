"""How the experiments' results read: records as tables, columns and JSON, written once.

Every result object of :mod:`energynets.experiments` holds ``records`` (a tidy table, one dict
per row, the same keys in every row) and ``settings``. This module turns them into

- cells: one string per value, by a format spec per column (:func:`format_cells`), with
  None and NaN as "-" (:func:`format_value`);
- an aligned plain-text table for stdout, text left and numbers right (:func:`text_table`),
  or a Markdown (GitHub pipe) table (:func:`markdown_table`), with the notes of the result
  under it (:func:`text_report`, :func:`markdown_report`);
- one column as an array (:func:`record_column`, :func:`typed_column`, :func:`group_column`),
  the rows of one group (:func:`rows_of`) or one record by its name (:func:`find_record`);
- plain Python values for :func:`json.dumps` (:func:`jsonable`).

The result classes build on :class:`Table` (the table a class names and the JSON summary),
:class:`TableReport` (that table printed with notes) and :class:`Records` (the two fields,
empty by default).

Nothing here computes a measurement; it only says how one is shown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from energynets._json import plain
from energynets._validation import check_choice


# -- values and cells ---------------------------------------------------------------------------
def jsonable(value: Any) -> Any:
    """Plain Python values for json.dumps: arrays to lists, numpy scalars to Python, NaN and
    inf to None (JSON has neither)."""
    return plain(value, finite=True)


def format_value(value: Any, spec: str) -> str:
    """One table cell: ``format(value, spec)``; None and NaN as "-", strings as they are."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, float | np.floating) and not math.isfinite(float(value)):
        return "-" if math.isnan(float(value)) else ("inf" if value > 0 else "-inf")
    return format(value, spec)


def format_cells(
    records: Iterable[Mapping[str, Any]], keys: Sequence[str], formats: Mapping[str, str]
) -> list[list[str]]:
    """The cells of a table: per record, the values of ``keys`` formatted by ``formats``
    (a key without a format is formatted with the empty spec)."""
    return [[format_value(r[k], formats.get(k, "")) for k in keys] for r in records]


# -- tables ------------------------------------------------------------------------------------
def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """An aligned plain-text table: the first column left-aligned, the others right-aligned,
    two spaces between columns, a line of dashes under the header; every line ends in a
    newline."""
    widths = [max([len(h)] + [len(r[k]) for r in rows]) for k, h in enumerate(headers)]

    def line(cells: Iterable[str]) -> str:
        out = [
            c.ljust(w) if k == 0 else c.rjust(w)
            for k, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(out).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), sep, *(line(r) for r in rows)]) + "\n"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown (GitHub pipe) table, the first column left-aligned and the numbers right; a
    ``|`` inside a cell (``tau|m|``) is escaped so that it does not split the cell."""

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    align = [":---"] + ["---:"] * (len(headers) - 1)
    lines = [line(headers), "| " + " | ".join(align) + " |", *(line(r) for r in rows)]
    return "\n".join(lines) + "\n"


def text_report(headers: Sequence[str], rows: Sequence[Sequence[str]], notes: list[str]) -> str:
    """:func:`text_table` with the notes below it, one per line."""
    return text_table(headers, rows) + "".join(f"{n}\n" for n in notes)


def markdown_report(headers: Sequence[str], rows: Sequence[Sequence[str]], notes: list[str]) -> str:
    """:func:`markdown_table` with the notes below it as a list (after a blank line)."""
    text = markdown_table(headers, rows)
    return text + ("\n" + "".join(f"- {line}\n" for line in notes) if notes else "")


class Table:
    """The table of a result with ``records`` and ``settings``, and its JSON summary.

    The class names its table: ``_CELLS``, the record keys shown, in order; ``_FORMATS``, the
    format spec of each (a key without one gets the empty spec); ``_HEADERS``, the header
    cells where they are not the keys.
    """

    records: list[dict[str, Any]]
    settings: dict[str, Any]

    _CELLS: ClassVar[tuple[str, ...]] = ()
    _FORMATS: ClassVar[Mapping[str, str]] = {}
    _HEADERS: ClassVar[tuple[str, ...]] = ()

    def _cells(self) -> list[list[str]]:
        return format_cells(self.records, self._CELLS, self._FORMATS)

    def _summary(self, experiment: str, **extra: Any) -> dict[str, Any]:
        """The name of the experiment, the settings, the records and ``extra`` (in this
        order), as plain values for json.dumps."""
        return jsonable(
            {"experiment": experiment, "settings": self.settings, "records": self.records, **extra}
        )


class TableReport(Table):
    """to_text / to_markdown of a :class:`Table` with the notes ``_notes()`` writes under it."""

    def _notes(self) -> list[str]:
        raise NotImplementedError

    def to_text(self) -> str:
        """The records as an aligned table with the notes below, for stdout."""
        return text_report(self._HEADERS or self._CELLS, self._cells(), self._notes())

    def to_markdown(self) -> str:
        """The records as a Markdown table with the notes as a list."""
        return markdown_report(self._HEADERS or self._CELLS, self._cells(), self._notes())


@dataclass
class Records(Table):
    """A :class:`Table` whose two fields, the records and the settings, are all it holds or
    come first, empty by default."""

    records: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)


# -- columns and records -------------------------------------------------------------------------
def record_column(records: list[dict[str, Any]], name: str, columns: Sequence[str]) -> np.ndarray:
    """One column (``name``, one of ``columns``): str when its values are, else float64 with
    None as NaN."""
    check_choice(name, "name", columns)
    values = [r[name] for r in records]
    if values and isinstance(values[0], str):
        return np.array(values, dtype=str)
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def typed_column(
    records: list[dict[str, Any]], name: str, *, text: Sequence[str], integers: Sequence[str]
) -> np.ndarray:
    """The values of ``name`` as str (a column of ``text``), int64 (of ``integers``) or
    float64 (any other)."""
    values = [r[name] for r in records]
    if name in text:
        return np.array(values, dtype=str)
    if name in integers:
        return np.array(values, dtype=np.int64)
    return np.array(values, dtype=np.float64)


def group_column(
    records: list[dict[str, Any]],
    name: str,
    columns: Sequence[str],
    key: str,
    value: Any,
    integers: Sequence[str],
) -> np.ndarray:
    """The column ``name`` (one of ``columns``) of the records whose ``key`` is ``value`` (of
    all of them for None), typed by :func:`typed_column` with ``key`` the column of text."""
    check_choice(name, "name", columns)
    return typed_column(rows_of(records, key, value), name, text=(key,), integers=integers)


def groups(records: list[dict[str, Any]], key: str) -> list[Any]:
    """The values of ``key`` present in the records, in order of first appearance."""
    return list(dict.fromkeys(r[key] for r in records))


def rows_of(records: list[dict[str, Any]], key: str, value: Any) -> list[dict[str, Any]]:
    """The records whose ``key`` is ``value`` (one of :func:`groups`); all of them for None."""
    if value is None:
        return records
    check_choice(value, key, groups(records, key))
    return [r for r in records if r[key] == value]


def find_record(records: list[dict[str, Any]], key: str, value: str) -> dict[str, Any]:
    """The record whose ``key`` is ``value`` (the first, if several are)."""
    names = [r[key] for r in records]
    check_choice(value, key, names)
    return records[names.index(value)]
