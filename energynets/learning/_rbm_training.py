"""One run of :func:`~energynets.fit_rbm`: the RBM's mathematics for the training loop.

:class:`RBMTraining` puts the pieces together (the gradient kernel, a negative phase, the
regularisers, one momentum optimiser) and does one epoch of updates at a time for
:func:`energynets.learning._loop.run`, which adds the callbacks, the progress bar, the
divergence guard and the checkpoints. The checked arguments arrive as one
:class:`RBMSettings`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from energynets._validation import is_sparse
from energynets.learning import optim
from energynets.learning._loop import Training
from energynets.learning._negative_phases import (
    CD,
    PCD,
    FastPCD,
    NegativePhase,
    ParallelTempering,
)
from energynets.learning._penalties import L1, Regularizer, Sparsity, Update, WeightDecay
from energynets.learning._rbm_kernel import Kernel, SparseKernel
from energynets.learning.centering import Centering
from energynets.metrics import (
    free_energy_gap,
    log_likelihood,
    pseudo_likelihood,
    rbm_log_partition,
    reconstruction_error,
)
from energynets.models.rbm import RBM

__all__ = ["PSEUDO_LIKELIHOOD_ROWS", "VISIBLE_BIAS_EPS", "RBMSettings", "RBMTraining"]

#: Hinton's visible-bias initialisation log(p / (1 - p)) clips p to [eps, 1 - eps].
VISIBLE_BIAS_EPS = 1e-3

#: Rows of the monitor subset used for the pseudo-likelihood, which costs n_visible free
#: energies (n_visible n_hidden softplus evaluations) per row: at most 100 rows, and at most
#: 2**22 / (n_visible n_hidden) of them (but at least 10), about 0.1 s per epoch.
PSEUDO_LIKELIHOOD_ROWS = 100


@dataclass
class RBMSettings:
    """The checked arguments of :func:`~energynets.fit_rbm` (see its docstring)."""

    method: str
    k: int
    n_epochs: int
    batch_size: int
    n_chains: int
    n_temperatures: int
    learning_rate: float
    learning_rate_factor: Any  # epoch -> factor
    momentum: Any  # epoch -> m
    uses_velocity: bool
    weight_decay: float
    l1: float
    sparsity_target: float | None
    sparsity_cost: float
    centering: bool
    fast_weights: bool
    fast_learning_rate: float
    fast_decay: float
    init_visible_bias: str | None
    monitors: tuple[str, ...]
    dynamic_binarization: bool = False


class RBMTraining(Training):
    """The state and the updates of one :func:`~energynets.fit_rbm` run.

    Parameters
    ----------
    rbm : RBM
        The initial model (copied).
    data : ndarray, shape (n_samples, n_visible)
        The checked training rows (never modified nor copied whole).
    settings : RBMSettings
    gen : numpy.random.Generator
        All randomness of the training.
    train_subset, valid_subset : ndarray
        The fixed rows the monitors use (``valid_subset`` may be None).
    chains : ndarray, shape (n_chains, n_hidden), optional
        Hidden states to continue PCD's persistent chains from (method "pcd" only).
    """

    name = "fit_rbm"

    def __init__(
        self,
        rbm: RBM,
        data: np.ndarray,
        settings: RBMSettings,
        gen: np.random.Generator,
        train_subset: np.ndarray,
        valid_subset: np.ndarray | None,
        chains: np.ndarray | None = None,
    ) -> None:
        s = settings
        self.settings_ = s
        self.data = data
        self.gen = gen
        self.train_subset, self.valid_subset = train_subset, valid_subset
        self.model = model = rbm.copy()
        self.gaussian = model.visible == "gaussian"
        n = data.shape[0]
        data_mean = _data_mean(data) if (s.init_visible_bias == "data" or s.centering) else None
        if s.init_visible_bias == "data":
            assert data_mean is not None
            _init_visible_bias(model, data_mean)
        n_negative = s.n_chains if s.method != "cd" else s.batch_size
        kernel_class = SparseKernel if is_sparse(data) else Kernel
        self.kernel = kernel_class(
            model, s.batch_size, n_negative, gen, fast_weights=s.fast_weights
        )
        self.negative = _negative_phase(self.kernel, s, data, gen, chains)
        self.centering = None
        if s.centering:
            assert data_mean is not None
            self.centering = Centering(model, data_mean)
        self.regularizers = _regularizers(s, model.weights, self.centering)
        self.needs_positive_means = any(r.needs_positive_means for r in self.regularizers)
        params = [model.weights, model.visible_bias, model.hidden_bias]
        if self.centering is not None:
            params = self.centering.parameters
        self.optimizer = optim.Momentum(params, rescale=False, velocity=s.uses_velocity)
        k = self.kernel
        self.step_a = np.empty(model.n_visible, model.dtype) if self.gaussian else k.grad_s
        self.steps = (k.grad_w, self.step_a, k.grad_b)
        self.update = Update(k, self.steps)
        self.learning_rate = s.learning_rate
        self.steps_per_epoch = -(-n // s.batch_size)
        self.history = {"epoch": [], "learning_rate": [], "momentum": [], "time": []}

    # -- one epoch -----------------------------------------------------------------------------
    def train_epoch(self, epoch: int) -> None:
        s, kernel = self.settings_, self.kernel
        self.step_size = step_size = s.learning_rate * s.learning_rate_factor(epoch)
        self.momentum_now = m = s.momentum(epoch)
        n, B = self.data.shape[0], s.batch_size
        order = self.gen.permutation(n)  # a shuffled index array: the data stay in place
        for start in range(0, n, B):
            b = kernel.load(self.data, order[start : start + B])
            if s.dynamic_binarization:
                kernel.binarize_positive(b)
            kernel.positive(b)
            c = self.negative.negative(b, s.k)
            self._update(b, c, step_size, m)

    def _update(self, b: int, c: int, step_size: float, m: float) -> None:
        """One parameter update from the kernel's positive and negative rows.

        The statistics are scaled by the learning rate inside the kernel's GEMM, so that the
        plain CD update W <- W + eta g costs a single extra pass over W.
        """
        kernel, update = self.kernel, self.update
        update.b, update.step_size = b, step_size
        if self.needs_positive_means:  # <q>_data, before statistics scales h
            update.q_positive = kernel.h[kernel.B - b : kernel.B].mean(axis=0)
        kernel.statistics(b, c, self.negative.statistics_scale(step_size))
        if self.gaussian:  # dL/da = (<s>_d - <s>_m) / sigma
            np.multiply(kernel.grad_s, kernel.inv_sigma, out=self.step_a)
        self.negative.after_statistics(self.steps, step_size)
        # from here on the steps are eta_t times the gradient
        for piece in self.regularizers:
            piece.apply(update)
        self.optimizer.step_(self.steps, 1.0, scale=-1.0, momentum=m)
        for piece in self.regularizers:
            piece.after_step()
        kernel.refresh()

    def record(self, epoch: int, seconds: float) -> bool:
        h = self.history
        h["epoch"].append(epoch)
        h["learning_rate"].append(self.step_size)
        h["momentum"].append(self.momentum_now)
        h["time"].append(seconds)
        self.negative.record(h)
        _record_monitors(
            h, self.settings_.monitors, self.model, self.train_subset, self.valid_subset
        )
        return False

    def postfix(self) -> dict[str, str]:
        if "reconstruction_error" not in self.history:
            return {}
        return {"recon": f"{self.history['reconstruction_error'][-1]:.4g}"}

    def watched(self) -> dict[str, np.ndarray]:
        model = self.model
        return {
            "the weights": model.weights,
            "the visible biases": model.visible_bias,
            "the hidden biases": model.hidden_bias,
        }

    # -- the state of a checkpoint -------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        s, model = self.settings_, self.model
        return {
            "method": s.method,
            "k": s.k,
            "batch_size": s.batch_size,
            "n_chains": s.n_chains,
            "n_temperatures": s.n_temperatures,
            "centering": s.centering,
            "fast_weights": s.fast_weights,
            "sparsity_target": s.sparsity_target,
            "visible": model.visible,
            "shape": [model.n_visible, model.n_hidden],
            "dtype": str(model.dtype),
            "n_samples": self.data.shape[0],
            # only when on, so that checkpoints written before the option still resume
            **({"dynamic_binarization": True} if s.dynamic_binarization else {}),
        }

    def state(self) -> dict[str, np.ndarray]:
        model, kernel = self.model, self.kernel
        state = {
            "model.weights": model.weights,
            "model.visible_bias": model.visible_bias,
            "model.hidden_bias": model.hidden_bias,
            "kernel.v": kernel.v,
            "kernel.h": kernel.h,
            "kernel.hs": kernel.hs,
        }
        state.update(self.negative.state())
        for piece in self.regularizers:
            state.update(piece.state())
        return state

    def extra_state(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        sparsity = self._sparsity()
        if sparsity is None or sparsity.running_q is None:
            return {}, {}
        return {"running_q": sparsity.running_q}, {}

    def restore_extra(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        sparsity = self._sparsity()
        if sparsity is not None and "running_q" in arrays:
            sparsity.running_q = arrays["running_q"].copy()
        self.kernel.refresh()

    def _sparsity(self) -> Sparsity | None:
        return next((r for r in self.regularizers if isinstance(r, Sparsity)), None)


def _data_mean(data: Any) -> np.ndarray:
    """Column means in float64, accumulated without a converted copy of the data (dense or
    a scipy.sparse matrix)."""
    if is_sparse(data):
        return np.asarray(data.mean(axis=0, dtype=np.float64)).ravel()
    return np.asarray(np.mean(data, axis=0, dtype=np.float64))


def _init_visible_bias(model: RBM, data_mean: np.ndarray) -> None:
    """Hinton's a_i = log(p_i / (1 - p_i)) (a_k = log p_k in a softmax group; the data mean
    for Gaussian units), in place."""
    if model.visible == "gaussian":
        model.visible_bias[...] = data_mean
        return
    p = np.clip(data_mean, VISIBLE_BIAS_EPS, 1.0 - VISIBLE_BIAS_EPS)
    model.visible_bias[...] = np.log(p / (1.0 - p))
    for g in model.softmax_groups:
        # a softmax group: a_k = log p_k, so that softmax(a_g) = the class frequencies
        model.visible_bias[g] = np.log(np.maximum(data_mean[g], VISIBLE_BIAS_EPS))


def _negative_phase(
    kernel: Kernel,
    s: RBMSettings,
    data: np.ndarray,
    gen: np.random.Generator,
    chains: np.ndarray | None,
) -> NegativePhase:
    n = data.shape[0]
    if s.method == "cd":
        return CD(kernel)
    if s.method == "pt":
        replica_rows = gen.integers(0, n, size=s.n_temperatures * s.n_chains)
        return ParallelTempering(kernel, s.n_temperatures, data, replica_rows)
    start = None if chains is not None else gen.integers(0, n, size=s.n_chains)
    if s.fast_weights:
        return FastPCD(kernel, data, start, s.fast_learning_rate, s.fast_decay, chains)
    return PCD(kernel, data, start, chains)


def _regularizers(
    s: RBMSettings, weights: np.ndarray, centering: Centering | None
) -> list[Regularizer]:
    """The pieces in the order they apply: sparsity, centring, weight decay, L1."""
    pieces: list[Regularizer] = []
    if s.sparsity_target is not None:
        pieces.append(Sparsity(s.sparsity_target, s.sparsity_cost))
    if centering is not None:
        pieces.append(centering)
    if s.weight_decay > 0:
        pieces.append(WeightDecay(s.weight_decay, weights))
    if s.l1 > 0:
        pieces.append(L1(s.l1, weights))
    return pieces


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
