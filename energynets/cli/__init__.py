"""The ``energynets`` command: pattern recall, capacity, sampling and learning from the shell.

``energynets demo`` writes a small gallery (recall of corrupted letters, an animation of the
energy falling, a capacity sweep, the 2D Ising transition, a sampler race on a spin glass and
an RBM learning bars-and-stripes); ``energynets recall``, ``energynets capacity`` and
``energynets sample`` run each scene with every setting exposed. ``energynets train-rbm``
trains an RBM on bars-and-stripes, the embedded digits or (Fashion-)MNIST and writes the
model, its filters, samples and learning curve; ``energynets eval-rbm`` measures a saved RBM's
log-likelihood, exactly or with AIS and reverse AIS. ``energynets train-mlp`` trains a
feedforward network by backpropagation and writes the model, its learning curves, a confusion
matrix and its first-layer weights. ``energynets compare`` sets energy-based and backprop
learning side by side on the same data and writes a Markdown report with tables and figures.
``energynets sweep`` measures the capacity phase diagram as tasks on local processes or a Dask
cluster. ``energynets serve`` starts the playground, a local web app in which one draws,
stores and recalls patterns in the browser (:mod:`energynets.web`). ``python -m energynets``
is the same command.

Each subcommand is a module of this package with ``add_parser(subparsers)`` and
``run(args)``; they share the argument types (``_args``), the output files (``_output``), the
checkpoint policy (``_checkpointing``), the data sets (``_data``) and the scenes the demo
reuses (``_hopfield_scenes``, ``_sampling_scenes``, ``_rbm_training``, ``_compare_presets``,
``_cluster``), and never import one another.

Ctrl-C during ``train-rbm`` or ``train-mlp`` keeps the model of the last completed epoch and
writes all its files from it (``history.json`` says ``"interrupted": true``, exit status 130);
before the first epoch ends nothing is written. Every file is written atomically, through
:func:`energynets._npz.write_text` and the other atomic writers, ``history.json`` last, so no
file is ever half-written. With ``--checkpoint`` the training commands also write a checkpoint
of the whole training state every ``--checkpoint-every`` epochs (:mod:`energynets._checkpoint`);
after Ctrl-C they print the command that resumes from it (``--resume``), which ends
bit-identical to a run never interrupted.

Every command prints what it does and where it wrote its files. A mistake in the arguments, or
a ``ValueError``, ``TypeError`` or ``FileNotFoundError`` from the library, ends the command
with one line ``energynets <command>: error: <message>`` on stderr and exit status 2, never a
traceback. Pictures are drawn with matplotlib's Agg backend (no display needed).
"""

from __future__ import annotations

import os
import sys

from energynets.cli import (
    capacity,
    compare,
    demo,
    eval_rbm,
    recall,
    sample,
    serve,
    sweep,
    train_mlp,
    train_rbm,
)
from energynets.cli._args import Parser, UsageError
from energynets.cli._output import one_line

__all__ = ["build_parser", "main"]

#: The subcommands by name, in the order of ``energynets --help``.
_COMMANDS = {
    "demo": demo,
    "recall": recall,
    "capacity": capacity,
    "sample": sample,
    "train-rbm": train_rbm,
    "eval-rbm": eval_rbm,
    "train-mlp": train_mlp,
    "compare": compare,
    "sweep": sweep,
    "serve": serve,
}


def build_parser() -> Parser:
    """The ``energynets`` argument parser: one subcommand per module of this package
    (``demo``, ``recall``, ``capacity``, ``sample``, ``train-rbm``, ``eval-rbm``,
    ``train-mlp``, ``compare``, ``sweep``, ``serve``)."""
    from energynets import __version__

    parser = Parser(
        prog="energynets",
        description=(
            "Hopfield networks and Boltzmann machines from explicit energy functions. "
            "Start with 'energynets demo'."
        ),
        epilog="Run 'energynets COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"energynets {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    parser.commands = {name: module.add_parser(subparsers) for name, module in _COMMANDS.items()}
    return parser


def _silence_stdout() -> None:
    """Point stdout at devnull so that the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    """Run the ``energynets`` command line.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        The exit status: 0 on success (and for ``--help`` and ``--version``), 2 for a bad
        command line or an error reported by the library, 130 when interrupted.
    """
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # reported by the subcommand, like its other errors
            parser.commands[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    except UsageError as exc:
        print(one_line(exc), file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help and --version print and exit
        return exc.code if isinstance(exc.code, int) else 0
    prog = f"energynets {args.command}"
    try:
        result: int = _COMMANDS[args.command].run(args)
        return result
    except BrokenPipeError:  # e.g. piped into head: stop quietly
        _silence_stdout()
        return 1
    except (ValueError, TypeError, OSError, ArithmeticError) as exc:
        # ArithmeticError: a training run that diverged (energynets' TrainingDiverged is a
        # FloatingPointError), or a number too large for the C code it reached
        print(f"{prog}: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"{prog}: error: out of memory; use smaller sizes", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
