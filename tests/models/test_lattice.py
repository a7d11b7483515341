"""The Ising lattice stored by its bonds: against a dense machine written out site by site.

The oracle is :func:`dense_from_bonds`, the definition of the model written as a loop over the
sites (each site's bond to the neighbour below and to the right added to W_ij and W_ji), and
:func:`~energynets.models.boltzmann.ising_2d`, the dense model the lattice must reproduce.
"""

import numpy as np
import pytest

import energynets as en
from energynets.models import LatticeIsing, ising_2d, ising_lattice
from energynets.models.boltzmann import BoltzmannMachine
from energynets.models.lattice import lattice_bonds

SHAPES = [(2, 2), (2, 4), (4, 2), (4, 6), (3, 5), (6, 6)]


def dense_from_bonds(down, right, bias):
    """W and b of the lattice, literally: one loop over the sites, two bonds each."""
    rows, cols = down.shape
    n = rows * cols
    w = np.zeros((n, n))
    for a in range(rows):
        for b in range(cols):
            i = a * cols + b
            below = ((a + 1) % rows) * cols + b
            right_site = a * cols + (b + 1) % cols
            for j, bond in ((below, down[a, b]), (right_site, right[a, b])):
                w[i, j] += bond
                w[j, i] += bond
    return w, np.asarray(bias, dtype=np.float64).ravel()


def random_bonds(shape, seed):
    g = np.random.default_rng(seed)
    return g.normal(size=shape), g.normal(size=shape), g.normal(scale=0.5, size=shape)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_energy_and_fields_equal_the_dense_model(shape, dtype):
    down, right, bias = random_bonds(shape, seed=sum(shape))
    model = LatticeIsing(down, right, bias, dtype=dtype)
    w, b = dense_from_bonds(model.bonds_down, model.bonds_right, model.bias)
    states = model.random_states(50, rng=1)
    s = states.astype(np.float64)
    tol = {"rtol": 1e-5, "atol": 1e-4} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-11}
    energy, fields = model.energy(states), model.local_fields(states)
    assert energy.dtype == dtype and fields.dtype == dtype and fields.shape == states.shape
    np.testing.assert_allclose(energy, -0.5 * np.einsum("ni,ij,nj->n", s, w, s) - s @ b, **tol)
    np.testing.assert_allclose(fields, s @ w + b, **tol)
    # one 1-D state in, one value (one row) out
    assert np.ndim(model.energy(states[0])) == 0 and model.local_fields(states[0]).shape == (
        model.n_units,
    )
    # the dense machine of the model holds exactly those couplings
    np.testing.assert_allclose(model.to_boltzmann().weights, w, **tol)


@pytest.mark.parametrize("side", [2, 3, 4, 6])
@pytest.mark.parametrize(("coupling", "field"), [(1.0, 0.0), (-0.7, 0.3), (1.3, -0.2)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_ising_lattice_is_ising_2d(side, coupling, field, dtype):
    lattice = ising_lattice(side, coupling, field, dtype=dtype)
    dense = ising_2d(side, coupling, field, dtype=dtype)
    states = lattice.random_states(40, rng=side)
    np.testing.assert_array_equal(states, dense.random_states(40, rng=side))
    # the same sums in another order: equal up to rounding
    tol = {"rtol": 1e-6, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-14, "atol": 1e-13}
    np.testing.assert_allclose(lattice.energy(states), dense.energy(states), **tol)
    np.testing.assert_allclose(lattice.local_fields(states), dense.local_fields(states), **tol)
    np.testing.assert_array_equal(lattice.to_boltzmann().weights, dense.weights)
    np.testing.assert_array_equal(lattice.bias, dense.bias)
    back = LatticeIsing.from_boltzmann(dense)
    np.testing.assert_array_equal(back.bonds_down, lattice.bonds_down)
    np.testing.assert_array_equal(back.bonds_right, lattice.bonds_right)
    np.testing.assert_array_equal(back.to_boltzmann().weights, dense.weights)
    assert back.dtype == dense.dtype == lattice.dtype == dtype
    assert lattice.lattice_shape == dense.lattice_shape == (side, side)
    assert (lattice.n_units, lattice.units, lattice.unit_values) == (side**2, "spins", (-1.0, 1.0))


@pytest.mark.parametrize("shape", SHAPES)
def test_round_trips_through_the_dense_model(shape):
    down, right, bias = random_bonds(shape, seed=7)
    model = LatticeIsing(down, right, bias)
    dense = model.to_boltzmann()
    assert dense.lattice_shape == shape and dense.units == "spins"
    back = LatticeIsing.from_boltzmann(dense)
    # the same couplings; on a side of 2 the two bonds between a pair come back halved
    np.testing.assert_allclose(back.to_boltzmann().weights, dense.weights, rtol=1e-15)
    if shape[0] > 2:
        np.testing.assert_array_equal(back.bonds_down, model.bonds_down)
    if shape[1] > 2:
        np.testing.assert_array_equal(back.bonds_right, model.bonds_right)
    states = model.random_states(20, rng=2)
    np.testing.assert_allclose(back.energy(states), model.energy(states), rtol=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_neighbour_couplings_are_those_read_from_the_dense_model(shape, dtype):
    # what the checkerboard sampler runs on: the same four arrays, to the last bit, whether
    # given by the bonds or read from the dense W (a side of 2: the sum, then 0)
    model = LatticeIsing(*random_bonds(shape, seed=9), dtype=dtype)
    ours = model.neighbour_couplings()
    np.testing.assert_array_equal(ours, lattice_bonds(model.to_boltzmann()))
    assert ours.shape == (4, *shape) and ours.dtype == dtype and not ours.flags.writeable
    w, _ = dense_from_bonds(model.bonds_down, model.bonds_right, model.bias)
    rows, cols = shape
    i = 0  # site (0, 0): below (1, 0), right (0, 1)
    np.testing.assert_allclose(ours[0, 0, 0], w[i, cols], rtol=1e-6)
    np.testing.assert_allclose(ours[2, 0, 0], w[i, 1], rtol=1e-6)
    if rows > 2:  # above: the last row
        np.testing.assert_allclose(ours[1, 0, 0], w[i, (rows - 1) * cols], rtol=1e-6)


def test_the_exact_oracle_runs_on_the_lattice():
    # 2 x 4 = 8 spins: enumerated directly from the lattice's energy and from the dense one's
    model = LatticeIsing(*random_bonds((2, 4), seed=3))
    for temperature in (0.7, 2.0):
        assert en.exact.log_partition(model, temperature) == pytest.approx(
            en.exact.log_partition(model.to_boltzmann(), temperature), rel=1e-12
        )


def test_tempered_scales_the_energy():
    model = LatticeIsing(*random_bonds((4, 6), seed=5))
    states = model.random_states(10, rng=0)
    hot = model.tempered(0.3)
    np.testing.assert_allclose(hot.energy(states), 0.3 * model.energy(states), rtol=1e-12)
    np.testing.assert_array_equal(model.tempered(0.0).energy(states), 0.0)
    assert isinstance(hot, LatticeIsing) and hot.lattice_shape == (4, 6)
    with pytest.raises(ValueError, match="beta must keep the energies finite in float32"):
        ising_lattice(4, dtype=np.float32).tempered(1e38)
    with pytest.raises(ValueError, match="beta must be >= 0"):
        model.tempered(-1.0)


def test_parameters_are_copied_and_read_only():
    down, right, bias = random_bonds((4, 4), seed=1)
    copies = down.copy(), right.copy(), bias.copy()
    model = LatticeIsing(down, right, bias)
    down[0, 0] = right[0, 0] = bias[0, 0] = 99.0  # the caller's arrays are not the model's
    np.testing.assert_array_equal(model.bonds_down, copies[0])
    np.testing.assert_array_equal(model.bonds_right, copies[1])
    np.testing.assert_array_equal(model.bias, copies[2].ravel())
    for arr in (model.bonds_down, model.bonds_right, model.bias):
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = 1.0
    states = model.random_states(3, rng=0)
    states.setflags(write=False)
    before = states.copy()
    model.energy(states), model.local_fields(states)
    np.testing.assert_array_equal(states, before)
    checked, was_1d = model.check_states(states)
    assert not was_1d and checked.flags.c_contiguous and not np.shares_memory(checked, states)
    assert "LatticeIsing(lattice_shape=(4, 4)" in repr(model)


def test_bad_input_is_named():
    good = np.ones((4, 4))
    cases = [
        (lambda: LatticeIsing(np.ones(4), good), ValueError, "bonds_down must be a 2-D array"),
        (lambda: LatticeIsing(good, np.ones((4, 6))), ValueError, r"bonds_right must have the"),
        (lambda: LatticeIsing(np.ones((1, 4)), np.ones((1, 4))), ValueError, "sides >= 2"),
        (lambda: LatticeIsing(good, good, np.ones(15)), ValueError, r"bias must have shape \(16,"),
        (lambda: LatticeIsing(good * np.nan, good), ValueError, "bonds_down must contain only"),
        (lambda: LatticeIsing(good, "x"), TypeError, "bonds_right must be an array of numbers"),
        (lambda: LatticeIsing(good, good, dtype=np.int32), ValueError, "dtype must be"),
        (lambda: ising_lattice(1), ValueError, "side must be >= 2"),
        (lambda: ising_lattice(4, coupling=np.inf), ValueError, "coupling must be finite"),
        (lambda: ising_lattice(4.0), TypeError, "side must be an int"),  # type: ignore[arg-type]
    ]
    for make, error, message in cases:
        with pytest.raises(error, match=message):
            make()
    model = ising_lattice(4)
    with pytest.raises(ValueError, match=r"states must have 16 units .* 4 x 4 lattice"):
        model.energy(np.ones((2, 15)))
    with pytest.raises(ValueError, match=r"states must contain only -1 and 1 \(spins\)"):
        model.local_fields(np.zeros((2, 16)))
    with pytest.raises(ValueError, match="probes must be a 1-D or 2-D array"):
        model.check_states(np.ones((1, 4, 4)), "probes")
    with pytest.raises(ValueError, match="n_states must be >= 0"):
        model.random_states(-1)


def test_from_boltzmann_refuses_what_is_not_a_spin_lattice():
    lattice = ising_2d(4)
    w = lattice.weights.copy()
    w[0, 5] = w[5, 0] = 0.5  # a diagonal neighbour
    cases = [
        (ising_2d(4).weights, TypeError, "model must be a BoltzmannMachine, got ndarray"),
        (
            BoltzmannMachine(w, lattice.bias, lattice_shape=(4, 4)),
            ValueError,
            "nearest-neighbour couplings only to be stored by its bonds, got 2 non-zero",
        ),
        (BoltzmannMachine(lattice.weights), ValueError, "lattice_shape=None"),
        (
            BoltzmannMachine(lattice.weights, units="bits", lattice_shape=(4, 4)),
            ValueError,
            "model must have spin units",
        ),
        (
            BoltzmannMachine(lattice.weights, n_visible=10, lattice_shape=(4, 4)),
            ValueError,
            "no hidden units",
        ),
        (
            BoltzmannMachine(lattice.weights, lattice_shape=(16,)),
            ValueError,
            "2-D periodic lattice",
        ),
    ]
    for model, error, message in cases:
        with pytest.raises(error, match=message):
            LatticeIsing.from_boltzmann(model)  # type: ignore[arg-type]
