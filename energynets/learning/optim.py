"""Small optimiser pieces shared by the trainers: SGD with momentum and step-size schedules.

What is here, and what is deliberately not:

- :class:`MomentumSGD` holds the velocities of classical momentum (Polyak 1964), the update
  of Hinton's ``rbm.m`` and practical guide,

      v <- m v + step,    theta <- theta + v,

  where ``step`` is the learning rate times the (ascent or descent) direction, computed by the
  trainer. It updates the parameter arrays *in place* (the trainers own the copies they update)
  and allocates nothing per step.
- :func:`learning_rate_schedule` and :func:`momentum_schedule` turn the user-facing settings
  (a name, a number or a callable) into a function ``epoch -> value``, checked once.

No Adam, no line searches: the backprop trainer adds what it needs next to these.

References
----------
Polyak, B. T. (1964). Some methods of speeding up the convergence of iteration methods.
USSR Computational Mathematics and Mathematical Physics 4, 1-17.
Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines.
UTML TR 2010-003, University of Toronto (sections 9 and 10: momentum and weight decay).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from energynets._validation import check_choice, check_float, check_int

__all__ = [
    "LEARNING_RATE_SCHEDULES",
    "MomentumSGD",
    "learning_rate_schedule",
    "momentum_schedule",
]

#: Names accepted by :func:`learning_rate_schedule`.
LEARNING_RATE_SCHEDULES = ("constant", "linear", "exponential")

#: The learning-rate factor an ``"exponential"`` schedule reaches at the last epoch.
EXPONENTIAL_FINAL_FACTOR = 0.01

#: Hinton's momentum schedule: 0.5 for the first epochs, then 0.9 (Hinton 2010, section 9).
HINTON_MOMENTUM = (0.5, 0.9, 5)


class MomentumSGD:
    """Classical momentum on a fixed list of parameter arrays, updated in place.

    For each parameter theta with velocity v (zero at the start)

        v <- m v + step,    theta <- theta + v,

    ``step`` being the learning rate times the update direction (the trainer decides the sign).
    With ``momentum=0`` this is plain SGD, theta <- theta + step. Velocities are allocated only
    when ``use_velocity`` is true, so plain SGD costs no memory.

    Parameters
    ----------
    params : sequence of ndarray
        The arrays that :meth:`step_` will update in place (their shapes and dtypes fix those
        of the velocities).
    use_velocity : bool
        False when the momentum will always be 0 (then :meth:`step_` refuses m != 0).

    Attributes
    ----------
    velocities : list of ndarray or None
        One array per parameter, same shape and dtype; None without velocities.

    Examples
    --------
    >>> theta = np.zeros(2)
    >>> opt = MomentumSGD([theta])
    >>> opt.step_([theta], [np.array([1.0, -1.0])], momentum=0.5)
    >>> opt.step_([theta], [np.array([1.0, -1.0])], momentum=0.5)
    >>> theta  # 1 + (0.5 * 1 + 1)
    array([ 2.5, -2.5])
    """

    def __init__(self, params: Sequence[np.ndarray], use_velocity: bool = True) -> None:
        self.shapes = [(p.shape, p.dtype) for p in params]
        self.velocities: list[np.ndarray] | None = (
            [np.zeros_like(p) for p in params] if use_velocity else None
        )

    def __repr__(self) -> str:
        return f"MomentumSGD(n_params={len(self.shapes)}, velocity={self.velocities is not None})"

    def step_(
        self, params: Sequence[np.ndarray], steps: Sequence[np.ndarray], momentum: float
    ) -> None:
        """Apply one update in place: v <- m v + step; theta <- theta + v.

        ``params`` are modified in place (hence the trailing underscore); ``steps`` are only
        read. Shapes must match those given at construction.
        """
        if self.velocities is None:
            if momentum != 0.0:
                raise ValueError(
                    f"momentum must be 0 for a MomentumSGD made with use_velocity=False, "
                    f"got {momentum}"
                )
            for p, s in zip(params, steps, strict=True):
                p += s
            return
        for p, v, s in zip(params, self.velocities, steps, strict=True):
            if momentum == 0.0:
                np.copyto(v, s)
            else:
                v *= momentum
                v += s
            p += v


def learning_rate_schedule(schedule: Any, n_epochs: int) -> Callable[[int], float]:
    """The factor multiplying the base learning rate at each epoch.

    Parameters
    ----------
    schedule : {"constant", "linear", "exponential"} or callable
        - ``"constant"``: 1 at every epoch;
        - ``"linear"``: 1 - t / n_epochs at epoch t = 0, ..., n_epochs - 1 (from 1 down to
          1 / n_epochs; the decay to zero of Tieleman & Hinton 2009);
        - ``"exponential"``: 0.01^(t / (n_epochs - 1)), from 1 down to 0.01 at the last epoch;
        - a callable ``epoch -> factor``; each factor must be a finite number >= 0 (checked
          when it is used).
    n_epochs : int >= 1

    Returns
    -------
    callable
        ``epoch -> factor`` (float).

    Examples
    --------
    >>> f = learning_rate_schedule("linear", 4)
    >>> [f(t) for t in range(4)]
    [1.0, 0.75, 0.5, 0.25]
    """
    n = check_int(n_epochs, "n_epochs", minimum=1)
    if callable(schedule):
        user = schedule

        def checked(epoch: int) -> float:
            return check_float(
                user(epoch), f"learning_rate_schedule({epoch}) (the factor)", minimum=0.0
            )

        return checked
    name = check_choice(schedule, "learning_rate_schedule", LEARNING_RATE_SCHEDULES)
    if name == "constant":
        return lambda epoch: 1.0
    if name == "linear":
        return lambda epoch: 1.0 - epoch / n
    last = max(n - 1, 1)
    return lambda epoch: float(EXPONENTIAL_FINAL_FACTOR ** (epoch / last))


def momentum_schedule(momentum: Any) -> tuple[Callable[[int], float], bool]:
    """The momentum coefficient at each epoch, and whether it is ever non-zero.

    Parameters
    ----------
    momentum : float in [0, 1), "hinton", or callable
        A constant; ``"hinton"`` for 0.5 during the first 5 epochs and 0.9 after (Hinton 2010,
        section 9); or a callable ``epoch -> m`` (each value checked to lie in [0, 1)).

    Returns
    -------
    schedule : callable
        ``epoch -> m``.
    uses_velocity : bool
        False only for the constant 0 (plain SGD, no velocity buffers needed).
    """
    if isinstance(momentum, str):
        check_choice(momentum, "momentum", ("hinton",))
        start, final, switch = HINTON_MOMENTUM
        return (lambda epoch: start if epoch < switch else final), True
    if callable(momentum):
        user = momentum

        def checked(epoch: int) -> float:
            value = check_float(user(epoch), f"momentum({epoch})", minimum=0.0)
            if value >= 1.0:
                raise ValueError(f"momentum({epoch}) must be < 1, got {value}")
            return value

        return checked, True
    if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real):
        raise TypeError(
            f"momentum must be a number in [0, 1), 'hinton' or a callable, got "
            f"{type(momentum).__name__} {momentum!r}"
        )
    m = check_float(momentum, "momentum", minimum=0.0)
    if m >= 1.0:
        raise ValueError(f"momentum must be < 1, got {m}")
    return (lambda epoch: m), m != 0.0
