"""Sampling experiments: chains on physical systems, the 2D Ising transition, sampler races.

Three questions, one function each; every function only computes and returns a result object
(``records``, :meth:`to_text`, :meth:`to_markdown`, a JSON-ready :meth:`summary`); the command
line prints and :mod:`energynets.plotting` draws.

- :func:`sample_system`: run many independent chains of one sampler on one system (the 2D
  Ising model, the Sherrington-Kirkpatrick spin glass, a frustrated ring, or any
  :class:`~energynets.models.boltzmann.BoltzmannMachine`) at temperature T, i.e. sample

      p(s) = exp(-E(s) / T) / Z,

  and report the energy and magnetisation traces, their integrated autocorrelation times and
  effective sample sizes (Sokal 1997), the Gelman-Rubin statistic across chains, the
  acceptance, and, for systems of at most :data:`MAX_EXACT_UNITS` units, a chi-square test of
  the sampled histogram (of states, or of energies) against the exact distribution.
- :func:`ising_temperature_scan`: the magnetisation per spin ``<|m|>`` and the heat capacity per
  spin C = Var(E) / (N T^2) of the 2D Ising model against T, with checkerboard updates, next to
  Onsager's critical temperature T_c = 2 / ln(1 + sqrt 2) = 2.269 (Onsager 1944), the exact
  energy per spin of the infinite lattice, and the exact spontaneous magnetisation
  (1 - sinh(2 / T)^-4)^(1/8) below T_c (Yang 1952).
- :func:`compare_samplers`: give each sampler the same budget of single-unit updates on a hard
  (frustrated, low-temperature) system and see which one mixes: autocorrelation time, energy
  traces, Gelman-Rubin R-hat, the fraction of chains that reached the ground state, and the
  replica-exchange rates of parallel tempering (Geyer 1991; Hukushima & Nemoto 1996).

Units: energies are those of the system itself, E(s) (not E / T); magnetisation is the mean
unit value m = (1/N) sum_i s_i (the magnetisation per spin for spins). Traces have one row per
sweep, row 0 the starting states.

References
----------
Onsager, L. (1944). Crystal statistics. I. A two-dimensional model with an order-disorder
transition. Phys. Rev. 65, 117-149.
Yang, C. N. (1952). The spontaneous magnetization of a two-dimensional Ising model. Phys. Rev.
85, 808-816.
Geyer, C. J. (1991). Markov chain Monte Carlo maximum likelihood. Computing Science and
Statistics: Proc. 23rd Symposium on the Interface, 156-163.
Gelman, A. & Rubin, D. B. (1992). Inference from iterative simulation using multiple sequences.
Statistical Science 7, 457-472.
Hukushima, K. & Nemoto, K. (1996). Exchange Monte Carlo method and application to spin glass
simulations. J. Phys. Soc. Japan 65, 1604-1608.
Sokal, A. (1997). Monte Carlo methods in statistical mechanics: foundations and new
algorithms. In Functional Integration (Cargese 1996), NATO ASI Series B 361, 131-192.
Newman, M. E. J. & Barkema, G. T. (1999). Monte Carlo Methods in Statistical Physics. Oxford
University Press, chapters 3 and 4 (the Ising model, errors by jackknife).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from energynets._validation import (
    RNGLike,
    as_float_array,
    check_choice,
    check_choices,
    check_float,
    check_int,
    check_rng,
    describe_rng,
    rng_stream,
)
from energynets.models.boltzmann import (
    BoltzmannMachine,
    frustrated_ring,
    ising_2d,
    sherrington_kirkpatrick,
)
from energynets.sampling.diagnostics import autocorrelation, integrated_autocorrelation_time
from energynets.sampling.gibbs import ChainResult, checkerboard, gibbs, metropolis
from energynets.sampling.tempering import TemperingState, geometric_ladder, parallel_tempering

__all__ = [
    "COMPARE_COLUMNS",
    "COMPARE_TEMPERATURES",
    "DEFAULT_SIZES",
    "DEFAULT_TEMPERATURES",
    "MAX_EXACT_UNITS",
    "ONSAGER_TC",
    "SAMPLERS",
    "SAMPLE_COLUMNS",
    "SCAN_COLUMNS",
    "SYSTEMS",
    "ComparisonResult",
    "HistogramCheck",
    "IsingScanResult",
    "SampleResult",
    "compare_samplers",
    "gelman_rubin",
    "ising_temperature_scan",
    "make_system",
    "onsager_critical_temperature",
    "onsager_energy",
    "onsager_magnetisation",
    "sample_system",
]

#: The ready-made systems: the 2D Ising model, the Sherrington-Kirkpatrick spin glass, an
#: antiferromagnetic ring.
SYSTEMS = ("ising", "sk", "ring")
#: The samplers the experiments run ("tempering": parallel tempering with a Gibbs kernel).
SAMPLERS = ("gibbs", "metropolis", "checkerboard", "tempering")
#: Default size of each system: the lattice side for "ising", the number of spins otherwise.
DEFAULT_SIZES = {"ising": 16, "sk": 64, "ring": 9}
#: Default temperature of each system (above T_c for the Ising lattice, so that chains from
#: random states mix; deep in the glassy phase for SK; strongly frustrated for the ring).
DEFAULT_TEMPERATURES = {"ising": 2.5, "sk": 0.5, "ring": 0.5}
#: Default temperature of each system in :func:`compare_samplers`: cold enough that
#: single-site chains get stuck (SK: well below its glass transition at T = 1; the Ising
#: lattice: below T_c, where random starts freeze into stripe domains).
COMPARE_TEMPERATURES = {"ising": 1.5, "sk": 0.25, "ring": 0.5}
#: Systems with at most this many units get a histogram test against the exact distribution.
MAX_EXACT_UNITS = 16
#: Onsager's critical temperature of the square-lattice Ising model, J = k_B = 1.
ONSAGER_TC = 2.0 / math.log(1.0 + math.sqrt(2.0))

# Up to this many units the histogram is over states (2**10 = 1024 cells), above over energies.
_MAX_STATE_HISTOGRAM_UNITS = 10
# Up to this many units the ground-state energy is found by enumeration (2**20 states).
_MAX_GROUND_STATE_UNITS = 20
# Largest sizes make_system builds: the models hold dense couplings (n_units x n_units).
_MAX_SIZES = {"ising": 64, "sk": 4096, "ring": 4096}
_MIN_SIZES = {"ising": 2, "sk": 2, "ring": 3}
# Sweeps per sampler call: the recorded states of a call take at most _CHUNK_ELEMENTS numbers.
_CHUNK_ELEMENTS = 1 << 22
_MAX_CHUNK = 100
# Thin the histogram samples to one per _THIN_TAUS autocorrelation times: the residual
# correlation exp(-5) inflates the chi-square statistic by about 1%.
_THIN_TAUS = 5.0

#: Columns of :attr:`SampleResult.records`.
SAMPLE_COLUMNS = ("observable", "mean", "stderr", "std", "tau", "ess", "rhat")
#: Columns of :attr:`IsingScanResult.records`.
SCAN_COLUMNS = (
    "temperature",
    "abs_magnetisation",
    "abs_magnetisation_err",
    "exact_magnetisation",
    "energy",
    "energy_err",
    "exact_energy",
    "heat_capacity",
    "heat_capacity_err",
    "susceptibility",
    "susceptibility_err",
    "tau_abs_magnetisation",
    "acceptance",
)
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


# -- exact results for the 2D Ising model ---------------------------------------------------
def _check_coupling(coupling: Any) -> float:
    return check_float(coupling, "coupling", minimum=0.0, exclusive_minimum=True)


def _check_temperatures(temperature: Any, name: str = "temperature") -> np.ndarray:
    t = as_float_array(temperature, name, dtype=np.float64)
    if np.any(t <= 0):
        raise ValueError(f"{name} must be > 0, got values such as {t[t <= 0].ravel()[:3]}")
    return t


def onsager_critical_temperature(coupling: float = 1.0) -> float:
    """Critical temperature of the square-lattice Ising model: T_c = 2 J / ln(1 + sqrt 2).

    Parameters
    ----------
    coupling : float > 0
        The ferromagnetic coupling J (k_B = 1).

    Returns
    -------
    float
        2.269185... J.

    References
    ----------
    Kramers, H. A. & Wannier, G. H. (1941), Phys. Rev. 60, 252; Onsager (1944).

    Examples
    --------
    >>> round(onsager_critical_temperature(), 6)
    2.269185
    """
    return _check_coupling(coupling) * ONSAGER_TC


def onsager_magnetisation(temperature: Any, coupling: float = 1.0) -> np.ndarray:
    """Spontaneous magnetisation per spin of the infinite square-lattice Ising model.

        M(T) = (1 - sinh(2 J / T)^-4)^(1/8)  for T < T_c,   0 for T >= T_c,

    the limit of ``<|m|>`` as the lattice grows (stated by Onsager, first proved by Yang 1952).
    It vanishes as (T_c - T)^(1/8) at the transition.

    Parameters
    ----------
    temperature : array_like of float > 0, any shape
    coupling : float > 0
        J.

    Returns
    -------
    ndarray, the shape of ``temperature``

    References
    ----------
    Yang, C. N. (1952). Phys. Rev. 85, 808-816.

    Examples
    --------
    >>> onsager_magnetisation([1.0, 2.0, 2.5]).round(4)
    array([0.9993, 0.9113, 0.    ])
    """
    t = _check_temperatures(temperature)
    j = _check_coupling(coupling)
    with np.errstate(over="ignore"):
        x = 1.0 - np.sinh(2.0 * j / t) ** -4.0
    return np.where(t < j * ONSAGER_TC, np.clip(x, 0.0, None) ** 0.125, 0.0)


def onsager_energy(temperature: Any, coupling: float = 1.0) -> np.ndarray:
    """Energy per spin of the infinite square-lattice Ising model (Onsager 1944).

    With K = J / T and kappa = 2 sinh(2K) / cosh(2K)^2,

        u(T) = -J coth(2K) [1 + (2 / pi) (2 tanh(2K)^2 - 1) K_1(kappa)],

    K_1 the complete elliptic integral of the first kind (``scipy.special.ellipk(kappa^2)``).
    u -> -2 J as T -> 0, u(T_c) = -sqrt(2) J, u ~ -2 J tanh(J / T) at high temperature.

    Parameters
    ----------
    temperature : array_like of float > 0, any shape
    coupling : float > 0
        J.

    Returns
    -------
    ndarray, the shape of ``temperature``

    References
    ----------
    Onsager (1944), the energy per site from the partition function of the square lattice.

    Examples
    --------
    >>> onsager_energy([1.0, ONSAGER_TC]).round(4)
    array([-1.9972, -1.4142])
    """
    from scipy.special import ellipk

    t = _check_temperatures(temperature)
    j = _check_coupling(coupling)
    k2 = 2.0 * j / t
    kappa_sq = (2.0 * np.sinh(k2) / np.cosh(k2) ** 2) ** 2
    # at T_c kappa = 1: K_1 diverges (logarithmically) where its prefactor vanishes linearly
    with np.errstate(divide="ignore", invalid="ignore"):
        elliptic = (2.0 / np.pi) * (2.0 * np.tanh(k2) ** 2 - 1.0) * ellipk(kappa_sq)
    elliptic = np.where(np.isfinite(elliptic), elliptic, 0.0)
    return -j / np.tanh(k2) * (1.0 + elliptic)


# -- systems --------------------------------------------------------------------------------
def make_system(system: str, size: int | None = None, *, rng: RNGLike = 0) -> BoltzmannMachine:
    """One of the ready-made systems as a :class:`BoltzmannMachine` (spins, T = 1).

    Parameters
    ----------
    system : {"ising", "sk", "ring"}
        - "ising": the ferromagnetic 2D Ising model, J = 1, h = 0, on a periodic
          ``size x size`` lattice (:func:`~energynets.models.boltzmann.ising_2d`);
        - "sk": the Sherrington-Kirkpatrick spin glass of ``size`` spins, J_ij ~ N(0, 1/N)
          (:func:`~energynets.models.boltzmann.sherrington_kirkpatrick`);
        - "ring": an antiferromagnetic ring of ``size`` spins, J = 1 (frustrated when ``size``
          is odd; :func:`~energynets.models.boltzmann.frustrated_ring`).
    size : int, optional
        Lattice side (ising, 2 to 64) or number of spins (sk: 2 to 4096; ring: 3 to 4096);
        default :data:`DEFAULT_SIZES`.
    rng : int, Generator, SeedSequence or None
        Draws the SK couplings (unused by the other systems).

    Returns
    -------
    BoltzmannMachine

    References
    ----------
    Onsager, L. (1944). Crystal statistics. I. A two-dimensional model with an order-disorder
    transition. Phys. Rev. 65, 117-149.

    Sherrington, D. & Kirkpatrick, S. (1975). Solvable model of a spin-glass. Phys. Rev. Lett. 35,
    1792-1796.

    Toulouse, G. (1977). Theory of the frustration effect in spin glasses: I. Commun. Phys. 2,
    115-119.

    Examples
    --------
    >>> make_system("ising", 4).lattice_shape, make_system("ring").n_units
    ((4, 4), 9)
    """
    name = check_choice(system, "system", SYSTEMS)
    n = DEFAULT_SIZES[name] if size is None else size
    n = check_int(n, "size", minimum=_MIN_SIZES[name], maximum=_MAX_SIZES[name])
    if name == "ising":
        return ising_2d(n)
    if name == "sk":
        return sherrington_kirkpatrick(n, rng=check_rng(rng))
    return frustrated_ring(n)


def _system_label(name: str | None, model: BoltzmannMachine) -> str:
    if name == "ising" and model.lattice_shape is not None:
        rows, cols = model.lattice_shape
        return f"2D Ising model, {rows} x {cols} periodic lattice (J = 1)"
    if name == "sk":
        return f"Sherrington-Kirkpatrick spin glass, {model.n_units} spins"
    if name == "ring":
        return f"antiferromagnetic ring of {model.n_units} spins (J = 1)"
    return f"BoltzmannMachine with {model.n_units} {model.units}"


def _resolve_system(
    system: Any, size: int | None, gen: np.random.Generator
) -> tuple[str | None, BoltzmannMachine]:
    if isinstance(system, BoltzmannMachine):
        if size is not None:
            raise ValueError(
                f"size applies only to the named systems {SYSTEMS}, got size={size} with a "
                "BoltzmannMachine"
            )
        return None, system
    if not isinstance(system, str):
        raise TypeError(
            f"system must be one of {SYSTEMS} or a BoltzmannMachine, got {type(system).__name__}"
        )
    return system, make_system(system, size, rng=gen)


def _default_temperature(
    name: str | None, temperature: Any, defaults: dict[str, float] = DEFAULT_TEMPERATURES
) -> float:
    if temperature is None:
        temperature = 1.0 if name is None else defaults[name]
    return check_float(temperature, "temperature", minimum=0.0, exclusive_minimum=True)


def _field_scale(model: BoltzmannMachine) -> float:
    """sigma = sqrt(mean_i (sum_j W_ij^2 + b_i^2)): the typical size of a local field."""
    w = model.weights.astype(np.float64)
    b = model.bias.astype(np.float64)
    return float(np.sqrt(np.mean(np.sum(w * w, axis=1) + b * b)))


def _ladder(
    model: BoltzmannMachine, temperature: float, n_temperatures: Any, hottest: Any
) -> tuple[np.ndarray, float]:
    """Relative inverse temperatures for parallel tempering of ``model.tempered(1 / T)``."""
    r = check_int(n_temperatures, "n_temperatures", minimum=2)
    if hottest is None:
        t_hot = max(2.0 * temperature, 2.0 * _field_scale(model))
    else:
        t_hot = check_float(hottest, "hottest_temperature", minimum=0.0, exclusive_minimum=True)
        if t_hot <= temperature:
            raise ValueError(
                f"hottest_temperature must be > temperature = {temperature:g}, got {t_hot:g}"
            )
    return geometric_ladder(r, temperature / t_hot), t_hot


def _check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
    return bool(value)


def _check_budget(n_sweeps: Any, burn_in: Any) -> tuple[int, int]:
    n = check_int(n_sweeps, "n_sweeps", minimum=2)
    burn = check_int(burn_in, "burn_in", minimum=0)
    if n - burn < 2:
        raise ValueError(
            f"burn_in must leave at least 2 sweeps to measure (burn_in <= n_sweeps - 2 = "
            f"{n - 2}), got burn_in={burn} with n_sweeps={n}"
        )
    return n, burn


def _initial_states(
    model: BoltzmannMachine, n_chains: int, initial: str, gen: np.random.Generator
) -> np.ndarray:
    if initial == "ordered":
        return np.full((n_chains, model.n_units), model.unit_values[1], dtype=model.dtype)
    return model.random_states(n_chains, rng=gen)


def _progress_bar(progress: bool, total: int, desc: str) -> Any:
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="sweep", leave=False)


# -- running chains -------------------------------------------------------------------------
@dataclass
class _Run:
    """Traces of one batch of chains (private): rows are sweeps, row 0 the start."""

    energies: np.ndarray  # (n_sweeps + 1, n_chains), E of the untempered system
    magnetisations: np.ndarray  # (n_sweeps + 1, n_chains)
    codes: np.ndarray | None  # (n_sweeps, n_chains) state indices after each sweep
    acceptance: np.ndarray  # (n_chains,)
    swap_rates: np.ndarray | None  # (n_betas - 1,)
    seconds: float


def _state_codes(samples: np.ndarray, high: float) -> np.ndarray:
    """Row index in ``exact.probabilities`` of each state (first unit most significant)."""
    n_units = samples.shape[-1]
    weights = np.left_shift(1, np.arange(n_units - 1, -1, -1, dtype=np.int64))
    return (samples == high).astype(np.int64) @ weights


def _run_chains(
    model: BoltzmannMachine,
    sampler: str,
    states: np.ndarray,
    n_sweeps: int,
    temperature: float,
    gen: np.random.Generator,
    *,
    record_codes: bool,
    betas: np.ndarray | None = None,
    kernel: str = "gibbs",
    bar: Any = None,
) -> _Run:
    """Run ``n_sweeps`` sweeps of ``sampler`` on exp(-E / T), in chunks of recorded sweeps."""
    target = model.tempered(1.0 / temperature)
    n_chains, n_units = states.shape
    energies = np.empty((n_sweeps + 1, n_chains))
    magnetisations = np.empty((n_sweeps + 1, n_chains))
    codes = np.empty((n_sweeps, n_chains), dtype=np.int64) if record_codes else None
    energies[0] = model.energy(states)
    magnetisations[0] = states.mean(axis=1)
    high = model.unit_values[1]
    accepted = np.zeros(n_chains)
    chunk = int(max(1, min(_MAX_CHUNK, _CHUNK_ELEMENTS // (n_chains * n_units))))
    kernels: dict[str, Callable[..., ChainResult]] = {
        "gibbs": gibbs,
        "metropolis": metropolis,
        "checkerboard": checkerboard,
    }
    current: Any = states
    tempering_state: TemperingState | None = None
    done = 0
    start = time.perf_counter()
    while done < n_sweeps:
        k = min(chunk, n_sweeps - done)
        if sampler == "tempering":
            assert betas is not None
            tempering_state, res = parallel_tempering(
                target, betas, current, k, rng=gen, sampler=kernel, record=True
            )
            current = tempering_state
        else:
            res = kernels[sampler](target, current, k, rng=gen, record=True)
            current = res.states
        samples = res.samples
        assert samples is not None
        # the samplers report the energy of the model they run, E / T
        energies[done + 1 : done + k + 1] = res.energies[1:] * temperature
        magnetisations[done + 1 : done + k + 1] = samples.mean(axis=2)
        if codes is not None:
            codes[done : done + k] = _state_codes(samples, high)
        accepted += res.acceptance * k
        done += k
        if bar is not None:
            bar.update(k)
    seconds = time.perf_counter() - start
    swap_rates = None if tempering_state is None else tempering_state.swap_rates
    return _Run(energies, magnetisations, codes, accepted / n_sweeps, swap_rates, seconds)


# -- statistics -----------------------------------------------------------------------------
def _stderr_over_chains(per_chain: np.ndarray) -> float:
    """Standard error of the mean of independent chains' estimates (NaN with one chain)."""
    k = per_chain.size
    return float(np.std(per_chain, ddof=1) / math.sqrt(k)) if k > 1 else float("nan")


def _jackknife(x: np.ndarray, statistic: Any) -> tuple[float, float]:
    """statistic(x) and its jackknife standard error over the chains (columns of x).

    Leaving out one chain at a time, SE^2 = (K - 1) / K sum_k (theta_(k) - mean theta)^2;
    the chains are independent, so this holds however correlated each chain is in time.
    """
    value = float(statistic(x))
    k = x.shape[1]
    if k < 2:
        return value, float("nan")
    keep = ~np.eye(k, dtype=bool)
    leave_one_out = np.array([statistic(x[:, keep[c]]) for c in range(k)])
    return value, float(
        math.sqrt((k - 1) / k * np.sum((leave_one_out - leave_one_out.mean()) ** 2))
    )


def gelman_rubin(x: Any) -> float:
    """The potential scale reduction factor R-hat of chains of a scalar (Gelman & Rubin 1992).

    With n steps of K chains, W the mean within-chain variance and B / n the variance of the
    chain means,

        R-hat = sqrt(((n - 1) / n W + B / n) / W).

    Near 1 when every chain explores the same distribution; well above 1 (say > 1.1) when the
    chains are stuck in different regions, which a per-chain autocorrelation time cannot see.

    Parameters
    ----------
    x : array_like, shape (n_steps, n_chains)

    Returns
    -------
    float
        NaN with fewer than 2 chains or steps, or when every chain is constant and all agree;
        inf when every chain is constant but they disagree.

    References
    ----------
    Gelman, A. & Rubin, D. B. (1992). Statistical Science 7, 457-472.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(1000, 4))
    >>> bool(abs(gelman_rubin(x) - 1.0) < 0.01)
    True
    """
    arr = as_float_array(x, "x", ndim=2, dtype=np.float64)
    n, k = arr.shape
    if n < 2 or k < 2:
        return float("nan")
    within = float(np.mean(np.var(arr, axis=0, ddof=1)))
    between = n * float(np.var(arr.mean(axis=0), ddof=1))
    rounding = (1e-12 * max(1.0, float(np.max(np.abs(arr))))) ** 2  # variance of rounding
    within = within if within > rounding else 0.0
    between = between if between > n * rounding else 0.0
    if within == 0.0:
        return float("nan") if between == 0.0 else float("inf")
    return float(math.sqrt(((n - 1) / n * within + between / n) / within))


def _is_constant(x: np.ndarray) -> bool:
    """Whether every chain of ``x`` (n, K) is constant up to rounding.

    Such series have no autocorrelation; they are caught here because the mean of identical
    floats can differ from them in the last bit, which would read as a perfectly correlated
    constant offset.
    """
    scale = max(1.0, float(np.max(np.abs(x))))
    return bool(np.all(np.ptp(x, axis=0) <= 1e-12 * scale))


def _series_record(name: str, x: np.ndarray) -> dict[str, Any]:
    """Mean, standard error over chains, spread, tau, ESS and R-hat of a series (n, K).

    tau and ESS are NaN when every chain is constant (e.g. all sitting in the ground state).
    """
    tau = float("nan") if _is_constant(x) else integrated_autocorrelation_time(x)
    ess = x.size / tau if tau > 0 else float("nan")
    return {
        "observable": name,
        "mean": float(x.mean()),
        "stderr": _stderr_over_chains(x.mean(axis=0)),
        "std": float(x.std()),
        "tau": tau,
        "ess": float(ess),
        "rhat": gelman_rubin(x),
    }


def _autocorrelation(x: np.ndarray, tau: float) -> np.ndarray:
    """rho(t) up to a lag that shows its decay: about 10 tau, at least 20, at most 1000.

    NaN for series whose chains are all constant."""
    reach = 20 if not np.isfinite(tau) else max(20, math.ceil(10.0 * tau))
    max_lag = min(x.shape[0] - 1, reach, 1000)
    if _is_constant(x):
        return np.full(max_lag + 1, np.nan)
    return autocorrelation(x, max_lag=max_lag)


def _chi_square(counts: np.ndarray, probs: np.ndarray) -> tuple[float, int, float]:
    """Chi-square goodness of fit; cells with expected count below 5 pooled into one."""
    from scipy import stats

    n = counts.sum()
    expected = probs * n
    small = expected < 5.0
    observed = counts[~small]
    expect = expected[~small]
    if small.any():
        observed = np.append(observed, counts[small].sum())
        expect = np.append(expect, expected[small].sum())
    if observed.size < 2 or n == 0:
        return float("nan"), 0, float("nan")
    expect = expect * (n / expect.sum())  # exact totals despite rounding in probs
    res = stats.chisquare(observed, expect)
    return float(res.statistic), int(observed.size - 1), float(res.pvalue)


@dataclass(frozen=True)
class HistogramCheck:
    """Sampled histogram against the exact Boltzmann distribution, with a chi-square test.

    Attributes
    ----------
    kind : {"states", "energies"}
        Cells are states (systems of at most 10 units) or energy levels (11 to 16 units).
    labels : ndarray, shape (n_cells,)
        States: the index of each state in ``exact.probabilities`` (its units read as a binary
        number, first unit most significant); energies: the energy level E.
    counts : ndarray of int, shape (n_cells,)
        How many of the thinned samples fell in each cell.
    probabilities : ndarray, shape (n_cells,)
        The exact probability of each cell at the sampled temperature.
    n_samples : int
        The thinned samples: every chain's state after each ``thin``-th sweep after burn-in.
    thin : int
        ceil(5 tau), tau the largest integrated autocorrelation time of E and m, so that the
        samples are close to independent, as the test assumes.
    chi2, dof, p_value : float, int, float
        Pearson's statistic, its degrees of freedom (cells with expected count below 5 pooled
        into one), and the p-value. A small p-value (say < 1e-3) means the sampler is wrong or
        has not mixed. chi2 and p_value are NaN (and dof 0) when there is nothing to test: no
        samples were kept, or so few that pooling leaves fewer than two cells (under 10
        samples always do).

    Examples
    --------
    >>> res = sample_system("ring", "gibbs", n_chains=8, n_sweeps=300, burn_in=50, rng=0)
    >>> check = res.histogram
    >>> check.kind, check.labels.shape, bool(check.p_value > 1e-3)
    ('states', (512,), True)
    """

    kind: str
    labels: np.ndarray
    counts: np.ndarray
    probabilities: np.ndarray
    n_samples: int
    thin: int
    chi2: float
    dof: int
    p_value: float

    def summary(self) -> dict[str, Any]:
        """The test's numbers as plain values, for json.dumps.

        Returns
        -------
        dict
            ``kind``, ``n_cells``, ``n_samples``, ``thin``, ``chi2``, ``dof``, ``p_value``.
        """
        return _jsonable(
            {
                "kind": self.kind,
                "n_cells": int(self.labels.size),
                "n_samples": self.n_samples,
                "thin": self.thin,
                "chi2": self.chi2,
                "dof": self.dof,
                "p_value": self.p_value,
            }
        )


def _histogram_check(
    model: BoltzmannMachine, temperature: float, codes: np.ndarray, thin: int
) -> HistogramCheck:
    from energynets import exact

    states, probs = exact.probabilities(model, temperature)
    kept = codes[thin - 1 :: thin].ravel()
    labels: np.ndarray
    if model.n_units <= _MAX_STATE_HISTOGRAM_UNITS:
        kind = "states"
        labels = np.arange(probs.size)
        cell_of_state = labels
        cell_probs = probs
    else:
        kind = "energies"
        energies = np.asarray(model.energy(states), dtype=np.float64)
        scale = max(1.0, float(np.max(np.abs(energies))))
        levels, cell_of_state = np.unique(np.round(energies / scale, 9), return_inverse=True)
        labels = levels * scale
        cell_probs = np.bincount(cell_of_state, weights=probs, minlength=levels.size)
    counts = np.bincount(cell_of_state[kept], minlength=labels.size)
    chi2, dof, p_value = _chi_square(counts.astype(np.float64), cell_probs)
    return HistogramCheck(
        kind, labels, counts, cell_probs, int(kept.size), thin, chi2, dof, p_value
    )


# -- JSON and tables ------------------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    """Plain Python values for json.dumps: arrays to lists, numpy scalars to Python, NaN and
    inf to None (JSON has neither)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        v = float(value)
        return v if math.isfinite(v) else None
    return value


def _format(value: Any, spec: str) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, float | np.floating) and not math.isfinite(float(value)):
        return "-" if math.isnan(float(value)) else ("inf" if value > 0 else "-inf")
    return format(value, spec)


def _text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max([len(h)] + [len(r[k]) for r in rows]) for k, h in enumerate(headers)]

    def line(cells: Iterable[str]) -> str:
        out = [
            c.ljust(w) if k == 0 else c.rjust(w)
            for k, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(out).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), sep, *(line(r) for r in rows)]) + "\n"


def _markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    align = [":---"] + ["---:"] * (len(headers) - 1)
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def _column(records: list[dict[str, Any]], name: str, columns: Sequence[str]) -> np.ndarray:
    check_choice(name, "name", columns)
    values = [r[name] for r in records]
    if values and isinstance(values[0], str):
        return np.array(values, dtype=str)
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


# -- sample_system --------------------------------------------------------------------------
class _Tables:
    """to_text / to_markdown for a result with ``_HEADERS``, ``_cells()`` and ``_notes()``."""

    _HEADERS: tuple[str, ...] = ()

    def _cells(self) -> list[list[str]]:
        raise NotImplementedError

    def _notes(self) -> list[str]:
        raise NotImplementedError

    def to_text(self) -> str:
        """The records as an aligned table with the notes below, for stdout."""
        return _text_table(self._HEADERS, self._cells()) + "\n".join(self._notes()) + "\n"

    def to_markdown(self) -> str:
        """The records as a Markdown table with the notes as a list."""
        return (
            _markdown_table(self._HEADERS, self._cells())
            + "\n"
            + "".join(f"- {line}\n" for line in self._notes())
        )


@dataclass
class SampleResult(_Tables):
    """What :func:`sample_system` measured.

    Attributes
    ----------
    records : list of dict
        One per observable ("energy": E, "magnetisation": m, ``"|magnetisation|"``: ``|m|``),
        with the keys of :data:`SAMPLE_COLUMNS`: the mean over chains and sweeps after burn-in, its
        standard error (from the spread of the chain means; the chains are independent), the
        standard deviation of the samples, the integrated autocorrelation time tau in sweeps
        (Sokal's window), the effective sample size n_steps n_chains / tau, and the
        Gelman-Rubin R-hat.
    energies : ndarray, shape (n_sweeps + 1, n_chains)
        E after each sweep (row 0: the starting states).
    magnetisations : ndarray, shape (n_sweeps + 1, n_chains)
        m = mean unit value after each sweep.
    autocorrelations : dict of str to ndarray
        rho(t) of "energy" and "magnetisation" after burn-in, averaged over chains.
    acceptance : ndarray, shape (n_chains,)
        Per chain: the fraction of unit updates that changed the unit (Gibbs, checkerboard,
        tempering at T) or of accepted flips (Metropolis).
    swap_rates : ndarray, shape (n_temperatures - 1,), or None
        Parallel tempering: accepted / attempted exchanges between neighbouring rungs.
    temperatures : ndarray or None
        Parallel tempering: the ladder, from the hottest rung down to ``temperature``.
    histogram : HistogramCheck or None
        Systems of at most :data:`MAX_EXACT_UNITS` units.
    settings : dict
        The arguments (system, size, n_units, sampler, temperature, n_chains, n_sweeps,
        burn_in, initial, rng, ...) and the wall time in seconds.

    Examples
    --------
    >>> res = sample_system("ring", "gibbs", n_chains=4, n_sweeps=100, burn_in=20, rng=0)
    >>> list(res.record("energy"))
    ['observable', 'mean', 'stderr', 'std', 'tau', 'ess', 'rhat']
    >>> res.energies.shape, res.acceptance.shape, res.swap_rates
    ((101, 4), (4,), None)
    """

    _HEADERS = SAMPLE_COLUMNS

    records: list[dict[str, Any]]
    energies: np.ndarray
    magnetisations: np.ndarray
    autocorrelations: dict[str, np.ndarray]
    acceptance: np.ndarray
    swap_rates: np.ndarray | None
    temperatures: np.ndarray | None
    histogram: HistogramCheck | None
    settings: dict[str, Any] = field(default_factory=dict)

    def record(self, observable: str) -> dict[str, Any]:
        """The record of one observable: "energy", "magnetisation" or ``"|magnetisation|"``.

        Parameters
        ----------
        observable : str

        Returns
        -------
        dict
            The keys of :data:`SAMPLE_COLUMNS`.
        """
        names = [r["observable"] for r in self.records]
        check_choice(observable, "observable", names)
        return self.records[names.index(observable)]

    def _cells(self) -> list[list[str]]:
        return [
            [
                r["observable"],
                _format(r["mean"], ".5g"),
                _format(r["stderr"], ".2g"),
                _format(r["std"], ".4g"),
                _format(r["tau"], ".3g"),
                _format(r["ess"], ".0f"),
                _format(r["rhat"], ".3f"),
            ]
            for r in self.records
        ]

    def _notes(self) -> list[str]:
        s = self.settings
        lines = [
            f"{s['system_label']}; {s['sampler']} sampler at T = {s['temperature']:g}; "
            f"{s['n_chains']} chains x {s['n_sweeps']} sweeps ({s['burn_in']} burn-in), "
            f"{s['seconds']:.2f} s",
            f"acceptance: mean {float(np.mean(self.acceptance)):.3f}",
        ]
        if self.swap_rates is not None and self.temperatures is not None:
            ladder = ", ".join(f"{t:.3g}" for t in self.temperatures)
            rates = ", ".join(f"{r:.2f}" for r in self.swap_rates)
            lines.append(f"tempering ladder T = {ladder}; swap rates {rates}")
        h = self.histogram
        if h is not None:
            lines.append(
                f"histogram of {h.kind} vs exact: chi2 = {h.chi2:.1f}, dof = {h.dof}, "
                f"p = {h.p_value:.3g} ({h.n_samples} samples, every {h.thin} sweeps)"
            )
        return lines

    def summary(self) -> dict[str, Any]:
        """Settings, records, acceptance, swap rates and the histogram test, for json.dumps.

        Returns
        -------
        dict
            Of JSON types only.
        """
        return _jsonable(
            {
                "experiment": "sample",
                "settings": self.settings,
                "records": self.records,
                "acceptance_mean": float(np.mean(self.acceptance)),
                "swap_rates": self.swap_rates,
                "temperatures": self.temperatures,
                "histogram": None if self.histogram is None else self.histogram.summary(),
            }
        )


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
    check_choice(sampler, "sampler", SAMPLERS)
    chains = check_int(n_chains, "n_chains", minimum=1)
    n, burn = _check_budget(n_sweeps, burn_in)
    check_choice(initial, "initial", ("random", "ordered"))
    show = _check_bool(progress, "progress")
    gen = check_rng(rng)
    rng_description = describe_rng(rng)
    entropy = int(gen.integers(2**63))
    name, model = _resolve_system(system, size, rng_stream(entropy, 0))
    t = _default_temperature(name, temperature)
    betas = temperatures = None
    t_hot = None
    if sampler == "tempering":
        betas, t_hot = _ladder(model, t, n_temperatures, hottest_temperature)
        temperatures = t / betas
    elif sampler == "checkerboard" and model.lattice_shape is None:
        raise ValueError(
            "sampler 'checkerboard' needs a lattice system (system='ising'), got "
            f"{_system_label(name, model)}"
        )
    states = _initial_states(model, chains, initial, rng_stream(entropy, 1))
    small = model.n_units <= MAX_EXACT_UNITS
    bar = _progress_bar(show, n, f"{sampler} T={t:g}")
    try:
        run = _run_chains(
            model, sampler, states, n, t, rng_stream(entropy, 2), record_codes=small, betas=betas,
            bar=bar,
        )  # fmt: skip
    finally:
        if bar is not None:
            bar.close()

    e_after = run.energies[burn + 1 :]
    m_after = run.magnetisations[burn + 1 :]
    records = [
        _series_record("energy", e_after),
        _series_record("magnetisation", m_after),
        _series_record("|magnetisation|", np.abs(m_after)),
    ]
    taus = [records[0]["tau"], records[1]["tau"]]
    autocorrelations = {
        "energy": _autocorrelation(e_after, taus[0]),
        "magnetisation": _autocorrelation(m_after, taus[1]),
    }
    histogram = None
    if small and run.codes is not None:
        finite = [x for x in taus if np.isfinite(x)]
        thin = max(1, math.ceil(_THIN_TAUS * max(finite))) if finite else 1
        thin = min(thin, n - burn)
        histogram = _histogram_check(model, t, run.codes[burn:], thin)
    settings = {
        "system": name if name is not None else "BoltzmannMachine",
        "system_label": _system_label(name, model),
        "size": None if name is None else (DEFAULT_SIZES[name] if size is None else size),
        "n_units": model.n_units,
        "sampler": sampler,
        "temperature": t,
        "n_chains": chains,
        "n_sweeps": n,
        "burn_in": burn,
        "initial": initial,
        "n_temperatures": None if betas is None else int(betas.size),
        "hottest_temperature": t_hot,
        "rng": rng_description,
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


# -- ising_temperature_scan -----------------------------------------------------------------
@dataclass
class IsingScanResult(_Tables):
    """What :func:`ising_temperature_scan` measured, one record per temperature.

    Attributes
    ----------
    records : list of dict
        With the keys of :data:`SCAN_COLUMNS`, per spin, in order of temperature:

        - ``temperature`` T;
        - ``abs_magnetisation`` ``<|m|>``, m = (1/N) sum_i s_i, and its standard error ``_err``
          (from the spread of the independent chains' means);
        - ``exact_magnetisation``: Onsager-Yang's spontaneous magnetisation of the infinite
          lattice, :func:`onsager_magnetisation`;
        - ``energy`` <E> / N with ``energy_err``, and ``exact_energy``, Onsager's energy per
          spin of the infinite lattice, :func:`onsager_energy`;
        - ``heat_capacity`` C = Var(E) / (N T^2) and ``susceptibility``
          ``chi = N (<m^2> - <|m|>^2) / T``, with jackknife errors over the chains;
        - ``tau_abs_magnetisation``: the integrated autocorrelation time of ``|m|`` in sweeps
          (critical slowing down: it peaks near T_c);
        - ``acceptance``: the mean fraction of spin updates that flipped the spin.
    settings : dict
        side, n_units, temperatures, n_sweeps, burn_in, n_chains, initial, rng, seconds.

    Examples
    --------
    >>> res = ising_temperature_scan(8, [1.5, 2.5, 3.5], n_sweeps=100, burn_in=20, n_chains=4)
    >>> res.temperatures.tolist(), round(res.critical_temperature, 3)
    ([1.5, 2.5, 3.5], 2.269)
    >>> res.steepest_drop()[0] in res.temperatures
    True
    """

    records: list[dict[str, Any]]
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def temperatures(self) -> np.ndarray:
        """The temperatures of the scan, in the order of :attr:`records`."""
        return self.column("temperature")

    def column(self, name: str) -> np.ndarray:
        """One column of the records (see :data:`SCAN_COLUMNS`) as a float array.

        Parameters
        ----------
        name : str

        Returns
        -------
        ndarray of float64, shape (n_temperatures,)
        """
        return _column(self.records, name, SCAN_COLUMNS)

    @property
    def critical_temperature(self) -> float:
        """Onsager's T_c = 2 / ln(1 + sqrt 2) = 2.269 (J = 1)."""
        return ONSAGER_TC

    def steepest_drop(self) -> tuple[float, float]:
        """The neighbouring temperatures (T_k, T_k+1) between which ``<|m|>`` falls fastest.

        The finite-lattice estimate of T_c from the magnetisation: the cell of the grid with
        the most negative slope ``(<|m|>(T_k+1) - <|m|>(T_k)) / (T_k+1 - T_k)``.

        Returns
        -------
        T_k, T_k+1 : float

        Raises
        ------
        ValueError
            With fewer than two temperatures.
        """
        t, m = self.temperatures, self.column("abs_magnetisation")
        if t.size < 2:
            raise ValueError(f"steepest_drop needs at least 2 temperatures, got {t.size}")
        k = int(np.argmin(np.diff(m) / np.diff(t)))
        return float(t[k]), float(t[k + 1])

    def heat_capacity_peak(self) -> float:
        """The temperature of the grid at which the measured heat capacity is largest.

        Returns
        -------
        float
        """
        return float(self.temperatures[int(np.argmax(self.column("heat_capacity")))])

    def _cells(self) -> list[list[str]]:
        return [
            [
                _format(r["temperature"], ".3f"),
                _format(r["abs_magnetisation"], ".4f"),
                _format(r["abs_magnetisation_err"], ".1g"),
                _format(r["exact_magnetisation"], ".4f"),
                _format(r["energy"], ".4f"),
                _format(r["energy_err"], ".1g"),
                _format(r["exact_energy"], ".4f"),
                _format(r["heat_capacity"], ".3f"),
                _format(r["heat_capacity_err"], ".1g"),
                _format(r["susceptibility"], ".3g"),
                _format(r["tau_abs_magnetisation"], ".3g"),
                _format(r["acceptance"], ".3f"),
            ]
            for r in self.records
        ]

    _HEADERS = (
        "T", "<|m|>", "+-", "exact m", "E/N", "+-", "exact E/N", "C", "+-", "chi", "tau", "acc",
    )  # fmt: skip

    def _notes(self) -> list[str]:
        s = self.settings
        lines = [
            f"2D Ising model, {s['side']} x {s['side']} periodic lattice, checkerboard Gibbs "
            f"updates; {s['n_chains']} chains x {s['n_sweeps']} sweeps ({s['burn_in']} "
            f"burn-in) per temperature, {s['seconds']:.1f} s",
            f"Onsager T_c = 2 / ln(1 + sqrt 2) = {ONSAGER_TC:.4f}",
        ]
        if len(self.records) >= 2:
            lo, hi = self.steepest_drop()
            lines.append(f"steepest drop of <|m|> between T = {lo:g} and {hi:g}")
            lines.append(f"heat capacity peaks at T = {self.heat_capacity_peak():g}")
        return lines

    def summary(self) -> dict[str, Any]:
        """Settings, records, T_c and the finite-lattice estimates of it, for json.dumps.

        Returns
        -------
        dict
            Of JSON types only.
        """
        out: dict[str, Any] = {
            "experiment": "ising_temperature_scan",
            "settings": self.settings,
            "records": self.records,
            "onsager_critical_temperature": ONSAGER_TC,
        }
        if len(self.records) >= 2:
            out["steepest_drop"] = list(self.steepest_drop())
            out["heat_capacity_peak"] = self.heat_capacity_peak()
        return _jsonable(out)


def _heat_capacity(energies: np.ndarray, n_units: int, temperature: float) -> float:
    return float(np.var(energies) / (n_units * temperature**2))


def ising_temperature_scan(
    side: int = 32,
    temperatures: Any = None,
    *,
    n_sweeps: int = 1000,
    burn_in: int = 200,
    n_chains: int = 16,
    initial: str = "ordered",
    rng: RNGLike = 0,
    progress: bool = False,
) -> IsingScanResult:
    """Magnetisation and heat capacity of the 2D Ising model against temperature.

    For each temperature T, ``n_chains`` independent chains of the ferromagnetic Ising model
    (J = 1, h = 0) on a periodic ``side x side`` lattice run ``n_sweeps`` checkerboard Gibbs
    sweeps (vectorised over the chains); after ``burn_in`` sweeps every sweep is a
    measurement of, per spin,

        ``<|m|>``,  e = <E> / N,  C = (<E^2> - <E>^2) / (N T^2),  ``chi = N (<m^2> - <|m|>^2) / T``,

    with errors from the spread over the independent chains (jackknife for C and chi). On the
    infinite lattice ``<|m|>`` falls to zero at Onsager's T_c = 2 / ln(1 + sqrt 2) = 2.269 as
    (1 - sinh(2 / T)^-4)^(1/8) and C diverges logarithmically; on a finite lattice the drop is
    rounded over a width of order T_c / side and C peaks slightly above T_c. Each record holds
    the exact infinite-lattice values for comparison.

    Parameters
    ----------
    side : int, even, 2 <= side <= 64
        Lattice side L; N = L^2 spins.
    temperatures : array_like of float > 0, shape (n_temperatures,), optional
        Default 1.5, 1.6, ..., 3.0, which brackets T_c.
    n_sweeps : int >= 2
        Sweeps per temperature, burn-in included.
    burn_in : int, 0 <= burn_in <= n_sweeps - 2
    n_chains : int >= 1
    initial : {"ordered", "random"}
        Start every chain with all spins up (default: below T_c a random start can freeze
        into long-lived stripe domains that span the periodic lattice, which would read as
        ``<|m|>`` near 0), or from random spins.
    rng : int, Generator, SeedSequence or None
        One integer drawn from it seeds an independent stream per temperature, so a
        temperature's measurement does not depend on the others in the grid.
    progress : bool
        Show a tqdm progress bar over all sweeps.

    Returns
    -------
    IsingScanResult

    Notes
    -----
    Cost: len(temperatures) x n_sweeps checkerboard sweeps of n_chains x L^2 spins, O(L^2)
    each. Near T_c single-spin dynamics slow down (tau grows like L^2.17), so ``<|m|>`` and C
    there carry the largest errors; the reported errors account for that because the chains
    are independent.

    References
    ----------
    Onsager (1944); Yang (1952); Newman & Barkema (1999), chapter 3. See the module notes.

    Examples
    --------
    >>> res = ising_temperature_scan(8, [1.5, 3.5], n_sweeps=200, burn_in=50, n_chains=4)
    >>> bool(res.column("abs_magnetisation")[0] > res.column("abs_magnetisation")[1])
    True
    """
    n_side = check_int(side, "side", minimum=2, maximum=_MAX_SIZES["ising"])
    if n_side % 2:
        raise ValueError(
            f"side must be even (the checkerboard update two-colours the lattice), got {n_side}"
        )
    if temperatures is None:
        grid = np.round(np.arange(1.5, 3.0 + 1e-9, 0.1), 10)
    else:
        grid = _check_temperatures(temperatures, "temperatures")
        if grid.ndim > 1:
            raise ValueError(f"temperatures must be a 1-D array, got shape {grid.shape}")
        grid = np.atleast_1d(grid)
    n, burn = _check_budget(n_sweeps, burn_in)
    chains = check_int(n_chains, "n_chains", minimum=1)
    check_choice(initial, "initial", ("ordered", "random"))
    show = _check_bool(progress, "progress")
    gen = check_rng(rng)
    rng_description = describe_rng(rng)
    entropy = int(gen.integers(2**63))

    model = ising_2d(n_side)
    n_units = model.n_units
    exact_m = onsager_magnetisation(grid)
    exact_e = onsager_energy(grid)
    records = []
    bar = _progress_bar(show, n * grid.size, f"Ising {n_side}x{n_side} scan")
    start = time.perf_counter()
    try:
        for k, t in enumerate(grid.tolist()):
            states = _initial_states(model, chains, initial, rng_stream(entropy, k, 0))
            run = _run_chains(
                model, "checkerboard", states, n, t, rng_stream(entropy, k, 1),
                record_codes=False, bar=bar,
            )  # fmt: skip
            e = run.energies[burn + 1 :]
            m = run.magnetisations[burn + 1 :]
            abs_m = np.abs(m)

            def chi(x: np.ndarray, t: float = t) -> float:
                return float(n_units * (np.mean(x**2) - np.mean(np.abs(x)) ** 2) / t)

            def heat(x: np.ndarray, t: float = t) -> float:
                return _heat_capacity(x, n_units, t)

            c, c_err = _jackknife(e, heat)
            susceptibility, chi_err = _jackknife(m, chi)
            records.append(
                {
                    "temperature": t,
                    "abs_magnetisation": float(abs_m.mean()),
                    "abs_magnetisation_err": _stderr_over_chains(abs_m.mean(axis=0)),
                    "exact_magnetisation": float(exact_m[k]),
                    "energy": float(e.mean() / n_units),
                    "energy_err": _stderr_over_chains(e.mean(axis=0) / n_units),
                    "exact_energy": float(exact_e[k]),
                    "heat_capacity": c,
                    "heat_capacity_err": c_err,
                    "susceptibility": susceptibility,
                    "susceptibility_err": chi_err,
                    "tau_abs_magnetisation": _series_record("|m|", abs_m)["tau"],
                    "acceptance": float(np.mean(run.acceptance)),
                }
            )
    finally:
        if bar is not None:
            bar.close()
    order = np.argsort(grid, kind="stable")
    settings = {
        "side": n_side,
        "n_units": n_units,
        "temperatures": grid[order].tolist(),
        "n_sweeps": n,
        "burn_in": burn,
        "n_chains": chains,
        "initial": initial,
        "rng": rng_description,
        "seconds": time.perf_counter() - start,
    }
    return IsingScanResult(records=[records[i] for i in order], settings=settings)


# -- compare_samplers -----------------------------------------------------------------------
@dataclass
class ComparisonResult(_Tables):
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
        return _column(self.records, name, COMPARE_COLUMNS)

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
        check_choice(sampler, "sampler", self.samplers)
        return self.records[self.samplers.index(sampler)]

    _HEADERS = (
        "sampler", "sweeps", "replicas", "<E>", "+-", "tau", "tau x rep", "ESS", "R-hat",
        "found E0", "t(E0)", "acc", "min swap", "s",
    )  # fmt: skip

    def _cells(self) -> list[list[str]]:
        return [
            [
                r["sampler"],
                str(r["sweeps"]),
                str(r["replicas"]),
                _format(r["mean_energy"], ".4f"),
                _format(r["energy_stderr"], ".2g"),
                _format(r["tau"], ".3g"),
                _format(r["tau_cost"], ".3g"),
                _format(r["ess"], ".0f"),
                _format(r["rhat"], ".3f"),
                _format(r["found_ground"], ".2f"),
                _format(r["time_to_ground"], ".0f"),
                _format(r["acceptance"], ".3f"),
                _format(r["swap_rate_min"], ".2f"),
                _format(r["seconds"], ".2f"),
            ]
            for r in self.records
        ]

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
        return _jsonable(
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
    budget, burn = _check_budget(n_sweeps, burn_in)
    show = _check_bool(progress, "progress")
    gen = check_rng(rng)
    rng_description = describe_rng(rng)
    entropy = int(gen.integers(2**63))
    name, model = _resolve_system(system, size, rng_stream(entropy, 0))
    t = _default_temperature(name, temperature, COMPARE_TEMPERATURES)
    if "checkerboard" in names and model.lattice_shape is None:
        raise ValueError(
            "sampler 'checkerboard' needs a lattice system (system='ising'), got "
            f"{_system_label(name, model)}"
        )
    betas = None
    t_hot = None
    if "tempering" in names:
        betas, t_hot = _ladder(model, t, n_temperatures, hottest_temperature)
        if budget // betas.size - burn // betas.size < 2:
            raise ValueError(
                f"n_sweeps must give tempering at least 2 measured sweeps per replica "
                f"((n_sweeps - burn_in) // n_temperatures >= 2 with {betas.size} rungs), got "
                f"n_sweeps={budget}, burn_in={burn}"
            )
    states = _initial_states(model, chains, "random", rng_stream(entropy, 1))

    runs: dict[str, _Run] = {}
    shape: dict[str, tuple[int, int]] = {}
    for sampler in names:
        replicas = 1 if sampler != "tempering" or betas is None else int(betas.size)
        sweeps = budget // replicas
        shape[sampler] = (sweeps, replicas)
        bar = _progress_bar(show, sweeps, f"{sampler}")
        try:
            runs[sampler] = _run_chains(
                model, sampler, states, sweeps, t, rng_stream(entropy, 2, SAMPLERS.index(sampler)),
                record_codes=False, betas=betas, bar=bar,
            )  # fmt: skip
        finally:
            if bar is not None:
                bar.close()

    if model.n_units <= _MAX_GROUND_STATE_UNITS:
        from energynets import exact

        _, ground = exact.ground_states(model)
        kind = "exact"
    else:
        ground = float(min(float(r.energies.min()) for r in runs.values()))
        kind = "lowest seen"
    tolerance = _energy_tolerance(model, ground)

    records = []
    energies: dict[str, np.ndarray] = {}
    costs: dict[str, np.ndarray] = {}
    autocorrelations: dict[str, np.ndarray] = {}
    swap_rates: dict[str, np.ndarray] = {}
    for sampler, run in runs.items():
        sweeps, replicas = shape[sampler]
        skip = burn // replicas
        e_after = run.energies[skip + 1 :]
        stats = _series_record("energy", e_after)
        cost = np.arange(sweeps + 1) * float(replicas)
        reached = run.energies <= ground + tolerance  # (sweeps + 1, n_chains)
        found = reached.any(axis=0)
        first = np.where(found, np.argmax(reached, axis=0), -1)
        # median over all chains, those that never reached E0 counting as infinitely late
        hit_times = np.where(found, cost[first], np.inf)
        median_hit = float(np.median(hit_times))
        time_to_ground = median_hit if math.isfinite(median_hit) else None
        rates = run.swap_rates
        if rates is not None:
            swap_rates[sampler] = rates
        records.append(
            {
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
                "time_to_ground": time_to_ground,
                "acceptance": float(np.mean(run.acceptance)),
                "swap_rate_min": None if rates is None else float(np.nanmin(rates)),
                "seconds": run.seconds,
            }
        )
        energies[sampler] = run.energies
        costs[sampler] = cost
        autocorrelations[sampler] = _autocorrelation(e_after, stats["tau"])
    settings = {
        "system": name if name is not None else "BoltzmannMachine",
        "system_label": _system_label(name, model),
        "size": None if name is None else (DEFAULT_SIZES[name] if size is None else size),
        "n_units": model.n_units,
        "samplers": list(names),
        "temperature": t,
        "n_chains": chains,
        "n_sweeps": budget,
        "burn_in": burn,
        "n_temperatures": None if betas is None else int(betas.size),
        "hottest_temperature": t_hot,
        "rng": rng_description,
    }
    return ComparisonResult(
        records=records,
        energies=energies,
        costs=costs,
        autocorrelations=autocorrelations,
        swap_rates=swap_rates,
        ground_energy=float(ground),
        ground_kind=kind,
        settings=settings,
    )
