"""``energynets recall``: store glyphs, corrupt them and recall them, in pictures.

Prints each probe's overlap with its pattern before and after the dynamics and writes
recall.png, recall.gif and energy.png (:func:`energynets.cli._hopfield_scenes.recall_scene`).
"""

from __future__ import annotations

import argparse
from typing import Any

from energynets.cli._args import RULES, add_count, add_output, add_seed, command, fraction
from energynets.cli._hopfield_scenes import DEFAULT_LETTERS, animated_letter, recall_scene
from energynets.cli._output import output_folder, report

DYNAMICS = ("async", "sync")

HELP = "store glyphs, corrupt them, recall them; pictures and an overlap table"
DESCRIPTION = (
    "Store glyphs with a learning rule, flip a fraction of the pixels of each, and "
    "let the network relax at zero temperature. Prints each probe's overlap "
    "m = s . xi / N with its pattern before and after, and writes recall.png "
    "(stored / corrupted / recalled), recall.gif (one probe relaxing, its energy "
    "falling) and energy.png (energy and overlap along the dynamics)."
)


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
        type=fraction,
        default=0.2,
        metavar="F",
        help="fraction of the pixels flipped in each probe (default: %(default)s)",
    )
    add_count(
        p,
        "--max-sweeps",
        "N",
        "upper bound on the sweeps of the dynamics (default: %(default)s)",
        default=100,
    )
    p.add_argument(
        "--animate",
        metavar="LETTER",
        default=None,
        help="which probe recall.gif shows (default: the first letter)",
    )


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``recall`` to the subcommands ``subparsers``; return its parser."""
    p = command(subparsers, "recall", HELP, DESCRIPTION)
    _add_recall_options(p)
    add_seed(p)
    add_output(p)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``energynets recall``; return the exit status."""
    animated_letter(args)  # a one-line error before any work
    with output_folder(args.output) as folder:
        written = recall_scene(args, folder)
    report(written)
    return 0
