"""Samplers racing on the same system with the same budget (:func:`compare_samplers`).

Every sampler starts from the same states and makes the same number of single-unit updates
per chain; on a frustrated or cold system the records show which one mixes: the
autocorrelation time of E per unit of budget, the Gelman-Rubin R-hat across chains, the
fraction of chains that reached the ground-state energy and the exchange rates of parallel
tempering. :class:`ComparisonResult` holds them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from energynets._validation import RNGLike, check_choices, check_int, describe_rng, rng_stream
from energynets.experiments._runs import check_bool, draw_entropy, progress_bar
from energynets.experiments.sampling import systems
from energynets.experiments.sampling.chains import Run, run_chains
from energynets.experiments.sampling.records import ComparisonResult
from energynets.experiments.sampling.statistics import autocorrelation_curve, series_record
from energynets.models.boltzmann import BoltzmannMachine

__all__ = ["compare_samplers"]

# Up to this many units the ground-state energy is found by enumeration (2**20 states).
_MAX_GROUND_STATE_UNITS = 20


def _energy_tolerance(model: BoltzmannMachine, scale: float) -> float:
    """Energies closer than this are equal (sampler energies carry rounding)."""
    return (1e-6 if model.dtype == np.float64 else 1e-3) * max(1.0, abs(scale))


def compare_samplers(
    system: str | BoltzmannMachine = "sk",
    samplers: Sequence[str] = ("gibbs", "tempering"),
    *,
    size: int | None = None,
    temperature: float | None = None,
    n_chains: int = 16,
    n_sweeps: int = 2000,
    burn_in: int = 400,
    n_temperatures: int = 8,
    hottest_temperature: float | None = None,
    rng: RNGLike = 0,
    progress: bool = False,
) -> ComparisonResult:
    """Run several samplers on the same system with the same budget: which one mixes?

    Every sampler gets the same starting states and the same number of single-unit updates
    per chain, ``n_sweeps`` sweep-equivalents: a plain sampler makes ``n_sweeps`` sweeps,
    parallel tempering with R rungs ``n_sweeps // R`` sweeps of each of its R replicas
    (Geyer 1991). On a frustrated or low-temperature system single-site chains stay in the
    valley they fall into; the replicas of parallel tempering cross the barriers at high
    temperature and pass the states down the ladder. The records say so in numbers: the
    integrated autocorrelation time of E per unit of budget, the Gelman-Rubin R-hat across
    chains (stuck chains disagree: R-hat >> 1), and the fraction of chains whose energy
    reached the ground-state energy E0 (exact by enumeration for at most 20 units, else the
    lowest energy any chain visited).

    Parameters
    ----------
    system : {"ising", "sk", "ring"} or BoltzmannMachine
        Default the SK spin glass (64 spins).
    samplers : sequence of {"gibbs", "metropolis", "checkerboard", "tempering"}
    size : int, optional
        For a named system (see :func:`make_system`).
    temperature : float > 0, optional
        Default :data:`COMPARE_TEMPERATURES` for a named system (SK: 0.25), 1 for a machine.
    n_chains : int >= 1
    n_sweeps : int >= 2
        The budget in sweep-equivalents per chain (tempering: at least 2 sweeps per replica).
    burn_in : int
        Budget left out of the statistics, in sweep-equivalents.
    n_temperatures, hottest_temperature
        The tempering ladder, as in :func:`sample_system`.
    rng : int, Generator, SeedSequence or None
        One integer drawn from it seeds the SK couplings, the common starting states and one
        stream per sampler (by its position in :data:`SAMPLERS`, so a sampler's result does not
        depend on the others asked for).
    progress : bool
        Show a tqdm progress bar per sampler.

    Returns
    -------
    ComparisonResult

    References
    ----------
    Geyer (1991); Hukushima & Nemoto (1996); Gelman & Rubin (1992); Sokal (1997).

    Examples
    --------
    >>> res = compare_samplers("ring", ["gibbs", "tempering"], n_chains=4, n_sweeps=400,
    ...                        burn_in=80, temperature=0.3)
    >>> res.samplers, res.ground_kind
    (['gibbs', 'tempering'], 'exact')
    """
    names = check_choices(samplers, "samplers", systems.SAMPLERS, "sampler")
    chains = check_int(n_chains, "n_chains", minimum=1)
    budget, burn = systems.check_budget(n_sweeps, burn_in)
    show = check_bool(progress, "progress")
    entropy = draw_entropy(rng)
    name, model = systems.resolve_system(system, size, rng_stream(entropy, 0))
    t = systems.default_temperature(name, temperature, systems.COMPARE_TEMPERATURES)
    if "checkerboard" in names:
        systems.check_lattice(name, model)
    betas = None
    t_hot = None
    if "tempering" in names:
        betas, t_hot = _tempering_ladder(
            model, t, n_temperatures, hottest_temperature, budget, burn
        )
    states = systems.initial_states(model, chains, "random", rng_stream(entropy, 1))

    runs: dict[str, Run] = {}
    for sampler in names:
        sweeps = budget // _replicas(sampler, betas)
        with progress_bar(show, sweeps, f"{sampler}", "sweep", leave=False) as bar:
            runs[sampler] = run_chains(
                model, sampler, states, sweeps, t,
                rng_stream(entropy, 2, systems.SAMPLERS.index(sampler)), record_codes=False,
                betas=betas, bar=bar,
            )  # fmt: skip
    ground, kind = _ground_energy(model, runs)
    threshold = ground + _energy_tolerance(model, ground)

    records = []
    costs: dict[str, np.ndarray] = {}
    autocorrelations: dict[str, np.ndarray] = {}
    for sampler, run in runs.items():
        record, costs[sampler], autocorrelations[sampler] = _outcome(
            sampler, run, _replicas(sampler, betas), burn, threshold
        )
        records.append(record)
    settings = {
        **systems.system_settings(name, size, model),
        "samplers": list(names),
        "temperature": t,
        "n_chains": chains,
        "n_sweeps": budget,
        "burn_in": burn,
        "n_temperatures": None if betas is None else int(betas.size),
        "hottest_temperature": t_hot,
        "rng": describe_rng(rng),
    }
    return ComparisonResult(
        records=records,
        energies={sampler: run.energies for sampler, run in runs.items()},
        costs=costs,
        autocorrelations=autocorrelations,
        swap_rates={s: run.swap_rates for s, run in runs.items() if run.swap_rates is not None},
        ground_energy=float(ground),
        ground_kind=kind,
        settings=settings,
    )


def _tempering_ladder(
    model: BoltzmannMachine,
    temperature: float,
    n_temperatures: Any,
    hottest: Any,
    budget: int,
    burn: int,
) -> tuple[np.ndarray, float]:
    """The tempering ladder, checked to leave each replica at least 2 measured sweeps."""
    betas, t_hot = systems.ladder(model, temperature, n_temperatures, hottest)
    if budget // betas.size - burn // betas.size < 2:
        raise ValueError(
            f"n_sweeps must give tempering at least 2 measured sweeps per replica "
            f"((n_sweeps - burn_in) // n_temperatures >= 2 with {betas.size} rungs), got "
            f"n_sweeps={budget}, burn_in={burn}"
        )
    return betas, t_hot


def _replicas(sampler: str, betas: np.ndarray | None) -> int:
    """Replicas per chain: the rungs of the ladder for tempering, else 1."""
    return 1 if sampler != "tempering" or betas is None else int(betas.size)


def _ground_energy(model: BoltzmannMachine, runs: dict[str, Run]) -> tuple[float, str]:
    """E0 and how it is known: by enumeration up to 20 units, else the lowest energy seen."""
    if model.n_units <= _MAX_GROUND_STATE_UNITS:
        from energynets import exact

        _, ground = exact.ground_states(model)
        return ground, "exact"
    return float(min(float(r.energies.min()) for r in runs.values())), "lowest seen"


def _outcome(
    sampler: str, run: Run, replicas: int, burn: int, threshold: float
) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    """One sampler's record, the budget spent at each row of its trace, and rho(t) of E.

    ``burn`` is in sweep-equivalents of the budget; a chain has found the ground state once
    its energy is at most ``threshold`` (E0 up to rounding).
    """
    sweeps = run.energies.shape[0] - 1  # of each replica
    e_after = run.energies[burn // replicas + 1 :]
    stats = series_record("energy", e_after)
    cost = np.arange(sweeps + 1) * float(replicas)
    reached = run.energies <= threshold  # (sweeps + 1, n_chains)
    found = reached.any(axis=0)
    first = np.where(found, np.argmax(reached, axis=0), -1)
    # median over all chains, those that never reached E0 counting as infinitely late
    median_hit = float(np.median(np.where(found, cost[first], np.inf)))
    rates = run.swap_rates
    record = {
        "sampler": sampler,
        "sweeps": sweeps,
        "replicas": replicas,
        "mean_energy": stats["mean"],
        "energy_stderr": stats["stderr"],
        "tau": stats["tau"],
        "tau_cost": stats["tau"] * replicas,
        "ess": stats["ess"],
        "rhat": stats["rhat"],
        "found_ground": float(found.mean()),
        "time_to_ground": median_hit if math.isfinite(median_hit) else None,
        "acceptance": float(np.mean(run.acceptance)),
        "swap_rate_min": None if rates is None else float(np.nanmin(rates)),
        "seconds": run.seconds,
    }
    return record, cost, autocorrelation_curve(e_after, stats["tau"])
