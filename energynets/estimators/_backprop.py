"""What the estimators trained by backpropagation share: the parameters of the training, as
:func:`energynets.fit_mlp` takes them, and the predictions of a softmax classifier.

:class:`~energynets.estimators.MLPClassifier`, :class:`~energynets.estimators.MLPRegressor`
and the fine-tuning of :class:`~energynets.estimators.DBNClassifier` take the same
parameters under scikit-learn's names (``solver``, ``alpha``, ``learning_rate_init``,
``max_iter``, ...); :func:`fit_mlp_options` checks them and renames them for ``fit_mlp``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from energynets.estimators._base import Estimator, check_fitted
from energynets.estimators._params import (
    Boolean,
    Constraint,
    Either,
    Integer,
    OneOf,
    Real,
    check_params,
)
from energynets.learning.optim import OPTIMIZERS
from energynets.models.mlp import MLP, OUTPUTS

__all__ = [
    "BACKPROP_CHECKS",
    "BackpropParameters",
    "ConvergenceWarning",
    "SoftmaxClassifier",
    "fit_mlp_options",
    "log_softmax",
]

#: The training parameters, in the order they are checked. ``dropout`` and
#: ``input_dropout`` are not here: :func:`energynets.fit_mlp` checks them under the same names.
BACKPROP_CHECKS: dict[str, Constraint] = {
    "solver": OneOf(OPTIMIZERS),
    "learning_rate_init": Real(0.0, exclusive_minimum=True),
    "max_iter": Integer(1),
    "batch_size": Either(OneOf(("auto",)), Integer(1)),
    "momentum": Real(0.0, 1.0),
    "beta_1": Real(0.0, 1.0),
    "beta_2": Real(0.0, 1.0),
    "epsilon": Real(0.0, exclusive_minimum=True),
    "alpha": Real(0.0),
    "learning_rate": OneOf(("constant", "linear", "exponential"), or_callable=True),
    "verbose": Boolean(),
}


@dataclass(eq=False, repr=False, kw_only=True)
class BackpropParameters:
    """The parameters of the training, keyword-only, with scikit-learn's defaults."""

    solver: str = "adam"
    alpha: float = 0.0001
    dropout: float = 0.0
    input_dropout: float = 0.0
    batch_size: Any = "auto"
    learning_rate: Any = "constant"
    learning_rate_init: float = 0.001
    max_iter: int = 200
    momentum: float = 0.9
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8


def fit_mlp_options(estimator: Any, n_samples: int) -> dict[str, Any]:
    """The keyword arguments of :func:`energynets.fit_mlp` from ``estimator``'s parameters
    (:data:`BACKPROP_CHECKS`), checked; ``batch_size="auto"`` is min(200, n_samples), as in
    scikit-learn's MLPs."""
    p = check_params(estimator, BACKPROP_CHECKS)
    return {
        "optimizer": p["solver"],
        "learning_rate": p["learning_rate_init"],
        "n_epochs": p["max_iter"],
        "batch_size": min(200, n_samples) if p["batch_size"] == "auto" else p["batch_size"],
        "momentum": p["momentum"],
        "betas": (p["beta_1"], p["beta_2"]),
        "epsilon": p["epsilon"],
        "weight_decay": p["alpha"],
        "dropout": estimator.dropout,
        "input_dropout": estimator.input_dropout,
        "learning_rate_schedule": p["learning_rate"],
        "progress": p["verbose"],
    }


class SoftmaxClassifier(Estimator):
    """The predictions of a classifier whose fitted network ``mlp_`` ends in a softmax over
    the labels ``classes_``."""

    mlp_: MLP
    classes_: np.ndarray

    def _logits(self, X: Any) -> np.ndarray:
        check_fitted(self, "mlp_")
        return self.mlp_.logits(self._check_X(X, reset=False))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, softmax of the output layer, shape (n_samples, n_classes)."""
        return OUTPUTS["softmax"].function(self._logits(X))  # as MLP.predict_proba

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log class probabilities z - logsumexp(z), shape (n_samples, n_classes)."""
        return log_softmax(self._logits(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row, shape (n_samples,), from ``classes_``."""
        z = self._logits(X)  # first: it raises NotFittedError before classes_ is read
        return self.classes_[np.argmax(z, axis=1)]


def log_softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise log softmax z - logsumexp(z), exact for any finite logits."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


try:  # scikit-learn is optional
    from sklearn.exceptions import ConvergenceWarning
except ImportError:  # pragma: no cover - exercised by the test without scikit-learn

    class ConvergenceWarning(UserWarning):  # type: ignore[no-redef]
        """Training stopped at its limit of iterations before the stopping rule fired
        (scikit-learn's class when it is installed)."""
