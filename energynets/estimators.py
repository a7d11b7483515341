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
:class:`MLPClassifier`        :class:`~energynets.MLP` (softmax output) +
                              :func:`~energynets.fit_mlp`
:class:`MLPRegressor`         :class:`~energynets.MLP` (identity output) +
                              :func:`~energynets.fit_mlp`
:class:`DBNClassifier`        :func:`~energynets.fit_dbn`, :meth:`DBN.to_mlp
                              <energynets.DBN.to_mlp>`, :func:`~energynets.fit_mlp`
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

What is left out: sparse input (a ``TypeError`` says so), sample weights, ``warm_start``, and
pandas feature names (``feature_names_in_``).

References
----------
Buitinck, L. et al. (2013). API design for machine learning software: experiences from the
scikit-learn project. ECML PKDD Workshop on Languages for Data Mining and Machine Learning,
108-122.
"""

from __future__ import annotations

import inspect
import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from energynets._validation import (
    check_choice,
    check_float,
    check_int,
    check_rng,
)
from energynets.learning.backprop import fit_mlp
from energynets.learning.contrastive import METHODS as RBM_METHODS
from energynets.learning.contrastive import fit_rbm
from energynets.learning.dbn import DBN_METHODS, fit_dbn
from energynets.learning.hopfield_rules import RULES
from energynets.learning.optim import OPTIMIZERS
from energynets.metrics import pseudo_likelihood
from energynets.models.dbn import DBN
from energynets.models.hopfield import HopfieldNetwork
from energynets.models.mlp import ACTIVATIONS, INITIALIZERS, MLP, OUTPUTS
from energynets.models.rbm import RBM

__all__ = [
    "EXPECTED_FAILED_CHECKS",
    "SKLEARN_AVAILABLE",
    "BernoulliRBM",
    "DBNClassifier",
    "GaussianRBM",
    "HopfieldMemory",
    "MLPClassifier",
    "MLPRegressor",
    "NotFittedError",
    "expected_failed_checks",
]


# -- the fallback base, used when scikit-learn is not installed ---------------------------------
class _FallbackNotFittedError(ValueError, AttributeError):
    """Raised when a method that needs a fitted estimator is called before ``fit``."""


class _FallbackDataConversionWarning(UserWarning):
    """Warns that the data were converted (a column-vector y flattened)."""


class _FallbackBaseEstimator:
    """get_params / set_params read from the ``__init__`` signature, as scikit-learn does."""

    @classmethod
    def _get_param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return sorted(
            p.name
            for p in signature.parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        )

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor arguments, by name."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params: Any) -> Any:
        """Set constructor arguments by name; returns the estimator."""
        valid = self._get_param_names()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator {type(self).__name__}; valid "
                    f"parameters are {valid}"
                )
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        defaults = {
            p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()
        }
        changed = []
        for name, value in self.get_params().items():
            default = defaults.get(name, inspect.Parameter.empty)
            same = value is default
            if not same:
                try:
                    same = bool(value == default)
                except Exception:
                    same = False
            if not same:
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"


class _FallbackTransformerMixin:
    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> np.ndarray:
        """``fit(X, y).transform(X)``."""
        return self.fit(X, y, **fit_params).transform(X)  # type: ignore[attr-defined]


class _FallbackClassifierMixin:
    _estimator_type = "classifier"

    def score(self, X: Any, y: Any) -> float:
        """Accuracy: the fraction of rows of X whose predicted label is y."""
        y_true = np.asarray(y)
        return float(np.mean(self.predict(X) == y_true))  # type: ignore[attr-defined]


class _FallbackRegressorMixin:
    _estimator_type = "regressor"

    def score(self, X: Any, y: Any) -> float:
        """R^2, 1 - SS_res / SS_tot, averaged over the outputs (as sklearn's r2_score)."""
        y_true = np.asarray(y, dtype=np.float64)
        y_pred = np.asarray(self.predict(X), dtype=np.float64)  # type: ignore[attr-defined]
        y_true = y_true.reshape(y_true.shape[0], -1)
        y_pred = y_pred.reshape(y_true.shape)
        res = ((y_true - y_pred) ** 2).sum(axis=0)
        tot = ((y_true - y_true.mean(axis=0)) ** 2).sum(axis=0)
        safe = np.where(tot > 0, tot, 1.0)
        r2 = np.where(tot > 0, 1.0 - res / safe, np.where(res == 0, 1.0, 0.0))
        return float(np.mean(r2))


try:  # scikit-learn is optional
    from sklearn.base import BaseEstimator as _BaseEstimator
    from sklearn.base import ClassifierMixin as _ClassifierMixin
    from sklearn.base import RegressorMixin as _RegressorMixin
    from sklearn.base import TransformerMixin as _TransformerMixin
    from sklearn.exceptions import DataConversionWarning as _DataConversionWarning
    from sklearn.exceptions import NotFittedError

    #: Whether scikit-learn was importable (the estimators then derive from its classes).
    SKLEARN_AVAILABLE = True
except ImportError:
    _BaseEstimator = _FallbackBaseEstimator
    _ClassifierMixin = _FallbackClassifierMixin
    _RegressorMixin = _FallbackRegressorMixin
    _TransformerMixin = _FallbackTransformerMixin
    _DataConversionWarning = _FallbackDataConversionWarning
    NotFittedError = _FallbackNotFittedError
    SKLEARN_AVAILABLE = False


# Checks of scikit-learn's check_estimator that feed X outside [0, 1] to an estimator whose
# visible units are Bernoulli (for BernoulliRBM and DBNClassifier, each check's data are
# 3 * uniform, standardised blobs or iris; the positive_only tag only shifts them to >= 0).
_CHECKS_WITH_UNSCALED_X = (
    "check_dict_unchanged",
    "check_dont_overwrite_parameters",
    "check_estimators_dtypes",
    "check_estimators_fit_returns_self",
    "check_estimators_overwrite_params",
    "check_estimators_pickle",
    "check_f_contiguous_array_estimator",
    "check_fit2d_1feature",
    "check_fit2d_1sample",
    "check_fit2d_predict1d",
    "check_fit_check_is_fitted",
    "check_fit_idempotent",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_n_features_in",
    "check_n_features_in_after_fitting",
    "check_pipeline_consistency",
    "check_readonly_memmap_input",
)

_UNIT_INTERVAL_REASON = (
    "the check's X has values outside [0, 1], which the Bernoulli visible units of {name} "
    "refuse with a ValueError naming X; the test suite runs the check on the same code with "
    "X mapped into [0, 1] first, and it passes there"
)

#: The checks of :func:`sklearn.utils.estimator_checks.check_estimator` each estimator is
#: expected to fail, with the reason, as ``{class name: {check name: reason}}``; use
#: :func:`expected_failed_checks` with ``parametrize_with_checks`` or ``check_estimator``.
#: Every one fails for a single reason: Bernoulli visible units need X in [0, 1], and the
#: checks feed unscaled data. :class:`HopfieldMemory`, :class:`GaussianRBM`,
#: :class:`MLPClassifier` and :class:`MLPRegressor` pass every check.
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {
    "BernoulliRBM": dict.fromkeys(
        (
            *_CHECKS_WITH_UNSCALED_X,
            "check_transformer_data_not_an_array",
            "check_transformer_general",
            "check_transformer_preserve_dtypes",
        ),
        _UNIT_INTERVAL_REASON.format(name="BernoulliRBM"),
    ),
    "DBNClassifier": dict.fromkeys(
        (
            *_CHECKS_WITH_UNSCALED_X,
            "check_classifier_data_not_an_array",
            "check_classifiers_classes",
            "check_classifiers_regression_target",
            "check_classifiers_train",
            "check_non_transformer_estimators_n_iter",
            "check_requires_y_none",
        ),
        _UNIT_INTERVAL_REASON.format(name="DBNClassifier"),
    ),
}


def expected_failed_checks(estimator: Any) -> dict[str, str]:
    """The checks ``estimator`` is expected to fail, ``{check name: reason}``.

    For :func:`sklearn.utils.estimator_checks.parametrize_with_checks` and
    :func:`~sklearn.utils.estimator_checks.check_estimator` (their
    ``expected_failed_checks`` argument); see :data:`EXPECTED_FAILED_CHECKS`.
    """
    return dict(EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {}))


# -- shared input checks -----------------------------------------------------------------------
def _as_generator(random_state: Any) -> np.random.Generator:
    """``random_state`` as a Generator, once per fit (see the module docstring)."""
    if isinstance(random_state, np.random.RandomState):
        # a legacy generator the caller owns: one draw of 128 bits seeds the new one
        seed = random_state.randint(0, 2**32, size=4, dtype=np.uint64)
        return np.random.default_rng([int(s) for s in seed])
    return check_rng(random_state, "random_state")


def _check_X(
    estimator: Any,
    X: Any,
    *,
    reset: bool,
    unit_interval: bool = False,
    name: str = "X",
) -> np.ndarray:
    """X as a 2-D finite float array (float32 kept, anything else float64); never a copy
    the caller could see modified, and never written to.

    ``reset``: record ``n_features_in_`` (fit) or check against it (everything else).
    ``unit_interval``: values must lie in [0, 1] (Bernoulli visible units).
    The messages name ``name`` and contain the phrases scikit-learn's checks look for.
    """
    est = type(estimator).__name__
    if X is None:
        raise TypeError(f"{name} must be an array of shape (n_samples, n_features), got None")
    from scipy import sparse

    if sparse.issparse(X):
        raise TypeError(
            f"{name} must be a dense array: sparse input is not supported by {est}, got a "
            f"{type(X).__name__} (convert it with X.toarray())"
        )
    try:
        arr = np.asarray(X)
    except (ValueError, TypeError) as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be a rectangular array of numbers: {exc}") from None
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(
            f"{name} must be real-valued: Complex data not supported, got dtype {arr.dtype}"
        )
    if arr.dtype == object:
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be an array of numbers: {exc}") from None
    elif not (np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)):
        raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    if arr.ndim != 2:
        hint = ""
        if arr.ndim == 1:
            hint = (
                "; Reshape your data either using X.reshape(-1, 1) if it has a single "
                "feature or X.reshape(1, -1) if it contains a single sample"
            )
        raise ValueError(
            f"{name} must be a 2-D array (n_samples, n_features), got shape {arr.shape}{hint}"
        )
    if arr.shape[0] == 0:
        raise ValueError(
            f"{name} has 0 sample(s) (shape={arr.shape}) while a minimum of 1 is required"
        )
    if arr.shape[1] == 0:
        raise ValueError(
            f"{name} has 0 feature(s) (shape={arr.shape}) while a minimum of 1 is required."
        )
    if arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    lo, hi = arr.min(), arr.max()  # NaN propagates into both: no X-sized temporary
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"{name} must contain only finite values, got NaN or inf")
    if reset:
        estimator.n_features_in_ = arr.shape[1]
    else:
        expected = estimator.n_features_in_
        if arr.shape[1] != expected:
            raise ValueError(
                f"{name} has {arr.shape[1]} features, but {est} is expecting {expected} "
                "features as input"
            )
    if unit_interval and (lo < 0 or hi > 1):
        # "Negative values in data passed to": the phrase of scikit-learn's positive_only tag
        what = f"Negative values in data passed to {est}: " if lo < 0 else ""
        raise ValueError(
            f"{what}{name} must lie in [0, 1] for {est} (Bernoulli visible units: the values "
            f"are probabilities), got values in [{lo:g}, {hi:g}]; scale it first, e.g. divide "
            "8-bit images by 255 or use MinMaxScaler(clip=True)"
        )
    return arr


def _check_n_rows(X: np.ndarray, y: np.ndarray, y_name: str = "y") -> None:
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"{y_name} must have one entry per row of X: X has {X.shape[0]} rows, {y_name} "
            f"has {y.shape[0]}"
        )


def _require_y(estimator: Any, y: Any) -> np.ndarray:
    if y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y is None"
        )
    try:
        arr = np.asarray(y)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"y must be a rectangular array: {exc}") from None
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"y must be real-valued: Complex data not supported, got {arr.dtype}")
    return arr


def _check_class_labels(estimator: Any, X: np.ndarray, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """(classes, indices): the sorted distinct labels and each row's index into them."""
    arr = _require_y(estimator, y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please change the "
            "shape of y to (n_samples,), for example using ravel().",
            _DataConversionWarning,
            stacklevel=3,
        )
        arr = arr.ravel()
    if arr.ndim != 1:
        raise ValueError(
            f"y must be a 1-D array of class labels (one per row of X), got shape {arr.shape}"
        )
    _check_n_rows(X, arr)
    if arr.dtype == object:
        values = [v for v in arr.tolist() if isinstance(v, float)]
        if values and not all(np.isfinite(v) and v == round(v) for v in values):
            raise ValueError(
                "Unknown label type: continuous; y must hold class labels (integers or "
                "strings), got non-integer numbers"
            )
    elif np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)):
            raise ValueError("y must contain only finite values (no NaN or inf)")
        if np.any(arr != np.round(arr)):
            raise ValueError(
                "Unknown label type: continuous; y must hold class labels (integers or "
                f"strings), got non-integer values such as {arr[arr != np.round(arr)][:3]}"
            )
    try:
        classes, indices = np.unique(arr, return_inverse=True)
    except TypeError as exc:
        raise TypeError(f"y must hold labels of one comparable type: {exc}") from None
    if classes.shape[0] < 2:
        raise ValueError(
            f"y must hold at least 2 classes to train {type(estimator).__name__}, got 1 class "
            f"({classes[0]!r})"
        )
    return classes, indices.reshape(-1).astype(np.int64)


def _check_targets(estimator: Any, X: np.ndarray, y: Any) -> np.ndarray:
    """Regression targets as a float64 array of shape (n_samples,) or (n_samples, n_outputs)."""
    arr = _require_y(estimator, y)
    if arr.dtype == object:
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"y must be an array of numbers: {exc}") from None
    if not (np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)):
        raise TypeError(f"y must be an array of numbers, got dtype {arr.dtype}")
    if arr.ndim not in (1, 2):
        raise ValueError(f"y must be a 1-D or 2-D array of targets, got shape {arr.shape}")
    _check_n_rows(X, arr)
    if arr.ndim == 2 and arr.shape[1] == 0:
        raise ValueError(f"y must have at least one column (output), got shape {arr.shape}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError("y must contain only finite values (no NaN or inf)")
    return arr


def _check_fitted(estimator: Any, attribute: str) -> None:
    if not hasattr(estimator, attribute):
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet. Call 'fit' with "
            "appropriate arguments before using this estimator."
        )


def _check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool | np.bool_ | numbers.Integral):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def _check_hidden_sizes(value: Any, name: str, *, allow_empty: bool) -> tuple[int, ...]:
    """An int or a sequence of ints >= 1 (hidden layer sizes)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value,)
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | np.ndarray):
        raise TypeError(
            f"{name} must be an int or a sequence of ints such as (100,), got "
            f"{type(value).__name__} {value!r}"
        )
    sizes = tuple(check_int(s, f"{name}[{i}]", minimum=1) for i, s in enumerate(list(value)))
    if not sizes and not allow_empty:
        raise ValueError(f"{name} must give at least one hidden layer size, got {value!r}")
    return sizes


def _check_batch_size(value: Any, n_samples: int, name: str = "batch_size") -> int:
    """``"auto"`` -> min(200, n_samples) (as scikit-learn's MLPs); else an int >= 1."""
    if isinstance(value, str):
        check_choice(value, name, ("auto",))
        return min(200, n_samples)
    return check_int(value, name, minimum=1)


def _log_softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise log softmax z - logsumexp(z), exact for any finite logits."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


# -- Hopfield networks -------------------------------------------------------------------------
class HopfieldMemory(_BaseEstimator):
    """An associative memory: ``fit`` stores patterns in a Hopfield network, ``predict``
    recalls.

    The rows of X are binarised into spins, s = +1 where x > ``threshold`` and -1 elsewhere
    (so 0/1 bits and +-1 spins both map as expected with the default threshold 0), and
    stored with a learning rule (:meth:`energynets.HopfieldNetwork.from_patterns`). ``predict``
    binarises its probes the same way and relaxes them under the network's dynamics
    (:meth:`energynets.HopfieldNetwork.recall`), descending the energy
    E(s) = -1/2 s^T W s.

    Parameters
    ----------
    rule : {"hebbian", "storkey", "pseudoinverse"}
        The storage rule: Hebbian W = X^T X / N (Hopfield 1982), Storkey (1997), or the
        projector onto the patterns' span (Personnaz et al. 1985).
    threshold : float
        Values of X above it become +1 spins, the others -1.
    dynamics : {"async", "sync"}
        Asynchronous (one unit at a time, random order) or synchronous updates.
    temperature : float >= 0
        0: deterministic descent to a fixed point; T > 0: Glauber dynamics for exactly
        ``max_sweeps`` sweeps.
    max_sweeps : int >= 1
        Upper bound on the sweeps of a recall.
    random_state : int, Generator, SeedSequence, RandomState or None
        Converted once in ``fit``, where it draws :attr:`recall_seed_`.

    Attributes
    ----------
    network_ : energynets.HopfieldNetwork
        The network, with its weights (n_features, n_features) and the stored patterns.
    patterns_ : ndarray, shape (n_patterns, n_features)
        The stored spins (read-only).
    recall_seed_ : int
        Seed of the random visiting order of every ``predict``: recall is a deterministic
        function of the fitted memory and the probes, and at temperature 0 the recall of a
        probe does not depend on the other probes of the batch.
    n_features_in_ : int

    Notes
    -----
    ``fit`` stores X; it does not add to the patterns of an earlier fit (use
    ``network_.store`` for that).

    Examples
    --------
    >>> import energynets as en
    >>> patterns = en.datasets.random_patterns(3, 64, rng=0)
    >>> memory = HopfieldMemory(random_state=0).fit(patterns)
    >>> probes = en.corrupt(patterns, 0.1, rng=1)
    >>> bool((memory.predict(probes) == patterns).all())
    True

    References
    ----------
    Hopfield, J. J. (1982). Neural networks and physical systems with emergent collective
    computational abilities. PNAS 79, 2554-2558.
    """

    def __init__(
        self,
        rule: str = "hebbian",
        *,
        threshold: float = 0.0,
        dynamics: str = "async",
        temperature: float = 0.0,
        max_sweeps: int = 100,
        random_state: Any = None,
    ) -> None:
        self.rule = rule
        self.threshold = threshold
        self.dynamics = dynamics
        self.temperature = temperature
        self.max_sweeps = max_sweeps
        self.random_state = random_state

    def _spins(self, X: np.ndarray) -> np.ndarray:
        return np.where(X > self.threshold, 1.0, -1.0)

    def fit(self, X: Any, y: Any = None) -> HopfieldMemory:
        """Store the rows of X.

        Parameters
        ----------
        X : array_like, shape (n_patterns, n_features)
            Patterns, binarised at ``threshold``. Not modified.
        y : ignored

        Returns
        -------
        self
        """
        rule = check_choice(self.rule, "rule", RULES)
        threshold = check_float(self.threshold, "threshold")
        check_choice(self.dynamics, "dynamics", ("async", "sync"))
        check_float(self.temperature, "temperature", minimum=0.0)
        check_int(self.max_sweeps, "max_sweeps", minimum=1)
        arr = _check_X(self, X, reset=True)
        gen = _as_generator(self.random_state)
        self.network_ = HopfieldNetwork.from_patterns(np.where(arr > threshold, 1.0, -1.0), rule)
        self.recall_seed_ = int(gen.integers(2**63))
        return self

    @property
    def patterns_(self) -> np.ndarray:
        patterns = self.network_.patterns
        assert patterns is not None  # from_patterns keeps them
        return patterns

    def predict(self, X: Any) -> np.ndarray:
        """Recall: relax each probe under the network's dynamics.

        Parameters
        ----------
        X : array_like, shape (n_probes, n_features)
            Probes, binarised at ``threshold``. Not modified.

        Returns
        -------
        ndarray, shape (n_probes, n_features)
            The final states, spins +-1 (float64).
        """
        _check_fitted(self, "network_")
        arr = _check_X(self, X, reset=False)
        result = self.network_.recall(
            self._spins(arr),
            dynamics=self.dynamics,
            temperature=self.temperature,
            max_sweeps=self.max_sweeps,
            rng=self.recall_seed_,
        )
        return result.states

    def energy(self, X: Any) -> np.ndarray:
        """The energy E(s) = -1/2 s^T W s - b^T s of each (binarised) row, shape (n_samples,)."""
        _check_fitted(self, "network_")
        arr = _check_X(self, X, reset=False)
        return np.asarray(self.network_.energy(self._spins(arr)))


# -- restricted Boltzmann machines -------------------------------------------------------------
class _RBMEstimator(_TransformerMixin, _BaseEstimator):
    """The RBM estimators' shared code; subclasses set the visible units."""

    _visible = "bernoulli"
    rbm_: RBM
    random_state_: np.random.Generator

    # constructor arguments, set by the subclasses' __init__
    n_components: int
    learning_rate: float
    batch_size: int
    n_iter: int
    method: str
    k: int
    momentum: float
    weight_decay: float
    verbose: bool
    random_state: Any

    def _training_options(self) -> dict[str, Any]:
        """The arguments of fit_rbm, checked under the estimator's names."""
        return {
            "method": check_choice(self.method, "method", RBM_METHODS),
            "k": check_int(self.k, "k", minimum=1),
            "batch_size": check_int(self.batch_size, "batch_size", minimum=1),
            "learning_rate": check_float(
                self.learning_rate, "learning_rate", minimum=0.0, exclusive_minimum=True
            ),
            "momentum": check_float(self.momentum, "momentum", minimum=0.0, maximum=1.0),
            "weight_decay": check_float(self.weight_decay, "weight_decay", minimum=0.0),
            "monitor": (),
            "progress": _check_bool(self.verbose, "verbose"),
        }

    def _check_X(self, X: Any, *, reset: bool, name: str = "X") -> np.ndarray:
        bernoulli = self._visible == "bernoulli"
        return _check_X(self, X, reset=reset, unit_interval=bernoulli, name=name)

    def _train(
        self, X: np.ndarray, rbm: RBM, gen: np.random.Generator, n_epochs: int, **options: Any
    ) -> dict[str, list[Any]]:
        self.rbm_, history = fit_rbm(rbm, X, n_epochs=n_epochs, rng=gen, **options)
        self.random_state_ = gen
        return history

    def fit(self, X: Any, y: Any = None) -> Any:
        """Train a fresh RBM on X for ``n_iter`` epochs (:func:`energynets.fit_rbm`).

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
            Training data (see the class docstring for the values allowed). Not modified.
        y : ignored

        Returns
        -------
        self
        """
        n_hidden = check_int(self.n_components, "n_components", minimum=1)
        n_epochs = check_int(self.n_iter, "n_iter", minimum=1)
        options = self._training_options()
        arr = self._check_X(X, reset=True)
        gen = _as_generator(self.random_state)
        rbm = RBM(arr.shape[1], n_hidden, self._visible, rng=gen)
        self.history_ = self._train(arr, rbm, gen, n_epochs, **options)
        self.n_iter_ = len(self.history_["epoch"])
        return self

    def partial_fit(self, X: Any, y: Any = None) -> Any:
        """One epoch of training on X, continuing from the current parameters.

        The first call (on an unfitted estimator) builds the RBM as :meth:`fit` does, with
        the visible biases set from the data; later calls keep the biases and continue the
        generator ``random_state_``. The persistent chains and the momentum restart at each
        call. ``fit(X)`` with ``n_iter=1`` and a first ``partial_fit(X)`` give the same model.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
            A batch of training data. Not modified.
        y : ignored

        Returns
        -------
        self
        """
        options = self._training_options()
        if not hasattr(self, "rbm_"):
            n_hidden = check_int(self.n_components, "n_components", minimum=1)
            arr = self._check_X(X, reset=True)
            gen = _as_generator(self.random_state)
            rbm = RBM(arr.shape[1], n_hidden, self._visible, rng=gen)
            self.history_ = {}
            self.n_iter_ = 0
        else:
            arr = self._check_X(X, reset=False)
            gen, rbm = self.random_state_, self.rbm_
            options["init_visible_bias"] = None
        history = self._train(arr, rbm, gen, 1, **options)
        for key, values in history.items():
            self.history_.setdefault(key, []).extend(values)
        self.n_iter_ += 1
        return self

    def transform(self, X: Any) -> np.ndarray:
        """The hidden units' probabilities, p(h_j = 1 | v) = sigmoid(b_j + ((v / sigma) W)_j).

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
            Not modified.

        Returns
        -------
        ndarray, shape (n_samples, n_components)
        """
        _check_fitted(self, "rbm_")
        return self.rbm_.hidden_probabilities(self._check_X(X, reset=False))

    def gibbs(self, v: Any) -> np.ndarray:
        """One block-Gibbs step v -> h -> v' (as scikit-learn's ``BernoulliRBM.gibbs``).

        Uses and advances the generator ``random_state_``.

        Parameters
        ----------
        v : array_like, shape (n_samples, n_features)
            Not modified.

        Returns
        -------
        ndarray, shape (n_samples, n_features)
        """
        _check_fitted(self, "rbm_")
        arr = self._check_X(v, reset=False, name="v")
        return self.rbm_.gibbs_step(arr, self.random_state_)[0]

    def sample(
        self, n_samples: int = 1, n_steps: int = 1000, *, random_state: Any = None
    ) -> np.ndarray:
        """Visible states drawn by block-Gibbs chains started from noise (:meth:`RBM.sample
        <energynets.RBM.sample>`).

        Parameters
        ----------
        n_samples : int >= 1
            Independent chains, one sample each.
        n_steps : int >= 0
            Gibbs steps per chain.
        random_state : int, Generator, SeedSequence, RandomState or None
            None continues the generator ``random_state_`` (made in ``fit``), so successive
            calls give new samples; anything else starts a generator of its own.

        Returns
        -------
        ndarray, shape (n_samples, n_features)
        """
        _check_fitted(self, "rbm_")
        count = check_int(n_samples, "n_samples", minimum=1)
        steps = check_int(n_steps, "n_steps", minimum=0)
        gen = self.random_state_ if random_state is None else _as_generator(random_state)
        return self.rbm_.sample(count, n_steps=steps, rng=gen)

    @property
    def components_(self) -> np.ndarray:
        """The weights W^T, shape (n_components, n_features) (scikit-learn's layout)."""
        return self.rbm_.weights.T

    @property
    def intercept_hidden_(self) -> np.ndarray:
        """The hidden biases b, shape (n_components,)."""
        return self.rbm_.hidden_bias

    @property
    def intercept_visible_(self) -> np.ndarray:
        """The visible biases a, shape (n_features,)."""
        return self.rbm_.visible_bias


class BernoulliRBM(_RBMEstimator):
    """A restricted Boltzmann machine with 0/1 visible units, as a scikit-learn transformer.

    A drop-in for :class:`sklearn.neural_network.BernoulliRBM` (same parameter names and
    defaults where they exist) on top of :class:`energynets.RBM` and
    :func:`energynets.fit_rbm`. The energy is E(v, h) = -v^T W h - a^T v - b^T h; ``transform``
    gives p(h = 1 | v) = sigmoid(v W + b), the features of the classic RBM -> classifier
    pipeline.

    Parameters
    ----------
    n_components : int >= 1
        Hidden units.
    learning_rate : float > 0
        Of the stochastic gradient ascent (the gradient is a mean over the mini-batch).
    batch_size : int >= 1
        Rows per mini-batch.
    n_iter : int >= 1
        Epochs (passes over the data).
    verbose : bool
        Show a progress bar over the epochs.
    random_state : int, Generator, SeedSequence, RandomState or None
        Converted once in ``fit`` into the generator of the initial weights, then of the
        training (see the module docstring); None draws fresh entropy.
    method : {"pcd", "cd", "pt"}
        Negative phase: persistent contrastive divergence (scikit-learn's choice), CD-k
        started at the data, or parallel tempering.
    k : int >= 1
        Gibbs steps per update.
    momentum : float in [0, 1]
    weight_decay : float >= 0
        L2 cost on the weights.

    Attributes
    ----------
    rbm_ : energynets.RBM
        The trained model.
    components_ : ndarray, shape (n_components, n_features)
        W^T (a view of ``rbm_.weights``).
    intercept_hidden_ : ndarray, shape (n_components,)
    intercept_visible_ : ndarray, shape (n_features,)
    history_ : dict of lists
        :func:`energynets.fit_rbm`'s history ("epoch", "learning_rate", "momentum", "time").
    n_iter_ : int
        Epochs run.
    n_features_in_ : int
    random_state_ : numpy.random.Generator
        The generator of the training, continued by :meth:`partial_fit`, :meth:`gibbs` and
        :meth:`sample`.

    Notes
    -----
    Differences from scikit-learn's ``BernoulliRBM``:

    - X must lie in [0, 1] (a ValueError otherwise; scikit-learn accepts any value). In a
      pipeline put ``MinMaxScaler(clip=True)`` in front: test folds can leave the range of
      the training fold.
    - the visible biases start at the log-odds of the data's column means (Hinton 2010),
      not at zero;
    - :meth:`score_samples` is the exact pseudo-likelihood, every unit flipped, not
      scikit-learn's one-random-unit estimate;
    - ``random_state=None`` means fresh entropy, never numpy's global state;
    - sparse input is refused.

    Examples
    --------
    >>> import energynets as en
    >>> X = en.datasets.bars_and_stripes(3)
    >>> rbm = BernoulliRBM(n_components=8, n_iter=5, random_state=0).fit(X)
    >>> rbm.transform(X).shape, rbm.score_samples(X[:2]).shape
    ((14, 8), (2,))

    References
    ----------
    Hinton, G. E. (2002). Training products of experts by minimizing contrastive divergence.
    Neural Computation 14, 1771-1800. Tieleman, T. (2008). Training restricted Boltzmann
    machines using approximations to the likelihood gradient. ICML 2008, 1064-1071.
    """

    _visible = "bernoulli"

    def __init__(
        self,
        n_components: int = 256,
        *,
        learning_rate: float = 0.1,
        batch_size: int = 10,
        n_iter: int = 10,
        verbose: bool = False,
        random_state: Any = None,
        method: str = "pcd",
        k: int = 1,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.verbose = verbose
        self.random_state = random_state
        self.method = method
        self.k = k
        self.momentum = momentum
        self.weight_decay = weight_decay

    def score_samples(self, X: Any) -> np.ndarray:
        """The exact pseudo-log-likelihood of each row, ``sum_i log p(v_i | v_-i)`` (Besag 1975).

        Row i gives :func:`energynets.metrics.pseudo_likelihood` of that row alone.

        Parameters
        ----------
        X : array_like of 0/1, shape (n_samples, n_features)
            Not modified.

        Returns
        -------
        ndarray, shape (n_samples,)
            In nats, <= 0.

        References
        ----------
        Besag, J. (1975). Statistical analysis of non-lattice data. The Statistician 24,
        179-195.
        """
        _check_fitted(self, "rbm_")
        arr = self._check_X(X, reset=False)
        if not np.all((arr == 0) | (arr == 1)):
            raise ValueError(
                "X must hold 0/1 bits for score_samples (the pseudo-likelihood flips units), "
                "got other values; binarise it first"
            )
        return np.array([pseudo_likelihood(self.rbm_, arr[i : i + 1]) for i in range(len(arr))])

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True  # X in [0, 1]
        return tags

    def _more_tags(self) -> dict[str, Any]:  # scikit-learn < 1.6
        return {"requires_positive_X": True, "_xfail_checks": expected_failed_checks(self)}


class GaussianRBM(_RBMEstimator):
    """A restricted Boltzmann machine with Gaussian visible units, as a scikit-learn transformer.

    For real-valued data, standardised to zero mean and unit variance per feature (the
    visible standard deviations are 1). The energy is
    E(v, h) = sum_i (v_i - a_i)^2 / 2 - v^T W h - b^T h; ``transform`` gives
    p(h = 1 | v) = sigmoid(v W + b).

    Parameters
    ----------
    n_components : int >= 1
        Hidden units.
    learning_rate : float > 0
        Smaller than for Bernoulli units: Gaussian units have no bounded range (Hinton 2010,
        section 13.2).
    batch_size, n_iter, verbose, random_state, method, k, momentum, weight_decay
        As for :class:`BernoulliRBM`.

    Attributes
    ----------
    rbm_, components_, intercept_hidden_, intercept_visible_, history_, n_iter_,
    n_features_in_, random_state_
        As for :class:`BernoulliRBM`.

    Notes
    -----
    :meth:`score_samples` is the negative free energy, not a pseudo-likelihood: the
    conditional of one Gaussian unit given the others, integrated over v_i, couples all the
    hidden units, so its normaliser is a sum over all 2^n_components hidden states.

    Examples
    --------
    >>> X = np.random.default_rng(0).standard_normal((50, 4))
    >>> rbm = GaussianRBM(n_components=3, n_iter=2, random_state=0).fit(X)
    >>> rbm.transform(X).shape
    (50, 3)

    References
    ----------
    Hinton, G. E. & Salakhutdinov, R. R. (2006). Reducing the dimensionality of data with
    neural networks. Science 313, 504-507. Hinton, G. E. (2010). A practical guide to
    training restricted Boltzmann machines. UTML TR 2010-003.
    """

    _visible = "gaussian"

    def __init__(
        self,
        n_components: int = 256,
        *,
        learning_rate: float = 0.01,
        batch_size: int = 10,
        n_iter: int = 10,
        verbose: bool = False,
        random_state: Any = None,
        method: str = "pcd",
        k: int = 1,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.verbose = verbose
        self.random_state = random_state
        self.method = method
        self.k = k
        self.momentum = momentum
        self.weight_decay = weight_decay

    def score_samples(self, X: Any) -> np.ndarray:
        """The negative free energy -F(v) = log p(v) + log Z of each row, shape (n_samples,).

        F(v) = sum_i (v_i - a_i)^2 / 2 - sum_j softplus(b_j + (v W)_j)
        (:meth:`energynets.RBM.free_energy`): an exact, unnormalised log-density. Differences
        between rows are exact log-probability ratios; for the normalised value subtract
        log Z (:func:`energynets.metrics.rbm_log_partition` for small models,
        :func:`energynets.ais` otherwise).

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
            Not modified.

        Returns
        -------
        ndarray, shape (n_samples,)
        """
        _check_fitted(self, "rbm_")
        return -self.rbm_.free_energy(self._check_X(X, reset=False))


# -- feedforward networks ----------------------------------------------------------------------
_ACTIVATION_ALIASES = {"logistic": "sigmoid"}


class _MLPEstimator(_BaseEstimator):
    """The MLP estimators' shared code; subclasses give the output and the targets."""

    mlp_: MLP

    hidden_layer_sizes: Any
    activation: str
    solver: str
    alpha: float
    dropout: float
    input_dropout: float
    batch_size: Any
    learning_rate: Any
    learning_rate_init: float
    max_iter: int
    momentum: float
    beta_1: float
    beta_2: float
    epsilon: float
    early_stopping: bool
    validation_fraction: float
    n_iter_no_change: int
    init: str
    verbose: bool
    random_state: Any

    def _fit_options(self, n_samples: int) -> dict[str, Any]:
        """The arguments of fit_mlp, checked under the estimator's names."""
        options: dict[str, Any] = {
            "optimizer": check_choice(self.solver, "solver", OPTIMIZERS),
            "learning_rate": check_float(
                self.learning_rate_init, "learning_rate_init", minimum=0.0, exclusive_minimum=True
            ),
            "n_epochs": check_int(self.max_iter, "max_iter", minimum=1),
            "batch_size": _check_batch_size(self.batch_size, n_samples),
            "momentum": check_float(self.momentum, "momentum", minimum=0.0, maximum=1.0),
            "betas": (
                check_float(self.beta_1, "beta_1", minimum=0.0, maximum=1.0),
                check_float(self.beta_2, "beta_2", minimum=0.0, maximum=1.0),
            ),
            "epsilon": check_float(self.epsilon, "epsilon", minimum=0.0, exclusive_minimum=True),
            "weight_decay": check_float(self.alpha, "alpha", minimum=0.0),
            "dropout": self.dropout,  # checked by fit_mlp under the same names
            "input_dropout": self.input_dropout,
            "learning_rate_schedule": (
                self.learning_rate
                if callable(self.learning_rate)
                else check_choice(
                    self.learning_rate, "learning_rate", ("constant", "linear", "exponential")
                )
            ),
            "progress": _check_bool(self.verbose, "verbose"),
        }
        if _check_bool(self.early_stopping, "early_stopping"):
            fraction = check_float(
                self.validation_fraction, "validation_fraction", minimum=0.0, maximum=1.0
            )
            if not 0.0 < fraction < 1.0:
                raise ValueError(f"validation_fraction must lie in (0, 1), got {fraction}")
            options["validation_data"] = fraction
            options["early_stopping"] = check_int(
                self.n_iter_no_change, "n_iter_no_change", minimum=1
            )
        return options

    def _activation(self) -> str:
        name = check_choice(self.activation, "activation", (*ACTIVATIONS, *_ACTIVATION_ALIASES))
        return _ACTIVATION_ALIASES.get(name, name)

    def _fit_network(self, X: np.ndarray, targets: np.ndarray, n_outputs: int, output: str) -> None:
        hidden = _check_hidden_sizes(
            self.hidden_layer_sizes, "hidden_layer_sizes", allow_empty=True
        )
        activation = self._activation()
        init = check_choice(self.init, "init", tuple(INITIALIZERS))
        options = self._fit_options(X.shape[0])
        gen = _as_generator(self.random_state)
        mlp = MLP([X.shape[1], *hidden, n_outputs], activation, output, init, rng=gen)
        self.mlp_, self.history_ = fit_mlp(mlp, X, targets, rng=gen, **options)
        self.n_iter_ = len(self.history_["epoch"])
        self.loss_curve_ = list(self.history_["loss"])

    @property
    def coefs_(self) -> list[np.ndarray]:
        """The weight matrices, ``coefs_[l]`` of shape (layer_sizes[l], layer_sizes[l + 1])."""
        return self.mlp_.weights

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """The bias vectors, ``intercepts_[l]`` of shape (layer_sizes[l + 1],)."""
        return self.mlp_.biases


_MLP_PARAMETERS = """\
    hidden_layer_sizes : int or sequence of int
        Units of each hidden layer (an empty tuple: no hidden layer).
    activation : {"relu", "tanh", "sigmoid" (or "logistic"), "leaky_relu", "identity"}
        The hidden activation (:data:`energynets.models.mlp.ACTIVATIONS`).
    solver : {"adam", "sgd", "momentum", "nesterov"}
        The optimiser (:data:`energynets.learning.optim.OPTIMIZERS`). "sgd" is plain SGD;
        scikit-learn's "sgd" (with its default momentum) is "nesterov" here. No "lbfgs".
    alpha : float >= 0
        L2 weight decay: alpha W is added to the gradient of the mean loss (scikit-learn
        divides its alpha by the batch size), biases excluded.
    dropout : float in [0, 1)
        Probability of dropping each hidden unit in each training example (inverted
        dropout, Srivastava et al. 2014; see :func:`energynets.fit_mlp`). Not in
        scikit-learn.
    input_dropout : float in [0, 1)
        The same for the inputs.
    batch_size : int >= 1 or "auto"
        Rows per mini-batch; "auto" is min(200, n_samples).
    learning_rate : {"constant", "linear", "exponential"} or callable
        The schedule of the learning rate over the epochs
        (:func:`energynets.learning.optim.learning_rate_schedule`).
    learning_rate_init : float > 0
    max_iter : int >= 1
        Epochs. Training always runs them all (there is no ``tol``), unless early stopping
        stops it.
    momentum : float in [0, 1]
        For the "momentum" and "nesterov" solvers.
    beta_1, beta_2 : float in [0, 1]
        Adam's decay rates.
    epsilon : float > 0
        Adam's denominator offset.
    early_stopping : bool
        Hold out ``validation_fraction`` of the rows and stop when their loss has not
        improved for ``n_iter_no_change`` epochs, returning the network of the best epoch.
    validation_fraction : float in (0, 1)
    n_iter_no_change : int >= 1
    init : {"he", "xavier_uniform", "xavier_normal", "lecun", "normal", "constant"}
        The weight initialisation (:data:`energynets.models.mlp.INITIALIZERS`).
    verbose : bool
        Show a progress bar over the epochs.
    random_state : int, Generator, SeedSequence, RandomState or None
        Converted once in ``fit`` into the generator of the initial weights, then of the
        batch order (and the validation split); None draws fresh entropy."""


class MLPClassifier(_ClassifierMixin, _MLPEstimator):
    __doc__ = f"""A multilayer perceptron classifier trained by backpropagation.

    A front over :class:`energynets.MLP` with a softmax output and cross-entropy loss,
    trained by :func:`energynets.fit_mlp`; names and defaults follow
    :class:`sklearn.neural_network.MLPClassifier` where they mean the same thing. Any labels
    (ints, strings) are allowed: ``classes_`` holds them sorted, and the network has one
    output per class (two for a binary problem).

    Parameters
    ----------
{_MLP_PARAMETERS}

    Attributes
    ----------
    mlp_ : energynets.MLP
        The trained network.
    classes_ : ndarray, shape (n_classes,)
    coefs_, intercepts_ : lists of ndarray
        The network's weights and biases (the arrays of ``mlp_``).
    history_ : dict of lists
        :func:`energynets.fit_mlp`'s history.
    loss_curve_ : list of float
        The mean training loss of each epoch.
    n_iter_ : int
        Epochs run.
    n_features_in_ : int

    Examples
    --------
    >>> from energynets.datasets import load_digits
    >>> X, y = load_digits()
    >>> clf = MLPClassifier((32,), batch_size=32, max_iter=10, random_state=0).fit(X / 16, y)
    >>> clf.predict_proba(X[:3] / 16).shape, clf.score(X / 16, y) > 0.8
    ((3, 10), True)

    References
    ----------
    Rumelhart, D. E., Hinton, G. E. & Williams, R. J. (1986). Learning representations by
    back-propagating errors. Nature 323, 533-536.

    Srivastava, N., Hinton, G., Krizhevsky, A., Sutskever, I. & Salakhutdinov, R. (2014).
    Dropout: a simple way to prevent neural networks from overfitting. Journal of Machine
    Learning Research 15, 1929-1958.
    """

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        dropout: float = 0.0,
        input_dropout: float = 0.0,
        batch_size: Any = "auto",
        learning_rate: Any = "constant",
        learning_rate_init: float = 0.001,
        max_iter: int = 200,
        momentum: float = 0.9,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        init: str = "he",
        verbose: bool = False,
        random_state: Any = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.dropout = dropout
        self.input_dropout = input_dropout
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.momentum = momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.init = init
        self.verbose = verbose
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> MLPClassifier:
        """Train a fresh network on (X, y).

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
            Not modified.
        y : array_like, shape (n_samples,)
            Class labels, at least two distinct ones.

        Returns
        -------
        self
        """
        arr = _check_X(self, X, reset=True)
        self.classes_, indices = _check_class_labels(self, arr, y)
        self._fit_network(arr, indices, len(self.classes_), "softmax")
        return self

    def _logits(self, X: Any) -> np.ndarray:
        _check_fitted(self, "mlp_")
        return self.mlp_.logits(_check_X(self, X, reset=False))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, softmax of the output layer, shape (n_samples, n_classes)."""
        return OUTPUTS["softmax"].function(self._logits(X))  # as MLP.predict_proba

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log class probabilities z - logsumexp(z), shape (n_samples, n_classes)."""
        return _log_softmax(self._logits(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row, shape (n_samples,), from ``classes_``."""
        z = self._logits(X)  # first: it raises NotFittedError before classes_ is read
        return self.classes_[np.argmax(z, axis=1)]


class MLPRegressor(_RegressorMixin, _MLPEstimator):
    __doc__ = f"""A multilayer perceptron regressor trained by backpropagation.

    A front over :class:`energynets.MLP` with an identity output and the squared error
    1/2 ||z - y||^2, trained by :func:`energynets.fit_mlp`; names and defaults follow
    :class:`sklearn.neural_network.MLPRegressor` where they mean the same thing. Several
    outputs are allowed (y of shape (n_samples, n_outputs)).

    Parameters
    ----------
{_MLP_PARAMETERS}

    Attributes
    ----------
    mlp_ : energynets.MLP
        The trained network.
    n_outputs_ : int
    coefs_, intercepts_, history_, loss_curve_, n_iter_, n_features_in_
        As for :class:`MLPClassifier`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 3))
    >>> y = X @ [1.0, -2.0, 0.5]
    >>> reg = MLPRegressor((16,), learning_rate_init=0.01, max_iter=100, random_state=0)
    >>> reg = reg.fit(X, y)
    >>> reg.predict(X).shape, reg.score(X, y) > 0.9
    ((200,), True)

    References
    ----------
    Rumelhart, D. E., Hinton, G. E. & Williams, R. J. (1986). Learning representations by
    back-propagating errors. Nature 323, 533-536.

    Srivastava, N., Hinton, G., Krizhevsky, A., Sutskever, I. & Salakhutdinov, R. (2014).
    Dropout: a simple way to prevent neural networks from overfitting. Journal of Machine
    Learning Research 15, 1929-1958.
    """

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        dropout: float = 0.0,
        input_dropout: float = 0.0,
        batch_size: Any = "auto",
        learning_rate: Any = "constant",
        learning_rate_init: float = 0.001,
        max_iter: int = 200,
        momentum: float = 0.9,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        init: str = "he",
        verbose: bool = False,
        random_state: Any = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.dropout = dropout
        self.input_dropout = input_dropout
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.momentum = momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.init = init
        self.verbose = verbose
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> MLPRegressor:
        """Train a fresh network on (X, y).

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
            Not modified.
        y : array_like, shape (n_samples,) or (n_samples, n_outputs)
            Finite targets.

        Returns
        -------
        self
        """
        arr = _check_X(self, X, reset=True)
        targets = _check_targets(self, arr, y)
        self.n_outputs_ = 1 if targets.ndim == 1 else targets.shape[1]
        self._fit_network(arr, targets, self.n_outputs_, "identity")
        return self

    def predict(self, X: Any) -> np.ndarray:
        """The outputs, shape (n_samples,) for one output, else (n_samples, n_outputs)."""
        _check_fitted(self, "mlp_")
        z = self.mlp_.logits(_check_X(self, X, reset=False))
        return z[:, 0] if self.n_outputs_ == 1 else z

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _more_tags(self) -> dict[str, Any]:  # scikit-learn < 1.6
        return {"multioutput": True}


# -- deep belief networks ----------------------------------------------------------------------
class DBNClassifier(_ClassifierMixin, _BaseEstimator):
    """A deep belief network, pretrained greedily and fine-tuned by backpropagation.

    ``fit`` trains a stack of RBMs layer by layer on X (:func:`energynets.fit_dbn`), turns it
    into a sigmoid network with a fresh softmax output layer (:meth:`energynets.DBN.to_mlp`)
    and fine-tunes every layer on (X, y) (:func:`energynets.fit_mlp`): the recipe of
    Hinton, Osindero & Teh (2006) and Hinton & Salakhutdinov (2006). Any labels are allowed,
    as for :class:`MLPClassifier`.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int
        Hidden units of each RBM of the stack, bottom first (at least one layer).
    pretrain_method : {"cd", "pcd"}
        The negative phase of every RBM (:func:`energynets.fit_dbn`).
    pretrain_k : int >= 1
        Gibbs steps per update.
    pretrain_n_iter : int >= 1
        Epochs of each RBM.
    pretrain_learning_rate : float > 0
    pretrain_batch_size : int >= 1
    solver, alpha, dropout, input_dropout, batch_size, learning_rate, learning_rate_init,
    max_iter, momentum, beta_1, beta_2, epsilon
        Of the fine-tuning, as for :class:`MLPClassifier`.
    verbose : bool
        Progress bars over the epochs.
    random_state : int, Generator, SeedSequence, RandomState or None
        Converted once in ``fit``; the one generator ``gen`` goes through
        ``fit_dbn(..., rng=gen)``, ``dbn.to_mlp(n_classes, rng=gen)`` and
        ``fit_mlp(..., rng=gen)`` in that order.

    Attributes
    ----------
    dbn_ : energynets.DBN
        The pretrained stack.
    mlp_ : energynets.MLP
        The fine-tuned network.
    classes_ : ndarray, shape (n_classes,)
    pretrain_history_ : dict of lists
        :func:`energynets.fit_dbn`'s history.
    history_ : dict of lists
        :func:`energynets.fit_mlp`'s history of the fine-tuning.
    loss_curve_ : list of float
    n_iter_ : int
        Fine-tuning epochs run.
    n_features_in_ : int

    Notes
    -----
    X must lie in [0, 1] (Bernoulli visible units), in ``fit`` and in the predictions.

    Examples
    --------
    >>> from energynets.datasets import load_digits
    >>> X, y = load_digits()
    >>> clf = DBNClassifier((32,), pretrain_n_iter=2, max_iter=5, random_state=0)
    >>> clf.fit(X / 16, y).predict(X[:4] / 16).shape
    (4,)

    References
    ----------
    Hinton, G. E., Osindero, S. & Teh, Y.-W. (2006). A fast learning algorithm for deep belief
    nets. Neural Computation 18, 1527-1554. Hinton, G. E. & Salakhutdinov, R. R. (2006).
    Reducing the dimensionality of data with neural networks. Science 313, 504-507.
    """

    dbn_: DBN
    mlp_: MLP

    def __init__(
        self,
        hidden_layer_sizes: Any = (256,),
        *,
        pretrain_method: str = "cd",
        pretrain_k: int = 1,
        pretrain_n_iter: int = 10,
        pretrain_learning_rate: float = 0.1,
        pretrain_batch_size: int = 10,
        solver: str = "adam",
        alpha: float = 0.0001,
        dropout: float = 0.0,
        input_dropout: float = 0.0,
        batch_size: Any = "auto",
        learning_rate: Any = "constant",
        learning_rate_init: float = 0.001,
        max_iter: int = 200,
        momentum: float = 0.9,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        verbose: bool = False,
        random_state: Any = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.pretrain_method = pretrain_method
        self.pretrain_k = pretrain_k
        self.pretrain_n_iter = pretrain_n_iter
        self.pretrain_learning_rate = pretrain_learning_rate
        self.pretrain_batch_size = pretrain_batch_size
        self.solver = solver
        self.alpha = alpha
        self.dropout = dropout
        self.input_dropout = input_dropout
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.momentum = momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.verbose = verbose
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> DBNClassifier:
        """Pretrain the stack on X, then fine-tune the network on (X, y).

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
            Values in [0, 1]. Not modified.
        y : array_like, shape (n_samples,)
            Class labels, at least two distinct ones.

        Returns
        -------
        self
        """
        hidden = _check_hidden_sizes(
            self.hidden_layer_sizes, "hidden_layer_sizes", allow_empty=False
        )
        pretrain: dict[str, Any] = {
            "method": check_choice(self.pretrain_method, "pretrain_method", DBN_METHODS),
            "k": check_int(self.pretrain_k, "pretrain_k", minimum=1),
            "n_epochs": check_int(self.pretrain_n_iter, "pretrain_n_iter", minimum=1),
            "learning_rate": check_float(
                self.pretrain_learning_rate,
                "pretrain_learning_rate",
                minimum=0.0,
                exclusive_minimum=True,
            ),
            "batch_size": check_int(self.pretrain_batch_size, "pretrain_batch_size", minimum=1),
        }
        # the fine-tuning options, checked by the MLP front under the same names
        tuner = MLPClassifier(
            solver=self.solver,
            alpha=self.alpha,
            dropout=self.dropout,
            input_dropout=self.input_dropout,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            learning_rate_init=self.learning_rate_init,
            max_iter=self.max_iter,
            momentum=self.momentum,
            beta_1=self.beta_1,
            beta_2=self.beta_2,
            epsilon=self.epsilon,
            verbose=self.verbose,
        )
        arr = self._check_X(X, reset=True)
        options = tuner._fit_options(arr.shape[0])
        self.classes_, indices = _check_class_labels(self, arr, y)
        gen = _as_generator(self.random_state)
        self.dbn_, self.pretrain_history_ = fit_dbn(
            [arr.shape[1], *hidden],
            arr,
            rng=gen,
            progress=options["progress"],
            monitor=(),
            **pretrain,
        )
        mlp = self.dbn_.to_mlp(len(self.classes_), rng=gen)
        self.mlp_, self.history_ = fit_mlp(mlp, arr, indices, rng=gen, **options)
        self.n_iter_ = len(self.history_["epoch"])
        self.loss_curve_ = list(self.history_["loss"])
        return self

    def _check_X(self, X: Any, *, reset: bool) -> np.ndarray:
        return _check_X(self, X, reset=reset, unit_interval=True)

    def _logits(self, X: Any) -> np.ndarray:
        _check_fitted(self, "mlp_")
        return self.mlp_.logits(self._check_X(X, reset=False))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True  # X in [0, 1]
        return tags

    def _more_tags(self) -> dict[str, Any]:  # scikit-learn < 1.6
        return {"requires_positive_X": True, "_xfail_checks": expected_failed_checks(self)}

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes)."""
        return OUTPUTS["softmax"].function(self._logits(X))  # as MLP.predict_proba

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log class probabilities, shape (n_samples, n_classes)."""
        return _log_softmax(self._logits(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row, shape (n_samples,), from ``classes_``."""
        z = self._logits(X)  # first: it raises NotFittedError before classes_ is read
        return self.classes_[np.argmax(z, axis=1)]
