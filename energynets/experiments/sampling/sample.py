"""One system, one sampler: traces, diagnostics and the exact check (:func:`sample_system`).

Many independent chains of p(s) = exp(-E(s) / T) / Z, their energy and magnetisation after
every sweep, means with errors over the chains, integrated autocorrelation times, effective
sample sizes, the Gelman-Rubin R-hat and, for small systems, a chi-square test of the sampled
histogram against the exact distribution; :class:`SampleResult` holds them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from energynets._validation import RNGLike, check_choice, check_int, describe_rng, rng_stream
from energynets.experiments._runs import check_bool, draw_entropy, progress_bar
from energynets.experiments.sampling import systems
from energynets.experiments.sampling.chains import Run, run_chains
from energynets.experiments.sampling.histogram import MAX_EXACT_UNITS, histogram_check, thinning
from energynets.experiments.sampling.records import SampleResult
from energynets.experiments.sampling.statistics import autocorrelation_curve, series_record
from energynets.models.boltzmann import BoltzmannMachine

__all__ = ["sample_system"]


def sample_system(
    system: str | BoltzmannMachine = "ising",
    sampler: str = "gibbs",
    *,
    size: int | None = None,
    n_chains: int = 16,
    n_sweeps: int = 1000,
    burn_in: int = 200,
    temperature: float | None = None,
    initial: str = "random",
    n_temperatures: int = 8,
    hottest_temperature: float | None = None,
    rng: RNGLike = 0,
    progress: bool = False,
) -> SampleResult:
    """Sample a system at temperature T with one sampler; traces, diagnostics, exact check.

    Runs ``n_chains`` independent chains of p(s) = exp(-E(s) / T) / Z for ``n_sweeps`` sweeps
    (the model at T is ``model.tempered(1 / T)``) and measures, after ``burn_in`` sweeps, the
    energy E and the magnetisation m = (1/N) sum_i s_i: their means with standard errors (from
    the spread of the independent chains' means), integrated autocorrelation times

        tau = 1 + 2 sum_{t >= 1} rho(t)   (Sokal's automatic window),

    effective sample sizes n_steps n_chains / tau, and the Gelman-Rubin R-hat across chains.
    For systems of at most :data:`MAX_EXACT_UNITS` units the sampled histogram (of states up to
    10 units, of energy levels above) is tested against ``exact.probabilities`` with Pearson's
    chi-square, on samples thinned to one per ceil(5 tau) sweeps.

    Parameters
    ----------
    system : {"ising", "sk", "ring"} or BoltzmannMachine
        A ready-made system (see :func:`make_system`) or any machine (T = 1 is the machine).
    sampler : {"gibbs", "metropolis", "checkerboard", "tempering"}
        Single-site Gibbs or Metropolis (random scan), checkerboard updates (lattices with
        even sides: the Ising model), or parallel tempering with Gibbs replicas.
    size : int, optional
        The system's size for a named system (see :func:`make_system`).
    n_chains : int >= 1
        Independent chains (vectorised); at least 2 for standard errors and R-hat.
    n_sweeps : int >= 2
        Sweeps per chain (per replica for tempering, which thus costs ``n_temperatures``
        times more).
    burn_in : int, 0 <= burn_in <= n_sweeps - 2
        Sweeps left out of the statistics (they stay in the traces).
    temperature : float > 0, optional
        T; default :data:`DEFAULT_TEMPERATURES` for a named system, 1 for a machine.
    initial : {"random", "ordered"}
        Start from uniformly random states or from every unit high (+1).
    n_temperatures : int >= 2
        Tempering only: rungs of the geometric ladder from ``hottest_temperature`` to T.
    hottest_temperature : float > T, optional
        Tempering only; default max(2 T, 2 sigma), sigma = sqrt(mean_i (sum_j W_ij^2 + b_i^2))
        the typical size of a local field (1 for SK, 2 for the Ising lattice).
    rng : int, Generator, SeedSequence or None
        Source of all randomness; one integer drawn from it seeds independent streams for the
        SK couplings, the starting states and the chains.
    progress : bool
        Show a tqdm progress bar over the sweeps.

    Returns
    -------
    SampleResult

    Raises
    ------
    ValueError
        An unknown system or sampler, a non-positive temperature, a burn-in that leaves fewer
        than 2 sweeps, or the checkerboard sampler on a system that is not an even lattice.

    References
    ----------
    Sokal (1997); Gelman & Rubin (1992); Geyer (1991). See the module notes.

    Examples
    --------
    >>> res = sample_system("ring", "gibbs", n_chains=8, n_sweeps=300, burn_in=50, rng=0)
    >>> res.energies.shape, res.histogram.kind
    ((301, 8), 'states')
    """
    check_choice(sampler, "sampler", systems.SAMPLERS)
    chains = check_int(n_chains, "n_chains", minimum=1)
    n, burn = systems.check_budget(n_sweeps, burn_in)
    check_choice(initial, "initial", ("random", "ordered"))
    show = check_bool(progress, "progress")
    entropy = draw_entropy(rng)
    name, model = systems.resolve_system(system, size, rng_stream(entropy, 0))
    t = systems.default_temperature(name, temperature)
    betas = temperatures = None
    t_hot = None
    if sampler == "tempering":
        betas, t_hot = systems.ladder(model, t, n_temperatures, hottest_temperature)
        temperatures = t / betas
    elif sampler == "checkerboard":
        systems.check_lattice(name, model)
    states = systems.initial_states(model, chains, initial, rng_stream(entropy, 1))
    small = model.n_units <= MAX_EXACT_UNITS
    with progress_bar(show, n, f"{sampler} T={t:g}", "sweep", leave=False) as bar:
        run = run_chains(
            model, sampler, states, n, t, rng_stream(entropy, 2), record_codes=small, betas=betas,
            bar=bar,
        )  # fmt: skip
    records, autocorrelations = _measure(run, burn)
    histogram = None
    if small and run.codes is not None:
        thin = thinning([records[0]["tau"], records[1]["tau"]], n - burn)
        histogram = histogram_check(model, t, run.codes[burn:], thin)
    settings = {
        **systems.system_settings(name, size, model),
        "sampler": sampler,
        "temperature": t,
        "n_chains": chains,
        "n_sweeps": n,
        "burn_in": burn,
        "initial": initial,
        "n_temperatures": None if betas is None else int(betas.size),
        "hottest_temperature": t_hot,
        "rng": describe_rng(rng),
        "seconds": run.seconds,
    }
    return SampleResult(
        records=records,
        energies=run.energies,
        magnetisations=run.magnetisations,
        autocorrelations=autocorrelations,
        acceptance=run.acceptance,
        swap_rates=run.swap_rates,
        temperatures=temperatures,
        histogram=histogram,
        settings=settings,
    )


def _measure(run: Run, burn: int) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    """The records of E, m and |m| after ``burn`` sweeps, and rho(t) of E and m."""
    e_after = run.energies[burn + 1 :]
    m_after = run.magnetisations[burn + 1 :]
    records = [
        series_record("energy", e_after),
        series_record("magnetisation", m_after),
        series_record("|magnetisation|", np.abs(m_after)),
    ]
    autocorrelations = {
        "energy": autocorrelation_curve(e_after, records[0]["tau"]),
        "magnetisation": autocorrelation_curve(m_after, records[1]["tau"]),
    }
    return records, autocorrelations
