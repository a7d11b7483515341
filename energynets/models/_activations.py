"""The elementwise pieces of the multilayer perceptron (:mod:`energynets.models.mlp`).

Hidden activations f, each next to its derivative written as a function of the output
a = f(z) (``(z, out) -> out`` and ``(a, out) -> out``, in place when ``out`` is the input);
output functions g, each next to the loss it is paired with (``z -> y_hat`` and
``(z, targets) -> losses``); weight initialisations (``(n_in, n_out, gen) -> W``).
:data:`~energynets.models.mlp.ACTIVATIONS`, :data:`~energynets.models.mlp.OUTPUTS` and
:data:`~energynets.models.mlp.INITIALIZERS` name them; the references are in
:mod:`energynets.models.mlp`.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "LEAKY_SLOPE",
    "NORMAL_INIT_STD",
    "binary_cross_entropy",
    "constant_init",
    "cross_entropy",
    "he_init",
    "identity",
    "identity_derivative",
    "identity_output",
    "leaky_relu",
    "leaky_relu_derivative",
    "lecun_init",
    "normal_init",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "sigmoid_output",
    "squared_error",
    "tanh",
    "tanh_derivative",
    "xavier_normal_init",
    "xavier_uniform_init",
]

#: Slope of the leaky ReLU for negative inputs, f(z) = 0.01 z (Maas, Hannun & Ng 2013).
LEAKY_SLOPE = 0.01

#: Standard deviation of the ``"normal"`` initialisation, N(0, 0.01^2) (Hinton 2010).
NORMAL_INIT_STD = 0.01


# -- hidden activations, each next to its derivative ------------------------------------------
def sigmoid(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    # f(z) = 1 / (1 + e^{-z}); e^{-z} overflows to inf for z below about -88 (float32) or
    # -709 (float64), and then f = 1 / inf = 0, the correctly rounded value
    np.negative(z, out=out)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


def sigmoid_derivative(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    # f'(z) = f(z) (1 - f(z)) = a - a^2
    a = _unaliased(a, out)
    return np.subtract(a, np.multiply(a, a, out=out), out=out)


def tanh(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    return np.tanh(z, out=out)


def tanh_derivative(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    # f'(z) = 1 - tanh(z)^2 = 1 - a^2
    return np.subtract(1.0, np.multiply(a, a, out=out), out=out)


def relu(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0, out=out)


def relu_derivative(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    # f'(z) = 1 for z > 0, 0 for z < 0 (and 0 at the kink); with a = max(z, 0) >= 0 this is
    # sign(a) (computed in a's dtype, with no boolean temporary)
    return np.sign(a, out=out)


def leaky_relu(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    # f(z) = max(z, s z) for a slope 0 < s < 1
    z = _unaliased(z, out)
    return np.maximum(z, np.multiply(z, LEAKY_SLOPE, out=out), out=out)


def leaky_relu_derivative(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    # f'(z) = 1 for z > 0, s for z < 0; sign(a) = sign(z), so f' = (1 + s)/2 + sign(a) (1 - s)/2
    # (at the kink z = 0 this gives (1 + s) / 2, a subgradient)
    np.sign(a, out=out)
    out *= 0.5 * (1.0 - LEAKY_SLOPE)
    out += 0.5 * (1.0 + LEAKY_SLOPE)
    return out


def identity(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    if out is not z:
        np.copyto(out, z)
    return out


def identity_derivative(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    out.fill(1.0)
    return out


def _unaliased(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``x``, or a copy of it when ``out`` is ``x``: the functions above write ``out`` before
    they have finished reading their input."""
    return x.copy() if out is x else x


# -- output functions, each with the loss it is paired with -------------------------------
# (softmax, the output paired with cross_entropy, is energynets.models._units.softmax, shared
# with the RBMs' one-of-K groups)
def cross_entropy(z: np.ndarray, targets: np.ndarray) -> np.ndarray:
    # -sum_k t_k log softmax_k(z) = logsumexp(z) - t.z for targets summing to 1, with
    # logsumexp(z) = m + log(1 + sum_{k != k*} e^{z_k - m}), m = z_{k*} the largest logit:
    # log1p keeps a loss far below 1 (the label is the largest logit by far) to full relative
    # precision where log(sum) would round 1 + tiny to 1, and
    # loss = log1p(...) + sum_k t_k (m - z_k) adds terms >= 0 only: exact at any logits
    top = z.argmax(axis=1)
    rows = np.arange(z.shape[0])
    gaps = z[rows, top][:, None] - z  # m - z_k >= 0
    others = np.exp(-gaps)
    others[rows, top] = 0.0
    lse = np.log1p(others.sum(axis=1))
    return (lse + np.einsum("ij,ij->i", targets, gaps)).astype(np.float64)


def sigmoid_output(z: np.ndarray) -> np.ndarray:
    return sigmoid(z, np.empty_like(z))


def binary_cross_entropy(z: np.ndarray, targets: np.ndarray) -> np.ndarray:
    # -t log sigma(z) - (1 - t) log(1 - sigma(z)) = softplus(z) - t z, written as
    # max(z, 0) - t z + log(1 + e^{-|z|}) with max(z, 0) - t z = (1 - t) z for z > 0 and
    # -t z otherwise: a sum of terms >= 0, so a loss far below 1 (t = 1, z = 40: e^{-40}) keeps
    # its relative precision instead of vanishing in softplus(z) - z; exact at any logits
    linear = np.where(z > 0, (1.0 - targets) * z, -targets * z)
    return (linear + np.log1p(np.exp(-np.abs(z)))).sum(axis=1, dtype=np.float64)


def identity_output(z: np.ndarray) -> np.ndarray:
    return z.copy()


def squared_error(z: np.ndarray, targets: np.ndarray) -> np.ndarray:
    # 1/2 sum_k (z_k - t_k)^2
    r = z - targets
    return 0.5 * np.einsum("ij,ij->i", r, r).astype(np.float64)


# -- weight initialisations -----------------------------------------------------------------
def normal_init(n_in: int, n_out: int, gen: np.random.Generator) -> np.ndarray:
    """W ~ N(0, 0.01^2): small random numbers, scale independent of the layer (Hinton 2010)."""
    return gen.standard_normal((n_in, n_out)) * NORMAL_INIT_STD


def xavier_uniform_init(n_in: int, n_out: int, gen: np.random.Generator) -> np.ndarray:
    """W ~ U(-r, r), r = sqrt(6 / (n_in + n_out)): Var W = 2 / (n_in + n_out) (Glorot 2010)."""
    r = np.sqrt(6.0 / (n_in + n_out))
    return gen.uniform(-r, r, size=(n_in, n_out))


def xavier_normal_init(n_in: int, n_out: int, gen: np.random.Generator) -> np.ndarray:
    """W ~ N(0, 2 / (n_in + n_out)) (Glorot & Bengio 2010)."""
    return gen.standard_normal((n_in, n_out)) * np.sqrt(2.0 / (n_in + n_out))


def he_init(n_in: int, n_out: int, gen: np.random.Generator) -> np.ndarray:
    """W ~ N(0, 2 / n_in): keeps the variance of ReLU activations constant (He et al. 2015)."""
    return gen.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)


def lecun_init(n_in: int, n_out: int, gen: np.random.Generator) -> np.ndarray:
    """W ~ N(0, 1 / n_in) (LeCun et al. 1998)."""
    return gen.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_in)


def constant_init(n_in: int, n_out: int, gen: np.random.Generator) -> np.ndarray:
    """W_ij = 1 / n_in for all i, j: every hidden unit of a layer computes the same function,
    gets the same gradient and stays a copy of the others (the symmetry random init breaks)."""
    return np.full((n_in, n_out), 1.0 / n_in)
