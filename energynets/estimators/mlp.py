"""The scikit-learn fronts of the multilayer perceptron: a classifier and a regressor trained
by backpropagation (:func:`energynets.fit_mlp`)."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from typing import Any, ClassVar

import numpy as np

from energynets.estimators._backprop import (
    BACKPROP_CHECKS,
    BackpropParameters,
    SoftmaxClassifier,
    fit_mlp_options,
)
from energynets.estimators._base import (
    ClassifierMixin,
    Estimator,
    RegressorMixin,
    as_generator,
    check_fitted,
)
from energynets.estimators._params import (
    Boolean,
    Constraint,
    Integer,
    LayerSizes,
    OneOf,
    OpenFraction,
    check_params,
)
from energynets.estimators._targets import check_class_labels, check_targets
from energynets.learning.backprop import fit_mlp
from energynets.models.mlp import ACTIVATIONS, INITIALIZERS, MLP

__all__ = ["MLPClassifier", "MLPRegressor"]


@dataclass(eq=False, repr=False)
class _MLPEstimator(BackpropParameters, Estimator):
    """The MLP estimators' shared code and parameters; subclasses give the output and the
    targets."""

    hidden_layer_sizes: Any = (100,)
    activation: str = "relu"
    _: KW_ONLY  # then the training's parameters (BackpropParameters), then these
    early_stopping: bool = False
    validation_fraction: float = 0.1
    n_iter_no_change: int = 10
    init: str = "he"
    verbose: bool = False
    random_state: Any = None

    _parameter_checks: ClassVar[dict[str, Constraint]] = {
        "hidden_layer_sizes": LayerSizes(allow_empty=True),
        "activation": OneOf(tuple(ACTIVATIONS), aliases={"logistic": "sigmoid"}),
        "init": OneOf(tuple(INITIALIZERS)),
        **BACKPROP_CHECKS,
        "early_stopping": Boolean(),
        "validation_fraction": OpenFraction(),
        "n_iter_no_change": Integer(1),
    }

    def _fit_options(self, n_samples: int) -> dict[str, Any]:
        """The arguments of fit_mlp, checked under the estimator's names."""
        options = fit_mlp_options(self, n_samples)
        if check_params(self, ("early_stopping",))["early_stopping"]:
            p = check_params(self, ("validation_fraction", "n_iter_no_change"))
            options["validation_data"] = p["validation_fraction"]
            options["early_stopping"] = p["n_iter_no_change"]
        return options

    def _fit_network(self, X: np.ndarray, targets: np.ndarray, n_outputs: int, output: str) -> None:
        p = check_params(self, ("hidden_layer_sizes", "activation", "init"))
        options = self._fit_options(X.shape[0])
        gen = as_generator(self.random_state)
        sizes = [X.shape[1], *p["hidden_layer_sizes"], n_outputs]
        mlp = MLP(sizes, p["activation"], output, p["init"], rng=gen)
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


_MLP_REFERENCES = """\
    References
    ----------
    Rumelhart, D. E., Hinton, G. E. & Williams, R. J. (1986). Learning representations by
    back-propagating errors. Nature 323, 533-536.

    Srivastava, N., Hinton, G., Krizhevsky, A., Sutskever, I. & Salakhutdinov, R. (2014).
    Dropout: a simple way to prevent neural networks from overfitting. Journal of Machine
    Learning Research 15, 1929-1958."""


class MLPClassifier(ClassifierMixin, SoftmaxClassifier, _MLPEstimator):
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

{_MLP_REFERENCES}
    """

    def fit(self, X: Any, y: Any) -> MLPClassifier:
        """Train a fresh network on (X, y), with one softmax output per class of y.

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
        arr = self._check_X(X, reset=True)
        self.classes_, indices = check_class_labels(self, arr, y)
        self._fit_network(arr, indices, len(self.classes_), "softmax")
        return self


class MLPRegressor(RegressorMixin, _MLPEstimator):
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
    n_outputs_ : int
    mlp_, coefs_, intercepts_, history_, loss_curve_, n_iter_, n_features_in_
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

{_MLP_REFERENCES}
    """

    def fit(self, X: Any, y: Any) -> MLPRegressor:
        """Train a fresh network on (X, y): one linear output per column of y (one for 1-D y).

        Parameters
        ----------
        X
            As for :meth:`MLPClassifier.fit`.
        y : array_like, shape (n_samples,) or (n_samples, n_outputs)
            Finite targets.

        Returns
        -------
        self
        """
        arr = self._check_X(X, reset=True)
        targets = check_targets(self, arr, y)
        self.n_outputs_ = 1 if targets.ndim == 1 else targets.shape[1]
        self._fit_network(arr, targets, self.n_outputs_, "identity")
        return self

    def predict(self, X: Any) -> np.ndarray:
        """The outputs, shape (n_samples,) for one output, else (n_samples, n_outputs)."""
        check_fitted(self, "mlp_")
        z = self.mlp_.logits(self._check_X(X, reset=False))
        return z[:, 0] if self.n_outputs_ == 1 else z

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _more_tags(self) -> dict[str, Any]:  # scikit-learn < 1.6
        return {"multioutput": True}
