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
import time
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from energynets import _checkpoint
from energynets._validation import (
    RNGLike,
    as_float_array,
    check_choice,
    check_float,
    check_int,
    check_rng,
)
from energynets.learning import optim
from energynets.learning.divergence import Guard
from energynets.models.mlp import ACTIVATIONS, MLP, check_labels

__all__ = ["GradientCheck", "fit_mlp", "gradient_check"]

Callback = Callable[[int, MLP, dict[str, list[Any]]], Any]

#: The input layer skips the columns of a mini-batch that are zero in every row when they are
#: at least this fraction of the columns (a third in MNIST batches of 100).
SPARSE_COLUMNS = 0.1


# -- input checks ------------------------------------------------------------------------------
def _check_features(mlp: MLP, X: Any, name: str) -> np.ndarray:
    """X without copying it: a 2-D numeric array with the model's input size, finite.

    Uses min and max (no temporaries the size of the data): NaN propagates into both.
    """
    arr = X if isinstance(X, np.ndarray) else np.asarray(X)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must be real-valued, got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array (n_samples, n_features), got shape {arr.shape}"
        )
    n_in = mlp.layer_sizes[0]
    if arr.shape[1] != n_in:
        raise ValueError(
            f"{name} must have {n_in} columns (the input layer size), got shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must have at least one row, got shape {arr.shape}")
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


# -- the training kernel -----------------------------------------------------------------------
class _Kernel:
    """Preallocated buffers and the in-place forward/backward pass of one mini-batch.

    The model's weights and biases are views into one flat array ``params`` (weights first,
    then biases) and the gradients views into ``grads`` of the same layout.
    """

    def __init__(
        self,
        model: MLP,
        X: np.ndarray,
        batch_size: int,
        dropout: float = 0.0,
        input_dropout: float = 0.0,
        gen: np.random.Generator | None = None,
    ) -> None:
        dt = model.dtype
        sizes = model.layer_sizes
        B = batch_size
        n_w = sum(w.size for w in model.weights)
        self.n_weights = n_w
        self.params = np.empty(model.n_parameters, dtype=dt)
        self.grads = np.empty(model.n_parameters, dtype=dt)
        self.model = model
        self.W, self.b, self.gW, self.gb = [], [], [], []
        offset = 0
        for w in model.weights:
            self.W.append(self._view(self.params, offset, w.shape, w))
            self.gW.append(self._view(self.grads, offset, w.shape))
            offset += w.size
        for b in model.biases:
            self.b.append(self._view(self.params, offset, b.shape, b))
            self.gb.append(self._view(self.grads, offset, b.shape))
            offset += b.size
        # the model trains in the flat buffer
        model.weights, model.biases = self.W, self.b
        self.activation = ACTIVATIONS[model.activation]
        self.output = model.output
        # inputs: gathered rows (in X's dtype when it differs from the model's)
        self.x = np.empty((B, sizes[0]), dtype=dt)
        self.x_raw = None if X.dtype == dt else np.empty((B, sizes[0]), dtype=X.dtype)
        # per hidden layer: pre-activations z (later f'(z)), activations a, errors delta
        self.z = [np.empty((B, n), dtype=dt) for n in sizes[1:-1]]
        self.a = [np.empty((B, n), dtype=dt) for n in sizes[1:-1]]
        self.delta = [np.empty((B, n), dtype=dt) for n in sizes[1:-1]]
        k = sizes[-1]
        self.out = np.empty((B, k), dtype=dt)  # logits, then the output error
        self.t = np.empty((B, k), dtype=dt)  # targets
        self.tmp = np.empty((B, k), dtype=dt)
        self.row = np.empty(B, dtype=dt)
        self.row2 = np.empty(B, dtype=dt)
        self.labels = np.empty(B, dtype=np.int64)
        self.pred = np.empty(B, dtype=np.int64)
        self.hit = np.empty(B, dtype=bool)
        self.hit_k = np.empty((B, k), dtype=bool)
        self.hit_k2 = np.empty((B, k), dtype=bool)
        self.ones = np.ones(B, dtype=dt)  # db = 1^T delta as a matrix-vector product
        # the input layer restricted to the columns of the batch that are not all zero
        n_in, n_first = sizes[0], sizes[1]
        self.column_max = np.empty(n_in, dtype=dt)
        self.column_min = np.empty(n_in, dtype=dt)
        self.column_used = np.empty(n_in, dtype=bool)
        self.column_used_min = np.empty(n_in, dtype=bool)
        self.column_index = np.arange(n_in, dtype=np.intp)
        # row i of dLoss/dW_1 is row gather[i] of g_rows: its place among the used columns,
        # or the zero row after them
        self.gather = np.empty(n_in, dtype=np.intp)
        self.x_cols = np.empty(B * n_in, dtype=dt)
        self.w_rows = np.empty(n_in * n_first, dtype=dt)
        self.g_rows = np.empty((n_in + 1) * n_first, dtype=dt)
        # dropout: per row, a unit is kept when its uniform draw is below keep, and then
        # scaled by 1 / keep (inverted dropout: the trained network is used as it is)
        self.gen = gen
        self.keep_input = 1.0 - input_dropout
        self.keep_hidden = 1.0 - dropout
        n_hid = len(sizes) - 2
        if (input_dropout > 0 or (dropout > 0 and n_hid)) and gen is None:
            raise ValueError("dropout needs a random generator")
        self.u_x = np.empty((B, n_in), dtype=dt) if input_dropout > 0 else None
        self.keep_x = np.empty((B, n_in), dtype=bool) if input_dropout > 0 else None
        self.u_h = [np.empty((B, n), dtype=dt) for n in sizes[1:-1]] if dropout > 0 else None
        self.keep_h = [np.empty((B, n), dtype=bool) for n in sizes[1:-1]] if dropout > 0 else None

    @staticmethod
    def _view(
        flat: np.ndarray, offset: int, shape: tuple[int, ...], value: np.ndarray | None = None
    ) -> np.ndarray:
        view = flat[offset : offset + int(np.prod(shape))].reshape(shape)
        if value is not None:
            view[...] = value
        return view

    def release(self) -> None:
        """Give the model arrays of its own again (not views of the flat buffer)."""
        self.model.weights = [w.copy() for w in self.W]
        self.model.biases = [b.copy() for b in self.b]

    def step(
        self,
        X: np.ndarray,
        targets: np.ndarray,
        labels: np.ndarray,
        index: np.ndarray,
        scale: float,
    ) -> tuple[float, int]:
        """Forward and backward pass on the rows ``index``; the gradients, times ``scale``,
        land in ``grads``. Returns the summed loss of the rows and the number classified
        right."""
        b = index.shape[0]
        x = self.x[:b]
        if self.x_raw is None:
            np.take(X, index, axis=0, out=x, mode="clip")
        else:
            np.take(X, index, axis=0, out=self.x_raw[:b], mode="clip")
            np.copyto(x, self.x_raw[:b], casting="unsafe")
        t = self.t[:b]
        np.take(targets, index, axis=0, out=t, mode="clip")
        if self.u_x is not None:  # input dropout, before the zero columns are found
            assert self.keep_x is not None
            self._drop(x, self.u_x[:b], self.keep_x[:b], self.keep_input)

        # Input columns that are zero in every row of the batch (a third of MNIST's pixels)
        # contribute nothing to x W_1 and get a zero gradient: the first layer's two products
        # run on the other columns only (exactly the same sums, fewer terms).
        cols = self._used_columns(x)
        n_hidden = len(self.z)
        out = self.out[:b]
        x_cols = x
        if cols is not None:
            k, n_first = cols.shape[0], self.W[0].shape[1]
            x_cols = self.x_cols[: b * k].reshape(b, k)
            np.take(x, cols, axis=1, out=x_cols, mode="clip")
            w_rows = self.w_rows[: k * n_first].reshape(k, n_first)
            np.take(self.W[0], cols, axis=0, out=w_rows, mode="clip")
            np.matmul(x_cols, w_rows, out=self.z[0][:b] if n_hidden else out)
        else:
            np.matmul(x, self.W[0], out=self.z[0][:b] if n_hidden else out)

        # forward: z_l = a_{l-1} W_l + b_l, a_l = f(z_l) (z_1 without b_1 is computed above)
        f = self.activation.function
        a = x
        for layer in range(n_hidden):
            z = self.z[layer][:b]
            if layer > 0:
                np.matmul(a, self.W[layer], out=z)
            z += self.b[layer]
            a = f(z, self.a[layer][:b])
            if self.u_h is not None:
                # f'(z) from the kept a, then both dropped with the same mask:
                # d(m f(z) / keep) / dz = m f'(z) / keep
                assert self.keep_h is not None
                self.activation.derivative(a, z)
                self._drop(a, self.u_h[layer][:b], self.keep_h[layer][:b], self.keep_hidden, z)
        if n_hidden:
            np.matmul(a, self.W[-1], out=out)
        out += self.b[-1]

        # loss, accuracy and the output error delta_L = scale (y_hat - t) / b, in place
        loss, correct = self._output_error(out, t, labels, index, b)
        out *= scale / b

        # backward: dW_l = a_{l-1}^T delta_l, db_l = 1^T delta_l,
        # delta_{l-1} = (delta_l W_l^T) * f'(z_{l-1})
        fprime = self.activation.derivative
        delta = out
        ones = self.ones[:b]
        for layer in range(n_hidden, -1, -1):
            np.matmul(ones, delta, out=self.gb[layer])
            if layer == 0 and cols is not None:
                # the used rows of dW_1 by one product, the others zero, by one gather
                k, n_first = cols.shape[0], delta.shape[1]
                g_rows = self.g_rows[: (k + 1) * n_first].reshape(k + 1, n_first)
                np.matmul(x_cols.T, delta, out=g_rows[:k])
                g_rows[k].fill(0.0)
                self.gather.fill(k)
                np.put(self.gather, cols, self.column_index[:k], mode="clip")
                np.take(g_rows, self.gather, axis=0, out=self.gW[0], mode="clip")
                break
            a_prev = x if layer == 0 else self.a[layer - 1][:b]
            np.matmul(a_prev.T, delta, out=self.gW[layer])
            if layer > 0:
                new_delta = self.delta[layer - 1][:b]
                np.matmul(delta, self.W[layer].T, out=new_delta)
                d = self.z[layer - 1][:b]
                if self.u_h is None:  # (with dropout, z already holds m f'(z) / keep)
                    fprime(a_prev, d)
                new_delta *= d
                delta = new_delta
        return loss, correct

    def _drop(
        self,
        a: np.ndarray,
        u: np.ndarray,
        kept: np.ndarray,
        keep: float,
        also: np.ndarray | None = None,
    ) -> None:
        """Multiply ``a`` (and ``also``) in place by a fresh dropout mask m / keep."""
        assert self.gen is not None
        self.gen.random(dtype=u.dtype, out=u)
        np.less(u, keep, out=kept)
        scale = 1.0 / keep
        for arr in (a,) if also is None else (a, also):
            np.multiply(arr, kept, out=arr)
            arr *= scale

    def _used_columns(self, x: np.ndarray) -> np.ndarray | None:
        """Indices of the columns of x with a non-zero entry, or None when skipping the others
        would not pay (fewer than SPARSE_COLUMNS of the columns are all zero)."""
        # a column is used when its maximum or its minimum is non-zero (no x-sized temporary)
        np.maximum.reduce(x, axis=0, out=self.column_max)
        np.minimum.reduce(x, axis=0, out=self.column_min)
        np.not_equal(self.column_max, 0.0, out=self.column_used)
        np.not_equal(self.column_min, 0.0, out=self.column_used_min)
        np.logical_or(self.column_used, self.column_used_min, out=self.column_used)
        n_used = int(np.count_nonzero(self.column_used))
        if n_used > (1.0 - SPARSE_COLUMNS) * x.shape[1]:
            return None
        return np.flatnonzero(self.column_used)  # n_used indices: the one small allocation

    def _output_error(
        self, out: np.ndarray, t: np.ndarray, labels: np.ndarray, index: np.ndarray, b: int
    ) -> tuple[float, int]:
        """Turn the logits ``out`` into y_hat - t in place; return the summed loss and the
        number of rows classified right (0 for identity outputs)."""
        if self.output == "softmax":
            # loss_i = logsumexp(z_i) - z_{i,y_i}, computed on z - max(z) (no overflow)
            m = self.row[:b]
            np.max(out, axis=1, out=m)
            pred = self.pred[:b]
            np.argmax(out, axis=1, out=pred)
            lab = self.labels[:b]
            np.take(labels, index, out=lab, mode="clip")
            hit = self.hit[:b]
            np.equal(pred, lab, out=hit)
            correct = int(np.count_nonzero(hit))
            out -= m[:, None]
            loss = -float(np.vdot(t, out))
            np.exp(out, out=out)
            s = self.row2[:b]
            np.sum(out, axis=1, out=s)
            out /= s[:, None]
            np.log(s, out=s)
            loss += float(np.sum(s, dtype=np.float64))
            out -= t
            return loss, correct
        if self.output == "sigmoid":
            # loss = sum softplus(z) - t z; a row is right when every (z > 0) == (t > 1/2)
            tmp = self.tmp[:b]
            np.logaddexp(0.0, out, out=tmp)
            loss = float(np.sum(tmp, dtype=np.float64)) - float(np.vdot(t, out))
            hk, hk2 = self.hit_k[:b], self.hit_k2[:b]
            np.greater(out, 0.0, out=hk)
            np.greater(t, 0.5, out=hk2)
            np.equal(hk, hk2, out=hk)
            hit = self.hit[:b]
            np.all(hk, axis=1, out=hit)
            correct = int(np.count_nonzero(hit))
            f = ACTIVATIONS["sigmoid"].function
            f(out, out)
            out -= t
            return loss, correct
        # identity: loss = 1/2 ||z - t||^2
        out -= t
        return 0.5 * float(np.vdot(out, out)), 0


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
    X : array_like, shape (n_samples, layer_sizes[0])
        Inputs, any numeric dtype (e.g. grey levels / 255 as float32). Never modified nor
        copied whole: each mini-batch is gathered into a preallocated buffer.
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
    checkpoint : str or path-like, optional
        Write a checkpoint to this ``.npz`` file every ``checkpoint_every`` epochs and after
        the last one: the parameters, the optimiser's state (Adam's moments and step count,
        momentum buffers), the early-stopping state, the random generator's state and the
        history. Each is written atomically (a temporary sibling, then a rename) and the one
        it replaces is kept as ``<checkpoint>.prev``, so Ctrl-C or a crash leaves a usable one.
    checkpoint_every : int >= 1
        Epochs between checkpoints.
    resume : str or path-like, optional
        Continue from a checkpoint of a run with the same data and settings (``n_epochs``
        may be larger): the epochs it completed are skipped, and the run ends bit-identical
        to one that was never interrupted. ``mlp`` only gives the shape then. A damaged file
        is a ValueError naming it (and its ``.prev``).

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
    # -- validation (before any work) ------------------------------------------------------
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
    cbs = (callbacks,) if callable(callbacks) else tuple(callbacks)
    for i, cb in enumerate(cbs):
        if not callable(cb):
            raise TypeError(f"callbacks[{i}] must be callable, got {type(cb).__name__}")
    gen = check_rng(rng)
    n = X_arr.shape[0]
    valid, train_rows = _check_validation(mlp, validation_data, n, gen)
    if valid is not None and valid[0] == "split":
        rows = valid[1]
        y_rows = labels[rows] if mlp.output == "softmax" else targets[rows]
        valid = ("given", np.asarray(X_arr[rows]), y_rows)
    n_train = n if train_rows is None else train_rows.shape[0]
    B = min(batch, n_train)

    # -- the model copy and its state ------------------------------------------------------
    model = mlp.copy()
    kernel = _Kernel(model, X_arr, B, p_drop, p_drop_input, gen)
    n_w = kernel.n_weights
    # the optimiser sees all weights (decayed) and all biases (not decayed) as two arrays, or
    # everything as one array when there is no weight decay (fewer calls per step)
    if wd > 0:
        flat_params = [kernel.params[:n_w], kernel.params[n_w:]]
        flat_grads = [kernel.grads[:n_w], kernel.grads[n_w:]]
    else:
        flat_params, flat_grads = [kernel.params], [kernel.grads]
    opt = optim.make_optimizer(
        opt_name,
        flat_params,
        momentum=momentum,
        betas=betas,
        epsilon=epsilon,
        weight_decay=wd,
        decay=(True, False) if wd > 0 else None,
    )

    classify = model.output != "identity"
    history: dict[str, list[Any]] = {"epoch": [], "learning_rate": [], "time": [], "loss": []}
    if classify:
        history["accuracy"] = []
    best_loss, best_epoch, best_params = np.inf, -1, None
    first_epoch = 0
    save_state: Callable[[int], None] | None = None
    if checkpoint is not None or resume is not None:
        every = _checkpoint.check_every(checkpoint_every)
        settings = {
            "optimizer": opt_name,
            "batch_size": B,
            "layer_sizes": list(model.layer_sizes),
            "activation": model.activation,
            "output": model.output,
            "dtype": str(model.dtype),
            "n_samples": n,
            "n_train": n_train,
            "weight_decay": wd,
            "dropout": p_drop,
            "input_dropout": p_drop_input,
            "early_stopping": patience,
        }

        def write_checkpoint(done: int) -> None:
            assert checkpoint is not None
            opt_arrays, opt_scalars = _checkpoint.optimizer_state(opt)
            arrays = {"params": kernel.params, **opt_arrays}
            if best_params is not None:
                arrays["best_params"] = best_params
            meta = {
                "epoch": done,
                "rng_state": gen.bit_generator.state,
                "history": history,
                "settings": settings,
                "optimizer": opt_scalars,
                "best": [None if np.isinf(best_loss) else best_loss, best_epoch],
            }
            _checkpoint.save_checkpoint(checkpoint, "fit_mlp", arrays, meta)

        if resume is not None:
            saved, meta = _checkpoint.load_checkpoint(resume, "fit_mlp")
            _checkpoint.check_settings(resume, meta["settings"], settings)
            _checkpoint.restore_arrays(resume, saved, {"params": kernel.params})
            _checkpoint.restore_optimizer(opt, saved, meta["optimizer"])
            gen.bit_generator.state = meta["rng_state"]
            history = {key: list(values) for key, values in meta["history"].items()}
            loss_value, best_epoch = meta["best"]
            best_loss = np.inf if loss_value is None else loss_value
            best_params = saved["best_params"].copy() if "best_params" in saved else None
            first_epoch = int(meta["epoch"])
        if checkpoint is not None:
            save_state = write_checkpoint
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(
            total=epochs,
            initial=min(first_epoch, epochs),
            desc=f"fit_mlp ({opt_name})",
            unit="epoch",
        )
    guard = Guard(
        "fit_mlp", {"the parameters": kernel.params}, eta, -(-n_train // B), checkpoint,
        _checkpoint.resumed_into(checkpoint, resume, first_epoch), release=kernel.release,
    )  # fmt: skip
    try:
        for epoch in range(first_epoch, epochs):
            step_size = eta * lr_factor(epoch)
            scale = float(opt.gradient_scale(step_size))
            perm = gen.permutation(n_train)
            order = perm if train_rows is None else train_rows[perm]
            total_loss, total_correct = 0.0, 0
            bad_loss_at = None
            t0 = time.perf_counter()
            # overflow is what divergence looks like: the guard reports it once, below
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                for i, start in enumerate(range(0, n_train, B)):
                    index = order[start : start + B]
                    loss, correct = kernel.step(X_arr, targets, labels, index, scale)
                    if not math.isfinite(loss):
                        bad_loss_at = i
                        break
                    opt.step_(flat_grads, step_size, scale=scale)
                    total_loss += loss
                    total_correct += correct
                guard.end_of_epoch(epoch, model, history, bad_loss_at)
            elapsed = time.perf_counter() - t0
            history["epoch"].append(epoch)
            history["learning_rate"].append(step_size)
            history["time"].append(elapsed)
            history["loss"].append(total_loss / n_train)
            if classify:
                history["accuracy"].append(total_correct / n_train)
            if valid is not None:
                v_loss, v_score = model.evaluate(valid[1], valid[2])
                history.setdefault("validation_loss", []).append(v_loss)
                key = "validation_accuracy" if classify else "validation_score"
                history.setdefault(key, []).append(v_score)
                if patience is not None:
                    if v_loss < best_loss:
                        best_loss, best_epoch = v_loss, epoch
                        best_params = kernel.params.copy()
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{history['loss'][-1]:.4g}")
            stop = patience is not None and epoch - best_epoch >= patience
            for cb in cbs:
                result = cb(epoch, model, history)
                stop = stop or (isinstance(result, bool | np.bool_) and bool(result))
            if save_state is not None and ((epoch + 1) % every == 0 or stop or epoch + 1 == epochs):
                save_state(epoch + 1)
                guard.saved_epoch = epoch + 1
            if stop:
                break
    finally:
        if bar is not None:
            bar.close()
    if best_params is not None:
        np.copyto(kernel.params, best_params)
    kernel.release()
    return model, history


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
    Rumelhart, D. E., Hinton, G. E. & Williams, R. J. (1986). Learning representations by
    back-propagating errors. Nature 323, 533-536.

    LeCun, Y., Bottou, L., Orr, G. B. & Mueller, K.-R. (1998). Efficient BackProp. In Neural
    Networks: Tricks of the Trade, LNCS 1524, 9-50.

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
