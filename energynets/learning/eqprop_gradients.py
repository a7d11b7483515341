"""Gradients of the layered energy network: equilibrium propagation and its references
(the trainer that uses them is :func:`energynets.learning.eqprop.fit_eqprop`).

For an :class:`~energynets.models.eqnet.EnergyNetwork` with relaxed states s(theta) (the free
fixed point, the input clamped) the loss is L(theta) = C(s(theta), y). With the Hebbian
statistics H(s) = -dE/dtheta (for W_l the batch mean of s_{l-1}^T s_l, for b_l that of s_l):

- **Equilibrium propagation** (Scellier & Bengio 2017) estimates the gradient from a second,
  nudged relaxation s^beta of F = E + beta C started at the free fixed point:

      dL/dtheta = -d/dbeta H(s^beta) at beta = 0
                ~ -(H(s^beta) - H(s^0)) / beta                (one-sided, bias O(beta)),
                ~ -(H(s^beta) - H(s^-beta)) / (2 beta)        (symmetric, bias O(beta^2)),

  and with ``nudging="random"`` the sign of beta is drawn for every mini-batch, which removes
  the first-order bias on average (Laborieux et al. 2021).
- **Contrastive Hebbian learning** (Movellan 1991) replaces the nudged phase by one with the
  output clamped to the target: -(H(s^clamped) - H(s^0)). It follows no objective in general.
- **Backprop through time** differentiates C(s_T) through the T steps of the relaxation
  itself, in reverse mode, step by step (no autograd: the Jacobian of one step
  s <- rho((1 - dt) s + dt a(s)) is written out below).
- **Recurrent backprop** (Almeida 1987; Pineda 1987) is BPTT through a relaxation that has
  converged: at the fixed point s* it iterates e <- J^T e + dC/ds (J the Jacobian of one step
  at s*), which solves (I - J^T) e = dC/ds, the implicit differentiation of s* = f(s*). It is
  the exact gradient of the loss at the fixed point, the reference the others are checked
  against.

Ernoult et al. (2019) show that in the discrete-time setting s_{t+1} = dPhi/ds(s_t) the
increments of EP in the nudged phase, (H(s^beta_{t+1}) - H(s^beta_t)) / beta, equal, as
beta -> 0, the gradients BPTT computes step by step backwards from the free fixed point
(:func:`ep_increments`, :func:`bptt_gradient` with ``per_step=True``). The relaxation here,
projected on the box [0, 1] of the states with the nudging force inside the projection, keeps
that property for saturated units, for every dt: a unit held at 0 or 1 neither moves in the
nudged phase nor passes error in BPTT. It needs a free phase that has settled: BPTT's steps are
taken at the free fixed point, and a state still moving (a residual of 1e-2, say) breaks the
step-by-step agreement well before it spoils the sums over the nudged phase, which tend to the
gradient at the fixed point (:func:`rbp_gradient`). With dt < 1 the relaxation settles more
slowly near the edges of the box, so give it more free steps.

All gradients are means over the rows, descent directions (theta <- theta - eta g).

References
----------
Almeida, L. B. (1987). A learning rule for asynchronous perceptrons with feedback in a
combinatorial environment. IEEE First International Conference on Neural Networks, 609-618.
Pineda, F. J. (1987). Generalization of back-propagation to recurrent neural networks.
Physical Review Letters 59, 2229-2232.
Movellan, J. R. (1991). Contrastive Hebbian learning in the continuous Hopfield model.
Connectionist Models, Proceedings of the 1990 Summer School, 10-17.
Scellier & Bengio (2017); Ernoult et al. (2019); Laborieux et al. (2021): full citations in
:mod:`energynets.models.eqnet`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from energynets._validation import RNGLike, check_choice, check_float, check_int, check_rng
from energynets.models.eqnet import EnergyNetwork, Relaxation, States, check_dt

__all__ = [
    "NUDGINGS",
    "EqPropGradient",
    "bptt_gradient",
    "chl_gradient",
    "ep_gradient",
    "ep_increments",
    "rbp_gradient",
]

#: How the nudged phase of equilibrium propagation is run.
NUDGINGS = ("one-sided", "symmetric", "random")


class EqPropGradient(NamedTuple):
    """A gradient of the loss of an :class:`~energynets.models.eqnet.EnergyNetwork`.

    Attributes
    ----------
    loss : float
        The mean cost of the rows at the free fixed point (BPTT: after its steps).
    output : ndarray, shape (n_samples, n_out)
        The network's output there (class probabilities for softmax outputs).
    weights : list of ndarray
        dL/dW_l, the shapes of the network's weights.
    biases : list of ndarray
        dL/db_l.
    residual : float
        The largest change of a state in the last free step (0 once relaxed; a large value
        says that the free phase did not settle).

    Examples
    --------
    >>> from energynets.models.eqnet import EnergyNetwork
    >>> g = rbp_gradient(EnergyNetwork([2, 3, 2], "softmax", rng=0), [[1.0, 0.0]], [1])
    >>> g.output.shape, len(g.weights), round(g.loss, 3) > 0
    ((1, 2), 2, True)
    """

    loss: float
    output: np.ndarray
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    residual: float


class Workspace:
    """Arrays of the relaxed layers' weight shapes that a training loop reuses from batch to
    batch, so that a gradient allocates none of its large arrays.

    A gradient function given a workspace returns the relaxed layers' weight gradients in
    :attr:`gradient` (overwritten by the next call that uses the workspace) and uses
    :attr:`statistics` as scratch. :func:`~energynets.learning.eqprop.fit_eqprop` keeps one.

    Parameters
    ----------
    model : EnergyNetwork
        The network whose gradients the workspace will hold (its shapes and dtype).

    Attributes
    ----------
    gradient : list of ndarray
        dL/dW_l of the relaxed layers, as the last gradient computed left them.
    statistics : list of ndarray
        Scratch: Hebbian statistics, or the terms of backprop's sums.

    Examples
    --------
    >>> from energynets.models.eqnet import EnergyNetwork
    >>> net = EnergyNetwork([4, 6, 2], rng=0)
    >>> workspace = Workspace(net)
    >>> g = ep_gradient(net, [[0, 1, 1, 0]], [[1.0, 0.0]], beta=0.01, workspace=workspace)
    >>> g.weights[0] is workspace.gradient[0]
    True
    """

    def __init__(self, model: EnergyNetwork) -> None:
        relaxed = model.weights[: model.n_relaxed]
        self.gradient = [np.empty_like(w) for w in relaxed]
        self.statistics = [np.empty_like(w) for w in relaxed]


# -- the pieces --------------------------------------------------------------------------------
def hebbian(
    model: EnergyNetwork, x: np.ndarray, states: States, out: list | None = None
) -> tuple[list, list]:
    """H(s) = -dE/dtheta of the relaxed layers' parameters, means over the rows (the weights'
    part written into ``out`` when given)."""
    n = x.shape[0]
    below = x
    hw, hb = [], []
    for i, s in enumerate(states):
        h = np.matmul(below.T, s, out=None if out is None else out[i])
        h /= n
        hw.append(h)
        hb.append(s.mean(axis=0))
        below = s
    return hw, hb


def _contrast(
    model: EnergyNetwork,
    x: np.ndarray,
    high: States,
    low: States,
    scale: float,
    workspace: Workspace | None,
) -> tuple[list, list]:
    """-(H(high) - H(low)) / scale, the relaxed layers' descent of EP and CHL.

    The input is clamped in both phases, so the first layer's contrast is one product,
    x^T (s_high - s_low), rather than the difference of two; the others are the difference
    of the two layers' products. The weights' part is written into the workspace's gradient
    arrays (its statistics as scratch) when one is given."""
    scratch, out = _buffers(workspace)
    factor = -1.0 / (scale * x.shape[0])
    weights, biases = [], []
    for i, (a, b) in enumerate(zip(high, low, strict=True)):
        if i == 0:
            d = np.subtract(a, b)
            g = np.matmul(x.T, d, out=None if out is None else out[0])
            bias = d.sum(axis=0)
        else:
            g = np.matmul(high[i - 1].T, a, out=None if out is None else out[i])
            g -= np.matmul(low[i - 1].T, b, out=None if scratch is None else scratch[i])
            bias = a.sum(axis=0) - b.sum(axis=0)
        g *= factor
        bias *= factor
        weights.append(g)
        biases.append(bias)
    return weights, biases


def _readout(
    model: EnergyNetwork, states: States, targets: np.ndarray, output: np.ndarray
) -> tuple[list, list]:
    """dC/dW and dC/db of the softmax read-out (empty for squared outputs); ``output`` is
    the network's output at ``states``."""
    if model.output != "softmax":
        return [], []
    top = states[-1]
    error = np.subtract(output, targets)
    error /= top.shape[0]
    return [top.T @ error], [error.sum(axis=0)]


def _residual(relaxation: Relaxation, states: States) -> float:
    """The largest change of a state in one more free step."""
    after = relaxation.step(states, [np.empty_like(s) for s in states])
    changes = (np.abs(np.subtract(a, s, out=a), out=a) for a, s in zip(after, states, strict=True))
    return float(max(np.max(c) for c in changes))


def _buffers(workspace: Workspace | None) -> tuple[list | None, list | None]:
    """The workspace's scratch and gradient arrays (None, None without one: new arrays)."""
    if workspace is None:
        return None, None
    return workspace.statistics, workspace.gradient


def _setup(
    model: Any, X: Any, y: Any, n_free: Any, dt: Any, steps_name: str = "n_free"
) -> tuple[EnergyNetwork, np.ndarray, np.ndarray, int, float]:
    if not isinstance(model, EnergyNetwork):
        raise TypeError(f"model must be an EnergyNetwork, got {type(model).__name__}")
    x = model.check_input(X)
    targets = model.check_targets(y, x.shape[0])
    steps = check_int(n_free, steps_name, minimum=1)
    return model, x, targets, steps, check_dt(dt)


def _result(
    model: EnergyNetwork,
    descent: tuple[list, list],
    states: States,
    targets: np.ndarray,
    residual: float,
) -> EqPropGradient:
    """The gradient: the relaxed layers' ``descent`` (weights, biases) and the read-out's
    own, at ``states``."""
    output = model.output_of(states)
    rw, rb = _readout(model, states, targets, output)
    loss = float(np.mean(model.cost(states, targets, output)))
    return EqPropGradient(loss, output, descent[0] + rw, descent[1] + rb, residual)


# -- equilibrium propagation and contrastive Hebbian learning ----------------------------------
def ep_gradient(
    model: EnergyNetwork,
    X: Any,
    y: Any,
    *,
    beta: float = 0.1,
    nudging: str = "symmetric",
    n_free: int = 30,
    n_nudged: int = 10,
    dt: float = 1.0,
    rng: RNGLike = 0,
    workspace: Workspace | None = None,
) -> EqPropGradient:
    """The equilibrium-propagation estimate of the gradient on a batch.

    Free phase: ``n_free`` steps from zero states; nudged phase(s): ``n_nudged`` steps of
    F = E + beta C from the free states; estimate from the Hebbian statistics (see the module
    docstring).

    Parameters
    ----------
    model : EnergyNetwork
        Not modified.
    X : array_like, shape (n_samples, n_input)
    y : array_like
        Targets (see :meth:`EnergyNetwork.check_targets`).
    beta : float > 0
        The nudging strength.
    nudging : {"one-sided", "symmetric", "random"}
        +beta only; +beta and -beta; or +beta or -beta with equal probability (``rng``).
    n_free, n_nudged : int >= 1
        Steps of the free and of each nudged phase.
    dt : float in (0, 1]
        The step of the relaxation (1: the prototypical setting).
    rng : int, Generator or None
        The sign of beta for ``nudging="random"``.
    workspace : Workspace, optional
        Arrays reused from an earlier call (see :class:`Workspace`): the returned weight
        gradients of the relaxed layers are its arrays. By default new arrays.

    Returns
    -------
    EqPropGradient

    References
    ----------
    Scellier & Bengio (2017); Laborieux et al. (2021): full citations in
    :mod:`energynets.models.eqnet`.

    Examples
    --------
    >>> from energynets.models.eqnet import EnergyNetwork
    >>> net = EnergyNetwork([4, 6, 2], rng=0)
    >>> g = ep_gradient(net, [[0, 1, 1, 0]], [[1.0, 0.0]], beta=0.01)
    >>> [w.shape for w in g.weights]
    [(4, 6), (6, 2)]
    """
    model, x, targets, free_steps, step = _setup(model, X, y, n_free, dt)
    b = check_float(beta, "beta", minimum=0.0, exclusive_minimum=True)
    how = check_choice(nudging, "nudging", NUDGINGS)
    nudged_steps = check_int(n_nudged, "n_nudged", minimum=1)
    gen = check_rng(rng) if how == "random" else None
    return _ep(Relaxation(model, x, step), targets, b, how, free_steps, nudged_steps, gen,
               workspace)  # fmt: skip


def _ep(
    relaxation: Relaxation,
    targets: np.ndarray,
    beta: float,
    nudging: str,
    n_free: int,
    n_nudged: int,
    gen: np.random.Generator | None,
    workspace: Workspace | None,
) -> EqPropGradient:
    model, x = relaxation.model, relaxation.x
    free = relaxation.run(model.zero_states(x.shape[0]), n_free)
    if nudging == "random":
        assert gen is not None
        beta *= 1.0 if gen.random() < 0.5 else -1.0
    upper = relaxation.run(free, n_nudged, beta, targets)
    scale, low = beta, free
    if nudging == "symmetric":
        scale, low = 2.0 * beta, relaxation.run(free, n_nudged, -beta, targets)
    descent = _contrast(model, x, upper, low, scale, workspace)
    return _result(model, descent, free, targets, _residual(relaxation, free))


def chl_gradient(
    model: EnergyNetwork,
    X: Any,
    y: Any,
    *,
    n_free: int = 30,
    n_clamped: int = 30,
    dt: float = 1.0,
    workspace: Workspace | None = None,
) -> EqPropGradient:
    """Contrastive Hebbian learning (Movellan 1991): -(H(clamped) - H(free)).

    The clamped phase relaxes the hidden layers from the free states with the output layer
    held at the target (squared outputs only: the target is a state of the output layer).

    Parameters
    ----------
    model : EnergyNetwork
        With ``output="squared"``. Not modified.
    X, y, dt, workspace
        As for :func:`ep_gradient`.
    n_free, n_clamped : int >= 1
        Steps of the free and of the clamped phase.

    Returns
    -------
    EqPropGradient
        Not the gradient of any loss in general: the clamped phase is not a small
        perturbation of the free one.

    References
    ----------
    Movellan (1991): full citation in the module docstring.

    Examples
    --------
    >>> from energynets.models.eqnet import EnergyNetwork
    >>> g = chl_gradient(EnergyNetwork([2, 3, 1], rng=0), [[1.0, 0.0]], [[1.0]])
    >>> g.weights[1].shape
    (3, 1)
    """
    model, x, targets, free_steps, step = _setup(model, X, y, n_free, dt)
    if model.output != "squared":
        raise ValueError("chl_gradient needs output='squared' (the output is clamped to y)")
    clamped_steps = check_int(n_clamped, "n_clamped", minimum=1)
    return _chl(Relaxation(model, x, step), targets, free_steps, clamped_steps, workspace)


def _chl(
    relaxation: Relaxation,
    targets: np.ndarray,
    n_free: int,
    n_clamped: int,
    workspace: Workspace | None,
) -> EqPropGradient:
    model, x = relaxation.model, relaxation.x
    free = relaxation.run(model.zero_states(x.shape[0]), n_free)
    clamped = [*free[:-1], targets]
    for _ in range(n_clamped):
        clamped = relaxation.run(clamped, 1)
        np.copyto(clamped[-1], targets)  # the output held at the target
    descent = _contrast(model, x, clamped, free, 1.0, workspace)
    return _result(model, descent, free, targets, _residual(relaxation, free))


def ep_increments(
    model: EnergyNetwork,
    X: Any,
    y: Any,
    *,
    beta: float = 1e-3,
    n_free: int = 100,
    n_nudged: int = 10,
    dt: float = 1.0,
    symmetric: bool = True,
) -> tuple[list[States], list[list[np.ndarray]]]:
    """The step-by-step updates of EP in the nudged phase (Ernoult et al. 2019).

    Neural increments Delta s(t) = (s^beta_{t+1} - s^beta_t) / (beta dt) and weight increments
    Delta W(t) = (H(s^beta_{t+1}) - H(s^beta_t)) / beta, t = 0, ..., n_nudged - 1 (with
    ``symmetric``, the difference of the +beta and -beta runs over 2 beta). By the GDU
    property they approach -dL/ds_{T-t} and -dL/dW_{T-t} of BPTT
    (:func:`bptt_gradient` with ``per_step=True``) as beta -> 0.

    Parameters
    ----------
    model, X, y, beta, n_free, n_nudged, dt
        As for :func:`ep_gradient`.
    symmetric : bool
        Runs with +beta and -beta, their difference over 2 beta (``nudging="symmetric"``);
        otherwise +beta only.

    Returns
    -------
    state_increments : list of list of ndarray
        [t][layer], each the mean over the rows (shape (n_l,)).
    weight_increments : list of list of ndarray
        [t][layer], the relaxed layers' weights.

    References
    ----------
    Ernoult et al. (2019): full citation in :mod:`energynets.models.eqnet`.

    Examples
    --------
    >>> from energynets.models.eqnet import EnergyNetwork
    >>> ds, dw = ep_increments(EnergyNetwork([2, 3, 1], rng=0), [[1.0, 0.0]], [[1.0]], n_nudged=4)
    >>> len(ds), len(dw), dw[0][0].shape
    (4, 4, (2, 3))
    """
    model, x, targets, free_steps, step = _setup(model, X, y, n_free, dt)
    b = check_float(beta, "beta", minimum=0.0, exclusive_minimum=True)
    nudged_steps = check_int(n_nudged, "n_nudged", minimum=1)
    relaxation = Relaxation(model, x, step)
    free = relaxation.run(model.zero_states(x.shape[0]), free_steps)
    signs = (1.0, -1.0) if symmetric else (1.0,)
    runs = []
    for sign in signs:
        s, path = free, [free]
        for _ in range(nudged_steps):
            s = relaxation.run(s, 1, sign * b, targets)
            path.append(s)
        runs.append(path)
    scale = b * len(signs)
    ds, dw = [], []
    # the states move dt times the force per step: divide by dt to compare with gradients
    for t in range(nudged_steps):
        lo_run = runs[1] if symmetric else runs[0]
        states_t = [
            ((a1 - a0) - ((c1 - c0) if symmetric else 0.0)).mean(axis=0) / (scale * step)
            for a0, a1, c0, c1 in zip(runs[0][t], runs[0][t + 1], lo_run[t], lo_run[t + 1],
                                      strict=True)
        ]  # fmt: skip
        h = [hebbian(model, x, run[t + 1])[0] for run in runs]
        h0 = [hebbian(model, x, run[t])[0] for run in runs]
        change = [a1 - a0 for a1, a0 in zip(h[0], h0[0], strict=True)]
        if symmetric:
            change = [c - (b1 - b0) for c, b1, b0 in zip(change, h[1], h0[1], strict=True)]
        ds.append(states_t)
        dw.append([c / scale for c in change])
    return ds, dw


# -- backprop through time and recurrent backprop ----------------------------------------------
def _pre_activation(relaxation: Relaxation, states: States) -> States:
    """u = (1 - dt) s + dt a(s), before the projection on [0, 1] (new arrays)."""
    return relaxation.pre_activation(states, [np.empty_like(s) for s in states])


def _output_error(model: EnergyNetwork, states: States, targets: np.ndarray) -> States:
    """dC/ds of every relaxed layer (only the last is not zero), means over the rows."""
    error = [np.zeros_like(s) for s in states]
    error[-1] = -model.nudge(states, targets) / states[0].shape[0]
    return error


def _add_product(total: np.ndarray, a: np.ndarray, b: np.ndarray, dt: float,
                 scratch: np.ndarray) -> None:  # fmt: skip
    """total += dt (a @ b), the product written into ``scratch`` (of the shape of total)."""
    term = np.matmul(a, b, out=scratch)
    if dt != 1.0:  # 1.0 * term is term to the last bit
        term *= dt
    total += term


def _backward_step(
    model: EnergyNetwork,
    x: np.ndarray,
    states: States,
    inside: list[np.ndarray],
    error: States,
    dt: float,
    grads: tuple[list, list],
    scratch: list[np.ndarray],
) -> States:
    """One step of BPTT through s' = rho(u(s)): accumulate dt (dL/du) into the gradients of
    the parameters and return dL/ds = J^T dL/ds'.

    ``inside`` marks 0 < u < 1 (where the projection passes changes); u_l depends on W_l
    through s_{l-1} W_l and on W_{l+1} through s_{l+1} W_{l+1}^T (the same symmetric
    coupling), and on s_l itself through (1 - dt) s_l. ``scratch`` holds arrays of the
    relaxed layers' weight shapes.
    """
    gw, gb = grads
    du = [e * m for e, m in zip(error, inside, strict=True)]
    n = len(states)
    previous = []
    for i in range(n):
        below = x if i == 0 else states[i - 1]
        _add_product(gw[i], below.T, du[i], dt, scratch[i])
        if i > 0:
            _add_product(gw[i], du[i - 1].T, states[i], dt, scratch[i])
        gb[i] += dt * du[i].sum(axis=0)
        e = (1.0 - dt) * du[i] if dt != 1.0 else np.zeros_like(du[i])
        if i + 1 < n:
            e += dt * (du[i + 1] @ model.weights[i + 1].T)
        if i > 0:
            e += dt * (du[i - 1] @ model.weights[i])
        previous.append(e)
    return previous


def _backward_start(
    model: EnergyNetwork, states: States, targets: np.ndarray, workspace: Workspace | None
) -> tuple[Workspace, tuple[list, list], States]:
    """Where BPTT and recurrent backprop start from the final ``states``: the workspace (a new
    one for None), zero sums for the relaxed layers' gradients (the weights' in the
    workspace) and the error dC/ds."""
    workspace = Workspace(model) if workspace is None else workspace
    for g in workspace.gradient:
        g.fill(0.0)
    grads = list(workspace.gradient), [np.zeros_like(b) for b in model.biases[: model.n_relaxed]]
    return workspace, grads, _output_error(model, states, targets)


def bptt_gradient(
    model: EnergyNetwork,
    X: Any,
    y: Any,
    *,
    n_steps: int = 30,
    dt: float = 1.0,
    per_step: bool = False,
    workspace: Workspace | None = None,
) -> EqPropGradient | tuple[EqPropGradient, list[States], list[list[np.ndarray]]]:
    """The exact gradient of C(s_T) after ``n_steps`` steps of the free relaxation from zero
    states, by backpropagation through time (reverse mode through every step).

    Parameters
    ----------
    model, X, y, dt
        As for :func:`ep_gradient`.
    n_steps : int >= 1
        T.
    per_step : bool
        Also return, for k = 0, ..., T - 1 counted from the end, the gradient with respect
        to the states s_{T-k} as it passes the projection on [0, 1] (dL/du_{T-k-1}: 0 for a
        unit the projection holds at 0 or 1; summed over the rows, per layer) and the part
        of dL/dW that the step T - k - 1 -> T - k contributes (per relaxed layer): the
        quantities of the GDU property (:func:`ep_increments`).
    workspace : Workspace, optional
        Arrays reused from an earlier call (see :class:`Workspace`): the sums of the relaxed
        layers' weight gradients, returned. By default new arrays.

    Returns
    -------
    gradient : EqPropGradient
        ``loss`` is the mean C(s_T); ``residual`` the last step's largest change.
    state_gradients, weight_gradients : list
        With ``per_step`` only.

    References
    ----------
    Ernoult et al. (2019): full citation in :mod:`energynets.models.eqnet`.

    Examples
    --------
    >>> from energynets.models.eqnet import EnergyNetwork
    >>> g = bptt_gradient(EnergyNetwork([2, 3, 1], rng=0), [[1.0, 0.0]], [[1.0]], n_steps=5)
    >>> [w.shape for w in g.weights]
    [(2, 3), (3, 1)]
    """
    model, x, targets, steps, step = _setup(model, X, y, n_steps, dt, "n_steps")
    result, state_grads, weight_grads = _bptt(Relaxation(model, x, step), targets, steps,
                                              per_step, workspace)  # fmt: skip
    return (result, state_grads, weight_grads) if per_step else result


def _bptt(
    relaxation: Relaxation,
    targets: np.ndarray,
    n_steps: int,
    per_step: bool,
    workspace: Workspace | None,
) -> tuple[EqPropGradient, list[States], list[list[np.ndarray]]]:
    model, x, step = relaxation.model, relaxation.x, relaxation.dt
    s = model.zero_states(x.shape[0])
    path, masks = [], []
    for _ in range(n_steps):
        u = _pre_activation(relaxation, s)
        path.append(s)
        masks.append([(v > 0.0) & (v < 1.0) for v in u])
        s = [np.clip(v, 0.0, 1.0, out=v) for v in u]
    residual = float(max(np.max(np.abs(a - b)) for a, b in zip(s, path[-1], strict=True)))
    workspace, grads, error = _backward_start(model, s, targets, workspace)
    state_grads, weight_grads = [], []
    for t in range(n_steps - 1, -1, -1):
        if per_step:  # dL/du: what passes the projection (held units: 0)
            state_grads.append([(e * m).sum(axis=0) for e, m in zip(error, masks[t], strict=True)])
            before = [g.copy() for g in grads[0][: model.n_relaxed]]
        error = _backward_step(model, x, path[t], masks[t], error, step, grads,
                               workspace.statistics)  # fmt: skip
        if per_step:
            weight_grads.append([g - g0 for g, g0 in zip(grads[0], before, strict=False)])
    return _result(model, grads, s, targets, residual), state_grads, weight_grads


def rbp_gradient(
    model: EnergyNetwork,
    X: Any,
    y: Any,
    *,
    n_free: int = 100,
    n_backward: int = 100,
    dt: float = 1.0,
    workspace: Workspace | None = None,
) -> EqPropGradient:
    """Recurrent backprop (Almeida 1987; Pineda 1987): the gradient of C at the free fixed
    point s*, by implicit differentiation of s* = f(s*).

    Iterates e_{k+1} = J^T e_k from e_0 = dC/ds* (J the Jacobian of one step at s*), adding
    each e_k's contribution to the parameters' gradient: the sum solves
    (I - J^T) e = dC/ds*, and the result is dL/dtheta = (df/dtheta)^T e. It is BPTT through a
    relaxation that has converged.

    Parameters
    ----------
    model, X, y, dt
        As for :func:`ep_gradient`.
    n_free : int >= 1
        Steps of the free phase (enough to converge: see ``residual``).
    n_backward : int >= 1
        Terms of the series (enough for J^T^k to vanish).
    workspace
        As for :func:`bptt_gradient`.

    Returns
    -------
    EqPropGradient

    References
    ----------
    Almeida (1987); Pineda (1987): full citations in the module docstring.

    Examples
    --------
    >>> from energynets.models.eqnet import EnergyNetwork
    >>> g = rbp_gradient(EnergyNetwork([2, 3, 1], rng=0), [[1.0, 0.0]], [[1.0]])
    >>> g.residual < 1e-12
    True
    """
    model, x, targets, free_steps, step = _setup(model, X, y, n_free, dt)
    terms = check_int(n_backward, "n_backward", minimum=1)
    return _rbp(Relaxation(model, x, step), targets, free_steps, terms, workspace)


def _rbp(
    relaxation: Relaxation,
    targets: np.ndarray,
    n_free: int,
    n_backward: int,
    workspace: Workspace | None,
) -> EqPropGradient:
    model, x, step = relaxation.model, relaxation.x, relaxation.dt
    fixed = relaxation.run(model.zero_states(x.shape[0]), n_free)
    inside = [(v > 0.0) & (v < 1.0) for v in _pre_activation(relaxation, fixed)]
    workspace, grads, error = _backward_start(model, fixed, targets, workspace)
    for _ in range(n_backward):
        error = _backward_step(model, x, fixed, inside, error, step, grads, workspace.statistics)
    return _result(model, grads, fixed, targets, _residual(relaxation, fixed))


# -- for a training loop -----------------------------------------------------------------------
def batch_gradient(
    rule: str,
    relaxation: Relaxation,
    targets: np.ndarray,
    *,
    beta: float,
    nudging: str,
    n_free: int,
    n_nudged: int,
    rng: np.random.Generator,
    workspace: Workspace | None = None,
) -> EqPropGradient:
    """The gradient of ``rule`` on a batch whose inputs and settings were checked once for
    all the batches: what :func:`~energynets.learning.eqprop.fit_eqprop` computes for each
    mini-batch (the arguments as those of :func:`ep_gradient`; ``n_nudged`` is CHL's
    ``n_clamped`` and recurrent backprop's ``n_backward``, ``n_free`` BPTT's ``n_steps``).
    ``relaxation`` carries the network, the batch's inputs and the step; ``targets`` are
    checked rows (:meth:`EnergyNetwork.check_targets`)."""
    if rule == "ep":
        return _ep(relaxation, targets, beta, nudging, n_free, n_nudged, rng, workspace)
    if rule == "chl":
        return _chl(relaxation, targets, n_free, n_nudged, workspace)
    if rule == "bptt":
        return _bptt(relaxation, targets, n_free, False, workspace)[0]
    return _rbp(relaxation, targets, n_free, n_nudged, workspace)
