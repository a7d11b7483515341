"""Every subcommand against hostile arguments, and every subcommand's --help.

The subcommands and their options are read from the real parser (argparse's subparsers), so
a new command or option is covered as soon as it exists. Each option that takes a value gets
each of the HOSTILE values; which of them it should accept comes from what its type promises
(an integer >= 1 takes none of them; a number in [0, 1] takes "0"; a new folder may be
called "-1"), written out below by hand for each type, independently of the parser's code:

- a value the option rejects ends the command with exit status 2 and one line on stderr,
  ``energynets <command>: error: ...`` naming the option, no traceback, and no output
  folder created;
- a value it accepts is parsed; and the first accepted value of each option that is not its
  default is run for real, on the smallest settings of BASE, together with those of the
  command's other options (one run per command, and one per option that needs others, see
  CONTEXT), into an output folder named "-1": it must succeed with no traceback and no
  temporary file left. Files named by --checkpoint are left to the checkpoint tests.

The counts of cases are constants checked against the enumeration, and the "Command line"
section of docs/reliability.md quotes them (checked too).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from energynets import cli, io
from energynets.cli import (
    _args,
    _cluster,
    main,
    recall,
    sample,
    serve,
    sweep,
    train_mlp,
    train_rbm,
)
from energynets.models.rbm import RBM
from tests.cli_helpers import one_line_error

#: Hostile values by name; {tmp} is a folder that holds a regular file "file.txt" and an
#: empty folder "folder".
HOSTILE = {
    "empty": "",
    "negative": "-1",
    "zero": "0",
    "nan": "nan",
    "inf": "inf",
    "huge": "9" * 30,
    "word": "abc",
    "missing file": "{tmp}/missing.npz",
    "folder": "{tmp}/folder",
    "under a file": "{tmp}/file.txt/x",
}
#: Names that make a new file or folder (all but "", a folder and a path through a file).
NEW_PATHS = frozenset(HOSTILE) - {"empty", "folder", "under a file"}

#: The smallest settings of each command (seconds of work); {model} is a small RBM file.
BASE = {
    "recall": ["--letters", "IX", "--max-sweeps", "5"],
    "capacity": ["--n-units", "20", "--alphas", "0.1", "--rules", "hebbian"],
    "sample": ["--size", "4", "--chains", "2", "--sweeps", "10"],
    "train-rbm": ["--size", "2", "--hidden", "2", "--epochs", "2"],
    "eval-rbm": ["{model}", "--dataset", "bars-and-stripes"],
    "train-mlp": ["--limit", "30", "--hidden", "3", "--epochs", "1"],
    "compare": ["--quick", "--experiments", "recall"],
    "sweep": "--n-units 10 --alphas 0.1 --rules hebbian --seeds 1 --workers 1".split(),
}
#: Commands whose accepted values are only parsed: their smallest run takes long, and
#: tests/test_cli.py runs them.
PARSE_ONLY = {
    "demo": "its smallest run takes half a minute (tests/test_cli.py runs it)",
    "serve": "it serves until Ctrl-C (tests/web/test_serve_command.py runs it)",
}
#: Options that apply only with others (command, option): what makes them apply.
CONTEXT = {
    ("sample", "--hottest"): ["--sampler", "tempering"],
    ("sample", "--temperatures"): ["--scan"],
    ("train-mlp", "--momentum"): ["--optimizer", "momentum"],
}

#: The hostile values each type of option accepts (by the type function; integer types
#: declare their bounds, see _accepted).
ACCEPTS: dict[Any, frozenset[str]] = {
    _args.fraction: frozenset({"zero"}),  # [0, 1]
    _args.positive: frozenset({"huge"}),  # finite > 0: 1e30 is one
    _args.nonnegative: frozenset({"zero", "huge"}),  # finite >= 0
    train_rbm._momentum: frozenset({"zero"}),  # [0, 1) or hinton
    _args.fraction_below_one: frozenset({"zero"}),  # [0, 1)
    _args.fraction_below_one: frozenset({"zero"}),  # [0, 1)
    train_mlp._hidden_sizes: frozenset(),  # sizes >= 1 (and <= 2**31 - 1), or none
    _args.alphas: frozenset(),  # loads in (0, 10]
    sample._temperatures: frozenset({"huge"}),  # finite > 0
    recall._letters: frozenset({"zero", "inf", "word"}),  # distinct glyphs: 0, INF, ABC
    sweep._sizes: frozenset(),  # sizes >= 2 (and <= 2**31 - 1)
    sample._sides: frozenset(),  # even lattice sides
    _cluster.address: frozenset(),  # [protocol://]host:port
    serve._host: frozenset({"nan", "inf", "word"}),  # an IP address or a host name
}
#: ... and options of no type or a path type, by their name.
ACCEPTS_BY_NAME = {
    "--output": NEW_PATHS | {"folder"},  # any folder, new or empty
    "--checkpoint": NEW_PATHS,  # a new file (an existing one only with --resume)
    "--resume": frozenset(),  # a checkpoint of the same run
    "MODEL": frozenset(),  # a saved RBM
    "--animate": frozenset(),  # one of --letters (I, X)
    "--data-home": frozenset(),  # only with --dataset mnist
}

# the counts quoted in docs/reliability.md, section "Command line"
N_COMMANDS = 10
N_OPTIONS = 118  # --help checks: every option of every command, flags included
N_VALUED = 109  # options that take a value
N_CASES = 1090  # N_VALUED x the 10 HOSTILE values
N_REJECTED = 969
N_ACCEPTED = 121  # all parsed; N_RUN_VALUES of them also run, in N_RUNS runs
N_RUN_VALUES = 30
N_RUNS = 11


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


COMMANDS = _commands()


def _name(action: argparse.Action) -> str:
    """The option as written (the longest of its strings), or a positional's metavar."""
    if action.option_strings:
        return max(action.option_strings, key=len)
    return str(action.metavar or action.dest)


def _documented(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if not isinstance(a, argparse._HelpAction)]


def _valued(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in _documented(parser) if a.nargs != 0]


def _accepted(action: argparse.Action) -> frozenset[str]:
    """The names of the HOSTILE values ``action`` accepts."""
    if action.choices is not None:
        assert not set(HOSTILE.values()) & set(action.choices)
        return frozenset()
    kind = action.type
    if hasattr(kind, "minimum"):  # _args.int_at_least(minimum, maximum)
        accepted = {"zero"} if kind.minimum <= 0 else set()
        if kind.maximum is None:
            accepted.add("huge")
        return frozenset(accepted)
    if kind in ACCEPTS:
        return ACCEPTS[kind]
    if getattr(kind, "__qualname__", "") == "names.<locals>.parse":
        return frozenset()  # comma-separated names from a list
    name = _name(action)
    assert name in ACCEPTS_BY_NAME, f"say which hostile values {name} accepts (ACCEPTS)"
    return ACCEPTS_BY_NAME[name]


#: Options whose accepted values are only parsed: file names, which would collide with the
#: output folder of the runs (--checkpoint runs are in test_cli_rbm.py and test_cli_mlp.py).
NOT_RUN = {"--checkpoint"}


def _is_default(action: argparse.Action, text: str) -> bool:
    value = action.type(text) if callable(action.type) else text
    return bool(value == action.default)


def _cases() -> list[tuple[str, str, str, str]]:
    """(command, option, value name, "rejected" | "run" | "parsed") for every case."""
    cases = []
    for command, parser in COMMANDS.items():
        for action in _valued(parser):
            name, accepted = _name(action), _accepted(action)
            run = [v for v in HOSTILE if v in accepted and not _is_default(action, HOSTILE[v])]
            for value in HOSTILE:
                if value not in accepted:
                    mode = "rejected"
                elif command in PARSE_ONLY or name in NOT_RUN or not run or value != run[0]:
                    mode = "parsed"
                else:
                    mode = "run"
                cases.append((command, name, value, mode))
    return cases


CASES = _cases()
OPTIONS = sorted({case[:2] for case in CASES})
#: The runs of accepted values: (command, the context's options), one for each context.
RUNS = sorted({(c, tuple(CONTEXT.get((c, n), []))) for c, n, _, mode in CASES if mode == "run"})
#: The folder the runs write into: a name argparse might take for a negative number.
RUN_OUTPUT = HOSTILE["negative"]


def _action(command: str, name: str) -> argparse.Action:
    [action] = [a for a in _valued(COMMANDS[command]) if _name(a) == name]
    return action


@pytest.fixture(scope="module")
def things(tmp_path_factory):
    """A folder with a regular file, an empty folder and a small RBM (never written to)."""
    where = tmp_path_factory.mktemp("things")
    (where / "file.txt").write_text("a regular file\n")
    (where / "folder").mkdir()
    io.save(RBM(4, 3, rng=0), where / "rbm.npz")
    return where


def _has_output(command: str) -> bool:
    return "--output" in {_name(a) for a in _valued(COMMANDS[command])}


def _argv(command: str, values: dict[str, str], things: Path) -> list[str]:
    """The command line of BASE with ``values`` (option -> HOSTILE name) and their contexts."""
    model = str(things / "rbm.npz")
    argv = [a.format(model=model) for a in BASE.get(command, [])]
    for name, value in values.items():
        text = HOSTILE[value].format(tmp=things)
        argv += CONTEXT.get((command, name), [])
        if _action(command, name).option_strings:
            argv += [name, text]
        elif model in argv:  # a positional: in place of the base's, or first
            argv = [text if a == model else a for a in argv]
        else:
            argv = [text, *argv]
    return [command, *argv]


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []


class _Replay:
    """A capsys stand-in that returns what was already captured (for one_line_error)."""

    def __init__(self, captured: Any) -> None:
        self.captured = captured

    def readouterr(self) -> Any:
        return self.captured


@pytest.mark.parametrize(("command", "name"), OPTIONS, ids=[" ".join(o) for o in OPTIONS])
def test_hostile_values(command, name, things, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # relative names (--output -1) land here
    for k, (_, _, value, mode) in enumerate(c for c in CASES if c[:2] == (command, name)):
        case = f"{command} {name} {HOSTILE[value]!r} ({value})"
        argv = _argv(command, {name: value}, things)
        output = tmp_path / f"out-{k}"
        if name == "--output":
            output = tmp_path / HOSTILE[value].format(tmp=things)
        elif _has_output(command):
            argv += ["--output", str(output)]
        if mode != "rejected":
            args, extra = cli.build_parser().parse_known_args(argv)
            assert not extra and args.command == command, case
            continue
        existed = output.exists()
        status = main(argv)
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err, case
        assert status == 2, (case, captured.err)
        message = one_line_error(_Replay(captured), f"energynets {command}")
        assert name in message, (case, message)  # it names the option
        if not existed:
            assert not output.exists(), f"{case}: the output folder was created"


@pytest.mark.parametrize(("command", "context"), RUNS, ids=[" ".join(r[:1] + r[1]) for r in RUNS])
def test_accepted_values_run(command, context, things, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    values = {
        name: value
        for c, name, value, mode in CASES
        if c == command and mode == "run" and tuple(CONTEXT.get((c, name), [])) == context
    }
    argv = _argv(command, values, things)
    if _has_output(command) and "--output" not in values:
        argv += ["--output", RUN_OUTPUT]
    status = main(argv)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err, argv
    assert status == 0, (argv, captured.err)
    output = tmp_path / RUN_OUTPUT
    if _has_output(command):
        assert _files(output), "nothing written"
        assert not [p for p in _files(output) if p.name.endswith(".tmp")]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_is_complete(command, capsys):
    assert main([command, "--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"usage: energynets {command}")
    for action in _documented(COMMANDS[command]):
        name = _name(action)
        assert action.help and action.help.strip(), f"{command} {name} has no help text"
        assert name in text, name
        for choice in action.choices or ():
            assert str(choice) in text, (name, choice)
        takes_value = action.nargs != 0
        if takes_value and not action.required and action.option_strings:
            helped = COMMANDS[command]._get_formatter()._expand_help(action)
            assert "default" in helped, f"{command} {name}: say what the default is"


def test_the_counts_are_those_of_the_enumeration():
    modes = Counter(mode for *_, mode in CASES)
    assert len(COMMANDS) == N_COMMANDS
    assert sum(len(_documented(p)) for p in COMMANDS.values()) == N_OPTIONS
    assert sum(len(_valued(p)) for p in COMMANDS.values()) == N_VALUED
    assert len(CASES) == N_CASES == N_VALUED * len(HOSTILE)
    assert modes["rejected"] == N_REJECTED
    assert modes["parsed"] + modes["run"] == N_ACCEPTED == N_CASES - N_REJECTED
    assert modes["run"] == N_RUN_VALUES and len(RUNS) == N_RUNS


def test_the_docs_quote_the_counts():
    text = (Path(__file__).parents[1] / "docs" / "reliability.md").read_text(encoding="utf-8")
    assert "\n## Command line\n" in text
    section = text.split("\n## Command line\n", 1)[1].split("\n## ", 1)[0]
    numbers = [int(n.replace(",", "")) for n in re.findall(r"(?<![\w.])\d[\d,]*\d|\b\d\b", section)]
    counts = [N_COMMANDS, N_OPTIONS, N_VALUED, len(HOSTILE), N_CASES, N_REJECTED, N_ACCEPTED]
    counts += [N_RUN_VALUES, N_RUNS]
    for count in counts:
        assert count in numbers, f"docs/reliability.md should say {count}"


def test_the_top_level_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    parser = cli.build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    helps = {action.dest: action.help for action in sub._choices_actions}
    assert set(helps) == set(COMMANDS)
    for command, help_text in helps.items():
        assert help_text and command in text, command


def test_every_command_has_small_settings_or_a_reason():
    assert set(BASE) | set(PARSE_ONLY) == set(COMMANDS)
    assert not set(BASE) & set(PARSE_ONLY)
