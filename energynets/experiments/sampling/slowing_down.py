"""Critical slowing down: autocorrelation times at T_c against the lattice side, and z.

:func:`critical_slowing_down` runs heat-bath and Metropolis checkerboard chains, Wolff
single-cluster chains and Swendsen-Wang chains of the 2D Ising model (J = 1, h = 0, periodic
L x L lattice, :func:`~energynets.models.lattice.ising_lattice`) at Onsager's critical
temperature for several sides L, measures the integrated autocorrelation time tau of the
magnetisation per spin ``|m|`` and of the energy E (Sokal's window,
:func:`~energynets.sampling.diagnostics.integrated_autocorrelation_time`) and fits the dynamic
exponent z of tau ~ L^z per sampler (:func:`fit_dynamic_exponent`).
:class:`SlowingDownResult` holds the measurements.

Units of tau
------------
Every tau is given twice:

- in the sampler's own *updates*: a sweep for heat-bath, Metropolis (every spin visited
  once) and Swendsen-Wang (every bond activated or not, every cluster flipped or not), a
  *step* (one cluster grown and flipped) for Wolff;
- in units of *work*, sweep-equivalents, i.e. per N spins visited or flipped: the same
  number for the sweeping samplers, and for Wolff tau in steps times the mean fraction of the
  lattice that a step flips, <|C|> / N, so that the samplers are compared at equal work. The
  exponents z are fitted to tau in work units.

References
----------
Grassberger, P. (1995). Damage spreading and critical exponents for "model A" Ising dynamics.
Physica A 214, 547-559 (heat-bath dynamics in d = 2: z = 2.172 +- 0.006).

Baillie, C. F. & Coddington, P. D. (1991). Comparison of cluster algorithms for
two-dimensional Potts models. Phys. Rev. B 43, 10617 (NPAC report SCCS-012, 1990:
for q = 2, the Ising model, Swendsen-Wang and Wolff autocorrelation times are better fitted
by a logarithmic growth with L but consistent with a power law of z ~ 0.25).

Swendsen, R. H. & Wang, J.-S. (1987). Nonuniversal critical dynamics in Monte Carlo
simulations. Phys. Rev. Lett. 58, 86-88.

Wolff, U. (1989). Collective Monte Carlo updating for spin systems. Phys. Rev. Lett. 62,
361-364.

Sokal, A. (1997). Monte Carlo methods in statistical mechanics: foundations and new
algorithms. In Functional Integration (Cargese 1996), NATO ASI Series B 361, 131-192.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from energynets._validation import (
    RNGLike,
    check_choices,
    check_float,
    check_int,
    describe_rng,
    rng_stream,
)
from energynets.experiments._report import TableReport, group_column, rows_of
from energynets.experiments._runs import check_bool, draw_entropy, progress_bar
from energynets.experiments.sampling.onsager import ONSAGER_TC
from energynets.experiments.sampling.statistics import stderr_over_chains
from energynets.models.lattice import LatticeIsing, ising_lattice
from energynets.sampling.cluster import swendsen_wang, wolff
from energynets.sampling.diagnostics import integrated_autocorrelation_time
from energynets.sampling.gibbs import ChainResult, checkerboard

__all__ = [
    "CSD_SAMPLERS",
    "DYNAMIC_EXPONENTS",
    "SLOWING_DOWN_COLUMNS",
    "SLOWING_DOWN_PRESETS",
    "SlowingDownResult",
    "critical_slowing_down",
    "fit_dynamic_exponent",
    "per_chain_tau",
]

#: The samplers of :func:`critical_slowing_down`: checkerboard heat-bath (Gibbs) and
#: Metropolis sweeps, Wolff single-cluster steps, Swendsen-Wang sweeps.
CSD_SAMPLERS = ("heat-bath", "metropolis", "wolff", "swendsen-wang")

#: Published dynamic exponents of the 2D Ising model per sampler: (z, its error or None, source).
#: Metropolis is in the same dynamic universality class ("model A") as heat-bath.
DYNAMIC_EXPONENTS: dict[str, tuple[float, float | None, str]] = {
    "heat-bath": (2.172, 0.006, "Grassberger 1995, heat-bath"),
    "metropolis": (2.172, 0.006, "Grassberger 1995, heat-bath (same model A class)"),
    "wolff": (0.25, None, "Baillie & Coddington 1991, ~0.25 or log L"),
    "swendsen-wang": (0.25, None, "Baillie & Coddington 1991, ~0.25 or log L"),
}

#: Sizes of :func:`critical_slowing_down` runs, ``critical_slowing_down(**preset)``:
#: "quick" (L = 4, 8; seconds: tests and demonstrations), "medium" (L = 8, 16, 32; a few
#: minutes) and "careful" (L = 8 to 64, at least 100 tau for every sampler at L = 64: heat-bath
#: tau is about 290 sweeps at L = 32 and 1200 at L = 64; 33 minutes on a shared 2-core machine,
#: see ``benchmarks/slowing_down_quality.py``).
SLOWING_DOWN_PRESETS: dict[str, dict[str, Any]] = {
    "quick": {"sides": (4, 8), "n_chains": 8, "n_updates": 3000},
    "medium": {
        "sides": (8, 16, 32),
        "n_chains": 8,
        "n_updates": {
            "heat-bath": 20000,
            "metropolis": 20000,
            "wolff": 10000,
            "swendsen-wang": 5000,
        },
    },
    "careful": {
        "sides": (8, 16, 32, 64),
        "n_chains": 16,
        "n_updates": {
            "heat-bath": 150_000,
            "metropolis": 100_000,
            "wolff": 20_000,
            "swendsen-wang": 20_000,
        },
    },
}

#: Columns of :attr:`SlowingDownResult.records`.
SLOWING_DOWN_COLUMNS = (
    "sampler",
    "side",
    "unit",
    "updates",
    "burn_in",
    "work_per_update",
    "tau_abs_m",
    "tau_abs_m_err",
    "tau_energy",
    "tau_energy_err",
    "tau_abs_m_work",
    "tau_abs_m_work_err",
    "tau_energy_work",
    "tau_energy_work_err",
    "run_in_tau",
    "seconds",
)
_INTEGERS = ("side", "updates", "burn_in")
#: The observables whose tau is measured: record key and label.
_OBSERVABLES = {"abs_m": "|m|", "energy": "E"}
# A run shorter than this many autocorrelation times is flagged in the notes.
_SHORT_RUN = 100.0
# Recorded states per sampler call: at most this many numbers (as run_chains).
_CHUNK_ELEMENTS = 1 << 22
_MAX_CHUNK = 100


# -- estimators -------------------------------------------------------------------------------
def per_chain_tau(x: Any) -> np.ndarray:
    """The integrated autocorrelation time of each chain (column) of ``x`` on its own.

    Parameters
    ----------
    x : array_like, shape (n_steps, n_chains), n_steps >= 2

    Returns
    -------
    ndarray of float64, shape (n_chains,)
        tau of every column (Sokal's window,
        :func:`~energynets.sampling.diagnostics.integrated_autocorrelation_time`); NaN for a
        constant column.

    References
    ----------
    Sokal, A. (1997), section 3 (see the module notes).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> taus = per_chain_tau(rng.normal(size=(5000, 3)))
    >>> taus.shape, bool(np.all(np.abs(taus - 1.0) < 0.2))
    ((3,), True)
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] < 2:
        raise ValueError(f"x must have shape (n_steps >= 2, n_chains), got shape {arr.shape}")
    return np.array([integrated_autocorrelation_time(arr[:, c]) for c in range(arr.shape[1])])


def _mean_err(values: np.ndarray) -> tuple[float, float]:
    """Mean of the finite values and its standard error over them (NaN if none)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return float("nan"), float("nan")
    return float(finite.mean()), stderr_over_chains(finite)


def fit_dynamic_exponent(sides: Any, taus: Any) -> tuple[float, float]:
    """z and its standard error from a least-squares line through (log L, log tau).

    Fits log tau = log c + z log L by ordinary least squares; the standard error of the
    slope is sqrt(s^2 / sum (log L - mean)^2) with s^2 the residual variance on n - 2
    degrees of freedom.

    Parameters
    ----------
    sides : array_like of float > 0, shape (n,)
    taus : array_like of float, shape (n,)
        Points with a tau that is not finite and > 0 are left out.

    Returns
    -------
    z, z_stderr : float
        z is NaN with fewer than 2 usable points; z_stderr is NaN with fewer than 3 and 0
        when the points lie exactly on a line.

    References
    ----------
    Sokal (1997); Grassberger (1995): tau ~ L^z at T_c. See the module notes.

    Examples
    --------
    >>> z, err = fit_dynamic_exponent([8, 16, 32], [3.0 * L**2.17 for L in (8, 16, 32)])
    >>> round(z, 6), round(err, 6)
    (2.17, 0.0)
    """
    x = np.asarray(sides, dtype=np.float64).ravel()
    y = np.asarray(taus, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError(f"sides and taus must have the same length, got {x.size} and {y.size}")
    if np.any(~np.isfinite(x) | (x <= 0)):
        raise ValueError(f"sides must be finite and > 0, got {x.tolist()}")
    keep = np.isfinite(y) & (y > 0)
    lx, ly = np.log(x[keep]), np.log(y[keep])
    n = lx.size
    if n < 2 or np.ptp(lx) == 0:
        return float("nan"), float("nan")
    dx = lx - lx.mean()
    sxx = float(dx @ dx)
    z = float(dx @ (ly - ly.mean()) / sxx)
    if n < 3:
        return z, float("nan")
    residual = ly - ly.mean() - z * dx
    return z, float(math.sqrt(float(residual @ residual) / (n - 2) / sxx))


# -- the runs ---------------------------------------------------------------------------------
@dataclass
class _Trace:
    abs_m: np.ndarray  # (n_updates + 1, n_chains)
    energy: np.ndarray  # (n_updates + 1, n_chains), E of the model at T = 1 couplings
    flipped: np.ndarray  # (n_chains,) mean fraction of the spins flipped per update
    seconds: float


def _kernel(sampler: str) -> Callable[..., ChainResult]:
    """The sampler function of a name of :data:`CSD_SAMPLERS` (model, states, n, rng, record)."""
    if sampler == "heat-bath":
        return lambda m, s, n, rng: checkerboard(m, s, n, rng, rule="gibbs", record=True)
    if sampler == "metropolis":
        return lambda m, s, n, rng: checkerboard(m, s, n, rng, rule="metropolis", record=True)
    if sampler == "wolff":
        return lambda m, s, n, rng: wolff(m, s, n, rng, record=True)
    return lambda m, s, n, rng: swendsen_wang(m, s, n, rng, record=True)


def _trace(
    sampler: str,
    model: LatticeIsing,
    states: np.ndarray,
    n_updates: int,
    temperature: float,
    gen: np.random.Generator,
    bar: Any,
) -> _Trace:
    """``|m|`` and E after every update of ``n_updates``, in chunks of recorded states."""
    n_chains, n_units = states.shape
    abs_m = np.empty((n_updates + 1, n_chains))
    energy = np.empty((n_updates + 1, n_chains))
    abs_m[0] = np.abs(states.mean(axis=1))
    energy[0] = model.energy(states) * temperature
    flipped = np.zeros(n_chains)
    chunk = int(max(1, min(_MAX_CHUNK, _CHUNK_ELEMENTS // (n_chains * n_units))))
    step = _kernel(sampler)
    current = states
    done = 0
    start = time.perf_counter()
    while done < n_updates:
        k = min(chunk, n_updates - done)
        res = step(model, current, k, gen)
        current = res.states
        assert res.samples is not None
        abs_m[done + 1 : done + k + 1] = np.abs(res.samples.mean(axis=2))
        # the samplers report the energy of the model they run, E / T
        energy[done + 1 : done + k + 1] = res.energies[1:] * temperature
        flipped += res.acceptance * k
        done += k
        if bar is not None:
            bar.update(k)
    return _Trace(abs_m, energy, flipped / max(n_updates, 1), time.perf_counter() - start)


def _record(sampler: str, side: int, trace: _Trace, updates: int, burn: int) -> dict[str, Any]:
    """The record of one sampler at one side, from the updates after the burn-in."""
    # work per update in sweep-equivalents: Wolff flips <|C|> / N of the lattice per step
    work = trace.flipped if sampler == "wolff" else np.ones_like(trace.flipped)
    record: dict[str, Any] = {
        "sampler": sampler,
        "side": side,
        "unit": "step" if sampler == "wolff" else "sweep",
        "updates": updates,
        "burn_in": burn,
        "work_per_update": float(work.mean()),
    }
    slowest = 0.0
    for key, series in (("abs_m", trace.abs_m), ("energy", trace.energy)):
        taus = per_chain_tau(series[burn + 1 :])
        record[f"tau_{key}"], record[f"tau_{key}_err"] = _mean_err(taus)
        record[f"tau_{key}_work"], record[f"tau_{key}_work_err"] = _mean_err(taus * work)
        if np.isfinite(record[f"tau_{key}"]):
            slowest = max(slowest, record[f"tau_{key}"])
    record["run_in_tau"] = (updates - burn) / slowest if slowest > 0 else float("nan")
    record["seconds"] = trace.seconds
    return {key: record[key] for key in SLOWING_DOWN_COLUMNS}


def _fits(records: list[dict[str, Any]], samplers: Sequence[str]) -> list[dict[str, Any]]:
    """z per sampler and observable, from tau in work units against L."""
    fits = []
    for sampler in samplers:
        rows = rows_of(records, "sampler", sampler)
        sides = [r["side"] for r in rows]
        z_ref, z_ref_err, source = DYNAMIC_EXPONENTS[sampler]
        for key, label in _OBSERVABLES.items():
            z, z_err = fit_dynamic_exponent(sides, [r[f"tau_{key}_work"] for r in rows])
            fits.append({
                "sampler": sampler, "observable": label, "z": z, "z_err": z_err,
                "n_sides": len(sides), "reference_z": z_ref, "reference_err": z_ref_err,
                "reference": source,
            })  # fmt: skip
    return fits


# -- arguments --------------------------------------------------------------------------------
def _check_sides(sides: Any) -> tuple[int, ...]:
    """Distinct even sides >= 4, in increasing order."""
    try:
        items = [sides] if np.ndim(sides) == 0 else list(sides)
    except TypeError:
        raise TypeError(f"sides must be a sequence of ints, got {type(sides).__name__}") from None
    if not items:
        raise ValueError("sides must name at least one lattice side, got an empty sequence")
    values = []
    for item in items:
        side = check_int(item, "sides", minimum=4, maximum=1024)
        if side % 2:
            raise ValueError(
                f"sides must be even (the checkerboard samplers two-colour the lattice), got {side}"
            )
        values.append(side)
    if len(set(values)) != len(values):
        raise ValueError(f"sides must be distinct, got {values}")
    return tuple(sorted(values))


def _per_sampler(value: Any, name: str, samplers: Sequence[str], minimum: int) -> dict[str, int]:
    """An int for every sampler, or a mapping from each sampler asked for to its int."""
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in CSD_SAMPLERS]
        if unknown:
            raise ValueError(
                f"{name} names unknown samplers {unknown} (choose from {', '.join(CSD_SAMPLERS)})"
            )
        missing = [s for s in samplers if s not in value]
        if missing:
            raise ValueError(f"{name} must give a count for every sampler run, missing {missing}")
        return {s: check_int(value[s], f"{name}[{s!r}]", minimum=minimum) for s in samplers}
    count = check_int(value, name, minimum=minimum)
    return dict.fromkeys(samplers, count)


def _check_budgets(
    n_updates: Any, burn_in: Any, samplers: Sequence[str]
) -> tuple[dict[str, int], dict[str, int]]:
    """Updates and burn-in per sampler; each must leave at least 16 measured updates."""
    updates = _per_sampler(n_updates, "n_updates", samplers, 17)
    burn = _per_sampler(
        {s: updates[s] // 5 for s in samplers} if burn_in is None else burn_in,
        "burn_in", samplers, 0,
    )  # fmt: skip
    for s in samplers:
        if updates[s] - burn[s] < 16:
            raise ValueError(
                f"burn_in must leave at least 16 measured updates (burn_in <= n_updates - 16 "
                f"= {updates[s] - 16} for {s}), got {burn[s]}"
            )
    return updates, burn


def critical_slowing_down(
    sides: Sequence[int] = (8, 16, 32, 64),
    samplers: Sequence[str] = CSD_SAMPLERS,
    *,
    temperature: float = ONSAGER_TC,
    n_chains: int = 16,
    n_updates: int | Mapping[str, int] = 20000,
    burn_in: int | Mapping[str, int] | None = None,
    rng: RNGLike = 0,
    progress: bool = False,
) -> SlowingDownResult:
    """Integrated autocorrelation times of ``|m|`` and E at T_c against L, and the exponent z.

    For every side L and sampler, ``n_chains`` independent chains of the 2D Ising model on a
    periodic L x L lattice (J = 1, h = 0, stored by its bonds) start from the same random
    states and make ``n_updates`` updates of the sampler at ``temperature``. After
    ``burn_in`` updates, the integrated autocorrelation time of the magnetisation per spin
    ``|m|`` and of the energy E is estimated per chain (Sokal's window) and reported as the
    mean over the chains with its standard error, in the sampler's own updates and in work
    units (sweep-equivalents: for Wolff, tau in steps times the mean cluster size over N; see
    the module notes). The dynamic exponent z of tau ~ L^z (work units) is fitted per sampler
    and observable by :func:`fit_dynamic_exponent` and set beside the published values
    (:data:`DYNAMIC_EXPONENTS`).

    Parameters
    ----------
    sides : sequence of int, even, 4 <= L <= 1024, distinct
        The lattice sides; z needs at least 2 (its error at least 3).
    samplers : sequence of {"heat-bath", "metropolis", "wolff", "swendsen-wang"}
        Checkerboard heat-bath (Gibbs) and Metropolis sweeps, Wolff single-cluster steps,
        Swendsen-Wang sweeps (:data:`CSD_SAMPLERS`).
    temperature : float > 0
        Default Onsager's T_c = 2 / ln(1 + sqrt 2) = 2.269.
    n_chains : int >= 2
        Independent chains per sampler and side (the errors are their spread).
    n_updates : int >= 17, or mapping of sampler to int
        Updates per chain, burn-in included, in the sampler's own updates (sweeps; Wolff:
        steps), the same for every side. A mapping gives each sampler its own count: the
        local samplers need runs of many L^2.17 sweeps, the cluster samplers far fewer.
    burn_in : int or mapping of sampler to int, optional
        Updates left out of the statistics; default a fifth of ``n_updates``. At least 16
        updates must remain.
    rng : int, Generator, SeedSequence or None
        One integer drawn from it seeds the starting states of each side and a stream per
        sampler and side (by position in :data:`CSD_SAMPLERS` and the side), so a sampler's
        result does not depend on the others asked for.
    progress : bool
        Show a tqdm progress bar per sampler and side.

    Returns
    -------
    SlowingDownResult

    Notes
    -----
    :data:`SLOWING_DOWN_PRESETS` sizes three runs: ``critical_slowing_down(
    **SLOWING_DOWN_PRESETS["careful"], progress=True)`` is the careful run to L = 64.

    Cost: per side, n_chains x L^2 spins times n_updates updates of each sampler, plus the
    recorded states, O(n_chains L^2) per update. On one core, 16 chains at L = 64 take about
    3 ms per checkerboard sweep, 6 ms per Swendsen-Wang sweep and a few ms per Wolff step at
    T_c. The estimate of tau is reliable when the measured run is much longer
    than tau: the records give ``run_in_tau`` and the notes flag runs shorter than 100 tau.
    At T_c heat-bath's tau grows like L^2.17 (about 250 sweeps at L = 32), so a careful run to
    L = 64 gives heat-bath about 1.5 x 10^5 sweeps and the cluster samplers 2 x 10^4 updates
    (see the user guide).

    References
    ----------
    Grassberger (1995); Baillie & Coddington (1991); Swendsen & Wang (1987); Wolff (1989);
    Sokal (1997). See the module notes.

    Examples
    --------
    >>> res = critical_slowing_down((4, 8), ("heat-bath", "wolff"), n_chains=4,
    ...                             n_updates=400, rng=0)
    >>> res.samplers, res.sides
    (['heat-bath', 'wolff'], [4, 8])
    >>> sorted(res.fit("heat-bath", "|m|"))[:3]
    ['n_sides', 'observable', 'reference']
    """
    grid = _check_sides(sides)
    names = check_choices(samplers, "samplers", CSD_SAMPLERS, "sampler")
    t = check_float(temperature, "temperature", minimum=0.0, exclusive_minimum=True)
    chains = check_int(n_chains, "n_chains", minimum=2)
    updates, burn = _check_budgets(n_updates, burn_in, names)
    show = check_bool(progress, "progress")
    entropy = draw_entropy(rng)

    records = []
    start = time.perf_counter()
    for side in grid:
        model = ising_lattice(side).tempered(1.0 / t)
        states = model.random_states(chains, rng=rng_stream(entropy, 0, side))
        for sampler in names:
            n = updates[sampler]
            with progress_bar(show, n, f"{sampler} L={side}", "update", leave=False) as bar:
                gen = rng_stream(entropy, 1 + CSD_SAMPLERS.index(sampler), side)
                trace = _trace(sampler, model, states, n, t, gen, bar)
            records.append(_record(sampler, side, trace, n, burn[sampler]))
    settings = {
        "sides": list(grid),
        "samplers": list(names),
        "temperature": t,
        "n_chains": chains,
        "n_updates": updates,
        "burn_in": burn,
        "rng": describe_rng(rng),
        "seconds": time.perf_counter() - start,
    }
    return SlowingDownResult(records=records, fits=_fits(records, names), settings=settings)


# -- the result -------------------------------------------------------------------------------
@dataclass
class SlowingDownResult(TableReport):
    """What :func:`critical_slowing_down` measured: one record per sampler and side.

    Attributes
    ----------
    records : list of dict
        With the keys of :data:`SLOWING_DOWN_COLUMNS`, by sampler then side:

        - ``sampler``, ``side`` L, ``unit`` ("sweep", or "step" for Wolff), ``updates`` and
          ``burn_in`` per chain in that unit;
        - ``work_per_update``: sweep-equivalents per update (1 for a sweep; for Wolff the
          mean fraction of the spins a step flipped, ``<|C|>`` / N);
        - ``tau_abs_m``, ``tau_energy``: the integrated autocorrelation times of ``|m|`` and E
          in updates, mean over chains of the per-chain estimates, with ``_err`` their
          standard error; ``tau_abs_m_work``, ``tau_energy_work`` (and ``_err``) the same in
          sweep-equivalents (per chain: tau x its work per update);
        - ``run_in_tau``: measured updates over the larger of the two taus (runs below 100
          are flagged in the notes); ``seconds`` of wall time.
    fits : list of dict
        Per sampler and observable (``"|m|"``, "E"): ``z`` and ``z_err`` fitted to the work
        units (:func:`fit_dynamic_exponent`), ``n_sides``, and ``reference_z``,
        ``reference_err`` and ``reference`` from :data:`DYNAMIC_EXPONENTS`.
    settings : dict
        sides, samplers, temperature, n_chains, n_updates and burn_in (per sampler), rng,
        seconds.

    Examples
    --------
    >>> from energynets.experiments.sampling import critical_slowing_down
    >>> res = critical_slowing_down((4, 8), ("heat-bath",), n_chains=2, n_updates=100)
    >>> res.column("tau_abs_m_work", "heat-bath").shape
    (2,)
    """

    _CELLS = (
        "sampler", "side", "unit", "updates", "work_per_update", "tau_abs_m", "tau_abs_m_err",
        "tau_energy", "tau_energy_err", "tau_abs_m_work", "tau_abs_m_work_err",
        "tau_energy_work", "tau_energy_work_err", "run_in_tau", "seconds",
    )  # fmt: skip
    _FORMATS: ClassVar[dict[str, str]] = {
        "work_per_update": ".3g", "tau_abs_m": ".3g", "tau_abs_m_err": ".2g",
        "tau_energy": ".3g", "tau_energy_err": ".2g", "tau_abs_m_work": ".3g",
        "tau_abs_m_work_err": ".2g", "tau_energy_work": ".3g", "tau_energy_work_err": ".2g",
        "run_in_tau": ".0f", "seconds": ".1f",
    }  # fmt: skip
    _HEADERS = (
        "sampler", "L", "unit", "updates", "work/upd", "tau|m|", "+-", "tauE", "+-",
        "tau|m| work", "+-", "tauE work", "+-", "run/tau", "s",
    )  # fmt: skip

    records: list[dict[str, Any]]
    fits: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def samplers(self) -> list[str]:
        """The samplers run, in order."""
        return list(dict.fromkeys(r["sampler"] for r in self.records))

    @property
    def sides(self) -> list[int]:
        """The lattice sides, increasing."""
        return sorted({int(r["side"]) for r in self.records})

    def column(self, name: str, sampler: str | None = None) -> np.ndarray:
        """One column of the records (:data:`SLOWING_DOWN_COLUMNS`), of one sampler or all.

        Parameters
        ----------
        name : str
        sampler : str, optional
            One of :attr:`samplers`; default all records.

        Returns
        -------
        ndarray
            str for the text columns, int64 for side, updates, burn_in, else float64.
        """
        return group_column(self.records, name, SLOWING_DOWN_COLUMNS, "sampler", sampler, _INTEGERS)

    def fit(self, sampler: str, observable: str = "|m|") -> dict[str, Any]:
        """The fit of z for one sampler and observable (``"|m|"`` or "E").

        Parameters
        ----------
        sampler : str
            One of :attr:`samplers`.
        observable : {``"|m|"``, "E"}

        Returns
        -------
        dict
            The keys of :attr:`fits`.
        """
        for f in self.fits:
            if f["sampler"] == sampler and f["observable"] == observable:
                return f
        raise ValueError(
            f"no fit for sampler={sampler!r}, observable={observable!r} (samplers "
            f"{self.samplers}, observables {list(_OBSERVABLES.values())})"
        )

    def _notes(self) -> list[str]:
        s = self.settings
        lines = [
            f"2D Ising model at T = {s['temperature']:.4f} (Onsager T_c = {ONSAGER_TC:.4f}), "
            f"{s['n_chains']} chains per sampler and side, {s['seconds']:.1f} s",
            "tau: integrated autocorrelation time (Sokal's window) per chain, mean +- standard "
            "error over chains; in updates (sweeps; Wolff: steps) and in work units = "
            "sweep-equivalents (N spins visited or flipped; Wolff: steps x <|C|>/N)",
        ]
        for f in self.fits:
            ref_err = "" if f["reference_err"] is None else f" +- {f['reference_err']:g}"
            lines.append(
                f"z ({f['sampler']}, {f['observable']}, work units, {f['n_sides']} sides) = "
                f"{_pm(f['z'], f['z_err'])}; published {f['reference_z']:g}{ref_err} "
                f"({f['reference']})"
            )
        short = [f"{r['sampler']} L={r['side']}" for r in self.records if _short(r)]
        if short:
            lines.append(
                f"runs shorter than {_SHORT_RUN:.0f} tau (tau is underestimated): "
                + ", ".join(short)
            )
        return lines

    def summary(self) -> dict[str, Any]:
        """Settings, records and the fits of z, for json.dumps.

        Returns
        -------
        dict
            Of JSON types only.
        """
        return self._summary("critical_slowing_down", fits=self.fits)


def _pm(value: float | None, err: float | None) -> str:
    """``value +- err`` (the error left out when it is not finite; None, as a NaN reads back
    from a summary's JSON, counts as not finite)."""
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:.3f}" + (f" +- {err:.3f}" if err is not None and math.isfinite(err) else "")


def _short(record: dict[str, Any]) -> bool:
    """Whether a run measured fewer than :data:`_SHORT_RUN` autocorrelation times."""
    length = record["run_in_tau"]
    return not (isinstance(length, float) and math.isfinite(length)) or length < _SHORT_RUN
