"""Stochastic training of an MLP in scikit-learn's conventions, resumable across calls.

:class:`StochasticSolver` runs the epochs of scikit-learn's ``MLPClassifier`` and
``MLPRegressor`` with the speed of :func:`~energynets.fit_mlp` (the same in-place kernel,
:mod:`energynets.learning._mlp_kernel`), and keeps what must survive between calls
(``partial_fit``, ``warm_start``): the optimiser's state, the current learning rate and the
stopping rule's counters (:class:`Progress`). Its conventions are scikit-learn's:

- the loss of a mini-batch of b rows is the mean loss plus the L2 term alpha / (2 b) ||W||^2
  (weights only, not biases), so the gradient is (sum of the row gradients + alpha W) / b: a
  weight decay of alpha / b, and a batch of a different size (the last one) decays differently;
- ``"sgd"`` is momentum SGD, v <- mu v - eta g, then theta <- theta + v, or with Nesterov's
  momentum theta <- theta + mu v - eta g (Sutskever et al. 2013), the velocity keeping the
  steps of their own learning rates; ``"adam"`` adds epsilon to sqrt(v) before the bias
  correction;
- the learning rate: ``"constant"``; ``"invscaling"``, eta_0 / (t + 1)^power_t after each
  epoch, t the number of rows seen so far; ``"adaptive"``, divided by 5 whenever the stopping
  rule fires, stopping once it is at most 1e-6 (both for ``"sgd"`` only: Adam keeps eta_0,
  and ``"adaptive"`` stops it like ``"constant"``). The energynets schedules ("linear",
  "exponential", a callable; :func:`~energynets.learning.optim.learning_rate_schedule`)
  multiply eta_0 by their factor at each epoch of the call, for every solver;
- the stopping rule: an epoch is "no improvement" when the training loss is above the best
  so far minus ``tol`` (with a validation score: when the score is below the best so far plus
  ``tol``); after more than ``n_iter_no_change`` such epochs in a row the training stops (or
  the adaptive learning rate drops);
- divergence is not an error here: non-finite losses run on (the caller checks the result).

References
----------
Kingma, D. P. & Ba, J. (2015). Adam: a method for stochastic optimization. ICLR 2015.
Sutskever, I., Martens, J., Dahl, G. & Hinton, G. E. (2013). On the importance of
initialization and momentum in deep learning. ICML 2013, 1139-1147.
Pedregosa, F. et al. (2011). Scikit-learn: machine learning in Python. JMLR 12, 2825-2830
(the conventions of ``sklearn.neural_network``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from energynets.learning import optim
from energynets.learning._mlp_kernel import Kernel, make_kernel
from energynets.models.mlp import MLP

__all__ = ["SCHEDULES", "SOLVERS", "Progress", "SGDSettings", "StochasticSolver"]

#: The solvers of :class:`StochasticSolver`: scikit-learn's two, then energynets' momentum
#: methods in PyTorch's convention (:class:`~energynets.learning.optim.Momentum`).
SOLVERS = ("sgd", "adam", "momentum", "nesterov")

#: The learning-rate schedules: scikit-learn's three, then energynets' factors.
SCHEDULES = ("constant", "invscaling", "adaptive", "linear", "exponential")

#: The adaptive schedule stops once the learning rate is at most this.
MIN_ADAPTIVE_LEARNING_RATE = 1e-6


@dataclass
class SGDSettings:
    """The checked settings of a :class:`StochasticSolver` (scikit-learn's names).

    Attributes
    ----------
    solver : {"sgd", "adam", "momentum", "nesterov"}
    learning_rate_init : float > 0
    schedule : str or callable
        One of :data:`SCHEDULES`, or a callable ``epoch -> factor``.
    power_t : float >= 0
    momentum : float in [0, 1]
    nesterovs_momentum : bool
    betas : (float, float)
    epsilon : float > 0
    alpha : float >= 0
    tol : float >= 0
    n_iter_no_change : int or inf
    batch_size : int >= 1
    shuffle : bool
    dropout, input_dropout : float in [0, 1)
    max_iter : int >= 1
        Epochs per call (also the length of the energynets schedules).
    loss_divisor : float
        The summed row losses are divided by this (the number of outputs for the squared
        error, which scikit-learn averages over the outputs too).
    verbose : bool
        Print the loss of each epoch, as scikit-learn does.

    Examples
    --------
    >>> SGDSettings("adam", 1e-3).batch_size
    200
    """

    solver: str
    learning_rate_init: float
    schedule: Any = "constant"
    power_t: float = 0.5
    momentum: float = 0.9
    nesterovs_momentum: bool = True
    betas: tuple[float, float] = (0.9, 0.999)
    epsilon: float = 1e-8
    alpha: float = 0.0001
    tol: float = 1e-4
    n_iter_no_change: float = 10
    batch_size: int = 200
    shuffle: bool = True
    dropout: float = 0.0
    input_dropout: float = 0.0
    max_iter: int = 200
    loss_divisor: float = 1.0
    verbose: bool = False


@dataclass
class Progress:
    """What a training keeps between calls: scikit-learn's fitted attributes of the run.

    Attributes
    ----------
    n_iter : int
        Epochs of the last call.
    t : int
        Training rows seen over all calls.
    loss_curve : list of float
        The training loss of each epoch, penalty included.
    best_loss : float or None
        The lowest training loss (None with a validation score).
    no_improvement_count : int
    validation_scores : list of float or None
    best_validation_score : float or None
    best_params : ndarray or None
        The flat parameters (weights then biases) of the best validation score.

    Examples
    --------
    >>> Progress.start(validation=True).best_validation_score
    -inf
    """

    n_iter: int = 0
    t: int = 0
    loss_curve: list[float] = field(default_factory=list)
    best_loss: float | None = math.inf
    no_improvement_count: int = 0
    validation_scores: list[float] | None = None
    best_validation_score: float | None = None
    best_params: np.ndarray | None = None

    @classmethod
    def start(cls, validation: bool) -> Progress:
        """A fresh record.

        Parameters
        ----------
        validation : bool
            Whether a validation score drives the stopping rule (then no best loss).

        Returns
        -------
        Progress
        """
        if validation:
            return cls(best_loss=None, validation_scores=[], best_validation_score=-math.inf)
        return cls()


class StochasticSolver:
    """The optimiser, its learning rate and its schedule, kept between calls.

    Parameters
    ----------
    settings : SGDSettings

    Attributes
    ----------
    learning_rate : float
        The learning rate of the coming epoch (scikit-learn's ``_optimizer.learning_rate``).
    optimizer : energynets.learning.optim.Optimizer or None
        Made on the first call, then rebound to each call's parameter buffer.
    stopped : bool
        Whether the last call ended by the stopping rule (not by running out of epochs).

    References
    ----------
    Sutskever, Martens, Dahl & Hinton (2013); Kingma & Ba (2015): cited in full in the module
    notes.

    Examples
    --------
    >>> net = MLP([2, 3, 2], rng=0)
    >>> X, y = np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([0, 1])
    >>> solver = StochasticSolver(SGDSettings("sgd", 0.1, max_iter=5, batch_size=2))
    >>> progress = solver.run(net, X, np.eye(2)[y], y, Progress.start(False), rng=0)
    >>> progress.n_iter, len(progress.loss_curve), progress.t
    (5, 5, 10)
    """

    def __init__(self, settings: SGDSettings) -> None:
        self.settings = s = settings
        self.learning_rate = float(s.learning_rate_init)
        self.optimizer: optim.Optimizer | None = None
        self.stopped = False

    def _make_optimizer(self, params: list[np.ndarray]) -> optim.Optimizer:
        s = self.settings
        decay = (True, False) if len(params) == 2 else None
        wd = s.alpha  # a placeholder > 0 that allocates the scratch; set per batch
        if s.solver == "adam":
            return optim.Adam(
                params, betas=s.betas, epsilon=s.epsilon, weight_decay=wd, decay=decay,
                bias_corrected_epsilon=False,
            )  # fmt: skip
        if s.solver == "sgd":
            cls = optim.Nesterov if s.nesterovs_momentum else optim.Momentum
            return cls(params, momentum=s.momentum, weight_decay=wd, decay=decay, rescale=False)
        cls = optim.Nesterov if s.solver == "nesterov" else optim.Momentum
        return cls(params, momentum=s.momentum, weight_decay=wd, decay=decay)

    def _uses_schedule(self) -> bool:
        """scikit-learn applies "invscaling" and "adaptive" to its "sgd" only."""
        return self.settings.solver != "adam"

    def end_of_epoch(self, t: int) -> None:
        """After an epoch: the "invscaling" learning rate.

        Parameters
        ----------
        t : int
            Training rows seen so far.
        """
        s = self.settings
        if s.schedule == "invscaling" and self._uses_schedule():
            self.learning_rate = float(s.learning_rate_init) / (t + 1) ** s.power_t

    def trigger_stopping(self) -> bool:
        """The stopping rule fired: stop, or (adaptive) divide the learning rate by 5.

        Returns
        -------
        bool
            True to stop.
        """
        s = self.settings
        if s.schedule != "adaptive" or not self._uses_schedule():
            return True
        if self.learning_rate <= MIN_ADAPTIVE_LEARNING_RATE:
            return True
        self.learning_rate /= 5.0
        return False

    def run(
        self,
        model: MLP,
        X: np.ndarray,
        targets: np.ndarray,
        labels: np.ndarray,
        progress: Progress,
        *,
        rng: np.random.Generator | int,
        incremental: bool = False,
        score: Callable[[MLP], float] | None = None,
        sample_weight: np.ndarray | None = None,
    ) -> Progress:
        """Train ``model`` in place for up to ``max_iter`` epochs (one when ``incremental``).

        Parameters
        ----------
        model : MLP
            Trained in place (its arrays are replaced by new ones at the end).
        X : ndarray, shape (n_samples, n_features)
        targets : ndarray, shape (n_samples, n_outputs)
            In the model's dtype (one-hot rows for a softmax output).
        labels : ndarray of int64, shape (n_samples,)
            Class indices for a softmax output (for the accuracy), else empty.
        progress : Progress
            Updated in place and returned.
        rng : Generator or int
            The batch order and the dropout masks.
        incremental : bool
            One epoch (``partial_fit``).
        score : callable, optional
            ``score(model) -> float`` after each epoch: a validation score (higher is better)
            that then drives the stopping rule and the best parameters.
        sample_weight : ndarray, shape (n_samples,), optional
            Weights of the rows in the loss.

        Returns
        -------
        Progress
            ``progress``, updated.
        """
        s = self.settings
        gen = np.random.default_rng(rng)
        n = X.shape[0]
        batch = min(s.batch_size, n)
        kernel = make_kernel(model, X, batch, s.dropout, s.input_dropout, gen, sample_weight)
        n_w = kernel.n_weights
        if s.alpha > 0:
            params, grads = (
                [kernel.params[:n_w], kernel.params[n_w:]],
                [kernel.grads[:n_w], kernel.grads[n_w:]],
            )
        else:
            params, grads = [kernel.params], [kernel.grads]
        if self.optimizer is None:
            self.optimizer = self._make_optimizer(params)
        else:
            self.optimizer.rebind(params)
        if score is not None and progress.best_params is None:
            progress.best_params = kernel.params.copy()
        progress.n_iter = 0
        self.stopped = False
        try:
            with np.errstate(all="ignore"):  # divergence runs on, as in scikit-learn
                for epoch in range(1 if incremental else s.max_iter):
                    loss = self._epoch(kernel, X, targets, labels, grads, gen, sample_weight, epoch)
                    if self._after_epoch(kernel, progress, loss, n, score, incremental):
                        break
        finally:
            if score is not None and progress.best_params is not None:
                np.copyto(kernel.params, progress.best_params)
            kernel.release()
        return progress

    def _epoch(
        self,
        kernel: Kernel,
        X: np.ndarray,
        targets: np.ndarray,
        labels: np.ndarray,
        grads: list[np.ndarray],
        gen: np.random.Generator,
        sample_weight: np.ndarray | None,
        epoch: int,
    ) -> float:
        """One pass over the rows; the mean training loss, penalty included."""
        s, opt = self.settings, self.optimizer
        assert opt is not None
        n, n_w = X.shape[0], kernel.n_weights
        batch = min(s.batch_size, n)
        lr = self.learning_rate
        if not isinstance(s.schedule, str) or s.schedule in ("linear", "exponential"):
            lr = s.learning_rate_init * optim.learning_rate_schedule(s.schedule, s.max_iter)(epoch)
        scale = float(opt.gradient_scale(lr))
        order = gen.permutation(n) if s.shuffle else np.arange(n)
        weights = kernel.params[:n_w]
        total, last_size = 0.0, -1.0
        for start in range(0, n, batch):
            index = order[start : start + batch]
            b = index.shape[0]
            size = float(b if sample_weight is None else np.sum(sample_weight[index]))
            if size == 0.0:  # a batch of zero weights: nothing to learn from
                continue
            if s.alpha > 0 and size != last_size:
                opt.weight_decay, last_size = s.alpha / size, size
            penalty = 0.5 * s.alpha * float(np.dot(weights, weights)) if s.alpha > 0 else 0.0
            loss, _ = kernel.step(X, targets, labels, index, scale)
            total += (loss / s.loss_divisor + penalty) * (b / size)
            opt.step_(grads, lr, scale=scale)
        return total / n

    def _after_epoch(
        self,
        kernel: Kernel,
        progress: Progress,
        loss: float,
        n: int,
        score: Callable[[MLP], float] | None,
        incremental: bool,
    ) -> bool:
        """scikit-learn's bookkeeping after an epoch; True to stop."""
        s, p = self.settings, progress
        p.n_iter += 1
        p.t += n
        p.loss_curve.append(loss)
        if s.verbose:
            print(f"Iteration {p.n_iter}, loss = {loss:.8f}")
        if score is not None:
            value = float(score(kernel.model))
            assert p.validation_scores is not None and p.best_validation_score is not None
            p.validation_scores.append(value)
            if s.verbose:
                print(f"Validation score: {value:f}")
            better = not value < p.best_validation_score + s.tol
            p.no_improvement_count = 0 if better else p.no_improvement_count + 1
            if value > p.best_validation_score:
                p.best_validation_score = value
                assert p.best_params is not None
                np.copyto(p.best_params, kernel.params)
        else:
            assert p.best_loss is not None
            better = not loss > p.best_loss - s.tol
            p.no_improvement_count = 0 if better else p.no_improvement_count + 1
            if loss < p.best_loss:
                p.best_loss = loss
        self.end_of_epoch(p.t)
        if p.no_improvement_count > s.n_iter_no_change:
            if self.trigger_stopping():
                self.stopped = True
                return True
            p.no_improvement_count = 0
        return incremental
