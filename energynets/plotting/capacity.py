"""Pictures of storage capacity: measured recall against the load, beside the published laws.

:func:`capacity_figure` draws a :class:`~energynets.experiments.capacity.CapacityResult` (the
classical rules against alpha = P / N, with the critical loads of Amit et al., McEliece et
al. and Storkey); :func:`dense_capacity_figure` a
:class:`~energynets.experiments.capacity.DenseCapacityResult` (classical, dense and modern
memories against P, with the capacity each is predicted to reach).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from energynets.plotting._common import check_records, new_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_RULE_COLORS = {"hebbian": "#1f77b4", "storkey": "#d62728", "pseudoinverse": "#2ca02c"}
_RULE_MARKERS = {"hebbian": "o", "storkey": "s", "pseudoinverse": "^"}
_RULE_PALETTE = ("#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
_CAPACITY_PANELS = (
    ("one_step_error", "one-step bit error", "fraction of stored bits unstable"),
    ("fraction_fixed", "patterns that are fixed points", "fraction of patterns"),
    ("fraction_recalled", "recall from noisy probes", "fraction recalled exactly"),
    ("error_after_relax", "bit error after relaxing from a pattern", "fraction of bits wrong"),
)
_REQUIRED_KEYS = ("rule", "n_units", "alpha", *(p[0] for p in _CAPACITY_PANELS))

_DENSE_COLORS = {
    "hebbian": "#1f77b4",
    "storkey": "#d62728",
    "pseudoinverse": "#2ca02c",
    "exponential": "#9467bd",
    "modern": "#e377c2",
}
_DENSE_PALETTE = ("#ff7f0e", "#8c564b", "#17becf", "#bcbd22", "#7f7f7f", "#000000")
_DENSE_REQUIRED = ("model", "n_units", "n_patterns", "fraction_fixed", "fraction_recalled")

#: A vertical reference line: (x, legend label, color, line style).
_Mark = tuple[float, str, str, Any]


# -- shared by both figures -------------------------------------------------------------------


def _colors(names: Iterable[str], known: dict[str, str], palette: Sequence[str]) -> dict[str, str]:
    """A color per name: its own from ``known``, else the next of ``palette``, else black."""
    spare = iter(palette)
    return {name: known.get(name) or next(spare, "black") for name in names}


def _xy(
    records: list[dict[str, Any]], group: str, name: str, x_key: str, y_key: str
) -> tuple[list[float], list[float]]:
    """The line of the records whose ``group`` is ``name``: ``x_key`` and ``y_key``, sorted
    by ``x_key``."""
    rows = sorted((r for r in records if str(r[group]) == name), key=lambda r: r[x_key])
    return [float(r[x_key]) for r in rows], [float(r[y_key]) for r in rows]


def _suptitle(fig: Figure, title: str | None, default: str, records: list[dict[str, Any]]) -> None:
    """The figure's title: ``title``, or ``default`` followed by the record's sizes N."""
    if title is None:
        title = default + ", ".join(str(v) for v in _sizes(records))
    fig.suptitle(title)


def _sizes(records: list[dict[str, Any]]) -> list[int]:
    """The distinct numbers of units N of the records, in increasing order."""
    return sorted({int(r["n_units"]) for r in records})


# -- classical rules against the load -----------------------------------------------------------


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
    records = check_records(result, "CapacityResult", _REQUIRED_KEYS)
    settings = getattr(result, "settings", None)
    flip = settings.get("flip_fraction") if isinstance(settings, dict) else None
    colors = _colors(dict.fromkeys(str(r["rule"]) for r in records), _RULE_COLORS, _RULE_PALETTE)

    fig = new_figure((10.0, 7.4))
    axes = fig.subplots(2, 2, sharex=True)
    _capacity_panels(axes, records, colors, flip)
    alphas = np.array([float(r["alpha"]) for r in records])
    theory = _one_step_law(axes[0, 0], alphas)
    sizes = _sizes(records)
    marks = _capacity_marks(sizes[0] if len(sizes) == 1 else None)
    for ax in axes.ravel():
        for x, _, color, style in marks:
            ax.axvline(x, color=color, linestyle=style, linewidth=1.1, alpha=0.8, zorder=0)
    x_right = max(float(alphas.max()), *(x for x, *_ in marks))
    axes[0, 0].set_xlim(0.0, 1.04 * x_right)
    fig.legend(
        handles=_capacity_legend(colors, theory, marks),
        loc="outside lower center",
        ncols=3,
        fontsize="small",
    )
    _suptitle(fig, title, "Storage capacity of the Hopfield network, N = ", records)
    return fig


def _capacity_panels(
    axes: np.ndarray, records: list[dict[str, Any]], colors: dict[str, str], flip: Any
) -> None:
    """The four measured quantities of :data:`_CAPACITY_PANELS`, one line per rule each."""
    for ax, (key, panel_title, ylabel) in zip(axes.ravel(), _CAPACITY_PANELS, strict=True):
        for rule, color in colors.items():
            ax.plot(
                *_xy(records, "rule", rule, "alpha", key),
                marker=_RULE_MARKERS.get(rule, "o"),
                markersize=5,
                linewidth=1.6,
                color=color,
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


def _one_step_law(ax: Axes, alphas: np.ndarray) -> Any:
    """Draw the Hebbian one-step error law over the measured loads; return its line."""
    from energynets.experiments.capacity import one_step_error_theory

    grid = np.linspace(min(0.005, float(alphas.min())), float(alphas.max()), 300)
    theory = ax.plot(
        grid, one_step_error_theory(grid), color="black", linewidth=1.0, linestyle="-", zorder=1
    )[0]
    theory.set_label("Hebbian theory: ½ erfc(√(1 / 2α))")
    return theory


def _capacity_marks(n: int | None) -> list[_Mark]:
    """The reference loads: alpha_c, and at one size ``n`` McEliece's and Storkey's."""
    from energynets.experiments.capacity import ALPHA_C, mceliece_capacity, storkey_capacity

    marks: list[_Mark] = [(ALPHA_C, f"α_c = {ALPHA_C} (Amit et al. 1985)", "black", (0, (5, 3)))]
    if n is None:
        return marks
    one = mceliece_capacity(n) / n
    every = mceliece_capacity(n, all_patterns=True) / n
    storkey = storkey_capacity(n) / n
    return [
        *marks,
        (one, f"McEliece 1 / (2 ln N) = {one:.3f}", "#1f77b4", (0, (1, 2))),
        (
            every,
            f"McEliece, all patterns, 1 / (4 ln N) = {every:.3f}",
            "#1f77b4",
            (0, (4, 2, 1, 2)),
        ),
        (storkey, f"Storkey 1 / √(2 ln N) = {storkey:.3f}", "#d62728", (0, (1, 2))),
    ]


def _capacity_legend(colors: dict[str, str], theory: Any, marks: list[_Mark]) -> list[Any]:
    """The legend entries: the rules, the one-step law, the reference loads."""
    from matplotlib.lines import Line2D

    handles: list[Any] = [
        Line2D([], [], color=color, marker=_RULE_MARKERS.get(rule, "o"), markersize=5, label=rule)
        for rule, color in colors.items()
    ]
    handles.append(theory)
    for _, label, color, style in marks:
        handles.append(Line2D([], [], color=color, linestyle=style, linewidth=1.1, label=label))
    return handles


# -- classical, dense and modern memories against P -------------------------------------------


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
    from matplotlib.lines import Line2D

    records = check_records(result, "DenseCapacityResult", _DENSE_REQUIRED)
    settings = getattr(result, "settings", None)
    flip = settings.get("flip_fraction", 0.0) if isinstance(settings, dict) else 0.0
    flip = float(flip) if isinstance(flip, int | float) and 0 <= flip < 0.5 else 0.0
    colors = _colors(dict.fromkeys(str(r["model"]) for r in records), _DENSE_COLORS, _DENSE_PALETTE)

    fig = new_figure((10.0, 4.8))
    axes = fig.subplots(1, 2, sharex=True, sharey=True)
    panels = (
        ("fraction_fixed", "stored patterns that are fixed points"),
        ("fraction_recalled", f"probes recalled exactly ({100 * flip:.0f}% of bits flipped)"),
    )
    for ax, (key, panel_title) in zip(axes, panels, strict=True):
        for model, color in colors.items():
            ax.plot(
                *_xy(records, "model", model, "n_patterns", key),
                marker="o",
                markersize=4,
                linewidth=1.6,
                color=color,
            )
        ax.set_xscale("log")
        ax.set_title(panel_title, fontsize="medium")
        ax.set_xlabel("stored patterns P")
        ax.set_ylim(-0.03, 1.03)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("fraction")

    handles: list[Any] = [Line2D([], [], color=c, marker="o", label=m) for m, c in colors.items()]
    sizes = _sizes(records)
    if len(sizes) == 1:
        handles += _dense_marks(axes, records, colors, sizes[0], flip)
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize="small")
    _suptitle(fig, title, "Classical, dense and modern Hopfield memories, N = ", records)
    return fig


def _dense_marks(
    axes: np.ndarray, records: list[dict[str, Any]], colors: dict[str, str], n: int, flip: float
) -> list[Any]:
    """Mark each model's published capacity at ``n`` units where it lies within (a factor 2
    of) the measured range; return the legend entries, "off scale" for the others."""
    from matplotlib.lines import Line2D

    loads = np.array([float(r["n_patterns"]) for r in records])
    lo, hi = float(loads.min()), float(loads.max())
    handles: list[Any] = []
    for model, color in colors.items():
        pred = _dense_prediction(model, n, flip)
        if pred is None:
            continue
        value, label = pred
        if lo / 2 <= value <= hi * 2:
            for ax in axes:
                ax.axvline(value, color=color, linestyle="--", linewidth=1.1)
            text = f"{label} = {value:.3g}"
        else:
            text = f"{label} = {value:.3g} (off scale)"
        handles.append(Line2D([], [], color=color, linestyle="--", linewidth=1.1, label=text))
    return handles
