"""The sampling scenes of ``energynets sample`` and the demo.

:func:`scan_scene` measures the 2D Ising magnetisation and heat capacity against the
temperature (ising_scan.png); :func:`race_scene` gives several samplers the same budget on one
system and shows which one mixes (compare.png). Each prints its table and, for the command,
writes its numbers as JSON.
"""

from __future__ import annotations

from pathlib import Path

from energynets.cli._output import use_agg, write_json


def scan_scene(
    folder: Path,
    *,
    side: int,
    temperatures: list[float] | None,
    n_sweeps: int,
    burn_in: int,
    n_chains: int,
    seed: int,
    save_json: bool,
) -> list[Path]:
    """Run the Ising temperature scan, print its table, write ising_scan.png (and .json)."""
    use_agg()
    from energynets import plotting
    from energynets.experiments.sampling import ising_temperature_scan

    n_temps = "16" if temperatures is None else str(len(temperatures))
    print(
        f"2D Ising model on a {side} x {side} periodic lattice: {n_chains} chains x "
        f"{n_sweeps} checkerboard sweeps at each of {n_temps} temperatures."
    )
    result = ising_temperature_scan(
        side,
        temperatures,
        n_sweeps=n_sweeps,
        burn_in=burn_in,
        n_chains=n_chains,
        rng=seed,
        progress=True,
    )
    print(result.to_text())
    written = [plotting.save_figure(plotting.ising_scan_figure(result), folder / "ising_scan.png")]
    if save_json:
        written.append(write_json(result.summary(), folder / "ising_scan.json"))
    return written


def race_scene(
    folder: Path,
    *,
    system: str,
    size: int | None,
    samplers: list[str],
    temperature: float | None,
    n_chains: int,
    n_sweeps: int,
    burn_in: int,
    n_temperatures: int,
    hottest: float | None,
    seed: int,
    save_json: bool,
) -> list[Path]:
    """Race samplers on one system with one budget, print the table, write compare.png."""
    use_agg()
    from energynets import plotting
    from energynets.experiments.sampling import compare_samplers

    print(f"Comparing {', '.join(samplers)} on the same budget of {n_sweeps} sweep-equivalents:")
    result = compare_samplers(
        system,
        samplers,
        size=size,
        temperature=temperature,
        n_chains=n_chains,
        n_sweeps=n_sweeps,
        burn_in=burn_in,
        n_temperatures=n_temperatures,
        hottest_temperature=hottest,
        rng=seed,
        progress=True,
    )
    print(result.to_text())
    fig = plotting.sampler_comparison_figure(result)
    written = [plotting.save_figure(fig, folder / "compare.png")]
    if save_json:
        written.append(write_json(result.summary(), folder / "compare.json"))
    return written
