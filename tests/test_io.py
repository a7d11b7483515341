"""Tests of saving and loading models, energynets.io."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import IO, Any

import numpy as np
import pytest
from numpy.lib import format as npy_format

import energynets.io as enio
from energynets import HopfieldNetwork, _npz, corrupt
from energynets.learning.hopfield_rules import RULES


@pytest.fixture
def patterns() -> np.ndarray:
    return np.random.default_rng(0).choice([-1.0, 1.0], size=(3, 16))


@pytest.fixture
def saved(tmp_path: Path, patterns: np.ndarray) -> Path:
    """A valid model file whose arrays the damaged-file tests start from."""
    path = tmp_path / "model.npz"
    enio.save(HopfieldNetwork.from_patterns(patterns, rule="storkey"), path)
    return path


def assert_same_network(a: HopfieldNetwork, b: HopfieldNetwork) -> None:
    assert type(a) is type(b)
    assert a.dtype == b.dtype
    for name in ("weights", "bias", "patterns"):
        x, y = getattr(a, name), getattr(b, name)
        if x is None:
            assert y is None
        else:
            assert x.dtype == y.dtype
            np.testing.assert_array_equal(x, y)
    assert a.rule == b.rule


def file_arrays(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


def load_error(path: Path) -> str:
    """The message of the ValueError that loading ``path`` raises, checked to be one line."""
    with pytest.raises(ValueError) as info:
        enio.load(path)
    message = str(info.value)
    assert "\n" not in message
    assert f"cannot load '{path}'" in message
    return message


# -- round trips -------------------------------------------------------------------------------
@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_round_trip_for_every_rule_and_dtype(
    tmp_path: Path, patterns: np.ndarray, rule: str, dtype: Any
) -> None:
    net = HopfieldNetwork.from_patterns(patterns, rule=rule, dtype=dtype)
    path = tmp_path / "net.npz"
    enio.save(net, path)
    loaded = enio.load(path)
    assert_same_network(loaded, net)
    assert loaded.weights.dtype == np.dtype(dtype)


def test_round_trip_without_patterns_or_rule(tmp_path: Path) -> None:
    net = HopfieldNetwork([[0.0, -0.5], [-0.5, 0.0]], [0.25, -1.0])
    enio.save(net, str(tmp_path / "net.npz"))  # a str path works as well as a Path
    assert_same_network(enio.load(str(tmp_path / "net.npz")), net)


def test_loaded_network_recalls_identically(tmp_path: Path, patterns: np.ndarray) -> None:
    net = HopfieldNetwork.from_patterns(patterns, rule="hebbian")
    enio.save(net, tmp_path / "net.npz")
    loaded = enio.load(tmp_path / "net.npz")
    probes = corrupt(patterns, 0.2, rng=1)
    for dynamics in ("async", "sync"):
        a = net.recall(probes, dynamics=dynamics, rng=2)
        b = loaded.recall(probes, dynamics=dynamics, rng=2)
        np.testing.assert_array_equal(a.states, b.states)
        np.testing.assert_array_equal(a.energies, b.energies)
        np.testing.assert_array_equal(a.converged, b.converged)


def test_file_layout_is_a_plain_npz_with_markers(saved: Path) -> None:
    arrays = file_arrays(saved)
    assert set(arrays) == {
        "weights",
        "bias",
        "patterns",
        "rule",
        "__format__",
        "__format_version__",
        "__class__",
    }
    assert arrays["__format__"].shape == () and str(arrays["__format__"]) == "energynets-model"
    assert int(arrays["__format_version__"]) == 1
    assert str(arrays["__class__"]) == "HopfieldNetwork"
    assert arrays["rule"].dtype.kind == "U" and str(arrays["rule"]) == "storkey"


def test_path_is_used_as_given_without_npz_suffix(tmp_path: Path, patterns: np.ndarray) -> None:
    net = HopfieldNetwork.from_patterns(patterns)
    enio.save(net, tmp_path / "model.bin")
    assert sorted(os.listdir(tmp_path)) == ["model.bin"]
    assert_same_network(enio.load(tmp_path / "model.bin"), net)


def test_save_replaces_an_existing_file(tmp_path: Path, patterns: np.ndarray) -> None:
    path = tmp_path / "net.npz"
    enio.save(HopfieldNetwork.from_patterns(patterns, rule="hebbian"), path)
    newer = HopfieldNetwork.from_patterns(patterns[:2], rule="pseudoinverse")
    enio.save(newer, path)
    assert_same_network(enio.load(path), newer)
    assert sorted(os.listdir(tmp_path)) == ["net.npz"]


def test_save_does_not_modify_the_model(tmp_path: Path, patterns: np.ndarray) -> None:
    net = HopfieldNetwork.from_patterns(patterns, rule="storkey", dtype=np.float32)
    before = {key: np.copy(value) for key, value in net.get_params().items()}
    enio.save(net, tmp_path / "net.npz")
    after = net.get_params()
    assert set(after) == set(before)
    for key, value in before.items():
        np.testing.assert_array_equal(after[key], value)
        assert np.asarray(after[key]).dtype == value.dtype
    assert not net.weights.flags.writeable


# -- damaged and foreign files -----------------------------------------------------------------
def test_truncated_file(saved: Path) -> None:
    data = saved.read_bytes()
    saved.write_bytes(data[: len(data) // 2])
    assert "not a valid .npz (zip) archive" in load_error(saved)


def test_random_bytes_and_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "noise.npz"
    path.write_bytes(np.random.default_rng(1).bytes(2000))
    assert "not a valid .npz (zip) archive" in load_error(path)
    path.write_bytes(b"")
    assert "not a valid .npz (zip) archive" in load_error(path)


def test_plain_npz_without_markers(tmp_path: Path) -> None:
    path = tmp_path / "plain.npz"
    np.savez(path, weights=np.zeros((2, 2)), bias=np.zeros(2))
    assert "not an energynets model file (no __format__" in load_error(path)


def test_other_format_marker(saved: Path) -> None:
    arrays = file_arrays(saved)
    arrays["__format__"] = np.array("someone-else")
    np.savez(saved, **arrays)
    assert "not an energynets model file (__format__ is 'someone-else')" in load_error(saved)


def test_newer_format_version(saved: Path) -> None:
    arrays = file_arrays(saved)
    arrays["__format_version__"] = np.array(2)
    np.savez(saved, **arrays)
    message = load_error(saved)
    assert "format version 2 by a newer energynets" in message
    assert "reads format versions up to 1" in message


def test_unknown_class(saved: Path) -> None:
    arrays = file_arrays(saved)
    arrays["__class__"] = np.array("Mystery")
    np.savez(saved, **arrays)
    message = load_error(saved)
    assert "unknown model class 'Mystery' (known classes: " in message
    assert "HopfieldNetwork" in message


def test_object_array_is_refused_without_unpickling(saved: Path) -> None:
    arrays = file_arrays(saved)
    arrays["weights"] = np.array([{"not": "numbers"}, None], dtype=object)
    np.savez(saved, allow_pickle=True, **arrays)
    assert "array 'weights' holds Python objects (pickled data is refused)" in load_error(saved)


@pytest.mark.parametrize("key", ["weights", "bias", "__class__", "__format_version__"])
def test_missing_keys(saved: Path, key: str) -> None:
    arrays = file_arrays(saved)
    del arrays[key]
    np.savez(saved, **arrays)
    message = load_error(saved)
    if key.startswith("__"):
        assert f"missing the {key} entry" in message
    else:
        assert f"the HopfieldNetwork file is missing the array '{key}'" in message


def test_unexpected_and_invalid_parameters(saved: Path) -> None:
    arrays = file_arrays(saved)
    np.savez(saved, extra=np.zeros(3), **arrays)
    assert "invalid HopfieldNetwork parameters (unexpected arrays ['extra'])" in load_error(saved)

    arrays["weights"] = arrays["weights"] + np.triu(np.ones_like(arrays["weights"]), 1)
    np.savez(saved, **arrays)
    assert "invalid HopfieldNetwork parameters (weights must be symmetric" in load_error(saved)

    arrays = file_arrays(saved)
    arrays["weights"] = np.array("weights")
    np.savez(saved, **arrays)
    assert "invalid HopfieldNetwork parameters (weights must be an array" in load_error(saved)


def write_member(archive: zipfile.ZipFile, key: str, header: dict[str, Any], data: bytes) -> None:
    with archive.open(key + ".npy", "w") as member:
        npy_format.write_array_header_1_0(member, header)
        member.write(data)


def test_absurd_declared_size_is_refused_before_reading(saved: Path) -> None:
    # A 2**40-element header over 8 bytes of data: load must refuse it from the header
    # alone instead of trying to allocate 8 TB.
    arrays = file_arrays(saved)
    del arrays["weights"]
    np.savez(saved, **arrays)
    with zipfile.ZipFile(saved, "a") as archive:
        header = {"descr": "<f8", "fortran_order": False, "shape": (2**20, 2**20)}
        write_member(archive, "weights", header, b"\0" * 8)
    message = load_error(saved)
    assert "array 'weights' declares shape (1048576, 1048576) (1099511627776 elements" in message


def test_declared_size_larger_than_the_data_is_refused(saved: Path) -> None:
    arrays = file_arrays(saved)
    del arrays["bias"]
    np.savez(saved, **arrays)
    with zipfile.ZipFile(saved, "a") as archive:
        header = {"descr": "<f8", "fortran_order": False, "shape": (1000,)}
        write_member(archive, "bias", header, b"\0" * 16)
    assert "array 'bias' declares shape (1000,) of float64 but its member holds" in load_error(
        saved
    )


def test_damaged_header_and_foreign_members(saved: Path) -> None:
    with zipfile.ZipFile(saved, "a") as archive:
        archive.writestr("notes.txt", "hello")
    assert "unexpected member 'notes.txt'" in load_error(saved)

    arrays = file_arrays(saved)
    np.savez(saved, **arrays)
    with zipfile.ZipFile(saved, "a") as archive:
        archive.writestr("extra.npy", b"\x93NUMPY\x01\x00garbage")
    assert "array 'extra' has a damaged header" in load_error(saved)


def test_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        enio.load(tmp_path / "absent.npz")


# -- atomic writes -----------------------------------------------------------------------------
def fail_while_writing(file: IO[bytes], arrays: dict[str, np.ndarray]) -> None:
    file.write(b"PK\x03\x04 half of an archive")
    raise RuntimeError("disk full")


def fail(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("disk full")


@pytest.mark.parametrize(
    ("target", "replacement"),
    [
        (_npz, {"write_npz": fail_while_writing}),
        (os, {"fsync": fail}),
        (os, {"replace": fail}),
    ],
    ids=["write", "fsync", "replace"],
)
def test_failed_save_leaves_earlier_file_and_no_temporary(
    tmp_path: Path,
    patterns: np.ndarray,
    monkeypatch: pytest.MonkeyPatch,
    target: Any,
    replacement: dict[str, Any],
) -> None:
    path = tmp_path / "model.npz"
    earlier = HopfieldNetwork.from_patterns(patterns, rule="hebbian")
    enio.save(earlier, path)
    content = path.read_bytes()
    newer = HopfieldNetwork.from_patterns(patterns[:1], rule="storkey")
    with monkeypatch.context() as patch:
        for name, value in replacement.items():
            patch.setattr(target, name, value)
        with pytest.raises(RuntimeError, match="disk full"):
            enio.save(newer, path)
    assert sorted(os.listdir(tmp_path)) == ["model.npz"]
    assert path.read_bytes() == content
    assert_same_network(enio.load(path), earlier)


def test_save_into_missing_folder_creates_nothing(tmp_path: Path, patterns: np.ndarray) -> None:
    with pytest.raises(FileNotFoundError):
        enio.save(HopfieldNetwork.from_patterns(patterns), tmp_path / "absent" / "net.npz")
    assert os.listdir(tmp_path) == []


# -- the registry ------------------------------------------------------------------------------
class Toy:
    """A test-only model with a string, a bool array and a key numpy.savez would misread."""

    def __init__(self, values: np.ndarray, mask: np.ndarray, label: str, allow_pickle: Any):
        self.values, self.mask, self.label, self.allow_pickle = values, mask, label, allow_pickle

    def get_params(self) -> dict[str, Any]:
        return {
            "values": self.values,
            "mask": self.mask,
            "label": self.label,
            "allow_pickle": self.allow_pickle,
        }


def toy_from_params(params: dict[str, Any]) -> Toy:
    return Toy(params["values"], params["mask"], params["label"], params["allow_pickle"])


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Isolate the registry so test registrations do not leak into other tests."""
    fresh = dict(enio._REGISTRY)
    monkeypatch.setattr(enio, "_REGISTRY", fresh)
    return fresh


def test_registered_model_round_trip(tmp_path: Path, registry: dict[str, Any]) -> None:
    enio.register_model("Toy", Toy, toy_from_params)
    toy = Toy(np.arange(6, dtype=np.int32).reshape(2, 3), np.array([True, False]), "x", 7)
    enio.save(toy, tmp_path / "toy.npz")
    loaded = enio.load(tmp_path / "toy.npz")
    assert isinstance(loaded, Toy)
    np.testing.assert_array_equal(loaded.values, toy.values)
    assert loaded.values.dtype == np.int32
    np.testing.assert_array_equal(loaded.mask, toy.mask)
    assert loaded.label == "x" and isinstance(loaded.label, str)
    assert int(loaded.allow_pickle) == 7


def test_registry_errors(tmp_path: Path, registry: dict[str, Any]) -> None:
    with pytest.raises(TypeError, match="model must be an instance of a registered model class"):
        enio.save(Toy(np.zeros(1), np.zeros(1, bool), "x", 0), tmp_path / "toy.npz")
    assert os.listdir(tmp_path) == []
    with pytest.raises(ValueError, match="'HopfieldNetwork' is already registered"):
        enio.register_model("HopfieldNetwork", Toy, toy_from_params)
    with pytest.raises(ValueError, match="name must be a Python identifier"):
        enio.register_model("not a name", Toy, toy_from_params)
    with pytest.raises(TypeError, match="from_params must be callable, got int"):
        enio.register_model("Toy", Toy, 3)  # type: ignore[arg-type]

    enio.register_model("Toy", Toy, toy_from_params)
    with pytest.raises(TypeError, match=r"get_params\(\)\['values'\] must be a numeric"):
        enio.save(Toy(np.array([object()]), np.zeros(1, bool), "x", 0), tmp_path / "toy.npz")
    assert os.listdir(tmp_path) == []


def test_round_trip_of_boltzmann_machines_and_rbms(tmp_path):
    from energynets.models.boltzmann import BoltzmannMachine, ising_2d
    from energynets.models.rbm import RBM

    for model in (
        ising_2d(4, coupling=0.5, field=0.1),
        BoltzmannMachine(np.array([[0.0, 1.5], [1.5, 0.0]]), [0.2, -0.1], 1, units="bits"),
    ):
        path = tmp_path / "bm.npz"
        enio.save(model, path)
        loaded = enio.load(path)
        assert np.array_equal(loaded.weights, model.weights)
        assert np.array_equal(loaded.bias, model.bias)
        assert (loaded.units, loaded.n_visible, loaded.lattice_shape) == (
            model.units,
            model.n_visible,
            model.lattice_shape,
        )
    for rbm in (RBM(6, 3, rng=0), RBM(4, 2, "gaussian", rng=1, dtype=np.float32, sigma=2.0)):
        enio.save(rbm, tmp_path / "rbm.npz")
        loaded = enio.load(tmp_path / "rbm.npz")
        for name in ("weights", "visible_bias", "hidden_bias", "sigma"):
            assert np.array_equal(getattr(loaded, name), getattr(rbm, name))
            assert getattr(loaded, name).dtype == rbm.dtype
        assert loaded.visible == rbm.visible


def test_round_trip_of_an_rbm_with_softmax_groups(tmp_path: Path) -> None:
    from energynets.models.rbm import RBM

    rbm = RBM(9, 4, rng=3, dtype=np.float32, weight_scale=1.0, softmax_groups=[[8, 2, 5], (0, 2)])
    path = tmp_path / "rbm.npz"
    enio.save(rbm, path)
    assert file_arrays(path)["softmax_units"].tolist() == [8, 2, 5, 0, 1]
    loaded = enio.load(path)
    assert [g.tolist() for g in loaded.softmax_groups] == [[8, 2, 5], [0, 1]]
    assert repr(loaded) == repr(rbm)
    for name in ("weights", "visible_bias", "hidden_bias"):
        assert np.array_equal(getattr(loaded, name), getattr(rbm, name))
    rows = np.array([[0.0, 1.0, 1.0, 0.0, 1.0, 0.0]])  # units 0, 1 (a group), 3, 4, 6, 7
    np.testing.assert_array_equal(loaded.label_probabilities(rows), rbm.label_probabilities(rows))
    # a file without the group arrays (every file written before groups existed, and any
    # RBM without groups) loads as an RBM without groups
    plain = tmp_path / "plain.npz"
    enio.save(RBM(4, 2), plain)
    assert "softmax_units" not in file_arrays(plain)
    arrays = file_arrays(path)
    del arrays["softmax_units"], arrays["softmax_sizes"]
    np.savez(path, **arrays)
    assert enio.load(path).softmax_groups == ()


def test_damaged_softmax_groups_are_named(tmp_path: Path) -> None:
    from energynets.models.rbm import RBM

    path = tmp_path / "rbm.npz"
    enio.save(RBM(6, 2, softmax_groups=[(0, 2), (2, 5)]), path)
    good = file_arrays(path)
    arrays = dict(good)
    del arrays["softmax_sizes"]
    np.savez(path, **arrays)
    assert "the RBM file is missing the array 'softmax_sizes'" in load_error(path)
    np.savez(path, **dict(good, softmax_sizes=np.array([2, 2])))
    assert "softmax_sizes must be non-negative and add up to the 5 entries" in load_error(path)
    np.savez(path, **dict(good, softmax_units=np.array([0, 1, 1, 3, 4])))
    assert "invalid RBM parameters (softmax_groups must be disjoint" in load_error(path)
    np.savez(path, **dict(good, softmax_units=np.array([0.0, 1, 2, 3, 4])))
    assert "softmax_units must be a 1-D integer array" in load_error(path)


def test_the_same_model_saved_twice_gives_the_same_bytes(tmp_path):
    import time

    from energynets import RBM

    model = RBM(5, 3, rng=0)
    enio.save(model, tmp_path / "a.npz")
    time.sleep(2.1)  # zip time stamps have a resolution of 2 seconds
    enio.save(model.copy(), tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
