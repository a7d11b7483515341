"""Pictures of Hopfield networks: stored and recalled states, the dynamics, the weights.

:func:`pattern_grid` draws states as a grid of images (+1 dark, -1 light), :func:`recall_figure`
the stored patterns above the corrupted probes and what was recalled, :func:`energy_trace` and
:func:`overlap_trace` the energy and the overlaps along the dynamics, :func:`weight_matrix` a
coupling matrix, and :func:`recall_animation` a GIF of one relaxing state beside its energy.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from energynets._npz import atomic_path
from energynets._validation import as_float_array, check_float, check_int
from energynets.plotting._common import (
    BAD,
    GOOD,
    INK,
    as_images,
    check_labels,
    checked_target,
    figure_rows,
    grid_size,
    ink_cmap,
    line_style,
    mosaic,
    new_axes,
    new_figure,
    row_label,
    show_mosaic,
    sweep_positions,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL.Image import Image


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
    arr, (height, width) = as_images(patterns, "patterns", shape)
    n = arr.shape[0]
    cols, rows = grid_size(n, n_cols, min(n, 10))
    g = check_int(gap, "gap", minimum=0)
    labels = check_labels(titles, n, "titles")
    colors = None if title_colors is None else list(title_colors)
    if colors is not None and len(colors) != n:
        raise ValueError(f"title_colors must have {n} entries, got {len(colors)}")
    row_gap = g + (max(2, round(0.3 * height)) if labels is not None and rows > 1 else 0)

    tiles = mosaic(arr, (height, width), cols, g, row_gap)
    if ax is None:
        ax = new_axes((0.75 * cols * width / height + 0.4, 0.85 * rows + 0.5))
    show_mosaic(ax, tiles, ink_cmap())
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
    xi, (height, width) = as_images(stored, "stored", shape)
    rows = _recall_rows(xi, corrupted, recalled, shape)
    n = xi.shape[0]
    names = check_labels(labels, n, "labels")
    n_units = height * width

    n_rows = 1 + len(rows)
    fig, axes = figure_rows(
        (max(3.5, 0.78 * n * width / height + 1.6), n_rows * 0.95 + 0.9 + 0.3 * bool(title)),
        n_rows,
    )
    pattern_grid(xi, (height, width), titles=names, n_cols=n, ax=axes[0])
    row_label(axes[0], "stored")
    for ax, (name, states) in zip(axes[1:], rows.items(), strict=True):
        m = np.sum(states * xi, axis=1) / n_units
        colors = None
        if ax is not axes[1]:  # the recalled rows: green when exact, red otherwise
            colors = [GOOD if ok else BAD for ok in np.all(states == xi, axis=1)]
        pattern_grid(
            states,
            (height, width),
            titles=[f"m = {v:.2f}" for v in m],
            title_colors=colors,
            n_cols=n,
            ax=ax,
        )
        row_label(ax, name)
    if title:
        fig.suptitle(title, fontsize="medium")
    return fig


def _recall_rows(
    xi: np.ndarray, corrupted: Any, recalled: Any, shape: Sequence[int]
) -> dict[str, np.ndarray]:
    """The rows below the stored one, by name: the corrupted probes, then each recalled set,
    every one checked to have the shape of the stored patterns ``xi``."""
    named = recalled if isinstance(recalled, Mapping) else {"recalled": recalled}
    if not named:
        raise ValueError("recalled must hold at least one array of states, got an empty dict")
    rows: dict[str, np.ndarray] = {}
    for name, value in [("corrupted", corrupted), *named.items()]:
        what = "recalled" if name != "corrupted" and len(named) == 1 else str(name)
        arr, _ = as_images(value, what, shape)
        if arr.shape != xi.shape:
            raise ValueError(f"{what} must have the shape of stored {xi.shape}, got {arr.shape}")
        rows[str(name)] = arr
    return rows


# -- dynamics ---------------------------------------------------------------------------------


def _finish_trace_axes(ax: Axes, integer: bool) -> None:
    """The x axis of a trace against sweeps (whole numbers when they are the default) and
    the grid."""
    from matplotlib.ticker import MaxNLocator

    if integer:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)


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
    e = as_float_array(energies, "energies", ndim=(1, 2), dtype=np.float64)
    e2 = e[:, None] if e.ndim == 1 else e
    names = check_labels(labels, e2.shape[1], "labels")
    x, integer = sweep_positions(sweeps, e2.shape[0])
    if ax is None:
        ax = new_axes((4.8, 3.4))
    for k in range(e2.shape[1]):
        ax.plot(
            x,
            e2[:, k],
            linewidth=1.5,
            label=None if names is None else names[k],
            **line_style(e2.shape[0]),
        )
    ax.set_xlabel("sweep")
    ax.set_ylabel("energy E(s)")
    _finish_trace_axes(ax, integer)
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
    m = as_float_array(overlaps, "overlaps", ndim=(2, 3), dtype=np.float64)
    x, integer = sweep_positions(sweeps, m.shape[0])
    if ax is None:
        ax = new_axes((4.8, 3.4))
    if m.ndim == 2:
        handles = _overlaps_of_one_probe(ax, x, m, labels)
    else:
        handles = _overlaps_of_probes(ax, x, m, labels, targets)
    if handles:
        ax.legend(handles=handles, fontsize="small", ncols=max(1, math.ceil(len(handles) / 8)))
    ax.set_xlabel("sweep")
    ax.set_ylabel("overlap m")
    ax.set_ylim(min(-0.05, float(m.min()) - 0.05), 1.05)
    ax.axhline(1.0, color="black", linewidth=0.6, alpha=0.4)
    _finish_trace_axes(ax, integer)
    return ax


def _overlaps_of_one_probe(
    ax: Axes, x: np.ndarray, m: np.ndarray, labels: Sequence[Any] | None
) -> list[Any]:
    """One line per pattern of the overlaps ``m`` (n_rows, n_patterns); the legend handles."""
    names = check_labels(labels, m.shape[1], "labels")
    style = line_style(m.shape[0])
    for j in range(m.shape[1]):
        ax.plot(x, m[:, j], label=None if names is None else names[j], **style)
    if names is None:
        return []
    handles, _ = ax.get_legend_handles_labels()
    return list(handles)


def _overlap_targets(m: np.ndarray, targets: Any) -> np.ndarray:
    """The pattern each probe of ``m`` (n_rows, n_probes, n_patterns) is meant to recall."""
    n_probes, n_patterns = m.shape[1], m.shape[2]
    if targets is None:
        if n_probes == n_patterns:
            return np.arange(n_probes)
        return np.argmax(np.abs(m[-1]), axis=1)
    tgt = np.asarray(targets)
    if tgt.shape != (n_probes,) or not np.issubdtype(tgt.dtype, np.integer):
        raise ValueError(f"targets must be {n_probes} pattern indices (ints), got {tgt!r}"[:200])
    if np.any((tgt < 0) | (tgt >= n_patterns)):
        raise ValueError(f"targets must lie in [0, {n_patterns - 1}], got {tgt}")
    return tgt


def _overlaps_of_probes(
    ax: Axes, x: np.ndarray, m: np.ndarray, labels: Sequence[Any] | None, targets: Any
) -> list[Any]:
    """Per probe of ``m`` (n_rows, n_probes, n_patterns) its overlap with its target (solid)
    and its largest other overlap (dotted); the legend handles."""
    from matplotlib.lines import Line2D

    n_probes, n_patterns = m.shape[1], m.shape[2]
    names = check_labels(labels, n_probes, "labels")
    tgt = _overlap_targets(m, targets)
    style = line_style(m.shape[0])
    for k in range(n_probes):
        (line,) = ax.plot(x, m[:, k, tgt[k]], label=None if names is None else names[k], **style)
        if n_patterns > 1:
            others = np.delete(m[:, k, :], tgt[k], axis=1)
            ax.plot(x, others.max(axis=1), linestyle=":", linewidth=1.2, color=line.get_color())
    handles: list[Any] = []
    if names is not None:
        handles, _ = ax.get_legend_handles_labels()
    if n_patterns > 1:
        handles.append(Line2D([], [], color="grey", linestyle=":", label="largest other overlap"))
    return handles


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
        ax = new_axes((4.6, 3.8))
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


# -- the recall animation ---------------------------------------------------------------------


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
    states, (height, width) = as_images(frames, "frames", shape)
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
    steps, default_times = sweep_positions(times, e.shape[0])
    rate = check_int(fps, "fps", minimum=1)
    n_hold = round(check_float(hold, "hold", minimum=0.0) * rate)
    resolution = check_float(dpi, "dpi", minimum=0.0, exclusive_minimum=True)
    target = checked_target(path, "path")
    if target.suffix.lower() != ".gif":
        raise ValueError(f"path must end in .gif, got {str(path)!r}")

    images = states.reshape(-1, height, width)
    captions = _captions(states, e, xi)
    fig, canvas, moving = _movie_figure(
        images[0],
        captions[0],
        steps,
        e,
        time_label or ("snapshot" if default_times else "sweep"),
        resolution,
    )
    if title:
        fig.suptitle(title)
    fig.set_facecolor("white")
    pictures = _gif_frames(_render_frames(fig, canvas, moving, images, captions, steps, e))
    pictures += [pictures[-1]] * n_hold
    # what matplotlib.animation.PillowWriter does, on the frames drawn above; the temporary
    # sibling keeps the .gif suffix, from which Pillow picks the format
    with atomic_path(target) as temporary:
        pictures[0].save(
            temporary,
            save_all=True,
            append_images=pictures[1:],
            duration=round(1000 / rate),
            loop=0,
        )
    return target


def _captions(states: np.ndarray, e: np.ndarray, xi: np.ndarray | None) -> list[str]:
    """The title of each frame: its energy, and its overlap m with the pattern ``xi``."""
    captions = []
    for k in range(states.shape[0]):
        text = f"E = {e[k]:.2f}"
        if xi is not None:
            m = float(states[k] @ xi) / xi.shape[0]
            text += f",  m = {m:.2f}"
        captions.append(text)
    return captions


def _movie_figure(
    image: np.ndarray, caption: str, steps: np.ndarray, e: np.ndarray, time_label: str, dpi: float
) -> tuple[Figure, FigureCanvasAgg, list[Any]]:
    """The first frame of the animation: the state ``image`` (left) and the energy ``e``
    against ``steps``, labelled ``time_label`` (right, grey).

    Returns the figure, its canvas and the artists that move: the image, its caption, the
    energy so far, the marker at the current frame.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = new_figure((6.0, 3.0), dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    ax_img, ax_e = fig.subplots(1, 2, width_ratios=[1.0, 1.4])
    shown = ax_img.imshow(image, cmap=ink_cmap(), vmin=-1.0, vmax=1.0, interpolation="nearest")
    ax_img.set_xticks([])
    ax_img.set_yticks([])
    title = ax_img.set_title(caption, fontsize="medium")
    ax_e.plot(steps, e, color="0.8", linewidth=1.5)
    (done,) = ax_e.plot(steps[:1], e[:1], color=INK, linewidth=2.0)
    (now,) = ax_e.plot(steps[:1], e[:1], "o", color=BAD, markersize=6)
    ax_e.set_xlabel(time_label)
    ax_e.set_ylabel("energy E(s)")
    span = float(e.max() - e.min()) or 1.0
    ax_e.set_ylim(float(e.min()) - 0.08 * span, float(e.max()) + 0.08 * span)
    pad = 0.03 * (float(steps.max() - steps.min()) or 1.0)
    ax_e.set_xlim(float(steps.min()) - pad, float(steps.max()) + pad)
    ax_e.grid(alpha=0.3)
    return fig, canvas, [shown, title, done, now]


def _render_frames(
    fig: Figure,
    canvas: FigureCanvasAgg,
    moving: list[Any],
    images: np.ndarray,
    captions: list[str],
    steps: np.ndarray,
    e: np.ndarray,
) -> list[np.ndarray]:
    """Every frame as an RGB array (height, width, 3).

    Blitting: lay out and draw everything that does not move once, then per frame restore
    that background and draw only the moving artists. Redrawing the whole figure (axes,
    ticks, text) for every frame would cost about ten times as much.
    """
    image, caption, done, now = moving
    for artist in moving:
        artist.set_animated(True)
    canvas.draw()
    fig.set_layout_engine("none")
    background = canvas.copy_from_bbox(fig.bbox)
    rgb = []
    for k in range(images.shape[0]):
        image.set_data(images[k])
        caption.set_text(captions[k])
        done.set_data(steps[: k + 1], e[: k + 1])
        now.set_data(steps[k : k + 1], e[k : k + 1])
        canvas.restore_region(background)
        for artist in moving:
            artist.axes.draw_artist(artist)
        rgb.append(np.asarray(canvas.buffer_rgba())[..., :3].copy())
    return rgb


def _gif_frames(rgb: list[np.ndarray]) -> list[Image]:
    """The RGB frames as palette images of one shared palette.

    The palette comes from the first and the last frame (between them they hold every
    color); quantizing each frame on its own would take most of the time.
    """
    from PIL import Image as PILImage

    palette = PILImage.fromarray(np.concatenate([rgb[0], rgb[-1]])).quantize(colors=128)
    return [
        PILImage.fromarray(x).quantize(palette=palette, dither=PILImage.Dither.NONE) for x in rgb
    ]
