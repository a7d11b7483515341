"""Training classification RBMs generatively, discriminatively or with a mix of both
(Larochelle & Bengio 2008).

The model (:class:`~energynets.models.classification_rbm.ClassificationRBM`, whose docstring
gives its energy and free energy) is an RBM over the D features x and a one-of-K label block,
with feature weights W (D, H), label weights U (K, H), feature and label biases a and d, hidden
bias b, and o_yj(x) = b_j + U_yj + sum_i x_i W_ij the input of hidden unit j given x and y.

Training objectives (L&B 2008, sections 3-4), all maximised by stochastic gradient ascent:

- **generative**: log p(x, y), the RBM's log-likelihood of the joint rows, by CD-k or PCD-k
  (:func:`~energynets.learning.contrastive.contrastive_gradient`; the label block is sampled
  from its softmax);
- **discriminative**: log p(y | x), whose gradient is exact (L&B 2008, section 3): for any
  parameter theta,

      d log p(y|x) / d theta = sum_j sigmoid(o_yj) d o_yj / d theta
                               - sum_k p(k|x) sum_j sigmoid(o_kj) d o_kj / d theta,

  that is, with G_kj = (1[k = y] - p(k|x)) sigmoid(o_kj):

      d/db_j = sum_k G_kj,   d/dW_ij = x_i sum_k G_kj,   d/dU_kj = G_kj,
      d/dd_k = 1[k = y] - p(k|x),   d/da_i = 0

  (:func:`discriminative_gradient`, vectorised over the batch and the classes);
- **hybrid**: log p(y | x) + alpha log p(x, y), the generative part as a data-dependent
  regulariser (the best MNIST results of the paper: 1.28% error at alpha = 0.01).

References
----------
Larochelle, H. & Bengio, Y. (2008). Classification using discriminative restricted Boltzmann
machines. ICML 2008, 536-543.
Larochelle, H., Mandel, M., Pascanu, R. & Bengio, Y. (2012). Learning algorithms for the
classification restricted Boltzmann machine. JMLR 13, 643-669.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from energynets._validation import (
    RNGLike,
    check_choice,
    check_dtype,
    check_float,
    check_int,
    check_rng,
)
from energynets.learning import optim
from energynets.learning._loop import Training, check_callbacks, run
from energynets.learning.contrastive import contrastive_gradient
from energynets.metrics import RBMGradient
from energynets.models._activations import sigmoid
from energynets.models._units import softmax
from energynets.models.classification_rbm import (
    ClassificationRBM,
    check_row_labels,
    joint_rows,
    row_blocks,
    split_parameters,
)
from energynets.models.rbm import RBM

__all__ = [
    "OBJECTIVES",
    "ClassificationRBM",
    "discriminative_gradient",
    "fit_classification_rbm",
]

#: The training objectives of :func:`fit_classification_rbm`.
OBJECTIVES = ("generative", "discriminative", "hybrid")

#: Negative-phase methods of the generative part.
GENERATIVE_METHODS = ("cd", "pcd")

#: Rows of the fixed training subset the history's log loss and accuracy are computed on.
MONITOR_SIZE = 1000

# elements (rows x classes x hidden units) of one block of (n, K, H) temporaries
_BLOCK_ELEMENTS = 2**20

# the visible-bias initialisation clips frequencies to [eps, 1 - eps] (as fit_rbm does)
_BIAS_EPS = 1e-3


def _as_model(model: Any) -> ClassificationRBM:
    if isinstance(model, ClassificationRBM):
        return model
    if isinstance(model, RBM):
        return ClassificationRBM.from_rbm(model)
    raise TypeError(
        f"model must be a ClassificationRBM or an RBM with a label group, got "
        f"{type(model).__name__}"
    )


def discriminative_gradient(model: Any, X: Any, y: Any) -> tuple[float, RBMGradient]:
    """The exact gradient of the mean conditional log-likelihood 1/n sum_i log p(y_i | x_i).

    With o_kj = b_j + U_kj + (x W)_j, P_k = p(k | x) = softmax_k(d_k + sum_j softplus(o_kj))
    and G_kj = (1[k = y] - P_k) sigmoid(o_kj) (Larochelle & Bengio 2008, section 3), per row

        d/db_j = sum_k G_kj,   d/dW_ij = x_i sum_k G_kj,   d/dU_kj = G_kj,
        d/dd_k = 1[k = y] - P_k,   d/da_i = 0,

    averaged over the rows. All rows and classes at once: the (n, K, H) arrays o and G are
    formed in row blocks of at most 2**20 elements, so that the cost is O(n K H) time and
    bounded memory.

    Parameters
    ----------
    model : ClassificationRBM, or an RBM whose last K visible units form its softmax group
        Not modified.
    X : array_like, shape (n_samples, n_features)
        Features in [0, 1].
    y : array_like of int, shape (n_samples,)
        Labels in [0, n_classes).

    Returns
    -------
    log_likelihood : float
        1/n sum_i log p(y_i | x_i) (at most 0).
    gradient : RBMGradient
        Ascent direction for the joint RBM's parameters, in its dtype: ``weights`` (D + K, H)
        stacks dW over dU, ``visible_bias`` (D + K,) stacks 0 over dd, ``hidden_bias`` (H,).

    References
    ----------
    Larochelle, H. & Bengio, Y. (2008). Classification using discriminative restricted
    Boltzmann machines. ICML 2008, 536-543.
    """
    m = _as_model(model)
    x = m.check_features(X)
    if x.shape[0] == 0:
        raise ValueError("X must have at least one row, got 0")
    labels = check_row_labels(y, m.n_classes, x.shape[0])
    return _discriminative_gradient(m.rbm, x, labels)


def _discriminative_gradient(
    rbm: RBM, x: np.ndarray, labels: np.ndarray
) -> tuple[float, RBMGradient]:
    """:func:`discriminative_gradient` on checked inputs (x in the model's dtype)."""
    w, _, b, u, d_bias = split_parameters(rbm)
    n, k, nh = x.shape[0], u.shape[0], rbm.n_hidden
    dt = rbm.dtype
    base = x @ w
    base += b  # (n, H): the hidden input without the label
    g_hidden = np.empty((n, nh), dtype=dt)  # sum_k G_kj for each row
    g_label_w = np.zeros((k, nh), dtype=dt)
    residual = np.empty((n, k), dtype=dt)  # 1[k = y] - P_k
    log_lik = 0.0
    rows = np.arange(n)
    for start, stop in row_blocks(n, k * nh, _BLOCK_ELEMENTS):
        o = base[start:stop, None, :] + u[None, :, :]  # (rows, K, H)
        logits = d_bias + np.logaddexp(0, o).sum(axis=2)
        p = softmax(logits)
        picked = labels[start:stop]
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(shifted).sum(axis=1))
        log_lik += float(np.sum(shifted[rows[: stop - start], picked] - log_norm))
        r = -p
        r[rows[: stop - start], picked] += 1.0
        residual[start:stop] = r
        s = sigmoid(o, o)  # o is not needed any more
        s *= r[:, :, None]  # G, (rows, K, H)
        g_hidden[start:stop] = s.sum(axis=1)
        g_label_w += s.sum(axis=0)
    grad_w = np.empty_like(rbm.weights)
    d = w.shape[0]
    np.matmul(x.T, g_hidden, out=grad_w[:d])
    grad_w[d:] = g_label_w
    grad_w /= n
    grad_a = np.zeros_like(rbm.visible_bias)
    grad_a[d:] = residual.mean(axis=0)
    grad_b = g_hidden.mean(axis=0).astype(dt)
    return log_lik / n, RBMGradient(grad_w, grad_a, grad_b)


def _check_n_classes(y: Any, n_classes: Any) -> int:
    if n_classes is not None:
        return check_int(n_classes, "n_classes", minimum=2)
    arr = np.asarray(y)
    guess = 2
    if (
        arr.ndim == 1
        and arr.size
        and (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating))
    ):
        top = np.max(arr)
        if np.isfinite(top):
            guess = max(2, int(top) + 1)
    return guess


def fit_classification_rbm(
    X: Any,
    y: Any,
    n_hidden: int | ClassificationRBM,
    *,
    objective: str = "hybrid",
    alpha: float = 0.01,
    learning_rate: float = 0.05,
    n_epochs: int = 20,
    batch_size: int = 20,
    method: str = "cd",
    k: int = 1,
    momentum: float | str | Callable[[int], float] = 0.0,
    weight_decay: float = 0.0,
    n_classes: int | None = None,
    validation_data: tuple[Any, Any] | None = None,
    init_visible_bias: str | None = "data",
    rng: RNGLike = 0,
    dtype: Any = np.float64,
    callbacks: Sequence[Callable[[int, ClassificationRBM, dict[str, list[Any]]], Any]] = (),
    progress: bool = False,
) -> tuple[ClassificationRBM, dict[str, list[Any]]]:
    """Train a classification RBM (Larochelle & Bengio 2008) by mini-batch gradient ascent.

    Each epoch visits the rows in a fresh random order, in mini-batches. For each batch the
    update direction is

    - "generative": g_gen, the CD-k or PCD-k estimate of d log p(x, y) / d theta on the joint
      rows [x, one-hot(y)] (:func:`~energynets.learning.contrastive.contrastive_gradient`);
    - "discriminative": g_disc, the exact d log p(y | x) / d theta
      (:func:`discriminative_gradient`);
    - "hybrid": g_disc + alpha g_gen (the gradient of log p(y|x) + alpha log p(x, y));

    minus ``weight_decay`` W for the weights, all means over the batch. The parameters move by
    classical momentum, v <- m v + learning_rate g, theta <- theta + v.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
        Features in [0, 1] (bits; grey levels are read as probabilities). Not modified.
    y : array_like of int, shape (n_samples,)
        Labels in [0, n_classes). Not modified.
    n_hidden : int or ClassificationRBM
        The number of hidden units of a new model (weights as in :class:`ClassificationRBM`,
        from ``rng``), or a model to continue training (copied; ``n_classes`` and ``dtype``
        then come from it).
    objective : {"generative", "discriminative", "hybrid"}
    alpha : float >= 0
        Weight of the generative part in the hybrid objective (0.01 gave the paper's best
        MNIST result); ignored by the other objectives.
    learning_rate : float > 0
    n_epochs : int >= 1
    batch_size : int >= 1
    method : {"cd", "pcd"}
        Negative phase of the generative part: CD-k from the batch, or PCD-k with
        ``batch_size`` persistent chains started at random training rows.
    k : int >= 1
        Gibbs steps of the generative part.
    momentum : float in [0, 1), "hinton" or callable
        As for :func:`~energynets.fit_rbm`.
    weight_decay : float >= 0
        L2 penalty on the weights (not the biases).
    n_classes : int >= 2, optional
        Default: max(y) + 1 (at least 2).
    validation_data : (X_valid, y_valid), optional
        Held-out rows, scored after every epoch.
    init_visible_bias : "data" or None
        "data" (for a new model): feature biases log(p_i / (1 - p_i)) from the feature means
        and label biases log(class frequency), clipped at 0.001, so that the model starts
        with the data's marginals (Hinton 2010); None keeps zeros.
    rng : int, Generator or None
        All randomness: the initial weights (a new model), the batch order, the chains.
    dtype : numpy.float32 or numpy.float64
        Of a new model.
    callbacks : sequence of callables
        Each called after every epoch as ``callback(epoch, model, history)``; returning True
        stops the training after this epoch.
    progress : bool
        A tqdm progress bar over epochs.

    Returns
    -------
    model : ClassificationRBM
    history : dict of lists
        One entry per epoch: "epoch", "time" (seconds of training), "log_loss" and
        "accuracy" (mean -log p(y|x) and accuracy on a fixed random subset of at most 1000
        training rows), and with validation data "validation_log_loss" and
        "validation_accuracy".

    Raises
    ------
    ValueError, TypeError
        On any invalid argument, naming it (nothing is trained then).
    TrainingDiverged
        When the parameters after an epoch are not finite or beyond the square root of the
        largest float (:mod:`energynets.learning.divergence`); its ``model`` has the last
        good ones.

    Examples
    --------
    >>> X = np.array([[1, 1, 0, 0], [0, 0, 1, 1]] * 10, dtype=float)
    >>> y = np.array([0, 1] * 10)
    >>> model, history = fit_classification_rbm(X, y, 4, n_epochs=30, learning_rate=0.1)
    >>> model.predict([[1, 1, 0, 0], [0, 0, 1, 1]]).tolist()
    [0, 1]

    References
    ----------
    Larochelle, H. & Bengio, Y. (2008). Classification using discriminative restricted
    Boltzmann machines. ICML 2008, 536-543.
    """
    start_model, n_features, classes, dt, hidden, x, labels = _check_model_and_data(
        X, y, n_hidden, n_classes, dtype
    )
    obj = check_choice(objective, "objective", OBJECTIVES)
    weight_gen = check_float(alpha, "alpha", minimum=0.0)
    eta = check_float(learning_rate, "learning_rate", minimum=0.0, exclusive_minimum=True)
    epochs = check_int(n_epochs, "n_epochs", minimum=1)
    B = min(check_int(batch_size, "batch_size", minimum=1), x.shape[0])
    meth = check_choice(method, "method", GENERATIVE_METHODS)
    steps = check_int(k, "k", minimum=1)
    mom_at, uses_velocity = optim.momentum_schedule(momentum)
    wd = check_float(weight_decay, "weight_decay", minimum=0.0)
    if init_visible_bias is not None and init_visible_bias != "data":
        raise ValueError(f"init_visible_bias must be 'data' or None, got {init_visible_bias!r}")
    valid = _check_validation(validation_data, n_features, classes, dt)
    cbs = check_callbacks(callbacks)
    gen = check_rng(rng)
    if start_model is not None:
        model = start_model.copy()
    else:
        model = ClassificationRBM(n_features, classes, hidden, rng=gen, dtype=dt)
        if init_visible_bias == "data":
            _init_visible_bias(model, x, labels)
    settings = _Settings(obj, weight_gen, eta, B, meth, steps, mom_at, uses_velocity, wd)
    training = _ClassificationTraining(model, x, labels, valid, settings, gen)
    run(training, epochs, callbacks=cbs, progress=progress,
        desc=f"fit_classification_rbm ({obj})")  # fmt: skip
    return model, training.history


def _check_model_and_data(
    X: Any, y: Any, n_hidden: Any, n_classes: Any, dtype: Any
) -> tuple[ClassificationRBM | None, int, int, Any, int, np.ndarray, np.ndarray]:
    """(start model or None, n_features, n_classes, dtype, n_hidden, x, labels), checked."""
    arr = X if isinstance(X, np.ndarray) else np.asarray(X)
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise ValueError(
            f"X must be a 2-D array (n_samples, n_features) with at least one column, got "
            f"shape {arr.shape}"
        )
    hidden = 0
    if isinstance(n_hidden, ClassificationRBM):
        start_model: ClassificationRBM | None = n_hidden
        n_features = n_hidden.n_features
        classes = n_hidden.n_classes
        if n_classes is not None and check_int(n_classes, "n_classes", minimum=2) != classes:
            raise ValueError(
                f"n_classes must match the given model's {classes} classes, got {n_classes}"
            )
        dt = n_hidden.dtype
    else:
        start_model = None
        hidden = check_int(n_hidden, "n_hidden", minimum=1)
        classes = _check_n_classes(y, n_classes)
        dt = check_dtype(dtype)
        n_features = int(arr.shape[1])
    # a stand-in of the right shape checks X and y (no weights drawn yet)
    shape_check = ClassificationRBM(n_features, classes, 1, dtype=dt, weight_scale=0.0)
    x = shape_check.check_features(X)
    if x.shape[0] == 0:
        raise ValueError(f"X must have at least one row, got shape {x.shape}")
    labels = check_row_labels(y, classes, x.shape[0])
    return start_model, n_features, classes, dt, hidden, x, labels


def _check_validation(
    validation_data: Any, n_features: int, classes: int, dt: Any
) -> tuple[np.ndarray, np.ndarray] | None:
    if validation_data is None:
        return None
    if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
        raise TypeError(
            "validation_data must be a pair (X_valid, y_valid), got "
            f"{type(validation_data).__name__}"
        )
    shape_check = ClassificationRBM(n_features, classes, 1, dtype=dt, weight_scale=0.0)
    xv = shape_check.check_features(validation_data[0], "validation_data[0]")
    yv = check_row_labels(validation_data[1], classes, xv.shape[0], "validation_data[1]")
    return np.array(xv, copy=True), yv


def _init_visible_bias(model: ClassificationRBM, x: np.ndarray, labels: np.ndarray) -> None:
    """Feature biases log(p / (1 - p)) and label biases log(class frequency), in place."""
    n, n_features = x.shape
    p = np.clip(x.mean(axis=0, dtype=np.float64), _BIAS_EPS, 1.0 - _BIAS_EPS)
    model.rbm.visible_bias[:n_features] = np.log(p / (1.0 - p))
    freq = np.bincount(labels, minlength=model.n_classes) / n
    model.rbm.visible_bias[n_features:] = np.log(np.maximum(freq, _BIAS_EPS))


@dataclass
class _Settings:
    objective: str
    alpha: float
    learning_rate: float
    batch_size: int
    method: str
    k: int
    momentum: Callable[[int], float]
    uses_velocity: bool
    weight_decay: float


class _ClassificationTraining(Training):
    """The state and the updates of one :func:`fit_classification_rbm` run."""

    name = "fit_classification_rbm"

    def __init__(
        self,
        model: ClassificationRBM,
        x: np.ndarray,
        labels: np.ndarray,
        valid: tuple[np.ndarray, np.ndarray] | None,
        settings: _Settings,
        gen: np.random.Generator,
    ) -> None:
        s = self.settings_ = settings
        self.model, self.x, self.labels, self.valid, self.gen = model, x, labels, valid, gen
        n = x.shape[0]
        monitor_gen = np.random.default_rng(int(gen.integers(2**63)))
        subset = np.sort(monitor_gen.choice(n, size=min(n, MONITOR_SIZE), replace=False))
        self.x_monitor, self.y_monitor = np.array(x[subset], copy=True), labels[subset]
        self.needs_generative = s.objective != "discriminative"
        self.chains: np.ndarray | None = None
        if self.needs_generative and s.method == "pcd":
            start_rows = gen.integers(0, n, size=s.batch_size)
            self.chains = joint_rows(x[start_rows], labels[start_rows], model.n_classes)
        rbm = model.rbm
        self.params = [rbm.weights, rbm.visible_bias, rbm.hidden_bias]
        self.optimizer = optim.Momentum(self.params, rescale=False, velocity=s.uses_velocity)
        self.steps = [np.empty_like(p) for p in self.params]
        self.history = {"epoch": [], "time": [], "log_loss": [], "accuracy": []}
        self.learning_rate = s.learning_rate
        self.steps_per_epoch = -(-n // s.batch_size)

    def train_epoch(self, epoch: int) -> None:
        s = self.settings_
        m = s.momentum(epoch)
        order = self.gen.permutation(self.x.shape[0])
        for begin in range(0, self.x.shape[0], s.batch_size):
            idx = order[begin : begin + s.batch_size]
            self._direction(self.x[idx], self.labels[idx])
            self.optimizer.step_(self.steps, 1.0, scale=-1.0, momentum=m)

    def _direction(self, xb: np.ndarray, yb: np.ndarray) -> None:
        """steps <- learning_rate times the update direction of one mini-batch."""
        s, rbm = self.settings_, self.model.rbm
        for step in self.steps:
            step.fill(0.0)
        if s.objective != "generative":
            _, g = _discriminative_gradient(rbm, xb, yb)
            for step, part in zip(self.steps, g, strict=True):
                step += part
        if self.needs_generative:
            g_gen, new_chains = contrastive_gradient(
                rbm, joint_rows(xb, yb, self.model.n_classes), k=s.k, chains=self.chains,
                rng=self.gen,
            )  # fmt: skip
            if self.chains is not None:
                self.chains = new_chains
            scale = 1.0 if s.objective == "generative" else s.alpha
            for step, part in zip(self.steps, g_gen, strict=True):
                step += scale * part
        if s.weight_decay > 0:
            self.steps[0] -= s.weight_decay * rbm.weights
        for step in self.steps:
            step *= s.learning_rate

    def record(self, epoch: int, seconds: float) -> bool:
        h = self.history
        h["epoch"].append(epoch)
        h["time"].append(seconds)
        loss, accuracy = self.model.evaluate(self.x_monitor, self.y_monitor)
        h["log_loss"].append(loss)
        h["accuracy"].append(accuracy)
        if self.valid is not None:
            loss, accuracy = self.model.evaluate(*self.valid)
            h.setdefault("validation_log_loss", []).append(loss)
            h.setdefault("validation_accuracy", []).append(accuracy)
        return False

    def postfix(self) -> dict[str, str]:
        return {"accuracy": f"{self.history['accuracy'][-1]:.3f}"}

    def watched(self) -> dict[str, np.ndarray]:
        rbm = self.model.rbm
        return {
            "the weights": rbm.weights,
            "the visible biases": rbm.visible_bias,
            "the hidden biases": rbm.hidden_bias,
        }
