"""The 2D Ising transition: ``<|m|>`` and C against T next to Onsager's exact results.

:func:`ising_temperature_scan` runs checkerboard chains of the ferromagnetic Ising model at a
grid of temperatures and reports the magnetisation, energy, heat capacity and susceptibility
per spin with their errors, beside the infinite-lattice values of
:mod:`~energynets.experiments.sampling.onsager`; :class:`IsingScanResult` holds them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from energynets._validation import (
    RNGLike,
    check_choice,
    check_int,
    describe_rng,
    rng_stream,
)
from energynets.experiments._report import TableReport, format_cells, jsonable, record_column
from energynets.experiments._runs import check_bool, draw_entropy, progress_bar
from energynets.experiments.sampling.chains import Run, run_chains
from energynets.experiments.sampling.onsager import (
    ONSAGER_TC,
    check_temperatures,
    onsager_energy,
    onsager_magnetisation,
)
from energynets.experiments.sampling.statistics import (
    jackknife,
    series_record,
    stderr_over_chains,
)
from energynets.experiments.sampling.systems import MAX_SIZES, check_budget, initial_states
from energynets.models.boltzmann import ising_2d

__all__ = ["SCAN_COLUMNS", "IsingScanResult", "ising_temperature_scan"]

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
# the columns of the table (the susceptibility's error is left out) and their formats
_CELLS = (
    "temperature", "abs_magnetisation", "abs_magnetisation_err", "exact_magnetisation", "energy",
    "energy_err", "exact_energy", "heat_capacity", "heat_capacity_err", "susceptibility",
    "tau_abs_magnetisation", "acceptance",
)  # fmt: skip
_FORMATS = {
    "temperature": ".3f", "abs_magnetisation": ".4f", "abs_magnetisation_err": ".1g",
    "exact_magnetisation": ".4f", "energy": ".4f", "energy_err": ".1g", "exact_energy": ".4f",
    "heat_capacity": ".3f", "heat_capacity_err": ".1g", "susceptibility": ".3g",
    "tau_abs_magnetisation": ".3g", "acceptance": ".3f",
}  # fmt: skip


@dataclass
class IsingScanResult(TableReport):
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
        return record_column(self.records, name, SCAN_COLUMNS)

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
        return format_cells(self.records, _CELLS, _FORMATS)

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
        return jsonable(out)


def _heat_capacity(energies: np.ndarray, n_units: int, temperature: float) -> float:
    """C = Var(E) / (N T^2) per spin."""
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
    n_side = check_int(side, "side", minimum=2, maximum=MAX_SIZES["ising"])
    if n_side % 2:
        raise ValueError(
            f"side must be even (the checkerboard update two-colours the lattice), got {n_side}"
        )
    grid = _check_grid(temperatures)
    n, burn = check_budget(n_sweeps, burn_in)
    chains = check_int(n_chains, "n_chains", minimum=1)
    check_choice(initial, "initial", ("ordered", "random"))
    show = check_bool(progress, "progress")
    entropy = draw_entropy(rng)

    model = ising_2d(n_side)
    exact_m = onsager_magnetisation(grid)
    exact_e = onsager_energy(grid)
    records = []
    with progress_bar(
        show, n * grid.size, f"Ising {n_side}x{n_side} scan", "sweep", leave=False
    ) as bar:
        start = time.perf_counter()
        for k, t in enumerate(grid.tolist()):
            states = initial_states(model, chains, initial, rng_stream(entropy, k, 0))
            run = run_chains(
                model, "checkerboard", states, n, t, rng_stream(entropy, k, 1),
                record_codes=False, bar=bar,
            )  # fmt: skip
            records.append(_record(run, burn, t, model.n_units, exact_m[k], exact_e[k]))
    order = np.argsort(grid, kind="stable")
    settings = {
        "side": n_side,
        "n_units": model.n_units,
        "temperatures": grid[order].tolist(),
        "n_sweeps": n,
        "burn_in": burn,
        "n_chains": chains,
        "initial": initial,
        "rng": describe_rng(rng),
        "seconds": time.perf_counter() - start,
    }
    return IsingScanResult(records=[records[i] for i in order], settings=settings)


def _check_grid(temperatures: Any) -> np.ndarray:
    """The temperatures of the scan, shape (n_temperatures,); default 1.5, 1.6, ..., 3.0."""
    if temperatures is None:
        return np.round(np.arange(1.5, 3.0 + 1e-9, 0.1), 10)
    grid = check_temperatures(temperatures, "temperatures")
    if grid.ndim > 1:
        raise ValueError(f"temperatures must be a 1-D array, got shape {grid.shape}")
    return np.atleast_1d(grid)


def _record(
    run: Run, burn: int, t: float, n_units: int, exact_m: float, exact_e: float
) -> dict[str, Any]:
    """The record of one temperature from the sweeps after burn-in."""
    e = run.energies[burn + 1 :]
    m = run.magnetisations[burn + 1 :]
    abs_m = np.abs(m)

    def chi(x: np.ndarray) -> float:
        return float(n_units * (np.mean(x**2) - np.mean(np.abs(x)) ** 2) / t)

    def heat(x: np.ndarray) -> float:
        return _heat_capacity(x, n_units, t)

    c, c_err = jackknife(e, heat)
    susceptibility, chi_err = jackknife(m, chi)
    return {
        "temperature": t,
        "abs_magnetisation": float(abs_m.mean()),
        "abs_magnetisation_err": stderr_over_chains(abs_m.mean(axis=0)),
        "exact_magnetisation": float(exact_m),
        "energy": float(e.mean() / n_units),
        "energy_err": stderr_over_chains(e.mean(axis=0) / n_units),
        "exact_energy": float(exact_e),
        "heat_capacity": c,
        "heat_capacity_err": c_err,
        "susceptibility": susceptibility,
        "susceptibility_err": chi_err,
        "tau_abs_magnetisation": series_record("|m|", abs_m)["tau"],
        "acceptance": float(np.mean(run.acceptance)),
    }
