"""The record every comparison of :mod:`energynets.experiments.compare` returns.

:class:`CompareResult` holds a tidy table (``records``, one dict per row) and the
``settings`` of the run, and prints them: a Markdown table (:meth:`CompareResult.table`), an
aligned plain-text table (:meth:`CompareResult.to_text`), the notes under either, one column
as an array and the JSON-ready :meth:`CompareResult.summary`. Each experiment's result is a
subclass that names its columns and formats and adds what its figure needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from energynets.experiments._report import (
    format_cells,
    jsonable,
    markdown_report,
    record_column,
    text_report,
)

__all__ = ["CompareResult"]


@dataclass
class CompareResult:
    """Records and settings of one comparison; subclasses add what their figure needs.

    Attributes
    ----------
    records : list of dict
        The tidy table: one dict per row, the keys of :attr:`COLUMNS` (times in seconds).
    settings : dict
        Every setting of the run (sizes, epochs, learning rates, seeds, the data).

    Examples
    --------
    Every experiment returns a subclass; :func:`recall_experiment` is the quickest:

    >>> from energynets.experiments.compare import recall_experiment
    >>> res = recall_experiment(n_units=32, n_patterns=3, noise_levels=[0.1], pattern_counts=[2],
    ...                         n_epochs=2, n_copies=5, rng=0)
    >>> isinstance(res, CompareResult), sorted(res.summary())
    (True, ['experiment', 'records', 'settings'])
    >>> res.column("model").tolist()
    ['hopfield', 'autoencoder', 'hopfield', 'autoencoder']
    """

    records: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    #: The experiment's name (the key of the report's section).
    EXPERIMENT: ClassVar[str] = ""
    #: The record keys, in table order, and the format of each cell.
    COLUMNS: ClassVar[tuple[str, ...]] = ()
    FORMATS: ClassVar[dict[str, str]] = {}
    #: Columns that are measured times (they change between runs of one seed).
    TIME_COLUMNS: ClassVar[tuple[str, ...]] = ()

    def column(self, name: str) -> np.ndarray:
        """One column of the records as an array (str, or float with None as NaN).

        Parameters
        ----------
        name : str
            One of :attr:`COLUMNS`.

        Returns
        -------
        ndarray, shape (n_records,)
        """
        return record_column(self.records, name, self.COLUMNS)

    def _cells(self) -> list[list[str]]:
        return format_cells(self.records, self.COLUMNS, self.FORMATS)

    def notes(self) -> list[str]:
        """One-line remarks printed under the table (settings that matter, what to read).

        Returns
        -------
        list of str
            Empty for the base class.
        """
        return []

    def table(self) -> str:
        """The records as a Markdown table (numbers right-aligned), notes as a list below.

        Returns
        -------
        str
        """
        return markdown_report(self.COLUMNS, self._cells(), self.notes())

    def to_markdown(self) -> str:
        """Same as :meth:`table`.

        Returns
        -------
        str
        """
        return self.table()

    def to_text(self) -> str:
        """The records as an aligned plain-text table with the notes below, for stdout.

        Returns
        -------
        str
        """
        return text_report(self.COLUMNS, self._cells(), self.notes())

    def summary(self) -> dict[str, Any]:
        """Experiment name, settings and records as plain values for json.dumps.

        Returns
        -------
        dict
            ``"experiment"``, ``"settings"`` and ``"records"``, of JSON types only.
        """
        return jsonable(
            {"experiment": self.EXPERIMENT, "settings": self.settings, "records": self.records}
        )
