"""Does equilibrium propagation compute the gradient? (:func:`gdu_experiment`).

Two checks on random layered networks, float64, in the prototypical setting (dt = 1):

- **step by step** (the GDU property of Ernoult et al. 2019): the increments of EP in the
  nudged phase, neural (s^beta_{t+1} - s^beta_t) / beta and synaptic
  (H(s^beta_{t+1}) - H(s^beta_t)) / beta
  (:func:`~energynets.learning.eqprop_gradients.ep_increments`), against the gradients
  BPTT computes backwards from the end of the free phase, step by step and layer by layer
  (:func:`~energynets.learning.eqprop_gradients.bptt_gradient` with ``per_step=True``);
- **the total update** as beta -> 0: the distance between EP's estimate after a converged
  nudged phase and the exact gradient at the free fixed point
  (:func:`~energynets.learning.eqprop_gradients.rbp_gradient`), for one-sided nudging
  (bias O(beta)) and symmetric nudging (bias O(beta^2), Laborieux et al. 2021), with the
  fitted slopes of the log-log lines.

The networks: ``"unsaturated"`` (:func:`unsaturated_network`: no unit ever reaches 0 or 1,
so the states are smooth functions of beta and the slopes are those of the Taylor
expansion) and ``"default"`` (:class:`~energynets.models.eqnet.EnergyNetwork`'s own
initialisation, where many units sit at 0 or 1: step by step EP still equals BPTT exactly,
since a held unit neither moves in the nudged phase nor passes error in BPTT, but the kinks
of the hard sigmoid can bend the slopes).

References
----------
Ernoult et al. (2019); Laborieux et al. (2021): full citations in :mod:`energynets.models.eqnet`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from energynets._validation import (
    RNGLike,
    check_choice,
    check_int,
    check_rng,
    describe_rng,
    rng_stream,
)
from energynets.experiments._runs import draw_entropy
from energynets.experiments.compare._shared import check_positive
from energynets.experiments.eqprop._shared import (
    check_betas,
    check_sizes,
    loglog_fit,
    relative_error,
)
from energynets.experiments.eqprop.records import GDUResult
from energynets.learning.eqprop_gradients import (
    EqPropGradient,
    bptt_gradient,
    ep_gradient,
    ep_increments,
    rbp_gradient,
)
from energynets.models.eqnet import EnergyNetwork

__all__ = ["GDU_NETWORKS", "gdu_experiment", "unsaturated_network"]

#: The random networks of :func:`gdu_experiment`.
GDU_NETWORKS = ("unsaturated", "default")
#: The largest sum of couplings into a unit of :func:`unsaturated_network`.
_COUPLING = 0.35
_NUDGINGS = ("one-sided", "symmetric")


def unsaturated_network(layer_sizes: Sequence[int], rng: RNGLike = 0) -> EnergyNetwork:
    """A random squared-output network whose units never reach 0 or 1.

    Biases 1/2 and weights uniform in +-c, c = 0.35 / max_l (n_{l-1} + n_{l+1}): the field
    of any unit, b + s_{l-1} W_l + s_{l+1} W_{l+1}^T with inputs and states in [0, 1], stays
    within 1/2 +- 0.35, and a nudge beta (y - s_L) with targets in [0, 1] and -0.15 < beta < 0.15
    keeps it inside (0, 1). Without the kinks of the hard sigmoid the states are smooth in
    beta, and the bias of EP shows its Taylor orders cleanly.

    Parameters
    ----------
    layer_sizes : sequence of int
        [n_input, n_1, ..., n_out], at least one hidden layer.
    rng : int, Generator or None

    Returns
    -------
    EnergyNetwork
        ``output="squared"``, float64.

    References
    ----------
    Laborieux et al. (2021), on the orders of the bias of one-sided and symmetric nudging:
    see the module docstring.

    Examples
    --------
    >>> net = unsaturated_network([4, 6, 5, 2])
    >>> states = net.relax(np.ones((3, 4)), 50)
    >>> all(((s > 0.15) & (s < 0.85)).all() for s in states)
    True
    """
    sizes = check_sizes(layer_sizes)
    gen = check_rng(rng)
    fans = [sizes[i - 1] + (sizes[i + 1] if i + 1 < len(sizes) else 0)
            for i in range(1, len(sizes))]  # fmt: skip
    bound = _COUPLING / max(fans)
    weights = [gen.uniform(-bound, bound, (a, b)) for a, b in itertools.pairwise(sizes)]
    return EnergyNetwork.from_params(weights, [np.full(b, 0.5) for b in sizes[1:]])


def gdu_experiment(
    layer_sizes: Sequence[int] = (10, 12, 10, 5),
    *,
    n_samples: int = 20,
    networks: Sequence[str] = GDU_NETWORKS,
    betas: Sequence[float] = (1e-1, 10**-1.5, 1e-2, 10**-2.5, 1e-3),
    step_beta: float = 1e-3,
    n_steps: int = 300,
    n_shown: int = 12,
    rng: RNGLike = 0,
) -> GDUResult:
    """EP's updates against BPTT's gradients, step by step, and its bias as beta -> 0.

    For each network a batch of ``n_samples`` random inputs and targets (uniform in [0, 1])
    is drawn; the free phase runs ``n_steps`` steps (dt = 1, from zero states).

    1. Step by step: the first ``n_shown`` increments of symmetric EP with ``step_beta``
       against -dL/ds and -dL/dW of BPTT through the same ``n_steps`` steps, counted back
       from the end. Per layer and quantity (states, weights) the record gives the first
       step at which the error reaches the layer (one layer per step, from the output down)
       and the largest difference over the steps relative to the largest BPTT value.
    2. As beta -> 0: for every beta in ``betas``, the relative distance
       ||g_EP - g|| / ||g|| between EP's estimate (nudged phase of ``n_steps`` steps) and the
       exact gradient g of recurrent backprop at the free fixed point, one-sided and
       symmetric; the slopes of log error against log beta are fitted (theory: 1 and 2).

    Parameters
    ----------
    layer_sizes : sequence of int
        [n_input, n_1, ..., n_out]; the GDU property is about deep networks, so use at least
        two hidden layers. Squared-error output.
    n_samples : int >= 1
        Rows of the batch.
    networks : sequence of {"unsaturated", "default"}
        :func:`unsaturated_network`, and/or ``EnergyNetwork(layer_sizes)``'s own random
        initialisation (units saturate).
    betas : sequence of float > 0
        At least two nudging strengths for the bias (default: five from 1e-1 to 1e-3,
        evenly spaced in log beta).
    step_beta : float > 0
        The nudging strength of the step-by-step comparison.
    n_steps : int >= 1
        Steps of the free phase, of each nudged phase and of recurrent backprop.
    n_shown : int, 1 <= n_shown <= n_steps
        Steps compared one by one.
    rng : int, Generator or None
        The networks and their batches.

    Returns
    -------
    GDUResult

    References
    ----------
    Ernoult et al. (2019); Laborieux et al. (2021): see the module docstring.

    Examples
    --------
    >>> res = gdu_experiment([4, 5, 4, 2], n_samples=3, networks=["unsaturated"],
    ...                      betas=[1e-1, 1e-2], n_steps=60, n_shown=4)
    >>> [(r["quantity"], r["layer"], r["first_step"]) for r in res.records][:3]
    [('states', 1, 2), ('states', 2, 1), ('states', 3, 0)]
    >>> round(res.slopes["unsaturated"]["symmetric"])
    2
    """
    sizes = check_sizes(layer_sizes)
    rows = check_int(n_samples, "n_samples", minimum=1)
    kinds = _check_networks(networks)
    beta_list = check_betas(betas)
    small = check_positive(step_beta, "step_beta")
    steps = check_int(n_steps, "n_steps", minimum=1)
    shown = check_int(n_shown, "n_shown", minimum=1)
    if shown > steps:
        raise ValueError(f"n_shown must be at most n_steps ({steps}), got {shown}")
    entropy = draw_entropy(rng)
    settings: dict[str, Any] = {
        "layer_sizes": list(sizes), "n_samples": rows, "networks": list(kinds),
        "output": "squared", "dt": 1.0, "dtype": "float64", "betas": list(beta_list),
        "step_beta": small, "n_steps": steps, "n_shown": shown, "rng": describe_rng(rng),
    }  # fmt: skip
    result = GDUResult(settings=settings)
    for kind in kinds:
        net, x, y = _problem(kind, sizes, rows, entropy)
        result.free_phase[kind] = _free_phase(net, x, steps)
        traces, records = _step_by_step(net, x, y, small, steps, shown, kind)
        result.traces[kind] = traces
        result.records += records
        bias = _bias(net, x, y, beta_list, steps, kind)
        result.bias_records += bias
        fits = {n: loglog_fit(beta_list, [r[n.replace("-", "_")] for r in bias]) for n in _NUDGINGS}
        result.slopes[kind] = {n: fit[0] for n, fit in fits.items()}
        result.off_line[kind] = {n: fit[1] for n, fit in fits.items()}
    return result


def _check_networks(networks: Any) -> tuple[str, ...]:
    kinds = tuple(dict.fromkeys(check_choice(n, "networks", GDU_NETWORKS) for n in networks))
    if not kinds:
        raise ValueError(f"networks must name at least one of {', '.join(GDU_NETWORKS)}")
    return kinds


def _free_phase(net: EnergyNetwork, x: np.ndarray, steps: int) -> dict[str, float]:
    """The largest change of a state in one more step after ``steps``, and the fraction of
    units at 0 or 1 there."""
    free = net.relax(x, steps)
    after = net.relax(x, 1, states=free)
    held = np.concatenate([((s == 0) | (s == 1)).ravel() for s in free])
    return {
        "residual": float(max(np.abs(a - b).max() for a, b in zip(after, free, strict=True))),
        "saturated": float(np.mean(held)),
    }


def _problem(
    kind: str, sizes: tuple[int, ...], rows: int, entropy: int
) -> tuple[EnergyNetwork, np.ndarray, np.ndarray]:
    """The network of one kind and its batch (inputs and targets uniform in [0, 1]), from
    streams of their own (the same whichever other networks run)."""
    k = GDU_NETWORKS.index(kind)
    init, data = rng_stream(entropy, k, 0), rng_stream(entropy, k, 1)
    if kind == "unsaturated":
        net = unsaturated_network(sizes, init)
    else:
        net = EnergyNetwork(sizes, rng=init)
    return net, data.random((rows, sizes[0])), data.random((rows, sizes[-1]))


def _step_by_step(
    net: EnergyNetwork,
    x: np.ndarray,
    y: np.ndarray,
    beta: float,
    steps: int,
    shown: int,
    kind: str,
) -> tuple[dict[str, list[np.ndarray]], list[dict[str, Any]]]:
    """EP's increments and -BPTT's gradients per step, and one record per quantity and layer.

    Traces: ``"ep_states"``, ``"bptt_states"`` (-dL/ds), ``"ep_weights"``, ``"bptt_weights"``
    (-dL/dW, flattened), one array (n_shown, n_units) per layer.
    """
    ds, dw = ep_increments(net, x, y, beta=beta, n_free=steps, n_nudged=shown)
    bptt = bptt_gradient(net, x, y, n_steps=steps, per_step=True)
    assert not isinstance(bptt, EqPropGradient)  # per_step: the gradient and the steps
    _, state_grads, weight_grads = bptt
    n_layers = net.n_relaxed
    traces: dict[str, list[np.ndarray]] = {
        "ep_states": [np.array([ds[t][i] for t in range(shown)]) for i in range(n_layers)],
        "bptt_states": [-np.array([state_grads[t][i] for t in range(shown)])
                        for i in range(n_layers)],
        "ep_weights": [np.array([dw[t][i].ravel() for t in range(shown)])
                       for i in range(n_layers)],
        "bptt_weights": [-np.array([weight_grads[t][i].ravel() for t in range(shown)])
                         for i in range(n_layers)],
    }  # fmt: skip
    records = []
    for quantity in ("states", "weights"):
        for i in range(n_layers):
            ep, minus = traces[f"ep_{quantity}"][i], traces[f"bptt_{quantity}"][i]
            largest = float(np.abs(minus).max())
            reached = np.flatnonzero(np.abs(minus).max(axis=1) > 0)
            records.append({
                "network": kind, "quantity": quantity, "layer": i + 1,
                "first_step": int(reached[0]) if reached.size else None,
                "largest": largest,
                "max_error": float(np.abs(ep - minus).max()) / largest if largest > 0 else None,
            })  # fmt: skip
    return traces, records


def _bias(
    net: EnergyNetwork,
    x: np.ndarray,
    y: np.ndarray,
    betas: tuple[float, ...],
    steps: int,
    kind: str,
) -> list[dict[str, Any]]:
    """Per beta: the relative distance of one-sided and symmetric EP from the exact gradient."""
    exact = rbp_gradient(net, x, y, n_free=steps, n_backward=steps).weights
    rows = []
    for beta in betas:
        row: dict[str, Any] = {"network": kind, "beta": beta}
        for nudging in _NUDGINGS:
            g = ep_gradient(net, x, y, beta=beta, nudging=nudging, n_free=steps, n_nudged=steps)
            row[nudging.replace("-", "_")] = relative_error(g.weights, exact)
        rows.append(row)
    return rows
