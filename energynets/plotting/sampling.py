"""Pictures of sampling: chains, autocorrelations, sampled against exact distributions.

:func:`chain_traces`, :func:`autocorrelation_plot` and :func:`histogram_vs_exact` draw one
panel each from plain arrays; :func:`sampling_figure`, :func:`ising_scan_figure` and
:func:`sampler_comparison_figure` and :func:`slowing_down_figure` draw the results of the
experiments of :mod:`energynets.experiments.sampling` (a sampling run, the 2D Ising model
against temperature with Onsager's exact solution, samplers on the same budget, the
autocorrelation times at T_c against the lattice side).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from energynets._validation import as_float_array, check_float, check_int
from energynets.plotting._common import (
    BAD,
    GOOD,
    INK,
    check_labels,
    check_result,
    new_axes,
    new_figure,
    sweep_positions,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_SAMPLER_COLORS = {
    "gibbs": "#1f77b4",
    "metropolis": "#ff7f0e",
    "checkerboard": "#2ca02c",
    "tempering": "#d62728",
    "heat-bath": "#2ca02c",
    "wolff": "#9467bd",
    "swendsen-wang": "#8c564b",
}
# the bars of a sampled histogram
_BAR: dict[str, Any] = {"color": "#9ecae1", "edgecolor": "#3182bd"}


def _sampler_color(name: str, k: int) -> str:
    """The color of sampler ``name``, the ``k``-th drawn."""
    fallback = ["#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
    return _SAMPLER_COLORS.get(name, fallback[k % len(fallback)])


def _finish_panel(ax: Axes, xlabel: str, ylabel: str) -> None:
    """Label the axes, draw the grid, and a legend when anything drawn has a label."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[1]:
        ax.legend(fontsize="small")


def _bar_width(x: np.ndarray) -> float:
    """Bars at the sorted positions ``x``: 0.8 of the closest spacing (1 for a single bar)."""
    return 0.8 * float(np.min(np.diff(np.sort(x)))) if x.size > 1 else 1.0


# -- panels -----------------------------------------------------------------------------------


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
    xs, _ = sweep_positions(x, v2.shape[0])
    n_show = min(check_int(max_chains, "max_chains", minimum=0), v2.shape[1])
    if ax is None:
        ax = new_axes((5.2, 3.4))
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
            color=BAD,
            linestyle="--",
            linewidth=1.2,
            label=reference_label,
        )
    _finish_panel(ax, xlabel, ylabel)
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
        names = check_labels(labels, len(series), "labels")
    if taus is not None and len(taus) != len(series):
        raise ValueError(f"taus must have {len(series)} entries, one per series, got {len(taus)}")
    if lag_scale is not None and len(lag_scale) != len(series):
        raise ValueError(
            f"lag_scale must have {len(series)} entries, one per series, got {len(lag_scale)}"
        )
    if ax is None:
        ax = new_axes((4.8, 3.4))
    for k, r in enumerate(series):
        scale = 1.0 if lag_scale is None else float(lag_scale[k])
        text = None if names is None else names[k]
        if taus is not None and np.isfinite(taus[k]):
            text = f"{text + ': ' if text else ''}τ = {taus[k]:.3g}"
        color = _sampler_color(names[k], k) if names is not None else None
        ax.plot(np.arange(r.size) * scale, r, linewidth=1.5, label=text, color=color)
    ax.axhline(0.0, color="black", linewidth=0.6)
    ax.set_ylim(-0.25, 1.05)
    _finish_panel(ax, xlabel, "autocorrelation ρ(t)")
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
        ax = new_axes((5.2, 3.4))
    if levels is not None:
        _levels_vs_exact(ax, freq, p, levels, max_levels)
    else:
        order = np.argsort(-p, kind="stable")[: check_int(max_cells, "max_cells", minimum=1)]
        rank = np.arange(order.size)
        ax.bar(rank, freq[order], width=0.85, label="sampled", **_BAR)
        ax.plot(rank, p[order], "_", color=BAD, markersize=9, markeredgewidth=2, label="exact")
        ax.set_xlabel(f"state, by exact probability ({order.size} most probable of {p.size})")
        ax.set_ylabel("probability")
    title = f"{int(total)} samples vs exact"
    if p_value is not None and np.isfinite(p_value):
        title += f": χ² p = {p_value:.3g}"
    ax.set_title(title, fontsize="medium")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize="small")
    return ax


def _levels_vs_exact(
    ax: Axes, freq: np.ndarray, p: np.ndarray, levels: Any, max_levels: int
) -> None:
    """Sampled frequencies ``freq`` (bars) and exact probabilities ``p`` (markers) against
    the energy ``levels`` of the cells, summed over 40 energy bins when there are more than
    ``max_levels`` levels."""
    e = as_float_array(levels, "levels", ndim=1, dtype=np.float64)
    if e.shape != freq.shape:
        raise ValueError(f"levels must have shape {freq.shape} like counts, got {e.shape}")
    if e.size > max_levels:
        # many distinct levels (continuous couplings): sum both sides over energy bins
        edges = np.linspace(float(e.min()), float(e.max()), 41)
        freq, _ = np.histogram(e, bins=edges, weights=freq)
        p, _ = np.histogram(e, bins=edges, weights=p)
        e = 0.5 * (edges[1:] + edges[:-1])
    ax.bar(e, freq, width=_bar_width(e), label="sampled", **_BAR)
    ax.plot(e, p, "o", color=BAD, markersize=5, label="exact")
    ax.set_xlabel("energy E")
    ax.set_ylabel("probability")


# -- figures of the sampling experiments ------------------------------------------------------


def sampling_figure(result: Any, *, title: str | None = None) -> Figure:
    """Four panels of a sampling run: energy and magnetisation traces, autocorrelation, and
    the sampled distribution (against the exact one for small systems).

    Parameters
    ----------
    result : energynets.experiments.sampling.SampleResult
        What :func:`~energynets.experiments.sampling.sample_system` returns.
    title : str, optional
        Default: the system, sampler and temperature.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_result(
        result,
        "SampleResult",
        ("energies", "magnetisations", "autocorrelations", "records", "settings"),
    )
    s = result.settings
    burn = s.get("burn_in")
    fig = new_figure((10.5, 7.2))
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
        _sampled_energies(axes[1, 1], np.asarray(result.energies)[(burn or 0) + 1 :].ravel())
    if title is None:
        title = (
            f"{s.get('system_label', 'system')}: {s.get('sampler')} at T = "
            f"{s.get('temperature', float('nan')):g}, {s.get('n_chains')} chains"
        )
    fig.suptitle(title)
    return fig


def _sampled_energies(ax: Axes, e: np.ndarray) -> None:
    """The histogram of the sampled energies ``e`` where there is no exact distribution."""
    levels, counts = np.unique(np.round(e, 6), return_counts=True)
    if levels.size <= 100:  # discrete energies (a lattice): one bar per level
        ax.bar(levels, counts, width=_bar_width(levels), **_BAR)
    else:
        ax.hist(e, bins=40, **_BAR)
    ax.set_xlabel("energy E")
    ax.set_ylabel("samples")
    ax.set_title("sampled energies (no exact check above 16 units)", fontsize="medium")
    ax.grid(alpha=0.3, axis="y")


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
        What :func:`~energynets.experiments.sampling.ising_temperature_scan` returns.
    title : str, optional
        Default: the size of the lattice.

    Returns
    -------
    matplotlib.figure.Figure
        Four panels sharing the temperature axis.
    """
    from energynets.experiments.sampling import ONSAGER_TC

    if not hasattr(result, "column") or not getattr(result, "records", None):
        raise ValueError(
            "result must be an IsingScanResult with at least one record, got "
            f"{type(result).__name__}"
        )
    t = result.column("temperature")
    fig = new_figure((10.5, 7.2))
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
            color=INK,
            label=f"{side} x {side} lattice",
        )
        ax.axvline(ONSAGER_TC, color=BAD, linestyle="--", linewidth=1.1, label="T_c = 2.269")
        ax.set_ylabel(ylabel)
        ax.set_title(what, fontsize="medium")
        ax.grid(alpha=0.3)
    t_lo = min(float(t.min()), ONSAGER_TC) - 0.05
    t_hi = max(float(t.max()), ONSAGER_TC) + 0.05
    _onsager_curves(axes, np.linspace(max(t_lo, 0.05), t_hi, 600))
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


def _onsager_curves(axes: np.ndarray, grid: np.ndarray) -> None:
    """The exact infinite-lattice curves over the temperatures ``grid``: the magnetisation
    (Yang 1952), the energy (Onsager 1944) and its derivative, the heat capacity."""
    from energynets.experiments.sampling import ONSAGER_TC, onsager_energy, onsager_magnetisation

    axes[0, 0].plot(
        grid, onsager_magnetisation(grid), color=GOOD, linewidth=1.4,
        label="exact, infinite lattice (Yang 1952)",
    )  # fmt: skip
    u = onsager_energy(grid)
    axes[0, 1].plot(grid, u, color=GOOD, linewidth=1.4, label="exact (Onsager 1944)")
    c = np.gradient(u, grid)
    c[np.abs(grid - ONSAGER_TC) < 0.5 * (grid[1] - grid[0])] = np.nan
    axes[1, 0].plot(grid, c, color=GOOD, linewidth=1.4, label="exact du/dT, infinite lattice")


def sampler_comparison_figure(result: Any, *, title: str | None = None) -> Figure:
    """Samplers on the same budget: energy traces, chains at the ground state, autocorrelation,
    and the replica-exchange rates of parallel tempering.

    Parameters
    ----------
    result : energynets.experiments.sampling.ComparisonResult
        What :func:`~energynets.experiments.sampling.compare_samplers` returns.
    title : str, optional
        Default: the system, its temperature and the samplers compared.

    Returns
    -------
    matplotlib.figure.Figure
        Four panels: energies and chains at the ground state against the budget, the
        autocorrelation of E, and the exchange (or acceptance) rates.
    """
    check_result(
        result,
        "ComparisonResult",
        ("records", "energies", "costs", "autocorrelations", "swap_rates"),
    )
    s = result.settings
    fig = new_figure((10.5, 7.2))
    ax_e, ax_g, ax_r, ax_s = fig.subplots(2, 2).ravel()
    _budget_panels(ax_e, ax_g, result)
    names = [r["sampler"] for r in result.records]
    autocorrelation_plot(
        {n: result.autocorrelations[n] for n in names},
        ax_r,
        taus=[r["tau_cost"] for r in result.records],
        lag_scale=[r["replicas"] for r in result.records],
        xlabel="lag (sweep-equivalents)",
    )
    ax_r.set_title("autocorrelation of E (τ per unit of budget)", fontsize="medium")
    _rates_panel(ax_s, result)
    if title is None:
        title = (
            f"{s.get('system_label', 'system')} at T = {s.get('temperature', float('nan')):g}: "
            f"{', '.join(names)} on the same budget"
        )
    fig.suptitle(title)
    return fig


def _budget_panels(ax_e: Axes, ax_g: Axes, result: Any) -> None:
    """Against the budget: the energy along each sampler's chains (``ax_e``), and the
    fraction of its chains that have reached the ground-state energy (``ax_g``)."""
    ground = float(result.ground_energy)
    tolerance = 1e-6 * max(1.0, abs(ground))
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


def _rates_panel(ax: Axes, result: Any) -> None:
    """The replica-exchange rates of each tempering ladder, or, without tempering, the
    acceptance of unit updates of each sampler."""
    if result.swap_rates:
        for k, (name, rates) in enumerate(result.swap_rates.items()):
            r = np.asarray(rates, dtype=np.float64)
            ax.bar(np.arange(r.size) + 0.5, r, width=0.8, color=_sampler_color(name, k), label=name)
        ax.set_xlabel("neighbouring pair of the ladder (hot → cold)")
        ax.set_ylabel("exchange acceptance")
        ax.set_ylim(0.0, 1.0)
        ax.set_title("replica-exchange rates", fontsize="medium")
        ax.legend(fontsize="small")
    else:
        names = [r["sampler"] for r in result.records]
        acc = [float(r["acceptance"]) for r in result.records]
        ax.bar(names, acc, color=[_sampler_color(n, k) for k, n in enumerate(names)])
        ax.set_ylabel("acceptance")
        ax.set_title("acceptance of unit updates", fontsize="medium")
    ax.grid(alpha=0.3, axis="y")


def slowing_down_figure(result: Any, *, title: str | None = None) -> Figure:
    """Critical slowing down: autocorrelation time against lattice side, log-log, with z.

    One panel per observable (``|m|`` and E): the integrated autocorrelation time in work
    units (sweep-equivalents; Wolff: steps x ``<|C|>`` / N) of each sampler against L, with the
    error bars of the spread over chains and the fitted power law c L^z (dashed), its z in
    the legend beside the published value.

    Parameters
    ----------
    result : energynets.experiments.sampling.SlowingDownResult
        What :func:`~energynets.experiments.sampling.critical_slowing_down` returns.
    title : str, optional
        Default: the temperature.

    Returns
    -------
    matplotlib.figure.Figure
        Two log-log panels sharing the L axis.
    """
    check_result(result, "SlowingDownResult", ("records", "fits", "settings"))
    fig = new_figure((10.5, 4.4))
    axes = fig.subplots(1, 2, sharex=True)
    for ax, (key, label) in zip(axes, (("abs_m", "|m|"), ("energy", "E")), strict=True):
        for k, sampler in enumerate(result.samplers):
            color = _sampler_color(sampler, k)
            sides = result.column("side", sampler).astype(np.float64)
            tau = result.column(f"tau_{key}_work", sampler)
            fit = result.fit(sampler, label)
            ax.errorbar(
                sides, tau, yerr=result.column(f"tau_{key}_work_err", sampler), fmt="o",
                markersize=4.5, capsize=2.5, color=color,
                label=f"{sampler}: z = {fit['z']:.2f} (published {fit['reference_z']:g})",
            )  # fmt: skip
            ok = np.isfinite(tau) & (tau > 0)
            if np.isfinite(fit["z"]) and ok.any():
                # the least-squares line through the points' logs passes through their means
                c = np.exp(np.mean(np.log(tau[ok])) - fit["z"] * np.mean(np.log(sides[ok])))
                ax.plot(sides, c * sides ** fit["z"], "--", color=color, linewidth=1.1)
        ax.set_xscale("log", base=2)
        ax.set_xticks(result.sides, [str(side) for side in result.sides])
        ax.minorticks_off()
        ax.set_yscale("log")
        ax.set_title(f"autocorrelation time of {label}", fontsize="medium")
        _finish_panel(ax, "lattice side L", "τ (sweep-equivalents)")
    if title is None:
        t = float(result.settings.get("temperature", float("nan")))
        title = f"2D Ising model at T = {t:.4f}: critical slowing down, τ ~ L^z"
    fig.suptitle(title)
    return fig
