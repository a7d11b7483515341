"""Checkpoints that know their run (issue 22, items 3, 8 and 12).

- A run that stopped (early stopping, or a callback returning True) records it in its
  checkpoint: resuming that checkpoint gives exactly the model and history the uninterrupted
  run returned, bit for bit, instead of training on (on 5f5d996 it trained on).
- Hand-edited checkpoint metadata (a valid zip with right CRCs, written with the package's own
  ``_npz`` writer) is refused with a ValueError "cannot resume from '<path>': <what>", for
  every trainer's resume and for ``--resume`` (one line, exit status 2), never a traceback nor
  a run that trains from a nonsensical epoch.
- A run resumed from ``X.prev`` (the previous checkpoint, when X is damaged) writes its
  checkpoints to X, keeping the file it resumed from as ``X.prev``: never ``X.prev.prev``.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

import energynets as en
from energynets import _npz
from energynets.cli import main
from tests.cli_helpers import one_line_error, read_json, same_npz

SEEDS = range(6)  # every seed tried, none chosen


def _digits(n):
    X, y = en.datasets.load_digits()
    return X[:n] / 16.0, y[:n]


def _assert_same_mlp(a, b):
    for u, v in zip(a.weights + a.biases, b.weights + b.biases, strict=True):
        np.testing.assert_array_equal(u, v)


def _without_time(history):
    return {k: v for k, v in history.items() if k != "time"}


# -- item 3: a stopped run stays stopped ----------------------------------------------------------
# 120 rows, half held out, a large step: the validation loss soon rises again and early stopping
# fires (after 9 to 14 of the 30 epochs for these seeds)
EARLY = {
    "n_epochs": 30, "batch_size": 16, "learning_rate": 0.05, "validation_data": 0.5,
    "early_stopping": 2,
}  # fmt: skip


@pytest.mark.parametrize("seed", SEEDS)
def test_resuming_an_early_stopped_fit_mlp_gives_the_uninterrupted_model(tmp_path, seed):
    X, y = _digits(120)
    common = {**EARLY, "rng": seed}
    path = tmp_path / "mlp.npz"
    whole, history = en.fit_mlp(en.MLP([64, 16, 10], rng=seed), X, y, **common, checkpoint=path)
    n_done = len(history["epoch"])
    assert n_done < 30  # early stopping fired: the last checkpoint was written as it did
    meta = json.loads(str(np.load(path)["meta"][()]))
    assert meta["epoch"] == n_done and meta["stopped"] == "early_stopping"
    # the checkpoint of the end (a run killed after the stop fired leaves this one)
    resumed, resumed_history = en.fit_mlp(en.MLP([64, 16, 10], rng=seed), X, y, **common,
                                          resume=path)  # fmt: skip
    _assert_same_mlp(resumed, whole)
    assert _without_time(resumed_history) == _without_time(history)
    # the one before it (killed in the last epoch): trains that epoch, stops as the whole run
    again, again_history = en.fit_mlp(en.MLP([64, 16, 10], rng=seed), X, y, **common,
                                      resume=f"{path}.prev")  # fmt: skip
    _assert_same_mlp(again, whole)
    assert _without_time(again_history) == _without_time(history)


@pytest.mark.parametrize("seed", SEEDS)
def test_resuming_a_finished_fit_mlp_whose_early_stopping_never_fired(tmp_path, seed):
    X, y = _digits(120)
    common = {**EARLY, "n_epochs": 4, "early_stopping": 5, "rng": seed}  # 4 < the patience
    path = tmp_path / "mlp.npz"
    whole, history = en.fit_mlp(en.MLP([64, 16, 10], rng=seed), X, y, **common, checkpoint=path)
    assert json.loads(str(np.load(path)["meta"][()]))["stopped"] is None
    resumed, resumed_history = en.fit_mlp(en.MLP([64, 16, 10], rng=seed), X, y, **common,
                                          resume=path)  # fmt: skip
    _assert_same_mlp(resumed, whole)  # the network of the best epoch, as the run returned
    assert _without_time(resumed_history) == _without_time(history)


def _stop_at(epoch_index):
    def callback(epoch, model, history):
        return epoch == epoch_index

    return callback


def test_a_run_stopped_by_a_callback_stays_stopped_for_every_checkpointing_trainer(tmp_path):
    X, y = _digits(100)
    bas = np.repeat(en.datasets.bars_and_stripes(3).reshape(-1, 9), 2, axis=0).astype(float)
    runs = {
        "fit_mlp": lambda **kw: en.fit_mlp(en.MLP([64, 8, 10], rng=0), X, y, rng=1, **kw),
        "fit_rbm": lambda **kw: en.fit_rbm(en.RBM(9, 4, rng=0), bas, method="pcd", rng=1, **kw),
        "fit_eqprop": lambda **kw: en.fit_eqprop(
            en.EnergyNetwork([64, 8, 10], "softmax", rng=0), X, y, rng=1, **kw
        ),
    }
    for name, fit in runs.items():
        path = tmp_path / f"{name}.npz"
        whole, history = fit(n_epochs=6, callbacks=[_stop_at(2)], checkpoint=path)
        assert len(history["epoch"]) == 3, name
        resumed, resumed_history = fit(n_epochs=6, callbacks=[_stop_at(2)], resume=path)
        assert len(resumed_history["epoch"]) == 3, name  # on 5f5d996: 6, trained on
        for key in ("weights", "biases"):
            for u, v in zip(getattr(resumed, key, []), getattr(whole, key, []), strict=True):
                np.testing.assert_array_equal(u, v)
        if name == "fit_rbm":
            np.testing.assert_array_equal(resumed.weights, whole.weights)


def test_train_mlp_killed_after_early_stopping_resumes_to_the_same_outputs(tmp_path, capsys):
    argv = ["train-mlp", "--limit", "60", "--hidden", "30", "--epochs", "200",
            "--learning-rate", "0.01", "--schedule", "constant", "--validation-fraction", "0.5",
            "--early-stopping", "3"]  # fmt: skip
    whole = tmp_path / "whole"
    checkpoint = whole / "checkpoint.npz"
    assert main([*argv, "--checkpoint", "-o", str(whole)]) == 0
    summary = read_json(whole / "history.json")
    assert summary["epochs_completed"] < 200  # stopped early
    capsys.readouterr()
    again = tmp_path / "again"  # as if killed after the checkpoint, before the outputs
    assert main([*argv, "--resume", str(checkpoint), "-o", str(again)]) == 0
    assert "Nothing left to train" in capsys.readouterr().out
    assert same_npz(whole / "mlp.npz", again / "mlp.npz")
    resumed = read_json(again / "history.json")
    assert resumed["epoch_kept"] == summary["epoch_kept"]
    assert resumed["epochs_completed"] == summary["epochs_completed"]


# -- item 8: hand-edited metadata -----------------------------------------------------------------
def _edited(source, target, edit):
    """Copy the checkpoint ``source`` to ``target`` with its meta JSON text edited by
    ``edit(meta) -> text``: a valid zip with right CRCs, as a careful hand would write it."""
    with open(source, "rb") as f:
        arrays = _npz.read_npz(f)
    meta = json.loads(str(arrays["meta"][()]))
    arrays["meta"] = np.array(edit(meta))
    with open(target, "wb") as f:
        _npz.write_npz(f, arrays)
    return target


def _set(key, value):
    def edit(meta):
        meta[key] = value
        return json.dumps(meta)

    return edit


def _set_in(outer, key, value):
    def edit(meta):
        meta[outer][key] = value
        return json.dumps(meta)

    return edit


def _without(key):
    def edit(meta):
        del meta[key]
        return json.dumps(meta)

    return edit


def _nested(depth, where="settings"):
    def edit(meta):
        text = json.dumps(meta)
        deep = "[" * depth + "]" * depth
        return text.replace(f'"{where}": {{', f'"{where}": {{"deep": {deep}, ', 1)

    return edit


# (edit, what the message says): the meta of a fit_mlp checkpoint after 2 of 4 epochs
# (interrupted in the third),
# early stopping on (so that it holds "best" and best_params)
MLP_EDITS = [
    (lambda meta: json.dumps([meta]), "meta entry is a list, not an object"),
    (lambda meta: "3", "meta entry is the number 3, not an object"),
    (lambda meta: '{"epoch": 2', "its meta entry is damaged"),
    (lambda meta: "[" * 100_000 + "]" * 100_000, "its meta entry is damaged"),
    (_nested(200), "nests lists and objects more than 32 deep"),
    (_set("history", 7), "'history' is the number 7, not an object"),
    (_set("history", [1, 2]), "'history' is a list, not an object"),
    (_without("epoch"), "'epoch' is missing or null, not an integer"),
    (_set("epoch", -3), r"'epoch' is -3, not in \[0, n_epochs=4\]"),
    (_set("epoch", 5), r"'epoch' is 5, not in \[0, n_epochs=4\]"),
    (_set("epoch", 1.5), "'epoch' is the number 1.5, not an integer"),
    (_set("epoch", True), "'epoch' is a boolean True, not an integer"),
    (_set("epoch", "2"), "'epoch' is the string '2', not an integer"),
    (_set("epoch", 1), "history 'epoch' holds 2 entries, not a list of one per epoch done"),
    (_set("epoch", 3), "history 'epoch' holds 2 entries, not a list of one per epoch done"),
    (_set_in("history", "loss", [0.5]), "history 'loss' holds 1 entries"),
    (_set_in("history", "loss", 0.5), "history 'loss' holds the number 0.5"),
    (_set_in("history", "loss", ["x", 0.5]), "history 'loss' holds number and string entries"),
    (_set_in("history", "loss", [{}, 0.5]), "history 'loss' holds number and object entries"),
    (_set_in("history", "loss", [True, 0.5]), "history 'loss' holds boolean and number"),
    (_set("settings", "adam"), "'settings' is the string 'adam', not an object"),
    (_without("settings"), "'settings' is missing or null, not an object"),
    (_set("rng_state", [1, 2]), "'rng_state' is a list, not an object"),
    (_set("rng_state", {"bit_generator": "MT19937"}), "'rng_state' is not a state of the PCG64"),
    (_set_in("rng_state", "state", "x"), "'rng_state' is not a state of the PCG64"),
    (_set("optimizer", [1]), "'optimizer' is a list, not an object"),
    (_set_in("optimizer", "n_steps", "10"), "optimizer 'n_steps' is the string '10'"),
    (_set_in("optimizer", "params", 1), "optimizer 'params' is not part of the state"),
    (_set_in("optimizer", "step_", 1), "optimizer 'step_' is not part of the state"),
    (_set("stopped", "maybe"), "'stopped' is 'maybe', not null or one of"),
    (_set("best", 0.5), r"'best' is the number 0.5, not \[validation loss or null, epoch\]"),
    (_set("best", ["low", 1]), r"'best' is a list, not \[validation loss or null, epoch\]"),
    (_set("best", [0.5, 7]), r"'best' epoch is 7, not an integer in \[-1, 2\)"),
    (lambda meta: _drop(meta["history"], "loss", meta), "history has no 'loss' entry"),
]


def _drop(mapping, key, meta):
    del mapping[key]
    return json.dumps(meta)


MLP_RUN = {
    "n_epochs": 4, "batch_size": 20, "learning_rate": 0.01, "validation_data": 0.3,
    "early_stopping": 3, "rng": 0,
}  # fmt: skip


@pytest.fixture(scope="module")
def mlp_checkpoint(tmp_path_factory):
    X, y = _digits(80)
    path = tmp_path_factory.mktemp("mlp") / "mlp.npz"
    with pytest.raises(_Interrupt):
        en.fit_mlp(en.MLP([64, 6, 10], rng=0), X, y, **MLP_RUN, checkpoint=path,
                   callbacks=[_interrupt_at(2)])  # fmt: skip
    return path


class _Interrupt(Exception):
    """Stands for Ctrl-C."""


def _interrupt_at(epoch_index):
    def callback(epoch, model, history):
        if epoch == epoch_index:
            raise _Interrupt

    return callback


def test_the_unedited_checkpoint_resumes(mlp_checkpoint, tmp_path):
    X, y = _digits(80)
    copy = _edited(mlp_checkpoint, tmp_path / "same.npz", json.dumps)
    whole, _ = en.fit_mlp(en.MLP([64, 6, 10], rng=0), X, y, **MLP_RUN)
    resumed, _ = en.fit_mlp(en.MLP([64, 6, 10], rng=0), X, y, **MLP_RUN, resume=copy)
    _assert_same_mlp(resumed, whole)


@pytest.mark.parametrize(("edit", "says"), MLP_EDITS, ids=[m for _, m in MLP_EDITS])
def test_a_hand_edited_fit_mlp_checkpoint_is_a_clear_error(mlp_checkpoint, tmp_path, edit, says):
    X, y = _digits(80)
    path = _edited(mlp_checkpoint, tmp_path / "edited.npz", edit)
    with pytest.raises(ValueError, match=f"^cannot resume from '{path}': .*{says}"):
        en.fit_mlp(en.MLP([64, 6, 10], rng=0), X, y, **MLP_RUN, resume=path)


def test_best_params_of_another_shape_is_a_clear_error(mlp_checkpoint, tmp_path):
    with open(mlp_checkpoint, "rb") as f:
        arrays = _npz.read_npz(f)
    arrays["best_params"] = arrays["best_params"][:-1]
    path = tmp_path / "edited.npz"
    with open(path, "wb") as f:
        _npz.write_npz(f, arrays)
    X, y = _digits(80)
    with pytest.raises(ValueError, match=f"^cannot resume from '{path}': best_params has shape"):
        en.fit_mlp(en.MLP([64, 6, 10], rng=0), X, y, **MLP_RUN, resume=path)


RBM_EDITS = [
    (lambda meta: json.dumps([meta]), "is a list"),
    (_set("epoch", -3), r"'epoch' is -3, not in \[0, n_epochs=3\]"),
    (_set("history", 1), "'history' is the number 1, not an object"),
    (_set_in("history", "epoch", [0, 1, 2]), "history 'epoch' holds 3 entries"),
    (_set("optimizer", "none"), "'optimizer' is the string 'none', not an object"),
]


@pytest.mark.parametrize(("edit", "says"), RBM_EDITS, ids=[m for _, m in RBM_EDITS])
def test_a_hand_edited_fit_rbm_or_fit_dbn_checkpoint_is_a_clear_error(tmp_path, edit, says):
    data = np.repeat(en.datasets.bars_and_stripes(3).reshape(-1, 9), 2, axis=0).astype(float)
    rbm_path, dbn_path = tmp_path / "rbm.npz", tmp_path / "dbn.npz"
    en.fit_rbm(en.RBM(9, 4, rng=0), data, n_epochs=2, checkpoint=rbm_path)
    edited = _edited(rbm_path, tmp_path / "edited.npz", edit)
    with pytest.raises(ValueError, match=f"^cannot resume from '{edited}': .*{says}"):
        en.fit_rbm(en.RBM(9, 4, rng=0), data, n_epochs=3, resume=edited)
    # a DBN checkpoint holds the layer's fit_rbm meta inside its own ("inner")
    with pytest.raises(_Interrupt):
        en.fit_dbn(en.DBN([9, 4, 3], rng=0), data, n_epochs=3, checkpoint=dbn_path,
                   callbacks=[lambda layer, epoch, *_: (layer, epoch) == (0, 1) and
                              _raise(_Interrupt)])  # fmt: skip

    def edit_inner(meta):
        meta["inner"] = json.loads(edit(meta["inner"]))
        return json.dumps(meta)

    edited = _edited(dbn_path, tmp_path / "edited_dbn.npz", edit_inner)
    with pytest.raises(ValueError, match=f"^cannot resume from '{edited}': its .*{says}"):
        en.fit_dbn(en.DBN([9, 4, 3], rng=0), data, n_epochs=3, resume=edited)


def _raise(exc):
    raise exc


DBN_EDITS = [
    (_set("layers_done", -1), r"'layers_done' is -1, not in \[0, the DBN's layers=3\]"),
    (_set("layers_done", 2), "history 'layer' holds 1 entries, not a list of one per layer"),
    (_set("layers_done", 9), r"'layers_done' is 9, not in \[0, the DBN's layers=3\]"),
    (_without("layers_done"), "'layers_done' is missing or null"),
    (_set("inner", 3), "'inner' is the number 3"),
]


@pytest.mark.parametrize(("edit", "says"), DBN_EDITS, ids=[m for _, m in DBN_EDITS])
def test_a_hand_edited_fit_dbn_outer_meta_is_a_clear_error(tmp_path, edit, says):
    data = np.repeat(en.datasets.bars_and_stripes(3).reshape(-1, 9), 2, axis=0).astype(float)
    dbn_path = tmp_path / "dbn.npz"
    with pytest.raises(_Interrupt):
        en.fit_dbn(en.DBN([9, 4, 3, 2], rng=0), data, n_epochs=2, checkpoint=dbn_path,
                   callbacks=[lambda layer, epoch, *_: (layer, epoch) == (1, 0) and
                              _raise(_Interrupt)])  # fmt: skip
    edited = _edited(dbn_path, tmp_path / "edited.npz", edit)
    with pytest.raises(ValueError, match=f"^cannot resume from '{edited}': .*{says}"):
        en.fit_dbn(en.DBN([9, 4, 3, 2], rng=0), data, n_epochs=2, resume=edited)


CLI_EDITS = [
    (lambda meta: json.dumps([meta]), "meta entry is a list"),
    (_set("history", 5), "'history' is the number 5"),
    (lambda meta: "[" * 100_000 + "]" * 100_000, "its meta entry is damaged"),
    (_without("epoch"), "'epoch' is missing or null"),
    (_set("epoch", -3), "'epoch' is -3, not at least 0"),
    (_set("epoch", 1), "history 'epoch' holds 2 entries"),
]


@pytest.mark.parametrize(("edit", "says"), CLI_EDITS, ids=[m for _, m in CLI_EDITS])
def test_train_mlp_resume_of_a_hand_edited_checkpoint_is_one_line(tmp_path, capsys, edit, says):
    argv = ["train-mlp", "--limit", "60", "--hidden", "5", "--epochs", "3", "--seed", "1"]
    checkpoint = tmp_path / "ck.npz"
    assert main([*argv, "--epochs", "2", "--schedule", "constant", "--checkpoint",
                 str(checkpoint), "-o", str(tmp_path / "a")]) == 0  # fmt: skip
    edited = _edited(checkpoint, tmp_path / "edited.npz", edit)
    capsys.readouterr()
    argv = [*argv, "--schedule", "constant", "--resume", str(edited), "-o", str(tmp_path / "b")]
    assert main(argv) == 2
    line = one_line_error(capsys, "energynets train-mlp")
    assert f"argument --resume: cannot resume from '{edited}': " in line and says in line


# -- item 12: resuming from X.prev writes X ------------------------------------------------------
def test_fit_mlp_resumed_from_prev_keeps_it_as_the_previous_checkpoint(tmp_path):
    X, y = _digits(100)
    common = {"n_epochs": 4, "batch_size": 20, "rng": 2}
    path = tmp_path / "mlp.npz"
    whole, _ = en.fit_mlp(en.MLP([64, 8, 10], rng=0), X, y, **common, checkpoint=path)
    good_prev = (tmp_path / "mlp.npz.prev").read_bytes()  # after epoch 3
    path.write_bytes(path.read_bytes()[:300])  # the last one damaged
    resumed, _ = en.fit_mlp(en.MLP([64, 8, 10], rng=0), X, y, **common, checkpoint=path,
                            resume=f"{path}.prev")  # fmt: skip
    _assert_same_mlp(resumed, whole)
    assert not (tmp_path / "mlp.npz.prev.prev").exists()
    # the file resumed from is still the previous checkpoint (on 5f5d996: the damaged one)
    assert (tmp_path / "mlp.npz.prev").read_bytes() == good_prev
    assert json.loads(str(np.load(path)["meta"][()]))["epoch"] == 4


def test_train_mlp_resumed_from_the_hinted_prev_goes_on_writing_the_checkpoint(tmp_path, capsys):
    argv = ["train-mlp", "--limit", "100", "--hidden", "5", "--epochs", "4", "--seed", "4"]
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    assert main([*argv, "-o", str(whole)]) == 0
    checkpoint = tmp_path / "ck" / "checkpoint.npz"
    assert main([*argv, "--epochs", "4", "--checkpoint", str(checkpoint), "-o", str(parts)]) == 0
    # damage the last checkpoint and make .prev hold epoch 3 (as after a kill in epoch 4)
    shutil.copy(checkpoint.with_name("checkpoint.npz.prev"), tmp_path / "epoch3.npz")
    checkpoint.write_bytes(checkpoint.read_bytes()[:500])
    capsys.readouterr()
    assert main([*argv, "--resume", str(checkpoint), "-o", str(parts)]) == 2
    line = one_line_error(capsys, "energynets train-mlp")
    prev = f"{checkpoint}.prev"
    assert f"the previous checkpoint is '{prev}'" in line
    assert main([*argv, "--resume", prev, "-o", str(parts)]) == 0
    out = capsys.readouterr().out
    assert f"Writing a checkpoint to {checkpoint} every epoch and after the last ({prev}, " in out
    assert not (tmp_path / "ck" / "checkpoint.npz.prev.prev").exists()
    assert same_npz(whole / "mlp.npz", parts / "mlp.npz")
    assert (tmp_path / "ck" / "checkpoint.npz.prev").read_bytes() == (
        tmp_path / "epoch3.npz"
    ).read_bytes()
    assert json.loads(str(np.load(checkpoint)["meta"][()]))["epoch"] == 4
    # and with --checkpoint naming the damaged file itself: accepted as continuing it
    checkpoint.write_bytes(checkpoint.read_bytes()[:500])
    argv = [*argv, "--checkpoint", str(checkpoint), "--resume", prev, "-o", str(parts)]
    assert main(argv) == 0


# -- item 8, systematically: every entry of the meta replaced by each hostile value -------------
HOSTILE = [None, [], {}, "x", -1, 0, 10**30, 1e308, float("nan"), True, [[[[]]]], {"a": 1}, 2.5]
_DELETE = object()


def _entry_paths(value, path=()):
    """The paths of every entry of a JSON value (the first item of each list)."""
    if path:
        yield path
    if isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value[:1])
        for key, item in items:
            yield from _entry_paths(item, (*path, key))


def _replaced(meta, path, value):
    meta = json.loads(json.dumps(meta))
    parent = meta
    for key in path[:-1]:
        parent = parent[key]
    if value is _DELETE:
        if not isinstance(parent, dict):
            return None
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return json.dumps(meta)


def _fits():
    X, y = _digits(80)
    bas = np.repeat(en.datasets.bars_and_stripes(3).reshape(-1, 9), 2, axis=0).astype(float)
    return {
        "fit_mlp": lambda **kw: en.fit_mlp(en.MLP([64, 6, 10], rng=0), X, y, **MLP_RUN, **kw),
        "fit_rbm": lambda **kw: en.fit_rbm(
            en.RBM(9, 4, rng=0), bas, n_epochs=4, method="pcd", momentum=0.5, centering=True,
            sparsity_target=0.2, sparsity_cost=0.1, rng=0, **kw,
        ),
        "fit_eqprop": lambda **kw: en.fit_eqprop(
            en.EnergyNetwork([64, 6, 10], "softmax", rng=0), X, y, n_epochs=4,
            optimizer="momentum", learning_rate=0.1, rng=0, **kw,
        ),
    }  # fmt: skip


@pytest.mark.parametrize("trainer", ["fit_mlp", "fit_rbm", "fit_eqprop"])
def test_every_meta_entry_replaced_by_a_hostile_value_is_refused_or_harmless(tmp_path, trainer):
    fit = _fits()[trainer]
    source = tmp_path / "checkpoint.npz"
    with pytest.raises(_Interrupt):
        fit(checkpoint=source, callbacks=[_interrupt_at(2)])
    with open(source, "rb") as f:
        meta = json.loads(str(_npz.read_npz(f)["meta"][()]))
    path, n_edits, refused = tmp_path / "edited.npz", 0, 0
    for entry in _entry_paths(meta):
        for value in [*HOSTILE, _DELETE]:
            text = _replaced(meta, entry, value)
            if text is None:
                continue
            _edited(source, path, lambda _meta, text=text: text)
            n_edits += 1
            try:  # on 5f5d996: TypeError, KeyError, ZeroDivisionError, OverflowError, ...
                fit(resume=path)
            except ValueError as exc:
                assert str(exc).startswith(f"cannot resume from '{path}': "), (entry, value)
                refused += 1
    # about 600 edits each, 80% refused; the rest (a value inside the history, the random
    # state's carry bits, ...) resume and train without error
    assert n_edits > 550 and refused > n_edits // 2, (n_edits, refused)


@pytest.mark.parametrize("member", ["kernel.extra", "model.weights"])
def test_a_checkpoint_declaring_more_than_its_run_holds_is_refused_unread(tmp_path, member):
    """An extra member, or a known one swollen, of 96 MiB of zeros (which deflate to about
    100 KiB): the run's state is a few hundred bytes, so the file is refused before any of it
    is read, and resuming allocates far less than the member declares."""
    import tracemalloc

    data = np.repeat(en.datasets.bars_and_stripes(3).reshape(-1, 9), 2, axis=0).astype(float)
    path = tmp_path / "rbm.npz"
    en.fit_rbm(en.RBM(9, 4, rng=0), data, n_epochs=2, checkpoint=path)
    with open(path, "rb") as f:
        arrays = _npz.read_npz(f)
    arrays[member] = np.zeros((96 << 20) // 8)
    with open(path, "wb") as f:
        _npz.write_npz(f, arrays)
    assert path.stat().st_size < 1 << 20
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=f"^cannot resume from '{path}': its arrays declare"):
            en.fit_rbm(en.RBM(9, 4, rng=0), data, n_epochs=3, resume=path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20
