"""What every estimator stands on: scikit-learn's base classes when it is installed, a small
fallback otherwise, and the few steps every ``fit`` and ``predict`` share.

scikit-learn is optional. When ``import sklearn`` works, :data:`BaseEstimator`, the mixins,
:data:`NotFittedError` and :data:`DataConversionWarning` are its own classes; without it the
fallback classes below stand in: ``get_params`` and ``set_params`` read the ``__init__``
signature (as scikit-learn's do), the transformers get ``fit_transform``, the classifiers
``score`` (accuracy) and the regressors ``score`` (R^2).
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import numpy as np

from energynets._validation import check_rng, is_sparse
from energynets.estimators._checks import expected_failed_checks

__all__ = [
    "SKLEARN_AVAILABLE",
    "BaseEstimator",
    "ClassifierMixin",
    "DataConversionWarning",
    "Estimator",
    "NotFittedError",
    "RegressorMixin",
    "TransformerMixin",
    "UnitIntervalInput",
    "as_generator",
    "as_numbers",
    "check_X",
    "check_feature_names",
    "check_fitted",
    "input_feature_names",
    "prefixed_feature_names",
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
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
    from sklearn.exceptions import DataConversionWarning, NotFittedError

    # Whether scikit-learn was importable (the estimators then derive from its classes).
    SKLEARN_AVAILABLE = True
except ImportError:
    BaseEstimator = _FallbackBaseEstimator
    ClassifierMixin = _FallbackClassifierMixin
    RegressorMixin = _FallbackRegressorMixin
    TransformerMixin = _FallbackTransformerMixin
    DataConversionWarning = _FallbackDataConversionWarning
    NotFittedError = _FallbackNotFittedError
    SKLEARN_AVAILABLE = False


class Estimator(BaseEstimator):
    """The base of every estimator here: scikit-learn's (or the fallback's) and the X check.

    An estimator declares its constructor parameters as the fields of a
    ``dataclass(eq=False, repr=False)``: the ``__init__`` it gets stores each argument under
    its own name and does nothing else, as scikit-learn requires, and ``get_params``,
    ``set_params`` and the repr read its signature. What each parameter must be is the table
    ``_parameter_checks`` (:mod:`energynets.estimators._params`), checked in ``fit``.

    ``_check_X`` is the one door every array X goes through (:func:`check_X`); a subclass
    whose visible units are Bernoulli sets ``_unit_interval`` (see :class:`UnitIntervalInput`).
    """

    _unit_interval = False
    _accept_sparse = False  # an estimator that takes scipy.sparse X sets it (opt-in)
    _feature_names = False  # one that records feature_names_in_ sets it (opt-in)

    def _check_X(self, X: Any, *, reset: bool, name: str = "X") -> Any:
        return check_X(
            self,
            X,
            reset=reset,
            unit_interval=self._unit_interval,
            name=name,
            accept_sparse=self._accept_sparse,
            feature_names=self._feature_names,
        )


class UnitIntervalInput:
    """For estimators with Bernoulli visible units: X must lie in [0, 1].

    Sets scikit-learn's ``positive_only`` tag and names the checks expected to fail
    (:data:`~energynets.estimators.EXPECTED_FAILED_CHECKS`). Put it first among the bases.
    """

    _unit_interval = True

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.input_tags.positive_only = True  # X in [0, 1]
        return tags

    def _more_tags(self) -> dict[str, Any]:  # scikit-learn < 1.6
        return {"requires_positive_X": True, "_xfail_checks": expected_failed_checks(self)}


# -- steps every estimator shares --------------------------------------------------------------
def as_generator(random_state: Any) -> np.random.Generator:
    """``random_state`` as a Generator, once per fit (see :mod:`energynets.estimators`)."""
    if isinstance(random_state, np.random.RandomState):
        # a legacy generator the caller owns: one draw of 128 bits seeds the new one
        seed = random_state.randint(0, 2**32, size=4, dtype=np.uint64)
        return np.random.default_rng([int(s) for s in seed])
    return check_rng(random_state, "random_state")


def prefixed_feature_names(
    estimator: Any, n_features_out: int, input_features: Any = None
) -> np.ndarray:
    """The output feature names ``<class name in lower case><i>``, i = 0 .. n_features_out - 1,
    as scikit-learn's ``ClassNamePrefixFeaturesOutMixin`` makes them (an object array).

    ``input_features``, when given, must match the input: ``n_features_in_`` names, equal to
    ``feature_names_in_`` where that was recorded (it is only checked: the output names do not
    depend on it).
    """
    if input_features is not None:
        names = np.asarray(input_features, dtype=object)
        known = getattr(estimator, "feature_names_in_", None)
        if known is not None and not np.array_equal(known, names):
            raise ValueError("input_features is not equal to feature_names_in_")
        if names.ndim != 1 or names.shape[0] != estimator.n_features_in_:
            raise ValueError(
                f"input_features should have length equal to number of features "
                f"({estimator.n_features_in_}), got {names.shape[0] if names.ndim else 0}"
            )
    prefix = type(estimator).__name__.lower()
    return np.asarray([f"{prefix}{i}" for i in range(n_features_out)], dtype=object)


def check_fitted(estimator: Any, attribute: str) -> None:
    """Raise :data:`NotFittedError` unless ``fit`` has set ``attribute``."""
    if not hasattr(estimator, attribute):
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet. Call 'fit' with "
            "appropriate arguments before using this estimator."
        )


def check_X(
    estimator: Any,
    X: Any,
    *,
    reset: bool,
    unit_interval: bool = False,
    name: str = "X",
    accept_sparse: bool = False,
    feature_names: bool = False,
) -> Any:
    """X as a 2-D finite float array (float32 kept, anything else float64); never a copy
    the caller could see modified, and never written to.

    ``reset``: record ``n_features_in_`` (fit) or check against it (everything else).
    ``unit_interval``: values must lie in [0, 1] (Bernoulli visible units).
    ``accept_sparse``: a ``scipy.sparse`` X is returned as a CSR matrix of the same rules
    (converted from another format, a copy the size of its non-zeros; never densified);
    otherwise it is a TypeError.
    ``feature_names``: record or check ``feature_names_in_`` (:func:`check_feature_names`).
    The messages name ``name`` and contain the phrases scikit-learn's checks look for.
    """
    est = type(estimator).__name__
    if feature_names:
        check_feature_names(estimator, X, reset=reset)
    arr = _numeric_array(X, name, est, accept_sparse)
    _check_matrix_shape(arr, name)
    if arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    lo, hi = _value_range(arr)
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


def input_feature_names(X: Any) -> np.ndarray | None:
    """The column names of a data frame X (anything with ``columns``) when they are all
    strings, as an object array; None otherwise (scikit-learn's rule: names of mixed types
    with strings among them are a TypeError)."""
    columns = getattr(X, "columns", None)
    if columns is None or is_sparse(X) or isinstance(X, np.ndarray):
        return None
    names = np.asarray(list(columns), dtype=object)
    if names.size == 0:
        return None
    types = sorted({type(n).__qualname__ for n in names})
    if len(types) > 1 and "str" in types:
        raise TypeError(
            "Feature names are only supported if all input features have string names, but "
            f"your input has {types} as feature name / column name types. Convert them all "
            "to strings, e.g. X.columns = X.columns.astype(str)"
        )
    return names if types == ["str"] else None


def check_feature_names(estimator: Any, X: Any, *, reset: bool) -> None:
    """Record (``reset``) or check ``feature_names_in_``, as scikit-learn does.

    In ``fit`` the string column names of a data frame X become ``feature_names_in_`` (an
    attribute removed when X has none). Afterwards names that differ from them are a
    ValueError, and names on one side only a UserWarning.
    """
    names = input_feature_names(X)
    if reset:
        if names is not None:
            estimator.feature_names_in_ = names
        elif hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
        return
    fitted = getattr(estimator, "feature_names_in_", None)
    est = type(estimator).__name__
    if names is not None and fitted is None:
        warnings.warn(
            f"X has feature names, but {est} was fitted without feature names", stacklevel=3
        )
    elif names is None and fitted is not None:
        warnings.warn(
            f"X does not have valid feature names, but {est} was fitted with feature names",
            stacklevel=3,
        )
    elif names is not None and fitted is not None and not np.array_equal(names, fitted):
        raise ValueError(
            "The feature names should match those that were passed during fit: got "
            f"{names.tolist()}, fitted with {fitted.tolist()}"
        )


def _value_range(arr: Any) -> tuple[Any, Any]:
    """(min, max) of a dense or CSR array; NaN propagates into both: no X-sized temporary."""
    if not is_sparse(arr):
        return arr.min(), arr.max()
    values = arr.data
    if values.size == 0:
        return 0.0, 0.0
    lo, hi = values.min(), values.max()
    if values.size < arr.shape[0] * arr.shape[1]:  # implicit zeros
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    return lo, hi


def _numeric_array(X: Any, name: str, est: str, accept_sparse: bool = False) -> Any:
    """X as a real array of numbers, dense or (``accept_sparse``) CSR (not yet checked for
    shape)."""
    if X is None:
        raise TypeError(f"{name} must be an array of shape (n_samples, n_features), got None")
    if is_sparse(X) and accept_sparse:
        csr = X.tocsr()
        if np.issubdtype(csr.dtype, np.complexfloating):
            raise ValueError(
                f"{name} must be real-valued: Complex data not supported, got dtype {csr.dtype}"
            )
        if not (np.issubdtype(csr.dtype, np.number) or np.issubdtype(csr.dtype, np.bool_)):
            raise TypeError(f"{name} must be an array of numbers, got dtype {csr.dtype}")
        return csr
    if is_sparse(X):
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
    return as_numbers(arr, name)


def as_numbers(arr: np.ndarray, name: str) -> np.ndarray:
    """``arr`` if it holds numbers (or bools); an object array converted to float64."""
    if arr.dtype == object:
        try:
            return arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be an array of numbers: {exc}") from None
    if not (np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)):
        raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    return arr


def _check_matrix_shape(arr: Any, name: str) -> None:
    """A 2-D array with at least one row and one column."""
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
