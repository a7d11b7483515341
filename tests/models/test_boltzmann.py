"""BoltzmannMachine and the ready-made systems: energies by hand, exact checks, bad input."""

import numpy as np
import pytest

import energynets as en
from energynets.models.boltzmann import (
    BoltzmannMachine,
    frustrated_ring,
    ising_2d,
    sherrington_kirkpatrick,
)


def test_energy_and_conditionals_by_hand():
    # bits: E(s) = -W12 s1 s2 - b.s with W12 = 2, b = (-1, 0.5)
    bm = BoltzmannMachine([[0.0, 2.0], [2.0, 0.0]], [-1.0, 0.5], units="bits")
    np.testing.assert_allclose(bm.energy([[0, 0], [1, 0], [0, 1], [1, 1]]), [0, 1, -0.5, -1.5])
    # p(s1 = 1 | s2 = 1) = sigma(h1) with h1 = 2 - 1 = 1
    h = bm.local_fields([[0, 1]])
    np.testing.assert_allclose(bm.conditional_high(h)[0, 0], 1 / (1 + np.exp(-1.0)))
    # spins: p(s_i = +1 | rest) = sigma(2 h_i), the ratio of the two Boltzmann weights
    sp = BoltzmannMachine([[0.0, 0.3], [0.3, 0.0]], [0.1, -0.2])
    e_up, e_down = sp.energy([[1, 1], [-1, 1]])
    p_up = np.exp(-e_up) / (np.exp(-e_up) + np.exp(-e_down))
    np.testing.assert_allclose(sp.conditional_high(sp.local_fields([[1, 1]]))[0, 0], p_up)


def test_tempered_scales_the_energy_and_leaves_the_model():
    bm = sherrington_kirkpatrick(8, rng=0)
    hot = bm.tempered(0.5)
    s = bm.random_states(5, rng=1)
    np.testing.assert_allclose(hot.energy(s), 0.5 * bm.energy(s))
    assert np.all(bm.tempered(0.0).weights == 0)
    # exact: log Z at beta = 0 is N log 2 (uniform over 2^N states)
    assert np.isclose(en.exact.log_partition(bm.tempered(0.0)), 8 * np.log(2))
    with pytest.raises(ValueError, match="beta must be >= 0"):
        bm.tempered(-1.0)


def test_ising_2d_ground_state_and_neighbours():
    m = ising_2d(4, coupling=1.0)
    # 16 sites, 32 bonds on the periodic 4 x 4 lattice: E(all up) = -32
    assert m.energy(np.ones(16)) == -32.0
    assert np.all(m.weights.sum(axis=1) == 4)  # four neighbours each
    assert m.lattice_shape == (4, 4)
    states, e = en.exact.ground_states(m)
    assert e == -32.0 and len(states) == 2
    # a 2-wide lattice: the two neighbours in each direction coincide, W_ij = 2 J
    assert ising_2d(2).weights[0, 1] == 2.0


def test_frustrated_ring_is_frustrated():
    states, e = en.exact.ground_states(frustrated_ring(7))
    # 7 antiferromagnetic bonds, one must be unsatisfied: E0 = -6 + 1 = -5, 2 x 7 ground states
    assert e == -5.0 and len(states) == 14


def test_sk_couplings():
    m = sherrington_kirkpatrick(400, rng=3)
    upper = m.weights[np.triu_indices(400, 1)]
    assert abs(upper.std() * np.sqrt(400) - 1) < 0.02  # sd 1/sqrt(N); 79800 samples
    assert np.array_equal(m.weights, sherrington_kirkpatrick(400, rng=3).weights)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: BoltzmannMachine([[0, 1], [0, 0]]), "weights must be symmetric"),
        (lambda: BoltzmannMachine([[1, 0], [0, 0]]), "zero diagonal"),
        (lambda: BoltzmannMachine(np.zeros((2, 2)), units="ising"), "units must be one of"),
        (lambda: BoltzmannMachine(np.zeros((2, 2)), n_visible=3), "n_visible must be <= "),
        (lambda: BoltzmannMachine(np.zeros((2, 2))).energy([[0, 1]]), "only -1 and 1"),
        (
            lambda: BoltzmannMachine(np.zeros((2, 2)), units="bits").energy([[-1, 1]]),
            "only 0 and 1",
        ),
        (lambda: BoltzmannMachine(np.zeros((2, 2))).energy([[1, 1, 1]]), "must have 2 units"),
        (lambda: BoltzmannMachine(np.zeros((4, 4)), lattice_shape=(3, 3)), "lattice_shape"),
        (lambda: ising_2d(1), "side must be >= 2"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
