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
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from energynets._validation import (
    RNGLike,
    check_choices,
    check_int,
    describe_rng,
    rng_stream,
)
from energynets.experiments._report import (
    TableReport,
    find_record,
    format_cells,
    jsonable,
    record_column,
)
from energynets.experiments._runs import check_bool, draw_entropy, progress_bar
from energynets.experiments.sampling.chains import Run, run_chains
from energynets.experiments.sampling.statistics import autocorrelation_curve, series_record
from energynets.experiments.sampling.systems import (
    COMPARE_TEMPERATURES,
    SAMPLERS,
    check_budget,
    check_lattice,
    default_temperature,
    initial_states,
    ladder,
    resolve_system,
    system_settings,
)
from energynets.models.boltzmann import BoltzmannMachine

__all__ = ["COMPARE_COLUMNS", "ComparisonResult", "compare_samplers"]

#: Columns of :attr:`ComparisonResult.records`.
COMPARE_COLUMNS = (
    "sampler",
    "sweeps",
    "replicas",
    "mean_energy",
    "energy_stderr",
    "tau",
    "tau_cost",
    "ess",
    "rhat",
    "found_ground",
    "time_to_ground",
    "acceptance",
    "swap_rate_min",
    "seconds",
)

# Up to this many units the ground-state energy is found by enumeration (2**20 states).
_MAX_GROUND_STATE_UNITS = 20
_FORMATS = {
    "mean_energy": ".4f", "energy_stderr": ".2g", "tau": ".3g", "tau_cost": ".3g", "ess": ".0f",
    "rhat": ".3f", "found_ground": ".2f", "time_to_ground": ".0f", "acceptance": ".3f",
    "swap_rate_min": ".2f", "seconds": ".2f",
}  # fmt: skip


@dataclass
class ComparisonResult(TableReport):
    """What :func:`compare_samplers` measured, one record per sampler.

    Attributes
    ----------
    records : list of dict
        With the keys of :data:`COMPARE_COLUMNS`:

        - ``sampler``; ``sweeps`` each replica made and ``replicas`` per chain (1, or the
          tempering rungs), so that sweeps x replicas is the same budget for all;
        - ``mean_energy`` <E> after burn-in and ``energy_stderr`` (spread of chain means);
        - ``tau``: integrated autocorrelation time of E in the sampler's sweeps, ``tau_cost``
          the same in sweep-equivalents of the budget (tau x replicas), ``ess``;
        - ``rhat``: Gelman-Rubin R-hat of E across chains (near 1: the chains agree; large:
          they are stuck in different valleys, which tau alone cannot see);
        - ``found_ground``: fraction of chains whose energy reached the ground-state energy
          (see ``ground_energy``), and ``time_to_ground``, the median budget (in
          sweep-equivalents) they needed, None when fewer than half did;
        - ``acceptance``; ``swap_rate_min`` (tempering: the smallest exchange rate of the
          ladder, None otherwise); ``seconds`` of wall time.
    energies : dict of str to ndarray, shape (n_sweeps_s + 1, n_chains)
        The energy traces of each sampler (for tempering: of the replica at T).
    costs : dict of str to ndarray, shape (n_sweeps_s + 1,)
        The budget spent at each row of the trace, in sweep-equivalents (sweep x replicas).
    autocorrelations : dict of str to ndarray
        rho(t) of E after burn-in, per sampler, against lag in its own sweeps.
    swap_rates : dict of str to ndarray
        Tempering only: exchange rates between neighbouring rungs.
    ground_energy : float
        The ground-state energy: exact (enumeration) for at most 20 units, else the lowest
        energy any chain of any sampler visited (``ground_kind``).
    ground_kind : {"exact", "lowest seen"}
    settings : dict

    Examples
    --------
    >>> res = compare_samplers("ring", ["gibbs", "metropolis"], n_chains=4, n_sweeps=200,
    ...                        burn_in=40, temperature=0.5, rng=0)
    >>> res.samplers, res.record("metropolis")["sampler"], res.ground_kind
    (['gibbs', 'metropolis'], 'metropolis', 'exact')
    """

    records: list[dict[str, Any]]
    energies: dict[str, np.ndarray]
    costs: dict[str, np.ndarray]
    autocorrelations: dict[str, np.ndarray]
    swap_rates: dict[str, np.ndarray]
    ground_energy: float
    ground_kind: str
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def samplers(self) -> list[str]:
        """The samplers compared, in the order of :attr:`records`."""
        return [r["sampler"] for r in self.records]

    def column(self, name: str) -> np.ndarray:
        """One column of the records (see :data:`COMPARE_COLUMNS`); None becomes NaN.

        Parameters
        ----------
        name : str

        Returns
        -------
        ndarray, shape (n_samplers,)
        """
        return record_column(self.records, name, COMPARE_COLUMNS)

    def record(self, sampler: str) -> dict[str, Any]:
        """The record of one sampler.

        Parameters
        ----------
        sampler : str
            One of :attr:`samplers`.

        Returns
        -------
        dict
            The keys of :data:`COMPARE_COLUMNS`.
        """
        return find_record(self.records, "sampler", sampler)

    _HEADERS = (
        "sampler", "sweeps", "replicas", "<E>", "+-", "tau", "tau x rep", "ESS", "R-hat",
        "found E0", "t(E0)", "acc", "min swap", "s",
    )  # fmt: skip

    def _cells(self) -> list[list[str]]:
        return format_cells(self.records, COMPARE_COLUMNS, _FORMATS)

    def _notes(self) -> list[str]:
        s = self.settings
        lines = [
            f"{s['system_label']} at T = {s['temperature']:g}; {s['n_chains']} chains, a budget "
            f"of {s['n_sweeps']} sweep-equivalents each ({s['burn_in']} burn-in)",
            f"ground-state energy E0 = {self.ground_energy:.6g} ({self.ground_kind})",
        ]
        for name, rates in self.swap_rates.items():
            lines.append(f"{name} swap rates: " + ", ".join(f"{r:.2f}" for r in rates))
        lines.append(
            "a sampler mixes when its chains agree (R-hat near 1) and reach E0; tau x replicas "
            "is the autocorrelation time per unit of budget"
        )
        return lines

    def summary(self) -> dict[str, Any]:
        """Settings, records, ground energy, swap rates and the winner, for json.dumps.

        Returns
        -------
        dict
            Of JSON types only.
        """
        return jsonable(
            {
                "experiment": "compare_samplers",
                "settings": self.settings,
                "records": self.records,
                "ground_energy": self.ground_energy,
                "ground_kind": self.ground_kind,
                "swap_rates": self.swap_rates,
            }
        )


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
    names = check_choices(samplers, "samplers", SAMPLERS, "sampler")
    chains = check_int(n_chains, "n_chains", minimum=1)
    budget, burn = check_budget(n_sweeps, burn_in)
    show = check_bool(progress, "progress")
    entropy = draw_entropy(rng)
    name, model = resolve_system(system, size, rng_stream(entropy, 0))
    t = default_temperature(name, temperature, COMPARE_TEMPERATURES)
    if "checkerboard" in names:
        check_lattice(name, model)
    betas = None
    t_hot = None
    if "tempering" in names:
        betas, t_hot = _tempering_ladder(
            model, t, n_temperatures, hottest_temperature, budget, burn
        )
    states = initial_states(model, chains, "random", rng_stream(entropy, 1))

    runs: dict[str, Run] = {}
    for sampler in names:
        sweeps = budget // _replicas(sampler, betas)
        with progress_bar(show, sweeps, f"{sampler}", "sweep", leave=False) as bar:
            runs[sampler] = run_chains(
                model, sampler, states, sweeps, t, rng_stream(entropy, 2, SAMPLERS.index(sampler)),
                record_codes=False, betas=betas, bar=bar,
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
        **system_settings(name, size, model),
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
    betas, t_hot = ladder(model, temperature, n_temperatures, hottest)
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
