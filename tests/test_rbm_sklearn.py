"""BernoulliRBM as a drop-in for scikit-learn's: sparse input, dtypes, h_samples_, feature
names, verbose lines, n_iter=0."""

from __future__ import annotations

import re
import tracemalloc

import numpy as np
import pytest
from scipy import sparse

import energynets as en
from energynets.estimators import BernoulliRBM, GaussianRBM, NotFittedError


@pytest.fixture(scope="module")
def grey():
    """300 digits as grey levels in [0, 1] (about half of the pixels exactly 0)."""
    X, _ = en.datasets.load_digits()
    return X[:300] / 16.0


# -- sparse input ------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["pcd", "cd", "pt"])
@pytest.mark.parametrize("to_sparse", [sparse.csr_matrix, sparse.csc_array, sparse.lil_matrix])
def test_sparse_and_dense_input_give_the_same_model(grey, method, to_sparse):
    def fitted(X):
        rbm = BernoulliRBM(n_components=12, batch_size=16, n_iter=3, method=method, k=2)
        return rbm.set_params(random_state=5, momentum=0.5).fit(X)

    dense, csr = fitted(grey), fitted(to_sparse(grey))
    for name in ("components_", "intercept_hidden_", "intercept_visible_"):
        np.testing.assert_allclose(getattr(csr, name), getattr(dense, name), rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(csr.h_samples_, dense.h_samples_)
    np.testing.assert_allclose(csr.transform(to_sparse(grey)), dense.transform(grey), rtol=1e-9)
    np.testing.assert_allclose(
        csr.score_samples(to_sparse(grey)), dense.score_samples(grey), rtol=1e-9
    )
    np.testing.assert_allclose(csr.score_samples(grey), dense.score_samples(grey), rtol=1e-9)


def test_sparse_partial_fit_and_gibbs_match_dense(grey):
    dense = BernoulliRBM(n_components=8, batch_size=10, random_state=2)
    csr = BernoulliRBM(n_components=8, batch_size=10, random_state=2)
    for rows in (slice(0, 50), slice(50, 120), slice(120, 130)):
        dense.partial_fit(grey[rows])
        csr.partial_fit(sparse.csr_matrix(grey[rows]))
    np.testing.assert_allclose(csr.components_, dense.components_, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(csr.h_samples_, dense.h_samples_)
    np.testing.assert_array_equal(csr.gibbs(sparse.csr_matrix(grey[:7])), dense.gibbs(grey[:7]))


def test_a_wide_sparse_input_trains_without_being_densified():
    """1% of 1000 x 100,000 entries: the dense array would take 800 MB."""
    n, n_features = 1000, 100_000
    X = sparse.random(
        n, n_features, density=0.01, format="csr", rng=np.random.default_rng(0),
        data_rvs=np.ones,
    )  # fmt: skip
    dense_bytes = n * n_features * 8
    tracemalloc.start()
    try:
        model = BernoulliRBM(n_components=4, batch_size=10, n_iter=1, random_state=0).fit(X)
        model.partial_fit(X[:200])
        features = model.transform(X)
        scores = model.score_samples(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert features.shape == (n, 4) and np.all(np.isfinite(scores))
    assert model.h_samples_.shape == (10, 4)
    # the model (the weights and their gradient buffers, 3.2 MB each) and the dense negative
    # particles (10 rows, 8 MB each buffer), about 50 MB; not the data
    assert peak < dense_bytes / 10, (peak, dense_bytes)


def test_sparse_input_errors_name_the_argument(grey):
    with pytest.raises(ValueError, match=r"X must lie in \[0, 1\]"):
        BernoulliRBM(n_iter=1).fit(sparse.csr_matrix(grey * 2))
    with pytest.raises(TypeError, match="X must be a dense array"):
        GaussianRBM(n_iter=1).fit(sparse.csr_matrix(grey))
    with pytest.raises(ValueError, match="sparsity_target needs dense data"):
        en.fit_rbm(en.RBM(64, 4), sparse.csr_matrix(grey), sparsity_target=0.1, sparsity_cost=0.1)
    with pytest.raises(ValueError, match="finite"):
        BernoulliRBM(n_iter=1).fit(sparse.csr_matrix([[0.0, np.nan], [1.0, 0.0]]))


# -- dtypes --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("dtype_in", "dtype_out"),
    [
        (np.float32, np.float32),
        (np.float64, np.float64),
        (np.int64, np.float64),
        (bool, np.float64),
    ],
)
@pytest.mark.parametrize("as_sparse", [False, True])
def test_the_dtype_of_x_is_kept(grey, dtype_in, dtype_out, as_sparse):
    X = (grey > 0.5).astype(dtype_in)
    X_in = sparse.csr_matrix(X) if as_sparse else X
    model = BernoulliRBM(n_components=6, batch_size=20, n_iter=2, random_state=0)
    features = model.fit_transform(X_in)
    for value in (features, model.components_, model.intercept_hidden_,
                  model.intercept_visible_, model.h_samples_, model.transform(X_in),
                  model.gibbs(X_in), model.score_samples(X_in)):  # fmt: skip
        assert value.dtype == dtype_out
    model.partial_fit(X_in)
    assert model.components_.dtype == dtype_out


# -- attributes and methods of scikit-learn's ----------------------------------------------------
def test_h_samples_are_the_persistent_chains(grey):
    model = BernoulliRBM(n_components=5, batch_size=25, n_iter=2, random_state=0).fit(grey)
    assert model.h_samples_.shape == (25, 5)
    assert set(np.unique(model.h_samples_)) <= {0.0, 1.0}
    # fewer rows than batch_size: still batch_size chains, as scikit-learn keeps
    small = BernoulliRBM(n_components=5, batch_size=25, n_iter=2, random_state=0).fit(grey[:4])
    assert small.h_samples_.shape == (25, 5)


def test_get_feature_names_out(grey):
    model = BernoulliRBM(n_components=3, n_iter=1, random_state=0)
    with pytest.raises(NotFittedError):
        model.get_feature_names_out()
    names = model.fit(grey).get_feature_names_out()
    assert names.dtype == object and names.tolist() == [f"bernoullirbm{i}" for i in range(3)]
    assert model.get_feature_names_out([f"x{i}" for i in range(64)]).tolist() == names.tolist()
    with pytest.raises(ValueError, match="input_features should have length equal"):
        model.get_feature_names_out(["a", "b"])
    assert GaussianRBM(2, n_iter=1).fit(grey).get_feature_names_out().tolist() == [
        "gaussianrbm0",
        "gaussianrbm1",
    ]


def test_verbose_prints_scikit_learns_line_without_changing_the_training(grey, capsys):
    quiet = BernoulliRBM(n_components=4, n_iter=2, random_state=0).fit(grey)
    loud = BernoulliRBM(n_components=4, n_iter=2, random_state=0, verbose=1).fit(grey)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    for i, line in enumerate(lines, start=1):
        assert re.fullmatch(
            rf"\[BernoulliRBM\] Iteration {i}, pseudo-likelihood = -?\d+\.\d\d, time = "
            r"\d+\.\d\ds",
            line,
        ), line
    np.testing.assert_array_equal(loud.components_, quiet.components_)


def test_n_iter_zero_leaves_the_initial_parameters(grey):
    model = BernoulliRBM(n_components=4, n_iter=0, random_state=0).fit(grey)
    gen = np.random.default_rng(0)
    np.testing.assert_array_equal(model.components_, en.RBM(64, 4, rng=gen).weights.T)
    assert model.n_iter_ == 0 and model.h_samples_.shape == (10, 4)
    assert model.transform(grey).shape == (300, 4)


def test_scikit_learns_private_helpers(grey):
    """_mean_hiddens, _sample_hiddens, _sample_visibles and _free_energy, which scikit-learn's
    own tests call."""
    model = BernoulliRBM(n_components=4, n_iter=1, random_state=0).fit(grey)
    rbm = model.rbm_
    np.testing.assert_array_equal(model._mean_hiddens(grey), model.transform(grey))
    np.testing.assert_allclose(model._mean_hiddens(grey[0]), rbm.hidden_probabilities(grey[0])[0])
    np.testing.assert_allclose(model._free_energy(grey), rbm.free_energy(grey))
    h = model._sample_hiddens(grey[:3], np.random.RandomState(0))
    assert h.shape == (3, 4) and h.dtype == bool
    assert model._sample_visibles(h, np.random.default_rng(0)).shape == (3, 64)


class _Frame:
    """A data frame as far as the estimators look: ``columns`` and ``__array__``."""

    def __init__(self, values, columns):
        self.values, self.columns = values, list(columns)

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.values, dtype=dtype)


def test_feature_names_in_from_a_data_frame(grey):
    columns = [f"pixel{i}" for i in range(64)]
    model = BernoulliRBM(n_components=3, n_iter=1, random_state=0).fit(_Frame(grey, columns))
    assert model.feature_names_in_.dtype == object
    assert model.feature_names_in_.tolist() == columns
    assert model.get_feature_names_out(columns).tolist() == ["bernoullirbm0", "bernoullirbm1",
                                                             "bernoullirbm2"]  # fmt: skip
    with pytest.raises(ValueError, match="input_features is not equal to feature_names_in_"):
        model.get_feature_names_out([f"x{i}" for i in range(64)])
    features = model.transform(_Frame(grey, columns))
    with pytest.warns(UserWarning, match="X does not have valid feature names, but"):
        np.testing.assert_array_equal(model.transform(grey), features)
    with pytest.raises(ValueError, match="The feature names should match"):
        model.transform(_Frame(grey, columns[::-1]))
    with pytest.warns(UserWarning, match="X has feature names, but BernoulliRBM was fitted"):
        BernoulliRBM(3, n_iter=1).fit(grey).transform(_Frame(grey, columns))
    # names that are not all strings are not recorded; mixed with strings, a TypeError
    assert not hasattr(model.fit(_Frame(grey, range(64))), "feature_names_in_")
    with pytest.raises(TypeError, match="Feature names are only supported if all"):
        model.fit(_Frame(grey, ["a", *range(63)]))
