"""Training checkpoints: everything a trainer needs to continue, in one ``.npz`` (no pickle).

A checkpoint holds the arrays of the training state (the model's parameters, the optimiser's
state, the persistent chains, ...) under names such as ``"model.weights"`` and a JSON text
(``"meta"``) with the epochs done, the random generator's ``bit_generator.state``, the
history and the settings that must match to resume. It is written atomically: to a
temporary sibling, fsynced, then renamed over the file; the checkpoint it replaces is kept
as ``<path>.prev`` (a hard link, or a copy), so a file damaged later (a truncated copy, a
full disk) still leaves the previous one.

Resuming restores the arrays in place and the generator's state, so that an interrupted and
resumed run performs exactly the same floating-point operations on the same numbers as an
uninterrupted one: the results are bit-identical.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from energynets import _npz
from energynets._json import plain

FORMAT_NAME = "energynets-checkpoint"
FORMAT_VERSION = 1
#: Optimiser attributes that are configuration or scratch, not state.
_NOT_STATE = {"params", "_work", "decay", "rescale", "_step_momentum"}
#: Today's names of optimiser attributes that checkpoints of energynets 0.1.0 hold under
#: another (the RBM trainers' momentum then kept its steps as "velocities").
_RENAMED = {"velocities": "steps"}

PathLike = str | os.PathLike[str]


def optimizer_state(optimizer: Any) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """(arrays, scalars) of an optimiser's state: its lists of arrays (velocities, moments)
    and its numbers (step count, last learning rate), read from its instance attributes."""
    arrays: dict[str, np.ndarray] = {}
    scalars: dict[str, Any] = {}
    for key, value in vars(optimizer).items():
        if key in _NOT_STATE:
            continue
        if isinstance(value, list) and all(isinstance(v, np.ndarray) for v in value):
            for i, v in enumerate(value):
                arrays[f"optimizer.{key}.{i}"] = v
        elif value is None or isinstance(value, bool | int | float | np.generic):
            scalars[key] = plain(value)
    return arrays, scalars


def restore_optimizer(optimizer: Any, arrays: Mapping[str, np.ndarray], scalars: Mapping) -> None:
    """Put back the state of :func:`optimizer_state` into ``optimizer``, arrays in place."""
    arrays = {_renamed(name): value for name, value in arrays.items()}
    own, _ = optimizer_state(optimizer)
    for name, target in own.items():
        np.copyto(target, arrays[name])
    for key, value in scalars.items():
        setattr(optimizer, _RENAMED.get(key, key), value)


def _renamed(name: str) -> str:
    """An array's name with a renamed optimiser attribute (``optimizer.<attribute>.<i>``)."""
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "optimizer" and parts[1] in _RENAMED:
        return f"optimizer.{_RENAMED[parts[1]]}.{parts[2]}"
    return name


class Section:
    """A trainer's checkpoint stored inside another trainer's checkpoint file.

    :func:`~energynets.fit_dbn` passes one as ``checkpoint=`` / ``resume=`` of
    :func:`~energynets.fit_rbm` for the layer it is training: the layer's arrays go in under
    ``"inner.<name>"`` and its meta under ``"inner"``, beside the arrays and meta of the outer
    trainer (the layers already trained), read from ``outer_arrays()`` / ``outer_meta()`` at
    every write. One file then holds the whole state. It is path-like (its file), so messages
    name the file.
    """

    def __init__(
        self,
        path: PathLike,
        trainer: str,
        outer_arrays: Callable[[], Mapping[str, np.ndarray]],
        outer_meta: Callable[[], Mapping[str, Any]],
    ) -> None:
        self.path = os.fspath(path)
        self.trainer = trainer
        self.outer_arrays = outer_arrays
        self.outer_meta = outer_meta

    def __fspath__(self) -> str:
        return self.path


def save_checkpoint(
    path: PathLike | Section,
    trainer: str,
    arrays: Mapping[str, np.ndarray],
    meta: Mapping[str, Any],
) -> None:
    """Write a checkpoint atomically; keep the one it replaces as ``<path>.prev``."""
    if isinstance(path, Section):
        outer = dict(path.outer_arrays())
        outer.update({f"inner.{name}": value for name, value in arrays.items()})
        outer_meta = {**path.outer_meta(), "inner_trainer": trainer, "inner": meta}
        save_checkpoint(path.path, path.trainer, outer, outer_meta)
        return
    target = os.fspath(path)
    payload = {
        "__format__": np.array(FORMAT_NAME),
        "__format_version__": np.array(FORMAT_VERSION),
        "__trainer__": np.array(trainer),
        "meta": np.array(json.dumps(plain(meta), allow_nan=True)),
    }
    payload.update({k: np.asarray(v) for k, v in arrays.items()})
    with _npz.atomic_file(target, keep_previous=True) as file:
        _npz.write_npz(file, payload)


def load_checkpoint(
    path: PathLike | Section, trainer: str
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """(arrays, meta) of a checkpoint written by ``trainer``; ValueError naming the file (and
    its ``.prev`` when there is one) if it is damaged or is not such a checkpoint."""
    if isinstance(path, Section):
        outer, outer_meta = load_checkpoint(path.path, path.trainer)
        if outer_meta.get("inner_trainer") != trainer or "inner" not in outer_meta:
            raise ValueError(f"cannot resume from '{path.path}': it holds no {trainer} state")
        inner = {k[len("inner.") :]: v for k, v in outer.items() if k.startswith("inner.")}
        return inner, outer_meta["inner"]
    source = os.fspath(path)
    hint = ""
    if os.path.exists(source + ".prev"):
        hint = f"; the previous checkpoint is '{source}.prev'"
    with _npz.open_regular(source, "checkpoint", refusal=f"cannot resume from '{source}'") as file:
        try:
            arrays = _npz.read_npz(file)
        except _npz.BadFile as exc:
            raise ValueError(f"cannot resume from '{source}': {exc}{hint}") from None
    fmt = arrays.pop("__format__", None)
    if fmt is None or fmt.shape != () or str(fmt[()]) != FORMAT_NAME:
        raise ValueError(f"cannot resume from '{source}': not an energynets checkpoint{hint}")
    version = int(arrays.pop("__format_version__", np.array(0)))
    if version > FORMAT_VERSION:
        raise ValueError(
            f"cannot resume from '{source}': written in checkpoint format {version} by a newer "
            f"energynets (this one reads up to {FORMAT_VERSION})"
        )
    written_by = str(arrays.pop("__trainer__", np.array("?"))[()])
    if written_by != trainer:
        raise ValueError(
            f"cannot resume from '{source}': it is a checkpoint of {written_by}, not {trainer}"
        )
    try:
        meta = json.loads(str(arrays.pop("meta")[()]))
    except (KeyError, ValueError):
        raise ValueError(
            f"cannot resume from '{source}': its meta entry is damaged{hint}"
        ) from None
    return arrays, meta


def check_settings(source: PathLike, saved: Mapping[str, Any], current: Mapping[str, Any]) -> None:
    """ValueError when a setting of the resumed run differs from the checkpoint's."""
    current = plain(current)
    different = [k for k in current if saved.get(k) != current[k]]
    if different:
        parts = ", ".join(f"{k}={saved.get(k)!r} (now {current[k]!r})" for k in different)
        raise ValueError(
            f"cannot resume from '{os.fspath(source)}': it was written with {parts}; resume "
            "with the same settings"
        )


def restore_arrays(source: PathLike, arrays: Mapping[str, np.ndarray], targets: Mapping) -> None:
    """Copy ``arrays[name]`` into ``targets[name]`` in place, checking shapes and dtypes."""
    for name, target in targets.items():
        if name not in arrays:
            raise ValueError(f"cannot resume from '{os.fspath(source)}': no array {name!r}")
        value = arrays[name]
        if value.shape != target.shape or value.dtype != target.dtype:
            raise ValueError(
                f"cannot resume from '{os.fspath(source)}': {name} has shape {value.shape} and "
                f"dtype {value.dtype}, the run needs {target.shape} and {target.dtype}"
            )
        np.copyto(target, value)


def check_every(value: Any) -> int:
    from energynets._validation import check_int

    return check_int(value, "checkpoint_every", minimum=1)


def resumed_into(
    checkpoint: PathLike | None, resume: PathLike | None, first_epoch: int
) -> int | None:
    """The epoch the file ``checkpoint`` holds before any is written: ``first_epoch`` when the
    run resumed from that same file, else None (no checkpoint of this run yet)."""
    if checkpoint is None or resume is None:
        return None
    if os.path.abspath(os.fspath(checkpoint)) != os.path.abspath(os.fspath(resume)):
        return None
    return first_epoch
