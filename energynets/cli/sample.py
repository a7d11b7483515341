"""``energynets sample``: sample the Ising model, a spin glass or a frustrated ring.

A single run prints the energy and magnetisation statistics of one sampler and writes
sample.png and sample.json; ``--scan`` measures the 2D Ising transition (ising_scan.png),
``--compare`` races samplers on one budget (compare.png) and ``--slowing-down`` measures the
autocorrelation times at T_c against the lattice side and the dynamic exponent z
(slowing_down.png), with the scenes of :mod:`energynets.cli._sampling_scenes`.
"""

from __future__ import annotations

import argparse
from typing import Any

from energynets.cli._args import (
    add_count,
    add_output,
    add_seed,
    comma_separated,
    command,
    names,
    positive,
    positive_floats,
)
from energynets.cli._output import output_folder, report
from energynets.cli._sampling_scenes import (
    race_scene,
    sample_scene,
    scan_scene,
    slowing_down_scene,
)

# the sampling systems and samplers (energynets.experiments.sampling.SYSTEMS and SAMPLERS; not
# imported here so that the parser builds without loading the experiments)
SYSTEMS = ("ising", "sk", "ring")
SAMPLERS = ("gibbs", "metropolis", "checkerboard", "tempering")
# energynets.experiments.sampling.CSD_SAMPLERS, the samplers of --slowing-down
CSD_SAMPLERS = ("heat-bath", "metropolis", "wolff", "swendsen-wang")

_temperatures = positive_floats("temperatures", "2.0,2.2,2.4")
_samplers = names("sampler", tuple(dict.fromkeys(SAMPLERS + CSD_SAMPLERS)))

#: Why each option that does not apply to a mode belongs elsewhere.
_HINTS = {
    "--sampler": " (use --samplers with --compare)",
    "--temperature": " (use --temperatures with --scan)",
    "--temperatures": " (it belongs to --scan)",
    "--samplers": " (it belongs to --compare and --slowing-down)",
    "--sides": " (it belongs to --slowing-down)",
    "--size": " (use --sides with --slowing-down)",
    "--replicas": " (it belongs to the tempering sampler)",
    "--hottest": " (it belongs to the tempering sampler)",
}

HELP = "sample the Ising model, a spin glass or a frustrated ring; Ising scans; races"
DESCRIPTION = (
    "Run many chains of a sampler on a system at temperature T and print the energy "
    "and magnetisation statistics (mean, standard error, autocorrelation time, "
    "effective sample size, R-hat), with a chi-square test against the exact "
    "distribution for systems of at most 16 units; writes sample.png and sample.json. "
    "--scan measures the 2D Ising magnetisation and heat capacity against T next to "
    "Onsager's T_c = 2.269 (ising_scan.png, ising_scan.json); --compare gives several "
    "samplers the same budget on a hard system and shows which one mixes "
    "(compare.png, compare.json); --slowing-down measures the autocorrelation times of "
    "|m| and E at T_c against the lattice side for local and cluster updates and fits "
    "the dynamic exponent z (slowing_down.png, slowing_down.json)."
)


def _add_run_options(p: argparse.ArgumentParser) -> None:
    """--system, --size, --sampler, --temperature, --chains, --sweeps, --burn-in."""
    p.add_argument(
        "--system",
        choices=SYSTEMS,
        default=None,
        help=(
            "2D Ising model (periodic lattice, J = 1), Sherrington-Kirkpatrick spin glass, or "
            "antiferromagnetic ring (default: ising; sk with --compare)"
        ),
    )
    add_count(
        p,
        "--size",
        "N",
        "lattice side for ising (default 16; 32 with --scan), number of spins for sk "
        "(default 64) and ring (default 9)",
        minimum=2,
    )
    p.add_argument(
        "--sampler",
        choices=SAMPLERS,
        default=None,
        help="default: checkerboard for ising, gibbs otherwise",
    )
    p.add_argument(
        "--temperature",
        type=positive,
        default=None,
        metavar="T",
        help=(
            "temperature (default: ising 2.5, sk 0.5, ring 0.5; with --compare: ising 1.5, "
            "sk 0.25, ring 0.5; with --slowing-down: T_c = 2.269)"
        ),
    )
    add_count(
        p,
        "--chains",
        "K",
        "independent chains, run as one batch (default: %(default)s)",
        default=16,
    )
    add_count(
        p,
        "--sweeps",
        "S",
        "sweeps per chain (per temperature with --scan; the budget in sweep-equivalents "
        "with --compare; updates of each sampler and side, Wolff: steps, with "
        "--slowing-down) (default: 1000; 2000 with --compare; 10000 with --slowing-down)",
        minimum=2,
    )
    add_count(
        p,
        "--burn-in",
        "B",
        "sweeps left out of the statistics (default: a fifth of --sweeps)",
        minimum=0,
    )


def _add_mode_options(p: argparse.ArgumentParser) -> None:
    """The tempering ladder, and --scan / --compare with their own options."""
    add_count(
        p, "--replicas", "R", "rungs of the parallel-tempering ladder (default: 8)", minimum=2
    )
    p.add_argument(
        "--hottest",
        type=positive,
        default=None,
        metavar="T",
        help="temperature of the hottest tempering rung (default: from the couplings)",
    )
    mode = p.add_mutually_exclusive_group()
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
    mode.add_argument(
        "--slowing-down",
        action="store_true",
        help=(
            "critical slowing down of the 2D Ising model: autocorrelation times at T_c "
            "against the lattice side and the dynamic exponent z (see --sides, --samplers)"
        ),
    )
    p.add_argument(
        "--temperatures",
        type=_temperatures,
        default=None,
        metavar="T1,T2,...",
        help="with --scan: the temperatures (default: 1.5, 1.6, ..., 3.0)",
    )
    p.add_argument(
        "--samplers",
        type=_samplers,
        default=None,
        metavar="A,B,...",
        help=(
            "with --compare: the samplers to race, of gibbs, metropolis, checkerboard, "
            "tempering (default: gibbs,tempering); with --slowing-down: of heat-bath, "
            "metropolis, wolff, swendsen-wang (default: all four)"
        ),
    )
    p.add_argument(
        "--sides",
        type=_sides,
        default=None,
        metavar="L1,L2,...",
        help="with --slowing-down: the even lattice sides (default: 8,16,32,64)",
    )


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``sample`` to the subcommands ``subparsers``; return its parser."""
    p = command(subparsers, "sample", HELP, DESCRIPTION)
    _add_run_options(p)
    _add_mode_options(p)
    add_seed(p)
    add_output(p)
    return p


def _even_side(item: str) -> int:
    """One lattice side of --sides: an even int >= 4 (a ValueError if not an int)."""
    side = int(item)
    if side < 4 or side % 2 or side > 1024:
        raise argparse.ArgumentTypeError(
            f"lattice sides must be even and from 4 to 1024 (checkerboard updates), got {item}"
        )
    return side


def _sides(text: str) -> list[int]:
    """The argparse type of --sides: comma-separated even sides."""
    return comma_separated(text, "lattice sides", _even_side, "integers", "8,16,32")


def _wrong_options(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """The mode asked for, and the options that do not apply to it (with their values)."""
    if args.scan:
        if args.system not in (None, "ising"):
            raise ValueError(f"--scan is for --system ising, got --system {args.system}")
        return "--scan", {
            "--sampler": args.sampler, "--temperature": args.temperature,
            "--samplers": args.samplers, "--replicas": args.replicas, "--hottest": args.hottest,
            "--sides": args.sides,
        }  # fmt: skip
    if args.slowing_down:
        if args.system not in (None, "ising"):
            raise ValueError(f"--slowing-down is for --system ising, got --system {args.system}")
        return "--slowing-down", {
            "--sampler": args.sampler, "--size": args.size, "--temperatures": args.temperatures,
            "--replicas": args.replicas, "--hottest": args.hottest,
        }  # fmt: skip
    if args.compare:
        mode = "--compare"
        wrong = {"--sampler": args.sampler, "--temperatures": args.temperatures}
        tempering = "tempering" in (args.samplers or ["tempering"])
    else:
        mode = "a single run (without --scan or --compare)"
        wrong = {"--temperatures": args.temperatures, "--samplers": args.samplers}
        tempering = args.sampler == "tempering"
    wrong["--sides"] = args.sides
    if not tempering:
        mode += " without the tempering sampler"
        wrong.update({"--replicas": args.replicas, "--hottest": args.hottest})
    return mode, wrong


def _check_samplers(args: argparse.Namespace) -> None:
    """--samplers of the mode: the race's samplers, or those of --slowing-down."""
    if args.samplers is None:
        return
    allowed, mode = (
        (CSD_SAMPLERS, "--slowing-down") if args.slowing_down else (SAMPLERS, "--compare")
    )
    for name in args.samplers:
        if name not in allowed:
            raise ValueError(
                f"--samplers with {mode} must be from {', '.join(allowed)}, got {name!r}"
            )


def _check_slowing_down_budget(chains: int, n_sweeps: int, burn_in: int) -> None:
    """--slowing-down needs 2 chains (its errors are their spread) and 16 measured updates."""
    if chains < 2:
        raise ValueError(f"--chains must be >= 2 with --slowing-down, got {chains}")
    if n_sweeps - burn_in < 16:
        raise ValueError(
            f"--burn-in must leave at least 16 measured updates with --slowing-down "
            f"(<= --sweeps - 16 = {n_sweeps - 16}), got {burn_in}"
        )


def _check_mode(args: argparse.Namespace) -> None:
    """Options that belong to another mode: one-line errors before any work."""
    mode, wrong = _wrong_options(args)
    for option, value in wrong.items():
        if value is not None:
            raise ValueError(f"{option} does not apply to {mode}{_HINTS[option]}")
    _check_samplers(args)


def run(args: argparse.Namespace) -> int:
    """Run ``energynets sample``; return the exit status."""
    _check_mode(args)
    default_sweeps = 2000 if args.compare else (10000 if args.slowing_down else 1000)
    n_sweeps = args.sweeps if args.sweeps is not None else default_sweeps
    burn_in = args.burn_in if args.burn_in is not None else n_sweeps // 5
    if args.slowing_down:
        _check_slowing_down_budget(args.chains, n_sweeps, burn_in)
    if burn_in > n_sweeps - 2:
        raise ValueError(
            f"--burn-in must leave at least 2 sweeps to measure (<= --sweeps - 2 = "
            f"{n_sweeps - 2}), got {burn_in}"
        )
    budget = {"n_chains": args.chains, "n_sweeps": n_sweeps, "burn_in": burn_in, "rng": args.seed}
    side = 32 if args.size is None else args.size
    if args.scan and side % 2:
        raise ValueError(f"--size must be even for --scan (checkerboard updates), got {side}")
    options = {
        **budget,
        "size": args.size,
        "temperature": args.temperature,
        "n_temperatures": args.replicas or 8,
        "hottest_temperature": args.hottest,
    }
    with output_folder(args.output) as folder:
        if args.scan:
            written = scan_scene(folder, side, args.temperatures, save_json=True, **budget)
        elif args.slowing_down:
            written = slowing_down_scene(
                folder, args.sides or [8, 16, 32, 64], args.samplers or list(CSD_SAMPLERS),
                temperature=args.temperature, n_chains=args.chains, n_updates=n_sweeps,
                burn_in=burn_in, rng=args.seed,
            )  # fmt: skip
        elif args.compare:
            samplers = args.samplers or ["gibbs", "tempering"]
            written = race_scene(folder, args.system or "sk", samplers, save_json=True, **options)
        else:
            system = args.system or "ising"
            sampler = args.sampler or ("checkerboard" if system == "ising" else "gibbs")
            written = sample_scene(folder, system, sampler, **options)
    report(written)
    return 0
