"""Pictures of energy-based learning against backprop (:mod:`energynets.experiments.compare`).

:func:`features_figure` (softmax regression on pixels or RBM features against an MLP),
:func:`pretraining_figure` (DBN pretraining against random initialisation as labels grow),
:func:`recall_comparison_figure` (a Hopfield network against a denoising autoencoder),
:func:`filters_figure` (what the first layer of each learns) and :func:`cost_figure` (the
cost of reaching an accuracy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from energynets._validation import check_int
from energynets.plotting._common import GOOD, INK, check_result, new_figure
from energynets.plotting.learning import rbm_filters

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_MODEL_COLORS = {
    "raw pixels": "#7f7f7f",
    "RBM features": "#d62728",
    "RBM": "#d62728",
    "RBM + softmax": "#d62728",
    "DBN": "#d62728",
    "hopfield": "#d62728",
    "MLP": "#1f77b4",
    "random": "#1f77b4",
    "autoencoder": "#1f77b4",
}


def features_figure(result: Any, *, show_weights: bool = True, title: str | None = None) -> Figure:
    """Test accuracy of softmax regression on raw pixels, on RBM features and of an MLP.

    Bars for the three models (training accuracy as a tick), each labelled with the
    classifier trained on its inputs (e.g. "softmax regression, L-BFGS, C = 6000"),
    scikit-learn's published numbers as diamonds when the data are its nudged digits; with
    ``show_weights`` and an image shape, the RBM's filters and the MLP's first-layer weights
    beside them.

    Parameters
    ----------
    result : energynets.experiments.compare.FeaturesResult
        What :func:`~energynets.experiments.compare.features_experiment` returns.
    show_weights : bool
        Draw the RBM's and the MLP's first-layer weights as images beside the bars (when
        the result knows the image shape and holds an RBM).
    title : str, optional
        Default: names the data.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_result(result, "FeaturesResult", ("records", "settings", "rbm", "mlp"))
    weights = bool(show_weights) and result.image_shape is not None and result.rbm is not None
    fig = new_figure((12.0 if weights else 5.2, 4.2))
    axes = fig.subplots(1, 3, width_ratios=[1.2, 1, 1]) if weights else [fig.add_subplot()]
    _accuracy_bars(axes[0], result.records, nudged=bool(result.settings.get("nudged")))
    if weights:
        n_show = min(36, result.rbm.weights.shape[1], result.mlp.weights[0].shape[1])
        rbm_filters(
            result.rbm.weights, result.image_shape, n_filters=n_show, ax=axes[1],
            title=f"RBM filters (no labels), {n_show} of {result.rbm.weights.shape[1]}",
        )  # fmt: skip
        rbm_filters(
            result.mlp.weights[0], result.image_shape, n_filters=n_show, ax=axes[2],
            title=f"MLP first layer (backprop), {n_show} of {result.mlp.weights[0].shape[1]}",
        )  # fmt: skip
    s = result.settings
    fig.suptitle(
        title or f"energy-based features vs backprop on {s.get('data', 'the data')}",
        fontsize="medium",
    )
    return fig


def _accuracy_bars(ax: Axes, records: list[dict[str, Any]], nudged: bool) -> None:
    """Test accuracy of each model as a bar, training accuracy as a tick; scikit-learn's
    published numbers as diamonds when the data are its ``nudged`` digits."""
    from energynets.experiments.compare import SKLEARN_REFERENCE

    names = [r["model"] for r in records]
    test = np.array([r["test_accuracy"] for r in records])
    train = np.array([r["train_accuracy"] for r in records])
    x = np.arange(len(names))
    ax.bar(x, test, color=[_MODEL_COLORS.get(n, INK) for n in names], width=0.6)
    ax.scatter(x, train, marker="_", s=400, color="black", zorder=3, label="training accuracy")
    for xi, t in zip(x, test, strict=True):
        ax.text(
            float(xi), t - 0.01, f"{t:.3f}", ha="center", va="top", color="white",
            fontsize="small", fontweight="bold",
        )  # fmt: skip
    if nudged:
        ref = [SKLEARN_REFERENCE.get(n, np.nan) for n in names]
        ax.scatter(
            x + 0.22, ref, marker="D", s=30, color=GOOD, zorder=3, label="scikit-learn example"
        )
    ax.set_xticks(x, [_bar_label(r) for r in records], fontsize="small")
    low = max(0.0, float(min(test.min(), train.min())) - 0.1)
    ax.set_ylim(low, 1.04)
    ax.set_ylabel("test accuracy")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize="small", loc="upper left")
    ax.set_title("softmax regression (L-BFGS) on raw pixels / RBM features, MLP", fontsize="medium")


def _bar_label(record: dict[str, Any]) -> str:
    """The model's name over what was trained on its inputs, on two or three short lines
    ("softmax regression, L-BFGS, C = 6000" becomes "softmax regression" and "L-BFGS,
    C = 6000")."""
    classifier = record.get("classifier")
    if not classifier:
        return str(record["model"])
    head, _, rest = str(classifier).partition(", ")
    return "\n".join(part for part in (str(record["model"]), head, rest) if part)


def pretraining_figure(result: Any, *, title: str | None = None) -> Figure:
    """Test accuracy against the number of labels, DBN-initialised vs random initialisation.

    Mean over seeds with the standard deviation as error bars, each seed as a faint dot.

    Parameters
    ----------
    result : energynets.experiments.compare.PretrainingResult
        What :func:`~energynets.experiments.compare.pretraining_experiment` returns.
    title : str, optional
        Default: the layer sizes and the number of seeds.

    Returns
    -------
    matplotlib.figure.Figure
        One panel, the number of labels on a logarithmic axis.
    """
    check_result(result, "PretrainingResult", ("records", "runs", "settings"))
    fig = new_figure((6.0, 4.2))
    ax = fig.add_subplot()
    for k, init in enumerate(("DBN", "random")):
        rows = [r for r in result.records if r["init"] == init]
        n = np.array([r["n_labels"] for r in rows], dtype=np.float64)
        mean = np.array([r["mean_accuracy"] for r in rows])
        std = np.array([r["std_accuracy"] for r in rows])
        color = _MODEL_COLORS[init]
        shift = 1.0 + 0.04 * (k - 0.5)  # side by side on the log axis
        label = "DBN-initialised, fine-tuned" if init == "DBN" else "random initialisation"
        ax.errorbar(
            n * shift, mean, yerr=std, color=color, marker="o", capsize=3, linewidth=1.6,
            label=label,
        )  # fmt: skip
        runs = [r for r in result.runs if r["init"] == init]
        ax.scatter(
            [r["n_labels"] * shift for r in runs],
            [r["test_accuracy"] for r in runs],
            color=color,
            alpha=0.3,
            s=12,
        )
    ax.set_xscale("log")
    ax.set_xlabel("labelled training rows")
    ax.set_ylabel("test accuracy")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", loc="lower right")
    s = result.settings
    sizes = "-".join(map(str, s.get("layer_sizes", [])))
    ax.set_title(
        title
        or f"DBN pretraining vs random initialisation ({sizes}, {len(s.get('seeds', []))} seeds)",
        fontsize="medium",
    )
    return fig


def recall_comparison_figure(result: Any, *, title: str | None = None) -> Figure:
    """Hopfield network vs denoising autoencoder: recall against noise and against the number
    of patterns, and the time each takes to learn.

    Parameters
    ----------
    result : energynets.experiments.compare.RecallComparison
        What :func:`~energynets.experiments.compare.recall_experiment` returns.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Three panels: recall against the noise, recall and seconds to learn against the
        number of patterns.
    """
    check_result(result, "RecallComparison", ("records", "settings", "rows"))
    s = result.settings
    fig = new_figure((12.0, 3.8))
    ax_noise, ax_load, ax_time = fig.subplots(1, 3)
    labels = {"hopfield": f"Hopfield ({s.get('rule', '')})", "autoencoder": "denoising autoencoder"}
    for model in ("hopfield", "autoencoder"):
        style = {"marker": "o", "linestyle": "-"} if model == "hopfield" else {
            "marker": "s", "linestyle": "--", "markerfacecolor": "none",
        }  # fmt: skip
        style.update(color=_MODEL_COLORS[model], label=labels[model])
        noise, load = result.rows("noise", model), result.rows("load", model)
        for ax, rows, x, y in (
            (ax_noise, noise, "noise", "recalled"),
            (ax_load, load, "n_patterns", "recalled"),
            (ax_time, load, "n_patterns", "train_seconds"),
        ):
            ax.plot([r[x] for r in rows], [r[y] for r in rows], **style)
    n = s.get("n_units", 0)
    if n and 0.138 * n <= max(s.get("pattern_counts", [0])):
        ax_load.axvline(0.138 * n, color="0.5", linestyle=":", linewidth=1.2, label="0.138 N")
    ax_noise.set_xlabel("fraction of flipped units")
    ax_noise.set_title(f"{s.get('n_patterns')} patterns, {n} units", fontsize="medium")
    ax_load.set_xlabel("stored patterns")
    ax_load.set_title(f"noise {s.get('load_noise', 0):g}", fontsize="medium")
    for ax in (ax_noise, ax_load):
        ax.set_ylabel("probes recalled exactly")
        ax.set_ylim(-0.03, 1.03)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    ax_time.set_yscale("log")
    ax_time.set_xlabel("stored patterns")
    ax_time.set_ylabel("seconds to learn")
    ax_time.set_title("cost of learning", fontsize="medium")
    ax_time.grid(alpha=0.3)
    ax_time.legend(fontsize="small")
    fig.suptitle(
        title or "associative recall: an energy function vs a network trained by backprop",
        fontsize="medium",
    )
    return fig


def filters_figure(result: Any, *, n_filters: int = 64, title: str | None = None) -> Figure:
    """An RBM's filters and an MLP's first-layer weights, side by side as images.

    Parameters
    ----------
    result : energynets.experiments.compare.FiltersResult
        What :func:`~energynets.experiments.compare.filters_experiment` returns.
    n_filters : int >= 1
        At most this many of each.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_result(result, "FiltersResult", ("records", "filters", "image_shape"))
    most = check_int(n_filters, "n_filters", minimum=1)
    fig = new_figure((10.0, 5.0))
    axes = np.atleast_1d(fig.subplots(1, len(result.filters)))
    stats = {r["model"]: r for r in result.records}
    for ax, (name, w) in zip(axes, result.filters.items(), strict=True):
        n = min(most, w.shape[1])
        r = stats.get(name, {})
        how = "generative, no labels" if name == "RBM" else "backprop, labels"
        rbm_filters(
            w, result.image_shape, n_filters=n, ax=ax,
            title=(
                f"{name} ({how}): {n} of {w.shape[1]}\nsmoothness "
                f"{r.get('smoothness', float('nan')):.2f}, redundancy "
                f"{r.get('redundancy', float('nan')):.2f}"
            ),
        )  # fmt: skip
    fig.suptitle(title or "what is learned: filters of the first hidden layer", fontsize="medium")
    return fig


def cost_figure(result: Any, *, title: str | None = None) -> Figure:
    """Held-out accuracy against passes over the data and against training time.

    Parameters
    ----------
    result : energynets.experiments.compare.CostResult
        What :func:`~energynets.experiments.compare.cost_experiment` returns.
    title : str, optional
        Default: "the cost of reaching an accuracy".

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: accuracy against passes over the data, and against seconds (log axis).
    """
    check_result(result, "CostResult", ("records", "curves", "settings"))
    fig = new_figure((10.5, 4.0))
    ax_pass, ax_time = fig.subplots(1, 2)
    rbm_curves = [k for k in result.curves if k.startswith("RBM")]
    for k, name in enumerate(rbm_curves):
        c = np.asarray(result.curves[name])
        alpha = 0.35 + 0.65 * (k + 1) / len(rbm_curves)
        label = name
        for ax, col in ((ax_pass, 0), (ax_time, 1)):
            ax.plot(c[:, col], c[:, 2], color=_MODEL_COLORS["RBM"], alpha=alpha, label=label)
    if "MLP" in result.curves:
        c = np.asarray(result.curves["MLP"])
        for ax, col in ((ax_pass, 0), (ax_time, 1)):
            ax.plot(c[:, col], c[:, 2], color=_MODEL_COLORS["MLP"], linewidth=2, label="MLP")
    target = float(result.settings.get("target_accuracy", np.nan))
    for ax in (ax_pass, ax_time):
        ax.axhline(target, color="black", linestyle="--", linewidth=1.0, label="target")
        ax.set_ylabel("held-out accuracy")
        ax.grid(alpha=0.3)
    ax_pass.set_xlabel("passes over the training rows")
    ax_time.set_xlabel("training seconds")
    ax_time.set_xscale("log")
    ax_pass.legend(fontsize="x-small", loc="lower right")
    fig.suptitle(title or "the cost of reaching an accuracy", fontsize="medium")
    return fig
