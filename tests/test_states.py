"""States: conversions, corruption, overlaps and enumeration, checked by hand."""

import numpy as np
import pytest

import energynets as en


def test_spin_bit_round_trip():
    bits = np.array([[0, 1, 1], [1, 0, 0]])
    spins = en.to_spins(bits)
    assert spins.tolist() == [[-1, 1, 1], [1, -1, -1]]
    assert np.array_equal(en.to_bits(spins), bits)


@pytest.mark.parametrize(
    ("func", "value", "match"),
    [
        (en.to_spins, [0, 2], "bits must contain only 0 and 1"),
        (en.to_bits, [0, 1], "spins must contain only -1 and \\+1"),
        (en.to_spins, ["a"], "bits must be an array of numbers"),
        (en.to_bits, [np.nan, 1], "spins must contain only finite"),
    ],
)
def test_conversion_errors(func, value, match):
    with pytest.raises((ValueError, TypeError), match=match):
        func(value)


def test_corrupt_flips_exactly_round_f_n_per_row_and_leaves_input_alone():
    x = en.datasets.random_patterns(50, 37, rng=0)
    before = x.copy()
    y = en.corrupt(x, 0.25, rng=1)
    assert np.array_equal(x, before)
    n_flips = (y != x).sum(axis=1)
    assert np.all(n_flips == round(0.25 * 37))  # 9.25 -> 9
    # rows choose their flips independently: not all rows flip the same units
    assert len({tuple(np.flatnonzero(r)) for r in (y != x)}) > 1
    assert np.array_equal(y, en.corrupt(x, 0.25, rng=1))


def test_corrupt_edge_cases():
    x = np.ones(10)
    assert np.array_equal(en.corrupt(x, 0.0), x)
    assert np.array_equal(en.corrupt(x, 1.0), -x)
    assert en.corrupt(x, 0.5, rng=0).shape == (10,)


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"flip_fraction": 1.5}, ValueError, "flip_fraction must be <= 1"),
        ({"flip_fraction": -0.1}, ValueError, "flip_fraction must be >= 0"),
        ({"flip_fraction": "x"}, TypeError, "flip_fraction must be a real number"),
        ({"rng": -1}, ValueError, "rng must be a non-negative int seed"),
        ({"rng": 1.5}, TypeError, "rng must be an int seed"),
    ],
)
def test_corrupt_argument_errors(kwargs, err, match):
    with pytest.raises(err, match=match):
        en.corrupt(np.ones((2, 4)), **kwargs)


def test_corrupt_rejects_non_spins():
    with pytest.raises(ValueError, match="patterns must contain only -1 and \\+1"):
        en.corrupt([[0, 1, 1]])


def test_overlap_by_hand():
    m = en.overlap([[1, 1, -1, -1], [1, 1, 1, 1]], [[1, 1, 1, 1], [-1, -1, 1, 1]])
    # first state: 0 with all-ones, -1 with the mirror; second state: 1 and 0
    assert m.tolist() == [[0.0, -1.0], [1.0, 0.0]]
    assert en.overlap([1, -1], [1, -1]) == 1.0
    with pytest.raises(ValueError, match="same number of units"):
        en.overlap([[1, 1]], [[1, 1, 1]])


def test_all_states():
    s = en.all_states(2)
    assert s.tolist() == [[-1, -1], [-1, 1], [1, -1], [1, 1]]
    b = en.all_states(10, "bits")
    assert b.shape == (1024, 10)
    assert len({tuple(r) for r in b}) == 1024
    assert en.all_states(0).shape == (1, 0)
    with pytest.raises(ValueError, match="n_units must be <= 24"):
        en.all_states(25)
    with pytest.raises(ValueError, match="kind must be 'spins' or 'bits'"):
        en.all_states(3, "ising")
