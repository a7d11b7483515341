"""Pictures of learning: an RBM's filters and samples, learning curves, a confusion matrix.

:func:`rbm_filters` tiles the receptive fields of an RBM's hidden units (or of an MLP's first
layer), :func:`rbm_samples_figure` shows Gibbs chains of an RBM, :func:`learning_curve` draws
one monitored quantity of training (RBM or backprop) against the epoch, and
:func:`confusion_matrix_plot` the mistakes of a classifier.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from energynets._validation import as_float_array, check_float, check_int
from energynets.plotting._common import (
    BAD,
    GOOD,
    INK,
    as_images,
    check_labels,
    check_shape,
    figure_rows,
    grid_size,
    line_style,
    mosaic,
    new_axes,
    row_label,
    show_mosaic,
)
from energynets.plotting.hopfield import pattern_grid

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


# -- restricted Boltzmann machines ------------------------------------------------------------


def rbm_filters(
    weights: Any,
    shape: Sequence[int],
    *,
    n_filters: int | None = None,
    n_cols: int | None = None,
    scale: str = "each",
    gap: int = 1,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Draw the receptive fields of an RBM's hidden units as a grid of images.

    Hidden unit j sees the visible layer through the column ``W[:, j]``; reshaped to the data's
    image shape it shows which pixels excite the unit (red) and which inhibit it (blue). The
    columns are tiled into one mosaic (white gaps between tiles) on a diverging color scale
    centred on 0.

    The same picture shows what the first layer of a feedforward network looks for: pass
    ``mlp.weights[0]``, of shape (n_inputs, n_hidden).

    Parameters
    ----------
    weights : array_like, shape (n_visible, n_hidden)
        An RBM's weights (``rbm.weights``), n_visible = height * width.
    shape : (int, int)
        (height, width) of one image, e.g. (28, 28) for MNIST.
    n_filters : int >= 1, optional
        Draw the first ``n_filters`` hidden units; default all of them, at most 100.
    n_cols : int >= 1, optional
        Tiles per row; default about the square root of the number of tiles.
    scale : {"each", "all"}
        "each" divides every filter by its own largest absolute weight (faint filters stay
        visible, the usual choice); "all" uses one scale for all of them (their strengths
        compare).
    gap : int >= 0
        Pixels of white between tiles.
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib import colormaps

    w = as_float_array(weights, "weights", ndim=2, dtype=np.float64)
    height, width = check_shape(shape, w.shape[0], "weights (rows: visible units)")
    filters = _scaled_filters(w, n_filters, scale)
    n = filters.shape[0]
    cols, rows = grid_size(n, n_cols, math.ceil(math.sqrt(n)))
    g = check_int(gap, "gap", minimum=0)
    tiles = mosaic(filters, (height, width), cols, g, g)
    if ax is None:
        side = 0.55 if max(height, width) <= 8 else 0.8  # inches per tile
        ax = new_axes(
            (max(4.5, side * cols * width / height + 0.6), side * rows + 0.6 + 0.3 * bool(title))
        )
    show_mosaic(ax, tiles, colormaps["RdBu_r"].with_extremes(bad="white"))
    if title:
        ax.set_title(title, fontsize="medium")
    return ax


def _scaled_filters(w: np.ndarray, n_filters: int | None, scale: str) -> np.ndarray:
    """The first ``n_filters`` columns of ``w`` as rows (n, n_visible), scaled into [-1, 1]."""
    n_hidden = w.shape[1]
    if n_filters is None:
        n = min(n_hidden, 100)
    else:
        n = check_int(n_filters, "n_filters", minimum=1)
        if n > n_hidden:
            raise ValueError(f"n_filters must be <= n_hidden = {n_hidden}, got {n}")
    if scale not in ("each", "all"):
        raise ValueError(f"scale must be 'each' or 'all', got {scale!r}")
    filters = w[:, :n].T  # (n, n_visible)
    if scale == "each":
        peak = np.max(np.abs(filters), axis=1, keepdims=True)
    else:
        peak = np.full((n, 1), np.max(np.abs(filters)))
    return filters / np.where(peak > 0, peak, 1.0)


def rbm_samples_figure(
    samples: Any,
    shape: Sequence[int],
    *,
    steps: Sequence[Any] | None = None,
    data: Any = None,
    title: str | None = None,
) -> Figure:
    """Gibbs chains of an RBM, one row per recorded step, one column per chain.

    Parameters
    ----------
    samples : array_like, shape (n_records, n_chains, height * width)
        Visible states (0/1 bits or probabilities in [0, 1]; 1 is drawn dark), record r of
        every chain in row r.
    shape : (int, int)
        (height, width) of one image.
    steps : sequence, optional
        The Gibbs step of each record, shown as the row labels ("step 1", "step 10", ...).
    data : array_like, shape (n_images, height * width), optional
        Training images drawn in a first row, for comparison.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per row.
    """
    s = as_float_array(samples, "samples", ndim=3, dtype=np.float64)
    n_records, n_chains, n_visible = s.shape
    height, width = check_shape(shape, n_visible, "samples")
    if s.size and (s.min() < 0.0 or s.max() > 1.0):
        raise ValueError(
            f"samples must lie in [0, 1] (bits or probabilities), got values in "
            f"[{s.min():g}, {s.max():g}]"
        )
    labels = check_labels(steps, n_records, "steps")
    rows = [("step " + labels[r] if labels else f"record {r + 1}", s[r]) for r in range(n_records)]
    if data is not None:
        d, _ = as_images(data, "data", (height, width))
        if d.min() < 0.0 or d.max() > 1.0:
            raise ValueError(f"data must lie in [0, 1], got values in [{d.min():g}, {d.max():g}]")
        rows.insert(0, ("data", d[:n_chains]))
    fig, axes = figure_rows(
        (
            max(3.5, 0.7 * n_chains * width / height + 1.4),
            0.8 * len(rows) + 0.4 + 0.3 * bool(title),
        ),
        len(rows),
    )
    for ax, (name, images) in zip(axes, rows, strict=True):
        pattern_grid(2.0 * images - 1.0, (height, width), n_cols=n_chains, ax=ax)
        row_label(ax, name)
    if title:
        fig.suptitle(title, fontsize="medium")
    return fig


# -- learning curves --------------------------------------------------------------------------

#: The quantities :func:`learning_curve` draws: (training key, validation key, axis label).
LEARNING_CURVES = {
    "log_likelihood": (
        "log_likelihood",
        "log_likelihood_validation",
        "mean log-likelihood (nats)",
    ),
    "pseudo_likelihood": (
        "pseudo_likelihood",
        "pseudo_likelihood_validation",
        "pseudo-log-likelihood (nats)",
    ),
    "reconstruction_error": (
        "reconstruction_error",
        "reconstruction_error_validation",
        "reconstruction error",
    ),
    "free_energy": ("free_energy_train", "free_energy_validation", "mean free energy"),
    # fit_mlp's history (energynets.learning.backprop)
    "loss": ("loss", "validation_loss", "mean loss"),
    "accuracy": ("accuracy", "validation_accuracy", "accuracy"),
}


def _series(history: Mapping[str, Any], key: str, n: int | None) -> np.ndarray:
    """``history[key]`` as float64, None (a JSON null) as NaN, of length ``n`` when given."""
    values = history[key]
    try:
        arr = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"history[{key!r}] must be a sequence of numbers") from None
    if arr.ndim != 1:
        raise ValueError(f"history[{key!r}] must be one number per epoch, got shape {arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise ValueError(
            f"history[{key!r}] must have one entry per epoch ({n}), got {arr.shape[0]}"
        )
    return arr


def _curve_quantity(history: Mapping[str, Any], quantity: str | None) -> tuple[str, str, str]:
    """(training key, validation key, axis label) of ``quantity`` in ``history``; by default
    the first of :data:`LEARNING_CURVES` that it holds."""
    if not isinstance(history, Mapping):
        raise TypeError(f"history must be a mapping of lists, got {type(history).__name__}")
    if quantity is None:
        present = [q for q, (train, _, _) in LEARNING_CURVES.items() if train in history]
        if not present:
            wanted = ", ".join(t for t, _, _ in LEARNING_CURVES.values())
            raise ValueError(f"history holds none of the quantities {wanted}")
        quantity = present[0]
    if quantity not in LEARNING_CURVES:
        raise ValueError(f"quantity must be one of {', '.join(LEARNING_CURVES)}, got {quantity!r}")
    train_key, valid_key, label = LEARNING_CURVES[quantity]
    if train_key not in history:
        raise ValueError(f"history has no {train_key!r} entries to draw")
    return train_key, valid_key, label


def learning_curve(
    history: Mapping[str, Any],
    quantity: str | None = None,
    ax: Axes | None = None,
    *,
    optimum: float | None = None,
    optimum_label: str = "optimum",
    title: str | None = None,
) -> Axes:
    """One monitored quantity of RBM training against the epoch, training and validation.

    The same for the loss and accuracy of a feedforward network trained by
    :func:`energynets.fit_mlp`.

    Parameters
    ----------
    history : mapping of str to sequences
        The history of :func:`energynets.learning.contrastive.fit_rbm` or
        :func:`energynets.fit_mlp` (or a dict like it, e.g. read back from JSON, where None
        stands for a missing value): the lists named in
        :data:`LEARNING_CURVES`, one entry per recorded epoch, and optionally ``"epoch"``
        (counting from 0; the x axis shows epochs trained, ``epoch + 1``).
    quantity : {"log_likelihood", "pseudo_likelihood", "reconstruction_error", \
"free_energy", "loss", "accuracy"}, optional
        What to draw; default the first of these that ``history`` holds. Its validation
        series is drawn too when present.
    ax : matplotlib.axes.Axes, optional
    optimum : float, optional
        A horizontal dashed line, e.g. the best possible log-likelihood log(1 / n_patterns)
        of a model of a small data set.
    optimum_label : str
        The legend entry of that line.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.ticker import MaxNLocator

    train_key, valid_key, label = _curve_quantity(history, quantity)
    train = _series(history, train_key, None)
    n = train.shape[0]
    epochs = _series(history, "epoch", n) + 1.0 if "epoch" in history else np.arange(1.0, n + 1.0)
    if ax is None:
        ax = new_axes((4.8, 3.4))
    style = line_style(n)
    ax.plot(epochs, train, color=INK, linewidth=1.5, label="training", **style)
    if valid_key in history:
        valid = _series(history, valid_key, n)
        ax.plot(epochs, valid, color=BAD, linewidth=1.5, label="validation", **style)
    if optimum is not None:
        best = check_float(optimum, "optimum")
        ax.axhline(best, color=GOOD, linestyle="--", linewidth=1.2, label=optimum_label)
    ax.set_xlabel("epoch")
    ax.set_ylabel(label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    if valid_key in history or optimum is not None:
        ax.legend(fontsize="small")
    if title:
        ax.set_title(title, fontsize="medium")
    return ax


# -- classifiers ------------------------------------------------------------------------------


def _class_labels(y: Any, name: str) -> np.ndarray:
    """``y`` as a 1-D int64 array of class labels >= 0 (whole numbers, not booleans)."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels, got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must not be empty")
    if arr.dtype == np.bool_ or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.floating) and not np.all(
        np.isfinite(arr) & (arr == np.round(arr))
    ):
        raise ValueError(f"{name} must hold integer class labels (whole numbers, no NaN)")
    if arr.min() < 0:
        raise ValueError(f"{name} must hold class labels >= 0, got {arr.min():g}")
    return arr.astype(np.int64)


def _confusion_counts(y_true: Any, y_pred: Any, n_classes: int | None) -> np.ndarray:
    """The counts C (K, K): C_ij samples of class i predicted as class j."""
    true = _class_labels(y_true, "y_true")
    pred = _class_labels(y_pred, "y_pred")
    if true.shape != pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same length, got {true.shape[0]} and {pred.shape[0]}"
        )
    largest = int(max(true.max(), pred.max()))
    if n_classes is None:
        k = largest + 1
    else:
        k = check_int(n_classes, "n_classes", minimum=1)
        if largest >= k:
            raise ValueError(
                f"n_classes must exceed every label: the labels reach {largest}, got n_classes={k}"
            )
    return np.bincount(true * k + pred, minlength=k * k).reshape(k, k)


def _annotate_cells(ax: Axes, counts: np.ndarray, shares: np.ndarray, normalize: bool) -> None:
    """Write each cell's count (or share of its row, in percent) into it; empty cells off the
    diagonal stay blank."""
    k = counts.shape[0]
    for i in range(k):
        for j in range(k):
            if counts[i, j] == 0 and i != j:
                continue
            text = f"{100 * shares[i, j]:.0f}" if normalize else str(counts[i, j])
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize="small" if k <= 12 else "x-small",
                color="white" if shares[i, j] > 0.5 else "black",
            )


def confusion_matrix_plot(
    y_true: Any,
    y_pred: Any,
    ax: Axes | None = None,
    *,
    n_classes: int | None = None,
    class_names: Sequence[Any] | None = None,
    normalize: bool = False,
    annotate: bool | None = None,
    title: str | None = None,
) -> Axes:
    """Draw the confusion matrix of a classifier: true classes in rows, predictions in columns.

    Cell (i, j) counts the samples of class i predicted as class j, so the diagonal holds the
    correct predictions and everything off it a mistake. The color of a cell is its share of
    its row, C_ij / sum_k C_ik (the diagonal is the recall of each class), so that classes of
    different sizes compare and the mistakes stay visible next to a dark diagonal.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (n_samples,)
        True and predicted class labels, >= 0 (e.g. ``y`` and ``mlp.predict(X)``).
    ax : matplotlib.axes.Axes, optional
    n_classes : int >= 1, optional
        The number of classes K (labels 0, ..., K - 1); default the largest label + 1.
    class_names : sequence, optional
        One name per class, for the ticks; default the labels 0, ..., K - 1.
    normalize : bool
        Write each cell's share of its row (in percent) instead of its count.
    annotate : bool, optional
        Write the values in the cells; default when there are at most 20 classes.
    title : str, optional
        Default: the accuracy, sum_i C_ii / n_samples.

    Returns
    -------
    matplotlib.axes.Axes
        The image drawn (``ax.images[0]``) holds the row shares.

    Examples
    --------
    >>> ax = confusion_matrix_plot([0, 0, 1, 2, 2], [0, 1, 1, 2, 0])
    >>> ax.get_title()
    'accuracy 60.00% (5 samples)'
    """
    counts = _confusion_counts(y_true, y_pred, n_classes)
    k = counts.shape[0]
    names = check_labels(class_names, k, "class_names")
    if names is None:
        names = [str(c) for c in range(k)]
    totals = counts.sum(axis=1, keepdims=True)
    shares = counts / np.where(totals > 0, totals, 1)
    show = (k <= 20) if annotate is None else bool(annotate)
    if ax is None:
        side = min(9.0, 1.6 + 0.45 * k)
        ax = new_axes((side + 0.9, side))
    image = ax.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0, interpolation="nearest")
    if show:
        _annotate_cells(ax, counts, shares, normalize)
    ticks = np.arange(k)
    if max(len(n) for n in names) > 2:  # words, not digits: slanted
        ax.set_xticks(ticks, names, rotation=45, ha="right", rotation_mode="anchor")
    else:
        ax.set_xticks(ticks, names)
    ax.set_yticks(ticks, names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    n_samples = int(counts.sum())
    accuracy = float(np.trace(counts)) / float(n_samples)
    ax.set_title(
        title if title is not None else f"accuracy {accuracy:.2%} ({n_samples} samples)",
        fontsize="medium",
    )
    fig = ax.get_figure()
    if fig is not None:
        label = "share of the true class" + (" (cells: %)" if normalize and show else "")
        fig.colorbar(image, ax=ax, shrink=0.8, label=label)
    return ax
