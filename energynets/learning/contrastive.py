"""Training restricted Boltzmann machines: contrastive divergence and its relatives.

The gradient of the mean log-likelihood of data under an RBM (see
:func:`energynets.metrics.log_likelihood_gradient`) is a difference of two expectations,

    dL/dW = < s q^T >_data - < s h^T >_model,   dL/da = < v >_data - < v >_model (/ sigma^2),
    dL/db = < q >_data - < h >_model,

with s = v (or v / sigma for Gaussian visible units) and q = p(h = 1 | v). The data term is
exact; the model term is estimated from a few "negative" (fantasy) particles:

- **CD-k** (Hinton 2002): k block-Gibbs steps started at the mini-batch itself;
- **PCD-k** (Tieleman 2008): k steps of persistent chains that continue across updates
  (their number ``n_chains`` is independent of the batch size);
- **FPCD** (Tieleman & Hinton 2009): PCD whose chains run on the regular weights plus fast
  weights that learn with a large rate and decay quickly, which pushes the chains away from
  where they have been;
- **PT** (Desjardins et al. 2010): persistent chains at a ladder of inverse temperatures
  0 <= beta_1 < ... < beta_R = 1, the tempered RBM having weights beta W and biases beta a,
  beta b, with replica exchanges between neighbouring temperatures; the beta = 1 replicas are
  the negative particles.

Softmax (one-of-K) visible groups of the model (``RBM(..., softmax_groups=...)``, e.g. the label
block of a classification RBM, Larochelle & Bengio 2008) are sampled as such in every negative
phase: one unit on per group, drawn from softmax_k(a_k + (W h)_k) (at inverse temperature beta
for tempering: softmax_k(beta (a_k + (W h)_k))). The gradient formulas are unchanged. Without
groups none of this code runs.

In the statistics the hidden units enter through their probabilities q, never binary samples
(Hinton 2010, section 3): the Rao-Blackwellised, lower-variance estimate. The negative
visible states are samples, so that with chains drawn from the model the estimate is unbiased.

Optimisation follows Hinton's practical guide: SGD with momentum (0.5 then 0.9 with
``momentum="hinton"``), L2 (and L1) weight decay on the weights only, a sparsity target on the
hidden units, visible biases initialised to log(p / (1 - p)), learning-rate schedules, and
optionally the centred gradient of Melchior, Fischer & Wiskott (2016).

Speed: everything runs in the model's dtype (float32 end to end, random numbers included) on
preallocated buffers. The positive and negative visible rows sit in one stacked buffer and the
hidden probabilities, scaled by 1 / n_pos and -1 / n_neg, in another, so that the weight
gradient <s q>_data - <s q>_model is one matrix product. An epoch of CD-1 costs about
10 n_samples n_visible n_hidden floating-point operations, nearly all of them in four GEMMs.

References
----------
Hinton, G. E. (2002). Training products of experts by minimizing contrastive divergence.
Neural Computation 14, 1771-1800.
Tieleman, T. (2008). Training restricted Boltzmann machines using approximations to the
likelihood gradient. ICML 2008, 1064-1071.
Tieleman, T. & Hinton, G. E. (2009). Using fast weights to improve persistent contrastive
divergence. ICML 2009, 1033-1040.
Desjardins, G., Courville, A., Bengio, Y., Vincent, P. & Delalleau, O. (2010). Tempered Markov
chain Monte Carlo for training of restricted Boltzmann machines. AISTATS 2010, 145-152.
Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines.
UTML TR 2010-003, University of Toronto.
Melchior, J., Fischer, A. & Wiskott, L. (2016). How to center deep Boltzmann machines.
JMLR 17(99), 1-61.
Larochelle, H. & Bengio, Y. (2008). Classification using discriminative restricted Boltzmann
machines. ICML 2008, 536-543.
"""

from __future__ import annotations

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
from energynets.metrics import (
    RBMGradient,
    _enumerated_layer,
    free_energy_gap,
    log_likelihood,
    pseudo_likelihood,
    rbm_log_partition,
    reconstruction_error,
)
from energynets.models.rbm import RBM, _sample_one_hot, _softmax

__all__ = [
    "METHODS",
    "MONITORS",
    "CenteredRBM",
    "center",
    "centered_gradient",
    "contrastive_gradient",
    "fit_rbm",
    "uncenter",
]

#: The negative-phase methods of :func:`fit_rbm`.
METHODS = ("cd", "pcd", "pt")

#: Quantities :func:`fit_rbm` can record after each epoch (``monitor=``).
MONITORS = ("reconstruction_error", "pseudo_likelihood", "free_energy", "log_likelihood")

#: Sliding factor nu of the hidden offset lambda <- (1 - nu) lambda + nu <q>_batch under
#: centering (Melchior, Fischer & Wiskott 2016 use 0.01).
CENTERING_RATE = 0.01

#: Decay of the running mean activity q <- d q + (1 - d) <q>_batch of the sparsity penalty
#: (Hinton 2010, section 11: between 0.9 and 0.99).
SPARSITY_DECAY = 0.9

#: Hinton's visible-bias initialisation log(p / (1 - p)) clips p to [eps, 1 - eps].
VISIBLE_BIAS_EPS = 1e-3

#: Rows of the fixed training subset (and of the validation subset) the monitors use.
MONITOR_SIZE = 1000

#: The kernel skips the visible columns of a block of rows that are zero in every row when
#: they are at least this fraction of the columns (exact: the same sums with fewer terms).
SPARSE_COLUMNS = 0.1

#: Rows of the monitor subset used for the pseudo-likelihood, which costs n_visible free
#: energies (n_visible n_hidden softplus evaluations) per row: at most 100 rows, and at most
#: 2**22 / (n_visible n_hidden) of them (but at least 10), about 0.1 s per epoch.
PSEUDO_LIKELIHOOD_ROWS = 100


# -- fast in-place kernels -------------------------------------------------------------------
def _sigmoid_(x: np.ndarray, minus_bias: np.ndarray | None = None) -> np.ndarray:
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


def _uniform_(gen: np.random.Generator, out: np.ndarray) -> np.ndarray:
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


def _bernoulli_(
    p: np.ndarray, uniforms: np.ndarray, out: np.ndarray, gen: np.random.Generator
) -> np.ndarray:
    """out <- 1[u < p] (0.0 or 1.0 in out's dtype), u uniform on [0, 1), drawn into uniforms."""
    _uniform_(gen, uniforms)
    np.less(uniforms, p, out=out)
    return out


# -- centering ---------------------------------------------------------------------------------
class CenteredRBM(NamedTuple):
    """The parameters of a centred RBM (Melchior, Fischer & Wiskott 2016).

    Bernoulli visible units:

        E_c(v, h) = -(v - mu)^T W (h - lambda) - a_c^T (v - mu) - b_c^T (h - lambda)

    Gaussian visible units (s = v / sigma):

        E_c(v, h) = sum_i (v_i - a_c,i)^2 / (2 sigma_i^2) - (s - mu)^T W (h - lambda)
                    - b_c^T (h - lambda)

    Expanding shows an ordinary RBM with the same W and biases

        a = a_c - sigma * (W lambda),   b = b_c - W^T mu,

    and an energy lower by a constant, so the distribution is the same (:func:`center`,
    :func:`uncenter`). What changes is the gradient (:func:`centered_gradient`).

    Attributes
    ----------
    weights : ndarray, shape (n_visible, n_hidden)
    visible_bias : ndarray, shape (n_visible,)
        a_c.
    hidden_bias : ndarray, shape (n_hidden,)
        b_c.
    visible_offset : ndarray, shape (n_visible,)
        mu, in units of v / sigma (the data mean of v / sigma in training).
    hidden_offset : ndarray, shape (n_hidden,)
        lambda (a running mean of the hidden probabilities given data in training).

    References
    ----------
    Melchior, J., Fischer, A. & Wiskott, L. (2016). How to center deep Boltzmann machines. JMLR
    17(99), 1-61.

    Examples
    --------
    Centring changes the parametrisation, not the model:

    >>> from energynets.models import RBM
    >>> rbm = RBM(4, 3, rng=0, weight_scale=1.0)
    >>> centered = center(rbm, np.full(4, 0.5), np.full(3, 0.5))
    >>> back = uncenter(centered)
    >>> bool(np.allclose(back.visible_bias, rbm.visible_bias))
    True
    >>> v = np.array([[1.0, 0.0, 1.0, 1.0]])
    >>> bool(np.allclose(back.free_energy(v), rbm.free_energy(v)))
    True
    """

    weights: np.ndarray
    visible_bias: np.ndarray
    hidden_bias: np.ndarray
    visible_offset: np.ndarray
    hidden_offset: np.ndarray


def _offsets(rbm: RBM, visible_offset: Any, hidden_offset: Any) -> tuple[np.ndarray, np.ndarray]:
    mu = as_float_array(visible_offset, "visible_offset", ndim=1, dtype=rbm.dtype)
    lam = as_float_array(hidden_offset, "hidden_offset", ndim=1, dtype=rbm.dtype)
    if mu.shape != (rbm.n_visible,):
        raise ValueError(f"visible_offset must have shape ({rbm.n_visible},), got {mu.shape}")
    if lam.shape != (rbm.n_hidden,):
        raise ValueError(f"hidden_offset must have shape ({rbm.n_hidden},), got {lam.shape}")
    return mu, lam


def center(rbm: RBM, visible_offset: Any, hidden_offset: Any) -> CenteredRBM:
    """The centred parameters of ``rbm`` for offsets mu and lambda (arrays are copies).

    a_c = a + sigma * (W lambda),  b_c = b + W^T mu  (see :class:`CenteredRBM`).

    Parameters
    ----------
    rbm : RBM
    visible_offset : array_like, shape (n_visible,)
        mu, in units of v / sigma.
    hidden_offset : array_like, shape (n_hidden,)
        lambda.

    Returns
    -------
    CenteredRBM
        W (a copy), a_c, b_c and the two offsets.

    References
    ----------
    Melchior, J., Fischer, A. & Wiskott, L. (2016). How to center deep Boltzmann machines. JMLR
    17(99), 1-61.
    """
    if not isinstance(rbm, RBM):
        raise TypeError(f"rbm must be an energynets RBM, got {type(rbm).__name__}")
    mu, lam = _offsets(rbm, visible_offset, hidden_offset)
    shift = rbm.weights @ lam
    if rbm.visible == "gaussian":
        shift = shift * rbm.sigma
    return CenteredRBM(
        rbm.weights.copy(),
        rbm.visible_bias + shift,
        rbm.hidden_bias + mu @ rbm.weights,
        mu.copy(),
        lam.copy(),
    )


def uncenter(centered: CenteredRBM, visible: str = "bernoulli", sigma: Any = 1.0) -> RBM:
    """The ordinary RBM with the same distribution as a centred one.

    a = a_c - sigma * (W lambda),  b = b_c - W^T mu  (see :class:`CenteredRBM`).

    Parameters
    ----------
    centered : CenteredRBM
    visible : {"bernoulli", "gaussian"}
    sigma : float or array_like, shape (n_visible,)
        Standard deviations of Gaussian visible units.

    Returns
    -------
    RBM
        Weights W, visible bias a and hidden bias b, all copies.

    References
    ----------
    Melchior, J., Fischer, A. & Wiskott, L. (2016). How to center deep Boltzmann machines. JMLR
    17(99), 1-61.
    """
    w = as_float_array(centered.weights, "centered.weights", ndim=2)
    rbm = RBM.from_params(w, visible=visible, sigma=sigma)
    mu, lam = _offsets(rbm, centered.visible_offset, centered.hidden_offset)
    shift = rbm.weights @ lam
    if rbm.visible == "gaussian":
        shift = shift * rbm.sigma
    a_c = as_float_array(centered.visible_bias, "centered.visible_bias", ndim=1, dtype=w.dtype)
    b_c = as_float_array(centered.hidden_bias, "centered.hidden_bias", ndim=1, dtype=w.dtype)
    if a_c.shape != (rbm.n_visible,) or b_c.shape != (rbm.n_hidden,):
        raise ValueError(
            f"centered biases must have shapes ({rbm.n_visible},) and ({rbm.n_hidden},), got "
            f"{a_c.shape} and {b_c.shape}"
        )
    rbm.visible_bias = a_c - shift
    rbm.hidden_bias = b_c - mu @ rbm.weights
    return rbm


def centered_gradient(
    gradient: RBMGradient, visible_offset: Any, hidden_offset: Any, sigma: Any = 1.0
) -> RBMGradient:
    """The gradient with respect to the centred parameters, from the ordinary one.

    With a = a_c - sigma * (W lambda) and b = b_c - W^T mu (:class:`CenteredRBM`) the chain rule
    gives, for any function L of the ordinary parameters,

        dL/dW_c = dL/dW - (sigma * dL/da) lambda^T - mu (dL/db)^T,
        dL/da_c = dL/da,   dL/db_c = dL/db.

    For the log-likelihood dL/dW_c = < (s - mu)(q - lambda)^T >_data - < (s - mu)(h - lambda)^T
    >_model, the centred gradient of Melchior, Fischer & Wiskott (2016), eq. 21 and Algorithm 1.

    Parameters
    ----------
    gradient : RBMGradient
        (dL/dW, dL/da, dL/db).
    visible_offset, hidden_offset : array_like, shapes (n_visible,), (n_hidden,)
        mu (in units of v / sigma) and lambda.
    sigma : float or array_like, shape (n_visible,)
        1 for Bernoulli visible units.

    Returns
    -------
    RBMGradient

    References
    ----------
    Melchior, J., Fischer, A. & Wiskott, L. (2016). How to center deep Boltzmann machines. JMLR
    17(99), 1-61.
    """
    gw = np.asarray(gradient.weights)
    ga = np.asarray(gradient.visible_bias)
    gb = np.asarray(gradient.hidden_bias)
    mu = np.asarray(visible_offset, dtype=gw.dtype)
    lam = np.asarray(hidden_offset, dtype=gw.dtype)
    gs = ga * np.asarray(sigma, dtype=gw.dtype)
    return RBMGradient(gw - np.outer(gs, lam) - np.outer(mu, gb), ga.copy(), gb.copy())


# -- the gradient estimate ---------------------------------------------------------------------
class _Kernel:
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
        rows = max(batch_size, n_negative)
        self.v = np.zeros((batch_size + n_negative, nv), dtype=dt)
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
        self.v_cols = np.empty((batch_size + n_negative) * nv, dtype=dt)
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
    def load(self, data: np.ndarray, index: np.ndarray) -> int:
        """Copy the rows ``data[index]`` into the positive block; return their number b."""
        b = index.shape[0]
        pos = self.v[self.B - b : self.B]
        if data.dtype == pos.dtype:
            np.take(data, index, axis=0, out=pos, mode="clip")
        else:
            pos[...] = data[index]
        if self.gaussian:
            pos *= self.inv_sigma
        return b

    def positive(self, b: int) -> np.ndarray:
        """q = p(h = 1 | data) for the b rows of the positive block (regular weights)."""
        q = self.h[self.B - b : self.B]
        self._product(self.v[self.B - b : self.B], self.rbm.weights, q)
        return _sigmoid_(q, self.minus_b)

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
            _sigmoid_(out, self.minus_neg_a)
            return _bernoulli_(out, noise, out, self.gen)
        # softmax groups: keep their inputs a_g + (W h)_g, sample every unit as a bit, then
        # overwrite each group with a one-hot draw (the uniform of its first unit, now unused)
        logits = [out[:, g] + self.neg_a[g] for g in self.groups]
        _sigmoid_(out, self.minus_neg_a)
        _bernoulli_(out, noise, out, self.gen)
        for g, z in zip(self.groups, logits, strict=True):
            out[:, g] = _sample_one_hot(_softmax(z), noise[:, g[0]])
        return out

    def hidden_probabilities(self, v: np.ndarray, out: np.ndarray) -> np.ndarray:
        """out <- p(h = 1 | v) under the negative-phase parameters."""
        self._product(v, self.neg_w, out)
        return _sigmoid_(out, self.minus_neg_b)

    def sample_hidden(self, q: np.ndarray, out: np.ndarray) -> np.ndarray:
        return _bernoulli_(q, self.uniform_h[: q.shape[0]], out, self.gen)

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
        neg_v = self.v[self.B : self.B + c]
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
        np.sum(h, axis=0, out=self.grad_b)
        # column sums by plain reductions rather than a (threaded) BLAS call
        np.sum(self.v[lo:mid], axis=0, out=self.grad_s)
        np.sum(self.v[mid:hi], axis=0, out=self.sum_s)
        self.grad_s *= scale / b
        self.sum_s *= scale / c
        self.grad_s -= self.sum_s

    def init_chains(self, data: np.ndarray, index: np.ndarray) -> None:
        """Start C persistent chains at the data rows ``index``: hs ~ p(h | data[index])."""
        start = self.v[self.B : self.B + self.C]
        if data.dtype == start.dtype:
            np.take(data, index, axis=0, out=start, mode="clip")
        else:
            start[...] = data[index]
        if self.gaussian:
            start *= self.inv_sigma
        q = self.h[self.B : self.B + self.C]
        self.hidden_probabilities(start, q)
        self.sample_hidden(q, self.hs[: self.C])


class _Tempering:
    """Replica-exchange negative phase for RBMs (parallel tempering, Desjardins et al. 2010).

    Each of the C chains has R replicas at inverse temperatures beta_1 < ... < beta_R = 1. The
    tempered model at beta has weights beta W and hidden bias beta b; its visible bias is
    beta a for Bernoulli units (a softmax group is sampled from softmax_k(beta (a_k +
    (W h)_k))), and a unchanged for Gaussian units (whose tempered visible
    conditional is N(a / sigma + beta W h, 1) in units of s = v / sigma). Its free energy is

        F_beta(v) = T(beta, v) - sum_j softplus(beta x_j),   x = s W + b,

    with T = -beta a.v (Bernoulli) or sum_i (v_i - a_i)^2 / (2 sigma_i^2) (Gaussian). After each
    Gibbs sweep of all replicas, neighbouring temperatures i, j = i + 1 exchange replicas with
    probability min(1, exp(F_i(v_i) + F_j(v_j) - F_i(v_j) - F_j(v_i))), first for the pairs
    (0, 1), (2, 3), ... then (1, 2), (3, 4), ..., which leaves the product of the tempered
    distributions invariant. Temperatures move between stored replicas, not states in memory.
    """

    def __init__(self, kernel: _Kernel, betas: np.ndarray) -> None:
        rbm = kernel.rbm
        dt = rbm.dtype
        self.kernel = kernel
        self.betas = betas.astype(dt)
        self.R = betas.size
        C = kernel.C
        self.v = np.zeros((self.R * C, rbm.n_visible), dt)  # replica r of chain c: row r C + c
        self.x = np.empty((self.R * C, rbm.n_hidden), dt)
        self.q = np.empty((self.R * C, rbm.n_hidden), dt)
        self.hs = np.empty((self.R * C, rbm.n_hidden), dt)
        self.uniform_h = np.empty((self.R * C, rbm.n_hidden), dt)
        self.uniform_v = np.empty((self.R * C, rbm.n_visible), dt)
        self.noise = np.empty((self.R * C, rbm.n_visible), dt)
        # temperature_of[r, c]: index into betas of stored replica r of chain c
        self.temperature_of = np.repeat(np.arange(self.R)[:, None], C, axis=1)
        self.attempts = np.zeros(self.R - 1, dtype=np.int64)
        self.accepts = np.zeros(self.R - 1, dtype=np.int64)

    def init_chains(self, data: np.ndarray, index: np.ndarray) -> None:
        """Start every replica at a data row (``index`` has R * C entries)."""
        if data.dtype == self.v.dtype:
            np.take(data, index, axis=0, out=self.v, mode="clip")
        else:
            self.v[...] = data[index]
        if self.kernel.gaussian:
            self.v *= self.kernel.inv_sigma

    def _row_betas(self) -> np.ndarray:
        return self.betas[self.temperature_of].reshape(-1, 1)

    def _inputs(self) -> None:
        k = self.kernel
        np.matmul(self.v, k.neg_w, out=self.x)
        self.x += k.neg_b

    def _sweep(self) -> None:
        """One block-Gibbs sweep of every replica at its own temperature; x <- s W + b."""
        k = self.kernel
        beta = self._row_betas()
        np.multiply(self.x, beta, out=self.q)
        _sigmoid_(self.q)
        _bernoulli_(self.q, self.uniform_h, self.hs, k.gen)
        np.matmul(self.hs, k.neg_w.T, out=self.v)
        if k.gaussian:
            self.v *= beta
            self.v += k.neg_a
            k.gen.standard_normal(out=self.noise, dtype=self.noise.dtype)
            self.v += self.noise
        else:
            self.v += k.neg_a
            self.v *= beta
            # softmax groups: p(v_g = e_k | h) = softmax_k(beta (a_k + (W h)_k)), drawn with
            # the uniform of the group's first unit after every unit was sampled as a bit
            logits = [self.v[:, g] for g in k.groups]  # fancy indexing: copies
            _sigmoid_(self.v)
            _bernoulli_(self.v, self.uniform_v, self.v, k.gen)
            for g, z in zip(k.groups, logits, strict=True):
                self.v[:, g] = _sample_one_hot(_softmax(z), self.uniform_v[:, g[0]])
        self._inputs()

    def _exchange(self) -> None:
        """One round of replica exchanges between neighbouring temperatures."""
        k = self.kernel
        C = k.C
        x = self.x.reshape(self.R, C, -1)
        linear = None if k.gaussian else (self.v @ k.neg_a).reshape(self.R, C).astype(np.float64)
        betas = self.betas.astype(np.float64)
        chains = np.arange(C)
        for first in (0, 1):
            lower = np.arange(first, self.R - 1, 2)
            if lower.size == 0:
                continue
            # stored replica at temperature t of chain c: where temperature_of[:, c] == t
            slot = np.argsort(self.temperature_of, axis=0)  # slot[t, c]
            si, sj = slot[lower], slot[lower + 1]  # (pairs, C)
            bi = betas[lower][:, None, None]
            bj = betas[lower + 1][:, None, None]
            xi = x[si, chains].astype(np.float64)  # (pairs, C, nh)
            xj = x[sj, chains].astype(np.float64)
            log_ratio = (
                np.logaddexp(0.0, bi * xj).sum(axis=2)
                + np.logaddexp(0.0, bj * xi).sum(axis=2)
                - np.logaddexp(0.0, bi * xi).sum(axis=2)
                - np.logaddexp(0.0, bj * xj).sum(axis=2)
            )
            if linear is not None:
                log_ratio += (bj - bi)[..., 0] * (linear[si, chains] - linear[sj, chains])
            u = k.gen.random(log_ratio.shape, dtype=self.v.dtype)
            accept = u < np.exp(np.minimum(log_ratio, 0.0))
            self.attempts[lower] += C
            self.accepts[lower] += accept.sum(axis=1)
            pi, pj = np.nonzero(accept)
            ci = chains[pj]
            ri, rj = si[pi, pj], sj[pi, pj]
            self.temperature_of[ri, ci] = lower[pi] + 1
            self.temperature_of[rj, ci] = lower[pi]

    def negative(self, n_steps: int) -> int:
        """Run n_steps sweep-and-exchange rounds; copy the beta = 1 replicas (and their hidden
        probabilities at beta = 1) into the kernel's negative block. Returns C."""
        k = self.kernel
        C = k.C
        self._inputs()
        for _ in range(n_steps):
            self._sweep()
            self._exchange()
        cold = np.argmax(self.temperature_of == self.R - 1, axis=0) * C + np.arange(C)
        neg_v = k.v[k.B : k.B + C]
        neg_q = k.h[k.B : k.B + C]
        np.take(self.v, cold, axis=0, out=neg_v)
        np.take(self.x, cold, axis=0, out=neg_q)
        _sigmoid_(neg_q)
        return C

    def swap_rates(self) -> np.ndarray:
        rates = np.full(self.R - 1, np.nan)
        tried = self.attempts > 0
        rates[tried] = self.accepts[tried] / self.attempts[tried]
        return rates


def contrastive_gradient(
    rbm: RBM, data: Any, *, k: int = 1, chains: Any = None, rng: RNGLike = 0
) -> tuple[RBMGradient, np.ndarray]:
    """One CD-k or PCD-k estimate of the log-likelihood gradient on a mini-batch.

    The positive statistics use q = p(h = 1 | v) for the rows of ``data``. The negative chain
    runs k block-Gibbs steps h -> v -> p(h | v), starting from a hidden sample given

    - each row of ``data`` when ``chains`` is None (CD-k, Hinton 2002), or
    - each row of ``chains`` otherwise (PCD-k, Tieleman 2008; pass back the returned states to
      continue the chains).

    The estimate is < s q^T >_data - < s q^T >_negative (and likewise for the biases, see
    :func:`energynets.metrics.log_likelihood_gradient`), with the final visible *samples* and
    their hidden *probabilities* as negative statistics. It is computed by exactly the code
    :func:`fit_rbm` uses for every update.

    Parameters
    ----------
    rbm : RBM
        Not modified.
    data : array_like, shape (n_samples, n_visible)
    k : int >= 1
        Gibbs steps of the negative chain.
    chains : array_like, shape (n_chains, n_visible), optional
        Visible states to start the negative chains from (any number of chains).
    rng : int, Generator or None

    Returns
    -------
    gradient : RBMGradient
        Ascent direction, in the model's dtype.
    chains : ndarray, shape (n_chains, n_visible)
        The final visible states of the negative chains (v, not v / sigma).

    Notes
    -----
    With ``chains`` drawn exactly from the model the estimate is unbiased for the exact
    gradient. CD-k started at data is biased: its expectation is the data term minus the
    moments after k Gibbs steps from the data (Carreira-Perpinan & Hinton 2005).

    References
    ----------
    Hinton, G. E. (2002). Training products of experts by minimizing contrastive divergence. Neural
    Computation 14, 1771-1800.

    Tieleman, T. (2008). Training restricted Boltzmann machines using approximations to the
    likelihood gradient. ICML 2008, 1064-1071.

    Carreira-Perpinan, M. A. & Hinton, G. E. (2005). On contrastive divergence learning. AISTATS
    2005, 33-40.

    Examples
    --------
    >>> from energynets.datasets import bars_and_stripes
    >>> from energynets.models import RBM
    >>> gradient, chains = contrastive_gradient(RBM(9, 4), bars_and_stripes(3), k=1, rng=0)
    >>> gradient.weights.shape, gradient.visible_bias.shape, chains.shape
    ((9, 4), (9,), (14, 9))
    """
    if not isinstance(rbm, RBM):
        raise TypeError(f"rbm must be an energynets RBM, got {type(rbm).__name__}")
    gen = check_rng(rng)
    steps = check_int(k, "k", minimum=1)
    v = rbm.check_visible(data, "data")
    if v.shape[0] == 0:
        raise ValueError("data must have at least one row, got 0")
    model = rbm.copy()
    n = v.shape[0]
    if chains is None:
        kernel = _Kernel(model, n, n, gen)
        persistent = False
    else:
        start = rbm.check_visible(chains, "chains")
        if start.shape[0] == 0:
            raise ValueError("chains must have at least one row, got 0")
        kernel = _Kernel(model, n, start.shape[0], gen)
        kernel.init_chains(start, np.arange(start.shape[0]))
        persistent = True
    b = kernel.load(v, np.arange(n))
    kernel.positive(b)
    c = kernel.gibbs_negative(b, steps, persistent)
    final = kernel.v[kernel.B : kernel.B + c].copy()
    kernel.statistics(b, c)
    grad_a = kernel.grad_s * kernel.inv_sigma if kernel.gaussian else kernel.grad_s.copy()
    if kernel.gaussian:
        final *= model.sigma
    return RBMGradient(kernel.grad_w.copy(), grad_a, kernel.grad_b.copy()), final


# -- argument checks -----------------------------------------------------------------------------
def _check_training_data(rbm: RBM, data: Any, name: str) -> np.ndarray:
    """Check data without copying it: 2-D, n_visible columns, finite, in [0, 1] (Bernoulli),
    each softmax group summing to 1 (one-hot for 0/1 data).

    Uses min and max (no temporaries the size of the data): NaN propagates into both.
    """
    arr = data if isinstance(data, np.ndarray) else np.asarray(data)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must be real-valued, got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array (n_samples, n_visible), got shape {arr.shape}"
        )
    if arr.shape[1] != rbm.n_visible:
        raise ValueError(
            f"{name} must have {rbm.n_visible} columns (n_visible of the model), got shape "
            f"{arr.shape}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must have at least one row, got shape {arr.shape}")
    lo, hi = arr.min(), arr.max()
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"{name} must contain only finite values (no NaN or inf)")
    if rbm.visible == "bernoulli" and (lo < 0 or hi > 1):
        raise ValueError(
            f"{name} must lie in [0, 1] for Bernoulli visible units (e.g. divide 8-bit images "
            f"by 255), got values in [{lo:g}, {hi:g}]"
        )
    if rbm.softmax_groups:
        rbm.check_group_rows(arr, name)  # one-hot (or class probabilities) in each group
    return arr


def _check_positive_float(value: Any, name: str) -> float:
    return check_float(value, name, minimum=0.0, exclusive_minimum=True)


def _data_mean(data: np.ndarray) -> np.ndarray:
    """Column means in float64, accumulated without a converted copy of the data."""
    return np.asarray(np.mean(data, axis=0, dtype=np.float64))


def _check_monitor(monitor: Any, rbm: RBM, subset: np.ndarray) -> tuple[str, ...]:
    binary = bool(np.all((subset == 0) | (subset == 1)))
    if monitor is None:
        names = ["reconstruction_error", "free_energy"]
        if rbm.visible == "bernoulli" and binary:
            names.append("pseudo_likelihood")
        return tuple(names)
    if isinstance(monitor, str):
        monitor = (monitor,)
    names = []
    for name in monitor:
        names.append(check_choice(name, "monitor entries", MONITORS))
    if "pseudo_likelihood" in names and (rbm.visible != "bernoulli" or not binary):
        raise ValueError(
            "monitor 'pseudo_likelihood' needs Bernoulli visible units and 0/1 data, got "
            f"visible={rbm.visible!r} and {'0/1' if binary else 'non-binary'} data"
        )
    if "log_likelihood" in names:
        if rbm.visible == "bernoulli" and not binary:
            raise ValueError("monitor 'log_likelihood' needs 0/1 data for Bernoulli visible units")
        _enumerated_layer(rbm)  # raises when log Z cannot be computed exactly
    return tuple(names)


# -- the trainer -------------------------------------------------------------------------------
def fit_rbm(
    rbm: RBM,
    data: Any,
    *,
    method: str = "cd",
    k: int = 1,
    n_epochs: int = 10,
    batch_size: int = 100,
    learning_rate: float = 0.01,
    momentum: float | str | Callable[[int], float] = 0.0,
    weight_decay: float = 0.0,
    l1: float = 0.0,
    sparsity_target: float | None = None,
    sparsity_cost: float = 0.0,
    centering: bool = False,
    n_chains: int | None = None,
    fast_weights: bool = False,
    fast_learning_rate: float | None = None,
    fast_decay: float = 0.95,
    n_temperatures: int = 10,
    learning_rate_schedule: str | Callable[[int], float] = "constant",
    init_visible_bias: str | None = "data",
    validation_data: Any = None,
    monitor: Sequence[str] | str | None = None,
    monitor_size: int = MONITOR_SIZE,
    rng: RNGLike = 0,
    callbacks: Sequence[Callable[[int, RBM, dict[str, list[Any]]], Any]] = (),
    progress: bool = False,
    checkpoint: str | os.PathLike[str] | None = None,
    checkpoint_every: int = 1,
    resume: str | os.PathLike[str] | None = None,
) -> tuple[RBM, dict[str, list[Any]]]:
    """Train an RBM on data with CD-k, persistent CD (optionally with fast weights) or parallel
    tempering, by stochastic gradient ascent on the log-likelihood.

    Each epoch visits the rows of ``data`` in a fresh random order, in mini-batches. For each
    batch the gradient estimate (see the module docstring and :func:`contrastive_gradient`) is

        g_W = < s q^T >_data - < s q^T >_neg - weight_decay W - l1 sign(W) [- sparsity term]
        g_a = < v >_data - < v >_neg  (divided by sigma^2 for Gaussian units)
        g_b = < q >_data - < q >_neg  [- sparsity_cost (q_run - sparsity_target)]

    and the parameters move by classical momentum, v <- m v + eta_t g, theta <- theta + v,
    with eta_t = learning_rate * schedule(epoch).

    Parameters
    ----------
    rbm : RBM
        The initial model. It is copied once; the copy is trained in place and returned, the
        argument is never modified. Its dtype (float32 or float64) is used throughout.
    data : array_like, shape (n_samples, n_visible)
        Values in [0, 1] for Bernoulli visible units (grey levels are allowed; binary data
        give proper likelihoods), any finite values for Gaussian units. In each softmax group
        of the model the values of a row must sum to 1 (one-hot labels, or class
        probabilities). Never modified nor
        copied whole: each mini-batch is gathered into a preallocated buffer (any numeric
        dtype; uint8 or bool 0/1 data are converted batch by batch).
    method : {"cd", "pcd", "pt"}
        Negative phase: CD-k from the mini-batch; persistent chains (PCD-k); or persistent
        chains with parallel tempering (each update: k rounds of a Gibbs sweep of every
        replica followed by replica exchanges).
    k : int >= 1
        Gibbs steps per update.
    n_epochs : int >= 1
    batch_size : int >= 1
        Rows per mini-batch (at most n_samples; the last batch of an epoch takes the rest).
    learning_rate : float > 0
        eta; the gradient is a mean over the batch, so eta does not depend on batch_size.
    momentum : float in [0, 1), "hinton" or callable epoch -> m
        "hinton": 0.5 for the first 5 epochs, 0.9 after (Hinton 2010, section 9).
    weight_decay : float >= 0
        L2 cost on the weights only (Hinton 2010, section 10, suggests 1e-5 to 1e-2; ``rbm.m``
        uses 2e-4); its gradient -weight_decay W is part of the momentum update.
    l1 : float >= 0
        L1 cost on the weights: gradient -l1 sign(W).
    sparsity_target : float in (0, 1), optional
        Target mean activation t of the hidden units (Hinton 2010, section 11). A running mean
        q_run <- 0.9 q_run + 0.1 <q>_data of each unit's probability is kept, and
        sparsity_cost (q_run - t) is subtracted from the gradient of the hidden bias and
        sparsity_cost <s>_data (q_run - t)^T from that of the weights (the derivative of the
        cross-entropy penalty with respect to the hidden unit's total input).
    sparsity_cost : float >= 0
    centering : bool
        Centred gradient (Melchior, Fischer & Wiskott 2016, Algorithm 1): train the centred
        parameters (:class:`CenteredRBM`) with visible offset mu = mean of the data (in units
        of v / sigma) and hidden offset lambda a running mean (rate 0.01, starting at 0.5) of
        <q>_data, re-parametrising the centred biases whenever lambda moves so that the model
        is unchanged. The model is converted back exactly (:func:`uncenter`) after every
        update, so callbacks and the result see an ordinary RBM.
    n_chains : int >= 1, optional
        Persistent chains for "pcd" and "pt" (default: batch_size), independent of the batch
        size. Not used by "cd", whose chains are the batch.
    fast_weights : bool
        FPCD (Tieleman & Hinton 2009, method "pcd" only): the chains run on W + W_fast (and
        biases likewise), where W_fast <- fast_decay W_fast + fast_learning_rate g (the
        gradient without weight decay, sparsity or momentum).
    fast_learning_rate : float >= 0, optional
        Default: learning_rate (as in Tieleman & Hinton 2009).
    fast_decay : float in [0, 1]
        Factor applied to the fast weights at every update (0.95, i.e. 19/20, in the paper).
    n_temperatures : int >= 2
        Replicas per chain for "pt", at inverse temperatures evenly spaced in [0, 1].
    learning_rate_schedule : {"constant", "linear", "exponential"} or callable
        Factor on the learning rate per epoch (:func:`energynets.learning.optim.
        learning_rate_schedule`).
    init_visible_bias : {"data", None}
        "data": a_i = log(p_i / (1 - p_i)), p_i the mean of column i clipped to [0.001, 0.999]
        (Hinton 2010, section 8); in a softmax group a_k = log p_k (p_k the class frequency,
        at least 0.001), so that softmax(a_g) matches the data; for Gaussian units a = the data
        mean. None keeps the model's visible bias (e.g. to continue training).
    validation_data : array_like, shape (n_valid, n_visible), optional
        Held-out rows for the free-energy gap (and, when monitored, the log-likelihood).
    monitor : sequence of str, optional
        Quantities recorded after each epoch, from :data:`MONITORS`, on a fixed random subset
        of ``monitor_size`` training rows (and of the validation rows):
        "reconstruction_error"; "pseudo_likelihood" (exact, on the first rows of the subset,
        see :data:`PSEUDO_LIKELIHOOD_ROWS`); "free_energy" (mean over the subsets, and the
        gap when validation data are given); "log_likelihood" (exact, small models only).
        None: reconstruction error and free energy, plus the pseudo-likelihood for 0/1 data;
        () records nothing.
    monitor_size : int >= 1
    rng : int, Generator or None
        All randomness (batch order, chain initialisation, Gibbs sampling). The monitor subset
        is drawn from a separate stream, so the monitors never change the training.
    callbacks : sequence of callables
        Each is called after every epoch as ``callback(epoch, rbm, history)`` (epoch counting
        from 0, rbm the model being trained: read it, do not modify it); returning True stops
        the training after this epoch.
    progress : bool
        Show a tqdm progress bar over epochs.
    checkpoint : str or path-like, optional
        Write a checkpoint to this ``.npz`` file every ``checkpoint_every`` epochs and after
        the last one: the model, the momentum buffers (and centring offsets, fast weights),
        the persistent chains (and tempering replicas), the random generator's state and the
        history. Each is written atomically (a temporary sibling, then a rename) and the one
        it replaces is kept as ``<checkpoint>.prev``, so Ctrl-C or a crash leaves a usable one.
    checkpoint_every : int >= 1
        Epochs between checkpoints.
    resume : str or path-like, optional
        Continue from a checkpoint of a run with the same data and settings (``n_epochs``
        may be larger): the epochs it completed are skipped, and the run ends bit-identical
        to one that was never interrupted. ``rbm`` only gives the shape then. A damaged file
        is a ValueError naming it (and its ``.prev``).

    Returns
    -------
    rbm : RBM
        The trained copy.
    history : dict of lists
        One entry per epoch: "epoch", "learning_rate", "momentum", "time" (seconds of training
        in the epoch, monitors excluded), the monitored quantities ("reconstruction_error",
        "pseudo_likelihood", "free_energy_train", "free_energy_validation",
        "free_energy_gap", "log_likelihood", "log_likelihood_validation") and, for "pt",
        "swap_rate" (mean exchange acceptance over neighbouring pairs, cumulative).

    Raises
    ------
    ValueError, TypeError
        On any invalid argument, naming it (nothing is trained then).
    TrainingDiverged
        When the parameters after an epoch are not finite (a learning rate far too large):
        its ``model`` has the parameters of the end of the last finite epoch.

    References
    ----------
    Hinton, G. E. (2002). Training products of experts by minimizing contrastive divergence. Neural
    Computation 14, 1771-1800.

    Tieleman, T. (2008). Training restricted Boltzmann machines using approximations to the
    likelihood gradient. ICML 2008, 1064-1071.

    Tieleman, T. & Hinton, G. E. (2009). Using fast weights to improve persistent contrastive
    divergence. ICML 2009, 1033-1040.

    Desjardins, G., Courville, A., Bengio, Y., Vincent, P. & Delalleau, O. (2010). Tempered Markov
    chain Monte Carlo for training of restricted Boltzmann machines. AISTATS 2010, 145-152.

    Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines. UTML TR
    2010-003, University of Toronto.

    Melchior, J., Fischer, A. & Wiskott, L. (2016). How to center deep Boltzmann machines. JMLR
    17(99), 1-61.

    Examples
    --------
    >>> from energynets.datasets import bars_and_stripes
    >>> from energynets.models import RBM
    >>> data = bars_and_stripes(3)
    >>> model, history = fit_rbm(RBM(9, 8), data, method="pcd", n_epochs=3, batch_size=7)
    >>> sorted(history)  # doctest: +NORMALIZE_WHITESPACE
    ['epoch', 'free_energy_train', 'learning_rate', 'momentum', 'pseudo_likelihood',
     'reconstruction_error', 'time']
    >>> len(history["epoch"])
    3
    """
    # -- validation (before any work) ------------------------------------------------------------
    if not isinstance(rbm, RBM):
        raise TypeError(f"rbm must be an energynets RBM, got {type(rbm).__name__}")
    X = _check_training_data(rbm, data, "data")
    n = X.shape[0]
    meth = check_choice(method, "method", METHODS)
    steps = check_int(k, "k", minimum=1)
    epochs = check_int(n_epochs, "n_epochs", minimum=1)
    B = min(check_int(batch_size, "batch_size", minimum=1), n)
    eta = _check_positive_float(learning_rate, "learning_rate")
    mom_at, uses_velocity = optim.momentum_schedule(momentum)
    lr_factor = optim.learning_rate_schedule(learning_rate_schedule, epochs)
    wd = check_float(weight_decay, "weight_decay", minimum=0.0)
    l1_cost = check_float(l1, "l1", minimum=0.0)
    s_cost = check_float(sparsity_cost, "sparsity_cost", minimum=0.0)
    s_target: float | None = None
    if sparsity_target is not None:
        s_target = check_float(sparsity_target, "sparsity_target", minimum=0.0)
        if not 0.0 < s_target < 1.0:
            raise ValueError(f"sparsity_target must lie in (0, 1), got {s_target}")
    elif s_cost > 0:
        raise ValueError("sparsity_cost > 0 needs a sparsity_target (a mean activation in (0, 1))")
    if not isinstance(centering, bool | np.bool_):
        raise TypeError(f"centering must be True or False, got {centering!r}")
    if not isinstance(fast_weights, bool | np.bool_):
        raise TypeError(f"fast_weights must be True or False, got {fast_weights!r}")
    if fast_weights and meth != "pcd":
        raise ValueError(f"fast_weights (FPCD) needs method='pcd', got method={meth!r}")
    fast_eta = (
        eta
        if fast_learning_rate is None
        else check_float(fast_learning_rate, "fast_learning_rate", minimum=0.0)
    )
    fast_keep = check_float(fast_decay, "fast_decay", minimum=0.0, maximum=1.0)
    if n_chains is not None and meth == "cd":
        raise ValueError(
            "n_chains applies to method 'pcd' and 'pt' (CD runs one chain per row of the "
            f"mini-batch), got n_chains={n_chains!r} with method='cd'"
        )
    C = B if n_chains is None else check_int(n_chains, "n_chains", minimum=1)
    R = check_int(n_temperatures, "n_temperatures", minimum=2) if meth == "pt" else 1
    if init_visible_bias is not None and init_visible_bias != "data":
        raise ValueError(
            "init_visible_bias must be 'data' or None (keep the model's), got "
            f"{init_visible_bias!r}"
        )
    X_valid = None
    if validation_data is not None:
        X_valid = _check_training_data(rbm, validation_data, "validation_data")
    m_size = check_int(monitor_size, "monitor_size", minimum=1)
    cbs = (callbacks,) if callable(callbacks) else tuple(callbacks)
    for i, cb in enumerate(cbs):
        if not callable(cb):
            raise TypeError(f"callbacks[{i}] must be callable, got {type(cb).__name__}")
    gen = check_rng(rng)
    monitor_gen = np.random.default_rng(int(gen.integers(2**63)))  # never touches training
    train_subset = np.asarray(
        X[np.sort(monitor_gen.choice(n, size=min(n, m_size), replace=False))], dtype=rbm.dtype
    )
    valid_subset = None
    if X_valid is not None:
        pick = np.sort(monitor_gen.choice(X_valid.shape[0], min(X_valid.shape[0], m_size), False))
        valid_subset = np.asarray(X_valid[pick], dtype=rbm.dtype)
    monitors = _check_monitor(monitor, rbm, train_subset)

    # -- the model copy and its state --------------------------------------------------------------
    model = rbm.copy()
    dt = model.dtype
    gaussian = model.visible == "gaussian"
    need_mean = init_visible_bias == "data" or centering
    data_mean = _data_mean(X) if need_mean else None
    if init_visible_bias == "data":
        assert data_mean is not None
        if gaussian:
            model.visible_bias[...] = data_mean
        else:
            p = np.clip(data_mean, VISIBLE_BIAS_EPS, 1.0 - VISIBLE_BIAS_EPS)
            model.visible_bias[...] = np.log(p / (1.0 - p))
            for g in model.softmax_groups:
                # a softmax group: a_k = log p_k, so that softmax(a_g) = the class frequencies
                model.visible_bias[g] = np.log(np.maximum(data_mean[g], VISIBLE_BIAS_EPS))

    kernel = _Kernel(model, B, C if meth != "cd" else B, gen, fast_weights=bool(fast_weights))
    tempering: _Tempering | None = None
    if meth == "pcd":
        kernel.init_chains(X, gen.integers(0, n, size=C))
    elif meth == "pt":
        tempering = _Tempering(kernel, np.linspace(0.0, 1.0, R))
        tempering.init_chains(X, gen.integers(0, n, size=R * C))

    sigma = model.sigma
    if centering:
        assert data_mean is not None
        mu = (data_mean / model.sigma if gaussian else data_mean).astype(dt)
        lam = np.full(model.n_hidden, 0.5, dtype=dt)
        centred = center(model, mu, lam)
        params = [model.weights, centred.visible_bias, centred.hidden_bias]
        tmp_v = np.empty(model.n_visible, dt)
        tmp_h = np.empty(model.n_hidden, dt)
        outer_buf = np.empty_like(model.weights)
    else:
        params = [model.weights, model.visible_bias, model.hidden_bias]
    optimizer = optim.MomentumSGD(params, use_velocity=uses_velocity)
    penalty_buf = np.empty_like(model.weights) if (wd > 0 or l1_cost > 0) else None
    running_q: np.ndarray | None = None
    step_a = np.empty(model.n_visible, dt) if gaussian else kernel.grad_s
    steps_out = (kernel.grad_w, step_a, kernel.grad_b)

    need_pos_means = centering or s_target is not None

    def uncenter_in_place() -> None:
        # a = a_c - sigma (W lambda), b = b_c - W^T mu (CenteredRBM)
        np.matmul(model.weights, lam, out=tmp_v)
        if gaussian:
            np.multiply(tmp_v, sigma, out=tmp_v)
        np.subtract(params[1], tmp_v, out=model.visible_bias)
        np.matmul(mu, model.weights, out=tmp_h)
        np.subtract(params[2], tmp_h, out=model.hidden_bias)

    def update(b: int, c: int, step_size: float, m: float) -> None:
        """One parameter update from the kernel's positive and negative rows.

        The statistics are scaled by the learning rate inside the kernel's GEMM, so that the
        plain CD update W <- W + eta g costs a single extra pass over W.
        """
        nonlocal running_q
        if need_pos_means:
            q_pos = kernel.h[B - b : B].mean(axis=0)  # <q>_data, before statistics scales h
        # FPCD needs the plain gradient g (its fast weights learn at another rate)
        scale = 1.0 if kernel.fast is not None else step_size
        kernel.statistics(b, c, scale)  # grad_* <- scale * (data - negative statistics)
        sw, ss, sb = kernel.grad_w, kernel.grad_s, kernel.grad_b
        if gaussian:
            np.multiply(ss, kernel.inv_sigma, out=step_a)  # dL/da = (<s>_d - <s>_m) / sigma
        if kernel.fast is not None:  # FPCD: W_f <- decay W_f + eta_fast g (plain gradient)
            for fast_param, g in zip(kernel.fast, steps_out, strict=True):
                fast_param *= fast_keep
                fast_param += fast_eta * g
            for g in steps_out:
                g *= step_size
        # from here on sw, step_a, sb (and ss) are eta_t times the gradient
        if s_target is not None:
            running_q = q_pos.copy() if running_q is None else running_q
            running_q *= SPARSITY_DECAY
            running_q += (1.0 - SPARSITY_DECAY) * q_pos
            excess = (step_size * s_cost) * (running_q - s_target)
            sb -= excess
            sw -= np.outer(kernel.v[B - b : B].mean(axis=0), excess)
        if centering:
            # move lambda towards <q>_data, shifting a_c by sigma W (lambda_new - lambda) so
            # that the ordinary visible bias a = a_c - sigma W lambda (the model) is unchanged
            new_lam = (1.0 - CENTERING_RATE) * lam + CENTERING_RATE * q_pos
            np.matmul(model.weights, new_lam - lam, out=tmp_v)
            if gaussian:
                np.multiply(tmp_v, sigma, out=tmp_v)
            params[1] += tmp_v
            lam[...] = new_lam
            # centred gradient: g_W - (sigma g_a) lambda^T - mu g_b^T  (ss = sigma g_a)
            np.multiply.outer(ss, lam, out=outer_buf)
            sw -= outer_buf
            np.multiply.outer(mu, sb, out=outer_buf)
            sw -= outer_buf
        if penalty_buf is not None:
            if wd > 0:
                np.multiply(model.weights, step_size * wd, out=penalty_buf)
                sw -= penalty_buf
            if l1_cost > 0:
                np.sign(model.weights, out=penalty_buf)
                np.multiply(penalty_buf, step_size * l1_cost, out=penalty_buf)
                sw -= penalty_buf
        optimizer.step_(params, steps_out, m)
        if centering:
            uncenter_in_place()
        kernel.refresh()

    history: dict[str, list[Any]] = {"epoch": [], "learning_rate": [], "momentum": [], "time": []}
    first_epoch = 0
    save_state: Callable[[int], None] | None = None
    if checkpoint is not None or resume is not None:
        # the training state outside the hot loop: arrays restored in place, so every buffer
        # and view above keeps pointing at them
        every = _checkpoint.check_every(checkpoint_every)
        state = {
            "model.weights": model.weights,
            "model.visible_bias": model.visible_bias,
            "model.hidden_bias": model.hidden_bias,
            "kernel.v": kernel.v,
            "kernel.h": kernel.h,
            "kernel.hs": kernel.hs,
        }
        if kernel.fast is not None:
            state.update({f"kernel.fast.{i}": a for i, a in enumerate(kernel.fast)})
        if tempering is not None:
            for name in ("v", "x", "q", "hs", "temperature_of", "attempts", "accepts"):
                state[f"tempering.{name}"] = getattr(tempering, name)
        if centering:
            state.update({"centred.visible_bias": params[1], "centred.hidden_bias": params[2]})
            state["centred.lambda"] = lam
        settings = {
            "method": meth,
            "k": steps,
            "batch_size": B,
            "n_chains": C,
            "n_temperatures": R,
            "centering": bool(centering),
            "fast_weights": bool(fast_weights),
            "sparsity_target": s_target,
            "visible": model.visible,
            "shape": [model.n_visible, model.n_hidden],
            "dtype": str(dt),
            "n_samples": n,
        }

        def write_checkpoint(done: int) -> None:
            assert checkpoint is not None
            opt_arrays, opt_scalars = _checkpoint.optimizer_state(optimizer)
            arrays = {**state, **opt_arrays}
            if running_q is not None:
                arrays["running_q"] = running_q
            meta = {
                "epoch": done,
                "rng_state": gen.bit_generator.state,
                "history": history,
                "settings": settings,
                "optimizer": opt_scalars,
            }
            _checkpoint.save_checkpoint(checkpoint, "fit_rbm", arrays, meta)

        if resume is not None:
            saved, meta = _checkpoint.load_checkpoint(resume, "fit_rbm")
            _checkpoint.check_settings(resume, meta["settings"], settings)
            _checkpoint.restore_arrays(resume, saved, state)
            _checkpoint.restore_optimizer(optimizer, saved, meta["optimizer"])
            if "running_q" in saved:
                running_q = saved["running_q"].copy()
            gen.bit_generator.state = meta["rng_state"]
            history = {key: list(values) for key, values in meta["history"].items()}
            first_epoch = int(meta["epoch"])
            kernel.refresh()
        if checkpoint is not None:
            save_state = write_checkpoint
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(
            total=epochs,
            initial=min(first_epoch, epochs),
            desc=f"fit_rbm ({meth}-{steps})",
            unit="epoch",
        )
    # the divergence guard: the parameters are checked at the end of every epoch
    guard = Guard(
        "fit_rbm",
        {
            "the weights": model.weights,
            "the visible biases": model.visible_bias,
            "the hidden biases": model.hidden_bias,
        },
        eta, -(-n // B), checkpoint, _checkpoint.resumed_into(checkpoint, resume, first_epoch),
    )  # fmt: skip
    try:
        for epoch in range(first_epoch, epochs):
            step_size = eta * lr_factor(epoch)
            m = mom_at(epoch)
            order = gen.permutation(n)  # a shuffled index array: the data stay in place
            t0 = time.perf_counter()
            # overflow is what divergence looks like: the guard reports it once, below
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                for start in range(0, n, B):
                    b = kernel.load(X, order[start : start + B])
                    kernel.positive(b)
                    if tempering is not None:
                        c = tempering.negative(steps)
                    else:
                        c = kernel.gibbs_negative(b, steps, persistent=meth == "pcd")
                    update(b, c, step_size, m)
            guard.end_of_epoch(epoch, model, history)
            elapsed = time.perf_counter() - t0
            history["epoch"].append(epoch)
            history["learning_rate"].append(step_size)
            history["momentum"].append(m)
            history["time"].append(elapsed)
            if tempering is not None:
                history.setdefault("swap_rate", []).append(float(np.mean(tempering.swap_rates())))
            _record_monitors(history, monitors, model, train_subset, valid_subset)
            if bar is not None:
                bar.update(1)
                if "reconstruction_error" in history:
                    bar.set_postfix(recon=f"{history['reconstruction_error'][-1]:.4g}")
            stop = False
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
    return model, history


def _record_monitors(
    history: dict[str, list[Any]],
    monitors: tuple[str, ...],
    model: RBM,
    train: np.ndarray,
    valid: np.ndarray | None,
) -> None:
    """Append the monitored quantities of this epoch to ``history``."""
    for name in monitors:
        if name == "reconstruction_error":
            history.setdefault(name, []).append(reconstruction_error(model, train))
        elif name == "pseudo_likelihood":
            budget = max(10, 2**22 // (model.n_visible * model.n_hidden))
            rows = train[: min(PSEUDO_LIKELIHOOD_ROWS, budget)]
            history.setdefault(name, []).append(pseudo_likelihood(model, rows))
        elif name == "free_energy":
            history.setdefault("free_energy_train", []).append(_mean_free_energy(model, train))
            if valid is not None:
                f_valid = _mean_free_energy(model, valid)
                history.setdefault("free_energy_validation", []).append(f_valid)
                gap = free_energy_gap(model, train, valid)
                history.setdefault("free_energy_gap", []).append(gap)
        elif name == "log_likelihood":
            log_z = rbm_log_partition(model)
            history.setdefault(name, []).append(log_likelihood(model, train, log_z))
            if valid is not None:
                history.setdefault("log_likelihood_validation", []).append(
                    log_likelihood(model, valid, log_z)
                )


def _mean_free_energy(model: RBM, v: np.ndarray) -> float:
    return float(np.mean(model.free_energy(v), dtype=np.float64))
