"""The Ising model on a periodic 2-D lattice, stored by its bonds: O(N) memory and work.

Energy, for spins s in {-1, +1} on an L1 x L2 periodic lattice (site (a, b) is unit
a L2 + b, row-major),

    E(s) = -sum_(a,b) [D_ab s_ab s_(a+1,b) + R_ab s_ab s_(a,b+1)] - sum_(a,b) b_ab s_ab,

indices modulo the sides: D_ab couples each site to its neighbour below, R_ab to its neighbour
on the right, so every nearest-neighbour pair is one bond and the couplings take 2 N numbers
where the dense :class:`~energynets.models.boltzmann.BoltzmannMachine` takes N^2 (a 128 x 128
lattice: 256 KiB of float64 bonds, not 2 GiB of couplings). As a Boltzmann machine the model
has W_(ab),(a+1,b) = D_ab and W_(ab),(a,b+1) = R_ab; on a side of length 2 the neighbour below
is also the neighbour above, and the two bonds between them add up (W = D_0b + D_1b, 2 J for
:func:`ising_lattice`, as in :func:`~energynets.models.boltzmann.ising_2d`).

Local fields h_i = sum_j W_ij s_j + b_i are the four neighbours weighted by their bonds, and
everything (energy, fields, the checkerboard sampler's neighbour sums) is a handful of
``np.roll`` of the lattice: O(N) per state.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from energynets._validation import (
    as_float_array,
    check_dtype,
    check_float,
    check_int,
)
from energynets.models._per_model import PerModel
from energynets.models._two_state import TwoStateUnits
from energynets.models.boltzmann import BoltzmannMachine
from energynets.states import apply_to_rows

__all__ = ["LatticeIsing", "ising_lattice"]


class LatticeIsing(TwoStateUnits):
    """An Ising model on a periodic 2-D lattice, stored by its nearest-neighbour bonds.

    E(s) = -sum_i (D_i s_i s_below(i) + R_i s_i s_right(i)) - sum_i b_i s_i over spins
    s_i = +-1 (see the module notes); p(s) = exp(-E(s)) / Z at unit temperature, and
    :meth:`tempered` gives inverse temperature beta. The same energy as the dense
    :class:`~energynets.models.boltzmann.BoltzmannMachine` of :meth:`to_boltzmann` in O(N)
    memory; the checkerboard sampler (:func:`energynets.sampling.checkerboard`) runs on it
    directly.

    Parameters
    ----------
    bonds_down : array_like, shape (L1, L2)
        D: the coupling of each site to its neighbour below (row a + 1, periodic). Sides >= 2.
    bonds_right : array_like, shape (L1, L2)
        R: the coupling of each site to its neighbour on the right (column b + 1, periodic).
    bias : array_like, shape (L1 * L2,) or (L1, L2), optional
        The field on each site, row-major; zero when omitted.
    dtype : numpy.float32 or numpy.float64

    References
    ----------
    Onsager, L. (1944). Crystal statistics. I. A two-dimensional model with an order-disorder
    transition. Phys. Rev. 65, 117-149.

    Newman, M. E. J. & Barkema, G. T. (1999). Monte Carlo Methods in Statistical Physics. Oxford
    University Press, chapter 3 (the Ising model on a periodic square lattice).

    Examples
    --------
    >>> from energynets.models.boltzmann import ising_2d
    >>> model = LatticeIsing(np.ones((4, 4)), np.ones((4, 4)))
    >>> model.n_units, model.lattice_shape
    (16, (4, 4))
    >>> float(model.energy(np.ones(16)))  # 32 bonds, all satisfied
    -32.0
    >>> bool(np.array_equal(model.to_boltzmann().weights, ising_2d(4).weights))
    True
    >>> LatticeIsing.from_boltzmann(ising_2d(4)).bonds_right.shape
    (4, 4)
    """

    #: The unit values: always spins (the dense models' ``units``).
    units = "spins"

    def __init__(
        self, bonds_down: Any, bonds_right: Any, bias: Any = None, *, dtype: Any = np.float64
    ) -> None:
        dt = check_dtype(dtype)
        down = np.array(as_float_array(bonds_down, "bonds_down", ndim=2), dtype=dt, copy=True)
        right = np.array(as_float_array(bonds_right, "bonds_right", ndim=2), dtype=dt, copy=True)
        if right.shape != down.shape:
            raise ValueError(
                f"bonds_right must have the shape of bonds_down {down.shape} (one bond per "
                f"site), got {right.shape}"
            )
        if min(down.shape) < 2:
            raise ValueError(
                f"bonds_down must have sides >= 2 (a periodic lattice with a side of 1 couples "
                f"sites to themselves), got shape {down.shape}"
            )
        n = down.size
        if bias is None:
            b = np.zeros(n, dtype=dt)
        else:
            b = np.array(as_float_array(bias, "bias", ndim=(1, 2)), dtype=dt, copy=True)
            if b.shape not in ((n,), down.shape):
                raise ValueError(
                    f"bias must have shape ({n},) or {down.shape} to match the bonds, got {b.shape}"
                )
            b = b.ravel()
        for arr in (down, right, b):
            arr.setflags(write=False)
        self._down, self._right, self._bias = down, right, b

    # -- parameters -----------------------------------------------------------------------
    @property
    def bonds_down(self) -> np.ndarray:
        """D, shape (L1, L2), read-only: each site's coupling to its neighbour below."""
        return self._down

    @property
    def bonds_right(self) -> np.ndarray:
        """R, shape (L1, L2), read-only: each site's coupling to its neighbour on the right."""
        return self._right

    @property
    def bias(self) -> np.ndarray:
        """The fields b, shape (n_units,), row-major, read-only."""
        return self._bias

    @property
    def lattice_shape(self) -> tuple[int, int]:
        """(L1, L2): the shape of the periodic lattice, rows by columns."""
        rows, cols = self._down.shape
        return int(rows), int(cols)

    @property
    def n_units(self) -> int:
        """Number of spins, L1 * L2."""
        return int(self._down.size)

    @property
    def dtype(self) -> np.dtype:
        """Floating-point type of the parameters and of every computation."""
        return self._down.dtype

    def __repr__(self) -> str:
        rows, cols = self.lattice_shape
        return f"LatticeIsing(lattice_shape=({rows}, {cols}), dtype={self.dtype})"

    def tempered(self, beta: float) -> LatticeIsing:
        """The same lattice at inverse temperature ``beta``: energy beta E(s).

        Parameters
        ----------
        beta : float >= 0
            0 gives the uniform distribution, 1 the model itself.

        Returns
        -------
        LatticeIsing
            Bonds beta D, beta R and fields beta b.

        Raises
        ------
        ValueError
            If beta E(s) would overflow the model's dtype.
        """
        bt = check_float(beta, "beta", minimum=0.0)
        # |E(s)| <= sum |D| + sum |R| + sum |b|: beta E must stay finite in the model's dtype
        scale = sum(float(np.abs(a).sum(dtype=np.float64)) for a in self._parameters())
        limit = float(np.finfo(self.dtype).max)
        if bt > limit or bt * scale > limit:
            raise ValueError(
                f"beta must keep the energies finite in {self.dtype}: beta * (sum |D| + sum |R| "
                f"+ sum |b|) must be <= {limit:.3g}, got beta = {bt:g} with sum |D| + sum |R| "
                f"+ sum |b| = {scale:.3g}"
            )
        factor = self.dtype.type(bt)
        down, right, bias = (a * factor for a in self._parameters())
        return LatticeIsing(down, right, bias, dtype=self.dtype)

    def _parameters(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self._down, self._right, self._bias

    def _columns_hint(self) -> str:
        rows, cols = self.lattice_shape
        return f", one per site of the {rows} x {cols} lattice"

    # -- energy and conditionals ------------------------------------------------------------
    def energy(self, states: Any) -> np.ndarray:
        """Energy E(s) = -sum_i (D_i s_i s_below(i) + R_i s_i s_right(i)) - b . s.

        Parameters
        ----------
        states : array_like, shape (n_states, n_units) or (n_units,)
            Spins, row-major sites.

        Returns
        -------
        ndarray, shape (n_states,) (a float for one 1-D state)
            At unit temperature p(s) = exp(-E(s)) / Z; O(N) per state.
        """
        return apply_to_rows(self.check_states(states), self._energies)

    def _energies(self, rows: np.ndarray) -> np.ndarray:
        s = rows.reshape(-1, *self.lattice_shape)
        bonds = self._down * (s * np.roll(s, -1, axis=1))
        bonds += self._right * (s * np.roll(s, -1, axis=2))
        e = bonds.reshape(rows.shape).sum(axis=1)
        e += rows @ self._bias
        return -e

    def local_fields(self, states: Any) -> np.ndarray:
        """Local fields h_i = sum_j W_ij s_j + b_i: the four neighbours weighted by their bonds.

        h_ab = D_ab s_(a+1,b) + D_(a-1,b) s_(a-1,b) + R_ab s_(a,b+1) + R_(a,b-1) s_(a,b-1) + b_ab;
        flipping spin i changes the energy by 2 s_i h_i.

        Parameters
        ----------
        states : array_like, shape (n_states, n_units) or (n_units,)

        Returns
        -------
        ndarray, shape (n_states, n_units) (shape (n_units,) for a single 1-D state)
        """
        return apply_to_rows(self.check_states(states), self._fields)

    def _fields(self, rows: np.ndarray) -> np.ndarray:
        s = rows.reshape(-1, *self.lattice_shape)
        h = self._down * np.roll(s, -1, axis=1)
        h += np.roll(self._down * s, 1, axis=1)
        h += self._right * np.roll(s, -1, axis=2)
        h += np.roll(self._right * s, 1, axis=2)
        h = h.reshape(rows.shape)
        h += self._bias
        return h

    # -- the dense model and back -----------------------------------------------------------
    def neighbour_couplings(self) -> np.ndarray:
        """Each site's coupling to its neighbour below, above, to the right and to the left.

        Returns
        -------
        ndarray, shape (4, L1, L2)
            W between each site and those four neighbours, in that order: what
            :func:`lattice_bonds` extracts from :meth:`to_boltzmann`, bit for bit (on a side
            of length 2 the two neighbours coincide: the first holds the sum of the two bonds,
            the second 0).
        """
        rows, cols = self.lattice_shape
        couplings = np.empty((4, rows, cols), dtype=self.dtype)
        for k, (bonds, axis, side) in enumerate(((self._down, 0, rows), (self._right, 1, cols))):
            forward, backward = couplings[2 * k], couplings[2 * k + 1]
            backward[...] = np.roll(bonds, 1, axis=axis)  # the bond from the previous site
            if side == 2:  # one neighbour both ways: W holds both bonds between the two sites
                np.add(bonds, backward, out=forward)
                backward[...] = 0.0
            else:
                forward[...] = bonds
        couplings.setflags(write=False)
        return couplings

    def to_boltzmann(self) -> BoltzmannMachine:
        """The same model as a dense :class:`~energynets.models.boltzmann.BoltzmannMachine`.

        Memory N^2 for N = L1 L2 spins (three such matrices while it is checked): for small
        lattices, the exact oracle and the dense samplers.

        Returns
        -------
        BoltzmannMachine
            Spins, couplings W_ij of the bonds (summed where two bonds join the same pair),
            the fields as bias, ``lattice_shape = (L1, L2)``, the model's dtype.
        """
        rows, cols = self.lattice_shape
        site = np.arange(self.n_units).reshape(rows, cols)
        w = np.zeros((self.n_units, self.n_units), dtype=self.dtype)
        for bonds, axis in ((self._down, 0), (self._right, 1)):
            nb = np.roll(site, -1, axis=axis)
            np.add.at(w, (site.ravel(), nb.ravel()), bonds.ravel())
            np.add.at(w, (nb.ravel(), site.ravel()), bonds.ravel())
        return BoltzmannMachine(
            w, self._bias, units="spins", dtype=self.dtype, lattice_shape=(rows, cols)
        )

    @classmethod
    def from_boltzmann(cls, model: BoltzmannMachine) -> LatticeIsing:
        """The lattice model of a dense spin machine with nearest-neighbour couplings only.

        Parameters
        ----------
        model : BoltzmannMachine
            Spins, no hidden units, a 2-D ``lattice_shape`` (e.g.
            :func:`~energynets.models.boltzmann.ising_2d`), couplings between nearest
            neighbours of the periodic lattice only. On a side of length 2 the coupling W
            between the two neighbours is split evenly between the two bonds that join them.

        Returns
        -------
        LatticeIsing
            The same energy, the model's dtype and fields; ``to_boltzmann()`` gives back the
            same couplings.

        Raises
        ------
        TypeError
            If ``model`` is not a BoltzmannMachine.
        ValueError
            If it has bit units, hidden units, no 2-D lattice or couplings between sites that
            are not nearest neighbours.
        """
        if not isinstance(model, BoltzmannMachine):
            raise TypeError(f"model must be a BoltzmannMachine, got {type(model).__name__}")
        if model.units != "spins":
            raise ValueError(f"model must have spin units for LatticeIsing, got {model.units!r}")
        if model.n_hidden:
            raise ValueError(
                "model must have no hidden units for LatticeIsing (the lattice has no visible "
                f"split), got n_visible = {model.n_visible} of n_units = {model.n_units}"
            )
        couplings = lattice_bonds(model, " to be stored by its bonds")
        rows, cols = couplings.shape[1:]
        down, right = couplings[0], couplings[2]
        half = model.dtype.type(0.5)
        return cls(
            down * half if rows == 2 else down,
            right * half if cols == 2 else right,
            model.bias,
            dtype=model.dtype,
        )


# -- the bonds of a dense machine -----------------------------------------------------------------
#: Bonds already extracted from a dense machine, per machine, for its weights and lattice_shape.
_EXTRACTED: PerModel[np.ndarray] = PerModel()


def lattice_bonds(model: BoltzmannMachine | LatticeIsing, purpose: str = "") -> np.ndarray:
    """Each site's coupling to its neighbour below, above, to the right and to the left.

    Parameters
    ----------
    model : BoltzmannMachine or LatticeIsing
        A dense machine with a 2-D ``lattice_shape`` (its couplings read and checked once and
        remembered while the machine lives), or a lattice model (its bonds).
    purpose : str
        Words the error messages append after "nearest-neighbour couplings only", e.g.
        " for the checkerboard sampler".

    Returns
    -------
    ndarray, shape (4, L1, L2), read-only
        In that order; a neighbour that coincides with an earlier one, on a side of length 2,
        gets 0 so that its coupling is counted once.

    Raises
    ------
    ValueError
        If a dense machine has no 2-D ``lattice_shape`` or a coupling links two sites that
        are not nearest neighbours.
    """
    if isinstance(model, LatticeIsing):
        return model.neighbour_couplings()
    shape = model.lattice_shape
    if shape is None or len(shape) != 2:
        raise ValueError(
            "model must live on a 2-D periodic lattice (lattice_shape of length 2, as made by "
            f"ising_2d){purpose}, got lattice_shape={shape}"
        )
    w = model.weights
    return _EXTRACTED.get(model, w, lambda: _extract_bonds(w, (shape[0], shape[1]), purpose), shape)


def _extract_bonds(w: np.ndarray, shape: tuple[int, int], purpose: str) -> np.ndarray:
    rows, cols = shape
    site = np.arange(rows * cols).reshape(rows, cols)
    neighbours = [
        np.roll(site, -1, axis=0),  # below
        np.roll(site, 1, axis=0),  # above
        np.roll(site, -1, axis=1),  # right
        np.roll(site, 1, axis=1),  # left
    ]
    bonds = np.zeros((4, rows, cols), dtype=w.dtype)
    n_nonzero = 0
    for k, nb in enumerate(neighbours):
        if any(np.array_equal(nb, earlier) for earlier in neighbours[:k]):
            continue  # a side of length 2: the same neighbour twice, W holds the sum
        bonds[k] = w[site, nb]
        n_nonzero += int(np.count_nonzero(bonds[k]))
    if n_nonzero != int(np.count_nonzero(w)):
        raise ValueError(
            f"model must have nearest-neighbour couplings only{purpose}, got "
            f"{int(np.count_nonzero(w)) - n_nonzero} non-zero couplings between sites of the "
            f"{rows} x {cols} lattice that are not neighbours"
        )
    bonds.setflags(write=False)
    return bonds


def ising_lattice(
    side: int, coupling: float = 1.0, field: float = 0.0, *, dtype: Any = np.float64
) -> LatticeIsing:
    """The 2D Ising model on a periodic ``side x side`` square lattice, stored by its bonds.

    E(s) = -J sum_<ij> s_i s_j - h sum_i s_i over nearest-neighbour pairs: the model of
    :func:`~energynets.models.boltzmann.ising_2d` (the same energies, ``to_boltzmann()`` the
    same couplings, the checkerboard sampler the same chains for the same seed) in O(N)
    memory. Onsager's critical temperature for J = 1, h = 0 is T_c = 2 / ln(1 + sqrt 2) = 2.269.

    Parameters
    ----------
    side : int >= 2
    coupling : float
        J (> 0 ferromagnetic, < 0 antiferromagnetic), on every bond.
    field : float
        External field h, on every site.
    dtype : numpy.float32 or numpy.float64

    Returns
    -------
    LatticeIsing
        ``side**2`` spins, ``2 side**2`` bonds.

    References
    ----------
    Onsager, L. (1944). Crystal statistics. I. A two-dimensional model with an order-disorder
    transition. Phys. Rev. 65, 117-149.

    Newman, M. E. J. & Barkema, G. T. (1999). Monte Carlo Methods in Statistical Physics. Oxford
    University Press.

    Examples
    --------
    >>> model = ising_lattice(128, dtype=np.float32)  # 16384 spins, 128 KiB of bonds
    >>> model.n_units, model.lattice_shape, model.bonds_down.nbytes
    (16384, (128, 128), 65536)
    >>> float(model.energy(np.ones(16384)))  # 32768 satisfied bonds
    -32768.0
    """
    n_side = check_int(side, "side", minimum=2)
    j = check_float(coupling, "coupling")
    h = check_float(field, "field")
    dt = check_dtype(dtype)
    bonds = np.full((n_side, n_side), j, dtype=dt)
    return LatticeIsing(bonds, bonds, np.full(n_side * n_side, h, dtype=dt), dtype=dt)
