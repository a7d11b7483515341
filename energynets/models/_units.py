"""The nonlinearities of stochastic binary units: the logistic function, the softmax of a
one-of-K group, and drawing one-hot rows from categorical probabilities.

Shared by the RBM (its conditionals), the annealing path of an RBM, the trainers and the
metrics, and (softmax) by the MLP's output layer and the modern Hopfield network's attention;
each keeps the dtype of its input, so float32 models stay float32. The MLP's hidden sigmoid,
written in place into a buffer next to its derivative, is in
:mod:`energynets.models._activations`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sample_one_hot", "sigmoid", "softmax"]


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function, overflow-free for any x, keeping the dtype of x."""
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1.0 + ex)
    return out


def softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise softmax exp(x_k) / sum_l exp(x_l) of a 2-D array, max subtracted (a new array)."""
    z = x - x.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def sample_one_hot(probabilities: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """One-hot rows drawn from the categorical rows of ``probabilities``, shape (n, K).

    Row n gets unit k, the first with cumulative probability above uniforms[n] * total (the
    inverse-CDF method; ``uniforms`` has shape (n,), values in [0, 1)). Rows need not be
    normalised. Returns an array of the dtype of ``probabilities``.
    """
    cumulative = np.cumsum(probabilities, axis=1)
    threshold = uniforms * cumulative[:, -1]
    k = np.count_nonzero(cumulative <= threshold[:, None], axis=1)
    np.minimum(k, probabilities.shape[1] - 1, out=k)
    return (np.arange(probabilities.shape[1])[None, :] == k[:, None]).astype(probabilities.dtype)
