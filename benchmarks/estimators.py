"""The scikit-learn fronts against the functions they wrap and against scikit-learn itself.

A user who swaps ``sklearn.neural_network`` for ``energynets.estimators`` should get the speed
of :func:`energynets.fit_rbm` and :func:`energynets.fit_mlp`: the front (parameter checks, the
input check, the labels, the fitted attributes) must cost next to nothing over an epoch.

- ``estimator-rbm-mnist-f32`` / ``-f64``: ``BernoulliRBM(n_components=500, batch_size=100,
  n_iter=1, learning_rate=0.01).fit(X)`` on the 60000 MNIST training images as grey levels in
  [0, 1] (float32, or the same array as float64). Peers: ``fit_rbm`` on the same array with
  the same settings (PCD-1, one epoch, an RBM of the array's dtype), and scikit-learn's
  ``BernoulliRBM`` with the same arguments.
- ``estimator-mlp-mnist-f32`` / ``-f64``: ``MLPClassifier((500,), max_iter=1,
  batch_size=100, learning_rate_init=1e-3, alpha=0).fit(X, y)`` (ReLU, Adam). Peers:
  ``fit_mlp`` with the same settings on an MLP of the array's dtype, and scikit-learn's
  ``MLPClassifier`` with the same arguments.

- ``estimator-mlp-predict-one``: ``MLPClassifier((500,)).predict`` on one row at a time, 200
  rows of MNIST (float32), the network trained for one epoch on 6000 images. Peers:
  ``MLP.predict`` of the same network, and scikit-learn's ``MLPClassifier.predict`` with the
  same weights. This is the front's cost per call (input check, labels), which one-row
  predictions pay in full.

Targets: the estimator within 5% of the function it wraps (so that it is as far ahead of
scikit-learn as the ``fit_rbm`` and ``fit_mlp`` rows of the main table), and ahead of
scikit-learn; for one-row predictions, ahead of scikit-learn. ``--quick``: 6000 images
(the predictions are the same either way).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmarks.runner import OURS, Case, Job, Target
from energynets.datasets import load_mnist
from energynets.learning.backprop import fit_mlp
from energynets.learning.contrastive import fit_rbm
from energynets.models.mlp import MLP
from energynets.models.rbm import RBM

SKLEARN = "scikit-learn"
FIT_RBM = "fit_rbm"
FIT_MLP = "fit_mlp"
N_HIDDEN, BATCH = 500, 100
RBM_RATE, MLP_RATE = 0.01, 1e-3


@dataclass(frozen=True)
class Inputs:
    X: np.ndarray  # (n, 784) grey levels in [0, 1], float32 or float64
    y: np.ndarray  # (n,) int64 labels


def _setup(dtype: type) -> Any:
    def setup(quick: bool) -> Inputs:
        images, labels = load_mnist("train")
        n = 6000 if quick else images.shape[0]
        X = (images[:n] / np.float32(255.0)).astype(dtype)
        return Inputs(X, np.asarray(labels[:n], dtype=np.int64))

    return setup


def _quiet(fit: Any) -> Any:
    """``fit()`` with convergence warnings silenced (one epoch never converges)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit()


# -- RBM ----------------------------------------------------------------------------------------
def _rbm_ours(inputs: Inputs) -> Job:
    from energynets.estimators import BernoulliRBM

    X = inputs.X

    def run() -> np.ndarray:
        rbm = BernoulliRBM(N_HIDDEN, learning_rate=RBM_RATE, batch_size=BATCH, n_iter=1,
                           random_state=0)  # fmt: skip
        return _quiet(lambda: rbm.fit(X)).components_

    return Job(run, note="energynets.estimators.BernoulliRBM(500, batch_size=100).fit(X)")


def _rbm_function(inputs: Inputs) -> Job:
    X = inputs.X

    def run() -> np.ndarray:
        rbm = RBM(X.shape[1], N_HIDDEN, dtype=X.dtype, rng=0)
        trained, _ = fit_rbm(rbm, X, method="pcd", k=1, n_epochs=1, batch_size=BATCH,
                             learning_rate=RBM_RATE, monitor=(), rng=0)  # fmt: skip
        return trained.weights.T

    return Job(run, note=f"fit_rbm(RBM(784, 500, dtype={X.dtype}), X, method='pcd', n_epochs=1)")


def _rbm_sklearn(inputs: Inputs) -> Job:
    from sklearn import __version__
    from sklearn.neural_network import BernoulliRBM

    X = inputs.X

    def run() -> np.ndarray:
        rbm = BernoulliRBM(n_components=N_HIDDEN, learning_rate=RBM_RATE, batch_size=BATCH,
                           n_iter=1, random_state=0)  # fmt: skip
        return rbm.fit(X).components_

    return Job(run, note=f"scikit-learn {__version__}: BernoulliRBM(500, batch_size=100).fit(X)")


def _rbm_check(name: str, result: Any, inputs: Inputs) -> None:
    w = np.asarray(result)
    assert w.shape == (N_HIDDEN, inputs.X.shape[1]), f"{name}: components of shape {w.shape}"
    assert w.dtype == inputs.X.dtype, f"{name}: components of dtype {w.dtype}, not the input's"
    assert np.all(np.isfinite(w)), f"{name}: components are not finite"


# -- MLP ----------------------------------------------------------------------------------------
def _mlp_ours(inputs: Inputs) -> Job:
    from energynets.estimators import MLPClassifier

    X, y = inputs.X, inputs.y

    def run() -> np.ndarray:
        clf = MLPClassifier((N_HIDDEN,), batch_size=BATCH, learning_rate_init=MLP_RATE,
                            alpha=0.0, max_iter=1, random_state=0)  # fmt: skip
        return _quiet(lambda: clf.fit(X, y)).coefs_[0]

    return Job(run, note="energynets.estimators.MLPClassifier((500,), max_iter=1).fit(X, y)")


def _mlp_function(inputs: Inputs) -> Job:
    X, y = inputs.X, inputs.y

    def run() -> np.ndarray:
        net = MLP([X.shape[1], N_HIDDEN, 10], activation="relu", output="softmax",
                  dtype=X.dtype, rng=0)  # fmt: skip
        trained, _ = fit_mlp(net, X, y, optimizer="adam", learning_rate=MLP_RATE, n_epochs=1,
                             batch_size=BATCH, rng=0)  # fmt: skip
        return trained.weights[0]

    return Job(run, note=f"fit_mlp(MLP([784, 500, 10], dtype={X.dtype}), X, y, n_epochs=1)")


def _mlp_sklearn(inputs: Inputs) -> Job:
    from sklearn import __version__
    from sklearn.neural_network import MLPClassifier

    X, y = inputs.X, inputs.y

    def run() -> np.ndarray:
        clf = MLPClassifier(hidden_layer_sizes=(N_HIDDEN,), batch_size=BATCH,
                            learning_rate_init=MLP_RATE, alpha=0.0, max_iter=1,
                            random_state=0)  # fmt: skip
        return _quiet(lambda: clf.fit(X, y)).coefs_[0]

    return Job(run, note=f"scikit-learn {__version__}: MLPClassifier((500,), max_iter=1).fit(X, y)")


def _mlp_check(name: str, result: Any, inputs: Inputs) -> None:
    w = np.asarray(result)
    assert w.shape == (inputs.X.shape[1], N_HIDDEN), f"{name}: first weights of shape {w.shape}"
    assert w.dtype == inputs.X.dtype, f"{name}: weights of dtype {w.dtype}, not the input's"
    assert np.all(np.isfinite(w)), f"{name}: weights are not finite"
    if name == OURS:
        assert float(np.abs(w).mean()) > 0, f"{name}: the weights are all zero"


def _case(model: str, dtype: type) -> Case:
    bits = np.dtype(dtype).itemsize * 8
    function = FIT_RBM if model == "rbm" else FIT_MLP
    jobs = {
        "rbm": (_rbm_ours, _rbm_function, _rbm_sklearn, _rbm_check),
        "mlp": (_mlp_ours, _mlp_function, _mlp_sklearn, _mlp_check),
    }
    ours, wrapped, sklearn, check = jobs[model]
    front = "BernoulliRBM" if model == "rbm" else "MLPClassifier"
    return Case(
        name=f"estimator-{model}-mnist-f{bits}",
        description=f"One epoch of energynets.estimators.{front} on MNIST (60000 x 784 grey "
        f"levels, float{bits}), 500 hidden units, batch 100; time per epoch. --quick: 6000 "
        "images.",
        setup=_setup(dtype),
        ours=ours,
        peers={function: wrapped, SKLEARN: sklearn},
        unit="per epoch",
        check=check,
        targets=(
            Target(function, 1 / 1.05, f"within 5% of {function}'s time"),
            Target(SKLEARN, 1.0, f"faster than scikit-learn's {front}"),
        ),
    )


# -- one-row predictions ------------------------------------------------------------------------
PREDICT_ROWS = 200


@dataclass(frozen=True)
class Fitted:
    rows: np.ndarray  # (PREDICT_ROWS, 784) float32
    ours: Any  # energynets.estimators.MLPClassifier
    sklearn: Any  # sklearn.neural_network.MLPClassifier with the same weights, or None


def _predict_setup(quick: bool) -> Fitted:
    from energynets.estimators import MLPClassifier

    inputs = _setup(np.float32)(True)
    ours = MLPClassifier((N_HIDDEN,), batch_size=BATCH, max_iter=1, random_state=0)
    _quiet(lambda: ours.fit(inputs.X, inputs.y))
    try:
        from sklearn.neural_network import MLPClassifier as SklearnMLP
    except ImportError:
        return Fitted(inputs.X[:PREDICT_ROWS], ours, None)
    theirs = SklearnMLP((N_HIDDEN,), batch_size=BATCH, max_iter=1, random_state=0)
    _quiet(lambda: theirs.fit(inputs.X, inputs.y))
    theirs.coefs_ = [w.copy() for w in ours.coefs_]
    theirs.intercepts_ = [b.copy() for b in ours.intercepts_]
    return Fitted(inputs.X[:PREDICT_ROWS], ours, theirs)


def _one_row_at_a_time(predict: Any, rows: np.ndarray, note: str) -> Job:
    def run() -> np.ndarray:
        return np.concatenate([predict(rows[i : i + 1]) for i in range(rows.shape[0])])

    return Job(run, n_items=rows.shape[0], note=note)


def _predict_ours(fitted: Fitted) -> Job:
    return _one_row_at_a_time(fitted.ours.predict, fitted.rows, "MLPClassifier.predict(row)")


def _predict_function(fitted: Fitted) -> Job:
    net = fitted.ours.mlp_
    return _one_row_at_a_time(net.predict, fitted.rows, "MLP.predict(row) of the same network")


def _predict_sklearn(fitted: Fitted) -> Job:
    if fitted.sklearn is None:
        raise ImportError("scikit-learn is not installed")
    from sklearn import __version__

    note = f"scikit-learn {__version__}: MLPClassifier.predict(row), the same weights"
    return _one_row_at_a_time(fitted.sklearn.predict, fitted.rows, note)


def _predict_check(name: str, result: Any, fitted: Fitted) -> None:
    expected = fitted.ours.mlp_.predict(fitted.rows)
    labels = np.asarray(result)
    assert labels.shape == expected.shape, f"{name}: {labels.shape} predictions"
    assert np.array_equal(labels, expected), f"{name}: predictions differ from the network's"


PREDICT_CASE = Case(
    name="estimator-mlp-predict-one",
    description=f"energynets.estimators.MLPClassifier((500,)).predict on {PREDICT_ROWS} MNIST "
    "rows, one row per call (float32); time per call.",
    setup=_predict_setup,
    ours=_predict_ours,
    peers={"MLP.predict": _predict_function, SKLEARN: _predict_sklearn},
    unit="per call",
    check=_predict_check,
    targets=(Target(SKLEARN, 1.0, "faster than scikit-learn's MLPClassifier.predict"),),
)

CASES = [_case(model, dtype) for model in ("rbm", "mlp") for dtype in (np.float32, np.float64)]
CASES.append(PREDICT_CASE)
