"""Storage rules against hand-worked cases and literal transcriptions of the papers."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import energynets as en
from energynets.learning import hopfield_rules


def test_hebbian_by_hand():
    # xi1 = (+1, +1, -1), xi2 = (+1, -1, +1); W_ij = (xi1_i xi1_j + xi2_i xi2_j) / 3
    # W_12 = (1 - 1)/3 = 0, W_13 = (-1 + 1)/3 = 0, W_23 = (-1 - 1)/3 = -2/3
    xi = np.array([[1.0, 1.0, -1.0], [1.0, -1.0, 1.0]])
    w = hopfield_rules.hebbian(xi)
    expected = np.array([[0, 0, 0], [0, 0, -2 / 3], [0, -2 / 3, 0]])
    np.testing.assert_allclose(w, expected, atol=1e-15)


def _storkey_literal(patterns):
    """Storkey (1997), eq. for w_ij^nu, transcribed loop by loop with h_ij excluding i and j."""
    n = patterns.shape[1]
    w = np.zeros((n, n))
    for xi in patterns:
        new = np.zeros_like(w)
        for i in range(n):
            for j in range(n):
                if i == j:
                    continue
                h_ij = sum(w[i, k] * xi[k] for k in range(n) if k not in (i, j))
                h_ji = sum(w[j, k] * xi[k] for k in range(n) if k not in (i, j))
                new[i, j] = w[i, j] + (xi[i] * xi[j] - xi[i] * h_ji - h_ij * xi[j]) / n
        w = new
    return w


def test_storkey_matches_literal_transcription():
    xi = en.datasets.random_patterns(5, 9, rng=4)
    np.testing.assert_allclose(hopfield_rules.storkey(xi), _storkey_literal(xi), atol=1e-12)


def test_storkey_single_pattern_is_hebbian():
    # from zero weights h = 0, so the first pattern gives exactly the Hebbian matrix
    xi = en.datasets.random_patterns(1, 12, rng=0)
    np.testing.assert_allclose(hopfield_rules.storkey(xi), hopfield_rules.hebbian(xi))


def test_incremental_storage_equals_storing_all_at_once():
    xi = en.datasets.random_patterns(8, 40, rng=1)
    for rule in ("hebbian", "storkey", "pseudoinverse"):
        once = en.HopfieldNetwork.from_patterns(xi, rule)
        twice = en.HopfieldNetwork.from_patterns(xi[:5], rule).store(xi[5:])
        np.testing.assert_allclose(twice.weights, once.weights, atol=1e-12, err_msg=rule)
        assert np.array_equal(twice.patterns, xi)


@given(
    n_units=st.integers(4, 30),
    load=st.floats(0.05, 0.95),
    seed=st.integers(0, 2**32 - 1),
)
def test_pseudoinverse_fixes_every_linearly_independent_pattern(n_units, load, seed):
    n_patterns = max(1, int(load * n_units))
    xi = en.datasets.random_patterns(n_patterns, n_units, rng=seed)
    if np.linalg.matrix_rank(xi) < n_patterns:
        return  # the theorem needs linear independence
    net = en.HopfieldNetwork.from_patterns(xi, "pseudoinverse")
    # the field of each pattern is (1 - P_ii) xi_i with P_ii <= 1: aligned, or exactly zero
    # when a unit vector lies in the span (P_ii = 1), and a zero field keeps the state
    h = net.local_fields(xi)
    assert np.all(h * xi > -1e-9)
    assert np.all(net.is_fixed_point(xi))
    assert np.allclose(net.weights, net.weights.T) and np.all(np.diag(net.weights) == 0)


def test_rules_give_symmetric_zero_diagonal_weights():
    xi = en.datasets.random_patterns(6, 20, rng=2)
    for rule in hopfield_rules.RULES:
        w = en.HopfieldNetwork.from_patterns(xi, rule).weights
        assert np.array_equal(w, w.T), rule
        assert np.all(np.diag(w) == 0), rule
