"""The buffered relaxation of EnergyNetwork against a plain transcription of its dynamics.

The reference below allocates every array, as the equations read; the package's Relaxation
writes into buffers it allocated once. They must agree bit for bit: the same operations in
the same order, only the memory differs.
"""

import numpy as np
import pytest

from energynets.models.eqnet import EnergyNetwork, Relaxation


def reference_step(net, x, states, dt, beta=0.0, targets=None):
    """s_l <- clip((1 - dt) s_l + dt (s_{l-1} W_l + b_l + s_{l+1} W_{l+1}^T - beta dC/ds_l))."""
    w, b, n = net.weights, net.biases, len(states)
    new = []
    for i, s in enumerate(states):
        below = x if i == 0 else states[i - 1]
        a = below @ w[i] + b[i]
        if i + 1 < n:
            a = a + states[i + 1] @ w[i + 1].T
        elif beta != 0.0:
            if net.output == "squared":
                force = targets - s
            else:
                z = s @ w[-1] + b[-1]
                z = np.exp(z - z.max(axis=1, keepdims=True))
                force = (targets - z / z.sum(axis=1, keepdims=True)) @ w[-1].T
            a = a + beta * force
        if dt != 1.0:
            a = a * dt + s * (1.0 - dt)
        new.append(np.clip(a, 0.0, 1.0))
    return new


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("output", ["squared", "softmax"])
@pytest.mark.parametrize("dt", [1.0, 0.5])
@pytest.mark.parametrize("sizes", [(6, 9, 4), (6, 9, 7, 4), (6, 9, 7, 5, 4)])
def test_relaxation_is_the_dynamics_bit_for_bit(sizes, dt, output, dtype):
    rng = np.random.default_rng(7)
    net = EnergyNetwork(list(sizes), output=output, dtype=dtype, rng=1)
    for w in net.weights:  # large weights: many units saturate at 0 and at 1
        w *= 3.0
    x = net.check_input(rng.random((11, sizes[0])))
    targets = net.check_targets(rng.integers(0, sizes[-1], 11), 11)
    relaxation = Relaxation(net, x, dt)
    ref = net.zero_states(11)
    out = [np.empty_like(s) for s in ref]
    states = [s.copy() for s in ref]
    for t in range(12):
        beta = 0.0 if t < 6 else 0.7
        new = reference_step(net, x, ref, dt, beta, targets)
        before = [s.copy() for s in states]  # the step must not modify its input
        relaxation.step(states, out, beta, targets)
        assert all(np.array_equal(s, b) for s, b in zip(states, before, strict=True))
        for got, want in zip(out, new, strict=True):
            assert got.dtype == dtype
            np.testing.assert_array_equal(got, want)
        states, out, ref = out, states, new
    saturated = np.mean([np.mean((s == 0) | (s == 1)) for s in ref])
    assert 0.05 < saturated < 0.95  # both the clip and the linear part were exercised


@pytest.mark.parametrize("n_layers", [1, 2])
def test_run_and_relax_are_the_repeated_step(n_layers):
    sizes = [5] + [8] * n_layers + [3]
    net = EnergyNetwork(sizes, output="softmax", rng=3)
    x = net.check_input(np.random.default_rng(0).random((4, 5)))
    ref = net.zero_states(4)
    for _ in range(9):
        ref = reference_step(net, x, ref, 1.0)
    got = net.relax(x, n_steps=9)
    for a, b in zip(got, ref, strict=True):
        np.testing.assert_array_equal(a, b)
