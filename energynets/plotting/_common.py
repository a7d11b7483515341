"""What every picture of :mod:`energynets.plotting` shares: colours, checks, figures, files.

The palette, the checks of image shapes and labels, new figures and axes (built with
:class:`matplotlib.figure.Figure` directly, never through :mod:`matplotlib.pyplot`), the
mosaic that tiles images into one array, and :func:`save_figure`, which writes a picture
through :func:`energynets._npz.atomic_path`. matplotlib is imported inside the functions.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from energynets._npz import atomic_path
from energynets._validation import as_float_array, check_float, check_int, check_int_tuple

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap
    from matplotlib.figure import Figure

INK = "#16213e"
PAPER = "#f3efe4"
GOOD = "#1a7f37"
BAD = "#c0392b"


# -- checks -----------------------------------------------------------------------------------


def check_shape(shape: Any, n_columns: int, name: str) -> tuple[int, int]:
    """Check an image ``shape`` (height, width) against the ``n_columns`` of ``name``."""
    height, width = check_int_tuple(
        shape, "shape", length=2, expected="a pair (height, width) of ints"
    )
    if height < 1 or width < 1:
        raise ValueError(f"shape must be positive, got {(height, width)}")
    if height * width != n_columns:
        raise ValueError(
            f"{name} must have height * width = {height * width} columns to match shape "
            f"{(height, width)}, got {n_columns}"
        )
    return height, width


def as_images(x: Any, name: str, shape: Any) -> tuple[np.ndarray, tuple[int, int]]:
    """``x`` as a 2-D float array (n_images, height * width) plus the checked shape."""
    arr = as_float_array(x, name, ndim=(1, 2), dtype=np.float64)
    arr2 = arr[None, :] if arr.ndim == 1 else arr
    return arr2, check_shape(shape, arr2.shape[1], name)


def check_labels(labels: Sequence[Any] | None, n: int, name: str) -> list[str] | None:
    """``labels`` as ``n`` strings (a string gives one label per character), or None."""
    if labels is None:
        return None
    if isinstance(labels, str):
        labels = list(labels)
    out = [str(v) for v in labels]
    if len(out) != n:
        raise ValueError(f"{name} must have {n} entries, one per row, got {len(out)}")
    return out


def check_result(result: Any, kind: str, names: Sequence[str]) -> None:
    """Check that ``result`` has the attributes ``names`` of a ``kind`` (a result type)."""
    for name in names:
        if not hasattr(result, name):
            raise ValueError(
                f"result must be a {kind} (missing {name!r}), got {type(result).__name__}"
            )


def check_records(result: Any, kind: str, keys: Sequence[str]) -> list[dict[str, Any]]:
    """The non-empty list ``result.records`` of a ``kind``, every record a dict with ``keys``."""
    records = getattr(result, "records", None)
    if not isinstance(records, list) or not records:
        raise ValueError(
            f"result must have a non-empty list of records (a {kind}), got {type(result).__name__}"
        )
    for r in records:
        missing = [k for k in keys if not isinstance(r, dict) or k not in r]
        if missing:
            raise ValueError(f"every record of result must have the keys {missing}, got {r!r}")
    return records


def sweep_positions(sweeps: Any, n_rows: int) -> tuple[np.ndarray, bool]:
    """x positions of ``n_rows`` rows (default 0, 1, 2, ...) and whether they are the default."""
    if sweeps is None:
        return np.arange(n_rows, dtype=np.float64), True
    x = as_float_array(sweeps, "sweeps", ndim=1, dtype=np.float64)
    if x.shape[0] != n_rows:
        raise ValueError(f"sweeps must have one entry per row ({n_rows}), got {x.shape[0]}")
    return x, False


def grid_size(n: int, n_cols: int | None, default: int) -> tuple[int, int]:
    """(columns, rows) of a grid of ``n`` tiles: ``n_cols`` (checked) or ``default`` columns,
    at most ``n``."""
    cols = default if n_cols is None else check_int(n_cols, "n_cols", minimum=1)
    cols = min(cols, n)
    return cols, math.ceil(n / cols)


# -- figures ----------------------------------------------------------------------------------


def new_figure(figsize: tuple[float, float], **kwargs: Any) -> Figure:
    """A new figure of ``figsize`` inches with the constrained layout (no pyplot)."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained", **kwargs)


def new_axes(figsize: tuple[float, float]) -> Axes:
    """The one Axes of a new figure of ``figsize`` inches."""
    return new_figure(figsize).add_subplot()


def figure_rows(figsize: tuple[float, float], n_rows: int) -> tuple[Figure, np.ndarray]:
    """A new figure of ``n_rows`` Axes stacked in one column, and those Axes."""
    fig = new_figure(figsize)
    return fig, fig.subplots(n_rows, 1, squeeze=False)[:, 0]


def line_style(n_rows: int) -> dict[str, Any]:
    """Markers on short series (one point per sweep), plain lines on long ones."""
    return {"marker": "o", "markersize": 4} if n_rows <= 40 else {}


def row_label(ax: Axes, text: str) -> None:
    """A horizontal label left of a row of tiles."""
    ax.set_ylabel(text, rotation=0, ha="right", va="center", fontsize="medium")


def ink_cmap() -> Colormap:
    """Light paper (-1) to dark ink (+1); NaN (the gaps between tiles) white."""
    from matplotlib.colors import LinearSegmentedColormap

    cmap = LinearSegmentedColormap.from_list("energynets_ink", [PAPER, INK])
    return cmap.with_extremes(bad="white")


def mosaic(
    images: np.ndarray, shape: tuple[int, int], n_cols: int, gap: int, row_gap: int
) -> np.ndarray:
    """Tile the rows of ``images`` (n, height * width) into one array, NaN between tiles."""
    height, width = shape
    n = images.shape[0]
    rows = math.ceil(n / n_cols)
    tiles = np.full(
        (rows * height + (rows - 1) * row_gap, n_cols * width + (n_cols - 1) * gap), np.nan
    )
    for k in range(n):
        r, c = divmod(k, n_cols)
        y0, x0 = r * (height + row_gap), c * (width + gap)
        tiles[y0 : y0 + height, x0 : x0 + width] = images[k].reshape(height, width)
    return tiles


def show_mosaic(ax: Axes, tiles: np.ndarray, cmap: Any) -> None:
    """Draw a :func:`mosaic` on the fixed scale [-1, 1], without ticks or frame."""
    ax.imshow(tiles, cmap=cmap, vmin=-1.0, vmax=1.0, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


# -- files ------------------------------------------------------------------------------------


def checked_target(path: str | os.PathLike[str], name: str) -> Path:
    """``path`` as a Path, after checking that it names a file in a folder that exists."""
    p = Path(path)
    if not p.name:
        raise ValueError(f"{name} must name a file, got {str(path)!r}")
    if not p.parent.is_dir():
        raise FileNotFoundError(f"{name}: the folder {str(p.parent)!r} does not exist")
    return p


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
    target = checked_target(path, "path")
    resolution = check_float(dpi, "dpi", minimum=0.0, exclusive_minimum=True)
    # the temporary sibling keeps the suffix, from which matplotlib picks the format
    with atomic_path(target) as temporary:
        fig.savefig(temporary, dpi=resolution, facecolor="white")
    return target
