"""Equilibrium propagation against the exact gradient: recurrent backprop checked by finite
differences, BPTT through the relaxation, and the GDU property of Ernoult et al. (2019)."""

import itertools

import numpy as np
import pytest

import energynets as en
from energynets.learning.eqprop_gradients import (
    bptt_gradient,
    chl_gradient,
    ep_gradient,
    ep_increments,
    rbp_gradient,
)
from energynets.models.eqnet import EnergyNetwork


def relative_error(a, b):
    a = np.concatenate([x.ravel() for x in a])
    b = np.concatenate([x.ravel() for x in b])
    return np.linalg.norm(a - b) / np.linalg.norm(b)


def saturating(seed, sizes=(10, 12, 10, 5), output="squared"):
    """A random network (two hidden layers) whose free states hit 0 and 1 often."""
    gen = np.random.default_rng(seed)
    net = EnergyNetwork(list(sizes), output, rng=seed)
    x = gen.random((20, sizes[0]))
    y = gen.random((20, sizes[-1])) if output == "squared" else gen.integers(0, sizes[-1], 20)
    return net, x, y


def smooth(seed, sizes=(10, 12, 10, 5)):
    """A network whose states can never reach 0 or 1: biases 1/2 and weights so small that
    every field stays within 1/2 +- 0.35, and a nudge of beta <= 0.1 within 1/2 +- 0.45."""
    gen = np.random.default_rng(seed)
    weights = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        fan = a + (sizes[i + 2] if i + 2 < len(sizes) else 0)
        weights.append(gen.uniform(-0.35 / fan, 0.35 / fan, (a, b)))
    net = EnergyNetwork.from_params(weights, [np.full(b, 0.5) for b in sizes[1:]])
    return net, gen.random((20, sizes[0])), gen.random((20, sizes[-1]))


# -- the relaxation ------------------------------------------------------------------------------
def test_the_energy_never_rises_along_the_free_relaxation():
    net, x, _ = saturating(0)
    states = net.zero_states(x.shape[0])
    energies = [net.energy(x, states)]
    for _ in range(200):
        states = net.relax(x, 1, dt=0.2, states=states)
        energies.append(net.energy(x, states))
    rises = np.diff(np.array(energies), axis=0)
    assert np.all(rises <= 1e-12)
    assert np.all(rises[:5] < 0)  # it does move
    assert all(np.all((s >= 0) & (s <= 1)) for s in states)


def test_the_free_phase_reaches_a_fixed_point_of_both_settings():
    net, x, y = saturating(1)
    for dt in (1.0, 0.5):
        g = rbp_gradient(net, x, y, n_free=300, dt=dt)
        assert g.residual < 1e-12  # the projected, piecewise-linear dynamics settle


# -- the exact gradient ----------------------------------------------------------------------------
@pytest.mark.parametrize("output", ["squared", "softmax"])
@pytest.mark.parametrize("dt", [1.0, 0.5])
def test_recurrent_backprop_is_the_gradient_of_the_loss_at_the_fixed_point(output, dt):
    net, x, y = saturating(2, output=output)
    targets = net.check_targets(y, x.shape[0])
    g = rbp_gradient(net, x, y, n_free=300, n_backward=300, dt=dt)

    def loss(model):
        return float(np.mean(model.cost(model.relax(x, 300, dt), targets)))

    for layer in range(len(net.weights)):
        numeric = np.zeros_like(net.weights[layer])
        for index in np.ndindex(numeric.shape):
            up, down = net.copy(), net.copy()
            up.weights[layer][index] += 1e-6
            down.weights[layer][index] -= 1e-6
            numeric[index] = (loss(up) - loss(down)) / 2e-6
        # central differences are good to about 1e-10 absolute here (rounding / 1e-6)
        assert relative_error([g.weights[layer]], [numeric]) < 1e-5


def test_bptt_through_a_converged_relaxation_is_recurrent_backprop():
    net, x, y = saturating(3)
    long = bptt_gradient(net, x, y, n_steps=300)
    reference = rbp_gradient(net, x, y, n_free=300, n_backward=300)
    assert relative_error(long.weights, reference.weights) < 1e-12


# -- equilibrium propagation -----------------------------------------------------------------------
@pytest.mark.parametrize("dt", [1.0, 0.5])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_symmetric_ep_equals_the_bptt_gradient(seed, dt):
    # the prototypical (dt = 1) and the energy-based setting, float64, two hidden layers
    # whose units saturate, symmetric nudging with beta = 1e-3
    net, x, y = saturating(seed)
    ep = ep_gradient(net, x, y, beta=1e-3, nudging="symmetric", n_free=300, n_nudged=300, dt=dt)
    bptt = bptt_gradient(net, x, y, n_steps=300, dt=dt)
    assert relative_error(ep.weights, bptt.weights) < 1e-4
    assert relative_error(ep.biases, bptt.biases) < 1e-4


@pytest.mark.parametrize("seed", [0, 1])
def test_ep_bias_falls_with_slope_one_one_sided_and_two_symmetric(seed):
    net, x, y = smooth(seed)
    reference = rbp_gradient(net, x, y, n_free=300, n_backward=300).weights
    betas = np.logspace(-1, -3, 5)
    slopes = {}
    for nudging in ("one-sided", "symmetric"):
        errors = [
            relative_error(
                ep_gradient(net, x, y, beta=b, nudging=nudging, n_free=300, n_nudged=300).weights,
                reference,
            )
            for b in betas
        ]
        slopes[nudging] = np.polyfit(np.log(betas), np.log(errors), 1)[0]
    assert slopes["one-sided"] == pytest.approx(1.0, rel=0.1)
    assert slopes["symmetric"] == pytest.approx(2.0, rel=0.1)


@pytest.mark.parametrize(
    ("dt", "network", "n_free"),
    [(1.0, saturating, 300), (0.5, saturating, 3000), (0.5, smooth, 300)],
)
def test_gdu_ep_increments_match_bptt_step_by_step(dt, network, n_free):
    # exact step by step with saturated units too, once the free phase has settled: with
    # dt = 0.5 the saturating network still moves by 1e-2 after 300 steps and needs 3000
    net, x, y = network(4)
    ds, dw = ep_increments(net, x, y, beta=1e-4, n_free=n_free, n_nudged=8, dt=dt)
    _, state_grads, weight_grads = bptt_gradient(net, x, y, n_steps=n_free, dt=dt, per_step=True)
    for t in range(8):
        bptt = state_grads[t] + weight_grads[t]
        scale = max(np.abs(b).max() for b in bptt)  # some layers get nothing at some steps
        for a, b in zip(ds[t] + dw[t], bptt, strict=True):
            np.testing.assert_allclose(a, -b, rtol=1e-4, atol=1e-7 * scale)


def test_random_sign_nudging_averages_to_the_symmetric_estimate():
    # each batch nudges with +beta or -beta; the two one-sided estimates average to the
    # symmetric one: ((H(b) - H(0)) / b + (H(-b) - H(0)) / -b) / 2 = (H(b) - H(-b)) / (2 b)
    net, x, y = smooth(2)
    common = {"beta": 0.05, "n_free": 300, "n_nudged": 300}
    draws = {}
    for seed in range(16):
        g = ep_gradient(net, x, y, nudging="random", rng=seed, **common)
        draws[g.weights[0].tobytes()] = g.weights
    assert len(draws) == 2  # both signs were drawn, and nothing else
    first, second = draws.values()
    symmetric = ep_gradient(net, x, y, nudging="symmetric", **common).weights
    for a, b, c in zip(first, second, symmetric, strict=True):
        np.testing.assert_allclose((a + b) / 2, c, rtol=1e-9, atol=1e-12)


def test_chl_is_not_the_gradient_but_ep_is():
    net, x, y = saturating(3)
    reference = rbp_gradient(net, x, y, n_free=300, n_backward=300).weights
    chl = chl_gradient(net, x, y, n_free=300, n_clamped=300).weights
    ep = ep_gradient(net, x, y, beta=1e-3, nudging="symmetric", n_free=300, n_nudged=300).weights
    assert relative_error(ep, reference) < 1e-4
    cosine = sum(np.sum(a * b) for a, b in zip(chl, reference, strict=True)) / (
        np.sqrt(sum(np.sum(a * a) for a in chl)) * np.sqrt(sum(np.sum(b * b) for b in reference))
    )
    # CHL moves the weights by a contrast of two different equilibria: not dL/dW
    assert relative_error(chl, reference) > 0.1 and cosine < 0.99


# -- the trainer ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def digits():
    X, y = en.datasets.load_digits()
    return X / 16.0, y


@pytest.mark.parametrize("rule", ["ep", "bptt", "rbp"])
def test_fit_eqprop_learns_the_digits(digits, rule):
    X, y = digits
    _, history = en.fit_eqprop(
        en.EnergyNetwork([64, 100, 10], "softmax", rng=0), X[:1500], y[:1500], rule=rule,
        n_epochs=10, learning_rate=0.1, validation_data=(X[1500:], y[1500:]),
    )  # fmt: skip
    assert history["validation_accuracy"][-1] > 0.85
    assert history["loss"][-1] < history["loss"][0]
    assert history["relaxation_residual"][-1] == 0.0


def test_fit_eqprop_float32_and_determinism(digits):
    X, y = digits
    common = {"n_epochs": 2, "learning_rate": 0.1, "rng": 3}
    a, ha = en.fit_eqprop(en.EnergyNetwork([64, 20, 10], "softmax", rng=1, dtype=np.float32),
                          X[:300].astype(np.float32), y[:300], **common)  # fmt: skip
    b, hb = en.fit_eqprop(en.EnergyNetwork([64, 20, 10], "softmax", rng=1, dtype=np.float32),
                          X[:300].astype(np.float32), y[:300], **common)  # fmt: skip
    assert all(w.dtype == np.float32 for w in a.weights + a.biases)
    for w, v in zip(a.weights + a.biases, b.weights + b.biases, strict=True):
        np.testing.assert_array_equal(w, v)
    assert ha["loss"] == hb["loss"]


def test_fit_eqprop_interrupted_and_resumed_is_bit_identical(tmp_path, digits):
    X, y = digits
    common = {"n_epochs": 4, "learning_rate": 0.1, "rng": 5, "optimizer": "momentum"}
    net = en.EnergyNetwork([64, 16, 10], "softmax", rng=2)
    whole, history = en.fit_eqprop(net, X[:200], y[:200], **common)

    class Stop(Exception):
        pass

    def stop_at_2(epoch, model, history):
        if epoch == 2:
            raise Stop

    path = tmp_path / "eq.npz"
    with pytest.raises(Stop):
        en.fit_eqprop(net, X[:200], y[:200], **common, checkpoint=path, callbacks=[stop_at_2])
    resumed, resumed_history = en.fit_eqprop(net, X[:200], y[:200], **common, resume=path)
    for w, v in zip(resumed.weights + resumed.biases, whole.weights + whole.biases, strict=True):
        np.testing.assert_array_equal(w, v)
    assert resumed_history["loss"] == history["loss"]


def test_the_learning_rate_schedule_scales_every_layer(digits):
    X, y = digits
    net = en.EnergyNetwork([64, 12, 10], "softmax", rng=0)
    common = {"n_epochs": 2, "learning_rate": [0.2, 0.1], "rng": 4}
    _, history = en.fit_eqprop(net, X[:100], y[:100], learning_rate_schedule="linear", **common)
    assert history["learning_rate"] == [0.2, 0.1]  # 0.2 (1 - t / 2)
    # a factor of 0 in the second epoch: the parameters after it are those after the first
    first, _ = en.fit_eqprop(net, X[:100], y[:100], **{**common, "n_epochs": 1})
    frozen, history = en.fit_eqprop(net, X[:100], y[:100], learning_rate_schedule=lambda t: 1.0 - t,
                                    **common)  # fmt: skip
    assert history["learning_rate"] == [0.2, 0.0]
    for w, v in zip(frozen.weights + frozen.biases, first.weights + first.biases, strict=True):
        np.testing.assert_array_equal(w, v)
    # half the rate in both layers: the first update is half as large
    half, _ = en.fit_eqprop(net, X[:100], y[:100], learning_rate_schedule=lambda t: 0.5,
                            **{**common, "n_epochs": 1, "batch_size": 100})  # fmt: skip
    full, _ = en.fit_eqprop(net, X[:100], y[:100], **{**common, "n_epochs": 1, "batch_size": 100})
    for h, f, w in zip(half.weights, full.weights, net.weights, strict=True):
        np.testing.assert_allclose(h - w, 0.5 * (f - w), rtol=1e-9, atol=1e-15)
    with pytest.raises(ValueError, match="learning_rate_schedule must be one of"):
        en.fit_eqprop(net, X[:10], y[:10], learning_rate_schedule="cosine")


def test_a_model_file_round_trip(tmp_path):
    net = en.EnergyNetwork([5, 4, 3], "softmax", rng=0)
    en.io.save(net, tmp_path / "net.npz")
    again = en.io.load(tmp_path / "net.npz")
    assert again.output == "softmax" and again.layer_sizes == (5, 4, 3)
    for w, v in zip(again.weights + again.biases, net.weights + net.biases, strict=True):
        np.testing.assert_array_equal(w, v)


def test_a_diverging_run_stops_clearly(digits):
    X, y = digits
    with pytest.raises(en.TrainingDiverged, match="fit_eqprop diverged"):
        en.fit_eqprop(en.EnergyNetwork([64, 10, 10], "softmax", rng=0), X[:100], y[:100],
                      learning_rate=1e200, n_epochs=3)  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"beta": 0.0}, ValueError, "beta must be > 0"),
        ({"beta": float("nan")}, ValueError, "beta must be finite"),
        ({"rule": "hebb"}, ValueError, "rule must be one of"),
        ({"dt": 1.5}, ValueError, r"dt must lie in \(0, 1\]"),
        ({"learning_rate": [0.1]}, ValueError, "one per layer of weights"),
        ({"learning_rate": [0.1, 0.2], "optimizer": "adam"}, ValueError, "Adam does not see"),
        ({"rule": "chl"}, ValueError, "rule 'chl' needs output='squared'"),
        ({"n_free": 0}, ValueError, "n_free must be >= 1"),
    ],
)
def test_bad_settings_are_named(digits, kwargs, error, match):
    X, y = digits
    with pytest.raises(error, match=match):
        en.fit_eqprop(en.EnergyNetwork([64, 10, 10], "softmax", rng=0), X[:50], y[:50], **kwargs)


def test_bad_data_is_named(digits):
    X, y = digits
    net = en.EnergyNetwork([64, 10, 10], "softmax", rng=0)
    with pytest.raises(ValueError, match="X must have 64 columns"):
        en.fit_eqprop(net, X[:10, :60], y[:10])
    with pytest.raises(ValueError, match=r"class labels in \[0, 10\)"):
        en.fit_eqprop(net, X[:10], np.full(10, 12))
    with pytest.raises(ValueError, match="one row per row of X"):
        en.fit_eqprop(net, X[:10], y[:9])
    with pytest.raises(ValueError, match="layer_sizes must give an input"):
        en.EnergyNetwork([64, 10])
