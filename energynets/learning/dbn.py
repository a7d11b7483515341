"""Greedy layer-wise training of deep belief networks (Hinton, Osindero & Teh 2006).

RBM 1 is trained on the data, then RBM l + 1 on the hidden probabilities of RBM l given its
input (the up-pass), and so on (see :mod:`energynets.models.dbn` for the model). Each added
layer improves a variational lower bound on the log-likelihood of the data when the new RBM is
initialised from the one below (Hinton, Osindero & Teh 2006, section 4); in practice it is
trained from small random weights.

References
----------
Hinton, G. E., Osindero, S. & Teh, Y.-W. (2006). A fast learning algorithm for deep belief
nets. Neural Computation 18, 1527-1554.
"""

from __future__ import annotations

import inspect
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from energynets import _checkpoint
from energynets._validation import (
    RNGLike,
    check_choice,
    check_dtype,
    check_int,
    check_rng,
)
from energynets.learning import contrastive
from energynets.learning._loop import check_callbacks
from energynets.learning.divergence import TrainingDiverged
from energynets.models.dbn import DBN, check_layer_sizes, up_layer
from energynets.models.rbm import RBM

__all__ = ["DBN_METHODS", "fit_dbn"]

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
    gen = check_rng(rng)
    model, sizes = _check_dbn(dbn_or_sizes, dtype)
    n_layers = model.n_layers if model is not None else len(sizes) - 1
    first = model.rbms[0] if model is not None else RBM(sizes[0], 1, rng=0, dtype=dtype)
    data = contrastive.check_training_data(first, X, "X")
    check_choice(method, "method", DBN_METHODS)
    epochs = _per_layer_epochs(n_epochs, n_layers)
    _check_rbm_options(rbm_options)
    cbs = check_callbacks(callbacks)
    valid = rbm_options.pop("validation_data", None)
    if valid is not None:
        valid = contrastive.check_training_data(first, valid, "validation_data")
    # the other settings are the same for every layer: fit_rbm checks them for layer 0,
    # before anything is trained
    if model is None:
        model = DBN(sizes, rng=gen, dtype=dtype)
    seeds = gen.integers(0, 2**63, size=n_layers)
    settings = {
        "layer_sizes": list(model.layer_sizes),
        "method": method,
        "k": k,
        "n_epochs": list(epochs),
        "batch_size": batch_size,
        "dtype": str(model.dtype),
        "n_samples": int(data.shape[0]),
    }
    run = _Layers(model, settings, checkpoint, checkpoint_every, resume)
    options = {
        "method": method, "k": k, "batch_size": batch_size, "learning_rate": learning_rate,
        "momentum": momentum, "weight_decay": weight_decay, "progress": progress,
        "checkpoint_every": checkpoint_every, **rbm_options,
    }  # fmt: skip
    layer_input: np.ndarray = data
    for layer in range(n_layers):
        t0 = time.perf_counter()
        if layer > 0:
            below = model.rbms[layer - 1]
            layer_input = up_layer(below, layer_input)
            if valid is not None:
                valid = up_layer(below, valid)
        if layer < run.resume_layer:  # restored from the checkpoint: only its up-pass counts
            continue
        if valid is not None:
            options["validation_data"] = valid
        trained, rbm_history = run.train_layer(
            layer, layer_input, epochs[layer], int(seeds[layer]), cbs, options
        )
        run.finish_layer(layer, trained, rbm_history, time.perf_counter() - t0)
    return model, run.history


def _check_dbn(dbn_or_sizes: Any, dtype: Any) -> tuple[DBN | None, tuple[int, ...]]:
    """(a copy of the given DBN or None, the layer sizes of a new one)."""
    if isinstance(dbn_or_sizes, DBN):
        return dbn_or_sizes.copy(), dbn_or_sizes.layer_sizes
    if isinstance(dbn_or_sizes, Sequence | np.ndarray) and not isinstance(
        dbn_or_sizes, str | bytes
    ):
        sizes = check_layer_sizes(dbn_or_sizes)
        check_dtype(dtype)
        return None, sizes
    raise TypeError(
        "dbn_or_sizes must be a DBN or a list of layer sizes such as [784, 500, 500, 2000], "
        f"got {type(dbn_or_sizes).__name__}"
    )


def _check_rbm_options(rbm_options: dict[str, Any]) -> None:
    unknown = sorted(set(rbm_options) - set(inspect.signature(contrastive.fit_rbm).parameters))
    managed = sorted(set(rbm_options) & _MANAGED)
    if unknown:
        raise TypeError(
            f"fit_dbn got unexpected keyword arguments {unknown} (neither its own nor those of "
            "fit_rbm)"
        )
    if managed:
        raise TypeError(f"fit_dbn sets the fit_rbm arguments {managed} itself, got them again")


class _Layers:
    """The layers of one :func:`fit_dbn` run, their history and checkpoints.

    A DBN checkpoint holds the finished layers (``layer<i>.<array>``) and, when a layer was
    interrupted, that layer's :func:`~energynets.fit_rbm` checkpoint as an inner section
    (:class:`energynets._checkpoint.Section`).
    """

    def __init__(
        self,
        model: DBN,
        settings: dict[str, Any],
        checkpoint: str | os.PathLike[str] | None,
        checkpoint_every: int,
        resume: str | os.PathLike[str] | None,
    ) -> None:
        self.model, self.settings, self.checkpoint = model, settings, checkpoint
        self.history: dict[str, list[Any]] = {
            "layer": [], "n_epochs": [], "time": [], "rbm_history": [],
        }  # fmt: skip
        self.layers_done = 0
        self.layer_checkpoint: _checkpoint.Section | None = None
        self.layer_resume: _checkpoint.Section | None = None
        if checkpoint is not None or resume is not None:
            _checkpoint.check_every(checkpoint_every)
        if resume is not None:
            self._restore(resume)
        if checkpoint is not None:
            self.layer_checkpoint = self._section(checkpoint)
        self.resume_layer = self.layers_done  # the layer whose fit_rbm state may be saved

    def _section(self, path: str | os.PathLike[str]) -> _checkpoint.Section:
        return _checkpoint.Section(path, "fit_dbn", self.finished_layers, self.outer_meta)

    def finished_layers(self) -> dict[str, np.ndarray]:
        return {
            f"layer{i}.{name}": getattr(self.model.rbms[i], name)
            for i in range(self.layers_done)
            for name in _RBM_ARRAYS
        }

    def outer_meta(self) -> dict[str, Any]:
        return {"settings": self.settings, "layers_done": self.layers_done, "history": self.history}

    def _restore(self, resume: str | os.PathLike[str]) -> None:
        saved, meta = _checkpoint.load_checkpoint(resume, "fit_dbn", len(self.model.rbms))
        _checkpoint.check_settings(resume, meta["settings"], self.settings)
        self.layers_done = int(meta["layers_done"])
        _checkpoint.restore_arrays(resume, saved, self.finished_layers())
        self.history = {key: list(values) for key, values in meta["history"].items()}
        if "inner" in meta:
            self.layer_resume = self._section(resume)

    def train_layer(
        self,
        layer: int,
        layer_input: np.ndarray,
        n_epochs: int,
        seed: int,
        callbacks: tuple[Callable[..., Any], ...],
        options: dict[str, Any],
    ) -> tuple[RBM, dict[str, list[Any]]]:
        """fit_rbm on one layer; a divergence names the layer and carries the whole DBN."""
        try:
            return contrastive.fit_rbm(
                self.model.rbms[layer], layer_input, n_epochs=n_epochs,
                rng=np.random.default_rng(seed),
                callbacks=[_layer_callback(cb, layer) for cb in callbacks],
                checkpoint=self.layer_checkpoint,
                resume=self.layer_resume if layer == self.resume_layer else None, **options,
            )  # fmt: skip
        except TrainingDiverged as exc:
            self.model.rbms[layer] = exc.model
            raise TrainingDiverged(
                f"layer {layer} of the DBN: {exc}",
                model=self.model,
                epoch=exc.epoch,
                step=exc.step,
                quantity=exc.quantity,
                history={**self.history, "diverged_layer": [layer]},
                checkpoint=exc.checkpoint,
            ) from None

    def finish_layer(
        self, layer: int, trained: RBM, rbm_history: dict[str, list[Any]], seconds: float
    ) -> None:
        self.model.rbms[layer] = trained
        self.history["layer"].append(layer)
        self.history["n_epochs"].append(len(rbm_history["epoch"]))
        self.history["time"].append(seconds)
        self.history["rbm_history"].append(rbm_history)
        self.layers_done = layer + 1
        if self.checkpoint is not None:
            _checkpoint.save_checkpoint(
                self.checkpoint, "fit_dbn", self.finished_layers(), self.outer_meta()
            )


def _layer_callback(cb: Callable[..., Any], layer: int) -> Callable[..., Any]:
    def call(epoch: int, rbm: RBM, history: dict[str, list[Any]]) -> Any:
        return cb(layer, epoch, rbm, history)

    return call
