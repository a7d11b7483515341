"""Full-batch training of an MLP by L-BFGS (``scipy.optimize``, method L-BFGS-B).

:class:`FlatObjective` is the penalised mean loss of an :class:`~energynets.models.MLP` on a
whole data set as a function of its flat parameter vector (the weights, then the biases, the
layout of :class:`~energynets.learning._mlp_kernel.Kernel`), with its gradient by
backpropagation; :func:`fit_lbfgs` hands both to :func:`scipy.optimize.minimize` with
scikit-learn's options (``maxiter``, ``maxfun``, ``gtol``), as scikit-learn's MLPs do with
``solver="lbfgs"``. The objective, for n rows (or the sum of their weights),

    L(theta) = 1/n sum_i w_i loss_i / d + alpha / (2 n) ||W||^2,

with d the number of outputs for the squared error (the mean over the outputs, as
scikit-learn reports it; the gradient is that of L, so the two always agree) and 1 otherwise.

References
----------
Liu, D. C. & Nocedal, J. (1989). On the limited memory BFGS method for large scale
optimization. Mathematical Programming 45, 503-528.
Byrd, R. H., Lu, P., Nocedal, J. & Zhu, C. (1995). A limited memory algorithm for bound
constrained optimization. SIAM Journal on Scientific Computing 16, 1190-1208.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from energynets._validation import check_int
from energynets.learning._mlp_kernel import make_kernel
from energynets.models.mlp import MLP

__all__ = ["FlatObjective", "fit_lbfgs"]


class FlatObjective:
    """The full-batch penalised loss and its gradient, as functions of the flat parameters.

    The model trains in the kernel's flat buffer from construction until :meth:`release`.

    Parameters
    ----------
    model : MLP
        Its arrays become views into the flat buffer.
    X : ndarray, shape (n_samples, n_features)
    targets : ndarray, shape (n_samples, n_outputs)
        In the model's dtype.
    labels : ndarray of int64
        Class indices for a softmax output, else empty.
    alpha : float >= 0
    loss_divisor : float
        d in the module's formula.
    sample_weight : ndarray, shape (n_samples,), optional

    References
    ----------
    Rumelhart, D. E., Hinton, G. E. & Williams, R. J. (1986). Learning representations by
    back-propagating errors. Nature 323, 533-536 (the gradient).

    Examples
    --------
    >>> net = MLP([2, 2, 1], output="identity", rng=0)
    >>> X, t = np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([[1.0], [2.0]])
    >>> objective = FlatObjective(net, X, t, np.empty(0, np.int64), 0.0)
    >>> value, grad = objective(objective.initial())
    >>> grad.shape == (net.n_parameters,), value > 0
    (True, True)
    """

    def __init__(
        self,
        model: MLP,
        X: np.ndarray,
        targets: np.ndarray,
        labels: np.ndarray,
        alpha: float,
        loss_divisor: float = 1.0,
        sample_weight: np.ndarray | None = None,
    ) -> None:
        n = X.shape[0]
        self.kernel = make_kernel(model, X, n, sample_weight=sample_weight)
        self.data = (X, targets, labels)
        self.index = np.arange(n)
        self.alpha = float(alpha)
        self.loss_divisor = float(loss_divisor)
        self.size = float(n if sample_weight is None else np.sum(sample_weight, dtype=np.float64))
        self.n_calls = 0

    def initial(self) -> np.ndarray:
        """The model's parameters as one float64 vector.

        Returns
        -------
        ndarray, shape (n_parameters,)
            The weights, then the biases (a copy).
        """
        return self.kernel.params.astype(np.float64)

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """``(L(theta), dL/dtheta)``.

        Parameters
        ----------
        theta : ndarray, shape (n_parameters,)

        Returns
        -------
        value : float
        gradient : ndarray of float64, shape (n_parameters,)
            A new array.
        """
        k = self.kernel
        self.n_calls += 1
        np.copyto(k.params, theta, casting="unsafe")
        X, targets, labels = self.data
        summed, _ = k.step(X, targets, labels, self.index, 1.0)  # grads: d(sum/size)/dtheta
        grad = k.grads.astype(np.float64)
        d = self.loss_divisor
        value = summed / (d * self.size)
        if d != 1.0:
            grad /= d
        if self.alpha > 0:
            w = theta[: k.n_weights]
            value += 0.5 * self.alpha * float(np.dot(w, w)) / self.size
            grad[: k.n_weights] += (self.alpha / self.size) * w
        return float(value), grad

    def release(self, theta: np.ndarray) -> None:
        """Set the parameters to ``theta`` and give the model arrays of its own again.

        Parameters
        ----------
        theta : ndarray, shape (n_parameters,)
        """
        np.copyto(self.kernel.params, theta, casting="unsafe")
        self.kernel.release()


def fit_lbfgs(objective: FlatObjective, *, max_iter: int, max_fun: int, tol: float) -> Any:
    """Minimise ``objective`` by L-BFGS-B from the model's parameters; set the model to the
    result.

    Parameters
    ----------
    objective : FlatObjective
    max_iter : int >= 1
        L-BFGS iterations at most (scipy's ``maxiter``).
    max_fun : int >= 1
        Evaluations of the loss at most (scipy's ``maxfun``).
    tol : float >= 0
        scipy's ``gtol``: stop when the largest entry of the projected gradient is below it.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``.fun`` the final loss, ``.nit`` the iterations, ``.status`` 0 when converged.

    References
    ----------
    Byrd, R. H., Lu, P., Nocedal, J. & Zhu, C. (1995). A limited memory algorithm for bound
    constrained optimization. SIAM Journal on Scientific Computing 16, 1190-1208.

    Examples
    --------
    >>> net = MLP([1, 1], output="identity", rng=0)
    >>> X, t = np.array([[0.0], [1.0]]), np.array([[1.0], [3.0]])
    >>> result = fit_lbfgs(
    ...     FlatObjective(net, X, t, np.empty(0, np.int64), 0.0), max_iter=50, max_fun=100,
    ...     tol=1e-10)
    >>> np.round([net.weights[0][0, 0], net.biases[0][0]], 6)
    array([2., 1.])
    """
    import scipy.optimize

    iterations = check_int(max_iter, "max_iter", minimum=1)
    evaluations = check_int(max_fun, "max_fun", minimum=1)
    result = scipy.optimize.minimize(
        objective,
        objective.initial(),
        method="L-BFGS-B",
        jac=True,
        options={"maxfun": evaluations, "maxiter": iterations, "gtol": float(tol)},
    )
    with np.errstate(all="ignore"):
        objective.release(result.x)
    return result
