"""Training a feedforward network by backpropagation, and checking its gradients.

:func:`fit_mlp` minimises the mean loss of an :class:`~energynets.models.MLP` (cross-entropy,
binary cross-entropy or squared error) by mini-batch stochastic gradient methods: plain SGD,
momentum, Nesterov momentum or Adam (:mod:`energynets.learning.optim`), with L2 weight decay
on the weights, a learning-rate schedule, early stopping on a validation split, a history of
learning curves, callbacks and a progress bar. :func:`gradient_check` compares backpropagation
with central finite differences, parameter by parameter.

Speed: the trainer copies the model once, then gathers each shuffled mini-batch into
preallocated buffers and runs the forward pass, the backward pass (Rumelhart, Hinton &
Williams 1986) and the optimiser update with ``out=`` arguments only, in the model's dtype
(float32 end to end for a float32 model), so nothing is allocated per step. All parameters
live in one flat array during training (weights first, then biases), as do their gradients,
so an optimiser update is a handful of passes over one array; and the output error is
multiplied by the optimiser's preferred gradient scale (for Adam 1 - beta1), which the
matrix products carry through the whole backward pass at no cost. The input gradient of the
first layer is never computed, and the first layer's two products skip the input columns
that are zero in every row of the mini-batch (a third of the pixels of an MNIST batch of
100): they add nothing to x W_1 and their rows of dLoss/dW_1 are exactly zero. An epoch on N
rows costs at most 6 N (number of weights) floating-point operations (4 N for the first
layer), nearly all in matrix products.

References
----------
Rumelhart, D. E., Hinton, G. E. & Williams, R. J. (1986). Learning representations by
back-propagating errors. Nature 323, 533-536.
Kingma, D. P. & Ba, J. (2015). Adam: a method for stochastic optimization. ICLR 2015.
Prechelt, L. (1998). Early stopping - but when? In Neural Networks: Tricks of the Trade,
LNCS 1524, 55-69.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from energynets._validation import (
    RNGLike,
    as_float_array,
    check_choice,
    check_data_matrix,
    check_float,
    check_int,
    check_rng,
    is_sparse,
)
from energynets.learning import optim
from energynets.learning._loop import Training, check_callbacks, run
from energynets.learning._mlp_kernel import make_kernel
from energynets.models.mlp import MLP, check_labels

__all__ = ["GradientCheck", "fit_mlp", "gradient_check"]

Callback = Callable[[int, MLP, dict[str, list[Any]]], Any]


# -- input checks ------------------------------------------------------------------------------
def _check_features(mlp: MLP, X: Any, name: str) -> np.ndarray:
    """X without copying it: a 2-D numeric array with the model's input size, finite.

    Uses min and max (no temporaries the size of the data): NaN propagates into both. A
    ``scipy.sparse`` X becomes a CSR matrix of the model's dtype (:meth:`MLP.check_input`).
    """
    if is_sparse(X):
        return mlp.check_input(X, name)
    arr = check_data_matrix(X, name, mlp.layer_sizes[0], "n_features", "the input layer size")
    if np.issubdtype(arr.dtype, np.floating):
        lo, hi = arr.min(), arr.max()
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise ValueError(f"{name} must contain only finite values (no NaN or inf)")
    return arr


def _check_xy(mlp: MLP, X: Any, y: Any, x_name: str, y_name: str) -> tuple[np.ndarray, ...]:
    """(X, targets, labels): targets (n, n_outputs) in the model's dtype, labels int64 (n,)
    for softmax outputs (else an empty array)."""
    arr = _check_features(mlp, X, x_name)
    targets = mlp.check_targets(y, arr.shape[0], y_name)
    if mlp.output == "softmax":
        labels = check_labels(y, mlp.layer_sizes[-1], y_name)
    else:
        labels = np.empty(0, dtype=np.int64)
    return arr, targets, labels


# -- the trainer -------------------------------------------------------------------------------
def _check_validation(
    mlp: MLP, validation_data: Any, n: int, gen: np.random.Generator
) -> tuple[Any, np.ndarray | None]:
    """(("split", rows) or ("given", X_valid, y_valid) or None, the training row indices or
    None for all rows)."""
    if validation_data is None:
        return None, None
    if isinstance(validation_data, numbers.Real) and not isinstance(validation_data, bool):
        fraction = check_float(validation_data, "validation_data (a fraction)", minimum=0.0)
        if not 0.0 < fraction < 1.0:
            raise ValueError(f"validation_data as a fraction must lie in (0, 1), got {fraction}")
        n_valid = round(fraction * n)
        if n_valid < 1 or n_valid > n - 1:
            raise ValueError(
                f"validation_data={fraction} of {n} rows leaves no validation or no training rows"
            )
        order = gen.permutation(n)
        return ("split", np.sort(order[:n_valid])), np.sort(order[n_valid:])
    if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
        raise TypeError(
            "validation_data must be a pair (X_valid, y_valid) or a fraction in (0, 1), got "
            f"{type(validation_data).__name__}"
        )
    Xv, tv, lv = _check_xy(
        mlp, validation_data[0], validation_data[1], "validation_data[0]", "validation_data[1]"
    )
    return ("given", Xv, lv if mlp.output == "softmax" else tv), None


def _check_dropout(value: Any, name: str) -> float:
    p = check_float(value, name, minimum=0.0)
    if p >= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1) (1 drops every unit), got {p}")
    return p


def fit_mlp(
    mlp: MLP,
    X: Any,
    y: Any,
    *,
    optimizer: str = "adam",
    learning_rate: float = 1e-3,
    n_epochs: int = 20,
    batch_size: int = 100,
    momentum: float = 0.9,
    betas: tuple[float, float] = (0.9, 0.999),
    epsilon: float = 1e-8,
    weight_decay: float = 0.0,
    dropout: float = 0.0,
    input_dropout: float = 0.0,
    learning_rate_schedule: str | Callable[[int], float] = "constant",
    validation_data: Any = None,
    early_stopping: int | None = None,
    rng: RNGLike = 0,
    callbacks: Sequence[Callback] | Callback = (),
    progress: bool = False,
    checkpoint: str | os.PathLike[str] | None = None,
    checkpoint_every: int = 1,
    resume: str | os.PathLike[str] | None = None,
) -> tuple[MLP, dict[str, list[Any]]]:
    """Train a feedforward network by backpropagation and mini-batch gradient descent.

    Each epoch visits the training rows in a fresh random order, in mini-batches of
    ``batch_size``. For each batch the mean loss and its gradient are computed by
    backpropagation (:meth:`MLP.backward`), L2 weight decay adds weight_decay * W to the
    gradient of every weight matrix (not the biases), and the optimiser moves the parameters
    with the learning rate eta_t = learning_rate * schedule(epoch).

    Parameters
    ----------
    mlp : MLP
        The initial network. It is copied once; the copy is trained in place and returned,
        the argument is never modified. Its dtype (float32 or float64) is used throughout.
    X : array_like or scipy.sparse matrix, shape (n_samples, layer_sizes[0])
        Inputs, any numeric dtype (e.g. grey levels / 255 as float32). Never modified nor
        copied whole: each mini-batch is gathered into a preallocated buffer. A sparse X
        (converted once to a CSR matrix of the model's dtype) is never densified: its
        mini-batches are sliced as sparse rows and enter the first layer's products as
        sparse matrices (:class:`~energynets.learning._mlp_kernel.SparseKernel`).
    y : array_like, shape (n_samples,) or (n_samples, n_outputs)
        Targets (see :meth:`MLP.check_targets`): integer labels in [0, n_outputs) of shape
        (n_samples,) for softmax outputs; values in [0, 1] (sigmoid) or any finite values
        (identity) of shape (n_samples, n_outputs), or (n_samples,) for one output.
    optimizer : {"sgd", "momentum", "nesterov", "adam"}
        See :mod:`energynets.learning.optim`.
    learning_rate : float > 0
        eta (the gradient is a mean over the batch, so it does not depend on batch_size).
    n_epochs : int >= 1
    batch_size : int >= 1
        Rows per mini-batch (at most n_samples; the last batch of an epoch takes the rest).
    momentum : float in [0, 1)
        For "momentum" and "nesterov".
    betas : (float, float)
        Adam's beta1 and beta2.
    epsilon : float > 0
        Adam's epsilon.
    weight_decay : float >= 0
        L2 penalty weight_decay / 2 ||W||^2 on the weights only (the recorded loss does not
        include it).
    dropout : float in [0, 1)
        Dropout (Srivastava et al. 2014) on the hidden units: in each training example every
        hidden unit is dropped (set to zero) with this probability, independently, and the
        kept ones are scaled by 1 / (1 - dropout), so that the trained network is used as it
        is for prediction ("inverted" dropout). The gradient is that of the thinned network.
        The masks are drawn from ``rng``; 0 (the default) trains exactly as without dropout.
    input_dropout : float in [0, 1)
        The same for the input units (Srivastava et al. use 0.2 with 0.5 on the hidden units).
    learning_rate_schedule : {"constant", "linear", "exponential"} or callable
        Factor on the learning rate per epoch
        (:func:`energynets.learning.optim.learning_rate_schedule`).
    validation_data : (X_valid, y_valid) or float, optional
        Held-out data for the validation loss and accuracy recorded after each epoch; a
        fraction in (0, 1) holds out that share of the rows of X (drawn with ``rng``), which
        are then not trained on.
    early_stopping : int >= 1, optional
        Patience: stop when the validation loss has not improved for this many epochs, and
        return the network of the epoch with the lowest validation loss (Prechelt 1998).
        Needs ``validation_data``.
    rng : int, Generator or None
        The batch order (and the validation split, and the dropout masks).
    callbacks : callable or sequence of callables
        Each is called after every epoch as ``callback(epoch, mlp, history)`` (epoch counting
        from 0, mlp the network being trained: read it, do not modify it); returning True
        stops the training after this epoch.
    progress : bool
        Show a tqdm progress bar over epochs.
    checkpoint, checkpoint_every, resume
        Checkpoints every ``checkpoint_every`` epochs and bit-identical resume, exactly as for
        :func:`~energynets.fit_rbm`. A checkpoint of fit_mlp holds the parameters, the
        optimiser's state (Adam's moments and step count, momentum buffers), the
        early-stopping state, the random generator's state and the history; ``mlp`` only
        gives the shape when resuming. It also records a run that stopped (early stopping, a
        callback): resuming it trains no further epoch and returns the network that run
        returned.

    Returns
    -------
    mlp : MLP
        The trained copy.
    history : dict of lists
        One entry per epoch: "epoch", "learning_rate", "time" (seconds of training in the
        epoch, evaluation excluded), "loss" (the mean training loss over the epoch's
        mini-batches, as the parameters moved; of the thinned networks with dropout),
        "accuracy" (the same for the accuracy; softmax and sigmoid outputs) and, with
        validation data, "validation_loss" and "validation_accuracy" (or
        "validation_score", R^2, for identity outputs) of the network at the end of the epoch.

    Raises
    ------
    ValueError, TypeError
        On any invalid argument, naming it (nothing is trained then).
    TrainingDiverged
        When the loss of a mini-batch or the parameters after an epoch are not finite (a
        learning rate far too large): it names the quantity and the update, and its
        ``model`` has the parameters of the end of the last finite epoch; no checkpoint is
        written for the diverged epoch.

    References
    ----------
    Rumelhart, D. E., Hinton, G. E. & Williams, R. J. (1986). Learning representations by
    back-propagating errors. Nature 323, 533-536.

    Polyak, B. T. (1964). Some methods of speeding up the convergence of iteration methods. USSR
    Computational Mathematics and Mathematical Physics 4, 1-17.

    Sutskever, I., Martens, J., Dahl, G. & Hinton, G. E. (2013). On the importance of initialization
    and momentum in deep learning. ICML 2013, 1139-1147.

    Kingma, D. P. & Ba, J. (2015). Adam: a method for stochastic optimization. ICLR 2015.

    Srivastava, N., Hinton, G., Krizhevsky, A., Sutskever, I. & Salakhutdinov, R. (2014).
    Dropout: a simple way to prevent neural networks from overfitting. Journal of Machine
    Learning Research 15, 1929-1958.

    Prechelt, L. (1998). Early stopping - but when? In Neural Networks: Tricks of the Trade, LNCS
    1524, 55-69.

    Examples
    --------
    >>> from energynets.datasets import load_digits
    >>> X, y = load_digits()
    >>> net = MLP([64, 32, 10], rng=0)
    >>> net, history = fit_mlp(net, X / 16.0, y, n_epochs=3, learning_rate=0.01, rng=0)
    >>> len(history["loss"]), history["accuracy"][-1] > 0.8
    (3, True)
    """
    if not isinstance(mlp, MLP):
        raise TypeError(f"mlp must be an energynets MLP, got {type(mlp).__name__}")
    X_arr, targets, labels = _check_xy(mlp, X, y, "X", "y")
    opt_name = check_choice(optimizer, "optimizer", optim.OPTIMIZERS)
    eta = check_float(learning_rate, "learning_rate", minimum=0.0, exclusive_minimum=True)
    epochs = check_int(n_epochs, "n_epochs", minimum=1)
    batch = check_int(batch_size, "batch_size", minimum=1)
    lr_factor = optim.learning_rate_schedule(learning_rate_schedule, epochs)
    wd = check_float(weight_decay, "weight_decay", minimum=0.0)
    p_drop = _check_dropout(dropout, "dropout")
    p_drop_input = _check_dropout(input_dropout, "input_dropout")
    patience = None
    if early_stopping is not None:
        patience = check_int(early_stopping, "early_stopping", minimum=1)
        if validation_data is None:
            raise ValueError(
                "early_stopping needs validation_data (a pair (X_valid, y_valid) or a "
                "fraction of X to hold out)"
            )
    cbs = check_callbacks(callbacks)
    gen = check_rng(rng)
    n = X_arr.shape[0]
    valid, train_rows = _check_validation(mlp, validation_data, n, gen)
    if valid is not None and valid[0] == "split":
        rows = valid[1]
        y_rows = labels[rows] if mlp.output == "softmax" else targets[rows]
        valid = ("given", X_arr[rows], y_rows)
    n_train = n if train_rows is None else train_rows.shape[0]
    settings = _MLPSettings(
        opt_name, eta, lr_factor, min(batch, n_train), wd, p_drop, p_drop_input, patience,
        {"momentum": momentum, "betas": betas, "epsilon": epsilon},
    )  # fmt: skip
    training = _MLPTraining(mlp, (X_arr, targets, labels), train_rows, valid, settings, gen)
    run(
        training, epochs, callbacks=cbs, progress=progress, desc=f"fit_mlp ({opt_name})",
        checkpoint=checkpoint, checkpoint_every=checkpoint_every, resume=resume,
    )  # fmt: skip
    training.finish()
    return training.model, training.history


@dataclass
class _MLPSettings:
    """The checked arguments of :func:`fit_mlp` that shape the run."""

    optimizer: str
    learning_rate: float
    learning_rate_factor: Callable[[int], float]
    batch_size: int
    weight_decay: float
    dropout: float
    input_dropout: float
    patience: int | None
    optimizer_options: dict[str, Any]


class _MLPTraining(Training):
    """The state and the updates of one :func:`fit_mlp` run."""

    name = "fit_mlp"

    def __init__(
        self,
        mlp: MLP,
        data: tuple[np.ndarray, np.ndarray, np.ndarray],
        train_rows: np.ndarray | None,
        valid: Any,
        settings: _MLPSettings,
        gen: np.random.Generator,
    ) -> None:
        s = self.settings_ = settings
        self.data, self.train_rows, self.valid, self.gen = data, train_rows, valid, gen
        self.n_train = data[0].shape[0] if train_rows is None else train_rows.shape[0]
        self.model = model = mlp.copy()
        kernel = make_kernel(model, data[0], s.batch_size, s.dropout, s.input_dropout, gen)
        self.kernel = kernel
        n_w = kernel.n_weights
        # the optimiser sees all weights (decayed) and all biases (not decayed) as two arrays,
        # or everything as one array when there is no weight decay (fewer calls per step)
        if s.weight_decay > 0:
            params = [kernel.params[:n_w], kernel.params[n_w:]]
            self.grads = [kernel.grads[:n_w], kernel.grads[n_w:]]
        else:
            params, self.grads = [kernel.params], [kernel.grads]
        self.optimizer = optim.make_optimizer(
            s.optimizer, params, weight_decay=s.weight_decay,
            decay=(True, False) if s.weight_decay > 0 else None, **s.optimizer_options,
        )  # fmt: skip
        self.classify = model.output in ("softmax", "sigmoid")
        self.history = {"epoch": [], "learning_rate": [], "time": [], "loss": []}
        if self.classify:
            self.history["accuracy"] = []
        self.best_loss, self.best_epoch = np.inf, -1
        self.best_params: np.ndarray | None = None
        self.learning_rate = s.learning_rate
        self.steps_per_epoch = -(-self.n_train // s.batch_size)

    def train_epoch(self, epoch: int) -> int | None:
        s, kernel, opt = self.settings_, self.kernel, self.optimizer
        self.step_size = step_size = s.learning_rate * s.learning_rate_factor(epoch)
        scale = float(opt.gradient_scale(step_size))
        perm = self.gen.permutation(self.n_train)
        order = perm if self.train_rows is None else self.train_rows[perm]
        X, targets, labels = self.data
        self.total_loss, self.total_correct = 0.0, 0
        for i, start in enumerate(range(0, self.n_train, s.batch_size)):
            index = order[start : start + s.batch_size]
            loss, correct = kernel.step(X, targets, labels, index, scale)
            if not math.isfinite(loss):
                return i
            opt.step_(self.grads, step_size, scale=scale)
            self.total_loss += loss
            self.total_correct += correct
        return None

    def record(self, epoch: int, seconds: float) -> bool:
        h = self.history
        h["epoch"].append(epoch)
        h["learning_rate"].append(self.step_size)
        h["time"].append(seconds)
        h["loss"].append(self.total_loss / self.n_train)
        if self.classify:
            h["accuracy"].append(self.total_correct / self.n_train)
        patience = self.settings_.patience
        if self.valid is not None:
            v_loss, v_score = self.model.evaluate(self.valid[1], self.valid[2])
            h.setdefault("validation_loss", []).append(v_loss)
            key = "validation_accuracy" if self.classify else "validation_score"
            h.setdefault(key, []).append(v_score)
            if patience is not None and v_loss < self.best_loss:
                self.best_loss, self.best_epoch = v_loss, epoch
                self.best_params = self.kernel.params.copy()
        return patience is not None and epoch - self.best_epoch >= patience

    def postfix(self) -> dict[str, str]:
        return {"loss": f"{self.history['loss'][-1]:.4g}"}

    def watched(self) -> dict[str, np.ndarray]:
        return {"the parameters": self.kernel.params}

    def release(self) -> None:
        self.kernel.release()

    def finish(self) -> None:
        """After the run: the best network of early stopping, in arrays of its own."""
        if self.best_params is not None:
            np.copyto(self.kernel.params, self.best_params)
        self.kernel.release()

    def settings(self) -> dict[str, Any]:
        s, model = self.settings_, self.model
        return {
            "optimizer": s.optimizer,
            "batch_size": s.batch_size,
            "layer_sizes": list(model.layer_sizes),
            "activation": model.activation,
            "output": model.output,
            "dtype": str(model.dtype),
            "n_samples": self.data[0].shape[0],
            "n_train": self.n_train,
            "weight_decay": s.weight_decay,
            "dropout": s.dropout,
            "input_dropout": s.input_dropout,
            "early_stopping": s.patience,
        }

    def state(self) -> dict[str, np.ndarray]:
        return {"params": self.kernel.params}

    def extra_state(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        arrays = {} if self.best_params is None else {"best_params": self.best_params}
        best = None if np.isinf(self.best_loss) else self.best_loss
        return arrays, {"best": [best, self.best_epoch]}

    def restore_extra(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        loss_value, self.best_epoch = meta.get("best", [None, -1])  # its schema is checked
        self.best_loss = np.inf if loss_value is None else loss_value
        self.best_params = None
        if "best_params" in arrays:
            best, params = arrays["best_params"], self.kernel.params
            if best.shape != params.shape or best.dtype != params.dtype:
                raise ValueError(
                    f"best_params has shape {best.shape} and dtype {best.dtype}, the run needs "
                    f"{params.shape} and {params.dtype}"
                )
            self.best_params = best.copy()


def _targets_as_y(model: MLP, targets: np.ndarray) -> np.ndarray:
    """The ``y`` that :meth:`MLP.check_targets` turns into ``targets`` (labels for softmax)."""
    if model.output == "softmax":
        return np.argmax(targets, axis=1)
    return targets


# -- gradient check ----------------------------------------------------------------------------
class GradientCheck(NamedTuple):
    """The result of :func:`gradient_check`.

    Attributes
    ----------
    max_relative_error : float
        The largest of ``relative_errors``.
    relative_errors : dict of str -> float
        For each parameter ("weights[0]", ..., "biases[0]", ...), ||a - d|| / (||a|| + ||d||)
        over the checked entries, a the backprop gradient, d the finite differences (0 when
        both vanish).
    analytic : dict of str -> ndarray
        The backprop gradient of each parameter (float64).
    numeric : dict of str -> ndarray
        The finite-difference gradient of each parameter (float64; NaN for unchecked
        entries).

    Examples
    --------
    >>> check = gradient_check(MLP([2, 3, 2], rng=0), [[0.5, -1.0], [1.0, 2.0]], [0, 1])
    >>> sorted(check.relative_errors), check.analytic["weights[0]"].shape
    (['biases[0]', 'biases[1]', 'weights[0]', 'weights[1]'], (2, 3))
    >>> check.max_relative_error < 1e-7
    True
    """

    max_relative_error: float
    relative_errors: dict[str, float]
    analytic: dict[str, np.ndarray]
    numeric: dict[str, np.ndarray]


def gradient_check(
    model: MLP,
    X: Any,
    y: Any,
    *,
    eps: float = 1e-6,
    n_entries: int | None = None,
    rng: RNGLike = 0,
) -> GradientCheck:
    """Compare backpropagation with central finite differences, for every parameter.

    For each checked entry theta of each parameter,

        dLoss/dtheta ~ (Loss(theta + eps) - Loss(theta - eps)) / (2 eps),

    with an error O(eps^2); the comparison runs on a float64 copy of the model (the model is
    not modified), so with eps = 1e-6 a correct backward pass agrees to about 1e-8 relative
    error, and a wrong one is off by order 1.

    Parameters
    ----------
    model : MLP
    X : array_like, shape (n_samples, layer_sizes[0])
        A small batch (each checked entry costs two forward passes over it).
    y : array_like, shape (n_samples,) or (n_samples, n_outputs)
        Its targets (see :meth:`MLP.check_targets`).
    eps : float > 0
    n_entries : int >= 1, optional
        Check at most this many randomly chosen entries per parameter (all when None).
    rng : int, Generator or None
        Which entries, when ``n_entries`` is given.

    Returns
    -------
    GradientCheck
        ``.max_relative_error`` and the per-parameter details.

    Notes
    -----
    Kinks (ReLU at 0) break finite differences when a pre-activation lies within eps of the
    kink; with random real-valued inputs this has probability about eps.

    References
    ----------
    Rumelhart, Hinton & Williams (1986), the gradient checked; LeCun et al. (1998): cited in
    full in :mod:`energynets.models.mlp`.

    Examples
    --------
    >>> net = MLP([3, 4, 2], activation="tanh", rng=0)
    >>> X = np.random.default_rng(0).standard_normal((5, 3))
    >>> gradient_check(net, X, [0, 1, 1, 0, 1]).max_relative_error < 1e-7
    True
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an energynets MLP, got {type(model).__name__}")
    h = check_float(eps, "eps", minimum=0.0, exclusive_minimum=True)
    limit = None if n_entries is None else check_int(n_entries, "n_entries", minimum=1)
    gen = check_rng(rng)
    net = model.astype(np.float64)
    x = as_float_array(net.check_input(X), "X", dtype=np.float64)
    targets = net.check_targets(y, x.shape[0])
    y_checked = _targets_as_y(net, targets)
    _, grads_w, grads_b = net.gradient(x, y_checked)

    def loss() -> float:
        return net.evaluate(x, y_checked)[0]

    analytic: dict[str, np.ndarray] = {}
    numeric: dict[str, np.ndarray] = {}
    errors: dict[str, float] = {}
    named = net.parameters()
    for (name, param), grad in zip(named, grads_w + grads_b, strict=True):
        flat = param.reshape(-1)  # a view: perturbations act on the network
        entries = np.arange(flat.size)
        if limit is not None and limit < flat.size:
            entries = np.sort(gen.choice(flat.size, size=limit, replace=False))
        num = np.full(flat.size, np.nan)
        for i in entries:
            keep = flat[i]
            flat[i] = keep + h
            up = loss()
            flat[i] = keep - h
            down = loss()
            flat[i] = keep
            num[i] = (up - down) / (2.0 * h)
        a = grad.reshape(-1)[entries]
        d = num[entries]
        denom = float(np.linalg.norm(a) + np.linalg.norm(d))
        errors[name] = float(np.linalg.norm(a - d)) / denom if denom > 0 else 0.0
        analytic[name] = grad.copy()
        numeric[name] = num.reshape(param.shape)
    return GradientCheck(max(errors.values()), errors, analytic, numeric)
