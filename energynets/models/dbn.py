"""Deep belief networks: RBMs stacked and trained greedily, layer by layer.

A deep belief network (DBN) with layers h_0 = v, h_1, ..., h_L (sizes ``layer_sizes``) is a
generative model whose top two layers form an undirected RBM and whose lower layers are
directed, top-down sigmoid belief nets (Hinton, Osindero & Teh 2006):

    p(v, h_1, ..., h_L) = p(h_{L-1}, h_L) prod_{l=0}^{L-2} p(h_l | h_{l+1}),
    p(h_{L-1}, h_L) = exp(-E_L(h_{L-1}, h_L)) / Z_L          (the top RBM),
    p(h_l = 1 | h_{l+1}) = sigmoid(a_{l+1} + W_{l+1} h_{l+1})  (the visible conditional of RBM l+1).

Here RBM l (``rbms[l - 1]``, weights W_l of shape (n_{l-1}, n_l), visible bias a_l, hidden
bias b_l) connects h_{l-1} and h_l.

Training is greedy and layer-wise (:func:`~energynets.learning.dbn.fit_dbn`): each RBM is
trained on the hidden probabilities of the one below given its input (the "up-pass").

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

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from energynets._validation import (
    RNGLike,
    as_float_array,
    check_dtype,
    check_float,
    check_int,
    check_rng,
)
from energynets.models._activations import sigmoid
from energynets.models.mlp import MLP
from energynets.models.rbm import RBM

__all__ = ["DBN"]


def check_layer_sizes(layer_sizes: Any) -> tuple[int, ...]:
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
        sizes = check_layer_sizes(layer_sizes)
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
            q = up_layer(rbm, q)
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

    @classmethod
    def from_arrays(cls, arrays: dict[str, Any]) -> DBN:
        """Rebuild a DBN from the arrays of :meth:`get_params` (for :mod:`energynets.io`).

        Parameters
        ----------
        arrays : dict
            ``weights_l``, ``visible_bias_l``, ``hidden_bias_l`` for l = 0, ..., L - 1.

        Returns
        -------
        DBN
        """
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
        return cls.from_rbms(rbms)

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


def up_layer(rbm: RBM, q: np.ndarray) -> np.ndarray:
    """sigmoid(q W + b) of one RBM, a new array of the RBM's dtype (the step of
    :meth:`DBN.up_pass`; integer data times float32 weights would otherwise give float64)."""
    z = (q @ rbm.weights).astype(rbm.dtype, copy=False)
    z += rbm.hidden_bias
    return sigmoid(z, z)
