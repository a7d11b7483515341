"""Checkpoints of the training commands (``train-rbm``, ``train-mlp``) and Ctrl-C.

``--checkpoint``, ``--checkpoint-every`` and ``--resume`` are checked before any work
(:func:`checkpointing`): the file resumed from must be a checkpoint of the same trainer
written by the same command with the same settings (``--epochs`` aside, which may grow with
``--schedule constant``), and the file written must not be one of the command's outputs.
Without ``--resume``, an existing checkpoint file is the run of this same command cut short
(a kill, Ctrl-C, a crash): the command resumes it when it holds exactly the current settings
(from ``X.prev`` when ``X`` itself cannot be read), so that running the same command again
ends bit-identical to a run never interrupted; one of other settings is refused, naming them.

The command's settings travel in the trainer's history (one entry per epoch, see
SETTINGS_KEY), so that they are saved in every checkpoint (:mod:`energynets._checkpoint`)
with everything else.

:func:`train` runs a trainer so that Ctrl-C keeps the model and history of the last completed
epoch (kept by a :class:`LastEpoch` callback) and prints the command that resumes the run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from energynets.cli._args import add_count, file_name
from energynets.cli._output import jsonable, one_line, published_files

#: The checkpoint of train-rbm and train-mlp given --checkpoint without a path (in --output).
CHECKPOINT_NAME = "checkpoint.npz"
#: The suffix of the previous checkpoint, kept beside each one written (``X.prev``).
PREVIOUS_SUFFIX = ".prev"
#: The entries train-rbm and train-mlp add to the trainer's history (one per epoch, so they are
#: saved in its checkpoints with everything else and cut with it on Ctrl-C): the command's
#: settings (at epoch 0; None after) and, for train-rbm, the exact log-likelihood curve (None
#: at the epochs not measured). They are left out of history.json's "history".
SETTINGS_KEY = "cli_settings"
OWN_KEY_PREFIX = "cli_"

#: A command's ``add_parser(subparsers)``: it rebuilds the command's options, from which
#: the command that resumes a run is written.
AddParser = Callable[[Any], argparse.ArgumentParser]


def add_checkpoint_options(p: argparse.ArgumentParser) -> None:
    """--checkpoint, --checkpoint-every and --resume of the training commands."""
    p.add_argument(
        "--checkpoint",
        nargs="?",
        type=file_name,
        const=True,
        default=None,
        metavar="PATH",
        help=(
            "write a checkpoint (model, optimiser state, persistent chains, random state, "
            "history) to PATH every --checkpoint-every epochs and after the last one, "
            "atomically, the one it replaces kept as PATH.prev; --checkpoint alone writes "
            f"{CHECKPOINT_NAME} in the --output folder (default: none; with --resume, the "
            "file resumed from). An existing PATH is resumed when it holds a run of the same "
            "command with the same options (run the same command again to go on after a "
            "kill), else refused"
        ),
    )
    add_count(p, "--checkpoint-every", "K", "epochs between checkpoints (default: 1)")
    p.add_argument(
        "--resume",
        type=file_name,
        default=None,
        metavar="PATH",
        help=(
            "continue the run saved in the checkpoint PATH, given the same options as that "
            "run (--epochs may grow with --schedule constant only); it ends bit-identical to "
            "a run never interrupted (default: start afresh)"
        ),
    )


class Checkpointing(NamedTuple):
    """Where a training command writes its checkpoints and what it resumes from."""

    args: argparse.Namespace  # the command line, to print the command that resumes
    add_parser: AddParser  # the command's options, likewise
    trainer: str  # "fit_rbm" or "fit_mlp"
    settings: dict[str, Any]  # the command's settings (JSON values), which a resume must match
    path: Path | None  # the checkpoint written, or None
    every: int
    resume: Path | None
    resumed_epochs: int  # epochs completed in the checkpoint resumed from (0: none)
    rerun: bool = False  # resumed without --resume: the same command run again
    unreadable: str | None = None  # why a rerun resumes from the .prev of its checkpoint
    finished: bool = False  # a rerun whose checkpoint holds a run over (all epochs, or stopped)

    def keyword_arguments(self) -> dict[str, Any]:
        """checkpoint=, checkpoint_every= and resume= of fit_rbm / fit_mlp."""
        return {
            "checkpoint": None if self.path is None else os.fspath(self.path),
            "checkpoint_every": self.every,
            "resume": None if self.resume is None else os.fspath(self.resume),
        }

    def summary(self) -> dict[str, Any]:
        """What history.json says about the checkpoints."""
        return {
            "file": None if self.path is None else os.fspath(self.path),
            "every": self.every if self.path is not None else None,
            "resumed_from": None if self.resume is None else os.fspath(self.resume),
            "resumed_after_epoch": self.resumed_epochs if self.resume is not None else None,
        }


# -- the checks before any work ---------------------------------------------------------------


def _show_setting(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return ",".join(str(v) for v in value) if value else "none"
    return str(value)


def _option_of(name: str) -> str:
    return "-k" if name == "k" else "--" + name.replace("_", "-")


def _setting_differences(saved: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """For each setting but --epochs that differs: "--option SAVED (now CURRENT)"."""
    return [
        f"{_option_of(name)} {_show_setting(saved.get(name))} (now {_show_setting(value)})"
        for name, value in current.items()
        if name != "epochs" and saved.get(name) != value
    ]


def _read_checkpoint(path: Path, trainer: str, option: str = "--resume") -> dict[str, Any]:
    """The meta entry of the checkpoint ``path`` of ``trainer``; one-line errors naming
    ``option`` when it is missing, a folder, damaged, or not such a checkpoint."""
    from energynets import _checkpoint

    if path.is_dir():
        raise ValueError(f"argument {option}: {os.fspath(path)!r} is a folder, not a checkpoint")
    if not path.exists():
        raise FileNotFoundError(f"argument {option}: no such file {os.fspath(path)!r}")
    try:
        _, meta = _checkpoint.load_checkpoint(path, trainer)
    except ValueError as exc:
        raise ValueError(f"argument {option}: {one_line(exc)}") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OSError(f"argument {option}: cannot read {os.fspath(path)!r} ({reason})") from None
    return meta


def _saved_settings(meta: dict[str, Any]) -> dict[str, Any] | None:
    column = meta.get("history", {}).get(SETTINGS_KEY)
    if not column or not isinstance(column[0], dict):
        return None
    return dict(column[0])


def _check_resume(resume: Path, command: str, trainer: str, current: dict[str, Any]) -> int:
    """The epochs completed in the checkpoint ``resume``, checked to be a run of ``command``
    with the settings ``current`` that can go on to ``current["epochs"]``."""
    meta = _read_checkpoint(resume, trainer)
    saved = _saved_settings(meta)
    if saved is None:
        raise ValueError(
            f"argument --resume: {os.fspath(resume)!r} was not written by energynets "
            f"{command} (it holds no settings of the command); resume it from Python "
            f"with {trainer}(..., resume=...)"
        )
    different = _setting_differences(saved, current)
    if different:
        raise ValueError(
            f"argument --resume: {os.fspath(resume)!r} was written with "
            f"{', '.join(different)}; resume with the options of that run"
        )
    done = int(meta["epoch"])
    epochs = current["epochs"]
    if epochs != saved.get("epochs") and current.get("schedule") != "constant":
        raise ValueError(
            f"argument --resume: {os.fspath(resume)!r} was written with --epochs "
            f"{_show_setting(saved.get('epochs'))} (now {epochs}); with --schedule "
            f"{current.get('schedule')} "
            "the learning rate of every epoch depends on the number of epochs, so only "
            "--schedule constant can go on for more"
        )
    if epochs < done:
        raise ValueError(
            f"argument --resume: {os.fspath(resume)!r} holds {done} completed epochs, more "
            f"than --epochs {epochs}"
        )
    return done


def _same_run(path: Path, meta: dict[str, Any], command: str, current: dict[str, Any]) -> int:
    """The epochs completed in the existing checkpoint ``path`` (no --resume given; ``meta``
    its meta entry), checked to be a run of ``command`` with exactly the settings ``current``:
    one-line errors naming --checkpoint, the settings that differ and how to continue or start
    afresh otherwise."""
    text = os.fspath(path)
    saved = _saved_settings(meta)
    if saved is None:
        raise ValueError(
            f"argument --checkpoint: {text!r} already exists and was not written by "
            f"energynets {command}; remove it to start afresh, or give another --checkpoint"
        )
    different = _setting_differences(saved, current)
    if saved.get("epochs") != current["epochs"]:
        epochs = f"--epochs {_show_setting(saved.get('epochs'))} (now {current['epochs']})"
        different.append(epochs)
    if different:
        raise ValueError(
            f"argument --checkpoint: {text!r} already exists; continue it with --resume "
            f"{text} and the options of that run (it was written with {', '.join(different)}), "
            "or remove it to start afresh"
        )
    done = int(meta["epoch"])
    if done > current["epochs"]:  # a hand-edited file (the schema checks it against history)
        raise ValueError(
            f"argument --checkpoint: {text!r} holds {done} completed epochs, more than "
            f"--epochs {current['epochs']}; remove it to start afresh"
        )
    return done


def _rerun_source(path: Path, trainer: str) -> tuple[Path, dict[str, Any], str | None]:
    """What the same command run again resumes from, the checkpoint ``path`` existing: that
    file, or its ``.prev`` when ``path`` cannot be read (damaged) and a ``.prev`` can; with
    its meta entry and, for a ``.prev``, why ``path`` could not be read."""
    previous = path.with_name(path.name + PREVIOUS_SUFFIX)
    try:
        return path, _read_checkpoint(path, trainer, "--checkpoint"), None
    except (ValueError, OSError) as exc:
        try:
            meta = _read_checkpoint(previous, trainer, "--checkpoint")
        except (ValueError, OSError):
            raise type(exc)(f"{exc}; remove it to start afresh") from None
        return previous, meta, str(exc).removeprefix("argument --checkpoint: ")


def _check_checkpoint_path(path: Path, outputs: Sequence[Path]) -> None:
    """A checkpoint file can be written at ``path``: one-line errors otherwise."""
    text = os.fspath(path)
    if path.is_dir():
        raise ValueError(
            f"argument --checkpoint: {text!r} is a folder; give a file such as "
            f"{os.fspath(path / CHECKPOINT_NAME)!r}"
        )
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ValueError(
                    f"argument --checkpoint: cannot write {text!r}: {os.fspath(parent)!r} is "
                    "not a folder"
                )
            break
    for output in outputs:
        if path.resolve() == output.resolve():
            raise ValueError(
                f"argument --checkpoint: {text!r} is the command's own output file "
                f"{output.name}; give another file"
            )


def _checkpoint_path(
    args: argparse.Namespace, resume: Path | None, files: Sequence[str]
) -> Path | None:
    """The checkpoint file to write (--checkpoint, else the file resumed), checked. A run
    resumed from ``X.prev`` (the previous checkpoint, when X is damaged) goes on writing to X,
    not to ``X.prev`` (whose previous would be ``X.prev.prev``). An existing file is refused
    here only with --resume from another file (without --resume, see :func:`_rerun_source`)."""
    if args.checkpoint is True:
        path: Path | None = Path(args.output) / CHECKPOINT_NAME
    elif args.checkpoint is not None:
        path = Path(args.checkpoint)
    elif resume is not None and resume.name.endswith(PREVIOUS_SUFFIX):
        path = resume.with_name(resume.name[: -len(PREVIOUS_SUFFIX)])
    else:
        path = resume
    if path is not None:
        folder = Path(args.output)
        _check_checkpoint_path(path, [folder / name for name in files])
        continues = resume is not None and resume.resolve() in (
            path.resolve(),
            path.resolve().with_name(path.resolve().name + PREVIOUS_SUFFIX),
        )
        if resume is not None and path.exists() and not continues:
            raise ValueError(
                f"argument --checkpoint: {os.fspath(path)!r} already exists; continue it with "
                f"--resume {os.fspath(path)}, or remove it to start afresh"
            )
    return path


def checkpointing(
    args: argparse.Namespace,
    add_parser: AddParser,
    trainer: str,
    settings: dict[str, Any],
    files: Sequence[str],
) -> Checkpointing:
    """The checkpoint options of ``args`` checked (before any work): the file to write (its
    folder not yet created) and the one to resume from, whose settings must be ``settings``.

    ``add_parser`` is the command's (to write the command that resumes); ``files`` are the
    names the command writes in its --output folder, which the checkpoint must not be.
    """
    if args.checkpoint_every is not None and args.checkpoint is None and args.resume is None:
        raise ValueError("--checkpoint-every applies with --checkpoint or --resume, got neither")
    current = json_settings(settings)
    resume = None if args.resume is None else Path(args.resume)
    done = 0 if resume is None else _check_resume(resume, args.command, trainer, current)
    path = _checkpoint_path(args, resume, files)
    every = 1 if args.checkpoint_every is None else args.checkpoint_every
    unreadable, finished = None, False
    rerun = resume is None and path is not None and os.path.lexists(path)
    if rerun:  # the same command run again: it goes on from its checkpoint
        assert path is not None
        resume, meta, unreadable = _rerun_source(path, trainer)
        done = _same_run(resume, meta, args.command, current)
        finished = done == current["epochs"] or meta.get("stopped") is not None
    return Checkpointing(
        args, add_parser, trainer, current, path, every, resume, done, rerun, unreadable, finished
    )


def finished_files(plan: Checkpointing, folder: Path, names: dict[str, str]) -> list[Path] | None:
    """The files in ``folder`` of the run over (all its epochs, or stopped) that the
    checkpoint of a rerun holds, when they are there unchanged: the files ``names`` of the
    command, listed in the manifest with their sizes and hashes, the history
    (``names["history"]``) of the same command, settings and epochs, not interrupted. The
    same command run again then has nothing to do (else None: it resumes, and writes them
    again)."""
    import json

    if not plan.finished:
        return None
    files = published_files(folder)
    if files is None or sorted(path.name for path in files[:-1]) != sorted(names.values()):
        return None
    try:
        with open(folder / names["history"], encoding="utf-8") as file:
            summary = json.load(file)
    except (OSError, ValueError, RecursionError):
        return None
    same = isinstance(summary, dict) and all(
        summary.get(key) == value
        for key, value in (
            ("command", plan.args.command),
            ("settings", plan.settings),
            ("epochs_completed", plan.resumed_epochs),
            ("interrupted", False),
        )
    )
    if not same:
        return None
    n_epochs = plan.settings["epochs"]
    print(
        f"Nothing to do: {plan.resume} holds epoch {plan.resumed_epochs} of {n_epochs}, written "
        f"by the same command, the run over, and {folder} holds its files, unchanged."
    )
    return files


def json_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """``settings`` as they read back from JSON (lists for tuples, plain numbers)."""
    import json

    result: dict[str, Any] = json.loads(json.dumps(jsonable(settings)))
    return result


def prepare_checkpoint(plan: Checkpointing) -> None:
    """Create the folder of the checkpoint file (after the output folder)."""
    if plan.path is not None:
        plan.path.parent.mkdir(parents=True, exist_ok=True)


# -- during and after the training ------------------------------------------------------------


def describe_checkpoints(plan: Checkpointing | None) -> None:
    """Say what the run resumes from and where its checkpoints go."""
    if plan is None:
        return
    if plan.unreadable is not None:  # e.g. "cannot resume from 'X': ..."
        print(plan.unreadable[:1].upper() + plan.unreadable[1:] + ".")
    if plan.rerun:
        print(
            f"Resuming from {plan.resume}: epoch {plan.resumed_epochs} of "
            f"{plan.settings['epochs']}, written by the same command."
        )
    elif plan.resume is not None:
        print(f"Resuming from {plan.resume}, which holds {plan.resumed_epochs} completed epochs.")
    if plan.path is not None:
        every = "every epoch" if plan.every == 1 else f"every {plan.every} epochs"
        kept = ""
        if plan.resume is not None and plan.resume.name == plan.path.name + PREVIOUS_SUFFIX:
            kept = f" ({plan.resume}, resumed from, stays the previous one)"
        print(f"Writing a checkpoint to {plan.path} {every} and after the last{kept}.")


def describe_time(n_done: int, seconds: float, plan: Checkpointing | None) -> str:
    """How many epochs this run trained (not those of the checkpoint) and how long."""
    resumed = 0 if plan is None else plan.resumed_epochs
    if not resumed:
        return f"Trained {n_done} epochs in {seconds:.1f} s."
    if n_done <= resumed:
        return f"Nothing left to train: the checkpoint holds all {n_done} epochs."
    return (
        f"Trained epochs {resumed + 1} to {n_done} in {seconds:.1f} s (1 to {resumed} came "
        "from the checkpoint)."
    )


def record_settings(history: dict[str, list[Any]], plan: Checkpointing) -> None:
    """Add this epoch's entry of the command's settings to ``history`` (see SETTINGS_KEY)."""
    column = history.setdefault(SETTINGS_KEY, [])
    column.append(plan.settings if len(history["epoch"]) == 1 else None)


def own_entries_removed(history: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """``history`` without the command's own entries (see SETTINGS_KEY)."""
    return {k: v for k, v in history.items() if not k.startswith(OWN_KEY_PREFIX)}


def command_line(args: argparse.Namespace, add_parser: AddParser, **values: Any) -> str:
    """The ``energynets`` command of ``args`` (the options that differ from their defaults in
    the parser of ``add_parser``), with ``values`` replacing some of them: a line for the
    shell."""
    import shlex

    parser = add_parser(argparse.ArgumentParser(prog="energynets").add_subparsers())
    words = ["energynets", args.command]
    for action in parser._actions:
        if not action.option_strings or action.dest == "help":
            continue
        value = values.get(action.dest, getattr(args, action.dest, None))
        if value is None or value is False or value == action.default:
            continue
        option = max(action.option_strings, key=len)
        if value is True:
            words.append(option)
        elif isinstance(value, list):
            shown = ",".join(str(v) for v in value) if value else "none"
            words += [option, shown]
        else:
            words += [option, str(value)]
    return " ".join(shlex.quote(word) for word in words)


def _resumable_epoch(path: Path, plan: Checkpointing) -> int | None:
    """The completed epochs of the checkpoint ``path`` when it is one of this run (same
    trainer and settings), else None."""
    from energynets import _checkpoint

    try:
        _, meta = _checkpoint.load_checkpoint(path, plan.trainer)
    except (OSError, ValueError):
        return None
    saved = _saved_settings(meta)
    if saved is None or _setting_differences(saved, plan.settings):
        return None
    return int(meta["epoch"])


def diverged(exc: Exception, options: str) -> FloatingPointError:
    """A training run that diverged (:class:`energynets.TrainingDiverged`), said for the
    command line: the trainer's diagnosis, and which ``options`` to lower."""
    diagnosis = str(exc).split("; ")[0].rstrip(".")
    return FloatingPointError(f"{diagnosis}; nothing was written: try a smaller {options}")


def resume_advice(plan: Checkpointing) -> str:
    """What to do after Ctrl-C: where the checkpoint is and the command that resumes."""
    if plan.path is None:
        return (
            "No checkpoint was written: give --checkpoint to be able to resume an interrupted run."
        )
    for source in (plan.path, plan.resume):
        if source is None:
            continue
        epoch = _resumable_epoch(source, plan)
        if epoch is not None:
            command = command_line(
                plan.args,
                plan.add_parser,
                checkpoint=os.fspath(plan.path),
                resume=os.fspath(source),
            )
            # without --resume, the same command finds its checkpoint (see _rerun_source)
            again = "\n  (or run the same command again)" if plan.args.resume is None else ""
            return (
                f"The checkpoint {source} holds {epoch} completed epochs; resume with:\n  {command}"
                + again
            )
    return f"No checkpoint was written yet (the first comes after epoch {plan.every})."


class LastEpoch:
    """A training callback that keeps a copy of the model and the history of the last
    completed epoch (for Ctrl-C), after adding the command's settings to the history when
    the run has a checkpoint ``plan`` (see SETTINGS_KEY)."""

    def __init__(self, plan: Checkpointing | None) -> None:
        self.plan = plan
        self.model: Any = None
        self.epochs = 0
        self.history: dict[str, list[Any]] = {}

    def __call__(self, epoch: int, model: Any, history: dict[str, list[Any]]) -> bool:
        if self.plan is not None:
            record_settings(history, self.plan)
        self.model, self.epochs, self.history = model.copy(), epoch + 1, history
        return False


class Trained(NamedTuple):
    """A model trained by :func:`train`, its history, and how the training went."""

    model: Any
    history: dict[str, list[Any]]
    interrupted: bool  # Ctrl-C: the model and history of the last completed epoch
    seconds: float


def train(
    fit: Callable[[], tuple[Any, dict[str, list[Any]]]],
    last: LastEpoch,
    n_epochs: int,
    options: str,
) -> Trained:
    """Run ``fit()``, a trainer called with ``last`` among its callbacks.

    Ctrl-C keeps the model and history of the last completed epoch (with no epoch completed
    it re-raises); either way it says where the checkpoint is and how to resume. A run that
    diverged is an error that says which ``options`` to lower.
    """
    from energynets.learning.divergence import TrainingDiverged

    start = time.perf_counter()
    try:
        model, history = fit()
    except TrainingDiverged as exc:
        raise diverged(exc, options) from None
    except KeyboardInterrupt:
        advice = None if last.plan is None else resume_advice(last.plan)
        if last.model is None:
            if advice is not None:
                print(advice, file=sys.stderr)
            raise
        history = {key: values[: last.epochs] for key, values in last.history.items()}
        print(
            f"Interrupted: keeping the model after epoch {last.epochs} of {n_epochs}.",
            file=sys.stderr,
        )
        if advice is not None:
            print(advice, file=sys.stderr)
        return Trained(last.model, history, True, time.perf_counter() - start)
    return Trained(model, history, False, time.perf_counter() - start)
