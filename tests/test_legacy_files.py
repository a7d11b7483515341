"""Files written by earlier versions of energynets still load, and their checkpoints resume.

The fixtures in ``tests/fixtures/legacy`` were written by ``tests/fixtures/legacy/make.py``
with energynets 0.1.0 as it stood before its modules were redesigned: one model file of every
kind, and checkpoints of every trainer taken in the middle of a run, with the parameters and
history the uninterrupted run reached. The oracle is that earlier code's own output: a model
file must load to the model it held, and a resumed checkpoint must end bit for bit where the
uninterrupted run ended then.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import energynets as en
from tests.cli_helpers import same_npz
from tests.fixtures.legacy import make

LEGACY = Path(__file__).resolve().parent / "fixtures" / "legacy"
MODEL_FILES = sorted(p.stem for p in (LEGACY / "models").glob("*.npz"))


def test_every_kind_of_model_file_has_a_fixture():
    assert MODEL_FILES == sorted(make.models())
    kinds = {type(en.io.load(LEGACY / "models" / f"{name}.npz")).__name__ for name in MODEL_FILES}
    assert kinds == set(en.io._REGISTRY)


@pytest.fixture(scope="module")
def built():
    return make.models()


@pytest.mark.parametrize("name", MODEL_FILES)
def test_a_legacy_model_file_loads_to_the_model_it_holds(tmp_path, built, name):
    legacy = LEGACY / "models" / f"{name}.npz"
    model = en.io.load(legacy)
    assert type(model) is type(built[name])
    en.io.save(model, tmp_path / "again.npz")
    assert same_npz(legacy, tmp_path / "again.npz")  # every array and setting, bit for bit
    en.io.save(built[name], tmp_path / "today.npz")
    assert same_npz(legacy, tmp_path / "today.npz")  # today's code builds the same model


def _same_history(resumed, expected):
    assert make.plain_history(resumed) == expected


@pytest.mark.parametrize("name", sorted(make.RUNNERS))
def test_a_legacy_checkpoint_resumes_bit_identically(tmp_path, name):
    checkpoint = tmp_path / "checkpoint.npz"
    shutil.copy(LEGACY / "checkpoints" / f"{name}.checkpoint.npz", checkpoint)
    model, history = make.RUNNERS[name](name, resume=checkpoint)
    with np.load(LEGACY / "checkpoints" / f"{name}.result.npz") as expected:
        parameters = make.parameters(model)
        assert sorted(parameters) == sorted(expected.files)
        for key, value in parameters.items():
            np.testing.assert_array_equal(value, expected[key], err_msg=key)
            assert value.dtype == expected[key].dtype
    with open(LEGACY / "checkpoints" / f"{name}.history.json", encoding="utf-8") as f:
        _same_history(history, json.load(f))


@pytest.mark.parametrize(
    ("name", "argv", "output"),
    [("cli_rbm", make.CLI_RBM, "rbm.npz"), ("cli_mlp", make.CLI_MLP, "mlp.npz")],
)
def test_a_legacy_command_line_checkpoint_resumes_bit_identically(tmp_path, name, argv, output):
    from energynets.cli import main

    checkpoint = tmp_path / "checkpoint.npz"
    shutil.copy(LEGACY / "checkpoints" / f"{name}.checkpoint.npz", checkpoint)
    assert main([*argv, "--resume", str(checkpoint), "-o", str(tmp_path / "out")]) == 0
    assert same_npz(tmp_path / "out" / output, LEGACY / "checkpoints" / f"{name}.result.npz")
