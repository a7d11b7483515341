"""Sparse input (scipy.sparse) for MLPClassifier and MLPRegressor: a fit on a CSR matrix is the
fit on its dense copy (same seed, to rounding), for every solver and target kind, with the
mini-batches through the sparse products and through the dense buffer; the sparse kernel's
gradient is the dense kernel's on the same rows; a wide, 1%-dense input trains without being
densified."""

from __future__ import annotations

import math
import tracemalloc
import warnings

import numpy as np
import pytest

sp = pytest.importorskip("scipy.sparse")

from energynets.estimators import MLPClassifier, MLPRegressor  # noqa: E402
from energynets.learning._mlp_kernel import Kernel, SparseKernel, make_kernel  # noqa: E402
from energynets.models.mlp import MLP  # noqa: E402

SOLVERS = ("adam", "sgd", "momentum", "nesterov", "lbfgs")


@pytest.fixture(params=["sparse", "dense"])
def products(request, monkeypatch):
    """Every mini-batch through the sparse products, or (when it is not the whole data)
    through the dense buffer, whatever its density."""
    above = math.inf if request.param == "sparse" else 0.0
    monkeypatch.setattr(SparseKernel, "dense_above", above)
    return request.param


def _sparse_data(n: int = 90, d: int = 40, seed: int = 0) -> np.ndarray:
    """A dense array that is mostly zeros, with some columns zero in every row."""
    gen = np.random.default_rng(seed)
    X = gen.random((n, d))
    X[X < 0.75] = 0.0
    X[:, :5] = 0.0
    return X


def _targets(kind: str, X: np.ndarray) -> np.ndarray:
    gen = np.random.default_rng(1)
    score = X @ gen.standard_normal((X.shape[1], 3))
    if kind == "multiclass":
        return np.argmax(score, axis=1)
    if kind == "binary":
        return np.where(score[:, 0] > np.median(score[:, 0]), "yes", "no")
    if kind == "multilabel":
        return (score > np.median(score, axis=0)).astype(int)
    if kind == "poisson":
        return gen.poisson(np.exp(0.3 * score[:, 0]))
    return score[:, :2]  # two regression outputs


def _estimator(kind: str, **params):
    base = {"hidden_layer_sizes": (7, 4), "max_iter": 12, "batch_size": 16, "random_state": 0}
    base.update(params)
    if kind in ("multiclass", "binary", "multilabel"):
        return MLPClassifier(**base)
    return MLPRegressor(loss="poisson" if kind == "poisson" else "squared_error", **base)


def _fit(est, X, y, **fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # not converged in a few epochs
        return est.fit(X, y, **fit)


def _assert_same(a, b, rtol: float = 1e-7, atol: float = 1e-10) -> None:
    pairs = zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True)
    for u, v in pairs:
        assert u.dtype == v.dtype
        np.testing.assert_allclose(u, v, rtol=rtol, atol=atol)
    assert a.n_iter_ == b.n_iter_


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("kind", ["multiclass", "binary", "multilabel", "regression", "poisson"])
def test_csr_fit_is_the_dense_fit(solver, kind, products):
    """To rounding; exactly when the batches are densified (the same dense products), except
    for L-BFGS, whose one batch, the whole data, stays sparse."""
    X = _sparse_data()
    y = _targets(kind, X)
    params = {"solver": solver}
    if solver != "adam":
        params["learning_rate_init"] = 0.01
    dense = _fit(_estimator(kind, **params), X, y)
    sparse = _fit(_estimator(kind, **params), sp.csr_matrix(X), y)
    _assert_same(dense, sparse, atol=1e-8 if solver == "lbfgs" else 1e-10)
    if products == "dense" and solver != "lbfgs":
        _assert_same(dense, sparse, rtol=0, atol=0)
    if solver != "lbfgs":
        np.testing.assert_allclose(sparse.loss_curve_, dense.loss_curve_, rtol=1e-9)
    for method in ("predict", "predict_proba", "predict_log_proba"):
        if hasattr(dense, method):
            expected = getattr(dense, method)(X)
            for container in (sp.csr_matrix, sp.csr_array, sp.csc_matrix, sp.coo_array):
                got = getattr(sparse, method)(container(X))
                if expected.dtype.kind in "fc":
                    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)
                else:
                    np.testing.assert_array_equal(got, expected)
    assert sparse.score(sp.csr_matrix(X), y) == pytest.approx(dense.score(X, y), abs=1e-6)


@pytest.mark.parametrize(
    "params",
    [
        {"shuffle": False, "solver": "sgd", "learning_rate": "invscaling"},
        {"early_stopping": True, "max_iter": 30},
        {"dropout": 0.3},  # hidden dropout: the same draws for both inputs
        {"alpha": 0.5, "batch_size": 7},
        {"hidden_layer_sizes": ()},
    ],
)
def test_csr_fit_options_are_the_dense_fit(params, products):
    X = _sparse_data(n=120)
    y = _targets("multiclass", X)
    w = np.random.default_rng(5).random(X.shape[0])
    dense = _fit(_estimator("multiclass", **params), X, y, sample_weight=w)
    sparse = _fit(_estimator("multiclass", **params), sp.csr_array(X), y, sample_weight=w)
    _assert_same(dense, sparse)
    if params.get("early_stopping"):
        np.testing.assert_allclose(sparse.validation_scores_, dense.validation_scores_)


def test_csr_partial_fit_and_warm_start_are_the_dense_ones(products):
    X = _sparse_data()
    y = _targets("multiclass", X)
    Xs = sp.csr_matrix(X)
    dense, sparse = _estimator("multiclass"), _estimator("multiclass")
    for _ in range(3):
        dense.partial_fit(X[:50], y[:50], classes=[0, 1, 2])
        sparse.partial_fit(Xs[:50], y[:50], classes=[0, 1, 2])
    _assert_same(dense, sparse)
    dense.set_params(warm_start=True)
    sparse.set_params(warm_start=True)
    _fit(dense, X, y)
    _fit(sparse, Xs, y)
    _assert_same(dense, sparse)
    assert sparse.t_ == dense.t_


def test_float32_csr_keeps_float32_and_matches_dense(products):
    X = _sparse_data().astype(np.float32)
    y = _targets("regression", X)
    dense = _fit(_estimator("regression"), X, y)
    sparse = _fit(_estimator("regression"), sp.csr_matrix(X), y)
    assert sparse.coefs_[0].dtype == np.float32
    assert sparse.predict(sp.csr_matrix(X)).dtype == np.float32
    _assert_same(dense, sparse, rtol=1e-4, atol=1e-5)


def test_integer_csr_is_read_as_float64():
    X = (_sparse_data() > 0).astype(np.int64)
    y = _targets("multiclass", X.astype(float))
    dense = _fit(_estimator("multiclass"), X.astype(np.float64), y)
    sparse = _fit(_estimator("multiclass"), sp.csr_matrix(X), y)
    _assert_same(dense, sparse)


def test_csr_fit_matches_scikit_learn_on_the_same_sparse_input(products):
    """scikit-learn on the same CSR matrix from the same network, rows in order: the same
    training (the reference that cannot share a bug with the dense path)."""
    sk = pytest.importorskip("sklearn.neural_network")
    X = sp.csr_matrix(_sparse_data())
    y = _targets("multiclass", X.toarray())
    params = {"hidden_layer_sizes": (6,), "solver": "sgd", "shuffle": False, "batch_size": 16}
    params.update(max_iter=1, learning_rate_init=0.05, random_state=0, warm_start=True)
    theirs, ours = sk.MLPClassifier(**params), MLPClassifier(**params)
    _fit(theirs, X, y)
    _fit(ours, X, y)
    ours.coefs_ = [c.copy() for c in theirs.coefs_]
    ours.intercepts_ = [b.copy() for b in theirs.intercepts_]
    for est in (ours, theirs):
        est.set_params(max_iter=10, warm_start=False)
        est.__dict__.pop("_optimizer", None)
        est.set_params(warm_start=True)
        _fit(est, X, y)
    _assert_same(ours, theirs, rtol=1e-9, atol=1e-12)


# -- the kernel --------------------------------------------------------------------------------
def _kernel_pair(X, model, batch, products, **kw):
    dense_model, sparse_model = model.copy(), model.copy()
    dense = Kernel(dense_model, X, batch, **kw)
    sparse = make_kernel(sparse_model, sp.csr_matrix(X), batch, **kw)
    assert isinstance(sparse, SparseKernel)
    sparse.dense_above = math.inf if products == "sparse" else 0.0
    return dense, sparse


@pytest.mark.parametrize("products", ["sparse", "dense"])
@pytest.mark.parametrize("layers", [(40, 6, 3), (40, 3)])
def test_sparse_kernel_gradient_is_the_dense_kernel_gradient(layers, products):
    X = _sparse_data()
    y = _targets("multiclass", X)
    model = MLP(list(layers), rng=2)
    dense, sparse = _kernel_pair(X, model, 20, products)
    targets, labels = np.eye(3)[y], y.astype(np.int64)
    rows = np.array([3, 17, 4, 60, 61, 2, 88, 30, 31, 45, 9, 10])
    loss_d, right_d = dense.step(X, targets, labels, rows, 1.0)
    loss_s, right_s = sparse.step(sp.csr_matrix(X), targets, labels, rows, 1.0)
    assert loss_s == pytest.approx(loss_d, rel=1e-12)
    assert right_s == right_d
    np.testing.assert_allclose(sparse.grads, dense.grads, rtol=1e-10, atol=1e-14)
    assert not np.any(sparse.gW[0][:5])  # the columns that are zero in every row
    assert isinstance(sparse.x, np.ndarray) == (products == "dense")  # the buffer: made if used


@pytest.mark.parametrize("products", ["sparse", "dense"])
def test_sparse_kernel_with_an_all_zero_batch(products):
    X = _sparse_data()
    X[:10] = 0.0
    model = MLP([40, 4, 1], output="identity", rng=0)
    dense, sparse = _kernel_pair(X, model, 10, products)
    t = np.ones((X.shape[0], 1))
    empty = np.empty(0, np.int64)
    dense.step(X, t, empty, np.arange(10), 1.0)
    sparse.step(sp.csr_matrix(X), t, empty, np.arange(10), 1.0)
    assert not np.any(sparse.gW[0])
    np.testing.assert_allclose(sparse.grads, dense.grads, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("products", ["sparse", "dense"])
def test_sparse_input_dropout_drops_stored_entries_and_backpropagates_through_them(products):
    """Each stored entry kept with probability 1 - p and scaled by 1 / (1 - p); the gradient is
    the dense kernel's (no dropout) on the dropped rows."""
    X = _sparse_data(n=400, d=60)
    Xs = sp.csr_matrix(X)
    keep = 0.6
    model = MLP([60, 5, 2], output="sigmoid", rng=1)
    sparse = SparseKernel(
        model.copy(), Xs, 400, input_dropout=1 - keep, gen=np.random.default_rng(0)
    )
    sparse.dense_above = math.inf if products == "sparse" else 0.0
    t = (X[:, :2] > 0).astype(float)
    empty = np.empty(0, np.int64)
    rows = np.arange(399)  # a mini-batch (the whole data is never densified)
    sparse.step(Xs, t, empty, rows, 1.0)
    dropped = sparse.batch.toarray()
    kept = dropped != 0
    np.testing.assert_allclose(dropped[kept], X[:399][kept] / keep, rtol=1e-15)
    assert not np.any(kept & (X[:399] == 0))
    n, k = np.count_nonzero(X[:399]), np.count_nonzero(kept)
    assert abs(k - keep * n) < 5 * np.sqrt(n * keep * (1 - keep))  # binomial, 5 sd
    assert np.array_equal(Xs.toarray(), X)  # the caller's data untouched
    dense = Kernel(model.copy(), dropped, 400)
    dense.step(dropped, t[:399], empty, rows, 1.0)
    np.testing.assert_allclose(sparse.grads, dense.grads, rtol=1e-10, atol=1e-14)


def test_input_dropout_on_csr_trains_and_repeats_with_the_seed(products):
    X = _sparse_data()
    y = _targets("multiclass", X)
    Xs = sp.csr_matrix(X)
    before = Xs.copy()
    a = _fit(_estimator("multiclass", input_dropout=0.2), Xs, y)
    b = _fit(_estimator("multiclass", input_dropout=0.2), Xs, y)
    _assert_same(a, b, rtol=0, atol=0)
    assert (Xs != before).nnz == 0
    assert np.all(np.isfinite(a.loss_curve_))


# -- the model and scikit-learn's private objective ---------------------------------------------
def test_model_logits_take_csr():
    X = _sparse_data()
    net = MLP([40, 6, 3], rng=0)
    np.testing.assert_allclose(net.logits(sp.csr_array(X)), net.logits(X), rtol=1e-12)
    loss_d, score_d = net.evaluate(X, _targets("multiclass", X))
    loss_s, score_s = net.evaluate(sp.csr_matrix(X), _targets("multiclass", X))
    assert (loss_s, score_s) == pytest.approx((loss_d, score_d), rel=1e-12)


def test_lbfgs_objective_on_csr_is_the_dense_one():
    X = _sparse_data()
    y = _targets("multiclass", X)
    est = _fit(_estimator("multiclass", solver="lbfgs", max_iter=5), X, y)
    theta = np.concatenate([a.ravel() for a in est.coefs_ + est.intercepts_])
    Y = np.eye(3)[y]
    value_d, grad_d = est._loss_grad_lbfgs(theta, X, Y, None)
    value_s, grad_s = est._loss_grad_lbfgs(theta, sp.csr_matrix(X), Y, None)
    assert value_s == pytest.approx(value_d, rel=1e-12)
    np.testing.assert_allclose(grad_s, grad_d, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda X: X.__setitem__((0, 7), np.nan), "finite"),
        (lambda X: X.__setitem__((1, 8), np.inf), "finite"),
    ],
)
def test_non_finite_csr_is_refused(change, message):
    X = sp.lil_matrix(_sparse_data())
    change(X)
    with pytest.raises(ValueError, match=message):
        MLPClassifier(max_iter=1).fit(X.tocsr(), _targets("multiclass", X.toarray()))


def test_csr_with_other_columns_is_refused_in_predict():
    X = _sparse_data()
    est = _fit(_estimator("multiclass", max_iter=1), sp.csr_matrix(X), _targets("multiclass", X))
    with pytest.raises(ValueError, match="features"):
        est.predict(sp.csr_matrix(X[:, :-1]))


# -- a wide, very sparse input -----------------------------------------------------------------
def test_wide_sparse_input_trains_without_densifying():
    """100,000 columns, 1% dense, 2,000 rows: 1.6 GB as a dense float64 array. A few epochs of
    Adam and a prediction allocate a small fraction of that (the parameters, their gradient
    and Adam's moments, 0.8 M each, are most of it)."""
    n, d = 2000, 100_000
    gen = np.random.default_rng(0)
    X = sp.random(n, d, density=0.01, format="csr", random_state=gen, dtype=np.float64)
    w = np.zeros(d)
    w[gen.choice(d, 3000, replace=False)] = 1.0
    y = (X @ w > np.median(X @ w)).astype(int)
    dense_bytes = n * d * 8
    est = MLPClassifier((8,), max_iter=3, batch_size=200, random_state=0)
    tracemalloc.start()
    try:
        _fit(est, X, y)
        proba = est.predict_proba(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert proba.shape == (n, 2)
    assert peak < dense_bytes / 20, f"peak {peak / 1e6:.0f} MB"
    assert est.loss_curve_[-1] < est.loss_curve_[0]


# -- fit_mlp -----------------------------------------------------------------------------------
@pytest.mark.parametrize("validation", [None, 0.2, "given"])
def test_fit_mlp_on_csr_is_fit_mlp_on_dense(validation, products):
    from energynets import fit_mlp

    X = _sparse_data(n=120)
    y = _targets("multiclass", X)
    kw = {"n_epochs": 6, "batch_size": 16, "learning_rate": 0.01, "rng": 3, "dropout": 0.2}
    fits = []
    for data in (X, sp.csr_matrix(X)):
        valid = validation
        if validation == "given":
            valid = (data[:30], y[:30])
        early = None if validation is None else 2
        net = MLP([40, 8, 3], rng=0)
        fits.append(fit_mlp(net, data, y, validation_data=valid, early_stopping=early, **kw))
    (dense, h_dense), (sparse, h_sparse) = fits
    for a, b in zip(dense.weights + dense.biases, sparse.weights + sparse.biases, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(h_sparse["loss"], h_dense["loss"], rtol=1e-9)
    if validation is not None:
        np.testing.assert_allclose(h_sparse["validation_loss"], h_dense["validation_loss"])
