"""The records the capacity experiments return, and how they print.

:class:`CapacityResult` holds one record per (rule, load) of
:func:`~energynets.experiments.capacity.run_capacity` (the keys of :data:`COLUMNS`),
:class:`DenseCapacityResult` one per (model, load) of
:func:`~energynets.experiments.capacity.run_dense_capacity` and
:func:`~energynets.experiments.capacity.run_correlated_recall` (:data:`DENSE_COLUMNS`); both
give a column as an array, the rows of one rule or model, and an aligned table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from energynets.experiments._report import Records, group_column, groups, markdown_table, text_table

__all__ = ["COLUMNS", "DENSE_COLUMNS", "CapacityResult", "DenseCapacityResult"]

#: The keys of every record of a :class:`CapacityResult`, in table order.
COLUMNS = (
    "rule",
    "n_units",
    "n_patterns",
    "alpha",
    "one_step_error",
    "fraction_fixed",
    "fraction_recalled",
    "error_after_relax",
    "n_trials",
)
_INTEGERS = ("n_units", "n_patterns", "n_trials")

#: The keys of every record of :func:`run_dense_capacity` and :func:`run_correlated_recall`.
DENSE_COLUMNS = (
    "model",
    "n_units",
    "n_patterns",
    "fraction_fixed",
    "fraction_recalled",
    "n_probes",
    "n_trials",
)
_DENSE_INTEGERS = ("n_units", "n_patterns", "n_probes", "n_trials")


@dataclass
class _GroupedRecords(Records):
    """Records grouped by the column ``_GROUP`` (a rule or a model): the groups, one column of
    one group, and the aligned table of the columns ``_CELLS``."""

    _GROUP: ClassVar[str] = ""
    _INTEGER_CELLS: ClassVar[tuple[str, ...]] = ()

    def _groups(self) -> list[str]:
        return groups(self.records, self._GROUP)

    def _group_column(self, name: str, value: str | None) -> np.ndarray:
        return group_column(
            self.records, name, self._CELLS, self._GROUP, value, self._INTEGER_CELLS
        )

    def to_text(self) -> str:
        """The records as an aligned plain-text table (text left, numbers right), for stdout.

        Returns
        -------
        str
            A header line, a line of dashes and one line per record, each ending in a newline.
        """
        return text_table(self._CELLS, self._cells())


@dataclass
class CapacityResult(_GroupedRecords):
    """The measurements of :func:`run_capacity`.

    Attributes
    ----------
    records : list of dict
        One dict per (rule, n_patterns), grouped by rule in the order the rules were given and
        by increasing load within a rule, with exactly the keys of :data:`COLUMNS`:

        - ``"rule"`` (str), ``"n_units"`` (int, N), ``"n_patterns"`` (int, P),
          ``"alpha"`` (float, P / N);
        - ``"one_step_error"`` (float): fraction of stored bits with xi_i^mu h_i(xi^mu) < 0;
        - ``"fraction_fixed"`` (float): fraction of stored patterns that are fixed points;
        - ``"fraction_recalled"`` (float): fraction of probes (stored patterns with
          round(flip_fraction * N) bits flipped) that relax exactly to their pattern;
        - ``"error_after_relax"`` (float): mean fraction of wrong bits after relaxing from
          the stored pattern itself;
        - ``"n_trials"`` (int): independent pattern sets averaged over.
    settings : dict
        ``n_units``, ``flip_fraction``, ``dynamics``, ``max_sweeps``, ``n_trials``,
        ``max_probes``, ``rules``, ``alphas`` (the loads asked for) and ``rng`` (the int seed,
        or a description of the generator that was passed).

    Examples
    --------
    >>> from energynets.experiments.capacity import run_capacity
    >>> res = run_capacity(n_units=50, alphas=[0.05, 0.1], rules=["hebbian", "storkey"], rng=0)
    >>> res.rules, res.column("n_patterns", "storkey").tolist()
    (['hebbian', 'storkey'], [2, 5])
    >>> print(res.to_markdown().splitlines()[2])
    | hebbian | 50 | 2 | 0.040 | 0.00000 | 1.000 | 1.000 | 0.00000 | 1 |
    """

    _CELLS = COLUMNS
    _FORMATS: ClassVar[dict[str, str]] = {
        "alpha": ".3f",
        "one_step_error": ".5f",
        "fraction_fixed": ".3f",
        "fraction_recalled": ".3f",
        "error_after_relax": ".5f",
    }
    _GROUP = "rule"
    _INTEGER_CELLS = _INTEGERS

    @property
    def rules(self) -> list[str]:
        """The rules present in :attr:`records`, in order of first appearance."""
        return self._groups()

    def column(self, name: str, rule: str | None = None) -> np.ndarray:
        """One column of the records as an array, optionally only the rows of one rule.

        Parameters
        ----------
        name : str
            One of :data:`COLUMNS`.
        rule : str, optional
            Keep only this rule's rows (in order of increasing load).

        Returns
        -------
        ndarray, shape (n_rows,): float for the measured columns and ``alpha``, int for the
        counts, str for ``rule``.
        """
        return self._group_column(name, rule)

    def to_markdown(self) -> str:
        """The records as a Markdown (GitHub pipe) table, numbers right-aligned.

        Returns
        -------
        str
            The header, the alignment row and one row per record, each ending in a newline.
        """
        return markdown_table(COLUMNS, self._cells())


@dataclass
class DenseCapacityResult(_GroupedRecords):
    """The measurements of :func:`run_dense_capacity` or :func:`run_correlated_recall`.

    Attributes
    ----------
    records : list of dict
        One per (model, n_patterns), with the keys of :data:`DENSE_COLUMNS`:
        ``"model"``, ``"n_units"`` (N), ``"n_patterns"`` (P), ``"fraction_fixed"`` (stored
        patterns that are fixed points; for the modern network: kept by one update, signs
        compared), ``"fraction_recalled"`` (noisy probes that end exactly on their
        pattern), ``"n_probes"`` and ``"n_trials"``.
    settings : dict
        The arguments (``rng`` as given or described).

    Examples
    --------
    Glyphs are strongly correlated: the Hebbian network keeps none of them, the exponential
    dense memory all:

    >>> import energynets as en
    >>> from energynets.experiments.capacity import run_correlated_recall
    >>> xi, _ = en.datasets.glyphs("HOPFIELD")
    >>> res, recalled, probes = run_correlated_recall(xi, models=["hebbian", "exponential"], rng=0)
    >>> print(res.to_text())
    model        n_units  n_patterns  fraction_fixed  fraction_recalled  n_probes  n_trials
    -----------  -------  ----------  --------------  -----------------  --------  --------
    hebbian          192           8           0.000              0.000         8         1
    exponential      192           8           1.000              1.000         8         1
    <BLANKLINE>
    >>> res.models, res.column("fraction_recalled", "exponential").tolist()
    (['hebbian', 'exponential'], [1.0])
    """

    _CELLS = DENSE_COLUMNS
    _FORMATS: ClassVar[dict[str, str]] = {"fraction_fixed": ".3f", "fraction_recalled": ".3f"}
    _GROUP = "model"
    _INTEGER_CELLS = _DENSE_INTEGERS

    @property
    def models(self) -> list[str]:
        """The models present in :attr:`records`, in order of first appearance."""
        return self._groups()

    def column(self, name: str, model: str | None = None) -> np.ndarray:
        """One column as an array, optionally only the rows of one model.

        Parameters
        ----------
        name, model
            As for :meth:`CapacityResult.column`, with ``name`` one of :data:`DENSE_COLUMNS`
            and ``model`` in place of ``rule``.

        Returns
        -------
        ndarray, shape (n_rows,)
            Float for the fractions, str for ``model``, int for the counts.
        """
        return self._group_column(name, model)
