"""Published behaviour of the classical Hopfield network at N = 1000 (see REFERENCES.md).

Random unbiased +-1 patterns, zero diagonal, load alpha = P / N. Each test draws its patterns
from one fixed seed, chosen before the test was run (never tuned until it passed); the
tolerances come from the statistics of the measured quantity, given in the comments.

References
----------
Hertz, J., Krogh, A. & Palmer, R. G. (1991). Introduction to the Theory of Neural Computation,
table 2.1. McEliece, R. J. et al. (1987). The capacity of the Hopfield associative memory.
Storkey, A. (1997). Increasing the capacity of a Hopfield network without sacrificing
functionality. Personnaz, L., Guyon, I. & Dreyfus, G. (1985). Information storage and retrieval
in spin-glass like neural networks.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import erfc

import energynets as en
from energynets.experiments.capacity import mceliece_capacity, run_capacity

N = 1000


def _store(alpha: float, rule: str, seed: int) -> tuple[np.ndarray, en.HopfieldNetwork]:
    xi = en.datasets.random_patterns(round(alpha * N), N, rng=seed)
    return xi, en.HopfieldNetwork.from_patterns(xi, rule=rule)


@pytest.mark.parametrize("alpha", [0.2, 0.3])
def test_hebbian_one_step_bit_error_follows_the_gaussian_theory(alpha):
    # P_err = 1/2 erfc(sqrt(N / (2P))): 0.0127 at alpha 0.2, 0.0339 at 0.3. With 200,000 (or
    # 300,000) stored bits the count of unstable bits is about 2,500 (10,000), so its relative
    # standard deviation is 2% (1%); finite-N corrections (signal (N-1)/N, crosstalk variance
    # (P-1)(N-1)/N^2, discreteness) shift it by about 2%. 10% is the published-number margin.
    xi, net = _store(alpha, "hebbian", seed=1000 + round(100 * alpha))
    p = xi.shape[0]
    fields = net.local_fields(xi)
    # Hebbian fields are multiples of 1/N, so any threshold in (0, 1/N) separates h < 0 from a
    # zero field (which keeps its bit) without rounding trouble
    measured = float(np.mean(xi * fields < -0.5 / N))
    theory = 0.5 * erfc(np.sqrt(N / (2 * p)))
    assert measured == pytest.approx(theory, rel=0.10)


def test_run_capacity_reports_the_same_one_step_error():
    # the experiment function measures the same quantity (with its own patterns)
    res = run_capacity(n_units=N, alphas=[0.2, 0.3], rules=["hebbian"], max_probes=2, rng=7)
    for rec in res.records:
        theory = 0.5 * erfc(np.sqrt(N / (2 * rec["n_patterns"])))
        assert rec["one_step_error"] == pytest.approx(theory, rel=0.10)
        assert rec["fraction_fixed"] == 0.0  # 1000 bits, each unstable with P >= 0.013


def test_hebbian_every_pattern_is_a_fixed_point_at_alpha_005():
    # 50 patterns, above N / (4 ln N) = 36 but below N / (2 ln N) = 72 (McEliece et al. 1987).
    # "Every pattern a fixed point" is a random event at N = 1000: each of the 50,000 stored
    # bits is unstable with probability p = Phi(-N / sqrt((P-1)(N-1))) = 3.1e-6, so the
    # number of unstable bits of one pattern set is about Poisson(0.155) and a set has every
    # pattern fixed with probability exp(-0.155) = 0.86 (0.87 measured over 400 sets). A
    # single-seed test would fail for about one seed in seven - the first seed tried here, 5,
    # is one of them, with exactly 1 unstable bit - so the claim is tested over 40
    # independent sets, with bounds that a correct network misses with probability < 0.001.
    assert mceliece_capacity(N, all_patterns=True) < 50 < mceliece_capacity(N)
    n_sets = 40
    all_fixed = 0
    unstable_bits = 0
    for seq in np.random.SeedSequence(5).spawn(n_sets):
        xi = en.datasets.random_patterns(50, N, rng=np.random.default_rng(seq))
        net = en.HopfieldNetwork.from_patterns(xi, rule="hebbian")
        fixed = net.is_fixed_point(xi)
        n_bad = int(np.sum(xi * net.local_fields(xi) < -0.5 / N))  # see the test above
        assert fixed.all() == (n_bad == 0)
        all_fixed += bool(fixed.all())
        unstable_bits += n_bad
    # Binomial(40, 0.86): P(fewer than 27 sets all fixed) = 0.0009;
    # Poisson(40 x 0.155 = 6.2): P(more than 17 unstable bits) = 0.0002
    assert all_fixed >= 27
    assert unstable_bits <= 17


def test_storkey_recalls_every_pattern_from_ten_percent_noise_at_alpha_02():
    # 200 patterns, below the Storkey capacity N / sqrt(2 ln N) = 269 (Storkey 1997)
    xi, net = _store(0.2, "storkey", seed=20)
    probes = en.corrupt(xi, 0.1, rng=21)  # exactly 100 flipped bits in each
    res = net.recall(probes, dynamics="async", max_sweeps=50, rng=22)
    assert res.converged.all()
    np.testing.assert_array_equal(res.states, xi)


def test_pseudoinverse_every_pattern_is_a_fixed_point_at_alpha_07():
    # 700 linearly independent patterns: the projector W = X^+ X maps each onto itself, and
    # removing the diagonal scales field i by 1 - W_ii = 0.3 > 0 (Personnaz et al. 1985)
    xi, net = _store(0.7, "pseudoinverse", seed=70)
    assert np.linalg.matrix_rank(xi) == xi.shape[0]
    assert net.is_fixed_point(xi).all()
    fields = net.local_fields(xi)
    assert np.min(xi * fields) > 0.0  # strictly stable, not held by the zero-field rule
