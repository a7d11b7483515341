"""The buffers and the in-place forward and backward pass of one backprop mini-batch.

:class:`Kernel` gathers each shuffled mini-batch into preallocated buffers and runs the forward
pass, the backward pass (Rumelhart, Hinton & Williams 1986) and the output error with ``out=``
arguments only, in the model's dtype, so nothing is allocated per step. All parameters live in
one flat array during training (weights first, then biases), as do their gradients. See
:mod:`energynets.learning.backprop` for the trainer and the costs. :class:`SparseKernel` is the
same pass for inputs in a ``scipy.sparse`` CSR matrix (:func:`make_kernel` picks the kernel
for the data).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from energynets._validation import is_sparse
from energynets.models.mlp import ACTIVATIONS, MLP, OUTPUTS

__all__ = ["DENSE_BATCH", "SPARSE_COLUMNS", "Kernel", "SparseKernel", "make_kernel"]

#: :class:`SparseKernel` densifies a mini-batch with more than this fraction of its entries
#: non-zero (the crossover of the sparse and the dense products, measured).
DENSE_BATCH = 0.15

#: The input layer skips the columns of a mini-batch that are zero in every row when they are
#: at least this fraction of the columns (a third in MNIST batches of 100).
SPARSE_COLUMNS = 0.1


class Kernel:
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
        sample_weight: np.ndarray | None = None,
    ) -> None:
        dt = model.dtype
        # per-row weights of the loss (None: all 1); the gradient is then the weighted mean
        self.sample_weight = sample_weight
        self.w_rows_batch = None if sample_weight is None else np.empty(batch_size, dtype=dt)
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
        # dropout: per row, a unit is kept when its uniform draw is below keep, and then
        # scaled by 1 / keep (inverted dropout: the trained network is used as it is)
        self.gen = gen
        self.keep_input = 1.0 - input_dropout
        self.keep_hidden = 1.0 - dropout
        n_hid = len(sizes) - 2
        if (input_dropout > 0 or (dropout > 0 and n_hid)) and gen is None:
            raise ValueError("dropout needs a random generator")
        self.u_h = [np.empty((B, n), dtype=dt) for n in sizes[1:-1]] if dropout > 0 else None
        self.keep_h = [np.empty((B, n), dtype=bool) for n in sizes[1:-1]] if dropout > 0 else None
        self._allocate_input(X, B, input_dropout)

    def _allocate_input(self, X: np.ndarray, B: int, input_dropout: float) -> None:
        """The input layer's buffers: the gathered rows, the used columns, input dropout."""
        dt = self.params.dtype
        n_in = self.W[0].shape[0]
        # inputs: gathered rows (in X's dtype when it differs from the model's)
        self.x = np.empty((B, n_in), dtype=dt)
        self.x_raw = None if X.dtype == dt else np.empty((B, n_in), dtype=X.dtype)
        self._allocate_used_columns(B)
        self.u_x = np.empty((B, n_in), dtype=dt) if input_dropout > 0 else None
        self.keep_x = np.empty((B, n_in), dtype=bool) if input_dropout > 0 else None

    def _allocate_used_columns(self, B: int) -> None:
        """The buffers of the input layer restricted to the columns of the batch that are
        not all zero."""
        dt = self.params.dtype
        n_in, n_first = self.W[0].shape
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
        self.cols: np.ndarray | None = None  # the used columns of the current batch
        self.x_used = self.x  # the current batch restricted to them

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
        x = self._load(X, index, b)
        t = self.t[:b]
        np.take(targets, index, axis=0, out=t, mode="clip")
        n_hidden = len(self.z)
        out = self.out[:b]
        self._first_layer(x, self.z[0][:b] if n_hidden else out)

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
        if self.sample_weight is None:
            loss, correct = self._output_error(out, t, labels, index, b)
            out *= scale / b
        else:
            loss, correct = self._weighted_output_error(out, t, labels, index, b, scale)

        # backward: dW_l = a_{l-1}^T delta_l, db_l = 1^T delta_l,
        # delta_{l-1} = (delta_l W_l^T) * f'(z_{l-1})
        fprime = self.activation.derivative
        delta = out
        ones = self.ones[:b]
        for layer in range(n_hidden, -1, -1):
            np.matmul(ones, delta, out=self.gb[layer])
            if layer == 0:
                self._first_layer_gradient(x, delta)
                break
            a_prev = self.a[layer - 1][:b]
            np.matmul(a_prev.T, delta, out=self.gW[layer])
            new_delta = self.delta[layer - 1][:b]
            np.matmul(delta, self.W[layer].T, out=new_delta)
            d = self.z[layer - 1][:b]
            if self.u_h is None:  # (with dropout, z already holds m f'(z) / keep)
                fprime(a_prev, d)
            new_delta *= d
            delta = new_delta
        return loss, correct

    def _load(self, X: np.ndarray, index: np.ndarray, b: int) -> np.ndarray:
        """The rows ``X[index]`` in the model's dtype (in a buffer), input dropout applied."""
        x = self.x[:b]
        if self.x_raw is None:
            np.take(X, index, axis=0, out=x, mode="clip")
        else:
            np.take(X, index, axis=0, out=self.x_raw[:b], mode="clip")
            np.copyto(x, self.x_raw[:b], casting="unsafe")
        if self.u_x is not None:  # input dropout, before the zero columns are found
            assert self.keep_x is not None
            self._drop(x, self.u_x[:b], self.keep_x[:b], self.keep_input)
        return x

    def _first_layer(self, x: np.ndarray, out: np.ndarray) -> None:
        """out <- x W_1 (no bias).

        Input columns that are zero in every row of the batch (a third of MNIST's pixels)
        contribute nothing to x W_1 and get a zero gradient: the first layer's two products
        run on the other columns only (exactly the same sums, fewer terms)."""
        self.cols = cols = self._used_columns(x)
        if cols is None:
            np.matmul(x, self.W[0], out=out)
            return
        b, k, n_first = x.shape[0], cols.shape[0], self.W[0].shape[1]
        self.x_used = x_cols = self.x_cols[: b * k].reshape(b, k)
        np.take(x, cols, axis=1, out=x_cols, mode="clip")
        w_rows = self.w_rows[: k * n_first].reshape(k, n_first)
        np.take(self.W[0], cols, axis=0, out=w_rows, mode="clip")
        np.matmul(x_cols, w_rows, out=out)

    def _first_layer_gradient(self, x: np.ndarray, delta: np.ndarray) -> None:
        """dLoss/dW_1 = x^T delta into ``gW[0]``, over the columns :meth:`_first_layer` used."""
        cols = self.cols
        if cols is None:
            np.matmul(x.T, delta, out=self.gW[0])
            return
        # the used rows of dW_1 by one product, the others zero, by one gather
        k, n_first = cols.shape[0], delta.shape[1]
        g_rows = self.g_rows[: (k + 1) * n_first].reshape(k + 1, n_first)
        np.matmul(self.x_used.T, delta, out=g_rows[:k])
        g_rows[k].fill(0.0)
        self.gather.fill(k)
        np.put(self.gather, cols, self.column_index[:k], mode="clip")
        np.take(g_rows, self.gather, axis=0, out=self.gW[0], mode="clip")

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

    def _weighted_output_error(
        self,
        out: np.ndarray,
        t: np.ndarray,
        labels: np.ndarray,
        index: np.ndarray,
        b: int,
        scale: float,
    ) -> tuple[float, int]:
        """:meth:`_output_error` with each row weighted by its sample weight w_i: the summed
        loss sum_i w_i loss_i, and the error scale w_i (y_hat_i - t_i) / sum_i w_i."""
        assert self.sample_weight is not None and self.w_rows_batch is not None
        w = self.w_rows_batch[:b]
        np.take(self.sample_weight, index, out=w, mode="clip")
        row_loss = OUTPUTS[self.output].loss(out, t)  # a new array: the weighted path only
        loss = float(np.dot(row_loss, w))
        _, correct = self._output_error(out, t, labels, index, b)
        out *= w[:, None]
        out *= scale / float(np.sum(w, dtype=np.float64))
        return loss, correct

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
        if self.output == "exp":
            # half the Poisson deviance: sum exp(z) - t z + (t log t - t), delta = exp(z) - t
            tmp, positive = self.tmp[:b], self.hit_k[:b]
            loss = -float(np.vdot(t, out))
            np.exp(out, out=out)
            loss += float(np.sum(out, dtype=np.float64)) - float(np.sum(t, dtype=np.float64))
            np.greater(t, 0.0, out=positive)
            tmp.fill(0.0)
            np.log(t, out=tmp, where=positive)  # t log t, 0 where t = 0
            tmp *= t
            loss += float(np.sum(tmp, dtype=np.float64))
            out -= t
            return loss, 0
        # identity: loss = 1/2 ||z - t||^2
        out -= t
        return 0.5 * float(np.vdot(out, out)), 0


class SparseKernel(Kernel):
    """:class:`Kernel` for inputs in a ``scipy.sparse`` CSR matrix.

    The mini-batch stays sparse: its rows are sliced from the data as a CSR matrix (a copy of
    their non-zeros only), and the two products of the first layer, x W_1 and x^T delta_1,
    are sparse-times-dense products, the second over the batch's non-zero columns only, so
    the data are never densified. Only a mini-batch (fewer rows than the data) with more than
    ``dense_above`` of its entries non-zero (MNIST's pixels, 19%) is written into a dense
    buffer and goes through :class:`Kernel`'s dense products, which are then faster; the
    buffer is made for the first such batch. Input dropout drops the stored entries (a
    dropped zero is zero): the same distribution as :class:`Kernel`'s, from other random
    draws. Everything after the first layer is :class:`Kernel`'s.
    """

    #: A batch denser than this (non-zeros over its entries) takes the dense products: above
    #: it they are faster (float32 and float64, 64 to 500 hidden units, single-threaded).
    dense_above = DENSE_BATCH

    batch: Any = None

    def _allocate_input(self, X: Any, B: int, input_dropout: float) -> None:
        n_in = self.W[0].shape[0]
        self.batch = None
        self.batch_size = B
        self.x = None  # type: ignore[assignment]  # the dense buffer, made when first needed
        self.column_hit = np.empty(n_in, dtype=bool)
        self.column_rank = np.empty(n_in, dtype=np.intp)

    def _load(self, X: Any, index: np.ndarray, b: int) -> Any:
        """The rows ``X[index]`` (input dropout applied) as a CSR matrix of the model's dtype,
        or, past ``dense_above``, in the dense buffer."""
        batch = X[index]
        dt = self.params.dtype
        if batch.dtype != dt:
            batch = batch.astype(dt)
        if self.keep_input < 1.0:
            assert self.gen is not None
            data = batch.data
            kept = self.gen.random(data.shape[0], dtype=dt) < self.keep_input
            batch.data = data * kept * dt.type(1.0 / self.keep_input)  # a new array
        self.batch = batch
        n_in = self.W[0].shape[0]
        if b == X.shape[0] or int(batch.indptr[-1]) <= self.dense_above * b * n_in:
            return batch  # (the whole data is never densified)
        if self.x is None:
            self.x = np.empty((self.batch_size, n_in), dtype=dt)
            self._allocate_used_columns(self.batch_size)
        x = self.x[:b]
        batch.toarray(out=x)
        return x

    def _first_layer(self, x: Any, out: np.ndarray) -> None:
        if isinstance(x, np.ndarray):
            super()._first_layer(x, out)
        else:
            out[...] = x @ self.W[0]

    def _first_layer_gradient(self, x: Any, delta: np.ndarray) -> None:
        """dLoss/dW_1 = x^T delta: for a sparse batch, the product over its non-zero columns
        (renumbered 0 .. k - 1), zero elsewhere."""
        if isinstance(x, np.ndarray):
            super()._first_layer_gradient(x, delta)
            return
        g = self.gW[0]
        g.fill(0.0)
        nnz = int(x.indptr[-1])
        if nnz == 0:
            return
        indices, hit, rank = x.indices[:nnz], self.column_hit, self.column_rank
        hit.fill(False)
        hit[indices] = True
        cols = np.flatnonzero(hit)
        np.cumsum(hit, out=rank)  # rank[c] - 1: the place of column c among the hit ones
        rank -= 1
        compact = type(x)((x.data[:nnz], rank[indices], x.indptr), shape=(x.shape[0], cols.size))
        g[cols] = compact.T @ delta


def make_kernel(
    model: MLP,
    X: Any,
    batch_size: int,
    dropout: float = 0.0,
    input_dropout: float = 0.0,
    gen: np.random.Generator | None = None,
    sample_weight: np.ndarray | None = None,
) -> Kernel:
    """The kernel for the data X: :class:`SparseKernel` for a ``scipy.sparse`` CSR matrix,
    else :class:`Kernel` (the arguments are theirs)."""
    cls = SparseKernel if is_sparse(X) else Kernel
    return cls(model, X, batch_size, dropout, input_dropout, gen, sample_weight)
