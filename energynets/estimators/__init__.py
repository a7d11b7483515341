"""scikit-learn-compatible estimators: a thin front over the energynets models and trainers.

Each estimator stores its constructor arguments and nothing else; ``fit`` validates them and
the data, turns ``random_state`` into one :class:`numpy.random.Generator`, and hands both to
the energynets function that does the work. Learned state lives in attributes ending in
``_``, among them the energynets model itself (``rbm_``, ``network_``, ``mlp_``, ``dbn_``), so
anything the package can do with a model it can do with a fitted estimator.

============================  =================================================================
:class:`HopfieldMemory`       :meth:`HopfieldNetwork.from_patterns
                              <energynets.HopfieldNetwork.from_patterns>`; ``predict`` recalls
:class:`BernoulliRBM`         :class:`~energynets.RBM` (0/1 visible units) +
                              :func:`~energynets.fit_rbm`
:class:`GaussianRBM`          :class:`~energynets.RBM` (Gaussian visible units) +
                              :func:`~energynets.fit_rbm`
:class:`MLPClassifier`        :class:`~energynets.MLP` (softmax or logistic outputs) +
                              scikit-learn's solvers on ``fit_mlp``'s kernel, or L-BFGS
:class:`MLPRegressor`         :class:`~energynets.MLP` (identity or exponential output) +
                              the same solvers
:class:`DBNClassifier`        :func:`~energynets.fit_dbn`, :meth:`DBN.to_mlp
                              <energynets.DBN.to_mlp>`, :func:`~energynets.fit_mlp`
:class:`EqPropClassifier`     :class:`~energynets.EnergyNetwork` +
                              :func:`~energynets.fit_eqprop`
============================  =================================================================

scikit-learn is optional. When it is installed the estimators derive from
:class:`sklearn.base.BaseEstimator` and its mixins, and pass
:func:`sklearn.utils.estimator_checks.check_estimator` except for the checks listed, with
their reasons, in :data:`EXPECTED_FAILED_CHECKS`; they work in ``Pipeline``,
``GridSearchCV`` and ``clone``. Without it a small fallback base provides ``get_params``,
``set_params``, ``fit_transform`` and ``score``, and everything else works the same.

Randomness follows the package's rule, not scikit-learn's: ``random_state`` may be an int, a
:class:`numpy.random.Generator`, a :class:`numpy.random.SeedSequence`, a legacy
:class:`numpy.random.RandomState` (one seed is drawn from it) or None (fresh entropy from the
operating system, *not* numpy's global state). ``fit`` converts it once and passes the one
generator down, so an estimator's result is bit-identical to the model trained directly, e.g.
for :class:`BernoulliRBM`::

    gen = np.random.default_rng(random_state)
    rbm = en.RBM(n_features, n_components, rng=gen)
    rbm, history = en.fit_rbm(rbm, X, method=method, ..., rng=gen)

:class:`BernoulliRBM`, :class:`MLPClassifier` and :class:`MLPRegressor` are drop-ins for
scikit-learn's classes of the same names: every parameter, fitted attribute and method, with
scikit-learn's meaning and defaults, and the energynets extras as further parameters;
scikit-learn's own test files run against them (the user guide's chapter on the estimators).

References
----------
Buitinck, L. et al. (2013). API design for machine learning software: experiences from the
scikit-learn project. ECML PKDD Workshop on Languages for Data Mining and Machine Learning,
108-122.
"""

from __future__ import annotations

from energynets.estimators import _base, _checks
from energynets.estimators._base import NotFittedError
from energynets.estimators._checks import expected_failed_checks
from energynets.estimators.dbn import DBNClassifier
from energynets.estimators.eqprop import EqPropClassifier
from energynets.estimators.hopfield import HopfieldMemory
from energynets.estimators.mlp import MLPClassifier, MLPRegressor
from energynets.estimators.rbm import BernoulliRBM, GaussianRBM

__all__ = [
    "EXPECTED_FAILED_CHECKS",
    "SKLEARN_AVAILABLE",
    "BernoulliRBM",
    "DBNClassifier",
    "EqPropClassifier",
    "GaussianRBM",
    "HopfieldMemory",
    "MLPClassifier",
    "MLPRegressor",
    "NotFittedError",
    "expected_failed_checks",
]

#: Whether scikit-learn was importable (the estimators then derive from its classes).
SKLEARN_AVAILABLE: bool = _base.SKLEARN_AVAILABLE

#: The checks of :func:`sklearn.utils.estimator_checks.check_estimator` each estimator is
#: expected to fail, with the reason, as ``{class name: {check name: reason}}``; use
#: :func:`expected_failed_checks` with ``parametrize_with_checks`` or ``check_estimator``.
#: Every one fails for a single reason: Bernoulli visible units need X in [0, 1], and the
#: checks feed unscaled data. :class:`HopfieldMemory`, :class:`GaussianRBM`,
#: :class:`MLPClassifier`, :class:`MLPRegressor` and :class:`EqPropClassifier` pass every
#: check.
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = _checks.EXPECTED_FAILED_CHECKS
