"""The sampling scenes of ``energynets sample`` and the demo.

:func:`sample_scene` runs one sampler on one system and prints its statistics (sample.png);
:func:`scan_scene` measures the 2D Ising magnetisation and heat capacity against the
temperature (ising_scan.png); :func:`race_scene` gives several samplers the same budget on one
system and shows which one mixes (compare.png); :func:`slowing_down_scene` measures the
autocorrelation times at T_c against the lattice side (slowing_down.png). Each takes the
keyword arguments of its experiment function of :mod:`energynets.experiments.sampling`, prints
its table and writes its picture and, for the command, its numbers as JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from energynets.cli._output import use_agg, write_json


def _show(
    result: Any, figure: Callable[[Any], Any], folder: Path, name: str, save_json: bool
) -> list[Path]:
    """Print the table of ``result``; write ``name``.png (``figure(result)``) and, with
    ``save_json``, ``name``.json (its summary)."""
    from energynets import plotting

    print(result.to_text())
    written = [plotting.save_figure(figure(result), folder / f"{name}.png")]
    if save_json:
        written.append(write_json(result.summary(), folder / f"{name}.json"))
    return written


def sample_scene(folder: Path, system: str, sampler: str, **options: Any) -> list[Path]:
    """Sample one system with one sampler (``options``: the keyword arguments of
    :func:`~energynets.experiments.sampling.sample_system`), print the table, write
    sample.png and sample.json."""
    use_agg()
    from energynets import plotting
    from energynets.experiments.sampling import sample_system

    print(
        f"Sampling the {system} system with the {sampler} sampler ({options['n_chains']} chains):"
    )
    result = sample_system(system, sampler, **options, progress=True)
    return _show(result, plotting.sampling_figure, folder, "sample", save_json=True)


def scan_scene(
    folder: Path, side: int, temperatures: list[float] | None, *, save_json: bool, **options: Any
) -> list[Path]:
    """Run the Ising temperature scan (``options``: the keyword arguments of
    :func:`~energynets.experiments.sampling.ising_temperature_scan`), print its table, write
    ising_scan.png (and .json)."""
    use_agg()
    from energynets import plotting
    from energynets.experiments.sampling import ising_temperature_scan

    n_temps = "16" if temperatures is None else str(len(temperatures))
    print(
        f"2D Ising model on a {side} x {side} periodic lattice: {options['n_chains']} chains x "
        f"{options['n_sweeps']} checkerboard sweeps at each of {n_temps} temperatures."
    )
    result = ising_temperature_scan(side, temperatures, **options, progress=True)
    return _show(result, plotting.ising_scan_figure, folder, "ising_scan", save_json)


def race_scene(
    folder: Path, system: str, samplers: list[str], *, save_json: bool, **options: Any
) -> list[Path]:
    """Race samplers on one system with one budget (``options``: the keyword arguments of
    :func:`~energynets.experiments.sampling.compare_samplers`), print the table, write
    compare.png (and .json)."""
    use_agg()
    from energynets import plotting
    from energynets.experiments.sampling import compare_samplers

    budget = options["n_sweeps"]
    print(f"Comparing {', '.join(samplers)} on the same budget of {budget} sweep-equivalents:")
    result = compare_samplers(system, samplers, **options, progress=True)
    return _show(result, plotting.sampler_comparison_figure, folder, "compare", save_json)


def slowing_down_scene(
    folder: Path, sides: list[int], samplers: list[str], *, temperature: float | None,
    **options: Any,
) -> list[Path]:  # fmt: skip
    """Measure critical slowing down (``options``: the keyword arguments of
    :func:`~energynets.experiments.sampling.critical_slowing_down`; ``temperature`` None for
    T_c), print its table, write slowing_down.png and slowing_down.json."""
    use_agg()
    from energynets import plotting
    from energynets.experiments.sampling import ONSAGER_TC, critical_slowing_down

    t = ONSAGER_TC if temperature is None else temperature
    print(
        f"Critical slowing down of the 2D Ising model at T = {t:.4f}: {', '.join(samplers)} "
        f"on L = {', '.join(map(str, sides))}, {options['n_chains']} chains x "
        f"{options['n_updates']} updates each."
    )
    result = critical_slowing_down(sides, samplers, temperature=t, **options, progress=True)
    return _show(result, plotting.slowing_down_figure, folder, "slowing_down", save_json=True)
