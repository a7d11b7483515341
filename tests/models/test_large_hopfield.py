"""Hebbian networks in factored storage: W = X^T X / N - (P / N) I, never formed.

The factored network must run the same dynamics as the dense one (states bit-identical,
energies to rounding), choose itself when the dense matrix would not fit (with a warning),
and reproduce the one-step error law 1/2 erfc(sqrt(N / (2 P))) of random patterns.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import energynets as en
from energynets.experiments.capacity.theory import one_step_error_theory
from energynets.models.hopfield import FactoredStorageWarning, dense_bytes, dense_memory_budget
from energynets.sampling.dynamics import trajectory


@pytest.fixture(scope="module")
def pair() -> tuple[np.ndarray, en.HopfieldNetwork, en.HopfieldNetwork]:
    xi = en.datasets.random_patterns(50, 500, rng=0)
    dense = en.HopfieldNetwork.from_patterns(xi, storage="dense")
    factored = en.HopfieldNetwork.from_patterns(xi, storage="factored")
    return xi, dense, factored


@pytest.mark.parametrize("dynamics", ["async", "sync"])
@pytest.mark.parametrize("temperature", [0.0, 0.3])
@pytest.mark.parametrize("n_probes", [3, 20])
def test_factored_recall_equals_dense(pair, dynamics, temperature, n_probes):
    xi, dense, factored = pair
    probes = en.corrupt(xi[:n_probes], 0.2, rng=1)
    kw = {"dynamics": dynamics, "temperature": temperature, "max_sweeps": 8, "rng": 3}
    a, b = dense.recall(probes, **kw), factored.recall(probes, **kw)
    assert dense.storage == "dense" and factored.storage == "factored"
    for name in ("states", "converged", "n_sweeps", "cycled", "overlaps"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    # the energies come from fields summed in another order (a few flips of a small batch
    # update the dense fields row by row): equal to rounding
    np.testing.assert_allclose(a.energies, b.energies, rtol=0, atol=1e-10)
    assert temperature > 0 or a.converged.all()


def test_factored_fields_energy_and_stability_equal_dense(pair):
    xi, dense, factored = pair
    s = en.corrupt(xi[:10], 0.3, rng=2)
    np.testing.assert_allclose(factored.local_fields(s), dense.local_fields(s), atol=1e-12)
    np.testing.assert_allclose(factored.energy(s), dense.energy(s), atol=1e-10)
    np.testing.assert_array_equal(factored.unstable_units(s), dense.unstable_units(s))
    np.testing.assert_array_equal(factored.is_fixed_point(xi), dense.is_fixed_point(xi))
    # the fields of W = X^T X / N with a zero diagonal, worked out directly
    w = xi.T @ xi / xi.shape[1]
    np.fill_diagonal(w, 0.0)
    np.testing.assert_allclose(factored.local_fields(s[0]), s[0] @ w, atol=1e-12)


def test_factored_trajectory_and_store(pair):
    xi, dense, factored = pair
    probe = en.corrupt(xi[0], 0.2, rng=4)
    sd, ed = trajectory(dense, probe, rng=5)
    sf, ef = trajectory(factored, probe, rng=5)
    np.testing.assert_array_equal(sd, sf)
    np.testing.assert_allclose(ed, ef, atol=1e-10)
    # storing in two batches equals storing all at once, and stays factored
    two = en.HopfieldNetwork.from_patterns(xi[:30], storage="factored").store(xi[30:])
    assert two.storage == "factored"
    np.testing.assert_array_equal(two.patterns, factored.patterns)
    np.testing.assert_array_equal(two.local_fields(probe), factored.local_fields(probe))


def test_one_step_error_follows_the_erfc_law():
    # alpha = 0.1: P_err = 7.8e-4; 250 patterns x 20,000 bits give about 3,900 unstable
    # bits, a relative standard error of 1.6%, so 10% is six standard errors (the brief's
    # N = 20,000, P = 1,000 would give 77 expected errors, too few to test 10%)
    n, p, probed = 20_000, 2_000, 250
    xi = en.datasets.random_patterns(p, n, rng=11).astype(np.float32)
    net = en.HopfieldNetwork.from_patterns(xi, storage="factored", dtype=np.float32)
    err = float(net.unstable_units(xi[:probed]).mean())
    theory = float(one_step_error_theory(p / n))
    assert abs(err / theory - 1.0) < 0.10, (err, theory)


def test_auto_storage_follows_the_memory_budget():
    xi = en.datasets.random_patterns(4, 300, rng=0)
    need = dense_bytes(300, np.dtype(np.float64))
    assert need == 300 * 300 * 8
    assert dense_bytes(300, np.dtype(np.float32)) == 300 * 300 * 12
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert en.HopfieldNetwork.from_patterns(xi, memory_budget=need).storage == "dense"
        small = 1000
        forced = en.HopfieldNetwork.from_patterns(xi, storage="dense", memory_budget=small)
        assert forced.storage == "dense"
    with pytest.warns(FactoredStorageWarning, match=r"N = 300 units.*factored form"):
        net = en.HopfieldNetwork.from_patterns(xi, memory_budget=need - 1)
    assert net.storage == "factored" and "storage='factored'" in repr(net)
    assert dense_memory_budget() > 0


def test_auto_storage_never_forms_the_dense_matrix():
    # 200,000 units: the dense float32 weights would take 480 GB (a MemoryError on main)
    n = 200_000
    xi = en.datasets.random_patterns(3, n, rng=0).astype(np.float32)
    with pytest.warns(FactoredStorageWarning, match="factored"):
        net = en.HopfieldNetwork.from_patterns(xi, dtype=np.float32)
    res = net.recall(en.corrupt(xi[:2], 0.1, rng=1), dynamics="sync", max_sweeps=3, rng=2)
    np.testing.assert_array_equal(res.states, xi[:2])
    assert net.is_fixed_point(xi).all()


def test_factored_storage_bad_input():
    xi = en.datasets.random_patterns(3, 40, rng=0)
    with pytest.raises(ValueError, match="storage"):
        en.HopfieldNetwork.from_patterns(xi, storage="sparse")
    with pytest.raises(ValueError, match="rule='hebbian'.*storkey"):
        en.HopfieldNetwork.from_patterns(xi, rule="storkey", storage="factored")
    with pytest.raises(ValueError, match="memory_budget"):
        en.HopfieldNetwork.from_patterns(xi, memory_budget=-1)
    net = en.HopfieldNetwork.from_patterns(xi, storage="factored")
    with pytest.raises(ValueError, match="factored form"):
        _ = net.weights
    with pytest.raises(ValueError, match="factored storage cannot be saved"):
        net.get_params()
    with pytest.raises(ValueError, match="40 units"):
        net.store(np.ones((1, 41)))
    # the other rules are dense whatever the budget
    assert en.HopfieldNetwork.from_patterns(xi, rule="storkey", memory_budget=0).storage == "dense"
