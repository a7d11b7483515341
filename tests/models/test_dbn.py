"""Deep belief networks: greedy training against the RBMs trained by hand, the up-pass against
the sigmoid chain written out, the transfer to an MLP, and generation against the exact
distribution of a DBN small enough to enumerate (chi-square tests with fixed, untuned seeds,
each with a companion check that the test rejects a wrong distribution).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats
from scipy.special import expit, logsumexp

import energynets as en
from energynets import io as enio
from energynets.datasets import bars_and_stripes
from energynets.learning.contrastive import fit_rbm
from energynets.learning.dbn import fit_dbn
from energynets.models.dbn import DBN
from energynets.models.rbm import RBM

FAST = {"monitor": ()}


def random_dbn(sizes, seed, scale=1.0, dtype=np.float64) -> DBN:
    """A DBN with N(0, scale^2) weights and biases (far from the small initial weights)."""
    gen = np.random.default_rng(seed)
    rbms = [
        RBM.from_params(
            scale * gen.standard_normal((n_in, n_out)),
            scale * gen.standard_normal(n_in),
            scale * gen.standard_normal(n_out),
            dtype=dtype,
        )
        for n_in, n_out in itertools.pairwise(sizes)
    ]
    return DBN.from_rbms(rbms)


def bits(n, d, seed) -> np.ndarray:
    return (np.random.default_rng(seed).random((n, d)) < 0.4).astype(np.float64)


# -- construction ------------------------------------------------------------------------------
def test_layers_chain_and_init_is_seeded():
    dbn = DBN([7, 5, 3, 2], rng=3)
    assert dbn.layer_sizes == (7, 5, 3, 2) and dbn.n_layers == 3 and dbn.n_visible == 7
    assert [r.weights.shape for r in dbn.rbms] == [(7, 5), (5, 3), (3, 2)]
    # the layers draw their weights one after the other from one generator
    gen = np.random.default_rng(3)
    for r in dbn.rbms:
        expected = RBM(r.n_visible, r.n_hidden, rng=gen)
        np.testing.assert_array_equal(r.weights, expected.weights)
    assert DBN([7, 5], dtype=np.float32).dtype == np.float32
    assert repr(dbn) == "DBN(layer_sizes=[7, 5, 3, 2], dtype=float64)"


def test_from_rbms_copies_and_checks():
    rbms = [RBM(4, 3, rng=0), RBM(3, 2, rng=1)]
    dbn = DBN.from_rbms(rbms)
    dbn.rbms[0].weights += 1.0
    assert not np.array_equal(dbn.rbms[0].weights, rbms[0].weights)
    with pytest.raises(ValueError, match=r"layer sizes do not match: rbms\[0\] has n_hidden=3"):
        DBN.from_rbms([RBM(4, 3), RBM(2, 2)])
    with pytest.raises(TypeError, match=r"rbms\[1\] must be an energynets RBM"):
        DBN.from_rbms([RBM(4, 3), "rbm"])
    with pytest.raises(ValueError, match=r"rbms\[0\] must have Bernoulli visible units"):
        DBN.from_rbms([RBM(4, 3, softmax_groups=[(0, 2)])])
    with pytest.raises(ValueError, match="rbms must share one dtype"):
        DBN.from_rbms([RBM(4, 3), RBM(3, 2, dtype=np.float32)])
    with pytest.raises(TypeError, match="rbms must be a non-empty list"):
        DBN.from_rbms([])


@pytest.mark.parametrize(
    ("sizes", "error", "match"),
    [
        ([5], ValueError, "layer_sizes must give at least a visible and a hidden"),
        ("784-500", TypeError, "layer_sizes must be a sequence of ints"),
        ([5, 0], ValueError, r"layer_sizes\[1\] must be >= 1, got 0"),
        ([5, 2.5], TypeError, r"layer_sizes\[1\] must be an int"),
    ],
)
def test_bad_layer_sizes(sizes, error, match):
    with pytest.raises(error, match=match):
        DBN(sizes)


# -- greedy training ------------------------------------------------------------------------------
def test_greedy_training_equals_the_rbms_trained_one_by_one():
    X = bars_and_stripes(3)
    sizes = [9, 6, 4, 3]
    epochs = [3, 2, 4]
    settings = {"batch_size": 5, "learning_rate": 0.1, "momentum": 0.5, "weight_decay": 1e-3}
    dbn, history = fit_dbn(sizes, X, n_epochs=epochs, rng=7, **settings, **FAST)

    # by hand: initial weights, then one seed per layer, from the same generator
    gen = np.random.default_rng(7)
    start = DBN(sizes, rng=gen)
    seeds = gen.integers(0, 2**63, size=3)
    data = X
    for layer in range(3):
        rbm, _ = fit_rbm(
            start.rbms[layer],
            data,
            n_epochs=epochs[layer],
            rng=np.random.default_rng(int(seeds[layer])),
            **settings,
            **FAST,
        )
        for name in ("weights", "visible_bias", "hidden_bias"):
            np.testing.assert_array_equal(getattr(dbn.rbms[layer], name), getattr(rbm, name))
        data = 1.0 / (1.0 + np.exp(-(data @ rbm.weights + rbm.hidden_bias)))
    assert history["layer"] == [0, 1, 2] and history["n_epochs"] == epochs
    assert [len(h["epoch"]) for h in history["rbm_history"]] == epochs
    # the training changed every layer (the comparison above is not between initial weights)
    for trained, initial in zip(dbn.rbms, start.rbms, strict=True):
        assert np.max(np.abs(trained.weights - initial.weights)) > 1e-3


def test_upper_layers_train_on_probabilities_not_samples():
    X = bars_and_stripes(3)
    dbn, _ = fit_dbn([9, 5, 3], X, n_epochs=2, batch_size=7, rng=0, **FAST)
    gen = np.random.default_rng(0)
    start = DBN([9, 5, 3], rng=gen)
    seeds = gen.integers(0, 2**63, size=2)
    q1 = dbn.up_pass(X, n_layers=1)[1]
    assert not np.all((q1 == 0) | (q1 == 1))  # probabilities
    top, _ = fit_rbm(start.rbms[1], q1, n_epochs=2, batch_size=7, rng=int(seeds[1]), **FAST)
    np.testing.assert_array_equal(dbn.rbms[1].weights, top.weights)


def test_pcd_and_a_given_dbn_as_starting_point():
    X = bars_and_stripes(3)
    start = DBN([9, 4, 2], rng=5)
    before = [r.weights.copy() for r in start.rbms]
    dbn, _ = fit_dbn(start, X, method="pcd", k=2, n_epochs=2, batch_size=7, rng=1, **FAST)
    for r, w in zip(start.rbms, before, strict=True):
        np.testing.assert_array_equal(r.weights, w)  # the caller's DBN is untouched
    seeds = np.random.default_rng(1).integers(0, 2**63, size=2)
    layer0, _ = fit_rbm(
        start.rbms[0], X, method="pcd", k=2, n_epochs=2, batch_size=7, rng=int(seeds[0]), **FAST
    )
    np.testing.assert_array_equal(dbn.rbms[0].weights, layer0.weights)


def test_same_seed_same_result_and_inputs_untouched():
    X = bits(40, 8, 0)
    copy = X.copy()
    a, _ = fit_dbn([8, 5, 3], X, n_epochs=2, batch_size=10, rng=11, **FAST)
    b, _ = fit_dbn([8, 5, 3], X, n_epochs=2, batch_size=10, rng=11, **FAST)
    c, _ = fit_dbn([8, 5, 3], X, n_epochs=2, batch_size=10, rng=12, **FAST)
    np.testing.assert_array_equal(X, copy)
    for ra, rb in zip(a.rbms, b.rbms, strict=True):
        np.testing.assert_array_equal(ra.weights, rb.weights)
    assert not np.array_equal(a.rbms[1].weights, c.rbms[1].weights)


def test_float32_stays_float32():
    X = bits(30, 6, 1)
    dbn, _ = fit_dbn([6, 4, 3], X, n_epochs=1, batch_size=10, dtype=np.float32, **FAST)
    assert all(r.weights.dtype == np.float32 for r in dbn.rbms)
    assert dbn.transform(X).dtype == np.float32
    assert dbn.generate(3, n_gibbs=2).dtype == np.float32


def test_callbacks_see_each_layer_and_can_end_it():
    X = bits(20, 6, 2)
    calls = []

    def stop_first_layer_early(layer, epoch, rbm, history):
        calls.append((layer, epoch, rbm.n_visible, len(history["epoch"])))
        return layer == 0 and epoch == 1

    _, history = fit_dbn(
        [6, 4, 3], X, n_epochs=4, batch_size=5, callbacks=[stop_first_layer_early], **FAST
    )
    assert history["n_epochs"] == [2, 4]
    assert calls[:2] == [(0, 0, 6, 1), (0, 1, 6, 2)]
    assert calls[2:] == [(1, e, 4, e + 1) for e in range(4)]


def test_validation_data_goes_up_with_the_training_data():
    X = bits(30, 6, 3)
    V = bits(10, 6, 4)
    _, history = fit_dbn(
        [6, 4, 3], X, n_epochs=2, batch_size=10, validation_data=V, monitor=("free_energy",)
    )
    for h in history["rbm_history"]:
        assert len(h["free_energy_gap"]) == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"X": np.zeros((4, 5))}, ValueError, r"X must have 6 columns \(n_visible"),
        ({"X": np.full((4, 6), 2.0)}, ValueError, r"X must lie in \[0, 1\]"),
        ({"X": np.zeros(6)}, ValueError, "X must be a 2-D array"),
        ({"method": "pt"}, ValueError, "method must be one of 'cd', 'pcd', got 'pt'"),
        ({"n_epochs": [1, 2, 3]}, ValueError, r"n_epochs must be an int or one int per layer"),
        ({"n_epochs": [1, 0]}, ValueError, r"n_epochs\[1\] must be >= 1, got 0"),
        ({"learning_rate": -1.0}, ValueError, "learning_rate must be > 0"),
        ({"batch_size": 0}, ValueError, "batch_size must be >= 1"),
        ({"bogus": 1}, TypeError, r"unexpected keyword arguments \['bogus'\]"),
        ({"data": 1}, TypeError, r"sets the fit_rbm arguments \['data'\] itself"),
        ({"callbacks": [1]}, TypeError, r"callbacks\[0\] must be callable"),
        ({"dbn": "6-4-3"}, TypeError, "dbn_or_sizes must be a DBN or a list of layer sizes"),
        ({"dbn": [6]}, ValueError, "layer_sizes must give at least"),
        ({"validation_data": np.zeros((2, 3))}, ValueError, "validation_data must have 6"),
    ],
)
def test_fit_dbn_bad_input_names_the_argument(kwargs, error, match):
    args = {"dbn": [6, 4, 3], "X": bits(10, 6, 0), "n_epochs": 1, **FAST}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        fit_dbn(args.pop("dbn"), args.pop("X"), **args)


# -- the up-pass and the MLP ----------------------------------------------------------------------
def test_up_pass_is_the_sigmoid_chain():
    dbn = random_dbn([6, 5, 4, 3], seed=0, scale=3.0)
    X = bits(25, 6, 1)
    layers = dbn.up_pass(X)
    expected = X
    np.testing.assert_array_equal(layers[0], X)
    for rbm, q in zip(dbn.rbms, layers[1:], strict=True):
        expected = expit(expected @ rbm.weights + rbm.hidden_bias)
        np.testing.assert_allclose(q, expected, rtol=1e-13, atol=0)
    np.testing.assert_array_equal(dbn.transform(X), layers[-1])
    # one layer is the RBM's own p(h = 1 | v)
    np.testing.assert_allclose(layers[1], dbn.rbms[0].hidden_probabilities(X), rtol=1e-13)
    assert len(dbn.up_pass(X, n_layers=1)) == 2
    with pytest.raises(ValueError, match=r"X must have 6 columns"):
        dbn.transform(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="n_layers must be <= 3"):
        dbn.up_pass(X, n_layers=4)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_to_mlp_forward_pass_equals_transform_exactly(dtype):
    dbn = random_dbn([6, 5, 4], seed=2, scale=3.0, dtype=dtype)
    X = bits(30, 6, 5)
    mlp = dbn.to_mlp(3, rng=0)
    assert mlp.layer_sizes == (6, 5, 4, 3) and mlp.activation == "sigmoid"
    assert mlp.output == "softmax" and mlp.dtype == dtype
    activations = mlp.forward(X)
    np.testing.assert_array_equal(activations[-2], dbn.transform(X))
    for layer, rbm in enumerate(dbn.rbms):
        np.testing.assert_array_equal(mlp.weights[layer], rbm.weights)
        np.testing.assert_array_equal(mlp.biases[layer], rbm.hidden_bias)
    # the output layer is fresh: seeded, zero biases, and changing it leaves the DBN alone
    np.testing.assert_array_equal(mlp.weights[-1], dbn.to_mlp(3, rng=0).weights[-1])
    assert not np.array_equal(mlp.weights[-1], dbn.to_mlp(3, rng=1).weights[-1])
    assert np.all(mlp.biases[-1] == 0)
    mlp.weights[0] += 1.0
    assert not np.array_equal(mlp.weights[0], dbn.rbms[0].weights)


def test_to_mlp_fine_tunes_with_fit_mlp():
    X = bars_and_stripes(3)
    y = (X[:, 0] == X[:, 1]).astype(np.int64)  # 1 for stripes... and for some bars
    dbn, _ = fit_dbn([9, 8, 6], X, n_epochs=5, batch_size=7, learning_rate=0.1, **FAST)
    mlp, history = en.fit_mlp(dbn.to_mlp(2), X, y, n_epochs=150, batch_size=14, learning_rate=0.05)
    assert history["loss"][-1] < history["loss"][0]
    assert mlp.score(X, y) == 1.0


# -- generation ------------------------------------------------------------------------------------
def test_generate_shapes_seeds_and_values():
    dbn = random_dbn([6, 5, 4], seed=1)
    v = dbn.generate(7, n_gibbs=5, rng=3)
    assert v.shape == (7, 6) and v.dtype == np.float64
    assert set(np.unique(v)) <= {0.0, 1.0}
    np.testing.assert_array_equal(v, dbn.generate(7, n_gibbs=5, rng=3))
    assert not np.array_equal(
        dbn.generate(50, n_gibbs=5, rng=3), dbn.generate(50, n_gibbs=5, rng=4)
    )
    v2, layers = dbn.generate(7, n_gibbs=5, rng=3, return_layers=True)
    np.testing.assert_array_equal(v2, v)
    assert [x.shape for x in layers] == [(7, 6), (7, 5)]
    assert set(np.unique(layers[1])) <= {0.0, 1.0}
    p = dbn.generate(7, n_gibbs=5, rng=3, probabilities=True)
    assert np.all((p > 0) & (p < 1))
    # the mean of the last step is the bottom RBM's p(v | h_1) for the same h_1
    np.testing.assert_allclose(p, dbn.rbms[0].visible_mean(layers[1]))
    assert dbn.generate(3, n_gibbs=0, rng=0).shape == (3, 6)
    one = DBN([4, 3], rng=0)
    assert one.generate(5, n_gibbs=2, rng=0).shape == (5, 4)
    assert np.all(one.generate(5, n_gibbs=2, probabilities=True) > 0)
    with pytest.raises(ValueError, match="n_samples must be >= 1"):
        dbn.generate(0)
    with pytest.raises(ValueError, match="n_gibbs must be >= 0"):
        dbn.generate(2, n_gibbs=-1)


def _states(n):
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def _codes(samples):
    return (samples @ (2 ** np.arange(samples.shape[1])[::-1])).astype(int)


def exact_distributions(dbn: DBN):
    """p(h_1) of the top RBM and p(v) = sum_h1 p(h_1) p(v | h_1) of a 2-layer DBN, by
    enumerating every (h_1, h_2) and every v from the energies' definitions."""
    bottom, top = dbn.rbms
    h1, h2 = _states(top.n_visible), _states(top.n_hidden)
    # -E_top(h1, h2) = h1.W.h2 + a.h1 + b.h2
    neg_energy = (h1 @ top.weights @ h2.T) + (h1 @ top.visible_bias)[:, None] + h2 @ top.hidden_bias
    log_p_h1 = logsumexp(neg_energy, axis=1)
    p_h1 = np.exp(log_p_h1 - logsumexp(log_p_h1))
    v = _states(bottom.n_visible)
    mean = expit(bottom.visible_bias + h1 @ bottom.weights.T)  # (n_h1, n_visible)
    p_v_given_h1 = np.prod(np.where(v[:, None, :] == 1, mean[None], 1 - mean[None]), axis=2)
    return p_h1, p_v_given_h1 @ p_h1


def _chi_square_pvalue(samples, probs):
    counts = np.bincount(_codes(samples), minlength=probs.size)
    return stats.chisquare(counts, probs * samples.shape[0]).pvalue


def test_generation_matches_the_exact_distribution():
    dbn = random_dbn([3, 3, 2], seed=4, scale=1.5)
    p_h1, p_v = exact_distributions(dbn)
    n = 4000
    assert min(p_v.min(), p_h1.min()) * n >= 5  # the chi-square approximation holds
    p_top, p_bottom = [], []
    for seed in range(3):
        v, layers = dbn.generate(n, n_gibbs=30, rng=seed, return_layers=True)
        p_top.append(_chi_square_pvalue(layers[1], p_h1))
        p_bottom.append(_chi_square_pvalue(v, p_v))
    assert stats.combine_pvalues(p_top).pvalue > 1e-3
    assert stats.combine_pvalues(p_bottom).pvalue > 1e-3
    # the test has power: v is not distributed as the top RBM's h_1, nor as the bottom RBM
    # alone (its own visible marginal), and the same samples reject both
    assert _chi_square_pvalue(v, p_h1) < 1e-6
    v_states = _states(3)
    bottom_alone = np.exp(-dbn.rbms[0].free_energy(v_states))
    assert _chi_square_pvalue(v, bottom_alone / bottom_alone.sum()) < 1e-6


# -- persistence ----------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_save_and_load(tmp_path, dtype):
    dbn = random_dbn([5, 4, 3], seed=0, dtype=dtype)
    enio.save(dbn, tmp_path / "dbn.npz")
    again = enio.load(tmp_path / "dbn.npz")
    assert isinstance(again, DBN) and again.layer_sizes == dbn.layer_sizes
    for a, b in zip(again.rbms, dbn.rbms, strict=True):
        for name in ("weights", "visible_bias", "hidden_bias"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
            assert getattr(a, name).dtype == dtype


def test_load_refuses_a_damaged_dbn_file(tmp_path):
    params = dict(random_dbn([5, 4, 3], seed=0).get_params())
    params["weights_1"] = np.zeros((2, 3))  # no longer chains with layer 0
    params["visible_bias_1"] = np.zeros(2)
    np.savez(
        tmp_path / "bad.npz",
        __format__="energynets-model",
        __format_version__=1,
        __class__="DBN",
        **params,
    )
    with pytest.raises(ValueError, match="invalid DBN parameters.*layer sizes do not match"):
        enio.load(tmp_path / "bad.npz")


def test_public_names():
    assert en.DBN is DBN and en.fit_dbn is fit_dbn
    assert en.learning.fit_dbn is fit_dbn and en.models.DBN is DBN
