"""The scikit-learn fronts of the restricted Boltzmann machine: transformers whose features
are the hidden units' probabilities, with Bernoulli or Gaussian visible units."""

from __future__ import annotations

import inspect
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
    check_X,
    prefixed_feature_names,
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
from energynets.learning.contrastive import fit_rbm, rbm_training
from energynets.models._units import sigmoid
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

# fit_rbm's defaults, for the arguments the estimators leave as they are
_FIT_RBM_DEFAULTS = {
    name: parameter.default
    for name, parameter in inspect.signature(fit_rbm).parameters.items()
    if parameter.default is not inspect.Parameter.empty
}


def _free_energy_rows(rbm: RBM, v: Any) -> np.ndarray:
    """F(v) = -a.v - sum_j softplus(b_j + (v W)_j) of Bernoulli rows v (dense or
    scipy.sparse, any real values, unchecked); :meth:`RBM.free_energy
    <energynets.RBM.free_energy>` for Gaussian units."""
    if rbm.visible != "bernoulli":
        return rbm.free_energy(v)
    x = np.asarray(v @ rbm.weights) + rbm.hidden_bias
    return -np.asarray(v @ rbm.visible_bias).ravel() - np.logaddexp(0, x).sum(axis=-1)


def _flip_one_pseudo_likelihood(rbm: RBM, v: Any, gen: np.random.Generator) -> np.ndarray:
    """scikit-learn's stochastic pseudo-log-likelihood of each row of v (Bernoulli units).

    For each row one unit j, drawn uniformly, is flipped, v_j -> 1 - v_j (v~), and the row
    scores n_features log sigmoid(F(v~) - F(v)). For 0/1 rows, n_features times the
    conditional log-probability of the drawn unit, an unbiased estimate of the
    pseudo-log-likelihood sum_i log p(v_i | the other units) (Besag 1975). Only the drawn
    unit's input changes, so F(v~) comes from v's hidden input plus (1 - 2 v_j) W_j: no copy
    of v, which may be a scipy.sparse matrix.
    """
    n, nv = v.shape
    j = gen.integers(0, nv, n)
    rows = np.arange(n)
    value = np.asarray(v[rows, j], dtype=rbm.dtype).ravel()
    delta = 1.0 - 2.0 * value  # the change of v_j
    x = np.asarray(v @ rbm.weights) + rbm.hidden_bias
    x_flipped = x + delta[:, None] * rbm.weights[j]
    gap = -rbm.visible_bias[j] * delta - (
        np.logaddexp(0, x_flipped).sum(axis=1) - np.logaddexp(0, x).sum(axis=1)
    )  # F(v~) - F(v)
    return -nv * np.logaddexp(0, -gap)


@dataclass(eq=False, repr=False)
class _RBMEstimator(TransformerMixin, Estimator):
    """The RBM estimators' shared code and parameters; subclasses set the visible units."""

    n_components: int = 256
    _: KW_ONLY
    learning_rate: float = 0.1
    batch_size: int = 10
    n_iter: int = 10
    verbose: int = 0
    random_state: Any = None
    method: str = "pcd"
    k: int = 1
    momentum: float = 0.0
    weight_decay: float = 0.0

    _visible: ClassVar[str]  # "bernoulli" or "gaussian"
    _score_name: ClassVar[str]  # what score_samples gives, for the verbose lines

    _parameter_checks: ClassVar[dict[str, Constraint]] = {
        "n_components": Integer(1),
        "n_iter": Integer(0),
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
        options["progress"] = False
        return options

    def _train(
        self,
        X: Any,
        rbm: RBM,
        gen: np.random.Generator,
        n_epochs: int,
        options: dict[str, Any],
        chains: np.ndarray | None = None,
    ) -> dict[str, list[Any]]:
        """Train ``rbm`` by :func:`fit_rbm`'s run; keep the model, the generator and the
        negative chains' final hidden states."""
        verbose = options.pop("verbose")
        if options["method"] != "cd":  # scikit-learn's batch_size persistent chains
            options["n_chains"] = check_params(self, ("batch_size",))["batch_size"]
        callbacks = (self._report(X),) if verbose else ()
        arguments = {**_FIT_RBM_DEFAULTS, **options}
        arguments.update(n_epochs=n_epochs, rng=gen, callbacks=callbacks, chains=chains)
        training = rbm_training(rbm, X, **arguments)
        self.rbm_ = training.model
        self.h_samples_ = training.negative.hidden_chains()
        self.random_state_ = gen
        return training.history

    def _report(self, X: Any) -> Any:
        """The callback of ``verbose``: scikit-learn's line after each epoch, the score from a
        generator of its own (so that printing never changes the training)."""

        def report(epoch: int, rbm: RBM, history: dict[str, list[Any]]) -> None:
            score = self._score(rbm, X, np.random.default_rng(epoch)).mean()
            print(
                f"[{type(self).__name__}] Iteration {epoch + 1}, {self._score_name} = "
                f"{score:.2f}, time = {history['time'][-1]:.2f}s"
            )

        return report

    def _score(self, rbm: RBM, X: Any, gen: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def _new_rbm(self, X: Any, gen: np.random.Generator) -> RBM:
        n_hidden = check_params(self, ("n_components",))["n_components"]
        return RBM(X.shape[1], n_hidden, self._visible, rng=gen, dtype=X.dtype)

    def fit(self, X: Any, y: Any = None) -> Any:
        """Train a fresh RBM on X for ``n_iter`` epochs (:func:`energynets.fit_rbm`).

        Parameters
        ----------
        X : array_like or sparse matrix (BernoulliRBM), shape (n_samples, n_features)
            Training data (see the class docstring for the values allowed). Not modified.
            float32 data give a float32 model; other numbers float64.
        y : ignored

        Returns
        -------
        self
        """
        n_iter = check_params(self, ("n_iter",))["n_iter"]
        options = self._training_options()
        arr = self._check_X(X, reset=True)
        gen = as_generator(self.random_state)
        rbm = self._new_rbm(arr, gen)
        if n_iter == 0:  # scikit-learn's n_iter=0: the initial parameters
            self.rbm_, self.random_state_, self.history_ = rbm, gen, {}
            self.h_samples_ = np.zeros((options["batch_size"], rbm.n_hidden), rbm.dtype)
        else:
            self.history_ = self._train(arr, rbm, gen, n_iter, options)
        self.n_iter_ = n_iter
        return self

    def partial_fit(self, X: Any, y: Any = None) -> Any:
        """One update of the parameters with X as the mini-batch (scikit-learn's meaning).

        The first call (on an unfitted estimator) builds the RBM as :meth:`fit` does, with
        the visible biases set from X; later calls keep the biases, continue the generator
        ``random_state_`` and, for ``method="pcd"``, the persistent chains ``h_samples_``
        (the momentum restarts at each call; "pt" restarts its replicas). The negative phase
        has ``batch_size`` chains, whatever the number of rows of X.

        Parameters
        ----------
        X : array_like or sparse matrix (BernoulliRBM), shape (n_samples, n_features)
            A mini-batch of training data. Not modified.
        y : ignored

        Returns
        -------
        self
        """
        options = self._training_options()
        chains = None
        if not hasattr(self, "rbm_"):
            arr = self._check_X(X, reset=True)
            gen = as_generator(self.random_state)
            rbm = self._new_rbm(arr, gen)
            self.history_ = {}
            self.n_iter_ = 0
        else:
            arr = self._check_X(X, reset=False)
            gen, rbm = self.random_state_, self.rbm_
            if arr.dtype != rbm.dtype:
                arr = arr.astype(rbm.dtype)
            options["init_visible_bias"] = None
            if options["method"] == "pcd" and self.h_samples_.shape[0] == options["batch_size"]:
                chains = self.h_samples_
        options["batch_size"] = arr.shape[0]  # one update: X is the mini-batch
        history = self._train(arr, rbm, gen, 1, options, chains)
        for key, values in history.items():
            self.history_.setdefault(key, []).extend(values)
        self.n_iter_ += 1
        return self

    def transform(self, X: Any) -> np.ndarray:
        """The hidden units' probabilities, p(h_j = 1 | v) = sigmoid(b_j + ((v / sigma) W)_j).

        Parameters
        ----------
        X : array_like or sparse matrix (BernoulliRBM), shape (n_samples, n_features)
            Not modified.

        Returns
        -------
        ndarray, shape (n_samples, n_components)
            In the dtype of X and the model combined (float32 for both float32).
        """
        check_fitted(self, "rbm_")
        return self._mean_hiddens(self._check_X(X, reset=False))

    def _mean_hiddens(self, v: Any) -> np.ndarray:
        """p(h = 1 | v) for visible rows v (dense or sparse, unchecked), scikit-learn's name."""
        rbm = self.rbm_
        scaled = v if rbm.visible == "bernoulli" else v / rbm.sigma
        return sigmoid(np.asarray(scaled @ rbm.weights) + rbm.hidden_bias)

    def _sample_hiddens(self, v: Any, rng: Any) -> np.ndarray:
        """A sample h ~ p(h | v) (booleans) with ``rng``'s ``uniform``, scikit-learn's name."""
        p = self._mean_hiddens(v)
        return rng.uniform(size=p.shape) < p

    def _sample_visibles(self, h: Any, rng: Any) -> np.ndarray:
        """A sample v ~ p(v | h) with ``rng`` (a RandomState or a Generator), scikit-learn's
        name: booleans for Bernoulli units, reals for Gaussian ones."""
        rbm = self.rbm_
        mean = rbm.visible_mean(np.asarray(h, rbm.dtype))
        if rbm.visible != "bernoulli":
            return mean + rbm.sigma * rng.standard_normal(size=mean.shape)
        return rng.uniform(size=mean.shape) < mean

    def _free_energy(self, v: Any) -> np.ndarray:
        """F(v) of visible rows v (dense or sparse, unchecked), scikit-learn's name."""
        return _free_energy_rows(self.rbm_, v)

    def gibbs(self, v: Any) -> np.ndarray:
        """One block-Gibbs step v -> h -> v' (as scikit-learn's ``BernoulliRBM.gibbs``).

        Uses and advances the generator ``random_state_``.

        Parameters
        ----------
        v : array_like or sparse matrix (BernoulliRBM), shape (n_samples, n_features)
            Visible states (in [0, 1] for Bernoulli units). Not modified.

        Returns
        -------
        ndarray, shape (n_samples, n_features)
            The visible states v' sampled after the step.
        """
        check_fitted(self, "rbm_")
        arr = self._check_X(v, reset=False, name="v")
        rbm, gen = self.rbm_, self.random_state_
        p = self._mean_hiddens(arr).astype(rbm.dtype, copy=False)
        h = (gen.random(p.shape, dtype=rbm.dtype) < p).astype(rbm.dtype)
        return rbm.sample_visible(h, gen)

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

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The names of the features ``transform`` gives: ``"<class name>0"``, ... in lower
        case, as scikit-learn names them.

        Parameters
        ----------
        input_features : array_like of str, optional
            Only checked against the input features (their number and ``feature_names_in_``).

        Returns
        -------
        ndarray of str objects, shape (n_components,)
        """
        check_fitted(self, "rbm_")
        return prefixed_feature_names(self, self.rbm_.n_hidden, input_features)


class BernoulliRBM(UnitIntervalInput, _RBMEstimator):
    """A restricted Boltzmann machine with 0/1 visible units, as a scikit-learn transformer.

    A drop-in for :class:`sklearn.neural_network.BernoulliRBM`: its parameters, attributes and
    methods with their meaning and defaults, on top of :class:`energynets.RBM` and
    :func:`energynets.fit_rbm`, with more ways to train as extra parameters. The energy is
    E(v, h) = -v^T W h - a^T v - b^T h; ``transform`` gives p(h = 1 | v) = sigmoid(v W + b),
    the features of the classic RBM -> classifier pipeline. X may be a ``scipy.sparse``
    matrix (never densified: the visible layer's products are sparse ones); float32 X gives
    a float32 model and float32 features.

    Parameters
    ----------
    n_components : int >= 1
        Hidden units.
    learning_rate : float > 0
        Of the stochastic gradient ascent (the gradient is a mean over the mini-batch).
    batch_size : int >= 1
        Rows per mini-batch, and the number of persistent chains ("pcd", "pt").
    n_iter : int >= 0
        Epochs (passes over the data); 0 leaves the initial parameters.
    verbose : int or bool
        After each epoch print scikit-learn's line, ``[BernoulliRBM] Iteration i,
        pseudo-likelihood = ..., time = ...s`` (the mean of :meth:`score_samples` on X,
        computed with a generator of its own, so that printing never changes the training).
    random_state : int, Generator, SeedSequence, RandomState or None
        Converted once in ``fit`` into the generator of the initial weights, then of the
        training (see the module docstring); None draws fresh entropy. :meth:`score_samples`
        converts it afresh at each call, as scikit-learn does.
    method : {"pcd", "cd", "pt"}
        Negative phase: persistent contrastive divergence (scikit-learn's), CD-k started at
        the data, or parallel tempering.
    k : int >= 1
        Gibbs steps per update.
    momentum : float in [0, 1]
    weight_decay : float >= 0
        L2 cost on the weights.

    Attributes
    ----------
    components_ : ndarray, shape (n_components, n_features)
        W^T (a view of ``rbm_.weights``).
    intercept_hidden_ : ndarray, shape (n_components,)
    intercept_visible_ : ndarray, shape (n_features,)
    h_samples_ : ndarray, shape (batch_size, n_components)
        The hidden states of the negative chains after the last update: the persistent
        chains of "pcd" (continued by :meth:`partial_fit`), the beta = 1 replicas of "pt";
        for "cd", the chains' last hidden samples (one row per row of the last mini-batch:
        given that batch itself for k = 1).
    n_features_in_ : int
    feature_names_in_ : ndarray of str objects, one per input feature
        The column names of X in ``fit`` when X is a data frame whose names are all strings
        (not set otherwise); the other methods check X's names against them.
    rbm_ : energynets.RBM
        The trained model.
    history_ : dict of lists
        :func:`energynets.fit_rbm`'s history ("epoch", "learning_rate", "momentum", "time").
    n_iter_ : int
        Epochs run (:meth:`partial_fit`: calls).
    random_state_ : numpy.random.Generator
        The generator of the training, continued by :meth:`partial_fit`, :meth:`gibbs` and
        :meth:`sample`.

    Notes
    -----
    Differences from scikit-learn's ``BernoulliRBM``:

    - ``fit``, ``partial_fit``, ``transform`` and ``gibbs`` need X in [0, 1] (a ValueError
      otherwise; scikit-learn accepts any value). In a pipeline put
      ``MinMaxScaler(clip=True)`` in front: test folds can leave the range of the training
      fold. :meth:`score_samples` accepts any finite X, as scikit-learn's;
    - the visible biases start at the log-odds of the data's column means (Hinton 2010),
      not at zero, the persistent chains at hidden samples given random rows of the data,
      not at zero, and each epoch visits the rows in a fresh random order;
    - ``random_state=None`` means fresh entropy, never numpy's global state, and the random
      numbers are not those of scikit-learn (the same seed gives another, equally good,
      model).

    Examples
    --------
    >>> import energynets as en
    >>> X = en.datasets.bars_and_stripes(3)
    >>> rbm = BernoulliRBM(n_components=8, n_iter=5, random_state=0).fit(X)
    >>> rbm.transform(X).shape, rbm.score_samples(X[:2]).shape
    ((14, 8), (2,))
    >>> rbm.get_feature_names_out()[:2].tolist()
    ['bernoullirbm0', 'bernoullirbm1']

    References
    ----------
    Hinton, G. E. (2002). Training products of experts by minimizing contrastive divergence.
    Neural Computation 14, 1771-1800. Tieleman, T. (2008). Training restricted Boltzmann
    machines using approximations to the likelihood gradient. ICML 2008, 1064-1071.
    """

    _visible = "bernoulli"
    _score_name = "pseudo-likelihood"
    _accept_sparse = True
    _feature_names = True

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def score_samples(self, X: Any) -> np.ndarray:
        """scikit-learn's pseudo-log-likelihood of each row: one unit flipped at random.

        For each row a unit j is drawn uniformly and flipped, v_j -> 1 - v_j (giving v~);
        the score is n_features log sigmoid(F(v~) - F(v)), F the free energy. For 0/1 rows
        it is n_features log p(v_j | the other units), an unbiased estimate of the
        pseudo-log-likelihood sum_i log p(v_i | the other units) (Besag 1975); for the exact
        value, every unit flipped, see :func:`energynets.metrics.pseudo_likelihood`. The
        units are drawn from a generator made afresh from ``random_state`` at each call, as
        scikit-learn does (an int seed gives the same draws every call).

        Parameters
        ----------
        X : {array_like, sparse matrix}, shape (n_samples, n_features)
            Any finite values (meaningful for values in [0, 1]). Not modified.

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
        arr = check_X(self, X, reset=False, accept_sparse=True, feature_names=True)
        return self._score(self.rbm_, arr, as_generator(self.random_state))

    def _score(self, rbm: RBM, X: Any, gen: np.random.Generator) -> np.ndarray:
        return _flip_one_pseudo_likelihood(rbm, X, gen)


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
    rbm_, components_, intercept_hidden_, intercept_visible_, h_samples_, history_, n_iter_,
    n_features_in_, random_state_
        As for :class:`BernoulliRBM`.

    Notes
    -----
    Dense X only. :meth:`score_samples` is the negative free energy, not a pseudo-likelihood: the
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
    _score_name = "negative free energy"

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
        return self._score(self.rbm_, self._check_X(X, reset=False), None)

    def _score(self, rbm: RBM, X: Any, gen: np.random.Generator | None) -> np.ndarray:
        return -rbm.free_energy(X)
