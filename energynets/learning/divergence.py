"""The divergence guard of the trainers: a run whose numbers stop being finite stops, clearly.

A learning rate that is too large makes training blow up: the parameters (or the loss) grow
without bound, overflow to infinity and then turn into NaN, and every later step only spreads
the NaNs. The trainers (:func:`~energynets.fit_rbm`, :func:`~energynets.fit_mlp`,
:func:`~energynets.fit_classification_rbm`, :func:`~energynets.fit_boltzmann`, and
:func:`~energynets.fit_dbn` through ``fit_rbm``) check for it as they go, with one
:class:`Guard` each: :func:`~energynets.fit_mlp` the loss of every mini-batch (a number it
computes anyway) and the parameters after every epoch; the others the parameters after every
epoch (a check per mini-batch would cost a pass over the weights each time). Parameters fail
the check when they hold a NaN or an infinity, or an entry beyond the square root of the
largest number of their dtype (about 1.8e19 in float32, 1.3e154 in float64), where products of
two of them overflow. When a check fails they raise :class:`TrainingDiverged`, which says what
diverged and where, and carries the model with the last good parameters: those of the end of
the last epoch that finished finite. No checkpoint is written with non-finite numbers, so the
last checkpoint is good too. Floating-point warnings from the overflowing arithmetic are not
shown: the error says it once.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["TrainingDiverged"]


class TrainingDiverged(FloatingPointError):
    """Training produced non-finite numbers (NaN or infinity); it stopped.

    Parameters
    ----------
    message : str
        What diverged, where, and what to change.
    model, epoch, step, quantity, history, checkpoint
        Keyword-only; kept as the attributes of the same names.

    Attributes
    ----------
    model : object
        A copy of the model being trained, with the last good parameters (those at the end
        of the last epoch whose parameters were all finite; the starting ones if the first
        epoch diverged).
    epoch : int
        The epoch (from 0) in which the divergence was detected.
    step : int or None
        The mini-batch update (from 0, counted over the whole run) at which it was detected,
        when known to the step.
    quantity : str
        What diverged, as the message names it: ``"the loss"``, ``"the parameters"``
        (:func:`~energynets.fit_mlp`), ``"the weights"``, ``"the visible biases"`` or ``"the
        hidden biases"`` (the RBM trainers), ``"the couplings"`` or ``"the biases"``
        (:func:`~energynets.fit_boltzmann`).
    history : dict of lists
        The history of the epochs completed before it (for :func:`~energynets.fit_dbn`, the
        history of the finished layers and ``"diverged_layer"``).
    checkpoint : str or None
        The last checkpoint written, if any (it holds finite parameters).

    Examples
    --------
    A learning rate far too large makes the weights of a small regression network explode:

    >>> import numpy as np, energynets as en
    >>> X, y = np.arange(8.0).reshape(4, 2), np.arange(4.0)[:, None]
    >>> net = en.MLP([2, 3, 1], output="identity", rng=0)
    >>> try:
    ...     en.fit_mlp(net, X, y, optimizer="sgd", learning_rate=1e3, n_epochs=100, batch_size=4)
    ... except en.TrainingDiverged as error:
    ...     print(error.quantity, bool(np.isfinite(error.model.weights[0]).all()))
    the parameters True
    """

    def __init__(
        self,
        message: str,
        *,
        model: Any,
        epoch: int,
        step: int | None,
        quantity: str,
        history: dict[str, list[Any]],
        checkpoint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.model = model
        self.epoch = epoch
        self.step = step
        self.quantity = quantity
        self.history = history
        self.checkpoint = checkpoint


def bad_parameters(named: dict[str, np.ndarray]) -> tuple[str, str] | None:
    """(name, what is wrong) of the first array holding a NaN, an infinity, or an entry beyond
    the square root of its dtype's largest number (where a product of two of them overflows: no
    trained network gets there, a diverging one passes it on its way to infinity); None when
    all are fine. Two passes over each array (its min and max), no temporary."""
    for name, array in named.items():
        if array.size == 0:
            continue
        limit = float(np.sqrt(np.finfo(array.dtype).max))
        hi, lo = float(array.max()), float(array.min())
        if not (math.isfinite(hi) and math.isfinite(lo)):
            return name, f"{name} became non-finite (NaN or infinity)"
        if hi > limit or lo < -limit:
            size = max(hi, -lo)
            return name, (
                f"{name} grew to {size:.3g}, beyond {limit:.3g} (the square root of the largest "
                f"{array.dtype}, past which products overflow)"
            )
    return None


class Guard:
    """The divergence guard of one training run.

    Parameters
    ----------
    trainer : str
        Its name in messages ("fit_rbm", ...).
    named : dict of str to ndarray
        The parameter arrays to watch (the live arrays, updated in place by the trainer),
        under the names messages use ("the weights", ...).
    learning_rate : float
        The base learning rate, for the message.
    steps_per_epoch : int
        Mini-batch updates per epoch, to number them over the run.
    checkpoint : path-like, optional
        The run's checkpoint file; ``saved_epoch`` the epochs it holds so far (None: none yet).
    release : callable, optional
        Called after the parameters are put back, before raising (e.g. to give a model its
        own arrays again). What it returns, unless None, is the model the error carries (for
        a trainer whose model is built from its arrays on demand) instead of the ``model``
        given to :meth:`end_of_epoch`.
    """

    def __init__(
        self,
        trainer: str,
        named: dict[str, np.ndarray],
        learning_rate: float,
        steps_per_epoch: int,
        checkpoint: str | os.PathLike[str] | None = None,
        saved_epoch: int | None = None,
        release: Callable[[], Any] | None = None,
    ) -> None:
        self.trainer = trainer
        self.named = named
        self.good = {name: array.copy() for name, array in named.items()}
        self.learning_rate = learning_rate
        self.steps_per_epoch = steps_per_epoch
        self.checkpoint = checkpoint
        self.saved_epoch = saved_epoch
        self.release = release

    def end_of_epoch(
        self, epoch: int, model: Any, history: dict[str, list[Any]], bad_loss_at: int | None = None
    ) -> None:
        """Check the parameters after epoch ``epoch`` (and, when ``bad_loss_at`` is given, report
        that the loss of that mini-batch of the epoch was not finite): raise
        :class:`TrainingDiverged` with the last good parameters put back into ``model``, or
        remember these as the last good ones."""
        if bad_loss_at is not None:
            bad: tuple[str, str] | None = (
                "the loss",
                "the loss became non-finite (NaN or infinity)",
            )
        else:
            bad = bad_parameters(self.named)
        if bad is None:
            for name, array in self.named.items():
                np.copyto(self.good[name], array)
            return
        for name, array in self.named.items():
            np.copyto(array, self.good[name])
        released = None if self.release is None else self.release()
        model = model if released is None else released
        first = epoch * self.steps_per_epoch
        if bad_loss_at is None:
            step = None
            where = (
                f"during epoch {epoch} (updates {first} to {first + self.steps_per_epoch - 1} of "
                "the run)"
            )
        else:
            step = first + bad_loss_at
            where = f"at mini-batch {bad_loss_at} of epoch {epoch} (update {step} of the run)"
        kept = f"the parameters after {epoch} epoch(s)" if epoch else "the initial parameters"
        saved = ""
        if self.checkpoint is not None and self.saved_epoch is not None:
            saved = (
                f"; the last checkpoint, '{os.fspath(self.checkpoint)}', holds the good state "
                f"after {self.saved_epoch} epoch(s)"
            )
        message = (
            f"{self.trainer} diverged: {bad[1]} {where}, with "
            f"learning_rate={self.learning_rate:g}; a smaller learning rate (or less momentum) "
            f"should avoid it. The model attached to this error (.model) has {kept}{saved}"
        )
        raise TrainingDiverged(
            message,
            model=model,
            epoch=epoch,
            step=step,
            quantity=bad[0],
            history=history,
            checkpoint=None if self.checkpoint is None else os.fspath(self.checkpoint),
        )
