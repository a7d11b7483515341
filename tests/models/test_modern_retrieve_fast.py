"""ModernHopfield.retrieve(details=False): the bare update, without energies or types.

The states, step counts and convergence must be those of the full retrieval bit for bit, the
extra fields None, and the final scores never computed (one product fewer per call).
"""

from __future__ import annotations

import numpy as np
import pytest

import energynets as en


@pytest.fixture(scope="module")
def net() -> en.ModernHopfield:
    xi = en.datasets.random_patterns(300, 40, rng=0)
    return en.ModernHopfield(xi, beta=0.2)


@pytest.mark.parametrize("n_steps", [1, 2, 6])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bare_retrieve_equals_full_retrieve(net, n_steps, dtype):
    model = en.ModernHopfield(net.patterns, beta=0.2, dtype=dtype)
    queries = en.corrupt(net.patterns[:25], 0.3, rng=1)
    before = queries.copy()
    # tol = 0.1: at n_steps = 6, 23 queries stop after 4 updates and 2 after 5
    full = model.retrieve(queries, n_steps=n_steps, tol=0.1)
    bare = model.retrieve(queries, n_steps=n_steps, tol=0.1, details=False)
    np.testing.assert_array_equal(bare.states, full.states)
    np.testing.assert_array_equal(bare.n_steps, full.n_steps)
    np.testing.assert_array_equal(bare.converged, full.converged)
    for name in ("fixed_point", "top_pattern", "top_weight", "n_effective", "energies"):
        assert getattr(bare, name) is None, name
    np.testing.assert_array_equal(queries, before)  # not modified
    # some queries stop early and others go on: both branches are exercised
    if n_steps == 6:
        assert full.converged.all() and full.n_steps.min() < full.n_steps.max()


def test_bare_retrieve_is_the_textbook_update(net):
    q = en.corrupt(net.patterns[:5], 0.2, rng=2)
    z = net.beta * (q @ net.patterns.T)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    res = net.retrieve(q, n_steps=1, details=False)
    np.testing.assert_allclose(res.states, p @ net.patterns, rtol=1e-12, atol=1e-12)
    one = net.retrieve(q[0], details=False)  # a 1-D query gives a 1-D state
    assert one.states.shape == (40,)
    np.testing.assert_allclose(one.states, res.states[0], rtol=1e-12, atol=1e-12)


def test_bare_retrieve_skips_the_final_product(net, monkeypatch):
    # count the score products beta Q X^T by wrapping the softmax-and-lse helper
    import energynets.models.modern as modern

    calls = []
    real = modern._softmax_lse

    def counting(z):
        calls.append(z.shape)
        return real(z)

    monkeypatch.setattr(modern, "_softmax_lse", counting)
    q = en.corrupt(net.patterns[:4], 0.1, rng=3)
    net.retrieve(q, n_steps=1)
    full_calls = len(calls)
    calls.clear()
    net.retrieve(q, n_steps=1, details=False)
    assert (full_calls, len(calls)) == (2, 1)


def test_details_must_be_a_bool(net):
    with pytest.raises(TypeError, match="details must be a bool, got str"):
        net.retrieve(net.patterns[:1], details="no")
