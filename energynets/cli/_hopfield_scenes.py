"""The Hopfield scenes of ``energynets recall``, ``energynets capacity`` and the demo.

:func:`recall_scene` stores glyphs, corrupts them, recalls them, prints the overlap table and
writes recall.png, energy.png and recall.gif; :func:`capacity_scene` runs the capacity
experiment (serially, or as tasks with ``--workers`` / ``--scheduler``), prints its table and
writes capacity.png.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from energynets.cli._output import use_agg

#: Letters recalled by default: with the Hebbian rule these four glyphs are all fixed points and
#: are recalled exactly from 20% flipped pixels (checked over 100 seeds); longer words of
#: correlated glyphs (HOPFIELD) end in mixture states unless stored with the pseudo-inverse rule.
DEFAULT_LETTERS = "AIVX"


def animated_letter(args: argparse.Namespace) -> str:
    """The glyph of --animate (default: the first of --letters); one of --letters."""
    animate = args.letters[0] if args.animate is None else args.animate.upper()
    if len(animate) != 1 or animate not in args.letters:
        raise ValueError(
            f"--animate must be one of the stored letters {args.letters!r}, got {args.animate!r}"
        )
    return animate


def _pad_rows(series: Sequence[np.ndarray]) -> np.ndarray:
    """Stack series of different lengths along axis 1, each held at its last row.

    ``series[k]`` has shape (n_rows_k, ...); the result (max n_rows_k, n_series, ...), the
    layout of :attr:`energynets.RecallResult.energies` and ``overlaps``.
    """
    n_rows = max(len(s) for s in series)
    out = np.empty((n_rows, len(series), *series[0].shape[1:]))
    for k, s in enumerate(series):
        out[: len(s), k] = s
        out[len(s) :, k] = s[-1]
    return out


def _print_overlaps(patterns: np.ndarray, probes: np.ndarray, res: Any, labels: list[str]) -> None:
    """The table: each probe against its own pattern, before and after."""
    n_units = patterns.shape[1]
    m_before = np.sum(probes * patterns, axis=1) / n_units
    m_after = np.sum(res.states * patterns, axis=1) / n_units
    closest = np.argmax(res.states @ patterns.T / n_units, axis=1)
    exact = np.all(res.states == patterns, axis=1)
    header = f"{'glyph':>5}  {'m before':>8}  {'m after':>8}  {'sweeps':>6}  result"
    print()
    print(header)
    print("-" * (len(header) + 12))
    for k, label in enumerate(labels):
        if exact[k]:
            outcome = "recalled"
        elif res.cycled[k]:
            outcome = "2-cycle"
        elif closest[k] != k:
            outcome = f"wrong: closest to {labels[closest[k]]}"
        else:
            outcome = f"{int(np.sum(res.states[k] != patterns[k]))} pixels wrong"
        print(
            f"{label:>5}  {m_before[k]:8.3f}  {m_after[k]:8.3f}  {int(res.n_sweeps[k]):6d}  "
            f"{outcome}"
        )
    print(f"{int(exact.sum())} of {len(labels)} recalled exactly.")
    print()


def _energy_figure(
    args: argparse.Namespace, patterns: np.ndarray, res: Any, runs: list[Any], labels: list[str]
) -> Any:
    """energy.png: energy and overlap along the dynamics (unit by unit when asynchronous)."""
    from matplotlib.figure import Figure

    from energynets import plotting

    n_units = patterns.shape[1]
    fig = Figure(figsize=(10.0, 3.8), layout="constrained")
    ax_e, ax_m = fig.subplots(1, 2)
    if args.dynamics == "async":
        energies = _pad_rows([e for _, e in runs])
        overlaps = _pad_rows([f @ patterns.T / n_units for f, _ in runs])
        sweeps = np.arange(energies.shape[0]) / n_units
        plotting.energy_trace(energies, ax_e, labels=labels, sweeps=sweeps)
        ax_e.set_title("energy falls with every flip (asynchronous, unit by unit)")
        plotting.overlap_trace(overlaps, ax_m, labels=labels, sweeps=sweeps)
        ax_m.set_title("overlap with the stored patterns")
    else:
        plotting.energy_trace(res.energies, ax_e, labels=labels)
        ax_e.set_title("energy per synchronous step")
        if res.overlaps is not None:
            plotting.overlap_trace(res.overlaps, ax_m, labels=labels)
        ax_m.set_title("overlap with the stored patterns")
    return fig


def _animation(
    args: argparse.Namespace, letter: str, pattern: np.ndarray, run: Any, shape: Any, path: Path
) -> Path:
    """recall.gif: the probe of ``letter`` relaxing unit by unit (``run``: its frames and
    energies), about 32 frames per sweep."""
    from energynets import plotting

    n_units = pattern.shape[0]
    frames, energies = run
    step = max(1, n_units // 32)  # about 32 frames per sweep
    keep = np.unique(np.append(np.arange(0, len(frames), step), len(frames) - 1))
    return plotting.recall_animation(
        frames[keep],
        energies[keep],
        shape,
        path,
        pattern=pattern,
        times=keep / n_units,
        title=f"recalling {letter} from {args.flip_fraction:.0%} flipped pixels",
    )


def recall_scene(args: argparse.Namespace, folder: Path) -> list[Path]:
    """Store, corrupt, recall; print the overlap table; write the three pictures."""
    use_agg()
    from energynets import datasets, plotting
    from energynets.models.hopfield import HopfieldNetwork
    from energynets.sampling.dynamics import trajectory
    from energynets.states import corrupt

    letters = args.letters
    animate = animated_letter(args)
    patterns, labels = datasets.glyphs(letters)
    shape = datasets.glyph_shape()
    n_units = patterns.shape[1]
    gen = np.random.default_rng(args.seed)
    net = HopfieldNetwork.from_patterns(patterns, rule=args.rule)
    probes = corrupt(patterns, args.flip_fraction, rng=gen)
    n_flipped = round(args.flip_fraction * n_units)
    print(
        f"Storing {len(labels)} glyphs {letters} ({shape[0]} x {shape[1]} = {n_units} units) "
        f"with the {args.rule} rule; flipping {n_flipped} pixels of each "
        f"({args.flip_fraction:.0%}) and recalling with {args.dynamics} dynamics."
    )
    res = net.recall(probes, dynamics=args.dynamics, max_sweeps=args.max_sweeps, rng=gen)
    _print_overlaps(patterns, probes, res, labels)

    fig = plotting.recall_figure(
        patterns,
        probes,
        res.states,
        shape,
        labels=labels,
        title=(
            f"{args.rule} rule, {args.flip_fraction:.0%} of the pixels flipped, "
            f"{'asynchronous' if args.dynamics == 'async' else 'synchronous'} dynamics"
        ),
    )
    written = [plotting.save_figure(fig, folder / "recall.png")]
    # unit-by-unit asynchronous runs from the same probes, for the animation and energy.png
    runs = [
        trajectory(net, probes[k], max_sweeps=args.max_sweeps, record_every=1, rng=gen)
        for k in range(len(labels))
    ]
    fig = _energy_figure(args, patterns, res, runs, labels)
    written.append(plotting.save_figure(fig, folder / "energy.png"))
    k = letters.index(animate)
    gif = _animation(args, animate, patterns[k], runs[k], shape, folder / "recall.gif")
    written.append(gif)
    return written


def capacity_scene(
    folder: Path,
    *,
    n_units: int,
    alphas: list[float] | None,
    rules: list[str],
    flip_fraction: float,
    n_trials: int,
    max_probes: int | None,
    seed: int,
    workers: int | None = None,
    scheduler: str | None = None,
) -> list[Path]:
    """Run the capacity experiment, print its table, write capacity.png.

    With ``workers`` > 1 or a Dask ``scheduler`` address the (rule, load) cells run as tasks
    of :func:`energynets.sweep.sweep` (:mod:`energynets.cli._cluster`): the same table."""
    use_agg()
    from energynets import plotting
    from energynets.experiments import capacity

    print(
        f"Capacity: N = {n_units} units, rules {', '.join(rules)}, {n_trials} trial(s), "
        f"{flip_fraction:.0%} of bits flipped in the recall probes."
    )
    settings: dict[str, Any] = {
        "n_units": n_units,
        "alphas": alphas,
        "rules": rules,
        "flip_fraction": flip_fraction,
        "n_trials": n_trials,
        "max_probes": max_probes,
    }
    if scheduler is not None or (workers is not None and workers > 1):
        from energynets.cli._cluster import cluster_executor, run_capacity_parallel

        with cluster_executor(scheduler, workers) as executor:
            result = run_capacity_parallel(executor, workers, settings, seed)
    else:
        result = capacity.run_capacity(**settings, rng=seed, progress=True)
    print(result.to_text())
    fig = plotting.capacity_figure(result)
    return [plotting.save_figure(fig, folder / "capacity.png")]
