"""What an RBM's hidden units are worth as features (:func:`features_experiment`).

Softmax regression minimised to convergence by L-BFGS on raw pixels and on the hidden
probabilities p(h = 1 | v) of an RBM trained by persistent contrastive divergence, and an MLP
trained end to end, with the settings of scikit-learn's example: on its nudged digits, split
as it splits them, the example reports raw 0.781 < RBM features 0.930 < MLP 0.972
(:data:`SKLEARN_REFERENCE`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from energynets._validation import RNGLike, check_choice, check_float, check_int, describe_rng
from energynets.experiments._runs import draw_entropy
from energynets.experiments.compare._shared import Data, Stream, check_positive
from energynets.experiments.compare._training import train_classifier, train_rbm
from energynets.experiments.compare.records import FeaturesResult

__all__ = ["features_experiment"]


def features_experiment(
    X: Any = None,
    y: Any = None,
    *,
    X_test: Any = None,
    y_test: Any = None,
    image_shape: Sequence[int] | None = None,
    test_fraction: float = 0.2,
    split_random_state: int | None = 0,
    n_hidden: int = 100,
    rbm_method: str = "pcd",
    rbm_epochs: int = 10,
    rbm_learning_rate: float = 0.06,
    batch_size: int = 10,
    raw_C: float = 100.0,
    features_C: float = 6000.0,
    classifier_tol: float = 1e-6,
    mlp_hidden: int = 100,
    mlp_activation: str = "relu",
    mlp_epochs: int = 200,
    mlp_learning_rate: float = 1e-3,
    mlp_batch_size: int = 200,
    mlp_alpha: float = 1e-4,
    rng: RNGLike = 0,
) -> FeaturesResult:
    """Softmax regression on raw pixels vs on RBM features vs an MLP trained end to end.

    The three pipelines of scikit-learn's example ``plot_rbm_logistic_classification``, with
    its settings as defaults:

    1. **raw pixels**: softmax (multinomial logistic) regression p(y | x) = softmax(x W + b)
       on the pixels, minimised to convergence by L-BFGS with the L2 penalty ||W||^2 / (2 C),
       C = ``raw_C`` (:func:`~energynets.learning.softmax_regression.fit_softmax_regression`,
       scikit-learn's ``LogisticRegression(C=100)`` objective);
    2. **RBM features**: an RBM (Bernoulli units, weights drawn from N(0, 0.01^2), biases 0)
       is trained without labels by PCD-1 (scikit-learn's ``BernoulliRBM``: stochastic
       maximum likelihood, learning rate 0.06, 10 epochs, batches of 10) on the training rows,
       and the same softmax regression, C = ``features_C`` (6000 in the example), is fitted
       on its hidden probabilities q = p(h = 1 | x) = sigmoid(x W + c);
    3. **MLP**: ``MLP([n_inputs, mlp_hidden, n_classes])`` trained end to end by backprop
       with Adam, by default with the defaults of scikit-learn's ``MLPClassifier``: 100 ReLU
       units, learning rate 0.001, 200 epochs of batches of 200, L2 penalty alpha = 1e-4.

    Both softmax regressions are converged, so the comparison measures the features, not
    how far an optimiser got. On the default data, the nudged digits (:func:`nudged_digits`)
    split as the example splits them (``train_test_split(test_size=0.2, random_state=0)``),
    the example reports raw 0.781 < RBM 0.930 < MLP 0.972 (:data:`SKLEARN_REFERENCE`).

    Parameters
    ----------
    X : array_like, shape (n_samples, n_inputs), optional
        Values in [0, 1]. Default: :func:`nudged_digits`.
    y : array_like of int, shape (n_samples,)
        Class labels 0..K-1 (with X).
    X_test, y_test : array_like, shapes (n_test, n_inputs) and (n_test,), optional
        Held-out rows; default: ``test_fraction`` of the rows of X.
    image_shape : (int, int), optional
        (height, width) of an image, kept for pictures (default (8, 8) for the digits).
    test_fraction : float in (0, 1)
    split_random_state : int >= 0 or None
        The held-out rows are those of scikit-learn's ``train_test_split(X, y,
        test_size=test_fraction, random_state=split_random_state)`` (the example's split with
        0; computed here, scikit-learn is not needed); None: drawn with ``rng``.
    n_hidden : int >= 1
        Hidden units of the RBM.
    rbm_method : {"cd", "pcd"}
        "pcd" (with ``batch_size`` persistent chains) is scikit-learn's ``BernoulliRBM``.
    rbm_epochs : int >= 1
    rbm_learning_rate : float > 0
    batch_size : int >= 1
        Rows per mini-batch of the RBM (scikit-learn's default is 10).
    raw_C : float > 0
        Inverse regularisation strength of the softmax regression on the pixels.
    features_C : float > 0
        Inverse regularisation strength of the softmax regression on the RBM features.
    classifier_tol : float > 0
        L-BFGS stops when the largest component of the gradient of the (per-row) objective is
        under this.
    mlp_hidden : int >= 1
    mlp_activation : str
        Hidden activation of the MLP (:data:`energynets.models.mlp.ACTIVATIONS`).
    mlp_epochs : int >= 1
    mlp_learning_rate : float > 0
    mlp_batch_size : int >= 1
        Rows per mini-batch of the MLP (at most the training rows).
    mlp_alpha : float >= 0
        scikit-learn's L2 penalty alpha ||W||^2 / (2 batch) on the mean loss of a batch: weight
        decay alpha / mlp_batch_size.
    rng : int, Generator or None
        Seeds the initial weights, the RBM's chains and batch order and the MLP's batch order
        (independent streams), and the split when ``split_random_state`` is None.

    Returns
    -------
    FeaturesResult
        Records for "raw pixels", "RBM features" and "MLP" (with the classifier of each),
        the settings, the trained ``rbm`` and ``mlp``.

    References
    ----------
    Tieleman, T. (2008). Training restricted Boltzmann machines using approximations to the
    likelihood gradient. ICML 2008, 1064-1071.

    Liu, D. C. & Nocedal, J. (1989). On the limited memory BFGS method for large scale
    optimization. Mathematical Programming 45, 503-528.

    Rumelhart, D. E., Hinton, G. E. & Williams, R. J. (1986). Learning representations by
    back-propagating errors. Nature 323, 533-536.

    scikit-learn developers. Restricted Boltzmann Machine features for digit classification (the
    example ``plot_rbm_logistic_classification``).

    Examples
    --------
    On the first 500 of the embedded digits (the default data, :func:`nudged_digits`, has
    8,985 rows):

    >>> from energynets.datasets import load_digits
    >>> X, y = load_digits()
    >>> result = features_experiment(X[:500] / 16.0, y[:500], n_hidden=16, rbm_epochs=1,
    ...                              mlp_epochs=2, rng=0)
    >>> [r["model"] for r in result.records]
    ['raw pixels', 'RBM features', 'MLP']
    >>> result.records[1]["classifier"]
    'softmax regression, L-BFGS, C = 6000'
    """
    from energynets.models.mlp import ACTIVATIONS

    entropy = draw_entropy(rng)
    split = (
        None
        if split_random_state is None
        else check_int(split_random_state, "split_random_state", minimum=0, maximum=2**32 - 1)
    )
    data = Data(X, y, X_test, y_test, test_fraction, image_shape, entropy, split)
    settings = {
        **data.settings(),
        "split": data.split,
        "n_hidden": check_int(n_hidden, "n_hidden", minimum=1),
        "rbm_method": check_choice(rbm_method, "rbm_method", ("cd", "pcd")),
        "rbm_epochs": check_int(rbm_epochs, "rbm_epochs", minimum=1),
        "rbm_learning_rate": check_positive(rbm_learning_rate, "rbm_learning_rate"),
        "batch_size": check_int(batch_size, "batch_size", minimum=1),
        "raw_C": check_positive(raw_C, "raw_C"),
        "features_C": check_positive(features_C, "features_C"),
        "classifier_tol": check_positive(classifier_tol, "classifier_tol"),
        "mlp_hidden": check_int(mlp_hidden, "mlp_hidden", minimum=1),
        "mlp_activation": check_choice(mlp_activation, "mlp_activation", tuple(ACTIVATIONS)),
        "mlp_epochs": check_int(mlp_epochs, "mlp_epochs", minimum=1),
        "mlp_learning_rate": check_positive(mlp_learning_rate, "mlp_learning_rate"),
        "mlp_batch_size": check_int(mlp_batch_size, "mlp_batch_size", minimum=1),
        "mlp_alpha": check_float(mlp_alpha, "mlp_alpha", minimum=0.0),
        "rng": describe_rng(rng),
    }
    raw = _raw_pixels(data, settings)
    rbm, on_features = _rbm_features(data, settings, entropy)
    mlp, end_to_end = _end_to_end(data, settings, entropy)
    return FeaturesResult(
        records=[raw, on_features, end_to_end],
        settings=settings,
        rbm=rbm,
        mlp=mlp,
        image_shape=data.image_shape,
    )


def _softmax_regression(
    name: str, Xtr: np.ndarray, Xte: np.ndarray, data: Data, C: float, tol: float
) -> dict[str, Any]:
    """A converged softmax regression on (Xtr, y_train): its record (its passes over the rows
    are the evaluations of the objective)."""
    from energynets.learning.softmax_regression import fit_softmax_regression

    start = time.perf_counter()
    model = fit_softmax_regression(Xtr, data.y_train, C=C, n_classes=data.n_classes, tol=tol)
    seconds = time.perf_counter() - start
    record = _accuracy_record(
        name, f"softmax regression, L-BFGS, C = {C:g}", model, Xtr, data.y_train, Xte,
        data.y_test, model.n_evaluations, seconds,
    )  # fmt: skip
    return record


def _raw_pixels(data: Data, s: dict[str, Any]) -> dict[str, Any]:
    """1. Softmax regression on the pixels: its record."""
    return _softmax_regression(
        "raw pixels", data.X_train, data.X_test, data, s["raw_C"], s["classifier_tol"]
    )


def _rbm_features(data: Data, s: dict[str, Any], entropy: int) -> tuple[Any, dict[str, Any]]:
    """2. An RBM trained without labels, softmax regression on p(h = 1 | v): the RBM, the
    record."""
    rbm, rbm_seconds = train_rbm(
        data.X_train, s["n_hidden"], method=s["rbm_method"], n_epochs=s["rbm_epochs"],
        learning_rate=s["rbm_learning_rate"], batch_size=s["batch_size"], entropy=entropy,
        init_visible_bias=None,
    )  # fmt: skip
    Ftr, Fte = rbm.hidden_probabilities(data.X_train), rbm.hidden_probabilities(data.X_test)
    record = _softmax_regression(
        "RBM features", Ftr, Fte, data, s["features_C"], s["classifier_tol"]
    )
    record["passes"] += s["rbm_epochs"]
    record["seconds"] += rbm_seconds
    return rbm, record


def _end_to_end(data: Data, s: dict[str, Any], entropy: int) -> tuple[Any, dict[str, Any]]:
    """3. The MLP trained end to end by backprop: the MLP, its record."""
    batch = min(s["mlp_batch_size"], data.X_train.shape[0])
    start = time.perf_counter()
    mlp, _ = train_classifier(
        [data.n_inputs, s["mlp_hidden"], data.n_classes], data.X_train, data.y_train,
        n_epochs=s["mlp_epochs"], learning_rate=s["mlp_learning_rate"], batch_size=batch,
        entropy=entropy, init_key=Stream.MLP_INIT, activation=s["mlp_activation"],
        weight_decay=s["mlp_alpha"] / batch,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    sizes = "-".join(str(v) for v in mlp.layer_sizes)
    how = f"{sizes} {s['mlp_activation']} network, Adam, {s['mlp_epochs']} epochs"
    record = _accuracy_record(
        "MLP", how, mlp, data.X_train, data.y_train, data.X_test, data.y_test, s["mlp_epochs"],
        seconds,
    )  # fmt: skip
    return mlp, record


def _accuracy_record(
    name: str,
    classifier: str,
    net: Any,
    Xtr: np.ndarray,
    ytr: np.ndarray,
    Xte: np.ndarray,
    yte: np.ndarray,
    passes: int,
    seconds: float,
) -> dict[str, Any]:
    """The record of one classifier: its accuracies, passes over the data and seconds."""
    return {
        "model": name,
        "classifier": classifier,
        "inputs": Xtr.shape[1],
        "train_accuracy": float(np.mean(net.predict(Xtr) == ytr)),
        "test_accuracy": float(np.mean(net.predict(Xte) == yte)),
        "passes": int(passes),
        "seconds": float(seconds),
    }
