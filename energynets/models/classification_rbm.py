"""The classification RBM: an RBM over [x, one-hot(y)] that classifies by exact p(y | x)
(Larochelle & Bengio 2008).

The model is an ordinary Bernoulli RBM whose visible layer holds the D features x followed by
a one-of-K label block e_y (a softmax group, ``RBM(..., softmax_groups=[(D, D + K)])``). With
W the feature weights (D, H), U the label weights (K, H), a and d the feature and label biases
and b the hidden bias,

    E(x, y, h) = -x^T W h - a^T x - d_y - U_y h - b^T h,

and summing h out gives, with o_yj(x) = b_j + U_yj + sum_i x_i W_ij,

    -F(x, y) = a^T x + d_y + sum_j softplus(o_yj(x)),
    p(y | x) = exp(-F(x, y)) / sum_k exp(-F(x, k)),

exact and cheap: K H softplus terms per example (:meth:`RBM.label_probabilities`). The
prediction is argmax_y p(y | x) = argmin_y F(x, y), the label of lowest free energy. Its
training (generative, discriminative or hybrid) is in :mod:`energynets.learning.classification`.

References
----------
Larochelle, H. & Bengio, Y. (2008). Classification using discriminative restricted Boltzmann
machines. ICML 2008, 536-543.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from energynets._validation import RNGLike, as_float_array, check_float, check_int, check_rng
from energynets.models.mlp import check_labels
from energynets.models.rbm import RBM

__all__ = ["ClassificationRBM"]

#: Elements (rows x classes x hidden units) of one block of (n, K, H) temporaries.
BLOCK_ELEMENTS = 2**20


class ClassificationRBM:
    """An RBM over features and a one-hot label, classifying by exact p(y | x).

    Parameters
    ----------
    n_features : int >= 1
        D, the number of feature (Bernoulli) visible units.
    n_classes : int >= 2
        K, the size of the label block.
    n_hidden : int >= 1
    rng : int, Generator or None
        Randomness of the initial weights, N(0, weight_scale^2).
    dtype : numpy.float32 or numpy.float64
    weight_scale : float, optional
        Standard deviation of the initial weights. Default: m^(-1/2) with m = max(D + K,
        n_hidden), the order of the common U(-m^(-1/2), m^(-1/2)) rule for a weight matrix
        with m as its larger side. Much smaller weights (Hinton's 0.01 for generative RBMs)
        start the discriminative gradient near a saddle point: at W = U = 0 every class gets
        the same hidden input, d log p(y|x) / dW vanishes and, on balanced batches, so does
        the mean d/dU, and learning stalls for many epochs (measured on the digits: 0.1
        accuracy after 5 epochs at 0.01, 0.6 at the default).

    Attributes
    ----------
    rbm : RBM
        The joint model: ``n_visible = D + K``, visible units [0, D) the features and [D, D + K)
        the label, one softmax group ``(D, D + K)``. Any RBM method applies (sampling images of
        a class with the label clamped, free energies, AIS, ...).

    Notes
    -----
    See the module docstring for the energy, p(y | x) and the gradients. Build one from an
    existing RBM with :meth:`from_rbm`; train one with :func:`fit_classification_rbm`.

    Examples
    --------
    >>> model = ClassificationRBM(4, 3, 5, rng=0)
    >>> model
    ClassificationRBM(n_features=4, n_classes=3, n_hidden=5, dtype=float64)
    >>> model.predict_proba([[1, 0, 1, 1]]).shape
    (1, 3)

    References
    ----------
    Larochelle, H. & Bengio, Y. (2008). Classification using discriminative restricted
    Boltzmann machines. ICML 2008, 536-543.
    """

    def __init__(
        self,
        n_features: int,
        n_classes: int,
        n_hidden: int,
        *,
        rng: RNGLike = 0,
        dtype: Any = np.float64,
        weight_scale: float | None = None,
    ) -> None:
        d = check_int(n_features, "n_features", minimum=1)
        k = check_int(n_classes, "n_classes", minimum=2)
        h = check_int(n_hidden, "n_hidden", minimum=1)
        scale = (
            max(d + k, h) ** -0.5
            if weight_scale is None
            else check_float(weight_scale, "weight_scale", minimum=0.0)
        )
        self.rbm = RBM(
            d + k, h, rng=rng, dtype=dtype, weight_scale=scale, softmax_groups=[(d, d + k)]
        )

    @classmethod
    def from_rbm(cls, rbm: RBM) -> ClassificationRBM:
        """Wrap a copy of an RBM whose only softmax group is its last K >= 2 visible units.

        Parameters
        ----------
        rbm : RBM
            Bernoulli visible units, the features first and then the label group. Not
            modified.

        Returns
        -------
        ClassificationRBM

        Raises
        ------
        ValueError
            If ``rbm`` does not have that layout.

        Examples
        --------
        >>> from energynets.models import RBM
        >>> rbm = RBM(6, 4, rng=0, softmax_groups=[(4, 6)])
        >>> ClassificationRBM.from_rbm(rbm)
        ClassificationRBM(n_features=4, n_classes=2, n_hidden=4, dtype=float64)
        """
        if not isinstance(rbm, RBM):
            raise TypeError(f"rbm must be an energynets RBM, got {type(rbm).__name__}")
        groups = rbm.softmax_groups
        nv = rbm.n_visible
        if (
            rbm.visible != "bernoulli"
            or len(groups) != 1
            or groups[0][-1] != nv - 1
            or not np.array_equal(groups[0], np.arange(nv - groups[0].size, nv))
            or groups[0].size == nv
        ):
            raise ValueError(
                "rbm must have Bernoulli visible units, at least one feature unit and exactly "
                f"one softmax group holding its last visible units (the label), got {rbm!r}"
            )
        out = cls.__new__(cls)
        out.rbm = rbm.copy()
        return out

    def copy(self) -> ClassificationRBM:
        """A deep copy.

        Returns
        -------
        ClassificationRBM
        """
        return ClassificationRBM.from_rbm(self.rbm)

    # -- shapes ----------------------------------------------------------------------------
    @property
    def n_classes(self) -> int:
        """K, the size of the label block."""
        return int(self.rbm.softmax_groups[0].size)

    @property
    def n_features(self) -> int:
        """D, the number of feature units."""
        return self.rbm.n_visible - self.n_classes

    @property
    def n_hidden(self) -> int:
        """Number of hidden units."""
        return self.rbm.n_hidden

    @property
    def dtype(self) -> np.dtype:
        """Floating-point type of the joint RBM."""
        return self.rbm.dtype

    def __repr__(self) -> str:
        return (
            f"ClassificationRBM(n_features={self.n_features}, n_classes={self.n_classes}, "
            f"n_hidden={self.n_hidden}, dtype={self.dtype.name})"
        )

    # -- inputs ----------------------------------------------------------------------------
    def check_features(self, X: Any, name: str = "X") -> np.ndarray:
        """X as a 2-D array of the model's dtype, ``n_features`` columns, values in [0, 1].

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features) or (n_features,)
            Feature values in [0, 1].
        name : str
            The argument name the error messages use.

        Returns
        -------
        ndarray, shape (n_samples, n_features)
            A view of ``X`` when no conversion was needed.
        """
        arr = as_float_array(X, name, ndim=(1, 2), dtype=self.dtype, allow_empty=True)
        arr2 = arr[None, :] if arr.ndim == 1 else arr
        if arr2.shape[1] != self.n_features:
            raise ValueError(
                f"{name} must have {self.n_features} columns (n_features), got shape {arr.shape}"
            )
        if arr2.size and (arr2.min() < 0 or arr2.max() > 1):
            raise ValueError(
                f"{name} must lie in [0, 1] (Bernoulli feature units), got values in "
                f"[{arr2.min():g}, {arr2.max():g}]"
            )
        return arr2

    def joint(self, X: Any, y: Any) -> np.ndarray:
        """The visible rows [x, one-hot(y)], shape (n_samples, n_features + n_classes).

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features) or (n_features,)
            Feature values in [0, 1].
        y : array_like of int, shape (n_samples,)
            Labels in [0, n_classes).

        Returns
        -------
        ndarray, shape (n_samples, n_features + n_classes)
            The rows of the joint RBM, a new array.
        """
        x = self.check_features(X)
        return joint_rows(x, check_row_labels(y, self.n_classes, x.shape[0]), self.n_classes)

    # -- classification --------------------------------------------------------------------
    def predict_proba(self, X: Any) -> np.ndarray:
        """Exact p(y = k | x) = softmax_k(-F(x, k)), shape (n_samples, n_classes).

        Computed by :meth:`RBM.label_probabilities` (cost O(n_samples K H)); rows sum to 1.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features) or (n_features,)
            Feature values in [0, 1].

        Returns
        -------
        ndarray, shape (n_samples, n_classes)
        """
        return self.rbm.label_probabilities(self.check_features(X))

    def predict(self, X: Any) -> np.ndarray:
        """The label of lowest free energy, argmax_k p(k | x), int64, shape (n_samples,).

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features) or (n_features,)
            Feature values in [0, 1].

        Returns
        -------
        ndarray of int64, shape (n_samples,)
        """
        return np.argmax(self.predict_proba(X), axis=1).astype(np.int64)

    def free_energies(self, X: Any) -> np.ndarray:
        """F(x, k) for every row and class, shape (n_samples, n_classes), float64.

        -F(x, k) = a^T x + d_k + sum_j softplus(b_j + U_kj + (x W)_j).

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features) or (n_features,)
            Feature values in [0, 1].

        Returns
        -------
        ndarray of float64, shape (n_samples, n_classes)
        """
        x = self.check_features(X).astype(np.float64)
        w, a, b, u, d_bias = (np.asarray(p, dtype=np.float64) for p in split_parameters(self.rbm))
        base = x @ w + b
        out = np.empty((x.shape[0], self.n_classes), dtype=np.float64)
        for start, stop in row_blocks(x.shape[0], self.n_classes * self.n_hidden):
            o = base[start:stop, None, :] + u[None, :, :]
            out[start:stop] = -(x[start:stop] @ a)[:, None] - d_bias - np.logaddexp(0, o).sum(2)
        return out

    def evaluate(self, X: Any, y: Any) -> tuple[float, float]:
        """``(log_loss(X, y), score(X, y))`` from a single computation of p(y | x).

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features) or (n_features,)
            Feature values in [0, 1].
        y : array_like of int, shape (n_samples,)
            Labels in [0, n_classes).

        Returns
        -------
        log_loss, score : float
            As :meth:`log_loss` and :meth:`score` give them.
        """
        p = self.predict_proba(X)
        labels = check_row_labels(y, self.n_classes, p.shape[0])
        picked = p[np.arange(p.shape[0]), labels].astype(np.float64)
        loss = float(-np.mean(np.log(np.maximum(picked, np.finfo(np.float64).tiny))))
        return loss, float(np.mean(np.argmax(p, axis=1) == labels))

    def log_loss(self, X: Any, y: Any) -> float:
        """Mean negative conditional log-likelihood, -1/n sum_i log p(y_i | x_i).

        Parameters
        ----------
        X, y
            Features in [0, 1] and labels in [0, n_classes), as for :meth:`evaluate`.

        Returns
        -------
        float
            In nats.
        """
        return self.evaluate(X, y)[0]

    def score(self, X: Any, y: Any) -> float:
        """Accuracy: the fraction of rows whose predicted label (lowest free energy) is y.

        Parameters
        ----------
        X, y
            Features in [0, 1] and labels in [0, n_classes), as for :meth:`evaluate`.

        Returns
        -------
        float
            In [0, 1].
        """
        return self.evaluate(X, y)[1]

    # -- generation ------------------------------------------------------------------------
    def generate(
        self,
        labels: Any,
        n_gibbs: int = 1000,
        rng: RNGLike = 0,
        *,
        probabilities: bool = False,
    ) -> np.ndarray:
        """Features drawn from p(x | y) for given labels: block-Gibbs sampling with the label
        block clamped to e_y (:meth:`RBM.sample`).

        Each chain starts from uniform random feature bits and runs ``n_gibbs`` steps
        x -> h -> x with y held fixed, so its state approaches a draw from
        p(x | y) = p(x, y) / p(y) as ``n_gibbs`` grows.

        Parameters
        ----------
        labels : array_like of int, shape (n_samples,)
            The class of each chain, in [0, n_classes).
        n_gibbs : int >= 0
        rng : int, Generator or None
        probabilities : bool
            Return E[x | h] = sigmoid(a + W h) given a hidden sample from the final state,
            instead of the final binary state (smoother images).

        Returns
        -------
        ndarray, shape (n_samples, n_features), the model's dtype
        """
        gen = check_rng(rng)
        steps = check_int(n_gibbs, "n_gibbs", minimum=0)
        arr = np.asarray(labels)
        y = check_row_labels(arr, self.n_classes, arr.shape[0] if arr.ndim == 1 else -1, "labels")
        start = (gen.random((y.shape[0], self.n_features)) < 0.5).astype(self.dtype)
        init = joint_rows(start, y, self.n_classes)
        clamp = np.zeros(self.rbm.n_visible, dtype=bool)
        clamp[self.n_features :] = True
        v = self.rbm.sample(init=init, n_steps=steps, rng=gen, clamp=clamp)
        if probabilities:
            v = self.rbm.visible_mean(self.rbm.sample_hidden(v, gen))
        return np.ascontiguousarray(v[:, : self.n_features])

    # -- persistence -----------------------------------------------------------------------
    def get_params(self) -> dict[str, Any]:
        """The joint RBM's arrays (:meth:`RBM.get_params`, used by :mod:`energynets.io`).

        Returns
        -------
        dict
        """
        return self.rbm.get_params()


def split_parameters(rbm: RBM) -> tuple[np.ndarray, ...]:
    """(W, a, b, U, d): feature weights (D, H), feature bias, hidden bias, label weights
    (K, H), label bias, views of the joint RBM's arrays (the label block is last)."""
    d = rbm.n_visible - rbm.softmax_groups[0].size
    return (
        rbm.weights[:d],
        rbm.visible_bias[:d],
        rbm.hidden_bias,
        rbm.weights[d:],
        rbm.visible_bias[d:],
    )


def joint_rows(x: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """[x, one-hot(labels)] for checked inputs, in x's dtype."""
    n, d = x.shape
    out = np.zeros((n, d + n_classes), dtype=x.dtype)
    out[:, :d] = x
    out[np.arange(n), d + labels] = 1.0
    return out


def row_blocks(n: int, per_row: int, block_elements: int = BLOCK_ELEMENTS) -> list[tuple[int, int]]:
    """(start, stop) of consecutive row blocks of at most ``block_elements`` elements when
    each row takes ``per_row`` (at least one row per block)."""
    rows = max(1, block_elements // max(1, per_row))
    return [(s, min(n, s + rows)) for s in range(0, n, rows)]


def check_row_labels(y: Any, n_classes: int, n_samples: int, name: str = "y") -> np.ndarray:
    """``y`` checked as labels in [0, n_classes), one per row of X."""
    labels = check_labels(y, n_classes, name)
    if labels.shape[0] != n_samples:
        raise ValueError(
            f"{name} must have one label per row of X: X has {n_samples} rows, {name} has "
            f"{labels.shape[0]}"
        )
    return labels
