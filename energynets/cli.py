"""The ``energynets`` command: pattern-recall and capacity scenes from the shell.

``energynets demo`` writes a small gallery (recall of corrupted letters, an animation of the
energy falling, a capacity sweep); ``energynets recall`` and ``energynets capacity`` run each
scene with every setting exposed. ``python -m energynets`` is the same command.

Every command prints what it does and where it wrote its files. A mistake in the arguments, or
a ``ValueError``, ``TypeError`` or ``FileNotFoundError`` from the library, ends the command
with one line ``energynets <command>: error: <message>`` on stderr and exit status 2, never a
traceback. Pictures are drawn with matplotlib's Agg backend (no display needed) and written
atomically.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

__all__ = ["build_parser", "main"]

#: Letters recalled by default: with the Hebbian rule these four glyphs are all fixed points and
#: are recalled exactly from 20% flipped pixels (checked over 100 seeds); longer words of
#: correlated glyphs (HOPFIELD) end in mixture states unless stored with the pseudo-inverse rule.
DEFAULT_LETTERS = "AIVX"
DEFAULT_OUTPUT = "energynets-output"
RULES = ("hebbian", "storkey", "pseudoinverse")
DYNAMICS = ("async", "sync")


class _UsageError(Exception):
    """A bad command line; the message is the full one-line report."""


class _Parser(argparse.ArgumentParser):
    """An argparse parser whose errors are one line (no usage block) and exit status 2."""

    #: The subcommand parsers by name (top-level parser only).
    commands: dict[str, argparse.ArgumentParser]

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: error: {message}")


# -- argument types (their messages follow "argument --name: ") ------------------------------


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text}")
    return value


def _int_at_least(minimum: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {value}")
        return value

    return parse


def _alphas(text: str) -> list[float]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise argparse.ArgumentTypeError(f"expected comma-separated loads, got {text!r}")
    values = []
    for item in items:
        try:
            value = float(item)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated numbers such as 0.05,0.1,0.2, got {item!r}"
            ) from None
        if not (np.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(f"loads must be > 0, got {item}")
        values.append(value)
    return values


def _rules(text: str) -> list[str]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise argparse.ArgumentTypeError(f"expected comma-separated rules, got {text!r}")
    for item in items:
        if item not in RULES:
            raise argparse.ArgumentTypeError(
                f"unknown rule {item!r} (choose from {', '.join(RULES)})"
            )
    return items


def _letters(text: str) -> str:
    from energynets._glyphs import GLYPHS

    letters = text.upper()
    if not letters:
        raise argparse.ArgumentTypeError("expected at least one letter or digit")
    bad = sorted({c for c in letters if c not in GLYPHS})
    if bad:
        raise argparse.ArgumentTypeError(
            f"no glyph for {''.join(bad)!r} (the built-in glyphs are A-Z and 0-9)"
        )
    repeated = sorted({c for c in letters if letters.count(c) > 1})
    if repeated:
        raise argparse.ArgumentTypeError(
            f"each glyph can be stored once, got {''.join(repeated)!r} more than once"
        )
    return letters


# -- the parser -------------------------------------------------------------------------------


def _add_output(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--output",
        "-o",
        metavar="DIR",
        default=DEFAULT_OUTPUT,
        help="folder for the pictures, created if missing (default: %(default)s)",
    )


def _add_seed(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--seed",
        type=_int_at_least(0),
        default=0,
        help="seed of all randomness; the same seed gives the same output (default: %(default)s)",
    )


def _add_recall_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--letters",
        type=_letters,
        default=DEFAULT_LETTERS,
        help=(
            "glyphs to store, from A-Z and 0-9 (default: %(default)s, which the Hebbian rule "
            "recalls well; glyphs are correlated, so for long words such as HOPFIELD use "
            "--rule pseudoinverse)"
        ),
    )
    p.add_argument(
        "--rule",
        choices=RULES,
        default="hebbian",
        help="learning rule that stores the glyphs (default: %(default)s)",
    )
    p.add_argument(
        "--dynamics",
        choices=DYNAMICS,
        default="async",
        help=(
            "recall dynamics: one unit at a time or all at once (default: %(default)s); the "
            "animation always shows the asynchronous dynamics"
        ),
    )
    p.add_argument(
        "--flip-fraction",
        type=_fraction,
        default=0.2,
        metavar="F",
        help="fraction of the pixels flipped in each probe (default: %(default)s)",
    )
    p.add_argument(
        "--max-sweeps",
        type=_int_at_least(1),
        default=100,
        metavar="N",
        help="upper bound on the sweeps of the dynamics (default: %(default)s)",
    )
    p.add_argument(
        "--animate",
        metavar="LETTER",
        default=None,
        help="which probe recall.gif shows (default: the first letter)",
    )


def build_parser() -> _Parser:
    """The ``energynets`` argument parser (subcommands ``demo``, ``recall``, ``capacity``)."""
    from energynets import __version__

    parser = _Parser(
        prog="energynets",
        description=(
            "Hopfield networks and Boltzmann machines from explicit energy functions. "
            "Start with 'energynets demo'."
        ),
        epilog="Run 'energynets COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"energynets {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser(
        "demo",
        help="a tour in pictures: letter recall, an energy animation, a capacity sweep",
        description=(
            "Store glyphs in a Hopfield network, corrupt them and recall them (recall.png, "
            "recall.gif, energy.png); store the similar letters of HOPFIELD with each "
            "learning rule and compare what they recall (rules.png); measure the storage "
            "capacity of the three rules on random patterns (capacity.png). Takes well under "
            "a minute."
        ),
    )
    _add_seed(demo)
    demo.add_argument(
        "--n-units",
        type=_int_at_least(10),
        default=200,
        metavar="N",
        help="units of the capacity scene (default: %(default)s)",
    )
    _add_output(demo)

    recall = sub.add_parser(
        "recall",
        help="store glyphs, corrupt them, recall them; pictures and an overlap table",
        description=(
            "Store glyphs with a learning rule, flip a fraction of the pixels of each, and "
            "let the network relax at zero temperature. Prints each probe's overlap "
            "m = s . xi / N with its pattern before and after, and writes recall.png "
            "(stored / corrupted / recalled), recall.gif (one probe relaxing, its energy "
            "falling) and energy.png (energy and overlap along the dynamics)."
        ),
    )
    _add_recall_options(recall)
    _add_seed(recall)
    _add_output(recall)

    capacity = sub.add_parser(
        "capacity",
        help="storage capacity of the learning rules against the load P / N",
        description=(
            "Store random patterns at a range of loads alpha = P / N with each rule and "
            "measure the one-step bit error, the fraction of fixed points, recall from noisy "
            "probes and the error after relaxing. Prints the table and writes capacity.png, "
            "with the Hebbian theory and the McEliece, Storkey and alpha_c = 0.138 loads."
        ),
    )
    capacity.add_argument(
        "--n-units",
        type=_int_at_least(2),
        default=200,
        metavar="N",
        help="number of units N (default: %(default)s)",
    )
    capacity.add_argument(
        "--alphas",
        type=_alphas,
        default=None,
        metavar="A,B,...",
        help="comma-separated loads P / N (default: 13 loads from 0.02 to 0.5)",
    )
    capacity.add_argument(
        "--rules",
        type=_rules,
        default=list(RULES),
        metavar="R,S,...",
        help=f"comma-separated learning rules (default: {','.join(RULES)})",
    )
    capacity.add_argument(
        "--flip-fraction",
        type=_fraction,
        default=0.1,
        metavar="F",
        help="fraction of the bits flipped in each recall probe (default: %(default)s)",
    )
    capacity.add_argument(
        "--trials",
        type=_int_at_least(1),
        default=1,
        metavar="T",
        help="independent pattern sets to average over (default: %(default)s)",
    )
    capacity.add_argument(
        "--max-probes",
        type=_int_at_least(1),
        default=None,
        metavar="K",
        help="probe at most K stored patterns per load, to save time (default: all)",
    )
    _add_seed(capacity)
    _add_output(capacity)
    parser.commands = {"demo": demo, "recall": recall, "capacity": capacity}
    return parser


# -- the scenes -------------------------------------------------------------------------------


def _use_agg() -> None:
    import matplotlib

    matplotlib.use("Agg")


def _output_folder(name: str) -> Path:
    folder = Path(name)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"--output {name!r} exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _pad_rows(series: Sequence[np.ndarray]) -> np.ndarray:
    """Stack series of different lengths along axis 1, each held at its last row.

    ``series[k]`` has shape (n_rows_k, ...); the result (max n_rows_k, n_series, ...), the
    layout of :attr:`energynets.RecallResult.energies` and ``overlaps``.
    """
    n_rows = max(len(s) for s in series)
    out = np.empty((n_rows, len(series), *series[0].shape[1:]))
    for k, s in enumerate(series):
        out[: len(s), k] = s
        out[len(s) :, k] = s[-1]
    return out


def _recall_scene(args: argparse.Namespace, folder: Path) -> list[Path]:
    """Store, corrupt, recall; print the overlap table; write the three pictures."""
    _use_agg()
    from matplotlib.figure import Figure

    from energynets import datasets, plotting
    from energynets.models.hopfield import HopfieldNetwork
    from energynets.sampling.dynamics import trajectory
    from energynets.states import corrupt

    letters = args.letters
    animate = letters[0] if args.animate is None else args.animate.upper()
    if animate not in letters:
        raise ValueError(
            f"--animate must be one of the stored letters {letters!r}, got {animate!r}"
        )
    patterns, labels = datasets.glyphs(letters)
    shape = datasets.glyph_shape()
    n_units = patterns.shape[1]
    gen = np.random.default_rng(args.seed)
    net = HopfieldNetwork.from_patterns(patterns, rule=args.rule)
    probes = corrupt(patterns, args.flip_fraction, rng=gen)
    n_flipped = round(args.flip_fraction * n_units)
    print(
        f"Storing {len(labels)} glyphs {letters} ({shape[0]} x {shape[1]} = {n_units} units) "
        f"with the {args.rule} rule; flipping {n_flipped} pixels of each "
        f"({args.flip_fraction:.0%}) and recalling with {args.dynamics} dynamics."
    )
    res = net.recall(probes, dynamics=args.dynamics, max_sweeps=args.max_sweeps, rng=gen)

    # the table: each probe against its own pattern, before and after
    m_before = np.sum(probes * patterns, axis=1) / n_units
    m_after = np.sum(res.states * patterns, axis=1) / n_units
    closest = np.argmax(res.states @ patterns.T / n_units, axis=1)
    exact = np.all(res.states == patterns, axis=1)
    header = f"{'glyph':>5}  {'m before':>8}  {'m after':>8}  {'sweeps':>6}  result"
    print()
    print(header)
    print("-" * (len(header) + 12))
    for k, label in enumerate(labels):
        if exact[k]:
            outcome = "recalled"
        elif res.cycled[k]:
            outcome = "2-cycle"
        elif closest[k] != k:
            outcome = f"wrong: closest to {labels[closest[k]]}"
        else:
            outcome = f"{int(np.sum(res.states[k] != patterns[k]))} pixels wrong"
        print(
            f"{label:>5}  {m_before[k]:8.3f}  {m_after[k]:8.3f}  {int(res.n_sweeps[k]):6d}  "
            f"{outcome}"
        )
    print(f"{int(exact.sum())} of {len(labels)} recalled exactly.")
    print()

    written = []
    fig = plotting.recall_figure(
        patterns,
        probes,
        res.states,
        shape,
        labels=labels,
        title=(
            f"{args.rule} rule, {args.flip_fraction:.0%} of the pixels flipped, "
            f"{'asynchronous' if args.dynamics == 'async' else 'synchronous'} dynamics"
        ),
    )
    written.append(plotting.save_figure(fig, folder / "recall.png"))

    # unit-by-unit asynchronous runs from the same probes, for the animation and energy.png
    runs = [
        trajectory(net, probes[k], max_sweeps=args.max_sweeps, record_every=1, rng=gen)
        for k in range(len(labels))
    ]
    fig = Figure(figsize=(10.0, 3.8), layout="constrained")
    ax_e, ax_m = fig.subplots(1, 2)
    if args.dynamics == "async":
        energies = _pad_rows([e for _, e in runs])
        overlaps = _pad_rows([f @ patterns.T / n_units for f, _ in runs])
        sweeps = np.arange(energies.shape[0]) / n_units
        plotting.energy_trace(energies, ax_e, labels=labels, sweeps=sweeps)
        ax_e.set_title("energy falls with every flip (asynchronous, unit by unit)")
        plotting.overlap_trace(overlaps, ax_m, labels=labels, sweeps=sweeps)
        ax_m.set_title("overlap with the stored patterns")
    else:
        plotting.energy_trace(res.energies, ax_e, labels=labels)
        ax_e.set_title("energy per synchronous step")
        if res.overlaps is not None:
            plotting.overlap_trace(res.overlaps, ax_m, labels=labels)
        ax_m.set_title("overlap with the stored patterns")
    written.append(plotting.save_figure(fig, folder / "energy.png"))

    k = letters.index(animate)
    frames, energies_k = runs[k]
    step = max(1, n_units // 32)  # about 32 frames per sweep
    keep = np.unique(np.append(np.arange(0, len(frames), step), len(frames) - 1))
    written.append(
        plotting.recall_animation(
            frames[keep],
            energies_k[keep],
            shape,
            folder / "recall.gif",
            pattern=patterns[k],
            times=keep / n_units,
            title=f"recalling {animate} from {args.flip_fraction:.0%} flipped pixels",
        )
    )
    return written


def _rules_scene(letters: str, flip_fraction: float, seed: int, folder: Path) -> list[Path]:
    """The same corrupted glyphs recalled by networks stored with each rule: rules.png."""
    _use_agg()
    from energynets import datasets, plotting
    from energynets.models.hopfield import HopfieldNetwork
    from energynets.states import corrupt

    patterns, labels = datasets.glyphs(letters)
    gen = np.random.default_rng(seed)
    probes = corrupt(patterns, flip_fraction, rng=gen)
    print(
        f"Storing the {len(labels)} correlated glyphs {letters} with each rule and recalling "
        f"them from {flip_fraction:.0%} flipped pixels:"
    )
    recalled = {}
    for rule in RULES:
        res = HopfieldNetwork.from_patterns(patterns, rule=rule).recall(probes, rng=gen)
        recalled[rule] = res.states
        n_exact = int(np.all(res.states == patterns, axis=1).sum())
        print(f"  {rule:<14} {n_exact} of {len(labels)} recalled exactly")
    fig = plotting.recall_figure(
        patterns,
        probes,
        recalled,
        datasets.glyph_shape(),
        labels=labels,
        title=f"the same probes ({flip_fraction:.0%} flipped) recalled by three learning rules",
    )
    return [plotting.save_figure(fig, folder / "rules.png")]


def _capacity_scene(
    folder: Path,
    *,
    n_units: int,
    alphas: list[float] | None,
    rules: list[str],
    flip_fraction: float,
    n_trials: int,
    max_probes: int | None,
    seed: int,
) -> list[Path]:
    """Run the capacity experiment, print its table, write capacity.png."""
    _use_agg()
    from energynets import plotting
    from energynets.experiments.capacity import run_capacity

    print(
        f"Capacity: N = {n_units} units, rules {', '.join(rules)}, {n_trials} trial(s), "
        f"{flip_fraction:.0%} of bits flipped in the recall probes."
    )
    result = run_capacity(
        n_units=n_units,
        alphas=alphas,
        rules=rules,
        flip_fraction=flip_fraction,
        n_trials=n_trials,
        max_probes=max_probes,
        rng=seed,
        progress=True,
    )
    print(result.to_text())
    fig = plotting.capacity_figure(result)
    return [plotting.save_figure(fig, folder / "capacity.png")]


def _report(written: Sequence[Path]) -> None:
    print("Wrote:")
    for path in written:
        print(f"  {path}")


# -- the commands -----------------------------------------------------------------------------


def _cmd_recall(args: argparse.Namespace) -> int:
    folder = _output_folder(args.output)
    _report(_recall_scene(args, folder))
    return 0


def _cmd_capacity(args: argparse.Namespace) -> int:
    folder = _output_folder(args.output)
    written = _capacity_scene(
        folder,
        n_units=args.n_units,
        alphas=args.alphas,
        rules=args.rules,
        flip_fraction=args.flip_fraction,
        n_trials=args.trials,
        max_probes=args.max_probes,
        seed=args.seed,
    )
    _report(written)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    folder = _output_folder(args.output)
    print("== 1. Associative memory: recalling corrupted letters ==")
    recall_args = argparse.Namespace(
        letters=DEFAULT_LETTERS,
        rule="hebbian",
        dynamics="async",
        flip_fraction=0.2,
        max_sweeps=100,
        animate=None,
        seed=args.seed,
    )
    written = _recall_scene(recall_args, folder)
    print()
    print("== 2. Learning rules: storing a word of similar letters ==")
    written += _rules_scene("HOPFIELD", 0.2, args.seed, folder)
    print()
    print("== 3. Storage capacity: how many random patterns fit in N units ==")
    written += _capacity_scene(
        folder,
        n_units=args.n_units,
        alphas=None,
        rules=list(RULES),
        flip_fraction=0.1,
        n_trials=2,
        max_probes=20,
        seed=args.seed,
    )
    _report(written)
    print(f"Done in {time.perf_counter() - start:.1f} s; open the pictures in {folder}/")
    return 0


_COMMANDS = {"demo": _cmd_demo, "recall": _cmd_recall, "capacity": _cmd_capacity}


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


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
    except _UsageError as exc:
        print(_one_line(exc), file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help and --version print and exit
        return exc.code if isinstance(exc.code, int) else 0
    prog = f"energynets {args.command}"
    try:
        return _COMMANDS[args.command](args)
    except BrokenPipeError:  # e.g. piped into head: stop quietly
        _silence_stdout()
        return 1
    except (ValueError, TypeError, OSError) as exc:
        print(f"{prog}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
