"""The divergence guard of the trainers: a run whose numbers stop being finite stops, clearly.

A learning rate that is too large makes training blow up: the parameters (or the loss) grow
without bound, overflow to infinity and then turn into NaN, and every later step only spreads
the NaNs. The trainers (:func:`~energynets.fit_rbm`, :func:`~energynets.fit_mlp`,
:func:`~energynets.fit_dbn`) check for it as they go: :func:`~energynets.fit_mlp` the loss of
every mini-batch (a number it computes anyway) and the parameters after every epoch;
:func:`~energynets.fit_rbm` the parameters after every epoch (a check per mini-batch would cost
a pass over the weights each time). Parameters fail the check when they hold a NaN or an
infinity, or an entry beyond the square root of the largest number of their dtype (about 1.8e19
in float32, 1.3e154 in float64), where products of two of them overflow. When a check fails
they raise :class:`TrainingDiverged`, which says what diverged and where, and carries the model
with the last good parameters: those of the end of the last epoch that finished finite. No
checkpoint is written with non-finite numbers, so the last checkpoint is good too. Floating-
point warnings from the overflowing arithmetic are not shown: the error says it once.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

__all__ = ["TrainingDiverged"]


class TrainingDiverged(FloatingPointError):
    """Training produced non-finite numbers (NaN or infinity); it stopped.

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
        What diverged, e.g. ``"loss"`` or ``"weights"``.
    history : dict of lists
        The history of the epochs completed before it.
    checkpoint : str or None
        The last checkpoint written, if any (it holds finite parameters).
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


def describe(
    trainer: str,
    what: str,
    where: str,
    learning_rate: float,
    kept: str,
    checkpoint: str | os.PathLike[str] | None,
    checkpoint_epoch: int | None,
) -> str:
    """The one message of :class:`TrainingDiverged`."""
    saved = ""
    if checkpoint is not None and checkpoint_epoch is not None:
        saved = (
            f"; the last checkpoint, '{os.fspath(checkpoint)}', holds the good state after "
            f"{checkpoint_epoch} epoch(s)"
        )
    return (
        f"{trainer} diverged: {what} {where}, with learning_rate={learning_rate:g}; a smaller "
        f"learning rate (or less momentum) should avoid it. The model attached to this error "
        f"(.model) has {kept}{saved}"
    )
