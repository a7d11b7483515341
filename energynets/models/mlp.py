"""A feedforward network (multilayer perceptron) trained by backpropagation.

This is the comparison partner of the energy-based models: a stack of dense layers

    a_0 = x,    z_l = a_{l-1} W_l + b_l,    a_l = f(z_l)  (l = 1, ..., L - 1),
    z_L = a_{L-1} W_L + b_L,    y_hat = g(z_L),

with a hidden activation f and an output function g. Weights are stored ``(n_in, n_out)``, as
the RBM's ``(n_visible, n_hidden)``, so that a batch goes through a layer as one matrix
product ``A @ W + b`` and an RBM's weights can initialise a layer as they are
(:meth:`MLP.init_from_rbm`).

What the module teaches, and how:

- each activation sits next to its derivative (:data:`ACTIVATIONS`). The derivative is written
  as a function of the activation's *output* a = f(z) (sigmoid: a (1 - a), tanh: 1 - a^2,
  ReLU: 1[a > 0]), so that backpropagation needs to keep only the activations;
- each output function comes with the loss it is paired with (:data:`OUTPUTS`): softmax with
  cross-entropy, sigmoid with binary cross-entropy, identity with squared error. For all three
  (the canonical links) the error at the output layer is the same simple expression,

      delta_L = dLoss / dz_L = (y_hat - y) / n_samples,

  and the losses are computed from the logits z_L with log-sum-exp and softplus, so they are
  exact and free of overflow even at logits of +-1e4;
- backpropagation (Rumelhart, Hinton & Williams 1986) is the chain rule, vectorised over the
  batch:

      dLoss/dW_l = a_{l-1}^T delta_l,    dLoss/db_l = sum over rows of delta_l,
      delta_{l-1} = (delta_l W_l^T) * f'(z_{l-1});

- initialisation schemes are named strategies (:data:`INITIALIZERS`) so they can be compared.

What it deliberately leaves out: convolutions, dropout, batch normalisation. Training
(optimisers, mini-batches, early stopping) lives in :mod:`energynets.learning.backprop`.

References
----------
Rumelhart, D. E., Hinton, G. E. & Williams, R. J. (1986). Learning representations by
back-propagating errors. Nature 323, 533-536.
LeCun, Y., Bottou, L., Orr, G. B. & Mueller, K.-R. (1998). Efficient BackProp. In Neural
Networks: Tricks of the Trade, LNCS 1524, 9-50.
Glorot, X. & Bengio, Y. (2010). Understanding the difficulty of training deep feedforward
neural networks. AISTATS 2010, 249-256.
He, K., Zhang, X., Ren, S. & Sun, J. (2015). Delving deep into rectifiers: surpassing
human-level performance on ImageNet classification. ICCV 2015, 1026-1034.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from energynets._validation import (
    RNGLike,
    as_float_array,
    check_choice,
    check_dtype,
    check_int,
    check_rng,
    is_sparse,
)
from energynets.models._activations import (
    LEAKY_SLOPE,
    NORMAL_INIT_STD,  # noqa: F401 - importable from here, as it always was
    binary_cross_entropy,
    constant_init,
    cross_entropy,
    he_init,
    identity,
    identity_derivative,
    identity_output,
    leaky_relu,
    leaky_relu_derivative,
    lecun_init,
    normal_init,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    sigmoid_output,
    squared_error,
    tanh,
    tanh_derivative,
    xavier_normal_init,
    xavier_uniform_init,
)
from energynets.models._labels import (
    check_labels,  # noqa: F401 - importable from here, as it always was
    one_hot,  # noqa: F401
    target_matrix,
)
from energynets.models._units import softmax

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "LEAKY_SLOPE",
    "MLP",
    "OUTPUTS",
    "Activation",
    "Output",
]

#: Rows per chunk when a large X goes through the network (bounds the memory of predict).
_CHUNK_ROWS = 8192


# -- activations: each function next to its derivative ----------------------------------------
class Activation(NamedTuple):
    """A hidden-unit nonlinearity f and its derivative.

    Attributes
    ----------
    name : str
    function : callable ``(z, out) -> out``
        out <- f(z), elementwise; ``out`` may be ``z`` itself (in place).
    derivative : callable ``(a, out) -> out``
        out <- f'(z), written as a function of the output a = f(z); ``out`` may be ``a``.

    Examples
    --------
    >>> relu = ACTIVATIONS["relu"]
    >>> z = np.array([-1.0, 2.0])
    >>> a = relu.function(z, np.empty_like(z))
    >>> a.tolist(), relu.derivative(a, np.empty_like(a)).tolist()
    ([0.0, 2.0], [0.0, 1.0])
    """

    name: str
    function: Callable[[np.ndarray, np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]


#: The hidden activations by name.
ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_derivative),
    "tanh": Activation("tanh", tanh, tanh_derivative),
    "relu": Activation("relu", relu, relu_derivative),
    "leaky_relu": Activation("leaky_relu", leaky_relu, leaky_relu_derivative),
    "identity": Activation("identity", identity, identity_derivative),
}


# -- outputs: each function with the loss it is paired with ----------------------------------
class Output(NamedTuple):
    """An output function g and its paired loss, both from the logits z = z_L.

    For each pair dLoss_i / dz_i = g(z_i) - t_i (the canonical link), which is why the
    backward pass starts from ``y_hat - targets``.

    Attributes
    ----------
    name : str
    function : callable ``(z) -> y_hat``
        The output, shape (n_samples, n_outputs), a new array.
    loss : callable ``(z, targets) -> losses``
        The loss of each row, shape (n_samples,), float64; ``targets`` has the shape of z.

    Examples
    --------
    >>> softmax = OUTPUTS["softmax"]
    >>> z = np.array([[0.0, np.log(3.0)]])
    >>> np.round(softmax.function(z), 2)
    array([[0.25, 0.75]])
    >>> np.round(softmax.loss(z, np.array([[0.0, 1.0]])), 4)  # -log 0.75
    array([0.2877])
    """

    name: str
    function: Callable[[np.ndarray], np.ndarray]
    loss: Callable[[np.ndarray, np.ndarray], np.ndarray]


def exp_output(z: np.ndarray) -> np.ndarray:
    """The log link's output, exp(z) (a Poisson mean)."""
    return np.exp(z)


def poisson_deviance(z: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Half the Poisson deviance of each row, sum_k t log(t / mu) - t + mu with mu = exp(z)
    (0 log 0 = 0): zero when mu = t, and dLoss/dz = mu - t."""
    t = targets.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_log_t = np.where(t > 0, t * np.log(np.where(t > 0, t, 1.0)), 0.0)
    return (t_log_t - t * z - t + np.exp(z)).sum(axis=1, dtype=np.float64)


#: The output functions by name, each with its loss.
OUTPUTS: dict[str, Output] = {
    "softmax": Output("softmax", softmax, cross_entropy),
    "sigmoid": Output("sigmoid", sigmoid_output, binary_cross_entropy),
    "identity": Output("identity", identity_output, squared_error),
    "exp": Output("exp", exp_output, poisson_deviance),
}


# -- initialisation strategies -----------------------------------------------------------------
#: Weight initialisations by name: ``init(n_in, n_out, gen) -> (n_in, n_out) float64``. Biases
#: always start at zero.
INITIALIZERS: dict[str, Callable[[int, int, np.random.Generator], np.ndarray]] = {
    "normal": normal_init,
    "xavier_uniform": xavier_uniform_init,
    "xavier_normal": xavier_normal_init,
    "he": he_init,
    "lecun": lecun_init,
    "constant": constant_init,
}


def _check_layer_sizes(layer_sizes: Any) -> tuple[int, ...]:
    if isinstance(layer_sizes, str | bytes) or not isinstance(layer_sizes, Sequence | np.ndarray):
        raise TypeError(
            f"layer_sizes must be a sequence of ints such as [784, 500, 10], got "
            f"{type(layer_sizes).__name__}"
        )
    sizes = tuple(
        check_int(s, f"layer_sizes[{i}]", minimum=1) for i, s in enumerate(list(layer_sizes))
    )
    if len(sizes) < 2:
        raise ValueError(
            f"layer_sizes must give at least an input and an output size, got {list(sizes)}"
        )
    return sizes


class MLP:
    """A multilayer perceptron: dense layers, one hidden activation, an output with its loss.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_inputs, n_hidden_1, ..., n_outputs]``, at least two entries, each >= 1.
    activation : {"sigmoid", "tanh", "relu", "leaky_relu", "identity"}
        The hidden activation f (:data:`ACTIVATIONS`).
    output : {"softmax", "sigmoid", "identity", "exp"}
        The output function and its loss (:data:`OUTPUTS`): softmax and cross-entropy
        (classification, integer labels, at least 2 outputs), sigmoid and binary cross-entropy
        (independent 0/1 targets), identity and squared error (regression), exp and half the
        Poisson deviance (counts, targets >= 0).
    init : str or callable
        A name of :data:`INITIALIZERS` ("normal", "xavier_uniform", "xavier_normal", "he",
        "lecun", "constant") or a callable ``init(n_in, n_out, gen) -> array (n_in, n_out)``.
        Biases start at zero.
    rng : int, Generator or None
        Randomness of the initial weights (drawn in float64, then cast to ``dtype``, so the
        float32 and float64 models of a seed agree up to rounding).
    dtype : numpy.float32 or numpy.float64
        Of every parameter, and of the training that uses this model.

    Attributes
    ----------
    weights : list of ndarray
        ``weights[l]`` has shape ``(layer_sizes[l], layer_sizes[l + 1])``.
    biases : list of ndarray
        ``biases[l]`` has shape ``(layer_sizes[l + 1],)``.
    activation, output : str
    init : str
        The name of the initialisation, or "custom" for a callable (informative only).

    Examples
    --------
    >>> net = MLP([4, 3, 2], activation="tanh", rng=0)
    >>> net
    MLP(layer_sizes=[4, 3, 2], activation='tanh', output='softmax', dtype=float64)
    >>> X = np.ones((5, 4))
    >>> net.predict_proba(X).shape, net.predict(X).shape
    ((5, 2), (5,))

    References
    ----------
    Rumelhart, Hinton & Williams (1986); Glorot & Bengio (2010); He et al. (2015): see the
    module docstring.
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activation: str = "relu",
        output: str = "softmax",
        init: str | Callable[[int, int, np.random.Generator], Any] = "he",
        *,
        rng: RNGLike = 0,
        dtype: Any = np.float64,
    ) -> None:
        sizes = _check_layer_sizes(layer_sizes)
        self.activation = check_choice(activation, "activation", tuple(ACTIVATIONS))
        self.output = check_choice(output, "output", tuple(OUTPUTS))
        _check_output_size(self.output, sizes[-1])
        dt = check_dtype(dtype)
        if callable(init):
            init_fn, self.init = init, "custom"
        else:
            self.init = check_choice(init, "init", tuple(INITIALIZERS))
            init_fn = INITIALIZERS[self.init]
        gen = check_rng(rng)
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        for n_in, n_out in itertools.pairwise(sizes):
            w = np.asarray(init_fn(n_in, n_out, gen))
            if w.shape != (n_in, n_out):
                raise ValueError(
                    f"init must return an array of shape (n_in, n_out) = ({n_in}, {n_out}), "
                    f"got {w.shape}"
                )
            w = as_float_array(w, "the initial weights", dtype=dt)
            self.weights.append(np.array(w, dtype=dt, order="C", copy=True))
            self.biases.append(np.zeros(n_out, dtype=dt))

    # -- construction helpers --------------------------------------------------------------
    @classmethod
    def from_params(
        cls,
        weights: Sequence[Any],
        biases: Sequence[Any] | None = None,
        *,
        activation: str = "relu",
        output: str = "softmax",
        dtype: Any = None,
    ) -> MLP:
        """Build a network from given weights and biases (copied).

        Parameters
        ----------
        weights : sequence of array_like
            ``weights[l]`` of shape ``(n_l, n_{l+1})``; consecutive shapes must chain
            (``weights[l].shape[1] == weights[l + 1].shape[0]``).
        biases : sequence of array_like, optional
            ``biases[l]`` of shape ``(n_{l+1},)``; zeros when None.
        activation, output
            As for :class:`MLP`.
        dtype : numpy.float32 or numpy.float64, optional
            Default: that of ``weights[0]`` (float64 for integer arrays).

        Returns
        -------
        MLP
            A new network owning copies of the given arrays.

        Examples
        --------
        >>> net = MLP.from_params([np.eye(2), np.ones((2, 3))], activation="identity")
        >>> net.layer_sizes, net.predict_proba([[1.0, 0.0]]).round(3)
        ((2, 2, 3), array([[0.333, 0.333, 0.333]]))
        """
        if isinstance(weights, np.ndarray) or not isinstance(weights, Sequence) or not weights:
            raise TypeError(
                "weights must be a non-empty list of 2-D arrays, one per layer, got "
                f"{type(weights).__name__}"
            )
        ws = [as_float_array(w, f"weights[{i}]", ndim=2) for i, w in enumerate(weights)]
        dt = check_dtype(ws[0].dtype if dtype is None else dtype)
        for i in range(len(ws) - 1):
            if ws[i].shape[1] != ws[i + 1].shape[0]:
                raise ValueError(
                    f"layer sizes do not match: weights[{i}] has shape {ws[i].shape} "
                    f"({ws[i].shape[1]} outputs) but weights[{i + 1}] has shape "
                    f"{ws[i + 1].shape} ({ws[i + 1].shape[0]} inputs)"
                )
        sizes = [ws[0].shape[0]] + [w.shape[1] for w in ws]
        net = cls(sizes, activation, output, "constant", rng=0, dtype=dt)
        net.init = "given"
        net.weights = [np.array(w, dtype=dt, order="C", copy=True) for w in ws]
        if biases is not None:
            if isinstance(biases, np.ndarray) or not isinstance(biases, Sequence):
                raise TypeError(
                    f"biases must be a list of 1-D arrays, one per layer, got "
                    f"{type(biases).__name__}"
                )
            if len(biases) != len(ws):
                raise ValueError(
                    f"biases must have one array per layer ({len(ws)}), got {len(biases)}"
                )
            for i, b in enumerate(biases):
                arr = as_float_array(b, f"biases[{i}]", ndim=1)
                if arr.shape != (sizes[i + 1],):
                    raise ValueError(
                        f"biases[{i}] must have shape ({sizes[i + 1]},) to match weights[{i}], "
                        f"got {arr.shape}"
                    )
                net.biases[i] = np.array(arr, dtype=dt, copy=True)
        return net

    @classmethod
    def from_rbms(
        cls,
        rbms: Sequence[Any],
        n_outputs: int,
        *,
        activation: str = "sigmoid",
        output: str = "softmax",
        init: str = "xavier_uniform",
        rng: RNGLike = 0,
        dtype: Any = None,
    ) -> MLP:
        """A network whose hidden layers are a stack of trained RBMs, plus an output layer.

        Layer l takes the weights W (n_visible, n_hidden) and hidden biases b of ``rbms[l]``,
        so that with ``activation="sigmoid"`` its units compute p(h = 1 | v) of the RBM
        (greedy layer-wise pretraining, Hinton, Osindero & Teh 2006; Hinton & Salakhutdinov
        2006). The output layer (n_hidden of the last RBM -> n_outputs) is initialised with
        ``init`` and ``rng``.

        Parameters
        ----------
        rbms : sequence of RBM
            ``rbms[l].n_hidden == rbms[l + 1].n_visible``.
        n_outputs : int
        activation, output, init, rng
            As for :class:`MLP`.
        dtype : optional
            Default: that of the first RBM.

        Returns
        -------
        MLP
            Layer sizes ``[rbms[0].n_visible, rbms[0].n_hidden, ..., n_outputs]``.

        References
        ----------
        Hinton, G. E., Osindero, S. & Teh, Y.-W. (2006). A fast learning algorithm for deep
        belief nets. Neural Computation 18, 1527-1554.

        Hinton, G. E. & Salakhutdinov, R. R. (2006). Reducing the dimensionality of data with
        neural networks. Science 313, 504-507.
        """
        rbm_list = list(rbms)
        if not rbm_list:
            raise ValueError("rbms must hold at least one RBM")
        for i, r in enumerate(rbm_list):
            if not hasattr(r, "weights") or not hasattr(r, "hidden_bias"):
                raise TypeError(f"rbms[{i}] must be an energynets RBM, got {type(r).__name__}")
        sizes = [int(rbm_list[0].weights.shape[0])] + [int(r.weights.shape[1]) for r in rbm_list]
        sizes.append(check_int(n_outputs, "n_outputs", minimum=1))
        dt = rbm_list[0].weights.dtype if dtype is None else dtype
        net = cls(sizes, activation, output, init, rng=rng, dtype=dt)
        for layer, r in enumerate(rbm_list):
            net.init_from_rbm(layer, r)
        return net

    def init_from_rbm(self, layer: int, rbm: Any) -> None:
        """Set layer ``layer`` to an RBM's weights and hidden biases, in place.

        W_layer <- rbm.weights (n_visible, n_hidden) and b_layer <- rbm.hidden_bias, copied
        and cast to the network's dtype. With a sigmoid activation the layer then computes the
        RBM's p(h = 1 | v). The RBM's visible biases have no place in a feedforward net and
        are not used.

        Parameters
        ----------
        layer : int
            0 <= layer < number of weight layers.
        rbm : RBM
            ``rbm.n_visible`` and ``rbm.n_hidden`` must equal the layer's input and output
            sizes.
        """
        n = len(self.weights)
        idx = check_int(layer, "layer", minimum=0, maximum=n - 1)
        if not hasattr(rbm, "weights") or not hasattr(rbm, "hidden_bias"):
            raise TypeError(f"rbm must be an energynets RBM, got {type(rbm).__name__}")
        w = as_float_array(rbm.weights, "rbm.weights", ndim=2)
        b = as_float_array(rbm.hidden_bias, "rbm.hidden_bias", ndim=1)
        if w.shape != self.weights[idx].shape or b.shape != self.biases[idx].shape:
            raise ValueError(
                f"layer sizes do not match: layer {idx} maps {self.weights[idx].shape[0]} -> "
                f"{self.weights[idx].shape[1]} units, but the RBM has n_visible={w.shape[0]}, "
                f"n_hidden={w.shape[1]}"
            )
        self.weights[idx] = np.array(w, dtype=self.dtype, order="C", copy=True)
        self.biases[idx] = np.array(b, dtype=self.dtype, copy=True)

    def copy(self) -> MLP:
        """A deep copy.

        Returns
        -------
        MLP
        """
        out = MLP.__new__(MLP)
        out.activation, out.output, out.init = self.activation, self.output, self.init
        out.weights = [w.copy() for w in self.weights]
        out.biases = [b.copy() for b in self.biases]
        return out

    def astype(self, dtype: Any) -> MLP:
        """A copy with every parameter cast to ``dtype`` (float32 or float64).

        Parameters
        ----------
        dtype : numpy.float32 or numpy.float64

        Returns
        -------
        MLP
        """
        dt = check_dtype(dtype)
        out = self.copy()
        out.weights = [w.astype(dt) for w in out.weights]
        out.biases = [b.astype(dt) for b in out.biases]
        return out

    # -- shapes ----------------------------------------------------------------------------
    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """``(n_inputs, n_hidden_1, ..., n_outputs)``."""
        return (int(self.weights[0].shape[0]), *(int(w.shape[1]) for w in self.weights))

    @property
    def n_layers(self) -> int:
        """The number of weight layers (hidden layers + 1)."""
        return len(self.weights)

    @property
    def n_parameters(self) -> int:
        """The number of weights and biases together."""
        return sum(w.size + b.size for w, b in zip(self.weights, self.biases, strict=True))

    @property
    def dtype(self) -> np.dtype:
        """Floating-point type of every parameter."""
        return self.weights[0].dtype

    def parameters(self) -> list[tuple[str, np.ndarray]]:
        """``[("weights[0]", W_1), ..., ("biases[0]", b_1), ...]``: the arrays themselves.

        Returns
        -------
        list of (str, ndarray)
            Every weight matrix, then every bias vector, with its name; not copies, so an
            optimiser can update them in place.
        """
        named = [(f"weights[{i}]", w) for i, w in enumerate(self.weights)]
        return named + [(f"biases[{i}]", b) for i, b in enumerate(self.biases)]

    def __repr__(self) -> str:
        return (
            f"MLP(layer_sizes={list(self.layer_sizes)}, activation={self.activation!r}, "
            f"output={self.output!r}, dtype={self.dtype.name})"
        )

    # -- input checks ----------------------------------------------------------------------
    def check_input(self, X: Any, name: str = "X") -> np.ndarray:
        """``X`` as a 2-D array of the model's dtype with ``layer_sizes[0]`` columns.

        Raises ValueError for another number of columns, NaN or inf; may share memory with X.
        A ``scipy.sparse`` X is returned as a CSR matrix of the model's dtype (never
        densified): :meth:`forward`, :meth:`logits` and everything built on them take it.

        Parameters
        ----------
        X : array_like or scipy.sparse matrix, shape (n_samples, layer_sizes[0])
        name : str
            The argument name the error messages use.

        Returns
        -------
        ndarray or CSR matrix, shape (n_samples, layer_sizes[0])
        """
        if is_sparse(X):
            arr = _sparse_input(X, name, self.dtype)
        else:
            arr = as_float_array(X, name, ndim=2, dtype=self.dtype)
        if arr.shape[1] != self.layer_sizes[0]:
            raise ValueError(
                f"{name} must have {self.layer_sizes[0]} columns (the input layer size), got "
                f"shape {arr.shape}"
            )
        return arr

    def check_targets(self, y: Any, n_samples: int, name: str = "y") -> np.ndarray:
        """The training targets as a matrix T of shape (n_samples, n_outputs), model dtype.

        - softmax: ``y`` holds integer class labels in [0, n_outputs), shape (n_samples,);
          T is their one-hot encoding;
        - sigmoid: ``y`` holds values in [0, 1] (0/1 labels), shape (n_samples, n_outputs)
          or (n_samples,) for one output;
        - identity: any finite values, same shapes as for sigmoid.

        Returns a new array (never a view of ``y``).

        Parameters
        ----------
        y : array_like, shape (n_samples,) or (n_samples, n_outputs)
        n_samples : int
            The number of rows of the inputs ``y`` goes with.
        name : str
            The argument name the error messages use.

        Returns
        -------
        ndarray, shape (n_samples, n_outputs)
        """
        return target_matrix(y, self.output, self.layer_sizes[-1], n_samples, self.dtype, name)

    # -- forward and backward --------------------------------------------------------------
    def forward(self, X: Any) -> list[np.ndarray]:
        """Propagate a batch forward; return every layer's activations.

        Parameters
        ----------
        X : array_like or scipy.sparse matrix, shape (n_samples, layer_sizes[0])

        Returns
        -------
        list of ndarray
            ``[a_0, a_1, ..., a_{L-1}, z_L]``: the input a_0 = X (as an array of the model's
            dtype), the hidden activations a_l = f(a_{l-1} W_l + b_l), shape
            (n_samples, layer_sizes[l]), and the *logits* z_L = a_{L-1} W_L + b_L of the
            output layer (before the output function, which is fused with the loss:
            :meth:`predict_proba` applies it). This is what :meth:`backward` needs.
        """
        a = self.check_input(X)
        return self._forward(a)

    def _forward(self, a: np.ndarray) -> list[np.ndarray]:
        f = ACTIVATIONS[self.activation].function
        activations = [a]
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = a @ w
            z += b
            a = z if i == last else f(z, z)
            activations.append(a)
        return activations

    def backward(
        self, activations: Sequence[np.ndarray], y: Any
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Gradients of the mean loss by backpropagation, for the whole batch at once.

        With delta_L = (g(z_L) - T) / n the error at the logits (T the targets, see
        :meth:`check_targets`), for l = L, ..., 1:

            dLoss/dW_l = a_{l-1}^T delta_l,    dLoss/db_l = 1^T delta_l,
            delta_{l-1} = (delta_l W_l^T) * f'(z_{l-1})   (f' from a_{l-1}, see Activation).

        Parameters
        ----------
        activations : list of ndarray
            The result of :meth:`forward` for this batch (not modified).
        y : array_like, shape (n_samples,) or (n_samples, n_outputs)
            Targets of the batch (see :meth:`check_targets`).

        Returns
        -------
        weight_gradients, bias_gradients : lists of ndarray
            Shapes of :attr:`weights` and :attr:`biases`; the gradient of :meth:`loss`.
        """
        if len(activations) != len(self.weights) + 1:
            raise ValueError(
                f"activations must be the {len(self.weights) + 1} arrays returned by forward, "
                f"got {len(activations)}"
            )
        n = activations[0].shape[0]
        targets = self.check_targets(y, n)
        delta = OUTPUTS[self.output].function(activations[-1])
        delta -= targets
        delta /= n
        fprime = ACTIVATIONS[self.activation].derivative
        grads_w: list[np.ndarray] = [np.empty(0)] * len(self.weights)
        grads_b: list[np.ndarray] = [np.empty(0)] * len(self.weights)
        for layer in range(len(self.weights) - 1, -1, -1):
            a_prev = activations[layer]
            grads_w[layer] = a_prev.T @ delta
            grads_b[layer] = delta.sum(axis=0)
            if layer > 0:
                delta = delta @ self.weights[layer].T
                delta *= fprime(a_prev, np.empty_like(a_prev))
        return grads_w, grads_b

    def gradient(self, X: Any, y: Any) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
        """The mean loss and its gradients: ``(loss, weight_gradients, bias_gradients)``.

        Parameters
        ----------
        X : array_like, shape (n_samples, layer_sizes[0])
        y : array_like, shape (n_samples,) or (n_samples, n_outputs)
            Targets (see :meth:`check_targets`).

        Returns
        -------
        loss : float
            The mean loss (see :meth:`loss`).
        weight_gradients, bias_gradients : lists of ndarray
            Shapes of :attr:`weights` and :attr:`biases` (see :meth:`backward`).

        References
        ----------
        Rumelhart, D. E., Hinton, G. E. & Williams, R. J. (1986). Learning representations by
        back-propagating errors. Nature 323, 533-536.
        """
        activations = self.forward(X)
        targets = self.check_targets(y, activations[0].shape[0])
        loss = float(np.mean(OUTPUTS[self.output].loss(activations[-1], targets)))
        grads_w, grads_b = self.backward(activations, y)
        return loss, grads_w, grads_b

    # -- predictions and evaluation --------------------------------------------------------
    def logits(self, X: Any) -> np.ndarray:
        """The output layer's total input z_L, shape (n_samples, n_outputs).

        Parameters
        ----------
        X : array_like or scipy.sparse matrix, shape (n_samples, layer_sizes[0])

        Returns
        -------
        ndarray, shape (n_samples, n_outputs)
        """
        a = self.check_input(X)
        if a.shape[0] <= _CHUNK_ROWS:
            return self._forward(a)[-1]
        return np.concatenate(
            [self._forward(a[i : i + _CHUNK_ROWS])[-1] for i in range(0, a.shape[0], _CHUNK_ROWS)]
        )

    def predict_proba(self, X: Any) -> np.ndarray:
        """The outputs g(z_L), shape (n_samples, n_outputs).

        Class probabilities for softmax (rows sum to 1), independent probabilities for
        sigmoid, the regression values for identity.

        Parameters
        ----------
        X : array_like or scipy.sparse matrix, shape (n_samples, layer_sizes[0])

        Returns
        -------
        ndarray, shape (n_samples, n_outputs)
        """
        return OUTPUTS[self.output].function(self.logits(X))

    def predict(self, X: Any) -> np.ndarray:
        """Predictions, shape (n_samples,) or (n_samples, n_outputs).

        softmax: the most probable class, int64, shape (n_samples,); sigmoid: 0/1 decisions
        p > 1/2 (z > 0), int64, shape (n_samples,) for one output else (n_samples, n_outputs);
        identity: the outputs, shaped like sigmoid's.

        Parameters
        ----------
        X : array_like or scipy.sparse matrix, shape (n_samples, layer_sizes[0])

        Returns
        -------
        ndarray, shape (n_samples,) or (n_samples, n_outputs)
        """
        z = self.logits(X)
        if self.output == "softmax":
            return np.argmax(z, axis=1).astype(np.int64)
        out = (z > 0).astype(np.int64) if self.output == "sigmoid" else z
        if self.output == "exp":
            out = np.exp(z)
        return out[:, 0] if out.shape[1] == 1 else out

    def loss(self, X: Any, y: Any) -> float:
        """The mean loss over the rows: cross-entropy, binary cross-entropy or squared error.

        softmax: -1/n sum_i log p(y_i | x_i) = 1/n sum_i (logsumexp(z_i) - z_{i, y_i});
        sigmoid: 1/n sum_i sum_k (softplus(z_ik) - t_ik z_ik);
        identity: 1/n sum_i 1/2 ||z_i - t_i||^2. Exact for any finite logits.

        Parameters
        ----------
        X, y
            Inputs and targets, as for :meth:`evaluate`.

        Returns
        -------
        float
        """
        return self.evaluate(X, y)[0]

    def score(self, X: Any, y: Any) -> float:
        """Accuracy for softmax and sigmoid outputs, R^2 for identity outputs.

        softmax: the fraction of rows whose most probable class is the label; sigmoid: the
        fraction of rows whose every output is on the right side of 1/2 (for one output, the
        plain accuracy); identity: the coefficient of determination 1 - SS_res / SS_tot
        (summed over outputs).

        Parameters
        ----------
        X, y
            Inputs and targets, as for :meth:`evaluate`.

        Returns
        -------
        float
        """
        return self.evaluate(X, y)[1]

    def evaluate(self, X: Any, y: Any) -> tuple[float, float]:
        """``(loss(X, y), score(X, y))`` from a single forward pass.

        Parameters
        ----------
        X : array_like or scipy.sparse matrix, shape (n_samples, layer_sizes[0])
        y : array_like, shape (n_samples,) or (n_samples, n_outputs)
            Targets (see :meth:`check_targets`).

        Returns
        -------
        loss, score : float
            As :meth:`loss` and :meth:`score` give them.
        """
        a = self.check_input(X)
        targets = self.check_targets(y, a.shape[0])
        z = self.logits(a)
        return self._loss_and_score(z, targets)

    def _loss_and_score(self, z: np.ndarray, targets: np.ndarray) -> tuple[float, float]:
        loss = float(np.mean(OUTPUTS[self.output].loss(z, targets)))
        if self.output == "softmax":
            score = float(np.mean(targets[np.arange(z.shape[0]), np.argmax(z, axis=1)] == 1))
        elif self.output == "sigmoid":
            score = float(np.mean(np.all((z > 0) == (targets > 0.5), axis=1)))
        else:
            z = np.exp(z) if self.output == "exp" else z
            total = float(np.sum((targets - targets.mean(axis=0)) ** 2, dtype=np.float64))
            resid = float(np.sum((targets - z) ** 2, dtype=np.float64))
            score = 1.0 - resid / total if total > 0 else float(resid == 0.0)
        return loss, score

    # -- persistence -----------------------------------------------------------------------
    def get_params(self) -> dict[str, Any]:
        """Arrays and settings that define the network (used by :mod:`energynets.io`).

        Returns
        -------
        dict
            ``weights_0, ..., weights_{L-1}``, ``biases_0, ...``, ``activation``, ``output``.
        """
        params: dict[str, Any] = {"activation": self.activation, "output": self.output}
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            params[f"weights_{i}"] = w
            params[f"biases_{i}"] = b
        return params


def _sparse_input(X: Any, name: str, dtype: np.dtype) -> Any:
    """A ``scipy.sparse`` X as a 2-D CSR matrix of ``dtype`` with finite values (X itself
    when it already is one)."""
    csr = X.tocsr()
    if csr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features), got shape {csr.shape}")
    if not (np.issubdtype(csr.dtype, np.number) or np.issubdtype(csr.dtype, np.bool_)):
        raise TypeError(f"{name} must hold numbers, got dtype {csr.dtype}")
    if np.issubdtype(csr.dtype, np.complexfloating):
        raise ValueError(f"{name} must be real-valued, got dtype {csr.dtype}")
    csr = csr.astype(dtype, copy=False)
    if not np.all(np.isfinite(csr.data)):
        raise ValueError(f"{name} must contain only finite values (no NaN or inf)")
    return csr


def _check_output_size(output: str, n_outputs: int) -> None:
    if output == "softmax" and n_outputs < 2:
        raise ValueError(
            f"output='softmax' needs at least 2 output units (one per class), got {n_outputs}; "
            "use output='sigmoid' for a single binary output"
        )
