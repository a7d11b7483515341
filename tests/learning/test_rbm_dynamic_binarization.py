"""fit_rbm(dynamic_binarization=True): every visit of a training row is a fresh binary sample
of its grey levels, so the model learns the distribution of the binarized data.

The oracle is exact: the grey rows define the target distribution over the 2^4 binary states
(the mean over rows of products of Bernoulli(x_i)), which an RBM with one hidden unit already
represents exactly; the model's distribution is enumerated.
"""

import itertools

import numpy as np
import pytest
import scipy.sparse
from scipy import stats

import energynets as en
from energynets.datasets import binarize
from energynets.learning._rbm_kernel import Kernel
from energynets.metrics import rbm_log_partition

GREY = np.array([[0.9, 0.8, 0.1, 0.2], [0.1, 0.2, 0.9, 0.7]])
STATES = np.array(list(itertools.product([0.0, 1.0], repeat=4)))


def _target():
    rows = np.where(STATES[:, None, :] == 1, GREY[None], 1 - GREY[None]).prod(axis=2)
    return rows.mean(axis=1)


def _kl_from_target(rbm):
    log_p = -rbm.free_energy(STATES) - rbm_log_partition(rbm)
    target = _target()
    return float(np.sum(target * (np.log(target) - log_p)))


def _fit(data, **options):
    settings = {
        "method": "pcd", "n_epochs": 3000, "batch_size": 10, "learning_rate": 0.05,
        "learning_rate_schedule": "linear", "n_chains": 100, "monitor": (), "rng": 0,
    }  # fmt: skip
    return en.fit_rbm(en.RBM(4, 4, rng=0), data, **{**settings, **options})[0]


def test_learns_the_distribution_of_the_binarized_grey_rows():
    grey = np.repeat(GREY, 50, axis=0)
    before = grey.copy()
    model = _fit(grey, dynamic_binarization=True)
    np.testing.assert_array_equal(grey, before)  # the caller's data are not touched
    assert _kl_from_target(model) < 0.01
    # one binarization, drawn once, is a sample of 100 points: the model fits it instead
    once = _fit(binarize(grey, rng=0))
    assert _kl_from_target(once) > 10 * _kl_from_target(model)


def test_each_visit_draws_fresh_bits_with_the_grey_levels_as_probabilities():
    p = np.linspace(0.05, 0.95, 8)
    data = np.tile(p, (50, 1))
    kernel = Kernel(en.RBM(8, 3, rng=0), 50, 50, np.random.default_rng(0))
    draws = []
    for _ in range(2):
        kernel.load(data, np.arange(50))
        kernel.binarize_positive(50)
        draws.append(kernel.v[:50].copy())
    assert not np.array_equal(draws[0], draws[1])
    bits = np.concatenate(draws)
    assert set(np.unique(bits)) == {0.0, 1.0}
    ones = bits.sum(axis=0)
    expected = p * bits.shape[0]
    chi2 = np.sum((ones - expected) ** 2 / (expected * (1 - p)))
    assert stats.chi2.sf(chi2, df=p.size) > 1e-3


def test_fewer_chains_than_rows_per_batch():
    # the uniforms' buffer is sized by the chains; a larger batch must still get fresh bits
    grey = np.repeat(GREY, 10, axis=0)
    model = _fit(grey, dynamic_binarization=True, n_epochs=2, n_chains=3)
    again = _fit(grey, dynamic_binarization=True, n_epochs=2, n_chains=3)
    np.testing.assert_array_equal(model.weights, again.weights)
    assert np.all(np.isfinite(model.weights))


def test_the_same_seed_gives_the_same_model():
    grey = np.repeat(GREY, 5, axis=0)
    a = _fit(grey, dynamic_binarization=True, n_epochs=3)
    b = _fit(grey, dynamic_binarization=True, n_epochs=3)
    np.testing.assert_array_equal(a.weights, b.weights)


@pytest.mark.parametrize(
    ("rbm", "data", "error", "message"),
    [
        (en.RBM(4, 2), GREY, TypeError, "dynamic_binarization must be True or False, got 1"),
        (en.RBM(4, 2, visible="gaussian"), GREY, ValueError, "got visible='gaussian'"),
        (en.RBM(4, 2, softmax_groups=[[2, 3]]), np.array([[0.5, 0.5, 1, 0]]), ValueError,
         "with softmax groups"),
        (en.RBM(4, 2), scipy.sparse.csr_matrix(GREY), ValueError, "scipy.sparse data"),
    ],
)  # fmt: skip
def test_bad_input_names_the_argument(rbm, data, error, message):
    value = 1 if error is TypeError else True
    with pytest.raises(error, match=message):
        en.fit_rbm(rbm, data, dynamic_binarization=value)
