"""The one training loop: epochs, callbacks, a progress bar, the divergence guard, checkpoints
and bit-identical resume.

Every trainer with epochs (:func:`~energynets.fit_rbm`, :func:`~energynets.fit_mlp`,
:func:`~energynets.fit_classification_rbm`, :func:`~energynets.fit_boltzmann`; and
:func:`~energynets.fit_dbn` through ``fit_rbm``) keeps only its mathematics, as a subclass of
:class:`Training`: what one epoch of updates does, what it records, and what its state is.
:func:`run` does the rest, the same way for all of them:

1. with ``resume``, read the checkpoint, check that it was written by the same trainer with
   the same settings, and put back the state arrays (in place, so every buffer and view of the
   trainer keeps pointing at them), the optimiser, the random generator and the history; the
   epochs it holds are skipped;
2. for each epoch: the updates (:meth:`Training.train_epoch`), timed, with floating-point
   overflow silenced (it is what divergence looks like: the guard reports it once); the
   divergence guard (:class:`~energynets.learning.divergence.Guard`), which restores the last
   good parameters and raises :class:`~energynets.TrainingDiverged`; the history and monitors
   (:meth:`Training.record`); the progress bar; the callbacks, any of which may stop the run
   by returning True; a checkpoint every ``checkpoint_every`` epochs, after the last one and
   when the run stops.

A checkpoint records whether the run stopped before its last epoch and why (early stopping, or
a callback): such a run is over, and resuming its checkpoint trains no further epoch (as for a
run that completed its epochs), so that the trainer returns what the uninterrupted run
returned. A run resumed from ``<checkpoint>.prev`` (the previous checkpoint, when the last one
is damaged) goes on writing to ``checkpoint``, keeping the file it resumed from as its
``.prev``.

A resumed run performs exactly the floating-point operations of an uninterrupted one on the
same numbers, so its result is bit-identical.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from energynets import _checkpoint
from energynets.learning.divergence import Guard

__all__ = ["Callback", "Training", "check_callbacks", "run"]

#: Bytes of arrays a checkpoint may hold beyond twice its run's state (see
#: the checkpoint keeper's ``state_budget``): what a reader may allocate past the data it expects.
STATE_SLACK = 64 << 20

#: ``callback(epoch, model, history)``; returning True stops the training after this epoch.
Callback = Callable[[int, Any, dict[str, list[Any]]], Any]

PathLike = str | os.PathLike[str]


def check_callbacks(
    callbacks: Sequence[Callable[..., Any]] | Callable[..., Any],
) -> tuple[Any, ...]:
    """The callbacks as a tuple (one callable is allowed too); TypeError naming a bad one."""
    cbs = (callbacks,) if callable(callbacks) else tuple(callbacks)
    for i, cb in enumerate(cbs):
        if not callable(cb):
            raise TypeError(f"callbacks[{i}] must be callable, got {type(cb).__name__}")
    return cbs


class Training:
    """A trainer's mathematics and state, driven epoch by epoch by :func:`run`.

    A subclass sets these attributes and implements :meth:`train_epoch` and :meth:`record`;
    the other methods have defaults.

    Attributes
    ----------
    name : str
        The trainer's name in messages and checkpoints (``"fit_rbm"``).
    model : object
        The model being trained (the trainer's own copy), passed to the callbacks.
    history : dict of lists
        One entry per epoch; :meth:`record` appends to it.
    gen : numpy.random.Generator
        All the randomness of the training (its state is checkpointed).
    learning_rate : float
        The base learning rate, for the divergence message.
    steps_per_epoch : int
        Mini-batch updates per epoch, to number them over the run in messages.
    optimizer : object or None
        Its state (arrays and numbers) is checkpointed.
    """

    name: str
    model: Any
    history: dict[str, list[Any]]
    gen: np.random.Generator
    learning_rate: float
    steps_per_epoch: int
    optimizer: Any = None

    def train_epoch(self, epoch: int) -> int | None:
        """All the updates of one epoch; the index of a mini-batch whose loss was not finite
        (the guard then reports it), else None."""
        raise NotImplementedError

    def record(self, epoch: int, seconds: float) -> bool:
        """Append this epoch's entries to the history (``seconds``: the time of its updates);
        True to stop after it (early stopping)."""
        raise NotImplementedError

    def postfix(self) -> dict[str, str]:
        """The numbers the progress bar shows after an epoch."""
        return {}

    def watched(self) -> dict[str, np.ndarray]:
        """The parameter arrays the divergence guard checks, under the names its message
        uses (the live arrays, updated in place)."""
        raise NotImplementedError

    def release(self) -> Any:
        """Called after the guard put the last good parameters back, before it raises; what
        it returns, unless None, is the model the error carries (by default the model itself,
        whose arrays the guard restored in place)."""
        return None

    # -- the state a checkpoint holds --------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        """What must be the same to resume (compared with the checkpoint's)."""
        raise NotImplementedError

    def state(self) -> dict[str, np.ndarray]:
        """The arrays of the training state by name, restored in place."""
        raise NotImplementedError

    def extra_state(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Arrays and meta entries beyond :meth:`state` and the optimiser (which may come and
        go during the run, such as the best parameters of early stopping)."""
        return {}, {}

    def restore_extra(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        """Put back what :meth:`extra_state` saved; called after everything else is restored."""


def run(
    training: Training,
    n_epochs: int,
    *,
    callbacks: tuple[Callback, ...] = (),
    progress: bool = False,
    desc: str = "",
    checkpoint: PathLike | _checkpoint.Section | None = None,
    checkpoint_every: int = 1,
    resume: PathLike | _checkpoint.Section | None = None,
) -> None:
    """Train for epochs ``first_epoch, ..., n_epochs - 1`` (see the module docstring).

    Parameters
    ----------
    training : Training
    n_epochs : int
        The epochs of the whole run (a resumed run starts after those its checkpoint holds).
    callbacks : tuple of callables
        ``callback(epoch, model, history)`` after every epoch; True stops the run.
    progress : bool
        Show a tqdm progress bar over epochs, labelled ``desc``.
    checkpoint : path-like, optional
        Write the training state here every ``checkpoint_every`` epochs, after the last one
        and when the run stops (atomically, keeping the previous file as ``<path>.prev``).
    checkpoint_every : int >= 1
    resume : path-like, optional
        Continue from this checkpoint (which holds at most ``n_epochs`` epochs). When its run
        had stopped (early stopping, a callback), no further epoch is trained.
    """
    saving = None
    if checkpoint is not None or resume is not None:
        every = _checkpoint.check_every(checkpoint_every)
        saving = _Saving(training, training.settings(), checkpoint, resume)
    first_epoch, last_epoch = 0, n_epochs
    if resume is not None:
        assert saving is not None
        first_epoch, stopped = saving.restore(resume, n_epochs)
        if stopped is not None:
            last_epoch = first_epoch
    guard = Guard(
        training.name, training.watched(), training.learning_rate, training.steps_per_epoch,
        checkpoint, _checkpoint.resumed_into(checkpoint, resume, first_epoch),
        release=training.release,
    )  # fmt: skip
    bar = _progress_bar(progress, n_epochs, first_epoch, desc)
    try:
        for epoch in range(first_epoch, last_epoch):
            t0 = time.perf_counter()
            # overflow is what divergence looks like: the guard reports it once, below
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                bad_loss_at = training.train_epoch(epoch)
                guard.end_of_epoch(epoch, training.model, training.history, bad_loss_at)
            stop = "early_stopping" if training.record(epoch, time.perf_counter() - t0) else None
            if bar is not None:
                bar.update(1)
                postfix = training.postfix()
                if postfix:
                    bar.set_postfix(**postfix)
            for cb in callbacks:
                result = cb(epoch, training.model, training.history)
                if stop is None and isinstance(result, bool | np.bool_) and bool(result):
                    stop = "callback"
            done = epoch + 1
            if checkpoint is not None and (done % every == 0 or stop or done == n_epochs):
                assert saving is not None
                saving.save(checkpoint, done, stop)
                guard.saved_epoch = done
            if stop:
                break
    finally:
        if bar is not None:
            bar.close()


def _progress_bar(progress: bool, total: int, initial: int, desc: str) -> Any:
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=min(initial, total), desc=desc, unit="epoch")


class _Saving:
    """Writing and reading one training's checkpoints."""

    def __init__(
        self,
        training: Training,
        settings: dict[str, Any],
        checkpoint: PathLike | _checkpoint.Section | None,
        resume: PathLike | _checkpoint.Section | None,
    ) -> None:
        self.training = training
        self.settings = settings
        # resumed from <checkpoint>.prev: the first write keeps that file as the .prev (the
        # checkpoint file it replaces is the damaged one the run could not resume from)
        self.keep_previous = not (
            checkpoint is not None
            and resume is not None
            and _same_file(os.fspath(checkpoint) + ".prev", os.fspath(resume))
        )

    def save(self, path: PathLike | _checkpoint.Section, done: int, stopped: str | None) -> None:
        t = self.training
        arrays = dict(t.state())
        meta: dict[str, Any] = {
            "epoch": done,
            "rng_state": t.gen.bit_generator.state,
            "history": t.history,
            "settings": self.settings,
            "stopped": stopped,
        }
        if t.optimizer is not None:
            opt_arrays, meta["optimizer"] = _checkpoint.optimizer_state(t.optimizer)
            arrays.update(opt_arrays)
        extra_arrays, extra_meta = t.extra_state()
        arrays.update(extra_arrays)
        meta.update(extra_meta)
        _checkpoint.save_checkpoint(path, t.name, arrays, meta, keep_previous=self.keep_previous)
        self.keep_previous = True

    def state_budget(self) -> int:
        """The most bytes of arrays a checkpoint of this run can hold: its state, the
        optimiser's and the trainer's extras as they are now, twice over (the kept best
        weights of early stopping, a section's outer state), and :data:`STATE_SLACK`."""
        t = self.training
        arrays = list(t.state().values()) + list(t.extra_state()[0].values())
        if t.optimizer is not None:
            arrays += list(_checkpoint.optimizer_state(t.optimizer)[0].values())
        return 2 * sum(int(np.asarray(a).nbytes) for a in arrays) + STATE_SLACK

    def restore(self, path: PathLike | _checkpoint.Section, n_epochs: int) -> tuple[int, Any]:
        """Put the checkpoint's state back into the training; return the epochs it holds and
        why its run stopped (None: it did not)."""
        t = self.training
        # a section (a layer of fit_dbn) shares its file with finished layers: not bounded here
        budget = None if isinstance(path, _checkpoint.Section) else self.state_budget()
        saved, meta = _checkpoint.load_checkpoint(path, t.name, n_epochs, budget)
        _checkpoint.check_settings(path, meta["settings"], self.settings)
        _checkpoint.restore_arrays(path, saved, t.state())
        if t.optimizer is not None:
            _checkpoint.restore_optimizer(path, t.optimizer, saved, meta.get("optimizer", {}))
        try:
            t.gen.bit_generator.state = meta["rng_state"]
        except (TypeError, ValueError, KeyError, OverflowError):
            raise ValueError(
                f"cannot resume from '{os.fspath(path)}': its meta entry's 'rng_state' is not "
                f"a state of the {type(t.gen.bit_generator).__name__} random generator"
            ) from None
        missing = [key for key in t.history if key not in meta["history"]]
        if missing:
            raise ValueError(
                f"cannot resume from '{os.fspath(path)}': its meta entry's history has no "
                f"{missing[0]!r} entry"
            )
        t.history = {key: list(values) for key, values in meta["history"].items()}
        try:
            t.restore_extra(saved, meta)
        except ValueError as exc:
            raise ValueError(f"cannot resume from '{os.fspath(path)}': {exc}") from None
        return meta["epoch"], meta.get("stopped")


def _same_file(a: str, b: str) -> bool:
    return os.path.abspath(a) == os.path.abspath(b)
