"""``energynets compare``: the report with every table and figure, the options, one-line
errors (the experiments themselves are tested in tests/experiments/test_compare.py)."""

from __future__ import annotations

import inspect
import json

import pytest

from energynets.cli import compare as _cli_compare
from energynets.cli import main
from energynets.cli.compare import EXPERIMENTS, presets
from energynets.experiments import compare
from tests.cli_helpers import one_line_error

#: Tiny versions of every experiment, so that a whole report takes a few seconds.
TINY = {
    "features": {
        "n_hidden": 8, "rbm_epochs": 1, "mlp_hidden": 16, "mlp_epochs": 1, "batch_size": 200,
        "classifier_tol": 1e-3,
    },
    "pretraining": {
        "hidden": (8,), "n_labels": (50, None), "seeds": (0, 1), "pretrain_epochs": 1,
        "finetune_epochs": 1, "min_updates": 1, "batch_size": 200,
    },
    "recall": {
        "n_units": 32, "n_patterns": 2, "noise_levels": (0.0, 0.1), "pattern_counts": (2, 4),
        "n_epochs": 2, "n_copies": 5, "n_probes": 1,
    },
    "filters": {"n_hidden": 8, "rbm_epochs": 1, "mlp_epochs": 1, "batch_size": 200},
    "cost": {
        "n_hidden": 8, "checkpoints": (1,), "classifier_epochs": 1, "mlp_epochs": 2,
        "batch_size": 200,
    },
}  # fmt: skip

FUNCTIONS = {
    "features": compare.features_experiment,
    "pretraining": compare.pretraining_experiment,
    "recall": compare.recall_experiment,
    "filters": compare.filters_experiment,
    "cost": compare.cost_experiment,
}


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setattr(_cli_compare, "presets", lambda dataset, quick: TINY)


def _one_line_error(capsys, prefix="energynets compare"):
    return one_line_error(capsys, prefix)


def test_the_report_has_the_settings_every_table_and_every_figure(tiny, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["compare", "--seed", "3", "--output", str(out)]) == 0
    stdout = capsys.readouterr().out
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [
            "manifest.json",
            "report.md",
            "report.json",
            *(f"compare_{name}.png" for name in EXPERIMENTS),
        ]
    )
    for name in EXPERIMENTS:
        assert (out / f"compare_{name}.png").read_bytes()[:4] == b"\x89PNG"
        assert f"== {name} ==" in stdout
    report = (out / "report.md").read_text()
    assert report.startswith("# energynets compare")
    assert "- seed: 3" in report and "- command: energynets compare --dataset digits" in report
    for k, name in enumerate(EXPERIMENTS, start=1):
        assert f"## {k}. {name}" in report
        assert f"![{name}](compare_{name}.png)" in report
    # every table's header row, and the settings of each experiment
    for header in (
        "| model | inputs | train_accuracy | test_accuracy |",
        "| n_labels | init | mean_accuracy |",
        "| sweep | model | n_units | n_patterns | noise | recalled |",
        "| model | n_filters | mean_norm | smoothness | redundancy |",
        "| model | target | reached | passes | seconds |",
    ):
        assert header in report
    assert report.count("<details><summary>settings</summary>") == len(EXPERIMENTS)
    # the filters are those of the features experiment's models
    assert "the features experiment's RBM" in report
    summary = json.loads((out / "report.json").read_text())
    assert list(summary["results"]) == list(EXPERIMENTS)
    assert summary["results"]["features"]["settings"]["rng"] == 3
    assert str(out / "report.md") in stdout


def test_the_same_seed_gives_the_same_tables(tiny, tmp_path, capsys):
    argv = ["compare", "--experiments", "recall,features", "--seed", "1"]
    tables = []
    for k in range(2):
        assert main([*argv, "-o", str(tmp_path / str(k))]) == 0
        capsys.readouterr()
        summary = json.loads((tmp_path / str(k) / "report.json").read_text())
        tables.append(
            {
                name: [
                    {c: v for c, v in r.items() if "seconds" not in c} for r in result["records"]
                ]
                for name, result in summary["results"].items()
            }
        )
    assert list(tables[0]) == ["features", "recall"]  # report order, not argument order
    assert tables[0] == tables[1]


def test_filters_alone_train_their_own_models(tiny, tmp_path, capsys):
    assert main(["compare", "--experiments", "filters", "-o", str(tmp_path)]) == 0
    capsys.readouterr()
    report = (tmp_path / "report.md").read_text()
    assert "## 1. filters" in report and "features experiment's RBM" not in report


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--experiments", "features,speed"], "unknown experiment 'speed'"),
        (["--dataset", "cifar"], "invalid choice: 'cifar'"),
        (["--limit", "0"], "integer >= 1, got 0"),
        (["--seed", "-2"], "integer >= 0, got -2"),
        (["--limit", "100"], "--limit applies to --dataset mnist"),
        (["--dataset", "mnist", "--data-home", "{missing}"], "--dataset mnist: "),
        (["--quick", "--colour"], "unrecognized arguments: --colour"),
    ],
)
def test_errors_are_one_line_and_write_nothing(argv, match, tmp_path, capsys):
    out = tmp_path / "out"
    argv = [a.replace("{missing}", str(tmp_path / "nowhere")) for a in argv]
    assert main(["compare", *argv, "-o", str(out)]) == 2
    assert match in _one_line_error(capsys)
    assert not out.exists()


def test_help_lists_the_options(capsys):
    assert main(["compare", "--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: energynets compare")
    for option in ("--dataset", "--data-home", "--limit", "--experiments", "--quick", "--seed"):
        assert option in text
    assert main(["--help"]) == 0
    assert "compare" in capsys.readouterr().out


@pytest.mark.parametrize("dataset", ["digits", "mnist"])
@pytest.mark.parametrize("quick", [True, False])
def test_presets_are_arguments_of_the_experiment_functions(dataset, quick):
    settings = presets(dataset, quick)
    assert list(settings) == list(EXPERIMENTS)
    for name, kwargs in settings.items():
        parameters = inspect.signature(FUNCTIONS[name]).parameters
        assert set(kwargs) <= set(parameters), (name, set(kwargs) - set(parameters))


def test_mnist_report(tiny, data_home, tmp_path, capsys):
    argv = ["compare", "--dataset", "mnist", "--data-home", str(data_home), "--limit", "300",
            "--experiments", "features,filters", "-o", str(tmp_path)]  # fmt: skip
    assert main(argv) == 0
    capsys.readouterr()
    report = (tmp_path / "report.md").read_text()
    assert "MNIST (300 training and 300 test rows" in report
    summary = json.loads((tmp_path / "report.json").read_text())
    assert summary["results"]["filters"]["settings"]["image_shape"] == [28, 28]
