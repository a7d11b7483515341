"""The Boltzmann machine (Ackley, Hinton & Sejnowski 1985) and ready-made physical systems.

Energy
    E(s) = -1/2 s^T W s - b^T s,   W symmetric with zero diagonal,

over units s_i in {-1, +1} (spins) or {0, 1} (bits). The model defines the Boltzmann
distribution p(s) = exp(-E(s)) / Z at unit temperature; an inverse temperature beta is a
transformation of the model (:meth:`BoltzmannMachine.tempered` returns the machine with energy
beta E), so every sampler runs on plain models and tempering and annealing reuse them.

Local field and single-unit conditionals (the other units fixed)
    h_i = sum_j W_ij s_j + b_i
    spins: p(s_i = +1 | rest) = sigma(2 h_i),   bits: p(s_i = 1 | rest) = sigma(h_i),

with sigma the logistic function. Flipping unit i changes the energy by
-h_i (s_i' - s_i): 2 s_i h_i for spins, -(1 - 2 s_i) h_i for bits.

The optional split into visible units (the first ``n_visible``) and hidden units serves
learning with hidden units (the 4-2-4 encoder of the 1985 paper).
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import numpy as np

from energynets._validation import (
    RNGLike,
    check_choice,
    check_couplings,
    check_dtype,
    check_float,
    check_int,
    check_int_tuple,
    check_rng,
)
from energynets.energy import unchecked_energy, unchecked_fields
from energynets.models._two_state import TwoStateUnits
from energynets.states import apply_to_rows

__all__ = [
    "BoltzmannMachine",
    "frustrated_ring",
    "ising_2d",
    "sherrington_kirkpatrick",
]

UNIT_KINDS = ("spins", "bits")


class BoltzmannMachine(TwoStateUnits):
    """A Boltzmann machine: symmetric couplings with zero diagonal, biases, spin or bit units.

    The energy E(s) = -1/2 s^T W s - b^T s defines the Boltzmann distribution
    p(s) = exp(-E(s)) / Z; each unit given the others is on with probability sigma(2 h_i)
    (spins) or sigma(h_i) (bits), h = s W + b.

    Parameters
    ----------
    weights : array_like, shape (n_units, n_units)
        Symmetric couplings with a zero diagonal.
    bias : array_like, shape (n_units,), optional
        Biases (external fields); zero when omitted.
    n_visible : int, optional
        The first ``n_visible`` units are visible, the rest hidden; all visible when None.
    units : {"spins", "bits"}
        Unit values {-1, +1} or {0, 1}.
    dtype : numpy.float32 or numpy.float64
    lattice_shape : tuple of int, optional
        For lattice systems (see :func:`ising_2d`): the shape of the periodic lattice the units
        live on, row-major. Enables the checkerboard sampler.

    References
    ----------
    Ackley, D. H., Hinton, G. E. & Sejnowski, T. J. (1985). A learning algorithm for Boltzmann
    machines. Cognitive Science 9, 147-169.

    Examples
    --------
    >>> bm = BoltzmannMachine([[0.0, 1.0], [1.0, 0.0]], units="spins")
    >>> bm.energy([[1, 1], [1, -1]])
    array([-1.,  1.])
    >>> float(bm.tempered(2.0).energy([[1, 1]])[0])
    -2.0
    """

    def __init__(
        self,
        weights: Any,
        bias: Any = None,
        n_visible: int | None = None,
        *,
        units: str = "spins",
        dtype: Any = np.float64,
        lattice_shape: tuple[int, ...] | None = None,
    ) -> None:
        dt = check_dtype(dtype)
        w, b = check_couplings(weights, bias, dt)
        n = w.shape[0]
        self.units = check_choice(units, "units", UNIT_KINDS)
        self.n_visible = n if n_visible is None else check_int(n_visible, "n_visible", minimum=0)
        if self.n_visible > n:
            raise ValueError(f"n_visible must be <= n_units = {n}, got {self.n_visible}")
        if lattice_shape is not None:
            shape = check_int_tuple(lattice_shape, "lattice_shape")
            if math.prod(shape) != n:
                raise ValueError(
                    f"lattice_shape must have positive sides whose product is n_units = {n}, "
                    f"got {lattice_shape}"
                )
            self.lattice_shape: tuple[int, ...] | None = shape
        else:
            self.lattice_shape = None
        w.setflags(write=False)
        b.setflags(write=False)
        self._weights, self._bias = w, b

    # -- parameters -----------------------------------------------------------------------
    @property
    def weights(self) -> np.ndarray:
        """Couplings W, shape (n_units, n_units), read-only."""
        return self._weights

    @property
    def bias(self) -> np.ndarray:
        """Biases b, shape (n_units,), read-only."""
        return self._bias

    @property
    def n_units(self) -> int:
        """Number of units, visible and hidden."""
        return int(self._weights.shape[0])

    @property
    def n_hidden(self) -> int:
        """Number of hidden units, ``n_units - n_visible``."""
        return self.n_units - self.n_visible

    @property
    def dtype(self) -> np.dtype:
        """Floating-point type of the parameters and of every computation."""
        return self._weights.dtype

    def __repr__(self) -> str:
        return (
            f"BoltzmannMachine(n_units={self.n_units}, n_visible={self.n_visible}, "
            f"units={self.units!r})"
        )

    def tempered(self, beta: float) -> BoltzmannMachine:
        """The same machine at inverse temperature ``beta``: energy beta E(s).

        Parameters
        ----------
        beta : float >= 0
            0 gives the uniform distribution, 1 the machine itself, large beta concentrates on
            the ground states.

        Returns
        -------
        BoltzmannMachine
            Weights beta W and bias beta b; the same units, visible split and lattice.

        Raises
        ------
        ValueError
            If beta E(s) would overflow the model's dtype.
        """
        bt = check_float(beta, "beta", minimum=0.0)
        # |E(s)| <= 1/2 sum |W| + sum |b| for units in [-1, 1]: beta E must stay a finite
        # number of the model's dtype (Python floats give inf on overflow, without a warning)
        scale = 0.5 * float(np.abs(self._weights).sum(dtype=np.float64))
        scale += float(np.abs(self._bias).sum(dtype=np.float64))
        limit = float(np.finfo(self.dtype).max)
        if bt > limit or bt * scale > limit:
            raise ValueError(
                f"beta must keep the energies finite in {self.dtype}: beta * (1/2 sum |W| + "
                f"sum |b|) must be <= {limit:.3g}, got beta = {bt:g} with 1/2 sum |W| + sum |b| "
                f"= {scale:.3g}"
            )
        out = BoltzmannMachine.__new__(BoltzmannMachine)
        w = self._weights * self.dtype.type(bt)
        b = self._bias * self.dtype.type(bt)
        w.setflags(write=False)
        b.setflags(write=False)
        out._weights, out._bias = w, b
        out.units, out.n_visible, out.lattice_shape = self.units, self.n_visible, self.lattice_shape
        return out

    # -- energy and conditionals ------------------------------------------------------------
    def energy(self, states: Any) -> np.ndarray:
        """Energy E(s) = -1/2 s^T W s - b^T s.

        Parameters
        ----------
        states : array_like, shape (n_states, n_units) or (n_units,)
            Unit values, spins or bits as the machine's ``units``.

        Returns
        -------
        ndarray, shape (n_states,) (a float for one 1-D state)
            At unit temperature p(s) = exp(-E(s)) / Z.
        """
        energy = partial(unchecked_energy, weights=self._weights, bias=self._bias)
        return apply_to_rows(self.check_states(states), energy)

    def local_fields(self, states: Any) -> np.ndarray:
        """Local fields h = s W + b, shape like ``states``: h_i = sum_j W_ij s_j + b_i.

        Setting unit i high rather than low lowers the energy by (hi - lo) h_i, so the fields
        give the single-unit conditionals (:meth:`conditional_high`).

        Parameters
        ----------
        states : array_like, shape (n_states, n_units) or (n_units,)

        Returns
        -------
        ndarray, shape (n_states, n_units) (shape (n_units,) for a single 1-D state)
        """
        fields = partial(unchecked_fields, weights=self._weights, bias=self._bias)
        return apply_to_rows(self.check_states(states), fields)

    def get_params(self) -> dict[str, Any]:
        """Arrays and settings that define the machine (used by :mod:`energynets.io`).

        Returns
        -------
        dict
            ``weights``, ``bias``, ``n_visible``, ``units`` and, for a lattice,
            ``lattice_shape``.
        """
        params: dict[str, Any] = {
            "weights": self._weights,
            "bias": self._bias,
            "n_visible": np.array(self.n_visible),
            "units": self.units,
        }
        if self.lattice_shape is not None:
            params["lattice_shape"] = np.array(self.lattice_shape)
        return params


# -- ready-made systems -------------------------------------------------------------------


def ising_2d(
    side: int, coupling: float = 1.0, field: float = 0.0, *, dtype: Any = np.float64
) -> BoltzmannMachine:
    """The 2D Ising model on a periodic ``side x side`` square lattice.

    E(s) = -J sum_<ij> s_i s_j - h sum_i s_i over nearest-neighbour pairs, so W_ij = J for each
    of the 4 neighbours (W_ij = 2 J on a 2-wide lattice, where the two neighbours coincide).
    Onsager's critical temperature for J = 1, h = 0 is T_c = 2 / ln(1 + sqrt 2) = 2.269.

    Parameters
    ----------
    side : int >= 2
    coupling : float
        J (> 0 ferromagnetic, < 0 antiferromagnetic).
    field : float
        External field h.
    dtype : numpy.float32 or numpy.float64

    Returns
    -------
    BoltzmannMachine
        ``side**2`` spins with ``lattice_shape = (side, side)``.

    References
    ----------
    Onsager, L. (1944). Crystal statistics. I. A two-dimensional model with an order-disorder
    transition. Phys. Rev. 65, 117-149.

    Examples
    --------
    >>> model = ising_2d(4)
    >>> model.n_units, model.lattice_shape
    (16, (4, 4))
    >>> float(model.energy(np.ones(16)))  # 32 satisfied bonds
    -32.0
    """
    n_side = check_int(side, "side", minimum=2)
    j = check_float(coupling, "coupling")
    h = check_float(field, "field")
    n = n_side * n_side
    idx = np.arange(n).reshape(n_side, n_side)
    w = np.zeros((n, n))
    for shift in ((0, 1), (1, 0)):
        nb = np.roll(idx, shift=(-shift[0], -shift[1]), axis=(0, 1))
        np.add.at(w, (idx.ravel(), nb.ravel()), j)
        np.add.at(w, (nb.ravel(), idx.ravel()), j)
    return BoltzmannMachine(
        w, np.full(n, h), units="spins", dtype=dtype, lattice_shape=(n_side, n_side)
    )


def sherrington_kirkpatrick(
    n_units: int, rng: RNGLike = 0, *, field: float = 0.0, dtype: Any = np.float64
) -> BoltzmannMachine:
    """The Sherrington-Kirkpatrick spin glass: J_ij ~ N(0, 1/N) for every pair.

    E(s) = -sum_{i<j} J_ij s_i s_j - h sum_i s_i; the spin-glass transition is at T = 1.

    Parameters
    ----------
    n_units : int >= 2
    rng : int, Generator or None
        Randomness of the couplings.
    field : float
        External field h, the same on every spin.
    dtype : numpy.float32 or numpy.float64
        The machine's dtype; the couplings are drawn in float64.

    Returns
    -------
    BoltzmannMachine
        ``n_units`` spins, all pairs coupled.

    References
    ----------
    Sherrington, D. & Kirkpatrick, S. (1975). Solvable model of a spin-glass. Phys. Rev. Lett.
    35, 1792-1796.
    """
    n = check_int(n_units, "n_units", minimum=2)
    h = check_float(field, "field")
    gen = check_rng(rng)
    upper = np.triu(gen.normal(0.0, 1.0 / np.sqrt(n), size=(n, n)), k=1)
    return BoltzmannMachine(upper + upper.T, np.full(n, h), units="spins", dtype=dtype)


def frustrated_ring(
    n_units: int = 9, coupling: float = 1.0, *, dtype: Any = np.float64
) -> BoltzmannMachine:
    """An antiferromagnetic ring of ``n_units`` spins: E(s) = J sum_i s_i s_{i+1}.

    With an odd number of spins no state satisfies every bond: the ground state is 2n-fold
    degenerate (one frustrated bond, anywhere, in either global orientation). This is
    Toulouse's (1977) frustration: a closed loop of bonds is frustrated when the product of
    the signs of its couplings is negative, here (-1)^n.

    Parameters
    ----------
    n_units : int >= 3
    coupling : float >= 0
        J, the strength of the antiferromagnetic bonds.
    dtype : numpy.float32 or numpy.float64

    Returns
    -------
    BoltzmannMachine
        ``n_units`` spins, each coupled to its two neighbours on the ring by -J.

    References
    ----------
    Toulouse, G. (1977). Theory of the frustration effect in spin glasses: I. Commun. Phys. 2,
    115-119.

    Examples
    --------
    >>> from energynets import exact
    >>> states, energy = exact.ground_states(frustrated_ring(5))
    >>> len(states), energy  # 2 n ground states, one bond unsatisfied
    (10, -3.0)
    """
    n = check_int(n_units, "n_units", minimum=3)
    j = check_float(coupling, "coupling", minimum=0.0)
    w = np.zeros((n, n))
    i = np.arange(n)
    w[i, (i + 1) % n] = -j
    w[(i + 1) % n, i] = -j
    return BoltzmannMachine(w, None, units="spins", dtype=dtype)
