"""Training checkpoints: everything a trainer needs to continue, in one ``.npz`` (no pickle).

A checkpoint holds the arrays of the training state (the model's parameters, the optimiser's
state, the persistent chains, ...) under names such as ``"model.weights"`` and a JSON text
(``"meta"``) with the epochs done, the random generator's ``bit_generator.state``, the
history and the settings that must match to resume. It is written atomically: to a
temporary sibling, fsynced, then renamed over the file; the checkpoint it replaces is kept
as ``<path>.prev`` (a hard link, or a copy), so a file damaged later (a truncated copy, a
full disk) still leaves the previous one.

The meta entry is checked against a schema (:func:`meta_problem`) before anything reads it:
a hand-edited or damaged one is refused with a ValueError naming the file and what is wrong.
It also records whether the run is over before its last epoch (``"stopped"``: early
stopping, or a callback that returned True), so that resuming a run that stopped trains no
further epoch.

Resuming restores the arrays in place and the generator's state, so that an interrupted and
resumed run performs exactly the same floating-point operations on the same numbers as an
uninterrupted one: the results are bit-identical.
"""

from __future__ import annotations

import json
import math
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

#: Why a run ended before its last epoch, as the meta entry ``"stopped"`` records it (None: it
#: did not stop; absent in the checkpoints of energynets 0.1.0, which did not record it).
STOP_REASONS = ("early_stopping", "callback")
#: The deepest nesting of lists and objects a meta entry may have (a DBN's holds about 6).
MAX_META_DEPTH = 32


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


def restore_optimizer(
    source: PathLike, optimizer: Any, arrays: Mapping[str, np.ndarray], scalars: Mapping
) -> None:
    """Put back the state of :func:`optimizer_state` into ``optimizer``, arrays in place.

    Of its numbers, those of :data:`_STEP_STATE` are state (checked to be counts or rates);
    the others are the optimiser's settings (momentum, betas, ...), which must be the ones
    the resumed run made it with. ValueError naming ``source`` when an array is missing or
    of another shape, a setting differs, or a number is no part of the optimiser's state.
    """
    arrays = {_renamed(name): value for name, value in arrays.items()}
    own, _ = optimizer_state(optimizer)
    restore_arrays(source, arrays, own)
    known = vars(optimizer)
    where = f"cannot resume from '{os.fspath(source)}': its meta entry's optimizer"
    for key, value in scalars.items():
        name = _RENAMED.get(key, key)
        current = known.get(name, ())
        if name in _NOT_STATE or not (
            current is None or isinstance(current, int | float | np.generic)
        ):
            raise ValueError(
                f"{where} {key!r} is not part of the state of a {type(optimizer).__name__}"
            )
        if name in _STEP_STATE:
            if not _STEP_STATE[name](value):
                raise ValueError(f"{where} {key!r} is {value!r}, not a valid {key}")
        elif value != current:
            raise ValueError(
                f"{where} was made with {key}={value!r} (now {current!r}); resume with the "
                "same settings"
            )
    for key, value in scalars.items():
        if _RENAMED.get(key, key) in _STEP_STATE:
            setattr(optimizer, _RENAMED.get(key, key), value)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_rate(value: Any) -> bool:
    return value is None or (_is_number(value) and math.isfinite(value))


#: The numbers of an optimiser's state that change as it steps, and their check; its other
#: numbers are its settings.
_STEP_STATE: dict[str, Callable[[Any], bool]] = {"n_steps": _is_count, "_last_lr": _is_rate}


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
    *,
    keep_previous: bool = True,
) -> None:
    """Write a checkpoint atomically; keep the one it replaces as ``<path>.prev`` (unless
    ``keep_previous`` is False: a run resumed from ``<path>.prev`` keeps that one, not the
    damaged file it replaces)."""
    if isinstance(path, Section):
        outer = dict(path.outer_arrays())
        outer.update({f"inner.{name}": value for name, value in arrays.items()})
        outer_meta = {**path.outer_meta(), "inner_trainer": trainer, "inner": meta}
        save_checkpoint(path.path, path.trainer, outer, outer_meta, keep_previous=keep_previous)
        return
    target = os.fspath(path)
    payload = {
        "__format__": np.array(FORMAT_NAME),
        "__format_version__": np.array(FORMAT_VERSION),
        "__trainer__": np.array(trainer),
        "meta": np.array(json.dumps(plain(meta), allow_nan=True)),
    }
    payload.update({k: np.asarray(v) for k, v in arrays.items()})
    with _npz.atomic_file(target, keep_previous=keep_previous) as file:
        _npz.write_npz(file, payload)


def load_checkpoint(
    path: PathLike | Section,
    trainer: str,
    n_epochs: int | None = None,
    max_bytes: int | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """(arrays, meta) of a checkpoint written by ``trainer``; ValueError naming the file (and
    its ``.prev`` when there is one) if it is damaged or is not such a checkpoint, or if its
    meta entry does not follow the schema of :func:`meta_problem` (with ``n_epochs``, the
    epochs of the run that resumes it, or for ``fit_dbn`` its layers: the checkpoint may hold
    at most as many done; for a :class:`Section`, they bound the inner trainer's epochs).
    ``max_bytes`` bounds the bytes its numeric arrays may declare, refused before any is read
    (the resuming trainer knows how much state its run holds)."""
    if isinstance(path, Section):
        outer, outer_meta = load_checkpoint(path.path, path.trainer, max_bytes=max_bytes)
        if outer_meta.get("inner_trainer") != trainer or "inner" not in outer_meta:
            raise ValueError(f"cannot resume from '{path.path}': it holds no {trainer} state")
        inner_meta = outer_meta["inner"]
        problem = meta_problem(inner_meta, trainer, n_epochs)
        if problem is not None:
            raise ValueError(f"cannot resume from '{path.path}': its inner {problem}")
        inner = {k[len("inner.") :]: v for k, v in outer.items() if k.startswith("inner.")}
        return inner, inner_meta
    source = os.fspath(path)
    hint = ""
    if os.path.exists(source + ".prev"):
        hint = f"; the previous checkpoint is '{source}.prev'"
    with _npz.open_regular(source, "checkpoint", refusal=f"cannot resume from '{source}'") as file:
        try:
            arrays = _npz.read_npz(file, max_bytes=max_bytes)
        except _npz.BadFile as exc:
            raise ValueError(f"cannot resume from '{source}': {exc}{hint}") from None
    fmt = arrays.pop("__format__", None)
    if fmt is None or fmt.shape != () or str(fmt[()]) != FORMAT_NAME:
        raise ValueError(f"cannot resume from '{source}': not an energynets checkpoint{hint}")
    version = arrays.pop("__format_version__", np.array(0))
    if version.shape != () or version.dtype.kind not in "iu":
        raise ValueError(
            f"cannot resume from '{source}': its format version is not an integer{hint}"
        )
    if int(version) > FORMAT_VERSION:
        raise ValueError(
            f"cannot resume from '{source}': written in checkpoint format {int(version)} by a "
            f"newer energynets (this one reads up to {FORMAT_VERSION})"
        )
    written_by = str(arrays.pop("__trainer__", np.array("?"))[()])
    if written_by != trainer:
        raise ValueError(
            f"cannot resume from '{source}': it is a checkpoint of {written_by}, not {trainer}"
        )
    meta = _parse_meta(arrays.pop("meta", None))
    problem = "meta entry is damaged" if meta is None else meta_problem(meta, trainer, n_epochs)
    if problem is not None:
        raise ValueError(f"cannot resume from '{source}': its {problem}{hint}")
    return arrays, meta


def _parse_meta(entry: np.ndarray | None) -> Any:
    """The JSON value of the meta entry; None when it is missing or not JSON (too deeply
    nested for the parser included)."""
    if entry is None or entry.shape != () or entry.dtype.kind != "U":
        return None
    try:
        return json.loads(str(entry[()]))
    except (ValueError, RecursionError):
        return None


# -- the schema of the meta entry --------------------------------------------------------------
def meta_problem(meta: Any, trainer: str, n_epochs: int | None = None) -> str | None:
    """What is wrong with the meta entry of a checkpoint of ``trainer`` ("meta entry ..."), or
    None.

    The schema, for the trainers of the shared loop (:mod:`energynets.learning._loop`): an
    object with ``"epoch"``, the completed epochs (an integer in [0, ``n_epochs``]);
    ``"history"``, an object of lists of ``epoch`` entries each; ``"settings"`` and
    ``"rng_state"``, objects; optionally ``"optimizer"``, an object of numbers,
    ``"stopped"``, null or one of :data:`STOP_REASONS`, and ``"best"`` (fit_mlp's early
    stopping), ``[validation loss or null, epoch in [-1, epoch)]``. For ``fit_dbn``:
    ``"layers_done"`` instead of ``"epoch"``, the lists of ``"history"`` with one entry per
    layer done, and optionally ``"inner_trainer"`` (a name) and ``"inner"`` (an object, the
    schema of the layer's trainer). Lists and objects nest at most :data:`MAX_META_DEPTH`
    deep.
    """
    if not isinstance(meta, dict):
        return f"meta entry is {_json_type(meta)}, not an object"
    if _depth(meta) > MAX_META_DEPTH:
        return f"meta entry nests lists and objects more than {MAX_META_DEPTH} deep"
    counter = "layers_done" if trainer == "fit_dbn" else "epoch"
    done = meta.get(counter)
    if isinstance(done, bool) or not isinstance(done, int):
        return f"meta entry's {counter!r} is {_json_type(done)}, not an integer"
    if done < 0 or (n_epochs is not None and done > n_epochs):
        within = "at least 0"
        if n_epochs is not None:
            limit = "the DBN's layers" if counter == "layers_done" else "n_epochs"
            within = f"in [0, {limit}={n_epochs}]"
        return f"meta entry's {counter!r} is {done}, not {within}"
    for key in ("settings", "history", *(("rng_state",) if counter == "epoch" else ())):
        if not isinstance(meta.get(key), dict):
            return f"meta entry's {key!r} is {_json_type(meta.get(key))}, not an object"
    for key, column in meta["history"].items():
        if not isinstance(column, list) or len(column) != done:
            what = f"{len(column)} entries" if isinstance(column, list) else _json_type(column)
            return (
                f"meta entry's history {key!r} holds {what}, not a list of one per "
                f"{'layer' if counter == 'layers_done' else 'epoch'} done ({done})"
            )
        kinds = {_kind(v) for v in column} - {"null"}  # null: an epoch not measured
        if kinds - {"number", "object"} or len(kinds) > 1:
            return (
                f"meta entry's history {key!r} holds {' and '.join(sorted(kinds))} entries, "
                "not numbers (or objects) and nulls"
            )
    return _optional_problem(meta, done)


def _optional_problem(meta: dict[str, Any], done: int) -> str | None:
    """What is wrong with the optional entries of a meta entry (see :func:`meta_problem`)."""
    optimizer = meta.get("optimizer", {})
    if not isinstance(optimizer, dict):
        return f"meta entry's 'optimizer' is {_json_type(optimizer)}, not an object"
    for key, value in optimizer.items():
        if not (isinstance(value, bool) or _is_number(value, none=True)):
            return f"meta entry's optimizer {key!r} is {_json_type(value)}, not a number"
    stopped = meta.get("stopped")
    if stopped is not None and stopped not in STOP_REASONS:
        return f"meta entry's 'stopped' is {stopped!r}, not null or one of {list(STOP_REASONS)}"
    best = meta.get("best", [None, -1])
    if not (isinstance(best, list) and len(best) == 2 and _is_number(best[0], none=True)):
        return f"meta entry's 'best' is {_json_type(best)}, not [validation loss or null, epoch]"
    if isinstance(best[1], bool) or not isinstance(best[1], int) or not -1 <= best[1] < done:
        return f"meta entry's 'best' epoch is {best[1]!r}, not an integer in [-1, {done})"
    for key in ("inner_trainer", "inner"):
        if key in meta and not isinstance(meta[key], str if key == "inner_trainer" else dict):
            return f"meta entry's {key!r} is {_json_type(meta[key])}"
    return None


def _is_number(value: Any, *, none: bool = False) -> bool:
    """Whether ``value`` is a JSON number (not a boolean), or null when ``none``."""
    if value is None:
        return none
    return isinstance(value, int | float) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    """The JSON type of ``value``: "null", "number", "boolean", "string", "list", "object"."""
    if value is None or _is_number(value):
        return "null" if value is None else "number"
    names = {bool: "boolean", str: "string", list: "list", dict: "object"}
    return names.get(type(value), type(value).__name__)


def _json_type(value: Any) -> str:
    """How a JSON value reads in a message: "missing", "a list", "the number 3", ..."""
    if value is None:
        return "missing or null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the string {value[:40]!r}"
    return f"{'a boolean' if isinstance(value, bool) else 'the number'} {value!r}"


def _depth(value: Any) -> int:
    """How deep lists and objects nest in ``value`` (0 for a number or a string), without
    recursion; it stops counting past :data:`MAX_META_DEPTH`."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            if depth > MAX_META_DEPTH:
                return depth
            stack.extend((v, depth) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


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
