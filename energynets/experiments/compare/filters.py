"""What is learned: an RBM's filters next to an MLP's first layer (:func:`filters_experiment`).

The RBM's hidden unit j looks at the images through the column W[:, j] of its weights,
learned without labels to model the images; the MLP's through the column of its first weight
matrix, learned by backprop to tell the classes apart. :func:`filter_smoothness` and
:func:`filter_redundancy` put numbers on the difference.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from energynets._validation import (
    RNGLike,
    as_float_array,
    check_choice,
    check_int,
    check_int_tuple,
    describe_rng,
)
from energynets.experiments._runs import draw_entropy
from energynets.experiments.compare._shared import Stream, check_positive
from energynets.experiments.compare._training import train_classifier, train_rbm
from energynets.experiments.compare.data import nudged_digits
from energynets.experiments.compare.records import FiltersResult

__all__ = ["filter_redundancy", "filter_smoothness", "filters_experiment"]

_PAIR = "a pair (height, width) of ints"


def filter_smoothness(weights: Any, shape: Sequence[int]) -> float:
    """Mean correlation between the weights of horizontally and vertically adjacent pixels.

    For each filter (a column of ``weights``, reshaped to ``shape``) the Pearson correlation
    of the pairs (w[i, j], w[i, j + 1]) and (w[i, j], w[i + 1, j]) over the image; the mean
    over filters. Smooth strokes give values near 1, independent pixel noise near 0. Filters
    that are constant are skipped (NaN if all are).

    Parameters
    ----------
    weights : array_like, shape (height * width, n_filters)
    shape : (int, int)

    Returns
    -------
    float

    Examples
    --------
    >>> ramp = np.add.outer(np.arange(4.0), np.arange(4.0)).reshape(16, 1)  # w_ij = i + j
    >>> round(filter_smoothness(ramp, (4, 4)), 6)
    1.0
    >>> noise = np.random.default_rng(0).standard_normal((64, 20))
    >>> abs(filter_smoothness(noise, (8, 8))) < 0.1
    True
    """
    w = as_float_array(weights, "weights", ndim=2, dtype=np.float64)
    h, wd = check_int_tuple(shape, "shape", length=2, expected=_PAIR)
    if h * wd != w.shape[0]:
        raise ValueError(
            f"shape must have height * width = {w.shape[0]} (the rows of weights), got {(h, wd)}"
        )
    images = w.T.reshape(-1, h, wd)
    a = np.concatenate(
        [images[:, :, :-1].reshape(len(images), -1), images[:, :-1, :].reshape(len(images), -1)],
        axis=1,
    )
    b = np.concatenate(
        [images[:, :, 1:].reshape(len(images), -1), images[:, 1:, :].reshape(len(images), -1)],
        axis=1,
    )
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    denom = np.sqrt(np.sum(a * a, axis=1) * np.sum(b * b, axis=1))
    ok = denom > 0
    if not np.any(ok):
        return float("nan")
    return float(np.mean(np.sum(a * b, axis=1)[ok] / denom[ok]))


def filter_redundancy(weights: Any) -> float:
    """Mean absolute cosine similarity between two distinct filters (columns of ``weights``).

    0: orthogonal filters, 1: the same filter repeated (up to sign and scale). NaN for fewer
    than two non-zero filters.

    Parameters
    ----------
    weights : array_like, shape (n_inputs, n_filters)

    Returns
    -------
    float

    Examples
    --------
    >>> filter_redundancy([[1.0, 0.0], [0.0, 2.0]]), filter_redundancy([[1.0, -3.0], [1.0, -3.0]])
    (0.0, 1.0)
    """
    w = as_float_array(weights, "weights", ndim=2, dtype=np.float64)
    norms = np.linalg.norm(w, axis=0)
    u = w[:, norms > 0] / norms[norms > 0]
    m = u.shape[1]
    if m < 2:
        return float("nan")
    c = np.abs(u.T @ u)
    return float((c.sum() - np.trace(c)) / (m * (m - 1)))


def filters_experiment(
    X: Any = None,
    y: Any = None,
    *,
    image_shape: Sequence[int] | None = None,
    n_hidden: int = 64,
    rbm: Any = None,
    mlp: Any = None,
    rbm_method: str = "cd",
    rbm_epochs: int = 20,
    rbm_learning_rate: float = 0.1,
    mlp_activation: str = "sigmoid",
    mlp_epochs: int = 20,
    mlp_learning_rate: float = 1e-3,
    batch_size: int = 10,
    rng: RNGLike = 0,
) -> FiltersResult:
    """What is learned: an RBM's filters next to the first-layer weights of an MLP.

    Both have ``n_hidden`` units looking at the same images: the RBM's hidden unit j through
    the column W[:, j] of its weights (learned without labels, to model the images), the MLP's
    hidden unit j through the column of its first weight matrix (learned by backprop to tell
    the classes apart). The records measure the difference: :func:`filter_smoothness`
    (generative filters are smooth strokes and blobs) and :func:`filter_redundancy`.

    Parameters
    ----------
    X, y : array_like, shapes (n_samples, n_inputs) and (n_samples,), optional
        Rows in [0, 1] and their labels; default :func:`nudged_digits` (not needed when both
        ``rbm`` and ``mlp`` are given).
    image_shape : (int, int), optional
        Needed with X or trained models (default (8, 8) for the digits).
    n_hidden : int >= 1
        Hidden units of both models (unless trained models are given).
    rbm : RBM, optional
        A trained RBM to show instead of training one (then its n_hidden is used).
    mlp : MLP, optional
        A trained MLP to show instead of training one (its first layer is drawn).
    rbm_method, rbm_epochs, rbm_learning_rate : RBM training (CD-1 by default)
    mlp_activation, mlp_epochs, mlp_learning_rate : MLP training (Adam, all rows)
    batch_size : int >= 1
    rng : int, Generator or None

    Returns
    -------
    FiltersResult

    References
    ----------
    Hinton (2002), the full citation in :mod:`energynets.experiments.compare`.

    Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines. UTML TR
    2010-003, University of Toronto.
    """
    entropy = draw_entropy(rng)
    X, y, name, image_shape = _default_data(X, y, image_shape, rbm is not None and mlp is not None)
    h, w = _check_image_shape(image_shape)
    Xa = np.empty((0, h * w))
    if X is not None:
        Xa = as_float_array(X, "X", ndim=2, dtype=np.float64)
        if h * w != Xa.shape[1]:
            raise ValueError(
                f"image_shape must have height * width = {Xa.shape[1]} (the columns of X), "
                f"got {(h, w)}"
            )
    B = check_int(batch_size, "batch_size", minimum=1)
    nh = check_int(n_hidden, "n_hidden", minimum=1)
    model, seconds, rbm_desc = _rbm_filters(
        rbm, Xa, nh, batch_size=B, entropy=entropy, method=rbm_method, n_epochs=rbm_epochs,
        learning_rate=rbm_learning_rate,
    )  # fmt: skip
    filters = {"RBM": np.array(model.weights, dtype=np.float64)}
    records = [_filter_record("RBM", filters["RBM"], (h, w), seconds)]
    net, m_seconds, mlp_desc = _mlp_filters(
        mlp, Xa, y, nh, batch_size=B, entropy=entropy, activation=mlp_activation,
        n_epochs=mlp_epochs, learning_rate=mlp_learning_rate,
    )  # fmt: skip
    filters["MLP"] = np.array(net.weights[0], dtype=np.float64)
    records.append(_filter_record("MLP", filters["MLP"], (h, w), m_seconds))
    settings = {
        "data": name,
        "n_rows": int(Xa.shape[0]),
        "image_shape": [h, w],
        "rbm": rbm_desc,
        "mlp": mlp_desc,
        "batch_size": B,
        "rng": describe_rng(rng),
    }
    return FiltersResult(records=records, settings=settings, filters=filters, image_shape=(h, w))


def _default_data(X: Any, y: Any, image_shape: Any, both_given: bool) -> tuple[Any, Any, str, Any]:
    """(X, y, the data's name, image_shape): the nudged digits when no X is given and a model
    must be trained."""
    if X is None and not both_given:
        if y is not None:
            raise ValueError("y was given without X; pass both, or neither for the digits")
        X, y = nudged_digits()
        return X, y, "nudged 8 x 8 digits", (8, 8) if image_shape is None else image_shape
    return X, y, "the given data" if X is not None else "the given models", image_shape


def _check_image_shape(image_shape: Any) -> tuple[int, int]:
    """(height, width) as ints; it must be given."""
    if image_shape is None:
        raise ValueError("image_shape (height, width) must be given with X or with trained models")
    h, w = check_int_tuple(image_shape, "image_shape", length=2, expected=_PAIR)
    return h, w


def _rbm_filters(
    rbm: Any, X: np.ndarray, n_hidden: int, *, batch_size: int, entropy: int, method: Any,
    n_epochs: Any, learning_rate: Any,
) -> tuple[Any, float, str]:  # fmt: skip
    """(the RBM, its training seconds, its description): the one given, checked, or one
    trained on ``X`` (n_rows, n_inputs)."""
    n_inputs = X.shape[1]
    if rbm is not None:
        if not hasattr(rbm, "weights") or not hasattr(rbm, "hidden_bias"):
            raise TypeError(f"rbm must be an energynets RBM, got {type(rbm).__name__}")
        if rbm.weights.shape[0] != n_inputs:
            raise ValueError(
                f"rbm must have n_visible = {n_inputs} (height * width), got {rbm.weights.shape[0]}"
            )
        return rbm, float("nan"), "given"
    method = check_choice(method, "rbm_method", ("cd", "pcd"))
    r_epochs = check_int(n_epochs, "rbm_epochs", minimum=1)
    r_eta = check_positive(learning_rate, "rbm_learning_rate")
    model, seconds = train_rbm(
        X, n_hidden, method=method, n_epochs=r_epochs, learning_rate=r_eta,
        batch_size=batch_size, entropy=entropy,
    )  # fmt: skip
    return (
        model,
        seconds,
        f"{n_inputs}-{n_hidden}, {method}-1, {r_epochs} epochs, learning rate {r_eta:g}",
    )


def _mlp_filters(
    mlp: Any, X: np.ndarray, y: Any, n_hidden: int, *, batch_size: int, entropy: int,
    activation: Any, n_epochs: Any, learning_rate: Any,
) -> tuple[Any, float, str]:  # fmt: skip
    """(the MLP, its training seconds, its description): the one given, checked, or one
    trained on ``X`` and the labels ``y``."""
    n_inputs = X.shape[1]
    if mlp is not None:
        if not hasattr(mlp, "weights") or not isinstance(mlp.weights, list):
            raise TypeError(f"mlp must be an energynets MLP, got {type(mlp).__name__}")
        if mlp.weights[0].shape[0] != n_inputs:
            raise ValueError(
                f"mlp must have {n_inputs} inputs (height * width), got {mlp.weights[0].shape[0]}"
            )
        return mlp, float("nan"), "given"
    if y is None:
        raise ValueError("y (class labels) must be given with X to train the MLP")
    from energynets.models.mlp import ACTIVATIONS, check_labels

    labels = np.asarray(y)
    labels = check_labels(labels, int(labels.max()) + 1, "y")
    act = check_choice(activation, "mlp_activation", tuple(ACTIVATIONS))
    m_epochs = check_int(n_epochs, "mlp_epochs", minimum=1)
    m_eta = check_positive(learning_rate, "mlp_learning_rate")
    n_classes = int(labels.max()) + 1
    start = time.perf_counter()
    net, _ = train_classifier(
        [n_inputs, n_hidden, n_classes], X, labels, n_epochs=m_epochs, learning_rate=m_eta,
        batch_size=batch_size, entropy=entropy, init_key=Stream.MLP_INIT, activation=act,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    return net, seconds, f"{n_inputs}-{n_hidden}-{n_classes} ({act}), Adam, {m_epochs} epochs"


def _filter_record(
    name: str, w: np.ndarray, shape: tuple[int, int], seconds: float
) -> dict[str, Any]:
    """The record of one model's filters ``w`` (n_inputs, n_filters)."""
    return {
        "model": name,
        "n_filters": int(w.shape[1]),
        "mean_norm": float(np.mean(np.linalg.norm(w, axis=0))),
        "smoothness": filter_smoothness(w, shape),
        "redundancy": filter_redundancy(w),
        "seconds": None if np.isnan(seconds) else float(seconds),
    }
