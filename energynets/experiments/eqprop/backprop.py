"""Equilibrium propagation against backprop on the same data and batches
(:func:`backprop_experiment`).

The same architecture on both sides: an :class:`~energynets.models.eqnet.EnergyNetwork`
with hard-sigmoid units and a softmax read-out trained by equilibrium propagation
(:func:`~energynets.fit_eqprop`), and an :class:`~energynets.MLP` with sigmoid hidden units
and a softmax output trained by backprop (:func:`~energynets.fit_mlp`), both by plain SGD on
the cross-entropy, for the same epochs, on the same mini-batches in the same order: the
backprop run replays the row orders the EP run drew (:class:`_BatchOrders`), and each side
records a digest of them.

References
----------
Scellier & Bengio (2017); Laborieux et al. (2021): full citations in
:mod:`energynets.models.eqnet`. Rumelhart, Hinton & Williams (1986): full citation in
:mod:`energynets.models.mlp`.
"""

from __future__ import annotations

import hashlib
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from energynets._validation import (
    RNGLike,
    check_choice,
    check_dtype,
    check_int,
    describe_rng,
    rng_stream,
)
from energynets.experiments._runs import check_bool, draw_entropy
from energynets.experiments.compare._shared import Data, check_counts, check_positive, check_seeds
from energynets.experiments.eqprop.records import BackpropResult
from energynets.learning.eqprop_gradients import NUDGINGS

__all__ = ["backprop_experiment"]

#: The keys of the random streams of one seed: the two initialisations, the batch order.
_EP_INIT, _MLP_INIT, _BATCHES = range(3)


class _BatchOrders(np.random.Generator):
    """A random generator that keeps the row orders it draws, or hands out given ones.

    The trainers of the package draw the order of the rows of each epoch as
    ``rng.permutation(n)`` (and, for EP with random nudging, the signs of beta from the same
    generator). Without ``replay`` this generator draws as any other and keeps a copy of each
    permutation; with ``replay`` its permutations are those given, in turn (nothing drawn),
    so that a second trainer sees the first one's batches.
    """

    def __init__(
        self, seed: np.random.SeedSequence, replay: Sequence[np.ndarray] | None = None
    ) -> None:
        super().__init__(np.random.PCG64(seed))
        self.orders: list[np.ndarray] = []
        self._replay = None if replay is None else list(replay)

    def permutation(self, x: Any, axis: int = 0) -> Any:
        if self._replay is None:
            order = super().permutation(x, axis)
        else:
            if not self._replay or not isinstance(x, numbers.Integral):
                raise RuntimeError("the trainer asked for a row order that was not recorded")
            order = self._replay.pop(0)
            if order.shape != (int(x),):
                raise RuntimeError(f"the recorded order has {order.size} rows, not {x}")
        self.orders.append(np.array(order, copy=True))
        return order

    def digest(self) -> str:
        """Eight hexadecimal digits of a hash of every order kept, in turn."""
        h = hashlib.sha1(usedforsecurity=False)
        for order in self.orders:
            h.update(np.asarray(order, dtype=np.int64).tobytes())
        return h.hexdigest()[:8]


def backprop_experiment(
    X: Any = None,
    y: Any = None,
    *,
    X_test: Any = None,
    y_test: Any = None,
    test_fraction: float = 0.2,
    hidden: int | Sequence[int] = 500,
    n_epochs: int = 30,
    batch_size: int = 50,
    learning_rate: float | Sequence[float] = (0.08, 0.04),
    beta: float = 0.5,
    nudging: str = "random",
    n_free: int = 30,
    n_nudged: int = 10,
    mlp_learning_rate: float = 1.0,
    seeds: Sequence[int] = (0,),
    dtype: Any = np.float32,
    rng: RNGLike = 0,
    progress: bool = False,
) -> BackpropResult:
    """Equilibrium propagation and backprop on the same network shape, data and batches.

    For every seed, an energy network ``[n_inputs, *hidden, n_classes]`` with a softmax
    read-out is trained by EP (:func:`~energynets.fit_eqprop`) and an MLP of the same shape
    (sigmoid hidden units, softmax output, Glorot-uniform weights) by backprop
    (:func:`~energynets.fit_mlp`), both by SGD on the cross-entropy for ``n_epochs`` epochs
    in mini-batches of ``batch_size``, the MLP on exactly the batches of the EP run. The
    defaults are the published MNIST settings of the reference code of Laborieux et al.
    (2021) (784-500-10: learning rates 0.08 and 0.04, beta 0.5 with a random sign, 30 free
    and 10 nudged steps, batches of 50, 30 epochs).

    Parameters
    ----------
    X, y, X_test, y_test, test_fraction
        As for :func:`~energynets.experiments.compare.features_experiment`: pixels in
        [0, 1] and labels (default: the nudged 8 x 8 digits, split at random).
    hidden : int or sequence of int >= 1
        The hidden layer sizes of both networks.
    n_epochs : int >= 1
    batch_size : int >= 1
    learning_rate : float > 0 or sequence of float
        EP's SGD step, one per layer of weights (or one for all).
    beta, nudging, n_free, n_nudged
        EP's nudging and relaxation (:func:`~energynets.fit_eqprop`); predictions relax
        ``n_free`` steps.
    mlp_learning_rate : float > 0
        Backprop's SGD step (the default: the best of 0.1, 0.3, 1 and 3 for 784-500-10 on
        20,000 MNIST rows in 10 epochs; sigmoid units, whose slope is at most 1/4, want a
        larger step than the hard sigmoid of the energy network).
    seeds : sequence of int >= 0
        One run of each side per seed (initial weights, batch order, signs of beta).
    dtype : numpy.float32 or numpy.float64
        Of both networks and the data.
    rng : int, Generator or None
        The train/test split (when X_test is not given); the runs use ``seeds``.
    progress : bool
        Progress bars over the epochs of each run.

    Returns
    -------
    BackpropResult

    References
    ----------
    Scellier & Bengio (2017); Laborieux et al. (2021): see the module docstring.
    """
    entropy = draw_entropy(rng)
    data = Data(X, y, X_test, y_test, test_fraction, None, entropy)
    sizes = [data.n_inputs, *check_counts(hidden, "hidden"), data.n_classes]
    settings: dict[str, Any] = {
        **data.settings(),
        "layer_sizes": sizes,
        "n_epochs": check_int(n_epochs, "n_epochs", minimum=1),
        "batch_size": check_int(batch_size, "batch_size", minimum=1),
        "learning_rates": _check_rates(learning_rate, len(sizes) - 1),
        "beta": check_positive(beta, "beta"),
        "nudging": check_choice(nudging, "nudging", NUDGINGS),
        "n_free": check_int(n_free, "n_free", minimum=1),
        "n_nudged": check_int(n_nudged, "n_nudged", minimum=1),
        "mlp_learning_rate": check_positive(mlp_learning_rate, "mlp_learning_rate"),
        "seeds": list(check_seeds(seeds)),
        "dtype": np.dtype(check_dtype(dtype)).name,
        "rng": describe_rng(rng),
    }
    show = check_bool(progress, "progress")
    result = BackpropResult(settings=settings)
    for seed in settings["seeds"]:
        ep_batches = _BatchOrders(_batch_seed(seed))
        ep = _ep_run(data, settings, seed, ep_batches, show)
        mlp = _mlp_run(data, settings, seed, _BatchOrders(_batch_seed(seed), ep_batches.orders),
                       show)  # fmt: skip
        for record, curve, model in (ep, mlp):
            key = f"{record['model']} seed {seed}"
            result.records.append(record)
            result.curves[key], result.models[key] = curve, model
    return result


def _batch_seed(seed: int) -> np.random.SeedSequence:
    """The seed of the batch order (and of the signs of beta) of one seed's runs."""
    return np.random.SeedSequence(seed, spawn_key=(_BATCHES,))


def _check_rates(learning_rate: Any, n_layers: int) -> list[float]:
    if isinstance(learning_rate, numbers.Real):
        return [check_positive(learning_rate, "learning_rate")] * n_layers
    rates = [check_positive(r, f"learning_rate[{i}]") for i, r in enumerate(learning_rate)]
    if len(rates) != n_layers:
        raise ValueError(
            f"learning_rate must be a number or one per layer of weights ({n_layers}), got "
            f"{len(rates)} values"
        )
    return rates


def _arrays(data: Data, s: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """The training and test inputs in the runs' dtype."""
    return data.X_train.astype(s["dtype"]), data.X_test.astype(s["dtype"])


def _errors(
    predict: Any, data: Data, x_train: np.ndarray, x_test: np.ndarray
) -> tuple[float, float]:
    """The training and test error of a trained network's ``predict``."""
    return (float(np.mean(predict(x_train) != data.y_train)),
            float(np.mean(predict(x_test) != data.y_test)))  # fmt: skip


def _record(
    model: str,
    seed: int,
    history: dict[str, list[Any]],
    gen: _BatchOrders,
    s: dict[str, Any],
    errors: tuple[float, float],
    residual: float | None,
) -> tuple[dict[str, Any], np.ndarray]:
    """The record of one run and its curve (epoch, training error, test error, seconds)."""
    epochs = len(history["epoch"])
    curve = np.column_stack([
        np.arange(1, epochs + 1), 1.0 - np.asarray(history["accuracy"]),
        1.0 - np.asarray(history["validation_accuracy"]), np.cumsum(history["time"]),
    ])  # fmt: skip
    n_train = s["n_train"]
    record = {
        "model": model, "seed": int(seed), "epochs": epochs,
        "updates": epochs * -(-n_train // min(s["batch_size"], n_train)),
        "batch_order": gen.digest(), "train_error": errors[0], "test_error": errors[1],
        "seconds_per_epoch": float(np.mean(history["time"])), "relaxation_residual": residual,
    }  # fmt: skip
    return record, curve


def _ep_run(
    data: Data, s: dict[str, Any], seed: int, batches: _BatchOrders, show: bool
) -> tuple[dict[str, Any], np.ndarray, Any]:
    """EP's run of one seed, drawing (and keeping) its batch orders from ``batches``."""
    from energynets.learning.eqprop import fit_eqprop
    from energynets.models.eqnet import EnergyNetwork

    X_train, X_test = _arrays(data, s)
    net = EnergyNetwork(s["layer_sizes"], "softmax", rng=rng_stream(seed, _EP_INIT),
                        dtype=s["dtype"])  # fmt: skip
    trained, history = fit_eqprop(
        net, X_train, data.y_train, beta=s["beta"], nudging=s["nudging"], n_free=s["n_free"],
        n_nudged=s["n_nudged"], learning_rate=s["learning_rates"], n_epochs=s["n_epochs"],
        batch_size=s["batch_size"], validation_data=(X_test, data.y_test), rng=batches,
        progress=show,
    )  # fmt: skip
    errors = _errors(lambda x: trained.predict(x, s["n_free"]), data, X_train, X_test)
    residual = float(history["relaxation_residual"][-1])
    return (*_record("EP", seed, history, batches, s, errors, residual), trained)


def _mlp_run(
    data: Data, s: dict[str, Any], seed: int, batches: _BatchOrders, show: bool
) -> tuple[dict[str, Any], np.ndarray, Any]:
    """Backprop's run of one seed, on the batch orders ``batches`` replays."""
    from energynets.learning.backprop import fit_mlp
    from energynets.models.mlp import MLP

    X_train, X_test = _arrays(data, s)
    net = MLP(s["layer_sizes"], activation="sigmoid", output="softmax", init="xavier_uniform",
              rng=rng_stream(seed, _MLP_INIT), dtype=s["dtype"])  # fmt: skip
    trained, history = fit_mlp(
        net, X_train, data.y_train, optimizer="sgd", learning_rate=s["mlp_learning_rate"],
        n_epochs=s["n_epochs"], batch_size=s["batch_size"],
        validation_data=(X_test, data.y_test), rng=batches, progress=show,
    )  # fmt: skip
    errors = _errors(trained.predict, data, X_train, X_test)
    return (*_record("backprop", seed, history, batches, s, errors, None), trained)
