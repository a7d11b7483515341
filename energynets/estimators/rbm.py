"""The scikit-learn fronts of the restricted Boltzmann machine: transformers whose features
are the hidden units' probabilities, with Bernoulli or Gaussian visible units."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from typing import Any, ClassVar

import numpy as np

from energynets._validation import check_int
from energynets.estimators._base import (
    Estimator,
    TransformerMixin,
    UnitIntervalInput,
    as_generator,
    check_fitted,
)
from energynets.estimators._params import (
    Boolean,
    Constraint,
    Integer,
    OneOf,
    Real,
    check_params,
)
from energynets.learning.contrastive import METHODS as RBM_METHODS
from energynets.learning.contrastive import fit_rbm
from energynets.metrics import pseudo_likelihood
from energynets.models.rbm import RBM

__all__ = ["BernoulliRBM", "GaussianRBM"]

# the parameters passed on to fit_rbm, in the order they are checked
_FIT_RBM_PARAMETERS = (
    "method",
    "k",
    "batch_size",
    "learning_rate",
    "momentum",
    "weight_decay",
    "verbose",
)


@dataclass(eq=False, repr=False)
class _RBMEstimator(TransformerMixin, Estimator):
    """The RBM estimators' shared code and parameters; subclasses set the visible units."""

    n_components: int = 256
    _: KW_ONLY
    learning_rate: float = 0.1
    batch_size: int = 10
    n_iter: int = 10
    verbose: bool = False
    random_state: Any = None
    method: str = "pcd"
    k: int = 1
    momentum: float = 0.0
    weight_decay: float = 0.0

    _visible: ClassVar[str]  # "bernoulli" or "gaussian"

    _parameter_checks: ClassVar[dict[str, Constraint]] = {
        "n_components": Integer(1),
        "n_iter": Integer(1),
        "method": OneOf(RBM_METHODS),
        "k": Integer(1),
        "batch_size": Integer(1),
        "learning_rate": Real(0.0, exclusive_minimum=True),
        "momentum": Real(0.0, 1.0),
        "weight_decay": Real(0.0),
        "verbose": Boolean(),
    }

    def _training_options(self) -> dict[str, Any]:
        """The arguments of fit_rbm, checked under the estimator's names."""
        options = check_params(self, _FIT_RBM_PARAMETERS)
        options["monitor"] = ()
        options["progress"] = options.pop("verbose")
        return options

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
        p = check_params(self, ("n_components", "n_iter"))
        options = self._training_options()
        arr = self._check_X(X, reset=True)
        gen = as_generator(self.random_state)
        rbm = RBM(arr.shape[1], p["n_components"], self._visible, rng=gen)
        self.history_ = self._train(arr, rbm, gen, p["n_iter"], **options)
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
            n_hidden = check_params(self, ("n_components",))["n_components"]
            arr = self._check_X(X, reset=True)
            gen = as_generator(self.random_state)
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
        check_fitted(self, "rbm_")
        return self.rbm_.hidden_probabilities(self._check_X(X, reset=False))

    def gibbs(self, v: Any) -> np.ndarray:
        """One block-Gibbs step v -> h -> v' (as scikit-learn's ``BernoulliRBM.gibbs``).

        Uses and advances the generator ``random_state_``.

        Parameters
        ----------
        v : array_like, shape (n_samples, n_features)
            Visible states (in [0, 1] for Bernoulli units). Not modified.

        Returns
        -------
        ndarray, shape (n_samples, n_features)
            The visible states v' sampled after the step.
        """
        check_fitted(self, "rbm_")
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
        check_fitted(self, "rbm_")
        count = check_int(n_samples, "n_samples", minimum=1)
        steps = check_int(n_steps, "n_steps", minimum=0)
        gen = self.random_state_ if random_state is None else as_generator(random_state)
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


class BernoulliRBM(UnitIntervalInput, _RBMEstimator):
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
        check_fitted(self, "rbm_")
        arr = self._check_X(X, reset=False)
        if not np.all((arr == 0) | (arr == 1)):
            raise ValueError(
                "X must hold 0/1 bits for score_samples (the pseudo-likelihood flips units), "
                "got other values; binarise it first"
            )
        return np.array([pseudo_likelihood(self.rbm_, arr[i : i + 1]) for i in range(len(arr))])


@dataclass(eq=False, repr=False)
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

    _: KW_ONLY
    learning_rate: float = 0.01

    _visible = "gaussian"

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
            Real values, standardised as the training data were. Not modified.

        Returns
        -------
        ndarray, shape (n_samples,)
            -F(v) of each row, in nats.
        """
        check_fitted(self, "rbm_")
        return -self.rbm_.free_energy(self._check_X(X, reset=False))
