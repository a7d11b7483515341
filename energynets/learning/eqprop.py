"""Training the layered energy network: :func:`fit_eqprop`.

Each mini-batch relaxes the network (the free phase), estimates the gradient of the mean
cost by one of four rules (:mod:`energynets.learning.eqprop_gradients`) and moves the
parameters by an optimiser of :mod:`energynets.learning.optim`. The rules:

- ``"ep"``: equilibrium propagation (Scellier & Bengio 2017), local Hebbian differences
  between the free and the nudged states, one-sided, symmetric or with a random sign of beta;
- ``"chl"``: contrastive Hebbian learning (Movellan 1991), free against output-clamped;
- ``"bptt"``: backprop through time through the free relaxation (the same network and
  relaxation, trained as a recurrent network);
- ``"rbp"``: recurrent backprop at the free fixed point (Almeida 1987; Pineda 1987), the exact
  gradient of the loss at the fixed point.

The epochs, callbacks, progress bar, divergence guard, checkpoints and bit-identical resume
are those of every trainer of the package (:mod:`energynets.learning._loop`).
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from energynets._validation import (
    RNGLike,
    check_choice,
    check_float,
    check_int,
    check_rng,
)
from energynets.learning import optim
from energynets.learning._loop import Training, check_callbacks, run
from energynets.learning.eqprop_gradients import (
    NUDGINGS,
    EqPropGradient,
    Workspace,
    batch_gradient,
)
from energynets.models.eqnet import EnergyNetwork, Relaxation, check_dt

__all__ = ["RULES", "fit_eqprop"]

#: The learning rules of :func:`fit_eqprop`.
RULES = ("ep", "chl", "bptt", "rbp")


@dataclass
class _Settings:
    rule: str
    beta: float
    nudging: str
    n_free: int
    n_nudged: int
    dt: float
    learning_rates: tuple[float, ...]
    optimizer: str
    batch_size: int


def fit_eqprop(
    model: EnergyNetwork,
    X: Any,
    y: Any,
    *,
    rule: str = "ep",
    beta: float = 0.5,
    nudging: str = "random",
    n_free: int = 30,
    n_nudged: int = 10,
    dt: float = 1.0,
    optimizer: str = "sgd",
    learning_rate: float | Sequence[float] = 0.05,
    learning_rate_schedule: str | Callable[[int], float] = "constant",
    momentum: float = 0.9,
    n_epochs: int = 10,
    batch_size: int = 32,
    validation_data: tuple[Any, Any] | None = None,
    rng: RNGLike = 0,
    callbacks: Sequence[Callable[..., Any]] | Callable[..., Any] = (),
    progress: bool = False,
    checkpoint: str | os.PathLike[str] | None = None,
    checkpoint_every: int = 1,
    resume: str | os.PathLike[str] | None = None,
) -> tuple[EnergyNetwork, dict[str, list[Any]]]:
    """Train an energy network by equilibrium propagation (or its references) on (X, y).

    Each epoch visits the rows in a fresh random order, in mini-batches; for each batch the
    free phase relaxes ``n_free`` steps from zero states, the rule estimates the gradient g of
    the mean cost, and the optimiser moves the parameters (layer l with its own learning
    rate when ``learning_rate`` is a sequence).

    Parameters
    ----------
    model : EnergyNetwork
        Copied once; the copy is trained and returned. Its dtype is used throughout.
    X : array_like, shape (n_samples, n_input)
        Inputs, e.g. pixels in [0, 1]. Not modified.
    y : array_like
        Targets (see :meth:`EnergyNetwork.check_targets`): labels for classification.
    rule : {"ep", "chl", "bptt", "rbp"}
    beta : float > 0
        The nudging strength of EP.
    nudging : {"random", "symmetric", "one-sided"}
        EP's nudged phase: the sign of beta drawn for each batch (Laborieux et al. 2021), or
        both signs, or +beta (Scellier & Bengio 2017).
    n_free, n_nudged : int >= 1
        Steps of the free phase and of each nudged (CHL: clamped) phase.
    dt : float in (0, 1]
        The relaxation's step; 1 is the prototypical setting of Ernoult et al. (2019).
    optimizer : {"sgd", "momentum", "nesterov", "adam"}
    learning_rate : float > 0 or sequence of float
        One rate, or one per layer of weights (e.g. larger for lower layers, as Scellier &
        Bengio do); a sequence needs a scale-dependent optimiser ("sgd", "momentum",
        "nesterov").
    learning_rate_schedule : {"constant", "linear", "exponential"} or callable
        The factor of every layer's rate at each epoch
        (:func:`energynets.learning.optim.learning_rate_schedule`), as for
        :func:`~energynets.fit_mlp`.
    momentum : float in [0, 1)
        For "momentum" and "nesterov".
    n_epochs : int >= 1
    batch_size : int >= 1
    validation_data : (X_valid, y_valid), optional
        Scored after every epoch (free phase only).
    rng : int, Generator or None
        The batch order and the signs of beta.
    callbacks, progress, checkpoint, checkpoint_every, resume
        As for :func:`~energynets.fit_rbm`: ``callback(epoch, model, history)`` after each
        epoch (True stops), a progress bar, checkpoints of the parameters, the optimiser, the
        random generator and the history, and a bit-identical resume.

    Returns
    -------
    model : EnergyNetwork
        The trained copy.
    history : dict of lists
        Per epoch: "epoch", "learning_rate" (the first layer's rate in that epoch), "time",
        "loss" (the mean cost of the free phase over the epoch's
        batches, as the parameters moved), "accuracy" (classification), "relaxation_residual"
        (the largest change of a state in the last free step over the epoch: a value far
        from 0 says that ``n_free`` is too small for the free phase to settle), and with
        validation data "validation_loss" and "validation_accuracy".

    Raises
    ------
    ValueError, TypeError
        On any invalid argument, naming it.
    TrainingDiverged
        When the parameters after an epoch are not finite.

    References
    ----------
    Scellier & Bengio (2017); Ernoult et al. (2019); Laborieux et al. (2021): full citations
    in :mod:`energynets.models.eqnet`.

    Examples
    --------
    >>> from energynets.models.eqnet import EnergyNetwork
    >>> X = np.array([[1, 1, 0, 0], [0, 0, 1, 1]] * 8, dtype=float)
    >>> y = np.array([0, 1] * 8)
    >>> net, history = fit_eqprop(EnergyNetwork([4, 8, 2], "softmax", rng=0), X, y,
    ...                           n_epochs=20, batch_size=4, learning_rate=0.2)
    >>> net.predict(X[:2]).tolist(), history["accuracy"][-1]
    ([0, 1], 1.0)
    """
    if not isinstance(model, EnergyNetwork):
        raise TypeError(f"model must be an EnergyNetwork, got {type(model).__name__}")
    x = model.check_input(X)
    targets = model.check_targets(y, x.shape[0])
    settings = _check_settings(
        model, rule, beta, nudging, n_free, n_nudged, dt, optimizer, learning_rate,
        min(check_int(batch_size, "batch_size", minimum=1), x.shape[0]),
    )  # fmt: skip
    momentum_value = check_float(momentum, "momentum", minimum=0.0)
    epochs = check_int(n_epochs, "n_epochs", minimum=1)
    valid = _check_validation(model, validation_data)
    cbs = check_callbacks(callbacks)
    lr_factor = optim.learning_rate_schedule(learning_rate_schedule, epochs)
    training = _EqPropTraining(
        model, x, targets, valid, settings, momentum_value, check_rng(rng), lr_factor
    )
    run(
        training, epochs, callbacks=cbs, progress=progress,
        desc=f"fit_eqprop ({settings.rule})", checkpoint=checkpoint,
        checkpoint_every=checkpoint_every, resume=resume,
    )  # fmt: skip
    return training.model, training.history


def _check_settings(
    model: EnergyNetwork,
    rule: Any,
    beta: Any,
    nudging: Any,
    n_free: Any,
    n_nudged: Any,
    dt: Any,
    optimizer: Any,
    learning_rate: Any,
    batch_size: int,
) -> _Settings:
    name = check_choice(rule, "rule", RULES)
    b = check_float(beta, "beta", minimum=0.0, exclusive_minimum=True)
    how = check_choice(nudging, "nudging", NUDGINGS)
    free = check_int(n_free, "n_free", minimum=1)
    nudged = check_int(n_nudged, "n_nudged", minimum=1)
    step = check_dt(dt)
    opt = check_choice(optimizer, "optimizer", optim.OPTIMIZERS)
    n_layers = len(model.weights)
    rates: tuple[float, ...]
    if isinstance(learning_rate, numbers.Real):
        rate = check_float(learning_rate, "learning_rate", minimum=0.0, exclusive_minimum=True)
        rates = (rate,) * n_layers
    else:
        values = list(learning_rate)
        if len(values) != n_layers:
            raise ValueError(
                f"learning_rate must be a number or one per layer of weights ({n_layers}), "
                f"got {len(values)} values"
            )
        rates = tuple(
            check_float(v, f"learning_rate[{i}]", minimum=0.0, exclusive_minimum=True)
            for i, v in enumerate(values)
        )
        if opt == "adam" and len(set(rates)) > 1:
            raise ValueError(
                "one learning rate per layer needs optimizer 'sgd', 'momentum' or 'nesterov' "
                "(Adam does not see the scale of a gradient)"
            )
    if name == "chl" and model.output != "squared":
        raise ValueError("rule 'chl' needs output='squared' (the output is clamped to y)")
    return _Settings(name, b, how, free, nudged, step, rates, opt, batch_size)


def _check_validation(model: EnergyNetwork, data: Any) -> tuple[np.ndarray, np.ndarray] | None:
    if data is None:
        return None
    if not isinstance(data, tuple | list) or len(data) != 2:
        raise TypeError(
            f"validation_data must be a pair (X_valid, y_valid), got {type(data).__name__}"
        )
    xv = model.check_input(data[0], "validation_data[0]")
    return xv, model.check_targets(data[1], xv.shape[0], "validation_data[1]")


class _EqPropTraining(Training):
    """The state and the updates of one :func:`fit_eqprop` run."""

    name = "fit_eqprop"

    def __init__(
        self,
        model: EnergyNetwork,
        x: np.ndarray,
        targets: np.ndarray,
        valid: tuple[np.ndarray, np.ndarray] | None,
        settings: _Settings,
        momentum: float,
        gen: np.random.Generator,
        lr_factor: Callable[[int], float],
    ) -> None:
        self.model = model.copy()
        self.x, self.targets, self.valid, self.config, self.gen = x, targets, valid, settings, gen
        net = self.model
        self.params = [p for pair in zip(net.weights, net.biases, strict=True) for p in pair]
        self.optimizer = optim.make_optimizer(settings.optimizer, self.params, momentum=momentum)
        self.workspace = Workspace(net)  # the large gradient arrays, reused batch after batch
        # per-layer rates as gradient scales of one optimiser (exact for SGD and momentum)
        top = settings.learning_rates[0]
        self.scales = [r / top for r in settings.learning_rates]
        self.learning_rate, self.lr_factor, self.step_size = top, lr_factor, top
        self.steps_per_epoch = -(-x.shape[0] // settings.batch_size)
        self.classify = net.output == "softmax" or targets.shape[1] > 1
        self.history = {"epoch": [], "learning_rate": [], "time": [], "loss": []}
        if self.classify:
            self.history["accuracy"] = []
        self.history["relaxation_residual"] = []

    def _gradient(self, xb: np.ndarray, tb: np.ndarray) -> EqPropGradient:
        # the rows and settings were checked once for all the batches
        c = self.config
        return batch_gradient(
            c.rule, Relaxation(self.model, xb, c.dt), tb, beta=c.beta, nudging=c.nudging,
            n_free=c.n_free, n_nudged=c.n_nudged, rng=self.gen, workspace=self.workspace,
        )  # fmt: skip

    def train_epoch(self, epoch: int) -> None:
        n, size = self.x.shape[0], self.config.batch_size
        order = self.gen.permutation(n)
        self.step_size = self.learning_rate * self.lr_factor(epoch)
        self.total_loss, self.correct, self.residual = 0.0, 0, 0.0
        for start in range(0, n, size):
            index = order[start : start + size]
            tb = self.targets[index]
            g = self._gradient(self.x[index], tb)
            grads: list[np.ndarray] = []
            for w, b, scale in zip(g.weights, g.biases, self.scales, strict=True):
                if scale != 1.0:  # the gradient's arrays are this batch's scratch
                    w *= scale
                    b *= scale
                grads += [w, b]
            self.optimizer.step_(grads, self.step_size)
            self.total_loss += g.loss * index.size
            self.residual = max(self.residual, g.residual)
            if self.classify:
                self.correct += int(np.sum(np.argmax(g.output, 1) == np.argmax(tb, 1)))

    def record(self, epoch: int, seconds: float) -> bool:
        h, n = self.history, self.x.shape[0]
        h["epoch"].append(epoch)
        h["learning_rate"].append(self.step_size)
        h["time"].append(seconds)
        h["loss"].append(self.total_loss / n)
        if self.classify:
            h["accuracy"].append(self.correct / n)
        h["relaxation_residual"].append(self.residual)
        if self.valid is not None:
            xv, tv = self.valid
            states = self.model.relax(xv, self.config.n_free, self.config.dt)
            h.setdefault("validation_loss", []).append(float(np.mean(self.model.cost(states, tv))))
            if self.classify:
                hits = np.argmax(self.model.output_of(states), 1) == np.argmax(tv, 1)
                h.setdefault("validation_accuracy", []).append(float(np.mean(hits)))
        return False

    def postfix(self) -> dict[str, str]:
        return {"loss": f"{self.history['loss'][-1]:.4g}"}

    def watched(self) -> dict[str, np.ndarray]:
        kinds = ("weights", "biases")
        return {f"the {kinds[i % 2]} of layer {i // 2 + 1}": p for i, p in enumerate(self.params)}

    def settings(self) -> dict[str, Any]:
        c, net = self.config, self.model
        return {
            "rule": c.rule, "beta": c.beta, "nudging": c.nudging, "n_free": c.n_free,
            "n_nudged": c.n_nudged, "dt": c.dt, "optimizer": c.optimizer,
            "learning_rates": list(c.learning_rates), "batch_size": c.batch_size,
            "layer_sizes": list(net.layer_sizes), "output": net.output, "dtype": str(net.dtype),
            "n_samples": self.x.shape[0],
        }  # fmt: skip

    def state(self) -> dict[str, np.ndarray]:
        return {f"params.{i}": p for i, p in enumerate(self.params)}
