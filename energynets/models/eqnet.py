"""The layered energy network of equilibrium propagation: the continuous Hopfield model of
1984 in the form of Scellier & Bengio (2017).

The input layer s_0 = x is clamped (used as it is: rho(x) = x for inputs in [0, 1], such as
pixels); the states s_1, ..., s_L of the other layers live in
[0, 1] and relax to a minimum of the energy

    E(s) = 1/2 sum_{l >= 1} ||s_l||^2 - sum_{l >= 1} rho(s_{l-1})^T W_l rho(s_l)
           - sum_{l >= 1} b_l^T rho(s_l),

rho(u) = min(max(u, 0), 1) the hard sigmoid (on [0, 1], rho(s) = s), with couplings W_l of
shape (n_{l-1}, n_l) only between neighbouring layers. The output is the last layer s_L
(``output="squared"``, cost C = 1/2 ||s_L - y||^2), or a softmax read out from it by one more
layer that takes no part in the relaxation (``output="softmax"``, C = -log p(y | s_L), the
cross-entropy output of Laborieux et al. 2021).

Relaxation is projected gradient descent on the total energy F = E + beta C, synchronous over
all layers and vectorised over the batch:

    s_l <- rho((1 - dt) s_l + dt (a_l(s) - beta dC/ds_l)),
    a_l(s) = s_{l-1} W_l + b_l + s_{l+1} W_{l+1}^T          (the field on layer l),

so s_{t+1} = rho(s_t - dt dF/ds(s_t)). With ``dt = 1`` this is the discrete-time
"prototypical" setting of Ernoult et al. (2019), s_{t+1} = rho(dPhi/ds(x, s_t) - beta
dC/ds(s_t)) with the primitive function Phi(x, s) = sum_l s_{l-1}^T W_l s_l + b_l^T s_l; with
``dt < 1`` it is the Euler discretisation of the continuous-time dynamics ds/dt = -dF/ds of
Scellier & Bengio (2017), and for a small enough step the energy never rises (gradient descent
projected on the box). beta = 0 is the free phase; beta != 0 nudges the output towards the
target. Training is in :mod:`energynets.learning.eqprop`.

References
----------
Hopfield, J. J. (1984). Neurons with graded response have collective computational properties
like those of two-state neurons. PNAS 81, 3088-3092.
Scellier, B. & Bengio, Y. (2017). Equilibrium propagation: bridging the gap between
energy-based models and backpropagation. Frontiers in Computational Neuroscience 11, 24.
Ernoult, M., Grollier, J., Querlioz, D., Bengio, Y. & Scellier, B. (2019). Updates of
equilibrium prop match gradients of backprop through time in an RNN with static input.
NeurIPS 2019.
Laborieux, A., Ernoult, M., Scellier, B., Bengio, Y., Grollier, J. & Querlioz, D. (2021).
Scaling equilibrium propagation to deep ConvNets by drastically reducing its gradient
estimator bias. Frontiers in Neuroscience 15, 633674.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from energynets._validation import (
    RNGLike,
    as_float_array,
    check_choice,
    check_dtype,
    check_float,
    check_int,
    check_rng,
)
from energynets.models._labels import check_labels, one_hot
from energynets.models._units import softmax

__all__ = ["OUTPUTS", "EnergyNetwork", "Relaxation"]

#: The costs of the output: squared error on the last layer, or a softmax read-out of it.
OUTPUTS = ("squared", "softmax")

States = list[np.ndarray]


class EnergyNetwork:
    """A layered continuous Hopfield network trained by equilibrium propagation.

    Parameters
    ----------
    layer_sizes : sequence of int
        [n_input, n_1, ..., n_out]: at least one hidden layer. With ``output="softmax"`` the
        last size is the number of classes of the read-out, which does not relax.
    output : {"squared", "softmax"}
        The cost: 1/2 ||s_L - y||^2 on the last layer, or the cross-entropy of a softmax read
        out from the last relaxed layer.
    rng : int, Generator or None
        The initial weights and biases, uniform in +-1/sqrt(fan_in) (PyTorch's default for a
        linear layer, used by the reference implementations).
    dtype : numpy.float32 or numpy.float64

    Attributes
    ----------
    weights : list of ndarray
        W_l, shape (n_{l-1}, n_l); the last one is the read-out for softmax outputs.
    biases : list of ndarray
        b_l, shape (n_l,).

    References
    ----------
    Scellier & Bengio (2017); Laborieux et al. (2021): full citations in the module docstring.

    Examples
    --------
    >>> net = EnergyNetwork([4, 8, 3], output="softmax", rng=0)
    >>> states = net.relax([[0.0, 1.0, 1.0, 0.0]], n_steps=20)
    >>> [s.shape for s in states], net.predict_proba([[0.0, 1.0, 1.0, 0.0]], n_steps=20).shape
    ([(1, 8)], (1, 3))
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        output: str = "squared",
        *,
        rng: RNGLike = 0,
        dtype: Any = np.float64,
    ) -> None:
        sizes = _check_sizes(layer_sizes)
        self.output = check_choice(output, "output", OUTPUTS)
        if self.output == "softmax" and len(sizes) < 3:
            raise ValueError(
                "layer_sizes must give an input, at least one relaxed layer and the classes "
                f"for output='softmax', got {list(sizes)}"
            )
        dt = check_dtype(dtype)
        gen = check_rng(rng)
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        for n_in, n_out in itertools.pairwise(sizes):
            bound = 1.0 / np.sqrt(n_in)
            self.weights.append(gen.uniform(-bound, bound, (n_in, n_out)).astype(dt))
            self.biases.append(gen.uniform(-bound, bound, n_out).astype(dt))

    # -- description ---------------------------------------------------------------------------
    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """(n_input, n_1, ..., n_out)."""
        return (self.weights[0].shape[0], *(w.shape[1] for w in self.weights))

    @property
    def n_relaxed(self) -> int:
        """The number of layers that relax (all but the input, and the read-out of softmax
        outputs)."""
        return len(self.weights) - (self.output == "softmax")

    @property
    def dtype(self) -> np.dtype:
        """The floating-point type of the parameters and states."""
        return self.weights[0].dtype

    def __repr__(self) -> str:
        sizes = list(self.layer_sizes)
        return f"EnergyNetwork({sizes}, output={self.output!r}, dtype={self.dtype.name})"

    def copy(self) -> EnergyNetwork:
        """A deep copy.

        Returns
        -------
        EnergyNetwork
        """
        out = EnergyNetwork.__new__(EnergyNetwork)
        out.output = self.output
        out.weights = [w.copy() for w in self.weights]
        out.biases = [b.copy() for b in self.biases]
        return out

    @classmethod
    def from_params(
        cls,
        weights: Sequence[Any],
        biases: Sequence[Any],
        output: str = "squared",
        dtype: Any = np.float64,
    ) -> EnergyNetwork:
        """A network with the given parameters (copied, checked).

        Parameters
        ----------
        weights : sequence of array_like
            W_l, shapes (n_{l-1}, n_l) that chain.
        biases : sequence of array_like
            b_l, shapes (n_l,).
        output : {"squared", "softmax"}
        dtype : numpy.float32 or numpy.float64

        Returns
        -------
        EnergyNetwork
        """
        dt = check_dtype(dtype)
        ws = [as_float_array(w, f"weights[{i}]", ndim=2, dtype=dt) for i, w in enumerate(weights)]
        bs = [as_float_array(b, f"biases[{i}]", ndim=1, dtype=dt) for i, b in enumerate(biases)]
        if len(ws) != len(bs) or not ws:
            raise ValueError(
                f"weights and biases must be as many (one per layer after the input), got "
                f"{len(ws)} and {len(bs)}"
            )
        for i, (w, b) in enumerate(zip(ws, bs, strict=True)):
            if b.shape != (w.shape[1],) or (i and w.shape[0] != ws[i - 1].shape[1]):
                raise ValueError(
                    f"weights[{i}] of shape {w.shape} and biases[{i}] of shape {b.shape} do "
                    "not chain with the layer before"
                )
        net = cls([w.shape[0] for w in ws] + [ws[-1].shape[1]], output, rng=0, dtype=dt)
        net.weights = [np.array(w, copy=True) for w in ws]
        net.biases = [np.array(b, copy=True) for b in bs]
        return net

    def get_params(self) -> dict[str, Any]:
        """The arrays and settings that define the network (for :mod:`energynets.io`).

        Returns
        -------
        dict
            ``weights_l``, ``biases_l`` and ``output``.
        """
        params: dict[str, Any] = {"output": self.output}
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            params[f"weights_{i}"] = w
            params[f"biases_{i}"] = b
        return params

    # -- inputs and states -------------------------------------------------------------------
    def check_input(self, X: Any, name: str = "X") -> np.ndarray:
        """X as a 2-D array (n_samples, n_input) in the model's dtype, finite.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_input) or (n_input,)
        name : str
            The argument name the error messages use.

        Returns
        -------
        ndarray, shape (n_samples, n_input)
        """
        x = as_float_array(X, name, ndim=(1, 2), dtype=self.dtype)
        x = x[None, :] if x.ndim == 1 else x
        if x.shape[1] != self.layer_sizes[0]:
            raise ValueError(
                f"{name} must have {self.layer_sizes[0]} columns (the input layer), got shape "
                f"{x.shape}"
            )
        return x

    def check_targets(self, y: Any, n_samples: int, name: str = "y") -> np.ndarray:
        """The targets as an array (n_samples, n_out): values for squared outputs, one-hot
        rows of integer labels for softmax outputs.

        Parameters
        ----------
        y : array_like
            Integer labels in [0, n_out), shape (n_samples,), which become one-hot rows; or
            rows of n_out values in [0, 1] (class probabilities summing to 1 for softmax
            outputs; for squared outputs a 1-D array is one value per row when n_out = 1).
        n_samples : int
        name : str

        Returns
        -------
        ndarray, shape (n_samples, n_out)
        """
        n_out = self.layer_sizes[-1]
        arr = np.asarray(y)
        if arr.ndim == 1 and (self.output == "softmax" or n_out > 1):
            labels = check_labels(y, n_out, name)
            targets = one_hot(labels, n_out, self.dtype)
        else:
            targets = as_float_array(y, name, ndim=(1, 2), dtype=self.dtype)
            targets = targets.reshape(-1, 1) if targets.ndim == 1 else targets
            if targets.shape[1] != n_out:
                raise ValueError(f"{name} must have {n_out} columns, got shape {targets.shape}")
            if np.any((targets < 0) | (targets > 1)):
                raise ValueError(f"{name} must lie in [0, 1] (the states' range)")
            if self.output == "softmax" and np.any(np.abs(targets.sum(axis=1) - 1.0) > 1e-6):
                raise ValueError(f"{name} rows must sum to 1 (class probabilities)")
        if targets.shape[0] != n_samples:
            raise ValueError(
                f"{name} must have one row per row of X ({n_samples}), got {targets.shape[0]}"
            )
        return targets

    def zero_states(self, n_samples: int) -> States:
        """All relaxed layers at 0, the usual start of the free phase.

        Parameters
        ----------
        n_samples : int

        Returns
        -------
        list of ndarray
            One (n_samples, n_l) array per relaxed layer.
        """
        return [
            np.zeros((n_samples, n), self.dtype) for n in self.layer_sizes[1:][: self.n_relaxed]
        ]

    # -- energy and dynamics -------------------------------------------------------------------
    def energy(self, X: Any, states: Sequence[Any]) -> np.ndarray:
        """E(s) of each row (see the module docstring), the input clamped to X.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_input)
        states : sequence of array_like
            One (n_samples, n_l) array per relaxed layer.

        Returns
        -------
        ndarray, shape (n_samples,)
        """
        x = self.check_input(X)
        s = [np.clip(np.asarray(a, dtype=self.dtype), 0.0, 1.0) for a in states]
        e = np.zeros(x.shape[0])
        below = x
        for w, b, layer in zip(self.weights, self.biases, s, strict=False):
            e += 0.5 * np.sum(layer * layer, axis=1)
            e -= np.sum((below @ w) * layer, axis=1) + layer @ b
            below = layer
        return e

    def fields(self, x: np.ndarray, states: States, bottom: np.ndarray | None = None) -> States:
        """a_l(s) = s_{l-1} W_l + b_l + s_{l+1} W_{l+1}^T of every relaxed layer.

        Parameters
        ----------
        x : ndarray, shape (n_samples, n_input)
            The checked input.
        states : list of ndarray
        bottom : ndarray, optional
            x W_1 + b_1, when the caller computed it once for many steps.

        Returns
        -------
        list of ndarray
            New arrays (:meth:`Relaxation.fields` writes them into the caller's).
        """
        relaxation = Relaxation(self, x, bottom=bottom)
        return relaxation.fields(states, [np.empty_like(s) for s in states])

    def nudge(self, states: States, targets: np.ndarray) -> np.ndarray:
        """-dC/ds of the last relaxed layer: the force towards the targets.

        Parameters
        ----------
        states : list of ndarray
        targets : ndarray, shape (n_samples, n_out)

        Returns
        -------
        ndarray, shape of ``states[-1]``
        """
        top = states[-1]
        logits = np.empty((top.shape[0], self.layer_sizes[-1]), top.dtype)
        return _force(self, top, targets, np.empty_like(top), logits)

    def step(
        self,
        x: np.ndarray,
        states: States,
        dt: float,
        beta: float = 0.0,
        targets: np.ndarray | None = None,
        bottom: np.ndarray | None = None,
    ) -> States:
        """One synchronous step s <- rho(s - dt dF/ds) of all relaxed layers (a new list).

        Parameters
        ----------
        x : ndarray
            The checked input.
        states : list of ndarray
        dt : float in (0, 1]
        beta, targets
            As for :meth:`Relaxation.pre_activation`.
        bottom : ndarray, optional
            x W_1 + b_1 (see :meth:`fields`).

        Returns
        -------
        list of ndarray
            New arrays (:meth:`Relaxation.step` writes them into the caller's).
        """
        relaxation = Relaxation(self, x, dt, bottom=bottom)
        return relaxation.step(states, [np.empty_like(s) for s in states], beta, targets)

    def relax(
        self,
        X: Any,
        n_steps: int = 30,
        dt: float = 1.0,
        *,
        states: Sequence[Any] | None = None,
        beta: float = 0.0,
        y: Any = None,
    ) -> States:
        """The states after ``n_steps`` steps of the dynamics (see the module docstring).

        Parameters
        ----------
        X : array_like, shape (n_samples, n_input)
        n_steps : int >= 0
        dt : float in (0, 1]
            1: the prototypical setting; smaller: Euler steps of the continuous dynamics.
        states : sequence of array_like, optional
            Where to start (default: all zero). Not modified.
        beta : float
            Nudging strength; needs ``y`` when not 0.
        y : array_like, optional
            Targets (see :meth:`check_targets`).

        Returns
        -------
        list of ndarray
            One (n_samples, n_l) array per relaxed layer.
        """
        x = self.check_input(X)
        steps = check_int(n_steps, "n_steps", minimum=0)
        step_size = check_dt(dt)
        b = check_float(beta, "beta")
        targets = None
        if b != 0.0:
            if y is None:
                raise ValueError("y is needed to nudge the network (beta != 0)")
            targets = self.check_targets(y, x.shape[0])
        return Relaxation(self, x, step_size).run(self._start(x, states), steps, b, targets)

    def _start(self, x: np.ndarray, states: Sequence[Any] | None) -> States:
        if states is None:
            return self.zero_states(x.shape[0])
        sizes = self.layer_sizes[1 : 1 + self.n_relaxed]
        if len(states) != len(sizes):
            raise ValueError(f"states must hold {len(sizes)} arrays, got {len(states)}")
        out = []
        for i, (s, n) in enumerate(zip(states, sizes, strict=True)):
            arr = as_float_array(s, f"states[{i}]", ndim=2, dtype=self.dtype)
            if arr.shape != (x.shape[0], n):
                raise ValueError(f"states[{i}] must have shape {(x.shape[0], n)}, got {arr.shape}")
            out.append(np.clip(arr, 0.0, 1.0))
        return out

    # -- outputs -------------------------------------------------------------------------------
    def output_of(self, states: States) -> np.ndarray:
        """The output of relaxed states: the last layer (squared) or the class probabilities
        (softmax), shape (n_samples, n_out).

        Parameters
        ----------
        states : list of ndarray

        Returns
        -------
        ndarray
        """
        if self.output == "squared":
            return states[-1]
        return softmax(states[-1] @ self.weights[-1] + self.biases[-1])

    def cost(
        self, states: States, targets: np.ndarray, output: np.ndarray | None = None
    ) -> np.ndarray:
        """C of each row: 1/2 ||s_L - y||^2, or -log p(y | s_L).

        Parameters
        ----------
        states : list of ndarray
        targets : ndarray, shape (n_samples, n_out)
        output : ndarray, optional
            ``output_of(states)``, when the caller has it already.

        Returns
        -------
        ndarray, shape (n_samples,)
        """
        out = self.output_of(states) if output is None else output
        if self.output == "squared":
            return 0.5 * np.sum((out - targets) ** 2, axis=1)
        return -np.log(np.maximum(np.sum(out * targets, axis=1), np.finfo(out.dtype).tiny))

    def predict_proba(self, X: Any, n_steps: int = 30, dt: float = 1.0) -> np.ndarray:
        """The output after the free phase: class probabilities (softmax) or the states of
        the output layer (squared), shape (n_samples, n_out).

        Parameters
        ----------
        X : array_like, shape (n_samples, n_input)
        n_steps : int >= 0
        dt : float in (0, 1]

        Returns
        -------
        ndarray
        """
        return self.output_of(self.relax(X, n_steps, dt))

    def predict(self, X: Any, n_steps: int = 30, dt: float = 1.0) -> np.ndarray:
        """The class of the largest output after the free phase.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_input)
        n_steps : int >= 0
        dt : float in (0, 1]

        Returns
        -------
        ndarray of int, shape (n_samples,)
        """
        return np.argmax(self.predict_proba(X, n_steps, dt), axis=1).astype(np.int64)


class Relaxation:
    """The relaxation of one batch: the step of the dynamics on buffers allocated once.

    For the clamped input x it computes the input's field x W_1 + b_1 once, and then each
    synchronous step of all relaxed layers (see the module docstring),

        s_l <- rho((1 - dt) s_l + dt (a_l(s) - beta dC/ds_l)),
        a_l(s) = s_{l-1} W_l + b_l + s_{l+1} W_{l+1}^T,

    into arrays the caller gives, with the matrix products written into buffers of its own:
    no array is allocated per step. The arithmetic is that of :meth:`EnergyNetwork.step`
    (which runs through this class), operation for operation.

    Parameters
    ----------
    model : EnergyNetwork
        Read, not copied: its current parameters are used at every step (the input's field
        excepted, computed here once).
    x : ndarray, shape (n_samples, n_input)
        The checked input (:meth:`EnergyNetwork.check_input`).
    dt : float in (0, 1]
        The step (1: the prototypical setting).
    bottom : ndarray, optional
        x W_1 + b_1, when the caller has it (used as it is, not copied).

    Attributes
    ----------
    bottom : ndarray, shape (n_samples, n_1)
        The input's field x W_1 + b_1.

    References
    ----------
    Scellier & Bengio (2017); Ernoult et al. (2019): full citations in the module docstring.

    Examples
    --------
    >>> net = EnergyNetwork([4, 8, 5, 3], output="softmax", rng=0)
    >>> x = net.check_input([[0.0, 1.0, 1.0, 0.0]])
    >>> relaxation = Relaxation(net, x)
    >>> states = relaxation.run(net.zero_states(1), n_steps=20)
    >>> all(np.array_equal(a, b) for a, b in zip(states, net.relax(x, n_steps=20)))
    True
    >>> out = [np.empty_like(s) for s in states]
    >>> relaxation.step(states, out, beta=0.5, targets=net.check_targets([2], 1)) is out
    True
    """

    def __init__(
        self, model: EnergyNetwork, x: np.ndarray, dt: float = 1.0, *, bottom: Any = None
    ) -> None:
        self.model, self.x, self.dt = model, x, dt
        if bottom is None:
            bottom = x @ model.weights[0]
            bottom += model.biases[0]
        self.bottom = bottom
        n, dtype = x.shape[0], model.dtype
        sizes = model.layer_sizes[1 : 1 + model.n_relaxed]
        # per layer: the product from above, then the leak (1 - dt) s; the last: the nudge
        self._scratch = [np.empty((n, k), dtype) for k in sizes]
        self._logits = np.empty((n, model.layer_sizes[-1]), dtype)

    def fields(self, states: States, out: States) -> States:
        """out_l <- a_l(s) = s_{l-1} W_l + b_l + s_{l+1} W_{l+1}^T of every relaxed layer.

        Parameters
        ----------
        states, out
            As for :meth:`pre_activation`.

        Returns
        -------
        list of ndarray
            ``out``.
        """
        return self._fields(states, out, None)

    def _fields(self, states: States, out: States, force: np.ndarray | None) -> States:
        """out <- a(s), plus ``force`` (beta times -dC/ds_L, or None) on the last layer: it
        takes the place of the layer above that the last one does not have."""
        w, b, n = self.model.weights, self.model.biases, len(states)
        for i, a in enumerate(out):
            if i == 0:
                below = self.bottom  # x W_1 + b_1, computed once
            else:
                below = np.matmul(states[i - 1], w[i], out=a)
                below += b[i]
            above = force
            if i + 1 < n:
                above = np.matmul(states[i + 1], w[i + 1].T, out=self._scratch[i])
            if above is not None:
                np.add(below, above, out=a)
            elif i == 0:
                np.copyto(a, below)
        return out

    def pre_activation(
        self, states: States, out: States, beta: float = 0.0, targets: np.ndarray | None = None
    ) -> States:
        """out <- u = (1 - dt) s + dt (a(s) - beta dC/ds), the step before the projection.

        Parameters
        ----------
        states : list of ndarray
            One (n_samples, n_l) array per relaxed layer. Not modified.
        out : list of ndarray
            Arrays of the states' shapes (not the states themselves), written.
        beta : float
            The nudging strength (0: the free phase).
        targets : ndarray, optional
            Needed when beta != 0.

        Returns
        -------
        list of ndarray
            ``out``.
        """
        force = None
        if beta != 0.0:
            assert targets is not None
            force = _force(self.model, states[-1], targets, self._scratch[-1], self._logits)
            force *= beta
        self._fields(states, out, force)
        if self.dt != 1.0:
            for s, u, leak in zip(states, out, self._scratch, strict=True):
                u *= self.dt
                u += np.multiply(s, 1.0 - self.dt, out=leak)
        return out

    def step(
        self, states: States, out: States, beta: float = 0.0, targets: np.ndarray | None = None
    ) -> States:
        """out <- rho(u): one synchronous step s <- rho(s - dt dF/ds) of all relaxed layers.

        Parameters
        ----------
        states, out, beta, targets
            As for :meth:`pre_activation` (``states`` is not modified).

        Returns
        -------
        list of ndarray
            ``out``.
        """
        for u in self.pre_activation(states, out, beta, targets):
            u.clip(0.0, 1.0, out=u)
        return out

    def run(
        self,
        start: States,
        n_steps: int,
        beta: float = 0.0,
        targets: np.ndarray | None = None,
    ) -> States:
        """The states after ``n_steps`` steps from ``start``.

        With one relaxed layer, no nudging and dt = 1 the field of the layer is the input's
        alone, so the first step reaches the fixed point and the others are not computed
        (the result is the same).

        Parameters
        ----------
        start : list of ndarray
            Not modified.
        n_steps : int >= 0
        beta, targets
            As for :meth:`pre_activation`.

        Returns
        -------
        list of ndarray
            New arrays (``start``'s own when ``n_steps`` is 0).
        """
        if beta == 0.0 and self.dt == 1.0 and len(start) == 1:
            n_steps = min(n_steps, 1)  # s = rho(x W_1 + b_1) after any number of steps
        buffers = [[np.empty_like(s) for s in start] for _ in range(min(n_steps, 2))]
        states = list(start)
        for t in range(n_steps):
            states = self.step(states, buffers[t % 2], beta, targets)
        return states


def _force(
    model: EnergyNetwork, top: np.ndarray, targets: np.ndarray, out: np.ndarray, logits: Any
) -> np.ndarray:
    """out <- -dC/ds_L, the force towards the targets on the last relaxed layer: y - s_L, or
    (y - softmax(s_L W + b)) W^T through the read-out (``logits`` a buffer of its shape)."""
    if model.output == "squared":
        return np.subtract(targets, top, out=out)
    z = np.matmul(top, model.weights[-1], out=logits)
    z += model.biases[-1]
    z -= z.max(axis=1, keepdims=True)  # the softmax of energynets.models._units, in place
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return np.matmul(np.subtract(targets, z, out=z), model.weights[-1].T, out=out)


def _check_sizes(layer_sizes: Any) -> tuple[int, ...]:
    if isinstance(layer_sizes, str | bytes) or not isinstance(layer_sizes, Sequence | np.ndarray):
        raise TypeError(f"layer_sizes must be a sequence of ints, got {type(layer_sizes).__name__}")
    sizes = tuple(check_int(s, f"layer_sizes[{i}]", minimum=1) for i, s in enumerate(layer_sizes))
    if len(sizes) < 3:
        raise ValueError(
            f"layer_sizes must give an input, at least one hidden layer and an output, got "
            f"{list(sizes)}"
        )
    return sizes


def check_dt(dt: Any) -> float:
    """The step of the relaxation as a float in (0, 1], for every function that takes one."""
    step = check_float(dt, "dt", minimum=0.0, exclusive_minimum=True)
    if step > 1.0:
        raise ValueError(f"dt must lie in (0, 1] (1: the prototypical setting), got {step}")
    return step
