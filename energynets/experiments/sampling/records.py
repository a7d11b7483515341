"""The records the sampling experiments return, and how they print.

:class:`SampleResult` (:func:`sample_system`), :class:`IsingScanResult`
(:func:`ising_temperature_scan`) and :class:`ComparisonResult` (:func:`compare_samplers`):
their records (the columns :data:`SAMPLE_COLUMNS`, :data:`SCAN_COLUMNS`,
:data:`COMPARE_COLUMNS`), traces and settings, an aligned table with notes for stdout, a
Markdown table and a JSON-ready summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from energynets.experiments._report import TableReport, find_record, record_column
from energynets.experiments.sampling.histogram import HistogramCheck
from energynets.experiments.sampling.onsager import ONSAGER_TC

__all__ = [
    "COMPARE_COLUMNS",
    "SAMPLE_COLUMNS",
    "SCAN_COLUMNS",
    "ComparisonResult",
    "IsingScanResult",
    "SampleResult",
]

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


@dataclass
class SampleResult(TableReport):
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
    >>> from energynets.experiments.sampling import sample_system
    >>> res = sample_system("ring", "gibbs", n_chains=4, n_sweeps=100, burn_in=20, rng=0)
    >>> list(res.record("energy"))
    ['observable', 'mean', 'stderr', 'std', 'tau', 'ess', 'rhat']
    >>> res.energies.shape, res.acceptance.shape, res.swap_rates
    ((101, 4), (4,), None)
    """

    _CELLS = SAMPLE_COLUMNS
    _FORMATS: ClassVar[dict[str, str]] = {
        "mean": ".5g", "stderr": ".2g", "std": ".4g", "tau": ".3g", "ess": ".0f", "rhat": ".3f",
    }  # fmt: skip

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
        return find_record(self.records, "observable", observable)

    def _notes(self) -> list[str]:
        s = self.settings
        lines = [
            f"{s['system_label']}; {s['sampler']} sampler at T = {s['temperature']:g}; "
            f"{s['n_chains']} chains x {s['n_sweeps']} sweeps ({s['burn_in']} burn-in), "
            f"{s['seconds']:.2f} s",
            f"acceptance: mean {float(np.mean(self.acceptance)):.3f}",
        ]
        if self.swap_rates is not None and self.temperatures is not None:
            rungs = ", ".join(f"{t:.3g}" for t in self.temperatures)
            rates = ", ".join(f"{r:.2f}" for r in self.swap_rates)
            lines.append(f"tempering ladder T = {rungs}; swap rates {rates}")
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
        return self._summary(
            "sample",
            acceptance_mean=float(np.mean(self.acceptance)),
            swap_rates=self.swap_rates,
            temperatures=self.temperatures,
            histogram=None if self.histogram is None else self.histogram.summary(),
        )


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
    >>> from energynets.experiments.sampling import ising_temperature_scan
    >>> res = ising_temperature_scan(8, [1.5, 2.5, 3.5], n_sweeps=100, burn_in=20, n_chains=4)
    >>> res.temperatures.tolist(), round(res.critical_temperature, 3)
    ([1.5, 2.5, 3.5], 2.269)
    >>> res.steepest_drop()[0] in res.temperatures
    True
    """

    # the table leaves the susceptibility's error out
    _CELLS = (
        "temperature", "abs_magnetisation", "abs_magnetisation_err", "exact_magnetisation",
        "energy", "energy_err", "exact_energy", "heat_capacity", "heat_capacity_err",
        "susceptibility", "tau_abs_magnetisation", "acceptance",
    )  # fmt: skip
    _FORMATS: ClassVar[dict[str, str]] = {
        "temperature": ".3f", "abs_magnetisation": ".4f", "abs_magnetisation_err": ".1g",
        "exact_magnetisation": ".4f", "energy": ".4f", "energy_err": ".1g",
        "exact_energy": ".4f", "heat_capacity": ".3f", "heat_capacity_err": ".1g",
        "susceptibility": ".3g", "tau_abs_magnetisation": ".3g", "acceptance": ".3f",
    }  # fmt: skip
    _HEADERS = (
        "T", "<|m|>", "+-", "exact m", "E/N", "+-", "exact E/N", "C", "+-", "chi", "tau", "acc",
    )  # fmt: skip

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
        estimates: dict[str, Any] = {}
        if len(self.records) >= 2:
            estimates["steepest_drop"] = list(self.steepest_drop())
            estimates["heat_capacity_peak"] = self.heat_capacity_peak()
        return self._summary(
            "ising_temperature_scan", onsager_critical_temperature=ONSAGER_TC, **estimates
        )


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
    >>> from energynets.experiments.sampling import compare_samplers
    >>> res = compare_samplers("ring", ["gibbs", "metropolis"], n_chains=4, n_sweeps=200,
    ...                        burn_in=40, temperature=0.5, rng=0)
    >>> res.samplers, res.record("metropolis")["sampler"], res.ground_kind
    (['gibbs', 'metropolis'], 'metropolis', 'exact')
    """

    _CELLS = COMPARE_COLUMNS
    _FORMATS: ClassVar[dict[str, str]] = {
        "mean_energy": ".4f", "energy_stderr": ".2g", "tau": ".3g", "tau_cost": ".3g",
        "ess": ".0f", "rhat": ".3f", "found_ground": ".2f", "time_to_ground": ".0f",
        "acceptance": ".3f", "swap_rate_min": ".2f", "seconds": ".2f",
    }  # fmt: skip
    _HEADERS = (
        "sampler", "sweeps", "replicas", "<E>", "+-", "tau", "tau x rep", "ESS", "R-hat",
        "found E0", "t(E0)", "acc", "min swap", "s",
    )  # fmt: skip

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
        return self._summary(
            "compare_samplers",
            ground_energy=self.ground_energy,
            ground_kind=self.ground_kind,
            swap_rates=self.swap_rates,
        )
