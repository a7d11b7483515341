"""The price: passes and seconds until a held-out accuracy is reached (:func:`cost_experiment`).

The RBM + softmax-regression pipeline, evaluated at checkpoints of the RBM's training, against
an MLP trained end to end; both measured after every epoch of their classifier.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from energynets._validation import RNGLike, check_choice, check_float, check_int, describe_rng
from energynets.experiments._runs import draw_entropy
from energynets.experiments.compare._shared import Data, Stream, check_counts, check_positive
from energynets.experiments.compare._training import train_classifier, train_rbm
from energynets.experiments.compare.records import CostResult

__all__ = ["cost_experiment"]


def cost_experiment(
    X: Any = None,
    y: Any = None,
    *,
    X_test: Any = None,
    y_test: Any = None,
    test_fraction: float = 0.2,
    target_accuracy: float = 0.85,
    n_hidden: int = 100,
    rbm_method: str = "cd",
    checkpoints: Sequence[int] = (1, 2, 5, 10, 20),
    rbm_learning_rate: float = 0.1,
    classifier_epochs: int = 20,
    classifier_learning_rate: float = 0.01,
    mlp_hidden: int = 100,
    mlp_epochs: int = 40,
    mlp_learning_rate: float = 1e-3,
    batch_size: int = 10,
    rng: RNGLike = 0,
) -> CostResult:
    """Wall time and passes over the data until a held-out accuracy is first reached.

    - **RBM + softmax**: one RBM is trained for ``max(checkpoints)`` epochs; after each
      checkpoint epoch k a softmax regression is trained on its features for up to
      ``classifier_epochs`` epochs, the held-out accuracy measured after each. A point costs
      k + e passes and the RBM's k epochs of time plus the classifier's e; the pipeline's
      cost is that of the cheapest point (in passes) that reaches the target.
    - **MLP**: trained end to end for up to ``mlp_epochs`` epochs, measured after each.

    Times are training time only (``fit_*`` history), evaluations excluded.

    Parameters
    ----------
    X, y, X_test, y_test, test_fraction
        As for :func:`features_experiment` (default: the nudged digits).
    target_accuracy : float in (0, 1]
    n_hidden, rbm_method, rbm_learning_rate : the RBM
    checkpoints : sequence of int >= 1
        RBM epochs after which the pipeline is evaluated.
    classifier_epochs, classifier_learning_rate : the softmax regressions
    mlp_hidden, mlp_epochs, mlp_learning_rate : the MLP (ReLU, Adam)
    batch_size : int >= 1
    rng : int, Generator or None

    Returns
    -------
    CostResult

    References
    ----------
    Hinton (2002); Rumelhart, Hinton & Williams (1986). Full citations under
    :func:`features_experiment`.
    """
    entropy = draw_entropy(rng)
    data = Data(X, y, X_test, y_test, test_fraction, None, entropy)
    target = check_float(target_accuracy, "target_accuracy", minimum=0.0, maximum=1.0)
    if target <= 0:
        raise ValueError(f"target_accuracy must be in (0, 1], got {target}")
    nh = check_int(n_hidden, "n_hidden", minimum=1)
    method = check_choice(rbm_method, "rbm_method", ("cd", "pcd"))
    marks = tuple(sorted(set(check_counts(checkpoints, "checkpoints"))))
    r_eta = check_positive(rbm_learning_rate, "rbm_learning_rate")
    c_epochs = check_int(classifier_epochs, "classifier_epochs", minimum=1)
    c_eta = check_positive(classifier_learning_rate, "classifier_learning_rate")
    m_hidden = check_int(mlp_hidden, "mlp_hidden", minimum=1)
    m_epochs = check_int(mlp_epochs, "mlp_epochs", minimum=1)
    m_eta = check_positive(mlp_learning_rate, "mlp_learning_rate")
    settings = {
        **data.settings(),
        "target_accuracy": target,
        "n_hidden": nh,
        "rbm_method": method,
        "checkpoints": list(marks),
        "rbm_learning_rate": r_eta,
        "classifier_epochs": c_epochs,
        "classifier_learning_rate": c_eta,
        "mlp_hidden": m_hidden,
        "mlp_epochs": m_epochs,
        "mlp_learning_rate": m_eta,
        "batch_size": check_int(batch_size, "batch_size", minimum=1),
        "rng": describe_rng(rng),
    }
    curves, pipeline = _pipeline(data, settings, entropy)
    curves["MLP"], end_to_end = _end_to_end(data, settings, entropy)
    return CostResult(records=[pipeline, end_to_end], settings=settings, curves=curves)


def _tracker(features: np.ndarray, labels: np.ndarray) -> tuple[list[float], Callable[..., bool]]:
    """A list and a training callback that appends the accuracy on (features, labels) to it
    after every epoch."""
    accuracies: list[float] = []

    def on_epoch(epoch: int, net: Any, history: dict[str, list[Any]]) -> bool:
        accuracies.append(float(np.mean(net.predict(features) == labels)))
        return False

    return accuracies, on_epoch


def _rbm_snapshots(data: Data, s: dict[str, Any], entropy: int) -> dict[int, tuple[Any, float]]:
    """One RBM trained for the last checkpoint's epochs: a copy of it and its training
    seconds after every checkpoint epoch."""
    marks = s["checkpoints"]
    snapshots: dict[int, tuple[Any, float]] = {}

    def keep(epoch: int, model: Any, history: dict[str, list[Any]]) -> bool:
        if epoch + 1 in marks:
            snapshots[epoch + 1] = (model.copy(), float(np.sum(history["time"])))
        return False

    train_rbm(
        data.X_train, s["n_hidden"], method=s["rbm_method"], n_epochs=marks[-1],
        learning_rate=s["rbm_learning_rate"], batch_size=s["batch_size"], entropy=entropy,
        callbacks=[keep],
    )  # fmt: skip
    return snapshots


def _pipeline(
    data: Data, s: dict[str, Any], entropy: int
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The RBM + softmax pipeline: a curve per RBM checkpoint, and the record of the cheapest
    point (in passes) that reaches the target."""
    target, c_epochs = s["target_accuracy"], s["classifier_epochs"]
    curves: dict[str, np.ndarray] = {}
    best_pipeline: tuple[int, float] | None = None
    best_acc = 0.0
    snapshots = _rbm_snapshots(data, s, entropy)
    for mark in s["checkpoints"]:
        rbm, rbm_time = snapshots[mark]
        acc, on_epoch = _tracker(rbm.hidden_probabilities(data.X_test), data.y_test)
        _, hist = train_classifier(
            [s["n_hidden"], data.n_classes], rbm.hidden_probabilities(data.X_train), data.y_train,
            n_epochs=c_epochs, learning_rate=s["classifier_learning_rate"],
            batch_size=s["batch_size"], entropy=entropy, init_key=Stream.CLS_INIT,
            callbacks=[on_epoch],
        )  # fmt: skip
        passes = mark + np.arange(1, c_epochs + 1)
        seconds = rbm_time + np.cumsum(hist["time"])
        curves[f"RBM {mark} epochs + softmax"] = np.column_stack([passes, seconds, acc])
        best_acc = max(best_acc, max(acc))
        hit = np.flatnonzero(np.asarray(acc) >= target)
        if hit.size and (best_pipeline is None or passes[hit[0]] < best_pipeline[0]):
            best_pipeline = (int(passes[hit[0]]), float(seconds[hit[0]]))
    record = {
        "model": "RBM + softmax",
        "target": target,
        "reached": best_pipeline is not None,
        "passes": None if best_pipeline is None else best_pipeline[0],
        "seconds": None if best_pipeline is None else best_pipeline[1],
        "best_accuracy": best_acc,
        "total_passes": int(s["checkpoints"][-1] + c_epochs),
    }
    return curves, record


def _end_to_end(data: Data, s: dict[str, Any], entropy: int) -> tuple[np.ndarray, dict[str, Any]]:
    """The MLP: its curve, and the record of the first epoch that reaches the target."""
    m_epochs = s["mlp_epochs"]
    acc, on_epoch = _tracker(data.X_test, data.y_test)
    _, hist = train_classifier(
        [data.n_inputs, s["mlp_hidden"], data.n_classes], data.X_train, data.y_train,
        n_epochs=m_epochs, learning_rate=s["mlp_learning_rate"], batch_size=s["batch_size"],
        entropy=entropy, init_key=Stream.MLP_INIT, callbacks=[on_epoch],
    )  # fmt: skip
    passes = np.arange(1, m_epochs + 1)
    seconds = np.cumsum(hist["time"])
    hit = np.flatnonzero(np.asarray(acc) >= s["target_accuracy"])
    record = {
        "model": "MLP",
        "target": s["target_accuracy"],
        "reached": bool(hit.size),
        "passes": int(passes[hit[0]]) if hit.size else None,
        "seconds": float(seconds[hit[0]]) if hit.size else None,
        "best_accuracy": float(max(acc)),
        "total_passes": m_epochs,
    }
    return np.column_stack([passes, seconds, acc]), record
