"""What the models of two-valued units share: their unit values, checking a batch of states,
drawing uniformly random ones, and the probability of the high value given a local field.

:class:`~energynets.models.boltzmann.BoltzmannMachine` (spins or bits, couplings stored densely)
and :class:`~energynets.models.lattice.LatticeIsing` (spins on a lattice, stored by its bonds)
both inherit :class:`TwoStateUnits`; each gives ``n_units``, ``units`` ("spins" or "bits") and
``dtype``, and may add to the message of a wrong number of columns (:meth:`_columns_hint`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from energynets._validation import RNGLike, as_rows, check_int, check_rng

__all__ = ["TwoStateUnits"]


class TwoStateUnits:
    """The unit values, state checks, random states and conditionals of a model whose units
    take two values."""

    units: str

    @property
    def n_units(self) -> int:  # pragma: no cover - given by the model
        raise NotImplementedError

    @property
    def unit_kind(self) -> str:
        """ "spins" or "bits": which states :mod:`energynets.exact` enumerates."""
        return self.units

    @property
    def unit_values(self) -> tuple[float, float]:
        """The (low, high) unit values: (-1, 1) for spins, (0, 1) for bits."""
        return (-1.0, 1.0) if self.units == "spins" else (0.0, 1.0)

    def conditional_high(self, fields: np.ndarray) -> np.ndarray:
        """p(s_i = high | rest) from local fields: sigma(2 h) for spins, sigma(h) for bits.

        Parameters
        ----------
        fields : ndarray, any shape
            Local fields h, e.g. from ``local_fields``.

        Returns
        -------
        ndarray, the shape of ``fields``
            The probability that each unit takes its high value (+1 or 1) given the others.
        """
        from scipy.special import expit

        return expit(2.0 * fields if self.units == "spins" else fields)

    @property
    def dtype(self) -> np.dtype:  # pragma: no cover - given by the model
        raise NotImplementedError

    def _columns_hint(self) -> str:
        """Words after "to match the model" in the message of a wrong number of columns."""
        return ""

    def check_states(self, states: Any, name: str = "states") -> tuple[np.ndarray, bool]:
        """Validate a batch of states: 2-D (or one 1-D state) of the unit values.

        Parameters
        ----------
        states : array_like, shape (n_states, n_units) or (n_units,)
            Values -1 and +1 (spins) or 0 and 1 (bits).
        name : str
            The argument name the error messages use.

        Returns
        -------
        states : ndarray, shape (n_states, n_units)
            A fresh C-contiguous copy in the model's dtype (one row for a 1-D input).
        was_1d : bool
            Whether the input was a single 1-D state.

        Raises
        ------
        ValueError
            Naming ``name``, if the shape or the values do not fit the model.
        """
        columns = f"units (columns) to match the model{self._columns_hint()}"
        arr2, was_1d = as_rows(states, name, self.n_units, columns)
        self.check_unit_values(arr2, name, self.units)
        return np.array(arr2, dtype=self.dtype, order="C", copy=True), was_1d

    def check_unit_values(self, values: np.ndarray, name: str, units: str) -> None:
        """ValueError naming ``name`` (and ``units``, how the message names the unit values)
        unless every entry of ``values`` is one of the model's two unit values.

        Parameters
        ----------
        values : ndarray
        name : str
            The argument name the error message uses.
        units : str
            The words in parentheses after the two values in the message.
        """
        lo, hi = self.unit_values
        bad = (values != lo) & (values != hi)
        if np.any(bad):
            raise ValueError(
                f"{name} must contain only {lo:g} and {hi:g} ({units}), "
                f"got values such as {values[bad][:3]}"
            )

    def random_states(self, n_states: int, rng: RNGLike = 0) -> np.ndarray:
        """Uniformly random states, shape (n_states, n_units), the model's dtype.

        Parameters
        ----------
        n_states : int >= 0
        rng : int, Generator or None

        Returns
        -------
        ndarray, shape (n_states, n_units)
            Each unit independently low or high with probability 1/2 (the same draws for the
            same ``rng`` whatever the model).
        """
        n = check_int(n_states, "n_states", minimum=0)
        gen = check_rng(rng)
        lo, hi = self.unit_values
        return np.where(gen.random((n, self.n_units)) < 0.5, hi, lo).astype(self.dtype)
