"""The continuous (graded-response) Hopfield network of 1984, integrated in time.

Each unit i has an internal potential u_i and an output V_i = g(u_i) = tanh(gain u_i) in
(-1, 1). With symmetric couplings W (zero diagonal), bias (input current) b and time constant
tau (Hopfield 1984 with C_i = 1 and R_i = tau),

    du_i/dt = -u_i / tau + sum_j W_ij V_j + b_i.

Lyapunov energy (Hopfield 1984, eq. 5)

    E(V) = -1/2 V^T W V - b^T V + (1 / tau) sum_i int_0^{V_i} g^{-1}(v) dv,
    int_0^V artanh(v) / gain dv = (V artanh(V) + 1/2 log(1 - V^2)) / gain,

and since dE/dV_i = -du_i/dt, along any trajectory dE/dt = -sum_i g'(u_i) (du_i/dt)^2 <= 0:
the energy never increases, and the network settles at a fixed point. At high gain the
minima approach the corners of the hypercube, the fixed points of the binary network.

The integration uses :func:`scipy.integrate.solve_ivp` (explicit Runge-Kutta, tolerances you
choose), vectorised over a batch of starting states.

References
----------
Hopfield, J. J. (1984). Neurons with graded response have collective computational
properties like those of two-state neurons. PNAS 81, 3088-3092.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from energynets._validation import (
    as_rows,
    as_spins,
    check_couplings,
    check_float,
    check_int,
)
from energynets.energy import unchecked_energy
from energynets.states import apply_to_rows

__all__ = ["ContinuousHopfield", "ContinuousTrajectory"]

#: The largest |u| :meth:`ContinuousHopfield.simulate` starts from. The outputs saturate at
#: |gain u| of a few tens and the leak pulls any larger u back within tau (sum_j |W_ij| + |b_i|)
#: in a few time constants; beyond this the solver's arithmetic (u / tau, the Runge-Kutta
#: stages, the energy gain u tanh(gain u)) would overflow.
MAX_POTENTIAL = 1e100
#: The longest ``t_max``, in time constants tau: a trajectory settles within tens of them, and
#: an explicit solver needs steps of about tau, so the work grows with t_max / tau.
MAX_TIME_CONSTANTS = 1e4
#: The most evaluations of du/dt one :meth:`ContinuousHopfield.simulate` call makes (a stiff
#: network, with a large gain, needs steps much shorter than tau from an explicit solver).
MAX_EVALUATIONS = 10**6


class _TooManyEvaluations(Exception):
    """The solver asked for more than MAX_EVALUATIONS evaluations of du/dt."""


@dataclass(frozen=True)
class ContinuousTrajectory:
    """What :meth:`ContinuousHopfield.simulate` returns.

    Attributes
    ----------
    times : ndarray, shape (n_times,)
    potentials : ndarray, shape (n_times, n_states, n_units)
        u(t) at each time.
    outputs : ndarray, shape (n_times, n_states, n_units)
        V(t) = tanh(gain u(t)).
    energies : ndarray, shape (n_times, n_states)
        The Lyapunov energy E(V(t)).

    Examples
    --------
    >>> import numpy as np, energynets as en
    >>> net = en.ContinuousHopfield([[0.0, 1.0], [1.0, 0.0]], gain=2.0)
    >>> traj = net.simulate([[0.1, -0.05]], t_max=5.0, n_times=6)
    >>> traj.times.shape, traj.outputs.shape, traj.energies.shape
    ((6,), (6, 1, 2), (6, 1))
    >>> bool(np.all(np.diff(traj.energies[:, 0]) <= 1e-9))  # the energy never rises
    True
    """

    times: np.ndarray
    potentials: np.ndarray
    outputs: np.ndarray
    energies: np.ndarray

    @property
    def final(self) -> np.ndarray:
        """The outputs at the last time, shape (n_states, n_units)."""
        return self.outputs[-1]


class ContinuousHopfield:
    """A graded-response Hopfield network (Hopfield 1984).

    Potentials u follow du/dt = -u / tau + W tanh(gain u) + b, and the Lyapunov energy
    E(V) = -1/2 V^T W V - b^T V + (1 / tau) sum_i int_0^{V_i} g^{-1}(v) dv of the outputs
    V = tanh(gain u) never increases along a trajectory (see the module docstring).

    Parameters
    ----------
    weights : array_like, shape (n_units, n_units)
        Symmetric, zero diagonal.
    bias : array_like, shape (n_units,), optional
        Input currents b; zero when omitted.
    gain : float > 0
        Slope of V = tanh(gain u) at u = 0. Large gain: nearly binary outputs.
    tau : float > 0
        Time constant of the leak -u / tau.

    References
    ----------
    Hopfield, J. J. (1984). Neurons with graded response have collective computational properties
    like those of two-state neurons. PNAS 81, 3088-3092.

    Examples
    --------
    >>> import numpy as np, energynets as en
    >>> xi = en.datasets.random_patterns(3, 50, rng=0)
    >>> net = en.ContinuousHopfield.from_patterns(xi, gain=5.0)
    >>> traj = net.simulate(net.potentials_from(en.corrupt(xi, 0.1, rng=1)), t_max=10.0)
    >>> bool(np.all(np.sign(traj.final) == xi))
    True
    """

    def __init__(
        self, weights: Any, bias: Any = None, *, gain: float = 1.0, tau: float = 1.0
    ) -> None:
        w, b = check_couplings(weights, bias, np.float64)
        w.setflags(write=False)
        b.setflags(write=False)
        self._weights, self._bias = w, b
        self.gain = check_float(gain, "gain", minimum=0.0, exclusive_minimum=True)
        self.tau = check_float(tau, "tau", minimum=0.0, exclusive_minimum=True)

    @classmethod
    def from_patterns(
        cls, patterns: Any, *, gain: float = 1.0, tau: float = 1.0
    ) -> ContinuousHopfield:
        """Hebbian couplings W = (1/N) X^T X with zero diagonal from spin patterns (P, N).

        Parameters
        ----------
        patterns : array_like, shape (n_patterns, n_units)
            Spins +-1. Not modified.
        gain, tau : float > 0
            As for :class:`ContinuousHopfield`.

        Returns
        -------
        ContinuousHopfield
            Zero bias.
        """
        p, _ = as_spins(patterns, "patterns", allow_1d=False)
        w = p.T @ p / p.shape[1]
        np.fill_diagonal(w, 0.0)
        return cls(w, gain=gain, tau=tau)

    @property
    def weights(self) -> np.ndarray:
        """Couplings W, shape (n_units, n_units), read-only."""
        return self._weights

    @property
    def bias(self) -> np.ndarray:
        """Input currents b, shape (n_units,), read-only."""
        return self._bias

    @property
    def n_units(self) -> int:
        """Number of units N."""
        return int(self._weights.shape[0])

    def __repr__(self) -> str:
        return f"ContinuousHopfield(n_units={self.n_units}, gain={self.gain:g}, tau={self.tau:g})"

    def get_params(self) -> dict[str, Any]:
        """Arrays and settings that define the network (used by :mod:`energynets.io`).

        Returns
        -------
        dict
            ``weights``, ``bias``, ``gain`` and ``tau``.
        """
        return {
            "weights": self._weights,
            "bias": self._bias,
            "gain": np.array(self.gain),
            "tau": np.array(self.tau),
        }

    # -- states -------------------------------------------------------------------------------
    def _batch(self, x: Any, name: str) -> tuple[np.ndarray, bool]:
        rows, was_1d = as_rows(x, name, self.n_units, "units (columns) to match the weights")
        return np.array(rows, copy=True), was_1d

    def output(self, potentials: Any) -> np.ndarray:
        """V = tanh(gain u), the shape of ``potentials``.

        Parameters
        ----------
        potentials : array_like, shape (n_states, n_units) or (n_units,)
            Internal potentials u, any real values.

        Returns
        -------
        ndarray, the shape of ``potentials``
            Outputs in (-1, 1).
        """
        return apply_to_rows(
            self._batch(potentials, "potentials"), lambda u: np.tanh(self.gain * u)
        )

    def potentials_from(self, outputs: Any, *, clip: float = 0.999) -> np.ndarray:
        """u = artanh(V) / gain, with V clipped to [-clip, clip] (so +-1 spins are allowed).

        Parameters
        ----------
        outputs : array_like, shape (n_states, n_units) or (n_units,), values in [-1, 1]
        clip : float in (0, 1)

        Returns
        -------
        ndarray, the shape of ``outputs``
            The potentials u whose outputs are V (clipped).
        """

        def potentials(v: np.ndarray) -> np.ndarray:
            c = check_float(clip, "clip", minimum=0.0, exclusive_minimum=True)
            if c >= 1.0:
                raise ValueError(f"clip must be < 1, got {c}")
            if np.any(np.abs(v) > 1.0):
                raise ValueError("outputs must lie in [-1, 1] (V = tanh(gain u))")
            return np.arctanh(np.clip(v, -c, c)) / self.gain

        return apply_to_rows(self._batch(outputs, "outputs"), potentials)

    def energy(self, outputs: Any) -> np.ndarray:
        """Lyapunov energy E(V) = -1/2 V W V - b V + (1/tau) sum_i int_0^{V_i} g^{-1}(v) dv.

        Parameters
        ----------
        outputs : array_like, shape (n_states, n_units) or (n_units,), values in (-1, 1)

        Returns
        -------
        ndarray, shape (n_states,) (a float for a 1-D state)
        """

        def energy(v: np.ndarray) -> np.ndarray:
            if np.any(np.abs(v) >= 1.0):
                raise ValueError("outputs must lie strictly inside (-1, 1) for the energy")
            return self._energy(v)

        return apply_to_rows(self._batch(outputs, "outputs"), energy)

    def _energy(self, v: np.ndarray) -> np.ndarray:
        quad = unchecked_energy(v, self._weights, self._bias)
        # V artanh V + 1/2 log(1 - V^2), written with log1p for accuracy near V = 0
        integral = v * np.arctanh(v) + 0.5 * np.log1p(-(v * v))
        return quad + integral.sum(axis=1) / (self.gain * self.tau)

    def _energy_of_potentials(self, u: np.ndarray) -> np.ndarray:
        """E(tanh(gain u)) without forming artanh(V): stable when |V| rounds to 1.

        With a = gain u: V artanh V = a tanh a and 1/2 log(1 - V^2) = -log cosh a.
        """
        a = self.gain * u
        v = np.tanh(a)
        abs_a = np.abs(a)
        log_cosh = abs_a + np.log1p(np.exp(-2.0 * abs_a)) - np.log(2.0)
        quad = unchecked_energy(v, self._weights, self._bias)
        return quad + (a * v - log_cosh).sum(axis=1) / (self.gain * self.tau)

    def velocity(self, potentials: Any) -> np.ndarray:
        """du/dt = -u / tau + W tanh(gain u) + b, the shape of ``potentials``.

        Parameters
        ----------
        potentials : array_like, shape (n_states, n_units) or (n_units,)
            The state u of the network at one time.

        Returns
        -------
        ndarray, the shape of ``potentials``
            The time derivative of each potential; zero at a fixed point.
        """

        def velocity(u: np.ndarray) -> np.ndarray:
            return -u / self.tau + np.tanh(self.gain * u) @ self._weights + self._bias

        return apply_to_rows(self._batch(potentials, "potentials"), velocity)

    # -- dynamics -----------------------------------------------------------------------------
    def simulate(
        self,
        potentials: Any,
        t_max: float = 10.0,
        n_times: int = 101,
        *,
        method: str = "RK45",
        rtol: float = 1e-6,
        atol: float = 1e-9,
    ) -> ContinuousTrajectory:
        """Integrate du/dt = -u / tau + W tanh(gain u) + b from ``potentials`` to ``t_max``.

        Parameters
        ----------
        potentials : array_like, shape (n_states, n_units) or (n_units,)
            u(0) of each trajectory (:meth:`potentials_from` turns outputs or spins into
            potentials). Not modified. Finite, with ``|u|`` <= ``MAX_POTENTIAL`` (1e100).
        t_max : float > 0
            At most ``MAX_TIME_CONSTANTS`` (1e4) time constants tau.
        n_times : int >= 2
            Equally spaced times 0..t_max at which the state is reported.
        method : str
            A :func:`scipy.integrate.solve_ivp` method ("RK45", "DOP853", "LSODA", ...).
        rtol, atol : float > 0
            Integration tolerances. The energy is non-increasing along the exact trajectory;
            along the computed one, up to errors of these sizes.

        Returns
        -------
        ContinuousTrajectory

        Raises
        ------
        ValueError
            For potentials beyond ``MAX_POTENTIAL`` or whose du/dt or energy overflows
            (with this network's weights, gain and tau), or a ``t_max`` beyond
            ``MAX_TIME_CONSTANTS`` time constants.
        RuntimeError
            When the solver fails, or needs more than ``MAX_EVALUATIONS`` evaluations of
            du/dt (a stiff network: a stiff method such as "LSODA" or "Radau", a shorter
            ``t_max`` or looser tolerances need fewer).
        """
        from scipy.integrate import solve_ivp  # imported here: scipy is slow to import

        u0 = self._start(potentials)
        t_end = self._check_t_max(t_max)
        n_t = check_int(n_times, "n_times", minimum=2)
        rt = check_float(rtol, "rtol", minimum=0.0, exclusive_minimum=True)
        at = check_float(atol, "atol", minimum=0.0, exclusive_minimum=True)
        if not isinstance(method, str):
            raise TypeError(f"method must be a solve_ivp method name, got {method!r}")
        shape = u0.shape
        w, b, gain, tau = self._weights, self._bias, self.gain, self.tau
        evaluations = [0]

        def rhs(_t: float, y: np.ndarray) -> np.ndarray:
            evaluations[0] += 1 if y.ndim == 1 else y.shape[1]
            if evaluations[0] > MAX_EVALUATIONS:
                raise _TooManyEvaluations
            u = y.reshape(shape)
            return (-u / tau + np.tanh(gain * u) @ w + b).ravel()

        times = np.linspace(0.0, t_end, n_t)
        try:
            sol = solve_ivp(
                rhs, (0.0, t_end), u0.ravel(), method=method, t_eval=times, rtol=rt, atol=at
            )
        except _TooManyEvaluations:
            raise RuntimeError(
                f"the integration to t_max={t_end:g} needed more than {MAX_EVALUATIONS} "
                f"evaluations of du/dt with method={method!r} (gain={gain:g}, tau={tau:g}): "
                "the network is stiff or t_max long: a stiff method ('LSODA', 'Radau'), a "
                "shorter t_max or larger rtol and atol need fewer"
            ) from None
        if not sol.success:
            raise RuntimeError(f"the integration failed: {sol.message}")
        u = sol.y.T.reshape(n_t, *shape)
        v = np.tanh(gain * u)
        energies = np.stack([self._energy_of_potentials(u_t) for u_t in u])
        return ContinuousTrajectory(sol.t, u, v, energies)

    def _start(self, potentials: Any) -> np.ndarray:
        """The starting potentials of :meth:`simulate`, checked to keep the ODE finite."""
        u0, _ = self._batch(potentials, "potentials")
        largest = float(np.max(np.abs(u0)))
        if largest > MAX_POTENTIAL:
            raise ValueError(
                f"potentials must lie within +-{MAX_POTENTIAL:g} (MAX_POTENTIAL: far beyond "
                f"where the outputs saturate), got max |u| = {largest:.3g}"
            )
        with np.errstate(over="ignore", invalid="ignore"):
            finite = bool(
                np.all(np.isfinite(-u0 / self.tau + np.tanh(self.gain * u0) @ self._weights))
                and np.all(np.isfinite(self._energy_of_potentials(u0)))
            )
        if not finite:
            raise ValueError(
                f"potentials too large for this network: du/dt or the energy at the start "
                f"overflows float64 (max |u| = {largest:.3g}, gain={self.gain:g}, "
                f"tau={self.tau:g}, max |W| = {float(np.max(np.abs(self._weights))):.3g})"
            )
        return u0

    def _check_t_max(self, t_max: Any) -> float:
        t_end = check_float(t_max, "t_max", minimum=0.0, exclusive_minimum=True)
        if t_end > MAX_TIME_CONSTANTS * self.tau:
            raise ValueError(
                f"t_max must be <= {MAX_TIME_CONSTANTS:g} time constants (tau={self.tau:g}): a "
                f"trajectory settles within tens of them; got t_max={t_end:g}"
            )
        return t_end
