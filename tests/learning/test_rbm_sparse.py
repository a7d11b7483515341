"""fit_rbm on scipy.sparse data (the same model as on the dense copy, to rounding) and the
persistent chains passed in (``chains``) and read back (``rbm_training``)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from scipy import sparse

import energynets as en
from energynets.learning.contrastive import fit_rbm, rbm_training


@pytest.fixture(scope="module")
def grey():
    X, _ = en.datasets.load_digits()
    return X[:200] / 16.0


@pytest.mark.parametrize(
    "options",
    [
        dict(method="cd", k=2),
        dict(method="pcd", momentum=0.5, weight_decay=1e-3, l1=1e-4),
        dict(method="pcd", fast_weights=True),
        dict(method="pcd", centering=True),
        dict(method="pt", n_temperatures=3),
    ],
    ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()),
)
def test_sparse_data_train_the_model_the_dense_copy_trains(grey, options):
    def fitted(X):
        model, history = fit_rbm(
            en.RBM(64, 7, rng=3), X, n_epochs=2, batch_size=15, learning_rate=0.05, rng=3,
            validation_data=X[:20], **options,
        )  # fmt: skip
        return model, history

    (dense, h_dense), (csr, h_csr) = fitted(grey), fitted(sparse.csr_array(grey))
    for name in ("weights", "visible_bias", "hidden_bias"):
        np.testing.assert_allclose(
            getattr(csr, name), getattr(dense, name), rtol=1e-9, atol=1e-12, err_msg=name
        )
    # the monitors see the same rows
    np.testing.assert_allclose(h_csr["free_energy_train"], h_dense["free_energy_train"])
    np.testing.assert_allclose(h_csr["free_energy_gap"], h_dense["free_energy_gap"])


def test_sparse_float32_and_integer_data(grey):
    bits = (grey > 0.5).astype(np.int64)
    dense, _ = fit_rbm(en.RBM(64, 4, rng=0, dtype=np.float32), bits, n_epochs=1, rng=0)
    csr, _ = fit_rbm(
        en.RBM(64, 4, rng=0, dtype=np.float32), sparse.csr_matrix(bits), n_epochs=1, rng=0
    )
    assert csr.weights.dtype == np.float32
    np.testing.assert_allclose(csr.weights, dense.weights, rtol=1e-5, atol=1e-7)


def test_sparse_data_errors_name_the_argument(grey):
    X = sparse.csr_matrix(grey)
    with pytest.raises(TypeError, match="data may be a scipy.sparse matrix only for Bernoulli"):
        fit_rbm(en.RBM(64, 3, "gaussian"), X)
    with pytest.raises(ValueError, match=r"data must lie in \[0, 1\].*got values in \[0, 2\]"):
        fit_rbm(en.RBM(64, 3), X * 2)
    with pytest.raises(ValueError, match=r"data must lie in \[0, 1\].*got values in \[-1, 0\]"):
        fit_rbm(en.RBM(64, 3), -X)
    with pytest.raises(ValueError, match=r"data must have 63 columns.*got shape \(200, 64\)"):
        fit_rbm(en.RBM(63, 3), X)
    with pytest.raises(ValueError, match="sparsity_target needs dense data"):
        fit_rbm(en.RBM(64, 3), X, sparsity_target=0.1, sparsity_cost=0.1)


def _run(grey, chains=None, **options):
    arguments = {
        name: p.default
        for name, p in inspect.signature(fit_rbm).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    arguments.update(method="pcd", n_epochs=1, batch_size=20, rng=1, monitor=(), chains=chains)
    arguments.update(options)
    return rbm_training(en.RBM(64, 5, rng=1), grey, **arguments)


def test_the_chains_are_read_back_and_continued(grey):
    run = _run(grey)
    chains = run.negative.hidden_chains()
    assert chains.shape == (20, 5) and set(np.unique(chains)) <= {0.0, 1.0}
    # the chains are the kernel's persistent hidden states: a copy
    np.testing.assert_array_equal(chains, run.kernel.hs[:20])
    chains_0 = np.zeros((20, 5))
    a = _run(grey, chains=chains_0).model
    b = _run(grey, chains=chains_0).model
    c = _run(grey, chains=np.ones((20, 5))).model
    np.testing.assert_array_equal(a.weights, b.weights)
    assert not np.array_equal(a.weights, c.weights)
    assert _run(grey, method="pt", n_temperatures=2).negative.hidden_chains().shape == (20, 5)


@pytest.mark.parametrize(
    ("chains", "options", "message"),
    [
        (np.zeros((3, 5)), {}, r"chains must have shape \(n_chains, n_hidden\) = \(20, 5\)"),
        (np.full((20, 5), 0.5), {}, "chains must hold 0/1"),
        (np.zeros((20, 5)), {"method": "cd"}, "chains applies to method 'pcd' only"),
    ],
)
def test_bad_chains_name_the_argument(grey, chains, options, message):
    with pytest.raises(ValueError, match=message):
        fit_rbm(en.RBM(64, 5), grey, batch_size=20, chains=chains, **{"method": "pcd", **options})
