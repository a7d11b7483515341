"""``energynets compare --experiments eqprop`` and the demo's equilibrium-propagation scene (the
experiments themselves are tested in tests/experiments/test_eqprop.py)."""

from __future__ import annotations

import inspect
import json

import pytest

from energynets.cli import compare as _cli_compare
from energynets.cli import demo as _cli_demo
from energynets.cli import main
from energynets.cli._compare_presets import EQPROP_SECTIONS, eqprop_presets
from energynets.cli.compare import CHOICES, EXPERIMENTS, sections
from energynets.experiments import eqprop

#: Tiny versions of the three experiments, so that a report takes a few seconds.
TINY = {
    "eqprop_gdu": {"layer_sizes": (4, 5, 4, 2), "n_samples": 3, "betas": (0.1, 0.01),
                   "n_steps": 60, "n_shown": 4},
    "eqprop_backprop": {"hidden": 8, "n_epochs": 1, "batch_size": 500, "learning_rate": 0.1},
    "eqprop_chl": {"n_samples": 6, "n_hidden": 4, "seeds": (0,), "n_epochs": 4, "n_free": 10,
                   "n_nudged": 10, "check_every": 2},
}  # fmt: skip

FUNCTIONS = {
    "eqprop_gdu": eqprop.gdu_experiment,
    "eqprop_backprop": eqprop.backprop_experiment,
    "eqprop_chl": eqprop.chl_experiment,
}


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setattr(_cli_compare, "eqprop_presets", lambda dataset, quick: TINY)


def test_eqprop_is_a_choice_but_not_a_default():
    assert CHOICES == (*EXPERIMENTS, "eqprop")
    assert sections(list(EXPERIMENTS)) == list(EXPERIMENTS)  # the default run is as before
    assert sections(["eqprop", "recall"]) == ["recall", *EQPROP_SECTIONS]


def test_the_report_has_the_three_sections(tiny, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["compare", "--experiments", "eqprop", "--seed", "2", "--output", str(out)]) == 0
    stdout = capsys.readouterr().out
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [
            "manifest.json",
            "report.md",
            "report.json",
            *(f"compare_{name}.png" for name in EQPROP_SECTIONS),
        ]
    )
    report = (out / "report.md").read_text()
    assert "- command: energynets compare --dataset digits --seed 2 --experiments eqprop" in report
    for k, name in enumerate(EQPROP_SECTIONS, start=1):
        assert f"== {name} ==" in stdout
        assert f"## {k}. {name}" in report
        assert f"![{name}](compare_{name}.png)" in report
    for header in (
        "| network | quantity | layer | first_step | largest | max_error |",
        "| network | beta | one_sided | symmetric |",
        "| model | seed | epochs | updates | batch_order |",
        "| rule | runs | final_loss | best_loss | rose | unsettled |",
    ):
        assert header in report
    summary = json.loads((out / "report.json").read_text())
    assert list(summary["results"]) == list(EQPROP_SECTIONS)
    records = summary["results"]["eqprop_backprop"]["records"]
    assert records[0]["batch_order"] == records[1]["batch_order"]


def test_eqprop_after_the_others_in_report_order(monkeypatch, tiny, capsys):
    recall = {"n_units": 32, "n_patterns": 2, "noise_levels": (0.0,), "pattern_counts": (2,),
              "n_epochs": 1, "n_copies": 2, "n_probes": 1}  # fmt: skip
    monkeypatch.setattr(_cli_compare, "presets", lambda dataset, quick: {"recall": recall})
    results = _cli_compare.run_experiments(["eqprop", "recall"], {}, "digits", True, 0)
    capsys.readouterr()
    assert list(results) == ["recall", *EQPROP_SECTIONS]


def test_help_names_the_choice_and_an_unknown_name_is_an_error(tmp_path, capsys):
    assert main(["compare", "--help"]) == 0
    assert "eqprop" in capsys.readouterr().out
    assert main(["compare", "--experiments", "eqprop,ep", "-o", str(tmp_path / "o")]) == 2
    assert "unknown experiment 'ep'" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("dataset", ["digits", "mnist"])
@pytest.mark.parametrize("quick", [True, False])
def test_eqprop_presets_are_arguments_of_the_experiment_functions(dataset, quick):
    settings = eqprop_presets(dataset, quick)
    assert list(settings) == list(EQPROP_SECTIONS)
    for name, kwargs in settings.items():
        parameters = inspect.signature(FUNCTIONS[name]).parameters
        assert set(kwargs) <= set(parameters), (name, set(kwargs) - set(parameters))


def test_the_demo_scene_trains_both_on_the_digits(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(_cli_demo, "EQPROP_DEMO", {**_cli_demo.EQPROP_DEMO, "n_epochs": 1})
    written = _cli_demo._eqprop_scene(tmp_path, 0)
    assert [p.name for p in written] == ["eqprop_vs_backprop.png"]
    stdout = capsys.readouterr().out
    assert "equilibrium" in stdout and "backprop" in stdout and "batch_order" in stdout
