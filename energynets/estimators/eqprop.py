"""The scikit-learn front of equilibrium propagation: a classifier whose network relaxes to a
minimum of its energy and learns from a free and a nudged relaxation
(:class:`energynets.EnergyNetwork` trained by :func:`energynets.fit_eqprop`)."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass
from typing import Any, ClassVar

import numpy as np

from energynets._validation import check_float
from energynets.estimators._base import ClassifierMixin, Estimator, as_generator, check_fitted
from energynets.estimators._params import (
    Boolean,
    Constraint,
    Integer,
    LayerSizes,
    OneOf,
    Real,
    check_params,
)
from energynets.estimators._targets import check_class_labels
from energynets.learning.eqprop import RULES, fit_eqprop
from energynets.learning.eqprop_gradients import NUDGINGS
from energynets.learning.optim import OPTIMIZERS
from energynets.models.eqnet import OUTPUTS, EnergyNetwork

__all__ = ["EqPropClassifier"]


@dataclass(frozen=True)
class _LearningRates:
    """A real number > 0, or a sequence of them (one per layer of weights), as a tuple."""

    def check(self, value: Any, name: str) -> float | tuple[float, ...]:
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            return check_float(value, name, minimum=0.0, exclusive_minimum=True)
        if isinstance(value, str | bytes) or not isinstance(value, Sequence | np.ndarray):
            raise TypeError(
                f"{name} must be a real number or a sequence of them (one per layer of "
                f"weights), got {type(value).__name__} {value!r}"
            )
        return tuple(
            check_float(v, f"{name}[{i}]", minimum=0.0, exclusive_minimum=True)
            for i, v in enumerate(list(value))
        )


# the parameters passed on to fit_eqprop, in the order they are checked
_TRAINING_PARAMETERS = (
    "rule",
    "beta",
    "nudging",
    "n_free",
    "n_nudged",
    "dt",
    "solver",
    "learning_rate_init",
    "momentum",
    "max_iter",
    "batch_size",
    "verbose",
)


@dataclass(eq=False, repr=False)
class EqPropClassifier(ClassifierMixin, Estimator):
    """A layered energy network trained by equilibrium propagation.

    A front over :class:`energynets.EnergyNetwork`, the continuous Hopfield network in the
    form of Scellier & Bengio (2017), trained by :func:`energynets.fit_eqprop`. The input
    layer is clamped to a row of X and the hidden layers, states in [0, 1], relax to a minimum
    of the energy E(s) = 1/2 sum ||s_l||^2 - sum s_{l-1}^T W_l s_l - sum b_l^T s_l (the free
    phase); for each mini-batch a second, nudged relaxation of E + beta C pulls the output
    towards the label, and each weight moves by the difference of the Hebbian products
    s_{l-1}^T s_l between the two phases, divided by beta: a local rule whose update equals
    the gradient of the cost that backprop through time computes, as beta -> 0 (Ernoult
    et al. 2019). Names and defaults follow :class:`MLPClassifier` where they mean the same
    thing; the defaults of the relaxation and of the nudging are those of
    :func:`energynets.fit_eqprop`. Any labels (ints, strings) are allowed: ``classes_``
    holds them sorted, and the network has one output per class (two for a binary problem).

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int
        Units of each hidden layer, bottom first (at least one layer).
    output : {"softmax", "squared"}
        The cost C: the cross-entropy of a softmax read out from the last relaxed layer
        (Laborieux et al. 2021), or 1/2 ||s_L - y||^2 with the last relaxed layer itself as
        the one-hot output (Scellier & Bengio 2017).
    rule : {"ep", "chl", "bptt", "rbp"}
        How the gradient is estimated: equilibrium propagation; contrastive Hebbian learning
        (``output="squared"`` only); backprop through time through the free relaxation;
        recurrent backprop at the free fixed point (:func:`energynets.fit_eqprop`).
    beta : float > 0
        The nudging strength.
    nudging : {"random", "symmetric", "one-sided"}
        The nudged phase: a random sign of beta for each batch, +beta and -beta, or +beta.
    n_free, n_nudged : int >= 1
        Steps of the free phase (in training and in every prediction) and of each nudged
        phase.
    dt : float in (0, 1]
        The step of the relaxation; 1 is the prototypical setting of Ernoult et al. (2019).
    solver : {"sgd", "momentum", "nesterov", "adam"}
        The optimiser (:data:`energynets.learning.optim.OPTIMIZERS`).
    learning_rate_init : float > 0 or sequence of float
        One learning rate, or one per layer of weights (``len(hidden_layer_sizes) + 1``, the
        read-out included; e.g. larger for lower layers, as Scellier & Bengio use); a
        sequence of different rates needs a solver other than "adam".
    momentum : float in [0, 1]
        For the "momentum" and "nesterov" solvers.
    max_iter : int >= 1
        Epochs. Training always runs them all.
    batch_size : int >= 1
        Rows per mini-batch (at most the number of rows).
    verbose : bool
        Show a progress bar over the epochs.
    random_state : int, Generator, SeedSequence, RandomState or None
        Converted once in ``fit`` into the generator of the initial weights, then of the
        batch order and the signs of beta; None draws fresh entropy.

    Attributes
    ----------
    network_ : energynets.EnergyNetwork
        The trained network (its ``weights`` and ``biases``, bottom first, the read-out
        last).
    classes_ : ndarray, shape (n_classes,)
    history_ : dict of lists
        :func:`energynets.fit_eqprop`'s history (among others ``"relaxation_residual"``: a
        value far from 0 says that ``n_free`` is too small for the free phase to settle).
    loss_curve_ : list of float
        The mean cost of the free phase over each epoch's batches.
    n_iter_ : int
        Epochs run.
    n_features_in_ : int

    Notes
    -----
    The inputs are clamped as they are; like pixels, they work best scaled to [0, 1]. A
    prediction is a free phase of ``n_free`` steps from zero states, the same for each row
    whatever the rest of the batch. With ``output="squared"`` the output states are not
    probabilities: ``predict_proba`` divides them by their sum (uniform where all are 0).

    Examples
    --------
    >>> from energynets.datasets import load_digits
    >>> X, y = load_digits()
    >>> clf = EqPropClassifier((32,), max_iter=5, random_state=0).fit(X / 16, y)
    >>> clf.predict_proba(X[:3] / 16).shape, clf.score(X / 16, y) > 0.8
    ((3, 10), True)

    References
    ----------
    Scellier & Bengio (2017); Ernoult et al. (2019); Laborieux et al. (2021): full citations
    in :mod:`energynets.models.eqnet`.
    """

    hidden_layer_sizes: Any = (100,)
    _: KW_ONLY
    output: str = "softmax"
    rule: str = "ep"
    beta: float = 0.5
    nudging: str = "random"
    n_free: int = 30
    n_nudged: int = 10
    dt: float = 1.0
    solver: str = "sgd"
    learning_rate_init: Any = 0.05
    momentum: float = 0.9
    max_iter: int = 30
    batch_size: int = 32
    verbose: bool = False
    random_state: Any = None

    _parameter_checks: ClassVar[dict[str, Constraint]] = {
        "hidden_layer_sizes": LayerSizes(allow_empty=False),
        "output": OneOf(OUTPUTS),
        "rule": OneOf(RULES),
        "beta": Real(0.0, exclusive_minimum=True),
        "nudging": OneOf(NUDGINGS),
        "n_free": Integer(1),
        "n_nudged": Integer(1),
        "dt": Real(0.0, 1.0, exclusive_minimum=True),
        "solver": OneOf(OPTIMIZERS),
        "learning_rate_init": _LearningRates(),
        "momentum": Real(0.0, 1.0),
        "max_iter": Integer(1),
        "batch_size": Integer(1),
        "verbose": Boolean(),
    }

    def _fit_options(self, n_layers: int) -> dict[str, Any]:
        """The arguments of fit_eqprop, checked under the estimator's names."""
        p = check_params(self, _TRAINING_PARAMETERS)
        rates = p["learning_rate_init"]
        if isinstance(rates, tuple):
            if len(rates) != n_layers:
                raise ValueError(
                    f"learning_rate_init must be a number or one per layer of weights "
                    f"({n_layers}: the hidden layers and the output), got {len(rates)} values"
                )
            if p["solver"] == "adam" and len(set(rates)) > 1:
                raise ValueError(
                    "learning_rate_init with one rate per layer needs solver 'sgd', "
                    "'momentum' or 'nesterov' (Adam does not see the scale of a gradient)"
                )
            rates = list(rates)
        return {
            "rule": p["rule"],
            "beta": p["beta"],
            "nudging": p["nudging"],
            "n_free": p["n_free"],
            "n_nudged": p["n_nudged"],
            "dt": p["dt"],
            "optimizer": p["solver"],
            "learning_rate": rates,
            "momentum": p["momentum"],
            "n_epochs": p["max_iter"],
            "batch_size": p["batch_size"],
            "progress": p["verbose"],
        }

    def fit(self, X: Any, y: Any) -> EqPropClassifier:
        """Train a fresh network on X, shape (n_samples, n_features), and the class labels y,
        shape (n_samples,), at least two distinct ones (neither is modified); returns self."""
        p = check_params(self, ("hidden_layer_sizes", "output"))
        hidden = p["hidden_layer_sizes"]
        options = self._fit_options(len(hidden) + 1)
        arr = self._check_X(X, reset=True)
        self.classes_, indices = check_class_labels(self, arr, y)
        gen = as_generator(self.random_state)
        sizes = [arr.shape[1], *hidden, len(self.classes_)]
        network = EnergyNetwork(sizes, p["output"], rng=gen)
        self.network_, self.history_ = fit_eqprop(network, arr, indices, rng=gen, **options)
        self.n_iter_ = len(self.history_["epoch"])
        self.loss_curve_ = list(self.history_["loss"])
        return self

    def _output(self, X: Any) -> np.ndarray:
        """The network's output after the free phase, shape (n_samples, n_classes)."""
        check_fitted(self, "network_")
        arr = self._check_X(X, reset=False)
        p = check_params(self, ("n_free", "dt"))
        return self.network_.predict_proba(arr, p["n_free"], p["dt"])

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities after the free phase, shape (n_samples, n_classes): the softmax
        read-out, or for ``output="squared"`` the output states divided by their sum (uniform
        where all are 0)."""
        out = self._output(X)
        if self.network_.output == "softmax":
            return out
        total = out.sum(axis=1, keepdims=True)
        uniform = np.full_like(out, 1.0 / out.shape[1])
        return np.divide(out, total, out=uniform, where=total > 0)

    def predict(self, X: Any) -> np.ndarray:
        """The class of the largest output after the free phase, shape (n_samples,), from
        ``classes_``."""
        out = self._output(X)  # first: it raises NotFittedError before classes_ is read
        return self.classes_[np.argmax(out, axis=1)]
