"""Annealing paths: what annealed importance sampling anneals, from a base to a model.

A path is any object with

- ``log_z_base`` (float): log Z_0 of a base distribution p_0 that can be sampled exactly;
- ``sample_base(n_samples, rng) -> states``: exact samples of p_0, shape (n_samples, ...);
- ``log_unnormalized(states, beta) -> (n_samples,)``: log f_beta(s) = -E_beta(s);
- ``transition(states, beta, rng) -> states``: a Markov step leaving p_beta invariant;
- optionally ``log_weight_increment(states, beta_from, beta_to) -> (n_samples,)``:
  log f_beta_to(s) - log f_beta_from(s), when the path can compute it faster than twice
  ``log_unnormalized`` (for a geometric path it is (beta_to - beta_from) (log f_1 - log f_0));
- optionally ``step(states, beta_from, beta_to, rng) -> (increment, states)``: the increment
  above and then one ``transition`` at ``beta_to``, fused, for paths whose two halves share
  work (:class:`~energynets.sampling.rbm_path.RBMPath` computes the hidden inputs v W once
  for both).

:class:`AnnealingPath` states this protocol; :class:`BoltzmannPath` is the geometric path of a
:class:`~energynets.models.boltzmann.BoltzmannMachine` from independent units. The path of an
RBM lives in :mod:`energynets.sampling.rbm_path`; :func:`energynets.sampling.ais.ais` runs any.

References
----------
Neal, R. M. (2001). Annealed importance sampling. Statistics and Computing 11, 125-139.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

from energynets._validation import as_float_array
from energynets.models.boltzmann import BoltzmannMachine
from energynets.sampling.gibbs import gibbs

__all__ = ["AnnealingPath", "BoltzmannPath"]


def base_biases(value: Any, name: str, default: np.ndarray, size_name: str) -> np.ndarray:
    """The biases of a path's base distribution: ``value``, or ``default`` when it is None.

    Parameters
    ----------
    value : array_like, shape like ``default``, or None
    name : str
        The argument name the error messages use.
    default : ndarray, shape (n,)
        The biases when ``value`` is None; its dtype is that of the result.
    size_name : str
        What n is of the model (``"n_units"``, ``"n_visible"``), for the error messages.

    Returns
    -------
    ndarray, shape (n,)
        A fresh read-only copy in the dtype of ``default``.
    """
    if value is None:
        out = np.array(default, copy=True)
    else:
        out = np.array(as_float_array(value, name, ndim=1), dtype=default.dtype, copy=True)
        if out.shape != default.shape:
            raise ValueError(
                f"{name} must have shape ({default.size},) to match the model's {size_name}, "
                f"got {out.shape}"
            )
    out.setflags(write=False)
    return out


@runtime_checkable
class AnnealingPath(Protocol):
    """What :func:`ais` needs from a model: a tractable base and a path of distributions.

    The path runs from the base p_0 (beta = 0) to the target p_1 (beta = 1) through
    f_beta(s) = f_0(s)^(1 - beta) f_1(s)^beta (or any other family that a path defines;
    :func:`ais` only uses the four members below). A path may also define
    ``log_weight_increment(states, beta_from, beta_to)`` and ``step(states, beta_from,
    beta_to, rng)``, see the module docstring.

    References
    ----------
    Neal (2001), see the module notes.

    Examples
    --------
    The protocol can be checked at run time:

    >>> from energynets.models import RBM
    >>> from energynets.sampling.rbm_path import RBMPath
    >>> isinstance(RBMPath(RBM(4, 2)), AnnealingPath)
    True
    """

    @property
    def log_z_base(self) -> float:
        """log Z_0, the log partition function of the base distribution."""
        ...

    def sample_base(self, n_samples: int, rng: np.random.Generator) -> np.ndarray:
        """``n_samples`` exact, independent samples of the base distribution p_0.

        Parameters
        ----------
        n_samples : int >= 0
            One sample per AIS run.
        rng : numpy.random.Generator
            The only source of randomness.

        Returns
        -------
        ndarray, shape (n_samples, ...)
        """
        ...

    def log_unnormalized(self, states: np.ndarray, beta: float) -> np.ndarray:
        """log f_beta(s) = -E_beta(s) for each row of ``states``, shape (n_samples,).

        Parameters
        ----------
        states : ndarray, shape (n_samples, ...)
            States of the path's model, one per row.
        beta : float in [0, 1]
            0: the base p_0, 1: the target p_1.

        Returns
        -------
        ndarray of float64, shape (n_samples,)
        """
        ...

    def transition(self, states: np.ndarray, beta: float, rng: np.random.Generator) -> np.ndarray:
        """One Markov step from ``states`` that leaves p_beta invariant (same shape).

        Parameters
        ----------
        states : ndarray, shape (n_samples, ...)
            The current states of the runs, one per row.
        beta : float in [0, 1]
            The inverse temperature whose p_beta the step leaves invariant.
        rng : numpy.random.Generator

        Returns
        -------
        ndarray, the shape of ``states``
            The new states; ``states`` is not modified.
        """
        ...


class BoltzmannPath:
    """The annealing path of a Boltzmann machine from independent units to the machine.

    Base: independent units with biases b0, E_0(s) = -b0 . s, so

        p_0(s_i = high) = sigma(b0_i) (bits),  sigma(2 b0_i) (spins),
        log Z_0 = sum_i log(1 + e^{b0_i}) (bits),  sum_i log(2 cosh b0_i) (spins);

    intermediate energies (the geometric path between E_0 and E)

        E_beta(s) = -(beta / 2) s^T W s - ((1 - beta) b0 + beta b) . s,

    so log f_beta(s) - log f_beta'(s) = (beta - beta') (1/2 s^T W s + (b - b0) . s).
    The transition at beta is one sequential sweep of single-site Gibbs updates of E_beta.

    Parameters
    ----------
    model : BoltzmannMachine
        The target, p_1(s) = exp(-E(s)) / Z over all its units (visible and hidden).
    base_bias : array_like, shape (n_units,), optional
        b0. The default, zero, makes the base uniform (log Z_0 = n log 2). A base closer to the
        target (e.g. biases matching the target's mean activities) lowers the variance.

    References
    ----------
    Neal (2001), see the module notes.

    Examples
    --------
    >>> from energynets.models.boltzmann import sherrington_kirkpatrick
    >>> path = BoltzmannPath(sherrington_kirkpatrick(4, rng=0))
    >>> bool(np.isclose(path.log_z_base, 4 * np.log(2)))  # uniform base over 2**4 states
    True
    """

    def __init__(self, model: BoltzmannMachine, base_bias: Any = None) -> None:
        if not isinstance(model, BoltzmannMachine):
            raise TypeError(f"model must be a BoltzmannMachine, got {type(model).__name__}")
        default = np.zeros(model.n_units, dtype=model.dtype)
        self.model = model
        self.base_bias = base_biases(base_bias, "base_bias", default, "n_units")

    def __repr__(self) -> str:
        return f"BoltzmannPath({self.model!r})"

    @property
    def log_z_base(self) -> float:
        """log Z_0 = sum_i log(1 + e^{b0_i}) (bits) or sum_i log(2 cosh b0_i) (spins)."""
        b0 = self.base_bias.astype(np.float64)
        if self.model.units == "bits":
            return float(np.sum(np.logaddexp(0.0, b0)))
        # log(2 cosh b) = log(e^b + e^-b), stable for large |b|
        return float(np.sum(np.logaddexp(b0, -b0)))

    def sample_base(self, n_samples: int, rng: np.random.Generator) -> np.ndarray:
        """Independent units: s_i = high with probability sigma(b0_i) or sigma(2 b0_i).

        Parameters
        ----------
        n_samples : int >= 0
            Rows of the result: full states of the machine, visible and hidden units.
        rng : numpy.random.Generator

        Returns
        -------
        ndarray, shape (n_samples, n_units), the model's dtype.
        """
        from scipy.special import expit

        b0 = self.base_bias
        p_high = expit(2.0 * b0 if self.model.units == "spins" else b0)
        lo, hi = self.model.unit_values
        u = rng.random((n_samples, self.model.n_units))
        return np.where(u < p_high, hi, lo).astype(self.model.dtype)

    def _log_ratio(self, states: np.ndarray) -> np.ndarray:
        """log f_1(s) - log f_0(s) = 1/2 s^T W s + (b - b0) . s, shape (n_samples,)."""
        m = self.model
        pair = 0.5 * np.einsum("bi,bi->b", states @ m.weights, states)
        return pair + states @ (m.bias - self.base_bias)

    def log_unnormalized(self, states: np.ndarray, beta: float) -> np.ndarray:
        """log f_beta(s) = -E_beta(s) = beta/2 s^T W s + ((1 - beta) b0 + beta b) . s.

        Parameters
        ----------
        states : ndarray, shape (n_samples, n_units)
            Full states of the machine, unit values.
        beta : float in [0, 1]

        Returns
        -------
        ndarray, shape (n_samples,)
        """
        return states @ self.base_bias + beta * self._log_ratio(states)

    def log_weight_increment(
        self, states: np.ndarray, beta_from: float, beta_to: float
    ) -> np.ndarray:
        """log f_beta_to(s) - log f_beta_from(s) = (beta_to - beta_from) (log f_1 - log f_0).

        Parameters
        ----------
        states : ndarray, shape (n_samples, n_units)
            Full states of the machine, unit values.
        beta_from, beta_to : float in [0, 1]
            Two neighbouring inverse temperatures of the schedule.

        Returns
        -------
        ndarray, shape (n_samples,)
        """
        return (beta_to - beta_from) * self._log_ratio(states)

    def intermediate(self, beta: float) -> BoltzmannMachine:
        """The machine of energy E_beta: couplings beta W, biases (1 - beta) b0 + beta b.

        Parameters
        ----------
        beta : float in [0, 1]
            0 gives the base (independent units with biases b0), 1 the machine itself.

        Returns
        -------
        BoltzmannMachine
        """
        m = self.model
        bias = (1.0 - beta) * self.base_bias + beta * m.bias
        return BoltzmannMachine(m.weights * beta, bias, m.n_visible, units=m.units, dtype=m.dtype)

    def transition(self, states: np.ndarray, beta: float, rng: np.random.Generator) -> np.ndarray:
        """One sequential single-site Gibbs sweep of E_beta (leaves p_beta invariant).

        Each unit i in turn is set high with probability sigma(h_i) (bits) or sigma(2 h_i)
        (spins), h_i = beta sum_j W_ij s_j + (1 - beta) b0_i + beta b_i, in every row of
        ``states`` at once (:func:`energynets.sampling.gibbs.gibbs` on
        :meth:`intermediate`); ``states`` is not modified.

        Parameters
        ----------
        states : ndarray, shape (n_samples, n_units)
            Full states of the machine, one per run.
        beta : float in [0, 1]
        rng : numpy.random.Generator
            Draws the unit updates (one uniform number per unit and row).

        Returns
        -------
        ndarray, shape (n_samples, n_units)
        """
        return gibbs(self.intermediate(beta), states, 1, rng, scan="sequential").states
