"""Pictures of equilibrium propagation against its references
(:mod:`energynets.experiments.eqprop`).

:func:`gdu_figure` (EP's increments against BPTT's gradients step by step, and its bias
against beta), :func:`eqprop_backprop_figure` (learning curves of EP and backprop side by
side) and :func:`chl_figure` (contrastive Hebbian learning against EP and backprop).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from energynets.plotting._common import BAD, GOOD, INK, check_result, new_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: One colour per model or rule, and per network of the GDU experiment.
_COLORS = {
    "EP": "#d62728",
    "backprop": "#1f77b4",
    "backprop (RBP)": "#1f77b4",
    "CHL": "#9467bd",
    "unsaturated": INK,
    "default": "#ff7f0e",
}
_UNITS_SHOWN = 3


def gdu_figure(result: Any, *, network: str | None = None, title: str | None = None) -> Figure:
    """EP's increments against -BPTT's gradients per step and layer, and EP's error against
    beta on log-log axes.

    Left, one column per layer (the output on the right): the neural increments (top) and the
    weight increments (bottom) of EP in the first steps of the nudged phase as lines, -dL/ds
    and -dL/dW of BPTT at the same steps as markers, for the three units or weights of the
    layer with the largest BPTT values (the GDU property of Ernoult et al. 2019: the lines
    pass through the markers). Right: ||g_EP - g|| / ||g|| against beta for every network,
    one-sided (dashed) and symmetric (solid), with the fitted slopes in the legend.

    Parameters
    ----------
    result : energynets.experiments.eqprop.GDUResult
        What :func:`~energynets.experiments.eqprop.gdu_experiment` returns.
    network : str, optional
        The network whose steps are drawn (default: the last one, where units saturate).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_result(result, "GDUResult", ("traces", "bias_records", "slopes", "off_line"))
    names = list(result.traces)
    if not names:
        raise ValueError("result must hold the traces of at least one network")
    shown = names[-1] if network is None else network
    if shown not in result.traces:
        raise ValueError(f"network must be one of {', '.join(map(repr, names))}, got {shown!r}")
    traces = result.traces[shown]
    n_layers = len(traces["ep_states"])
    fig = new_figure((3.0 * n_layers + 4.8, 5.6))
    grid = fig.add_gridspec(2, n_layers + 1, width_ratios=[1.0] * n_layers + [1.5])
    for i in range(n_layers):
        for row, quantity in enumerate(("states", "weights")):
            ax = fig.add_subplot(grid[row, i])
            _steps(ax, traces[f"ep_{quantity}"][i], traces[f"bptt_{quantity}"][i])
            ax.set_title(f"layer {i + 1}: " + ("ΔS / β" if quantity == "states" else "ΔW / β"),
                         fontsize="small")  # fmt: skip
            if row == 1:
                ax.set_xlabel("step of the nudged phase")
    _bias_panel(fig.add_subplot(grid[:, n_layers]), result)
    sizes = "-".join(map(str, result.settings.get("layer_sizes", [])))
    fig.suptitle(
        title
        or f"does EP compute the gradient? ({sizes}, {shown} network): EP's increments "
        "(lines) and -BPTT (markers)",
        fontsize="medium",
    )
    return fig


def _steps(ax: Axes, ep: np.ndarray, bptt: np.ndarray) -> None:
    """The units of a layer with the largest BPTT values: EP as lines, -BPTT as markers."""
    from matplotlib.ticker import MaxNLocator

    order = np.argsort(-np.abs(bptt).max(axis=0))[:_UNITS_SHOWN]
    t = np.arange(ep.shape[0])
    for k, unit in enumerate(order):
        color = f"C{k}"
        ax.plot(t, ep[:, unit], color=color, linewidth=1.4)
        ax.plot(t, bptt[:, unit], color=color, linestyle="none", marker="o", markersize=4,
                markerfacecolor="none")  # fmt: skip
    ax.axhline(0.0, color="0.6", linewidth=0.6)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)


def _bias_panel(ax: Axes, result: Any) -> None:
    """Error against beta on log-log axes, per network and nudging, with the fitted slopes."""
    for name in dict.fromkeys(r["network"] for r in result.bias_records):
        rows = [r for r in result.bias_records if r["network"] == name]
        beta = np.array([r["beta"] for r in rows])
        for key, nudging, style in (("one_sided", "one-sided", "--"),
                                    ("symmetric", "symmetric", "-")):  # fmt: skip
            slope = result.slopes.get(name, {}).get(nudging, float("nan"))
            off = result.off_line.get(name, {}).get(nudging, float("nan"))
            label = f"{name}, {nudging}: slope {slope:.2f} (±{off:.2f} decades)"
            ax.loglog(beta, [r[key] for r in rows], linestyle=style, marker="o", markersize=4,
                      color=_COLORS.get(name, INK), label=label)  # fmt: skip
    ax.set_xlabel("β")
    ax.set_ylabel("‖g_EP − g‖ / ‖g‖  (g: recurrent backprop)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="x-small", loc="lower right")
    ax.set_title("the bias of EP as β → 0 (theory: slopes 1 and 2)", fontsize="small")


def eqprop_backprop_figure(result: Any, *, title: str | None = None) -> Figure:
    """Learning curves of equilibrium propagation and backprop side by side.

    Left: the error against epochs, training (during each epoch, dashed) and test (after it,
    solid), one line per model and seed. Right: the test error against training seconds.

    Parameters
    ----------
    result : energynets.experiments.eqprop.BackpropResult
        What :func:`~energynets.experiments.eqprop.backprop_experiment` returns.
    title : str, optional
        Default: the architecture and the data.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_result(result, "BackpropResult", ("records", "curves", "settings"))
    fig = new_figure((11.0, 4.2))
    ax_epoch, ax_time = fig.subplots(1, 2)
    for key, curve in result.curves.items():
        model = key.split(" seed ")[0]
        c = np.asarray(curve)
        color = _COLORS.get(model, INK)
        first = key.endswith(" seed " + str(result.settings.get("seeds", [0])[0]))
        label = model if first else None
        ax_epoch.plot(c[:, 0], c[:, 2], color=color, marker="o", markersize=3,
                      label=f"{label}, test" if label else None)  # fmt: skip
        ax_epoch.plot(c[:, 0], c[:, 1], color=color, linestyle="--", linewidth=1.0,
                      label=f"{label}, training (during the epoch)" if label else None)  # fmt: skip
        ax_time.plot(c[:, 3], c[:, 2], color=color, marker="o", markersize=3, label=label)
    for ax in (ax_epoch, ax_time):
        ax.set_yscale("log")
        ax.set_ylabel("error")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize="x-small")
    ax_epoch.set_xlabel("epoch")
    ax_epoch.set_title("error against epochs (the same batches)", fontsize="medium")
    ax_time.set_xlabel("training seconds")
    ax_time.set_title("test error against wall time", fontsize="medium")
    s = result.settings
    sizes = "-".join(map(str, s.get("layer_sizes", [])))
    fig.suptitle(title or f"equilibrium propagation vs backprop, {sizes}, on {s.get('data')}",
                 fontsize="medium")  # fmt: skip
    return fig


def chl_figure(result: Any, *, title: str | None = None) -> Figure:
    """Contrastive Hebbian learning against EP and backprop: the loss, whether the free phase
    settles, and how well each update points down the loss.

    Three panels against epochs, one line per rule and seed: the training loss, the
    free-phase residual (the largest change of a state in its last step: 0 when it settles,
    positive when the network oscillates) and the cosine of each rule's update with the
    exact gradient (1: the gradient; below 0 the update climbs the loss).

    Parameters
    ----------
    result : energynets.experiments.eqprop.CHLResult
        What :func:`~energynets.experiments.eqprop.chl_experiment` returns.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_result(result, "CHLResult", ("records", "curves", "settings"))
    fig = new_figure((13.0, 4.0))
    ax_loss, ax_res, ax_cos = fig.subplots(1, 3)
    labelled: set[str] = set()
    for key, curve in result.curves.items():
        rule = key.split(" seed ")[0]
        c = np.asarray(curve)
        style = {"color": _COLORS.get(rule, INK), "linewidth": 1.0, "alpha": 0.8}
        label = None if rule in labelled else rule
        labelled.add(rule)
        ax_loss.plot(c[:, 0], c[:, 1], label=label, **style)
        ax_res.plot(c[:, 0], np.maximum(c[:, 2], 1e-17), **style)
        checked = np.isfinite(c[:, 3])
        ax_cos.plot(c[checked, 0], c[checked, 3], marker="o", markersize=2, **style)
    ax_loss.set_yscale("log")
    ax_loss.set_ylabel("training loss")
    ax_loss.legend(fontsize="small")
    ax_res.set_yscale("log")
    ax_res.axhline(1e-3, color=BAD, linestyle=":", linewidth=1.0)
    ax_res.set_ylabel("free-phase residual")
    ax_res.set_title("does the free phase settle?", fontsize="medium")
    ax_cos.axhline(0.0, color=BAD, linestyle=":", linewidth=1.0)
    ax_cos.axhline(1.0, color=GOOD, linestyle=":", linewidth=1.0)
    ax_cos.set_ylabel("cosine with the exact gradient")
    ax_cos.set_title("does the update follow the gradient?", fontsize="medium")
    for ax in (ax_loss, ax_res, ax_cos):
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    sizes = "-".join(map(str, result.settings.get("layer_sizes", [])))
    fig.suptitle(title or f"contrastive Hebbian learning vs EP vs backprop ({sizes}, random "
                 "associations)", fontsize="medium")  # fmt: skip
    return fig
