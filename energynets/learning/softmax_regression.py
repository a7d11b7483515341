"""Multinomial logistic (softmax) regression minimised to convergence by L-BFGS.

The model is p(y = k | x) = softmax(x W + b)_k with W of shape (n_features, n_classes) and b
of shape (n_classes,). For n rows (x_i, y_i) and inverse regularisation strength C, the
objective is the one of scikit-learn's ``LogisticRegression`` (multinomial, L2 penalty,
intercept not penalised), divided by n:

    f(W, b) = (1/n) [ sum_i -log p(y_i | x_i) + ||W||_F^2 / (2 C) ]

with gradient, P the (n, K) matrix of the probabilities and Y the one-hot labels,

    df/dW = (X^T (P - Y) + W / C) / n,   df/db = (1/n) sum_i (p_i - y_i).

:func:`softmax_regression_objective` computes both on the flat parameter vector
``[W.ravel(), b]``, and :func:`fit_softmax_regression` minimises it with
``scipy.optimize.minimize(method="L-BFGS-B")`` from zero, on the centred rows (the same
minimum, since b is not penalised, in fewer iterations), with the stopping rules of
scikit-learn's "lbfgs" solver (the largest gradient component under ``tol``, or a relative
change of f under 64 machine epsilons). The objective is strictly convex in W and its minimum
has sum_k W_k = 0 and sum_k b_k = 0 (each gradient sums to zero over the classes, so the
iterates never leave that subspace): the solution is unique and the same as scikit-learn's.

References
----------
Bishop, C. M. (2006). Pattern Recognition and Machine Learning, section 4.3.4 (multiclass
logistic regression). Springer.

Liu, D. C. & Nocedal, J. (1989). On the limited memory BFGS method for large scale
optimization. Mathematical Programming 45, 503-528.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from energynets._validation import as_float_array, check_float, check_int
from energynets.models._units import softmax

__all__ = ["SoftmaxRegression", "fit_softmax_regression", "softmax_regression_objective"]

#: Correction pairs L-BFGS keeps (scipy's default is 10): a longer memory halves the
#: iterations on the weakly regularised, ill-conditioned problems of RBM features (C = 6000)
#: for a negligible cost per iteration; the solution is the same.
_MEMORY = 100


@dataclass(frozen=True)
class SoftmaxRegression:
    """A softmax regression fitted by :func:`fit_softmax_regression`.

    Attributes
    ----------
    weights : ndarray of float64, shape (n_features, n_classes)
        W (scikit-learn's ``coef_`` is its transpose).
    bias : ndarray of float64, shape (n_classes,)
        b (scikit-learn's ``intercept_``).
    C : float
        The inverse regularisation strength it was fitted with.
    n_iter : int
        L-BFGS iterations.
    n_evaluations : int
        Evaluations of the objective and its gradient (each a pass over the rows).
    converged : bool
        Whether L-BFGS met its tolerance within ``max_iter`` iterations.
    loss : float
        The objective f (the mean log-loss plus ||W||^2 / (2 C n)) at the solution.

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> model = fit_softmax_regression(X, [0, 1, 1, 2], C=10.0)
    >>> model.predict(X).tolist(), model.converged
    ([0, 1, 1, 2], True)
    """

    weights: np.ndarray
    bias: np.ndarray
    C: float
    n_iter: int
    n_evaluations: int
    converged: bool
    loss: float

    def decision_function(self, X: Any) -> np.ndarray:
        """The scores x W + b of each class.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)

        Returns
        -------
        ndarray of float64, shape (n_samples, n_classes)
        """
        arr = as_float_array(X, "X", ndim=2, dtype=np.float64)
        if arr.shape[1] != self.weights.shape[0]:
            raise ValueError(
                f"X must have {self.weights.shape[0]} columns (the features the model was "
                f"fitted on), got shape {arr.shape}"
            )
        return arr @ self.weights + self.bias

    def predict_proba(self, X: Any) -> np.ndarray:
        """The class probabilities softmax(x W + b).

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)

        Returns
        -------
        ndarray of float64, shape (n_samples, n_classes)
            Rows sum to 1.
        """
        return softmax(self.decision_function(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)

        Returns
        -------
        ndarray of int64, shape (n_samples,)
        """
        return np.argmax(self.decision_function(X), axis=1).astype(np.int64)


def softmax_regression_objective(params: Any, X: Any, Y: Any, C: float) -> tuple[float, np.ndarray]:
    """The objective f of softmax regression and its gradient, on the flat parameters.

    f(W, b) = (1/n) [sum_i -log softmax(x_i W + b)_{y_i} + ||W||_F^2 / (2 C)], the objective of
    scikit-learn's multinomial ``LogisticRegression`` divided by the number of rows n.

    Parameters
    ----------
    params : array_like, shape (n_features * n_classes + n_classes,)
        ``[W.ravel(), b]``, W of shape (n_features, n_classes) in C order.
    X : array_like, shape (n, n_features)
        The rows. Not modified.
    Y : array_like, shape (n, n_classes)
        One-hot labels (or any rows of class probabilities).
    C : float > 0
        Inverse regularisation strength (the penalty is ||W||^2 / (2 C); b is not penalised).

    Returns
    -------
    f : float
    gradient : ndarray of float64, shape of ``params``

    References
    ----------
    Bishop, C. M. (2006). Pattern Recognition and Machine Learning, section 4.3.4. Springer.

    Examples
    --------
    At zero every class has probability 1/K, so f = log K:

    >>> f, g = softmax_regression_objective(np.zeros(6), np.eye(2), np.eye(2), C=1.0)
    >>> bool(np.isclose(f, np.log(2))), g.shape
    (True, (6,))
    """
    X = as_float_array(X, "X", ndim=2, dtype=np.float64)
    Y = as_float_array(Y, "Y", ndim=2, dtype=np.float64)
    theta = as_float_array(params, "params", ndim=1, dtype=np.float64)
    n, p = X.shape
    k = Y.shape[1]
    if Y.shape[0] != n:
        raise ValueError(f"Y must have one row per row of X ({n}), got shape {Y.shape}")
    if theta.shape[0] != (p + 1) * k:
        raise ValueError(
            f"params must have n_features * n_classes + n_classes = {(p + 1) * k} values, got "
            f"{theta.shape[0]}"
        )
    c = check_float(C, "C", minimum=0.0, exclusive_minimum=True)
    XT = np.ascontiguousarray(X.T)
    YT = np.ascontiguousarray(Y.T)
    return _objective(theta, XT, YT, 1.0 / c)


def _objective(
    theta: np.ndarray, XT: np.ndarray, YT: np.ndarray, alpha: float
) -> tuple[float, np.ndarray]:
    """f and its gradient, the arguments checked: the rows as the columns of ``XT`` (n_features,
    n) and of ``YT`` (n_classes, n), both C-contiguous (the fast layout), alpha = 1 / C."""
    p, n = XT.shape
    k = YT.shape[0]
    W = theta[: p * k].reshape(p, k)
    S = W.T @ XT  # (k, n): the scores of each class
    S += theta[p * k :, None]
    S -= S.max(axis=0)
    log_norm = np.log(np.exp(S).sum(axis=0))
    f = float(log_norm.sum()) - float(np.vdot(S, YT)) + 0.5 * alpha * float(np.vdot(W, W))
    # S <- P - Y, the gradient of the summed log-loss with respect to the scores
    S -= log_norm
    np.exp(S, out=S)
    S -= YT
    grad = np.empty_like(theta)
    gW = grad[: p * k].reshape(p, k)
    gW[...] = (S @ XT.T).T
    gW += alpha * W
    grad[p * k :] = S.sum(axis=1)
    grad /= n
    return f / n, grad


def fit_softmax_regression(
    X: Any,
    y: Any,
    *,
    C: float = 1.0,
    n_classes: int | None = None,
    tol: float = 1e-6,
    max_iter: int = 10000,
) -> SoftmaxRegression:
    """Fit a multinomial softmax regression by L-BFGS, to convergence.

    Minimises f(W, b) = (1/n) [sum_i -log softmax(x_i W + b)_{y_i} + ||W||_F^2 / (2 C)]
    (:func:`softmax_regression_objective`, scikit-learn's ``LogisticRegression`` objective
    with the L2 penalty, multinomial) with ``scipy.optimize.minimize(method="L-BFGS-B")``
    from W = 0, b = 0 on the centred rows (the same minimum, as b is not penalised), stopping
    when the largest gradient component is under ``tol`` (or f changes by under 64 machine
    epsilons, relative). The solution is unique, so it matches scikit-learn's
    ``LogisticRegression(C=C)`` fitted to the same tolerance. With two classes the model is
    the symmetric softmax (w_1 = -w_0): the binomial logistic regression of
    ``LogisticRegression(C=2 * C)``, with w = w_1 - w_0.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
        Not modified.
    y : array_like of int, shape (n_samples,)
        Class labels in [0, n_classes).
    C : float > 0
        Inverse regularisation strength, as in scikit-learn (larger: weaker penalty).
    n_classes : int >= 2, optional
        Default: ``max(y) + 1``.
    tol : float > 0
        Tolerance on the largest component of the gradient of f (scikit-learn's default is
        1e-4; the default here is tighter, to convergence).
    max_iter : int >= 1
        Most L-BFGS iterations.

    Returns
    -------
    SoftmaxRegression
        The weights, bias, iterations and whether it converged.

    References
    ----------
    Bishop, C. M. (2006). Pattern Recognition and Machine Learning, section 4.3.4. Springer.

    Liu, D. C. & Nocedal, J. (1989). On the limited memory BFGS method for large scale
    optimization. Mathematical Programming 45, 503-528.

    Examples
    --------
    >>> from energynets.datasets import load_digits
    >>> X, y = load_digits()
    >>> model = fit_softmax_regression(X[:1000] / 16.0, y[:1000], C=1.0)
    >>> model.converged, model.weights.shape
    (True, (64, 10))
    >>> print(f"{np.mean(model.predict(X[1000:] / 16.0) == y[1000:]):.3f}")
    0.932
    """
    from scipy.optimize import minimize

    from energynets.models.mlp import check_labels

    arr = as_float_array(X, "X", ndim=2, dtype=np.float64)
    labels = np.asarray(y)
    if labels.ndim != 1 or labels.shape[0] != arr.shape[0]:
        raise ValueError(
            f"y must have one label per row of X ({arr.shape[0]}), got shape {labels.shape}"
        )
    if n_classes is None:
        k = int(check_labels(labels, np.iinfo(np.int64).max, "y").max()) + 1
        k = max(k, 2)
    else:
        k = check_int(n_classes, "n_classes", minimum=2)
    codes = check_labels(labels, k, "y")
    c = check_float(C, "C", minimum=0.0, exclusive_minimum=True)
    gtol = check_float(tol, "tol", minimum=0.0, exclusive_minimum=True)
    iters = check_int(max_iter, "max_iter", minimum=1)
    n, p = arr.shape
    YT = np.zeros((k, n))
    YT[codes, np.arange(n)] = 1.0
    # The rows centred (a new array, in the fast layout): the same minimum, as b is not
    # penalised (b = b_centred - mean W), reached in fewer iterations.
    mean = arr.mean(axis=0)
    XT = np.ascontiguousarray((arr - mean).T)
    result = minimize(
        _objective,
        np.zeros((p + 1) * k),
        args=(XT, YT, 1.0 / c),
        method="L-BFGS-B",
        jac=True,
        options={
            "maxiter": iters,
            "gtol": gtol,
            "ftol": 64 * np.finfo(float).eps,
            "maxls": 50,
            "maxcor": _MEMORY,
        },
    )
    theta = np.asarray(result.x, dtype=np.float64)
    weights = theta[: p * k].reshape(p, k).copy()
    return SoftmaxRegression(
        weights=weights,
        bias=theta[p * k :] - mean @ weights,
        C=c,
        n_iter=int(result.nit),
        n_evaluations=int(result.nfev),
        converged=bool(result.success),
        loss=float(result.fun),
    )
