"""RBMs with softmax (one-of-K) visible groups, against brute force over the valid states.

The oracle never uses a free energy, a conditional or an enumeration of the package: it lists
every visible vector that is one-hot in each group, every hidden vector, and the joint energy
E(v, h) = -v.W.h - a.v - b.h of each pair, by its definition. Sampling is checked by
chi-square tests against the exact distribution (fixed seeds, never tuned), each with a
companion check that the same test rejects a wrong distribution (the test has power).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp

from energynets import metrics
from energynets.datasets import bars_and_stripes
from energynets.learning._negative_phases import Replicas
from energynets.learning._rbm_kernel import Kernel
from energynets.learning.contrastive import contrastive_gradient, fit_rbm
from energynets.models.rbm import RBM
from energynets.sampling.ais import RBMPath, ais, base_rate_bias, reverse_ais


# -- the oracle ------------------------------------------------------------------------------------
def valid_states(n_visible: int, groups) -> np.ndarray:
    """Every 0/1 vector of n_visible units with exactly one unit on in each group."""
    rows = [
        v
        for v in itertools.product([0.0, 1.0], repeat=n_visible)
        if all(sum(v[i] for i in g) == 1 for g in groups)
    ]
    return np.array(rows)


def grouped_rbm(n_visible, n_hidden, groups, seed, scale=1.0, dtype=np.float64) -> RBM:
    gen = np.random.default_rng(seed)
    return RBM.from_params(
        scale * gen.standard_normal((n_visible, n_hidden)),
        scale * gen.standard_normal(n_visible),
        scale * gen.standard_normal(n_hidden),
        softmax_groups=groups,
        dtype=dtype,
    )


def joint(rbm: RBM) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Valid visible states, all hidden states, and -E(v, h) for every pair."""
    vs = valid_states(rbm.n_visible, [g.tolist() for g in rbm.softmax_groups])
    hs = np.array(list(itertools.product([0.0, 1.0], repeat=rbm.n_hidden)))
    w, a, b = (x.astype(float) for x in (rbm.weights, rbm.visible_bias, rbm.hidden_bias))
    neg_e = np.array([[v @ w @ h + a @ v + b @ h for h in hs] for v in vs])
    return vs, hs, neg_e


def exact_visible(rbm: RBM) -> tuple[np.ndarray, np.ndarray]:
    """The valid visible states and their exact probabilities."""
    vs, _, neg_e = joint(rbm)
    log_p = logsumexp(neg_e, axis=1)
    return vs, np.exp(log_p - logsumexp(log_p))


def state_index(samples: np.ndarray, vs: np.ndarray) -> np.ndarray:
    """Row of ``vs`` equal to each sample; fails the test on any invalid (not one-hot) state."""
    lookup = {tuple(v): i for i, v in enumerate(vs)}
    index = [lookup.get(tuple(s)) for s in np.asarray(samples, dtype=float)]
    assert None not in index, "a sample is not one-hot in its softmax groups"
    return np.array(index)


def chi_square_p(samples: np.ndarray, vs: np.ndarray, probs: np.ndarray) -> float:
    counts = np.bincount(state_index(samples, vs), minlength=len(vs))
    expected = probs * len(samples)
    big = expected >= 5  # pool the rare states, if any, into one cell
    obs, exp = counts[big], expected[big]
    if not np.all(big):
        obs = np.append(obs, counts[~big].sum())
        exp = np.append(exp, expected[~big].sum())
    return float(stats.chisquare(obs, exp).pvalue)


def combined_p(p_values) -> float:
    return float(stats.combine_pvalues(p_values).pvalue)


GROUPS = [(0, 3), [6, 4]]  # a 3-class group and a 2-class group given out of order


# -- energies and the partition function -----------------------------------------------------------
def test_free_energy_is_minus_log_sum_over_hidden():
    rbm = grouped_rbm(7, 4, GROUPS, seed=1, scale=1.5)
    vs, _, neg_e = joint(rbm)
    np.testing.assert_allclose(rbm.free_energy(vs), -logsumexp(neg_e, axis=1), rtol=1e-12)
    # probability rows in a group (a mean-field label) use the same formula
    v = vs[:1].copy()
    v[0, :3] = [0.2, 0.3, 0.5]
    w, a, b = rbm.weights, rbm.visible_bias, rbm.hidden_bias
    expected = -(v @ a) - np.logaddexp(0.0, v @ w + b).sum(axis=1)
    np.testing.assert_allclose(rbm.free_energy(v), expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("shape", "layer"),
    [((9, 3), "hidden"), ((7, 9), "visible")],  # 2**3 < 3*2*2**4 states; 2**9 > 48
)
def test_exact_log_z_enumerates_only_valid_states(shape, layer, monkeypatch):
    rbm = grouped_rbm(*shape, [(0, 3), [8, 5] if shape[0] == 9 else [6, 5]], seed=2)
    assert metrics.enumerated_layer(rbm) == layer
    brute = float(logsumexp(joint(rbm)[2]))
    assert metrics.rbm_log_partition(rbm) == pytest.approx(brute, abs=1e-10)
    # in many small blocks: the mixed-radix state table is split across blocks
    monkeypatch.setattr(metrics, "_BLOCK_ELEMENTS", 30)
    assert metrics.rbm_log_partition(rbm) == pytest.approx(brute, abs=1e-10)
    # ignoring the groups gives another number: the test can tell
    plain = RBM.from_params(rbm.weights, rbm.visible_bias, rbm.hidden_bias)
    assert abs(metrics.rbm_log_partition(plain) - brute) > 0.1


def test_likelihood_gradient_and_pseudo_likelihood_match_brute_force():
    rbm = grouped_rbm(7, 3, GROUPS, seed=3)
    vs, hs, neg_e = joint(rbm)
    log_p = logsumexp(neg_e, axis=1) - logsumexp(neg_e)
    data = vs[[0, 5, 5, 11, 17, 23]]
    idx = state_index(data, vs)
    assert metrics.log_likelihood(rbm, data) == pytest.approx(log_p[idx].mean(), abs=1e-10)

    # gradient: <v q^T>_data - <v h^T>_model, the model moments from the joint table
    p_joint = np.exp(neg_e - logsumexp(neg_e))  # (n_v, n_h)
    q = 1.0 / (1.0 + np.exp(-(data @ rbm.weights + rbm.hidden_bias)))
    grad = metrics.log_likelihood_gradient(rbm, data)
    np.testing.assert_allclose(
        grad.weights, data.T @ q / len(data) - vs.T @ p_joint @ hs, atol=1e-10
    )
    np.testing.assert_allclose(
        grad.visible_bias, data.mean(axis=0) - p_joint.sum(axis=1) @ vs, atol=1e-10
    )
    np.testing.assert_allclose(
        grad.hidden_bias, q.mean(axis=0) - p_joint.sum(axis=0) @ hs, atol=1e-10
    )

    # pseudo-likelihood: single flips of the free units, the whole conditional of each group
    lookup = {tuple(v): i for i, v in enumerate(vs)}
    expected = 0.0
    for v in data:
        here = log_p[lookup[tuple(v)]]
        for i in rbm.free_units:
            flipped = v.copy()
            flipped[i] = 1 - flipped[i]
            expected += here - np.logaddexp(here, log_p[lookup[tuple(flipped)]])
        for g in rbm.softmax_groups:
            others = []
            for k in g:
                u = v.copy()
                u[g] = 0.0
                u[k] = 1.0
                others.append(log_p[lookup[tuple(u)]])
            expected += here - logsumexp(others)
    assert metrics.pseudo_likelihood(rbm, data) == pytest.approx(expected / len(data), abs=1e-10)


def test_reconstruction_uses_the_softmax_mean():
    rbm = grouped_rbm(7, 3, GROUPS, seed=4)
    vs, _ = exact_visible(rbm)
    h = rbm.hidden_probabilities(vs)
    x = h @ rbm.weights.T + rbm.visible_bias
    mean = rbm.visible_mean(h)
    for g in rbm.softmax_groups:
        np.testing.assert_allclose(
            mean[:, g], np.exp(x[:, g] - logsumexp(x[:, g], axis=1)[:, None])
        )
    free = rbm.free_units
    np.testing.assert_allclose(mean[:, free], 1.0 / (1.0 + np.exp(-x[:, free])))
    expected = float(np.mean((vs - mean) ** 2))
    assert metrics.reconstruction_error(rbm, vs) == pytest.approx(expected, rel=1e-12)


# -- sampling --------------------------------------------------------------------------------------
def test_gibbs_sampling_matches_the_exact_distribution():
    rbm = grouped_rbm(6, 3, [(0, 3), (3, 5)], seed=5, scale=1.2)
    vs, probs = exact_visible(rbm)
    p_values = [
        chi_square_p(rbm.sample(4000, n_steps=30, rng=seed), vs, probs) for seed in range(3)
    ]
    assert combined_p(p_values) > 1e-3
    # power: the same samples are rejected against the model with the two classes of the
    # second group swapped (a mix-up of the class order)
    swap = [0, 1, 2, 4, 3, 5]
    other = RBM.from_params(
        rbm.weights[swap], rbm.visible_bias[swap], rbm.hidden_bias, softmax_groups=[(0, 3), (3, 5)]
    )
    _, wrong = exact_visible(other)
    assert chi_square_p(rbm.sample(4000, n_steps=30, rng=0), vs, wrong) < 1e-6


def test_noise_start_is_one_hot_and_uniform_over_classes():
    rbm = RBM(6, 2, softmax_groups=[(1, 5)])
    v = rbm.sample(4000, n_steps=0, rng=0)
    group = v[:, 1:5]
    assert np.all(group.sum(axis=1) == 1)
    counts = group.sum(axis=0)
    assert stats.chisquare(counts).pvalue > 1e-3


def test_clamped_image_samples_the_exact_label_distribution():
    # Gibbs with the pixels clamped samples p(label, h | pixels): its labels follow the exact
    # label_probabilities, which themselves match the joint table
    rbm = grouped_rbm(7, 3, [(4, 7)], seed=6, scale=1.5)
    pixels = np.array([1.0, 0.0, 1.0, 1.0])
    vs, _, neg_e = joint(rbm)
    rows = np.all(vs[:, :4] == pixels, axis=1)
    log_p = logsumexp(neg_e[rows], axis=1)
    exact = np.exp(log_p - logsumexp(log_p))  # classes in the order of the group's units
    labels = vs[rows][:, 4:].argmax(axis=1)
    exact = exact[np.argsort(labels)]
    np.testing.assert_allclose(rbm.label_probabilities(pixels), exact[None], rtol=1e-12)

    init = np.tile(np.append(pixels, [1.0, 0.0, 0.0]), (6000, 1))
    clamp = np.array([True] * 4 + [False] * 3)
    out = rbm.sample(init=init, n_steps=20, clamp=clamp, rng=0)
    assert np.all(out[:, :4] == pixels)
    counts = out[:, 4:].sum(axis=0)
    assert stats.chisquare(counts, exact * len(out)).pvalue > 1e-3
    assert stats.chisquare(counts, np.full(3, len(out) / 3)).pvalue < 1e-6  # power


def test_label_probabilities_match_brute_force_and_are_stable():
    rbm = grouped_rbm(8, 4, [(2, 6)], seed=7, scale=2.0)
    vs, _, neg_e = joint(rbm)
    log_pv = logsumexp(neg_e, axis=1)
    rest = [0, 1, 6, 7]
    images = np.unique(vs[:, rest], axis=0)
    expected = []
    for x in images:
        rows = np.all(vs[:, rest] == x, axis=1)
        lp = log_pv[rows][np.argsort(vs[rows][:, 2:6].argmax(axis=1))]
        expected.append(np.exp(lp - logsumexp(lp)))
    got = rbm.label_probabilities(images)  # the other units only
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    full = np.zeros((len(images), 8))
    full[:, rest] = images
    full[:, 2:6] = 0.25  # the label columns of full rows are ignored
    np.testing.assert_allclose(rbm.label_probabilities(full), expected, rtol=1e-10)
    np.testing.assert_array_equal(rbm.predict_label(images), np.argmax(expected, axis=1))
    # float32 stays float32; huge weights neither overflow nor lose the normalisation
    rbm32 = RBM.from_params(
        rbm.weights, rbm.visible_bias, rbm.hidden_bias, softmax_groups=[(2, 6)], dtype=np.float32
    )
    assert rbm32.label_probabilities(images).dtype == np.float32
    np.testing.assert_allclose(rbm32.label_probabilities(images), expected, atol=1e-5)
    huge = RBM.from_params(
        rbm.weights * 1e4, rbm.visible_bias, rbm.hidden_bias, softmax_groups=[(2, 6)]
    )
    with np.errstate(over="raise", invalid="raise"):
        p = huge.label_probabilities(images)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)


def test_negative_phase_chains_sample_the_exact_distribution():
    # the persistent chains of contrastive_gradient are the training kernel's own sampler
    rbm = grouped_rbm(6, 3, [(0, 3), (3, 5)], seed=8, scale=1.2)
    vs, probs = exact_visible(rbm)
    start = np.tile(vs[0], (4000, 1))
    p_values = []
    for seed in range(3):
        _, chains = contrastive_gradient(rbm, vs[:2], k=30, chains=start, rng=seed)
        p_values.append(chi_square_p(chains, vs, probs))
    assert combined_p(p_values) > 1e-3
    _, chains = contrastive_gradient(rbm, vs[:2], k=1, chains=start, rng=0)
    assert chi_square_p(chains, vs, probs) < 1e-6  # one step from one state: rejected


def test_parallel_tempering_replicas_sample_the_exact_distribution():
    rbm = grouped_rbm(6, 3, [(0, 3), (3, 5)], seed=9, scale=1.5)
    vs, probs = exact_visible(rbm)
    n_chains = 4000
    kernel = Kernel(rbm, 1, n_chains, np.random.default_rng(10))
    tempering = Replicas(kernel, np.linspace(0.0, 1.0, 4))
    tempering.init_chains(vs[:1], np.zeros(4 * n_chains, dtype=int))
    tempering.negative(30)
    assert chi_square_p(kernel.v[1 : 1 + n_chains], vs, probs) > 1e-3
    # every replica, hot ones included, stays one-hot in its groups
    state_index(tempering.v, vs)
    # at beta = 0 a group is uniform over its classes
    cold_free = Replicas(Kernel(rbm, 1, n_chains, np.random.default_rng(11)), np.array([0.0, 1.0]))
    cold_free.init_chains(vs[:1], np.zeros(2 * n_chains, dtype=int))
    cold_free.negative(1)
    hot = cold_free.v[cold_free.temperature_of.ravel() == 0]
    assert stats.chisquare(hot[:, :3].sum(axis=0)).pvalue > 1e-3


# -- training -------------------------------------------------------------------------------------
def labelled_bars_and_stripes(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Noisy 3x3 bars (label 0) and stripes (label 1), each pixel flipped with probability
    0.05; the all-off and all-on patterns, which are both, are left out."""
    patterns = bars_and_stripes(3)
    images = patterns.reshape(-1, 3, 3)
    bars = np.array([np.all(x == x[:, :1]) for x in images])
    stripes = np.array([np.all(x == x[:1, :]) for x in images])
    keep = bars != stripes
    chosen = rng.integers(0, keep.sum(), n)
    flips = rng.random((n, 9)) < 0.05
    return np.abs(patterns[keep][chosen] - flips), stripes[keep][chosen].astype(int)


def test_fit_rbm_learns_to_classify_and_raises_the_likelihood():
    gen = np.random.default_rng(0)
    x_train, y_train = labelled_bars_and_stripes(600, gen)
    x_test, y_test = labelled_bars_and_stripes(300, gen)
    data = np.hstack([x_train, np.eye(2)[y_train]])
    before = data.copy()
    rbm = RBM(11, 12, rng=0, softmax_groups=[(9, 11)])
    model, history = fit_rbm(
        rbm,
        data,
        n_epochs=60,
        batch_size=10,
        learning_rate=0.2,
        momentum=0.5,
        rng=1,
        monitor=("log_likelihood",),
    )
    np.testing.assert_array_equal(data, before)
    assert model.softmax_groups[0].tolist() == [9, 10]
    accuracy = np.mean(model.predict_label(x_test) == y_test)
    assert accuracy > 0.9  # chance is about 0.5
    initial = metrics.log_likelihood(rbm, data)
    assert history["log_likelihood"][-1] > initial + 1.0
    assert history["log_likelihood"][-1] == pytest.approx(metrics.log_likelihood(model, data))


def test_visible_bias_of_a_group_starts_at_the_log_class_frequencies():
    data = np.array([[1, 1, 0, 0], [0, 1, 0, 0], [1, 0, 0, 1], [1, 1, 0, 0]], dtype=float)
    rbm = RBM(4, 2, softmax_groups=[(1, 4)])
    model, _ = fit_rbm(rbm, data, n_epochs=1, learning_rate=1e-12, monitor=())
    p0 = np.clip(0.75, 1e-3, 1 - 1e-3)
    expected = [np.log(p0 / (1 - p0)), np.log(0.75), np.log(1e-3), np.log(0.25)]
    np.testing.assert_allclose(model.visible_bias, expected, atol=1e-9)


@pytest.mark.parametrize("method", ["cd", "pcd", "pt"])
def test_every_method_accepts_one_hot_data_and_rejects_the_rest(method):
    gen = np.random.default_rng(1)
    x, y = labelled_bars_and_stripes(40, gen)
    data = np.hstack([x, np.eye(2)[y]])
    _, history = fit_rbm(
        RBM(11, 4, softmax_groups=[(9, 11)]),
        data,
        method=method,
        n_epochs=2,
        batch_size=10,
        monitor=("pseudo_likelihood", "log_likelihood"),
    )
    assert np.all(np.isfinite(history["pseudo_likelihood"] + history["log_likelihood"]))
    bad = data.copy()
    bad[3, 9:] = 1.0
    with pytest.raises(ValueError, match="data must have exactly one unit on in each softmax"):
        fit_rbm(RBM(11, 4, softmax_groups=[(9, 11)]), bad, method=method, n_epochs=1)


# -- annealed importance sampling ------------------------------------------------------------------
def test_ais_base_model_and_transition():
    rbm = grouped_rbm(7, 3, GROUPS, seed=12)
    a0 = np.array([0.5, -1.0, 0.0, 0.3, 2.0, -0.2, 1.0])
    path = RBMPath(rbm, base_visible_bias=a0)
    # log Z_0 by hand: 3 hidden units, free units 3 and 5, groups (0, 1, 2) and (6, 4)
    by_hand = (
        3 * np.log(2.0)
        + np.logaddexp(0, 0.3)
        + np.logaddexp(0, -0.2)
        + logsumexp([0.5, -1.0, 0.0])
        + logsumexp([1.0, 2.0])
    )
    assert path.log_z_base == pytest.approx(by_hand, abs=1e-12)
    assert metrics.rbm_log_partition(path.intermediate(0.0)) == pytest.approx(by_hand, abs=1e-12)
    vs = valid_states(7, [g.tolist() for g in rbm.softmax_groups])
    log_base = vs @ a0
    base = np.exp(log_base - logsumexp(log_base))
    assert chi_square_p(path.sample_base(20000, np.random.default_rng(0)), vs, base) > 1e-3
    # one transition at beta = 0.6 from exact samples of p_beta leaves p_beta invariant
    log_p = path.log_unnormalized(vs, 0.6)
    p = np.exp(log_p - logsumexp(log_p))
    gen = np.random.default_rng(1)
    start = vs[gen.choice(len(vs), size=20000, p=p)]
    after = path.transition(start, 0.6, gen)
    assert chi_square_p(after, vs, p) > 1e-3
    assert chi_square_p(after, vs, base) < 1e-6  # power


def test_ais_and_reverse_ais_bracket_the_exact_log_z():
    rbm = grouped_rbm(10, 6, [(0, 3), [9, 5, 7, 8]], seed=13)
    exact = metrics.rbm_log_partition(rbm)
    data = rbm.sample(200, n_steps=100, rng=0)
    a0 = base_rate_bias(data, softmax_groups=rbm.softmax_groups)
    forward = ais(rbm, n_runs=200, n_betas=1000, rng=1, base_visible_bias=a0)
    backward = reverse_ais(rbm, data, n_betas=1000, rng=2, base_visible_bias=a0)
    assert forward.log_z_low <= exact <= forward.log_z_high
    assert backward.log_z_low <= exact <= backward.log_z_high


def test_base_rate_bias_of_a_group_is_log_class_frequency():
    data = np.array([[1, 0, 1, 0], [0, 0, 1, 0], [1, 0, 0, 1], [1, 1, 0, 0]], dtype=float)
    a0 = base_rate_bias(data, pseudo_count=1.0, softmax_groups=[(1, 4)])
    # unit 0: p = (3 + 1) / (4 + 2); group (1, 2, 3): p = (1 + 1, 2 + 1, 1 + 1) / (4 + 3)
    np.testing.assert_allclose(a0, [np.log(2.0), np.log(2 / 7), np.log(3 / 7), np.log(2 / 7)])


# -- the model object ------------------------------------------------------------------------------
def test_copy_params_repr_and_one_hot_checks():
    rbm = RBM(8, 3, rng=0, softmax_groups=[[7, 2, 3], (0, 2)])
    assert [g.tolist() for g in rbm.softmax_groups] == [[7, 2, 3], [0, 1]]
    assert rbm.free_units.tolist() == [4, 5, 6]
    assert repr(rbm).endswith("softmax_groups=[[7, 2, 3], (0, 2)])")
    params = rbm.get_params()
    assert params["softmax_units"].tolist() == [7, 2, 3, 0, 1]
    assert params["softmax_sizes"].tolist() == [3, 2]
    assert "softmax_units" not in RBM(4, 2).get_params()
    twin = rbm.copy()
    twin.visible_bias[0] = 5.0
    assert rbm.visible_bias[0] == 0.0 and twin.softmax_groups is rbm.softmax_groups
    with pytest.raises(ValueError):
        rbm.softmax_groups[0][0] = 1  # read-only
    v = np.array([[1, 0, 0, 1, 0, 0, 0, 0]], dtype=float)
    assert rbm.free_energy(v).shape == (1,)  # one-hot: accepted
    soft = v.copy()
    soft[0, [7, 2, 3]] = [0.5, 0.25, 0.25]
    assert rbm.free_energy(soft).shape == (1,)  # probabilities summing to 1: accepted
    with pytest.raises(ValueError, match=r"row 0 summing to 2 over softmax_groups\[0\]"):
        rbm.free_energy([[1, 0, 1, 1, 0, 0, 0, 0]])
    with pytest.raises(ValueError, match=r"summing to 0 over softmax_groups\[1\]"):
        rbm.hidden_probabilities([[0, 0, 1, 0, 0, 0, 0, 0]])
    with pytest.raises(ValueError, match="exactly one unit on"):
        metrics.log_likelihood(RBM(4, 2, softmax_groups=[(0, 2)]), [[1, 1, 0, 0]])


@pytest.mark.parametrize(
    ("groups", "error", "match"),
    [
        ([(0, 1)], ValueError, r"softmax_groups\[0\] must hold at least 2 visible units"),
        ([(0, 3), [2, 4]], ValueError, "softmax_groups must be disjoint, got visible unit 2"),
        ([(2, 9)], ValueError, r"0 <= start <= stop <= n_visible = 6, got \(2, 9\)"),
        ([[0, 6]], ValueError, r"visible indices in \[0, 6\).*got 6"),
        ([[-1, 2]], ValueError, "got -1"),
        ([[1, 1, 2]], ValueError, "must not repeat a visible unit, got unit 1"),
        ([(0, 2.5)], ValueError, r"\(start, stop\) pair of ints.*\(0, 2.5\)"),
        ([3, 4], TypeError, r"softmax_groups\[0\] must be a \(start, stop\) pair"),
        ("ab", TypeError, "softmax_groups must be a sequence of groups"),
        (5, TypeError, "softmax_groups must be a sequence of groups"),
        ([[0.0, 1.0]], TypeError, "list of int visible indices"),
    ],
)
def test_bad_groups_are_named(groups, error, match):
    with pytest.raises(error, match=match):
        RBM(6, 2, softmax_groups=groups)


def test_bad_uses_are_named():
    with pytest.raises(ValueError, match="softmax_groups needs Bernoulli visible units"):
        RBM(6, 2, "gaussian", softmax_groups=[(0, 2)])
    rbm = RBM(6, 2, softmax_groups=[(4, 6)])
    init = np.array([[1, 0, 1, 0, 1, 0]], dtype=float)
    with pytest.raises(ValueError, match="partly clamped"):
        rbm.sample(init=init, n_steps=1, clamp=[False] * 5 + [True])
    with pytest.raises(ValueError, match="needs a softmax group"):
        RBM(6, 2).label_probabilities(init)
    with pytest.raises(ValueError, match="group must be <= 0"):
        rbm.label_probabilities(init, group=1)
    with pytest.raises(ValueError, match=r"v must have 6 columns .* or 4"):
        rbm.label_probabilities(np.ones((2, 5)))
    with pytest.raises(ValueError, match=r"never occurs in data"):
        base_rate_bias([[1, 0, 0], [1, 0, 0]], pseudo_count=0.0, softmax_groups=[(0, 3)])
