"""Pictures of states, dynamics, weights, capacity measurements, sampling experiments and RBMs.

Every function takes plain arrays (and, where it draws into one panel, an optional matplotlib
``Axes``), returns the ``Axes`` or ``Figure`` it drew on, and never calls ``show()``: the
caller decides whether to display, save or embed the picture. Figures are built with
:class:`matplotlib.figure.Figure` directly, not through :mod:`matplotlib.pyplot`, so nothing
here needs a display or touches pyplot's global state; :func:`save_figure` and
:func:`recall_animation` write their files atomically (a temporary file in the same folder,
then :func:`os.replace`), so a crash never leaves a half-written picture behind.

matplotlib is imported inside the functions, so ``import energynets`` stays fast and works
where matplotlib cannot start.

Conventions: a state of spins is drawn with +1 (ink) dark and -1 (background) light; the
tiles of a grid are separated by white gaps.
"""

from __future__ import annotations

import math
import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from energynets._validation import as_float_array, check_float, check_int

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap
    from matplotlib.figure import Figure

__all__ = [
    "autocorrelation_plot",
    "capacity_figure",
    "chain_traces",
    "confusion_matrix_plot",
    "cost_figure",
    "dense_capacity_figure",
    "energy_trace",
    "features_figure",
    "filters_figure",
    "histogram_vs_exact",
    "ising_scan_figure",
    "learning_curve",
    "overlap_trace",
    "pattern_grid",
    "pretraining_figure",
    "rbm_filters",
    "rbm_samples_figure",
    "recall_animation",
    "recall_comparison_figure",
    "recall_figure",
    "sampler_comparison_figure",
    "sampling_figure",
    "save_figure",
    "weight_matrix",
]

_INK = "#16213e"
_PAPER = "#f3efe4"
_GOOD = "#1a7f37"
_BAD = "#c0392b"
_RULE_COLORS = {"hebbian": "#1f77b4", "storkey": "#d62728", "pseudoinverse": "#2ca02c"}
_RULE_MARKERS = {"hebbian": "o", "storkey": "s", "pseudoinverse": "^"}


# -- helpers ----------------------------------------------------------------------------------


def _ink_cmap() -> Colormap:
    """Light paper (-1) to dark ink (+1); NaN (the gaps between tiles) white."""
    from matplotlib.colors import LinearSegmentedColormap

    cmap = LinearSegmentedColormap.from_list("energynets_ink", [_PAPER, _INK])
    return cmap.with_extremes(bad="white")


def _check_shape(shape: Any, n_columns: int, name: str) -> tuple[int, int]:
    """Check an image ``shape`` (height, width) against the ``n_columns`` of ``name``."""
    try:
        height, width = (int(v) for v in shape)
    except (TypeError, ValueError):
        raise TypeError(f"shape must be a pair (height, width) of ints, got {shape!r}") from None
    if height < 1 or width < 1:
        raise ValueError(f"shape must be positive, got {(height, width)}")
    if height * width != n_columns:
        raise ValueError(
            f"{name} must have height * width = {height * width} columns to match shape "
            f"{(height, width)}, got {n_columns}"
        )
    return height, width


def _as_images(x: Any, name: str, shape: Any) -> tuple[np.ndarray, tuple[int, int]]:
    """``x`` as a 2-D float array (n_images, height * width) plus the checked shape."""
    arr = as_float_array(x, name, ndim=(1, 2), dtype=np.float64)
    arr2 = arr[None, :] if arr.ndim == 1 else arr
    return arr2, _check_shape(shape, arr2.shape[1], name)


def _new_axes(figsize: tuple[float, float]) -> Axes:
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig.add_subplot()


def _check_labels(labels: Sequence[Any] | None, n: int, name: str) -> list[str] | None:
    if labels is None:
        return None
    if isinstance(labels, str):
        labels = list(labels)
    out = [str(v) for v in labels]
    if len(out) != n:
        raise ValueError(f"{name} must have {n} entries, one per row, got {len(out)}")
    return out


def _atomic_target(path: str | os.PathLike[str], name: str) -> Path:
    p = Path(path)
    if not p.name:
        raise ValueError(f"{name} must name a file, got {str(path)!r}")
    if not p.parent.is_dir():
        raise FileNotFoundError(f"{name}: the folder {str(p.parent)!r} does not exist")
    return p


def _temporary_sibling(target: Path) -> Path:
    """A fresh hidden name next to ``target``, same suffix (the writers choose the format by
    it); the file is created by the writer, so it gets the usual permissions."""
    return target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}{target.suffix}")


def _mosaic(
    images: np.ndarray, shape: tuple[int, int], n_cols: int, gap: int, row_gap: int
) -> np.ndarray:
    """Tile the rows of ``images`` (n, height * width) into one array, NaN between tiles."""
    height, width = shape
    n = images.shape[0]
    rows = math.ceil(n / n_cols)
    mosaic = np.full(
        (rows * height + (rows - 1) * row_gap, n_cols * width + (n_cols - 1) * gap), np.nan
    )
    for k in range(n):
        r, c = divmod(k, n_cols)
        y0, x0 = r * (height + row_gap), c * (width + gap)
        mosaic[y0 : y0 + height, x0 : x0 + width] = images[k].reshape(height, width)
    return mosaic


def _row_label(ax: Axes, text: str) -> None:
    """A horizontal label left of a row of tiles."""
    ax.set_ylabel(text, rotation=0, ha="right", va="center", fontsize="medium")


# -- states -----------------------------------------------------------------------------------


def pattern_grid(
    patterns: Any,
    shape: Sequence[int],
    *,
    titles: Sequence[Any] | None = None,
    title_colors: Sequence[Any] | None = None,
    n_cols: int | None = None,
    gap: int = 1,
    ax: Axes | None = None,
) -> Axes:
    """Draw states as a grid of images in one panel.

    The images are assembled into one mosaic (white gaps between tiles) and drawn with a single
    ``imshow``, with +1 dark and -1 light on a fixed scale [-1, 1], so real values in between
    (mean states, for instance) show as shades.

    Parameters
    ----------
    patterns : array_like, shape (n_images, height * width) or (height * width,)
        The states, one per row, in row-major (C) order.
    shape : (int, int)
        (height, width) of one image, e.g. :func:`energynets.datasets.glyph_shape`.
    titles : sequence, optional
        One title per image, drawn above its tile.
    title_colors : sequence of colors, optional
        One color per title.
    n_cols : int, optional
        Tiles per row of the grid; default ``min(n_images, 10)``.
    gap : int
        Pixels of white between tiles.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    matplotlib.axes.Axes
    """
    arr, (height, width) = _as_images(patterns, "patterns", shape)
    n = arr.shape[0]
    cols = min(n, 10) if n_cols is None else check_int(n_cols, "n_cols", minimum=1)
    cols = min(cols, n)
    rows = math.ceil(n / cols)
    g = check_int(gap, "gap", minimum=0)
    labels = _check_labels(titles, n, "titles")
    colors = None if title_colors is None else list(title_colors)
    if colors is not None and len(colors) != n:
        raise ValueError(f"title_colors must have {n} entries, got {len(colors)}")
    row_gap = g + (max(2, round(0.3 * height)) if labels is not None and rows > 1 else 0)

    mosaic = _mosaic(arr, (height, width), cols, g, row_gap)
    if ax is None:
        ax = _new_axes((0.75 * cols * width / height + 0.4, 0.85 * rows + 0.5))
    ax.imshow(mosaic, cmap=_ink_cmap(), vmin=-1.0, vmax=1.0, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    if labels is not None:
        for k, text in enumerate(labels):
            r, c = divmod(k, cols)
            ax.text(
                c * (width + g) + (width - 1) / 2,
                r * (height + row_gap) - 0.5 - 0.05 * height,
                text,
                ha="center",
                va="bottom",
                fontsize="small",
                color="black" if colors is None else colors[k],
                clip_on=False,
            )
    return ax


def recall_figure(
    stored: Any,
    corrupted: Any,
    recalled: Any,
    shape: Sequence[int],
    labels: Sequence[Any] | None = None,
    *,
    title: str | None = None,
) -> Figure:
    """Rows of images: the stored patterns, the corrupted probes and what was recalled.

    Above each probe and each recalled state is its overlap m = s . xi / N with the stored
    pattern of its column; a recalled state is titled in green when it equals that pattern
    exactly and in red otherwise.

    Parameters
    ----------
    stored, corrupted : array_like, shape (n_patterns, height * width)
        Spins +-1, row k of each belonging to pattern k.
    recalled : array_like, shape (n_patterns, height * width), or dict of them
        The final states. A dict ``{row name: states}`` draws one row per entry, e.g. one per
        learning rule (``{"hebbian": ..., "pseudoinverse": ...}``), to compare them.
    shape : (int, int)
        (height, width) of one image.
    labels : sequence of str, optional
        Names of the patterns (e.g. the letters), drawn above the stored row.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Three rows (or two plus one per entry of ``recalled``), each row one Axes.
    """
    from matplotlib.figure import Figure

    xi, (height, width) = _as_images(stored, "stored", shape)
    named = recalled if isinstance(recalled, Mapping) else {"recalled": recalled}
    if not named:
        raise ValueError("recalled must hold at least one array of states, got an empty dict")
    rows: dict[str, np.ndarray] = {}
    for name, value in [("corrupted", corrupted), *named.items()]:
        what = "recalled" if name != "corrupted" and len(named) == 1 else str(name)
        arr, _ = _as_images(value, what, shape)
        if arr.shape != xi.shape:
            raise ValueError(f"{what} must have the shape of stored {xi.shape}, got {arr.shape}")
        rows[str(name)] = arr
    n = xi.shape[0]
    names = _check_labels(labels, n, "labels")
    n_units = height * width

    n_rows = 1 + len(rows)
    fig = Figure(
        figsize=(
            max(3.5, 0.78 * n * width / height + 1.6),
            n_rows * 0.95 + 0.9 + 0.3 * bool(title),
        ),
        layout="constrained",
    )
    axes = fig.subplots(n_rows, 1, squeeze=False)[:, 0]
    pattern_grid(xi, (height, width), titles=names, n_cols=n, ax=axes[0])
    _row_label(axes[0], "stored")
    for ax, (name, states) in zip(axes[1:], rows.items(), strict=True):
        m = np.sum(states * xi, axis=1) / n_units
        colors = None
        if ax is not axes[1]:  # the recalled rows: green when exact, red otherwise
            colors = [_GOOD if ok else _BAD for ok in np.all(states == xi, axis=1)]
        pattern_grid(
            states,
            (height, width),
            titles=[f"m = {v:.2f}" for v in m],
            title_colors=colors,
            n_cols=n,
            ax=ax,
        )
        _row_label(ax, name)
    if title:
        fig.suptitle(title, fontsize="medium")
    return fig


# -- dynamics ---------------------------------------------------------------------------------


def _sweep_positions(sweeps: Any, n_rows: int) -> tuple[np.ndarray, bool]:
    """x positions of ``n_rows`` rows (default 0, 1, 2, ...) and whether they are the default."""
    if sweeps is None:
        return np.arange(n_rows, dtype=np.float64), True
    x = as_float_array(sweeps, "sweeps", ndim=1, dtype=np.float64)
    if x.shape[0] != n_rows:
        raise ValueError(f"sweeps must have one entry per row ({n_rows}), got {x.shape[0]}")
    return x, False


def _line_style(n_rows: int) -> dict[str, Any]:
    """Markers on short series (one point per sweep), plain lines on long ones."""
    return {"marker": "o", "markersize": 4} if n_rows <= 40 else {}


def energy_trace(
    energies: Any,
    ax: Axes | None = None,
    *,
    labels: Sequence[Any] | None = None,
    sweeps: Any = None,
) -> Axes:
    """Energy along the dynamics, one line per probe.

    Parameters
    ----------
    energies : array_like, shape (n_rows, n_probes) or (n_rows,)
        Row 0 is the energy of the probes, row t the energy after sweep t, as in
        :attr:`energynets.RecallResult.energies`.
    ax : matplotlib.axes.Axes, optional
    labels : sequence of str, optional
        One legend entry per probe.
    sweeps : array_like, shape (n_rows,), optional
        Where each row lies in sweeps, for finer records (e.g. ``arange(n_rows) / N`` for a
        record after every unit update); default 0, 1, 2, ...

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.ticker import MaxNLocator

    e = as_float_array(energies, "energies", ndim=(1, 2), dtype=np.float64)
    e2 = e[:, None] if e.ndim == 1 else e
    names = _check_labels(labels, e2.shape[1], "labels")
    x, integer = _sweep_positions(sweeps, e2.shape[0])
    if ax is None:
        ax = _new_axes((4.8, 3.4))
    for k in range(e2.shape[1]):
        ax.plot(
            x,
            e2[:, k],
            linewidth=1.5,
            label=None if names is None else names[k],
            **_line_style(e2.shape[0]),
        )
    ax.set_xlabel("sweep")
    ax.set_ylabel("energy E(s)")
    if integer:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    if names is not None:
        ax.legend(fontsize="small", ncols=max(1, math.ceil(len(names) / 8)))
    return ax


def overlap_trace(
    overlaps: Any,
    ax: Axes | None = None,
    *,
    labels: Sequence[Any] | None = None,
    targets: Any = None,
    sweeps: Any = None,
) -> Axes:
    """Overlaps m = s . xi / N with the stored patterns along the dynamics.

    Parameters
    ----------
    overlaps : array_like, shape (n_rows, n_probes, n_patterns) or (n_rows, n_patterns)
        As in :attr:`energynets.RecallResult.overlaps` (row 0 before the first sweep). A 3-D
        array draws, for every probe, its overlap with its target pattern (solid) and its
        largest overlap with any other pattern (dotted, same color: the crosstalk). A 2-D
        array (one probe) draws one line per pattern.
    ax : matplotlib.axes.Axes, optional
    labels : sequence of str, optional
        Legend entries: one per probe (3-D) or per pattern (2-D).
    targets : array_like of int, shape (n_probes,), optional
        3-D only: the pattern each probe is meant to recall. Default: probe k -> pattern k when
        there are as many probes as patterns, else the pattern of largest final overlap.
    sweeps : array_like, shape (n_rows,), optional
        Where each row lies in sweeps; default 0, 1, 2, ...

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    m = as_float_array(overlaps, "overlaps", ndim=(2, 3), dtype=np.float64)
    x, integer = _sweep_positions(sweeps, m.shape[0])
    style = _line_style(m.shape[0])
    if ax is None:
        ax = _new_axes((4.8, 3.4))
    handles: list[Any] = []
    if m.ndim == 2:
        names = _check_labels(labels, m.shape[1], "labels")
        for j in range(m.shape[1]):
            ax.plot(x, m[:, j], label=None if names is None else names[j], **style)
        if names is not None:
            handles, _ = ax.get_legend_handles_labels()
    else:
        n_probes, n_patterns = m.shape[1], m.shape[2]
        names = _check_labels(labels, n_probes, "labels")
        if targets is None:
            if n_probes == n_patterns:
                tgt = np.arange(n_probes)
            else:
                tgt = np.argmax(np.abs(m[-1]), axis=1)
        else:
            tgt = np.asarray(targets)
            if tgt.shape != (n_probes,) or not np.issubdtype(tgt.dtype, np.integer):
                raise ValueError(
                    f"targets must be {n_probes} pattern indices (ints), got {tgt!r}"[:200]
                )
            if np.any((tgt < 0) | (tgt >= n_patterns)):
                raise ValueError(f"targets must lie in [0, {n_patterns - 1}], got {tgt}")
        for k in range(n_probes):
            (line,) = ax.plot(
                x, m[:, k, tgt[k]], label=None if names is None else names[k], **style
            )
            if n_patterns > 1:
                others = np.delete(m[:, k, :], tgt[k], axis=1)
                ax.plot(x, others.max(axis=1), linestyle=":", linewidth=1.2, color=line.get_color())
        if names is not None:
            handles, _ = ax.get_legend_handles_labels()
        if n_patterns > 1:
            handles.append(
                Line2D([], [], color="grey", linestyle=":", label="largest other overlap")
            )
    if handles:
        ax.legend(handles=handles, fontsize="small", ncols=max(1, math.ceil(len(handles) / 8)))
    ax.set_xlabel("sweep")
    ax.set_ylabel("overlap m")
    ax.set_ylim(min(-0.05, float(m.min()) - 0.05), 1.05)
    ax.axhline(1.0, color="black", linewidth=0.6, alpha=0.4)
    if integer:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    return ax


def weight_matrix(
    weights: Any,
    ax: Axes | None = None,
    *,
    colorbar: bool = True,
    title: str | None = None,
) -> Axes:
    """Show a weight matrix on a symmetric diverging color scale (red positive, blue negative).

    Parameters
    ----------
    weights : array_like, shape (n_rows, n_cols)
        Any 2-D matrix (a Hopfield W is square; an RBM's is n_visible x n_hidden).
    ax : matplotlib.axes.Axes, optional
    colorbar : bool
        Add a color bar to the figure of ``ax``.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    w = as_float_array(weights, "weights", ndim=2, dtype=np.float64)
    if ax is None:
        ax = _new_axes((4.6, 3.8))
    vmax = float(np.max(np.abs(w)))
    vmax = vmax if vmax > 0 else 1.0
    image = ax.imshow(w, cmap="RdBu_r", vmin=-vmax, vmax=vmax, interpolation="nearest")
    ax.set_xlabel("unit j")
    ax.set_ylabel("unit i")
    if title:
        ax.set_title(title)
    if colorbar:
        fig = ax.get_figure()
        if fig is not None:
            fig.colorbar(image, ax=ax, shrink=0.85, label="$W_{ij}$")
    return ax


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
    n_visible, n_hidden = w.shape
    height, width = _check_shape(shape, n_visible, "weights (rows: visible units)")
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
    filters = filters / np.where(peak > 0, peak, 1.0)
    cols = math.ceil(math.sqrt(n)) if n_cols is None else check_int(n_cols, "n_cols", minimum=1)
    cols = min(cols, n)
    rows = math.ceil(n / cols)
    g = check_int(gap, "gap", minimum=0)
    mosaic = _mosaic(filters, (height, width), cols, g, g)
    if ax is None:
        side = 0.55 if max(height, width) <= 8 else 0.8  # inches per tile
        ax = _new_axes(
            (max(4.5, side * cols * width / height + 0.6), side * rows + 0.6 + 0.3 * bool(title))
        )
    cmap = colormaps["RdBu_r"].with_extremes(bad="white")
    ax.imshow(mosaic, cmap=cmap, vmin=-1.0, vmax=1.0, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title, fontsize="medium")
    return ax


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
    train = _series(history, train_key, None)
    n = train.shape[0]
    epochs = _series(history, "epoch", n) + 1.0 if "epoch" in history else np.arange(1.0, n + 1.0)
    if ax is None:
        ax = _new_axes((4.8, 3.4))
    style = _line_style(n)
    ax.plot(epochs, train, color=_INK, linewidth=1.5, label="training", **style)
    if valid_key in history:
        valid = _series(history, valid_key, n)
        ax.plot(epochs, valid, color=_BAD, linewidth=1.5, label="validation", **style)
    if optimum is not None:
        best = check_float(optimum, "optimum")
        ax.axhline(best, color=_GOOD, linestyle="--", linewidth=1.2, label=optimum_label)
    ax.set_xlabel("epoch")
    ax.set_ylabel(label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    if valid_key in history or optimum is not None:
        ax.legend(fontsize="small")
    if title:
        ax.set_title(title, fontsize="medium")
    return ax


# -- feedforward networks --------------------------------------------------------------------


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
    names = _check_labels(class_names, k, "class_names")
    if names is None:
        names = [str(c) for c in range(k)]
    counts = np.bincount(true * k + pred, minlength=k * k).reshape(k, k)
    totals = counts.sum(axis=1, keepdims=True)
    shares = counts / np.where(totals > 0, totals, 1)
    show = (k <= 20) if annotate is None else bool(annotate)
    if ax is None:
        side = min(9.0, 1.6 + 0.45 * k)
        ax = _new_axes((side + 0.9, side))
    image = ax.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0, interpolation="nearest")
    if show:
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
    ticks = np.arange(k)
    if max(len(n) for n in names) > 2:  # words, not digits: slanted
        ax.set_xticks(ticks, names, rotation=45, ha="right", rotation_mode="anchor")
    else:
        ax.set_xticks(ticks, names)
    ax.set_yticks(ticks, names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    accuracy = float(np.trace(counts)) / float(true.shape[0])
    ax.set_title(
        title if title is not None else f"accuracy {accuracy:.2%} ({true.shape[0]} samples)",
        fontsize="medium",
    )
    fig = ax.get_figure()
    if fig is not None:
        label = "share of the true class" + (" (cells: %)" if normalize and show else "")
        fig.colorbar(image, ax=ax, shrink=0.8, label=label)
    return ax


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
    from matplotlib.figure import Figure

    s = as_float_array(samples, "samples", ndim=3, dtype=np.float64)
    n_records, n_chains, n_visible = s.shape
    height, width = _check_shape(shape, n_visible, "samples")
    if s.size and (s.min() < 0.0 or s.max() > 1.0):
        raise ValueError(
            f"samples must lie in [0, 1] (bits or probabilities), got values in "
            f"[{s.min():g}, {s.max():g}]"
        )
    labels = _check_labels(steps, n_records, "steps")
    rows = [("step " + labels[r] if labels else f"record {r + 1}", s[r]) for r in range(n_records)]
    if data is not None:
        d, _ = _as_images(data, "data", (height, width))
        if d.min() < 0.0 or d.max() > 1.0:
            raise ValueError(f"data must lie in [0, 1], got values in [{d.min():g}, {d.max():g}]")
        rows.insert(0, ("data", d[:n_chains]))
    fig = Figure(
        figsize=(
            max(3.5, 0.7 * n_chains * width / height + 1.4),
            0.8 * len(rows) + 0.4 + 0.3 * bool(title),
        ),
        layout="constrained",
    )
    axes = fig.subplots(len(rows), 1, squeeze=False)[:, 0]
    for ax, (name, images) in zip(axes, rows, strict=True):
        pattern_grid(2.0 * images - 1.0, (height, width), n_cols=n_chains, ax=ax)
        _row_label(ax, name)
    if title:
        fig.suptitle(title, fontsize="medium")
    return fig


# -- capacity ---------------------------------------------------------------------------------

_CAPACITY_PANELS = (
    ("one_step_error", "one-step bit error", "fraction of stored bits unstable"),
    ("fraction_fixed", "patterns that are fixed points", "fraction of patterns"),
    ("fraction_recalled", "recall from noisy probes", "fraction recalled exactly"),
    ("error_after_relax", "bit error after relaxing from a pattern", "fraction of bits wrong"),
)
_REQUIRED_KEYS = ("rule", "n_units", "alpha", *(p[0] for p in _CAPACITY_PANELS))


def capacity_figure(result: Any, *, title: str | None = None) -> Figure:
    """Four panels of a capacity experiment against the load alpha = P / N.

    Panels: the one-step bit error with the Hebbian law P_err = 1/2 erfc(sqrt(1 / (2 alpha)))
    (Hertz, Krogh & Palmer 1991, eq. 2.13); the fraction of stored patterns that are fixed
    points; the fraction of noisy probes recalled exactly; and the fraction of wrong bits after
    relaxing from a stored pattern. Every panel shows each rule as one line, and vertical
    lines at the critical load alpha_c = 0.138 (Amit, Gutfreund & Sompolinsky 1985), at the
    McEliece et al. (1987) loads 1 / (2 ln N) and 1 / (4 ln N), and at the Storkey (1997) load
    1 / sqrt(2 ln N) (the N-dependent lines only when every record has the same N).

    Parameters
    ----------
    result : energynets.experiments.capacity.CapacityResult
        Or any object with ``records``, a list of dicts with the keys ``"rule"``,
        ``"n_units"``, ``"alpha"``, ``"one_step_error"``, ``"fraction_fixed"``,
        ``"fraction_recalled"`` and ``"error_after_relax"``. An optional ``settings`` dict
        with ``"flip_fraction"`` adds the noise level to the recall panel's title.
    title : str, optional
        Figure title; default names N.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from energynets.experiments.capacity import (
        ALPHA_C,
        mceliece_capacity,
        one_step_error_theory,
        storkey_capacity,
    )

    records = getattr(result, "records", None)
    if not isinstance(records, list) or not records:
        raise ValueError(
            "result must have a non-empty list of records (a CapacityResult), got "
            f"{type(result).__name__}"
        )
    for r in records:
        missing = [k for k in _REQUIRED_KEYS if not isinstance(r, dict) or k not in r]
        if missing:
            raise ValueError(f"every record of result must have the keys {missing}, got {r!r}")
    rules = list(dict.fromkeys(str(r["rule"]) for r in records))
    n_values = sorted({int(r["n_units"]) for r in records})
    alphas_all = np.array([float(r["alpha"]) for r in records])
    settings = getattr(result, "settings", None)
    flip = settings.get("flip_fraction") if isinstance(settings, dict) else None

    fig = Figure(figsize=(10.0, 7.4), layout="constrained")
    axes = fig.subplots(2, 2, sharex=True)
    palette = iter(["#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"])
    colors = {rule: _RULE_COLORS.get(rule) or next(palette, "black") for rule in rules}
    for ax, (key, panel_title, ylabel) in zip(axes.ravel(), _CAPACITY_PANELS, strict=True):
        for rule in rules:
            rows = sorted((r for r in records if str(r["rule"]) == rule), key=lambda r: r["alpha"])
            ax.plot(
                [float(r["alpha"]) for r in rows],
                [float(r[key]) for r in rows],
                marker=_RULE_MARKERS.get(rule, "o"),
                markersize=5,
                linewidth=1.6,
                color=colors[rule],
                label=rule,
            )
        if key == "fraction_recalled" and isinstance(flip, int | float):
            panel_title += f" ({100 * flip:.0f}% of bits flipped)"
        ax.set_title(panel_title, fontsize="medium")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("load α = P / N")
    for ax in (axes[0, 1], axes[1, 0]):
        ax.set_ylim(-0.03, 1.03)

    # the Hebbian one-step error law
    a_max = float(alphas_all.max())
    grid = np.linspace(min(0.005, float(alphas_all.min())), a_max, 300)
    handles: list[Any] = []
    theory = axes[0, 0].plot(
        grid, one_step_error_theory(grid), color="black", linewidth=1.0, linestyle="-", zorder=1
    )[0]
    theory.set_label("Hebbian theory: ½ erfc(√(1 / 2α))")

    # vertical reference loads
    marks: list[tuple[float, str, str, Any]] = [
        (ALPHA_C, f"α_c = {ALPHA_C} (Amit et al. 1985)", "black", (0, (5, 3)))
    ]
    if len(n_values) == 1:
        n = n_values[0]
        marks += [
            (
                mceliece_capacity(n) / n,
                f"McEliece 1 / (2 ln N) = {mceliece_capacity(n) / n:.3f}",
                "#1f77b4",
                (0, (1, 2)),
            ),
            (
                mceliece_capacity(n, all_patterns=True) / n,
                f"McEliece, all patterns, 1 / (4 ln N) = "
                f"{mceliece_capacity(n, all_patterns=True) / n:.3f}",
                "#1f77b4",
                (0, (4, 2, 1, 2)),
            ),
            (
                storkey_capacity(n) / n,
                f"Storkey 1 / √(2 ln N) = {storkey_capacity(n) / n:.3f}",
                "#d62728",
                (0, (1, 2)),
            ),
        ]
    for ax in axes.ravel():
        for x, _, color, style in marks:
            ax.axvline(x, color=color, linestyle=style, linewidth=1.1, alpha=0.8, zorder=0)
    x_right = max(a_max, *(x for x, *_ in marks))
    axes[0, 0].set_xlim(0.0, 1.04 * x_right)

    for rule in rules:
        handles.append(
            Line2D(
                [],
                [],
                color=colors[rule],
                marker=_RULE_MARKERS.get(rule, "o"),
                markersize=5,
                label=rule,
            )
        )
    handles.append(theory)
    for _, label, color, style in marks:
        handles.append(Line2D([], [], color=color, linestyle=style, linewidth=1.1, label=label))
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize="small")
    if title is None:
        n_text = ", ".join(str(v) for v in n_values)
        title = f"Storage capacity of the Hopfield network, N = {n_text}"
    fig.suptitle(title)
    return fig


_DENSE_COLORS = {
    "hebbian": "#1f77b4",
    "storkey": "#d62728",
    "pseudoinverse": "#2ca02c",
    "exponential": "#9467bd",
    "modern": "#e377c2",
}
_DENSE_PALETTE = ("#ff7f0e", "#8c564b", "#17becf", "#bcbd22", "#7f7f7f", "#000000")
_DENSE_REQUIRED = ("model", "n_units", "n_patterns", "fraction_fixed", "fraction_recalled")


def _dense_prediction(model: str, n_units: int, flip: float) -> tuple[float, str] | None:
    """The published capacity of one model at N units, and its label; None when there is none."""
    from energynets.experiments.capacity import (
        demircigil_capacity,
        krotov_hopfield_capacity,
        mceliece_capacity,
        storkey_capacity,
    )

    if model == "hebbian":
        return mceliece_capacity(n_units), "McEliece N / (2 ln N)"
    if model == "storkey":
        return storkey_capacity(n_units), "Storkey N / √(2 ln N)"
    if model == "exponential":
        return demircigil_capacity(n_units, flip), "Demircigil exp(N I(1-2ρ) / 2)"
    kind, _, degree = model.partition("-")
    if kind in ("polynomial", "rectified") and degree.isdigit():
        n = int(degree)
        return (
            krotov_hopfield_capacity(n_units, n),
            f"Krotov-Hopfield N^{n - 1} / (2 ({2 * n - 3})!! ln N)",
        )
    return None


def dense_capacity_figure(result: Any, *, title: str | None = None) -> Figure:
    """Capacity of classical, dense and modern memories against the number of patterns P.

    Two panels on a logarithmic P axis: the fraction of stored patterns that are fixed points
    and the fraction of noisy probes recalled exactly, one line per model. Dashed vertical
    lines in each model's color mark its published capacity at the result's N: McEliece et
    al. (1987) N / (2 ln N) for the Hebbian rule, Storkey (1997) N / sqrt(2 ln N), Krotov &
    Hopfield (2016) N^(n-1) / (2 (2n-3)!! ln N) for F(z) = z^n (also drawn for the rectified
    polynomial), and Demircigil et al. (2017) exp(N I(1 - 2 rho) / 2) for F(z) = exp(z) at
    the probes' noise rho; a capacity beyond the measured range is named in the legend with
    its value instead ("off scale").

    Parameters
    ----------
    result : energynets.experiments.capacity.DenseCapacityResult
        Or any object with ``records`` (dicts with ``"model"``, ``"n_units"``,
        ``"n_patterns"``, ``"fraction_fixed"``, ``"fraction_recalled"``) and optional
        ``settings`` with ``"flip_fraction"``.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    records = getattr(result, "records", None)
    if not isinstance(records, list) or not records:
        raise ValueError(
            "result must have a non-empty list of records (a DenseCapacityResult), got "
            f"{type(result).__name__}"
        )
    for r in records:
        missing = [k for k in _DENSE_REQUIRED if not isinstance(r, dict) or k not in r]
        if missing:
            raise ValueError(f"every record of result must have the keys {missing}, got {r!r}")
    settings = getattr(result, "settings", None)
    flip = settings.get("flip_fraction", 0.0) if isinstance(settings, dict) else 0.0
    flip = float(flip) if isinstance(flip, int | float) and 0 <= flip < 0.5 else 0.0
    models = list(dict.fromkeys(str(r["model"]) for r in records))
    n_values = sorted({int(r["n_units"]) for r in records})
    loads = np.array([float(r["n_patterns"]) for r in records])
    lo, hi = float(loads.min()), float(loads.max())

    fig = Figure(figsize=(10.0, 4.8), layout="constrained")
    axes = fig.subplots(1, 2, sharex=True, sharey=True)
    palette = iter(_DENSE_PALETTE)
    colors = {m: _DENSE_COLORS.get(m) or next(palette, "black") for m in models}
    panels = (
        ("fraction_fixed", "stored patterns that are fixed points"),
        ("fraction_recalled", f"probes recalled exactly ({100 * flip:.0f}% of bits flipped)"),
    )
    for ax, (key, panel_title) in zip(axes, panels, strict=True):
        for model in models:
            rows = sorted(
                (r for r in records if str(r["model"]) == model), key=lambda r: r["n_patterns"]
            )
            ax.plot(
                [float(r["n_patterns"]) for r in rows],
                [float(r[key]) for r in rows],
                marker="o",
                markersize=4,
                linewidth=1.6,
                color=colors[model],
            )
        ax.set_xscale("log")
        ax.set_title(panel_title, fontsize="medium")
        ax.set_xlabel("stored patterns P")
        ax.set_ylim(-0.03, 1.03)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("fraction")

    handles: list[Any] = [Line2D([], [], color=colors[m], marker="o", label=m) for m in models]
    if len(n_values) == 1:
        n = n_values[0]
        for model in models:
            pred = _dense_prediction(model, n, flip)
            if pred is None:
                continue
            value, label = pred
            if lo / 2 <= value <= hi * 2:
                for ax in axes:
                    ax.axvline(value, color=colors[model], linestyle="--", linewidth=1.1)
                text = f"{label} = {value:.3g}"
            else:
                text = f"{label} = {value:.3g} (off scale)"
            handles.append(
                Line2D([], [], color=colors[model], linestyle="--", linewidth=1.1, label=text)
            )
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize="small")
    if title is None:
        n_text = ", ".join(str(v) for v in n_values)
        title = f"Classical, dense and modern Hopfield memories, N = {n_text}"
    fig.suptitle(title)
    return fig


# -- sampling ---------------------------------------------------------------------------------

_SAMPLER_COLORS = {
    "gibbs": "#1f77b4",
    "metropolis": "#ff7f0e",
    "checkerboard": "#2ca02c",
    "tempering": "#d62728",
}


def _sampler_color(name: str, k: int) -> str:
    fallback = ["#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
    return _SAMPLER_COLORS.get(name, fallback[k % len(fallback)])


def chain_traces(
    values: Any,
    ax: Axes | None = None,
    *,
    x: Any = None,
    burn_in: float | None = None,
    max_chains: int = 8,
    ylabel: str = "energy E(s)",
    xlabel: str = "sweep",
    reference: float | None = None,
    reference_label: str | None = None,
    color: str | None = None,
    label: str | None = None,
) -> Axes:
    """Traces of a scalar along many chains: a few chains thin, the mean over chains bold.

    Parameters
    ----------
    values : array_like, shape (n_rows, n_chains) or (n_rows,)
        One row per sweep (row 0 the starting states), e.g. ``SampleResult.energies``.
    ax : matplotlib.axes.Axes, optional
    x : array_like, shape (n_rows,), optional
        Where each row lies (default 0, 1, 2, ...), e.g. the budget spent in sweep-equivalents.
    burn_in : float, optional
        Shade the x range [x[0], burn_in]: the rows left out of the statistics.
    max_chains : int >= 0
        How many individual chains to draw (the first ones).
    ylabel, xlabel : str
    reference : float, optional
        A horizontal line, e.g. the exact mean or the ground-state energy.
    reference_label : str, optional
        Its legend entry.
    color : str, optional
        One color for the chains and their mean (default: matplotlib's cycle per chain, the
        mean black).
    label : str, optional
        Legend entry of the mean.

    Returns
    -------
    matplotlib.axes.Axes
    """
    v = as_float_array(values, "values", ndim=(1, 2), dtype=np.float64)
    v2 = v[:, None] if v.ndim == 1 else v
    xs, _ = _sweep_positions(x, v2.shape[0])
    n_show = min(check_int(max_chains, "max_chains", minimum=0), v2.shape[1])
    if ax is None:
        ax = _new_axes((5.2, 3.4))
    for c in range(n_show):
        ax.plot(xs, v2[:, c], linewidth=0.7, alpha=0.45, color=color)
    mean_label = label if label is not None else ("mean over chains" if v2.shape[1] > 1 else None)
    ax.plot(xs, v2.mean(axis=1), linewidth=1.8, color=color or "black", label=mean_label)
    if burn_in is not None:
        b = check_float(burn_in, "burn_in", minimum=float(xs[0]))
        ax.axvspan(float(xs[0]), b, color="0.85", alpha=0.6, zorder=0, label="burn-in")
    if reference is not None:
        ax.axhline(
            check_float(reference, "reference"),
            color=_BAD,
            linestyle="--",
            linewidth=1.2,
            label=reference_label,
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[1]:
        ax.legend(fontsize="small")
    return ax


def autocorrelation_plot(
    rho: Any,
    ax: Axes | None = None,
    *,
    labels: Sequence[Any] | None = None,
    taus: Sequence[float] | None = None,
    lag_scale: Sequence[float] | None = None,
    xlabel: str = "lag (sweeps)",
) -> Axes:
    """Normalised autocorrelation functions rho(t) against the lag t.

    Parameters
    ----------
    rho : array_like, shape (n_lags,), or sequence of them, or dict of label to them
        rho(0) = 1, rho(1), ... as from :func:`energynets.sampling.diagnostics.autocorrelation`.
        Series may have different lengths.
    ax : matplotlib.axes.Axes, optional
    labels : sequence of str, optional
        One per series (the keys when ``rho`` is a dict).
    taus : sequence of float, optional
        One integrated autocorrelation time per series, added to its legend entry.
    lag_scale : sequence of float, optional
        One factor per series by which its lags are multiplied (e.g. the replicas of parallel
        tempering, to draw lags in sweep-equivalents); default 1.
    xlabel : str

    Returns
    -------
    matplotlib.axes.Axes
    """
    names: list[str] | None = None
    if isinstance(rho, Mapping):
        names = [str(k) for k in rho]
        raw = list(rho.values())
    elif isinstance(rho, list | tuple) and rho and np.ndim(rho[0]) == 1:
        raw = list(rho)
    else:
        raw = [rho]
    series = [as_float_array(r, "rho", ndim=1, dtype=np.float64, finite=False) for r in raw]
    if labels is not None:
        names = _check_labels(labels, len(series), "labels")
    if taus is not None and len(taus) != len(series):
        raise ValueError(f"taus must have {len(series)} entries, one per series, got {len(taus)}")
    if lag_scale is not None and len(lag_scale) != len(series):
        raise ValueError(
            f"lag_scale must have {len(series)} entries, one per series, got {len(lag_scale)}"
        )
    if ax is None:
        ax = _new_axes((4.8, 3.4))
    for k, r in enumerate(series):
        scale = 1.0 if lag_scale is None else float(lag_scale[k])
        text = None if names is None else names[k]
        if taus is not None and np.isfinite(taus[k]):
            text = f"{text + ': ' if text else ''}τ = {taus[k]:.3g}"
        color = _sampler_color(names[k], k) if names is not None else None
        ax.plot(np.arange(r.size) * scale, r, linewidth=1.5, label=text, color=color)
    ax.axhline(0.0, color="black", linewidth=0.6)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("autocorrelation ρ(t)")
    ax.set_ylim(-0.25, 1.05)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[1]:
        ax.legend(fontsize="small")
    return ax


def histogram_vs_exact(
    counts: Any,
    probabilities: Any,
    ax: Axes | None = None,
    *,
    levels: Any = None,
    p_value: float | None = None,
    max_cells: int = 64,
    max_levels: int = 60,
) -> Axes:
    """Sampled frequencies (bars) against the exact probabilities (markers).

    Parameters
    ----------
    counts : array_like, shape (n_cells,)
        How many samples fell in each cell (a state or an energy level).
    probabilities : array_like, shape (n_cells,)
        The exact probability of each cell, e.g. from :func:`energynets.exact.probabilities`.
    ax : matplotlib.axes.Axes, optional
    levels : array_like, shape (n_cells,), optional
        The energy of each cell: the cells are then drawn against energy. Without it the cells
        are states, drawn in order of decreasing exact probability (the ``max_cells`` most
        probable).
    p_value : float, optional
        The chi-square p-value, shown in the title.
    max_cells : int >= 1
        States only: how many to draw.
    max_levels : int >= 1
        Energies only: with more distinct levels than this (continuous couplings), the
        levels are summed into 40 equal energy bins, sampled and exact alike.

    Returns
    -------
    matplotlib.axes.Axes
    """
    n = as_float_array(counts, "counts", ndim=1, dtype=np.float64)
    p = as_float_array(probabilities, "probabilities", ndim=1, dtype=np.float64)
    if n.shape != p.shape:
        raise ValueError(
            f"counts and probabilities must have the same shape, got {n.shape} and {p.shape}"
        )
    total = float(n.sum())
    freq = n / total if total > 0 else n
    if ax is None:
        ax = _new_axes((5.2, 3.4))
    if levels is not None:
        e = as_float_array(levels, "levels", ndim=1, dtype=np.float64)
        if e.shape != n.shape:
            raise ValueError(f"levels must have shape {n.shape} like counts, got {e.shape}")
        if e.size > max_levels:
            # many distinct levels (continuous couplings): sum both sides over energy bins
            edges = np.linspace(float(e.min()), float(e.max()), 41)
            freq, _ = np.histogram(e, bins=edges, weights=freq)
            p, _ = np.histogram(e, bins=edges, weights=p)
            e = 0.5 * (edges[1:] + edges[:-1])
        width = 0.8 * float(np.min(np.diff(np.sort(e)))) if e.size > 1 else 1.0
        ax.bar(e, freq, width=width, color="#9ecae1", edgecolor="#3182bd", label="sampled")
        ax.plot(e, p, "o", color=_BAD, markersize=5, label="exact")
        ax.set_xlabel("energy E")
        ax.set_ylabel("probability")
    else:
        order = np.argsort(-p, kind="stable")[: check_int(max_cells, "max_cells", minimum=1)]
        rank = np.arange(order.size)
        ax.bar(rank, freq[order], width=0.85, color="#9ecae1", edgecolor="#3182bd", label="sampled")
        ax.plot(rank, p[order], "_", color=_BAD, markersize=9, markeredgewidth=2, label="exact")
        ax.set_xlabel(f"state, by exact probability ({order.size} most probable of {p.size})")
        ax.set_ylabel("probability")
    title = f"{int(total)} samples vs exact"
    if p_value is not None and np.isfinite(p_value):
        title += f": χ² p = {p_value:.3g}"
    ax.set_title(title, fontsize="medium")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize="small")
    return ax


def sampling_figure(result: Any, *, title: str | None = None) -> Figure:
    """Four panels of a sampling run: energy and magnetisation traces, autocorrelation, and
    the sampled distribution (against the exact one for small systems).

    Parameters
    ----------
    result : energynets.experiments.sampling.SampleResult
    title : str, optional
        Default: the system, sampler and temperature.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    for name in ("energies", "magnetisations", "autocorrelations", "records", "settings"):
        if not hasattr(result, name):
            raise ValueError(
                f"result must be a SampleResult (missing {name!r}), got {type(result).__name__}"
            )
    s = result.settings
    burn = s.get("burn_in")
    fig = Figure(figsize=(10.5, 7.2), layout="constrained")
    axes = fig.subplots(2, 2)
    chain_traces(result.energies, axes[0, 0], burn_in=burn, max_chains=4)
    axes[0, 0].set_title("energy along the chains (4 of them, and the mean)", fontsize="medium")
    chain_traces(
        result.magnetisations, axes[0, 1], burn_in=burn, ylabel="magnetisation m", max_chains=4
    )
    axes[0, 1].set_title("magnetisation m = (1/N) Σ s_i", fontsize="medium")
    taus = [r["tau"] for r in result.records if r["observable"] in result.autocorrelations]
    autocorrelation_plot(result.autocorrelations, axes[1, 0], taus=taus)
    axes[1, 0].set_title("autocorrelation after burn-in", fontsize="medium")
    hist = getattr(result, "histogram", None)
    if hist is not None:
        histogram_vs_exact(
            hist.counts,
            hist.probabilities,
            axes[1, 1],
            levels=hist.labels if hist.kind == "energies" else None,
            p_value=hist.p_value,
        )
    else:
        e = np.asarray(result.energies)[(burn or 0) + 1 :].ravel()
        levels, counts = np.unique(np.round(e, 6), return_counts=True)
        if levels.size <= 100:  # discrete energies (a lattice): one bar per level
            width = 0.8 * float(np.min(np.diff(levels))) if levels.size > 1 else 1.0
            axes[1, 1].bar(levels, counts, width=width, color="#9ecae1", edgecolor="#3182bd")
        else:
            axes[1, 1].hist(e, bins=40, color="#9ecae1", edgecolor="#3182bd")
        axes[1, 1].set_xlabel("energy E")
        axes[1, 1].set_ylabel("samples")
        axes[1, 1].set_title("sampled energies (no exact check above 16 units)", fontsize="medium")
        axes[1, 1].grid(alpha=0.3, axis="y")
    if title is None:
        title = (
            f"{s.get('system_label', 'system')}: {s.get('sampler')} at T = "
            f"{s.get('temperature', float('nan')):g}, {s.get('n_chains')} chains"
        )
    fig.suptitle(title)
    return fig


def ising_scan_figure(result: Any, *, title: str | None = None) -> Figure:
    """The 2D Ising model against temperature: ``<|m|>``, energy, heat capacity, susceptibility.

    Each panel shows the measurements with their error bars and Onsager's critical
    temperature T_c = 2 / ln(1 + sqrt 2) = 2.269; the magnetisation panel the exact
    spontaneous magnetisation (1 - sinh(2/T)^-4)^(1/8) of the infinite lattice (Yang 1952),
    the energy panel Onsager's exact energy per spin, and the heat-capacity panel its
    derivative du/dT (which diverges logarithmically at T_c).

    Parameters
    ----------
    result : energynets.experiments.sampling.IsingScanResult
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    from energynets.experiments.sampling import ONSAGER_TC, onsager_energy, onsager_magnetisation

    if not hasattr(result, "column") or not getattr(result, "records", None):
        raise ValueError(
            "result must be an IsingScanResult with at least one record, got "
            f"{type(result).__name__}"
        )
    t = result.column("temperature")
    t_lo = min(float(t.min()), ONSAGER_TC) - 0.05
    t_hi = max(float(t.max()), ONSAGER_TC) + 0.05
    grid = np.linspace(max(t_lo, 0.05), t_hi, 600)
    fig = Figure(figsize=(10.5, 7.2), layout="constrained")
    axes = fig.subplots(2, 2, sharex=True)
    panels = (
        ("abs_magnetisation", "magnetisation per spin ⟨|m|⟩", "magnetisation"),
        ("energy", "energy per spin ⟨E⟩ / N", "energy"),
        ("heat_capacity", "heat capacity per spin C = Var(E) / (N T²)", "heat capacity"),
        ("susceptibility", "susceptibility χ = N (⟨m²⟩ - ⟨|m|⟩²) / T", "susceptibility"),
    )
    side = result.settings.get("side", "?")
    for ax, (key, ylabel, what) in zip(axes.ravel(), panels, strict=True):
        ax.errorbar(
            t,
            result.column(key),
            yerr=result.column(f"{key}_err"),
            fmt="o",
            markersize=4.5,
            capsize=2.5,
            color=_INK,
            label=f"{side} x {side} lattice",
        )
        ax.axvline(ONSAGER_TC, color=_BAD, linestyle="--", linewidth=1.1, label="T_c = 2.269")
        ax.set_ylabel(ylabel)
        ax.set_title(what, fontsize="medium")
        ax.grid(alpha=0.3)
    axes[0, 0].plot(
        grid, onsager_magnetisation(grid), color=_GOOD, linewidth=1.4,
        label="exact, infinite lattice (Yang 1952)",
    )  # fmt: skip
    u = onsager_energy(grid)
    axes[0, 1].plot(grid, u, color=_GOOD, linewidth=1.4, label="exact (Onsager 1944)")
    c = np.gradient(u, grid)
    c[np.abs(grid - ONSAGER_TC) < 0.5 * (grid[1] - grid[0])] = np.nan
    axes[1, 0].plot(grid, c, color=_GOOD, linewidth=1.4, label="exact du/dT, infinite lattice")
    finite_c = result.column("heat_capacity")
    axes[1, 0].set_ylim(0.0, 1.35 * float(np.nanmax(finite_c)) if finite_c.size else 3.0)
    for ax in axes[1]:
        ax.set_xlabel("temperature T (J = k_B = 1)")
    for ax in axes.ravel():
        ax.legend(fontsize="small")
    if title is None:
        title = f"2D Ising model on a {side} x {side} periodic lattice: the Onsager transition"
    fig.suptitle(title)
    return fig


def sampler_comparison_figure(result: Any, *, title: str | None = None) -> Figure:
    """Samplers on the same budget: energy traces, chains at the ground state, autocorrelation,
    and the replica-exchange rates of parallel tempering.

    Parameters
    ----------
    result : energynets.experiments.sampling.ComparisonResult
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    for name in ("records", "energies", "costs", "autocorrelations", "swap_rates"):
        if not hasattr(result, name):
            raise ValueError(
                f"result must be a ComparisonResult (missing {name!r}), got {type(result).__name__}"
            )
    s = result.settings
    ground = float(result.ground_energy)
    tolerance = 1e-6 * max(1.0, abs(ground))
    fig = Figure(figsize=(10.5, 7.2), layout="constrained")
    axes = fig.subplots(2, 2)
    ax_e, ax_g, ax_r, ax_s = axes.ravel()
    for k, rec in enumerate(result.records):
        name = rec["sampler"]
        color = _sampler_color(name, k)
        e = np.asarray(result.energies[name])
        cost = np.asarray(result.costs[name])
        chain_traces(
            e, ax_e, x=cost, max_chains=4, color=color, label=f"{name} (mean of chains)",
            xlabel="budget (sweep-equivalents)",
        )  # fmt: skip
        reached = np.maximum.accumulate(e <= ground + tolerance, axis=0).mean(axis=1)
        ax_g.plot(cost, reached, color=color, linewidth=1.8, label=name)
    ax_e.axhline(
        ground, color="black", linestyle="--", linewidth=1.0, label=f"E0 ({result.ground_kind})"
    )
    ax_e.legend(fontsize="small")
    ax_e.set_title("energy along the chains", fontsize="medium")
    ax_g.set_xlabel("budget (sweep-equivalents)")
    ax_g.set_ylabel("fraction of chains")
    ax_g.set_ylim(-0.03, 1.03)
    ax_g.set_title("chains that have reached the ground-state energy", fontsize="medium")
    ax_g.grid(alpha=0.3)
    ax_g.legend(fontsize="small")
    names = [r["sampler"] for r in result.records]
    autocorrelation_plot(
        {n: result.autocorrelations[n] for n in names},
        ax_r,
        taus=[r["tau_cost"] for r in result.records],
        lag_scale=[r["replicas"] for r in result.records],
        xlabel="lag (sweep-equivalents)",
    )
    ax_r.set_title("autocorrelation of E (τ per unit of budget)", fontsize="medium")
    if result.swap_rates:
        for k, (name, rates) in enumerate(result.swap_rates.items()):
            r = np.asarray(rates, dtype=np.float64)
            ax_s.bar(
                np.arange(r.size) + 0.5, r, width=0.8, color=_sampler_color(name, k), label=name
            )
        ax_s.set_xlabel("neighbouring pair of the ladder (hot → cold)")
        ax_s.set_ylabel("exchange acceptance")
        ax_s.set_ylim(0.0, 1.0)
        ax_s.set_title("replica-exchange rates", fontsize="medium")
        ax_s.legend(fontsize="small")
    else:
        acc = [float(r["acceptance"]) for r in result.records]
        ax_s.bar(names, acc, color=[_sampler_color(n, k) for k, n in enumerate(names)])
        ax_s.set_ylabel("acceptance")
        ax_s.set_title("acceptance of unit updates", fontsize="medium")
    ax_s.grid(alpha=0.3, axis="y")
    if title is None:
        title = (
            f"{s.get('system_label', 'system')} at T = {s.get('temperature', float('nan')):g}: "
            f"{', '.join(names)} on the same budget"
        )
    fig.suptitle(title)
    return fig


# -- files ------------------------------------------------------------------------------------


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: float = 150) -> Path:
    """Write ``fig`` to ``path`` atomically (temporary file, then :func:`os.replace`).

    The format follows the file's suffix (``.png``, ``.svg``, ``.pdf``, ...).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or path-like
        The file to write; its folder must exist.
    dpi : float > 0

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    target = _atomic_target(path, "path")
    resolution = check_float(dpi, "dpi", minimum=0.0, exclusive_minimum=True)
    tmp = _temporary_sibling(target)
    try:
        fig.savefig(tmp, dpi=resolution, facecolor="white")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def recall_animation(
    frames: Any,
    energies: Any,
    shape: Sequence[int],
    path: str | os.PathLike[str],
    *,
    fps: int = 10,
    pattern: Any = None,
    times: Any = None,
    time_label: str | None = None,
    title: str | None = None,
    hold: float = 1.5,
    dpi: float = 100,
) -> Path:
    """Write an animated GIF of a relaxing state next to its energy falling.

    The left panel shows the state of each frame; the right panel the energy of every frame
    (the part already travelled in color, the rest grey) with a marker at the current one.

    Parameters
    ----------
    frames : array_like, shape (n_frames, height * width)
        Snapshots of the state, e.g. from :func:`energynets.sampling.dynamics.trajectory`.
    energies : array_like, shape (n_frames,)
        Energy of each snapshot.
    shape : (int, int)
        (height, width) of one image.
    path : str or path-like
        The ``.gif`` file to write (atomically); its folder must exist.
    fps : int >= 1
        Frames per second.
    pattern : array_like, shape (height * width,), optional
        A stored pattern; each frame is then titled with its overlap m with it.
    times : array_like, shape (n_frames,), optional
        Where each frame lies on the energy plot's x axis, e.g. in sweeps; default the frame
        number.
    time_label : str, optional
        Label of that axis; default "sweep" when ``times`` is given, else "snapshot".
    title : str, optional
        Figure title.
    hold : float >= 0
        Seconds to hold the last frame before the GIF loops.
    dpi : float > 0
        Resolution (the figure is 6 x 3 inches).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    states, (height, width) = _as_images(frames, "frames", shape)
    if np.asarray(frames).ndim != 2:
        raise ValueError(f"frames must be a 2-D array (n_frames, {height * width})")
    e = as_float_array(energies, "energies", ndim=1, dtype=np.float64)
    if e.shape[0] != states.shape[0]:
        raise ValueError(
            f"energies must have one value per frame ({states.shape[0]}), got {e.shape[0]}"
        )
    xi = None
    if pattern is not None:
        xi = as_float_array(pattern, "pattern", ndim=1, dtype=np.float64)
        if xi.shape[0] != height * width:
            raise ValueError(
                f"pattern must have {height * width} entries to match shape "
                f"{(height, width)}, got {xi.shape[0]}"
            )
    steps, default_times = _sweep_positions(times, e.shape[0])
    rate = check_int(fps, "fps", minimum=1)
    n_hold = round(check_float(hold, "hold", minimum=0.0) * rate)
    resolution = check_float(dpi, "dpi", minimum=0.0, exclusive_minimum=True)
    target = _atomic_target(path, "path")
    if target.suffix.lower() != ".gif":
        raise ValueError(f"path must end in .gif, got {str(path)!r}")

    def _caption(k: int) -> str:
        text = f"E = {e[k]:.2f}"
        if xi is not None:
            m = float(states[k] @ xi) / xi.shape[0]
            text += f",  m = {m:.2f}"
        return text

    fig = Figure(figsize=(6.0, 3.0), dpi=resolution, layout="constrained")
    canvas = FigureCanvasAgg(fig)
    ax_img, ax_e = fig.subplots(1, 2, width_ratios=[1.0, 1.4])
    image = ax_img.imshow(
        states[0].reshape(height, width),
        cmap=_ink_cmap(),
        vmin=-1.0,
        vmax=1.0,
        interpolation="nearest",
    )
    ax_img.set_xticks([])
    ax_img.set_yticks([])
    caption = ax_img.set_title(_caption(0), fontsize="medium")
    ax_e.plot(steps, e, color="0.8", linewidth=1.5)
    (done,) = ax_e.plot(steps[:1], e[:1], color=_INK, linewidth=2.0)
    (now,) = ax_e.plot(steps[:1], e[:1], "o", color=_BAD, markersize=6)
    ax_e.set_xlabel(time_label or ("snapshot" if default_times else "sweep"))
    ax_e.set_ylabel("energy E(s)")
    span = float(e.max() - e.min()) or 1.0
    ax_e.set_ylim(float(e.min()) - 0.08 * span, float(e.max()) + 0.08 * span)
    pad = 0.03 * (float(steps.max() - steps.min()) or 1.0)
    ax_e.set_xlim(float(steps.min()) - pad, float(steps.max()) + pad)
    ax_e.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.set_facecolor("white")

    # Blitting: lay out and draw everything that does not move once, then per frame restore
    # that background and draw only the moving artists. Redrawing the whole figure (axes,
    # ticks, text) for every frame would cost about ten times as much.
    moving = [(ax_img, image), (ax_img, caption), (ax_e, done), (ax_e, now)]
    for _, artist in moving:
        artist.set_animated(True)
    canvas.draw()
    fig.set_layout_engine("none")
    background = canvas.copy_from_bbox(fig.bbox)
    rgb = []
    for k in range(states.shape[0]):
        image.set_data(states[k].reshape(height, width))
        caption.set_text(_caption(k))
        done.set_data(steps[: k + 1], e[: k + 1])
        now.set_data(steps[k : k + 1], e[k : k + 1])
        canvas.restore_region(background)
        for ax, artist in moving:
            ax.draw_artist(artist)
        rgb.append(np.asarray(canvas.buffer_rgba())[..., :3].copy())
    # one palette for all frames, from the first and the last (between them they hold every
    # color); quantizing each frame on its own would take most of the time
    palette = Image.fromarray(np.concatenate([rgb[0], rgb[-1]])).quantize(colors=128)
    pictures = [Image.fromarray(x).quantize(palette=palette, dither=Image.Dither.NONE) for x in rgb]
    pictures += [pictures[-1]] * n_hold

    # what matplotlib.animation.PillowWriter does, on the frames drawn above
    tmp = _temporary_sibling(target)
    try:
        pictures[0].save(
            tmp,
            save_all=True,
            append_images=pictures[1:],
            duration=round(1000 / rate),
            loop=0,
        )
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


# -- energy-based versus backprop (energynets.experiments.compare) ----------------------------

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


def _check_result(result: Any, kind: str, names: Sequence[str]) -> None:
    for name in names:
        if not hasattr(result, name):
            raise ValueError(
                f"result must be a {kind} (missing {name!r}), got {type(result).__name__}"
            )


def features_figure(result: Any, *, show_weights: bool = True, title: str | None = None) -> Figure:
    """Test accuracy of softmax regression on raw pixels, on RBM features and of an MLP.

    Bars for the three models (training accuracy as a tick), scikit-learn's published numbers
    as diamonds when the data are its nudged digits; with ``show_weights`` and an image shape,
    the RBM's filters and the MLP's first-layer weights beside them.

    Parameters
    ----------
    result : energynets.experiments.compare.FeaturesResult
    show_weights : bool
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    from energynets.experiments.compare import SKLEARN_REFERENCE

    _check_result(result, "FeaturesResult", ("records", "settings", "rbm", "mlp"))
    weights = bool(show_weights) and result.image_shape is not None and result.rbm is not None
    fig = Figure(figsize=(12.0 if weights else 5.2, 4.2), layout="constrained")
    axes = fig.subplots(1, 3, width_ratios=[1.2, 1, 1]) if weights else [fig.add_subplot()]
    ax = axes[0]
    names = [r["model"] for r in result.records]
    test = np.array([r["test_accuracy"] for r in result.records])
    train = np.array([r["train_accuracy"] for r in result.records])
    x = np.arange(len(names))
    ax.bar(x, test, color=[_MODEL_COLORS.get(n, _INK) for n in names], width=0.6)
    ax.scatter(x, train, marker="_", s=400, color="black", zorder=3, label="training accuracy")
    for xi, t in zip(x, test, strict=True):
        ax.text(
            float(xi), t - 0.01, f"{t:.3f}", ha="center", va="top", color="white",
            fontsize="small", fontweight="bold",
        )  # fmt: skip
    if result.settings.get("nudged"):
        ref = [SKLEARN_REFERENCE.get(n, np.nan) for n in names]
        ax.scatter(
            x + 0.22, ref, marker="D", s=30, color=_GOOD, zorder=3, label="scikit-learn example"
        )
    ax.set_xticks(x, names)
    low = max(0.0, float(min(test.min(), train.min())) - 0.1)
    ax.set_ylim(low, 1.04)
    ax.set_ylabel("test accuracy")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize="small", loc="lower right")
    ax.set_title("softmax regression on raw pixels / RBM features, MLP", fontsize="medium")
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


def pretraining_figure(result: Any, *, title: str | None = None) -> Figure:
    """Test accuracy against the number of labels, DBN-initialised vs random initialisation.

    Mean over seeds with the standard deviation as error bars, each seed as a faint dot.

    Parameters
    ----------
    result : energynets.experiments.compare.PretrainingResult
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    _check_result(result, "PretrainingResult", ("records", "runs", "settings"))
    fig = Figure(figsize=(6.0, 4.2), layout="constrained")
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
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    _check_result(result, "RecallComparison", ("records", "settings", "rows"))
    s = result.settings
    fig = Figure(figsize=(12.0, 3.8), layout="constrained")
    ax_noise, ax_load, ax_time = fig.subplots(1, 3)
    labels = {"hopfield": f"Hopfield ({s.get('rule', '')})", "autoencoder": "denoising autoencoder"}
    for model in ("hopfield", "autoencoder"):
        color = _MODEL_COLORS[model]
        rows = result.rows("noise", model)
        style = {"marker": "o", "linestyle": "-"} if model == "hopfield" else {
            "marker": "s", "linestyle": "--", "markerfacecolor": "none",
        }  # fmt: skip
        ax_noise.plot(
            [r["noise"] for r in rows], [r["recalled"] for r in rows], color=color,
            label=labels[model], **style,
        )  # fmt: skip
        rows = result.rows("load", model)
        ax_load.plot(
            [r["n_patterns"] for r in rows], [r["recalled"] for r in rows], color=color,
            label=labels[model], **style,
        )  # fmt: skip
        ax_time.plot(
            [r["n_patterns"] for r in rows], [r["train_seconds"] for r in rows], color=color,
            label=labels[model], **style,
        )  # fmt: skip
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
    n_filters : int >= 1
        At most this many of each.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    _check_result(result, "FiltersResult", ("records", "filters", "image_shape"))
    most = check_int(n_filters, "n_filters", minimum=1)
    fig = Figure(figsize=(10.0, 5.0), layout="constrained")
    axes = fig.subplots(1, len(result.filters))
    axes = np.atleast_1d(axes)
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
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    _check_result(result, "CostResult", ("records", "curves", "settings"))
    fig = Figure(figsize=(10.5, 4.0), layout="constrained")
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
