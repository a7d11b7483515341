"""Small optimiser pieces shared by the trainers: SGD with momentum and step-size schedules.

What is here, and what is deliberately not:

- :class:`Optimizer` and its subclasses :class:`SGD`, :class:`Momentum`, :class:`Nesterov` and
  :class:`Adam` (Kingma & Ba 2015) hold their parameter list and state, update the parameters
  *in place* (the trainers own the copies they update) with a fixed number of passes and no
  per-step allocation, and apply L2 weight decay to the parameters flagged for it.
  :class:`Momentum` is the one momentum method of the package, in both conventions in use:
  PyTorch's (v <- mu v + g, theta <- theta - eta v: a change of eta rescales the accumulated
  steps), which the backprop trainer uses, and that of Hinton's ``rbm.m`` and practical guide
  (v <- m v + eta_t g, theta <- theta + v: each step keeps the rate of its time, and m may
  follow a schedule), which the RBM trainers use.
- :func:`learning_rate_schedule` and :func:`momentum_schedule` turn the user-facing settings
  (a name, a number or a callable) into a function ``epoch -> value``, checked once.

No line searches, no second-order methods.

References
----------
Polyak, B. T. (1964). Some methods of speeding up the convergence of iteration methods.
USSR Computational Mathematics and Mathematical Physics 4, 1-17.
Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines.
UTML TR 2010-003, University of Toronto (sections 9 and 10: momentum and weight decay).
Sutskever, I., Martens, J., Dahl, G. & Hinton, G. (2013). On the importance of initialization
and momentum in deep learning. ICML 2013, 1139-1147.
Kingma, D. P. & Ba, J. (2015). Adam: a method for stochastic optimization. ICLR 2015.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from energynets._validation import check_choice, check_float, check_int

__all__ = [
    "LEARNING_RATE_SCHEDULES",
    "OPTIMIZERS",
    "SGD",
    "Adam",
    "Momentum",
    "Nesterov",
    "Optimizer",
    "learning_rate_schedule",
    "make_optimizer",
    "momentum_schedule",
]

#: Names accepted by :func:`learning_rate_schedule`.
LEARNING_RATE_SCHEDULES = ("constant", "linear", "exponential")

#: The learning-rate factor an ``"exponential"`` schedule reaches at the last epoch.
EXPONENTIAL_FINAL_FACTOR = 0.01

#: Hinton's momentum schedule: 0.5 for the first epochs, then 0.9 (Hinton 2010, section 9).
HINTON_MOMENTUM = (0.5, 0.9, 5)


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

    References
    ----------
    Tieleman, T. & Hinton, G. E. (2009). Using fast weights to improve persistent contrastive
    divergence. ICML 2009, 1033-1040.

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

    References
    ----------
    Polyak, B. T. (1964). Some methods of speeding up the convergence of iteration methods. USSR
    Computational Mathematics and Mathematical Physics 4, 1-17.

    Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines. UTML TR
    2010-003, University of Toronto.

    Examples
    --------
    >>> schedule, uses_velocity = momentum_schedule("hinton")
    >>> [schedule(t) for t in (0, 4, 5)], uses_velocity
    ([0.5, 0.5, 0.9], True)
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


# -- optimisers of the backprop trainer ---------------------------------------------------------
#: Names accepted by :func:`make_optimizer` (and ``fit_mlp(optimizer=...)``).
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam")


class Optimizer:
    """Base class: a first-order method updating a fixed list of parameter arrays in place.

    Every optimiser minimises a loss L given its gradient g = dL/dtheta, with optional L2
    weight decay: the gradient used is g + weight_decay * theta for the parameters flagged in
    ``decay`` (the weights; biases are usually left out), i.e. the loss
    L + weight_decay / 2 ||theta||^2.

    Gradients may come *pre-scaled*: :meth:`step_` takes ``grads`` = ``scale`` * g, and each
    optimiser names in :meth:`gradient_scale` the scale that saves it work (a trainer can fold
    it into the backward pass for free, since the gradients are linear in the output error).
    Any scale gives the same update; only the speed differs.

    Parameters
    ----------
    params : sequence of ndarray
        The arrays :meth:`step_` updates in place; they fix the shapes and dtypes of the state.
    weight_decay : float >= 0
    decay : sequence of bool, optional
        Which parameters get weight decay (default: all).

    Attributes
    ----------
    params : list of ndarray
    n_steps : int
        Updates done so far (t in the formulas).

    References
    ----------
    Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines. UTML TR
    2010-003, University of Toronto. Section 10: weight decay as an L2 cost on the weights.

    Examples
    --------
    Weight decay alone (a zero gradient) shrinks the parameters by eta * weight_decay:

    >>> theta = np.ones(2)
    >>> opt = make_optimizer("sgd", [theta], weight_decay=0.5)
    >>> opt.step_([np.zeros(2)], learning_rate=0.1)
    >>> theta
    array([0.95, 0.95])
    """

    #: Whether the update needs a scratch array per parameter (weight decay always does).
    _needs_scratch = False

    def __init__(
        self,
        params: Sequence[np.ndarray],
        *,
        weight_decay: float = 0.0,
        decay: Sequence[bool] | None = None,
    ) -> None:
        self.params = list(params)
        for i, p in enumerate(self.params):
            if not isinstance(p, np.ndarray) or p.dtype not in (np.float32, np.float64):
                raise TypeError(f"params[{i}] must be a float32 or float64 array")
        self.weight_decay = check_float(weight_decay, "weight_decay", minimum=0.0)
        flags = [True] * len(self.params) if decay is None else [bool(d) for d in decay]
        if len(flags) != len(self.params):
            raise ValueError(
                f"decay must have one flag per parameter ({len(self.params)}), got {len(flags)}"
            )
        self.decay = flags
        self.n_steps = 0
        # one scratch buffer per parameter, for the passes that need a temporary
        needs_work = self.weight_decay > 0.0 or self._needs_scratch
        self._work = [np.empty_like(p) for p in self.params] if needs_work else []

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(n_params={len(self.params)}, "
            f"weight_decay={self.weight_decay}, n_steps={self.n_steps})"
        )

    def gradient_scale(self, learning_rate: float) -> float:
        """The factor s for which ``step_(s * g, learning_rate, scale=s)`` is cheapest.

        Parameters
        ----------
        learning_rate : float > 0
            The learning rate of the coming step.

        Returns
        -------
        float
            1 for the base class; -learning_rate for SGD and momentum, 1 - beta1 for Adam.
        """
        return 1.0

    def rebind(self, params: Sequence[np.ndarray]) -> None:
        """Update ``params`` from now on: new arrays of the same shapes and dtypes as the old
        ones (the state, such as velocities or moments, is kept).

        Parameters
        ----------
        params : sequence of ndarray
            One array per parameter, in the order of the old ones.
        """
        new = list(params)
        old = self.params
        if len(new) != len(old) or any(
            not isinstance(a, np.ndarray) or a.shape != b.shape or a.dtype != b.dtype
            for a, b in zip(new, old, strict=False)
        ):
            raise ValueError(
                "params must match the optimiser's parameters: shapes "
                f"{[p.shape for p in old]}, got {[getattr(p, 'shape', None) for p in new]}"
            )
        self.params = new

    def _add_decay(self, grads: Sequence[np.ndarray], scale: float) -> None:
        """grads <- grads + scale * weight_decay * theta, on the decayed parameters."""
        if self.weight_decay == 0.0:
            return
        c = float(scale * self.weight_decay)
        for p, g, w, d in zip(self.params, grads, self._work, self.decay, strict=True):
            if d:
                np.multiply(p, c, out=w)
                g += w

    def step_(
        self, grads: Sequence[np.ndarray], learning_rate: float, *, scale: float = 1.0
    ) -> None:
        """One update of the parameters, in place (hence the underscore).

        Parameters
        ----------
        grads : sequence of ndarray
            ``scale`` times the gradients, one per parameter, same shapes. They are used as
            scratch space and hold garbage afterwards.
        learning_rate : float > 0
        scale : float != 0
            The factor the gradients carry (1: plain gradients).
        """
        if len(grads) != len(self.params):
            raise ValueError(f"grads must have {len(self.params)} arrays, got {len(grads)}")
        if scale == 0.0:
            raise ValueError("scale must be non-zero")
        self.n_steps += 1
        self._add_decay(grads, scale)
        self._update(grads, float(learning_rate), float(scale))

    def _update(self, grads: Sequence[np.ndarray], lr: float, scale: float) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Plain stochastic gradient descent, theta <- theta - eta g.

    Parameters
    ----------
    params, weight_decay, decay
        See :class:`Optimizer`.

    References
    ----------
    Rumelhart, Hinton & Williams (1986); LeCun et al. (1998): cited in full in
    :mod:`energynets.models.mlp`.

    Examples
    --------
    >>> theta = np.array([1.0, -2.0])
    >>> opt = SGD([theta])
    >>> opt.step_([np.array([0.5, 0.5])], learning_rate=0.1)
    >>> theta
    array([ 0.95, -2.05])
    """

    def gradient_scale(self, learning_rate: float) -> float:
        # with g' = -eta g the update is one pass, theta += g'
        return -float(learning_rate)

    def _update(self, grads: Sequence[np.ndarray], lr: float, scale: float) -> None:
        c = -lr / scale
        for p, g in zip(self.params, grads, strict=True):
            if c != 1.0:
                g *= c
            p += g


class Momentum(Optimizer):
    """Classical momentum (Polyak 1964), the one momentum method of the package.

    In PyTorch's convention (``rescale=True``, the backprop trainer's):

        v <- mu v + g,    theta <- theta - eta v.

    The state kept is u = -eta v (so a change of eta between steps rescales it), which makes
    the update u <- mu (eta_t / eta_{t-1}) u - eta_t g, theta <- theta + u.

    In the convention of Hinton's ``rbm.m`` and practical guide (``rescale=False``, the RBM
    trainers'), the velocity accumulates the steps with the rate of their time,

        u <- m_t u - eta_t g,    theta <- theta + u,

    and m_t may change from step to step (a schedule such as Hinton's 0.5 then 0.9, passed to
    :meth:`step_`). The RBM trainers compute the steps -eta_t g themselves (the learning rate
    folded into their statistics) and pass them with ``learning_rate=1, scale=-1``. With
    ``velocity=False`` no state is kept: the update is plain SGD, theta <- theta + u_t, and
    the momentum must be 0 at every step.

    Parameters
    ----------
    params, weight_decay, decay
        See :class:`Optimizer`.
    momentum : float in [0, 1)
        mu (the default of :meth:`step_`).
    rescale : bool
        PyTorch's convention (True) or Hinton's (False).
    velocity : bool
        False for plain SGD without state.

    Attributes
    ----------
    steps : list of ndarray or None
        u, one per parameter (None without velocity).

    References
    ----------
    Polyak, B. T. (1964). Some methods of speeding up the convergence of iteration methods. USSR
    Computational Mathematics and Mathematical Physics 4, 1-17.

    Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines. UTML TR
    2010-003, University of Toronto (section 9).

    Examples
    --------
    >>> theta = np.zeros(1)
    >>> opt = Momentum([theta], momentum=0.5)
    >>> for _ in range(2):
    ...     opt.step_([np.ones(1)], learning_rate=0.1)
    >>> theta  # -0.1, then -0.1 - (0.5 * 0.1 + 0.1)
    array([-0.25])

    Hinton's convention with precomputed steps (an ascent of 1 per step, m = 0.5):

    >>> theta = np.zeros(1)
    >>> opt = Momentum([theta], rescale=False)
    >>> for _ in range(2):
    ...     opt.step_([np.ones(1)], 1.0, scale=-1.0, momentum=0.5)
    >>> theta  # 1, then 1 + (0.5 * 1 + 1)
    array([2.5])
    """

    nesterov = False

    def __init__(
        self,
        params: Sequence[np.ndarray],
        *,
        momentum: float = 0.9,
        weight_decay: float = 0.0,
        decay: Sequence[bool] | None = None,
        rescale: bool = True,
        velocity: bool = True,
    ) -> None:
        super().__init__(params, weight_decay=weight_decay, decay=decay)
        self.momentum = _check_momentum(momentum, "momentum")
        self.rescale = bool(rescale)
        self.steps: list[np.ndarray] | None = (
            [np.zeros_like(p) for p in self.params] if velocity else None
        )
        self._last_lr: float | None = None
        self._step_momentum = self.momentum

    @property
    def velocities(self) -> list[np.ndarray]:
        """v of PyTorch's formulas (copies), one per parameter."""
        lr = self._last_lr or 1.0
        return [u / -lr for u in self.steps or []]

    def gradient_scale(self, learning_rate: float) -> float:
        return -float(learning_rate)

    def step_(
        self,
        grads: Sequence[np.ndarray],
        learning_rate: float,
        *,
        scale: float = 1.0,
        momentum: float | None = None,
    ) -> None:
        """:meth:`Optimizer.step_`, with this step's momentum.

        Parameters
        ----------
        grads, learning_rate, scale
            As for :meth:`Optimizer.step_` (with ``learning_rate=1`` and ``scale=-1`` the
            "gradients" are the steps themselves).
        momentum : float in [0, 1), optional
            This step's momentum (a schedule's value); the constructor's by default. Must be 0
            without velocity.
        """
        m = self.momentum if momentum is None else momentum
        if self.steps is None and m != 0.0:
            raise ValueError(f"momentum must be 0 for a Momentum made with velocity=False, got {m}")
        self._step_momentum = m
        super().step_(grads, learning_rate, scale=scale)

    def _update(self, grads: Sequence[np.ndarray], lr: float, scale: float) -> None:
        m = self._step_momentum
        if self.rescale:
            m = m * (lr / self._last_lr if self._last_lr else 1.0)
        self._last_lr = lr
        c = -lr / scale
        if self.steps is None:  # plain SGD
            for p, g in zip(self.params, grads, strict=True):
                if c != 1.0:
                    g *= c
                p += g
            return
        for p, g, u in zip(self.params, grads, self.steps, strict=True):
            if c != 1.0:
                g *= c  # g <- -eta g
            if m == 0.0:
                np.copyto(u, g)
            else:
                u *= m
                u += g
            if self.nesterov:
                # theta <- theta - eta (g + mu v) = theta + (-eta g) + mu u
                p += g
                np.multiply(u, self.momentum, out=g)
                p += g
            else:
                p += u


def _check_momentum(value: Any, name: str) -> float:
    mu = check_float(value, name, minimum=0.0)
    if mu >= 1.0:
        raise ValueError(f"{name} must be < 1, got {mu}")
    return mu


class Nesterov(Momentum):
    """Nesterov's accelerated gradient in the form of Sutskever et al. (2013) and PyTorch.

    The update is v <- mu v + g, then theta <- theta - eta (g + mu v).

    Parameters
    ----------
    params, weight_decay, decay
        See :class:`Optimizer`.
    momentum : float in [0, 1)
    rescale, velocity : bool
        See :class:`Momentum` (the trainers use the defaults).

    References
    ----------
    Sutskever, I., Martens, J., Dahl, G. & Hinton, G. E. (2013). On the importance of initialization
    and momentum in deep learning. ICML 2013, 1139-1147.

    Examples
    --------
    >>> theta = np.zeros(1)
    >>> opt = Nesterov([theta], momentum=0.5)
    >>> opt.step_([np.ones(1)], learning_rate=0.1)
    >>> theta  # -0.1 (g + 0.5 v), v = g = 1
    array([-0.15])
    """

    nesterov = True


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015, Algorithm 1), with L2 weight decay added to the gradient.

        m <- beta1 m + (1 - beta1) g,        v <- beta2 v + (1 - beta2) g^2,
        m_hat = m / (1 - beta1^t),           v_hat = v / (1 - beta2^t),
        theta <- theta - eta m_hat / (sqrt(v_hat) + epsilon).

    Computed in the paper's efficient form (end of its section 2): alpha_t = eta sqrt(1 -
    beta2^t) / (1 - beta1^t) and epsilon_hat = epsilon sqrt(1 - beta2^t), theta <- theta -
    alpha_t m / (sqrt(v) + epsilon_hat), which is the same update (and PyTorch's).

    For speed the state holds m and u = v (1 - beta1)^2 / (1 - beta2) and takes gradients
    pre-scaled by s = 1 - beta1 (:meth:`gradient_scale`): then g' = s g and

        m <- beta1 m + g',    u <- beta2 u + g'^2,
        theta <- theta - alpha_t (1 - beta1) / sqrt(1 - beta2) m / (sqrt(u) + epsilon_u),

    with epsilon_u = epsilon_hat (1 - beta1) / sqrt(1 - beta2): ten passes over the parameters
    per update and no temporary beyond one preallocated scratch array.

    Parameters
    ----------
    params, weight_decay, decay
        See :class:`Optimizer`.
    betas : (float, float)
        beta1, beta2 in [0, 1) (0.9, 0.999 as in the paper).
    epsilon : float > 0
    bias_corrected_epsilon : bool
        True (the paper's algorithm and PyTorch's): epsilon is added to sqrt(v_hat). False
        (scikit-learn's MLPs): epsilon is added to sqrt(v), the moment before the bias
        correction, i.e. epsilon_hat = epsilon in the efficient form.

    Attributes
    ----------
    first_moments : list of ndarray
        m, updated in place.
    second_moments : list of ndarray
        v (computed from u: copies).

    References
    ----------
    Kingma, D. P. & Ba, J. (2015). Adam: a method for stochastic optimization. ICLR 2015,
    arXiv:1412.6980.

    Examples
    --------
    The first step moves every parameter by about the learning rate, whatever the size of its
    gradient:

    >>> theta = np.zeros(2)
    >>> opt = Adam([theta])
    >>> opt.step_([np.array([3.0, -0.01])], learning_rate=0.1)
    >>> np.round(theta, 6)
    array([-0.1,  0.1])
    """

    _needs_scratch = True

    def __init__(
        self,
        params: Sequence[np.ndarray],
        *,
        betas: tuple[float, float] = (0.9, 0.999),
        epsilon: float = 1e-8,
        weight_decay: float = 0.0,
        decay: Sequence[bool] | None = None,
        bias_corrected_epsilon: bool = True,
    ) -> None:
        super().__init__(params, weight_decay=weight_decay, decay=decay)
        self.bias_corrected_epsilon = bool(bias_corrected_epsilon)
        if isinstance(betas, str) or len(tuple(betas)) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        b1, b2 = (check_float(b, f"betas[{i}]", minimum=0.0) for i, b in enumerate(betas))
        if b1 >= 1.0 or b2 >= 1.0:
            raise ValueError(f"betas must lie in [0, 1), got {(b1, b2)}")
        self.beta1, self.beta2 = b1, b2
        self.epsilon = check_float(epsilon, "epsilon", minimum=0.0, exclusive_minimum=True)
        self.first_moments = [np.zeros_like(p) for p in self.params]
        self._u = [np.zeros_like(p) for p in self.params]
        # v = u * (1 - beta2) / (1 - beta1)^2; with beta1 = 0 this factor is (1 - beta2)
        self._u_to_v = (1.0 - b2) / (1.0 - b1) ** 2

    @property
    def second_moments(self) -> list[np.ndarray]:
        """v of the formulas (copies), one per parameter."""
        return [u * self._u_to_v for u in self._u]

    def gradient_scale(self, learning_rate: float) -> float:
        return 1.0 - self.beta1

    def _update(self, grads: Sequence[np.ndarray], lr: float, scale: float) -> None:
        b1, b2, t = self.beta1, self.beta2, self.n_steps
        bc2 = float(np.sqrt(1.0 - b2**t))
        alpha = lr * bc2 / (1.0 - b1**t)
        # sqrt(v) = sqrt(u) sqrt(1 - beta2) / (1 - beta1) =: sqrt(u) / k
        k = (1.0 - b1) / np.sqrt(1.0 - b2)
        step = -float(alpha * k)
        eps_u = float(self.epsilon * (bc2 if self.bias_corrected_epsilon else 1.0) * k)
        c = (1.0 - b1) / scale
        for p, g, m, u, w in zip(
            self.params, grads, self.first_moments, self._u, self._work, strict=True
        ):
            if c != 1.0:
                g *= c  # g' = (1 - beta1) g
            m *= b1  # m <- beta1 m + g'
            m += g
            np.multiply(g, g, out=w)  # u <- beta2 u + g'^2
            u *= b2
            u += w
            np.sqrt(u, out=w)  # theta <- theta - alpha k m / (sqrt(u) + eps_u)
            w += eps_u
            np.divide(m, w, out=w)
            w *= step
            p += w


def make_optimizer(
    name: str,
    params: Sequence[np.ndarray],
    *,
    momentum: float = 0.9,
    betas: tuple[float, float] = (0.9, 0.999),
    epsilon: float = 1e-8,
    weight_decay: float = 0.0,
    decay: Sequence[bool] | None = None,
) -> Optimizer:
    """The optimiser called ``name`` (:data:`OPTIMIZERS`) for ``params``.

    ``momentum`` is used by "momentum" and "nesterov", ``betas`` and ``epsilon`` by "adam".

    Parameters
    ----------
    name : {"sgd", "momentum", "nesterov", "adam"}
    params : sequence of ndarray
        The arrays the optimiser updates in place.
    momentum : float in [0, 1)
    betas : (float, float)
    epsilon : float > 0
    weight_decay : float >= 0
    decay : sequence of bool, optional
        Which parameters get weight decay (default: all).

    Returns
    -------
    Optimizer
        A :class:`SGD`, :class:`Momentum`, :class:`Nesterov` or :class:`Adam`.

    Examples
    --------
    >>> make_optimizer("adam", [np.zeros(3)])
    Adam(n_params=1, weight_decay=0.0, n_steps=0)
    """
    kind = check_choice(name, "optimizer", OPTIMIZERS)
    if kind == "sgd":
        return SGD(params, weight_decay=weight_decay, decay=decay)
    if kind == "adam":
        return Adam(params, betas=betas, epsilon=epsilon, weight_decay=weight_decay, decay=decay)
    cls = Momentum if kind == "momentum" else Nesterov
    return cls(params, momentum=momentum, weight_decay=weight_decay, decay=decay)
