"""Deep belief networks: RBMs stacked and trained greedily, layer by layer.

A deep belief network (DBN) with layers h_0 = v, h_1, ..., h_L (sizes ``layer_sizes``) is a
generative model whose top two layers form an undirected RBM and whose lower layers are
directed, top-down sigmoid belief nets (Hinton, Osindero & Teh 2006):

    p(v, h_1, ..., h_L) = p(h_{L-1}, h_L) prod_{l=0}^{L-2} p(h_l | h_{l+1}),
    p(h_{L-1}, h_L) = exp(-E_L(h_{L-1}, h_L)) / Z_L          (the top RBM),
    p(h_l = 1 | h_{l+1}) = sigmoid(a_{l+1} + W_{l+1} h_{l+1})  (the visible conditional of RBM l+1).

Here RBM l (``rbms[l - 1]``, weights W_l of shape (n_{l-1}, n_l), visible bias a_l, hidden
bias b_l) connects h_{l-1} and h_l.

Training (:func:`fit_dbn`) is the greedy layer-wise procedure: train RBM 1 on the data, then
RBM l + 1 on the hidden probabilities of RBM l given its input (the "up-pass"), and so on.
Each added layer improves a variational lower bound on the log-likelihood of the data when the
new RBM is initialised from the one below (Hinton, Osindero & Teh 2006, section 4); in
practice it is trained from small random weights.

The same up-pass, q_l = sigmoid(q_{l-1} W_l + b_l) with q_0 = x, is the forward pass of a
sigmoid feedforward network with the DBN's weights and hidden biases: :meth:`DBN.to_mlp`
builds that network plus a fresh output layer, for discriminative fine-tuning by
backpropagation (Hinton & Salakhutdinov 2006; 1.25% MNIST test error for 784-500-500-2000-10
in Hinton, Osindero & Teh 2006).

What is left out: the up-down (wake-sleep) fine-tuning of the generative model, label units
joined to the top RBM, and Gaussian visible units at the bottom (train the first RBM by hand
with :func:`~energynets.fit_rbm` if you need them).

References
----------
Hinton, G. E., Osindero, S. & Teh, Y.-W. (2006). A fast learning algorithm for deep belief
nets. Neural Computation 18, 1527-1554.
Hinton, G. E. & Salakhutdinov, R. R. (2006). Reducing the dimensionality of data with neural
networks. Science 313, 504-507.
"""

from __future__ import annotations

import inspect
import itertools
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from energynets import _checkpoint
from energynets._validation import (
    RNGLike,
    as_float_array,
    check_choice,
    check_dtype,
    check_float,
    check_int,
    check_rng,
)
from energynets.models.mlp import MLP
from energynets.models.mlp import _sigmoid as _mlp_sigmoid
from energynets.models.rbm import RBM

__all__ = ["DBN", "DBN_METHODS", "fit_dbn"]

#: The negative-phase methods :func:`fit_dbn` passes to :func:`~energynets.fit_rbm`.
DBN_METHODS = ("cd", "pcd")

#: The arrays of each RBM a DBN checkpoint holds.
_RBM_ARRAYS = ("weights", "visible_bias", "hidden_bias")

# fit_rbm arguments that fit_dbn sets itself (the rest may be passed through rbm_options)
_MANAGED = frozenset(
    {
        "rbm",
        "data",
        "method",
        "k",
        "n_epochs",
        "batch_size",
        "learning_rate",
        "momentum",
        "weight_decay",
        "rng",
        "callbacks",
        "progress",
        "checkpoint",
        "checkpoint_every",
        "resume",
    }
)


def _check_layer_sizes(layer_sizes: Any) -> tuple[int, ...]:
    if isinstance(layer_sizes, str | bytes) or not isinstance(layer_sizes, Sequence | np.ndarray):
        raise TypeError(
            "layer_sizes must be a sequence of ints such as [784, 500, 500, 2000], got "
            f"{type(layer_sizes).__name__}"
        )
    sizes = tuple(
        check_int(s, f"layer_sizes[{i}]", minimum=1) for i, s in enumerate(list(layer_sizes))
    )
    if len(sizes) < 2:
        raise ValueError(
            "layer_sizes must give at least a visible and a hidden layer size (one RBM), got "
            f"{list(sizes)}"
        )
    return sizes


class DBN:
    """A deep belief network: a stack of RBMs, the top one undirected, the others directed.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_visible, n_1, ..., n_L]``, at least two entries: L RBMs, RBM l of shape
        (layer_sizes[l], layer_sizes[l + 1]).
    rng : int, Generator or None
        Randomness of the initial weights, W ~ N(0, weight_scale^2), drawn layer after layer
        from one generator (``RBM(n_l, n_{l+1}, rng=gen)`` for l = 0, 1, ...).
    dtype : numpy.float32 or numpy.float64
    weight_scale : float
        Standard deviation of the initial weights (0.01, Hinton 2010).

    Attributes
    ----------
    rbms : list of RBM
        ``rbms[l]`` connects layer l (its visible units) to layer l + 1 (its hidden units);
        Bernoulli units throughout, no softmax groups.

    Notes
    -----
    The generative model (see the module docstring) is

        p(v, h_1, ..., h_L) = p_top(h_{L-1}, h_L) prod_{l<L-1} p(h_l | h_{l+1}),

    sampled by :meth:`generate`. The recognition (up) pass q_l = sigmoid(q_{l-1} W_l + b_l) is
    :meth:`transform` and the forward pass of :meth:`to_mlp`'s network.

    Examples
    --------
    >>> dbn = DBN([6, 4, 3], rng=0)
    >>> dbn
    DBN(layer_sizes=[6, 4, 3], dtype=float64)
    >>> dbn.transform(np.ones((2, 6))).shape
    (2, 3)
    >>> dbn.generate(5, n_gibbs=10, rng=0).shape
    (5, 6)

    References
    ----------
    Hinton, G. E., Osindero, S. & Teh, Y.-W. (2006). A fast learning algorithm for deep belief
    nets. Neural Computation 18, 1527-1554.
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        rng: RNGLike = 0,
        dtype: Any = np.float64,
        *,
        weight_scale: float = 0.01,
    ) -> None:
        sizes = _check_layer_sizes(layer_sizes)
        dt = check_dtype(dtype)
        scale = check_float(weight_scale, "weight_scale", minimum=0.0)
        gen = check_rng(rng)
        self.rbms: list[RBM] = [
            RBM(n_in, n_out, rng=gen, dtype=dt, weight_scale=scale)
            for n_in, n_out in itertools.pairwise(sizes)
        ]

    @classmethod
    def from_rbms(cls, rbms: Sequence[RBM]) -> DBN:
        """A DBN whose layers are copies of the given RBMs.

        Parameters
        ----------
        rbms : sequence of RBM
            Bernoulli visible units without softmax groups, one dtype, and chaining sizes:
            ``rbms[l].n_hidden == rbms[l + 1].n_visible``.

        Returns
        -------
        DBN
            Layer sizes ``(rbms[0].n_visible, rbms[0].n_hidden, ..., rbms[-1].n_hidden)``.
        """
        if isinstance(rbms, RBM) or not isinstance(rbms, Sequence) or not rbms:
            raise TypeError(
                f"rbms must be a non-empty list of RBMs, bottom first, got {type(rbms).__name__}"
            )
        for i, r in enumerate(rbms):
            if not isinstance(r, RBM):
                raise TypeError(f"rbms[{i}] must be an energynets RBM, got {type(r).__name__}")
            if r.visible != "bernoulli" or r.softmax_groups:
                raise ValueError(
                    f"rbms[{i}] must have Bernoulli visible units without softmax groups, got {r!r}"
                )
            if r.dtype != rbms[0].dtype:
                raise ValueError(
                    f"rbms must share one dtype, got {rbms[0].dtype} for rbms[0] and {r.dtype} "
                    f"for rbms[{i}]"
                )
        for i in range(len(rbms) - 1):
            if rbms[i].n_hidden != rbms[i + 1].n_visible:
                raise ValueError(
                    f"layer sizes do not match: rbms[{i}] has n_hidden={rbms[i].n_hidden} but "
                    f"rbms[{i + 1}] has n_visible={rbms[i + 1].n_visible}"
                )
        out = cls.__new__(cls)
        out.rbms = [r.copy() for r in rbms]
        return out

    def copy(self) -> DBN:
        """A deep copy.

        Returns
        -------
        DBN
        """
        return DBN.from_rbms(self.rbms)

    # -- shapes ----------------------------------------------------------------------------
    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """``(n_visible, n_1, ..., n_L)``."""
        return (self.rbms[0].n_visible, *(r.n_hidden for r in self.rbms))

    @property
    def n_layers(self) -> int:
        """The number of RBMs (hidden layers), L."""
        return len(self.rbms)

    @property
    def n_visible(self) -> int:
        """Number of visible units, the size of the data."""
        return self.rbms[0].n_visible

    @property
    def dtype(self) -> np.dtype:
        """Floating-point type of every layer."""
        return self.rbms[0].dtype

    def __repr__(self) -> str:
        return f"DBN(layer_sizes={list(self.layer_sizes)}, dtype={self.dtype.name})"

    # -- recognition: the up-pass ------------------------------------------------------------
    def up_pass(self, X: Any, n_layers: int | None = None) -> list[np.ndarray]:
        """The hidden probabilities of every layer given the data, bottom up.

        q_0 = X,  q_l = sigmoid(q_{l-1} W_l + b_l)  (l = 1, ..., L),

        each layer's input being the probabilities of the layer below (mean-field, no
        sampling). The sigmoid is the one of :class:`~energynets.MLP`, computed the same
        way, so that :meth:`to_mlp`'s network reproduces these numbers bit for bit.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_visible)
            Values in [0, 1]. Not modified.
        n_layers : int, optional
            Stop after this many layers (default: all L).

        Returns
        -------
        list of ndarray
            ``[q_0, q_1, ..., q_n]``; q_l has shape (n_samples, layer_sizes[l]), the model's
            dtype (q_0 is X as an array of that dtype, possibly X itself).
        """
        stop = (
            self.n_layers
            if n_layers is None
            else check_int(n_layers, "n_layers", minimum=0, maximum=self.n_layers)
        )
        q = self.rbms[0].check_visible(X, "X")
        out = [q]
        for rbm in self.rbms[:stop]:
            q = _up(rbm, q)
            out.append(q)
        return out

    def transform(self, X: Any) -> np.ndarray:
        """The top layer's hidden probabilities q_L given X (the up-pass, :meth:`up_pass`).

        Parameters
        ----------
        X : array_like, shape (n_samples, n_visible)
            Values in [0, 1]. Not modified.

        Returns
        -------
        ndarray, shape (n_samples, layer_sizes[-1]), the model's dtype
        """
        return self.up_pass(X)[-1]

    # -- generation: Gibbs sampling at the top, then down --------------------------------------
    def generate(
        self,
        n_samples: int,
        n_gibbs: int = 1000,
        rng: RNGLike = 0,
        *,
        probabilities: bool = False,
        return_layers: bool = False,
    ) -> Any:
        """Draw samples from the DBN's generative model (Hinton, Osindero & Teh 2006).

        1. Run ``n_samples`` block-Gibbs chains of ``n_gibbs`` steps in the top RBM
           (``rbms[-1]``), started from uniform random bits of layer L - 1
           (:meth:`RBM.sample`); their final visible states h_{L-1} approximate draws from
           the top RBM's marginal p(h_{L-1}) as n_gibbs grows.
        2. Go down through the directed layers, h_l ~ p(h_l | h_{l+1}) =
           Bernoulli(sigmoid(a_{l+1} + W_{l+1} h_{l+1})) for l = L - 2, ..., 0 (the visible
           conditional of ``rbms[l]``, :meth:`RBM.sample_visible`).

        Parameters
        ----------
        n_samples : int >= 1
        n_gibbs : int >= 0
            Gibbs steps in the top RBM (0 leaves the uniform starting states).
        rng : int, Generator or None
            All the randomness: the starting states, the Gibbs chain, then the top-down pass.
        probabilities : bool
            Return p(v = 1 | h_1), the mean of the last top-down step, instead of a binary
            sample of v (the usual way of showing generated images). With a single RBM
            this is the visible mean after the Gibbs chain.
        return_layers : bool
            Also return the states of every layer.

        Returns
        -------
        v : ndarray, shape (n_samples, n_visible), the model's dtype
            0/1 samples (or probabilities).
        layers : list of ndarray, only with ``return_layers``
            ``[v, h_1, ..., h_{L-1}]``, the sampled states of layers 0 to L - 1 (v as
            returned above).
        """
        count = check_int(n_samples, "n_samples", minimum=1)
        steps = check_int(n_gibbs, "n_gibbs", minimum=0)
        gen = check_rng(rng)
        top = self.rbms[-1]
        h = top.sample(count, n_steps=steps, rng=gen)  # states of layer L - 1
        layers = [h]
        for level in range(self.n_layers - 2, -1, -1):
            rbm = self.rbms[level]
            if probabilities and level == 0:
                h = rbm.visible_mean(h)
            else:
                h = rbm.sample_visible(h, gen)
            layers.append(h)
        if probabilities and self.n_layers == 1:
            # a lone RBM: the mean of v given a hidden sample of the chain's last state
            h = top.visible_mean(top.sample_hidden(h, gen))
            layers[-1] = h
        layers.reverse()
        return (h, layers) if return_layers else h

    # -- transfer to backprop ------------------------------------------------------------------
    def to_mlp(
        self,
        n_outputs: int,
        output: str = "softmax",
        activation: str = "sigmoid",
        *,
        init: str = "xavier_uniform",
        rng: RNGLike = 0,
    ) -> MLP:
        """A feedforward network initialised from the DBN, ready for :func:`~energynets.fit_mlp`.

        Layer l of the network (l = 0, ..., L - 1) gets ``rbms[l].weights`` (n_l, n_{l+1}) and
        ``rbms[l].hidden_bias``; a fresh output layer (n_L -> n_outputs, weights from
        ``init`` and ``rng``, zero biases) is added on top (:meth:`MLP.from_rbms`). With the
        sigmoid activation the hidden activations are exactly :meth:`up_pass`'s
        probabilities, the recognition pass of the DBN; fine-tuning all the layers by
        backpropagation then gives the discriminative model of Hinton & Salakhutdinov (2006).
        The visible biases of the RBMs have no place in a feedforward network.

        Parameters
        ----------
        n_outputs : int >= 1
        output : {"softmax", "sigmoid", "identity"}
            The output function and loss, as for :class:`~energynets.MLP`.
        activation : str
            The hidden activation; anything but "sigmoid" reuses the weights in another
            network than the one they were trained for.
        init : str
            Initialisation of the output layer (:data:`energynets.models.mlp.INITIALIZERS`).
        rng : int, Generator or None
            Randomness of the output layer's weights.

        Returns
        -------
        MLP
            ``layer_sizes = (*dbn.layer_sizes, n_outputs)``, the DBN's dtype; the DBN is
            not modified (the arrays are copies).
        """
        return MLP.from_rbms(
            self.rbms, n_outputs, activation=activation, output=output, init=init, rng=rng
        )

    # -- persistence -------------------------------------------------------------------------
    def get_params(self) -> dict[str, Any]:
        """Arrays that define the network (used by :mod:`energynets.io`).

        Returns
        -------
        dict
            ``weights_l``, ``visible_bias_l``, ``hidden_bias_l`` of ``rbms[l]``,
            l = 0, ..., L - 1.
        """
        params: dict[str, Any] = {}
        for i, r in enumerate(self.rbms):
            params[f"weights_{i}"] = r.weights
            params[f"visible_bias_{i}"] = r.visible_bias
            params[f"hidden_bias_{i}"] = r.hidden_bias
        return params


def _per_layer_epochs(n_epochs: Any, n_layers: int) -> tuple[int, ...]:
    if isinstance(n_epochs, Sequence | np.ndarray) and not isinstance(n_epochs, str | bytes):
        values = list(n_epochs)
        if len(values) != n_layers:
            raise ValueError(
                f"n_epochs must be an int or one int per layer ({n_layers} layers), got "
                f"{len(values)} values: {values}"
            )
        return tuple(check_int(e, f"n_epochs[{i}]", minimum=1) for i, e in enumerate(values))
    return (check_int(n_epochs, "n_epochs", minimum=1),) * n_layers


def fit_dbn(
    dbn_or_sizes: DBN | Sequence[int],
    X: Any,
    *,
    method: str = "cd",
    k: int = 1,
    n_epochs: int | Sequence[int] = 10,
    batch_size: int = 100,
    learning_rate: float = 0.01,
    momentum: float | str | Callable[[int], float] = 0.0,
    weight_decay: float = 0.0,
    rng: RNGLike = 0,
    callbacks: Sequence[Callable[[int, int, RBM, dict[str, list[Any]]], Any]] = (),
    progress: bool = False,
    dtype: Any = np.float64,
    checkpoint: str | os.PathLike[str] | None = None,
    checkpoint_every: int = 1,
    resume: str | os.PathLike[str] | None = None,
    **rbm_options: Any,
) -> tuple[DBN, dict[str, list[Any]]]:
    """Train a deep belief network greedily, one RBM after the other (Hinton et al. 2006).

    For l = 0, ..., L - 1: RBM l is trained by :func:`~energynets.fit_rbm` on X_l, where
    X_0 = X and X_{l+1} = sigmoid(X_l W_l + b_l) are the hidden *probabilities* of the trained
    RBM l given its own training data (:meth:`DBN.up_pass`). Probabilities rather than binary
    samples: the next layer then sees a deterministic, lower-variance version of the code,
    as in the code of Hinton & Salakhutdinov (2006), and :meth:`DBN.to_mlp`'s sigmoid network
    computes exactly these inputs.

    Parameters
    ----------
    dbn_or_sizes : DBN or sequence of int
        A DBN (copied; its weights are the starting point) or ``layer_sizes``, for which a
        DBN is built as ``DBN(layer_sizes, rng=gen, dtype=dtype)`` from the training
        generator ``gen``.
    X : array_like, shape (n_samples, n_visible)
        Training data in [0, 1] (bits, or grey levels read as probabilities). Not modified.
    method : {"cd", "pcd"}
        CD-k or persistent CD-k (:func:`~energynets.fit_rbm`), the same for every layer.
    k : int >= 1
        Gibbs steps per update.
    n_epochs : int or sequence of int
        Epochs of each layer, or one number per layer (bottom first).
    batch_size, learning_rate, momentum, weight_decay
        As for :func:`~energynets.fit_rbm`, the same for every layer.
    rng : int, Generator or None
        All randomness. With ``gen = check_rng(rng)``: the initial weights when
        ``dbn_or_sizes`` is a list of sizes come first, then one seed per layer,
        ``seeds = gen.integers(0, 2**63, size=L)``, and RBM l is trained with
        ``rng=np.random.default_rng(seeds[l])`` (each layer its own stream, independent of
        how many numbers the layers below used).
    callbacks : sequence of callables
        Each called after every epoch of every layer as ``callback(layer, epoch, rbm,
        history)`` (``rbm`` the RBM being trained, ``history`` its :func:`fit_rbm` history);
        returning True ends the training of that layer after this epoch (the next layer then
        starts).
    progress : bool
        A progress bar per layer (tqdm).
    dtype : numpy.float32 or numpy.float64
        Of the DBN built from ``layer_sizes`` (a given DBN keeps its own).
    checkpoint : str or path-like, optional
        Write a checkpoint to this ``.npz`` file every ``checkpoint_every`` epochs of the
        layer in training and after every layer. One file holds everything needed to
        continue: the layers already trained, their histories, and the layer in training's
        :func:`~energynets.fit_rbm` state (parameters, optimiser, chains, random generator).
        Written atomically; the one it replaces is kept as ``<checkpoint>.prev``, so Ctrl-C
        or a crash leaves a usable one.
    checkpoint_every : int >= 1
        Epochs between checkpoints within a layer.
    resume : str or path-like, optional
        Continue from a checkpoint of a run with the same data and settings: the finished
        layers are restored, the layer in training continues where it stopped. The result is
        bit-identical to a run that was never interrupted (with the same BLAS threads). A
        damaged file, or one written with other settings, is a ValueError naming it.
    **rbm_options
        Further keyword arguments of :func:`~energynets.fit_rbm` for every layer (e.g.
        ``monitor=()``, ``sparsity_target``, ``learning_rate_schedule``). A
        ``validation_data`` array (shape (n_valid, n_visible)) goes up with the training
        data: layer l gets its up-pass probabilities.

    Returns
    -------
    dbn : DBN
        The trained network (a new object).
    history : dict of lists
        One entry per layer: "layer", "n_epochs" (epochs run), "time" (seconds, the up-pass
        included) and "rbm_history" (the :func:`fit_rbm` history of that layer).

    Raises
    ------
    ValueError, TypeError
        On any invalid argument, naming it; everything is checked before any training.
    TrainingDiverged
        When a layer's training diverges (see :func:`~energynets.fit_rbm`): the message
        names the layer, and the error's ``model`` is the DBN with the layers below trained
        and that layer's last good parameters.

    Examples
    --------
    >>> from energynets.datasets import bars_and_stripes
    >>> dbn, history = fit_dbn([9, 8, 4], bars_and_stripes(3), n_epochs=2, batch_size=7)
    >>> dbn, history["n_epochs"]
    (DBN(layer_sizes=[9, 8, 4], dtype=float64), [2, 2])

    References
    ----------
    Hinton, G. E., Osindero, S. & Teh, Y.-W. (2006). A fast learning algorithm for deep belief
    nets. Neural Computation 18, 1527-1554.
    Hinton, G. E. & Salakhutdinov, R. R. (2006). Reducing the dimensionality of data with
    neural networks. Science 313, 504-507.
    """
    # imported here: models never import learning at module level (the import direction of
    # the package is models -> learning)
    from energynets.learning.contrastive import _check_training_data, fit_rbm
    from energynets.learning.divergence import TrainingDiverged

    gen = check_rng(rng)
    if isinstance(dbn_or_sizes, DBN):
        model = dbn_or_sizes.copy()
    elif isinstance(dbn_or_sizes, Sequence | np.ndarray) and not isinstance(
        dbn_or_sizes, str | bytes
    ):
        sizes = _check_layer_sizes(dbn_or_sizes)
        check_dtype(dtype)
        model = None
    else:
        raise TypeError(
            "dbn_or_sizes must be a DBN or a list of layer sizes such as [784, 500, 500, 2000], "
            f"got {type(dbn_or_sizes).__name__}"
        )
    n_layers = model.n_layers if model is not None else len(sizes) - 1
    first = model.rbms[0] if model is not None else RBM(sizes[0], 1, rng=0, dtype=dtype)
    data = _check_training_data(first, X, "X")
    check_choice(method, "method", DBN_METHODS)
    epochs = _per_layer_epochs(n_epochs, n_layers)
    unknown = sorted(set(rbm_options) - set(inspect.signature(fit_rbm).parameters))
    managed = sorted(set(rbm_options) & _MANAGED)
    if unknown:
        raise TypeError(
            f"fit_dbn got unexpected keyword arguments {unknown} (neither its own nor those of "
            "fit_rbm)"
        )
    if managed:
        raise TypeError(f"fit_dbn sets the fit_rbm arguments {managed} itself, got them again")
    cbs = (callbacks,) if callable(callbacks) else tuple(callbacks)
    for i, cb in enumerate(cbs):
        if not callable(cb):
            raise TypeError(f"callbacks[{i}] must be callable, got {type(cb).__name__}")
    valid = rbm_options.pop("validation_data", None)
    if valid is not None:
        valid = _check_training_data(first, valid, "validation_data")
    # the other settings are the same for every layer: fit_rbm checks them for layer 0,
    # before anything is trained

    if model is None:
        model = DBN(sizes, rng=gen, dtype=dtype)
    dbn = model  # the same DBN, under a name the checkpoint closures below see as not None
    seeds = gen.integers(0, 2**63, size=n_layers)
    history: dict[str, list[Any]] = {"layer": [], "n_epochs": [], "time": [], "rbm_history": []}
    layers_done = 0
    layer_checkpoint: _checkpoint.Section | None = None
    layer_resume: _checkpoint.Section | None = None
    if checkpoint is not None or resume is not None:
        _checkpoint.check_every(checkpoint_every)
        settings = {
            "layer_sizes": list(dbn.layer_sizes),
            "method": method,
            "k": k,
            "n_epochs": list(epochs),
            "batch_size": batch_size,
            "dtype": str(dbn.dtype),
            "n_samples": int(data.shape[0]),
        }

        def finished_layers() -> dict[str, np.ndarray]:
            return {
                f"layer{i}.{name}": getattr(dbn.rbms[i], name)
                for i in range(layers_done)
                for name in _RBM_ARRAYS
            }

        def outer_meta() -> dict[str, Any]:
            return {"settings": settings, "layers_done": layers_done, "history": history}

        if resume is not None:
            saved, meta = _checkpoint.load_checkpoint(resume, "fit_dbn")
            _checkpoint.check_settings(resume, meta["settings"], settings)
            layers_done = int(meta["layers_done"])
            _checkpoint.restore_arrays(resume, saved, finished_layers())
            history = {key: list(values) for key, values in meta["history"].items()}
            if "inner" in meta:
                layer_resume = _checkpoint.Section(resume, "fit_dbn", finished_layers, outer_meta)
        if checkpoint is not None:
            layer_checkpoint = _checkpoint.Section(
                checkpoint, "fit_dbn", finished_layers, outer_meta
            )
    resume_layer = layers_done  # the layer whose fit_rbm state the checkpoint may hold
    layer_input: np.ndarray = data
    for layer in range(n_layers):
        t0 = time.perf_counter()
        if layer > 0:
            below = model.rbms[layer - 1]
            layer_input = _up(below, layer_input)
            if valid is not None:
                valid = _up(below, valid)
        if layer < resume_layer:  # restored from the checkpoint: only its up-pass was needed
            continue
        if valid is not None:
            rbm_options["validation_data"] = valid
        layer_cbs = [_layer_callback(cb, layer) for cb in cbs]
        try:
            trained, rbm_history = fit_rbm(
                model.rbms[layer],
                layer_input,
                method=method,
                k=k,
                n_epochs=epochs[layer],
                batch_size=batch_size,
                learning_rate=learning_rate,
                momentum=momentum,
                weight_decay=weight_decay,
                rng=np.random.default_rng(int(seeds[layer])),
                callbacks=layer_cbs,
                progress=progress,
                checkpoint=layer_checkpoint,
                checkpoint_every=checkpoint_every,
                resume=layer_resume if layer == resume_layer else None,
                **rbm_options,
            )
        except TrainingDiverged as exc:
            model.rbms[layer] = exc.model
            raise TrainingDiverged(
                f"layer {layer} of the DBN: {exc}",
                model=model,
                epoch=exc.epoch,
                step=exc.step,
                quantity=exc.quantity,
                history={**history, "diverged_layer": [layer]},
                checkpoint=exc.checkpoint,
            ) from None
        model.rbms[layer] = trained
        history["layer"].append(layer)
        history["n_epochs"].append(len(rbm_history["epoch"]))
        history["time"].append(time.perf_counter() - t0)
        history["rbm_history"].append(rbm_history)
        layers_done = layer + 1
        if checkpoint is not None:
            _checkpoint.save_checkpoint(checkpoint, "fit_dbn", finished_layers(), outer_meta())
    return model, history


def _up(rbm: RBM, q: np.ndarray) -> np.ndarray:
    """sigmoid(q W + b) of one RBM, a new array of the RBM's dtype (the step of
    :meth:`DBN.up_pass`; integer data times float32 weights would otherwise give float64)."""
    z = (q @ rbm.weights).astype(rbm.dtype, copy=False)
    z += rbm.hidden_bias
    return _mlp_sigmoid(z, z)


def _layer_callback(cb: Callable[..., Any], layer: int) -> Callable[..., Any]:
    def call(epoch: int, rbm: RBM, history: dict[str, list[Any]]) -> Any:
        return cb(layer, epoch, rbm, history)

    return call


def _dbn_from_arrays(arrays: dict[str, Any]) -> DBN:
    """Rebuild a DBN from :meth:`DBN.get_params` (for :mod:`energynets.io`)."""
    n_layers = sum(1 for key in arrays if key.startswith("weights_"))
    allowed = {
        f"{kind}_{i}"
        for kind in ("weights", "visible_bias", "hidden_bias")
        for i in range(n_layers)
    }
    unexpected = sorted(set(arrays) - allowed)
    if unexpected or n_layers == 0:
        raise ValueError(f"unexpected arrays {unexpected}" if unexpected else "no weights_0")
    rbms = []
    for i in range(n_layers):
        w = as_float_array(arrays[f"weights_{i}"], f"weights_{i}", ndim=2)
        rbms.append(
            RBM.from_params(
                w, arrays[f"visible_bias_{i}"], arrays[f"hidden_bias_{i}"], dtype=w.dtype
            )
        )
    return DBN.from_rbms(rbms)
