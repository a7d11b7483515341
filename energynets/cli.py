"""The ``energynets`` command: pattern-recall, capacity and sampling scenes from the shell.

``energynets demo`` writes a small gallery (recall of corrupted letters, an animation of the
energy falling, a capacity sweep, the 2D Ising transition and a sampler race on a spin glass);
``energynets recall``, ``energynets capacity`` and ``energynets sample`` run each scene with
every setting exposed. ``python -m energynets`` is the same command.

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
from collections.abc import Callable, Sequence
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
# the sampling systems and samplers (energynets.experiments.sampling.SYSTEMS and SAMPLERS; not
# imported here so that the parser builds without loading the experiments)
SYSTEMS = ("ising", "sk", "ring")
SAMPLERS = ("gibbs", "metropolis", "checkerboard", "tempering")


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


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}") from None
    if not (np.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text}")
    return value


def _positive_floats(what: str, example: str) -> Callable[[str], list[float]]:
    """An argparse type for comma-separated numbers > 0 (loads, temperatures)."""

    def parse(text: str) -> list[float]:
        items = [t.strip() for t in text.split(",") if t.strip()]
        if not items:
            raise argparse.ArgumentTypeError(f"expected comma-separated {what}, got {text!r}")
        values = []
        for item in items:
            try:
                value = float(item)
            except ValueError:
                raise argparse.ArgumentTypeError(
                    f"expected comma-separated numbers such as {example}, got {item!r}"
                ) from None
            if not (np.isfinite(value) and value > 0):
                raise argparse.ArgumentTypeError(f"{what} must be > 0, got {item}")
            values.append(value)
        return values

    return parse


def _names(what: str, choices: Sequence[str]) -> Callable[[str], list[str]]:
    """An argparse type for comma-separated names, each one of ``choices``."""

    def parse(text: str) -> list[str]:
        items = [t.strip() for t in text.split(",") if t.strip()]
        if not items:
            raise argparse.ArgumentTypeError(f"expected comma-separated {what}s, got {text!r}")
        for item in items:
            if item not in choices:
                raise argparse.ArgumentTypeError(
                    f"unknown {what} {item!r} (choose from {', '.join(choices)})"
                )
        return items

    return parse


_temperatures = _positive_floats("temperatures", "2.0,2.2,2.4")
_samplers = _names("sampler", SAMPLERS)
_alphas = _positive_floats("loads", "0.05,0.1,0.2")
_rules = _names("rule", RULES)


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
    """The ``energynets`` argument parser (``demo``, ``recall``, ``capacity``, ``sample``)."""
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
        help="a tour in pictures: letter recall, capacity, the Ising transition, samplers",
        description=(
            "Store glyphs in a Hopfield network, corrupt them and recall them (recall.png, "
            "recall.gif, energy.png); store the similar letters of HOPFIELD with each "
            "learning rule and compare what they recall (rules.png); measure the storage "
            "capacity of the three rules on random patterns (capacity.png); sample the 2D "
            "Ising model across its transition (ising_scan.png) and race Gibbs sampling "
            "against parallel tempering on a spin glass (compare.png). Takes well under a "
            "minute."
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

    sample = sub.add_parser(
        "sample",
        help="sample the Ising model, a spin glass or a frustrated ring; Ising scans; races",
        description=(
            "Run many chains of a sampler on a system at temperature T and print the energy "
            "and magnetisation statistics (mean, standard error, autocorrelation time, "
            "effective sample size, R-hat), with a chi-square test against the exact "
            "distribution for systems of at most 16 units; writes sample.png and sample.json. "
            "--scan measures the 2D Ising magnetisation and heat capacity against T next to "
            "Onsager's T_c = 2.269 (ising_scan.png, ising_scan.json); --compare gives several "
            "samplers the same budget on a hard system and shows which one mixes "
            "(compare.png, compare.json)."
        ),
    )
    sample.add_argument(
        "--system",
        choices=SYSTEMS,
        default=None,
        help=(
            "2D Ising model (periodic lattice, J = 1), Sherrington-Kirkpatrick spin glass, or "
            "antiferromagnetic ring (default: ising; sk with --compare)"
        ),
    )
    sample.add_argument(
        "--size",
        type=_int_at_least(2),
        default=None,
        metavar="N",
        help=(
            "lattice side for ising (default 16; 32 with --scan), number of spins for sk "
            "(default 64) and ring (default 9)"
        ),
    )
    sample.add_argument(
        "--sampler",
        choices=SAMPLERS,
        default=None,
        help="default: checkerboard for ising, gibbs otherwise",
    )
    sample.add_argument(
        "--temperature",
        type=_positive,
        default=None,
        metavar="T",
        help=(
            "temperature (default: ising 2.5, sk 0.5, ring 0.5; with --compare: ising 1.5, "
            "sk 0.25, ring 0.5)"
        ),
    )
    sample.add_argument(
        "--chains",
        type=_int_at_least(1),
        default=16,
        metavar="K",
        help="independent chains, run as one batch (default: %(default)s)",
    )
    sample.add_argument(
        "--sweeps",
        type=_int_at_least(2),
        default=None,
        metavar="S",
        help=(
            "sweeps per chain (per temperature with --scan; the budget in sweep-equivalents "
            "with --compare) (default: 1000; 2000 with --compare)"
        ),
    )
    sample.add_argument(
        "--burn-in",
        type=_int_at_least(0),
        default=None,
        metavar="B",
        help="sweeps left out of the statistics (default: a fifth of --sweeps)",
    )
    sample.add_argument(
        "--replicas",
        type=_int_at_least(2),
        default=None,
        metavar="R",
        help="rungs of the parallel-tempering ladder (default: 8)",
    )
    sample.add_argument(
        "--hottest",
        type=_positive,
        default=None,
        metavar="T",
        help="temperature of the hottest tempering rung (default: from the couplings)",
    )
    mode = sample.add_mutually_exclusive_group()
    mode.add_argument(
        "--scan",
        action="store_true",
        help="2D Ising magnetisation and heat capacity against temperature (system ising)",
    )
    mode.add_argument(
        "--compare",
        action="store_true",
        help="compare samplers on the same budget (see --samplers)",
    )
    sample.add_argument(
        "--temperatures",
        type=_temperatures,
        default=None,
        metavar="T1,T2,...",
        help="with --scan: the temperatures (default: 1.5, 1.6, ..., 3.0)",
    )
    sample.add_argument(
        "--samplers",
        type=_samplers,
        default=None,
        metavar="A,B,...",
        help="with --compare: the samplers to race (default: gibbs,tempering)",
    )
    _add_seed(sample)
    _add_output(sample)
    parser.commands = {"demo": demo, "recall": recall, "capacity": capacity, "sample": sample}
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


def _write_json(data: Any, path: Path) -> Path:
    """Write ``data`` as indented JSON, atomically (a temporary sibling, then os.replace)."""
    import json
    import secrets

    text = json.dumps(data, indent=2, allow_nan=False) + "\n"
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _scan_scene(
    folder: Path,
    *,
    side: int,
    temperatures: list[float] | None,
    n_sweeps: int,
    burn_in: int,
    n_chains: int,
    seed: int,
    write_json: bool,
) -> list[Path]:
    """Run the Ising temperature scan, print its table, write ising_scan.png (and .json)."""
    _use_agg()
    from energynets import plotting
    from energynets.experiments.sampling import ising_temperature_scan

    n_temps = "16" if temperatures is None else str(len(temperatures))
    print(
        f"2D Ising model on a {side} x {side} periodic lattice: {n_chains} chains x "
        f"{n_sweeps} checkerboard sweeps at each of {n_temps} temperatures."
    )
    result = ising_temperature_scan(
        side,
        temperatures,
        n_sweeps=n_sweeps,
        burn_in=burn_in,
        n_chains=n_chains,
        rng=seed,
        progress=True,
    )
    print(result.to_text())
    written = [plotting.save_figure(plotting.ising_scan_figure(result), folder / "ising_scan.png")]
    if write_json:
        written.append(_write_json(result.summary(), folder / "ising_scan.json"))
    return written


def _compare_scene(
    folder: Path,
    *,
    system: str,
    size: int | None,
    samplers: list[str],
    temperature: float | None,
    n_chains: int,
    n_sweeps: int,
    burn_in: int,
    n_temperatures: int,
    hottest: float | None,
    seed: int,
    write_json: bool,
) -> list[Path]:
    """Race samplers on one system with one budget, print the table, write compare.png."""
    _use_agg()
    from energynets import plotting
    from energynets.experiments.sampling import compare_samplers

    print(f"Comparing {', '.join(samplers)} on the same budget of {n_sweeps} sweep-equivalents:")
    result = compare_samplers(
        system,
        samplers,
        size=size,
        temperature=temperature,
        n_chains=n_chains,
        n_sweeps=n_sweeps,
        burn_in=burn_in,
        n_temperatures=n_temperatures,
        hottest_temperature=hottest,
        rng=seed,
        progress=True,
    )
    print(result.to_text())
    fig = plotting.sampler_comparison_figure(result)
    written = [plotting.save_figure(fig, folder / "compare.png")]
    if write_json:
        written.append(_write_json(result.summary(), folder / "compare.json"))
    return written


def _sample_scene(
    args: argparse.Namespace, folder: Path, system: str, n_sweeps: int, burn_in: int
) -> list[Path]:
    """Sample one system with one sampler, print the table, write sample.png and .json."""
    _use_agg()
    from energynets import plotting
    from energynets.experiments.sampling import sample_system

    sampler = args.sampler or ("checkerboard" if system == "ising" else "gibbs")
    print(f"Sampling the {system} system with the {sampler} sampler ({args.chains} chains):")
    result = sample_system(
        system,
        sampler,
        size=args.size,
        n_chains=args.chains,
        n_sweeps=n_sweeps,
        burn_in=burn_in,
        temperature=args.temperature,
        n_temperatures=args.replicas or 8,
        hottest_temperature=args.hottest,
        rng=args.seed,
        progress=True,
    )
    print(result.to_text())
    return [
        plotting.save_figure(plotting.sampling_figure(result), folder / "sample.png"),
        _write_json(result.summary(), folder / "sample.json"),
    ]


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
    print()
    print("== 4. Sampling: the 2D Ising transition, and a spin glass that Gibbs cannot cross ==")
    written += _scan_scene(
        folder,
        side=16,
        temperatures=None,
        n_sweeps=300,
        burn_in=100,
        n_chains=8,
        seed=args.seed,
        write_json=False,
    )
    print()
    written += _compare_scene(
        folder,
        system="sk",
        size=64,
        samplers=["gibbs", "tempering"],
        temperature=0.25,
        n_chains=16,
        n_sweeps=1600,
        burn_in=320,
        n_temperatures=8,
        hottest=None,
        seed=args.seed,
        write_json=False,
    )
    _report(written)
    print(f"Done in {time.perf_counter() - start:.1f} s; open the pictures in {folder}/")
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    # options that belong to another mode: one-line errors before any work
    if args.scan:
        mode = "--scan"
        wrong = {
            "--sampler": args.sampler,
            "--temperature": args.temperature,
            "--samplers": args.samplers,
            "--replicas": args.replicas,
            "--hottest": args.hottest,
        }
        if args.system not in (None, "ising"):
            raise ValueError(f"--scan is for --system ising, got --system {args.system}")
    else:
        if args.compare:
            mode = "--compare"
            wrong = {"--sampler": args.sampler, "--temperatures": args.temperatures}
            tempering = "tempering" in (args.samplers or ["tempering"])
        else:
            mode = "a single run (without --scan or --compare)"
            wrong = {"--temperatures": args.temperatures, "--samplers": args.samplers}
            tempering = args.sampler == "tempering"
        if not tempering:
            mode += " without the tempering sampler"
            wrong.update({"--replicas": args.replicas, "--hottest": args.hottest})
    for option, value in wrong.items():
        if value is not None:
            hint = {
                "--sampler": " (use --samplers with --compare)",
                "--temperature": " (use --temperatures with --scan)",
                "--temperatures": " (it belongs to --scan)",
                "--samplers": " (it belongs to --compare)",
                "--replicas": " (it belongs to the tempering sampler)",
                "--hottest": " (it belongs to the tempering sampler)",
            }[option]
            raise ValueError(f"{option} does not apply to {mode}{hint}")
    n_sweeps = args.sweeps if args.sweeps is not None else (2000 if args.compare else 1000)
    burn_in = args.burn_in if args.burn_in is not None else n_sweeps // 5
    if burn_in > n_sweeps - 2:
        raise ValueError(
            f"--burn-in must leave at least 2 sweeps to measure (<= --sweeps - 2 = "
            f"{n_sweeps - 2}), got {burn_in}"
        )
    folder = _output_folder(args.output)
    if args.scan:
        side = 32 if args.size is None else args.size
        if side % 2:
            raise ValueError(f"--size must be even for --scan (checkerboard updates), got {side}")
        written = _scan_scene(
            folder,
            side=side,
            temperatures=args.temperatures,
            n_sweeps=n_sweeps,
            burn_in=burn_in,
            n_chains=args.chains,
            seed=args.seed,
            write_json=True,
        )
    elif args.compare:
        written = _compare_scene(
            folder,
            system=args.system or "sk",
            size=args.size,
            samplers=args.samplers or ["gibbs", "tempering"],
            temperature=args.temperature,
            n_chains=args.chains,
            n_sweeps=n_sweeps,
            burn_in=burn_in,
            n_temperatures=args.replicas or 8,
            hottest=args.hottest,
            seed=args.seed,
            write_json=True,
        )
    else:
        written = _sample_scene(args, folder, args.system or "ising", n_sweeps, burn_in)
    _report(written)
    return 0


_COMMANDS = {
    "demo": _cmd_demo,
    "recall": _cmd_recall,
    "capacity": _cmd_capacity,
    "sample": _cmd_sample,
}


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
