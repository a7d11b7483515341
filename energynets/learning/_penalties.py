"""The pieces that change an RBM update beyond the likelihood gradient: penalties and
re-parametrisations.

Each is a small object the RBM trainer applies, in a fixed order, to the steps of every update
(eta_t times the gradient, already computed from the statistics), before the optimiser moves
the parameters: :class:`Sparsity`, then centring
(:class:`~energynets.learning.centering.Centering`), then :class:`WeightDecay` and
:class:`L1`. A new regulariser is a new small class here, beside its siblings.

References
----------
Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines.
UTML TR 2010-003, University of Toronto (sections 10 and 11: weight decay, sparsity).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from energynets.learning._rbm_kernel import Kernel

__all__ = ["L1", "SPARSITY_DECAY", "Regularizer", "Sparsity", "Update", "WeightDecay"]

#: Decay of the running mean activity q <- d q + (1 - d) <q>_batch of the sparsity penalty
#: (Hinton 2010, section 11: between 0.9 and 0.99).
SPARSITY_DECAY = 0.9


@dataclass
class Update:
    """What the pieces see of one update: the kernel (holding the b positive rows), the steps
    (eta_t g_W, eta_t g_a, eta_t g_b, modified in place), the step size eta_t and <q>_data of
    the mini-batch (computed only when a piece says it needs it). The trainer keeps one and
    refreshes it for every update."""

    kernel: Kernel
    steps: Sequence[np.ndarray]
    b: int = 0
    step_size: float = 0.0
    q_positive: np.ndarray | None = None


class Regularizer:
    """A change of the steps of every RBM update; the base class of the pieces."""

    #: Whether :meth:`apply` needs <q>_data of the mini-batch.
    needs_positive_means = False

    def apply(self, update: Update) -> None:
        """Change the steps of this update."""
        raise NotImplementedError

    def after_step(self) -> None:
        """Called after the optimiser moved the parameters."""

    def state(self) -> dict[str, np.ndarray]:
        """Arrays of the piece's state, by name, restored in place on resume."""
        return {}


class Sparsity(Regularizer):
    """A target mean activation t of the hidden units (Hinton 2010, section 11).

    A running mean q_run <- 0.9 q_run + 0.1 <q>_data of each unit's probability is kept, and
    cost (q_run - t) is subtracted from the gradient of the hidden bias and cost <s>_data
    (q_run - t)^T from that of the weights (the derivative of the cross-entropy penalty with
    respect to the hidden unit's total input).

    Parameters
    ----------
    target : float in (0, 1)
    cost : float >= 0
    """

    needs_positive_means = True

    def __init__(self, target: float, cost: float) -> None:
        self.target = target
        self.cost = cost
        self.running_q: np.ndarray | None = None

    def apply(self, update: Update) -> None:
        q_positive, kernel = update.q_positive, update.kernel
        assert q_positive is not None
        sw, _, sb = update.steps
        running = q_positive.copy() if self.running_q is None else self.running_q
        running *= SPARSITY_DECAY
        running += (1.0 - SPARSITY_DECAY) * q_positive
        self.running_q = running
        excess = (update.step_size * self.cost) * (running - self.target)
        sb -= excess
        sw -= np.outer(kernel.v[kernel.B - update.b : kernel.B].mean(axis=0), excess)


class WeightDecay(Regularizer):
    """L2 cost (cost / 2) ||W||^2 on the weights only (Hinton 2010, section 10): the steps
    lose eta_t cost W."""

    def __init__(self, cost: float, weights: np.ndarray) -> None:
        self.cost = cost
        self.weights = weights
        self.buffer = np.empty_like(weights)

    def gradient(self, scale: float) -> np.ndarray:
        """``scale`` times the gradient of the cost, in :attr:`buffer`."""
        return np.multiply(self.weights, scale, out=self.buffer)

    def apply(self, update: Update) -> None:
        sw = update.steps[0]
        sw -= self.gradient(update.step_size * self.cost)


class L1(WeightDecay):
    """L1 cost cost ||W||_1 on the weights: the steps lose eta_t cost sign(W)."""

    def gradient(self, scale: float) -> np.ndarray:
        np.sign(self.weights, out=self.buffer)
        return np.multiply(self.buffer, scale, out=self.buffer)
