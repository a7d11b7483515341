"""The buffers and phases of one stochastic RBM gradient estimate, in the model's dtype.

:class:`Kernel` holds the positive mini-batch and the negative particles stacked in one buffer,
so that the weight statistics <s q^T>_data - <s q^T>_negative are one matrix product; it
computes the positive phase, samples the layers for the negative phases
(:mod:`energynets.learning._negative_phases`) and the statistics. The in-place helpers
(:func:`sigmoid_`, :func:`uniform_`, :func:`bernoulli_`) work on preallocated arrays, so
nothing is allocated per update. See :mod:`energynets.learning.contrastive` for the maths.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from energynets.models._units import sample_one_hot, softmax
from energynets.models.rbm import RBM

__all__ = [
    "SPARSE_COLUMNS",
    "Kernel",
    "SparseKernel",
    "bernoulli_",
    "sigmoid_",
    "uniform_",
]

#: The kernel skips the visible columns of a block of rows that are zero in every row when
#: they are at least this fraction of the columns (exact: the same sums with fewer terms).
SPARSE_COLUMNS = 0.1


def sigmoid_(x: np.ndarray, minus_bias: np.ndarray | None = None) -> np.ndarray:
    """x <- sigmoid(x + bias) = 1 / (1 + exp(-x - bias)) in place, in x's dtype.

    ``minus_bias`` is -bias (broadcast over rows), so that adding the bias and negating is one
    pass. Where exp overflows (x + bias below about -88 in float32) it is inf and the result
    exactly 0, the correctly rounded value; the overflow is expected and not reported.
    """
    if minus_bias is None:
        np.negative(x, out=x)
    else:
        np.subtract(minus_bias, x, out=x)
    with np.errstate(over="ignore"):
        np.exp(x, out=x)
    x += 1.0
    np.reciprocal(x, out=x)
    return x


_FLOAT32_ONE = np.uint32(0x3F800000)  # the bit pattern of 1.0f


def uniform_(gen: np.random.Generator, out: np.ndarray) -> np.ndarray:
    """out <- independent uniforms on [0, 1) from ``gen``, in out's dtype.

    For float32 each 64-bit output of the bit generator gives two numbers: 23 random bits
    placed in the mantissa of a float in [1, 2) (bit pattern 0x3F800000 | bits >> 9), minus 1,
    so the numbers are multiples of 2**-23. This is about twice as fast as
    ``Generator.random(dtype=np.float32)`` (24 bits, one 32-bit draw per number), and the
    sampling of the Bernoulli units costs as much as a matrix product otherwise.
    """
    if out.dtype == np.float32 and out.flags.c_contiguous and out.size % 2 == 0:
        bits = gen.bit_generator.random_raw(out.size // 2).view(np.uint32)
        np.right_shift(bits, 9, out=bits)
        np.bitwise_or(bits, _FLOAT32_ONE, out=bits)
        np.subtract(bits.view(np.float32).reshape(out.shape), 1.0, out=out)
    else:
        gen.random(out=out, dtype=out.dtype)
    return out


def bernoulli_(
    p: np.ndarray, uniforms: np.ndarray, out: np.ndarray, gen: np.random.Generator
) -> np.ndarray:
    """out <- 1[u < p] (0.0 or 1.0 in out's dtype), u uniform on [0, 1), drawn into uniforms."""
    uniform_(gen, uniforms)
    np.less(uniforms, p, out=out)
    return out


class Kernel:
    """Buffers and phases of one stochastic gradient estimate, in the model's dtype.

    Visible rows are stacked in ``v``: rows [B - b, B) hold the positive mini-batch (b <= B rows,
    the last batch of an epoch may be shorter) and rows [B, B + c) the negative particles, so
    ``v[B - b : B + c]`` is contiguous. ``h`` holds the matching hidden probabilities. For
    Gaussian visible units ``v`` holds s = v / sigma, in which units the conditional of the
    visible layer is N(a / sigma + W h, 1) and the hidden input s W + b as for Bernoulli units.

    After :meth:`statistics`, ``grad_w``, ``grad_s``, ``grad_b`` hold <s q^T>_data - <s q^T>_neg,
    <s>_data - <s>_neg and <q>_data - <q>_neg.
    """

    def __init__(
        self,
        rbm: RBM,
        batch_size: int,
        n_negative: int,
        gen: np.random.Generator,
        *,
        fast_weights: bool = False,
    ) -> None:
        nv, nh, dt = rbm.n_visible, rbm.n_hidden, rbm.dtype
        self.rbm = rbm
        self.gen = gen
        self.gaussian = rbm.visible == "gaussian"
        self.groups = rbm.softmax_groups
        self.B = batch_size
        self.C = n_negative
        #: Rows of ``v`` before the negative block: the positive block's (none in a
        #: :class:`SparseKernel`, whose positive rows stay a sparse matrix).
        self.P = self._positive_rows(batch_size)
        rows = max(batch_size, n_negative)
        self.v = np.zeros((self.P + n_negative, nv), dtype=dt)
        self.h = np.zeros((batch_size + n_negative, nh), dtype=dt)
        self.row_weights = np.zeros(batch_size + n_negative, dtype=dt)
        self.hs = np.zeros((rows, nh), dtype=dt)  # hidden samples; PCD: the chains, [:C]
        self.uniform_h = np.empty((rows, nh), dtype=dt)
        self.noise_v = np.empty((n_negative, nv), dtype=dt)
        self.grad_w = np.empty((nv, nh), dtype=dt)
        # zero-column skipping (0/1 or [0, 1] visible data only): a product v @ W, or the
        # statistics v^T q, over the columns of v that are not zero in every row
        self.skip_zero_columns = not self.gaussian
        self.column_max = np.empty(nv, dtype=dt)
        self.column_used = np.empty(nv, dtype=bool)
        self.column_index = np.arange(nv, dtype=np.intp)
        self.gather = np.empty(nv, dtype=np.intp)
        self.v_cols = np.empty((self.P + n_negative) * nv, dtype=dt)
        self.w_rows = np.empty(nv * nh, dtype=dt)
        self.g_rows = np.empty((nv + 1) * nh, dtype=dt)
        self.grad_s = np.empty(nv, dtype=dt)
        self.sum_s = np.empty(nv, dtype=dt)
        self.grad_b = np.empty(nh, dtype=dt)
        self.inv_sigma = (1.0 / rbm.sigma).astype(dt)
        # parameters of the negative phase: the model's own arrays, or copies that add the fast
        # weights (FPCD); neg_a is the visible bias in units of s (a / sigma for Gaussian units)
        self.fast: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        if fast_weights:
            self.fast = (np.zeros((nv, nh), dt), np.zeros(nv, dt), np.zeros(nh, dt))
            self.neg_w = np.empty((nv, nh), dt)
            self.neg_b = np.empty(nh, dt)
        else:
            self.neg_w = rbm.weights
            self.neg_b = rbm.hidden_bias
        self.neg_a = np.empty(nv, dt) if (fast_weights or self.gaussian) else rbm.visible_bias
        # negated biases, for the fused bias-and-sigmoid of _sigmoid_
        self.minus_b = np.empty(nh, dt)
        self.minus_neg_b = np.empty(nh, dt)
        self.minus_neg_a = np.empty(nv, dt)
        self.refresh()

    def refresh(self) -> None:
        """Recompute the derived parameters after the model (or the fast weights) changed."""
        rbm = self.rbm
        if self.fast is not None:
            np.add(rbm.weights, self.fast[0], out=self.neg_w)
            np.add(rbm.visible_bias, self.fast[1], out=self.neg_a)
            np.add(rbm.hidden_bias, self.fast[2], out=self.neg_b)
            if self.gaussian:
                self.neg_a *= self.inv_sigma
        elif self.gaussian:
            np.multiply(rbm.visible_bias, self.inv_sigma, out=self.neg_a)
        np.negative(rbm.hidden_bias, out=self.minus_b)
        np.negative(self.neg_b, out=self.minus_neg_b)
        np.negative(self.neg_a, out=self.minus_neg_a)

    # -- phases ----------------------------------------------------------------------------
    def _positive_rows(self, batch_size: int) -> int:
        """Rows of ``v`` kept for the positive block."""
        return batch_size

    def load(self, data: np.ndarray, index: np.ndarray) -> int:
        """Copy the rows ``data[index]`` into the positive block; return their number b."""
        b = index.shape[0]
        pos = self.v[self.P - b : self.P]
        self.load_rows(data, index, pos)
        return b

    def load_rows(self, data: np.ndarray, index: np.ndarray, out: np.ndarray) -> None:
        """out <- the rows ``data[index]`` (s = v / sigma for Gaussian units), in out's dtype."""
        if data.dtype == out.dtype:
            np.take(data, index, axis=0, out=out, mode="clip")
        else:
            out[...] = data[index]
        if self.gaussian:
            out *= self.inv_sigma

    def binarize_positive(self, b: int) -> None:
        """Replace the b loaded rows, values in [0, 1], by a binary sample: each unit on with
        probability its value (dynamic binarization)."""
        pos = self.v[self.P - b : self.P]
        if self.noise_v.shape[0] < b:  # fewer chains than rows: the uniforms' buffer grows once
            self.noise_v = np.empty_like(pos)
        bernoulli_(pos, self.noise_v[:b], pos, self.gen)

    def positive(self, b: int) -> np.ndarray:
        """q = p(h = 1 | data) for the b rows of the positive block (regular weights)."""
        q = self.h[self.B - b : self.B]
        self._product(self.v[self.P - b : self.P], self.rbm.weights, q)
        return sigmoid_(q, self.minus_b)

    def _used_columns(self, v: np.ndarray) -> np.ndarray | None:
        """Indices of the columns of v (values >= 0) with a non-zero entry, or None when the
        all-zero columns are too few for skipping them to pay (see SPARSE_COLUMNS)."""
        if not self.skip_zero_columns:
            return None
        np.maximum.reduce(v, axis=0, out=self.column_max)
        np.not_equal(self.column_max, 0.0, out=self.column_used)
        n_used = int(np.count_nonzero(self.column_used))
        if n_used > (1.0 - SPARSE_COLUMNS) * v.shape[1]:
            return None
        return np.flatnonzero(self.column_used)

    def _columns(self, v: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """v[:, cols] in a preallocated buffer."""
        out = self.v_cols[: v.shape[0] * cols.size].reshape(v.shape[0], cols.size)
        return np.take(v, cols, axis=1, out=out, mode="clip")

    def _product(self, v: np.ndarray, w: np.ndarray, out: np.ndarray) -> np.ndarray:
        """out <- v @ w, leaving out the columns of v that are zero in every row (and the
        matching rows of w): the same sums with fewer terms. MNIST mini-batches have about a
        third of their pixels off in every row, and so, mostly, do the negative particles."""
        cols = self._used_columns(v)
        if cols is None:
            return np.matmul(v, w, out=out)
        rows = self.w_rows[: cols.size * w.shape[1]].reshape(cols.size, w.shape[1])
        np.take(w, cols, axis=0, out=rows, mode="clip")
        return np.matmul(self._columns(v, cols), rows, out=out)

    def sample_visible(self, hs: np.ndarray, out: np.ndarray) -> np.ndarray:
        """out <- a sample of the visible layer given hidden states hs (negative parameters)."""
        np.matmul(hs, self.neg_w.T, out=out)
        noise = self.noise_v[: out.shape[0]]
        if self.gaussian:  # s | h ~ N(a / sigma + W h, 1)
            out += self.neg_a
            self.gen.standard_normal(out=noise, dtype=noise.dtype)
            out += noise
            return out
        if not self.groups:
            sigmoid_(out, self.minus_neg_a)
            return bernoulli_(out, noise, out, self.gen)
        # softmax groups: keep their inputs a_g + (W h)_g, sample every unit as a bit, then
        # overwrite each group with a one-hot draw (the uniform of its first unit, now unused)
        logits = [out[:, g] + self.neg_a[g] for g in self.groups]
        sigmoid_(out, self.minus_neg_a)
        bernoulli_(out, noise, out, self.gen)
        for g, z in zip(self.groups, logits, strict=True):
            out[:, g] = sample_one_hot(softmax(z), noise[:, g[0]])
        return out

    def hidden_probabilities(self, v: np.ndarray, out: np.ndarray) -> np.ndarray:
        """out <- p(h = 1 | v) under the negative-phase parameters."""
        self._product(v, self.neg_w, out)
        return sigmoid_(out, self.minus_neg_b)

    def sample_hidden(self, q: np.ndarray, out: np.ndarray) -> np.ndarray:
        return bernoulli_(q, self.uniform_h[: q.shape[0]], out, self.gen)

    def gibbs_negative(self, b: int, k: int, persistent: bool) -> int:
        """CD-k (persistent=False) or PCD-k (True) negative phase; returns its row count c.

        Both run k block-Gibbs steps h -> v -> q = p(h | v), the last v and q being the negative
        particles; they differ only in the hidden state the chain starts from.
        """
        c = self.C if persistent else b
        q_data = self.h[self.B - b : self.B]
        # CD starts each chain at the data (a hidden sample given its row of the mini-batch);
        # PCD continues the persistent chains from where the previous update left them.
        hs = self.hs[:c] if persistent else self.sample_hidden(q_data, self.hs[:b])
        neg_v = self.v[self.P : self.P + c]
        neg_q = self.h[self.B : self.B + c]
        for step in range(k):
            self.sample_visible(hs, neg_v)
            self.hidden_probabilities(neg_v, neg_q)
            if persistent or step < k - 1:
                self.sample_hidden(neg_q, hs)  # for PCD: the chain state of the next update
        return c

    def statistics(self, b: int, c: int, scale: float = 1.0) -> None:
        """grad_* <- scale * (data minus negative averages), from the b positive and c negative
        rows (the rows of ``h`` are scaled in place)."""
        lo, mid, hi = self.B - b, self.B, self.B + c
        weights = self.row_weights[lo:hi]
        weights[: mid - lo] = scale / b
        weights[mid - lo :] = -scale / c
        h = self.h[lo:hi]
        h *= weights[:, None]  # scale q / b for data rows, -scale q / c for negative rows
        self._visible_statistics(b, c, scale)
        np.sum(h, axis=0, out=self.grad_b)

    def _visible_statistics(self, b: int, c: int, scale: float) -> None:
        """grad_w <- v^T h over the stacked rows (h scaled already) and
        grad_s <- scale (<s>_data - <s>_neg)."""
        lo, mid, hi = self.P - b, self.P, self.P + c
        h = self.h[self.B - b : self.B + c]
        v = self.v[lo:hi]
        cols = self._used_columns(v)
        if cols is None:
            np.matmul(v.T, h, out=self.grad_w)  # <s q^T>_data - <s q^T>_neg: one GEMM
        else:  # the rows of the used columns by one GEMM, the others zero, by one gather
            k, nh = cols.size, h.shape[1]
            g_rows = self.g_rows[: (k + 1) * nh].reshape(k + 1, nh)
            np.matmul(self._columns(v, cols).T, h, out=g_rows[:k])
            g_rows[k].fill(0.0)
            self.gather.fill(k)
            np.put(self.gather, cols, self.column_index[:k], mode="clip")
            np.take(g_rows, self.gather, axis=0, out=self.grad_w, mode="clip")
        # column sums by plain reductions rather than a (threaded) BLAS call
        np.sum(self.v[lo:mid], axis=0, out=self.grad_s)
        np.sum(self.v[mid:hi], axis=0, out=self.sum_s)
        self._combine_sums(b, c, scale)

    def _combine_sums(self, b: int, c: int, scale: float) -> None:
        """grad_s <- scale (grad_s / b - sum_s / c), from the positive and negative sums."""
        self.grad_s *= scale / b
        self.sum_s *= scale / c
        self.grad_s -= self.sum_s

    def init_chains(self, data: np.ndarray, index: np.ndarray) -> None:
        """Start C persistent chains at the data rows ``index``: hs ~ p(h | data[index])."""
        start = self.v[self.P : self.P + self.C]
        self.load_rows(data, index, start)
        q = self.h[self.B : self.B + self.C]
        self.hidden_probabilities(start, q)
        self.sample_hidden(q, self.hs[: self.C])


class SparseKernel(Kernel):
    """:class:`Kernel` for data in a ``scipy.sparse`` CSR matrix (Bernoulli visible units).

    The positive mini-batch stays sparse: its rows are sliced from the data as a CSR matrix,
    and the two products it enters, the hidden input v W + b and the statistics v^T q, are
    sparse-times-dense products (the second over the batch's non-zero columns only), so no
    dense copy of the data, or of a mini-batch, is made. The negative particles are samples,
    dense as in :class:`Kernel`; ``v`` holds only them (``P = 0``).
    """

    batch: Any = None

    def _positive_rows(self, batch_size: int) -> int:
        return 0

    def load(self, data: Any, index: np.ndarray) -> int:
        """The rows ``data[index]`` as the positive batch (a CSR matrix); return their number."""
        batch = data[index]
        self.batch = batch if batch.dtype == self.v.dtype else batch.astype(self.v.dtype)
        return int(index.shape[0])

    def load_rows(self, data: Any, index: np.ndarray, out: np.ndarray) -> None:
        """out <- the rows ``data[index]``, densified (a few rows: the chains' starts)."""
        out[...] = data[index].toarray()

    def positive(self, b: int) -> np.ndarray:
        """q = p(h = 1 | data) for the b rows of the sparse positive batch."""
        q = self.h[self.B - b : self.B]
        q[...] = self.batch @ self.rbm.weights
        return sigmoid_(q, self.minus_b)

    def _visible_statistics(self, b: int, c: int, scale: float) -> None:
        h = self.h[self.B - b : self.B + c]
        negative = self.v[:c]
        np.matmul(negative.T, h[b:], out=self.grad_w)  # -<s q^T>_neg (h carries the sign)
        # the batch's non-zero columns, sorted (a count per column: cheaper than a sort)
        cols = np.flatnonzero(np.bincount(self.batch.indices, minlength=self.batch.shape[1]))
        if cols.size:
            self.grad_w[cols] += self.batch[:, cols].T @ h[:b]
        self.grad_s[...] = np.asarray(self.batch.sum(axis=0)).ravel()
        np.sum(negative, axis=0, out=self.sum_s)
        self._combine_sums(b, c, scale)
