"""The scikit-learn front of the deep belief network: RBMs pretrained greedily, then
fine-tuned as one network by backpropagation."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from typing import Any, ClassVar

from energynets.estimators._backprop import (
    BACKPROP_CHECKS,
    BackpropParameters,
    SoftmaxClassifier,
    fit_mlp_options,
)
from energynets.estimators._base import ClassifierMixin, UnitIntervalInput, as_generator
from energynets.estimators._params import (
    Constraint,
    Integer,
    LayerSizes,
    OneOf,
    Real,
    check_params,
)
from energynets.estimators._targets import check_class_labels
from energynets.learning.backprop import fit_mlp
from energynets.learning.dbn import DBN_METHODS, fit_dbn

__all__ = ["DBNClassifier"]

# the parameters of the pretraining, with the layer sizes, in the order they are checked
_PRETRAIN_PARAMETERS = (
    "hidden_layer_sizes",
    "pretrain_method",
    "pretrain_k",
    "pretrain_n_iter",
    "pretrain_learning_rate",
    "pretrain_batch_size",
)


@dataclass(eq=False, repr=False, kw_only=True)
class _PretrainingParameters:
    """The parameters of the greedy pretraining, keyword-only."""

    pretrain_method: str = "cd"
    pretrain_k: int = 1
    pretrain_n_iter: int = 10
    pretrain_learning_rate: float = 0.1
    pretrain_batch_size: int = 10


# the parameters come in the order of the reversed bases: the pretraining's, then the
# fine-tuning's (BackpropParameters), then the class's own
@dataclass(eq=False, repr=False)
class DBNClassifier(
    UnitIntervalInput,
    ClassifierMixin,
    SoftmaxClassifier,
    BackpropParameters,
    _PretrainingParameters,
):
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
    solver : {"adam", "sgd", "momentum", "nesterov"}
        The fine-tuning's optimiser, one of :func:`energynets.fit_mlp`'s. Unlike
        :class:`MLPClassifier` (and scikit-learn), "sgd" is plain SGD here; "nesterov" with
        ``momentum=0.9`` is what MLPClassifier's "sgd" does with its defaults.
    alpha, dropout, input_dropout, batch_size, learning_rate, learning_rate_init, max_iter,
    momentum, beta_1, beta_2, epsilon
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

    hidden_layer_sizes: Any = (256,)
    _: KW_ONLY  # then the pretraining's parameters, the fine-tuning's, and these
    verbose: bool = False
    random_state: Any = None

    _parameter_checks: ClassVar[dict[str, Constraint]] = {
        "hidden_layer_sizes": LayerSizes(allow_empty=False),
        "pretrain_method": OneOf(DBN_METHODS),
        "pretrain_k": Integer(1),
        "pretrain_n_iter": Integer(1),
        "pretrain_learning_rate": Real(0.0, exclusive_minimum=True),
        "pretrain_batch_size": Integer(1),
        **BACKPROP_CHECKS,
    }

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
        p = check_params(self, _PRETRAIN_PARAMETERS)
        pretrain: dict[str, Any] = {
            "method": p["pretrain_method"],
            "k": p["pretrain_k"],
            "n_epochs": p["pretrain_n_iter"],
            "learning_rate": p["pretrain_learning_rate"],
            "batch_size": p["pretrain_batch_size"],
        }
        arr = self._check_X(X, reset=True)
        options = fit_mlp_options(self, arr.shape[0])  # the fine-tuning, as MLPClassifier's
        self.classes_, indices = check_class_labels(self, arr, y)
        gen = as_generator(self.random_state)
        self.dbn_, self.pretrain_history_ = fit_dbn(
            [arr.shape[1], *p["hidden_layer_sizes"]],
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
