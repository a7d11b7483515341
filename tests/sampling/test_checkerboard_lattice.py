"""The checkerboard sampler on a lattice stored by its bonds: the same chains as on the dense
machine, bit for bit, in O(N) memory.

The oracle is the checkerboard sampler on the dense :class:`BoltzmannMachine` (itself tested
against the exact distribution in test_gibbs.py): for the same model, states and seed, the
lattice must give identical states, samples, energies and acceptance rates.
"""

import tracemalloc

import numpy as np
import pytest

import energynets as en
from energynets.models import LatticeIsing, ising_2d, ising_lattice
from energynets.models.lattice import lattice_bonds
from energynets.sampling import checkerboard, gibbs
from tests.sampling.test_gibbs import random_lattice


def assert_same_result(a, b):
    np.testing.assert_array_equal(a.states, b.states)
    np.testing.assert_array_equal(a.energies, b.energies)
    np.testing.assert_array_equal(a.acceptance, b.acceptance)
    if a.samples is None:
        assert b.samples is None
    else:
        np.testing.assert_array_equal(a.samples, b.samples)


@pytest.mark.parametrize("side", [2, 4, 6])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("rule", ["gibbs", "metropolis"])
@pytest.mark.parametrize(("coupling", "field", "beta"), [(1.0, 0.0, 0.44), (-0.8, 0.3, 1.0)])
def test_bit_identical_to_the_dense_ising_2d(side, dtype, rule, coupling, field, beta):
    lattice = ising_lattice(side, coupling, field, dtype=dtype).tempered(beta)
    dense = ising_2d(side, coupling, field, dtype=dtype).tempered(beta)
    start = dense.random_states(7, rng=side)
    kwargs = {"rule": rule, "burn_in": 2, "thin": 3, "record": True}
    ours = checkerboard(lattice, start, 11, rng=5, **kwargs)
    assert_same_result(ours, checkerboard(dense, start, 11, rng=5, **kwargs))
    assert ours.states.dtype == dtype
    # one 1-D state, at infinite temperature too
    for model_beta in (0.0, 2.0):
        a = checkerboard(lattice.tempered(model_beta), start[0], 3, rng=1, rule=rule)
        b = checkerboard(dense.tempered(model_beta), start[0], 3, rng=1, rule=rule)
        assert_same_result(a, b)


@pytest.mark.parametrize("shape", [(2, 4), (4, 2), (4, 6), (6, 4)])
@pytest.mark.parametrize("rule", ["gibbs", "metropolis"])
def test_bit_identical_with_bonds_that_differ(shape, rule):
    # bond-dependent couplings and fields; on a side of 2 the lattice holds each pair's
    # coupling as two half bonds, which add up to the dense W exactly
    dense = random_lattice(*shape, "spins", seed=11)
    lattice = LatticeIsing.from_boltzmann(dense)
    np.testing.assert_array_equal(lattice_bonds(lattice), lattice_bonds(dense))
    start = dense.random_states(5, rng=0)
    assert_same_result(
        checkerboard(lattice, start, 9, rng=3, rule=rule, record=True),
        checkerboard(dense, start, 9, rng=3, rule=rule, record=True),
    )


def test_the_energies_are_the_lattice_energies():
    model = LatticeIsing(*np.random.default_rng(4).normal(size=(3, 4, 6)))
    res = checkerboard(model, model.random_states(6, rng=0), 5, rng=2, record=True)
    assert res.samples is not None
    want = [model.energy(s) for s in res.samples]
    np.testing.assert_allclose(res.energies[1:], want, rtol=1e-12, atol=1e-12)


def test_the_dense_bonds_are_read_once_per_machine():
    dense = ising_2d(8)
    first = lattice_bonds(dense)
    assert lattice_bonds(dense) is first  # remembered
    hot = dense.tempered(0.5)  # another machine, its own bonds
    np.testing.assert_array_equal(lattice_bonds(hot), 0.5 * first)
    assert not first.flags.writeable
    a = checkerboard(dense, dense.random_states(3, rng=0), 4, rng=1)
    b = checkerboard(dense, dense.random_states(3, rng=0), 4, rng=1)
    assert_same_result(a, b)


def test_a_large_lattice_needs_no_dense_matrix():
    # 128 x 128 = 16384 spins: the dense float32 couplings alone would take 1 GiB
    tracemalloc.start()
    try:
        model = ising_lattice(128, dtype=np.float32).tempered(1 / 2.269)
        start = model.random_states(1, rng=0)
        res = checkerboard(model, start, 2, rng=1)
        magnetisation = float(res.states.mean())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20, f"peak {peak / 2**20:.1f} MiB"
    assert res.states.shape == (1, 16384) and res.energies.shape == (3, 1)
    assert np.all(np.abs(res.states) == 1.0) and -1.0 <= magnetisation <= 1.0
    # float32 sums of 32768 bonds in two orders: a few parts in 10^5
    np.testing.assert_allclose(res.energies[-1], model.energy(res.states), rtol=1e-4)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="even lattice sides"):
        checkerboard(LatticeIsing(np.ones((3, 4)), np.ones((3, 4))), np.ones(12), 1)
    with pytest.raises(ValueError, match=r"even lattice sides .* lattice_shape=\(4, 5\)"):
        checkerboard(LatticeIsing(np.ones((4, 5)), np.ones((4, 5))), np.ones(20), 1)
    model = ising_lattice(4)
    with pytest.raises(ValueError, match="states must have 16 units"):
        checkerboard(model, np.ones((2, 9)), 1)
    with pytest.raises(ValueError, match="rule must be one of"):
        checkerboard(model, np.ones(16), 1, rule="wolff")
    with pytest.raises(TypeError, match="model must be a BoltzmannMachine or a LatticeIsing"):
        checkerboard(en.HopfieldNetwork(np.zeros((4, 4))), np.ones(4), 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"got LatticeIsing \(the checkerboard sampler runs"):
        gibbs(model, np.ones(16), 1)  # type: ignore[arg-type]
