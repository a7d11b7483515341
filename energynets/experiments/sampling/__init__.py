"""Sampling experiments: chains on physical systems, the 2D Ising transition, sampler races.

Four questions, one function each; every function only computes and returns a result object
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
- :func:`critical_slowing_down`: the integrated autocorrelation times of ``|m|`` and E at
  T_c against the lattice side L for heat-bath, Metropolis, Wolff and Swendsen-Wang updates,
  in updates and in units of work, and the dynamic exponent z of tau ~ L^z per sampler
  (Grassberger 1995; Baillie & Coddington 1991).
- :func:`compare_samplers`: give each sampler the same budget of single-unit updates on a hard
  (frustrated, low-temperature) system and see which one mixes: autocorrelation time, energy
  traces, Gelman-Rubin R-hat, the fraction of chains that reached the ground state, and the
  replica-exchange rates of parallel tempering (Geyer 1991; Hukushima & Nemoto 1996).

Units: energies are those of the system itself, E(s) (not E / T); magnetisation is the mean
unit value m = (1/N) sum_i s_i (the magnetisation per spin for spins). Traces have one row per
sweep, row 0 the starting states.

One module per question: :mod:`~energynets.experiments.sampling.sample`,
:mod:`~energynets.experiments.sampling.scan`,
:mod:`~energynets.experiments.sampling.comparison` and
:mod:`~energynets.experiments.sampling.slowing_down` (which holds its own result), their
records in :mod:`~energynets.experiments.sampling.records`, on the systems of
:mod:`~energynets.experiments.sampling.systems`, with the chains, statistics, exact histogram
check and Onsager's results each in a module of its own; every name is importable from here.

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
Grassberger, P. (1995). Damage spreading and critical exponents for "model A" Ising dynamics.
Physica A 214, 547-559.
Baillie, C. F. & Coddington, P. D. (1991). Comparison of cluster algorithms for
two-dimensional Potts models. Phys. Rev. B 43, 10617.
Newman, M. E. J. & Barkema, G. T. (1999). Monte Carlo Methods in Statistical Physics. Oxford
University Press, chapters 3 and 4 (the Ising model, errors by jackknife).
"""

from energynets.experiments.sampling.comparison import compare_samplers
from energynets.experiments.sampling.histogram import MAX_EXACT_UNITS, HistogramCheck
from energynets.experiments.sampling.onsager import (
    ONSAGER_TC,
    onsager_critical_temperature,
    onsager_energy,
    onsager_magnetisation,
)
from energynets.experiments.sampling.records import (
    COMPARE_COLUMNS,
    SAMPLE_COLUMNS,
    SCAN_COLUMNS,
    ComparisonResult,
    IsingScanResult,
    SampleResult,
)
from energynets.experiments.sampling.sample import sample_system
from energynets.experiments.sampling.scan import ising_temperature_scan
from energynets.experiments.sampling.slowing_down import (
    CSD_SAMPLERS,
    DYNAMIC_EXPONENTS,
    SLOWING_DOWN_COLUMNS,
    SLOWING_DOWN_PRESETS,
    SlowingDownResult,
    critical_slowing_down,
    fit_dynamic_exponent,
)
from energynets.experiments.sampling.statistics import gelman_rubin
from energynets.experiments.sampling.systems import (
    COMPARE_TEMPERATURES,
    DEFAULT_SIZES,
    DEFAULT_TEMPERATURES,
    SAMPLERS,
    SYSTEMS,
    make_system,
)

__all__ = [
    "COMPARE_COLUMNS",
    "COMPARE_TEMPERATURES",
    "CSD_SAMPLERS",
    "DEFAULT_SIZES",
    "DEFAULT_TEMPERATURES",
    "DYNAMIC_EXPONENTS",
    "MAX_EXACT_UNITS",
    "ONSAGER_TC",
    "SAMPLERS",
    "SAMPLE_COLUMNS",
    "SCAN_COLUMNS",
    "SLOWING_DOWN_COLUMNS",
    "SLOWING_DOWN_PRESETS",
    "SYSTEMS",
    "ComparisonResult",
    "HistogramCheck",
    "IsingScanResult",
    "SampleResult",
    "SlowingDownResult",
    "compare_samplers",
    "critical_slowing_down",
    "fit_dynamic_exponent",
    "gelman_rubin",
    "ising_temperature_scan",
    "make_system",
    "onsager_critical_temperature",
    "onsager_energy",
    "onsager_magnetisation",
    "sample_system",
]
