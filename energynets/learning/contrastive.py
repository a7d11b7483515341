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

The pieces: the gradient kernel (:mod:`energynets.learning._rbm_kernel`), the negative phases
(:mod:`energynets.learning._negative_phases`), the penalties and centring
(:mod:`energynets.learning._penalties`, :mod:`energynets.learning.centering`), put together by
:mod:`energynets.learning._rbm_training` and driven by the one training loop of the package
(:mod:`energynets.learning._loop`).

Speed: everything runs in the model's dtype (float32 end to end, random numbers included) on
preallocated buffers. The positive and negative visible rows sit in one stacked buffer and the
hidden probabilities, scaled by 1 / n_pos and -1 / n_neg, in another, so that the weight
gradient <s q>_data - <s q>_model is one matrix product. An epoch of CD-1 costs about
10 n_samples n_visible n_hidden floating-point operations, nearly all of them in four GEMMs.

References
----------
The papers of the methods above are cited in full under :func:`fit_rbm`; the softmax groups
follow Larochelle, H. & Bengio, Y. (2008). Classification using discriminative restricted
Boltzmann machines. ICML 2008, 536-543.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from energynets._validation import (
    RNGLike,
    check_choice,
    check_data_matrix,
    check_float,
    check_int,
    check_rng,
    is_sparse,
)
from energynets.learning import optim
from energynets.learning._loop import check_callbacks, run
from energynets.learning._rbm_kernel import Kernel
from energynets.learning._rbm_training import RBMSettings, RBMTraining
from energynets.learning.centering import CenteredRBM, center, centered_gradient, uncenter
from energynets.metrics import RBMGradient, enumerated_layer
from energynets.models.rbm import RBM

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

#: Rows of the fixed training subset (and of the validation subset) the monitors use.
MONITOR_SIZE = 1000


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
    Hinton (2002) for CD-k and Tieleman (2008) for PCD-k, cited in full under
    :func:`fit_rbm`.

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
        kernel = Kernel(model, n, n, gen)
        persistent = False
    else:
        start = rbm.check_visible(chains, "chains")
        if start.shape[0] == 0:
            raise ValueError("chains must have at least one row, got 0")
        kernel = Kernel(model, n, start.shape[0], gen)
        kernel.init_chains(start, np.arange(start.shape[0]))
        persistent = True
    b = kernel.load(v, np.arange(n))
    kernel.positive(b)
    c = kernel.gibbs_negative(b, steps, persistent)
    final = kernel.v[kernel.P : kernel.P + c].copy()
    kernel.statistics(b, c)
    grad_a = kernel.grad_s * kernel.inv_sigma if kernel.gaussian else kernel.grad_s.copy()
    if kernel.gaussian:
        final *= model.sigma
    return RBMGradient(kernel.grad_w.copy(), grad_a, kernel.grad_b.copy()), final


# -- argument checks -----------------------------------------------------------------------------
def check_training_data(rbm: RBM, data: Any, name: str) -> Any:
    """Check data without copying it: 2-D, n_visible columns, finite, in [0, 1] (Bernoulli),
    each softmax group summing to 1 (one-hot for 0/1 data).

    Uses min and max (no temporaries the size of the data): NaN propagates into both. A
    ``scipy.sparse`` matrix (Bernoulli visible units, no softmax groups) is returned in CSR
    format, converted from another format (a copy the size of its non-zeros) or integer
    values (to float64).
    """
    if is_sparse(data):
        return _check_sparse_training_data(rbm, data, name)
    arr = check_data_matrix(data, name, rbm.n_visible, "n_visible", "n_visible of the model")
    lo, hi = arr.min(), arr.max()
    _check_range(rbm, name, lo, hi)
    if rbm.softmax_groups:
        rbm.check_group_rows(arr, name)  # one-hot (or class probabilities) in each group
    return arr


def _check_range(rbm: RBM, name: str, lo: Any, hi: Any) -> None:
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"{name} must contain only finite values (no NaN or inf)")
    if rbm.visible == "bernoulli" and (lo < 0 or hi > 1):
        raise ValueError(
            f"{name} must lie in [0, 1] for Bernoulli visible units (e.g. divide 8-bit images "
            f"by 255), got values in [{lo:g}, {hi:g}]"
        )


def _check_sparse_training_data(rbm: RBM, data: Any, name: str) -> Any:
    """A scipy.sparse ``data`` checked as :func:`check_training_data` does, in CSR format."""
    if rbm.visible != "bernoulli" or rbm.softmax_groups:
        raise TypeError(
            f"{name} may be a scipy.sparse matrix only for Bernoulli visible units without "
            f"softmax groups, got visible={rbm.visible!r}"
            + (" with softmax groups" if rbm.softmax_groups else "")
            + "; pass a dense array"
        )
    csr = data.tocsr()
    if not (np.issubdtype(csr.dtype, np.floating) or np.issubdtype(csr.dtype, np.integer)):
        if not np.issubdtype(csr.dtype, np.bool_):
            raise TypeError(f"{name} must be an array of numbers, got dtype {csr.dtype}")
    if not np.issubdtype(csr.dtype, np.floating):
        csr = csr.astype(np.float64)
    if csr.shape[1] != rbm.n_visible:
        raise ValueError(
            f"{name} must have {rbm.n_visible} columns (n_visible of the model), got shape "
            f"{csr.shape}"
        )
    if csr.shape[0] == 0:
        raise ValueError(f"{name} must have at least one row, got shape {csr.shape}")
    values = csr.data
    implicit_zeros = values.size < csr.shape[0] * csr.shape[1]
    lo = min(values.min(), 0.0) if values.size else 0.0
    hi = max(values.max(), 0.0) if values.size else 0.0
    if values.size and not implicit_zeros:
        lo, hi = values.min(), values.max()
    _check_range(rbm, name, lo, hi)
    return csr


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
        enumerated_layer(rbm)  # raises when log Z cannot be computed exactly
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
    dynamic_binarization: bool = False,
    validation_data: Any = None,
    monitor: Sequence[str] | str | None = None,
    monitor_size: int = MONITOR_SIZE,
    rng: RNGLike = 0,
    callbacks: Sequence[Callable[[int, RBM, dict[str, list[Any]]], Any]] = (),
    progress: bool = False,
    checkpoint: str | os.PathLike[str] | None = None,
    checkpoint_every: int = 1,
    resume: str | os.PathLike[str] | None = None,
    chains: Any = None,
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
        dtype; uint8 or bool 0/1 data are converted batch by batch). For Bernoulli visible
        units without softmax groups, ``data`` may be a ``scipy.sparse`` matrix (any format,
        CSR kept as it is): its mini-batches are sliced as sparse rows and enter the two
        visible-layer products, v W and v^T q, as sparse matrices, so the data are never
        densified; the model is the dense copy's, to rounding.
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
    dynamic_binarization : bool
        Bernoulli visible units without softmax groups, dense data in [0, 1] (grey levels):
        each time a row is visited it is replaced, in the mini-batch buffer, by a fresh binary
        sample with every unit on with probability its value. Each epoch then sees new binary
        data, so the model cannot fit the noise of one binarization (stochastically binarized
        MNIST: Salakhutdinov & Murray 2008 binarized once). ``data`` itself is not changed.
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
    chains : array_like of 0/1, shape (n_chains, n_hidden), optional
        Method "pcd" only: the hidden states to start the persistent chains from, e.g. those
        a previous run ended with, to continue it on new data. None starts each chain at a
        hidden sample given a random row of ``data``.

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
    training = rbm_training(**locals())
    return training.model, training.history


def rbm_training(
    rbm: RBM,
    data: Any,
    *,
    method: str,
    k: int,
    n_epochs: int,
    batch_size: int,
    learning_rate: float,
    momentum: float | str | Callable[[int], float],
    weight_decay: float,
    l1: float,
    sparsity_target: float | None,
    sparsity_cost: float,
    centering: bool,
    n_chains: int | None,
    fast_weights: bool,
    fast_learning_rate: float | None,
    fast_decay: float,
    n_temperatures: int,
    learning_rate_schedule: str | Callable[[int], float],
    init_visible_bias: str | None,
    dynamic_binarization: bool,
    validation_data: Any,
    monitor: Sequence[str] | str | None,
    monitor_size: int,
    rng: RNGLike,
    callbacks: Sequence[Callable[[int, RBM, dict[str, list[Any]]], Any]],
    progress: bool,
    checkpoint: str | os.PathLike[str] | None,
    checkpoint_every: int,
    resume: str | os.PathLike[str] | None,
    chains: Any,
) -> RBMTraining:
    """The run behind :func:`fit_rbm`, with its arguments (all of them, by name), returned
    whole once trained: ``.model``, ``.history``, and the negative phase whose
    ``.negative.hidden_chains()`` are the chains' final hidden states."""
    if not isinstance(rbm, RBM):
        raise TypeError(f"rbm must be an energynets RBM, got {type(rbm).__name__}")
    X = check_training_data(rbm, data, "data")
    n = X.shape[0]
    meth = check_choice(method, "method", METHODS)
    steps = check_int(k, "k", minimum=1)
    epochs = check_int(n_epochs, "n_epochs", minimum=1)
    B = min(check_int(batch_size, "batch_size", minimum=1), n)
    eta = check_float(learning_rate, "learning_rate", minimum=0.0, exclusive_minimum=True)
    mom_at, uses_velocity = optim.momentum_schedule(momentum)
    lr_factor = optim.learning_rate_schedule(learning_rate_schedule, epochs)
    penalties = _check_penalties(weight_decay, l1, sparsity_target, sparsity_cost, centering)
    if is_sparse(X) and penalties[2] is not None:
        raise ValueError(
            "sparsity_target needs dense data (its penalty reads the mini-batch's rows), got a "
            "scipy.sparse matrix"
        )
    C, R, fast_eta, fast_keep = _check_negative_phase(
        meth, B, n_chains, n_temperatures, fast_weights, fast_learning_rate, fast_decay, eta
    )
    if init_visible_bias is not None and init_visible_bias != "data":
        raise ValueError(
            "init_visible_bias must be 'data' or None (keep the model's), got "
            f"{init_visible_bias!r}"
        )
    binarizing = _check_dynamic_binarization(dynamic_binarization, rbm, X)
    X_valid = None
    if validation_data is not None:
        X_valid = check_training_data(rbm, validation_data, "validation_data")
    m_size = check_int(monitor_size, "monitor_size", minimum=1)
    cbs = check_callbacks(callbacks)
    gen = check_rng(rng)
    start = _check_chains(chains, meth, C, rbm)
    wanted = monitor is None or isinstance(monitor, str) or len(monitor) > 0
    train_subset, valid_subset = _monitor_subsets(gen, X, X_valid, m_size, rbm.dtype, wanted)
    settings = RBMSettings(
        meth, steps, epochs, B, C, R, eta, lr_factor, mom_at, uses_velocity, *penalties,
        bool(fast_weights), fast_eta, fast_keep, init_visible_bias,
        _check_monitor(monitor, rbm, train_subset), binarizing,
    )  # fmt: skip
    training = RBMTraining(rbm, X, settings, gen, train_subset, valid_subset, start)
    run(
        training, epochs, callbacks=cbs, progress=progress, desc=f"fit_rbm ({meth}-{steps})",
        checkpoint=checkpoint, checkpoint_every=checkpoint_every, resume=resume,
    )  # fmt: skip
    return training


def _check_penalties(
    weight_decay: Any, l1: Any, sparsity_target: Any, sparsity_cost: Any, centering: Any
) -> tuple[float, float, float | None, float, bool]:
    """(weight_decay, l1, sparsity_target, sparsity_cost, centering), checked."""
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
    return wd, l1_cost, s_target, s_cost, bool(centering)


def _check_negative_phase(
    method: str,
    batch_size: int,
    n_chains: Any,
    n_temperatures: Any,
    fast_weights: Any,
    fast_learning_rate: Any,
    fast_decay: Any,
    learning_rate: float,
) -> tuple[int, int, float, float]:
    """(n_chains, n_temperatures, fast_learning_rate, fast_decay), checked against the
    method."""
    if not isinstance(fast_weights, bool | np.bool_):
        raise TypeError(f"fast_weights must be True or False, got {fast_weights!r}")
    if fast_weights and method != "pcd":
        raise ValueError(f"fast_weights (FPCD) needs method='pcd', got method={method!r}")
    fast_eta = (
        learning_rate
        if fast_learning_rate is None
        else check_float(fast_learning_rate, "fast_learning_rate", minimum=0.0)
    )
    fast_keep = check_float(fast_decay, "fast_decay", minimum=0.0, maximum=1.0)
    if n_chains is not None and method == "cd":
        raise ValueError(
            "n_chains applies to method 'pcd' and 'pt' (CD runs one chain per row of the "
            f"mini-batch), got n_chains={n_chains!r} with method='cd'"
        )
    C = batch_size if n_chains is None else check_int(n_chains, "n_chains", minimum=1)
    R = check_int(n_temperatures, "n_temperatures", minimum=2) if method == "pt" else 1
    return C, R, fast_eta, fast_keep


def _check_dynamic_binarization(value: Any, rbm: RBM, X: Any) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"dynamic_binarization must be True or False, got {value!r}")
    if value and (rbm.visible != "bernoulli" or rbm.softmax_groups or is_sparse(X)):
        raise ValueError(
            "dynamic_binarization needs Bernoulli visible units without softmax groups and "
            f"dense data, got visible={rbm.visible!r}"
            + (" with softmax groups" if rbm.softmax_groups else "")
            + (" and scipy.sparse data" if is_sparse(X) else "")
        )
    return bool(value)


def _monitor_subsets(
    gen: np.random.Generator,
    X: Any,
    X_valid: Any,
    size: int,
    dtype: np.dtype,
    wanted: bool = True,
) -> tuple[np.ndarray, np.ndarray | None]:
    """The fixed random rows the monitors use, from a stream of their own (seeded from
    ``gen``), so that the monitors never change the training; no rows when no monitor is
    ``wanted`` (the stream is seeded all the same)."""
    n = X.shape[0]
    monitor_gen = np.random.default_rng(int(gen.integers(2**63)))
    if not wanted:
        return np.zeros((0, X.shape[1]), dtype), None
    train = _rows(X, np.sort(monitor_gen.choice(n, size=min(n, size), replace=False)), dtype)
    if X_valid is None:
        return train, None
    pick = np.sort(monitor_gen.choice(X_valid.shape[0], min(X_valid.shape[0], size), False))
    return train, _rows(X_valid, pick, dtype)


def _rows(X: Any, index: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """The rows ``X[index]`` as a dense array of ``dtype`` (X dense or scipy.sparse)."""
    rows = X[index]
    return np.asarray(rows.toarray() if is_sparse(rows) else rows, dtype=dtype)


def _check_chains(chains: Any, method: str, n_chains: int, rbm: RBM) -> np.ndarray | None:
    """The hidden states to start PCD's chains from, checked, in the model's dtype."""
    if chains is None:
        return None
    if method != "pcd":
        raise ValueError(f"chains applies to method 'pcd' only, got method={method!r}")
    arr = np.asarray(chains)
    if arr.shape != (n_chains, rbm.n_hidden):
        raise ValueError(
            f"chains must have shape (n_chains, n_hidden) = ({n_chains}, {rbm.n_hidden}), got "
            f"shape {arr.shape}"
        )
    if not np.all((arr == 0) | (arr == 1)):
        raise ValueError("chains must hold 0/1 hidden states")
    return arr.astype(rbm.dtype)
