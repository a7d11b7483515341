"""The argument types and shared options of the ``energynets`` commands.

Each type is a function from the text of an option to its value that raises
:class:`argparse.ArgumentTypeError` with a message that reads after ``argument --name: ``;
:class:`Parser` turns every mistake into one line ``energynets <command>: error: ...``.
The ``add_*`` helpers add the options that several commands share, with the same help text.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import numpy as np

#: The folder the commands write to when --output is not given.
DEFAULT_OUTPUT = "energynets-output"
#: The Hopfield storage rules (energynets.learning.hopfield_rules; not imported here so that
#: the parser builds without loading the library).
RULES = ("hebbian", "storkey", "pseudoinverse")
#: The learning-rate schedules of the training commands (energynets.learning.optim).
SCHEDULES = ("constant", "linear", "exponential")
#: The largest count an option takes (the largest C int): a larger one is a mistake, would
#: overflow the libraries it reaches, or would run for ages.
MAX_COUNT = 2**31 - 1
#: The largest load P / N of the capacity commands: far beyond any capacity (the Hebbian rule
#: stops recalling at 0.138), and P x N numbers must fit in memory.
MAX_LOAD = 10.0


class UsageError(Exception):
    """A bad command line; the message is the full one-line report."""


class Parser(argparse.ArgumentParser):
    """An argparse parser whose errors are one line (no usage block) and exit status 2."""

    #: The subcommand parsers by name (top-level parser only).
    commands: dict[str, argparse.ArgumentParser]

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: error: {message}")


# -- numbers ----------------------------------------------------------------------------------


def clip(text: str, width: int = 40) -> str:
    """``text`` cut to ``width`` characters (for error messages that quote what was given)."""
    return text if len(text) <= width else text[: width - 3] + "..."


def int_at_least(minimum: int, maximum: int | None = MAX_COUNT) -> Any:
    """An argparse type for an integer in [minimum, maximum] (no upper bound: None)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {clip(text)!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"expected an integer <= {maximum}, got {value}")
        return value

    parse.minimum = minimum  # type: ignore[attr-defined]  # read by the tests
    parse.maximum = maximum  # type: ignore[attr-defined]
    return parse


#: Seeds: any integer >= 0 (numpy's SeedSequence takes integers of any size).
seed_number = int_at_least(0, maximum=None)


def size_in_range(value: int, what: str, minimum: int) -> int:
    """``value``, one of a list of sizes (``what``), checked to be in [minimum, MAX_COUNT]."""
    if value < minimum:
        raise argparse.ArgumentTypeError(f"{what} must be >= {minimum}, got {value}")
    if value > MAX_COUNT:
        raise argparse.ArgumentTypeError(f"{what} must be <= {MAX_COUNT}, got {value}")
    return value


def _number(text: str, expected: str) -> float:
    """``text`` as a float, or the error "expected <expected>, got '<text>'"."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None


def fraction(text: str) -> float:
    """An argparse type for a number in [0, 1]."""
    value = _number(text, "a number in [0, 1]")
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text}")
    return value


def fraction_below_one(text: str) -> float:
    """An argparse type for a number in [0, 1) (a momentum, a dropout rate, a share)."""
    value = _number(text, "a number in [0, 1)")
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text}")
    return value


def positive(text: str) -> float:
    """An argparse type for a finite number > 0."""
    value = _number(text, "a number > 0")
    if not (np.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text}")
    return value


def nonnegative(text: str) -> float:
    """An argparse type for a finite number >= 0."""
    value = _number(text, "a number >= 0")
    if not (np.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text}")
    return value


# -- lists ------------------------------------------------------------------------------------


def comma_separated(
    text: str, what: str, convert: Callable[[str], Any], kind: str = "", example: str = ""
) -> list[Any]:
    """The items of the comma-separated list ``text`` (``what``, for the message when it has
    none), each through ``convert``, in order: a ValueError from it means the item is not
    one of the ``kind`` of the list (such as ``example``); an ArgumentTypeError (a value out
    of range) is reported as it is."""
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise argparse.ArgumentTypeError(f"expected comma-separated {what}, got {text!r}")
    values = []
    for item in items:
        try:
            values.append(convert(item))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated {kind} such as {example}, got {item!r}"
            ) from None
    return values


def positive_floats(
    what: str, example: str, maximum: float | None = None, why: str = ""
) -> Callable[[str], list[float]]:
    """An argparse type for comma-separated numbers > 0 (loads, temperatures), each at most
    ``maximum`` (``why``: the reason, for the message)."""

    def number(item: str) -> float:
        value = float(item)
        if not (np.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(f"{what} must be > 0, got {item}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"{what} must be <= {maximum:g}{why}, got {item}")
        return value

    def parse(text: str) -> list[float]:
        return comma_separated(text, what, number, "numbers", example)

    return parse


def names(what: str, choices: Sequence[str]) -> Callable[[str], list[str]]:
    """An argparse type for comma-separated names, each one of ``choices``."""

    def name(item: str) -> str:
        if item not in choices:
            raise argparse.ArgumentTypeError(
                f"unknown {what} {item!r} (choose from {', '.join(choices)})"
            )
        return item

    def parse(text: str) -> list[str]:
        return comma_separated(text, f"{what}s", name)

    return parse


alphas = positive_floats(
    "loads", "0.05,0.1,0.2", MAX_LOAD, " (far beyond the capacity of every rule)"
)
rules = names("rule", RULES)


# -- paths ------------------------------------------------------------------------------------


def _limit(folder: str, name: str, fallback: int) -> int:
    """The file system's ``os.pathconf`` limit ``name`` at ``folder``; ``fallback`` where the
    platform does not say."""
    import os

    try:
        return int(os.pathconf(folder, name))
    except (OSError, ValueError, AttributeError):  # no pathconf (Windows), or no such limit
        return fallback


def path_mistake(text: str) -> str | None:
    """What makes ``text`` a path no file can have, or None: a NUL character, a name (a
    component) longer than the file system's NAME_MAX, or a path longer than its PATH_MAX
    (checked where the path would be made: at its nearest existing folder)."""
    import os

    if "\0" in text:
        return f"expected a path, got {clip(text)!r}, which holds a NUL character"
    try:
        encoded = os.fsencode(text)
    except UnicodeError:
        return f"expected a path, got {clip(text)!r}, which cannot be written as a file name"
    absolute = os.path.abspath(text)
    anchor = absolute
    while not os.path.isdir(anchor) and os.path.dirname(anchor) != anchor:
        anchor = os.path.dirname(anchor)
    name_max = _limit(anchor, "PC_NAME_MAX", 255)
    for part in os.path.relpath(absolute, anchor).split(os.sep):
        size = len(os.fsencode(part))
        if size > name_max:
            return (
                f"the name {clip(part)!r} is {size} bytes long; the file system allows {name_max}"
            )
    path_max = _limit(anchor, "PC_PATH_MAX", 4096)
    if len(encoded) >= path_max:
        return (
            f"the path {clip(text)!r} is {len(encoded)} bytes long; the file system allows "
            f"{path_max - 1}"
        )
    return None


def file_name(text: str) -> str:
    """An argparse type for a file path: non-empty text that can name a file
    (:func:`path_mistake`)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"expected a file name, got {text!r}")
    mistake = path_mistake(text)
    if mistake is not None:
        raise argparse.ArgumentTypeError(mistake)
    return text


def folder_name(text: str) -> str:
    """An argparse type for a folder path: non-empty text that can name a folder
    (:func:`path_mistake`)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"expected a folder name, got {text!r}")
    mistake = path_mistake(text)
    if mistake is not None:
        raise argparse.ArgumentTypeError(mistake)
    return text


# -- options shared by several commands -------------------------------------------------------


def command(
    subparsers: Any, name: str, help: str, description: str, *, raw: bool = False, **options: Any
) -> argparse.ArgumentParser:
    """The parser of the subcommand ``name``: its help line in the command list and its
    description (kept as written when ``raw``, e.g. when it holds a table)."""
    if raw:
        options["formatter_class"] = argparse.RawDescriptionHelpFormatter
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=help, description=description, **options
    )
    return parser


def add_count(
    p: argparse.ArgumentParser,
    option: str,
    metavar: str,
    help_text: str,
    *,
    minimum: int = 1,
    default: int | None = None,
) -> None:
    """An option that takes an integer >= ``minimum`` (see :func:`int_at_least`)."""
    p.add_argument(
        option, type=int_at_least(minimum), default=default, metavar=metavar, help=help_text
    )


def add_output(p: argparse.ArgumentParser) -> None:
    """--output (-o): the folder the command writes to."""
    p.add_argument(
        "--output",
        "-o",
        metavar="DIR",
        type=folder_name,
        default=DEFAULT_OUTPUT,
        help="folder for the pictures, created if missing (default: %(default)s)",
    )


def add_seed(p: argparse.ArgumentParser) -> None:
    """--seed: the seed of all the command's randomness."""
    p.add_argument(
        "--seed",
        type=seed_number,
        default=0,
        help="seed of all randomness; the same seed gives the same output (default: %(default)s)",
    )


def add_data_home(p: argparse.ArgumentParser, folders: str = "mnist/ or fashion-mnist/") -> None:
    """--data-home: where MNIST / Fashion-MNIST are read from (``folders``: the data sets'
    folders it holds, as the help text names them)."""
    p.add_argument(
        "--data-home",
        metavar="DIR",
        type=folder_name,
        default=None,
        help=(
            f"folder holding {folders} with the original *-ubyte.gz files "
            "(default: $ENERGYNETS_DATA, then the cache folder)"
        ),
    )


def add_limit(
    p: argparse.ArgumentParser,
    help_text: str = "use only the first N rows (of each split), for quick runs (default: all)",
) -> None:
    """--limit: use only the first rows of the data."""
    add_count(p, "--limit", "N", help_text)


def add_float32(p: argparse.ArgumentParser) -> None:
    """--float32: train and save in single precision."""
    p.add_argument(
        "--float32",
        action="store_true",
        help="train and save in float32 (faster on large data; default float64)",
    )


def add_load_options(p: argparse.ArgumentParser) -> None:
    """--alphas, --rules and --flip-fraction: the options of a capacity measurement shared by
    ``capacity`` and ``sweep``."""
    p.add_argument(
        "--alphas",
        type=alphas,
        default=None,
        metavar="A,B,...",
        help="comma-separated loads P / N (default: 13 loads from 0.02 to 0.5)",
    )
    p.add_argument(
        "--rules",
        type=rules,
        default=list(RULES),
        metavar="R,S,...",
        help=f"comma-separated learning rules (default: {','.join(RULES)})",
    )
    p.add_argument(
        "--flip-fraction",
        type=fraction,
        default=0.1,
        metavar="F",
        help="fraction of the bits flipped in each recall probe (default: %(default)s)",
    )
