"""The scikit-learn fronts of the multilayer perceptron: a classifier and a regressor with the
parameters, attributes and methods of :class:`sklearn.neural_network.MLPClassifier` and
:class:`~sklearn.neural_network.MLPRegressor` (scikit-learn 1.9), trained by the in-place
kernel of :func:`energynets.fit_mlp` (:mod:`energynets.learning.mlp_sgd`) or by L-BFGS
(:mod:`energynets.learning.lbfgs`)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from energynets.estimators._backprop import ConvergenceWarning, log_softmax
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
    Either,
    Integer,
    IntegerOrInf,
    LayerSizes,
    OneOf,
    OpenFraction,
    Real,
    check_params,
)
from energynets.estimators._targets import (
    check_label_array,
    check_multilabel,
    check_sample_weight,
    check_targets,
    is_multilabel,
    validation_split,
)
from energynets.learning.lbfgs import FlatObjective, fit_lbfgs
from energynets.learning.mlp_sgd import SCHEDULES, SOLVERS, Progress, SGDSettings, StochasticSolver
from energynets.models.mlp import ACTIVATIONS, INITIALIZERS, MLP, OUTPUTS

__all__ = ["MLPClassifier", "MLPRegressor"]

#: scikit-learn's names of the output functions (``out_activation_``).
_OUT_NAMES = {"softmax": "softmax", "sigmoid": "logistic", "identity": "identity", "exp": "exp"}


class _StochasticOnly:
    """``partial_fit``, present only when the solver is stochastic (not "lbfgs"), as
    scikit-learn's ``available_if`` makes it."""

    def __init__(self, method: Any) -> None:
        self.method = method
        self.__doc__ = method.__doc__

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self.method
        if obj.solver == "lbfgs":
            raise AttributeError(
                f"partial_fit is only available for stochastic optimizers. {obj.solver} is not "
                "stochastic."
            )
        return self.method.__get__(obj, owner)


@dataclass(eq=False, repr=False, kw_only=True)
class _MLPParameters:
    """scikit-learn's keyword-only parameters, then energynets' extras."""

    solver: str = "adam"
    alpha: float = 0.0001
    batch_size: Any = "auto"
    learning_rate: Any = "constant"
    learning_rate_init: float = 0.001
    power_t: float = 0.5
    max_iter: int = 200
    shuffle: bool = True
    random_state: Any = None
    tol: float = 1e-4
    verbose: bool = False
    warm_start: bool = False
    momentum: float = 0.9
    nesterovs_momentum: bool = True
    early_stopping: bool = False
    validation_fraction: float = 0.1
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8
    n_iter_no_change: Any = 10
    max_fun: int = 15000
    dropout: float = 0.0
    input_dropout: float = 0.0
    init: str = "he"


_CHECKS: dict[str, Constraint] = {
    "hidden_layer_sizes": LayerSizes(allow_empty=True),
    "activation": OneOf(tuple(ACTIVATIONS), aliases={"logistic": "sigmoid"}),
    "solver": OneOf(("lbfgs", *SOLVERS)),
    "alpha": Real(0.0),
    "batch_size": Either(OneOf(("auto",)), Integer(1)),
    "learning_rate": OneOf(SCHEDULES, or_callable=True),
    "learning_rate_init": Real(0.0, exclusive_minimum=True),
    "power_t": Real(0.0),
    "max_iter": Integer(1),
    "shuffle": Boolean(),
    "tol": Real(0.0),
    "verbose": Boolean(),
    "warm_start": Boolean(),
    "momentum": Real(0.0, 1.0),
    "nesterovs_momentum": Boolean(),
    "early_stopping": Boolean(),
    "validation_fraction": OpenFraction(),
    "beta_1": Real(0.0, 1.0),
    "beta_2": Real(0.0, 1.0),
    "epsilon": Real(0.0, exclusive_minimum=True),
    "n_iter_no_change": IntegerOrInf(1),
    "max_fun": Integer(1),
    "dropout": Real(0.0, 1.0),
    "input_dropout": Real(0.0, 1.0),
    "init": OneOf(tuple(INITIALIZERS)),
}


class _MLPEstimator(_MLPParameters, Estimator):
    """The MLP estimators' shared training; subclasses give the targets and the score."""

    hidden_layer_sizes: Any
    activation: str
    _parameter_checks: ClassVar[dict[str, Constraint]] = _CHECKS
    _accept_sparse = True  # the first layer's products are sparse ones (SparseKernel)
    coefs_: list[np.ndarray]
    intercepts_: list[np.ndarray]

    # -- what a subclass gives ----------------------------------------------------------------
    def _prepare_targets(
        self, X: np.ndarray, y: Any, first_pass: bool, incremental: bool
    ) -> tuple[np.ndarray, np.ndarray, str]:
        """(targets (n, n_outputs) float64, softmax labels or empty, output name)."""
        raise NotImplementedError

    def _strata(self, labels: np.ndarray, targets: np.ndarray) -> np.ndarray | None:
        return None

    def _loss_divisor(self, n_outputs: int) -> float:
        return 1.0

    # -- the network ----------------------------------------------------------------------------
    @property
    def mlp_(self) -> MLP:
        """The network as an :class:`energynets.MLP` sharing the arrays of ``coefs_`` and
        ``intercepts_``."""
        check_fitted(self, "coefs_")
        output = {v: k for k, v in _OUT_NAMES.items()}[self.out_activation_]
        activation = _CHECKS["activation"].check(self.activation, "activation")
        net = self.__dict__.get("_network")  # the network fit left, while it is still current
        if (
            net is None
            or (net.activation, net.output) != (activation, output)
            or not _same_arrays(net.weights, self.coefs_)
            or not _same_arrays(net.biases, self.intercepts_)
        ):
            net = MLP.from_params(
                self.coefs_, self.intercepts_, activation=activation, output=output
            )
            net.weights, net.biases = list(self.coefs_), list(self.intercepts_)
        return net

    def _loss_grad_lbfgs(
        self, packed: np.ndarray, X: Any, Y: Any, sample_weight: Any, *buffers: Any
    ) -> tuple[float, np.ndarray]:
        """scikit-learn's private L-BFGS objective, kept for its tests: the penalised mean
        loss at the flat parameters ``packed`` (weights, then biases) on (X, Y), Y the 0/1
        target matrix of the outputs, and its gradient."""
        net = self.mlp_.astype(np.float64)
        X = net.check_input(X)  # float64; a scipy.sparse X as CSR
        T = np.asarray(Y, dtype=np.float64).reshape(X.shape[0], -1)
        labels = np.argmax(T, axis=1) if net.output == "softmax" else np.empty(0, np.int64)
        sw = check_sample_weight(sample_weight, T.shape[0])
        alpha = check_params(self, ("alpha",))["alpha"]
        objective = FlatObjective(
            net, X, T, labels, alpha,
            self._loss_divisor(T.shape[1]), sw,
        )  # fmt: skip
        return objective(np.asarray(packed, dtype=np.float64))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _logits(self, X: Any) -> np.ndarray:
        check_fitted(self, "coefs_")
        return self.mlp_.logits(self._check_X(X, reset=False))

    # -- training ---------------------------------------------------------------------------
    def _fit(self, X: Any, y: Any, sample_weight: Any, incremental: bool) -> Any:
        p = check_params(self)
        first_pass = not hasattr(self, "coefs_") or (not p["warm_start"] and not incremental)
        arr = self._check_X(X, reset=first_pass)
        targets, labels, output = self._prepare_targets(arr, y, first_pass, incremental)
        sw = check_sample_weight(sample_weight, arr.shape[0])
        gen = as_generator(self.random_state)
        dtype = arr.dtype if first_pass else self.coefs_[0].dtype
        if first_pass:
            self._initialize(arr.shape[1], p, targets.shape[1], output, dtype, gen)
        net = self.mlp_.astype(dtype)
        targets = targets.astype(dtype)
        if p["solver"] == "lbfgs":
            self._fit_lbfgs(net, arr, targets, labels, p, sw)
        else:
            self._fit_stochastic(net, arr, (targets, labels, sw), p, gen, incremental)
        self.coefs_, self.intercepts_ = net.weights, net.biases
        self._network = net  # what mlp_ returns while coefs_ and intercepts_ are these arrays
        if not all(np.all(np.isfinite(a)) for a in self.coefs_ + self.intercepts_):
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may contain "
                "large values and need to be preprocessed."
            )
        return self

    def _initialize(
        self,
        n_features: int,
        p: dict[str, Any],
        n_outputs: int,
        output: str,
        dtype: Any,
        gen: np.random.Generator,
    ) -> None:
        """scikit-learn's ``_initialize``: a fresh network and fresh records."""
        sizes = [n_features, *p["hidden_layer_sizes"], n_outputs]
        net = MLP(sizes, p["activation"], output, p["init"], rng=gen, dtype=dtype)
        self.coefs_, self.intercepts_ = net.weights, net.biases
        self.n_layers_ = len(sizes)
        self.n_outputs_ = n_outputs
        self.out_activation_ = _OUT_NAMES[output]
        self.n_iter_, self.t_ = 0, 0
        for name in ("_optimizer", "_best_params", "_network"):
            self.__dict__.pop(name, None)
        if p["solver"] != "lbfgs":
            self.loss_curve_: list[float] = []
            self._no_improvement_count = 0
            start = Progress.start(p["early_stopping"])
            self.best_loss_ = start.best_loss
            self.validation_scores_ = start.validation_scores
            self.best_validation_score_ = start.best_validation_score

    def _fit_lbfgs(
        self,
        net: MLP,
        X: np.ndarray,
        targets: np.ndarray,
        labels: np.ndarray,
        p: dict[str, Any],
        sw: np.ndarray | None,
    ) -> None:
        if p["dropout"] > 0 or p["input_dropout"] > 0:
            raise ValueError("dropout and input_dropout need a stochastic solver, not 'lbfgs'")
        objective = FlatObjective(
            net, X, targets, labels, p["alpha"], self._loss_divisor(targets.shape[1]), sw
        )
        result = fit_lbfgs(objective, max_iter=p["max_iter"], max_fun=p["max_fun"], tol=p["tol"])
        self.n_iter_ = min(int(result.nit), p["max_iter"])
        self.loss_ = float(result.fun)
        if result.status != 0:
            message = result.message
            message = message.decode() if isinstance(message, bytes) else message
            warnings.warn(
                f"lbfgs failed to converge after {self.n_iter_} iteration(s) "
                f"(status={result.status}): {message}. Increase the number of iterations "
                f"(max_iter={p['max_iter']}) or of loss evaluations (max_fun={p['max_fun']}), "
                "or scale the data.",
                ConvergenceWarning,
                stacklevel=4,
            )

    def _fit_stochastic(
        self,
        net: MLP,
        X: np.ndarray,
        data: tuple[np.ndarray, np.ndarray, np.ndarray | None],
        p: dict[str, Any],
        gen: np.random.Generator,
        incremental: bool,
    ) -> None:
        targets, labels, sw = data
        if p["early_stopping"] and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        score = None
        rows = None
        if p["early_stopping"]:
            train, valid = validation_split(
                X.shape[0], p["validation_fraction"], gen, self._strata(labels, targets)
            )
            X_valid, t_valid = X[valid], targets[valid]
            w_valid = None if sw is None else sw[valid]

            def score(model: MLP) -> float:
                return _score_outputs(model.logits(X_valid), t_valid, w_valid, model.output)

            rows = train
        X_train = X if rows is None else X[rows]
        data_train = [a if rows is None or a.size == 0 else a[rows] for a in (targets, labels)]
        sw_train = sw if sw is None or rows is None else sw[rows]
        settings = self._sgd_settings(p, X_train.shape[0], targets.shape[1])
        solver = getattr(self, "_optimizer", None)
        if solver is None or not incremental:
            solver = StochasticSolver(settings)
        solver.settings = settings
        self._optimizer = solver
        progress = Progress.start(p["early_stopping"])
        for name in ("t", "loss_curve", "best_loss", "validation_scores", "best_validation_score"):
            value = getattr(self, name + "_", None)  # None: set by a fit of another kind
            if value is not None:
                setattr(progress, name, value)
        progress.no_improvement_count = getattr(self, "_no_improvement_count", 0)
        progress.best_params = getattr(self, "_best_params", None)
        solver.run(
            net, X_train, data_train[0], data_train[1], progress, rng=gen,
            incremental=incremental, score=score, sample_weight=sw_train,
        )  # fmt: skip
        self.n_iter_, self.t_ = progress.n_iter, progress.t
        self.loss_curve_, self.best_loss_ = progress.loss_curve, progress.best_loss
        self._no_improvement_count = progress.no_improvement_count
        self.validation_scores_ = progress.validation_scores
        self.best_validation_score_ = progress.best_validation_score
        self._best_params = progress.best_params
        self.loss_ = self.loss_curve_[-1]
        if not incremental and not solver.stopped and self.n_iter_ == p["max_iter"]:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({p['max_iter']}) reached and the "
                "optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=4,
            )

    def _sgd_settings(self, p: dict[str, Any], n: int, n_outputs: int) -> SGDSettings:
        if p["batch_size"] == "auto":
            batch = min(200, n)
        else:
            if p["batch_size"] > n:
                warnings.warn(
                    "Got `batch_size` less than 1 or larger than sample size. It is going to "
                    f"be clipped (batch_size={p['batch_size']}, {n} rows).",
                    stacklevel=5,
                )
            batch = min(p["batch_size"], n)
        return SGDSettings(
            p["solver"], p["learning_rate_init"], p["learning_rate"], p["power_t"],
            p["momentum"], p["nesterovs_momentum"], (p["beta_1"], p["beta_2"]), p["epsilon"],
            p["alpha"], p["tol"], p["n_iter_no_change"], batch, p["shuffle"], p["dropout"],
            p["input_dropout"], p["max_iter"], self._loss_divisor(n_outputs), p["verbose"],
        )  # fmt: skip


def _score_outputs(z: np.ndarray, t: np.ndarray, w: np.ndarray | None, output: str) -> float:
    """The validation score of scikit-learn's MLPs: accuracy (every label right, for
    multilabel) or R^2 averaged over the outputs; NaN when an output is not finite."""
    if not np.all(np.isfinite(z)):
        return float("nan")
    if output == "softmax":
        right = np.argmax(z, axis=1) == np.argmax(t, axis=1)
    elif output == "sigmoid":
        right = np.all((z > 0) == (t > 0.5), axis=1)
    else:
        z = OUTPUTS[output].function(z)
        weights = np.ones(z.shape[0]) if w is None else w
        mean = np.average(t, axis=0, weights=weights)
        total = np.average((t - mean) ** 2, axis=0, weights=weights)
        resid = np.average((t - z) ** 2, axis=0, weights=weights)
        safe = np.where(total > 0, total, 1.0)
        r2 = np.where(total > 0, 1.0 - resid / safe, np.where(resid == 0, 1.0, 0.0))
        return float(np.mean(r2))
    return float(np.average(right, weights=w))


_MLP_PARAMETERS = """\
    hidden_layer_sizes : int or sequence of int
        Units of each hidden layer (an empty tuple: no hidden layer).
    activation : {"relu", "tanh", "logistic" (or "sigmoid"), "identity", "leaky_relu"}
        The hidden activation (:data:`energynets.models.mlp.ACTIVATIONS`).
    solver : {"adam", "sgd", "lbfgs", "momentum", "nesterov"}
        "adam" (Kingma & Ba 2015, epsilon added to sqrt(v) before the bias correction, as in
        scikit-learn); "sgd", momentum SGD with scikit-learn's meaning (``momentum``, with
        Nesterov's momentum when ``nesterovs_momentum``; plain SGD with ``momentum=0``);
        "lbfgs", full-batch L-BFGS-B through :func:`scipy.optimize.minimize`
        (:mod:`energynets.learning.lbfgs`); energynets' "momentum" and "nesterov" (PyTorch's
        convention, :class:`energynets.learning.optim.Momentum`).
    alpha : float >= 0
        The L2 term alpha / (2 b) ||W||^2 added to the mean loss of each batch of b rows (n for
        "lbfgs"; the sum of the sample weights with ``sample_weight``), biases excluded.
    batch_size : int >= 1 or "auto"
        Rows per mini-batch; "auto" is min(200, n_samples); larger than n_samples: clipped,
        with a warning.
    learning_rate : {"constant", "invscaling", "adaptive", "linear", "exponential"} or callable
        "constant"; "invscaling", learning_rate_init / (t + 1)^power_t after each epoch, t the
        rows seen so far; "adaptive", divided by 5 whenever the stopping rule fires, until it is
        at most 1e-6 (these two for "sgd", "momentum" and "nesterov"; "adam" keeps its rate).
        Not in scikit-learn: the factors of
        :func:`energynets.learning.optim.learning_rate_schedule` over the epochs of each call.
    learning_rate_init : float > 0
    power_t : float >= 0
    max_iter : int >= 1
        Epochs (L-BFGS iterations for "lbfgs").
    shuffle : bool
        Visit the rows in a fresh random order each epoch.
    random_state : int, Generator, SeedSequence, RandomState or None
        Converted once in each ``fit`` or ``partial_fit`` into the generator of the initial
        weights, the validation split, the batch order and the dropout masks.
    tol : float >= 0
        The stopping rule: an epoch whose training loss is not below the best one minus
        ``tol`` (with early stopping: whose validation score is not above the best one plus
        ``tol``) counts as no improvement, and after more than ``n_iter_no_change`` of them in
        a row training stops (or the adaptive rate drops). For "lbfgs", scipy's ``gtol``.
    verbose : bool
        Print the loss of each epoch.
    warm_start : bool
        Start ``fit`` from the last fitted network (same classes), continuing ``t_``,
        ``loss_curve_`` and the stopping rule's records.
    momentum : float in [0, 1]
    nesterovs_momentum : bool
    early_stopping : bool
        Hold out ``validation_fraction`` of the rows (stratified by class for the classifier,
        except multilabel) and stop on the validation score, returning the network of the
        best score.
    validation_fraction : float in (0, 1)
    beta_1, beta_2 : float in [0, 1)
        Adam's decay rates.
    epsilon : float > 0
        Adam's offset.
    n_iter_no_change : int >= 1 or numpy.inf
    max_fun : int >= 1
        L-BFGS's limit on loss evaluations.
    dropout : float in [0, 1)
        Not in scikit-learn: the probability of dropping each hidden unit in each training
        example (inverted dropout, Srivastava et al. 2014; stochastic solvers only).
    input_dropout : float in [0, 1)
        The same for the inputs (for sparse X, its stored entries: a dropped zero is zero).
    init : {"he", "xavier_uniform", "xavier_normal", "lecun", "normal", "constant"}
        Not in scikit-learn: the weight initialisation
        (:data:`energynets.models.mlp.INITIALIZERS`); biases start at zero."""

_MLP_ATTRIBUTES = """\
    coefs_, intercepts_ : lists of ndarray
        ``coefs_[l]`` of shape (layer_sizes[l], layer_sizes[l + 1]) and ``intercepts_[l]`` of
        shape (layer_sizes[l + 1],), in the dtype of X (float32 kept).
    mlp_ : energynets.MLP
        The network, sharing the arrays of ``coefs_`` and ``intercepts_``.
    loss_ : float
        The last loss (of the last epoch, penalty included).
    loss_curve_ : list of float
        The loss of each epoch (stochastic solvers).
    best_loss_ : float or None
        The lowest of ``loss_curve_`` (None with early stopping).
    validation_scores_ : list of float or None
        The validation score of each epoch with early stopping, else None.
    best_validation_score_ : float or None
    t_ : int
        Training rows seen by the stochastic solvers.
    n_iter_ : int
        Epochs (or L-BFGS iterations) of the last call.
    n_layers_ : int
    n_outputs_ : int
    out_activation_ : str
        "softmax", "logistic", "identity" or "exp".
    n_features_in_ : int"""

_MLP_REFERENCES = """\
    References
    ----------
    Rumelhart, D. E., Hinton, G. E. & Williams, R. J. (1986). Learning representations by
    back-propagating errors. Nature 323, 533-536.

    Kingma, D. P. & Ba, J. (2015). Adam: a method for stochastic optimization. ICLR 2015.

    Byrd, R. H., Lu, P., Nocedal, J. & Zhu, C. (1995). A limited memory algorithm for bound
    constrained optimization. SIAM Journal on Scientific Computing 16, 1190-1208.

    Srivastava, N., Hinton, G., Krizhevsky, A., Sutskever, I. & Salakhutdinov, R. (2014).
    Dropout: a simple way to prevent neural networks from overfitting. Journal of Machine
    Learning Research 15, 1929-1958."""


@dataclass(eq=False, repr=False)
class MLPClassifier(ClassifierMixin, _MLPEstimator):
    __doc__ = f"""A multilayer perceptron classifier, a drop-in for scikit-learn's.

    Multiclass targets get a softmax output with the cross-entropy; binary targets one
    logistic output; multilabel targets (y of shape (n_samples, n_labels) of 0/1) one
    logistic output per label, each with the binary cross-entropy, as in
    :class:`sklearn.neural_network.MLPClassifier`. Any labels (ints, strings) are allowed:
    ``classes_`` holds them sorted. X may be a ``scipy.sparse`` matrix (kept sparse: the
    first layer's products are sparse ones).

    Parameters
    ----------
{_MLP_PARAMETERS}

    Attributes
    ----------
    classes_ : ndarray, shape (n_classes,)
{_MLP_ATTRIBUTES}

    Examples
    --------
    >>> from energynets.datasets import load_digits
    >>> X, y = load_digits()
    >>> clf = MLPClassifier((32,), batch_size=32, max_iter=10, random_state=0)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", ConvergenceWarning)  # 10 epochs: not converged
    ...     clf = clf.fit(X / 16, y)
    >>> clf.predict_proba(X[:3] / 16).shape, clf.score(X / 16, y) > 0.8
    ((3, 10), True)

{_MLP_REFERENCES}
    """

    #: The loss, as scikit-learn's classifier names it (not a parameter).
    loss: ClassVar[str] = "log_loss"
    hidden_layer_sizes: Any = (100,)
    activation: str = "relu"

    def _prepare_targets(
        self, X: np.ndarray, y: Any, first_pass: bool, incremental: bool
    ) -> tuple[np.ndarray, np.ndarray, str]:
        if is_multilabel(y):
            Y = check_multilabel(self, X, y)
            if not hasattr(self, "classes_") or first_pass:
                self.classes_ = np.arange(Y.shape[1])
            elif Y.shape[1] != self.classes_.shape[0]:
                raise ValueError(
                    f"y must have {self.classes_.shape[0]} label columns as in the previous "
                    f"call, got {Y.shape[1]}"
                )
            self._multilabel = True
            return Y.astype(np.float64), np.empty(0, dtype=np.int64), "sigmoid"
        arr = check_label_array(self, X, y)
        self._multilabel = False
        found = np.unique(arr)
        if not hasattr(self, "classes_") or (first_pass and not incremental):
            self.classes_ = found  # one class: one logistic output trained towards 0
        elif self.warm_start and not incremental:
            if set(found.tolist()) != set(self.classes_.tolist()):
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as in the "
                    f"previous call to fit. Previously got {self.classes_}, `y` has {found}"
                )
        elif np.setdiff1d(found, self.classes_).shape[0]:
            raise ValueError(
                f"`y` has classes not in `self.classes_`. `self.classes_` has {self.classes_}. "
                f"'y' has {found}."
            )
        indices = np.searchsorted(self.classes_, arr).astype(np.int64)
        k = self.classes_.shape[0]
        if k <= 2:
            return (indices == 1).astype(np.float64)[:, None], np.empty(0, np.int64), "sigmoid"
        return np.eye(k)[indices], indices, "softmax"

    def _strata(self, labels: np.ndarray, targets: np.ndarray) -> np.ndarray | None:
        if getattr(self, "_multilabel", False):
            return None
        if targets.shape[1] == 1:
            return (targets[:, 0] > 0.5).astype(np.int64)
        return labels

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPClassifier:
        """Train the network on (X, y) (a fresh one unless ``warm_start``).

        Parameters
        ----------
        X : array_like or scipy.sparse matrix, shape (n_samples, n_features)
            Not modified; a sparse X is never densified.
        y : array_like, shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a 0/1 label-indicator matrix.
        sample_weight : array_like, shape (n_samples,), optional
            Weights of the rows in the loss (and in the validation score).

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @_StochasticOnly
    def partial_fit(
        self, X: Any, y: Any, sample_weight: Any = None, classes: Any = None
    ) -> MLPClassifier:
        """One epoch over (X, y), from the current network (a fresh one on the first call).

        Parameters
        ----------
        X, y, sample_weight
            As for :meth:`fit`; y may hold only some of the classes.
        classes : array_like, optional
            Every class of all calls; required on the first call (not for multilabel y),
            and the same if given again.

        Returns
        -------
        self
        """
        self._check_partial_fit_classes(y, classes)
        return self._fit(X, y, sample_weight, incremental=True)

    def _check_partial_fit_classes(self, y: Any, classes: Any) -> None:
        if classes is None:
            if not hasattr(self, "classes_") and not is_multilabel(y):
                raise ValueError("classes must be passed on the first call to partial_fit.")
            return
        given = np.unique(np.asarray(classes))
        if hasattr(self, "classes_"):
            if not np.array_equal(given, self.classes_):
                raise ValueError(
                    f"`classes={given}` is not the same as on last call to partial_fit, was: "
                    f"{self.classes_}"
                )
            return
        if given.shape[0] < 2 and not is_multilabel(y):
            raise ValueError(f"classes must hold at least 2 classes, got {given}")
        if not is_multilabel(y):
            self.classes_ = given

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes) (n_labels for multilabel)."""
        z = self._logits(X)
        if self.out_activation_ == "softmax":
            return OUTPUTS["softmax"].function(z)  # as MLP.predict_proba
        p = np.exp(-np.logaddexp(0.0, -z))
        return np.hstack([1.0 - p, p]) if z.shape[1] == 1 else p

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log class probabilities, ``log(predict_proba(X))`` (the exact log softmax for a
        softmax output)."""
        check_fitted(self, "coefs_")
        if self.out_activation_ == "softmax":
            return log_softmax(self._logits(X))
        with np.errstate(divide="ignore"):  # log(proba), as scikit-learn: ties stay ties
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row, from ``classes_`` (for multilabel, the 0/1
        matrix of the labels whose probability is above 1/2)."""
        z = self._logits(X)
        if self.out_activation_ == "softmax":
            return self.classes_[np.argmax(z, axis=1)]
        if z.shape[1] == 1:  # binary, or the one class seen in training (as scikit-learn)
            return self.classes_[np.minimum(z[:, 0] > 0, self.classes_.shape[0] - 1)]
        return (z > 0).astype(np.int64)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


@dataclass(eq=False, repr=False)
class MLPRegressor(RegressorMixin, _MLPEstimator):
    __doc__ = f"""A multilayer perceptron regressor, a drop-in for scikit-learn's.

    An identity output with the squared error (the mean over the rows and the outputs of
    1/2 (z - y)^2, as :class:`sklearn.neural_network.MLPRegressor` reports it), or an
    exponential output with half the Poisson deviance. Several outputs are allowed (y of
    shape (n_samples, n_outputs)). X may be a ``scipy.sparse`` matrix (kept sparse: the
    first layer's products are sparse ones).

    Parameters
    ----------
    loss : {{"squared_error", "poisson"}}
        "squared_error"; "poisson", half the Poisson deviance
        y log(y / mu) - y + mu with the log link mu = exp(z) (``out_activation_`` "exp"),
        for targets y >= 0.
{_MLP_PARAMETERS}

    Attributes
    ----------
{_MLP_ATTRIBUTES}

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 3))
    >>> y = X @ [1.0, -2.0, 0.5]
    >>> reg = MLPRegressor(hidden_layer_sizes=(16,), solver="lbfgs", random_state=0)
    >>> reg = reg.fit(X, y)
    >>> reg.predict(X).shape, reg.score(X, y) > 0.9
    ((200,), True)

{_MLP_REFERENCES}
    """

    loss: str = "squared_error"
    hidden_layer_sizes: Any = (100,)
    activation: str = "relu"

    _parameter_checks: ClassVar[dict[str, Constraint]] = {
        "loss": OneOf(("squared_error", "poisson")),
        **_CHECKS,
    }

    def _prepare_targets(
        self, X: np.ndarray, y: Any, first_pass: bool, incremental: bool
    ) -> tuple[np.ndarray, np.ndarray, str]:
        targets = check_targets(self, X, y)
        poisson = check_params(self, ("loss",))["loss"] == "poisson"
        if poisson and np.any(targets < 0):
            raise ValueError("y must be >= 0 for loss='poisson' (counts or rates)")
        t = targets[:, None] if targets.ndim == 1 else targets
        if not first_pass and t.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y must have {self.n_outputs_} outputs as in the previous call, got {t.shape[1]}"
            )
        return t, np.empty(0, dtype=np.int64), "exp" if poisson else "identity"

    def _loss_divisor(self, n_outputs: int) -> float:
        # scikit-learn averages the squared error over the outputs, sums the deviance
        return float(n_outputs) if self.loss == "squared_error" else 1.0

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """Train the network on (X, y) (a fresh one unless ``warm_start``).

        Parameters
        ----------
        X : array_like or scipy.sparse matrix, shape (n_samples, n_features)
            Not modified; a sparse X is never densified.
        y : array_like, shape (n_samples,) or (n_samples, n_outputs)
            Finite targets.
        sample_weight : array_like, shape (n_samples,), optional
            Weights of the rows in the loss (and in the validation score).

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @_StochasticOnly
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """One epoch over (X, y), from the current network (a fresh one on the first call).

        Parameters
        ----------
        X, y, sample_weight
            As for :meth:`fit`.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X: Any) -> np.ndarray:
        """The outputs, shape (n_samples,) for one output, else (n_samples, n_outputs):
        exp(z) for the Poisson loss."""
        z = self._logits(X)
        if self.out_activation_ == "exp":
            z = np.exp(z)
        return z[:, 0] if z.shape[1] == 1 else z

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _more_tags(self) -> dict[str, Any]:  # scikit-learn < 1.6
        return {"multioutput": True}


def _same_arrays(held: list[np.ndarray], current: Any) -> bool:
    """Whether ``current`` is a list of the very arrays in ``held`` (not copies, not others)."""
    return (
        isinstance(current, list)
        and len(held) == len(current)
        and all(a is b for a, b in zip(held, current, strict=True))
    )
