"""Storage capacity of the classical Hopfield network, measured against the published theory.

Random unbiased patterns xi^mu in {-1, +1}^N, mu = 1..P, are stored with a learning rule and
the load alpha = P / N is swept. For every rule and load :func:`run_capacity` measures

- the one-step bit error: the fraction of stored bits with xi_i^mu h_i(xi^mu) < 0, i.e. the
  bits that the first zero-temperature update would flip. For the Hebbian rule its large-N
  value is P_err = 1/2 erfc(sqrt(1 / (2 alpha))) (Hertz, Krogh & Palmer 1991, eq. 2.13 and
  table 2.1), :func:`one_step_error_theory`;
- the fraction of stored patterns that are fixed points of the dynamics, the criterion of
  McEliece et al. (1987), whose Hebbian capacity is N / (2 ln N) (N / (4 ln N) for all of the
  patterns at once), :func:`mceliece_capacity`, and of Storkey (1997), N / sqrt(2 ln N),
  :func:`storkey_capacity`;
- the fraction of probes (stored patterns with a fraction of their bits flipped) that relax
  exactly to their pattern: associative recall, which for the Hebbian rule breaks down near the
  critical load alpha_c = 0.138 (Amit, Gutfreund & Sompolinsky 1985), :data:`ALPHA_C`;
- the fraction of wrong bits after relaxing from the stored pattern itself: about 1.5% at
  alpha_c in the retrieval state of the Hebbian network (Amit et al. 1985).

:func:`run_dense_capacity` extends the measurement to dense associative memories (Krotov &
Hopfield 2016; Demircigil et al. 2017) and the modern Hopfield network (Ramsauer et al. 2020),
whose capacities grow as N^(n-1) / ln N (:func:`krotov_hopfield_capacity`) and exponentially
in N (:func:`demircigil_capacity`); :func:`run_correlated_recall` stores correlated patterns
(glyphs, digits), where the classical rules fail.

The functions here only compute and return; the command line prints
:meth:`CapacityResult.to_text` and :mod:`energynets.plotting` draws the columns.

The experiments live one per module: :mod:`~energynets.experiments.capacity.classical`
(:func:`run_capacity`), :mod:`~energynets.experiments.capacity.dense`
(:func:`run_dense_capacity`), :mod:`~energynets.experiments.capacity.correlated`
(:func:`run_correlated_recall`), their records in
:mod:`~energynets.experiments.capacity.records` and the published formulas in
:mod:`~energynets.experiments.capacity.theory`; every name is importable from here.

References
----------
Hopfield, J. J. (1982). Neural networks and physical systems with emergent collective
computational abilities. PNAS 79, 2554-2558.

Amit, D. J., Gutfreund, H. & Sompolinsky, H. (1985). Storing infinite numbers of patterns in a
spin-glass model of neural networks. Phys. Rev. Lett. 55, 1530-1533.

Personnaz, L., Guyon, I. & Dreyfus, G. (1985). Information storage and retrieval in spin-glass
like neural networks. J. Physique Lett. 46, L359-L365.

McEliece, R. J., Posner, E. C., Rodemich, E. R. & Venkatesh, S. S. (1987). The capacity of the
Hopfield associative memory. IEEE Trans. Inf. Theory 33, 461-482.

Hertz, J., Krogh, A. & Palmer, R. G. (1991). Introduction to the Theory of Neural Computation.
Addison-Wesley, chapter 2.

Storkey, A. (1997). Increasing the capacity of a Hopfield network without sacrificing
functionality. ICANN'97, LNCS 1327, 451-456.

Krotov, D. & Hopfield, J. J. (2016). Dense associative memory for pattern recognition.
NeurIPS 29, 1172-1180.

Demircigil, M., Heusel, J., Loewe, M., Upgang, S. & Vermet, F. (2017). On a model of
associative memory with huge storage capacity. J. Stat. Phys. 168, 288-299 (arXiv:1702.01929).

Ramsauer, H. et al. (2021). Hopfield networks is all you need. ICLR (arXiv:2008.02217).
"""

from energynets.experiments.capacity.classical import check_alphas as check_alphas
from energynets.experiments.capacity.classical import run_capacity
from energynets.experiments.capacity.correlated import run_correlated_recall
from energynets.experiments.capacity.dense import run_dense_capacity
from energynets.experiments.capacity.records import (
    COLUMNS,
    DENSE_COLUMNS,
    CapacityResult,
    DenseCapacityResult,
)
from energynets.experiments.capacity.theory import (
    ALPHA_C,
    demircigil_capacity,
    double_factorial,
    krotov_hopfield_capacity,
    mceliece_capacity,
    one_step_error_theory,
    storkey_capacity,
)

__all__ = [
    "ALPHA_C",
    "COLUMNS",
    "DENSE_COLUMNS",
    "CapacityResult",
    "DenseCapacityResult",
    "demircigil_capacity",
    "double_factorial",
    "krotov_hopfield_capacity",
    "mceliece_capacity",
    "one_step_error_theory",
    "run_capacity",
    "run_correlated_recall",
    "run_dense_capacity",
    "storkey_capacity",
]
